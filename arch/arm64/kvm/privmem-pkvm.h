/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privmem adapter for arm64 protected KVM: the EL2 side of a conversion.
 * See arch/arm64/kvm/privmem-pkvm.c.
 */
#ifndef __ARM64_KVM_PRIVMEM_PKVM_H
#define __ARM64_KVM_PRIVMEM_PKVM_H

#include <linux/privmem.h>
#include <linux/types.h>

struct kvm;
struct privmem_pkvm;

extern const struct privmem_arch_ops privmem_pkvm_arch_ops;

struct privmem_pkvm *privmem_pkvm_create(struct kvm *kvm,
					 const struct privmem_backend_ops *backend,
					 void *backend_priv, u64 gfn, u64 npages);
void privmem_pkvm_destroy(struct privmem_pkvm *pk);

#if IS_ENABLED(CONFIG_KUNIT)
/* The hypercalls, one thin wrapper each, for the KUnit static stubs. */
int privmem_pkvm_donate(u64 pfn, u64 gfn);
int privmem_pkvm_reclaim(u16 handle, u64 gfn);
void privmem_pkvm_leak(u64 pfn);
#endif

#endif /* __ARM64_KVM_PRIVMEM_PKVM_H */
