// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace test harness for the privmem core: directed tests and a
 * randomized test against the per-page reference model
 * (virt/privmem/tests/privmem_fake.c).  Prints KTAP.
 *
 *   ./privmem_test [-s seed] [-n operations]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <urcu.h>
#include "../../../virt/privmem/tests/privmem_fake.h"
#include <linux/err.h>

#define P2M	PRIVMEM_PAGES_2M

static int passed, failed;
static const char *cur_test;

/* Like KUNIT_EXPECT_*: report, remember, carry on. */
static int cur_failed;

static void check(bool ok, int line, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, line,
		cur_test, what);
	cur_failed = 1;
}

static void check_eq(long long a, long long b, int line, const char *sa,
		     const char *sb)
{
	if (a == b)
		return;
	fprintf(stderr, "%s:%d: %s: %s == %lld, expected %s == %lld\n",
		__FILE__, line, cur_test, sa, a, sb, b);
	cur_failed = 1;
}

#define CHECK(cond)	check(cond, __LINE__, #cond)
#define CHECK_EQ(a, b)	check_eq(a, b, __LINE__, #a, #b)

static struct privmem_entry ent(u64 gfn, u64 n, int attr, int gran)
{
	struct privmem_entry e = { .gfn = gfn, .npages = n, .attr = attr,
				   .gran = gran };
	return e;
}

static int attr_of(struct privmem_space *s, u64 gfn, enum privmem_gran *g)
{
	enum privmem_attr a;

	if (privmem_lookup(s, gfn, &a, g))
		return -1;
	return a;
}

static u64 nr_ranges(struct privmem_space *s)
{
	struct privmem_stats st;

	privmem_space_stats(s, &st);
	return st.ranges;
}

static unsigned long total_calls(struct fake *f)
{
	unsigned long n = 0;
	int i;

	for (i = FC_BPREP; i < FC_NR; i++)
		n += f->calls[i];
	return n;
}

/* Every validation errno, and bad input changes nothing. */
static int test_validate(void)
{
	struct fake *f = fake_new(1024, 8 * P2M, true, true);
	struct privmem_space *s = fake_space(f);
	struct privmem_entry e[PRIVMEM_MAX_ENTRIES + 1];
	unsigned int done = 99;
	int i;

	for (i = 0; i <= PRIVMEM_MAX_ENTRIES; i++)
		e[i] = ent(1024 + i, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	CHECK_EQ(privmem_convert(s, e, PRIVMEM_MAX_ENTRIES + 1, 0, &done, NULL), -E2BIG);
	CHECK_EQ(done, 0);
	CHECK_EQ(privmem_convert(s, e, 1, 0x80, &done, NULL), -EINVAL);
	CHECK_EQ(privmem_convert(s, NULL, 1, 0, &done, NULL), -EINVAL);
	CHECK_EQ(privmem_convert(s, e, 1, 0, NULL, NULL), -EINVAL);
	CHECK_EQ(privmem_convert(s, e, 0, 0, &done, NULL), 0);

	/* each malformed entry placed last, after valid ones */
	struct privmem_entry bad[] = {
		ent(1100, 0, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K),		/* zero */
		ent(1023, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K),		/* below */
		ent(1024 + 8 * P2M - 1, 2, 1, 0),			/* beyond */
		ent(1024 + 1, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M),	/* misaligned */
		ent(1024, P2M + 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M),	/* length */
		ent(1100, 1, 2, 0),					/* attr */
		ent(1100, 1, 1, 2),					/* gran */
		ent(1030, 4, 1, 0),					/* overlaps e[6..9] */
		ent(~0ULL - 1, 4, 1, 0),				/* wraps */
	};
	for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
		e[10] = bad[i];
		done = 99;
		CHECK_EQ(privmem_convert(s, e, 11, 0, &done, NULL), -EINVAL);
		CHECK_EQ(done, 0);
	}
	e[10] = ent(1100, 1, 1, 0);
	e[10].rsvd[3] = 1;
	CHECK_EQ(privmem_convert(s, e, 11, 0, &done, NULL), -EINVAL);
	CHECK_EQ(total_calls(f), 0);
	CHECK_EQ(f->calls[FC_ALLOW], 0);
	CHECK_EQ(attr_of(s, 1030, NULL), PRIVMEM_SHARED);
	CHECK_EQ(nr_ranges(s), 1);
	CHECK_EQ(privmem_space_check(s), 0);
	privmem_space_destroy(s);
	fake_free(f);
	return 0;
}

