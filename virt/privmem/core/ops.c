// SPDX-License-Identifier: GPL-2.0
/*
 * Validators for the three ops tables.
 *
 * Every path that accepts an ops table (the policy registry, a future BPF
 * registration, privmem_space_bind()) checks it here, so the rules live
 * in one place.
 */
#include "privmem_internal.h"

/**
 * privmem_policy_validate() - check a policy before it is registered
 * @ops: the policy.
 *
 * Return: 0, or -EINVAL if @ops is NULL, lacks @allow or @mode, has an
 * empty or unterminated name, or an out-of-range @partial_2m or @merge.
 */
int privmem_policy_validate(const struct privmem_policy_ops *ops)
{
	if (!ops || !ops->allow || !ops->mode)
		return -EINVAL;
	if (!ops->name[0] ||
	    strnlen(ops->name, PRIVMEM_POLICY_NAME_MAX) == PRIVMEM_POLICY_NAME_MAX)
		return -EINVAL;
	if (ops->partial_2m != PRIVMEM_PARTIAL_2M_SMASH &&
	    ops->partial_2m != PRIVMEM_PARTIAL_2M_REFUSE)
		return -EINVAL;
	if (ops->merge != PRIVMEM_MERGE_EAGER &&
	    ops->merge != PRIVMEM_MERGE_LAZY &&
	    ops->merge != PRIVMEM_MERGE_NEVER)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(privmem_policy_validate);

/**
 * privmem_backend_validate() - check backend ops
 * @ops: the backend ops.
 *
 * Return: 0, or -EINVAL if @ops is NULL, lacks @prepare, @commit or
 * @abort, or has only one of @get_pfn and @put_pfn.
 */
int privmem_backend_validate(const struct privmem_backend_ops *ops)
{
	if (!ops || !ops->prepare || !ops->commit || !ops->abort)
		return -EINVAL;
	if (!ops->get_pfn != !ops->put_pfn)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(privmem_backend_validate);

/**
 * privmem_arch_validate() - check arch ops
 * @ops: the arch ops.
 *
 * Return: 0, or -EINVAL if @ops is NULL, has unknown @flags, lacks
 * @set_private or @set_shared, has only one of @prepare and @finish, or
 * has @merge_2m without @split_2m.
 */
int privmem_arch_validate(const struct privmem_arch_ops *ops)
{
	if (!ops || !ops->set_private || !ops->set_shared)
		return -EINVAL;
	if (ops->flags & ~PRIVMEM_ARCH_FLAGS)
		return -EINVAL;
	if (!ops->prepare != !ops->finish)
		return -EINVAL;
	if (ops->merge_2m && !ops->split_2m)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(privmem_arch_validate);
