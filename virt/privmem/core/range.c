// SPDX-License-Identifier: GPL-2.0
/*
 * The range map of a privmem space.
 */
/**
 * DOC: Range map
 *
 * A maple tree maps every frame of the bound span to a packed state
 * (range.h).  Adjacent ranges never hold the same state: every store
 * widens itself to absorb equal neighbours, so the tree holds one entry
 * per maximal run and a fully private 64 GiB space costs a few hundred
 * bytes.  A useful consequence: a span is uniform exactly when a single
 * range covers it.
 *
 * The tree uses the space's mutex as its external lock and runs in RCU
 * mode, so privmem_lookup() can read it without the lock.  Writers use
 * privmem_store_prepare() before they touch any page or hardware state:
 * it preallocates the nodes (mas_preallocate()) so that recording a
 * completed step (privmem_store_commit()) cannot fail.  Only undo paths,
 * which run after a failure, allocate at store time, with __GFP_NOFAIL as
 * mas_erase() does.
 */
#include "privmem_internal.h"
#include "range.h"

static inline void *privmem_st_entry(unsigned int st)
{
	return xa_mk_value(st);
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
	lockdep_assert_held(&space->lock);
	mt_clear_in_rcu(&space->ranges);
	__mt_destroy(&space->ranges);
}

/* Cover the whole bound span with one shared range. */
int privmem_range_reset(struct privmem_space *space)
{
	MA_STATE(mas, &space->ranges, space->base, privmem_space_end(space) - 1);

	lockdep_assert_held(&space->lock);
	return mas_store_gfp(&mas, privmem_st_entry(PRIVMEM_ST_SHARED),
			     GFP_KERNEL);
}

/**
 * privmem_range_find() - the range holding a frame
 * @space: the space; its lock must be held.
 * @gfn: the frame.
 * @r: returns the range.
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
	r->first = mas.index;
	r->last = mas.last;
	r->st = xa_to_value(entry);
	return true;
}

/**
 * privmem_range_load_rcu() - the state of a frame, without the lock
 * @space: the space.
 * @gfn: the frame.
 * @st: returns the packed state.
 *
 * Return: 0, or -ENOENT if @gfn is outside the bound span.
 */
int privmem_range_load_rcu(struct privmem_space *space, u64 gfn,
			   unsigned int *st)
{
	void *entry = mtree_load(&space->ranges, gfn);

	if (!entry)
		return -ENOENT;
	*st = xa_to_value(entry);
	return 0;
}

/* Number of ranges in the map; the lock must be held. */
u64 privmem_range_count(struct privmem_space *space)
{
	MA_STATE(mas, &space->ranges, 0, 0);
	void *entry;
	u64 n = 0;

	lockdep_assert_held(&space->lock);
	mas_for_each(&mas, entry, ULONG_MAX)
		n++;
	return n;
}

/*
 * Is every frame of [@first, @last] in state @st?  Equal neighbours are
 * always merged, so this holds exactly when one range covers the span.
 */
bool privmem_range_uniform(struct privmem_space *space, u64 first, u64 last,
			   unsigned int st)
{
	struct privmem_range r;

	return privmem_range_find(space, first, &r) && r.st == st &&
	       r.last >= last;
}

/**
 * privmem_range_prealloc() - preallocate the nodes of a store
 * @mas: the maple state, set to the range to store.
 * @entry: the entry to store.
 * @gfp: allocation flags.
 *
 * The one place where a conversion allocates tree nodes, so that a test
 * can fail it with kunit_activate_static_stub().
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
 * privmem_store_prepare() - reserve a store of @st over [@first, @last]
 * @space: the space; its lock must be held.
 * @store: the store to prepare.
 * @first: first frame.
 * @last: last frame.
 * @st: packed state.
 * @gfp: allocation flags.
 *
 * Widens the range over equal neighbours and preallocates the tree nodes
 * the store needs.  The tree must not change until privmem_store_commit()
 * or privmem_store_cancel().
 *
 * Return: 0 or -ENOMEM.
 */
int privmem_store_prepare(struct privmem_space *space,
			  struct privmem_store *store, u64 first, u64 last,
			  unsigned int st, gfp_t gfp)
{
	struct privmem_range r;

	lockdep_assert_held(&space->lock);
	if (first > space->base && privmem_range_find(space, first - 1, &r) &&
	    r.st == st)
		first = r.first;
	if (last + 1 < privmem_space_end(space) &&
	    privmem_range_find(space, last + 1, &r) && r.st == st)
		last = r.last;

	mas_init(&store->mas, &space->ranges, first);
	mas_set_range(&store->mas, first, last);
	store->st = st;
	return privmem_range_prealloc(&store->mas, privmem_st_entry(st), gfp);
}

/* Carry out a prepared store; cannot fail. */
void privmem_store_commit(struct privmem_space *space,
			  struct privmem_store *store)
{
	lockdep_assert_held(&space->lock);
	mas_store_prealloc(&store->mas, privmem_st_entry(store->st));
}

/* Drop a prepared store and its nodes. */
void privmem_store_cancel(struct privmem_space *space,
			  struct privmem_store *store)
{
	lockdep_assert_held(&space->lock);
	mas_destroy(&store->mas);
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
