/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privmem adapter for Intel TDX: the Secure-EPT side of a conversion.
 * See arch/x86/kvm/privmem-tdx.c.
 */
#ifndef __KVM_X86_PRIVMEM_TDX_H
#define __KVM_X86_PRIVMEM_TDX_H

#include <linux/privmem.h>
#include <linux/types.h>

struct kvm;
struct page;
struct privmem_tdx;
struct tdx_td;

extern const struct privmem_arch_ops privmem_tdx_arch_ops;

struct privmem_tdx *privmem_tdx_create(struct kvm *kvm, struct tdx_td *td,
				       u16 hkid,
				       const struct privmem_backend_ops *backend,
				       void *backend_priv, u64 gfn, u64 npages);
void privmem_tdx_destroy(struct privmem_tdx *tdx);
u64 privmem_tdx_leaked(const struct privmem_tdx *tdx);

#if IS_ENABLED(CONFIG_KUNIT)
/* The hardware steps, one thin wrapper each, for the KUnit static stubs. */
u64 privmem_tdx_page_add(struct tdx_td *td, u64 gpa, u64 pfn,
			 struct page *source);
u64 privmem_tdx_page_aug(struct tdx_td *td, u64 gpa, u64 pfn);
u64 privmem_tdx_block(struct tdx_td *td, u64 gpa);
u64 privmem_tdx_track(struct tdx_td *td);
void privmem_tdx_kick(struct kvm *kvm);
u64 privmem_tdx_remove(struct tdx_td *td, u64 gpa);
u64 privmem_tdx_wbinvd(u16 hkid, u64 pfn);
void privmem_tdx_clear(u64 pfn);
void privmem_tdx_leak(u64 pfn);
#endif

#endif /* __KVM_X86_PRIVMEM_TDX_H */
