// SPDX-License-Identifier: GPL-2.0
/*
 * privmem shmem backing store: which pages of a binding are private.
 *
 * A binding keeps a sorted array of runs (&struct privmem_shmem_map) of
 * pages the host must not touch.  A step's prepare copies the array with
 * its range set and publishes the copy; commit and abort change the state
 * of that one run in place (see &enum privmem_shmem_state), so they cannot
 * fail.  Readers (the shmem paths of the host, through the consumer's
 * range_private callback) binary-search the array under RCU.
 */
#include <linux/slab.h>

#include "shmem_internal.h"

static void privmem_shmem_map_push(struct privmem_shmem_map *map,
				   pgoff_t first, pgoff_t last, u8 state)
{
	struct privmem_shmem_run *prev = map->nr ? &map->runs[map->nr - 1] : NULL;

	if (state == PRIVMEM_SHMEM_SHARED || first > last)
		return;
	/* Only PRIVATE runs merge: a step in progress keeps its own run. */
	if (prev && state == PRIVMEM_SHMEM_PRIVATE && prev->state == state &&
	    prev->last + 1 == first) {
		prev->last = last;
		return;
	}
	map->nr++;
	map->runs[map->nr - 1] = (struct privmem_shmem_run) {
		.first = first, .last = last, .state = state,
	};
}

/**
 * privmem_shmem_map_set() - copy a map with one range set to a state
 * @old: the current map, or NULL for "all shared".
 * @first: first page index.
 * @last: last page index, >= @first.
 * @state: the state of @first..@last in the copy.
 *
 * Runs that are SHARED in @old are dropped from the copy.
 *
 * Context: May sleep.  The caller serialises with commit and abort.
 * Return: the new map, not yet published, or NULL if out of memory.
 */
struct privmem_shmem_map *privmem_shmem_map_set(const struct privmem_shmem_map *old,
						pgoff_t first, pgoff_t last,
						enum privmem_shmem_state state)
{
	unsigned int nr = old ? old->nr : 0, i;
	struct privmem_shmem_map *map;
	bool done = false;

	/* Splitting one run around @first..@last adds at most two runs. */
	map = kzalloc(struct_size(map, runs, nr + 2), GFP_KERNEL_ACCOUNT);
	if (!map)
		return NULL;
	map->nr = 0;

	for (i = 0; i < nr; i++) {
		const struct privmem_shmem_run *r = &old->runs[i];

		if (r->last < first) {
			privmem_shmem_map_push(map, r->first, r->last, r->state);
			continue;
		}
		if (r->first < first)
			privmem_shmem_map_push(map, r->first, first - 1, r->state);
		if (!done) {
			privmem_shmem_map_push(map, first, last, state);
			done = true;
		}
		if (r->last > last)
			privmem_shmem_map_push(map, max(r->first, last + 1),
					       r->last, r->state);
	}
	if (!done)
		privmem_shmem_map_push(map, first, last, state);
	return map;
}

/* Index of the first run that ends at or after @first. */
static unsigned int privmem_shmem_map_search(const struct privmem_shmem_map *map,
					     pgoff_t first)
{
	unsigned int lo = 0, hi = map->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (map->runs[mid].last < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/**
 * privmem_shmem_map_any() - is any page of a range not shared?
 * @map: the map, or NULL.
 * @first: first page index.
 * @last: last page index, >= @first.
 *
 * Context: Any; the caller keeps @map alive (RCU or the conversion mutex).
 * Return: true if a run of @map that is not SHARED overlaps @first..@last.
 */
bool privmem_shmem_map_any(const struct privmem_shmem_map *map,
			   pgoff_t first, pgoff_t last)
{
	unsigned int i;

	if (!map)
		return false;
	for (i = privmem_shmem_map_search(map, first);
	     i < map->nr && map->runs[i].first <= last; i++) {
		if (READ_ONCE(map->runs[i].state) != PRIVMEM_SHMEM_SHARED)
			return true;
	}
	return false;
}

/**
 * privmem_shmem_map_find() - the run of a step in progress
 * @map: the map, or NULL.
 * @first: first page index of the step.
 * @last: last page index of the step.
 *
 * Context: The caller serialises with prepare (conversion mutex).
 * Return: the run that is exactly @first..@last, or NULL.
 */
struct privmem_shmem_run *privmem_shmem_map_find(struct privmem_shmem_map *map,
						 pgoff_t first, pgoff_t last)
{
	unsigned int i;

	if (!map)
		return NULL;
	i = privmem_shmem_map_search(map, first);
	if (i < map->nr && map->runs[i].first == first &&
	    map->runs[i].last == last)
		return &map->runs[i];
	return NULL;
}

/**
 * privmem_shmem_map_free_rcu() - free a map once no reader can see it
 * @map: the map, or NULL.
 */
void privmem_shmem_map_free_rcu(struct privmem_shmem_map *map)
{
	if (map)
		kfree_rcu(map, rcu);
}
