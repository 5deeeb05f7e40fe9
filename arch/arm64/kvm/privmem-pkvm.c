// SPDX-License-Identifier: GPL-2.0
/*
 * privmem adapter for arm64 protected KVM: the EL2 side of a conversion.
 */

/**
 * DOC: pKVM adapter
 *
 * pKVM converts in place: the page stays, only its owner at EL2 changes.
 * The adapter therefore refuses %PRIVMEM_MODE_DESTRUCTIVE with
 * -EOPNOTSUPP, and has no split_2m (protected VMs are mapped page by page
 * at EL2), so the core converts pKVM ranges at 4K only.
 *
 *  - set_private: __pkvm_host_donate_guest for each page: EL2 moves the
 *    page from the host's stage 2 to the guest's, contents kept.  EL2
 *    finds the VM through the vCPU loaded on this CPU, so the op must run
 *    in a vCPU thread between vcpu_load() and vcpu_put() (the fault and
 *    hypercall-exit paths); otherwise EL2 answers -EINVAL.  Donation of
 *    one page can fail after earlier pages of the op were donated: 7.3
 *    has no hypercall that gives a live guest's page back in place, so
 *    those pages stay donated (and recorded for unbind) and the op fails.
 *  - set_shared: -EOPNOTSUPP.  In 7.3 a protected guest shares a page
 *    itself, with the MEM_SHARE hypercall handled at EL2
 *    (__pkvm_guest_share_host); the host cannot do it for the guest, and
 *    its only reclaim that works on a live guest,
 *    __pkvm_force_reclaim_guest_page, zeroes the page and poisons the
 *    IPA, which is neither in place nor a conversion.  The KVM glue must
 *    record guest-initiated MEM_SHARE/MEM_UNSHARE without an arch step.
 *  - unbind: __pkvm_reclaim_dying_guest_page for every page the adapter
 *    donated.  EL2 allows it only once the VM's teardown has started
 *    (__pkvm_start_teardown_vm); a page EL2 refuses is leaked.
 *
 * The adapter keeps a bitmap of the pages it donated, one bit per frame
 * of the span, because the host cannot query EL2's ownership.
 */
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <asm/kvm_asm.h>

#include "privmem-pkvm.h"

/**
 * struct privmem_pkvm - the adapter's cookie for one space
 * @backend: the backend ops, for @backend.get_pfn and @backend.put_pfn.
 * @backend_priv: the backend's cookie.
 * @kvm: the protected VM.
 * @gfn: first frame of the span.
 * @npages: frames in the span.
 * @donated: one bit per frame of the span: donated to the guest.
 *	Protected by the space's conversion mutex.
 */
struct privmem_pkvm {
	const struct privmem_backend_ops *backend;
	void *backend_priv;
	struct kvm *kvm;
	u64 gfn;
	u64 npages;
	unsigned long *donated;
};

VISIBLE_IF_KUNIT int privmem_pkvm_donate(u64 pfn, u64 gfn)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_pkvm_donate, pfn, gfn);
	return kvm_call_hyp_nvhe(__pkvm_host_donate_guest, pfn, gfn);
}

VISIBLE_IF_KUNIT int privmem_pkvm_reclaim(u16 handle, u64 gfn)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_pkvm_reclaim, handle, gfn);
	return kvm_call_hyp_nvhe(__pkvm_reclaim_dying_guest_page, handle, gfn);
}

/* Keep a page the guest still owns from the host: hold it for ever. */
VISIBLE_IF_KUNIT void privmem_pkvm_leak(u64 pfn)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_pkvm_leak, pfn);
	pr_warn_ratelimited("privmem: pKVM: leaking PFN 0x%llx\n", pfn);
	folio_get(pfn_folio(pfn));
}

