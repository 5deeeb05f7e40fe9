// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite privmem_convert: conversion requests through a fake
 * policy, backend and arch that record every call (privmem_fake.c).
 *
 * Run with:
 *   ./tools/testing/kunit/kunit.py run --kunitconfig=virt/privmem
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/module.h>
#include "privmem_fake.h"
#include "../core/convert.h"
#include "../core/range.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

#define P2M	PRIVMEM_PAGES_2M

static struct privmem_entry ent(u64 gfn, u64 n, int attr, int gran)
{
	struct privmem_entry e = { .gfn = gfn, .npages = n, .attr = attr,
				   .gran = gran };
	return e;
}

static void destroy_space(void *s)
{
	privmem_space_destroy(s);
}

static void free_fake(void *f)
{
	fake_free(f);
}

/* A space over fake @f (settings applied); both freed by the cleanup. */
static struct privmem_space *space_with(struct kunit *test, struct fake *f)
{
	struct privmem_space *s;

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_fake, f), 0);
	s = fake_space(f);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_space, s), 0);
	return s;
}

static u64 ranges(struct privmem_space *s)
{
	struct privmem_stats st;

	privmem_space_stats(s, &st);
	return st.ranges;
}

/* Page state as the space reports it, in fake encoding. */
static int st_of(struct privmem_space *s, u64 gfn)
{
	enum privmem_attr a;
	enum privmem_gran g;

	if (privmem_lookup(s, gfn, &a, &g))
		return -1;
	if (a == PRIVMEM_SHARED)
		return ST_S;
	return g == PRIVMEM_GRAN_2M ? ST_P2M : ST_P4K;
}

/*
 * Transition matrix on one 2M block (gfn 512..1023 of a 3-block span),
 * with a policy that never merges eagerly so granularity shows plainly.
 * Each row is run explicit, implicit with the switch off, and implicit
 * with the switch on; implicit-off is refused unless nothing changes.
 */
enum init { I_S, I_P4K, I_P2M, I_MIX };
enum reqk { R_SH_FULL, R_SH_PART, R_PR_4K, R_PR_2M };

struct matrix_case {
	enum init init;
	enum reqk req;
	u8 p0, p100, p511;	/* expected states of pages 0, 100, 511 */
	u8 splits, merges;	/* expected arch block ops */
};

static const struct matrix_case matrix_cases[] = {
	{ I_S,   R_SH_FULL, ST_S,   ST_S,   ST_S,   0, 0 },
	{ I_S,   R_SH_PART, ST_S,   ST_S,   ST_S,   0, 0 },
	{ I_S,   R_PR_4K,   ST_P4K, ST_P4K, ST_P4K, 0, 0 },
	{ I_S,   R_PR_2M,   ST_P2M, ST_P2M, ST_P2M, 0, 0 },
	{ I_P4K, R_SH_FULL, ST_S,   ST_S,   ST_S,   0, 0 },
	{ I_P4K, R_SH_PART, ST_S,   ST_P4K, ST_P4K, 0, 0 },
	{ I_P4K, R_PR_4K,   ST_P4K, ST_P4K, ST_P4K, 0, 0 },
	{ I_P4K, R_PR_2M,   ST_P2M, ST_P2M, ST_P2M, 0, 1 },
	{ I_P2M, R_SH_FULL, ST_S,   ST_S,   ST_S,   0, 0 },
	{ I_P2M, R_SH_PART, ST_S,   ST_P4K, ST_P4K, 1, 0 },
	{ I_P2M, R_PR_4K,   ST_P2M, ST_P2M, ST_P2M, 0, 0 },
	{ I_P2M, R_PR_2M,   ST_P2M, ST_P2M, ST_P2M, 0, 0 },
	{ I_MIX, R_SH_FULL, ST_S,   ST_S,   ST_S,   0, 0 },
	{ I_MIX, R_SH_PART, ST_S,   ST_P4K, ST_S,   0, 0 },
	{ I_MIX, R_PR_4K,   ST_P4K, ST_P4K, ST_P4K, 0, 0 },
	{ I_MIX, R_PR_2M,   ST_P2M, ST_P2M, ST_P2M, 0, 1 },
};

static const char * const init_names[] = { "S", "P4K", "P2M", "mixed" };
static const char * const req_names[] = {
	"to shared (block)", "to shared (16 pages)", "to private 4K",
	"to private 2M",
};

static void matrix_desc(const struct matrix_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s %s", init_names[c->init],
		 req_names[c->req]);
}

KUNIT_ARRAY_PARAM(matrix, matrix_cases, matrix_desc);

static void matrix_setup(struct kunit *test, struct privmem_space *s,
			 enum init init)
{
	struct privmem_entry e[2];
	unsigned int done;

