// SPDX-License-Identifier: GPL-2.0
/*
 * privmem's KVM glue: the guest's conversion requests and
 * KVM_EXIT_PRIVMEM.  See kvm_internal.h.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "kvm_internal.h"

#include <trace/events/kvm.h>

/* Fill vcpu->run for KVM_EXIT_PRIVMEM. */
static void kvm_privmem_prepare_exit(struct kvm_vcpu *vcpu, u64 flags,
				     u64 gpa, u64 size, u32 nr, u32 done,
				     int error, u32 attr)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_PRIVMEM;
	run->privmem.flags = flags;
	run->privmem.gpa = gpa;
	run->privmem.size = size;
	run->privmem.nr = nr;
	run->privmem.done = done;
	run->privmem.error = error;
	run->privmem.attr = attr;
}

/*
 * A guest request reached the engine: with %KVM_PRIVMEM_EXIT_ON_CONVERT,
 * prepare its one KVM_EXIT_PRIVMEM.  Return: 0 if the exit is prepared,
 * 1 to resume the guest.
 */
static int kvm_privmem_notify(struct kvm_vcpu *vcpu, u64 flags, u64 gpa,
			      u64 size, u32 nr, u32 done, int error, u32 attr)
{
	if (!(to_pm(vcpu->kvm)->flags & KVM_PRIVMEM_EXIT_ON_CONVERT))
		return 1;
	++vcpu->stat.generic.privmem_exits;
	kvm_privmem_prepare_exit(vcpu, flags, gpa, size, nr, done, error, attr);
	return 0;
}

/* One guest range through the policy, then maybe KVM_EXIT_PRIVMEM. */
static int kvm_privmem_convert_one(struct kvm_vcpu *vcpu, u64 gpa, u64 size,
				   u32 attr, u32 gran, int *err)
{
	struct kvm_privmem *pm = to_pm(vcpu->kvm);
	struct kvm_privmem_entry u = {
		.gpa = gpa, .size = size, .attr = attr, .gran = gran,
	};
	u32 done = 0;
	s32 failed;

	*err = kvm_privmem_convert_entries(pm, &u, 1, 0, &done, &failed);
	return kvm_privmem_notify(vcpu, 0, gpa, size, 1, done, *err, attr);
}

/**
 * kvm_privmem_guest_convert() - a guest's request to convert one range
 * @vcpu: the calling vCPU.
 * @gpa: first byte of the range.
 * @size: its size in bytes.
 * @attr: %KVM_PRIVMEM_PRIVATE or %KVM_PRIVMEM_SHARED.
 * @gran: %KVM_PRIVMEM_GRAN_4K or %KVM_PRIVMEM_GRAN_2M.
 * @err: returns 0 or the conversion's errno, as for one entry of
 *	KVM_PRIVMEM_CONVERT.
 *
 * Converts through the VM's policy, in the kernel; the arch turns *@err
 * into its hypercall's return value.
 *
 * Return: 1 to resume the guest; 0 after preparing one KVM_EXIT_PRIVMEM
 * for the VMM (%KVM_PRIVMEM_EXIT_ON_CONVERT).
 */
int kvm_privmem_guest_convert(struct kvm_vcpu *vcpu, u64 gpa, u64 size,
			      u32 attr, u32 gran, int *err)
{
	++vcpu->stat.generic.privmem_hypercalls;
	return kvm_privmem_convert_one(vcpu, gpa, size, attr, gran, err);
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_guest_convert);

/**
 * kvm_privmem_guest_convert_entries() - a guest's multi-entry request
 * @vcpu: the calling vCPU.
 * @entries: the entries, already turned into privmem's, at most
 *	%PRIVMEM_MAX_ENTRIES.
 * @nr: how many.
 * @done: returns how many entries, from the first, are done.
 * @err_index: returns the index of the entry that stopped the request.
 *
 * For an arch whose guest protocol carries several entries in one call
 * (SEV-SNP's page state change): converts them through the VM's policy
 * in one privmem_convert(), as the guest's explicit request.  The caller
 * then answers the guest and ends the request with
 * kvm_privmem_guest_done().
 *
 * Context: Process context; may sleep.
 * Return: as privmem_convert(); -ENXIO if no span is bound.
 */
