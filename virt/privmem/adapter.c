// SPDX-License-Identifier: GPL-2.0
/*
 * What privmem's hardware adapters share: the span and backend of their
 * space, and the pages they keep from the host for ever.
 */

/**
 * DOC: adapter helpers
 *
 * A hardware adapter (SEV-SNP in kvm-amd, TDX in kvm-intel) embeds a
 * &struct privmem_adapter in its cookie and takes its pages through it:
 * privmem_adapter_get_pfn() and privmem_adapter_put_pfn() go to the
 * space's backend, as the core's own privmem_space_get_pfn() does, but
 * work at every stage of the space's life, @unbind included, when the
 * core no longer hands pages out.
 *
 * When the hardware may still hold a page (an RMPUPDATE or a Secure-EPT
 * removal failed, or its outcome is unknown), the adapter calls
 * privmem_adapter_keep(): the page's folio gets a reference that is never
 * dropped, so the backend's truncation cannot free it and it never
 * reaches the host's allocator, and the PFN is remembered, so that the
 * adapter can refuse every later op on it (privmem_adapter_kept()).  The
 * pages stay out of the host for the life of the host: there is no
 * primitive that proves a page the hardware refused to give back is safe.
 *
 * These are built when an adapter that uses them is (%CONFIG_PRIVMEM_ADAPTER,
 * selected by %CONFIG_KVM_AMD_PRIVMEM and %CONFIG_KVM_INTEL_PRIVMEM), the
 * way mm/damon/ops-common.c serves DAMON's ops sets.  The pKVM adapter
 * has no use for them: EL2 owns its pages, and its cookie is the VM.
 */
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/privmem_adapter.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

/**
 * privmem_adapter_init() - set up the shared part of an adapter's cookie
 * @ad: the part, zeroed or not.
 * @backend: the space's backend ops; must have @get_pfn and @put_pfn.
 * @backend_priv: the backend's cookie.
 * @gfn: first frame of the span the space is bound to.
 * @npages: frames in the span.
 *
 * Undo with privmem_adapter_destroy().
 *
 * Context: Any context; allocates nothing.
 * Return: 0, or -EINVAL if @backend lacks @get_pfn or @put_pfn or the span
 * is empty or ends above %PRIVMEM_MAX_GFN (as privmem_space_bind()).
 */
int privmem_adapter_init(struct privmem_adapter *ad,
			 const struct privmem_backend_ops *backend,
			 void *backend_priv, u64 gfn, u64 npages)
{
	if (!backend || !backend->get_pfn || !backend->put_pfn || !npages ||
	    gfn >= PRIVMEM_MAX_GFN || npages > PRIVMEM_MAX_GFN - gfn)
		return -EINVAL;
	ad->backend = backend;
	ad->backend_priv = backend_priv;
	ad->gfn = gfn;
	ad->npages = npages;
	ad->nr_kept = 0;
	xa_init(&ad->kept);
	return 0;
}
EXPORT_SYMBOL_GPL(privmem_adapter_init);

/**
 * privmem_adapter_destroy() - free what privmem_adapter_init() set up
 * @ad: the part.
 *
 * Frees only the record of the kept pages: the pages themselves stay held.
 */
void privmem_adapter_destroy(struct privmem_adapter *ad)
{
	xa_destroy(&ad->kept);
}
EXPORT_SYMBOL_GPL(privmem_adapter_destroy);

/**
 * privmem_adapter_in_span() - is a frame in the adapter's span?
 * @ad: the part.
 * @gfn: the frame.
 *
 * Return: true if @gfn lies in [@ad->gfn, @ad->gfn + @ad->npages).
 */
bool privmem_adapter_in_span(const struct privmem_adapter *ad, u64 gfn)
{
	return gfn >= ad->gfn && gfn - ad->gfn < ad->npages;
}
EXPORT_SYMBOL_GPL(privmem_adapter_in_span);

/**
 * privmem_adapter_get_pfn() - the host page the backend has at a frame
 * @ad: the part.
 * @gfn: the frame, in the span.
 * @pfn: returns the host frame number.
 * @gran: returns the size of the folio backing it.
 *
 * Takes a reference on the page, dropped with privmem_adapter_put_pfn().
 *
 * Context: As the backend's @get_pfn: may sleep.
 * Return: 0, -EINVAL if @gfn is outside the span, or the backend's errno
 * (-ENOENT: no page backs @gfn).
 */
int privmem_adapter_get_pfn(const struct privmem_adapter *ad, u64 gfn,
			    u64 *pfn, enum privmem_gran *gran)
{
	if (!privmem_adapter_in_span(ad, gfn))
		return -EINVAL;
	return ad->backend->get_pfn(ad->backend_priv, gfn, pfn, gran);
}
EXPORT_SYMBOL_GPL(privmem_adapter_get_pfn);

/**
 * privmem_adapter_put_pfn() - drop what privmem_adapter_get_pfn() took
 * @ad: the part.
 * @pfn: the frame privmem_adapter_get_pfn() returned.
 */
void privmem_adapter_put_pfn(const struct privmem_adapter *ad, u64 pfn)
{
	ad->backend->put_pfn(ad->backend_priv, pfn);
}
EXPORT_SYMBOL_GPL(privmem_adapter_put_pfn);

/* Hold every folio of [@pfn, @pfn + @npages) for ever. */
VISIBLE_IF_KUNIT void privmem_adapter_leak(u64 pfn, u64 npages)
{
	u64 end = pfn + npages;
	struct folio *folio;

	KUNIT_STATIC_STUB_REDIRECT(privmem_adapter_leak, pfn, npages);
	pr_warn_ratelimited("privmem: keeping PFNs 0x%llx-0x%llx from the host\n",
			    pfn, end - 1);
	while (pfn < end) {
		folio = pfn_folio(pfn);
		folio_get(folio);
		pfn = min_t(u64, end, folio_pfn(folio) + folio_nr_pages(folio));
	}
}
EXPORT_SYMBOL_IF_KUNIT(privmem_adapter_leak);

/**
 * privmem_adapter_keep() - keep pages from the host for ever
 * @ad: the part.
 * @pfn: the first page.
 * @npages: how many.
 *
 * For pages the hardware may still hold.  Their folios are never freed,
 * and privmem_adapter_kept() answers true for them from now on, so that
 * the adapter never touches their hardware state again.  If the record
 * cannot be allocated, only the second part is lost: the pages are held
 * all the same.
 *
 * Context: Process context, with the space's conversion mutex held; may
 * sleep.
 */
void privmem_adapter_keep(struct privmem_adapter *ad, u64 pfn, u64 npages)
{
	u64 i;

	privmem_adapter_leak(pfn, npages);
	ad->nr_kept += npages;
	for (i = 0; i < npages; i++)
		xa_store(&ad->kept, pfn + i, xa_mk_value(1), GFP_KERNEL_ACCOUNT);
}
EXPORT_SYMBOL_GPL(privmem_adapter_keep);

/**
 * privmem_adapter_kept() - does a range hold a page kept from the host?
 * @ad: the part.
 * @pfn: the first page.
 * @npages: how many, at least 1.
 *
 * Return: true if privmem_adapter_keep() kept any page of the range.
 */
bool privmem_adapter_kept(struct privmem_adapter *ad, u64 pfn, u64 npages)
{
	unsigned long index = pfn;

	return xa_find(&ad->kept, &index, pfn + npages - 1, XA_PRESENT);
}
EXPORT_SYMBOL_GPL(privmem_adapter_kept);