	switch (init) {
	case I_S:
		return;
	case I_P4K:
		e[0] = ent(P2M, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
		break;
	case I_P2M:
		e[0] = ent(P2M, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
		break;
	case I_MIX:
		/* pages 0..255 private at 4K, 256..511 shared */
		e[0] = ent(P2M, 256, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
		break;
	}
	KUNIT_ASSERT_EQ(test, privmem_convert(s, e, 1, 0, &done, NULL), 0);
}

static void privmem_convert_matrix(struct kunit *test)
{
	const struct matrix_case *c = test->param_value;
	static const struct privmem_entry reqs[] = {
		[R_SH_FULL] = { P2M, P2M, PRIVMEM_SHARED, PRIVMEM_GRAN_2M },
		[R_SH_PART] = { P2M, 16, PRIVMEM_SHARED, PRIVMEM_GRAN_4K },
		[R_PR_4K] = { P2M, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K },
		[R_PR_2M] = { P2M, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M },
	};
	int kind;

	for (kind = 0; kind < 3; kind++) {
		struct fake *f = fake_new(0, 3 * P2M, true, true);
		unsigned int flags = kind ? PRIVMEM_CONVERT_IMPLICIT : 0;
		struct privmem_space *s;
		unsigned int done = 99;
		bool noop;
		u8 before[3];
		int ret;

		f->merge = PRIVMEM_MERGE_NEVER;
		f->implicit = kind == 2;
		s = space_with(test, f);
		matrix_setup(test, s, c->init);
		before[0] = st_of(s, P2M);
		before[1] = st_of(s, P2M + 100);
		before[2] = st_of(s, P2M + 511);
		noop = before[0] == c->p0 && before[1] == c->p100 &&
		       before[2] == c->p511;
		fake_reset_calls(f);

		ret = privmem_convert(s, &reqs[c->req], 1, flags, &done, NULL);
		if (kind == 1 && !noop) {
			KUNIT_EXPECT_EQ_MSG(test, ret, -EPERM, "implicit, switch off");
			KUNIT_EXPECT_EQ(test, done, 0);
			KUNIT_EXPECT_EQ(test, st_of(s, P2M), before[0]);
			KUNIT_EXPECT_EQ(test, st_of(s, P2M + 100), before[1]);
			KUNIT_EXPECT_EQ(test, st_of(s, P2M + 511), before[2]);
			KUNIT_EXPECT_EQ(test, f->nlog, 0);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, ret, 0, "kind %d", kind);
		KUNIT_EXPECT_EQ(test, done, 1);
		KUNIT_EXPECT_EQ(test, st_of(s, P2M), c->p0);
		KUNIT_EXPECT_EQ(test, st_of(s, P2M + 100), c->p100);
		KUNIT_EXPECT_EQ(test, st_of(s, P2M + 511), c->p511);
		KUNIT_EXPECT_EQ(test, f->calls[FC_SPLIT], c->splits);
		KUNIT_EXPECT_EQ(test, f->calls[FC_MERGE], c->merges);
		if (noop)
			KUNIT_EXPECT_EQ(test, f->nlog, 0);
		/* Neighbouring blocks are never touched. */
		KUNIT_EXPECT_EQ(test, st_of(s, P2M - 1), ST_S);
		KUNIT_EXPECT_EQ(test, st_of(s, 2 * P2M), ST_S);
		KUNIT_EXPECT_EQ(test, f->hw[P2M + 100], c->p100);
		KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
		KUNIT_EXPECT_STREQ(test, f->err, "");
	}
}

/* Every validation errno; bad input calls nothing and changes nothing. */
static void privmem_convert_errno(struct kunit *test)
{
	struct fake *f = fake_new(1024, 8 * P2M, true, true);
	struct privmem_space *s = space_with(test, f);
	static const struct privmem_entry bad[] = {
		{ 1100, 0, 1, 0 },			/* zero length */
		{ 1023, 1, 1, 0 },			/* below the span */
		{ 1024 + 8 * P2M - 1, 2, 1, 0 },	/* beyond the span */
		{ 1024 + 1, P2M, 1, 1 },		/* 2M misaligned */
		{ 1024, P2M + 1, 1, 1 },		/* 2M length */
		{ 1100, 1, 2, 0 },			/* attribute */
		{ 1100, 1, 1, 2 },			/* granularity */
		{ 1030, 4, 1, 0 },			/* overlaps e[6..9] */
		{ ~0ULL - 1, 4, 1, 0 },			/* wraps */
		{ 1100, 1, 1, 0, { 0, 0, 1 } },		/* reserved bytes */
	};
	struct privmem_entry *e;
	unsigned int done, idx, i;

	e = kunit_kmalloc_array(test, PRIVMEM_MAX_ENTRIES + 1, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	for (i = 0; i <= PRIVMEM_MAX_ENTRIES; i++)
		e[i] = ent(1024 + i, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	fake_reset_calls(f);

	done = 99;
	idx = 99;
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, PRIVMEM_MAX_ENTRIES + 1, 0, &done, &idx),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, done, 0);
	KUNIT_EXPECT_EQ(test, idx, PRIVMEM_MAX_ENTRIES);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 1, 0x80, &done, &idx), -EINVAL);
	KUNIT_EXPECT_EQ(test, idx, 0);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, NULL, 1, 0, &done, &idx), -EINVAL);
	KUNIT_EXPECT_EQ(test, idx, 0);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 1, 0, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 0, 0, &done, &idx), 0);
	KUNIT_EXPECT_EQ(test, idx, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		e[10] = bad[i];
		done = 99;
		idx = 99;
		KUNIT_EXPECT_EQ_MSG(test, privmem_convert(s, e, 11, 0, &done, &idx), -EINVAL,
				    "bad entry %u", i);
		KUNIT_EXPECT_EQ(test, done, 0);
		KUNIT_EXPECT_EQ_MSG(test, idx, 10, "bad entry %u", i);
		idx = 99;
		KUNIT_EXPECT_EQ(test, privmem_validate(s, e, 11, &idx), -EINVAL);
		KUNIT_EXPECT_EQ(test, idx, 10);
	}
	KUNIT_EXPECT_EQ(test, privmem_validate(s, e, 10, &idx), 0);
	KUNIT_EXPECT_EQ(test, privmem_validate(s, e, PRIVMEM_MAX_ENTRIES + 1, &idx), -E2BIG);
	KUNIT_EXPECT_EQ(test, idx, PRIVMEM_MAX_ENTRIES);
	KUNIT_EXPECT_EQ(test, f->nlog, 0);
	KUNIT_EXPECT_EQ(test, st_of(s, 1030), ST_S);
	KUNIT_EXPECT_EQ(test, ranges(s), 1);

	/* The policy refuses entry 2: entries 0 and 1 are done. */
	f->poison[1024 + 2 - f->base] = PZ_DENY;
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 5, 0, &done, &idx), -EPERM);
	KUNIT_EXPECT_EQ(test, done, 2);
	KUNIT_EXPECT_EQ(test, idx, 2);
	KUNIT_EXPECT_EQ(test, st_of(s, 1025), ST_P4K);
	KUNIT_EXPECT_EQ(test, st_of(s, 1026), ST_S);
	KUNIT_EXPECT_EQ(test, st_of(s, 1027), ST_S);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
}

