// SPDX-License-Identifier: GPL-2.0
/*
 * The invariant checker.
 *
 * Verifies the bookkeeping invariants of Documentation/virt/privmem.rst
 * on the range map ("DOC: Range map"):
 *
 *  - entries are disjoint and exactly cover the bound span;
 *  - every state is valid, and shared ranges are 4K;
 *  - a 2M range is 2M aligned and a multiple of 2M;
 *  - no two adjacent ranges hold the same state (memory is O(ranges));
 *  - a bitmap covers exactly one 2M block and is neither all private
 *    nor all shared;
 *  - no range is marked converting while no conversion runs.
 *
 * The content invariants (destructive conversions scrub, in-place ones
 * keep the page) belong to the backend and are checked by its tests.
 * With CONFIG_PRIVMEM_DEBUG the check runs after every conversion.
 */
#include "privmem_internal.h"
#include "range.h"

#define privmem_bad(fmt, ...)						\
	({ pr_err("privmem: invariant: " fmt "\n", ##__VA_ARGS__);	\
	   -EUCLEAN; })

/* A bitmap covers one whole 2M block of the span and is mixed. */
static int privmem_check_bitmap(struct privmem_space *space,
				const struct ma_state *mas, void *entry)
{
	const struct privmem_bitmap *bm = entry;

	if (!entry || ((unsigned long)entry & 7))
		return privmem_bad("entry %p at %lx is neither a state nor a bitmap",
				   entry, mas->index);
	if ((mas->index & (PRIVMEM_PAGES_2M - 1)) ||
	    mas->last != mas->index + PRIVMEM_PAGES_2M - 1)
		return privmem_bad("bitmap [%lx, %lx] is not one 2M block",
				   mas->index, mas->last);
	if (privmem_bits_uniform(bm->bits) >= 0)
		return privmem_bad("bitmap [%lx, %lx] is uniform",
				   mas->index, mas->last);
	return 0;
}

/* The check proper; the mutex must be held. */
int __privmem_space_check(struct privmem_space *space)
{
	MA_STATE(mas, &space->ranges, 0, 0);
	unsigned int prev = ~0U, st;
	u64 next, end;
	void *entry;
	int ret;

	lockdep_assert_held(&space->lock);
	if (space->conv_first <= space->conv_last)
		return privmem_bad("converting window [%llx, %llx] left open",
				   space->conv_first, space->conv_last);
	if (space->state == PRIVMEM_SPACE_DEAD)
		return 0;	/* nothing is tracked any more */
	if (space->state == PRIVMEM_SPACE_CREATED) {
		if (mas_find(&mas, ULONG_MAX))
			return privmem_bad("ranges without a bound span");
		return 0;
	}

	next = space->base;
	end = privmem_space_end(space);
	mas_for_each(&mas, entry, ULONG_MAX) {
		if (mas.index != next)
			return privmem_bad("range [%lx, %lx] does not start at %llx",
					   mas.index, mas.last, next);
		if (mas.last >= end)
			return privmem_bad("range [%lx, %lx] beyond span end %llx",
					   mas.index, mas.last, end);
		next = (u64)mas.last + 1;
		if (!xa_is_value(entry)) {
			ret = privmem_check_bitmap(space, &mas, entry);
			if (ret)
				return ret;
			prev = ~0U;	/* a range may equal a bitmap's edge */
			continue;
		}
		st = xa_to_value(entry);
		if (!privmem_st_valid(st))
			return privmem_bad("range [%lx, %lx] has state %x",
					   mas.index, mas.last, st);
		if (st == PRIVMEM_ST_P2M &&
		    ((mas.index | (mas.last + 1)) & (PRIVMEM_PAGES_2M - 1)))
			return privmem_bad("2M range [%lx, %lx] misaligned",
					   mas.index, mas.last);
		if (st == prev)
			return privmem_bad("range [%lx, %lx] equals its left neighbour",
					   mas.index, mas.last);
		prev = st;
	}
	if (next != end)
		return privmem_bad("ranges end at %llx, span at %llx", next, end);
	return 0;
}

/**
 * privmem_space_check() - verify a space's invariants
 * @space: the space.
 *
 * Takes the mutex; may sleep.  Logs the first violation found.
 *
 * Return: 0 if every invariant holds, -EUCLEAN otherwise.
 */
int privmem_space_check(struct privmem_space *space)
{
	int ret;

	mutex_lock(&space->lock);
	ret = __privmem_space_check(space);
	mutex_unlock(&space->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(privmem_space_check);
