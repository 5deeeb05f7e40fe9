/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privmem for KVM: the hooks KVM calls and the arch hooks the glue calls.
 *
 * The glue (virt/privmem/kvm*.c) links into kvm.ko.  A VM uses privmem
 * only after KVM_ENABLE_CAP(KVM_CAP_PRIVMEM); every hook below is then
 * reached through kvm_privmem_enabled(), and a VM without the capability
 * behaves exactly as upstream.  See Documentation/virt/kvm/privmem.rst.
 */
#ifndef _LINUX_KVM_PRIVMEM_H
#define _LINUX_KVM_PRIVMEM_H

#include <linux/kvm_host.h>

struct privmem_arch_ops;
struct privmem_backend_ops;
struct privmem_entry;

/**
 * struct kvm_privmem_bind_info - a VM's span, for its arch adapter
 * @backend: the backend ops of the span's pages.
 * @backend_priv: the backend's cookie.
 * @gfn: first frame of the span.
 * @npages: frames in the span.
 */
struct kvm_privmem_bind_info {
	const struct privmem_backend_ops *backend;
	void *backend_priv;
	gfn_t gfn;
	u64 npages;
};

#ifdef CONFIG_KVM_PRIVMEM

/* Called by generic KVM (virt/kvm/kvm_main.c). */
int kvm_privmem_check_extension(struct kvm *kvm);
int kvm_privmem_enable_cap(struct kvm *kvm, const struct kvm_enable_cap *cap);
long kvm_privmem_vm_ioctl(struct kvm *kvm, unsigned int ioctl,
			  void __user *argp);
int kvm_privmem_vcpu_run(struct kvm_vcpu *vcpu);
void kvm_privmem_vm_dying(struct kvm *kvm);
void kvm_privmem_destroy_vm(struct kvm *kvm);
int kvm_privmem_check_memslot(struct kvm *kvm, gfn_t base_gfn,
			      unsigned long npages, u32 flags);

/* Called by the arch fault, hypercall and CPUID paths. */
int kvm_privmem_alias_bit(struct kvm *kvm);
bool kvm_privmem_access_private(struct kvm *kvm, gfn_t gfn);
int kvm_privmem_faultin(struct kvm_vcpu *vcpu, gfn_t gfn, bool is_private,
			bool write, bool exec);
int kvm_privmem_get_pfn(struct kvm *kvm, gfn_t gfn, kvm_pfn_t *pfn,
			struct page **page, int *max_order);
unsigned int kvm_privmem_fault_seq(struct kvm *kvm);
bool kvm_privmem_fault_raced(struct kvm *kvm, gfn_t gfn, unsigned int seq);
int kvm_privmem_map_gpa_range(struct kvm_vcpu *vcpu, u64 gpa, u64 npages,
			      u64 attrs, u64 *ret);
int kvm_privmem_guest_convert(struct kvm_vcpu *vcpu, u64 gpa, u64 size,
			      u32 attr, u32 gran, int *err);
bool kvm_privmem_owns_gfn(struct kvm *kvm, gfn_t gfn);
int kvm_privmem_private_page(struct kvm_vcpu *vcpu, gfn_t gfn, bool write,
			     bool exec, struct page **page, unsigned int *seq);
bool kvm_privmem_private_raced(struct kvm *kvm, unsigned int seq);
void kvm_privmem_release_page(struct kvm *kvm, struct page *page);
int kvm_privmem_guest_convert_entries(struct kvm_vcpu *vcpu,
				      const struct privmem_entry *entries,
				      unsigned int nr, unsigned int *done,
				      unsigned int *err_index);
int kvm_privmem_guest_convert_user(struct kvm_vcpu *vcpu,
				   const struct kvm_privmem_entry *uents,
				   u32 nr, u32 *done, s32 *failed);
int kvm_privmem_guest_done(struct kvm_vcpu *vcpu, u64 flags, u64 gpa,
			   u64 size, u32 nr, u32 done, int error);
void kvm_privmem_arch_zap(struct kvm *kvm, u64 gfn, u64 npages);

