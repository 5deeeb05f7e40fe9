/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privmem's KVM glue, private to virt/privmem/kvm*.c:
 *
 *  - kvm.c: the capability, the VM ioctls, the VM's lifecycle, the stats
 *    and the debugfs file;
 *  - kvm_sw.c: the software-protected VM's arch ops, the defaults of the
 *    architecture hooks and the zap every adapter starts with;
 *  - kvm_fault.c: the fault path and the pre-boot copy into private
 *    pages;
 *  - kvm_guest.c: the entry points of the guests' conversion protocols
 *    (x86's KVM_HC_MAP_GPA_RANGE handler, arch/x86/kvm/privmem.c, the
 *    SEV-SNP, TDX and pKVM ones) and KVM_EXIT_PRIVMEM.
 */
#ifndef __VIRT_PRIVMEM_KVM_INTERNAL_H
#define __VIRT_PRIVMEM_KVM_INTERNAL_H

#include <linux/kvm_host.h>
#include <linux/kvm_privmem.h>
#include <linux/privmem.h>
#include <linux/privmem_policy.h>
#include <linux/privmem_shmem.h>

/**
 * struct kvm_privmem - a VM's privmem state
 * @kvm: the VM.
 * @space: the range map and conversion engine.
 * @cfg: policy and implicit switch, copied when the capability was enabled.
 * @sh: the shmem binding, owned by @space once bound.
 * @arch_priv: the cookie of a hardware adapter (kvm_arch_privmem_arch_ops()),
 *	freed with kvm_arch_privmem_arch_free() after @space; NULL for the
 *	software-protected VM.
 * @lock: serialises bind, init and launch.
 * @flags: %KVM_PRIVMEM_CAP_FLAGS given to KVM_ENABLE_CAP.
 * @alias: the shared alias gfn bit, or 0.
 * @bound: a span is bound, and @sh with it (release/acquire); the span
 *	itself is the space's (kvm_privmem_span()).
 * @launched: the space is launched; KVM_RUN takes the fast path.
 * @dying: the VM is being destroyed: memory-failure reports are ignored.
 * @id: the VM's name in the kvm_privmem_convert trace event: its KVM
 *	debugfs directory's ("<pid>-<fd>"), or "<pid>" without debugfs.
 *
 * The counters are KVM binary stats: the space's in &struct
 * kvm_vm_stat_generic, refreshed when they are read
 * (kvm_privmem_refresh_stats()), the per-vCPU ones in &struct
 * kvm_vcpu_stat_generic, counted where they happen.
 */
struct kvm_privmem {
	struct kvm *kvm;
	struct privmem_space *space;
	struct privmem_space_config cfg;
	struct privmem_shmem *sh;
	void *arch_priv;
	struct mutex lock;	/* bind, init and launch */
	u64 flags;
	gfn_t alias;
	bool bound;
	bool launched;
	bool dying;
	char id[24];
};

static inline struct kvm_privmem *to_pm(struct kvm *kvm)
{
	return READ_ONCE(kvm->privmem);
}

/* The bound span, from the space: false if none is bound. */
static inline bool kvm_privmem_span(struct kvm_privmem *pm, gfn_t *base, u64 *npages)
{
	/* Pairs with the release in kvm_privmem_bind(). */
	return smp_load_acquire(&pm->bound) &&
	       privmem_space_span(pm->space, base, npages);
}

/* Is @gfn (its alias bit already stripped) inside the bound span? */
static inline bool kvm_privmem_in_span(struct kvm_privmem *pm, gfn_t gfn)
{
	gfn_t base;
	u64 npages;

	return kvm_privmem_span(pm, &base, &npages) && gfn >= base &&
	       gfn - base < npages;
}

/* kvm_sw.c */
extern const struct privmem_arch_ops kvm_privmem_sw_arch_ops;

/* kvm.c */
int kvm_privmem_convert_entries(struct kvm_privmem *pm,
				const struct kvm_privmem_entry *uents,
				u32 nr, unsigned int flags, u32 *done,
				s32 *failed);

#endif /* __VIRT_PRIVMEM_KVM_INTERNAL_H */
