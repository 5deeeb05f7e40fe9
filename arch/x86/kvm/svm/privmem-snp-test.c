// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite privmem_snp: a real privmem space driven through the SEV-SNP
 * adapter and its page state change handlers, with every RMP instruction
 * replaced by a static stub into a model of the RMP that enforces the
 * hardware's rules, and a model of the nested page table that says which
 * pages a vCPU can still reach.  The backend is a fake that maps gfn
 * T_GFN + i to pfn T_PFN + i; no page is touched.
 *
 * The RMP model keeps, per 4K page, whether it is assigned and at which
 * level.  What the real RMP refuses, or what would hurt the host or the
 * guest, is a rule violation that fails the test:
 *
 *  - RMPUPDATE to private at 2M needs a 2M aligned PFN and 512 entries
 *    that are all hypervisor-owned; at 4K an entry that is not assigned
 *    and not part of a 2M entry;
 *  - RMPUPDATE to shared must name the level the entry was assigned at;
 *  - PSMASH only on the head of a 2M assigned entry;
 *  - an immutable entry (a page handed to the firmware) changes only
 *    through the firmware: SNP_LAUNCH_UPDATE needs it assigned at 4K and
 *    immutable and leaves it validated; SNP_PAGE_RECLAIM lets it go;
 *  - no RMPUPDATE of a page the nested page table still maps;
 *  - the host flushes or writes (touches) only hypervisor-owned pages:
 *    touching a guest-owned page is an RMP fault;
 *  - when the space is gone, every page is hypervisor-owned again unless
 *    the adapter kept it from the host (leaked): freeing a guest-owned
 *    page would hand it to the host allocator.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/privmem.h>
#include <linux/privmem_adapter.h>
#include <linux/privmem_kunit.h>
#include <asm/sev.h>

#include "privmem-snp.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

#define T_GFN		0x40000ULL	/* 2M aligned */
#define T_PFN		0x80000ULL	/* 2M aligned */
#define T_NPAGES	(4 * PRIVMEM_PAGES_2M)
#define T_ASID		7
#define T_LOG		2048

enum snp_call {
	C_PRIV, C_SHARED, C_PSMASH, C_LOOKUP, C_FLUSH, C_LEAK,
	C_PREGUEST, C_COPY, C_FW_UPDATE, C_FW_RECLAIM, C_FW_FAILED, C_NR
};

#define RMP_IMMUTABLE	BIT(0)
#define RMP_VALIDATED	BIT(1)

struct snp_log {
	enum snp_call call;
	u64 pfn;
	u64 arg;	/* level for RMPUPDATE, pages for flush and leak */
};

