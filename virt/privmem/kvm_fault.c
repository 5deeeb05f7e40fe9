// SPDX-License-Identifier: GPL-2.0
/*
 * privmem's KVM glue: the fault path and the pre-boot copy into private
 * pages.  See kvm_internal.h.
 */
#include <linux/mm.h>
#include "kvm_internal.h"

#include <trace/events/kvm.h>

/**
 * kvm_privmem_is_private() - is a gfn private?
 * @kvm: a privmem VM.
 * @gfn: the frame, either alias.
 *
 * Lock-free.  A frame outside the bound span is shared; a frame being
 * converted reads as shared, and the fault path retries it.
 *
 * Return: true if the range map says private.
 */
bool kvm_privmem_is_private(struct kvm *kvm, gfn_t gfn)
{
	struct kvm_privmem *pm = to_pm(kvm);
	enum privmem_attr attr;

	gfn &= ~pm->alias;
	if (!kvm_privmem_in_span(pm, gfn))
		return false;
	if (privmem_lookup(pm->space, gfn, &attr, NULL))
		return false;
	return attr == PRIVMEM_PRIVATE;
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_is_private);

/**
 * kvm_privmem_access_private() - is a guest access to a gfn private?
 * @kvm: a privmem VM.
 * @gfn: the frame the guest accessed.
 *
 * With a shared alias bit the address says it: the bit set is a shared
 * access, clear is a private one (inside the bound span; everything
 * outside it is shared).  Without, the access is what the range map says.
 *
 * Return: true for a private access.
 */
bool kvm_privmem_access_private(struct kvm *kvm, gfn_t gfn)
{
	struct kvm_privmem *pm = to_pm(kvm);

	if (!pm->alias)
		return kvm_privmem_is_private(kvm, gfn);
	return !(gfn & pm->alias) && kvm_privmem_in_span(pm, gfn);
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_access_private);

/**
 * kvm_privmem_faultin() - resolve a fault's private/shared mismatch
 * @vcpu: the faulting vCPU.
 * @gfn: the frame accessed, either alias.
 * @is_private: the access is private.
 * @write: the access is a write.
 * @exec: the access is a fetch.
 *
 * Called after KVM took its invalidation-sequence snapshot.  Without a
 * shared alias the access type was read from the range map, so a mismatch
 * only means a conversion raced with the fault: retry.  With one, a
 * mismatch is the guest's implicit request, decided by privmem_fault().
 *
 * Return: 0 to map the frame; -EAGAIN to retry the fault (also after an
 * implicit conversion, whose zap made the snapshot stale); -EFAULT with
 * a KVM_EXIT_MEMORY_FAULT prepared for the VMM.
 */
int kvm_privmem_faultin(struct kvm_vcpu *vcpu, gfn_t gfn, bool is_private,
			bool write, bool exec)
{
	struct kvm_privmem *pm = to_pm(vcpu->kvm);
	gfn_t canon = gfn & ~pm->alias;
	enum privmem_attr attr;
	int r;

	if (!kvm_privmem_in_span(pm, canon)) {
		if (!is_private)
			return 0;
		goto exit;
	}

	if (!pm->alias) {
		r = privmem_lookup(pm->space, canon, &attr, NULL);
		if (!r && attr != (is_private ? PRIVMEM_PRIVATE : PRIVMEM_SHARED))
			r = -EAGAIN;
		if (r == -EAGAIN)
			return -EAGAIN;
		if (r)
			goto exit;
		return 0;
	}

	r = privmem_fault(pm->space, canon,
			  is_private ? PRIVMEM_PRIVATE : PRIVMEM_SHARED);
	switch (r) {
	case PRIVMEM_FAULT_MAPPED:
		return 0;
	case PRIVMEM_FAULT_CONVERTED:
		++vcpu->stat.generic.privmem_implicit;
		trace_kvm_privmem_convert(pm->id, "fault", 1, 1, 0);
		return -EAGAIN;
	case PRIVMEM_FAULT_RETRY:
		return -EAGAIN;
	default:
		break;
	}
exit:
	++vcpu->stat.generic.privmem_fault_exits;
	kvm_prepare_memory_fault_exit(vcpu, gfn_to_gpa(canon), PAGE_SIZE,
				      write, exec, is_private);
	return -EFAULT;
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_faultin);

/**
 * kvm_privmem_get_pfn() - the host page backing a private gfn
 * @kvm: a privmem VM.
 * @gfn: the frame, private in the range map.
 * @pfn: returns the host frame.
 * @page: returns the page, with a reference for KVM to release.
 * @max_order: returns the largest mapping order allowed: the smaller of
 *	the backing folio's and the range's granularity.
 *
 * Return: 0; -EAGAIN if @gfn is being converted or no longer private
 * (retry the fault), also when its page was punched out by a conversion
 * that began after the lookup; -EHWPOISON if the page is
 * hardware-poisoned; -ENODEV if the space died since the lookup; another
 * errno from the backend.
 */
