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

#define PRIVMEM_BITMAP_LONGS	BITS_TO_LONGS(PRIVMEM_PAGES_2M)

/**
 * struct privmem_bitmap - the state of a fragmented 2M block
 * @rcu: frees the bitmap after the lock-free readers (first, so that
 *	the userspace build's kfree_rcu() frees the right pointer).
 * @bits: one bit per 4K frame of the block: set for private (at 4K),
 *	clear for shared.  Never all set nor all clear.
 *
 * Stored in the tree as a pointer covering exactly the block.
 */
struct privmem_bitmap {
	struct rcu_head rcu;
	unsigned long bits[PRIVMEM_BITMAP_LONGS];
};

/* The userspace build's kfree_rcu() frees the rcu_head's address. */
static_assert(offsetof(struct privmem_bitmap, rcu) == 0);

/* The uniform state of a block's bits, or -1 if they are mixed. */
static inline int privmem_bits_uniform(const unsigned long *bits)
{
	if (bitmap_empty(bits, PRIVMEM_PAGES_2M))
		return PRIVMEM_ST_SHARED;
	if (bitmap_full(bits, PRIVMEM_PAGES_2M))
		return PRIVMEM_ST_P4K;
	return -1;
}

/**
 * struct privmem_range - one run of frames in the same state
 * @first: first frame.
 * @last: last frame (inclusive).
 * @st: packed state.
 * @bitmap: the run lies in a bitmap block and ends at its edges at the
 *	latest: equal frames may continue on the other side.
 */
struct privmem_range {
	u64 first;
	u64 last;
	unsigned int st;
	bool bitmap;
};

/**
 * struct privmem_flip - an in-place update of a bitmap block
 * @bm: the bitmap in the tree.
 * @bits: its new contents, still mixed.
 */
struct privmem_flip {
	struct privmem_bitmap *bm;
	unsigned long bits[PRIVMEM_BITMAP_LONGS];
};

/**
 * struct privmem_store - a store into the range map, reserved in advance
 * @mas: maple state holding the preallocated nodes of the tree write.
 * @entry: what the tree write stores: a packed state (xa_mk_value()) or
 *	@new_bm.
 * @write: a tree write is prepared.
 * @new_bm: bitmap allocated for the write, freed on cancel.
 * @flip: in-place updates of bitmap blocks at the edges of the store.
 * @nr_flip: number of them.
 * @dead: bitmaps the tree write drops, freed after it.
 * @nr_dead: number of them.
 * @dead_inline: storage for @dead in the common case.
 *
 * privmem_store_prepare() works out how the map will represent the new
 * state: a bitmap update in place, one tree write (widened to absorb
 * equal neighbours), or both; it allocates everything that needs, so
 * that privmem_store_commit() cannot fail.  Nothing else may write the
 * tree in between.
 */
struct privmem_store {
	struct ma_state mas;
	void *entry;
	bool write;
	struct privmem_bitmap *new_bm;
	struct privmem_flip flip[2];
	unsigned int nr_flip;
	struct privmem_bitmap **dead;
	unsigned int nr_dead;
	struct privmem_bitmap *dead_inline[2];
};

#if IS_ENABLED(CONFIG_KUNIT)
/* Reached by the KUnit suites through EXPORT_SYMBOL_IF_KUNIT. */
int privmem_range_prealloc(struct ma_state *mas, void *entry, gfp_t gfp);
struct privmem_bitmap *privmem_bitmap_alloc(gfp_t gfp);
#endif

void privmem_range_init(struct privmem_space *space);
void privmem_range_destroy(struct privmem_space *space);
int privmem_range_reset(struct privmem_space *space);
bool privmem_range_find(struct privmem_space *space, u64 gfn,
			struct privmem_range *r);
int privmem_range_load_rcu(struct privmem_space *space, u64 gfn,
			   unsigned int *st);
u64 privmem_range_count(struct privmem_space *space, u64 *bitmaps);
int privmem_range_walk(struct privmem_space *space, u64 gfn, u64 end,
		       int (*fn)(void *arg, const struct privmem_range *r),
		       void *arg);
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
