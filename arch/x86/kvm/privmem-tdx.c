// SPDX-License-Identifier: GPL-2.0
/*
 * privmem adapter for Intel TDX: the Secure-EPT side of a conversion.
 */

/**
 * DOC: TDX adapter
 *
 * The adapter turns privmem's arch ops into SEAMCALLs on the host pages
 * the backend hands out (&privmem_backend_ops.get_pfn), one 4K page at a
 * time:
 *
 *  - set_private: before launch (@op->prelaunch) TDH.MEM.PAGE.ADD, which
 *    copies a source page into the TD page and measures it: the adapter
 *    first copies the page's pre-boot contents into its own bounce page,
 *    so the data stays in place from the guest's point of view.  After
 *    launch TDH.MEM.PAGE.AUG, which the guest accepts.
 *  - set_shared: TDH.MEM.RANGE.BLOCK of every page, one TDH.MEM.TRACK and
 *    a kick of every vCPU out of guest mode (TLB epoch), then per page
 *    TDH.MEM.PAGE.REMOVE, TDH.PHYMEM.PAGE.WBINVD with the TD's HKID and a
 *    reset of the page (tdx_quirk_reset_paddr()), as KVM does when it
 *    zaps a private SPTE.  Before launch no vCPU ran, so no TRACK.
 *  - split_2m / merge_2m: not provided.  Linux 7.3 has no
 *    TDH.MEM.PAGE.DEMOTE / PROMOTE wrapper and KVM maps TDX private
 *    memory at 4K only, so the core never maps a TDX range at 2M.
 *  - prepare / finish: not needed; the SEAMCALL wrappers flush the page
 *    before the TDX module takes it.
 *  - unbind: every page the adapter put into the TD is removed as above.
 *
 * The adapter keeps a bitmap of the pages it put into the TD, one bit per
 * frame of the span: there is no query SEAMCALL a host may use on a live
 * TD, and unbind must find them.  7.3 has no TDH.MEM.RANGE.UNBLOCK
 * wrapper either, so a failure after BLOCK cannot be rolled back: a page
 * that fails BLOCK, REMOVE or WBINVD stays in the TD and is leaked (its
 * folio is held for ever), the other pages are still removed, and the op
 * returns -EIO.  Like KVM's TDX_BUG_ON(), the caller should treat -EIO as
 * fatal for the TD.  Removed pages are reset, so no private data reaches
 * the host whatever the outcome.
 *
 * The pages must lie under Secure-EPT tables the TD already has
 * (TDH.MEM.SEPT.ADD, done by KVM's mirror MMU); otherwise ADD and AUG fail
 * with an EPT-walk error, which the adapter reports as -EIO.
 *
 * KVM's TDX VMs do not use these ops yet, and KVM_CAP_PRIVMEM is refused
 * on them.  In 7.3 KVM's mirror MMU is the one owner of the Secure-EPT
 * leaves: it AUGs a page when the guest faults on it and BLOCKs, TRACKs
 * and REMOVEs it when KVM zaps the private mapping, and its mirror SPTEs
 * must always match the Secure-EPT.  An adapter that did the same at
 * conversion time would AUG a page the mirror MMU AUGs again at the
 * guest's fault.  Wiring TDX VMs means choosing one owner: either the
 * mirror MMU (the adapter then only zaps, and pre-boot population goes
 * through KVM_TDX_INIT_MEM_REGION from privmem's pages), or this adapter
 * (the mirror MMU then maps pages already in the TD without a SEAMCALL).
 */
#include <linux/highmem.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>

#include "privmem-tdx.h"

/**
 * struct privmem_tdx - the adapter's cookie for one space
 * @backend: the backend ops, for @backend.get_pfn and @backend.put_pfn.
 * @backend_priv: the backend's cookie.
 * @kvm: the VM, whose vCPUs are kicked after TDH.MEM.TRACK.
 * @td: the TD's TDX module structures.
 * @hkid: the TD's private HKID, for the cache write-back.
 * @gfn: first frame of the span.
 * @npages: frames in the span.
 * @bounce: source page of TDH.MEM.PAGE.ADD.
 * @in_td: one bit per frame of the span: the page is in the TD.
 * @launched: an op after launch was seen: vCPUs may be running.
 * @leaked: frames kept from the host because they stayed in the TD.
 *
 * Every field an op writes is protected by the space's conversion mutex.
 */
