// SPDX-License-Identifier: GPL-2.0
/*
 * The range map of a privmem space.
 */
/**
 * DOC: Range map
 *
 * A maple tree maps every frame of the bound span to a packed state
 * (range.h).  Uniform stretches are ranges: one entry, whatever their
 * length, so a fully private 64 GiB space costs a few hundred bytes.  A
 * full 2M block of the span whose 4K frames are mixed may instead be a
 * *bitmap block*: one entry covering the block, pointing to a 512-bit
 * &struct privmem_bitmap (a bit per frame, set for private).  Guests
 * fragment memory a page at a time (DMA buffers, lazy acceptance,
 * set_memory_decrypted()), and in a bitmap block such a conversion is a
 * word store instead of a tree write that splits ranges, allocates
 * nodes and frees the old ones after a grace period.
 *
 * The representation obeys these rules, which __privmem_space_check()
 * verifies:
 *
 *  - entries cover the span without gaps; a 2M range is 2M aligned;
 *  - two adjacent ranges never hold the same state (every tree write
 *    widens itself over equal neighbouring ranges);
 *  - a bitmap covers exactly one 2M-aligned block inside the span and is
 *    never uniform: a store that makes it uniform replaces it by a range.
 *
 * A mixed block need not be a bitmap: a store inside one block turns the
 * block into a bitmap when the result is mixed, a store across blocks
 * leaves the ranges at its ends as ranges.  So a run of equal frames may
 * cross from a bitmap into a range; privmem_range_find() reports runs
 * clipped to the bitmap's block, and the walks (privmem_walk_ranges(),
 * privmem_range_count()) join them, so that callers see maximal runs.
 * Memory stays proportional to the entries: at most one 80-byte bitmap
 * per 2M block, whatever the pattern.
 *
 * The tree uses the space's mutex as its external lock and runs in RCU
 * mode, so privmem_lookup() can read it, and a bitmap, without the lock.
 * Writers use privmem_store_prepare() before they touch any page or
 * hardware state: it allocates the bitmap a store needs and the tree
 * nodes (mas_preallocate()), so that recording a completed step
 * (privmem_store_commit()) cannot fail.  A bitmap updated in place is
 * written a word at a time inside the converting window; a bitmap the
 * tree drops is freed by kfree_rcu().  Only undo paths, which run after
 * a failure, allocate at store time, with __GFP_NOFAIL as mas_erase()
 * does.
 */
#include "privmem_internal.h"
#include "range.h"

#define PRIVMEM_MASK_2M		((u64)PRIVMEM_PAGES_2M - 1)

static inline void *privmem_st_entry(unsigned int st)
{
	return xa_mk_value(st);
}

static inline bool privmem_entry_is_bitmap(const void *entry)
{
	return !xa_is_value(entry);
}

static inline u64 privmem_block(u64 gfn)
{
	return gfn & ~PRIVMEM_MASK_2M;
}

/* May the block at @b be a bitmap block: is all of it in the span? */
static bool privmem_block_full(const struct privmem_space *space, u64 b)
{
	return b >= space->base && b + PRIVMEM_MASK_2M < privmem_space_end(space);
}

static unsigned int privmem_bit_st(const unsigned long *bits, unsigned int i)
{
	return test_bit(i, bits) ? PRIVMEM_ST_P4K : PRIVMEM_ST_SHARED;
}

/* Set bits [@lo, @hi] of @bits to @st (shared or private 4K). */
static void privmem_bits_assign(unsigned long *bits, unsigned int lo,
				unsigned int hi, unsigned int st)
{
	if (st & PRIVMEM_ST_PRIVATE)
		bitmap_set(bits, lo, hi - lo + 1);
	else
		bitmap_clear(bits, lo, hi - lo + 1);
}

/* First bit at or before @i that starts the run holding @i. */
static unsigned int privmem_bits_run_start(const unsigned long *bits,
					   unsigned int i)
{
	bool set = test_bit(i, bits);

	while (i && test_bit(i - 1, bits) == set) {
		unsigned int w = (i - 1) / BITS_PER_LONG;
		unsigned long x = set ? ~bits[w] : bits[w];

		/* frames of word w below i that differ from @set */
		x &= (i - 1) % BITS_PER_LONG == BITS_PER_LONG - 1 ? ~0UL :
		     (2UL << ((i - 1) % BITS_PER_LONG)) - 1;
		if (x)
			return w * BITS_PER_LONG + __fls(x) + 1;
		i = w * BITS_PER_LONG;
	}
	return i;
}

