// SPDX-License-Identifier: GPL-2.0
/*
 * privmem on x86: KVM_HC_MAP_GPA_RANGE, single range or batch, carried out
 * in the kernel through the VM's privmem space.  The glue it calls is in
 * virt/privmem/kvm_guest.c; x86.c calls kvm_privmem_map_gpa_range().
 */
#include <linux/kvm_host.h>
#include <linux/kvm_privmem.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

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
static int kvm_privmem_batch_self(struct kvm *kvm, u64 gpa, u64 bytes,
				  const struct kvm_privmem_entry *uents,
				  u32 nr, s32 *failed)
{
	int bit = kvm_privmem_alias_bit(kvm);
	u64 first = gpa & ~(bit ? BIT_ULL(bit) : 0), last = first + bytes - 1;
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

/*
 * A request refused before it reached privmem still counts as one
 * hypercall of the vCPU (privmem_hypercalls).
 */
static int kvm_privmem_hc_refused(struct kvm_vcpu *vcpu, u64 *ret, u64 val)
{
	++vcpu->stat.generic.privmem_hypercalls;
	*ret = val;
	return 1;
}

/* A guest batch: a struct kvm_privmem_batch at @gpa, in shared memory. */
static int kvm_privmem_map_batch(struct kvm_vcpu *vcpu, u64 gpa, u64 nr,
				 u64 *ret)
{
	struct kvm_privmem_entry *uents;
	struct kvm_privmem_batch hdr;
	u64 bytes;
	u32 done = 0;
	s32 failed;
	int r;

	if (!nr || nr > KVM_PRIVMEM_MAX_ENTRIES)
		return kvm_privmem_hc_refused(vcpu, ret, -KVM_E2BIG);
	if (kvm_read_guest(vcpu->kvm, gpa, &hdr, sizeof(hdr)))
		return kvm_privmem_hc_refused(vcpu, ret, -KVM_EFAULT);
	if (hdr.nr != nr || hdr.flags ||
	    memchr_inv(hdr.reserved, 0, sizeof(hdr.reserved)))
		return kvm_privmem_hc_refused(vcpu, ret, -KVM_EINVAL);
	uents = kvmalloc_array(nr, sizeof(*uents), GFP_KERNEL_ACCOUNT);
	if (!uents)
		return kvm_privmem_hc_refused(vcpu, ret, -KVM_EINVAL);
	bytes = sizeof(hdr) + nr * sizeof(*uents);
	if (kvm_read_guest(vcpu->kvm, gpa + sizeof(hdr), uents,
			   nr * sizeof(*uents))) {
		kvfree(uents);
		return kvm_privmem_hc_refused(vcpu, ret, -KVM_EFAULT);
	}
	r = kvm_privmem_batch_self(vcpu->kvm, gpa, bytes, uents, nr, &failed);
	if (!r)
		r = kvm_privmem_guest_convert_user(vcpu, uents, nr, &done,
						   &failed);
	kvfree(uents);

	hdr.done = done;
	hdr.error = r;
	hdr.error_index = r ? failed : -1;
	if (kvm_write_guest(vcpu->kvm, gpa, &hdr, sizeof(hdr)))
		return kvm_privmem_hc_refused(vcpu, ret, -KVM_EFAULT);
	*ret = kvm_privmem_hc_ret(r);
	return kvm_privmem_guest_done(vcpu, KVM_PRIVMEM_EXIT_BATCH, gpa, bytes,
				      nr, done, r);
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

	if (attrs == KVM_PRIVMEM_MAP_GPA_RANGE_BATCH)
		return kvm_privmem_map_batch(vcpu, gpa, npages, ret);

	if ((attrs & ~known) || !PAGE_ALIGNED(gpa) || !npages ||
	    npages > (U64_MAX >> PAGE_SHIFT) ||
	    gpa + (npages << PAGE_SHIFT) <= gpa)
		return kvm_privmem_hc_refused(vcpu, ret, -KVM_EINVAL);
	r = kvm_privmem_guest_convert(vcpu, gpa, npages << PAGE_SHIFT,
				      attrs & KVM_MAP_GPA_RANGE_ENCRYPTED ?
				      KVM_PRIVMEM_PRIVATE : KVM_PRIVMEM_SHARED,
				      attrs & KVM_MAP_GPA_RANGE_PAGE_SZ_2M ?
				      KVM_PRIVMEM_GRAN_2M : KVM_PRIVMEM_GRAN_4K,
				      &err);
	*ret = kvm_privmem_hc_ret(err);
	return r;
}