int kvm_privmem_guest_convert_entries(struct kvm_vcpu *vcpu,
				      const struct privmem_entry *entries,
				      unsigned int nr, unsigned int *done,
				      unsigned int *err_index)
{
	struct kvm_privmem *pm = to_pm(vcpu->kvm);
	int r;

	r = privmem_convert(pm->space, entries, nr, 0, done, err_index);
	trace_kvm_privmem_convert(pm->id, "guest", nr, *done, r);
	return r;
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_guest_convert_entries);

/**
 * kvm_privmem_guest_done() - a guest's conversion request is answered
 * @vcpu: the calling vCPU.
 * @flags: %KVM_PRIVMEM_EXIT_BATCH for a multi-entry request, else 0.
 * @gpa: the GPA of the request in guest memory (SEV-SNP: the GHCB's
 *	shared buffer), or of its one page.
 * @size: its size in bytes.
 * @nr: entries in the request.
 * @done: entries done.
 * @error: the request's errno, or 0.
 *
 * Counts the request as one hypercall, whatever became of it, and tells
 * the VMM if it asked.
 *
 * Return: 1 if the VM did not ask for %KVM_PRIVMEM_EXIT_ON_CONVERT (resume
 * the guest); 0 after preparing one KVM_EXIT_PRIVMEM, the guest's answer
 * being already written.
 */
int kvm_privmem_guest_done(struct kvm_vcpu *vcpu, u64 flags, u64 gpa,
			   u64 size, u32 nr, u32 done, int error)
{
	++vcpu->stat.generic.privmem_hypercalls;
	return kvm_privmem_notify(vcpu, flags, gpa, size, nr, done, error, 0);
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_guest_done);

#ifdef KVM_MAP_GPA_RANGE_ENCRYPTED
/* The hypercall's return value for a conversion errno. */
static u64 kvm_privmem_hc_ret(int r)
{
	switch (r) {
	case 0:
		return 0;
	case -EPERM:
		return -KVM_EPERM;
	case -EFAULT:
		return -KVM_EFAULT;
	case -E2BIG:
		return -KVM_E2BIG;
	default:
		return -KVM_EINVAL;
	}
}

/*
 * The header of a batch at @gpa must stay readable and writable by KVM
 * while the batch runs: an entry that would make part of the batch
 * itself private fails the whole batch up front (-EINVAL, *@failed its
 * index), before anything is converted.
 */
static int kvm_privmem_batch_self(struct kvm_privmem *pm, u64 gpa, u64 bytes,
				  const struct kvm_privmem_entry *uents,
				  u32 nr, s32 *failed)
{
	u64 first = gpa & ~gfn_to_gpa(pm->alias), last = first + bytes - 1;
	u32 i;

	for (i = 0; i < nr; i++) {
		const struct kvm_privmem_entry *u = &uents[i];
		u64 end;

		if (u->attr != KVM_PRIVMEM_PRIVATE || !u->size ||
		    check_add_overflow(u->gpa, u->size - 1, &end))
			continue;
		if (u->gpa <= last && first <= end) {
			*failed = i;
			return -EINVAL;
		}
	}
	return 0;
}