struct privmem_tdx {
	const struct privmem_backend_ops *backend;
	void *backend_priv;
	struct kvm *kvm;
	struct tdx_td *td;
	u16 hkid;
	u64 gfn;
	u64 npages;
	struct page *bounce;
	unsigned long *in_td;
	bool launched;
	u64 leaked;
};

VISIBLE_IF_KUNIT u64 privmem_tdx_page_add(struct tdx_td *td, u64 gpa, u64 pfn,
					  struct page *source)
{
	u64 e1, e2;

	KUNIT_STATIC_STUB_REDIRECT(privmem_tdx_page_add, td, gpa, pfn, source);
	return tdh_mem_page_add(td, gpa, pfn, source, &e1, &e2);
}

VISIBLE_IF_KUNIT u64 privmem_tdx_page_aug(struct tdx_td *td, u64 gpa, u64 pfn)
{
	u64 e1, e2;

	KUNIT_STATIC_STUB_REDIRECT(privmem_tdx_page_aug, td, gpa, pfn);
	return tdh_mem_page_aug(td, gpa, PG_LEVEL_4K, pfn, &e1, &e2);
}

VISIBLE_IF_KUNIT u64 privmem_tdx_block(struct tdx_td *td, u64 gpa)
{
	u64 e1, e2;

	KUNIT_STATIC_STUB_REDIRECT(privmem_tdx_block, td, gpa);
	return tdh_mem_range_block(td, gpa, PG_LEVEL_4K, &e1, &e2);
}

VISIBLE_IF_KUNIT u64 privmem_tdx_track(struct tdx_td *td)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_tdx_track, td);
	return tdh_mem_track(td);
}

VISIBLE_IF_KUNIT void privmem_tdx_kick(struct kvm *kvm)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_tdx_kick, kvm);
	kvm_make_all_cpus_request(kvm, KVM_REQ_OUTSIDE_GUEST_MODE);
}

VISIBLE_IF_KUNIT u64 privmem_tdx_remove(struct tdx_td *td, u64 gpa)
{
	u64 e1, e2;

	KUNIT_STATIC_STUB_REDIRECT(privmem_tdx_remove, td, gpa);
	return tdh_mem_page_remove(td, gpa, PG_LEVEL_4K, &e1, &e2);
}

VISIBLE_IF_KUNIT u64 privmem_tdx_wbinvd(u16 hkid, u64 pfn)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_tdx_wbinvd, hkid, pfn);
	return tdh_phymem_page_wbinvd_hkid(hkid, pfn);
}

VISIBLE_IF_KUNIT void privmem_tdx_clear(u64 pfn)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_tdx_clear, pfn);
	tdx_quirk_reset_paddr(PFN_PHYS(pfn), PAGE_SIZE);
}

/* Keep a page the TD still owns from the host: hold its folio for ever. */
VISIBLE_IF_KUNIT void privmem_tdx_leak(u64 pfn)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_tdx_leak, pfn);
	pr_warn_ratelimited("privmem: TDX: leaking PFN 0x%llx\n", pfn);
	folio_get(pfn_folio(pfn));
}

static bool privmem_tdx_busy(u64 err)
{
	return (err & TDX_SEAMCALL_STATUS_MASK) == TDX_OPERAND_BUSY;
}

static int privmem_tdx_errno(u64 err)
{
	if (!err)
		return 0;
	return privmem_tdx_busy(err) ? -EBUSY : -EIO;
}

/* BLOCK and REMOVE contend with TD entry: kick the vCPUs and retry once. */
static u64 privmem_tdx_block_retry(struct privmem_tdx *tdx, u64 gpa)
{
	u64 err = privmem_tdx_block(tdx->td, gpa);

	if (privmem_tdx_busy(err) && tdx->launched) {
		privmem_tdx_kick(tdx->kvm);
		err = privmem_tdx_block(tdx->td, gpa);
	}
	return err;
}

static u64 privmem_tdx_remove_retry(struct privmem_tdx *tdx, u64 gpa)
{
	u64 err = privmem_tdx_remove(tdx->td, gpa);

	if (privmem_tdx_busy(err) && tdx->launched) {
		privmem_tdx_kick(tdx->kvm);
		err = privmem_tdx_remove(tdx->td, gpa);
	}
	return err;
}

