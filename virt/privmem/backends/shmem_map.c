// SPDX-License-Identifier: GPL-2.0
/*
 * privmem shmem backing store: which pages of a binding are private.
 */
/**
 * DOC: The map of private runs
 *
 * A binding keeps the pages the host must not touch in a maple tree in RCU
 * mode (&privmem_shmem.runs), indexed by file page.  A settled private run
 * is one tree range holding %PRIVMEM_SHMEM_PRIVATE_ENTRY; adjacent private
 * runs are merged and shared pages hold no entry, so memory is O(runs) and
 * every operation is O(log runs).
 *
 * A step in progress owns one &struct privmem_shmem_run, stored over
 * exactly its range by its prepare (the only store that may fail, with
 * -ENOMEM, before anything is visible).  Its commit or abort changes the
 * run's state in place, which cannot fail.  The next prepare settles the
 * runs of the steps that ended: it replaces each with a value entry
 * (merged with private neighbours) or with nothing, and frees it after an
 * RCU grace period.  Until then a reader sees the run's final state, so
 * settling is only bookkeeping; it must succeed before the next step's
 * range is stored, so that no run is ever split.
 *
 * The host's shmem paths (the consumer's range_private callback) search
 * the tree under RCU without a lock.  Node memory is charged to the memory
 * cgroup of the task that converts (GFP_KERNEL_ACCOUNT), and no request,
 * however fragmented the map, needs more than a few nodes.
 */
#include <linux/maple_tree.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "shmem_internal.h"

/* The entry of a settled private run. */
#define PRIVMEM_SHMEM_PRIVATE_ENTRY	xa_mk_value(PRIVMEM_SHMEM_PRIVATE)

static bool privmem_shmem_run_busy(const struct privmem_shmem_run *run)
{
	return run->state == PRIVMEM_SHMEM_CONVERTING ||
	       run->state == PRIVMEM_SHMEM_LEAVING;
}

/**
 * privmem_shmem_map_init() - an empty map: every page shared
 * @sh: the binding.
 */
void privmem_shmem_map_init(struct privmem_shmem *sh)
{
	mt_init_flags(&sh->runs, MT_FLAGS_USE_RCU);
	INIT_LIST_HEAD(&sh->steps);
}
EXPORT_SYMBOL_IF_KUNIT(privmem_shmem_map_init);

/*
 * Store the settled state of @first..@last: a private run, merged with
 * its private neighbours, or nothing.
 */
static int privmem_shmem_map_store(struct privmem_shmem *sh, pgoff_t first,
				   pgoff_t last, enum privmem_shmem_state state)
{
	void *entry = state == PRIVMEM_SHMEM_PRIVATE ?
		      PRIVMEM_SHMEM_PRIVATE_ENTRY : NULL;
	MA_STATE(mas, &sh->runs, first, last);
	pgoff_t lo = first, hi = last;
	int ret;

	mas_lock(&mas);
	if (entry && first) {
		mas_set(&mas, first - 1);
		if (mas_walk(&mas) == entry)
			lo = mas.index;
	}
	if (entry && last != ULONG_MAX) {
		mas_set(&mas, last + 1);
		if (mas_walk(&mas) == entry)
			hi = mas.last;
	}
	mas_set_range(&mas, lo, hi);
	ret = mas_store_gfp(&mas, entry, GFP_KERNEL_ACCOUNT);
	mas_unlock(&mas);
	return ret;
}

/* Replace the runs of the steps that ended with their settled state. */
static int privmem_shmem_map_settle(struct privmem_shmem *sh)
{
	struct privmem_shmem_run *run, *tmp;
	int ret;

	list_for_each_entry_safe(run, tmp, &sh->steps, node) {
		if (privmem_shmem_run_busy(run))
			continue;
		ret = privmem_shmem_map_store(sh, run->first, run->last,
					      run->state);
		if (ret)
			return ret;
		list_del(&run->node);
		kfree_rcu(run, rcu);
	}
	return 0;
}

/**
 * privmem_shmem_map_set() - mark the range of a step in progress
 * @sh: the binding.
 * @first: first page index.
 * @last: last page index, >= @first.
 * @state: %PRIVMEM_SHMEM_CONVERTING or %PRIVMEM_SHMEM_LEAVING.
 *
 * Readers see the new state as soon as this returns.  No earlier step may
 * still be in progress over any page of @first..@last.
 *
 * Context: May sleep.  The caller serialises the map's writers (the
 * space's conversion mutex).
 * Return: 0, or -ENOMEM with the map unchanged as readers see it.
 */