/**
 * typedef kvm_privmem_populate_fn - a pre-boot copy into a private page
 * @kvm: the VM.
 * @gfn: the frame.
 * @pfn: the host frame privmem backs it with.
 * @arch_priv: the hardware adapter's cookie (kvm_arch_privmem_arch_ops()).
 * @arg: the caller's cookie.
 *
 * Return: 0 or an errno, which kvm_privmem_populate() returns.
 */
typedef int (*kvm_privmem_populate_fn)(struct kvm *kvm, gfn_t gfn,
				       kvm_pfn_t pfn, void *arch_priv,
				       void *arg);
int kvm_privmem_populate(struct kvm *kvm, gfn_t gfn, kvm_privmem_populate_fn fn,
			 void *arg);

/* Called by KVM's stats readers. */
void kvm_privmem_refresh_stats(struct kvm *kvm);

/*
 * Provided by the architecture.
 *
 * kvm_arch_privmem_vm_type() maps a VM (or, for @kvm NULL, the best type
 * this host supports) to an &enum privmem_vm_type, or returns -EINVAL if
 * the VM type cannot use privmem.
 *
 * kvm_arch_privmem_zap() removes every stage-2 mapping of [@start, @end)
 * and bumps the MMU invalidation sequence, so that a fault that looked up
 * the old attribute retries.
 *
 * kvm_arch_privmem_gpa_bits() is the host's MAXPHYADDR: a shared alias
 * bit must be below it, and the arch refuses a guest CPUID whose
 * MAXPHYADDR is not above the VM's alias bit.  0 if the arch has no
 * shared alias.
 *
 * kvm_arch_privmem_arch_ops() (optional; the glue has a weak default
 * that returns NULL) returns the arch ops and their cookie for the
 * VM's span described by @info at KVM_PRIVMEM_BIND, NULL for the
 * software-protected VM's, which only zap KVM's stage 2, or an ERR_PTR()
 * whose errno BIND returns (the x86 vendor modules provide it through
 * &kvm_x86_ops.privmem_arch_ops).  kvm_arch_privmem_arch_free()
 * (optional, weak no-op default) frees a non-NULL cookie once the space
 * is destroyed, or when BIND fails after making it.
 */
int kvm_arch_privmem_vm_type(struct kvm *kvm);
void kvm_arch_privmem_zap(struct kvm *kvm, gfn_t start, gfn_t end);
int kvm_arch_privmem_gpa_bits(void);
const struct privmem_arch_ops *
kvm_arch_privmem_arch_ops(struct kvm *kvm,
			  const struct kvm_privmem_bind_info *info, void **priv);
void kvm_arch_privmem_arch_free(struct kvm *kvm, void *priv);

#else /* !CONFIG_KVM_PRIVMEM */

static inline void kvm_privmem_refresh_stats(struct kvm *kvm)
{
}

static inline int kvm_privmem_alias_bit(struct kvm *kvm)
{
	return 0;
}

static inline bool kvm_privmem_access_private(struct kvm *kvm, gfn_t gfn)
{
	return false;
}

static inline int kvm_privmem_faultin(struct kvm_vcpu *vcpu, gfn_t gfn,
				      bool is_private, bool write, bool exec)
{
	return 0;
}

static inline int kvm_privmem_get_pfn(struct kvm *kvm, gfn_t gfn,
				      kvm_pfn_t *pfn, struct page **page,
				      int *max_order)
{
	return -EOPNOTSUPP;
}

static inline unsigned int kvm_privmem_fault_seq(struct kvm *kvm)
{
	return 0;
}

static inline bool kvm_privmem_fault_raced(struct kvm *kvm, gfn_t gfn,
					   unsigned int seq)
{
	return false;
}

static inline void kvm_privmem_release_page(struct kvm *kvm,
					    struct page *page)
{
}

static inline int kvm_privmem_map_gpa_range(struct kvm_vcpu *vcpu, u64 gpa,
					    u64 npages, u64 attrs, u64 *ret)
{
	return 1;
}

#endif /* CONFIG_KVM_PRIVMEM */

#endif /* _LINUX_KVM_PRIVMEM_H */
