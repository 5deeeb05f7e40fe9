// SPDX-License-Identifier: GPL-2.0
/*
 * The fault-path decision: convert implicitly, or exit to the VMM.
 */

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/privmem_policy.h>

/**
 * privmem_fault() - decide what to do with a guest access to a frame
 * @space: the faulting VM's space.
 * @gfn: the frame accessed.
 * @access: the access type: %PRIVMEM_PRIVATE for a private (encrypted)
 *	access, %PRIVMEM_SHARED for a shared one.
 *
 * If @gfn already has the attribute @access asks for, nothing is done.
 * Otherwise the fault asks for an implicit conversion.  It is carried out,
 * as a 4K %PRIVMEM_CONVERT_IMPLICIT request through privmem_convert(), only
 * if the space's copy of the implicit-conversion switch is on and the
 * space's policy allows it (a partial 2M block is smashed or refused as
 * the policy says).  In every other case the caller should exit to the
 * VMM with KVM_EXIT_MEMORY_FAULT, reporting @gfn and @access, so that the
 * VMM can convert explicitly or kill the guest.
 *
 * Context: Process context, without the space's conversion mutex; may
 * sleep (the conversion takes the mutex and calls backend and arch ops).
 * Return: an &enum privmem_fault_result (>= 0), or a negative errno:
 * * -EINVAL - @access is not an attribute.
 * * -ENOENT - @gfn is outside the space's bound span.
 * * -ENXIO - the space is not bound yet.
 * * -ENODEV - the space is dead.
 * * another errno from privmem_lookup() or privmem_convert() when the
 *   conversion was allowed but failed (e.g. -ENOMEM from the backend);
 *   the frame is unchanged.
 */
int privmem_fault(struct privmem_space *space, u64 gfn,
		  enum privmem_attr access)
{
	struct privmem_entry entry = {
		.gfn = gfn,
		.npages = 1,
		.attr = access,
		.gran = PRIVMEM_GRAN_4K,
	};
	enum privmem_attr attr;
	enum privmem_gran gran;
	unsigned int done = 0;
	int ret;

	if (access != PRIVMEM_SHARED && access != PRIVMEM_PRIVATE)
		return -EINVAL;

	ret = privmem_lookup(space, gfn, &attr, &gran);
	if (ret == -EAGAIN)
		return PRIVMEM_FAULT_RETRY;
	if (ret)
		return ret;
	if (attr == access)
		return PRIVMEM_FAULT_MAPPED;

	/* The copy taken at creation, never the module parameter. */
	if (!privmem_space_implicit(space))
		return PRIVMEM_FAULT_EXIT;

	ret = privmem_convert(space, &entry, 1, PRIVMEM_CONVERT_IMPLICIT, &done, NULL);
	switch (ret) {
	case 0:
		return PRIVMEM_FAULT_CONVERTED;
	case -EPERM:
		/* The policy (or the core on its behalf) refused. */
		return PRIVMEM_FAULT_EXIT;
	case -EAGAIN:
		return PRIVMEM_FAULT_RETRY;
	default:
		return ret;
	}
}
EXPORT_SYMBOL_GPL(privmem_fault);
