// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VM-type policy defaults and the configuration a VM copies when its
 * VMM enables privmem.
 */

/**
 * DOC: Choosing a VM's policy
 *
 * privmem_config_init() picks the policy of a VM when its VMM enables
 * privmem (KVM_ENABLE_CAP(KVM_CAP_PRIVMEM)):
 *
 *  1. the policy the VMM asked for by id, if any (KVM_ENABLE_CAP); it
 *     must be one the VM type supports, else -EOPNOTSUPP;
 *  2. otherwise privmem.default_policy, if it is set, names a policy
 *     that can be found (registered or loadable) and the VM type
 *     supports that policy;
 *  3. otherwise the VM type's default from privmem_vm_types[].
 *
 * It then copies privmem.implicit_conversion.  The result is a snapshot:
 * nothing in it changes when the parameters change later.
 */

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/privmem_policy.h>

#include "policy.h"

/*
 * Which policies each VM type can use, and which it gets by default.
 * SNP and TDX convert destructively at run time (the hardware gives the
 * page a new owner and key), so in-place conversion is not offered to
 * them.  pKVM converts in place only.  The software-protected VM has no
 * hardware constraint and may use any of them.
 */
static const struct {
	const char *default_policy;
	u64 policies;
} privmem_vm_types[PRIVMEM_VM_NR_TYPES] = {
	[PRIVMEM_VM_SW_PROTECTED] = {
		.default_policy = PRIVMEM_POLICY_NAME_CC,
		.policies = BIT_ULL(PRIVMEM_POLICY_ID_CC) |
			    BIT_ULL(PRIVMEM_POLICY_ID_CC_STRICT) |
			    BIT_ULL(PRIVMEM_POLICY_ID_INPLACE),
	},
	[PRIVMEM_VM_SNP] = {
		.default_policy = PRIVMEM_POLICY_NAME_CC,
		.policies = BIT_ULL(PRIVMEM_POLICY_ID_CC) |
			    BIT_ULL(PRIVMEM_POLICY_ID_CC_STRICT),
	},
	[PRIVMEM_VM_TDX] = {
		.default_policy = PRIVMEM_POLICY_NAME_CC,
		.policies = BIT_ULL(PRIVMEM_POLICY_ID_CC) |
			    BIT_ULL(PRIVMEM_POLICY_ID_CC_STRICT),
	},
	[PRIVMEM_VM_PKVM] = {
		.default_policy = PRIVMEM_POLICY_NAME_INPLACE,
		.policies = BIT_ULL(PRIVMEM_POLICY_ID_INPLACE),
	},
};

/**
 * privmem_vm_type_default_policy() - name of a VM type's default policy
 * @type: the VM type.
 *
 * This is the table default; privmem.default_policy may override it (see
 * privmem_config_init()).
 *
 * Context: Any context.
 * Return: the name, or NULL if @type is not a VM type.
 */
const char *privmem_vm_type_default_policy(enum privmem_vm_type type)
{
	if ((unsigned int)type >= PRIVMEM_VM_NR_TYPES)
		return NULL;
	return privmem_vm_types[type].default_policy;
}
EXPORT_SYMBOL_GPL(privmem_vm_type_default_policy);

/**
 * privmem_vm_type_policies() - the policies a VM type can use
 * @type: the VM type.
 *
 * What KVM_CHECK_EXTENSION(KVM_CAP_PRIVMEM) reports: the policies the
 * VM type supports that are also configured in this kernel (built in or
 * loadable as modules).
 *
 * Context: Any context.
 * Return: a bitmask, bit N set for policy id N; 0 if @type is not a VM
 * type.
 */
u64 privmem_vm_type_policies(enum privmem_vm_type type)
{
	if ((unsigned int)type >= PRIVMEM_VM_NR_TYPES)
		return 0;
	return privmem_vm_types[type].policies & privmem_policy_builtin_mask();
}
EXPORT_SYMBOL_GPL(privmem_vm_type_policies);

/* The default policy of @type, privmem.default_policy first. */
static const struct privmem_policy_ops *
privmem_config_default(enum privmem_vm_type type)
{
	const struct privmem_policy_ops *ops;
	char name[PRIVMEM_POLICY_NAME_MAX];

	privmem_param_default_policy(name, sizeof(name));
	if (name[0]) {
		ops = privmem_policy_get_by_name(name);
		if (ops && (privmem_vm_types[type].policies & BIT_ULL(ops->id)))
			return ops;
		privmem_policy_put(ops);
	}
	return privmem_policy_get_by_name(privmem_vm_types[type].default_policy);
}

/**
 * privmem_config_init() - snapshot the configuration of a new VM
 * @cfg: filled in; pass it to privmem_space_create().
 * @type: the VM type.
 * @policy_id: the policy the VMM chose, or %PRIVMEM_POLICY_ID_DEFAULT.
 *
 * Picks the policy as described in "Choosing a VM's policy", loading its
 * module if needed, and copies privmem.implicit_conversion as it is now.
 * @cfg holds a reference on the policy: keep @cfg for as long as the
 * space created from it lives and release it with privmem_config_release()
 * after privmem_space_destroy(); until then the policy cannot be
 * unregistered.
 *
 * Context: Process context; may sleep (module loading).
 * Return:
 * * 0 - @cfg is filled in.
 * * -EINVAL - @type is not a VM type, or @policy_id is above
 *   %PRIVMEM_POLICY_ID_MAX.
 * * -EOPNOTSUPP - @type does not support the policy @policy_id.
 * * -ENOENT - the policy is neither registered nor loadable.
 */
int privmem_config_init(struct privmem_space_config *cfg,
			enum privmem_vm_type type, u32 policy_id)
{
	const struct privmem_policy_ops *ops;

	cfg->policy = NULL;
	cfg->implicit = false;
	if ((unsigned int)type >= PRIVMEM_VM_NR_TYPES ||
	    policy_id > PRIVMEM_POLICY_ID_MAX)
		return -EINVAL;

	if (policy_id == PRIVMEM_POLICY_ID_DEFAULT) {
		ops = privmem_config_default(type);
	} else {
		if (!(privmem_vm_types[type].policies & BIT_ULL(policy_id)))
			return -EOPNOTSUPP;
		ops = privmem_policy_get_by_id(policy_id);
	}
	if (!ops)
		return -ENOENT;

	cfg->policy = ops;
	cfg->implicit = privmem_param_implicit();
	return 0;
}
EXPORT_SYMBOL_GPL(privmem_config_init);

/**
 * privmem_config_release() - drop what privmem_config_init() took
 * @cfg: a configuration filled by privmem_config_init(), or one whose
 *	initialisation failed (then this does nothing).
 *
 * Context: Any context.
 */
void privmem_config_release(struct privmem_space_config *cfg)
{
	privmem_policy_put(cfg->policy);
	cfg->policy = NULL;
}
EXPORT_SYMBOL_GPL(privmem_config_release);
