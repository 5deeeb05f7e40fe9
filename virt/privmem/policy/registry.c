// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of privmem conversion policies.
 */

/**
 * DOC: Policy registry
 *
 * Policies sit on one RCU list, found by name or by their stable id.
 * Writers (register, unregister) take privmem_policy_lock; readers walk
 * the list under rcu_read_lock() only.
 *
 * A user of a policy holds a reference obtained from
 * privmem_policy_get_by_name(), privmem_policy_get_by_id() or
 * privmem_policy_get() and drops it with privmem_policy_put().  A
 * reference is two things:
 *
 *  - a module reference on &privmem_policy_ops.owner, so the module
 *    providing the policy cannot be unloaded (its exit function, the only
 *    place that unregisters a modular policy, cannot run), and
 *  - a count in privmem_policy_users[id], so that a policy registered by
 *    code that is not a module (built-in code, a KUnit suite, a future
 *    BPF path) cannot be unregistered either: privmem_unregister_policy()
 *    fails with -EBUSY while the count is not zero.
 *
 * The count of an unregistered policy is -1.  Unregistration moves it
 * from 0 to -1 with a cmpxchg under the lock; a reader takes a reference
 * with atomic_inc_unless_negative() inside the same RCU read section in
 * which it found the policy.  Either the reader wins (unregistration
 * sees a count and fails with -EBUSY) or unregistration wins (the reader
 * sees -1 and treats the policy as absent).  synchronize_rcu() at the end
 * of unregistration guarantees that no reader still holds the old
 * pointer when the id is registered again and its count reset to 0.
 */

#define pr_fmt(fmt) "privmem: " fmt

#include <linux/atomic.h>
#include <linux/export.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "policy.h"

static DEFINE_SPINLOCK(privmem_policy_lock);
static LIST_HEAD(privmem_policy_list);		/* Protected by privmem_policy_lock, RCU */
static atomic_t privmem_policy_users[PRIVMEM_POLICY_ID_MAX + 1];

/*
 * The policies this tree ships, whether built in, modular or not
 * configured: their names can be loaded on demand, and their ids map
 * back to a name to load.
 */
static const struct {
	const char *name;
	u32 id;
	bool configured;
} privmem_builtin_policies[] = {
	{ PRIVMEM_POLICY_NAME_CC, PRIVMEM_POLICY_ID_CC,
	  IS_ENABLED(CONFIG_PRIVMEM_POLICY_CC) },
	{ PRIVMEM_POLICY_NAME_CC_STRICT, PRIVMEM_POLICY_ID_CC_STRICT,
	  IS_ENABLED(CONFIG_PRIVMEM_POLICY_CC_STRICT) },
	{ PRIVMEM_POLICY_NAME_INPLACE, PRIVMEM_POLICY_ID_INPLACE,
	  IS_ENABLED(CONFIG_PRIVMEM_POLICY_INPLACE) },
};

/**
 * privmem_policy_name_valid() - is @name a well-formed policy name?
 * @name: the name.
 *
 * A name is 1 to %PRIVMEM_POLICY_NAME_MAX - 1 characters from [a-z0-9_-].
 * It becomes part of a module alias and of a module parameter value, so
 * nothing else is allowed.
 *
 * Return: true if it is.
 */
bool privmem_policy_name_valid(const char *name)
{
	size_t len = strnlen(name, PRIVMEM_POLICY_NAME_MAX);
	size_t i;

	if (!len || len == PRIVMEM_POLICY_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

/**
 * privmem_policy_builtin_name() - name of a policy shipped with privmem
 * @id: a policy id.
 *
 * Return: the name if @id is one of the built-in policies and its Kconfig
 * option is y or m, else NULL.
 */
const char *privmem_policy_builtin_name(u32 id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(privmem_builtin_policies); i++)
		if (privmem_builtin_policies[i].id == id &&
		    privmem_builtin_policies[i].configured)
			return privmem_builtin_policies[i].name;
	return NULL;
}

/**
 * privmem_policy_builtin_mask() - the shipped policies that are configured
 *
 * Return: a bitmask with bit N set if the built-in policy with id N is
 * built in or available as a module.
 */
u64 privmem_policy_builtin_mask(void)
{
	u64 mask = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(privmem_builtin_policies); i++)
		if (privmem_builtin_policies[i].configured)
			mask |= BIT_ULL(privmem_builtin_policies[i].id);
	return mask;
}

