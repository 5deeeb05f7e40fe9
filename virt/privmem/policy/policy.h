/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals shared by the files of virt/privmem/policy/.
 */
#ifndef _PRIVMEM_POLICY_POLICY_H
#define _PRIVMEM_POLICY_POLICY_H

#include <linux/privmem_policy.h>

/* Names of the built-in policies; ids are in <linux/privmem_policy.h>. */
#define PRIVMEM_POLICY_NAME_CC		"cc"
#define PRIVMEM_POLICY_NAME_CC_STRICT	"cc-strict"
#define PRIVMEM_POLICY_NAME_INPLACE	"inplace"

/* registry.c */
bool privmem_policy_name_valid(const char *name);
const char *privmem_policy_builtin_name(u32 id);
u64 privmem_policy_builtin_mask(void);
size_t privmem_policy_list_names(char *buf, size_t size);

/* params.c */
bool privmem_param_implicit(void);
void privmem_param_default_policy(char *buf, size_t size);

#if IS_ENABLED(CONFIG_KUNIT)
struct kernel_param;
int privmem_param_default_policy_set(const char *val,
				     const struct kernel_param *kp);
void privmem_param_set_implicit(bool on);
#endif

#endif /* _PRIVMEM_POLICY_POLICY_H */
