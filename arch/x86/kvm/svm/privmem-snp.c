// SPDX-License-Identifier: GPL-2.0
/*
 * privmem adapter for AMD SEV-SNP: the RMP side of a conversion.
 */

/**
 * DOC: SEV-SNP adapter
 *
 * The adapter turns privmem's arch ops into RMP updates on the host pages
 * the backend hands out (&privmem_backend_ops.get_pfn):
 *
 *  - every op that changes a range first has KVM remove the range's
 *    nested page table entries (the zap callback of privmem_snp_create()),
 *    so that no vCPU holds a translation to a page whose RMP entry is
 *    about to change; memory_failure is that zap alone.
 *  - set_private: RMPUPDATE to guest-owned for the VM's ASID, at 2M when
 *    the op is 2M and the backend holds the block in one 2M aligned folio,
 *    else page by page at 4K (rmp_make_private()).
 *  - set_shared: RMPUPDATE to hypervisor-owned at the level the page was
 *    assigned with (rmp_make_shared()), then a cache flush of the page,
 *    as upstream does before a guest_memfd page goes back to the host.
 *  - split_2m: PSMASH of a block assigned at 2M (retried while another
 *    CPU holds the entry); a block the adapter assigned at 4K needs none.
 *  - merge_2m: not provided.  Linux 7.3 has no host primitive that turns
 *    512 validated 4K RMP entries back into one 2M entry: rebuilding it
 *    with RMPUPDATE clears the Validated bit, so only the guest can do it
 *    (PVALIDATE at 2M after a page-state change).  Without merge_2m the
 *    core never merges, which is correct for SNP.
 *  - prepare/finish: not provided.  In 7.3 rmpupdate() itself splits a
 *    large direct-map mapping around a 4K RMP entry, and guest_memfd keeps
 *    private pages in the direct map; there is nothing else to do.
 *  - unbind: the span is zapped, then every page of it that the RMP
 *    shows assigned is made shared again and flushed.
 *
 * KVM_SEV_SNP_LAUNCH_UPDATE goes through privmem_snp_launch_update(), see
 * "DOC: SEV-SNP pre-boot population".
 *
 * A page that cannot be made shared again must never reach the host.  The
 * adapter keeps it with privmem_adapter_keep() (see "DOC: adapter
 * helpers"): a reference on its folio that is never dropped, so that the
 * backend's truncation cannot free it.  It does not use snp_leak_pages():
 * that chains the page through page->lru, which a shmem folio still uses
 * on the LRU, and mm/ offers modules no way to take a folio off the LRU.
 * No later op touches a kept page's RMP entry again (an op that would
 * fails with -EHWPOISON, unbind passes it by), and privmem_snp_leaked()
 * counts it once.
 *
 * Every hardware step goes through a thin wrapper whose first statement is
 * KUNIT_STATIC_STUB_REDIRECT(), so the privmem_snp suite can record and
 * fail it (arch/x86/kvm/svm/privmem-snp-test.c).
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/privmem_adapter.h>
#include <linux/slab.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <asm/cacheflush.h>
#include <asm/sev.h>

#include "privmem-snp.h"

/**
 * struct privmem_snp - the adapter's cookie for one space
 * @ad: the span, its backend, and the frames kept from the host because
 *	they stayed guest-owned: no later op touches their RMP entries.
 * @asid: the VM's ASID, written into every private RMP entry.
 * @zap: removes the nested page table entries of a range, or NULL.
 * @zap_arg: @zap's first argument.
 */
struct privmem_snp {
	struct privmem_adapter ad;
	u32 asid;
	void (*zap)(void *arg, u64 gfn, u64 npages);
	void *zap_arg;
};

/* One RMP entry's worth of a range: a 2M block or a 4K page. */
struct privmem_snp_unit {
	u64 gfn;
	u64 pfn;
	u64 npages;
	enum pg_level level;
};

VISIBLE_IF_KUNIT int privmem_snp_rmp_private(u64 pfn, u64 gpa,
					     enum pg_level level, u32 asid)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_snp_rmp_private, pfn, gpa, level, asid);
	return rmp_make_private(pfn, gpa, level, asid, false);
}

VISIBLE_IF_KUNIT int privmem_snp_rmp_shared(u64 pfn, enum pg_level level)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_snp_rmp_shared, pfn, level);
	return rmp_make_shared(pfn, level);
}

