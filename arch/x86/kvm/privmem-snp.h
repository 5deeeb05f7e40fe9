/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privmem adapter for AMD SEV-SNP: the RMP side of a conversion.
 * See arch/x86/kvm/privmem-snp.c.
 */
#ifndef __KVM_X86_PRIVMEM_SNP_H
#define __KVM_X86_PRIVMEM_SNP_H

#include <linux/privmem.h>
#include <linux/types.h>
#include <asm/pgtable_types.h>

struct privmem_snp;

extern const struct privmem_arch_ops privmem_snp_arch_ops;

struct privmem_snp *privmem_snp_create(u32 asid,
				       const struct privmem_backend_ops *backend,
				       void *backend_priv, u64 gfn, u64 npages);
void privmem_snp_destroy(struct privmem_snp *snp);
u64 privmem_snp_leaked(const struct privmem_snp *snp);

#if IS_ENABLED(CONFIG_KUNIT)
/* The hardware steps, one thin wrapper each, for the KUnit static stubs. */
int privmem_snp_rmp_private(u64 pfn, u64 gpa, enum pg_level level, u32 asid);
int privmem_snp_rmp_shared(u64 pfn, enum pg_level level);
int privmem_snp_psmash(u64 pfn);
int privmem_snp_rmp_lookup(u64 pfn, bool *assigned, int *level);
void privmem_snp_flush(u64 pfn, u64 npages);
void privmem_snp_leak(u64 pfn, u64 npages);
#endif

#endif /* __KVM_X86_PRIVMEM_SNP_H */
