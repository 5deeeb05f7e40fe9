// SPDX-License-Identifier: GPL-2.0
/*
 * privmem adapter for Intel TDX: the Secure-EPT side of a conversion, and
 * the TD's MapGPA requests carried out in the kernel.
 */

/**
 * DOC: TDX adapter
 *
 * Who owns the Secure-EPT.  KVM's TDP MMU keeps a mirror of the TD's
 * Secure-EPT, and in Linux 7.3 every change of a Secure-EPT entry goes
 * through it: TDH.MEM.SEPT.ADD when it links a table, TDH.MEM.PAGE.AUG
 * when the guest faults on (accepts) a private page, TDH.MEM.PAGE.ADD for
 * KVM_TDX_INIT_MEM_REGION, and TDH.MEM.RANGE.BLOCK, TDH.MEM.TRACK, the
 * kick of every vCPU, TDH.MEM.PAGE.REMOVE, the cache write-back and the
 * reset of the page when it zaps a private mapping.  A mirror SPTE exists
 * exactly when its Secure-EPT entry does.  An adapter that issued the same
 * SEAMCALLs at conversion time would be a second owner: it would AUG a
 * page that the mirror MMU AUGs again at the guest's fault, and REMOVE
 * entries that the mirror still maps.
 *
 * So the mirror MMU issues every Secure-EPT SEAMCALL, and privmem decides
 * when they happen.  The adapter's ops zap KVM's mappings through the
 * callbacks it was created with (&struct privmem_tdx_kvm_ops):
 *
 *  - set_private: zaps the range, so that no shared mapping of it
 *    survives.  The page enters the TD when the guest accepts it: the EPT
 *    violation reaches KVM's fault path, which takes the page from privmem
 *    (kvm_privmem_get_pfn()) and has the mirror MMU AUG it.  Before launch
 *    no page enters the TD at conversion: the VMM adds pre-boot pages with
 *    KVM_TDX_INIT_MEM_REGION, which takes them from privmem as well
 *    (kvm_privmem_populate()) and has the mirror MMU PAGE.ADD and measure
 *    them.
 *  - set_shared: zaps the range's private mappings: the mirror MMU BLOCKs,
 *    TRACKs, REMOVEs, writes back and resets every page of the range that
 *    is in the TD before the op returns, so before privmem's backend may
 *    give a page to the host.
 *  - memory_failure: zaps the range; the next fault finds the page
 *    poisoned.
 *  - unbind: zaps the whole span, for a space that dies before its VM.
 *    When the VM is destroyed, KVM has already reclaimed every page of
 *    the TD before the space goes.
 *  - split_2m / merge_2m: not provided.  KVM maps TDX private memory at 4K
 *    only in 7.3 (tdx_sept_map_leaf_spte() and tdx_sept_remove_leaf_spte()
 *    treat any other level as a KVM bug, and there is no wrapper for
 *    TDH.MEM.PAGE.DEMOTE or PROMOTE), so the core keeps every TDX range at 4K.  A 2M
 *    private range, and its demotion on a smash, waits for KVM's TDX
 *    huge page support: the adapter would then gain split_2m (BLOCK,
 *    TRACK, DEMOTE) and the core would keep TDX ranges at 2M.
 *
 * When the TDX module refuses to give a page back, KVM marks the VM
 * bugged (TDX_BUG_ON()) and the page stays in the TD.  The adapter cannot
 * tell which page of the range that was.  After a zap that finds the VM
 * bugged, it keeps every page of the range from the host (it holds its
 * folio for ever) and fails the op with -EIO; unbind of a bugged VM keeps
 * every page of the span.  A page that may still be in the TD never
 * reaches the host's allocator.
 *
 * MapGPA: privmem_tdx_map_gpa() carries out a TDG.VP.VMCALL<MapGPA> in
 * the kernel, with no KVM_HC_MAP_GPA_RANGE exit to the VMM.  It checks the
 * request as KVM does, then converts it in chunks of
 * %PRIVMEM_TDX_MAP_CHUNK bytes, one privmem_convert() call per chunk, and
 * keeps TDX's retry rule: when an event is pending for the vCPU after a
 * chunk, the guest gets TDVMCALL_STATUS_RETRY with R11 at the first byte
 * not converted, and issues the rest again.
 */
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/privmem_adapter.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <asm/shared/tdx.h>

