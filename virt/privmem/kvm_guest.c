// SPDX-License-Identifier: GPL-2.0
/*
 * privmem's KVM glue: the guest's conversion requests and
 * KVM_EXIT_PRIVMEM.  See kvm_internal.h.
 */
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

/**
 * kvm_privmem_guest_convert_user() - a guest's batch of uapi entries
 * @vcpu: the calling vCPU.
 * @uents: the entries, as the guest wrote them (struct kvm_privmem_entry,
 *	copied out of guest memory by the caller).
 * @nr: how many, at most %KVM_PRIVMEM_MAX_ENTRIES.
 * @done: returns how many entries, from the first, are done.
 * @failed: returns the index of the entry that stopped the request, or
 *	-1 if none did.
 *
 * For an arch hypercall that carries KVM_PRIVMEM_CONVERT's entries
 * (x86's batched KVM_HC_MAP_GPA_RANGE): checks and converts them as the
 * ioctl does, through the VM's policy, as the guest's explicit request.
 * The caller answers the guest and ends the request with
 * kvm_privmem_guest_done().
 *
 * Context: Process context; may sleep.
 * Return: 0 or an errno, as KVM_PRIVMEM_CONVERT's.
 */
int kvm_privmem_guest_convert_user(struct kvm_vcpu *vcpu,
				   const struct kvm_privmem_entry *uents,
				   u32 nr, u32 *done, s32 *failed)
{
	return kvm_privmem_convert_entries(to_pm(vcpu->kvm), uents, nr, 0,
					   done, failed);
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_guest_convert_user);
