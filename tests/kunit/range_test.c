// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite privmem_range: the range map of the privmem core, its
 * merging of equal neighbours (memory O(ranges)) and the invariant
 * checker.
 */
#include <kunit/test.h>
#include "privmem_fake.h"
#include "../core/space.h"
#include "../core/range.h"

#define P2M	PRIVMEM_PAGES_2M

static struct privmem_entry ent(u64 gfn, u64 n, int attr, int gran)
{
	struct privmem_entry e = { .gfn = gfn, .npages = n, .attr = attr,
				   .gran = gran };
	return e;
}

static u64 ranges(struct privmem_space *s)
{
	struct privmem_stats st;

	privmem_space_stats(s, &st);
	return st.ranges;
}

static void destroy_space(void *s)
{
	privmem_space_destroy(s);
}

static void free_fake(void *f)
{
	fake_free(f);
}

/* A fake space that the test's cleanup destroys. */
static struct privmem_space *test_space(struct kunit *test, struct fake **fp,
					u64 base, u64 npages)
{
	struct privmem_space *s;
	struct fake *f;

	f = fake_new(base, npages, true, true);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_fake, f), 0);
	s = fake_space(f);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_space, s), 0);
	*fp = f;
	return s;
}

static void privmem_range_bind_one_range(struct kunit *test)
{
	struct fake *f;
	struct privmem_space *s = test_space(test, &f, 100, 1000);
	enum privmem_attr a;
	enum privmem_gran g;

	KUNIT_EXPECT_EQ(test, ranges(s), 1);
	KUNIT_EXPECT_EQ(test, privmem_lookup(s, 100, &a, &g), 0);
	KUNIT_EXPECT_EQ(test, a, PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, g, PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, privmem_lookup(s, 1099, &a, &g), 0);
	KUNIT_EXPECT_EQ(test, privmem_lookup(s, 99, &a, &g), -ENOENT);
	KUNIT_EXPECT_EQ(test, privmem_lookup(s, 1100, &a, &g), -ENOENT);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
}