/**
 * struct error_index_case - a bad request and the entry blamed for it
 * @name: what is wrong.
 * @e: the request.
 * @nr: entries in @e.
 * @index: the entry privmem_convert() must name.
 */
struct error_index_case {
	const char *name;
	struct privmem_entry e[4];
	unsigned int nr;
	unsigned int index;
};

/* The span is [1024, 1024 + 8 * P2M). */
static const struct error_index_case error_index_cases[] = {
	{ "malformed after an overlap",
	  { { 1100, 2, 1, 0 }, { 1101, 1, 1, 0 }, { 1200, 1, 2, 0 } }, 3, 2 },
	{ "zero length",
	  { { 1100, 1, 1, 0 }, { 1101, 1, 1, 0 }, { 1102, 1, 1, 0 },
	    { 1200, 0, 1, 0 } }, 4, 3 },
	{ "outside the span",
	  { { 1100, 1, 1, 0 }, { 1024 + 8 * P2M - 1, 2, 1, 0 } }, 2, 1 },
	{ "2M misaligned",
	  { { 3000, 1, 1, 0 }, { 3001, 1, 1, 0 },
	    { 1024 + P2M + 1, P2M, 1, 1 } }, 3, 2 },
	{ "first overlap in request order",
	  { { 1100, 10, 1, 0 }, { 1200, 1, 1, 0 }, { 1105, 1, 1, 0 },
	    { 1101, 1, 1, 0 } }, 4, 2 },
	{ "overlap with a later, lower entry",
	  { { 1200, 1, 1, 0 }, { 1100, 200, 1, 0 } }, 2, 1 },
};

static void error_index_desc(const struct error_index_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(error_index, error_index_cases, error_index_desc);

/* A rejected request names its offending entry and changes nothing. */
static void privmem_convert_error_index(struct kunit *test)
{
	const struct error_index_case *c = test->param_value;
	struct fake *f = fake_new(1024, 8 * P2M, true, true);
	struct privmem_space *s = space_with(test, f);
	unsigned int done = 99, idx = 99;

	fake_reset_calls(f);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, c->e, c->nr, 0, &done, &idx), -EINVAL);
	KUNIT_EXPECT_EQ(test, done, 0);
	KUNIT_EXPECT_EQ(test, idx, c->index);
	idx = 99;
	KUNIT_EXPECT_EQ(test, privmem_validate(s, c->e, c->nr, &idx), -EINVAL);
	KUNIT_EXPECT_EQ(test, idx, c->index);
	KUNIT_EXPECT_EQ(test, f->nlog, 0);
	KUNIT_EXPECT_EQ(test, ranges(s), 1);

	/* Success names the end of the request. */
	KUNIT_EXPECT_EQ(test, privmem_convert(s, &c->e[0], 1, 0, &done, &idx), 0);
	KUNIT_EXPECT_EQ(test, done, 1);
	KUNIT_EXPECT_EQ(test, idx, 1);
}

/* 253 adjacent 4K entries: one backend and one arch call. */
static void privmem_convert_coalesce(struct kunit *test)
{
	struct fake *f = fake_new(0, 4 * P2M, true, true);
	struct privmem_space *s = space_with(test, f);
	struct privmem_entry *e;
	struct privmem_stats st;
	unsigned int done, i;

	e = kunit_kmalloc_array(test, PRIVMEM_MAX_ENTRIES, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	for (i = 0; i < PRIVMEM_MAX_ENTRIES; i++)
		e[i] = ent(10 + i, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, PRIVMEM_MAX_ENTRIES, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, done, PRIVMEM_MAX_ENTRIES);
	KUNIT_EXPECT_EQ(test, f->calls[FC_BPREP], 1);
	KUNIT_EXPECT_EQ(test, f->calls[FC_BCOMMIT], 1);
	KUNIT_EXPECT_EQ(test, f->calls[FC_SETP], 1);
	KUNIT_EXPECT_EQ(test, f->log[1].gfn, 10);
	KUNIT_EXPECT_EQ(test, f->calls[FC_ALLOW], PRIVMEM_MAX_ENTRIES);
	KUNIT_EXPECT_EQ(test, ranges(s), 3);
	privmem_space_stats(s, &st);
	KUNIT_EXPECT_EQ(test, st.coalesced, PRIVMEM_MAX_ENTRIES - 1);
	KUNIT_EXPECT_EQ(test, st.pages_to_private, PRIVMEM_MAX_ENTRIES);
	KUNIT_EXPECT_EQ(test, st.steps, 1);

	/* Shuffled entries are not adjacent in request order: no coalescing. */
	for (i = 0; i < 4; i++)
		e[i] = ent(1000 - 2 * i, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	fake_reset_calls(f);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 4, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, f->calls[FC_SETP], 4);

	/* Already in the target state: no-ops, no call, all done. */
	fake_reset_calls(f);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 4, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, done, 4);
	KUNIT_EXPECT_EQ(test, f->nlog, 0);
}

static bool log_is(struct fake *f, const u8 *calls, unsigned int n)
{
	unsigned int i;

	if (f->nlog != n)
		return false;
	for (i = 0; i < n; i++)
		if (f->log[i].call != calls[i])
			return false;
	return true;
}

