/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct privmem_space: the per-VM state of the privmem core.
 */
#ifndef _PRIVMEM_CORE_SPACE_H
#define _PRIVMEM_CORE_SPACE_H

#include "privmem_internal.h"

/**
 * struct privmem_space - the private/shared state of one VM's memory
 * @lock: serialises conversions and lifecycle changes of this space; it
 *	is also the maple tree's external lock, so writers of @ranges are
 *	checked by lockdep.
 * @ranges: gfn -> packed state or bitmap block (see "DOC: Range map").
 *	Written under @lock; read under @lock or RCU.
 * @map_gen: counts the writes to @ranges, so that the counts below are
 *	only recomputed after a change.
 * @count_gen: @map_gen when @stats.ranges and @stats.bitmaps were last
 *	counted.
 * @hint: the entry privmem_range_find() last found, valid while @map_gen
 *	is @hint.gen: planning an entry and storing its step find the same
 *	entry, and the store then need not descend the tree again.
 * @conv_seq: orders lock-free readers against @conv_first/@conv_last.
 * @conv_first: first frame of the range being converted.
 * @conv_last: last frame of the range being converted; @conv_first >
 *	@conv_last when nothing is being converted.
 * @state: lifecycle state.
 * @base: first frame of the bound span.
 * @npages: number of frames in the bound span.
 * @policy: the policy, copied from the config at creation.
 * @implicit: the implicit-conversion switch, copied at creation.
 * @backend: backend ops, set by privmem_space_bind().
 * @backend_priv: backend cookie.
 * @arch: arch ops, set by privmem_space_bind().
 * @arch_priv: arch cookie.
 * @stats: counters; @stats.ranges and @stats.bitmaps are counted when
 *	read, if the map changed since they last were.
 *
 * @conv_first, @conv_last and @state are written under @lock and
 * @conv_seq and read locklessly by privmem_lookup().  @base, @npages and
 * the ops are written once by privmem_space_bind() before @state leaves
 * CREATED (release) and are constant afterwards.  @policy and @implicit
 * are constant for the life of the space.
 */
struct privmem_space {
	struct mutex lock;			/* conversions, lifecycle, tree */
	struct maple_tree ranges;		/* Protected by @lock, RCU */
	u64 map_gen;				/* Protected by @lock */
	u64 count_gen;				/* Protected by @lock */
	struct {
		u64 gen;
		u64 first;
		u64 last;
		void *entry;
	} hint;					/* Protected by @lock */
	seqcount_t conv_seq;
	u64 conv_first;				/* Protected by @lock, @conv_seq */
	u64 conv_last;				/* Protected by @lock, @conv_seq */
	enum privmem_space_state state;		/* Protected by @lock */
	u64 base;
	u64 npages;
	const struct privmem_policy_ops *policy;
	bool implicit;
	const struct privmem_backend_ops *backend;
	void *backend_priv;
	const struct privmem_arch_ops *arch;
	void *arch_priv;
	struct privmem_stats stats;		/* Protected by @lock */
};

static inline u64 privmem_space_end(const struct privmem_space *space)
{
	return space->base + space->npages;
}

/* True if the arch can split a private 2M block later, so 2M may be used. */
static inline bool privmem_space_has_2m(const struct privmem_space *space)
{
	return space->arch && space->arch->split_2m;
}

/**
 * enum privmem_space_op - what a call wants to do with a space
 * @PRIVMEM_SPACE_OP_BIND: privmem_space_bind().
 * @PRIVMEM_SPACE_OP_POPULATE_DONE: privmem_space_populate_done().
 * @PRIVMEM_SPACE_OP_LAUNCH: privmem_space_launch().
 * @PRIVMEM_SPACE_OP_USE: read or change the range map: privmem_convert(),
 *	privmem_lookup(), privmem_walk_ranges(), privmem_space_compact().
 * @PRIVMEM_SPACE_NR_OPS: number of operations.
 *
 * privmem_space_op_errno() says whether a state allows one; the table is
 * in space.c, under "DOC: Space lifecycle".
 */
enum privmem_space_op {
	PRIVMEM_SPACE_OP_BIND,
	PRIVMEM_SPACE_OP_POPULATE_DONE,
	PRIVMEM_SPACE_OP_LAUNCH,
	PRIVMEM_SPACE_OP_USE,
	PRIVMEM_SPACE_NR_OPS,
};

int privmem_space_op_errno(enum privmem_space_state state,
			   enum privmem_space_op op);
void privmem_space_mark(struct privmem_space *space, u64 first, u64 last);
void privmem_space_unmark(struct privmem_space *space);
int __privmem_space_check(struct privmem_space *space);
void __privmem_space_kill(struct privmem_space *space);

#endif /* _PRIVMEM_CORE_SPACE_H */
