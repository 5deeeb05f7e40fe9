// SPDX-License-Identifier: GPL-2.0
/*
 * The "cc" policy: the default for SEV-SNP, TDX and software-protected VMs.
 *
 * - Explicit conversions are allowed.
 * - Implicit conversions are allowed when the VM's copy of
 *   privmem.implicit_conversion is on.
 * - Conversions are destructive, except that pre-boot population keeps
 *   its data (see privmem_cc_mode()).
 * - A partial 2M private block is smashed, since SNP (PSMASH) and TDX
 *   (demote) can split a block without touching its contents.
 * - Uniform 4K blocks are merged back lazily (privmem_space_compact() or
 *   an explicit 2M request): guests flip single pages of a 2M block back
 *   and forth (bounce buffers), and merging eagerly would smash and
 *   merge the same block on every flip.
 */

#include <linux/module.h>
#include <linux/privmem_policy.h>

#include "cc_common.h"
#include "policy.h"

static int privmem_cc_allow(const struct privmem_conv_info *ci)
{
	/* The core does not ask about implicit requests when off. */
	if (ci->req == PRIVMEM_REQ_IMPLICIT && !ci->implicit_enabled)
		return -EPERM;
	return 0;
}

static struct privmem_policy_ops privmem_policy_cc = {
	.allow		= privmem_cc_allow,
	.mode		= privmem_cc_mode,
	.partial_2m	= PRIVMEM_PARTIAL_2M_SMASH,
	.merge		= PRIVMEM_MERGE_LAZY,
	.id		= PRIVMEM_POLICY_ID_CC,
	.name		= PRIVMEM_POLICY_NAME_CC,
	.owner		= THIS_MODULE,
};

static int __init privmem_policy_cc_init(void)
{
	return privmem_register_policy(&privmem_policy_cc);
}
module_init(privmem_policy_cc_init);

static void __exit privmem_policy_cc_exit(void)
{
	/* Users hold module references, so there are none left. */
	WARN_ON(privmem_unregister_policy(&privmem_policy_cc));
}
module_exit(privmem_policy_cc_exit);

MODULE_ALIAS(PRIVMEM_POLICY_MODULE_PREFIX PRIVMEM_POLICY_NAME_CC);
MODULE_DESCRIPTION("privmem policy cc: explicit and optional implicit, destructive conversion");
MODULE_LICENSE("GPL");
