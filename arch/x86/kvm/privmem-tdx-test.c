// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite privmem_tdx: a real privmem space driven through the TDX
 * adapter, with every SEAMCALL replaced by a static stub that logs the
 * call and can fail on request.  The backend is a fake over T_NPAGES
 * real pages, so that the pre-launch copy into the bounce page is real.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/privmem.h>
#include <asm/shared/tdx_errno.h>

#include "privmem-tdx.h"

#define T_GFN		0x1000ULL
#define T_ORDER		4
#define T_NPAGES	BIT_ULL(T_ORDER)
#define T_HKID		5
#define T_LOG		256
#define T_ERR		0xc000010000000000ULL	/* some TDX error */

enum tdx_call { C_ADD, C_AUG, C_BLOCK, C_TRACK, C_KICK, C_REMOVE, C_WBINVD,
		C_CLEAR, C_LEAK, C_NR };

struct tdx_log {
	enum tdx_call call;
	u64 gfn;	/* from the GPA or the pfn; 0 for TRACK and KICK */
};

struct tdx_test {
	struct privmem_policy_ops policy;
	struct privmem_backend_ops bops;
	struct privmem_space *space;
	struct privmem_tdx *tdx;
	struct page *pages;
	u64 pfn0;
	long refs;
	unsigned int fail_nth[C_NR];
	u64 fail_err[C_NR];
	unsigned int calls[C_NR];
	unsigned int nlog;
	struct tdx_log log[T_LOG];
	u8 added[T_NPAGES];	/* first byte of the page PAGE.ADD was given */
};

/* Stands in for the TD's structures; the stubs only compare it. */
static struct tdx_td *t_td = (struct tdx_td *)0x1234;

static struct tdx_test *cur(void)
{
	return kunit_get_current_test()->priv;
}

static u64 rec(enum tdx_call call, u64 gfn)
{
	struct tdx_test *t = cur();

	if (t->nlog < T_LOG)
		t->log[t->nlog++] = (struct tdx_log){ call, gfn };
	if (++t->calls[call] == t->fail_nth[call])
		return t->fail_err[call] ?: T_ERR;
	return 0;
}

static u64 pfn_gfn(u64 pfn)
{
	return pfn - cur()->pfn0 + T_GFN;
}

static u64 stub_add(struct tdx_td *td, u64 gpa, u64 pfn, struct page *source)
{
	struct kunit *test = kunit_get_current_test();
	struct tdx_test *t = cur();

	KUNIT_EXPECT_PTR_EQ(test, td, t_td);
	KUNIT_EXPECT_EQ(test, pfn_gfn(pfn), gpa >> PAGE_SHIFT);
	KUNIT_EXPECT_NE(test, page_to_pfn(source), pfn);
	t->added[pfn - t->pfn0] = *(u8 *)page_address(source);
	return rec(C_ADD, gpa >> PAGE_SHIFT);
}

static u64 stub_aug(struct tdx_td *td, u64 gpa, u64 pfn)
{
	KUNIT_EXPECT_EQ(kunit_get_current_test(), pfn_gfn(pfn), gpa >> PAGE_SHIFT);
	return rec(C_AUG, gpa >> PAGE_SHIFT);
}

static u64 stub_block(struct tdx_td *td, u64 gpa)
{
	return rec(C_BLOCK, gpa >> PAGE_SHIFT);
}

static u64 stub_track(struct tdx_td *td)
{
	return rec(C_TRACK, 0);
}

static void stub_kick(struct kvm *kvm)
{
	rec(C_KICK, 0);
}

static u64 stub_remove(struct tdx_td *td, u64 gpa)
{
	return rec(C_REMOVE, gpa >> PAGE_SHIFT);
}

static u64 stub_wbinvd(u16 hkid, u64 pfn)
{
	KUNIT_EXPECT_EQ(kunit_get_current_test(), hkid, T_HKID);
	return rec(C_WBINVD, pfn_gfn(pfn));
}

static void stub_clear(u64 pfn)
{
	rec(C_CLEAR, pfn_gfn(pfn));
}

static void stub_leak(u64 pfn)
{
	rec(C_LEAK, pfn_gfn(pfn));
}

static int t_allow(const struct privmem_conv_info *ci)
{
	return 0;
}