/* Smash one 4K page out of a 2M block, then merge it back. */
static void privmem_convert_smash_unsmash(struct kunit *test)
{
	static const u8 smash[] = { FC_ALLOW, FC_MODE, FC_SPLIT, FC_BPREP,
				    FC_APREP, FC_SETS, FC_AFINISH, FC_BCOMMIT };
	static const u8 unsmash[] = { FC_ALLOW, FC_MODE, FC_BPREP, FC_APREP,
				      FC_SETP, FC_AFINISH, FC_BCOMMIT, FC_MERGE };
	struct fake *f = fake_new(0, 4 * P2M, true, true);
	struct privmem_space *s = space_with(test, f);
	struct privmem_entry e = ent(P2M, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
	unsigned int done;

	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, st_of(s, P2M + 7), ST_P2M);
	KUNIT_EXPECT_EQ(test, ranges(s), 3);

	fake_reset_calls(f);
	e = ent(P2M + 100, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K);
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_TRUE(test, log_is(f, smash, ARRAY_SIZE(smash)));
	KUNIT_EXPECT_EQ(test, f->log[2].gfn, P2M);
	KUNIT_EXPECT_EQ(test, f->log[3].gfn, P2M + 100);
	KUNIT_EXPECT_EQ(test, f->log[3].npages, 1);
	KUNIT_EXPECT_EQ(test, st_of(s, P2M + 100), ST_S);
	KUNIT_EXPECT_EQ(test, st_of(s, P2M + 99), ST_P4K);
	KUNIT_EXPECT_EQ(test, st_of(s, P2M + 101), ST_P4K);
	KUNIT_EXPECT_EQ(test, ranges(s), 5);

	fake_reset_calls(f);
	e.attr = PRIVMEM_PRIVATE;
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_TRUE(test, log_is(f, unsmash, ARRAY_SIZE(unsmash)));
	KUNIT_EXPECT_EQ(test, f->log[7].gfn, P2M);
	KUNIT_EXPECT_EQ(test, st_of(s, P2M + 100), ST_P2M);
	KUNIT_EXPECT_EQ(test, ranges(s), 3);

	/* A lazy policy leaves the block smashed until compact. */
	f->policy.merge = PRIVMEM_MERGE_LAZY;
	e.attr = PRIVMEM_SHARED;
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	e.attr = PRIVMEM_PRIVATE;
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, st_of(s, P2M + 100), ST_P4K);
	KUNIT_EXPECT_EQ(test, privmem_space_compact(s), 1);
	KUNIT_EXPECT_EQ(test, st_of(s, P2M + 100), ST_P2M);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
	KUNIT_EXPECT_STREQ(test, f->err, "");
}

/*
 * Failure injection: for each op and each position k of ten separate
 * entries, entries before k are converted, entry k is untouched and
 * entries after k were never started (no op touched them).
 */
struct inject_case {
	const char *name;
	u8 poison;
	int attr, gran;
	bool start_p2m;		/* entries start as private 2M blocks */
	bool partial;		/* entries cover part of their block */
};

static const struct inject_case inject_cases[] = {
	{ "backend prepare, to private", PZ_BPREP, 1, 0, false, false },
	{ "arch prepare, to private", PZ_APREP, 1, 0, false, false },
	{ "set_private", PZ_SETP, 1, 0, false, false },
	{ "set_private 2M", PZ_SETP, 1, 1, false, false },
	{ "backend prepare, to shared", PZ_BPREP, 0, 0, true, false },
	{ "set_shared 2M", PZ_SETS, 0, 1, true, false },
	{ "set_shared after smash", PZ_SETS, 0, 0, true, true },
	{ "split", PZ_SPLIT, 0, 0, true, true },
};

static void inject_desc(const struct inject_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(inject, inject_cases, inject_desc);

static void privmem_convert_inject(struct kunit *test)
{
	const struct inject_case *c = test->param_value;
	const unsigned int n = 6;
	struct privmem_entry e[6];
	unsigned int k, i, done;

	for (k = 0; k < n; k++) {
		struct fake *f = fake_new(0, 2 * n * P2M, true, true);
		struct privmem_space *s = space_with(test, f);
		u8 before[6];

		/* Entry i lives in block 2i; blocks 2i+1 are gaps. */
		if (c->start_p2m) {
			for (i = 0; i < n; i++)
				e[i] = ent(2 * i * P2M, P2M, 1, 1);
			KUNIT_ASSERT_EQ(test, privmem_convert(s, e, n, 0, &done, NULL), 0);
		}
		for (i = 0; i < n; i++) {
			u64 len = c->partial ? 8 : (c->gran ? P2M : 40);

			e[i] = ent(2 * i * P2M, len, c->attr, c->gran);
			before[i] = st_of(s, 2 * i * P2M);
		}
		f->poison[2 * k * P2M + 3] = c->poison;
		fake_reset_calls(f);

		KUNIT_EXPECT_EQ(test, privmem_convert(s, e, n, 0, &done, NULL), FAKE_ERR);
		KUNIT_EXPECT_EQ(test, done, k);
		for (i = 0; i < n; i++) {
			u64 g = 2 * i * P2M;
			u8 want = c->attr ? (c->gran ? ST_P2M : ST_P4K) : ST_S;

			if (i < k) {
				KUNIT_EXPECT_EQ_MSG(test, st_of(s, g + 3), want, "entry %u", i);
			} else {
				KUNIT_EXPECT_EQ_MSG(test, st_of(s, g + 3), before[i],
						    "entry %u (failing %u)", i, k);
				KUNIT_EXPECT_EQ(test, st_of(s, g + 300), before[i]);
			}
			if (i > k) {
				KUNIT_EXPECT_FALSE(test, fake_touched(f, FC_BPREP, g, P2M));
				KUNIT_EXPECT_FALSE(test, fake_touched(f, FC_SPLIT, g, P2M));
				KUNIT_EXPECT_FALSE(test, fake_touched(f, FC_ALLOW, g, P2M));
			}
		}
		KUNIT_EXPECT_EQ(test, f->calls[FC_BPREP] - f->calls[FC_BABORT] -
				(c->poison == PZ_BPREP), f->calls[FC_BCOMMIT]);
		KUNIT_EXPECT_EQ(test, f->aprep_open, 0);
		KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
		KUNIT_EXPECT_STREQ(test, f->err, "");
	}
}

/* A failure inside a coalesced run still reports exact progress. */
static void privmem_convert_inject_coalesced(struct kunit *test)
{
	struct privmem_entry e[10];
	unsigned int done, k, i;

	for (k = 0; k < 10; k++) {
		struct fake *f = fake_new(0, 2 * P2M, true, true);
		struct privmem_space *s = space_with(test, f);

		for (i = 0; i < 10; i++)
			e[i] = ent(40 + 4 * i, 4, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
		f->poison[40 + 4 * k + 2] = PZ_SETP;
		KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 10, 0, &done, NULL), FAKE_ERR);
		KUNIT_EXPECT_EQ(test, done, k);
		for (i = 0; i < 10; i++)
			KUNIT_EXPECT_EQ(test, st_of(s, 40 + 4 * i + 3),
					i < k ? ST_P4K : ST_S);
		KUNIT_EXPECT_EQ(test, f->aprep_open, 0);
		KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
		KUNIT_EXPECT_STREQ(test, f->err, "");
	}
}