/* A 4K page handed to the firmware: assigned to the VM and immutable. */
VISIBLE_IF_KUNIT int privmem_snp_rmp_preguest(u64 pfn, u64 gpa, u32 asid)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_snp_rmp_preguest, pfn, gpa, asid);
	return rmp_make_private(pfn, gpa, PG_LEVEL_4K, asid, true);
}

/* The host writes a hypervisor-owned page: the VMM's pre-boot data. */
VISIBLE_IF_KUNIT void privmem_snp_copy(u64 pfn, struct page *src)
{
	void *from, *to;

	KUNIT_STATIC_STUB_REDIRECT(privmem_snp_copy, pfn, src);
	from = kmap_local_page(src);
	to = kmap_local_pfn(pfn);
	memcpy(to, from, PAGE_SIZE);
	kunmap_local(to);
	kunmap_local(from);
}

/* Returns 0, a positive PSMASH failure code, or a negative errno. */
VISIBLE_IF_KUNIT int privmem_snp_psmash(u64 pfn)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_snp_psmash, pfn);
	return psmash(pfn);
}

VISIBLE_IF_KUNIT int privmem_snp_rmp_lookup(u64 pfn, bool *assigned, int *level)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_snp_rmp_lookup, pfn, assigned, level);
	return snp_lookup_rmpentry(pfn, assigned, level);
}

VISIBLE_IF_KUNIT void privmem_snp_flush(u64 pfn, u64 npages)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_snp_flush, pfn, npages);
	clflush_cache_range(pfn_to_kaddr(pfn), npages << PAGE_SHIFT);
}

static void privmem_snp_zap(struct privmem_snp *snp, u64 gfn, u64 npages)
{
	if (snp->zap)
		snp->zap(snp->zap_arg, gfn, npages);
}

/*
 * Find the host page of @gfn: a 2M unit when @want is 2M and the backend
 * holds the whole block in one aligned folio, else a 4K unit.  The caller
 * drops the reference with privmem_snp_put().
 */
static int privmem_snp_get(struct privmem_snp *snp, u64 gfn,
			   enum privmem_gran want, struct privmem_snp_unit *u)
{
	enum privmem_gran gran;
	int ret;

	ret = privmem_adapter_get_pfn(&snp->ad, gfn, &u->pfn, &gran);
	if (ret)
		return ret;
	u->gfn = gfn;
	if (want == PRIVMEM_GRAN_2M && gran == PRIVMEM_GRAN_2M &&
	    IS_ALIGNED(gfn, PRIVMEM_PAGES_2M) &&
	    IS_ALIGNED(u->pfn, PRIVMEM_PAGES_2M)) {
		u->level = PG_LEVEL_2M;
		u->npages = PRIVMEM_PAGES_2M;
	} else {
		u->level = PG_LEVEL_4K;
		u->npages = 1;
	}
	return 0;
}

static void privmem_snp_put(struct privmem_snp *snp,
			    const struct privmem_snp_unit *u)
{
	privmem_adapter_put_pfn(&snp->ad, u->pfn);
}

/* Give a guest-owned unit back to the host, or keep it from the host. */
static int privmem_snp_release(struct privmem_snp *snp,
			       const struct privmem_snp_unit *u)
{
	int ret;

	if (privmem_adapter_kept(&snp->ad, u->pfn, u->npages))
		return -EHWPOISON;
	ret = privmem_snp_rmp_shared(u->pfn, u->level);
	if (ret) {
		privmem_adapter_keep(&snp->ad, u->pfn, u->npages);
		return ret;
	}
	privmem_snp_flush(u->pfn, u->npages);
	return 0;
}

/*
 * Undo a partial conversion to @from: make [@gfn, @end) shared again
 * after set_private, give it back to the guest after set_shared.
 */
static void privmem_snp_unwind(struct privmem_snp *snp, u64 gfn, u64 end,
			       enum privmem_gran gran, enum privmem_attr from)
{
	struct privmem_snp_unit u;
	int ret;

	while (gfn < end) {
		if (WARN_ON_ONCE(privmem_snp_get(snp, gfn, gran, &u)))
			return;
		if (from == PRIVMEM_PRIVATE) {
			privmem_snp_release(snp, &u);
		} else {
			/*
			 * Failing leaves the unit shared: the host then sees
			 * only the guest's ciphertext, never its plaintext.
			 */
			ret = privmem_snp_rmp_private(u.pfn, PFN_PHYS(gfn),
						      u.level, snp->asid);
			WARN_ONCE(ret, "privmem: SNP: cannot reassign gfn %llx: %d\n",
				  gfn, ret);
		}
		privmem_snp_put(snp, &u);
		gfn += u.npages;
	}
}