static enum privmem_mode t_mode(const struct privmem_conv_info *ci)
{
	return ci->prelaunch ? PRIVMEM_MODE_INPLACE : PRIVMEM_MODE_DESTRUCTIVE;
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
	struct tdx_test *t = priv;

	if (gfn < T_GFN || gfn >= T_GFN + T_NPAGES)
		return -EINVAL;
	t->refs++;
	*pfn = t->pfn0 + gfn - T_GFN;
	*gran = PRIVMEM_GRAN_4K;
	return 0;
}

static void t_put_pfn(void *priv, u64 pfn)
{
	((struct tdx_test *)priv)->refs--;
}

static void tdx_test_destroy(void *data)
{
	struct tdx_test *t = data;

	if (t->space)
		privmem_space_destroy(t->space);
	privmem_tdx_destroy(t->tdx);
	__free_pages(t->pages, T_ORDER);
}

static int tdx_test_init(struct kunit *test)
{
	struct privmem_space_config cfg = {};
	struct tdx_test *t;
	unsigned int i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	test->priv = t;
	strscpy(t->policy.name, "tdx-test");
	t->policy.allow = t_allow;
	t->policy.mode = t_mode;
	t->policy.partial_2m = PRIVMEM_PARTIAL_2M_SMASH;
	t->policy.merge = PRIVMEM_MERGE_NEVER;
	t->bops.prepare = t_bprep;
	t->bops.commit = t_bdone;
	t->bops.abort = t_bdone;
	t->bops.get_pfn = t_get_pfn;
	t->bops.put_pfn = t_put_pfn;

	kunit_activate_static_stub(test, privmem_tdx_page_add, stub_add);
	kunit_activate_static_stub(test, privmem_tdx_page_aug, stub_aug);
	kunit_activate_static_stub(test, privmem_tdx_block, stub_block);
	kunit_activate_static_stub(test, privmem_tdx_track, stub_track);
	kunit_activate_static_stub(test, privmem_tdx_kick, stub_kick);
	kunit_activate_static_stub(test, privmem_tdx_remove, stub_remove);
	kunit_activate_static_stub(test, privmem_tdx_wbinvd, stub_wbinvd);
	kunit_activate_static_stub(test, privmem_tdx_clear, stub_clear);
	kunit_activate_static_stub(test, privmem_tdx_leak, stub_leak);

	t->pages = alloc_pages(GFP_KERNEL, T_ORDER);
	if (!t->pages)
		return -ENOMEM;
	t->pfn0 = page_to_pfn(t->pages);
	for (i = 0; i < T_NPAGES; i++)
		memset(page_address(t->pages + i), 0xa0 + i, PAGE_SIZE);

	t->tdx = privmem_tdx_create(NULL, t_td, T_HKID, &t->bops, t, T_GFN,
				    T_NPAGES);
	if (IS_ERR(t->tdx)) {
		__free_pages(t->pages, T_ORDER);
		return PTR_ERR(t->tdx);
	}
	cfg.policy = &t->policy;
	t->space = privmem_space_create(&cfg);
	if (IS_ERR(t->space)) {
		t->space = NULL;
		tdx_test_destroy(t);
		return -ENOMEM;
	}
	if (kunit_add_action_or_reset(test, tdx_test_destroy, t))
		return -ENOMEM;
	return privmem_space_bind(t->space, T_GFN, T_NPAGES, &t->bops, t,
				  &privmem_tdx_arch_ops, t->tdx);
}

static int conv(struct tdx_test *t, u64 off, u64 n, enum privmem_attr attr)
{
	struct privmem_entry e = {
		.gfn = T_GFN + off, .npages = n, .attr = attr,
		.gran = PRIVMEM_GRAN_4K,
	};
	unsigned int done;

	return privmem_convert(t->space, &e, 1, 0, &done, NULL);
}

static void launch(struct kunit *test)
{
	struct tdx_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, privmem_space_populate_done(t->space), 0);
	KUNIT_ASSERT_EQ(test, privmem_space_launch(t->space), 0);
}

static void reset_log(struct tdx_test *t)
{
	memset(t->calls, 0, sizeof(t->calls));
	t->nlog = 0;
}

