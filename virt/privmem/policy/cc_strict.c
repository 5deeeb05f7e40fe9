// SPDX-License-Identifier: GPL-2.0
/*
 * The "cc-strict" policy: "cc" without implicit conversion.
 *
 * - Explicit conversions are allowed.
 * - Every implicit conversion is refused, whatever the VM's copy of
 *   privmem.implicit_conversion says: a fault whose access type differs
 *   from the memory's attribute always exits to the VMM.
 * - Destructive like "cc", pre-boot population kept (privmem_cc_mode()).
 * - A partial 2M block is smashed, and 4K blocks are merged back lazily,
 *   for the reasons given in cc.c.
 */

#include <linux/module.h>
#include <linux/privmem_policy.h>

#include "cc_common.h"
#include "policy.h"

static int privmem_cc_strict_allow(const struct privmem_conv_info *ci)
{
	return ci->req == PRIVMEM_REQ_EXPLICIT ? 0 : -EPERM;
}

static struct privmem_policy_ops privmem_policy_cc_strict = {
	.allow		= privmem_cc_strict_allow,
	.mode		= privmem_cc_mode,
	.partial_2m	= PRIVMEM_PARTIAL_2M_SMASH,
	.merge		= PRIVMEM_MERGE_LAZY,
	.id		= PRIVMEM_POLICY_ID_CC_STRICT,
	.name		= PRIVMEM_POLICY_NAME_CC_STRICT,
	.owner		= THIS_MODULE,
};

static int __init privmem_policy_cc_strict_init(void)
{
	return privmem_register_policy(&privmem_policy_cc_strict);
}
module_init(privmem_policy_cc_strict_init);

static void __exit privmem_policy_cc_strict_exit(void)
{
	/* Users hold module references, so there are none left. */
	WARN_ON(privmem_unregister_policy(&privmem_policy_cc_strict));
}
module_exit(privmem_policy_cc_strict_exit);

MODULE_ALIAS(PRIVMEM_POLICY_MODULE_PREFIX PRIVMEM_POLICY_NAME_CC_STRICT);
MODULE_DESCRIPTION("privmem policy cc-strict: explicit-only, destructive conversion");
MODULE_LICENSE("GPL");