static int privmem_tdx_get(struct privmem_tdx *tdx, u64 gfn, u64 *pfn)
{
	enum privmem_gran gran;

	return tdx->backend->get_pfn(tdx->backend_priv, gfn, pfn, &gran);
}

static void privmem_tdx_put(struct privmem_tdx *tdx, u64 pfn)
{
	tdx->backend->put_pfn(tdx->backend_priv, pfn);
}

/* The page at @gfn stays in the TD: keep it from the host. */
static void privmem_tdx_keep(struct privmem_tdx *tdx, u64 gfn, u64 pfn)
{
	privmem_tdx_leak(pfn);
	clear_bit(gfn - tdx->gfn, tdx->in_td);
	tdx->leaked++;
}

/*
 * Take every page of [@gfn, @end) that is in the TD out of it: BLOCK all,
 * TRACK once, REMOVE and write back each.  A page that fails is kept from
 * the host; the others are still removed.  Return: 0 or the first errno.
 */
static int privmem_tdx_remove_range(struct privmem_tdx *tdx, u64 gfn, u64 end)
{
	unsigned long i, start = gfn - tdx->gfn, last = end - tdx->gfn;
	unsigned long blocked = 0;
	int ret = 0, err;
	u64 pfn;

	i = start;
	for_each_set_bit_from(i, tdx->in_td, last) {
		if (WARN_ON_ONCE(privmem_tdx_get(tdx, tdx->gfn + i, &pfn)))
			continue;
		err = privmem_tdx_errno(privmem_tdx_block_retry(tdx,
								PFN_PHYS(tdx->gfn + i)));
		if (err) {
			privmem_tdx_keep(tdx, tdx->gfn + i, pfn);
			ret = ret ?: err;
		} else {
			blocked++;
		}
		privmem_tdx_put(tdx, pfn);
	}
	if (!blocked)
		return ret;

	if (tdx->launched) {
		err = privmem_tdx_errno(privmem_tdx_track(tdx->td));
		i = start;
		/* Without TRACK, TLBs may still map the blocked pages. */
		for_each_set_bit_from(i, tdx->in_td, last) {
			if (!err || privmem_tdx_get(tdx, tdx->gfn + i, &pfn))
				break;
			privmem_tdx_keep(tdx, tdx->gfn + i, pfn);
			privmem_tdx_put(tdx, pfn);
		}
		if (err)
			return err;
		privmem_tdx_kick(tdx->kvm);
	}

	i = start;
	for_each_set_bit_from(i, tdx->in_td, last) {
		if (WARN_ON_ONCE(privmem_tdx_get(tdx, tdx->gfn + i, &pfn)))
			continue;
		err = privmem_tdx_errno(privmem_tdx_remove_retry(tdx,
								 PFN_PHYS(tdx->gfn + i)));
		if (!err)
			err = privmem_tdx_errno(privmem_tdx_wbinvd(tdx->hkid, pfn));
		if (err) {
			privmem_tdx_keep(tdx, tdx->gfn + i, pfn);
			ret = ret ?: err;
		} else {
			privmem_tdx_clear(pfn);
			clear_bit(i, tdx->in_td);
		}
		privmem_tdx_put(tdx, pfn);
	}
	return ret;
}

/* Put one shared page into the TD: PAGE.ADD before launch, else AUG. */
static int privmem_tdx_add_one(struct privmem_tdx *tdx, u64 gfn, u64 pfn,
			       bool prelaunch)
{
	void *src;

	if (!prelaunch)
		return privmem_tdx_errno(privmem_tdx_page_aug(tdx->td,
							      PFN_PHYS(gfn), pfn));
	/* PAGE.ADD copies from a source page: keep the data in place. */
	src = kmap_local_pfn(pfn);
	memcpy(page_address(tdx->bounce), src, PAGE_SIZE);
	kunmap_local(src);
	return privmem_tdx_errno(privmem_tdx_page_add(tdx->td, PFN_PHYS(gfn),
						      pfn, tdx->bounce));
}