int kvm_privmem_get_pfn(struct kvm *kvm, gfn_t gfn, kvm_pfn_t *pfn,
			struct page **page, int *max_order)
{
	struct kvm_privmem *pm = to_pm(kvm);
	enum privmem_gran gran, fgran;
	unsigned int seq = privmem_lookup_begin(pm->space);
	enum privmem_attr attr;
	u64 hpfn;
	int r;

	r = privmem_lookup(pm->space, gfn, &attr, &gran);
	if (r)
		return r;
	if (attr != PRIVMEM_PRIVATE)
		return -EAGAIN;
	r = privmem_space_get_pfn(pm->space, gfn, &hpfn, &fgran);
	/*
	 * A destructive conversion to shared that began after the lookup
	 * may have punched the page out already: retry, as for any fault
	 * that raced with a conversion.
	 */
	if (r == -ENOENT && privmem_lookup_retry(pm->space, seq))
		return -EAGAIN;
	if (r)
		return r;
	if (PageHWPoison(pfn_to_page(hpfn))) {
		privmem_space_put_pfn(pm->space, hpfn);
		return -EHWPOISON;
	}

	*page = pfn_to_page(hpfn);
	get_page(*page);
	privmem_space_put_pfn(pm->space, hpfn);
	*pfn = hpfn;
	*max_order = gran == PRIVMEM_GRAN_2M && fgran == PRIVMEM_GRAN_2M ?
		     PMD_SHIFT - PAGE_SHIFT : 0;
	return 0;
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_get_pfn);

struct kvm_privmem_populate {
	struct kvm_privmem *pm;
	kvm_privmem_populate_fn fn;
	void *arg;
};

static int kvm_privmem_populate_one(void *arg, u64 gfn, u64 npages,
				    enum privmem_attr attr,
				    enum privmem_gran gran)
{
	struct kvm_privmem_populate *p = arg;
	enum privmem_gran fgran;
	u64 pfn;
	int r;

	if (attr != PRIVMEM_PRIVATE)
		return -EINVAL;
	r = privmem_space_get_pfn(p->pm->space, gfn, &pfn, &fgran);
	if (r)
		return r;
	/* As kvm_privmem_get_pfn(): a poisoned page goes to no one. */
	if (PageHWPoison(pfn_to_page(pfn)))
		r = -EHWPOISON;
	else
		r = p->fn(p->pm->kvm, gfn, pfn, p->pm->arch_priv, p->arg);
	privmem_space_put_pfn(p->pm->space, pfn);
	return r;
}

/**
 * kvm_privmem_populate() - hand a private page to a pre-boot copy
 * @kvm: a privmem VM.
 * @gfn: the frame; privmem must have it private.
 * @fn: called with the page backing @gfn, under the space's conversion
 *	mutex, so that no conversion can change @gfn meanwhile: it may take
 *	kvm->mmu_lock and sleep, but must not call privmem for this VM nor
 *	touch user memory.  Returns 0 or an errno.
 * @arg: passed to @fn.
 *
 * For a vendor's pre-boot population that copies into the guest's private
 * pages (TDX's KVM_TDX_INIT_MEM_REGION, SEV-SNP's
 * KVM_SEV_SNP_LAUNCH_UPDATE), in place of kvm_gmem_populate().
 *
 * Context: Process context; may sleep.
 * Return: what @fn returned; -EINVAL if privmem has @gfn shared; -ENOENT
 * if @gfn is outside the bound span; -ENXIO if no span is bound; -EBUSY
 * once the VM has run; -ENODEV if the space is dead; -EHWPOISON if the
 * page backing @gfn is poisoned (@fn is not called).
 */
int kvm_privmem_populate(struct kvm *kvm, gfn_t gfn, kvm_privmem_populate_fn fn,
			 void *arg)
{
	struct kvm_privmem *pm = to_pm(kvm);
	struct kvm_privmem_populate p = { .pm = pm, .fn = fn, .arg = arg };

	/* Pairs with the release in kvm_privmem_bind(). */
	if (!pm || !smp_load_acquire(&pm->bound))
		return -ENXIO;
	if (READ_ONCE(pm->launched))
		return -EBUSY;
	return privmem_walk_ranges(pm->space, gfn, gfn + 1,
				   kvm_privmem_populate_one, &p);
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_populate);

/**
 * kvm_privmem_fault_seq() - snapshot for kvm_privmem_fault_raced()
 * @kvm: a privmem VM.
 *
 * Taken by the fault path before it asks whether a gfn is private.
 *
 * Return: the snapshot.
 */
unsigned int kvm_privmem_fault_seq(struct kvm *kvm)
{
	return privmem_lookup_begin(to_pm(kvm)->space);
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_fault_seq);