/* Assign one unit at @gfn to the guest, or give it to the host and flush it. */
static int privmem_snp_set_unit(struct privmem_snp *snp, u64 gfn,
				const struct privmem_snp_unit *u,
				enum privmem_attr to)
{
	int ret;

	if (to == PRIVMEM_PRIVATE)
		return privmem_snp_rmp_private(u->pfn, PFN_PHYS(gfn), u->level,
					       snp->asid);
	ret = privmem_snp_rmp_shared(u->pfn, u->level);
	if (!ret)
		privmem_snp_flush(u->pfn, u->npages);
	return ret;
}

/*
 * Convert the units of @op to @to one by one; if one fails, undo the
 * units done so far.
 */
static int privmem_snp_set(struct privmem_snp *snp, const struct privmem_op *op,
			   enum privmem_attr to)
{
	u64 gfn, end = op->gfn + op->npages;
	struct privmem_snp_unit u;
	int ret = 0;

	privmem_snp_zap(snp, op->gfn, op->npages);
	for (gfn = op->gfn; gfn < end; gfn += u.npages) {
		ret = privmem_snp_get(snp, gfn, op->gran, &u);
		if (ret)
			break;
		if (privmem_adapter_kept(&snp->ad, u.pfn, u.npages))
			ret = -EHWPOISON;
		else
			ret = privmem_snp_set_unit(snp, gfn, &u, to);
		privmem_snp_put(snp, &u);
		if (ret)
			break;
	}
	if (ret)
		privmem_snp_unwind(snp, op->gfn, gfn, op->gran, to);
	return ret;
}

static int privmem_snp_set_private(void *priv, const struct privmem_op *op)
{
	return privmem_snp_set(priv, op, PRIVMEM_PRIVATE);
}

static int privmem_snp_set_shared(void *priv, const struct privmem_op *op)
{
	return privmem_snp_set(priv, op, PRIVMEM_SHARED);
}

static int privmem_snp_split_2m(void *priv, u64 gfn)
{
	struct privmem_snp *snp = priv;
	struct privmem_snp_unit u;
	int ret;

	ret = privmem_snp_get(snp, gfn, PRIVMEM_GRAN_2M, &u);
	if (ret)
		return ret;
	/* A block without a 2M folio was assigned page by page. */
	if (u.level == PG_LEVEL_2M &&
	    privmem_adapter_kept(&snp->ad, u.pfn, u.npages)) {
		ret = -EHWPOISON;
	} else if (u.level == PG_LEVEL_2M) {
		privmem_snp_zap(snp, gfn, PRIVMEM_PAGES_2M);
		do {
			ret = privmem_snp_psmash(u.pfn);
		} while (ret == PSMASH_FAIL_INUSE);
		if (ret > 0)
			ret = -EIO;
	}
	privmem_snp_put(snp, &u);
	return ret;
}

/* Return every assigned page of the span to the host, 2M entries whole. */
static void privmem_snp_unbind(void *priv)
{
	struct privmem_snp *snp = priv;
	u64 gfn = snp->ad.gfn, end = gfn + snp->ad.npages;
	struct privmem_snp_unit u;
	bool assigned;
	int level;

	privmem_snp_zap(snp, snp->ad.gfn, snp->ad.npages);
	while (gfn < end) {
		if (privmem_snp_get(snp, gfn, PRIVMEM_GRAN_4K, &u)) {
			gfn++;		/* a hole: never private */
			continue;
		}
		if (privmem_adapter_kept(&snp->ad, u.pfn, 1)) {
			/* never touched again: the unit is one 4K page */
		} else if (!privmem_snp_rmp_lookup(u.pfn, &assigned, &level) &&
			   assigned) {
			if (level == PG_LEVEL_2M && IS_ALIGNED(gfn, PRIVMEM_PAGES_2M) &&
			    IS_ALIGNED(u.pfn, PRIVMEM_PAGES_2M) &&
			    end - gfn >= PRIVMEM_PAGES_2M) {
				u.level = PG_LEVEL_2M;
				u.npages = PRIVMEM_PAGES_2M;
			} else if (level == PG_LEVEL_2M) {
				/* Only part of the 2M entry is ours. */
				privmem_snp_psmash(ALIGN_DOWN(u.pfn, PRIVMEM_PAGES_2M));
			}
			privmem_snp_release(snp, &u);
		}
		privmem_snp_put(snp, &u);
		gfn += u.npages;
		cond_resched();
	}
}

