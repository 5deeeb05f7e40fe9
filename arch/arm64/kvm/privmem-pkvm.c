// SPDX-License-Identifier: GPL-2.0
/*
 * privmem for arm64 protected KVM: the adapter (the EL2 side of a
 * conversion) and the arch hooks of the KVM glue.
 */

/**
 * DOC: pKVM adapter
 *
 * A protected VM's page is private from the moment pKVM donates it to
 * the guest, on the guest's first access to it; from then on only the
 * guest can share it with the host (MEM_SHARE) or take it back
 * (MEM_UNSHARE), and pKVM does both in place: same page, contents kept.
 * The host can take a donated page back only by destroying its contents
 * (force reclaim), or at teardown.  privmem follows these rules:
 *
 *  - The fault path (privmem_pkvm_mem_abort()) donates a page of the
 *    bound span only if the range map says private; it takes the page
 *    from privmem's backend, not from the memslot's user mapping, which
 *    the backend keeps the host out of.  A fault on a page the map says
 *    is shared exits to the VMM with KVM_EXIT_MEMORY_FAULT (a private
 *    access): there is no implicit conversion on pKVM.  The donation is
 *    recorded as a pkvm_mapping holding the backend's page hold
 *    (privmem_shmem_hold(): the page cannot be freed, and the backend's
 *    reference checks do not take the hold for a host user's), so
 *    pKVM's own teardown reclaims it between the start and the end of
 *    the VM's teardown at EL2 (EL2 zeroes what the guest owned) and
 *    drops the hold; privmem's backend frees the page after that.
 *  - With a span bound, the VM has %KVM_ARCH_FLAG_HOST_CONVERTS: EL2 no
 *    longer carries out the guest's MEM_SHARE / MEM_UNSHARE itself but
 *    checks it, records it as the vCPU's pending request and exits to
 *    the host.  The host converts the page through privmem
 *    (kvm_privmem_map_gpa_range(), the VM's policy, the backend), and
 *    the adapter's @set_shared / @set_private ask EL2 to carry out the
 *    pending request (__pkvm_host_convert_guest), page by page, or to
 *    reverse it when a later step fails.  EL2 refuses anything else, so
 *    the host cannot share a page the guest did not offer.  The range
 *    map therefore always says what EL2 says, at the cost of one exit to
 *    the host per MEM_SHARE / MEM_UNSHARE, for VMs with a span only.  On
 *    such VMs a call may name up to 512 contiguous pages (x2), which
 *    privmem converts as one entry: one exit per run instead of one per
 *    page.
 *  - @set_private / @set_shared on a page not donated yet change nothing
 *    at EL2 (the backend has already granted or revoked the host's
 *    access): the VMM may convert such pages in either mode, before or
 *    after launch.  On a donated page they need the guest's pending
 *    request and %PRIVMEM_MODE_INPLACE: anything else, such as a host
 *    request (KVM_PRIVMEM_CONVERT: no loaded vCPU, and destructive after
 *    launch), fails with -EPERM.
 *  - No 2M operations: pKVM maps protected guests page by page, so the
 *    core converts pKVM ranges at 4K only.
 *
 * The adapter's state is EL2's page tables and pKVM's pkvm_mappings; its
 * cookie is the VM.
 */
#include <linux/kvm_host.h>
#include <linux/kvm_privmem.h>
#include <linux/mm.h>
#include <linux/privmem_policy.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <asm/kvm_asm.h>
#include <asm/kvm_pkvm.h>
#include <kvm/arm_hypercalls.h>

#include "privmem-pkvm.h"

/* Is @gfn donated to the guest (mapped in its stage 2)? */
VISIBLE_IF_KUNIT bool privmem_pkvm_mapped(struct kvm *kvm, u64 gfn)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_pkvm_mapped, kvm, gfn);
	return kvm->arch.mmu.pgt &&
	       pkvm_pgtable_stage2_is_mapped(kvm->arch.mmu.pgt,
					     gfn << PAGE_SHIFT);
}

/* Carry out (or reverse) the loaded vCPU's pending guest request. */
VISIBLE_IF_KUNIT int privmem_pkvm_hyp_convert(u64 gfn, bool share)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_pkvm_hyp_convert, gfn, share);
	return kvm_call_hyp_nvhe(__pkvm_host_convert_guest, gfn, share);
}

