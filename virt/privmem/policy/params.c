// SPDX-License-Identifier: GPL-2.0
/*
 * privmem module parameters: privmem.implicit_conversion and
 * privmem.default_policy.
 */

/**
 * DOC: Module parameters
 *
 * Both parameters are writable at run time (0644) and on the kernel
 * command line.  They are read only by privmem_config_init(), which KVM
 * calls once per VM, when its VMM enables privmem
 * (KVM_ENABLE_CAP(KVM_CAP_PRIVMEM)), not at KVM_CREATE_VM; the values are
 * copied into the VM's &struct privmem_space_config and from there into
 * its space.  So a change affects VMs that enable privmem afterwards and
 * never one that already did, and no conversion ever re-reads a
 * parameter.
 *
 * default_policy is checked by its setter: it must be empty (use the
 * per-VM-type default) or name a policy that privmem_policy_known()
 * accepts: a policy shipped with privmem whose Kconfig option is y or m
 * (it need not be loaded yet: privmem_config_init() loads it on demand),
 * or any policy registered at the time of the write.
 */

#define pr_fmt(fmt) "privmem: " fmt

#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <kunit/visibility.h>

#include "policy.h"

/*
 * The parameters are named privmem.<name> on the command line and in
 * /sys/module/privmem/parameters/ whatever object file they live in.
 * In a modular build the module itself is named privmem and the prefix
 * must stay empty, or modprobe could not pass privmem.<name>=.
 */
#ifndef MODULE
#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "privmem."
#endif

static bool privmem_implicit_conversion;
module_param_named(implicit_conversion, privmem_implicit_conversion, bool, 0644);
MODULE_PARM_DESC(implicit_conversion,
		 "Convert memory implicitly on a fault whose access type differs from the memory's attribute, for VMs created afterwards whose policy permits it (bool: 0 or 1; default 0, off: such faults exit to the VMM)");

static DEFINE_SPINLOCK(privmem_params_lock);
/* Empty: the per-VM-type default.  Protected by privmem_params_lock. */
static char privmem_default_policy[PRIVMEM_POLICY_NAME_MAX];

/**
 * privmem_param_default_policy_set() - setter of privmem.default_policy
 * @val: the new value; one trailing newline is ignored.
 * @kp: the parameter.
 *
 * Return: 0, or -EINVAL (with a message naming @val and the accepted
 * values) if @val is neither empty nor a known policy.
 */
VISIBLE_IF_KUNIT int privmem_param_default_policy_set(const char *val,
						      const struct kernel_param *kp)
{
	char name[PRIVMEM_POLICY_NAME_MAX];
	char allowed[128];
	size_t len = strcspn(val, "\n");

	if (len >= sizeof(name) || (val[len] && val[len + 1])) {
		pr_err("default_policy: \"%s\" is not a policy name\n", val);
		return -EINVAL;
	}
	memcpy(name, val, len);
	name[len] = '\0';

	if (len && !privmem_policy_known(name)) {
		privmem_policy_list_names(allowed, sizeof(allowed));
		pr_err("default_policy: unknown policy \"%s\"; allowed: %s, or empty for the per-VM-type default\n",
		       name, allowed);
		return -EINVAL;
	}

	spin_lock(&privmem_params_lock);
	strscpy(privmem_default_policy, name);
	spin_unlock(&privmem_params_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(privmem_param_default_policy_set);

static int privmem_param_default_policy_get(char *buffer,
					    const struct kernel_param *kp)
{
	char name[PRIVMEM_POLICY_NAME_MAX];

	privmem_param_default_policy(name, sizeof(name));
	return sysfs_emit(buffer, "%s\n", name);
}

static const struct kernel_param_ops privmem_param_default_policy_ops = {
	.set = privmem_param_default_policy_set,
	.get = privmem_param_default_policy_get,
};
module_param_cb(default_policy, &privmem_param_default_policy_ops, NULL, 0644);
MODULE_PARM_DESC(default_policy,
		 "Policy for VMs created afterwards whose VM type supports it (string: empty or a policy name such as cc, cc-strict, inplace; default empty: the per-VM-type default)");

/**
 * privmem_param_implicit() - current value of privmem.implicit_conversion
 *
 * Return: the switch; the caller copies it once.
 */
bool privmem_param_implicit(void)
{
	return READ_ONCE(privmem_implicit_conversion);
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * privmem_param_set_implicit() - change privmem.implicit_conversion
 * @on: the new value.
 *
 * What writing the parameter does; for tests.
 */
void privmem_param_set_implicit(bool on)
{
	WRITE_ONCE(privmem_implicit_conversion, on);
}
EXPORT_SYMBOL_IF_KUNIT(privmem_param_set_implicit);
#endif

/**
 * privmem_param_default_policy() - current value of privmem.default_policy
 * @buf: receives a copy, possibly empty.
 * @size: size of @buf, at least %PRIVMEM_POLICY_NAME_MAX.
 */
void privmem_param_default_policy(char *buf, size_t size)
{
	spin_lock(&privmem_params_lock);
	strscpy(buf, privmem_default_policy, size);
	spin_unlock(&privmem_params_lock);
}
