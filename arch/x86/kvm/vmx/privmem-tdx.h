/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privmem adapter for Intel TDX: the Secure-EPT side of a conversion, and
 * the TD's MapGPA requests.  See arch/x86/kvm/vmx/privmem-tdx.c.
 */
#ifndef __KVM_X86_PRIVMEM_TDX_H
#define __KVM_X86_PRIVMEM_TDX_H

#include <linux/privmem.h>
#include <linux/sizes.h>
#include <linux/types.h>

struct privmem_tdx;

/**
 * struct privmem_tdx_kvm_ops - how the TDX adapter reaches KVM
 *
 * Both are called with the space's conversion mutex held.
 */
struct privmem_tdx_kvm_ops {
	/**
	 * @zap: Remove KVM's mappings, shared and private, of a range.
	 * @kvm: the cookie given to privmem_tdx_create().
	 * @gfn: first frame.
	 * @npages: frames.
	 *
	 * For the private ones KVM's mirror MMU takes each page out of the
	 * TD (BLOCK, TRACK, REMOVE, write-back, reset) before returning.
	 * Does nothing once the VM is being destroyed.  May sleep.
	 */
	void (*zap)(void *kvm, u64 gfn, u64 npages);

	/**
	 * @bugged: Did KVM find the TD broken?
	 * @kvm: the cookie given to privmem_tdx_create().
	 *
	 * Return: true once a SEAMCALL failed in a way KVM cannot recover
	 * from (KVM_BUG_ON()); a page a zap should have removed may then
	 * still be in the TD.
	 */
	bool (*bugged)(void *kvm);
};

extern const struct privmem_arch_ops privmem_tdx_arch_ops;

struct privmem_tdx *privmem_tdx_create(const struct privmem_backend_ops *backend,
				       void *backend_priv, u64 gfn, u64 npages,
				       const struct privmem_tdx_kvm_ops *kops,
				       void *kvm);
void privmem_tdx_destroy(struct privmem_tdx *tdx);
u64 privmem_tdx_leaked(const struct privmem_tdx *tdx);

/* Bytes of a MapGPA request converted per privmem_convert() call. */
#define PRIVMEM_TDX_MAP_CHUNK	SZ_2M

/**
 * struct privmem_tdx_map_req - one TDG.VP.VMCALL<MapGPA>
 * @gpa: R12: the first GPA, with the shared bit set to convert to shared.
 * @size: R13: bytes.
 * @shared: the TD's shared GPA bit, as a GPA mask.
 * @rsvd: the GPA bits above the guest's MAXPHYADDR.
 * @next: returns the GPA for R11: where the guest resumes after a RETRY,
 *	or where the request stopped.
 * @err: returns the errno that stopped the conversion, or 0.
 */
struct privmem_tdx_map_req {
	u64 gpa;
	u64 size;
	u64 shared;
	u64 rsvd;
	u64 next;
	int err;
};

/**
 * struct privmem_tdx_map_ops - how privmem_tdx_map_gpa() reaches KVM
 */
struct privmem_tdx_map_ops {
	/**
	 * @convert: Convert entries as the guest's explicit request.
	 * @arg: the caller's cookie (the vCPU).
	 * @entries: the entries, as for privmem_convert().
	 * @nr: how many.
	 * @done: returns how many are done.
	 * @err_index: returns the index of the entry that stopped them.
	 *
	 * Return: as privmem_convert().
	 */
	int (*convert)(void *arg, const struct privmem_entry *entries,
		       unsigned int nr, unsigned int *done,
		       unsigned int *err_index);

	/**
	 * @has_events: Is an event pending that the vCPU should take?
	 * @arg: the caller's cookie (the vCPU).
	 *
	 * Return: true to stop the request with TDVMCALL_STATUS_RETRY.
	 */
	bool (*has_events)(void *arg);
};

u64 privmem_tdx_map_gpa(struct privmem_tdx_map_req *req,
			const struct privmem_tdx_map_ops *ops, void *arg);
bool privmem_tdx_map_fatal(int err);

#endif /* __KVM_X86_PRIVMEM_TDX_H */