/* Explicit 2M over a partly private block: the merge fails, all undone. */
static void privmem_convert_inject_merge(struct kunit *test)
{
	struct fake *f = fake_new(0, 2 * P2M, true, true);
	struct privmem_space *s = space_with(test, f);
	struct privmem_entry e = ent(0, 16, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	unsigned int done;

	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	f->poison[5] = PZ_MERGE;
	e = ent(0, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), FAKE_ERR);
	KUNIT_EXPECT_EQ(test, done, 0);
	KUNIT_EXPECT_EQ(test, st_of(s, 5), ST_P4K);
	KUNIT_EXPECT_EQ(test, st_of(s, 100), ST_S);	/* its conversion undone */
	KUNIT_EXPECT_EQ(test, f->hw[100], ST_S);
	KUNIT_EXPECT_EQ(test, f->calls[FC_SETS], 1);	/* the undo */
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
	KUNIT_EXPECT_STREQ(test, f->err, "");
}

/* Tree-node preallocations so far, and the first one that fails. */
static unsigned int prealloc_calls, prealloc_fail_from;

static int failing_prealloc(struct ma_state *mas, void *entry, gfp_t gfp)
{
	/* Undo paths allocate with __GFP_NOFAIL: they must go through. */
	if (!(gfp & __GFP_NOFAIL) && ++prealloc_calls >= prealloc_fail_from)
		return -ENOMEM;
	return mas_preallocate(mas, entry, gfp);
}

/*
 * No memory for the tree nodes of entry k: -ENOMEM, entries before it
 * (a no-op included) done, entry k and the rest never reach an op.
 * Each entry lies in its own block, so each needs a tree write.
 */
static void privmem_convert_enomem(struct kunit *test)
{
	struct fake *f = fake_new(0, 4 * P2M, true, true);
	struct privmem_space *s = space_with(test, f);
	struct privmem_entry e[] = {
		ent(30, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K),	/* no-op */
		ent(3, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K),
		ent(P2M + 10, 2, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K),
		ent(2 * P2M + 20, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K),
	};
	struct privmem_stats st;
	unsigned int done;

	prealloc_calls = 0;
	prealloc_fail_from = 2;
	kunit_activate_static_stub(test, privmem_range_prealloc,
				   failing_prealloc);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, ARRAY_SIZE(e), 0, &done, NULL),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, done, 2);
	KUNIT_EXPECT_EQ(test, st_of(s, 3), ST_P4K);
	KUNIT_EXPECT_EQ(test, st_of(s, P2M + 10), ST_S);
	KUNIT_EXPECT_EQ(test, st_of(s, P2M + 11), ST_S);
	KUNIT_EXPECT_EQ(test, st_of(s, 2 * P2M + 20), ST_S);
	KUNIT_EXPECT_EQ(test, f->hw[P2M + 10], ST_S);
	KUNIT_EXPECT_FALSE(test, fake_touched(f, FC_BPREP, P2M + 10, 2));
	KUNIT_EXPECT_FALSE(test, fake_touched(f, FC_BPREP, 2 * P2M + 20, 1));
	KUNIT_EXPECT_FALSE(test, fake_touched(f, FC_SETP, P2M + 10, 2 * P2M + 20));
	privmem_space_stats(s, &st);
	KUNIT_EXPECT_EQ(test, st.entries, 2);
	KUNIT_EXPECT_EQ(test, st.failures, 1);
	KUNIT_EXPECT_EQ(test, st.bitmaps, 1);	/* block 0 only */
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
	KUNIT_EXPECT_STREQ(test, f->err, "");

	/* With memory back, the same request finishes the job. */
	kunit_deactivate_static_stub(test, privmem_range_prealloc);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, ARRAY_SIZE(e), 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, done, ARRAY_SIZE(e));
	KUNIT_EXPECT_EQ(test, st_of(s, P2M + 11), ST_P4K);
}

static struct privmem_bitmap *failing_bitmap_alloc(gfp_t gfp)
{
	return NULL;
}

static int no_prealloc(struct ma_state *mas, void *entry, gfp_t gfp)
{
	return -ENOMEM;
}

/*
 * No memory for the bitmap that a block's first 4K conversion needs:
 * -ENOMEM before any op.  Once a block is a bitmap, converting its
 * pages allocates nothing at all.
 */
static void privmem_convert_enomem_bitmap(struct kunit *test)
{
	struct fake *f = fake_new(0, 2 * P2M, true, true);
	struct privmem_space *s = space_with(test, f);
	struct privmem_entry e = ent(7, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	struct privmem_stats st;
	unsigned int done;

	kunit_activate_static_stub(test, privmem_bitmap_alloc,
				   failing_bitmap_alloc);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), -ENOMEM);
	KUNIT_EXPECT_EQ(test, done, 0);
	KUNIT_EXPECT_EQ(test, st_of(s, 7), ST_S);
	KUNIT_EXPECT_EQ(test, f->calls[FC_BPREP], 0);
	KUNIT_EXPECT_EQ(test, f->calls[FC_SETP], 0);
	kunit_deactivate_static_stub(test, privmem_bitmap_alloc);

	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	kunit_activate_static_stub(test, privmem_bitmap_alloc,
				   failing_bitmap_alloc);
	kunit_activate_static_stub(test, privmem_range_prealloc, no_prealloc);
	e = ent(9, 3, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	e = ent(7, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, st_of(s, 7), ST_S);
	KUNIT_EXPECT_EQ(test, st_of(s, 10), ST_P4K);
	KUNIT_EXPECT_EQ(test, f->hw[10], ST_P4K);
	privmem_space_stats(s, &st);
	KUNIT_EXPECT_EQ(test, st.bitmaps, 1);
	KUNIT_EXPECT_EQ(test, st.ranges, 3);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
	KUNIT_EXPECT_STREQ(test, f->err, "");
}

