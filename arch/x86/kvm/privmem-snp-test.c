// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite privmem_snp: a real privmem space driven through the SEV-SNP
 * adapter, with every RMP instruction replaced by a static stub that logs
 * the call, keeps a fake RMP and can fail on request.  The backend is a
 * fake that maps gfn T_GFN + i to pfn T_PFN + i; no page is touched.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/privmem.h>
#include <asm/sev.h>

#include "privmem-snp.h"

#define T_GFN		0x40000ULL	/* 2M aligned */
#define T_PFN		0x80000ULL	/* 2M aligned */
#define T_NPAGES	(4 * PRIVMEM_PAGES_2M)
#define T_ASID		7
#define T_LOG		2048

enum snp_call { C_PRIV, C_SHARED, C_PSMASH, C_LOOKUP, C_FLUSH, C_LEAK, C_NR };

struct snp_log {
	enum snp_call call;
	u64 pfn;
	u64 arg;	/* level for RMPUPDATE, pages for flush and leak */
};

struct snp_test {
	struct privmem_policy_ops policy;
	struct privmem_backend_ops bops;
	struct privmem_space *space;
	struct privmem_snp *snp;
	enum privmem_gran backing;	/* folio size get_pfn reports */
	enum privmem_mode mode;
	long refs;			/* get_pfn minus put_pfn */
	/* fake RMP, per page: 0 shared, else the assigned level */
	u8 rmp[T_NPAGES];
	/* fail the fail_nth[c]'th (1-based) call of kind c; 0: never */
	unsigned int fail_nth[C_NR];
	int fail_ret;			/* what a failing PSMASH returns */
	unsigned int calls[C_NR];
	unsigned int nlog;
	struct snp_log log[T_LOG];
};

static struct snp_test *cur(void)
{
	return kunit_get_current_test()->priv;
}

/* Count a call, log it and say whether to fail it. */
static bool snp_record(enum snp_call call, u64 pfn, u64 arg)
{
	struct snp_test *t = cur();

	if (t->nlog < T_LOG)
		t->log[t->nlog++] = (struct snp_log){ call, pfn, arg };
	return ++t->calls[call] == t->fail_nth[call];
}

static void rmp_set(struct snp_test *t, u64 pfn, enum pg_level level, u8 v)
{
	u64 i, n = level == PG_LEVEL_2M ? PRIVMEM_PAGES_2M : 1;

	for (i = 0; i < n; i++)
		t->rmp[pfn - T_PFN + i] = v;
}

static int stub_rmp_private(u64 pfn, u64 gpa, enum pg_level level, u32 asid)
{
	struct kunit *test = kunit_get_current_test();
	struct snp_test *t = cur();

	KUNIT_EXPECT_EQ(test, asid, T_ASID);
	KUNIT_EXPECT_EQ(test, gpa, PFN_PHYS(pfn - T_PFN + T_GFN));
	if (snp_record(C_PRIV, pfn, level))
		return -EFAULT;
	rmp_set(t, pfn, level, level);
	return 0;
}

static int stub_rmp_shared(u64 pfn, enum pg_level level)
{
	struct snp_test *t = cur();

	if (snp_record(C_SHARED, pfn, level))
		return -EFAULT;
	rmp_set(t, pfn, level, 0);
	return 0;
}

static int stub_psmash(u64 pfn)
{
	struct snp_test *t = cur();
	u64 i;

	if (snp_record(C_PSMASH, pfn, 0))
		return t->fail_ret;
	for (i = 0; i < PRIVMEM_PAGES_2M; i++)
		if (t->rmp[pfn - T_PFN + i])
			t->rmp[pfn - T_PFN + i] = PG_LEVEL_4K;
	return 0;
}

static int stub_lookup(u64 pfn, bool *assigned, int *level)
{
	struct snp_test *t = cur();

	snp_record(C_LOOKUP, pfn, 0);
	*assigned = t->rmp[pfn - T_PFN];
	*level = *assigned ? t->rmp[pfn - T_PFN] : PG_LEVEL_4K;
	return 0;
}

static void stub_flush(u64 pfn, u64 npages)
{
	snp_record(C_FLUSH, pfn, npages);
}

static void stub_leak(u64 pfn, u64 npages)
{
	snp_record(C_LEAK, pfn, npages);
}

/* Fake policy and backend */

static int t_allow(const struct privmem_conv_info *ci)
{
	return 0;
}