#include "privmem-tdx.h"

/**
 * struct privmem_tdx - the adapter's cookie for one space
 * @ad: the span, its backend, and the frames kept from the host because
 *	they may still be in the TD.
 * @kops: how the adapter reaches KVM.
 * @kvm: the cookie of @kops.
 *
 * Every field an op writes is protected by the space's conversion mutex.
 */
struct privmem_tdx {
	struct privmem_adapter ad;
	const struct privmem_tdx_kvm_ops *kops;
	void *kvm;
};

/*
 * Zap [@gfn, @gfn + @npages) through KVM.  Return: 0, or -EIO after
 * keeping every backed page of the range from the host if KVM found the
 * TD broken, when a removal may have failed.
 */
static int privmem_tdx_zap(struct privmem_tdx *tdx, u64 gfn, u64 npages)
{
	enum privmem_gran gran;
	u64 end = gfn + npages, pfn;

	tdx->kops->zap(tdx->kvm, gfn, npages);
	if (!tdx->kops->bugged(tdx->kvm))
		return 0;
	for (; gfn < end; gfn++) {
		if (privmem_adapter_get_pfn(&tdx->ad, gfn, &pfn, &gran))
			continue;
		if (!privmem_adapter_kept(&tdx->ad, pfn, 1))
			privmem_adapter_keep(&tdx->ad, pfn, 1);
		privmem_adapter_put_pfn(&tdx->ad, pfn);
	}
	return -EIO;
}

static int privmem_tdx_set(void *priv, const struct privmem_op *op)
{
	if (WARN_ON_ONCE(op->gran != PRIVMEM_GRAN_4K))
		return -EINVAL;
	return privmem_tdx_zap(priv, op->gfn, op->npages);
}

static void privmem_tdx_memory_failure(void *priv, u64 gfn, u64 npages)
{
	struct privmem_tdx *tdx = priv;

	tdx->kops->zap(tdx->kvm, gfn, npages);
}

static void privmem_tdx_unbind(void *priv)
{
	struct privmem_tdx *tdx = priv;

	privmem_tdx_zap(tdx, tdx->ad.gfn, tdx->ad.npages);
}

/*
 * The TDX arch ops.  The cookie is a &struct privmem_tdx from
 * privmem_tdx_create().  See "DOC: TDX adapter".
 */
const struct privmem_arch_ops privmem_tdx_arch_ops = {
	.set_private	= privmem_tdx_set,
	.set_shared	= privmem_tdx_set,
	.memory_failure	= privmem_tdx_memory_failure,
	.unbind		= privmem_tdx_unbind,
};

/**
 * privmem_tdx_create() - make the TDX adapter's cookie for a space
 * @backend: the space's backend ops; must have @get_pfn and @put_pfn.
 * @backend_priv: the backend's cookie.
 * @gfn: first frame of the span the space will be bound to.
 * @npages: frames in the span.
 * @kops: how the adapter reaches KVM; both members are required.
 * @kvm: passed to @kops (the TD's &struct kvm).
 *
 * Pass the result with &privmem_tdx_arch_ops to privmem_space_bind(), and
 * free it with privmem_tdx_destroy() after the space is destroyed.
 *
 * Return: the cookie; ERR_PTR(-EINVAL) if a member of @kops is missing or
 * privmem_adapter_init() refuses the backend or the span; ERR_PTR(-ENOMEM).
 */
struct privmem_tdx *privmem_tdx_create(const struct privmem_backend_ops *backend,
				       void *backend_priv, u64 gfn, u64 npages,
				       const struct privmem_tdx_kvm_ops *kops,
				       void *kvm)
{
	struct privmem_tdx *tdx;
	int ret;

	if (!kops || !kops->zap || !kops->bugged)
		return ERR_PTR(-EINVAL);
	tdx = kzalloc_obj(*tdx, GFP_KERNEL_ACCOUNT);
	if (!tdx)
		return ERR_PTR(-ENOMEM);
	ret = privmem_adapter_init(&tdx->ad, backend, backend_priv, gfn, npages);
	if (ret) {
		kfree(tdx);
		return ERR_PTR(ret);
	}
	tdx->kops = kops;
	tdx->kvm = kvm;
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
	privmem_adapter_destroy(&tdx->ad);
	kfree(tdx);
}