/* Caller holds privmem_policy_lock or rcu_read_lock(). */
static struct privmem_policy_ops *privmem_policy_find(const char *name)
{
	struct privmem_policy_ops *ops;

	list_for_each_entry_rcu(ops, &privmem_policy_list, list,
				lockdep_is_held(&privmem_policy_lock))
		if (!strncmp(ops->name, name, PRIVMEM_POLICY_NAME_MAX))
			return ops;
	return NULL;
}

/* Caller holds privmem_policy_lock or rcu_read_lock(). */
static struct privmem_policy_ops *privmem_policy_find_id(u32 id)
{
	struct privmem_policy_ops *ops;

	list_for_each_entry_rcu(ops, &privmem_policy_list, list,
				lockdep_is_held(&privmem_policy_lock))
		if (ops->id == id)
			return ops;
	return NULL;
}

/*
 * Take a reference on @ops, found under the current RCU read section.
 * Return: @ops, or NULL if it is being unregistered or its module is
 * going away.
 */
static const struct privmem_policy_ops *
privmem_policy_tryget(const struct privmem_policy_ops *ops)
{
	if (!ops)
		return NULL;
	if (!atomic_inc_unless_negative(&privmem_policy_users[ops->id]))
		return NULL;
	if (!try_module_get(ops->owner)) {
		atomic_dec(&privmem_policy_users[ops->id]);
		return NULL;
	}
	return ops;
}

/**
 * privmem_register_policy() - make a policy available to new spaces
 * @ops: the policy; it must stay valid until privmem_unregister_policy().
 *
 * The one registration path: checks @ops with privmem_policy_validate(),
 * then the registry's own rules (a well-formed name, an id in
 * [1, %PRIVMEM_POLICY_ID_MAX]), then uniqueness.  Typically called from
 * the init function of the policy's module.
 *
 * Context: Any context that may take a spinlock.
 * Return:
 * * 0 - registered.
 * * -EINVAL - privmem_policy_validate() refused @ops (a required op is
 *   missing or a field is out of range), the name is malformed, or the id
 *   is 0 or above %PRIVMEM_POLICY_ID_MAX.
 * * -EEXIST - a policy with the same name or the same id is registered.
 */
int privmem_register_policy(struct privmem_policy_ops *ops)
{
	int ret;

	ret = privmem_policy_validate(ops);
	if (ret) {
		pr_err("policy %.*s: missing required op or field out of range\n",
		       ops ? PRIVMEM_POLICY_NAME_MAX : 6, ops ? ops->name : "(null)");
		return ret;
	}
	if (!privmem_policy_name_valid(ops->name)) {
		pr_err("policy name \"%.*s\" is not 1-%d characters of [a-z0-9_-]\n",
		       PRIVMEM_POLICY_NAME_MAX, ops->name,
		       PRIVMEM_POLICY_NAME_MAX - 1);
		return -EINVAL;
	}
	if (ops->id == PRIVMEM_POLICY_ID_DEFAULT || ops->id > PRIVMEM_POLICY_ID_MAX) {
		pr_err("policy %s: id %u is not in [1, %d]\n", ops->name,
		       ops->id, PRIVMEM_POLICY_ID_MAX);
		return -EINVAL;
	}

	spin_lock(&privmem_policy_lock);
	if (privmem_policy_find(ops->name) || privmem_policy_find_id(ops->id)) {
		ret = -EEXIST;
	} else {
		atomic_set(&privmem_policy_users[ops->id], 0);
		list_add_tail_rcu(&ops->list, &privmem_policy_list);
	}
	spin_unlock(&privmem_policy_lock);

	if (ret)
		pr_notice("policy %s (id %u): name or id already registered\n",
			  ops->name, ops->id);
	else
		pr_debug("policy %s (id %u) registered\n", ops->name, ops->id);
	return ret;
}
EXPORT_SYMBOL_GPL(privmem_register_policy);

