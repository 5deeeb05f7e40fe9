/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privmem adapter for AMD SEV-SNP: the RMP side of a conversion.
 * See arch/x86/kvm/svm/privmem-snp.c.
 */
#ifndef __KVM_X86_PRIVMEM_SNP_H
#define __KVM_X86_PRIVMEM_SNP_H

#include <linux/privmem.h>
#include <linux/types.h>
#include <asm/pgtable_types.h>
#include <asm/sev-common.h>

struct page;
struct privmem_snp;

extern const struct privmem_arch_ops privmem_snp_arch_ops;

struct privmem_snp *privmem_snp_create(u32 asid,
				       const struct privmem_backend_ops *backend,
				       void *backend_priv, u64 gfn, u64 npages,
				       void (*zap)(void *arg, u64 gfn, u64 npages),
				       void *zap_arg);
void privmem_snp_destroy(struct privmem_snp *snp);
u64 privmem_snp_leaked(const struct privmem_snp *snp);

/* GHCB page state change operations that upstream's headers do not name. */
#define PRIVMEM_SNP_PSC_OP_PSMASH	3
#define PRIVMEM_SNP_PSC_OP_UNSMASH	4

/**
 * struct privmem_snp_psc - a GHCB page state change request
 * @hdr: cur_entry and end_entry.
 * @entries: the entries, as many as the GHCB's shared buffer holds.
 */
struct privmem_snp_psc {
	struct psc_hdr hdr;
	struct psc_entry entries[];
} __packed;

/**
 * typedef privmem_snp_convert_fn - how the PSC handlers reach privmem
 * @arg: the caller's cookie (the vCPU).
 * @entries: the entries, as for privmem_convert().
 * @nr: how many.
 * @done: returns how many are done.
 * @err_index: returns the index of the entry that stopped the request.
 *
 * Return: as privmem_convert() for a guest's explicit request.
 */
typedef int (*privmem_snp_convert_fn)(void *arg,
				      const struct privmem_entry *entries,
				      unsigned int nr, unsigned int *done,
				      unsigned int *err_index);

u64 privmem_snp_psc(struct privmem_snp_psc *psc, unsigned int max,
		    privmem_snp_convert_fn convert, void *arg,
		    unsigned int *asked_entries, unsigned int *done_entries,
		    int *err);
int privmem_snp_psc_msr(u64 gfn, unsigned int op,
			privmem_snp_convert_fn convert, void *arg);

/**
 * struct privmem_snp_launch_ops - the firmware side of a pre-boot page
 * @update: SNP_LAUNCH_UPDATE of the 4K page @pfn that backs @gfn; the page
 *	is assigned to the VM and immutable when it is called.  Returns 0
 *	or an errno.
 * @reclaim: SNP_PAGE_RECLAIM of @pfn after @update failed.  Returns 0 or
 *	an errno; after an errno the page is kept from the host for ever.
 * @failed: (optional) called after @update failed, once the page is
 *	hypervisor-owned again and before it goes back to the guest: it may
 *	read the page (the firmware's answer to a refused CPUID page).
 *
 * All three run with the space's conversion mutex held and may sleep.
 */
struct privmem_snp_launch_ops {
	int (*update)(void *arg, u64 gfn, u64 pfn);
	int (*reclaim)(void *arg, u64 pfn);
	void (*failed)(void *arg, u64 pfn);
};

int privmem_snp_launch_update(struct privmem_snp *snp, u64 gfn, u64 pfn,
			      struct page *src,
			      const struct privmem_snp_launch_ops *ops, void *arg);

#if IS_ENABLED(CONFIG_KUNIT)
/* The hardware steps, one thin wrapper each, for the KUnit static stubs. */
int privmem_snp_rmp_private(u64 pfn, u64 gpa, enum pg_level level, u32 asid);
int privmem_snp_rmp_shared(u64 pfn, enum pg_level level);
int privmem_snp_rmp_preguest(u64 pfn, u64 gpa, u32 asid);
void privmem_snp_copy(u64 pfn, struct page *src);
int privmem_snp_psmash(u64 pfn);
int privmem_snp_rmp_lookup(u64 pfn, bool *assigned, int *level);
void privmem_snp_flush(u64 pfn, u64 npages);
#endif

#endif /* __KVM_X86_PRIVMEM_SNP_H */
