/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privmem for arm64 protected KVM: the adapter and the hooks the arm64
 * fault and hypercall paths call.  See arch/arm64/kvm/privmem-pkvm.c.
 */
#ifndef __ARM64_KVM_PRIVMEM_PKVM_H
#define __ARM64_KVM_PRIVMEM_PKVM_H

#include <linux/privmem.h>
#include <linux/types.h>

struct kvm;
struct kvm_vcpu;

extern const struct privmem_arch_ops privmem_pkvm_arch_ops;

#ifdef CONFIG_KVM_PRIVMEM
int privmem_pkvm_mem_abort(struct kvm_vcpu *vcpu, phys_addr_t ipa,
			   bool write, bool exec, void *mc);
int privmem_pkvm_hvc(struct kvm_vcpu *vcpu, bool share);
#else
static inline int privmem_pkvm_mem_abort(struct kvm_vcpu *vcpu,
					 phys_addr_t ipa, bool write,
					 bool exec, void *mc)
{
	return 1;
}
#endif

#if IS_ENABLED(CONFIG_KUNIT)
/* The EL2 side, one thin wrapper each, for the KUnit static stubs. */
bool privmem_pkvm_mapped(struct kvm *kvm, u64 gfn);
int privmem_pkvm_hyp_convert(u64 gfn, bool share);
#endif

#endif /* __ARM64_KVM_PRIVMEM_PKVM_H */