/**
 * privmem_unregister_policy() - withdraw a policy
 * @ops: a policy passed to privmem_register_policy().
 *
 * Fails while anyone holds a reference (a VM's &struct privmem_space_config,
 * a space): for a modular policy this cannot happen, since the references
 * also pin the module and its exit function cannot run.  On success, waits
 * for an RCU grace period so that no lockless reader still sees @ops.
 *
 * Context: Process context; sleeps.
 * Return:
 * * 0 - unregistered; @ops may be freed.
 * * -EBUSY - references are held; nothing changed.
 * * -ENOENT - @ops is not registered.
 */
int privmem_unregister_policy(struct privmem_policy_ops *ops)
{
	int ret = 0;

	might_sleep();

	spin_lock(&privmem_policy_lock);
	if (ops->id > PRIVMEM_POLICY_ID_MAX || privmem_policy_find_id(ops->id) != ops)
		ret = -ENOENT;
	else if (atomic_cmpxchg(&privmem_policy_users[ops->id], 0, -1) != 0)
		ret = -EBUSY;
	else
		list_del_rcu(&ops->list);
	spin_unlock(&privmem_policy_lock);

	if (ret)
		return ret;
	synchronize_rcu();
	pr_debug("policy %s (id %u) unregistered\n", ops->name, ops->id);
	return 0;
}
EXPORT_SYMBOL_GPL(privmem_unregister_policy);

/**
 * privmem_policy_get_by_name() - find a policy by name and take a reference
 * @name: the policy's name.
 *
 * If no policy of that name is registered, asks for the module
 * "privmem-policy-<name>" (request_module()) and looks again.  Only
 * well-formed names are passed to request_module(); a caller that takes
 * the name from an unprivileged user must check the user's rights first.
 *
 * Context: Process context; may sleep (module loading).
 * Return: the policy, with a reference to drop with privmem_policy_put(),
 * or NULL if there is no such policy (or it is being unregistered).
 */
const struct privmem_policy_ops *privmem_policy_get_by_name(const char *name)
{
	const struct privmem_policy_ops *ops;

	if (!privmem_policy_name_valid(name))
		return NULL;

	rcu_read_lock();
	ops = privmem_policy_tryget(privmem_policy_find(name));
	rcu_read_unlock();

	if (!ops && IS_ENABLED(CONFIG_MODULES)) {
		might_sleep();
		request_module(PRIVMEM_POLICY_MODULE_PREFIX "%s", name);
		rcu_read_lock();
		ops = privmem_policy_tryget(privmem_policy_find(name));
		rcu_read_unlock();
	}
	return ops;
}
EXPORT_SYMBOL_GPL(privmem_policy_get_by_name);

/**
 * privmem_policy_get_by_id() - find a policy by id and take a reference
 * @id: the policy's stable id, from 1 to %PRIVMEM_POLICY_ID_MAX.
 *
 * If no policy has that id and the id is one of the policies shipped with
 * privmem, loads that policy's module as privmem_policy_get_by_name()
 * does.  Ids of out-of-tree policies are only found while registered.
 *
 * Context: Process context; may sleep (module loading).
 * Return: the policy, with a reference to drop with privmem_policy_put(),
 * or NULL if there is no such policy.
 */
const struct privmem_policy_ops *privmem_policy_get_by_id(u32 id)
{
	const struct privmem_policy_ops *ops;
	const char *name;

	if (id == PRIVMEM_POLICY_ID_DEFAULT || id > PRIVMEM_POLICY_ID_MAX)
		return NULL;

	rcu_read_lock();
	ops = privmem_policy_tryget(privmem_policy_find_id(id));
	rcu_read_unlock();
	if (ops)
		return ops;

	name = privmem_policy_builtin_name(id);
	if (!name)
		return NULL;
	ops = privmem_policy_get_by_name(name);
	if (ops && ops->id != id) {
		/* Someone registered a different policy under that name. */
		privmem_policy_put(ops);
		ops = NULL;
	}
	return ops;
}
EXPORT_SYMBOL_GPL(privmem_policy_get_by_id);

