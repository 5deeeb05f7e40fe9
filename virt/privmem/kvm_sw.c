// SPDX-License-Identifier: GPL-2.0
/*
 * privmem's KVM glue: the software-protected VM's arch ops and the
 * defaults of the architecture hooks.  See kvm_internal.h.
 */
#include "kvm_internal.h"

/* Arch ops of the software-protected VM: no hardware, only KVM's mappings. */

static void kvm_privmem_zap(struct kvm_privmem *pm, u64 gfn, u64 npages)
{
	kvm_arch_privmem_zap(pm->kvm, gfn, gfn + npages);
	if (pm->alias)
		kvm_arch_privmem_zap(pm->kvm, gfn | pm->alias,
				     (gfn | pm->alias) + npages);
}

static int kvm_privmem_sw_set(void *priv, const struct privmem_op *op)
{
	kvm_privmem_zap(priv, op->gfn, op->npages);
	return 0;
}

/*
 * Smash: only a 2M mapping of the block has to go; the 4K mappings of
 * its pages stay right, since no page changes its attribute here (the
 * step that follows zaps what it converts).  Zapping one page of the
 * block removes every leaf that maps it, a 2M leaf included, so that
 * costs one page, not 512.
 */
static int kvm_privmem_sw_split(void *priv, u64 gfn)
{
	kvm_privmem_zap(priv, gfn, 1);
	return 0;
}

/* Merge: refault the block, so that it can be mapped at 2M. */
static int kvm_privmem_sw_merge(void *priv, u64 gfn)
{
	kvm_privmem_zap(priv, gfn, PRIVMEM_PAGES_2M);
	return 0;
}

/*
 * Poisoned pages: zap their mappings; the next fault finds the page
 * poisoned in kvm_privmem_get_pfn() and exits with -EHWPOISON.  Skipped
 * once the VM is being destroyed (kvm_privmem_vm_dying()).
 */
static void kvm_privmem_sw_memory_failure(void *priv, u64 gfn, u64 npages)
{
	struct kvm_privmem *pm = priv;

	/* Pairs with the grace period in kvm_privmem_vm_dying(). */
	if (!READ_ONCE(pm->dying))
		kvm_privmem_zap(pm, gfn, npages);
}

/*
 * The space dies (a failed undo): no SPTE of the span may outlive it, so
 * that nothing the backend frees later stays mapped.  At VM destruction
 * the MMU is already gone.
 */
static void kvm_privmem_sw_unbind(void *priv)
{
	struct kvm_privmem *pm = priv;
	gfn_t base;
	u64 npages;

	if (!READ_ONCE(pm->dying) && privmem_space_span(pm->space, &base, &npages))
		kvm_privmem_zap(pm, base, npages);
}

const struct privmem_arch_ops kvm_privmem_sw_arch_ops = {
	.flags		= PRIVMEM_ARCH_PAGELESS,
	.set_private	= kvm_privmem_sw_set,
	.set_shared	= kvm_privmem_sw_set,
	.split_2m	= kvm_privmem_sw_split,
	.merge_2m	= kvm_privmem_sw_merge,
	.memory_failure	= kvm_privmem_sw_memory_failure,
	.unbind		= kvm_privmem_sw_unbind,
};

/*
 * The arch ops of a VM type with a hardware step (SEV-SNP, pKVM), or NULL
 * for those of the software-protected VM above.  Called by
 * KVM_PRIVMEM_BIND, before any vCPU exists.
 */
const struct privmem_arch_ops * __weak
kvm_arch_privmem_arch_ops(struct kvm *kvm,
			  const struct kvm_privmem_bind_info *info, void **priv)
{
	return NULL;
}

/* Frees what kvm_arch_privmem_arch_ops() made, after the space is gone. */
void __weak kvm_arch_privmem_arch_free(struct kvm *kvm, void *priv)
{
}

/**
 * kvm_privmem_arch_zap() - remove KVM's mappings of a range for an adapter
 * @kvm: a privmem VM with a bound span.
 * @gfn: first frame.
 * @npages: number of frames.
 *
 * For arch adapters that convert in hardware: unmaps [@gfn, @gfn +
 * @npages) from KVM's stage 2 (kvm_arch_privmem_zap()) so that a fault
 * that raced with the change retries.  Does nothing once the VM is
 * being destroyed, when the MMU is gone or going.
 *
 * Context: Process context; may sleep.  Takes kvm->mmu_lock.
 */
void kvm_privmem_arch_zap(struct kvm *kvm, u64 gfn, u64 npages)
{
	struct kvm_privmem *pm = to_pm(kvm);

	/* Pairs with the grace period in kvm_privmem_vm_dying(). */
	if (pm && !READ_ONCE(pm->dying))
		kvm_privmem_zap(pm, gfn, npages);
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_arch_zap);