/* Lifecycle transitions and their errnos. */
static int test_lifecycle(void)
{
	struct fake *f = fake_new(0, 4 * P2M, true, true);
	struct privmem_space_config cfg = { .policy = &f->policy };
	struct privmem_entry e = ent(0, 1, 1, 0);
	struct privmem_space *s;
	enum privmem_attr a;
	unsigned int done;

	privmem_space_destroy(fake_space(f));	/* fills in the ops */
	s = privmem_space_create(&cfg);
	if (IS_ERR(s))
		return -1;
	CHECK_EQ(privmem_space_state(s), PRIVMEM_SPACE_CREATED);
	CHECK_EQ(privmem_convert(s, &e, 1, 0, &done, NULL), -ENXIO);
	CHECK_EQ(privmem_lookup(s, 0, &a, NULL), -ENXIO);
	CHECK_EQ(privmem_space_populate_done(s), -ENXIO);
	CHECK_EQ(privmem_space_launch(s), -ENXIO);
	CHECK_EQ(privmem_space_bind(s, 0, 0, &f->bops, f, &f->aops, f), -EINVAL);
	CHECK_EQ(privmem_space_bind(s, 0, 4 * P2M, NULL, f, &f->aops, f), -EINVAL);
	CHECK_EQ(privmem_space_bind(s, PRIVMEM_MAX_GFN, 1, &f->bops, f, &f->aops, f), -EINVAL);
	CHECK_EQ(privmem_space_bind(s, 0, 4 * P2M, &f->bops, f, &f->aops, f), 0);
	CHECK_EQ(privmem_space_bind(s, 0, 4 * P2M, &f->bops, f, &f->aops, f), -EBUSY);
	CHECK_EQ(privmem_space_state(s), PRIVMEM_SPACE_BOUND);
	CHECK_EQ(privmem_lookup(s, 4 * P2M, &a, NULL), -ENOENT);
	CHECK_EQ(privmem_space_launch(s), -EINVAL);
	CHECK_EQ(privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	CHECK_EQ(privmem_space_populate_done(s), 0);
	CHECK_EQ(privmem_space_populate_done(s), -EBUSY);
	CHECK_EQ(privmem_space_launch(s), 0);
	CHECK_EQ(privmem_space_launch(s), -EBUSY);
	CHECK_EQ(privmem_space_state(s), PRIVMEM_SPACE_LAUNCHED);
	privmem_space_kill(s);
	CHECK_EQ(privmem_space_state(s), PRIVMEM_SPACE_DEAD);
	CHECK_EQ(privmem_convert(s, &e, 1, 0, &done, NULL), -ENODEV);
	CHECK_EQ(privmem_lookup(s, 0, &a, NULL), -ENODEV);
	CHECK_EQ(privmem_space_launch(s), -ENODEV);
	CHECK_EQ(privmem_space_compact(s), -ENODEV);
	CHECK(!strcmp(privmem_space_state_name(PRIVMEM_SPACE_POPULATED), "populated"));
	CHECK(!strcmp(privmem_space_state_name(PRIVMEM_SPACE_NR_STATES), "invalid"));
	privmem_space_destroy(s);
	fake_free(f);
	return 0;
}

/* 253 adjacent 4K entries: one backend and one arch call. */
static int test_coalesce(void)
{
	struct fake *f = fake_new(0, 4 * P2M, true, true);
	struct privmem_space *s = fake_space(f);
	struct privmem_entry e[PRIVMEM_MAX_ENTRIES];
	struct privmem_stats st;
	unsigned int done, i;

	for (i = 0; i < PRIVMEM_MAX_ENTRIES; i++)
		e[i] = ent(10 + i, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	CHECK_EQ(privmem_convert(s, e, PRIVMEM_MAX_ENTRIES, 0, &done, NULL), 0);
	CHECK_EQ(done, PRIVMEM_MAX_ENTRIES);
	CHECK_EQ(f->calls[FC_BPREP], 1);
	CHECK_EQ(f->calls[FC_BCOMMIT], 1);
	CHECK_EQ(f->calls[FC_SETP], 1);
	CHECK_EQ(f->calls[FC_ALLOW], PRIVMEM_MAX_ENTRIES);
	CHECK_EQ(nr_ranges(s), 3);
	privmem_space_stats(s, &st);
	CHECK_EQ(st.coalesced, PRIVMEM_MAX_ENTRIES - 1);
	CHECK_EQ(st.pages_to_private, PRIVMEM_MAX_ENTRIES);
	/* Again: all no-ops, no call at all, still all done. */
	memset(f->calls, 0, sizeof(f->calls));
	CHECK_EQ(privmem_convert(s, e, PRIVMEM_MAX_ENTRIES, 0, &done, NULL), 0);
	CHECK_EQ(done, PRIVMEM_MAX_ENTRIES);
	CHECK_EQ(total_calls(f) + f->calls[FC_ALLOW], 0);
	privmem_space_destroy(s);
	fake_free(f);
	return 0;
}

/* Smash a 2M block with one 4K conversion, then merge it back. */
static int test_smash_unsmash(void)
{
	struct fake *f = fake_new(0, 4 * P2M, true, true);
	struct privmem_space *s = fake_space(f);
	struct privmem_entry e = ent(P2M, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
	enum privmem_gran g;
	unsigned int done;

	CHECK_EQ(privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	CHECK_EQ(attr_of(s, P2M + 7, &g), PRIVMEM_PRIVATE);
	CHECK_EQ(g, PRIVMEM_GRAN_2M);
	CHECK_EQ(nr_ranges(s), 3);
	e = ent(P2M + 100, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K);
	CHECK_EQ(privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	CHECK_EQ(f->calls[FC_SPLIT], 1);
	CHECK_EQ(attr_of(s, P2M + 100, &g), PRIVMEM_SHARED);
	CHECK_EQ(attr_of(s, P2M + 99, &g), PRIVMEM_PRIVATE);
	CHECK_EQ(g, PRIVMEM_GRAN_4K);
	CHECK_EQ(nr_ranges(s), 5);	/* S [P4K] S [P4K] S */
	e.attr = PRIVMEM_PRIVATE;
	CHECK_EQ(privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	CHECK_EQ(f->calls[FC_MERGE], 1);
	CHECK_EQ(attr_of(s, P2M + 100, &g), PRIVMEM_PRIVATE);
	CHECK_EQ(g, PRIVMEM_GRAN_2M);
	CHECK_EQ(nr_ranges(s), 3);
	CHECK_EQ(privmem_space_check(s), 0);
	privmem_space_destroy(s);
	fake_free(f);
	return 0;
}

/*
 * Failure in each op at each position of a coalesced batch: earlier
 * entries stay converted, the failing one and the rest are untouched.
 */
static int test_failure_positions(void)
{
	static const u8 bits[] = { PZ_BPREP, PZ_APREP, PZ_SETP };
	struct privmem_entry e[10];
	unsigned int done, k, b, i;

	for (b = 0; b < sizeof(bits); b++) {
		for (k = 0; k < 10; k++) {
			struct fake *f = fake_new(0, 2 * P2M, true, true);
			struct privmem_space *s = fake_space(f);

			for (i = 0; i < 10; i++)
				e[i] = ent(40 + 4 * i, 4, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
			f->poison[40 + 4 * k + 2] = bits[b];
			CHECK_EQ(privmem_convert(s, e, 10, 0, &done, NULL), FAKE_ERR);
			CHECK_EQ(done, k);
			for (i = 0; i < 10; i++)
				CHECK_EQ(attr_of(s, 40 + 4 * i + 3, NULL),
					 i < k ? PRIVMEM_PRIVATE : PRIVMEM_SHARED);
			for (i = 0; i < 2 * P2M; i++)
				CHECK_EQ(f->prep[i], 0);
			CHECK_EQ(f->aprep_open, 0);
			CHECK_EQ(privmem_space_check(s), 0);
			CHECK(!f->err[0]);
			/* shared -> private of a 2M run fails at the smash */
			privmem_space_destroy(s);
			fake_free(f);
		}
	}
	return 0;
}

/* A failing step of a multi-step entry undoes the earlier steps. */
static int test_complex_undo(void)
{
	struct fake *f = fake_new(0, 4 * P2M, true, true);
	struct privmem_space *s = fake_space(f);
	struct privmem_entry e[2];
	enum privmem_gran g;
	unsigned int done;

	e[0] = ent(0, 4 * P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
	CHECK_EQ(privmem_convert(s, e, 1, 0, &done, NULL), 0);
	/* To shared over [100, 3*P2M + 5): smashes blocks 0 and 3. */
	e[0] = ent(100, 3 * P2M - 95, PRIVMEM_SHARED, PRIVMEM_GRAN_4K);
	f->poison[2 * P2M + 3] = PZ_SETS;	/* the 2M conversion fails */
	CHECK_EQ(privmem_convert(s, e, 1, 0, &done, NULL), FAKE_ERR);
	CHECK_EQ(done, 0);
	CHECK_EQ(f->calls[FC_SPLIT], 2);
	CHECK_EQ(f->calls[FC_MERGE], 2);	/* both smashes undone */
	CHECK_EQ(attr_of(s, 100, &g), PRIVMEM_PRIVATE);
	CHECK_EQ(g, PRIVMEM_GRAN_2M);
	CHECK_EQ(nr_ranges(s), 1);
	CHECK(!f->err[0]);
	/* Merge-back refused during undo: the block stays smashed. */
	f->poison[2 * P2M + 3] = PZ_SETS;
	f->poison[5] = PZ_MERGE;
	CHECK_EQ(privmem_convert(s, e, 1, 0, &done, NULL), FAKE_ERR);
	CHECK_EQ(attr_of(s, 100, &g), PRIVMEM_PRIVATE);
	CHECK_EQ(g, PRIVMEM_GRAN_4K);
	CHECK_EQ(attr_of(s, 3 * P2M + 100, &g), PRIVMEM_PRIVATE);
	CHECK_EQ(g, PRIVMEM_GRAN_2M);
	CHECK_EQ(privmem_space_check(s), 0);
	CHECK(!f->err[0]);
	/* Policy refusing to smash: -EPERM, nothing called. */
	privmem_space_destroy(s);
	fake_free(f);

	f = fake_new(0, 4 * P2M, true, true);
	f->partial = PRIVMEM_PARTIAL_2M_REFUSE;
	s = fake_space(f);
	e[0] = ent(0, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
	e[1] = ent(P2M + 1, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	CHECK_EQ(privmem_convert(s, e, 2, 0, &done, NULL), 0);
	e[0] = ent(P2M + 1, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K);
	e[1] = ent(3, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K);
	memset(f->calls, 0, sizeof(f->calls));
	CHECK_EQ(privmem_convert(s, e, 2, 0, &done, NULL), -EPERM);
	CHECK_EQ(done, 1);
	CHECK_EQ(f->calls[FC_SPLIT], 0);
	CHECK_EQ(attr_of(s, 3, NULL), PRIVMEM_PRIVATE);
	privmem_space_destroy(s);
	fake_free(f);
	return 0;
}

/* Implicit requests follow the space's switch, copied at creation. */
static int test_implicit(void)
{
	struct fake *f = fake_new(0, P2M, true, true);
	struct privmem_space *s = fake_space(f), *s2;
	struct privmem_entry e = ent(1, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	unsigned int done;

	CHECK_EQ(privmem_convert(s, &e, 1, PRIVMEM_CONVERT_IMPLICIT, &done, NULL), -EPERM);
	CHECK_EQ(f->calls[FC_ALLOW], 0);
	f->implicit = true;
	s2 = fake_space(f);
	CHECK_EQ(privmem_convert(s, &e, 1, PRIVMEM_CONVERT_IMPLICIT, &done, NULL), -EPERM);
	CHECK_EQ(privmem_convert(s2, &e, 1, PRIVMEM_CONVERT_IMPLICIT, &done, NULL), 0);
	CHECK(privmem_space_implicit(s2) && !privmem_space_implicit(s));
	privmem_space_destroy(s);
	privmem_space_destroy(s2);
	fake_free(f);
	return 0;
}

/* A fully private space is one range; alternating pages are many. */
static int test_memory(void)
{
	struct fake *f = fake_new(0, 64 * P2M, true, true);
	struct privmem_space *s = fake_space(f);
	struct privmem_entry e[PRIVMEM_MAX_ENTRIES];
	unsigned int done, i;

	e[0] = ent(0, 64 * P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
	CHECK_EQ(privmem_convert(s, e, 1, 0, &done, NULL), 0);
	CHECK_EQ(nr_ranges(s), 1);
	for (i = 0; i < 100; i++)
		e[i] = ent(2 * i + 1, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K);
	CHECK_EQ(privmem_convert(s, e, 100, 0, &done, NULL), 0);
	CHECK_EQ(nr_ranges(s), 201 + 1);
	for (i = 0; i < 100; i++)
		e[i].attr = PRIVMEM_PRIVATE;
	CHECK_EQ(privmem_convert(s, e, 100, 0, &done, NULL), 0);
	CHECK_EQ(nr_ranges(s), 1);
	privmem_space_destroy(s);
	fake_free(f);
	return 0;
}

static int test_random(unsigned long ops, unsigned long long seed)
{
	int cfg;

	/* The configurations share the operations, at least 400 each. */
	for (cfg = 0; cfg < PRIVMEM_FAKE_NR_CFGS; cfg++)
		if (privmem_fake_random(max(ops / PRIVMEM_FAKE_NR_CFGS, 400UL),
					seed, cfg))
			return -1;
	return 0;
}

static unsigned long opt_ops = 100000;
static unsigned long long opt_seed = 1;

static int test_random_default(void)
{
	return test_random(opt_ops, opt_seed);
}

/* A lookup racing with a conversion gets -EAGAIN, never a half state. */
static int test_lookup_converting(void)
{
	struct fake *f = fake_new(0, P2M, true, true);
	struct privmem_space *s = fake_space(f);
	struct privmem_entry e = ent(10, 5, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	unsigned int done;

	f->probe = true;
	f->probe_inside = 1;
	f->probe_outside = 1;
	CHECK_EQ(privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	CHECK_EQ(f->probe_inside, -EAGAIN);
	CHECK_EQ(f->probe_outside, 0);
	CHECK_EQ(attr_of(s, 14, NULL), PRIVMEM_PRIVATE);
	privmem_space_destroy(s);
	fake_free(f);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "validate", test_validate },
	{ "lifecycle", test_lifecycle },
	{ "coalesce", test_coalesce },
	{ "smash_unsmash", test_smash_unsmash },
	{ "failure_positions", test_failure_positions },
	{ "complex_undo", test_complex_undo },
	{ "implicit", test_implicit },
	{ "memory", test_memory },
	{ "lookup_converting", test_lookup_converting },
	{ "random", test_random_default },
};

int main(int argc, char **argv)
{
	unsigned int i;
	int c;

	while ((c = getopt(argc, argv, "s:n:")) != -1) {
		if (c == 's')
			opt_seed = strtoull(optarg, NULL, 0);
		else if (c == 'n')
			opt_ops = strtoul(optarg, NULL, 0);
	}
	maple_tree_init();
	rcu_register_thread();
	printf("KTAP version 1\n1..%zu\n", ARRAY_SIZE(tests));
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		cur_test = tests[i].name;
		cur_failed = 0;
		if (tests[i].fn() || cur_failed) {
			printf("not ok %u privmem_%s\n", i + 1, tests[i].name);
			failed++;
		} else {
			printf("ok %u privmem_%s\n", i + 1, tests[i].name);
			passed++;
		}
	}
	rcu_barrier();
	rcu_unregister_thread();
	printf("# userspace: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
