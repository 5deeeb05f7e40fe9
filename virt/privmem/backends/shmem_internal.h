/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privmem shmem backing store: structures shared by shmem.c (binding),
 * shmem_ops.c (conversion steps, pfn lookup) and shmem_map.c (which pages
 * are private).
 */
#ifndef _PRIVMEM_BACKENDS_SHMEM_INTERNAL_H
#define _PRIVMEM_BACKENDS_SHMEM_INTERNAL_H

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/privmem.h>
#include <linux/privmem_shmem.h>
#include <linux/rcupdate.h>
#include <linux/shmem_fs.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

/*
 * A conversion that finds someone else holding a folio of its range tries
 * this many times, waiting this long in between, before it fails -EBUSY.
 */
#define PRIVMEM_SHMEM_BUSY_TRIES	10
#define PRIVMEM_SHMEM_BUSY_WAIT_US	200

/**
 * enum privmem_shmem_state - what the host may do with a run of pages
 * @PRIVMEM_SHMEM_SHARED: anything.  Shared pages have no run, except a
 *	run that a commit or abort turned shared in place; the next copy of
 *	the map drops it.
 * @PRIVMEM_SHMEM_PRIVATE: nothing: the pages belong to the guest.
 * @PRIVMEM_SHMEM_CONVERTING: nothing: a step turning the pages private is
 *	between its prepare and its commit or abort.
 * @PRIVMEM_SHMEM_LEAVING: nothing: a step turning private pages shared is
 *	between its prepare and its commit or abort.
 *
 * A step's range is one run of its own while the step is in progress
 * (CONVERTING and LEAVING runs are never merged), so commit and abort find
 * it and change its state in place, without allocating.  Only the states
 * a reader may see change that way, and each is safe at any time: a run
 * becomes SHARED only after its pages were scrubbed (commit) or when it
 * was shared before (abort).
 */
enum privmem_shmem_state {
	PRIVMEM_SHMEM_SHARED,
	PRIVMEM_SHMEM_PRIVATE,
	PRIVMEM_SHMEM_CONVERTING,
	PRIVMEM_SHMEM_LEAVING,
};

/**
 * struct privmem_shmem_run - a run of pages in one state
 * @first: first file page index.
 * @last: last file page index (inclusive).
 * @state: an &enum privmem_shmem_state; read with READ_ONCE() by the host
 *	paths, changed in place by commit and abort.
 */
struct privmem_shmem_run {
	pgoff_t first;
	pgoff_t last;
	u8 state;
};

/**
 * struct privmem_shmem_map - the non-shared runs of one binding
 * @rcu: frees the map after the readers that may still see it.
 * @nr: number of runs.
 * @runs: sorted and disjoint; adjacent PRIVATE runs are merged when the
 *	map is copied.
 *
 * A step's prepare copies the map with its range set (allocation may fail
 * there) and publishes the copy with RCU; the shmem paths of the host read
 * it without a lock.  Memory is O(runs), never one entry per page.
 */
struct privmem_shmem_map {
	struct rcu_head rcu;
	unsigned int nr;
	struct privmem_shmem_run runs[] __counted_by(nr);
};

/**
 * struct privmem_shmem_file - privmem's one shmem consumer on a file
 * @consumer: registered with shmem_set_consumer().
 * @inode: the file's inode.
 * @flags: PRIVMEM_SHMEM_* flags; every binding of the file has these.
 * @saved_gfp: the mapping's gfp mask before %PRIVMEM_SHMEM_UNMOVABLE.
 * @was_unevictable: the mapping was unevictable before we set it.
 * @bindings: the &struct privmem_shmem of the file.  Written under
 *	privmem_shmem_mutex, read under RCU by the shmem paths.
 */
struct privmem_shmem_file {
	struct shmem_consumer consumer;
	struct inode *inode;
	unsigned int flags;
	gfp_t saved_gfp;
	bool was_unevictable;
	struct list_head bindings;
};

/**
 * struct privmem_shmem - one bound page range: the backend's cookie
 * @pf: the file's consumer.
 * @file: the file; a reference is held until unbind.
 * @node: entry in @pf->bindings.
 * @pgoff: first page of the range in the file.
 * @npages: number of pages.
 * @gfn: first guest frame; set by privmem_shmem_space_bind().
 * @in_space: @gfn is valid and the space owns this cookie.
 * @map: the non-shared runs, published with RCU.  Written only by the
 *	backend ops, which the space's conversion mutex serialises.
 * @stash: file index -> copy of the page's contents, for the pages that a
 *	destructive conversion to private cleared in its prepare and that
 *	its abort must restore.  Empty outside a step.  Serialised like @map.
 * @pins: index of a folio -> number of steps in progress that hold a
 *	reference on it (see privmem_shmem_clear()).  Serialised like @map.
 */
struct privmem_shmem {
	struct privmem_shmem_file *pf;
	struct file *file;
	struct list_head node;
	pgoff_t pgoff;
	u64 npages;
	u64 gfn;
	bool in_space;
	struct privmem_shmem_map __rcu *map;
	struct xarray stash;
	struct xarray pins;
};

static inline struct inode *privmem_shmem_inode(const struct privmem_shmem *sh)
{
	return sh->pf->inode;
}

/* Published map; the caller serialises with steps (conversion mutex). */
static inline struct privmem_shmem_map *
privmem_shmem_map_cur(const struct privmem_shmem *sh)
{
	return rcu_dereference_protected(sh->map, true);
}

/* shmem_map.c */
struct privmem_shmem_map *privmem_shmem_map_set(const struct privmem_shmem_map *old,
						pgoff_t first, pgoff_t last,
						enum privmem_shmem_state state);
bool privmem_shmem_map_any(const struct privmem_shmem_map *map,
			   pgoff_t first, pgoff_t last);
struct privmem_shmem_run *privmem_shmem_map_find(struct privmem_shmem_map *map,
						 pgoff_t first, pgoff_t last);
void privmem_shmem_map_free_rcu(struct privmem_shmem_map *map);

/* shmem_ops.c */
#if IS_ENABLED(CONFIG_KUNIT)
int privmem_shmem_get_folio(struct inode *inode, pgoff_t index,
			    loff_t write_end, struct folio **foliop);
#endif
int privmem_shmem_fill(struct privmem_shmem *sh, pgoff_t first, pgoff_t last);

#endif /* _PRIVMEM_BACKENDS_SHMEM_INTERNAL_H */