struct snp_test {
	struct privmem_kunit_fake f;	/* policy, backend and space */
	struct privmem_snp *snp;
	/* RMP model, per page: 0 hypervisor-owned, else the assigned level */
	u8 rmp[T_NPAGES];
	u8 rmp_flags[T_NPAGES];		/* RMP_IMMUTABLE, RMP_VALIDATED */
	u8 content[T_NPAGES];		/* 1, 2: src_a, src_b copied in */
	bool leaked[T_NPAGES];		/* kept from the host by the adapter */
	bool mapped[T_NPAGES];		/* the nested page table maps it */
	unsigned int zaps;
	unsigned int converts;		/* privmem_convert() calls by PSC */
	unsigned int psc_asked;		/* what privmem_snp_psc() reported */
	unsigned int psc_done;
	struct privmem_snp_psc *scribble;	/* the guest rewrites its header */
	int psc_err;
	/* fail the fail_nth[c]'th (1-based) call of kind c; 0: never */
	unsigned int fail_nth[C_NR];
	int fail_ret;			/* what a failing PSMASH returns */
	unsigned int calls[C_NR];
	struct page *src_a, *src_b;	/* two source pages, told apart */
	u64 measured;			/* pages the firmware measured */
	u64 fw_failed_pfn;		/* what the failed callback was given */
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

/* The hardware (or the host) would refuse or fault: a rule is broken. */
static bool snp_rule(bool ok, const char *what, u64 pfn)
{
	return privmem_kunit_rule(&cur()->f, ok, "RMP model", what, pfn);
}

static u64 pages_of(enum pg_level level)
{
	return level == PG_LEVEL_2M ? PRIVMEM_PAGES_2M : 1;
}

static void rmp_set(struct snp_test *t, u64 pfn, enum pg_level level, u8 v)
{
	u64 i, n = pages_of(level);

	for (i = 0; i < n; i++) {
		t->rmp[pfn - T_PFN + i] = v;
		t->rmp_flags[pfn - T_PFN + i] = 0;
	}
}

static bool none_immutable(struct snp_test *t, u64 pfn, u64 n)
{
	u64 i;

	for (i = 0; i < n; i++)
		if (t->rmp_flags[pfn - T_PFN + i] & RMP_IMMUTABLE)
			return false;
	return true;
}

static bool none_mapped(struct snp_test *t, u64 pfn, u64 n)
{
	u64 i;

	for (i = 0; i < n; i++)
		if (t->mapped[pfn - T_PFN + i])
			return false;
	return true;
}

static int stub_rmp_private(u64 pfn, u64 gpa, enum pg_level level, u32 asid)
{
	struct kunit *test = kunit_get_current_test();
	struct snp_test *t = cur();
	u64 i, n = pages_of(level);
	bool ok = true;

	KUNIT_EXPECT_EQ(test, asid, T_ASID);
	KUNIT_EXPECT_EQ(test, gpa, PFN_PHYS(pfn - T_PFN + T_GFN));
	if (snp_record(C_PRIV, pfn, level))
		return -EFAULT;
	if (!snp_rule(IS_ALIGNED(pfn, n), "RMPUPDATE 2M of an unaligned PFN", pfn))
		return -EFAULT;
	for (i = 0; i < n; i++)
		ok &= !t->rmp[pfn - T_PFN + i];
	if (!snp_rule(ok, "RMPUPDATE to private over an assigned entry", pfn))
		return -EFAULT;
	if (!snp_rule(none_mapped(t, pfn, n), "RMPUPDATE of a page still mapped",
		      pfn))
		return -EFAULT;
	rmp_set(t, pfn, level, level);
	return 0;
}

static int stub_rmp_shared(u64 pfn, enum pg_level level)
{
	struct snp_test *t = cur();

	if (snp_record(C_SHARED, pfn, level))
		return -EFAULT;
	if (!snp_rule(none_immutable(t, pfn, pages_of(level)),
		      "RMPUPDATE of an immutable page", pfn))
		return -EFAULT;
	if (!snp_rule(t->rmp[pfn - T_PFN] == level &&
		      IS_ALIGNED(pfn, pages_of(level)),
		      "RMPUPDATE to shared at another level than assigned", pfn))
		return -EFAULT;
	if (!snp_rule(none_mapped(t, pfn, pages_of(level)),
		      "RMPUPDATE of a page still mapped", pfn))
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
	if (!snp_rule(none_immutable(t, pfn, PRIVMEM_PAGES_2M),
		      "PSMASH of an immutable page", pfn))
		return 1;
	if (!snp_rule(IS_ALIGNED(pfn, PRIVMEM_PAGES_2M) &&
		      t->rmp[pfn - T_PFN] == PG_LEVEL_2M,
		      "PSMASH of an entry not assigned at 2M", pfn))
		return 1;	/* FAIL_INPUT */
	if (!snp_rule(none_mapped(t, pfn, PRIVMEM_PAGES_2M),
		      "PSMASH of a block still mapped at 2M", pfn))
		return 1;
	for (i = 0; i < PRIVMEM_PAGES_2M; i++)
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
	struct snp_test *t = cur();
	u64 i;

	snp_record(C_FLUSH, pfn, npages);
	for (i = 0; i < npages; i++)
		snp_rule(!t->rmp[pfn - T_PFN + i],
			 "the host touched a guest-owned page", pfn + i);
}

static int stub_rmp_preguest(u64 pfn, u64 gpa, u32 asid)
{
	struct kunit *test = kunit_get_current_test();
	struct snp_test *t = cur();

	KUNIT_EXPECT_EQ(test, asid, T_ASID);
	KUNIT_EXPECT_EQ(test, gpa, PFN_PHYS(pfn - T_PFN + T_GFN));
	if (snp_record(C_PREGUEST, pfn, PG_LEVEL_4K))
		return -EFAULT;
	if (!snp_rule(!t->rmp[pfn - T_PFN],
		      "RMPUPDATE to private over an assigned entry", pfn))
		return -EFAULT;
	if (!snp_rule(none_mapped(t, pfn, 1), "RMPUPDATE of a page still mapped",
		      pfn))
		return -EFAULT;
	t->rmp[pfn - T_PFN] = PG_LEVEL_4K;
	t->rmp_flags[pfn - T_PFN] = RMP_IMMUTABLE;
	return 0;
}

/* The test's source pages are named by their first byte, never read. */
static void stub_copy(u64 pfn, struct page *src)
{
	struct snp_test *t = cur();

	snp_record(C_COPY, pfn, 1);
	if (snp_rule(!t->rmp[pfn - T_PFN], "the host wrote a guest-owned page",
		     pfn))
		t->content[pfn - T_PFN] = 1 + (src == t->src_b);
}

static void stub_leak(u64 pfn, u64 npages)
{
	struct snp_test *t = cur();
	u64 i;

	snp_record(C_LEAK, pfn, npages);
	for (i = 0; i < npages; i++)
		t->leaked[pfn - T_PFN + i] = true;
}

/* The nested page table model: KVM's zap before an RMP change. */
static void t_zap(void *arg, u64 gfn, u64 npages)
{
	struct snp_test *t = arg;
	u64 i;

	KUNIT_EXPECT_GE(kunit_get_current_test(), gfn, T_GFN);
	KUNIT_EXPECT_LE(kunit_get_current_test(), gfn + npages, T_GFN + T_NPAGES);
	t->zaps++;
	for (i = gfn; i < gfn + npages && i < T_GFN + T_NPAGES; i++)
		t->mapped[i - T_GFN] = false;
}

/* After the space (privmem_kunit_fake_bind()'s action runs first). */
static void snp_test_destroy(void *data)
{
	struct snp_test *t = data;

	privmem_kunit_fake_destroy(&t->f);
	privmem_snp_destroy(t->snp);
}

/* After every case: no page left guest-owned unless kept from the host. */
static void snp_test_exit(struct kunit *test)
{
	struct snp_test *t = test->priv;
	unsigned int i, owned = 0;

	privmem_kunit_fake_destroy(&t->f);
	for (i = 0; i < T_NPAGES; i++)
		owned += t->rmp[i] && !t->leaked[i];
	KUNIT_EXPECT_EQ_MSG(test, owned, 0,
			    "RMP model: guest-owned pages went back to the host");
	KUNIT_EXPECT_EQ(test, t->f.violations, t->f.expect_violations);
	KUNIT_EXPECT_EQ(test, t->f.refs, 0);
}

static int snp_test_init(struct kunit *test)
{
	struct snp_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	test->priv = t;
	privmem_kunit_fake_init(&t->f, T_GFN, T_PFN, T_NPAGES, true);
	t->f.backing = PRIVMEM_GRAN_2M;

	kunit_activate_static_stub(test, privmem_snp_rmp_private, stub_rmp_private);
	kunit_activate_static_stub(test, privmem_snp_rmp_shared, stub_rmp_shared);
	kunit_activate_static_stub(test, privmem_snp_psmash, stub_psmash);
	kunit_activate_static_stub(test, privmem_snp_rmp_lookup, stub_lookup);
	kunit_activate_static_stub(test, privmem_snp_flush, stub_flush);
	kunit_activate_static_stub(test, privmem_adapter_leak, stub_leak);
	kunit_activate_static_stub(test, privmem_snp_rmp_preguest,
				   stub_rmp_preguest);
	kunit_activate_static_stub(test, privmem_snp_copy, stub_copy);

	t->snp = privmem_snp_create(T_ASID, &t->f.backend, &t->f, T_GFN,
				    T_NPAGES, t_zap, t);
	if (IS_ERR(t->snp))
		return PTR_ERR(t->snp);
	if (kunit_add_action_or_reset(test, snp_test_destroy, t))
		return -ENOMEM;
	return privmem_kunit_fake_bind(test, &t->f, &privmem_snp_arch_ops, t->snp);
}

static int conv(struct snp_test *t, u64 off, u64 n, enum privmem_attr attr,
		enum privmem_gran gran)
{
	return privmem_kunit_conv(&t->f, off, n, attr, gran);
}

static enum privmem_attr attr_of(struct snp_test *t, u64 off)
{
	return privmem_kunit_attr(&t->f, off);
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
	KUNIT_EXPECT_EQ(test, t->f.refs, 0);
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
	KUNIT_EXPECT_EQ(test, t->f.refs, 0);
}

/* 2M to private on 4K folios: 512 RMPUPDATEs at 4K, none at 2M. */
static void snp_to_private_2m_on_4k_backing(struct kunit *test)
{
	struct snp_test *t = test->priv;

	t->f.backing = PRIVMEM_GRAN_4K;
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
	KUNIT_EXPECT_EQ(test, t->f.refs, 0);
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
	KUNIT_EXPECT_EQ(test, t->f.refs, 0);
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
	/* the kept page is not touched again, nor counted twice */
	reset_log(t);
	memset(t->fail_nth, 0, sizeof(t->fail_nth));
	KUNIT_EXPECT_EQ(test, conv(t, 1, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K),
			-EHWPOISON);
	KUNIT_EXPECT_EQ(test, t->calls[C_PRIV] + t->calls[C_SHARED], 0);
	privmem_kunit_fake_destroy(&t->f);
	KUNIT_EXPECT_EQ(test, t->rmp[1], PG_LEVEL_4K);
	KUNIT_EXPECT_EQ(test, privmem_snp_leaked(t->snp), 1);
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
	privmem_kunit_fake_destroy(&t->f);
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
	KUNIT_EXPECT_EQ(test, t->f.refs, 0);
}

/* A vCPU mapped these pages: the adapter must have KVM zap them first. */
static void snp_zap_first(struct kunit *test)
{
	struct snp_test *t = test->priv;
	unsigned int i;

	for (i = 0; i < 4; i++)
		t->mapped[i] = true;
	KUNIT_ASSERT_EQ(test, conv(t, 0, 4, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_GE(test, t->zaps, 1);
	for (i = 0; i < 4; i++)
		t->mapped[i] = true;
	KUNIT_ASSERT_EQ(test, conv(t, 0, 4, PRIVMEM_SHARED, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_GE(test, t->zaps, 2);
	KUNIT_EXPECT_FALSE(test, t->mapped[3]);
}

/* The model itself: each wrong sequence breaks one rule. */
static void snp_model_rules(struct kunit *test)
{
	struct snp_test *t = test->priv;

	t->f.expect_violations = 6;
	KUNIT_ASSERT_EQ(test, stub_rmp_private(T_PFN, PFN_PHYS(T_GFN),
					       PG_LEVEL_2M, T_ASID), 0);
	/* 4K inside a 2M entry; shared at the wrong level; PSMASH of 4K */
	KUNIT_EXPECT_NE(test, stub_rmp_private(T_PFN + 1, PFN_PHYS(T_GFN + 1),
					       PG_LEVEL_4K, T_ASID), 0);
	KUNIT_EXPECT_NE(test, stub_rmp_shared(T_PFN + 1, PG_LEVEL_4K), 0);
	KUNIT_EXPECT_NE(test, stub_psmash(T_PFN + PRIVMEM_PAGES_2M), 0);
	/* the host touches a guest-owned page */
	stub_flush(T_PFN + 5, 1);
	/* an RMP change under a live mapping */
	t->mapped[0] = true;
	KUNIT_EXPECT_NE(test, stub_rmp_shared(T_PFN, PG_LEVEL_2M), 0);
	t->mapped[0] = false;
	KUNIT_EXPECT_EQ(test, stub_rmp_shared(T_PFN, PG_LEVEL_2M), 0);
	/* 2M at an unaligned PFN */
	KUNIT_EXPECT_NE(test, stub_rmp_private(T_PFN + 8, PFN_PHYS(T_GFN + 8),
					       PG_LEVEL_2M, T_ASID), 0);
	KUNIT_EXPECT_EQ(test, t->f.violations, 6);
}

/* Page state change requests */

#define T_PSC_MAX	VMGEXIT_PSC_MAX_COUNT

static int t_convert(void *arg, const struct privmem_entry *entries,
		     unsigned int nr, unsigned int *done, unsigned int *bad)
{
	struct snp_test *t = arg;

	t->converts++;
	/* A guest changing the shared header while KVM works on it. */
	if (t->scribble) {
		WRITE_ONCE(t->scribble->hdr.cur_entry, 0);
		WRITE_ONCE(t->scribble->hdr.end_entry, 200);
	}
	return privmem_convert(t->f.space, entries, nr, 0, done, bad);
}

static struct privmem_snp_psc *psc_new(struct kunit *test)
{
	struct privmem_snp_psc *psc;

	psc = kunit_kzalloc(test, struct_size(psc, entries, T_PSC_MAX),
			    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, psc);
	return psc;
}

static void psc_set(struct privmem_snp_psc *psc, unsigned int i, u64 off,
		    unsigned int op, bool huge)
{
	psc->entries[i] = (struct psc_entry) {
		.gfn = T_GFN + off, .operation = op, .pagesize = huge,
	};
	psc->hdr.end_entry = max_t(u16, psc->hdr.end_entry, i);
}

static u64 psc_run(struct snp_test *t, struct privmem_snp_psc *psc)
{
	unsigned int first = psc->hdr.cur_entry, end = psc->hdr.end_entry;
	u64 ret;

	ret = privmem_snp_psc(psc, T_PSC_MAX, t_convert, t, &t->psc_asked,
			      &t->psc_done, &t->psc_err);
	/* the header as it was read once, whatever the guest did meanwhile */
	KUNIT_EXPECT_EQ(kunit_get_current_test(), t->psc_asked,
			end >= first ? end - first + 1 : 0);
	/* what the VMM would be told agrees with what the guest sees */
	if (!t->scribble)
		KUNIT_EXPECT_EQ(kunit_get_current_test(), t->psc_done,
				psc->hdr.cur_entry - first);
	KUNIT_EXPECT_EQ(kunit_get_current_test(), !ret, !t->psc_err);
	return ret;
}

static u64 ppages(const struct privmem_snp_psc *psc, unsigned int i)
{
	return psc->entries[i].cur_page;
}

#define OP_P	VMGEXIT_PSC_OP_PRIVATE
#define OP_S	VMGEXIT_PSC_OP_SHARED

/* A mixed request, smash and unsmash included, in one privmem call. */
static void snp_psc_mixed(struct kunit *test)
{
	struct snp_test *t = test->priv;
	struct privmem_snp_psc *psc = psc_new(test);

	KUNIT_ASSERT_EQ(test, conv(t, 1024, PRIVMEM_PAGES_2M, PRIVMEM_PRIVATE,
				   PRIVMEM_GRAN_2M), 0);
	psc_set(psc, 0, 0, OP_P, true);
	psc_set(psc, 1, 512, OP_P, false);
	psc_set(psc, 2, 513, OP_P, false);
	psc_set(psc, 3, 1024, PRIVMEM_SNP_PSC_OP_PSMASH, true);
	psc_set(psc, 4, 1024 + 5, OP_S, false);
	psc_set(psc, 5, 1024, PRIVMEM_SNP_PSC_OP_UNSMASH, true);
	psc_set(psc, 6, 1536, OP_S, true);	/* already shared */
	KUNIT_EXPECT_EQ(test, psc_run(t, psc), 0);
	KUNIT_EXPECT_EQ(test, t->converts, 1);
	KUNIT_EXPECT_EQ(test, psc->hdr.cur_entry, 7);
	KUNIT_EXPECT_EQ(test, ppages(psc, 0), 512);
	KUNIT_EXPECT_EQ(test, ppages(psc, 1), 1);
	KUNIT_EXPECT_EQ(test, ppages(psc, 3), 512);
	KUNIT_EXPECT_EQ(test, ppages(psc, 6), 512);
	KUNIT_EXPECT_EQ(test, attr_of(t, 511), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, attr_of(t, 513), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, attr_of(t, 514), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, attr_of(t, 1024 + 5), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, attr_of(t, 1024 + 6), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, t->rmp[0], PG_LEVEL_2M);
	KUNIT_EXPECT_EQ(test, t->rmp[512], PG_LEVEL_4K);
	/* the block was smashed by the core, through PSMASH */
	KUNIT_EXPECT_EQ(test, t->calls[C_PSMASH], 1);
	KUNIT_EXPECT_EQ(test, t->rmp[1024 + 5], 0);
	KUNIT_EXPECT_EQ(test, t->rmp[1024 + 6], PG_LEVEL_4K);
}

/*
 * The guest rewrites the header while privmem converts: the request is
 * the one read first, and so is what the VMM is told it asked for.
 */
static void snp_psc_header_changes(struct kunit *test)
{
	struct snp_test *t = test->priv;
	struct privmem_snp_psc *psc = psc_new(test);

	psc_set(psc, 0, 0, OP_P, false);
	psc_set(psc, 1, 1, OP_P, false);
	psc->hdr.cur_entry = 1;
	psc->hdr.end_entry = 1;
	t->scribble = psc;
	KUNIT_EXPECT_EQ(test, psc_run(t, psc), 0);
	KUNIT_EXPECT_EQ(test, t->psc_asked, 1);
	KUNIT_EXPECT_EQ(test, t->psc_done, 1);
	KUNIT_EXPECT_EQ(test, attr_of(t, 0), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, attr_of(t, 1), PRIVMEM_PRIVATE);
}

/* A bad header changes nothing; cur_entry past end_entry is no work. */
static void snp_psc_bad_header(struct kunit *test)
{
	struct snp_test *t = test->priv;
	struct privmem_snp_psc *psc = psc_new(test);

	psc_set(psc, 0, 0, OP_P, false);
	psc->hdr.end_entry = T_PSC_MAX;
	KUNIT_EXPECT_EQ(test, psc_run(t, psc), VMGEXIT_PSC_ERROR_INVALID_HDR);
	KUNIT_EXPECT_EQ(test, t->converts, 0);
	KUNIT_EXPECT_EQ(test, psc->hdr.cur_entry, 0);
	KUNIT_EXPECT_EQ(test, ppages(psc, 0), 0);
	KUNIT_EXPECT_EQ(test, privmem_snp_psc(psc, T_PSC_MAX + 1, t_convert, t,
					      &t->psc_asked, &t->psc_done,
					      &t->psc_err),
			VMGEXIT_PSC_ERROR_GENERIC);
	KUNIT_EXPECT_EQ(test, t->psc_asked, 0);
	KUNIT_EXPECT_EQ(test, t->psc_err, -EINVAL);

	psc->hdr.end_entry = 0;
	psc->hdr.cur_entry = 1;
	KUNIT_EXPECT_EQ(test, psc_run(t, psc), 0);
	KUNIT_EXPECT_EQ(test, t->converts, 0);
	KUNIT_EXPECT_EQ(test, attr_of(t, 0), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, t->calls[C_PRIV], 0);
}

#define T_PSC_N		5

/*
 * Of T_PSC_N 4K entries at base + 2 * i, those before @k are done
 * (private, assigned, cur_page 1) and those after it untouched.
 */
static void expect_done_before(struct kunit *test,
			       const struct privmem_snp_psc *psc, u64 base,
			       unsigned int k)
{
	struct snp_test *t = test->priv;
	unsigned int i;

	for (i = 0; i < T_PSC_N; i++) {
		KUNIT_EXPECT_EQ_MSG(test, attr_of(t, base + 2 * i),
				    i < k ? PRIVMEM_PRIVATE : PRIVMEM_SHARED,
				    "k %u i %u", k, i);
		KUNIT_EXPECT_EQ_MSG(test, t->rmp[base + 2 * i],
				    i < k ? PG_LEVEL_4K : 0, "k %u i %u", k, i);
		if (i != k)
			KUNIT_EXPECT_EQ_MSG(test, ppages(psc, i), i < k ? 1 : 0,
					    "k %u i %u", k, i);
	}
}

/*
 * An invalid entry at every position, of each kind: the entries before it
 * are done, cur_entry stops at it, nothing after it is touched.
 */
static void snp_psc_invalid_entry(struct kunit *test)
{
	struct snp_test *t = test->priv;
	unsigned int k, i;

	for (k = 0; k < T_PSC_N; k++) {
		struct privmem_snp_psc *psc = psc_new(test);
		u64 base = k * 16;

		for (i = 0; i < T_PSC_N; i++)
			psc_set(psc, i, base + 2 * i, OP_P, false);
		switch (k % 4) {
		case 0:		/* a 2M entry at a gfn that is not 2M aligned */
			psc->entries[k].pagesize = 1;
			psc->entries[k].gfn |= 1;
			break;
		case 1:		/* more pages done than it has */
			psc->entries[k].cur_page = 2;
			break;
		case 2:		/* no such operation */
			psc->entries[k].operation = 0;
			break;
		default:
			psc->entries[k].operation = 9;
			break;
		}
		t->converts = 0;
		KUNIT_EXPECT_EQ_MSG(test, psc_run(t, psc),
				    VMGEXIT_PSC_ERROR_INVALID_ENTRY, "k %u", k);
		KUNIT_EXPECT_EQ_MSG(test, psc->hdr.cur_entry, k, "k %u", k);
		KUNIT_EXPECT_EQ(test, t->converts, k ? 1 : 0);
		expect_done_before(test, psc, base, k);
	}
}

/*
 * The hardware step fails at every position: the entries before it are
 * done, it is undone, none after it is tried, and the guest hears a
 * generic error with cur_entry at the failed entry.
 */
static void snp_psc_hw_failure(struct kunit *test)
{
	struct snp_test *t = test->priv;
	unsigned int k, i;

	for (k = 0; k < T_PSC_N; k++) {
		struct privmem_snp_psc *psc = psc_new(test);
		u64 base = k * 16;

		for (i = 0; i < T_PSC_N; i++)
			psc_set(psc, i, base + 2 * i, OP_P, false);
		memset(t->calls, 0, sizeof(t->calls));
		t->fail_nth[C_PRIV] = k + 1;
		KUNIT_EXPECT_EQ_MSG(test, psc_run(t, psc),
				    VMGEXIT_PSC_ERROR_GENERIC, "k %u", k);
		KUNIT_EXPECT_EQ_MSG(test, psc->hdr.cur_entry, k, "k %u", k);
		expect_done_before(test, psc, base, k);
		KUNIT_EXPECT_EQ(test, ppages(psc, k), 0);
		KUNIT_EXPECT_EQ(test, t->calls[C_PRIV], k + 1);
	}
	t->fail_nth[C_PRIV] = 0;
}

/* The policy refuses an entry: a generic error at that entry. */
static void snp_psc_policy_refuses(struct kunit *test)
{
	struct snp_test *t = test->priv;
	struct privmem_snp_psc *psc = psc_new(test);

	psc_set(psc, 0, 0, OP_P, false);
	psc_set(psc, 1, 2, OP_P, false);
	psc_set(psc, 2, 4, OP_P, false);
	t->f.deny_gfn = T_GFN + 2;
	KUNIT_EXPECT_EQ(test, psc_run(t, psc), VMGEXIT_PSC_ERROR_GENERIC);
	KUNIT_EXPECT_EQ(test, t->psc_err, -EPERM);
	KUNIT_EXPECT_EQ(test, psc->hdr.cur_entry, 1);
	KUNIT_EXPECT_EQ(test, attr_of(t, 0), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, attr_of(t, 2), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, t->rmp[2], 0);
	/* the guest retries from cur_entry once the policy allows it */
	t->f.deny_gfn = 0;
	KUNIT_EXPECT_EQ(test, psc_run(t, psc), 0);
	KUNIT_EXPECT_EQ(test, psc->hdr.cur_entry, 3);
	KUNIT_EXPECT_EQ(test, attr_of(t, 4), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, t->calls[C_PRIV], 3);
}

/* A 2M entry the guest says is partly done continues at 4K. */
static void snp_psc_resume_partial(struct kunit *test)
{
	struct snp_test *t = test->priv;
	struct privmem_snp_psc *psc = psc_new(test);

	psc_set(psc, 0, 1536, OP_P, true);
	psc->entries[0].cur_page = 100;
	psc_set(psc, 1, 8, OP_P, false);
	psc->entries[1].cur_page = 1;	/* done already: skipped */
	KUNIT_EXPECT_EQ(test, psc_run(t, psc), 0);
	KUNIT_EXPECT_EQ(test, psc->hdr.cur_entry, 2);
	KUNIT_EXPECT_EQ(test, ppages(psc, 0), 512);
	KUNIT_EXPECT_EQ(test, attr_of(t, 1536 + 99), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, attr_of(t, 1536 + 100), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, attr_of(t, 8), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, t->calls[C_PRIV], PRIVMEM_PAGES_2M - 100);
	KUNIT_EXPECT_EQ(test, t->rmp[1536 + 100], PG_LEVEL_4K);
}

/* Requests privmem refuses whole: nothing changes. */
static void snp_psc_refused_whole(struct kunit *test)
{
	struct snp_test *t = test->priv;
	struct privmem_snp_psc *psc = psc_new(test);

	/* the same page twice */
	psc_set(psc, 0, 0, OP_P, false);
	psc_set(psc, 1, 1, OP_P, false);
	psc_set(psc, 2, 0, OP_S, false);
	KUNIT_EXPECT_EQ(test, psc_run(t, psc), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, psc->hdr.cur_entry, 0);
	KUNIT_EXPECT_EQ(test, ppages(psc, 0), 0);
	KUNIT_EXPECT_EQ(test, attr_of(t, 0), PRIVMEM_SHARED);

	/* outside the bound span */
	psc = psc_new(test);
	psc_set(psc, 0, 0, PRIVMEM_SNP_PSC_OP_PSMASH, true);
	psc_set(psc, 1, 4, OP_P, false);
	psc_set(psc, 2, T_NPAGES, OP_P, false);
	KUNIT_EXPECT_EQ(test, psc_run(t, psc), VMGEXIT_PSC_ERROR_INVALID_ENTRY);
	/* the no-op before the first privmem entry counts as done */
	KUNIT_EXPECT_EQ(test, psc->hdr.cur_entry, 1);
	KUNIT_EXPECT_EQ(test, attr_of(t, 4), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, t->calls[C_PRIV], 0);
}

/* The MSR protocol: one 4K page, private or shared, nothing else. */
static void snp_psc_msr(struct kunit *test)
{
	struct snp_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, privmem_snp_psc_msr(T_GFN + 3,
						  SNP_PAGE_STATE_PRIVATE,
						  t_convert, t), 0);
	KUNIT_EXPECT_EQ(test, attr_of(t, 3), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, t->rmp[3], PG_LEVEL_4K);
	KUNIT_EXPECT_EQ(test, privmem_snp_psc_msr(T_GFN + 3,
						  SNP_PAGE_STATE_SHARED,
						  t_convert, t), 0);
	KUNIT_EXPECT_EQ(test, attr_of(t, 3), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, t->rmp[3], 0);
	KUNIT_EXPECT_EQ(test, privmem_snp_psc_msr(T_GFN + 3, 3, t_convert, t),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, privmem_snp_psc_msr(T_GFN + T_NPAGES,
						  SNP_PAGE_STATE_PRIVATE,
						  t_convert, t), -EINVAL);
	KUNIT_EXPECT_EQ(test, t->converts, 3);
}

/* The firmware model: SNP_LAUNCH_UPDATE and SNP_PAGE_RECLAIM. */
static int fw_update(void *arg, u64 gfn, u64 pfn)
{
	struct snp_test *t = arg;
	u64 i = pfn - T_PFN;

	if (snp_record(C_FW_UPDATE, pfn, gfn))
		return -EIO;	/* refused: the page stays immutable */
	if (!snp_rule(gfn == T_GFN + i, "SNP_LAUNCH_UPDATE at another GPA", pfn) ||
	    !snp_rule(t->rmp[i] == PG_LEVEL_4K && t->rmp_flags[i] == RMP_IMMUTABLE,
		      "SNP_LAUNCH_UPDATE of a page not pre-guest", pfn))
		return -EIO;
	t->rmp_flags[i] = RMP_VALIDATED;
	t->measured++;
	return 0;
}

static int fw_reclaim(void *arg, u64 pfn)
{
	struct snp_test *t = arg;
	u64 i = pfn - T_PFN;

	if (snp_record(C_FW_RECLAIM, pfn, 0))
		return -EIO;
	if (!snp_rule(t->rmp_flags[i] & RMP_IMMUTABLE,
		      "SNP_PAGE_RECLAIM of a page not immutable", pfn))
		return -EIO;
	t->rmp_flags[i] = 0;	/* still assigned, for the host to take */
	return 0;
}

static void fw_failed(void *arg, u64 pfn)
{
	struct snp_test *t = arg;

	snp_record(C_FW_FAILED, pfn, 0);
	snp_rule(!t->rmp[pfn - T_PFN], "the host read a guest-owned page", pfn);
	t->fw_failed_pfn = pfn;
}

static const struct privmem_snp_launch_ops fw_ops = {
	.update = fw_update,
	.reclaim = fw_reclaim,
	.failed = fw_failed,
};

static int launch(struct snp_test *t, u64 off, struct page *src)
{
	return privmem_snp_launch_update(t->snp, T_GFN + off, T_PFN + off, src,
					 &fw_ops, t);
}

static void free_src(void *page)
{
	__free_page(page);
}

static struct page *src_page(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_src, page), 0);
	return page;
}

/* Two private 4K pages and two source pages; a vCPU maps page 8. */
static void launch_setup(struct kunit *test)
{
	struct snp_test *t = test->priv;

	t->src_a = src_page(test);
	t->src_b = src_page(test);
	KUNIT_ASSERT_EQ(test, conv(t, 8, 2, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	t->mapped[8] = true;
	reset_log(t);
}

/*
 * A private page is made hypervisor-owned, written, made pre-guest and
 * measured: the model refuses any other order.  Populating it again
 * replaces and measures the new contents.
 */
static void snp_launch_update(struct kunit *test)
{
	struct snp_test *t = test->priv;

	launch_setup(test);
	KUNIT_ASSERT_EQ(test, launch(t, 8, t->src_a), 0);
	KUNIT_ASSERT_EQ(test, t->nlog, 6);
	expect_log(test, 0, C_LOOKUP, 8, 0);
	expect_log(test, 1, C_SHARED, 8, PG_LEVEL_4K);
	expect_log(test, 2, C_FLUSH, 8, 1);
	expect_log(test, 3, C_COPY, 8, 1);
	expect_log(test, 4, C_PREGUEST, 8, PG_LEVEL_4K);
	expect_log(test, 5, C_FW_UPDATE, 8, T_GFN + 8);
	KUNIT_EXPECT_EQ(test, t->rmp[8], PG_LEVEL_4K);
	KUNIT_EXPECT_EQ(test, t->rmp_flags[8], RMP_VALIDATED);
	KUNIT_EXPECT_EQ(test, t->content[8], 1);
	KUNIT_EXPECT_EQ(test, t->measured, 1);
	KUNIT_EXPECT_FALSE(test, t->mapped[8]);

	KUNIT_ASSERT_EQ(test, launch(t, 8, t->src_b), 0);
	KUNIT_EXPECT_EQ(test, t->content[8], 2);
	KUNIT_EXPECT_EQ(test, t->measured, 2);
	/* the page 9 next to it is untouched */
	KUNIT_EXPECT_EQ(test, t->rmp[9], PG_LEVEL_4K);
	KUNIT_EXPECT_EQ(test, t->rmp_flags[9], 0);
	/* a launched page converts to shared as any other */
	KUNIT_EXPECT_EQ(test, conv(t, 8, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_EQ(test, t->rmp[8], 0);
	KUNIT_EXPECT_EQ(test, t->f.refs, 0);
}

/*
 * No source (the ZERO page type, or in place): the host writes nothing,
 * and what the VMM wrote before the conversion is what is measured.
 */
static void snp_launch_update_in_place(struct kunit *test)
{
	struct snp_test *t = test->priv;

	launch_setup(test);
	t->content[9] = 7;
	KUNIT_ASSERT_EQ(test, launch(t, 9, NULL), 0);
	KUNIT_EXPECT_EQ(test, t->calls[C_COPY], 0);
	KUNIT_EXPECT_EQ(test, t->content[9], 7);
	KUNIT_EXPECT_EQ(test, t->rmp_flags[9], RMP_VALIDATED);
	KUNIT_EXPECT_EQ(test, t->measured, 1);
}

/* A 2M RMP entry, a frame outside the span: refused, nothing changes. */
static void snp_launch_update_refused(struct kunit *test)
{
	struct snp_test *t = test->priv;

	launch_setup(test);
	KUNIT_ASSERT_EQ(test, conv(t, PRIVMEM_PAGES_2M, PRIVMEM_PAGES_2M,
				   PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M), 0);
	reset_log(t);
	KUNIT_EXPECT_EQ(test, launch(t, PRIVMEM_PAGES_2M + 3, t->src_a), -EINVAL);
	KUNIT_EXPECT_EQ(test, privmem_snp_launch_update(t->snp, T_GFN + T_NPAGES,
							T_PFN, t->src_a,
							&fw_ops, t), -EINVAL);
	KUNIT_EXPECT_EQ(test, privmem_snp_launch_update(t->snp, T_GFN - 1,
							T_PFN, t->src_a,
							&fw_ops, t), -EINVAL);
	KUNIT_EXPECT_EQ(test, t->calls[C_SHARED] + t->calls[C_PREGUEST] +
			t->calls[C_COPY] + t->calls[C_FW_UPDATE], 0);
	KUNIT_EXPECT_EQ(test, t->rmp[PRIVMEM_PAGES_2M + 3], PG_LEVEL_2M);
	KUNIT_EXPECT_EQ(test, t->measured, 0);
}

/*
 * Every step failing in turn: the page ends guest-owned and not validated
 * (as privmem has it private), or kept from the host for ever; the model
 * checks that the host never touched it while guest-owned.
 */
static void snp_launch_update_fails(struct kunit *test)
{
	static const enum snp_call steps[] = { C_SHARED, C_PREGUEST, C_FW_UPDATE };
	struct snp_test *t = test->priv;
	unsigned int i;

	launch_setup(test);
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		reset_log(t);
		memset(t->fail_nth, 0, sizeof(t->fail_nth));
		t->fail_nth[steps[i]] = 1;
		KUNIT_EXPECT_NE_MSG(test, launch(t, 8, t->src_a), 0, "step %u", i);
		KUNIT_EXPECT_EQ_MSG(test, t->rmp[8], PG_LEVEL_4K, "step %u", i);
		KUNIT_EXPECT_EQ_MSG(test, t->rmp_flags[8], 0, "step %u", i);
		KUNIT_EXPECT_EQ_MSG(test, t->calls[C_FW_FAILED],
				    steps[i] == C_FW_UPDATE, "step %u", i);
	}
	/* the refused page was reclaimed, shown to the caller, given back */
	KUNIT_EXPECT_EQ(test, t->calls[C_FW_RECLAIM], 1);
	KUNIT_EXPECT_EQ(test, t->fw_failed_pfn, T_PFN + 8);
	KUNIT_EXPECT_EQ(test, t->measured, 0);
	KUNIT_EXPECT_EQ(test, privmem_snp_leaked(t->snp), 0);
	/* and can be populated again */
	memset(t->fail_nth, 0, sizeof(t->fail_nth));
	KUNIT_EXPECT_EQ(test, launch(t, 8, t->src_a), 0);
	KUNIT_EXPECT_EQ(test, t->rmp_flags[8], RMP_VALIDATED);
}

/*
 * The firmware will not reclaim a page it refused: the page stays
 * immutable and is kept from the host, and no later op or unbind touches
 * its RMP entry again.
 */
static void snp_launch_update_reclaim_fails(struct kunit *test)
{
	struct snp_test *t = test->priv;

	launch_setup(test);
	t->fail_nth[C_FW_UPDATE] = 1;
	t->fail_nth[C_FW_RECLAIM] = 1;
	KUNIT_EXPECT_EQ(test, launch(t, 8, t->src_a), -EIO);
	KUNIT_EXPECT_EQ(test, t->calls[C_FW_FAILED], 0);
	KUNIT_EXPECT_TRUE(test, t->leaked[8]);
	KUNIT_EXPECT_EQ(test, t->rmp_flags[8], RMP_IMMUTABLE);
	KUNIT_EXPECT_EQ(test, privmem_snp_leaked(t->snp), 1);

	reset_log(t);
	KUNIT_EXPECT_EQ(test, launch(t, 8, t->src_a), -EHWPOISON);
	KUNIT_EXPECT_EQ(test, conv(t, 8, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K),
			-EHWPOISON);
	KUNIT_EXPECT_EQ(test, attr_of(t, 8), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, t->calls[C_SHARED] + t->calls[C_PRIV] +
			t->calls[C_PREGUEST], 0);
	/* unbind passes it by: any RMPUPDATE of it breaks a model rule */
	privmem_kunit_fake_destroy(&t->f);
	KUNIT_EXPECT_EQ(test, privmem_snp_leaked(t->snp), 1);
	KUNIT_EXPECT_EQ(test, t->rmp[9], 0);
}

/* The adapter refuses what privmem_space_bind() would. */
static void snp_create_rejects(struct kunit *test)
{
	struct snp_test *t = test->priv;
	struct privmem_backend_ops nopfn = t->f.backend;
	struct privmem_backend_ops noput = t->f.backend;

	nopfn.get_pfn = NULL;
	noput.put_pfn = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_snp_create(0, &t->f.backend, &t->f,
							 T_GFN, 1, t_zap, t)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_snp_create(T_ASID, &t->f.backend,
							 &t->f, T_GFN, 0,
							 t_zap, t)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_snp_create(T_ASID, &nopfn, &t->f,
							 T_GFN, 1, t_zap, t)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_snp_create(T_ASID, &noput, &t->f,
							 T_GFN, 1, t_zap, t)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_snp_create(T_ASID, &t->f.backend,
							 &t->f,
							 PRIVMEM_MAX_GFN - 1, 2,
							 t_zap, t)),
			-EINVAL);
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
	KUNIT_CASE(snp_zap_first),
	KUNIT_CASE(snp_model_rules),
	KUNIT_CASE(snp_psc_mixed),
	KUNIT_CASE(snp_psc_header_changes),
	KUNIT_CASE(snp_psc_bad_header),
	KUNIT_CASE(snp_psc_invalid_entry),
	KUNIT_CASE(snp_psc_hw_failure),
	KUNIT_CASE(snp_psc_policy_refuses),
	KUNIT_CASE(snp_psc_resume_partial),
	KUNIT_CASE(snp_psc_refused_whole),
	KUNIT_CASE(snp_psc_msr),
	KUNIT_CASE(snp_launch_update),
	KUNIT_CASE(snp_launch_update_in_place),
	KUNIT_CASE(snp_launch_update_refused),
	KUNIT_CASE(snp_launch_update_fails),
	KUNIT_CASE(snp_launch_update_reclaim_fails),
	KUNIT_CASE(snp_create_rejects),
	{}
};

static struct kunit_suite privmem_snp_suite = {
	.name = "privmem_snp",
	.init = snp_test_init,
	.exit = snp_test_exit,
	.test_cases = privmem_snp_cases,
};

kunit_test_suite(privmem_snp_suite);