static enum privmem_mode t_mode(const struct privmem_conv_info *ci)
{
	return cur()->mode;
}

static int t_bprep(void *priv, const struct privmem_op *op)
{
	return 0;
}

static void t_bdone(void *priv, const struct privmem_op *op)
{
}

static int t_get_pfn(void *priv, u64 gfn, u64 *pfn, enum privmem_gran *gran)
{
	struct snp_test *t = priv;

	if (gfn < T_GFN || gfn >= T_GFN + T_NPAGES)
		return -EINVAL;
	t->refs++;
	*pfn = T_PFN + gfn - T_GFN;
	*gran = t->backing;
	return 0;
}

static void t_put_pfn(void *priv, u64 pfn)
{
	((struct snp_test *)priv)->refs--;
}

static void snp_test_destroy(void *data)
{
	struct snp_test *t = data;

	if (t->space)
		privmem_space_destroy(t->space);
	t->space = NULL;
	privmem_snp_destroy(t->snp);
}

static int snp_test_init(struct kunit *test)
{
	struct privmem_space_config cfg = {};
	struct snp_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	test->priv = t;
	strscpy(t->policy.name, "snp-test");
	t->policy.allow = t_allow;
	t->policy.mode = t_mode;
	t->policy.partial_2m = PRIVMEM_PARTIAL_2M_SMASH;
	t->policy.merge = PRIVMEM_MERGE_NEVER;
	t->bops.prepare = t_bprep;
	t->bops.commit = t_bdone;
	t->bops.abort = t_bdone;
	t->bops.get_pfn = t_get_pfn;
	t->bops.put_pfn = t_put_pfn;
	t->backing = PRIVMEM_GRAN_2M;
	t->mode = PRIVMEM_MODE_DESTRUCTIVE;

	kunit_activate_static_stub(test, privmem_snp_rmp_private, stub_rmp_private);
	kunit_activate_static_stub(test, privmem_snp_rmp_shared, stub_rmp_shared);
	kunit_activate_static_stub(test, privmem_snp_psmash, stub_psmash);
	kunit_activate_static_stub(test, privmem_snp_rmp_lookup, stub_lookup);
	kunit_activate_static_stub(test, privmem_snp_flush, stub_flush);
	kunit_activate_static_stub(test, privmem_snp_leak, stub_leak);

	t->snp = privmem_snp_create(T_ASID, &t->bops, t, T_GFN, T_NPAGES);
	if (IS_ERR(t->snp))
		return PTR_ERR(t->snp);
	cfg.policy = &t->policy;
	t->space = privmem_space_create(&cfg);
	if (IS_ERR(t->space)) {
		privmem_snp_destroy(t->snp);
		return PTR_ERR(t->space);
	}
	if (kunit_add_action_or_reset(test, snp_test_destroy, t))
		return -ENOMEM;
	return privmem_space_bind(t->space, T_GFN, T_NPAGES, &t->bops, t,
				  &privmem_snp_arch_ops, t->snp);
}

static int conv(struct snp_test *t, u64 off, u64 n, enum privmem_attr attr,
		enum privmem_gran gran)
{
	struct privmem_entry e = {
		.gfn = T_GFN + off, .npages = n, .attr = attr, .gran = gran,
	};
	unsigned int done;

	return privmem_convert(t->space, &e, 1, 0, &done, NULL);
}

static enum privmem_attr attr_of(struct snp_test *t, u64 off)
{
	enum privmem_attr attr = PRIVMEM_SHARED;
	enum privmem_gran gran;

	privmem_lookup(t->space, T_GFN + off, &attr, &gran);
	return attr;
}

static void reset_log(struct snp_test *t)
{
	memset(t->calls, 0, sizeof(t->calls));
	t->nlog = 0;
}

static void expect_log(struct kunit *test, unsigned int i, enum snp_call call,
		       u64 pfn_off, u64 arg)
{
	struct snp_test *t = test->priv;

	KUNIT_ASSERT_LT(test, i, t->nlog);
	KUNIT_EXPECT_EQ_MSG(test, t->log[i].call, call, "log[%u]", i);
	KUNIT_EXPECT_EQ_MSG(test, t->log[i].pfn, T_PFN + pfn_off, "log[%u]", i);
	KUNIT_EXPECT_EQ_MSG(test, t->log[i].arg, arg, "log[%u]", i);
}

