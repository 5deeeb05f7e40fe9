/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fake policy, backend and arch ops that record every call and check
 * every precondition, and a reference model with one state per page.
 * Shared by the KUnit suites and by tools/testing/privmem/, which
 * compiles this directory's privmem_fake.c in userspace.
 */
#ifndef _PRIVMEM_TEST_FAKE_H
#define _PRIVMEM_TEST_FAKE_H

#ifdef __KERNEL__
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/privmem.h>
#include <linux/slab.h>
#include <linux/string.h>
#else
#include "privmem_internal.h"	/* tools/testing/privmem/ */
#include <linux/err.h>
#endif

/* Per-page state, the same encoding as the core's range map. */
#define ST_S	0
#define ST_P4K	1
#define ST_P2M	3

/* Calls recorded by the fakes. */
enum fake_call {
	FC_ALLOW, FC_MODE,
	FC_BPREP, FC_BCOMMIT, FC_BABORT,
	FC_APREP, FC_AFINISH, FC_SETP, FC_SETS, FC_SPLIT, FC_MERGE,
	FC_BUNBIND, FC_AUNBIND,
	FC_NR,
};

/* Poison bits: a forward op touching a poisoned page fails. */
#define PZ_BPREP	BIT(0)
#define PZ_SETP		BIT(1)
#define PZ_SETS		BIT(2)
#define PZ_SPLIT	BIT(3)
#define PZ_MERGE	BIT(4)
#define PZ_APREP	BIT(5)
#define PZ_DENY		BIT(6)	/* the policy refuses entries touching it */

#define FAKE_ERR	(-ENOSPC)	/* errno of injected failures */

enum fake_mode { FM_DESTRUCTIVE, FM_INPLACE, FM_CC };

#define FAKE_LOG_MAX	128

struct fake {
	u64 base, npages;
	u8 *hw;			/* hardware state per page (ST_*) */
	u64 *pfn;		/* backing page per page */
	u8 *prep;		/* 0, or 1 + prepared target attr */
	u8 *poison;		/* PZ_* per page */
	u64 next_pfn;
	long aprep_open;
	unsigned long calls[FC_NR];
	struct fake_log {
		u8 call;	/* enum fake_call */
		u64 gfn, npages;
	} log[FAKE_LOG_MAX];	/* the first FAKE_LOG_MAX ops, in order */
	unsigned int nlog;
	char err[256];		/* first contract violation seen */
	/* policy */
	enum fake_mode mode;
	enum privmem_partial_2m partial;
	enum privmem_merge merge;
	/* arch capabilities */
	bool has_split, has_merge, has_prep;
	bool implicit;
	/* with @probe, what privmem_lookup() answers inside set_private */
	bool probe;
	int probe_inside, probe_outside;	/* last frame, frame after */
	/* with @probe, what privmem_lookup() of @base answers in unbind */
	int unbind_lookup;
	struct privmem_space *space;	/* the last space fake_space() made */
	struct privmem_policy_ops policy;
	struct privmem_backend_ops bops;
	struct privmem_arch_ops aops;
};

struct fake *fake_new(u64 base, u64 npages, bool has_split, bool has_merge);
void fake_free(struct fake *f);
void fake_reset_calls(struct fake *f);
/* Did an op of kind @call touch [@gfn, @gfn + @n)? */
bool fake_touched(struct fake *f, enum fake_call call, u64 gfn, u64 n);
struct privmem_space *fake_space(struct fake *f);	/* created and bound */

/*
 * Ops that do nothing and a policy that allows everything, destructive,
 * for spaces too large for the per-page fake: only the bookkeeping runs.
 */
extern const struct privmem_backend_ops fake_null_backend;
extern const struct privmem_arch_ops fake_null_arch;
int fake_null_allow(const struct privmem_conv_info *ci);
enum privmem_mode fake_null_mode(const struct privmem_conv_info *ci);

/* Reference model */
struct model {
	struct fake *f;
	u64 base, npages;
	u8 *st;
	u64 *pfn;
	bool prelaunch;
};

void model_init(struct model *m, struct fake *f);
void model_free(struct model *m);
int model_convert(struct model *m, const struct privmem_entry *e,
		  unsigned int nr, unsigned int flags, unsigned int *done,
		  unsigned int *err_index);
/* Compare space, fake hardware and model; returns 0 or prints and -1. */
int model_compare(struct model *m, struct privmem_space *space);

/* Random batches against the model; 0 or prints and -1. */
int privmem_fake_random(unsigned long ops, unsigned long long seed, int cfg);
#define PRIVMEM_FAKE_NR_CFGS	256

#endif /* _PRIVMEM_TEST_FAKE_H */