/* The run of bitmap block @b holding @gfn. */
static void privmem_bits_run(const unsigned long *bits, u64 b, u64 gfn,
			     struct privmem_range *r)
{
	unsigned int i = gfn - b, end;

	r->st = privmem_bit_st(bits, i);
	end = r->st ? find_next_zero_bit(bits, PRIVMEM_PAGES_2M, i) :
		      find_next_bit(bits, PRIVMEM_PAGES_2M, i);
	r->first = b + privmem_bits_run_start(bits, i);
	r->last = b + end - 1;
	r->bitmap = true;
}

/* The run holding mas.index in the entry mas_walk() returned. */
static void privmem_entry_run(const struct ma_state *mas, void *entry,
			      u64 gfn, struct privmem_range *r)
{
	if (privmem_entry_is_bitmap(entry)) {
		privmem_bits_run(((struct privmem_bitmap *)entry)->bits,
				 mas->index, gfn, r);
		return;
	}
	r->first = mas->index;
	r->last = mas->last;
	r->st = xa_to_value(entry);
	r->bitmap = false;
}

void privmem_range_init(struct privmem_space *space)
{
	mt_init_flags(&space->ranges, MT_FLAGS_LOCK_EXTERN | MT_FLAGS_USE_RCU);
	mt_set_external_lock(&space->ranges, &space->lock);
}

/*
 * Free the map once nobody can look it up any more (as exit_mmap() does:
 * leave RCU mode, then free synchronously).
 */
void privmem_range_destroy(struct privmem_space *space)
{
	MA_STATE(mas, &space->ranges, 0, 0);
	void *entry;

	lockdep_assert_held(&space->lock);
	mt_clear_in_rcu(&space->ranges);
	mas_for_each(&mas, entry, ULONG_MAX)
		if (privmem_entry_is_bitmap(entry))
			kfree(entry);
	__mt_destroy(&space->ranges);
}

/* Cover the whole bound span, still empty, with one shared range. */
int privmem_range_reset(struct privmem_space *space)
{
	MA_STATE(mas, &space->ranges, space->base, privmem_space_end(space) - 1);

	lockdep_assert_held(&space->lock);
	space->map_gen++;
	return mas_store_gfp(&mas, privmem_st_entry(PRIVMEM_ST_SHARED),
			     GFP_KERNEL);
}

/**
 * privmem_range_find() - the run of equal frames holding a frame
 * @space: the space; its lock must be held.
 * @gfn: the frame.
 * @r: returns the run: a whole range, or a run clipped to its bitmap
 *	block (@r->bitmap).
 *
 * Return: false if @gfn is outside the bound span.
 */
bool privmem_range_find(struct privmem_space *space, u64 gfn,
			struct privmem_range *r)
{
	MA_STATE(mas, &space->ranges, gfn, gfn);
	void *entry;

	lockdep_assert_held(&space->lock);
	entry = mas_walk(&mas);
	if (!entry)
		return false;
	space->hint.gen = space->map_gen;
	space->hint.first = mas.index;
	space->hint.last = mas.last;
	space->hint.entry = entry;
	privmem_entry_run(&mas, entry, gfn, r);
	return true;
}

/*
 * The entry holding @gfn, from the hint if the map has not changed since
 * privmem_range_find() found it; @mas is left at the entry either way.
 */
static void *privmem_range_walk_hint(struct privmem_space *space,
				     struct ma_state *mas, u64 gfn)
{
	if (space->hint.gen == space->map_gen && space->hint.entry &&
	    gfn >= space->hint.first && gfn <= space->hint.last) {
		mas->index = space->hint.first;
		mas->last = space->hint.last;
		return space->hint.entry;
	}
	mas_set(mas, gfn);
	return mas_walk(mas);
}

/**
 * privmem_range_load_rcu() - the state of a frame, without the lock
 * @space: the space.
 * @gfn: the frame.
 * @st: returns the packed state.
 *
 * A bitmap is read under rcu_read_lock(): a store that drops it frees it
 * with kfree_rcu().
 *
 * Return: 0, or -ENOENT if @gfn is outside the bound span.
 */
int privmem_range_load_rcu(struct privmem_space *space, u64 gfn,
			   unsigned int *st)
{
	struct privmem_bitmap *bm;
	unsigned int i;
	void *entry;
	int ret = 0;

	rcu_read_lock();
	entry = mtree_load(&space->ranges, gfn);
	if (!entry) {
		ret = -ENOENT;
	} else if (privmem_entry_is_bitmap(entry)) {
		bm = entry;
		i = gfn & PRIVMEM_MASK_2M;
		*st = READ_ONCE(bm->bits[i / BITS_PER_LONG]) &
		      BIT(i % BITS_PER_LONG) ? PRIVMEM_ST_P4K : PRIVMEM_ST_SHARED;
	} else {
		*st = xa_to_value(entry);
	}
	rcu_read_unlock();
	return ret;
}