/*
 * One page: nothing to do at EL2 unless the page is donated; then only
 * the guest's pending request, in place.  Under mmu_lock, against the
 * fault path's donation.
 */
static int privmem_pkvm_convert_page(struct kvm *kvm, u64 gfn, bool share,
				     enum privmem_mode mode)
{
	int ret = 0;

	write_lock(&kvm->mmu_lock);
	if (privmem_pkvm_mapped(kvm, gfn)) {
		/*
		 * Only the guest's own request, in place: the host cannot
		 * take a page back (a destructive conversion), and EL2
		 * refuses anything but the pending request (-EPERM), or
		 * answers -EINVAL without a loaded vCPU (a VM ioctl).
		 */
		if (mode != PRIVMEM_MODE_INPLACE)
			ret = -EPERM;
		else
			ret = privmem_pkvm_hyp_convert(gfn, share);
		if (ret == -EINVAL)
			ret = -EPERM;
	}
	write_unlock(&kvm->mmu_lock);
	return ret;
}

static int privmem_pkvm_set(struct kvm *kvm, const struct privmem_op *op,
			    bool share)
{
	u64 gfn, end = op->gfn + op->npages;
	int ret = 0;

	if (WARN_ON_ONCE(op->gran != PRIVMEM_GRAN_4K))
		return -EINVAL;
	for (gfn = op->gfn; gfn < end; gfn++) {
		ret = privmem_pkvm_convert_page(kvm, gfn, share, op->mode);
		if (ret)
			break;
		cond_resched();
	}
	if (!ret)
		return 0;
	/* Leave the range as it was: reverse what EL2 did. */
	while (gfn-- > op->gfn)
		WARN_ON(privmem_pkvm_convert_page(kvm, gfn, !share, op->mode));
	return ret;
}

static int privmem_pkvm_set_private(void *priv, const struct privmem_op *op)
{
	return privmem_pkvm_set(priv, op, false);
}

static int privmem_pkvm_set_shared(void *priv, const struct privmem_op *op)
{
	return privmem_pkvm_set(priv, op, true);
}

/*
 * The pKVM arch ops.  The cookie is the protected VM's &struct kvm.  No
 * @unbind: pKVM's teardown reclaims the donated pages (see "DOC: pKVM
 * adapter").
 */
const struct privmem_arch_ops privmem_pkvm_arch_ops = {
	.set_private	= privmem_pkvm_set_private,
	.set_shared	= privmem_pkvm_set_shared,
};

#ifdef CONFIG_KVM_PRIVMEM

/*
 * The arm64 hooks of the KVM glue (include/linux/kvm_privmem.h).  Only
 * protected VMs can use privmem on arm64: for any other VM the host owns
 * every page and nothing is private.
 */
int kvm_arch_privmem_vm_type(struct kvm *kvm)
{
	if (kvm ? kvm_vm_is_protected(kvm) : is_protected_kvm_enabled())
		return PRIVMEM_VM_PKVM;
	return -EINVAL;
}

/*
 * pKVM cannot unmap a protected guest's stage 2 (EL2 refuses it): a
 * donated page stays mapped until the guest unshares it or the VM dies,
 * and privmem's adapter refuses the conversions that would need more.
 */
void kvm_arch_privmem_zap(struct kvm *kvm, gfn_t start, gfn_t end)
{
}

/* No shared alias bit on pKVM: the guest shares by hypercall. */
int kvm_arch_privmem_gpa_bits(void)
{
	return 0;
}

const struct privmem_arch_ops *
kvm_arch_privmem_arch_ops(struct kvm *kvm,
			  const struct kvm_privmem_bind_info *info, void **priv)
{
	/* Before the first KVM_RUN creates the VM at EL2, which copies it. */
	set_bit(KVM_ARCH_FLAG_HOST_CONVERTS, &kvm->arch.flags);
	*priv = kvm;
	return &privmem_pkvm_arch_ops;
}