/* Neighbours in the same state are merged, in any order of creation. */
static void privmem_range_merge_neighbours(struct kunit *test)
{
	struct fake *f;
	struct privmem_space *s = test_space(test, &f, 0, 4 * P2M);
	struct privmem_entry e[3];
	enum privmem_attr a;
	unsigned int done;

	f->policy.merge = PRIVMEM_MERGE_NEVER;
	e[0] = ent(10, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	e[1] = ent(12, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	KUNIT_ASSERT_EQ(test, privmem_convert(s, e, 2, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, ranges(s), 5);
	e[0] = ent(11, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	KUNIT_ASSERT_EQ(test, privmem_convert(s, e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, ranges(s), 3);
	KUNIT_EXPECT_EQ(test, privmem_lookup(s, 11, &a, NULL), 0);
	KUNIT_EXPECT_EQ(test, a, PRIVMEM_PRIVATE);
	e[0] = ent(10, 3, PRIVMEM_SHARED, PRIVMEM_GRAN_4K);
	KUNIT_ASSERT_EQ(test, privmem_convert(s, e, 1, 0, &done, NULL), 0);
	KUNIT_EXPECT_EQ(test, ranges(s), 1);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
}

static enum privmem_gran st_of_gran(struct privmem_space *s, u64 gfn)
{
	enum privmem_attr a;
	enum privmem_gran g = PRIVMEM_GRAN_2M;

	privmem_lookup(s, gfn, &a, &g);
	return g;
}

static u64 bitmaps(struct privmem_space *s)
{
	struct privmem_stats st;

	privmem_space_stats(s, &st);
	return st.bitmaps;
}

static int convert1(struct privmem_space *s, u64 gfn, u64 n, int attr)
{
	struct privmem_entry e = ent(gfn, n, attr, PRIVMEM_GRAN_4K);
	unsigned int done;

	return privmem_convert(s, &e, 1, 0, &done, NULL);
}

struct walk_log {
	unsigned int n;
	u64 gfn[8], npages[8];
	enum privmem_attr attr[8];
};

static int walk_log_one(void *arg, u64 gfn, u64 npages,
			enum privmem_attr attr, enum privmem_gran gran)
{
	struct walk_log *w = arg;

	if (w->n == ARRAY_SIZE(w->gfn))
		return -E2BIG;
	w->gfn[w->n] = gfn;
	w->npages[w->n] = npages;
	w->attr[w->n++] = attr;
	return 0;
}

/*
 * Bitmap blocks: a 4K conversion inside a full block makes it a bitmap,
 * later ones flip bits, a block that becomes uniform is a range again,
 * a store across blocks updates the bitmaps at its ends in place or
 * absorbs them, and every walk reports maximal runs across them.
 */
static void privmem_range_bitmap_blocks(struct kunit *test)
{
	struct fake *f;
	struct privmem_space *s = test_space(test, &f, 0, 4 * P2M);
	struct walk_log w = {};
	enum privmem_attr a;

	f->policy.merge = PRIVMEM_MERGE_NEVER;
	KUNIT_ASSERT_EQ(test, convert1(s, P2M + 10, 1, PRIVMEM_PRIVATE), 0);
	KUNIT_EXPECT_EQ(test, bitmaps(s), 1);
	KUNIT_EXPECT_EQ(test, ranges(s), 3);
	KUNIT_EXPECT_EQ(test, privmem_lookup(s, P2M + 10, &a, NULL), 0);
	KUNIT_EXPECT_EQ(test, a, PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, privmem_lookup(s, P2M + 11, &a, NULL), 0);
	KUNIT_EXPECT_EQ(test, a, PRIVMEM_SHARED);
	KUNIT_ASSERT_EQ(test, convert1(s, P2M + 20, 5, PRIVMEM_PRIVATE), 0);
	KUNIT_EXPECT_EQ(test, bitmaps(s), 1);
	KUNIT_EXPECT_EQ(test, ranges(s), 5);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);

	/* uniform again: the bitmap goes, one range is left */
	KUNIT_ASSERT_EQ(test, convert1(s, P2M, 30, PRIVMEM_SHARED), 0);
	KUNIT_EXPECT_EQ(test, bitmaps(s), 0);
	KUNIT_EXPECT_EQ(test, ranges(s), 1);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);

	/* a private run across two bitmap blocks is one run */
	KUNIT_ASSERT_EQ(test, convert1(s, P2M + 500, 12, PRIVMEM_PRIVATE), 0);
	KUNIT_ASSERT_EQ(test, convert1(s, 2 * P2M, 6, PRIVMEM_PRIVATE), 0);
	KUNIT_EXPECT_EQ(test, bitmaps(s), 2);
	KUNIT_EXPECT_EQ(test, ranges(s), 3);
	KUNIT_ASSERT_EQ(test, privmem_walk_ranges(s, P2M, 3 * P2M, walk_log_one,
						  &w), 0);
	KUNIT_ASSERT_EQ(test, w.n, 3);
	KUNIT_EXPECT_EQ(test, w.gfn[1], P2M + 500);
	KUNIT_EXPECT_EQ(test, w.npages[1], 18);
	KUNIT_EXPECT_EQ(test, w.attr[1], PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, w.npages[0] + w.npages[1] + w.npages[2], 2 * P2M);

	/* across both: their ends stay mixed, updated in place */
	KUNIT_ASSERT_EQ(test, convert1(s, P2M + 505, 10, PRIVMEM_SHARED), 0);
	KUNIT_EXPECT_EQ(test, bitmaps(s), 2);
	KUNIT_EXPECT_EQ(test, ranges(s), 5);
	KUNIT_EXPECT_EQ(test, privmem_lookup(s, P2M + 504, &a, NULL), 0);
	KUNIT_EXPECT_EQ(test, a, PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, privmem_lookup(s, 2 * P2M + 2, &a, NULL), 0);
	KUNIT_EXPECT_EQ(test, a, PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);

	/* across both again: they become uniform and join the range */
	KUNIT_ASSERT_EQ(test, convert1(s, P2M + 400, P2M, PRIVMEM_SHARED), 0);
	KUNIT_EXPECT_EQ(test, bitmaps(s), 0);
	KUNIT_EXPECT_EQ(test, ranges(s), 1);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
}

/*
 * The span's partial blocks never become bitmaps; a 2M private block
 * smashed for one shared page becomes one.
 */
static void privmem_range_bitmap_edges(struct kunit *test)
{
	struct fake *f;
	struct privmem_space *s = test_space(test, &f, 100, 2 * P2M);
	struct privmem_entry e = ent(P2M, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
	unsigned int done;

	KUNIT_ASSERT_EQ(test, convert1(s, 110, 1, PRIVMEM_PRIVATE), 0);
	KUNIT_ASSERT_EQ(test, convert1(s, 2 * P2M + 50, 1, PRIVMEM_PRIVATE), 0);
	KUNIT_EXPECT_EQ(test, bitmaps(s), 0);
	KUNIT_EXPECT_EQ(test, ranges(s), 5);
	KUNIT_ASSERT_EQ(test, privmem_convert(s, &e, 1, 0, &done, NULL), 0);
	KUNIT_ASSERT_EQ(test, convert1(s, P2M + 7, 1, PRIVMEM_SHARED), 0);
	KUNIT_EXPECT_EQ(test, f->calls[FC_SPLIT], 1);
	KUNIT_EXPECT_EQ(test, bitmaps(s), 1);
	KUNIT_EXPECT_EQ(test, st_of_gran(s, P2M + 8), PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
}

/* Over the null ops of privmem_fake, for a space too large for the fake. */
static struct privmem_policy_ops null_policy = {
	.name = "null", .allow = fake_null_allow, .mode = fake_null_mode,
	.merge = PRIVMEM_MERGE_EAGER,
};

/*
 * 64 GiB fully private is one range; 1000 isolated shared pages make
 * at most four ranges each; converting them back returns to one.
 */
static void privmem_range_memory_o_ranges(struct kunit *test)
{
	const u64 npages = 16ULL << 20;
	struct privmem_space_config cfg = { .policy = &null_policy };
	struct privmem_entry *e;
	struct privmem_space *s;
	u64 gfn, block, next, expect;
	unsigned int done, i, n;

	e = kunit_kmalloc_array(test, PRIVMEM_MAX_ENTRIES, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	s = privmem_space_create(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_space, s), 0);
	KUNIT_ASSERT_EQ(test, privmem_space_bind(s, 0, npages, &fake_null_backend,
						 NULL, &fake_null_arch, NULL), 0);
	for (gfn = 0; gfn < npages; ) {
		for (n = 0; n < PRIVMEM_MAX_ENTRIES && gfn < npages; n++, gfn += P2M)
			e[n] = ent(gfn, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
		KUNIT_ASSERT_EQ(test, privmem_convert(s, e, n, 0, &done, NULL), 0);
	}
	KUNIT_EXPECT_EQ(test, ranges(s), 1);

	for (i = 0; i < 1000; i += n) {
		for (n = 0; n < PRIVMEM_MAX_ENTRIES && i + n < 1000; n++)
			e[n] = ent((i + n) * 4099ULL + 1, 1, PRIVMEM_SHARED,
				   PRIVMEM_GRAN_4K);
		KUNIT_ASSERT_EQ(test, privmem_convert(s, e, n, 0, &done, NULL), 0);
	}
	/*
	 * Each hole smashes its own block: [P4K] S [P4K] inside it (no
	 * piece on a side where the hole touches the block edge), the
	 * untouched blocks between holes stay 2M ranges.
	 */
	for (i = 0, next = 0, expect = 0; i < 1000; i++) {
		gfn = i * 4099ULL + 1;
		block = gfn & ~(u64)(P2M - 1);
		expect += (block > next) + (gfn > block) + 1 +
			  (gfn < block + P2M - 1);
		next = block + P2M;
	}
	expect += next < npages;
	KUNIT_EXPECT_EQ(test, ranges(s), expect);
	KUNIT_EXPECT_LE(test, expect, 4001);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);

	for (i = 0; i < 1000; i += n) {
		for (n = 0; n < PRIVMEM_MAX_ENTRIES && i + n < 1000; n++)
			e[n] = ent((i + n) * 4099ULL + 1, 1, PRIVMEM_PRIVATE,
				   PRIVMEM_GRAN_4K);
		KUNIT_ASSERT_EQ(test, privmem_convert(s, e, n, 0, &done, NULL), 0);
	}
	KUNIT_EXPECT_EQ(test, ranges(s), 1);	/* eagerly merged back */
}

/* Corrupt the map behind the core's back: the checker must notice. */
static void corrupt(struct privmem_space *s, u64 first, u64 last, void *entry)
{
	MA_STATE(mas, &s->ranges, first, last);

	mutex_lock(&s->lock);
	WARN_ON(mas_store_gfp(&mas, entry, GFP_KERNEL));
	mutex_unlock(&s->lock);
}

static void privmem_range_check_detects(struct kunit *test)
{
	struct privmem_bitmap *bm;
	struct fake *f;
	struct privmem_space *s;

	s = test_space(test, &f, 0, 4 * P2M);
	corrupt(s, 5, 600, xa_mk_value(PRIVMEM_ST_P2M));
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), -EUCLEAN);	/* misaligned 2M */

	s = test_space(test, &f, 0, 4 * P2M);
	corrupt(s, 0, 0, xa_mk_value(PRIVMEM_ST_SHARED));
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), -EUCLEAN);	/* unmerged */

	s = test_space(test, &f, 0, 4 * P2M);
	corrupt(s, 7, 7, NULL);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), -EUCLEAN);	/* hole */

	s = test_space(test, &f, 0, 4 * P2M);
	corrupt(s, 4 * P2M, 4 * P2M, xa_mk_value(PRIVMEM_ST_P4K));
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), -EUCLEAN);	/* beyond */

	s = test_space(test, &f, 0, 4 * P2M);
	corrupt(s, 9, 9, xa_mk_value(2));
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), -EUCLEAN);	/* bad state */

	/* bitmaps: uniform, not one block (the map frees them) */
	bm = kzalloc_obj(*bm, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bm);
	s = test_space(test, &f, 0, 4 * P2M);
	corrupt(s, P2M, 2 * P2M - 1, bm);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), -EUCLEAN);

	bm = kzalloc_obj(*bm, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bm);
	__set_bit(3, bm->bits);
	s = test_space(test, &f, 0, 4 * P2M);
	corrupt(s, P2M + 1, 2 * P2M, bm);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), -EUCLEAN);

	/* and a good one passes */
	bm = kzalloc_obj(*bm, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bm);
	__set_bit(3, bm->bits);
	s = test_space(test, &f, 0, 4 * P2M);
	corrupt(s, P2M, 2 * P2M - 1, bm);
	KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
}

static struct kunit_case privmem_range_cases[] = {
	KUNIT_CASE(privmem_range_bind_one_range),
	KUNIT_CASE(privmem_range_merge_neighbours),
	KUNIT_CASE(privmem_range_bitmap_blocks),
	KUNIT_CASE(privmem_range_bitmap_edges),
	KUNIT_CASE(privmem_range_memory_o_ranges),
	KUNIT_CASE(privmem_range_check_detects),
	{}
};

static struct kunit_suite privmem_range_suite = {
	.name = "privmem_range",
	.test_cases = privmem_range_cases,
};

kunit_test_suite(privmem_range_suite);