/*
 * Walk the maximal runs of [@gfn, @end) in order; privmem_range_count()
 * and privmem_walk_ranges() share it.  Runs of bitmap blocks are joined
 * with equal neighbours.  The lock must be held.
 */
int privmem_range_walk(struct privmem_space *space, u64 gfn, u64 end,
		       int (*fn)(void *arg, const struct privmem_range *r),
		       void *arg)
{
	MA_STATE(mas, &space->ranges, gfn, gfn);
	struct privmem_range run = { .st = ~0U }, r;
	bool open = false;
	void *entry;
	u64 g, last;
	int ret;

	lockdep_assert_held(&space->lock);
	mas_for_each(&mas, entry, end - 1) {
		last = min_t(u64, mas.last, end - 1);
		for (g = max_t(u64, mas.index, gfn); g <= last; g = r.last + 1) {
			privmem_entry_run(&mas, entry, g, &r);
			r.first = g;
			r.last = min(r.last, last);
			if (open && r.st == run.st) {
				run.last = r.last;
				continue;
			}
			if (open) {
				ret = fn(arg, &run);
				if (ret)
					return ret;
			}
			run = r;
			open = true;
		}
	}
	return open ? fn(arg, &run) : 0;
}

static int privmem_range_count_one(void *arg, const struct privmem_range *r)
{
	(*(u64 *)arg)++;
	return 0;
}

/**
 * privmem_range_count() - maximal runs of the map, and its bitmaps
 * @space: the space; its lock must be held.
 * @bitmaps: if not NULL, returns the number of bitmap blocks.
 *
 * Return: the number of maximal runs of equal frames.
 */
u64 privmem_range_count(struct privmem_space *space, u64 *bitmaps)
{
	MA_STATE(mas, &space->ranges, 0, 0);
	u64 n = 0, nbm = 0;
	void *entry;

	lockdep_assert_held(&space->lock);
	if (bitmaps) {
		mas_for_each(&mas, entry, ULONG_MAX)
			nbm += privmem_entry_is_bitmap(entry);
		*bitmaps = nbm;
	}
	privmem_range_walk(space, space->base, privmem_space_end(space),
			   privmem_range_count_one, &n);
	return n;
}

/* Is every frame of [@first, @last] in state @st? */
bool privmem_range_uniform(struct privmem_space *space, u64 first, u64 last,
			   unsigned int st)
{
	struct privmem_range r;

	for (; privmem_range_find(space, first, &r) && r.st == st;
	     first = r.last + 1)
		if (r.last >= last)
			return true;
	return false;
}

/**
 * privmem_range_prealloc() - preallocate the nodes of a store
 * @mas: the maple state, set to the range to store.
 * @entry: the entry to store.
 * @gfp: allocation flags.
 *
 * One of the two places where a conversion allocates for the map, so
 * that a test can fail it with kunit_activate_static_stub().
 *
 * Return: 0 or -ENOMEM.
 */
VISIBLE_IF_KUNIT int privmem_range_prealloc(struct ma_state *mas, void *entry,
					    gfp_t gfp)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_range_prealloc, mas, entry, gfp);
	return mas_preallocate(mas, entry, gfp);
}
EXPORT_SYMBOL_IF_KUNIT(privmem_range_prealloc);

/**
 * privmem_bitmap_alloc() - allocate the bitmap of a block
 * @gfp: allocation flags.
 *
 * The other place where a conversion allocates for the map.
 *
 * Return: the bitmap, uninitialised, or NULL.
 */
VISIBLE_IF_KUNIT struct privmem_bitmap *privmem_bitmap_alloc(gfp_t gfp)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_bitmap_alloc, gfp);
	return kmalloc(sizeof(struct privmem_bitmap), gfp);
}
EXPORT_SYMBOL_IF_KUNIT(privmem_bitmap_alloc);

static void privmem_store_init(struct privmem_store *store)
{
	store->write = false;
	store->new_bm = NULL;
	store->nr_flip = 0;
	store->dead = store->dead_inline;
	store->nr_dead = 0;
}

/* Release what a prepared store allocated, the tree nodes aside. */
static void privmem_store_release(struct privmem_store *store)
{
	kfree(store->new_bm);
	if (store->dead != store->dead_inline)
		kfree(store->dead);
	privmem_store_init(store);
}