/*
 * One entry over more separate private runs than a plan may hold (every
 * other page private): -ENOMEM before any op, nothing changed.  The
 * guest chooses how fragmented its memory is, so the host must not
 * allocate without bound for it.  Half the span fits.
 */
static void privmem_convert_step_cap(struct kunit *test)
{
	const u64 n = 2 * (PRIVMEM_PLAN_MAX_STEPS + 1);
	struct fake *f = fake_new(0, ALIGN(n, P2M), true, true);
	struct privmem_space *s = space_with(test, f);
	struct privmem_entry *e;
	unsigned int done, k;
	u64 gfn = 0;

	e = kunit_kcalloc(test, PRIVMEM_MAX_ENTRIES, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	while (gfn < n) {
		for (k = 0; k < PRIVMEM_MAX_ENTRIES && gfn < n; k++, gfn += 2)
			e[k] = ent(gfn, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
		KUNIT_ASSERT_EQ(test, privmem_convert(s, e, k, 0, &done, NULL), 0);
	}
	fake_reset_calls(f);

	e[0] = ent(0, n, PRIVMEM_SHARED, PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 1, 0, &done, NULL), -ENOMEM);
	KUNIT_EXPECT_EQ(test, done, 0);
	KUNIT_EXPECT_EQ(test, f->calls[FC_BPREP], 0);
	KUNIT_EXPECT_EQ(test, f->calls[FC_SETS], 0);
	KUNIT_EXPECT_EQ(test, st_of(s, 0), ST_P4K);
	KUNIT_EXPECT_EQ(test, st_of(s, n - 2), ST_P4K);
	KUNIT_EXPECT_EQ(test, f->hw[n - 2], ST_P4K);

	e[0] = ent(0, n / 2, PRIVMEM_SHARED, PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, done, 1);
	KUNIT_EXPECT_EQ(test, st_of(s, 0), ST_S);
	KUNIT_EXPECT_EQ(test, f->hw[0], ST_S);
	KUNIT_EXPECT_EQ(test, st_of(s, n - 2), ST_P4K);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
	KUNIT_EXPECT_STREQ(test, f->err, "");
}

/* The same inside a multi-step entry: the smash before it is undone. */
static void privmem_convert_enomem_complex(struct kunit *test)
{
	struct fake *f = fake_new(0, 2 * P2M, true, true);
	struct privmem_space *s = space_with(test, f);
	struct privmem_entry e = ent(0, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
	unsigned int done;

	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	KUNIT_ASSERT_EQ(test, f->hw[5], ST_P2M);
	fake_reset_calls(f);

	prealloc_calls = 0;
	prealloc_fail_from = 2;		/* the split's store succeeds */
	kunit_activate_static_stub(test, privmem_range_prealloc,
				   failing_prealloc);
	e = ent(5, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), -ENOMEM);
	KUNIT_EXPECT_EQ(test, done, 0);
	KUNIT_EXPECT_EQ(test, f->calls[FC_SPLIT], 1);
	KUNIT_EXPECT_EQ(test, f->calls[FC_MERGE], 1);	/* the undo */
	KUNIT_EXPECT_EQ(test, f->calls[FC_BPREP], 0);
	KUNIT_EXPECT_EQ(test, st_of(s, 5), ST_P2M);
	KUNIT_EXPECT_EQ(test, f->hw[5], ST_P2M);
	KUNIT_EXPECT_EQ(test, ranges(s), 2);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
	KUNIT_EXPECT_STREQ(test, f->err, "");
}

/*
 * An undo that fails kills the space: the arch gives every page back and
 * stops mapping the span at once; the backend, whose cookie a lock-free
 * fault path may still hold, keeps its pages until the space is
 * destroyed.
 */
static void privmem_convert_undo_fails(struct kunit *test)
{
	struct fake *f = fake_new(0, 2 * P2M, true, true);
	struct privmem_space *s = space_with(test, f);
	struct privmem_entry e[] = {
		ent(3, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K),
		ent(P2M + 3, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K),
	};
	enum privmem_attr a;
	unsigned int done;

	KUNIT_ASSERT_EQ(test, privmem_convert(s, e, 2, 0, &done, NULL), 0);
	fake_reset_calls(f);
	/*
	 * 2M private over both partly private blocks: block 0 is merged
	 * back, block 1 fails to merge, and block 0 cannot be split again.
	 */
	f->poison[P2M + 5] = PZ_MERGE;
	f->poison[0] = PZ_SPLIT;
	f->probe = true;
	e[0] = ent(0, 2 * P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 1, 0, &done, NULL), -EIO);
	KUNIT_EXPECT_EQ(test, done, 0);
	KUNIT_EXPECT_EQ(test, f->calls[FC_MERGE], 2);
	KUNIT_EXPECT_EQ(test, f->calls[FC_SPLIT], 1);
	KUNIT_EXPECT_EQ(test, privmem_space_state(s), PRIVMEM_SPACE_DEAD);
	KUNIT_EXPECT_EQ(test, privmem_lookup(s, 5, &a, NULL), -ENODEV);
	KUNIT_EXPECT_EQ(test, f->calls[FC_AUNBIND], 1);
	/* Dead before the arch gave its pages up: no fault may map one. */
	KUNIT_EXPECT_EQ(test, f->unbind_lookup, -ENODEV);
	KUNIT_EXPECT_EQ(test, f->calls[FC_BUNBIND], 0);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 1, 0, &done, NULL), -ENODEV);

	kunit_release_action(test, destroy_space, s);
	KUNIT_EXPECT_EQ(test, f->calls[FC_AUNBIND], 1);
	KUNIT_EXPECT_EQ(test, f->calls[FC_BUNBIND], 1);
	KUNIT_EXPECT_STREQ(test, f->err, "");
}