/**
 * privmem_tdx_leaked() - frames the adapter kept from the host
 * @tdx: the cookie.
 *
 * Return: how many frames were kept because they may still be in the TD,
 * each counted once; they are never freed.
 */
u64 privmem_tdx_leaked(const struct privmem_tdx *tdx)
{
	return tdx->ad.nr_kept;
}

/* The guest's status for a conversion that failed with @err. */
static u64 privmem_tdx_map_status(int err)
{
	switch (err) {
	case -EAGAIN:
	case -EBUSY:
	case -EINTR:
		return TDVMCALL_STATUS_RETRY;
	default:
		return TDVMCALL_STATUS_INVALID_OPERAND;
	}
}

/**
 * privmem_tdx_map_fatal() - does a MapGPA errno end KVM_RUN?
 * @err: &privmem_tdx_map_req.err.
 *
 * Return: true for -EIO and -ENODEV (the space is dead: a page may be
 * stuck in the TD) and -ENOMEM; the caller then fails KVM_RUN with @err
 * instead of answering the guest.
 */
bool privmem_tdx_map_fatal(int err)
{
	return err == -EIO || err == -ENODEV || err == -ENOMEM;
}

/**
 * privmem_tdx_map_gpa() - carry out a TDG.VP.VMCALL<MapGPA> through privmem
 * @req: the request; @req->next and @req->err are written.
 * @ops: how to convert and how to ask for pending events.
 * @arg: passed to @ops (the vCPU).
 *
 * The checks are KVM's: a range that wraps, is empty, has a byte above
 * the guest's MAXPHYADDR or has the shared bit at one end only gets
 * TDVMCALL_STATUS_INVALID_OPERAND, then a GPA or size not 4K aligned gets
 * TDVMCALL_STATUS_ALIGN_ERROR, with R11 (@req->next) at @req->gpa,
 * @req->err -EINVAL and nothing converted.  The range converts to shared if @req->gpa has the
 * shared bit, else to private, %PRIVMEM_TDX_MAP_CHUNK bytes per
 * privmem_convert() call (each chunk is atomic).  A chunk that fails
 * stops the request with @req->err set and R11 at the chunk's first byte:
 * TDVMCALL_STATUS_RETRY for -EAGAIN, -EBUSY and -EINTR, else
 * TDVMCALL_STATUS_INVALID_OPERAND (see privmem_tdx_map_fatal() for the
 * errnos that end KVM_RUN instead).  A pending event after a chunk stops
 * it with TDVMCALL_STATUS_RETRY, R11 at the next chunk and @req->err 0.
 *
 * Context: Process context; may sleep.
 * Return: the TDVMCALL status for R10.
 */
u64 privmem_tdx_map_gpa(struct privmem_tdx_map_req *req,
			const struct privmem_tdx_map_ops *ops, void *arg)
{
	u64 gpa = req->gpa, last = req->gpa + req->size - 1, next, len;
	struct privmem_entry e = { .gran = PRIVMEM_GRAN_4K };
	unsigned int done, err_index;
	int r;

	req->next = gpa;
	req->err = 0;
	req->err = -EINVAL;
	if (!req->size || last < gpa || ((gpa | last) & req->rsvd) ||
	    (gpa & req->shared) != (last & req->shared))
		return TDVMCALL_STATUS_INVALID_OPERAND;
	if (!PAGE_ALIGNED(gpa) || !PAGE_ALIGNED(req->size))
		return TDVMCALL_STATUS_ALIGN_ERROR;
	req->err = 0;

	e.attr = gpa & req->shared ? PRIVMEM_SHARED : PRIVMEM_PRIVATE;
	for (next = gpa; next - 1 != last; next += len) {
		len = min(last - next + 1, (u64)PRIVMEM_TDX_MAP_CHUNK);
		if (next != gpa && ops->has_events(arg)) {
			req->next = next;
			return TDVMCALL_STATUS_RETRY;
		}
		e.gfn = (next & ~req->shared) >> PAGE_SHIFT;
		e.npages = len >> PAGE_SHIFT;
		r = ops->convert(arg, &e, 1, &done, &err_index);
		if (r) {
			req->next = next;
			req->err = r;
			return privmem_tdx_map_status(r);
		}
	}
	req->next = next;
	return TDVMCALL_STATUS_SUCCESS;
}