/* 4K to private: one RMPUPDATE per page, at 4K, with the VM's ASID. */
static void snp_to_private_4k(struct kunit *test)
{
	struct snp_test *t = test->priv;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, conv(t, 8, 4, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	KUNIT_ASSERT_EQ(test, t->nlog, 4);
	for (i = 0; i < 4; i++) {
		expect_log(test, i, C_PRIV, 8 + i, PG_LEVEL_4K);
		KUNIT_EXPECT_EQ(test, t->rmp[8 + i], PG_LEVEL_4K);
	}
	KUNIT_EXPECT_EQ(test, attr_of(t, 8), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, t->refs, 0);
}

/* 2M to private on a 2M folio: one RMPUPDATE at 2M. */
static void snp_to_private_2m(struct kunit *test)
{
	struct snp_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, conv(t, PRIVMEM_PAGES_2M, PRIVMEM_PAGES_2M,
				   PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M), 0);
	KUNIT_ASSERT_EQ(test, t->nlog, 1);
	expect_log(test, 0, C_PRIV, PRIVMEM_PAGES_2M, PG_LEVEL_2M);
	KUNIT_EXPECT_EQ(test, t->rmp[PRIVMEM_PAGES_2M + 511], PG_LEVEL_2M);
	KUNIT_EXPECT_EQ(test, t->refs, 0);
}