static int privmem_pkvm_set_private(void *priv, const struct privmem_op *op)
{
	struct privmem_pkvm *pk = priv;
	u64 gfn, pfn, end = op->gfn + op->npages;
	enum privmem_gran gran;
	int ret = 0;

	if (op->mode != PRIVMEM_MODE_INPLACE)
		return -EOPNOTSUPP;
	if (WARN_ON_ONCE(op->gran != PRIVMEM_GRAN_4K))
		return -EINVAL;
	for (gfn = op->gfn; gfn < end && !ret; gfn++) {
		ret = pk->backend->get_pfn(pk->backend_priv, gfn, &pfn, &gran);
		if (ret)
			break;
		ret = privmem_pkvm_donate(pfn, gfn);
		if (!ret)
			set_bit(gfn - pk->gfn, pk->donated);
		pk->backend->put_pfn(pk->backend_priv, pfn);
	}
	return ret;
}

static int privmem_pkvm_set_shared(void *priv, const struct privmem_op *op)
{
	return -EOPNOTSUPP;
}

static void privmem_pkvm_unbind(void *priv)
{
	struct privmem_pkvm *pk = priv;
	enum privmem_gran gran;
	unsigned long i;
	u64 pfn;

	for_each_set_bit(i, pk->donated, pk->npages) {
		if (pk->backend->get_pfn(pk->backend_priv, pk->gfn + i, &pfn,
					 &gran))
			continue;
		if (privmem_pkvm_reclaim(pk->kvm->arch.pkvm.handle, pk->gfn + i))
			privmem_pkvm_leak(pfn);
		else
			clear_bit(i, pk->donated);
		pk->backend->put_pfn(pk->backend_priv, pfn);
		cond_resched();
	}
}

/*
 * The pKVM arch ops.  The cookie is a &struct privmem_pkvm from
 * privmem_pkvm_create().  See "DOC: pKVM adapter".
 */
const struct privmem_arch_ops privmem_pkvm_arch_ops = {
	.set_private	= privmem_pkvm_set_private,
	.set_shared	= privmem_pkvm_set_shared,
	.unbind		= privmem_pkvm_unbind,
};

/**
 * privmem_pkvm_create() - make the pKVM adapter's cookie for a space
 * @kvm: the protected VM.
 * @backend: the space's backend ops; must have @get_pfn.
 * @backend_priv: the backend's cookie.
 * @gfn: first frame of the span the space will be bound to.
 * @npages: frames in the span.
 *
 * Pass the result with &privmem_pkvm_arch_ops to privmem_space_bind() (or
 * privmem_shmem_space_bind()), and free it with privmem_pkvm_destroy()
 * after the space is destroyed.
 *
 * Return: the cookie, ERR_PTR(-EINVAL) if @kvm is not a protected VM,
 * @backend has no @get_pfn, or the span is empty or too large, or
 * ERR_PTR(-ENOMEM).
 */
struct privmem_pkvm *privmem_pkvm_create(struct kvm *kvm,
					 const struct privmem_backend_ops *backend,
					 void *backend_priv, u64 gfn, u64 npages)
{
	struct privmem_pkvm *pk;

	if (!kvm || !kvm_vm_is_protected(kvm) || !backend ||
	    !backend->get_pfn || !backend->put_pfn || !npages ||
	    npages > PRIVMEM_MAX_GFN)
		return ERR_PTR(-EINVAL);
	pk = kzalloc_obj(*pk, GFP_KERNEL_ACCOUNT);
	if (!pk)
		return ERR_PTR(-ENOMEM);
	pk->donated = kvcalloc(BITS_TO_LONGS(npages), sizeof(long),
			       GFP_KERNEL_ACCOUNT);
	if (!pk->donated) {
		kfree(pk);
		return ERR_PTR(-ENOMEM);
	}
	pk->backend = backend;
	pk->backend_priv = backend_priv;
	pk->kvm = kvm;
	pk->gfn = gfn;
	pk->npages = npages;
	return pk;
}

/**
 * privmem_pkvm_destroy() - free a cookie from privmem_pkvm_create()
 * @pk: the cookie, or NULL.
 *
 * The space it served must be destroyed (or never bound).
 */
void privmem_pkvm_destroy(struct privmem_pkvm *pk)
{
	if (!pk)
		return;
	kvfree(pk->donated);
	kfree(pk);
}
