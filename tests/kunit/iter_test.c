// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite privmem_iter: privmem_walk_ranges() against per-page
 * lookups, clipping, stopping and every errno.
 */
#include <kunit/test.h>
#include "privmem_fake.h"

#define P2M	PRIVMEM_PAGES_2M
#define BASE	(16 * P2M)
#define NPAGES	(4 * P2M)
#define MAX_SEEN	32

struct seen {
	unsigned int nr;
	int stop_at;		/* return 1 at this call, or -1 */
	int ret;		/* the value to stop with */
	struct {
		u64 gfn, npages;
		enum privmem_attr attr;
		enum privmem_gran gran;
	} r[MAX_SEEN];
};

static int record(void *arg, u64 gfn, u64 npages, enum privmem_attr attr,
		  enum privmem_gran gran)
{
	struct seen *s = arg;

	if (s->nr == MAX_SEEN)
		return -E2BIG;
	s->r[s->nr].gfn = gfn;
	s->r[s->nr].npages = npages;
	s->r[s->nr].attr = attr;
	s->r[s->nr].gran = gran;
	if (s->nr++ == s->stop_at)
		return s->ret;
	return 0;
}

static void destroy_space(void *s)
{
	privmem_space_destroy(s);
}

static void free_fake(void *f)
{
	fake_free(f);
}

/*
 * A bound space over [BASE, BASE + NPAGES) with five ranges, from BASE:
 * 2M private (one block), 4K private (16 pages), shared, 4K private (one
 * page in the third block), shared to the end.
 */
static struct privmem_space *iter_space(struct kunit *test, struct fake **fp)
{
	static const struct privmem_entry e[] = {
		{ .gfn = BASE, .npages = P2M, .attr = PRIVMEM_PRIVATE,
		  .gran = PRIVMEM_GRAN_2M },
		{ .gfn = BASE + P2M, .npages = 16, .attr = PRIVMEM_PRIVATE },
		{ .gfn = BASE + 2 * P2M + 7, .npages = 1,
		  .attr = PRIVMEM_PRIVATE },
	};
	struct privmem_space *s;
	unsigned int done;
	struct fake *f;

	f = fake_new(BASE, NPAGES, true, true);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_fake, f), 0);
	s = fake_space(f);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_space, s), 0);
	KUNIT_ASSERT_EQ(test, privmem_convert(s, e, ARRAY_SIZE(e), 0, &done, NULL), 0);
	*fp = f;
	return s;
}

/* What the walk reports agrees with privmem_lookup() on every page. */
static void check_against_lookup(struct kunit *test, struct privmem_space *s,
				 const struct seen *seen, u64 gfn, u64 end)
{
	enum privmem_attr a;
	enum privmem_gran g;
	unsigned int i;
	u64 next = gfn, p;

	for (i = 0; i < seen->nr; i++) {
		KUNIT_EXPECT_EQ(test, seen->r[i].gfn, next);
		KUNIT_EXPECT_GT(test, seen->r[i].npages, 0);
		for (p = seen->r[i].gfn; p < seen->r[i].gfn + seen->r[i].npages;
		     p++) {
			KUNIT_ASSERT_EQ(test, privmem_lookup(s, p, &a, &g), 0);
			KUNIT_ASSERT_EQ(test, a, seen->r[i].attr);
			KUNIT_ASSERT_EQ(test, g, seen->r[i].gran);
		}
		/* Maximal: neighbours differ. */
		if (i)
			KUNIT_EXPECT_TRUE(test,
					  seen->r[i].attr != seen->r[i - 1].attr ||
					  seen->r[i].gran != seen->r[i - 1].gran);
		next = seen->r[i].gfn + seen->r[i].npages;
	}
	KUNIT_EXPECT_EQ(test, next, end);
}

static void privmem_iter_whole_span(struct kunit *test)
{
	struct seen seen = { .stop_at = -1 };
	struct privmem_space *s;
	struct fake *f;

	s = iter_space(test, &f);
	KUNIT_ASSERT_EQ(test, privmem_walk_ranges(s, BASE, BASE + NPAGES,
						  record, &seen), 0);
	KUNIT_ASSERT_EQ(test, seen.nr, 5);
	KUNIT_EXPECT_EQ(test, seen.r[0].npages, P2M);
	KUNIT_EXPECT_EQ(test, seen.r[0].gran, PRIVMEM_GRAN_2M);
	KUNIT_EXPECT_EQ(test, seen.r[0].attr, PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, seen.r[1].npages, 16);
	KUNIT_EXPECT_EQ(test, seen.r[1].gran, PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, seen.r[2].attr, PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, seen.r[3].gfn, BASE + 2 * P2M + 7);
	KUNIT_EXPECT_EQ(test, seen.r[3].npages, 1);
	KUNIT_EXPECT_EQ(test, seen.r[4].gfn + seen.r[4].npages, BASE + NPAGES);
	check_against_lookup(test, s, &seen, BASE, BASE + NPAGES);
}