/**
 * privmem_pkvm_mem_abort() - a protected guest's fault on privmem's span
 * @vcpu: the faulting vCPU, loaded.
 * @ipa: the faulting IPA.
 * @write: the access is a write.
 * @exec: the access is a fetch.
 * @mc: the vCPU's hyp memcache, topped up.
 *
 * Return: 1 if @ipa is not in a privmem span (take pKVM's usual path);
 * 0 when the page is donated or the fault is to be retried; -EFAULT
 * with a KVM_EXIT_MEMORY_FAULT prepared when the range map says shared;
 * -EHWPOISON for a poisoned page; another errno from the backend or EL2.
 */
int privmem_pkvm_mem_abort(struct kvm_vcpu *vcpu, phys_addr_t ipa,
			   bool write, bool exec, void *mc)
{
	struct kvm *kvm = vcpu->kvm;
	struct page *page;
	unsigned int seq;
	int ret;

	if (!kvm_privmem_enabled(kvm))
		return 1;
	ret = kvm_privmem_private_page(vcpu, gpa_to_gfn(ipa), write, exec,
				       &page, &seq);
	if (ret == -EAGAIN)
		return 0;
	if (ret)
		return ret;

	write_lock(&kvm->mmu_lock);
	if (kvm_privmem_private_raced(kvm, seq))
		ret = -EAGAIN;
	else
		ret = pkvm_pgtable_stage2_donate(vcpu->arch.hw_mmu->pgt,
						 ipa & PAGE_MASK, page, mc);
	write_unlock(&kvm->mmu_lock);
	/* On success the pkvm_mapping keeps the hold until the teardown. */
	if (ret)
		kvm_privmem_release_page(kvm, page);
	return ret == -EAGAIN ? 0 : ret;
}

/**
 * privmem_pkvm_hvc() - a protected guest's MEM_SHARE or MEM_UNSHARE
 * @vcpu: the calling vCPU, loaded; EL2 has recorded the request.
 * @share: MEM_SHARE, else MEM_UNSHARE.
 *
 * The request is the page at x1, or with x2 = n the n pages from there
 * (the range form, which EL2 has already cut at the first page that
 * cannot make the transition).  Pages in privmem's span are converted
 * through privmem in one conversion, which asks EL2 to carry out each
 * page; pages outside it are carried out at once, as EL2 would have done
 * without privmem.  A request that straddles the span's edge is cut
 * there.  Sets the SMCCC return value: x0 SMCCC_RET_SUCCESS and, for the
 * range form, x1 the pages done (the guest asks again for the rest), or
 * x0 SMCCC_RET_INVALID_PARAMETER and nothing done.
 *
 * Return: 1 to resume the guest; 0 after preparing a KVM_EXIT_PRIVMEM
 * (%KVM_PRIVMEM_EXIT_ON_CONVERT).
 */
int privmem_pkvm_hvc(struct kvm_vcpu *vcpu, bool share)
{
	u64 ipa = smccc_get_arg1(vcpu), nr = smccc_get_arg2(vcpu);
	u64 gfn = gpa_to_gfn(ipa), npages = nr ?: 1, n;
	struct kvm *kvm = vcpu->kvm;
	bool in_span = kvm_privmem_owns_gfn(kvm, gfn);
	int r = 1, err = 0;

	/* The run of pages on the same side of the span's edge. */
	for (n = 1; n < npages; n++)
		if (kvm_privmem_owns_gfn(kvm, gfn + n) != in_span)
			break;
	if (!in_span) {
		for (npages = 0; npages < n; npages++) {
			err = privmem_pkvm_hyp_convert(gfn + npages, share);
			if (err)
				break;
		}
	} else {
		r = kvm_privmem_guest_convert(vcpu, ipa, n << PAGE_SHIFT,
					      share ? KVM_PRIVMEM_SHARED :
						      KVM_PRIVMEM_PRIVATE,
					      KVM_PRIVMEM_GRAN_4K, &err);
		npages = err ? 0 : n;
	}
	smccc_set_retval(vcpu, npages ? SMCCC_RET_SUCCESS :
					SMCCC_RET_INVALID_PARAMETER,
			 nr ? npages : 0, 0, 0);
	return r;
}

#endif /* CONFIG_KVM_PRIVMEM */