int privmem_shmem_map_set(struct privmem_shmem *sh, pgoff_t first,
			  pgoff_t last, enum privmem_shmem_state state)
{
	struct privmem_shmem_run *run;
	int ret;

	ret = privmem_shmem_map_settle(sh);
	if (ret)
		return ret;
	run = kzalloc_obj(*run, GFP_KERNEL_ACCOUNT);
	if (!run)
		return -ENOMEM;
	run->first = first;
	run->last = last;
	run->state = state;
	ret = mtree_store_range(&sh->runs, first, last, run, GFP_KERNEL_ACCOUNT);
	if (ret) {
		kfree(run);
		return ret;
	}
	list_add_tail(&run->node, &sh->steps);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(privmem_shmem_map_set);

/**
 * privmem_shmem_map_end() - the step over a range ends
 * @sh: the binding.
 * @first: first page index of the step.
 * @last: last page index of the step.
 * @state: the range's state from now on, %PRIVMEM_SHMEM_PRIVATE or
 *	%PRIVMEM_SHMEM_SHARED.
 *
 * Changes the state of the step's run in place: allocates nothing and
 * cannot fail.  A reader that sees %PRIVMEM_SHMEM_SHARED also sees what
 * the caller did to the pages before (release).
 *
 * Context: The caller serialises the map's writers.
 * Return: 0, or -ENOENT if no step is in progress over exactly
 * @first..@last (a bug in the caller).
 */
int privmem_shmem_map_end(struct privmem_shmem *sh, pgoff_t first,
			  pgoff_t last, enum privmem_shmem_state state)
{
	struct privmem_shmem_run *run;

	list_for_each_entry_reverse(run, &sh->steps, node) {
		if (run->first == first && run->last == last &&
		    privmem_shmem_run_busy(run)) {
			/* Pairs with privmem_shmem_map_any(): pages first. */
			smp_store_release(&run->state, state);
			return 0;
		}
	}
	return -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(privmem_shmem_map_end);

/* The state of the pages whose tree entry is @entry (NULL: none, shared). */
static enum privmem_shmem_state privmem_shmem_entry_state(void *entry)
{
	struct privmem_shmem_run *run = entry;

	if (!entry)
		return PRIVMEM_SHMEM_SHARED;
	if (xa_is_value(entry))
		return xa_to_value(entry);
	/* Acquire: pairs with the release in privmem_shmem_map_end(). */
	return smp_load_acquire(&run->state);
}

/**
 * privmem_shmem_map_any() - is any page of a range not shared?
 * @sh: the binding.
 * @first: first page index.
 * @last: last page index, >= @first.
 *
 * Context: Under rcu_read_lock(), or with the map's writers serialised.
 * Return: true if a page of @first..@last is private or in a step.
 */
bool privmem_shmem_map_any(struct privmem_shmem *sh, pgoff_t first,
			   pgoff_t last)
{
	MA_STATE(mas, &sh->runs, first, first);
	void *entry;
	bool ret = false;

	rcu_read_lock();
	mas_for_each(&mas, entry, last) {
		if (privmem_shmem_entry_state(entry) != PRIVMEM_SHMEM_SHARED) {
			ret = true;
			break;
		}
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(privmem_shmem_map_any);

/**
 * privmem_shmem_map_state() - the state of one page
 * @sh: the binding.
 * @index: the page index.
 *
 * Lock-free, as privmem_shmem_map_any(); the answer may be stale as soon
 * as it is returned, unless the caller serialises the map's writers.
 *
 * Return: the page's &enum privmem_shmem_state.
 */
enum privmem_shmem_state privmem_shmem_map_state(struct privmem_shmem *sh,
						 pgoff_t index)
{
	enum privmem_shmem_state state;

	rcu_read_lock();
	state = privmem_shmem_entry_state(mtree_load(&sh->runs, index));
	rcu_read_unlock();
	return state;
}
EXPORT_SYMBOL_IF_KUNIT(privmem_shmem_map_state);

/**
 * privmem_shmem_map_walk() - call a function for every run that is not shared
 * @sh: the binding.
 * @fn: called with the first and last page index of each run; may sleep.
 *
 * Context: May sleep.  The caller serialises the map's writers.
 */
void privmem_shmem_map_walk(struct privmem_shmem *sh,
			    void (*fn)(struct privmem_shmem *sh, pgoff_t first,
				       pgoff_t last))
{
	MA_STATE(mas, &sh->runs, 0, 0);
	pgoff_t first, last;
	void *entry;
	bool busy;

	for (;;) {
		rcu_read_lock();
		entry = mas_find(&mas, ULONG_MAX);
		first = mas.index;
		last = mas.last;
		busy = privmem_shmem_entry_state(entry) != PRIVMEM_SHMEM_SHARED;
		mas_pause(&mas);
		rcu_read_unlock();
		if (!entry)
			break;
		if (busy)
			fn(sh, first, last);
	}
}
EXPORT_SYMBOL_IF_KUNIT(privmem_shmem_map_walk);

/**
 * privmem_shmem_map_destroy() - free the map
 * @sh: the binding; no reader may still see it (after synchronize_rcu()).
 */
void privmem_shmem_map_destroy(struct privmem_shmem *sh)
{
	struct privmem_shmem_run *run, *tmp;

	mtree_destroy(&sh->runs);
	list_for_each_entry_safe(run, tmp, &sh->steps, node) {
		list_del(&run->node);
		kfree(run);
	}
}
EXPORT_SYMBOL_IF_KUNIT(privmem_shmem_map_destroy);
