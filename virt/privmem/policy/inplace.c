// SPDX-License-Identifier: GPL-2.0
/*
 * The "inplace" policy: pKVM style, the default for pKVM protected VMs.
 *
 * - Explicit conversions only (pKVM MEM_SHARE / MEM_UNSHARE); every
 *   implicit conversion is refused.
 * - Non-destructive: the same physical page stays, contents preserved,
 *   no copy; only ownership and mappings change.
 * - A partial 2M private block is smashed.  pKVM has no 2M arch ops, so
 *   the core never maps its private memory at 2M and the choice never
 *   arises there; on an arch that can split (a software-protected VM),
 *   splitting keeps the contents, which is what in-place promises, while
 *   refusing would fail every guest that shares one page of a block.
 * - Never merged back opportunistically: in-place conversion is cheap at
 *   4K and pKVM manages its block mappings itself; only an explicit 2M
 *   request merges.
 */

#include <linux/module.h>
#include <linux/privmem_policy.h>

#include "policy.h"

static int privmem_inplace_allow(const struct privmem_conv_info *ci)
{
	return ci->req == PRIVMEM_REQ_EXPLICIT ? 0 : -EPERM;
}

static enum privmem_mode privmem_inplace_mode(const struct privmem_conv_info *ci)
{
	return PRIVMEM_MODE_INPLACE;
}

static struct privmem_policy_ops privmem_policy_inplace = {
	.allow		= privmem_inplace_allow,
	.mode		= privmem_inplace_mode,
	.partial_2m	= PRIVMEM_PARTIAL_2M_SMASH,
	.merge		= PRIVMEM_MERGE_NEVER,
	.id		= PRIVMEM_POLICY_ID_INPLACE,
	.name		= PRIVMEM_POLICY_NAME_INPLACE,
	.owner		= THIS_MODULE,
};

static int __init privmem_policy_inplace_init(void)
{
	return privmem_register_policy(&privmem_policy_inplace);
}
module_init(privmem_policy_inplace_init);

static void __exit privmem_policy_inplace_exit(void)
{
	/* Users hold module references, so there are none left. */
	WARN_ON(privmem_unregister_policy(&privmem_policy_inplace));
}
module_exit(privmem_policy_inplace_exit);

MODULE_ALIAS(PRIVMEM_POLICY_MODULE_PREFIX PRIVMEM_POLICY_NAME_INPLACE);
MODULE_DESCRIPTION("privmem policy inplace: explicit-only, non-destructive conversion");
MODULE_LICENSE("GPL");
