/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privmem conversion policies: the registry, the per-VM-type defaults,
 * the module parameters a VM copies when it is created, and the
 * fault-path decision.
 *
 * A policy is a &struct privmem_policy_ops (include/linux/privmem.h).
 * Three are built in (virt/privmem/policy/): "cc", "cc-strict" and
 * "inplace".  See Documentation/virt/privmem.rst for what each does.
 */
#ifndef _LINUX_PRIVMEM_POLICY_H
#define _LINUX_PRIVMEM_POLICY_H

#include <linux/privmem.h>
#include <linux/types.h>

/*
 * Stable, user-visible policy ids.  KVM reports the policies a VM type
 * supports as a bitmask of these (bit N set: id N supported), so an id
 * is at most %PRIVMEM_POLICY_ID_MAX.  Id 0 means "the default".
 * Never renumber: the ids are ABI once KVM exposes them.
 */
#define PRIVMEM_POLICY_ID_DEFAULT	0
#define PRIVMEM_POLICY_ID_CC		1
#define PRIVMEM_POLICY_ID_CC_STRICT	2
#define PRIVMEM_POLICY_ID_INPLACE	3
#define PRIVMEM_POLICY_ID_MAX		63

/* Module alias of a policy module: "privmem-policy-" followed by its name. */
#define PRIVMEM_POLICY_MODULE_PREFIX	"privmem-policy-"

/**
 * enum privmem_vm_type - the kinds of confidential VM privmem serves
 * @PRIVMEM_VM_SW_PROTECTED: x86 software-protected test VM.
 * @PRIVMEM_VM_SNP: AMD SEV-SNP.
 * @PRIVMEM_VM_TDX: Intel TDX.
 * @PRIVMEM_VM_PKVM: arm64 pKVM protected VM.
 * @PRIVMEM_VM_NR_TYPES: number of VM types.
 */
enum privmem_vm_type {
	PRIVMEM_VM_SW_PROTECTED,
	PRIVMEM_VM_SNP,
	PRIVMEM_VM_TDX,
	PRIVMEM_VM_PKVM,
	PRIVMEM_VM_NR_TYPES,
};

/**
 * enum privmem_fault_result - what privmem_fault() decided
 * @PRIVMEM_FAULT_MAPPED: the access already matches the frame's
 *	attribute; nothing was converted, map the frame.
 * @PRIVMEM_FAULT_CONVERTED: the frame was converted implicitly to the
 *	access type; map the frame.
 * @PRIVMEM_FAULT_EXIT: the access does not match and may not be
 *	converted implicitly (the switch is off in this space or the policy
 *	refused); the caller exits to the VMM with KVM_EXIT_MEMORY_FAULT.
 * @PRIVMEM_FAULT_RETRY: the frame is being converted by someone else;
 *	the caller retries the fault.
 */
enum privmem_fault_result {
	PRIVMEM_FAULT_MAPPED,
	PRIVMEM_FAULT_CONVERTED,
	PRIVMEM_FAULT_EXIT,
	PRIVMEM_FAULT_RETRY,
};

int privmem_register_policy(struct privmem_policy_ops *ops);
int privmem_unregister_policy(struct privmem_policy_ops *ops);

const struct privmem_policy_ops *privmem_policy_get_by_name(const char *name);
const struct privmem_policy_ops *privmem_policy_get_by_id(u32 id);
int privmem_policy_get(const struct privmem_policy_ops *ops);
void privmem_policy_put(const struct privmem_policy_ops *ops);
bool privmem_policy_known(const char *name);

const char *privmem_vm_type_default_policy(enum privmem_vm_type type);
u64 privmem_vm_type_policies(enum privmem_vm_type type);

int privmem_config_init(struct privmem_space_config *cfg,
			enum privmem_vm_type type, u32 policy_id);
void privmem_config_release(struct privmem_space_config *cfg);

int privmem_fault(struct privmem_space *space, u64 gfn,
		  enum privmem_attr access);

#endif /* _LINUX_PRIVMEM_POLICY_H */