static int privmem_tdx_set_private(void *priv, const struct privmem_op *op)
{
	struct privmem_tdx *tdx = priv;
	u64 gfn, pfn, end = op->gfn + op->npages;
	int ret = 0;

	if (WARN_ON_ONCE(op->gran != PRIVMEM_GRAN_4K))
		return -EINVAL;
	tdx->launched |= !op->prelaunch;
	for (gfn = op->gfn; gfn < end; gfn++) {
		ret = privmem_tdx_get(tdx, gfn, &pfn);
		if (ret)
			break;
		ret = privmem_tdx_add_one(tdx, gfn, pfn, op->prelaunch);
		privmem_tdx_put(tdx, pfn);
		if (ret)
			break;
		set_bit(gfn - tdx->gfn, tdx->in_td);
	}
	if (ret)
		privmem_tdx_remove_range(tdx, op->gfn, gfn);
	return ret;
}

static int privmem_tdx_set_shared(void *priv, const struct privmem_op *op)
{
	struct privmem_tdx *tdx = priv;

	tdx->launched |= !op->prelaunch;
	return privmem_tdx_remove_range(tdx, op->gfn, op->gfn + op->npages);
}

static void privmem_tdx_unbind(void *priv)
{
	struct privmem_tdx *tdx = priv;

	privmem_tdx_remove_range(tdx, tdx->gfn, tdx->gfn + tdx->npages);
}

/*
 * The TDX arch ops.  The cookie is a &struct privmem_tdx from
 * privmem_tdx_create().  See "DOC: TDX adapter".
 */
const struct privmem_arch_ops privmem_tdx_arch_ops = {
	.set_private	= privmem_tdx_set_private,
	.set_shared	= privmem_tdx_set_shared,
	.unbind		= privmem_tdx_unbind,
};

/**
 * privmem_tdx_create() - make the TDX adapter's cookie for a space
 * @kvm: the TD's VM.
 * @td: the TD's TDX module structures (&kvm_tdx.td).
 * @hkid: the TD's private HKID.
 * @backend: the space's backend ops; must have @get_pfn.
 * @backend_priv: the backend's cookie.
 * @gfn: first frame of the span the space will be bound to.
 * @npages: frames in the span.
 *
 * Pass the result with &privmem_tdx_arch_ops to privmem_space_bind() (or
 * privmem_shmem_space_bind()), and free it with privmem_tdx_destroy()
 * after the space is destroyed.  The HKID must stay assigned until then.
 *
 * Return: the cookie, ERR_PTR(-EINVAL) if @backend has no @get_pfn, @td
 * is NULL or the span is empty or too large, or ERR_PTR(-ENOMEM).
 */
struct privmem_tdx *privmem_tdx_create(struct kvm *kvm, struct tdx_td *td,
				       u16 hkid,
				       const struct privmem_backend_ops *backend,
				       void *backend_priv, u64 gfn, u64 npages)
{
	struct privmem_tdx *tdx;

	if (!td || !backend || !backend->get_pfn || !backend->put_pfn ||
	    !npages || npages > PRIVMEM_MAX_GFN)
		return ERR_PTR(-EINVAL);
	tdx = kzalloc_obj(*tdx, GFP_KERNEL_ACCOUNT);
	if (!tdx)
		return ERR_PTR(-ENOMEM);
	tdx->in_td = kvcalloc(BITS_TO_LONGS(npages), sizeof(long),
			      GFP_KERNEL_ACCOUNT);
	tdx->bounce = alloc_page(GFP_KERNEL_ACCOUNT);
	if (!tdx->in_td || !tdx->bounce) {
		privmem_tdx_destroy(tdx);
		return ERR_PTR(-ENOMEM);
	}
	tdx->backend = backend;
	tdx->backend_priv = backend_priv;
	tdx->kvm = kvm;
	tdx->td = td;
	tdx->hkid = hkid;
	tdx->gfn = gfn;
	tdx->npages = npages;
	return tdx;
}

/**
 * privmem_tdx_destroy() - free a cookie from privmem_tdx_create()
 * @tdx: the cookie, or NULL.
 *
 * The space it served must be destroyed (or never bound).
 */
void privmem_tdx_destroy(struct privmem_tdx *tdx)
{
	if (!tdx)
		return;
	if (tdx->bounce)
		__free_page(tdx->bounce);
	kvfree(tdx->in_td);
	kfree(tdx);
}

/**
 * privmem_tdx_leaked() - frames the adapter kept from the host
 * @tdx: the cookie.
 *
 * Return: how many frames stayed in the TD because a SEAMCALL refused to
 * give them back; they are never freed.
 */
u64 privmem_tdx_leaked(const struct privmem_tdx *tdx)
{
	return tdx->leaked;
}