/* What the trace events reported for one space. */
static struct trace_seen {
	const struct privmem_space *space;
	unsigned int converts, steps, smashes, merges;
	unsigned int allowed, refused;
	unsigned int nr, done;
	int ret, policy_ret;
	enum privmem_requester who;
	u64 policy_gfn;
	struct privmem_op step;
	u64 smash_gfn;
} trace_seen;

static void probe_convert(void *data, const struct privmem_space *space,
			  unsigned int nr, unsigned int flags,
			  unsigned int done, int ret)
{
	struct trace_seen *t = data;

	if (space != t->space)
		return;
	t->converts++;
	t->nr = nr;
	t->done = done;
	t->ret = ret;
}

static void probe_policy(void *data, const struct privmem_conv_info *ci,
			 int ret)
{
	struct trace_seen *t = data;

	if (ci->space != t->space)
		return;
	if (ret)
		t->refused++;
	else
		t->allowed++;
	t->policy_ret = ret;
	t->who = ci->who;
	t->policy_gfn = ci->gfn;
}

static void probe_step(void *data, const struct privmem_op *op, int ret)
{
	struct trace_seen *t = data;

	if (op->space != t->space)
		return;
	t->steps++;
	t->step = *op;
}

static void probe_smash(void *data, const struct privmem_space *space,
			u64 gfn, int ret)
{
	struct trace_seen *t = data;

	if (space != t->space || ret)
		return;
	t->smashes++;
	t->smash_gfn = gfn;
}

static void probe_merge(void *data, const struct privmem_space *space,
			u64 gfn, int ret)
{
	struct trace_seen *t = data;

	if (space == t->space && !ret)
		t->merges++;
}

/* Every request, step, smash and merge is traced, coalesced steps once. */
static void privmem_convert_trace(struct kunit *test)
{
	struct fake *f = fake_new(0, 2 * P2M, true, true);
	struct privmem_space *s = space_with(test, f);
	struct trace_seen *t = &trace_seen;
	struct privmem_entry e[3];
	unsigned int done, i;

	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		kunit_skip(test, "no tracepoints in this kernel");

	e[0] = ent(0, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
	KUNIT_ASSERT_EQ(test, privmem_convert(s, e, 1, 0, &done, NULL), 0);

	memset(t, 0, sizeof(*t));
	t->space = s;
	KUNIT_ASSERT_EQ(test, register_trace_privmem_convert(probe_convert, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_privmem_step(probe_step, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_privmem_policy(probe_policy, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_privmem_smash(probe_smash, t), 0);
	KUNIT_ASSERT_EQ(test, register_trace_privmem_merge(probe_merge, t), 0);

	/* A page of the 2M block back to shared: smash, then one step. */
	e[0] = ent(5, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, t->converts, 1);
	KUNIT_EXPECT_EQ(test, t->smashes, 1);
	KUNIT_EXPECT_EQ(test, t->smash_gfn, 0);
	KUNIT_EXPECT_EQ(test, t->steps, 1);
	KUNIT_EXPECT_EQ(test, t->step.gfn, 5);
	KUNIT_EXPECT_EQ(test, t->step.from, PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, t->step.to, PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, t->step.gran, PRIVMEM_GRAN_4K);

	/* Two adjacent entries make one coalesced step. */
	for (i = 0; i < 3; i++)
		e[i] = ent(P2M + 10 + i, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 2, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, t->converts, 2);
	KUNIT_EXPECT_EQ(test, t->nr, 2);
	KUNIT_EXPECT_EQ(test, t->done, 2);
	KUNIT_EXPECT_EQ(test, t->ret, 0);
	KUNIT_EXPECT_EQ(test, t->steps, 2);
	KUNIT_EXPECT_EQ(test, t->step.gfn, P2M + 10);
	KUNIT_EXPECT_EQ(test, t->step.npages, 2);
	KUNIT_EXPECT_EQ(test, t->step.to, PRIVMEM_PRIVATE);

	f->poison[P2M + 12] = PZ_SETP;
	KUNIT_EXPECT_EQ(test, privmem_convert(s, &e[2], 1, 0, &done, NULL), FAKE_ERR);
	KUNIT_EXPECT_EQ(test, t->converts, 3);
	KUNIT_EXPECT_EQ(test, t->done, 0);
	KUNIT_EXPECT_EQ(test, t->ret, FAKE_ERR);
	KUNIT_EXPECT_EQ(test, t->steps, 3);	/* a failed step too */
	KUNIT_EXPECT_EQ(test, t->merges, 0);

	/* Each entry that needed a step was decided once; no-ops never. */
	KUNIT_EXPECT_EQ(test, t->allowed, 4);
	KUNIT_EXPECT_EQ(test, t->refused, 0);
	KUNIT_EXPECT_EQ(test, t->who, PRIVMEM_BY_GUEST);
	e[0] = ent(5, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, t->allowed, 4);
	/* The policy refuses; the host asks: who and the errno are traced. */
	f->poison[P2M + 20] = PZ_DENY;
	e[0] = ent(P2M + 20, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, privmem_convert(s, e, 1, PRIVMEM_CONVERT_HOST,
					      &done, NULL), -EPERM);
	KUNIT_EXPECT_EQ(test, t->refused, 1);
	KUNIT_EXPECT_EQ(test, t->policy_ret, -EPERM);
	KUNIT_EXPECT_EQ(test, t->policy_gfn, P2M + 20);
	KUNIT_EXPECT_EQ(test, t->who, PRIVMEM_BY_HOST);
	KUNIT_EXPECT_EQ(test, t->steps, 3);

	unregister_trace_privmem_merge(probe_merge, t);
	unregister_trace_privmem_smash(probe_smash, t);
	unregister_trace_privmem_policy(probe_policy, t);
	unregister_trace_privmem_step(probe_step, t);
	unregister_trace_privmem_convert(probe_convert, t);
	tracepoint_synchronize_unregister();
}

/* Destructive conversions get a new page; in-place ones keep it. */
static void privmem_convert_modes(struct kunit *test)
{
	struct fake *f = fake_new(0, P2M, true, true);
	struct privmem_space *s = space_with(test, f);
	struct privmem_entry e = ent(7, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	unsigned int done;
	u64 pfn = f->pfn[7];

	/* FM_CC: to private before launch keeps the pre-boot data. */
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, f->pfn[7], pfn);
	e.attr = PRIVMEM_SHARED;
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_NE(test, f->pfn[7], pfn);
	KUNIT_ASSERT_EQ(test, privmem_space_populate_done(s), 0);
	KUNIT_ASSERT_EQ(test, privmem_space_launch(s), 0);
	pfn = f->pfn[7];
	e.attr = PRIVMEM_PRIVATE;
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_NE(test, f->pfn[7], pfn);
	KUNIT_EXPECT_EQ(test, f->pfn[6], 7);
}

/*
 * After launch a private -> shared step that the host asked for is
 * destructive even under an in-place policy; the guest's own stays in
 * place, and before launch the host's does too.
 */
static void privmem_convert_host_unshare(struct kunit *test)
{
	struct fake *f = fake_new(0, P2M, true, true);
	struct privmem_space *s = space_with(test, f);
	struct privmem_entry e = ent(7, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	unsigned int done;
	u64 pfn = f->pfn[7];

	f->mode = FM_INPLACE;
	KUNIT_EXPECT_EQ(test, privmem_convert(s, &e, 1, PRIVMEM_CONVERT_HOST |
					      PRIVMEM_CONVERT_IMPLICIT,
					      &done, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, st_of(s, 7), ST_S);

	/* Before launch: the host's unshare keeps the page. */
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, PRIVMEM_CONVERT_HOST,
					      &done, NULL), 0);
	e.attr = PRIVMEM_SHARED;
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, PRIVMEM_CONVERT_HOST,
					      &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, f->pfn[7], pfn);

	KUNIT_ASSERT_EQ(test, privmem_space_populate_done(s), 0);
	KUNIT_ASSERT_EQ(test, privmem_space_launch(s), 0);
	e.attr = PRIVMEM_PRIVATE;
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, f->pfn[7], pfn);
	/* The guest's own unshare stays in place... */
	e.attr = PRIVMEM_SHARED;
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, f->pfn[7], pfn);
	/* ...the host's is destructive. */
	e.attr = PRIVMEM_PRIVATE;
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, PRIVMEM_CONVERT_HOST,
					      &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, f->pfn[7], pfn);
	e.attr = PRIVMEM_SHARED;
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, PRIVMEM_CONVERT_HOST,
					      &done, NULL), 0);
	KUNIT_EXPECT_NE(test, f->pfn[7], pfn);
	KUNIT_EXPECT_EQ(test, st_of(s, 7), ST_S);
}