/* Poisoned pages: only their nested page table entries go. */
static void privmem_snp_memory_failure(void *priv, u64 gfn, u64 npages)
{
	privmem_snp_zap(priv, gfn, npages);
}

/*
 * The SEV-SNP arch ops.  The cookie is a &struct privmem_snp from privmem_snp_create().  See
 * "DOC: SEV-SNP adapter" for the hardware step behind each op.
 */
const struct privmem_arch_ops privmem_snp_arch_ops = {
	.set_private	= privmem_snp_set_private,
	.set_shared	= privmem_snp_set_shared,
	.split_2m	= privmem_snp_split_2m,
	.memory_failure	= privmem_snp_memory_failure,
	.unbind		= privmem_snp_unbind,
};

/**
 * DOC: SEV-SNP page state changes
 *
 * A guest's page state change request (GHCB v2 VMGEXIT_PSC) is carried
 * out whole by one privmem_convert() call, in the kernel: there is no
 * KVM_HC_MAP_GPA_RANGE exit to the VMM.  privmem_snp_psc() reads the
 * request once from the shared GHCB, turns entries [cur_entry, end_entry]
 * into privmem entries and writes the progress back: cur_entry is the
 * first entry not done, and every done entry gets cur_page set to its
 * size (1 or 512).
 *
 *  - PRIVATE and SHARED entries convert gfn + cur_page onwards; a 2M
 *    entry that is partly done (cur_page not 0) continues at 4K, as
 *    upstream KVM does.  An entry already done (cur_page equal to its
 *    size) is skipped.
 *  - PSMASH and UNSMASH entries change nothing and are reported done, as
 *    in upstream KVM: privmem splits a 2M private block itself when a
 *    later entry converts part of it (PSMASH through the split_2m op),
 *    and the adapter has no merge_2m op, so an UNSMASH could not be
 *    honoured; a 2M RMP entry is only made for a 2M folio.
 *
 * The value for SW_EXITINFO2 is:
 *
 *  - 0 when every entry is done (cur_entry is then end_entry + 1);
 *  - VMGEXIT_PSC_ERROR_INVALID_HDR, with nothing done, when end_entry is
 *    not below the number of entries the buffer holds;
 *  - VMGEXIT_PSC_ERROR_INVALID_ENTRY when an entry has an unknown
 *    operation, a cur_page above its size or a 2M gfn not 2M aligned
 *    (the entries before it are carried out first, and cur_entry stops
 *    at it); or when privmem refuses the request as malformed (-EINVAL:
 *    an entry outside the bound span or overlapping an earlier one),
 *    which changes nothing;
 *  - VMGEXIT_PSC_ERROR_GENERIC when privmem fails an entry for any other
 *    reason (the policy refuses it, the hardware step fails, the space
 *    is dead, no memory): entries before it are done, it and those after
 *    it are not, and cur_entry is its index.
 *
 * privmem_snp_psc_msr() is the single 4K page of the GHCB MSR protocol.
 */

/* One request's copy of the guest's entries and what privmem is given. */
struct privmem_snp_psc_scratch {
	struct psc_entry pe[PRIVMEM_MAX_ENTRIES];
	struct privmem_entry ents[PRIVMEM_MAX_ENTRIES];
	u16 idx[PRIVMEM_MAX_ENTRIES];	/* PSC index of each of @ents */
};

/* Map a privmem_convert() errno to the PSC's SW_EXITINFO2 value. */
static u64 privmem_snp_psc_ret(int ret)
{
	if (!ret)
		return 0;
	return ret == -EINVAL ? VMGEXIT_PSC_ERROR_INVALID_ENTRY :
				VMGEXIT_PSC_ERROR_GENERIC;
}

/*
 * Turn one PSC entry into at most one privmem entry.  Return 1 if @e is
 * filled, 0 if the entry has nothing to do, -EINVAL if it is invalid.
 */