/*
 * The new contents of bitmap block @b if [@first, @last] (inside it)
 * becomes @st.  Return: -1 if they are mixed, or their uniform state.
 */
static int privmem_bits_apply(const struct privmem_bitmap *bm, u64 b,
			      u64 first, u64 last, unsigned int st,
			      unsigned long *bits)
{
	bitmap_copy(bits, bm->bits, PRIVMEM_PAGES_2M);
	privmem_bits_assign(bits, first - b, last - b, st);
	return privmem_bits_uniform(bits);
}

/*
 * A tree write of @entry over [@first, @last]; a state is widened over
 * equal neighbouring ranges.  Bitmaps the write drops are recorded so
 * that commit can free them.
 */
static int privmem_store_write(struct privmem_space *space,
			       struct privmem_store *store, u64 first, u64 last,
			       void *entry, gfp_t gfp)
{
	MA_STATE(mas, &space->ranges, first, first);
	struct privmem_range r;
	unsigned int n = 0;
	void *old;

	if (xa_is_value(entry)) {
		if (first > space->base &&
		    privmem_range_find(space, first - 1, &r) && !r.bitmap &&
		    r.st == xa_to_value(entry))
			first = r.first;
		if (last + 1 < privmem_space_end(space) &&
		    privmem_range_find(space, last + 1, &r) && !r.bitmap &&
		    r.st == xa_to_value(entry))
			last = r.last;
	}

	mas_for_each(&mas, old, last)
		n += privmem_entry_is_bitmap(old);
	if (n > ARRAY_SIZE(store->dead_inline)) {
		store->dead = kmalloc_array(n, sizeof(*store->dead), gfp);
		if (!store->dead) {
			store->dead = store->dead_inline;
			return -ENOMEM;
		}
	}
	if (n) {
		mas_set(&mas, first);
		mas_for_each(&mas, old, last)
			if (privmem_entry_is_bitmap(old))
				store->dead[store->nr_dead++] = old;
	}

	mas_init(&store->mas, &space->ranges, first);
	mas_set_range(&store->mas, first, last);
	store->entry = entry;
	store->write = true;
	return privmem_range_prealloc(&store->mas, entry, gfp);
}

/*
 * A store inside one bitmap-capable block @b that does not cover it:
 * update the block's bitmap in place, turn the block into a bitmap, or,
 * if the block ends up uniform, write a range.
 */
static int privmem_store_block(struct privmem_space *space,
			       struct privmem_store *store, u64 b, u64 first,
			       u64 last, unsigned int st, gfp_t gfp)
{
	MA_STATE(mas, &space->ranges, first, first);
	struct privmem_flip *flip = &store->flip[0];
	struct privmem_bitmap *bm;
	void *entry;
	int u;

	entry = privmem_range_walk_hint(space, &mas, first);
	if (privmem_entry_is_bitmap(entry)) {
		u = privmem_bits_apply(entry, b, first, last, st, flip->bits);
		if (u < 0) {
			flip->bm = entry;
			store->nr_flip = 1;
			return 0;
		}
		return privmem_store_write(space, store, b,
					   b + PRIVMEM_MASK_2M,
					   privmem_st_entry(u), gfp);
	}

	/* Ranges: what the block holds now, then the store on top. */
	bitmap_zero(flip->bits, PRIVMEM_PAGES_2M);
	mas_set(&mas, b);
	mas_for_each(&mas, entry, b + PRIVMEM_MASK_2M) {
		unsigned int est = xa_to_value(entry);

		/* A 2M range is stored over whole blocks only. */
		if (WARN_ON_ONCE(est == PRIVMEM_ST_P2M))
			return privmem_store_write(space, store, first, last,
						   privmem_st_entry(st), gfp);
		if (est == PRIVMEM_ST_P4K)
			privmem_bits_assign(flip->bits,
					    max_t(u64, mas.index, b) - b,
					    min_t(u64, mas.last,
						  b + PRIVMEM_MASK_2M) - b, est);
	}
	privmem_bits_assign(flip->bits, first - b, last - b, st);
	if (privmem_bits_uniform(flip->bits) >= 0)
		return privmem_store_write(space, store, first, last,
					   privmem_st_entry(st), gfp);

	bm = privmem_bitmap_alloc(gfp);
	if (!bm)
		return -ENOMEM;
	bitmap_copy(bm->bits, flip->bits, PRIVMEM_PAGES_2M);
	store->new_bm = bm;
	return privmem_store_write(space, store, b, b + PRIVMEM_MASK_2M, bm,
				   gfp);
}