/**
 * kvm_privmem_fault_raced() - did a failed shared fault meet a conversion?
 * @kvm: a privmem VM.
 * @gfn: the frame (either alias) whose userspace mapping failed.
 * @seq: kvm_privmem_fault_seq() from the start of the fault.
 *
 * A shared page being converted to private is refused to the host (its
 * mapping faults with SIGBUS) from the moment the conversion begins, which
 * may be after the fault path read the page's attribute.  Such a fault
 * must be retried, not reported to the VMM as -EFAULT.
 *
 * Return: true if a conversion ran since @seq, or @gfn is not plainly
 * shared now: the caller retries the fault.
 */
bool kvm_privmem_fault_raced(struct kvm *kvm, gfn_t gfn, unsigned int seq)
{
	struct kvm_privmem *pm = to_pm(kvm);
	gfn_t canon = gfn & ~pm->alias;
	enum privmem_attr attr;
	int r;

	if (!kvm_privmem_in_span(pm, canon))
		return false;
	if (privmem_lookup_retry(pm->space, seq))
		return true;
	r = privmem_lookup(pm->space, canon, &attr, NULL);
	return r == -EAGAIN || (!r && attr != PRIVMEM_SHARED);
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_fault_raced);

/**
 * kvm_privmem_owns_gfn() - is a gfn in the VM's bound span?
 * @kvm: a privmem VM.
 * @gfn: the frame, either alias.
 *
 * Return: true if privmem tracks @gfn; anything else is the VM's plain
 * memory, as without privmem.
 */
bool kvm_privmem_owns_gfn(struct kvm *kvm, gfn_t gfn)
{
	struct kvm_privmem *pm = to_pm(kvm);

	return kvm_privmem_in_span(pm, gfn & ~pm->alias);
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_owns_gfn);

/**
 * kvm_privmem_private_page() - the page for a fault that is always private
 * @vcpu: the faulting vCPU.
 * @gfn: the frame accessed.
 * @write: the access is a write.
 * @exec: the access is a fetch.
 * @page: returns the page, held for the caller (privmem_shmem_hold()):
 *	the caller keeps the hold while the page is mapped, and drops it with
 *	kvm_privmem_release_page().
 * @seq: returns the snapshot for kvm_privmem_private_raced().
 *
 * For VM types whose every guest access is private until the guest
 * shares the page itself, and which keep a page mapped until the VM
 * dies (pKVM): the page is mapped only if the range map says private,
 * and the caller must check kvm_privmem_private_raced() under its MMU
 * lock before it maps.
 *
 * Return: 0; 1 if @gfn is outside the bound span; -EAGAIN to retry (a
 * conversion is running); -EFAULT with a KVM_EXIT_MEMORY_FAULT prepared
 * (a private access to a shared page); -EHWPOISON; another errno from
 * the backend.
 */
int kvm_privmem_private_page(struct kvm_vcpu *vcpu, gfn_t gfn, bool write,
			     bool exec, struct page **page, unsigned int *seq)
{
	struct kvm_privmem *pm = to_pm(vcpu->kvm);
	enum privmem_attr attr;
	int r;

	if (!kvm_privmem_in_span(pm, gfn))
		return 1;
	*seq = privmem_lookup_begin(pm->space);
	r = privmem_lookup(pm->space, gfn, &attr, NULL);
	if (r == -EAGAIN)
		return -EAGAIN;
	if (!r && attr == PRIVMEM_PRIVATE) {
		r = privmem_shmem_hold(pm->sh, gfn, page);
		/* Punched by a conversion that began after the lookup. */
		if (r == -ENOENT && privmem_lookup_retry(pm->space, *seq))
			return -EAGAIN;
		if (!r && PageHWPoison(*page)) {
			privmem_shmem_release(pm->sh, *page);
			r = -EHWPOISON;
		}
		return r;
	}
	if (r)
		return r;
	++vcpu->stat.generic.privmem_fault_exits;
	kvm_prepare_memory_fault_exit(vcpu, gfn_to_gpa(gfn), PAGE_SIZE,
				      write, exec, true);
	return -EFAULT;
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_private_page);

/**
 * kvm_privmem_release_page() - drop a page from kvm_privmem_private_page()
 * @kvm: the privmem VM, not yet destroyed.
 * @page: the page.
 */
void kvm_privmem_release_page(struct kvm *kvm, struct page *page)
{
	privmem_shmem_release(to_pm(kvm)->sh, page);
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_release_page);

/**
 * kvm_privmem_private_raced() - did a conversion run since a snapshot?
 * @kvm: a privmem VM.
 * @seq: the snapshot from kvm_privmem_private_page().
 *
 * Called under the arch's MMU lock, which the arch ops take to change a
 * page's hardware state.
 *
 * Return: true if the fault must be retried.
 */
bool kvm_privmem_private_raced(struct kvm *kvm, unsigned int seq)
{
	return privmem_lookup_retry(to_pm(kvm)->space, seq);
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_private_raced);
