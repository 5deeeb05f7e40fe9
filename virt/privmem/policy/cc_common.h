/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decisions shared by the "cc" and "cc-strict" policies.
 */
#ifndef _PRIVMEM_POLICY_CC_COMMON_H
#define _PRIVMEM_POLICY_CC_COMMON_H

#include <linux/privmem.h>

/**
 * privmem_cc_mode() - destructive, except for pre-boot population
 * @ci: the piece being converted.
 *
 * At run time the hardware gives a converted page a new owner (and, for
 * private memory, a new key): whatever it held is lost, so the backend
 * scrubs it before the other side can see the page.  Before launch a
 * conversion to private keeps the data the VMM wrote: the firmware
 * encrypts and measures it in place (SNP LAUNCH_UPDATE, TDX PAGE.ADD).
 * Private -> shared is destructive even before launch, so that private
 * contents never reach the host.
 *
 * Return: the mode.
 */
static inline enum privmem_mode
privmem_cc_mode(const struct privmem_conv_info *ci)
{
	if (ci->prelaunch && ci->to == PRIVMEM_PRIVATE)
		return PRIVMEM_MODE_INPLACE;
	return PRIVMEM_MODE_DESTRUCTIVE;
}

#endif /* _PRIVMEM_POLICY_CC_COMMON_H */