/* A lookup racing with a conversion gets -EAGAIN, never a half state. */
static void privmem_convert_lookup_converting(struct kunit *test)
{
	struct fake *f = fake_new(0, P2M, true, true);
	struct privmem_space *s = space_with(test, f);
	struct privmem_entry e = ent(10, 5, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	unsigned int done;

	f->probe = true;
	f->probe_inside = 1;
	f->probe_outside = 1;
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, f->probe_inside, -EAGAIN);
	KUNIT_EXPECT_EQ(test, f->probe_outside, 0);
	KUNIT_EXPECT_EQ(test, st_of(s, 14), ST_P4K);	/* and after: final */
}

/* At least 100,000 random operations against the reference model. */
static void privmem_convert_random(struct kunit *test)
{
	int cfg;

	for (cfg = 0; cfg < PRIVMEM_FAKE_NR_CFGS; cfg++)
		KUNIT_ASSERT_EQ_MSG(test, privmem_fake_random(400, 1, cfg), 0,
				    "configuration %d", cfg);
}

static struct kunit_case privmem_convert_cases[] = {
	KUNIT_CASE_PARAM(privmem_convert_matrix, matrix_gen_params),
	KUNIT_CASE(privmem_convert_errno),
	KUNIT_CASE_PARAM(privmem_convert_error_index, error_index_gen_params),
	KUNIT_CASE(privmem_convert_coalesce),
	KUNIT_CASE(privmem_convert_smash_unsmash),
	KUNIT_CASE_PARAM(privmem_convert_inject, inject_gen_params),
	KUNIT_CASE(privmem_convert_inject_coalesced),
	KUNIT_CASE(privmem_convert_inject_merge),
	KUNIT_CASE(privmem_convert_enomem),
	KUNIT_CASE(privmem_convert_enomem_bitmap),
	KUNIT_CASE(privmem_convert_enomem_complex),
	KUNIT_CASE_SLOW(privmem_convert_step_cap),
	KUNIT_CASE(privmem_convert_undo_fails),
	KUNIT_CASE(privmem_convert_trace),
	KUNIT_CASE(privmem_convert_modes),
	KUNIT_CASE(privmem_convert_host_unshare),
	KUNIT_CASE(privmem_convert_lookup_converting),
	KUNIT_CASE_SLOW(privmem_convert_random),
	{}
};

static struct kunit_suite privmem_convert_suite = {
	.name = "privmem_convert",
	.test_cases = privmem_convert_cases,
};

kunit_test_suite(privmem_convert_suite);

MODULE_DESCRIPTION("KUnit tests for the privmem core");
MODULE_LICENSE("GPL");