/**
 * privmem_policy_get() - take another reference on a policy
 * @ops: a policy the caller knows by pointer (e.g. from a config).
 *
 * For code that keeps a policy beyond the life of the reference it got
 * the pointer with, e.g. a space created from a &struct privmem_space_config.
 *
 * Context: Any context.
 * Return: 0, or -ENOENT if @ops is not registered (or is being
 * unregistered, or its module is going away).
 */
int privmem_policy_get(const struct privmem_policy_ops *ops)
{
	const struct privmem_policy_ops *found;

	if (!ops || ops->id > PRIVMEM_POLICY_ID_MAX)
		return -ENOENT;

	rcu_read_lock();
	found = privmem_policy_find_id(ops->id);
	found = privmem_policy_tryget(found == ops ? found : NULL);
	rcu_read_unlock();
	return found ? 0 : -ENOENT;
}
EXPORT_SYMBOL_GPL(privmem_policy_get);

/**
 * privmem_policy_put() - drop a reference on a policy
 * @ops: a policy from privmem_policy_get_by_name(),
 *	privmem_policy_get_by_id() or privmem_policy_get(); NULL is ignored.
 *
 * Context: Any context.
 */
void privmem_policy_put(const struct privmem_policy_ops *ops)
{
	struct module *owner;

	if (!ops)
		return;
	owner = ops->owner;
	/* The module reference keeps @ops valid until module_put(). */
	WARN_ON_ONCE(atomic_dec_return(&privmem_policy_users[ops->id]) < 0);
	module_put(owner);
}
EXPORT_SYMBOL_GPL(privmem_policy_put);

/**
 * privmem_policy_known() - could a space get this policy by name?
 * @name: the policy's name.
 *
 * True if a policy of that name is registered now, or if it is one of the
 * policies shipped with privmem and configured (built in, or a module
 * that privmem_policy_get_by_name() will load).  Does not load anything,
 * so it may be used while parsing the kernel command line.
 *
 * Context: Any context.
 * Return: true if it could.
 */
bool privmem_policy_known(const char *name)
{
	bool found;
	size_t i;

	if (!privmem_policy_name_valid(name))
		return false;
	for (i = 0; i < ARRAY_SIZE(privmem_builtin_policies); i++)
		if (privmem_builtin_policies[i].configured &&
		    !strcmp(privmem_builtin_policies[i].name, name))
			return true;

	rcu_read_lock();
	found = privmem_policy_find(name);
	rcu_read_unlock();
	return found;
}
EXPORT_SYMBOL_GPL(privmem_policy_known);

/**
 * privmem_policy_list_names() - the names privmem_policy_known() accepts
 * @buf: where to write them, comma separated, NUL terminated.
 * @size: size of @buf.
 *
 * For error messages.
 *
 * Return: the length written, without the NUL.
 */
size_t privmem_policy_list_names(char *buf, size_t size)
{
	const struct privmem_policy_ops *ops;
	const char *sep = "";
	size_t len = 0;
	size_t i;

	if (!size)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(privmem_builtin_policies); i++) {
		if (!privmem_builtin_policies[i].configured)
			continue;
		len += scnprintf(buf + len, size - len, "%s%s", sep,
				 privmem_builtin_policies[i].name);
		sep = ", ";
	}

	rcu_read_lock();
	list_for_each_entry_rcu(ops, &privmem_policy_list, list) {
		bool builtin = false;

		for (i = 0; i < ARRAY_SIZE(privmem_builtin_policies); i++)
			if (!strcmp(privmem_builtin_policies[i].name, ops->name))
				builtin = true;
		if (builtin)
			continue;
		len += scnprintf(buf + len, size - len, "%s%s", sep, ops->name);
		sep = ", ";
	}
	rcu_read_unlock();
	return len;
}