/* A span starting and ending inside ranges is clipped at both ends. */
static void privmem_iter_clipped(struct kunit *test)
{
	struct seen seen = { .stop_at = -1 };
	struct privmem_space *s;
	struct fake *f;

	s = iter_space(test, &f);
	KUNIT_ASSERT_EQ(test, privmem_walk_ranges(s, BASE + 100,
						  BASE + P2M + 5, record,
						  &seen), 0);
	KUNIT_ASSERT_EQ(test, seen.nr, 2);
	KUNIT_EXPECT_EQ(test, seen.r[0].gfn, BASE + 100);
	KUNIT_EXPECT_EQ(test, seen.r[0].npages, P2M - 100);
	KUNIT_EXPECT_EQ(test, seen.r[0].gran, PRIVMEM_GRAN_2M);
	KUNIT_EXPECT_EQ(test, seen.r[1].gfn, BASE + P2M);
	KUNIT_EXPECT_EQ(test, seen.r[1].npages, 5);
	check_against_lookup(test, s, &seen, BASE + 100, BASE + P2M + 5);

	/* One page inside one range. */
	seen.nr = 0;
	KUNIT_ASSERT_EQ(test, privmem_walk_ranges(s, BASE + 3 * P2M,
						  BASE + 3 * P2M + 1, record,
						  &seen), 0);
	KUNIT_ASSERT_EQ(test, seen.nr, 1);
	KUNIT_EXPECT_EQ(test, seen.r[0].npages, 1);
	KUNIT_EXPECT_EQ(test, seen.r[0].attr, PRIVMEM_SHARED);
}

/* A non-zero return stops the walk and is handed back as is. */
static void privmem_iter_stop(struct kunit *test)
{
	struct seen seen = { .stop_at = 1, .ret = 7 };
	struct privmem_space *s;
	struct fake *f;

	s = iter_space(test, &f);
	KUNIT_EXPECT_EQ(test, privmem_walk_ranges(s, BASE, BASE + NPAGES,
						  record, &seen), 7);
	KUNIT_EXPECT_EQ(test, seen.nr, 2);

	seen.nr = 0;
	seen.stop_at = 0;
	seen.ret = -EFAULT;
	KUNIT_EXPECT_EQ(test, privmem_walk_ranges(s, BASE, BASE + NPAGES,
						  record, &seen), -EFAULT);
	KUNIT_EXPECT_EQ(test, seen.nr, 1);

	/* The walk left the space usable: the lock was dropped. */
	seen.nr = 0;
	seen.stop_at = -1;
	KUNIT_EXPECT_EQ(test, privmem_walk_ranges(s, BASE, BASE + NPAGES,
						  record, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen.nr, 5);
}

/* Every errno, none of which calls the callback. */
static void privmem_iter_errors(struct kunit *test)
{
	struct privmem_space_config cfg = {};
	struct seen seen = { .stop_at = -1 };
	struct privmem_space *s, *c;
	struct fake *f;

	s = iter_space(test, &f);
	KUNIT_EXPECT_EQ(test, privmem_walk_ranges(s, BASE + 5, BASE + 5,
						  record, &seen), -EINVAL);
	KUNIT_EXPECT_EQ(test, privmem_walk_ranges(s, BASE + 6, BASE + 5,
						  record, &seen), -EINVAL);
	KUNIT_EXPECT_EQ(test, privmem_walk_ranges(s, BASE - 1, BASE + 5,
						  record, &seen), -ENOENT);
	KUNIT_EXPECT_EQ(test, privmem_walk_ranges(s, BASE, BASE + NPAGES + 1,
						  record, &seen), -ENOENT);
	KUNIT_EXPECT_EQ(test, privmem_walk_ranges(s, 0, 1, record, &seen),
			-ENOENT);

	cfg.policy = &f->policy;
	c = privmem_space_create(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	KUNIT_EXPECT_EQ(test, privmem_walk_ranges(c, BASE, BASE + 1, record,
						  &seen), -ENXIO);
	privmem_space_destroy(c);

	privmem_space_kill(s);
	KUNIT_EXPECT_EQ(test, privmem_walk_ranges(s, BASE, BASE + 1, record,
						  &seen), -ENODEV);
	KUNIT_EXPECT_EQ(test, seen.nr, 0);
}

static struct kunit_case privmem_iter_cases[] = {
	KUNIT_CASE(privmem_iter_whole_span),
	KUNIT_CASE(privmem_iter_clipped),
	KUNIT_CASE(privmem_iter_stop),
	KUNIT_CASE(privmem_iter_errors),
	{}
};

static struct kunit_suite privmem_iter_suite = {
	.name = "privmem_iter",
	.test_cases = privmem_iter_cases,
};

kunit_test_suite(privmem_iter_suite);