static void expect_log(struct kunit *test, unsigned int i, enum tdx_call call,
		       u64 off)
{
	struct tdx_test *t = test->priv;

	KUNIT_ASSERT_LT(test, i, t->nlog);
	KUNIT_EXPECT_EQ_MSG(test, t->log[i].call, call, "log[%u]", i);
	KUNIT_EXPECT_EQ_MSG(test, t->log[i].gfn, off ? T_GFN + off - 1 : 0,
			    "log[%u]", i);
}

/* Before launch: PAGE.ADD from a bounce copy of the page, never AUG. */
static void tdx_prelaunch_add(struct kunit *test)
{
	struct tdx_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, conv(t, 2, 3, PRIVMEM_PRIVATE), 0);
	KUNIT_ASSERT_EQ(test, t->nlog, 3);
	expect_log(test, 0, C_ADD, 1 + 2);
	expect_log(test, 2, C_ADD, 1 + 4);
	KUNIT_EXPECT_EQ(test, t->calls[C_AUG], 0);
	/* the source handed to PAGE.ADD held each page's pre-boot data */
	KUNIT_EXPECT_EQ(test, t->added[2], 0xa2);
	KUNIT_EXPECT_EQ(test, t->added[4], 0xa4);
	KUNIT_EXPECT_EQ(test, t->refs, 0);
}

/* After launch: AUG, one per page. */
static void tdx_to_private(struct kunit *test)
{
	struct tdx_test *t = test->priv;

	launch(test);
	KUNIT_ASSERT_EQ(test, conv(t, 0, 2, PRIVMEM_PRIVATE), 0);
	KUNIT_ASSERT_EQ(test, t->nlog, 2);
	expect_log(test, 0, C_AUG, 1 + 0);
	expect_log(test, 1, C_AUG, 1 + 1);
	KUNIT_EXPECT_EQ(test, t->calls[C_ADD], 0);
}

/* To shared: BLOCK all, TRACK and kick once, then REMOVE, WBINVD, reset. */
static void tdx_to_shared(struct kunit *test)
{
	struct tdx_test *t = test->priv;

	launch(test);
	KUNIT_ASSERT_EQ(test, conv(t, 0, 2, PRIVMEM_PRIVATE), 0);
	reset_log(t);
	KUNIT_ASSERT_EQ(test, conv(t, 0, 2, PRIVMEM_SHARED), 0);
	KUNIT_ASSERT_EQ(test, t->nlog, 10);
	expect_log(test, 0, C_BLOCK, 1 + 0);
	expect_log(test, 1, C_BLOCK, 1 + 1);
	expect_log(test, 2, C_TRACK, 0);
	expect_log(test, 3, C_KICK, 0);
	expect_log(test, 4, C_REMOVE, 1 + 0);
	expect_log(test, 5, C_WBINVD, 1 + 0);
	expect_log(test, 6, C_CLEAR, 1 + 0);
	expect_log(test, 7, C_REMOVE, 1 + 1);
	expect_log(test, 9, C_CLEAR, 1 + 1);
	KUNIT_EXPECT_EQ(test, t->refs, 0);
	/* nothing left in the TD for unbind */
	reset_log(t);
	privmem_space_destroy(t->space);
	t->space = NULL;
	KUNIT_EXPECT_EQ(test, t->calls[C_BLOCK] + t->calls[C_REMOVE], 0);
}

/* Before launch no vCPU ran: removal needs no TRACK. */
static void tdx_prelaunch_remove(struct kunit *test)
{
	struct tdx_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, conv(t, 0, 1, PRIVMEM_PRIVATE), 0);
	reset_log(t);
	KUNIT_ASSERT_EQ(test, conv(t, 0, 1, PRIVMEM_SHARED), 0);
	KUNIT_EXPECT_EQ(test, t->calls[C_TRACK], 0);
	KUNIT_EXPECT_EQ(test, t->calls[C_BLOCK], 1);
	KUNIT_EXPECT_EQ(test, t->calls[C_REMOVE], 1);
}

