// SPDX-License-Identifier: GPL-2.0
/*
 * Merging uniform 4K private blocks back to 2M (unsmash, TDX promote).
 */

/**
 * DOC: Merging back
 *
 * A 2M aligned block whose 512 frames are all private at 4K (after a
 * smash, or after 4K conversions to private) may be mapped at 2M again.
 * When depends on the policy's &privmem_policy_ops.merge:
 *
 *  - EAGER: privmem_merge_pass() runs after every entry that converted
 *    frames to private, over the blocks that entry touched;
 *  - LAZY: privmem_space_compact() merges every such block on request;
 *  - NEVER: only an explicit 2M request merges (see plan.c).
 *
 * Each merge is a MERGE step of its own (step.c), marked converting while
 * it runs.  An opportunistic merge that fails is not an error: the block
 * simply stays at 4K.
 */
#include "privmem_internal.h"
#include "convert.h"
#include "range.h"

#define PRIVMEM_MASK_2M		((u64)PRIVMEM_PAGES_2M - 1)

static bool privmem_can_merge(const struct privmem_space *space)
{
	return privmem_space_has_2m(space) && space->arch->merge_2m;
}

static int privmem_merge_block(struct privmem_space *space, u64 gfn)
{
	struct privmem_step step = {
		.kind = PRIVMEM_STEP_MERGE,
		.op = {
			.space = space,
			.gfn = gfn,
			.npages = PRIVMEM_PAGES_2M,
			.from = PRIVMEM_PRIVATE,
			.to = PRIVMEM_PRIVATE,
			.gran = PRIVMEM_GRAN_2M,
		},
	};
	int ret;

	privmem_space_mark(space, gfn, gfn + PRIVMEM_MASK_2M);
	ret = privmem_step_run(space, &step);
	privmem_space_unmark(space);
	return ret;
}

/**
 * privmem_merge_pass() - eagerly merge the uniform blocks of a range
 * @space: the space; its lock must be held.
 * @first: first frame converted to private.
 * @last: last frame converted to private.
 *
 * Does nothing unless the policy merges eagerly and the arch can merge.
 */
void privmem_merge_pass(struct privmem_space *space, u64 first, u64 last)
{
	u64 b;

	lockdep_assert_held(&space->lock);
	if (space->policy->merge != PRIVMEM_MERGE_EAGER ||
	    !privmem_can_merge(space))
		return;

	for (b = first & ~PRIVMEM_MASK_2M; b <= last; b += PRIVMEM_PAGES_2M) {
		if (b < space->base ||
		    b + PRIVMEM_MASK_2M >= privmem_space_end(space))
			continue;
		if (privmem_range_uniform(space, b, b + PRIVMEM_MASK_2M,
					  PRIVMEM_ST_P4K))
			privmem_merge_block(space, b);
	}
}

/**
 * privmem_space_compact() - merge every uniform 4K private block to 2M
 * @space: the space.
 *
 * For policies that merge lazily (or eagerly, to catch blocks an earlier
 * failed merge left behind); does nothing for %PRIVMEM_MERGE_NEVER or
 * when the arch ops cannot merge.  Takes the conversion mutex; may sleep.
 *
 * Return: the number of blocks merged; -ENXIO before privmem_space_bind();
 * -ENODEV once the space is dead.
 */
int privmem_space_compact(struct privmem_space *space)
{
	struct privmem_range r;
	u64 gfn, end;
	int n = 0;

	mutex_lock(&space->lock);
	n = privmem_space_op_errno(space->state, PRIVMEM_SPACE_OP_USE);
	if (n)
		goto out;
	if (space->policy->merge == PRIVMEM_MERGE_NEVER ||
	    !privmem_can_merge(space))
		goto out;

	end = privmem_space_end(space);
	gfn = (space->base + PRIVMEM_MASK_2M) & ~PRIVMEM_MASK_2M;
	while (gfn + PRIVMEM_MASK_2M < end) {
		if (!privmem_range_find(space, gfn, &r))
			break;
		if (r.st == PRIVMEM_ST_P4K && r.last >= gfn + PRIVMEM_MASK_2M) {
			if (!privmem_merge_block(space, gfn))
				n++;
			gfn += PRIVMEM_PAGES_2M;
			continue;
		}
		gfn = (r.last + 1 + PRIVMEM_MASK_2M) & ~PRIVMEM_MASK_2M;
	}
	if (IS_ENABLED(CONFIG_PRIVMEM_DEBUG))
		WARN_ON(__privmem_space_check(space));
out:
	mutex_unlock(&space->lock);
	return n;
}
EXPORT_SYMBOL_GPL(privmem_space_compact);
