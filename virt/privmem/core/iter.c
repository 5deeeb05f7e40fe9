// SPDX-License-Identifier: GPL-2.0
/*
 * Walking the range map.
 */

/**
 * DOC: Range iterator
 *
 * privmem_walk_ranges() reports the state of a gfn span as the range
 * map holds it: one callback per maximal run of equal frames, clipped to
 * the span, in address order.  It costs one tree descent plus one step
 * per entry and per run inside a bitmap block, where asking
 * privmem_lookup() for every frame costs a descent per 4K page.
 *
 * The walk holds the space's mutex, not just RCU: a conversion holds the
 * same mutex from before it opens its converting window until after it
 * closes it, so the walk never meets a half-converted range (which a
 * lock-free reader sees as -EAGAIN) and the ranges it reports are one
 * consistent picture, each maximal (a run that crosses from a bitmap
 * block into a range is reported once).
 * The price is that a walk waits for a conversion in progress and delays
 * the next one, so the callback must be short: it runs with the mutex
 * held, must not call privmem for the same space and must not touch user
 * memory (a fault could wait on that space's conversions).  A caller
 * that copies the ranges to user space collects them in a kernel buffer
 * and stops the walk (by returning a positive value) when it is full.
 */
#include "privmem_internal.h"
#include "range.h"

struct privmem_walk {
	privmem_range_fn fn;
	void *arg;
};

static int privmem_walk_one(void *arg, const struct privmem_range *r)
{
	struct privmem_walk *w = arg;

	return w->fn(w->arg, r->first, r->last - r->first + 1,
		     privmem_st_attr(r->st), privmem_st_gran(r->st));
}

/**
 * privmem_walk_ranges() - report the ranges of a gfn span
 * @space: the space.
 * @gfn: first frame of the span.
 * @end: frame after the last one of the span.
 * @fn: called for each range in [@gfn, @end), in address order, with
 *	@arg, the range's first frame and length (clipped to the span), its
 *	attribute and its granularity (4K for shared ranges).  Returns 0 to
 *	go on; anything else stops the walk.  Called with the space's mutex
 *	held: it must not call privmem for @space nor access user memory.
 * @arg: passed to @fn.
 *
 * Takes the space's mutex; may sleep.  See "DOC: Range iterator".
 *
 * Return: 0 once @fn has seen the whole span; the first non-zero value
 * @fn returned (a positive value lets the caller stop without an error);
 * -EINVAL if @gfn >= @end; -ENOENT if part of the span lies outside the
 * bound span (before any call of @fn); -ENXIO if the space is not bound;
 * -ENODEV if it is dead.
 */
int privmem_walk_ranges(struct privmem_space *space, u64 gfn, u64 end,
			privmem_range_fn fn, void *arg)
{
	struct privmem_walk w = { .fn = fn, .arg = arg };
	int ret = 0;

	if (gfn >= end)
		return -EINVAL;

	mutex_lock(&space->lock);
	ret = privmem_space_op_errno(space->state, PRIVMEM_SPACE_OP_USE);
	if (ret)
		goto out;
	if (gfn < space->base || end > privmem_space_end(space)) {
		ret = -ENOENT;
		goto out;
	}
	/* The entries cover the bound span without gaps (check.c). */
	ret = privmem_range_walk(space, gfn, end, privmem_walk_one, &w);
out:
	mutex_unlock(&space->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(privmem_walk_ranges);
