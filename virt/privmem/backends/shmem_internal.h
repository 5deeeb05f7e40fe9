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
#include <linux/maple_tree.h>
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
 * @PRIVMEM_SHMEM_SHARED: anything.  Shared pages have no entry in the
 *	map, except the run of a step that ended shared and is not settled
 *	yet (shmem_map.c).
 * @PRIVMEM_SHMEM_PRIVATE: nothing: the pages belong to the guest.
 * @PRIVMEM_SHMEM_CONVERTING: nothing: a step turning the pages private is
 *	between its prepare and its commit or abort.
 * @PRIVMEM_SHMEM_LEAVING: nothing: a step turning private pages shared is
 *	between its prepare and its commit or abort.
 *
 * Each state a reader may see is safe at any time: a run becomes SHARED
 * only after its pages were scrubbed (commit) or when it was shared
 * before (abort).
 */
enum privmem_shmem_state {
	PRIVMEM_SHMEM_SHARED,
	PRIVMEM_SHMEM_PRIVATE,
	PRIVMEM_SHMEM_CONVERTING,
	PRIVMEM_SHMEM_LEAVING,
};

/**
 * struct privmem_shmem_run - the run of pages of one conversion step
 * @node: entry in &privmem_shmem.steps.
 * @rcu: frees the run after the readers that may still see it.
 * @first: first file page index.
 * @last: last file page index (inclusive).
 * @state: an &enum privmem_shmem_state; read with acquire by the host
 *	paths, changed in place by the step's commit or abort.
 */
struct privmem_shmem_run {
	struct list_head node;
	struct rcu_head rcu;
	pgoff_t first;
	pgoff_t last;
	u8 state;
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
 * @space: the space that owns this cookie, with @in_space.
 * @lazy: the space's arch ops are %PRIVMEM_ARCH_PAGELESS: conversions to
 *	private leave holes unbacked, and privmem_shmem_get_pfn() allocates
 *	the page of a private hole.  Set with @in_space.
 * @runs: file page index -> the non-shared runs (shmem_map.c); a maple
 *	tree in RCU mode.  Written only by the backend ops, which the
 *	space's conversion mutex serialises; read under RCU.
 * @steps: the &struct privmem_shmem_run of the steps in progress or not
 *	yet settled.  Serialised like @runs.
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
	struct privmem_space *space;
	bool lazy;
	struct maple_tree runs;
	struct list_head steps;
	struct xarray stash;
	struct xarray pins;
};

static inline struct inode *privmem_shmem_inode(const struct privmem_shmem *sh)
{
	return sh->pf->inode;
}

/* shmem_map.c */
void privmem_shmem_map_init(struct privmem_shmem *sh);
int privmem_shmem_map_set(struct privmem_shmem *sh, pgoff_t first,
			  pgoff_t last, enum privmem_shmem_state state);
int privmem_shmem_map_end(struct privmem_shmem *sh, pgoff_t first,
			  pgoff_t last, enum privmem_shmem_state state);
bool privmem_shmem_map_any(struct privmem_shmem *sh, pgoff_t first,
			   pgoff_t last);
enum privmem_shmem_state privmem_shmem_map_state(struct privmem_shmem *sh,
						 pgoff_t index);
void privmem_shmem_map_walk(struct privmem_shmem *sh,
			    void (*fn)(struct privmem_shmem *sh, pgoff_t first,
				       pgoff_t last));
void privmem_shmem_map_destroy(struct privmem_shmem *sh);

/* shmem_ops.c */
#if IS_ENABLED(CONFIG_KUNIT)
int privmem_shmem_get_folio(struct inode *inode, pgoff_t index,
			    loff_t write_end, struct folio **foliop);
#endif
int privmem_shmem_fill(struct privmem_shmem *sh, pgoff_t first, pgoff_t last);
int privmem_shmem_split(struct address_space *mapping, pgoff_t first,
			pgoff_t last);
void privmem_shmem_wipe(struct address_space *mapping, pgoff_t first,
			pgoff_t last);
void privmem_shmem_punch(struct inode *inode, pgoff_t first, pgoff_t last);

#endif /* _PRIVMEM_BACKENDS_SHMEM_INTERNAL_H */