/* AUG fails mid-op: the pages already added are removed again. */
static void tdx_undo_private(struct kunit *test)
{
	struct tdx_test *t = test->priv;

	launch(test);
	t->fail_nth[C_AUG] = 3;
	KUNIT_EXPECT_EQ(test, conv(t, 4, 4, PRIVMEM_PRIVATE), -EIO);
	KUNIT_EXPECT_EQ(test, t->calls[C_AUG], 3);
	KUNIT_EXPECT_EQ(test, t->calls[C_BLOCK], 2);
	KUNIT_EXPECT_EQ(test, t->calls[C_TRACK], 1);
	KUNIT_EXPECT_EQ(test, t->calls[C_REMOVE], 2);
	expect_log(test, 3, C_BLOCK, 1 + 4);
	expect_log(test, 4, C_BLOCK, 1 + 5);
	KUNIT_EXPECT_EQ(test, t->calls[C_LEAK], 0);
	KUNIT_EXPECT_EQ(test, privmem_tdx_leaked(t->tdx), 0);
}

/* A busy AUG is -EBUSY, nothing else is done. */
static void tdx_busy(struct kunit *test)
{
	struct tdx_test *t = test->priv;

	launch(test);
	t->fail_nth[C_AUG] = 1;
	t->fail_err[C_AUG] = TDX_OPERAND_BUSY;
	KUNIT_EXPECT_EQ(test, conv(t, 0, 1, PRIVMEM_PRIVATE), -EBUSY);
	KUNIT_EXPECT_EQ(test, t->nlog, 1);
}

/* REMOVE fails: that page stays in the TD and is leaked; others go. */
static void tdx_remove_fails_leaks(struct kunit *test)
{
	struct tdx_test *t = test->priv;

	launch(test);
	KUNIT_ASSERT_EQ(test, conv(t, 0, 3, PRIVMEM_PRIVATE), 0);
	reset_log(t);
	t->fail_nth[C_REMOVE] = 2;
	KUNIT_EXPECT_EQ(test, conv(t, 0, 3, PRIVMEM_SHARED), -EIO);
	KUNIT_EXPECT_EQ(test, t->calls[C_REMOVE], 3);
	KUNIT_EXPECT_EQ(test, t->calls[C_CLEAR], 2);
	KUNIT_ASSERT_EQ(test, t->calls[C_LEAK], 1);
	KUNIT_EXPECT_EQ(test, privmem_tdx_leaked(t->tdx), 1);
	/* the leaked page is not removed again by unbind */
	reset_log(t);
	privmem_space_destroy(t->space);
	t->space = NULL;
	KUNIT_EXPECT_EQ(test, t->calls[C_REMOVE], 0);
}

/* Unbind removes every page the adapter put into the TD. */
static void tdx_unbind(struct kunit *test)
{
	struct tdx_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, conv(t, 1, 2, PRIVMEM_PRIVATE), 0);
	launch(test);
	KUNIT_ASSERT_EQ(test, conv(t, 9, 1, PRIVMEM_PRIVATE), 0);
	reset_log(t);
	privmem_space_destroy(t->space);
	t->space = NULL;
	KUNIT_EXPECT_EQ(test, t->calls[C_BLOCK], 3);
	KUNIT_EXPECT_EQ(test, t->calls[C_TRACK], 1);
	KUNIT_EXPECT_EQ(test, t->calls[C_REMOVE], 3);
	KUNIT_EXPECT_EQ(test, t->calls[C_CLEAR], 3);
	expect_log(test, 0, C_BLOCK, 1 + 1);
	expect_log(test, 2, C_BLOCK, 1 + 9);
	KUNIT_EXPECT_EQ(test, t->refs, 0);
}

static struct kunit_case privmem_tdx_cases[] = {
	KUNIT_CASE(tdx_prelaunch_add),
	KUNIT_CASE(tdx_to_private),
	KUNIT_CASE(tdx_to_shared),
	KUNIT_CASE(tdx_prelaunch_remove),
	KUNIT_CASE(tdx_undo_private),
	KUNIT_CASE(tdx_busy),
	KUNIT_CASE(tdx_remove_fails_leaks),
	KUNIT_CASE(tdx_unbind),
	{}
};

static struct kunit_suite privmem_tdx_suite = {
	.name = "privmem_tdx",
	.init = tdx_test_init,
	.test_cases = privmem_tdx_cases,
};

kunit_test_suite(privmem_tdx_suite);