/*
 * The end of a store that covers part of block @b, [@first, @last] of
 * it, the rest of the store being outside.  Return: 0 if the block is
 * not a bitmap; 1 if it is and stays mixed: it is updated in place;
 * -1 if it becomes uniform: it joins the store's tree write.
 */
static int privmem_store_edge(struct privmem_space *space,
			      struct privmem_store *store, u64 b, u64 first,
			      u64 last, unsigned int st)
{
	struct privmem_flip *flip = &store->flip[store->nr_flip];
	void *entry;

	if (!privmem_block_full(space, b))
		return 0;
	entry = mtree_load(&space->ranges, first);
	if (!entry || !privmem_entry_is_bitmap(entry))
		return 0;
	if (privmem_bits_apply(entry, b, first, last, st, flip->bits) >= 0)
		return -1;
	flip->bm = entry;
	store->nr_flip++;
	return 1;
}

/**
 * privmem_store_prepare() - reserve a store of @st over [@first, @last]
 * @space: the space; its lock must be held.
 * @store: the store to prepare.
 * @first: first frame.
 * @last: last frame.
 * @st: packed state.
 * @gfp: allocation flags.
 *
 * Works out how the map will hold the new state (see "DOC: Range map")
 * and allocates what that needs: a bitmap, the tree nodes.  The tree
 * must not change until privmem_store_commit() or privmem_store_cancel().
 *
 * Return: 0 or -ENOMEM.
 */
int privmem_store_prepare(struct privmem_space *space,
			  struct privmem_store *store, u64 first, u64 last,
			  unsigned int st, gfp_t gfp)
{
	u64 fb = privmem_block(first), lb = privmem_block(last);
	u64 wfirst = first, wlast = last;
	int ret;

	lockdep_assert_held(&space->lock);
	privmem_store_init(store);

	/* A 2M state always covers whole blocks: ranges only. */
	if (st != PRIVMEM_ST_P2M && fb == lb &&
	    (first != fb || last != fb + PRIVMEM_MASK_2M) &&
	    privmem_block_full(space, fb)) {
		ret = privmem_store_block(space, store, fb, first, last, st, gfp);
		goto out;
	}

	/* A partly covered bitmap block at either end stays a bitmap or joins. */
	if (first != fb) {
		ret = privmem_store_edge(space, store, fb, first,
					 fb + PRIVMEM_MASK_2M, st);
		if (ret)
			wfirst = ret > 0 ? fb + PRIVMEM_PAGES_2M : fb;
	}
	if (last != lb + PRIVMEM_MASK_2M) {
		ret = privmem_store_edge(space, store, lb, lb, last, st);
		if (ret)
			wlast = ret > 0 ? lb - 1 : lb + PRIVMEM_MASK_2M;
	}
	ret = 0;
	if (wfirst <= wlast)
		ret = privmem_store_write(space, store, wfirst, wlast,
					  privmem_st_entry(st), gfp);
out:
	if (ret) {
		if (store->write)
			mas_destroy(&store->mas);
		privmem_store_release(store);
	}
	return ret;
}

/* Carry out a prepared store; cannot fail. */
void privmem_store_commit(struct privmem_space *space,
			  struct privmem_store *store)
{
	unsigned int i, w;

	lockdep_assert_held(&space->lock);
	space->map_gen++;
	for (i = 0; i < store->nr_flip; i++)
		for (w = 0; w < PRIVMEM_BITMAP_LONGS; w++)
			WRITE_ONCE(store->flip[i].bm->bits[w],
				   store->flip[i].bits[w]);
	if (store->write)
		mas_store_prealloc(&store->mas, store->entry);
	for (i = 0; i < store->nr_dead; i++)
		kfree_rcu(store->dead[i], rcu);
	store->new_bm = NULL;	/* the tree owns it now */
	privmem_store_release(store);
}

/* Drop a prepared store, its nodes and its bitmap. */
void privmem_store_cancel(struct privmem_space *space,
			  struct privmem_store *store)
{
	lockdep_assert_held(&space->lock);
	if (store->write)
		mas_destroy(&store->mas);
	privmem_store_release(store);
}

/* Store on an undo path, where giving up is not an option. */
void privmem_store_nofail(struct privmem_space *space, u64 first, u64 last,
			  unsigned int st)
{
	struct privmem_store store;

	if (WARN_ON_ONCE(privmem_store_prepare(space, &store, first, last, st,
					       GFP_KERNEL | __GFP_NOFAIL)))
		return;
	privmem_store_commit(space, &store);
}