/* A guest batch: a struct kvm_privmem_batch at @gpa, in shared memory. */
static int kvm_privmem_map_batch(struct kvm_vcpu *vcpu, u64 gpa, u64 nr,
				 u64 *ret)
{
	struct kvm_privmem *pm = to_pm(vcpu->kvm);
	struct kvm_privmem_entry *uents;
	struct kvm_privmem_batch hdr;
	u32 done = 0;
	s32 failed;
	int r;

	if (!nr || nr > KVM_PRIVMEM_MAX_ENTRIES) {
		*ret = -KVM_E2BIG;
		return 1;
	}
	if (kvm_read_guest(vcpu->kvm, gpa, &hdr, sizeof(hdr))) {
		*ret = -KVM_EFAULT;
		return 1;
	}
	if (hdr.nr != nr || hdr.flags ||
	    memchr_inv(hdr.reserved, 0, sizeof(hdr.reserved))) {
		*ret = -KVM_EINVAL;
		return 1;
	}
	uents = kvmalloc_array(nr, sizeof(*uents), GFP_KERNEL_ACCOUNT);
	if (!uents) {
		*ret = -KVM_EINVAL;
		return 1;
	}
	if (kvm_read_guest(vcpu->kvm, gpa + sizeof(hdr), uents,
			   nr * sizeof(*uents))) {
		kvfree(uents);
		*ret = -KVM_EFAULT;
		return 1;
	}
	r = kvm_privmem_batch_self(pm, gpa, sizeof(hdr) + nr * sizeof(*uents),
				   uents, nr, &failed);
	if (!r)
		r = kvm_privmem_convert_entries(pm, uents, nr, 0, &done,
						&failed);
	kvfree(uents);

	hdr.done = done;
	hdr.error = r;
	hdr.error_index = r ? failed : -1;
	if (kvm_write_guest(vcpu->kvm, gpa, &hdr, sizeof(hdr))) {
		*ret = -KVM_EFAULT;
		return 1;
	}
	*ret = kvm_privmem_hc_ret(r);
	return kvm_privmem_notify(vcpu, KVM_PRIVMEM_EXIT_BATCH, gpa,
				  sizeof(hdr) + nr * sizeof(*uents), nr, done,
				  r, 0);
}

/**
 * kvm_privmem_map_gpa_range() - KVM_HC_MAP_GPA_RANGE on a privmem VM
 * @vcpu: the calling vCPU.
 * @gpa: first byte of the range, or of a struct kvm_privmem_batch.
 * @npages: pages in the range, or entries in the batch.
 * @attrs: KVM_MAP_GPA_RANGE_* attributes, or
 *	%KVM_PRIVMEM_MAP_GPA_RANGE_BATCH.
 * @ret: returns the hypercall's return value.
 *
 * Converts through the VM's policy, in the kernel.  A single range is one
 * entry at 4K or 2M (KVM_MAP_GPA_RANGE_PAGE_SZ_*); a batch is up to
 * %KVM_PRIVMEM_MAX_ENTRIES entries of mixed granularity, whose header gets
 * the number of entries completed and the errno of the first failed one.
 *
 * Return: 1 to resume the guest with *@ret; 0 after preparing one
 * KVM_EXIT_PRIVMEM for the VMM (%KVM_PRIVMEM_EXIT_ON_CONVERT), the guest
 * resuming with *@ret afterwards.
 */
int kvm_privmem_map_gpa_range(struct kvm_vcpu *vcpu, u64 gpa, u64 npages,
			      u64 attrs, u64 *ret)
{
	const u64 known = KVM_MAP_GPA_RANGE_PAGE_SZ_2M |
			  KVM_MAP_GPA_RANGE_ENCRYPTED;
	int r, err;

	++vcpu->stat.generic.privmem_hypercalls;
	if (attrs == KVM_PRIVMEM_MAP_GPA_RANGE_BATCH)
		return kvm_privmem_map_batch(vcpu, gpa, npages, ret);

	if ((attrs & ~known) || !PAGE_ALIGNED(gpa) || !npages ||
	    npages > (U64_MAX >> PAGE_SHIFT) ||
	    gpa + (npages << PAGE_SHIFT) <= gpa) {
		*ret = -KVM_EINVAL;
		return 1;
	}
	r = kvm_privmem_convert_one(vcpu, gpa, npages << PAGE_SHIFT,
				    attrs & KVM_MAP_GPA_RANGE_ENCRYPTED ?
				    KVM_PRIVMEM_PRIVATE : KVM_PRIVMEM_SHARED,
				    attrs & KVM_MAP_GPA_RANGE_PAGE_SZ_2M ?
				    KVM_PRIVMEM_GRAN_2M : KVM_PRIVMEM_GRAN_4K,
				    &err);
	*ret = kvm_privmem_hc_ret(err);
	return r;
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_map_gpa_range);
#endif /* KVM_MAP_GPA_RANGE_ENCRYPTED */