static int privmem_snp_psc_entry(struct psc_entry pe, struct privmem_entry *e)
{
	u64 size = pe.pagesize ? PRIVMEM_PAGES_2M : 1, gfn = pe.gfn;

	if (pe.cur_page > size || !IS_ALIGNED(gfn, size))
		return -EINVAL;
	switch (pe.operation) {
	case VMGEXIT_PSC_OP_PRIVATE:
	case VMGEXIT_PSC_OP_SHARED:
		break;
	case PRIVMEM_SNP_PSC_OP_PSMASH:
	case PRIVMEM_SNP_PSC_OP_UNSMASH:
		return 0;
	default:
		return -EINVAL;
	}
	if (pe.cur_page == size)
		return 0;
	memset(e, 0, sizeof(*e));
	e->gfn = gfn + pe.cur_page;
	e->npages = size - pe.cur_page;
	e->attr = pe.operation == VMGEXIT_PSC_OP_PRIVATE ? PRIVMEM_PRIVATE :
							   PRIVMEM_SHARED;
	e->gran = pe.pagesize && !pe.cur_page ? PRIVMEM_GRAN_2M :
						PRIVMEM_GRAN_4K;
	return 1;
}

/**
 * privmem_snp_psc() - carry out a GHCB page state change request
 * @psc: the request, in the guest's shared GHCB.  The guest may change it
 *	at any time: the header and every entry are read once.
 * @max: how many entries the buffer holds; above %PRIVMEM_MAX_ENTRIES the
 *	request fails with VMGEXIT_PSC_ERROR_GENERIC (and *@err -EINVAL)
 *	before anything is read.
 * @convert: privmem_convert() on the VM's space, for a guest request.
 * @arg: @convert's first argument.
 * @asked_entries: returns how many entries the header asked for
 *	(cur_entry to end_entry, as read once; 0 if none), for the VMM's
 *	KVM_EXIT_PRIVMEM.
 * @done_entries: returns how many entries were done, from the first one
 *	the guest asked for.
 * @err: returns 0, the errno of @convert, or -EINVAL for an invalid
 *	header or entry.
 *
 * See "DOC: SEV-SNP page state changes".
 *
 * Context: Process context; may sleep.
 * Return: the value for SW_EXITINFO2.
 */
u64 privmem_snp_psc(struct privmem_snp_psc *psc, unsigned int max,
		    privmem_snp_convert_fn convert, void *arg,
		    unsigned int *asked_entries, unsigned int *done_entries,
		    int *err)
{
	struct privmem_snp_psc_scratch *sc;
	unsigned int cur, end, i, nr = 0, stop, done = 0, bad;
	u64 status = 0;
	int ret;

	*asked_entries = 0;
	*done_entries = 0;
	*err = -EINVAL;
	/* KVM's caller already warned about such a GHCB. */
	if (max > PRIVMEM_MAX_ENTRIES)
		return VMGEXIT_PSC_ERROR_GENERIC;
	cur = READ_ONCE(psc->hdr.cur_entry);
	end = READ_ONCE(psc->hdr.end_entry);
	*asked_entries = end >= cur ? end - cur + 1 : 0;
	if (end >= max)
		return VMGEXIT_PSC_ERROR_INVALID_HDR;
	*err = 0;
	if (cur > end)
		return 0;

	sc = kmalloc_obj(*sc, GFP_KERNEL_ACCOUNT);
	if (!sc) {
		*err = -ENOMEM;
		return VMGEXIT_PSC_ERROR_GENERIC;
	}
	/* Validate up to the first bad entry; @stop ends the good ones. */
	for (stop = cur; stop <= end; stop++) {
		sc->pe[stop] = READ_ONCE(psc->entries[stop]);
		ret = privmem_snp_psc_entry(sc->pe[stop], &sc->ents[nr]);
		if (ret < 0) {
			status = VMGEXIT_PSC_ERROR_INVALID_ENTRY;
			*err = -EINVAL;
			break;
		}
		if (ret)
			sc->idx[nr++] = stop;
	}

	ret = nr ? convert(arg, sc->ents, nr, &done, &bad) : 0;
	if (ret) {
		/* Every entry before the first one privmem did not do is done. */
		stop = WARN_ON_ONCE(done >= nr) ? cur : sc->idx[done];
		status = privmem_snp_psc_ret(ret);
		*err = ret;
	}
	for (i = cur; i < stop; i++)
		psc->entries[i].cur_page = sc->pe[i].pagesize ?
					   PRIVMEM_PAGES_2M : 1;
	psc->hdr.cur_entry = stop;
	*done_entries = stop - cur;
	kfree(sc);
	return status;
}

