/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The range map: a maple tree from gfn ranges to a packed state.
 */
#ifndef _PRIVMEM_CORE_RANGE_H
#define _PRIVMEM_CORE_RANGE_H

#include "space.h"

/*
 * Packed state of a range: bit 0 is the attribute, bit 1 the granularity.
 * Shared ranges are always 4K, so three values are valid.  Stored in the
 * tree as xa_mk_value(state), which is never NULL (a gap means "outside
 * the bound span").
 */
#define PRIVMEM_ST_PRIVATE	BIT(0)
#define PRIVMEM_ST_2M		BIT(1)

#define PRIVMEM_ST_SHARED	0
#define PRIVMEM_ST_P4K		PRIVMEM_ST_PRIVATE
#define PRIVMEM_ST_P2M		(PRIVMEM_ST_PRIVATE | PRIVMEM_ST_2M)

static inline unsigned int privmem_st(enum privmem_attr attr,
				      enum privmem_gran gran)
{
	if (attr == PRIVMEM_SHARED)
		return PRIVMEM_ST_SHARED;
	return gran == PRIVMEM_GRAN_2M ? PRIVMEM_ST_P2M : PRIVMEM_ST_P4K;
}

static inline enum privmem_attr privmem_st_attr(unsigned int st)
{
	return st & PRIVMEM_ST_PRIVATE ? PRIVMEM_PRIVATE : PRIVMEM_SHARED;
}

static inline enum privmem_gran privmem_st_gran(unsigned int st)
{
	return st & PRIVMEM_ST_2M ? PRIVMEM_GRAN_2M : PRIVMEM_GRAN_4K;
}

static inline bool privmem_st_valid(unsigned int st)
{
	return st == PRIVMEM_ST_SHARED || st == PRIVMEM_ST_P4K ||
	       st == PRIVMEM_ST_P2M;
}

/**
 * struct privmem_range - one range of the map
 * @first: first frame.
 * @last: last frame (inclusive).
 * @st: packed state.
 */
struct privmem_range {
	u64 first;
	u64 last;
	unsigned int st;
};

/**
 * struct privmem_store - a store into the range map, reserved in advance
 * @mas: maple state holding the preallocated nodes.
 * @st: packed state to store.
 *
 * privmem_store_prepare() computes the range to write (widened to absorb
 * equal neighbours) and preallocates every node the write needs;
 * privmem_store_commit() then cannot fail.  Nothing else may write the
 * tree in between.
 */
struct privmem_store {
	struct ma_state mas;
	unsigned int st;
};

#if IS_ENABLED(CONFIG_KUNIT)
/* Reached by the KUnit suites through EXPORT_SYMBOL_IF_KUNIT. */
int privmem_range_prealloc(struct ma_state *mas, void *entry, gfp_t gfp);
#endif

void privmem_range_init(struct privmem_space *space);
void privmem_range_destroy(struct privmem_space *space);
int privmem_range_reset(struct privmem_space *space);
bool privmem_range_find(struct privmem_space *space, u64 gfn,
			struct privmem_range *r);
int privmem_range_load_rcu(struct privmem_space *space, u64 gfn,
			   unsigned int *st);
u64 privmem_range_count(struct privmem_space *space);
bool privmem_range_uniform(struct privmem_space *space, u64 first, u64 last,
			   unsigned int st);

int privmem_store_prepare(struct privmem_space *space,
			  struct privmem_store *store, u64 first, u64 last,
			  unsigned int st, gfp_t gfp);
void privmem_store_commit(struct privmem_space *space,
			  struct privmem_store *store);
void privmem_store_cancel(struct privmem_space *space,
			  struct privmem_store *store);
void privmem_store_nofail(struct privmem_space *space, u64 first, u64 last,
			  unsigned int st);

#endif /* _PRIVMEM_CORE_RANGE_H */
