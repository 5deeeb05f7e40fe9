/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privmem shmem backing store: a guest's pages in an ordinary shmem file
 * (memfd), owned by privmem once the file is bound.
 *
 * The VMM creates the file and may fill it (write, mmap) like any shared
 * file.  privmem_shmem_bind() turns a page range of it into the backing of
 * one privmem space, with the consumer's requirements as flags - there is
 * no new user API for the backing store.  The range starts shared; the
 * pages the space later makes private are refused to the host.  See
 * virt/privmem/backends/shmem.c.
 */
#ifndef _LINUX_PRIVMEM_SHMEM_H
#define _LINUX_PRIVMEM_SHMEM_H

#include <linux/bits.h>
#include <linux/types.h>

struct file;
struct page;
struct privmem_arch_ops;
struct privmem_backend_ops;
struct privmem_space;
struct privmem_shmem;

/* privmem_shmem_bind() flags: the consumer's requirements */

/* Private pages cannot be read, written, spliced or mapped by the host. */
#define PRIVMEM_SHMEM_USER_INACCESSIBLE	BIT(0)
/* The file's folios are not migrated (compaction, NUMA balancing). */
#define PRIVMEM_SHMEM_UNMOVABLE		BIT(1)
/* The file's folios are not reclaimed (swapped out). */
#define PRIVMEM_SHMEM_UNRECLAIMABLE	BIT(2)
#define PRIVMEM_SHMEM_FLAGS		(PRIVMEM_SHMEM_USER_INACCESSIBLE | \
					 PRIVMEM_SHMEM_UNMOVABLE | \
					 PRIVMEM_SHMEM_UNRECLAIMABLE)

extern const struct privmem_backend_ops privmem_shmem_backend_ops;

struct privmem_shmem *privmem_shmem_bind(struct file *file, pgoff_t pgoff,
					 u64 npages, unsigned int flags);
int privmem_shmem_space_bind(struct privmem_space *space, u64 gfn,
			     struct privmem_shmem *sh,
			     const struct privmem_arch_ops *arch,
			     void *arch_priv);
void privmem_shmem_unbind(struct privmem_shmem *sh);
int privmem_shmem_hold(struct privmem_shmem *sh, u64 gfn, struct page **page);
void privmem_shmem_release(struct privmem_shmem *sh, struct page *page);

#endif /* _LINUX_PRIVMEM_SHMEM_H */