/**
 * privmem_snp_psc_msr() - a GHCB MSR protocol page state change
 * @gfn: the guest frame.
 * @op: %SNP_PAGE_STATE_PRIVATE or %SNP_PAGE_STATE_SHARED.
 * @convert: privmem_convert() on the VM's space, for a guest request.
 * @arg: @convert's first argument.
 *
 * Context: Process context; may sleep.
 * Return: 0, -EINVAL for another @op, or the errno of @convert.
 */
int privmem_snp_psc_msr(u64 gfn, unsigned int op,
			privmem_snp_convert_fn convert, void *arg)
{
	struct privmem_entry e = {
		.gfn = gfn,
		.npages = 1,
		.gran = PRIVMEM_GRAN_4K,
	};
	unsigned int done, bad;

	if (op == SNP_PAGE_STATE_PRIVATE)
		e.attr = PRIVMEM_PRIVATE;
	else if (op == SNP_PAGE_STATE_SHARED)
		e.attr = PRIVMEM_SHARED;
	else
		return -EINVAL;
	return convert(arg, &e, 1, &done, &bad);
}

/**
 * DOC: SEV-SNP pre-boot population
 *
 * KVM_SEV_SNP_LAUNCH_UPDATE on a privmem VM encrypts and measures the
 * VMM's pre-boot data in place, in the pages privmem has private: there is
 * no second copy of the data and no guest_memfd.  privmem made the page
 * guest-owned when it became private (an RMP entry assigned to the VM's
 * ASID, not validated), while the firmware wants a page the host filled
 * and then made immutable.  For each 4K page privmem_snp_launch_update()
 * therefore:
 *
 *  1. has KVM zap the frame and looks the page up in the RMP: a page
 *     assigned at 2M is refused with -EINVAL and nothing changes (convert
 *     pre-boot ranges at 4K);
 *  2. makes the page hypervisor-owned (RMPUPDATE) and flushes it, so the
 *     host can write it; if the RMP refuses, nothing has changed;
 *  3. copies the VMM's page into it, if there is one: there is none for
 *     KVM_SEV_SNP_PAGE_TYPE_ZERO, nor when the VMM has the data already
 *     in the page (written while it was shared, kept by the conversion
 *     to private) and asks for it to be encrypted in place;
 *  4. makes it assigned and immutable (RMPUPDATE, 4K) and has the
 *     firmware run SNP_LAUNCH_UPDATE on it, which leaves it guest-owned
 *     and validated.
 *
 * If step 4's RMPUPDATE fails, or the firmware fails the page, the page is
 * given back to the guest as privmem has it, not validated: after a
 * firmware failure it is first reclaimed (SNP_PAGE_RECLAIM), made
 * hypervisor-owned and flushed, and the caller may read it (the firmware
 * writes its answer into a CPUID page it refuses).  A page the firmware
 * will not reclaim, or the RMP will not give back, stays immutable or
 * guest-owned and is kept from the host for ever, as in unbind.  The page
 * never holds anything of the guest's own at this point: it is the VMM's
 * data, or the zeroes the backend scrubbed it to.  Step 2 changes no
 * byte of the page (RMPUPDATE and the flush write nothing back that the
 * host did not write), so in-place data survives it.
 *
 * Populating a page again redoes the four steps with the new contents;
 * whether the firmware accepts a second SNP_LAUNCH_UPDATE of the page is
 * the firmware's rule.
 */

/**
 * privmem_snp_launch_update() - SNP_LAUNCH_UPDATE of one private page
 * @snp: the VM's adapter cookie.
 * @gfn: the frame, private in privmem, inside the span.
 * @pfn: the host page privmem backs @gfn with.
 * @src: the VMM's page to copy in, or NULL for none.
 * @ops: the firmware commands.
 * @arg: their first argument.
 *
 * See "DOC: SEV-SNP pre-boot population".  Called with the space's
 * conversion mutex held (kvm_privmem_populate()), so no conversion changes
 * @gfn meanwhile.
 *
 * Context: Process context; may sleep.
 * Return: 0; -EINVAL if @gfn is outside the span or its RMP entry is 2M;
 * -EHWPOISON if the adapter kept the page from the host; the errno of a
 * failed RMP step; or the errno of @ops->update.
 */
