/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for virt/privmem/core/privmem_internal.h.
 *
 * It carries the same include guard, and the Makefile force-includes it
 * before each core file, so the kernel header is skipped and the core
 * compiles against the userspace maple tree of tools/testing/shared.
 * The mutex records its holder so that lockdep_assert_held() checks the
 * locking rules here too.
 */
#ifndef _PRIVMEM_INTERNAL_H
#define _PRIVMEM_INTERNAL_H

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared.h"
#include <asm/barrier.h>
#include <linux/maple_tree.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "../../../include/linux/privmem.h"

#ifndef pr_err_ratelimited
#define pr_err_ratelimited(fmt, ...)	fprintf(stderr, fmt, ##__VA_ARGS__)
#endif

#ifndef U64_MAX
#define U64_MAX		((u64)~0ULL)
#endif

/* Modules and exports (EXPORT_SYMBOL_GPL comes from tools' export.h) */
#include <linux/export.h>
struct module;
#define THIS_MODULE			((struct module *)0)
#define EXPORT_SYMBOL_IF_KUNIT		EXPORT_SYMBOL_GPL
#define VISIBLE_IF_KUNIT
#define KUNIT_STATIC_STUB_REDIRECT(...)	do { } while (0)

/* Trace events (include/trace/events/privmem.h) */
static inline void trace_privmem_convert(const struct privmem_space *space,
					 unsigned int nr, unsigned int flags,
					 unsigned int done, int ret) { }
static inline void trace_privmem_step(const struct privmem_op *op, int ret) { }
static inline void trace_privmem_policy(const struct privmem_conv_info *ci,
					int ret) { }
static inline void trace_privmem_smash(const struct privmem_space *space,
				       u64 gfn, int ret) { }
static inline void trace_privmem_merge(const struct privmem_space *space,
				       u64 gfn, int ret) { }

static inline bool try_module_get(struct module *m) { return true; }
static inline void module_put(struct module *m) { }

/* Mutex that knows whether it is held, for lockdep_assert_held(). */
struct mutex {
	pthread_mutex_t m;
	pthread_t owner;
	bool held;
};

static inline void mutex_init(struct mutex *l)
{
	pthread_mutex_init(&l->m, NULL);
	l->held = false;
}

static inline void mutex_destroy(struct mutex *l)
{
	pthread_mutex_destroy(&l->m);
}

static inline void mutex_lock(struct mutex *l)
{
	pthread_mutex_lock(&l->m);
	l->owner = pthread_self();
	l->held = true;
}

static inline void mutex_unlock(struct mutex *l)
{
	l->held = false;
	pthread_mutex_unlock(&l->m);
}

static inline void lockdep_assert_held(const struct mutex *l)
{
	assert(l->held && pthread_equal(l->owner, pthread_self()));
}

/* Sequence counter; writers are serialised by the caller. */
struct privmem_seqcount {
	unsigned int seq;
};

#define seqcount_t	struct privmem_seqcount

static inline void seqcount_init(seqcount_t *s)
{
	s->seq = 0;
}

static inline void preempt_disable(void) { }
static inline void preempt_enable(void) { }

static inline void write_seqcount_begin(seqcount_t *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void write_seqcount_end(seqcount_t *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
}

static inline unsigned int read_seqcount_begin(const seqcount_t *s)
{
	unsigned int seq;

	while ((seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE)) & 1)
		;
	return seq;
}

static inline unsigned int raw_read_seqcount(const seqcount_t *s)
{
	return __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
}

static inline int read_seqcount_retry(const seqcount_t *s,
				      unsigned int seq)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&s->seq, __ATOMIC_RELAXED) != seq;
}

/*
 * kfree_rcu() of a privmem bitmap, whose rcu_head comes first: liburcu's
 * call_rcu() then hands the callback the pointer kmalloc() returned.
 */
static inline void privmem_kfree_rcu_cb(struct rcu_head *head)
{
	kfree(head);
}

#ifndef kfree_rcu
/* The rcu_head must come first: range.h asserts it for the bitmaps. */
#define kfree_rcu(p, ...)	call_rcu((struct rcu_head *)(p), privmem_kfree_rcu_cb)
#endif

#ifndef kcalloc
#define kcalloc(n, size, gfp)	kzalloc((n) * (size), gfp)
#define kvmalloc_array(n, size, gfp)	kmalloc_array(n, size, gfp)
#define kvfree(p)		kfree(p)
#endif

/* Live kmem_cache objects, counted by tools/testing/shared/linux.c. */
extern int nr_allocated;

#ifndef EUCLEAN
#define EUCLEAN		117
#endif

#endif /* _PRIVMEM_INTERNAL_H */