/* 2M to private on 4K folios: 512 RMPUPDATEs at 4K, none at 2M. */
static void snp_to_private_2m_on_4k_backing(struct kunit *test)
{
	struct snp_test *t = test->priv;

	t->backing = PRIVMEM_GRAN_4K;
	KUNIT_ASSERT_EQ(test, conv(t, 0, PRIVMEM_PAGES_2M, PRIVMEM_PRIVATE,
				   PRIVMEM_GRAN_2M), 0);
	KUNIT_EXPECT_EQ(test, t->calls[C_PRIV], PRIVMEM_PAGES_2M);
	expect_log(test, 0, C_PRIV, 0, PG_LEVEL_4K);
	expect_log(test, 511, C_PRIV, 511, PG_LEVEL_4K);
	/* the block was assigned page by page: splitting it needs no PSMASH */
	reset_log(t);
	KUNIT_ASSERT_EQ(test, conv(t, 5, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_EQ(test, t->calls[C_PSMASH], 0);
	expect_log(test, 0, C_SHARED, 5, PG_LEVEL_4K);
	KUNIT_EXPECT_EQ(test, t->rmp[5], 0);
	KUNIT_EXPECT_EQ(test, t->rmp[6], PG_LEVEL_4K);
}

/* To shared: RMPUPDATE at the assigned level, then flush the pages. */
static void snp_to_shared(struct kunit *test)
{
	struct snp_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, conv(t, 0, PRIVMEM_PAGES_2M, PRIVMEM_PRIVATE,
				   PRIVMEM_GRAN_2M), 0);
	KUNIT_ASSERT_EQ(test, conv(t, PRIVMEM_PAGES_2M, 2, PRIVMEM_PRIVATE,
				   PRIVMEM_GRAN_4K), 0);
	reset_log(t);
	KUNIT_ASSERT_EQ(test, conv(t, 0, 2 * PRIVMEM_PAGES_2M, PRIVMEM_SHARED,
				   PRIVMEM_GRAN_2M), 0);
	KUNIT_ASSERT_EQ(test, t->nlog, 6);
	expect_log(test, 0, C_SHARED, 0, PG_LEVEL_2M);
	expect_log(test, 1, C_FLUSH, 0, PRIVMEM_PAGES_2M);
	expect_log(test, 2, C_SHARED, PRIVMEM_PAGES_2M, PG_LEVEL_4K);
	expect_log(test, 3, C_FLUSH, PRIVMEM_PAGES_2M, 1);
	expect_log(test, 4, C_SHARED, PRIVMEM_PAGES_2M + 1, PG_LEVEL_4K);
	expect_log(test, 5, C_FLUSH, PRIVMEM_PAGES_2M + 1, 1);
	KUNIT_EXPECT_EQ(test, attr_of(t, 0), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, t->rmp[0], 0);
	KUNIT_EXPECT_EQ(test, t->refs, 0);
}

/* Part of a 2M block to shared: PSMASH once per block, then 4K updates. */
static void snp_smash(struct kunit *test)
{
	struct snp_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, conv(t, 0, 2 * PRIVMEM_PAGES_2M, PRIVMEM_PRIVATE,
				   PRIVMEM_GRAN_2M), 0);
	KUNIT_ASSERT_EQ(test, t->calls[C_PRIV], 2);
	reset_log(t);
	/* straddles both blocks: each is smashed once */
	KUNIT_ASSERT_EQ(test, conv(t, 510, 4, PRIVMEM_SHARED, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_EQ(test, t->calls[C_PSMASH], 2);
	KUNIT_EXPECT_EQ(test, t->calls[C_SHARED], 4);
	KUNIT_EXPECT_EQ(test, t->log[0].call, C_PSMASH);
	KUNIT_EXPECT_EQ(test, t->log[1].call, C_PSMASH);
	KUNIT_EXPECT_EQ(test, t->log[0].pfn + t->log[1].pfn,
			2 * T_PFN + PRIVMEM_PAGES_2M);
	expect_log(test, 2, C_SHARED, 510, PG_LEVEL_4K);
	KUNIT_EXPECT_EQ(test, t->rmp[509], PG_LEVEL_4K);
	KUNIT_EXPECT_EQ(test, t->rmp[514], PG_LEVEL_4K);
	KUNIT_EXPECT_EQ(test, t->rmp[513], 0);
	/* already smashed: no second PSMASH */
	reset_log(t);
	KUNIT_ASSERT_EQ(test, conv(t, 20, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_EQ(test, t->calls[C_PSMASH], 0);
	KUNIT_EXPECT_EQ(test, t->calls[C_SHARED], 1);
}

/* PSMASH_FAIL_INUSE is retried; any other failure fails the entry. */
static void snp_smash_retry_and_fail(struct kunit *test)
{
	struct snp_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, conv(t, 0, 2 * PRIVMEM_PAGES_2M, PRIVMEM_PRIVATE,
				   PRIVMEM_GRAN_2M), 0);
	reset_log(t);
	t->fail_nth[C_PSMASH] = 1;
	t->fail_ret = PSMASH_FAIL_INUSE;
	KUNIT_ASSERT_EQ(test, conv(t, 3, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_EQ(test, t->calls[C_PSMASH], 2);
	KUNIT_EXPECT_EQ(test, t->rmp[3], 0);

	reset_log(t);
	t->fail_ret = 1;	/* FAIL_INPUT */
	KUNIT_EXPECT_EQ(test, conv(t, PRIVMEM_PAGES_2M + 3, 1, PRIVMEM_SHARED,
				   PRIVMEM_GRAN_4K), -EIO);
	KUNIT_EXPECT_EQ(test, t->calls[C_PSMASH], 1);
	KUNIT_EXPECT_EQ(test, t->calls[C_SHARED], 0);
	KUNIT_EXPECT_EQ(test, attr_of(t, PRIVMEM_PAGES_2M + 3), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, t->rmp[PRIVMEM_PAGES_2M + 3], PG_LEVEL_2M);
}

/* A failing RMPUPDATE mid-op: the pages already assigned go back. */
static void snp_undo_private(struct kunit *test)
{
	struct snp_test *t = test->priv;

	t->fail_nth[C_PRIV] = 3;
	KUNIT_EXPECT_EQ(test, conv(t, 0, 4, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K),
			-EFAULT);
	KUNIT_ASSERT_EQ(test, t->nlog, 7);
	expect_log(test, 2, C_PRIV, 2, PG_LEVEL_4K);
	expect_log(test, 3, C_SHARED, 0, PG_LEVEL_4K);
	expect_log(test, 4, C_FLUSH, 0, 1);
	expect_log(test, 5, C_SHARED, 1, PG_LEVEL_4K);
	expect_log(test, 6, C_FLUSH, 1, 1);
	KUNIT_EXPECT_EQ(test, t->calls[C_LEAK], 0);
	KUNIT_EXPECT_EQ(test, t->rmp[0] | t->rmp[1] | t->rmp[2], 0);
	KUNIT_EXPECT_EQ(test, attr_of(t, 0), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, t->refs, 0);
}

/* The reverse RMPUPDATE fails too: that page is leaked, not returned. */
static void snp_undo_private_leak(struct kunit *test)
{
	struct snp_test *t = test->priv;

	t->fail_nth[C_PRIV] = 3;
	t->fail_nth[C_SHARED] = 2;
	KUNIT_EXPECT_EQ(test, conv(t, 0, 4, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K),
			-EFAULT);
	KUNIT_ASSERT_EQ(test, t->nlog, 7);
	expect_log(test, 3, C_SHARED, 0, PG_LEVEL_4K);
	expect_log(test, 4, C_FLUSH, 0, 1);
	expect_log(test, 5, C_SHARED, 1, PG_LEVEL_4K);
	/* the leak comes after the failed reverse, for that page only */
	expect_log(test, 6, C_LEAK, 1, 1);
	KUNIT_EXPECT_EQ(test, t->calls[C_LEAK], 1);
	KUNIT_EXPECT_EQ(test, privmem_snp_leaked(t->snp), 1);
	KUNIT_EXPECT_EQ(test, t->rmp[1], PG_LEVEL_4K);
	KUNIT_EXPECT_EQ(test, attr_of(t, 1), PRIVMEM_SHARED);
}

/* A later step of the entry fails: the core calls set_shared to undo. */
static void snp_core_undo(struct kunit *test)
{
	struct snp_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, conv(t, 2, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	reset_log(t);
	t->fail_nth[C_PRIV] = 3;	/* the first page of the second step */
	KUNIT_EXPECT_EQ(test, conv(t, 0, 5, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K),
			-EFAULT);
	KUNIT_ASSERT_EQ(test, t->nlog, 7);
	expect_log(test, 0, C_PRIV, 0, PG_LEVEL_4K);
	expect_log(test, 1, C_PRIV, 1, PG_LEVEL_4K);
	expect_log(test, 2, C_PRIV, 3, PG_LEVEL_4K);
	expect_log(test, 3, C_SHARED, 0, PG_LEVEL_4K);
	expect_log(test, 5, C_SHARED, 1, PG_LEVEL_4K);
	KUNIT_EXPECT_EQ(test, attr_of(t, 0), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, attr_of(t, 2), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, t->rmp[0] | t->rmp[1] | t->rmp[3], 0);
	KUNIT_EXPECT_EQ(test, t->rmp[2], PG_LEVEL_4K);
}

/* Unbind gives every assigned page back, 2M entries whole, or leaks it. */
static void snp_unbind(struct kunit *test)
{
	struct snp_test *t = test->priv;
	unsigned int i, assigned = 0;

	KUNIT_ASSERT_EQ(test, conv(t, 0, PRIVMEM_PAGES_2M, PRIVMEM_PRIVATE,
				   PRIVMEM_GRAN_2M), 0);
	KUNIT_ASSERT_EQ(test, conv(t, 600, 2, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	reset_log(t);
	t->fail_nth[C_SHARED] = 2;
	privmem_space_destroy(t->space);
	t->space = NULL;
	KUNIT_EXPECT_EQ(test, t->calls[C_SHARED], 3);
	KUNIT_EXPECT_EQ(test, t->calls[C_LOOKUP], T_NPAGES - PRIVMEM_PAGES_2M + 1);
	KUNIT_EXPECT_EQ(test, t->calls[C_FLUSH], 2);
	expect_log(test, 1, C_SHARED, 0, PG_LEVEL_2M);
	expect_log(test, 2, C_FLUSH, 0, PRIVMEM_PAGES_2M);
	KUNIT_EXPECT_EQ(test, privmem_snp_leaked(t->snp), 1);
	for (i = 0; i < T_NPAGES; i++)
		assigned += !!t->rmp[i];
	KUNIT_EXPECT_EQ(test, assigned, 1);
	KUNIT_EXPECT_EQ(test, t->rmp[600], PG_LEVEL_4K);
	KUNIT_EXPECT_EQ(test, t->refs, 0);
}

static struct kunit_case privmem_snp_cases[] = {
	KUNIT_CASE(snp_to_private_4k),
	KUNIT_CASE(snp_to_private_2m),
	KUNIT_CASE(snp_to_private_2m_on_4k_backing),
	KUNIT_CASE(snp_to_shared),
	KUNIT_CASE(snp_smash),
	KUNIT_CASE(snp_smash_retry_and_fail),
	KUNIT_CASE(snp_undo_private),
	KUNIT_CASE(snp_undo_private_leak),
	KUNIT_CASE(snp_core_undo),
	KUNIT_CASE(snp_unbind),
	{}
};

static struct kunit_suite privmem_snp_suite = {
	.name = "privmem_snp",
	.init = snp_test_init,
	.test_cases = privmem_snp_cases,
};

kunit_test_suite(privmem_snp_suite);
