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
 *  - unbind: every page of the span that the RMP shows assigned is made
 *    shared again and flushed.
 *
 * A page that cannot be made shared again must never reach the host.  The
 * adapter keeps a reference on its folio for ever so that the backend's
 * truncation cannot free it.  It does not use snp_leak_pages(): that
 * chains the page through page->lru, which a shmem folio still uses on
 * the LRU, and mm/ offers modules no way to take a folio off the LRU.
 *
 * Every hardware step goes through a thin wrapper whose first statement is
 * KUNIT_STATIC_STUB_REDIRECT(), so the privmem_snp suite can record and
 * fail it (arch/x86/kvm/privmem-snp-test.c).
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <asm/cacheflush.h>
#include <asm/sev.h>

#include "privmem-snp.h"

/**
 * struct privmem_snp - the adapter's cookie for one space
 * @backend: the backend ops, for @backend.get_pfn and @backend.put_pfn.
 * @backend_priv: the backend's cookie.
 * @gfn: first frame of the span, walked by unbind.
 * @npages: frames in the span.
 * @asid: the VM's ASID, written into every private RMP entry.
 * @leaked: frames kept from the host because they stayed guest-owned.
 *	Protected by the space's conversion mutex, like every op.
 */
struct privmem_snp {
	const struct privmem_backend_ops *backend;
	void *backend_priv;
	u64 gfn;
	u64 npages;
	u32 asid;
	u64 leaked;
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

/* Keep guest-owned pages from the host: hold their folios for ever. */
VISIBLE_IF_KUNIT void privmem_snp_leak(u64 pfn, u64 npages)
{
	u64 end = pfn + npages;
	struct folio *folio;

	KUNIT_STATIC_STUB_REDIRECT(privmem_snp_leak, pfn, npages);
	pr_warn_ratelimited("privmem: SNP: leaking guest-owned PFNs 0x%llx-0x%llx\n",
			    pfn, end - 1);
	while (pfn < end) {
		folio = pfn_folio(pfn);
		folio_get(folio);
		pfn = folio_pfn(folio) + folio_nr_pages(folio);
	}
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

	ret = snp->backend->get_pfn(snp->backend_priv, gfn, &u->pfn, &gran);
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
	snp->backend->put_pfn(snp->backend_priv, u->pfn);
}

/* Give a guest-owned unit back to the host, or keep it from the host. */
static int privmem_snp_release(struct privmem_snp *snp,
			       const struct privmem_snp_unit *u)
{
	int ret;

	ret = privmem_snp_rmp_shared(u->pfn, u->level);
	if (ret) {
		privmem_snp_leak(u->pfn, u->npages);
		snp->leaked += u->npages;
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

	for (gfn = op->gfn; gfn < end; gfn += u.npages) {
		ret = privmem_snp_get(snp, gfn, op->gran, &u);
		if (ret)
			break;
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
	if (u.level == PG_LEVEL_2M) {
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
	u64 gfn = snp->gfn, end = snp->gfn + snp->npages;
	struct privmem_snp_unit u;
	bool assigned;
	int level;

	while (gfn < end) {
		if (privmem_snp_get(snp, gfn, PRIVMEM_GRAN_4K, &u)) {
			gfn++;		/* a hole: never private */
			continue;
		}
		if (!privmem_snp_rmp_lookup(u.pfn, &assigned, &level) &&
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

/*
 * The SEV-SNP arch ops.  The cookie is a &struct privmem_snp from privmem_snp_create().  See
 * "DOC: SEV-SNP adapter" for the hardware step behind each op.
 */
const struct privmem_arch_ops privmem_snp_arch_ops = {
	.set_private	= privmem_snp_set_private,
	.set_shared	= privmem_snp_set_shared,
	.split_2m	= privmem_snp_split_2m,
	.unbind		= privmem_snp_unbind,
};

/**
 * privmem_snp_create() - make the SEV-SNP adapter's cookie for a space
 * @asid: the SNP VM's ASID.
 * @backend: the space's backend ops; must have @get_pfn.
 * @backend_priv: the backend's cookie.
 * @gfn: first frame of the span the space will be bound to.
 * @npages: frames in the span.
 *
 * Pass the result with &privmem_snp_arch_ops to privmem_space_bind() (or
 * privmem_shmem_space_bind()), and free it with privmem_snp_destroy()
 * after the space is destroyed.
 *
 * Return: the cookie, ERR_PTR(-EINVAL) if @backend has no @get_pfn, @asid
 * is 0 or the span is empty, or ERR_PTR(-ENOMEM).
 */
struct privmem_snp *privmem_snp_create(u32 asid,
				       const struct privmem_backend_ops *backend,
				       void *backend_priv, u64 gfn, u64 npages)
{
	struct privmem_snp *snp;

	if (!backend || !backend->get_pfn || !backend->put_pfn || !asid ||
	    !npages)
		return ERR_PTR(-EINVAL);
	snp = kzalloc_obj(*snp, GFP_KERNEL_ACCOUNT);
	if (!snp)
		return ERR_PTR(-ENOMEM);
	snp->backend = backend;
	snp->backend_priv = backend_priv;
	snp->gfn = gfn;
	snp->npages = npages;
	snp->asid = asid;
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
	return snp->leaked;
}