int privmem_snp_launch_update(struct privmem_snp *snp, u64 gfn, u64 pfn,
			      struct page *src,
			      const struct privmem_snp_launch_ops *ops, void *arg)
{
	bool assigned;
	int level, ret;

	if (!privmem_adapter_in_span(&snp->ad, gfn))
		return -EINVAL;
	if (privmem_adapter_kept(&snp->ad, pfn, 1))
		return -EHWPOISON;
	privmem_snp_zap(snp, gfn, 1);
	ret = privmem_snp_rmp_lookup(pfn, &assigned, &level);
	if (ret)
		return ret;
	if (assigned && level != PG_LEVEL_4K)
		return -EINVAL;
	if (assigned) {
		ret = privmem_snp_rmp_shared(pfn, PG_LEVEL_4K);
		if (ret)
			return ret;
	}
	privmem_snp_flush(pfn, 1);
	if (src)
		privmem_snp_copy(pfn, src);

	ret = privmem_snp_rmp_preguest(pfn, PFN_PHYS(gfn), snp->asid);
	if (ret)
		goto give_back;
	ret = ops->update(arg, gfn, pfn);
	if (!ret)
		return 0;
	/* Immutable until the firmware lets it go; then hypervisor-owned. */
	if (ops->reclaim(arg, pfn) || privmem_snp_rmp_shared(pfn, PG_LEVEL_4K)) {
		privmem_adapter_keep(&snp->ad, pfn, 1);
		return ret;
	}
	privmem_snp_flush(pfn, 1);
	if (ops->failed)
		ops->failed(arg, pfn);
give_back:
	/*
	 * Failing leaves a page the guest cannot validate and that holds
	 * only the VMM's data.
	 */
	WARN_ONCE(privmem_snp_rmp_private(pfn, PFN_PHYS(gfn), PG_LEVEL_4K,
					  snp->asid),
		  "privmem: SNP: cannot reassign gfn %llx\n", gfn);
	return ret;
}

/**
 * privmem_snp_create() - make the SEV-SNP adapter's cookie for a space
 * @asid: the SNP VM's ASID.
 * @backend: the space's backend ops; must have @get_pfn and @put_pfn.
 * @backend_priv: the backend's cookie.
 * @gfn: first frame of the span the space will be bound to.
 * @npages: frames in the span.
 * @zap: (optional) removes the nested page table entries of a range of
 *	frames; called before every RMP change of the range, for
 *	memory_failure and at unbind, with the space's mutex held (except
 *	for memory_failure) and may sleep.
 * @zap_arg: @zap's first argument.
 *
 * Pass the result with &privmem_snp_arch_ops to privmem_space_bind() (or
 * privmem_shmem_space_bind()), and free it with privmem_snp_destroy()
 * after the space is destroyed.
 *
 * Return: the cookie, ERR_PTR(-EINVAL) if @asid is 0 or
 * privmem_adapter_init() refuses the backend or the span, or
 * ERR_PTR(-ENOMEM).
 */
struct privmem_snp *privmem_snp_create(u32 asid,
				       const struct privmem_backend_ops *backend,
				       void *backend_priv, u64 gfn, u64 npages,
				       void (*zap)(void *arg, u64 gfn, u64 npages),
				       void *zap_arg)
{
	struct privmem_snp *snp;
	int ret;

	if (!asid)
		return ERR_PTR(-EINVAL);
	snp = kzalloc_obj(*snp, GFP_KERNEL_ACCOUNT);
	if (!snp)
		return ERR_PTR(-ENOMEM);
	ret = privmem_adapter_init(&snp->ad, backend, backend_priv, gfn, npages);
	if (ret) {
		kfree(snp);
		return ERR_PTR(ret);
	}
	snp->asid = asid;
	snp->zap = zap;
	snp->zap_arg = zap_arg;
	return snp;
}

/**
 * privmem_snp_destroy() - free a cookie from privmem_snp_create()
 * @snp: the cookie, or NULL.
 *
 * The space it served must be destroyed (or never bound).
 */
void privmem_snp_destroy(struct privmem_snp *snp)
{
	if (!snp)
		return;
	privmem_adapter_destroy(&snp->ad);
	kfree(snp);
}

/**
 * privmem_snp_leaked() - frames the adapter kept from the host
 * @snp: the cookie.
 *
 * Return: how many frames stayed guest-owned because the RMP refused to
 * give them back; they are never freed.
 */
u64 privmem_snp_leaked(const struct privmem_snp *snp)
{
	return snp->ad.nr_kept;
}
