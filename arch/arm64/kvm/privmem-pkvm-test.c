// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite privmem_pkvm: a real privmem space driven through the pKVM
 * adapter, with the EL2 hypercalls replaced by static stubs that log each
 * call, keep a fake ownership table and can fail on request.  The backend
 * is a fake that maps gfn T_GFN + i to pfn T_PFN + i; no page is touched
 * and no protected VM is created.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/kvm_host.h>
#include <linux/privmem.h>

#include "privmem-pkvm.h"

#define T_GFN		0x40000ULL
#define T_PFN		0x80000ULL
#define T_NPAGES	(2 * PRIVMEM_PAGES_2M)
#define T_HANDLE	0x1234
#define T_LOG		1100

enum pkvm_call { C_DONATE, C_RECLAIM, C_LEAK, C_NR };

struct pkvm_log {
	enum pkvm_call call;
	u64 pfn;
	u64 gfn;
};

struct pkvm_test {
	struct privmem_policy_ops policy;
	struct privmem_backend_ops bops;
	struct privmem_space *space;
	struct privmem_pkvm *pk;
	struct kvm *kvm;
	enum privmem_mode mode;
	long refs;			/* get_pfn minus put_pfn */
	bool guest[T_NPAGES];		/* fake EL2: owned by the guest */
	/* fail the fail_nth[c]'th (1-based) call of kind c; 0: never */
	unsigned int fail_nth[C_NR];
	unsigned int calls[C_NR];
	unsigned int nlog;
	struct pkvm_log log[T_LOG];
};

static struct pkvm_test *cur(void)
{
	return kunit_get_current_test()->priv;
}

static bool pkvm_record(enum pkvm_call call, u64 pfn, u64 gfn)
{
	struct pkvm_test *t = cur();

	if (t->nlog < T_LOG)
		t->log[t->nlog++] = (struct pkvm_log){ call, pfn, gfn };
	return ++t->calls[call] == t->fail_nth[call];
}

static int stub_donate(u64 pfn, u64 gfn)
{
	struct kunit *test = kunit_get_current_test();
	struct pkvm_test *t = cur();

	KUNIT_EXPECT_EQ(test, pfn - T_PFN, gfn - T_GFN);
	if (pkvm_record(C_DONATE, pfn, gfn))
		return -EPERM;
	KUNIT_EXPECT_FALSE_MSG(test, t->guest[gfn - T_GFN],
			       "gfn %llx donated twice", gfn);
	t->guest[gfn - T_GFN] = true;
	return 0;
}

static int stub_reclaim(u16 handle, u64 gfn)
{
	struct kunit *test = kunit_get_current_test();
	struct pkvm_test *t = cur();

	KUNIT_EXPECT_EQ(test, handle, T_HANDLE);
	if (pkvm_record(C_RECLAIM, 0, gfn))
		return -EPERM;
	KUNIT_EXPECT_TRUE_MSG(test, t->guest[gfn - T_GFN],
			      "gfn %llx reclaimed but not donated", gfn);
	t->guest[gfn - T_GFN] = false;
	return 0;
}

static void stub_leak(u64 pfn)
{
	pkvm_record(C_LEAK, pfn, 0);
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
	struct pkvm_test *t = priv;

	if (gfn < T_GFN || gfn >= T_GFN + T_NPAGES)
		return -EINVAL;
	t->refs++;
	*pfn = T_PFN + gfn - T_GFN;
	*gran = PRIVMEM_GRAN_4K;
	return 0;
}

static void t_put_pfn(void *priv, u64 pfn)
{
	((struct pkvm_test *)priv)->refs--;
}

static void pkvm_test_destroy(void *data)
{
	struct pkvm_test *t = data;

	if (t->space)
		privmem_space_destroy(t->space);
	t->space = NULL;
	privmem_pkvm_destroy(t->pk);
	kfree(t->kvm);
}

static int pkvm_test_init(struct kunit *test)
{
	struct privmem_space_config cfg = {};
	struct pkvm_test *t;

	if (!is_protected_kvm_enabled())
		kunit_skip(test, "protected KVM is not enabled (kvm-arm.mode=protected)");
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	test->priv = t;
	t->kvm = kzalloc_obj(*t->kvm, GFP_KERNEL);
	if (!t->kvm)
		return -ENOMEM;
	t->kvm->arch.pkvm.is_protected = true;
	t->kvm->arch.pkvm.handle = T_HANDLE;
	strscpy(t->policy.name, "pkvm-test");
	t->policy.allow = t_allow;
	t->policy.mode = t_mode;
	t->policy.partial_2m = PRIVMEM_PARTIAL_2M_SMASH;
	t->policy.merge = PRIVMEM_MERGE_NEVER;
	t->bops.prepare = t_bprep;
	t->bops.commit = t_bdone;
	t->bops.abort = t_bdone;
	t->bops.get_pfn = t_get_pfn;
	t->bops.put_pfn = t_put_pfn;
	t->mode = PRIVMEM_MODE_INPLACE;

	kunit_activate_static_stub(test, privmem_pkvm_donate, stub_donate);
	kunit_activate_static_stub(test, privmem_pkvm_reclaim, stub_reclaim);
	kunit_activate_static_stub(test, privmem_pkvm_leak, stub_leak);

	t->pk = privmem_pkvm_create(t->kvm, &t->bops, t, T_GFN, T_NPAGES);
	if (IS_ERR(t->pk)) {
		kfree(t->kvm);
		return PTR_ERR(t->pk);
	}
	cfg.policy = &t->policy;
	t->space = privmem_space_create(&cfg);
	if (IS_ERR(t->space)) {
		privmem_pkvm_destroy(t->pk);
		kfree(t->kvm);
		return PTR_ERR(t->space);
	}
	if (kunit_add_action_or_reset(test, pkvm_test_destroy, t))
		return -ENOMEM;
	return privmem_space_bind(t->space, T_GFN, T_NPAGES, &t->bops, t,
				  &privmem_pkvm_arch_ops, t->pk);
}

static int conv(struct pkvm_test *t, u64 off, u64 n, enum privmem_attr attr,
		enum privmem_gran gran)
{
	struct privmem_entry e = {
		.gfn = T_GFN + off, .npages = n, .attr = attr, .gran = gran,
	};
	unsigned int done;

	return privmem_convert(t->space, &e, 1, 0, &done, NULL);
}

static enum privmem_attr attr_of(struct pkvm_test *t, u64 off)
{
	enum privmem_attr attr = PRIVMEM_SHARED;

	privmem_lookup(t->space, T_GFN + off, &attr, NULL);
	return attr;
}

/* The adapter refuses what is not a protected VM or lacks a backend. */
static void pkvm_create_errors(struct kunit *test)
{
	struct pkvm_test *t = test->priv;
	struct privmem_backend_ops nopfn = t->bops;
	struct privmem_pkvm *pk;
	struct kvm *plain;

	nopfn.get_pfn = NULL;
	pk = privmem_pkvm_create(NULL, &t->bops, t, T_GFN, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(pk), -EINVAL);
	pk = privmem_pkvm_create(t->kvm, &nopfn, t, T_GFN, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(pk), -EINVAL);
	pk = privmem_pkvm_create(t->kvm, &t->bops, t, T_GFN, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(pk), -EINVAL);
	plain = kzalloc_obj(*plain, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, plain);
	pk = privmem_pkvm_create(plain, &t->bops, t, T_GFN, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(pk), -EINVAL);
	kfree(plain);
}

/* To private: one donation per page, in order, in place. */
static void pkvm_to_private(struct kunit *test)
{
	struct pkvm_test *t = test->priv;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, conv(t, 5, 3, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_EQ(test, t->calls[C_DONATE], 3);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, t->log[i].call, C_DONATE);
		KUNIT_EXPECT_EQ(test, t->log[i].gfn, T_GFN + 5 + i);
		KUNIT_EXPECT_TRUE(test, t->guest[5 + i]);
		KUNIT_EXPECT_EQ(test, attr_of(t, 5 + i), PRIVMEM_PRIVATE);
	}
	KUNIT_EXPECT_EQ(test, t->refs, 0);
}

/* pKVM has no 2M operations: a 2M entry is carried out page by page. */
static void pkvm_to_private_2m(struct kunit *test)
{
	struct pkvm_test *t = test->priv;
	enum privmem_attr attr;
	enum privmem_gran gran;

	KUNIT_ASSERT_EQ(test, conv(t, 0, PRIVMEM_PAGES_2M, PRIVMEM_PRIVATE,
				   PRIVMEM_GRAN_2M), 0);
	KUNIT_EXPECT_EQ(test, t->calls[C_DONATE], PRIVMEM_PAGES_2M);
	KUNIT_ASSERT_EQ(test, privmem_lookup(t->space, T_GFN, &attr, &gran), 0);
	KUNIT_EXPECT_EQ(test, attr, PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, gran, PRIVMEM_GRAN_4K);
}

/* Destructive conversion and host-driven unshare are refused. */
static void pkvm_refusals(struct kunit *test)
{
	struct pkvm_test *t = test->priv;

	t->mode = PRIVMEM_MODE_DESTRUCTIVE;
	KUNIT_EXPECT_EQ(test, conv(t, 0, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, t->calls[C_DONATE], 0);
	KUNIT_EXPECT_EQ(test, attr_of(t, 0), PRIVMEM_SHARED);

	t->mode = PRIVMEM_MODE_INPLACE;
	KUNIT_ASSERT_EQ(test, conv(t, 0, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_EQ(test, conv(t, 0, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, attr_of(t, 0), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_TRUE(test, t->guest[0]);
}

/*
 * A donation that fails midway leaves the earlier pages of the op with
 * the guest (7.3 cannot give them back in place): the op fails, and the
 * teardown still reclaims them.
 */
static void pkvm_donate_fails(struct kunit *test)
{
	struct pkvm_test *t = test->priv;

	t->fail_nth[C_DONATE] = 2;
	KUNIT_EXPECT_EQ(test, conv(t, 10, 3, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K),
			-EPERM);
	KUNIT_EXPECT_EQ(test, t->calls[C_DONATE], 2);
	KUNIT_EXPECT_TRUE(test, t->guest[10]);
	KUNIT_EXPECT_FALSE(test, t->guest[11]);
	KUNIT_EXPECT_EQ(test, attr_of(t, 10), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, t->refs, 0);

	privmem_space_destroy(t->space);
	t->space = NULL;
	KUNIT_EXPECT_EQ(test, t->calls[C_RECLAIM], 1);
	KUNIT_EXPECT_EQ(test, t->log[t->nlog - 1].gfn, T_GFN + 10);
	KUNIT_EXPECT_FALSE(test, t->guest[10]);
}

/*
 * Teardown reclaims every donated page; one EL2 refuses is leaked, never
 * handed back to the host allocator.
 */
static void pkvm_teardown(struct kunit *test)
{
	struct pkvm_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, conv(t, 0, 4, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	KUNIT_ASSERT_EQ(test, conv(t, 100, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	t->fail_nth[C_RECLAIM] = 2;
	privmem_space_destroy(t->space);
	t->space = NULL;
	KUNIT_EXPECT_EQ(test, t->calls[C_RECLAIM], 5);
	KUNIT_EXPECT_EQ(test, t->calls[C_LEAK], 1);
	KUNIT_EXPECT_EQ(test, t->log[t->nlog - 4].call, C_LEAK);
	KUNIT_EXPECT_EQ(test, t->log[t->nlog - 4].pfn, T_PFN + 1);
	KUNIT_EXPECT_TRUE(test, t->guest[1]);
	KUNIT_EXPECT_FALSE(test, t->guest[0]);
	KUNIT_EXPECT_FALSE(test, t->guest[100]);
	KUNIT_EXPECT_EQ(test, t->refs, 0);
}

static struct kunit_case pkvm_cases[] = {
	KUNIT_CASE(pkvm_create_errors),
	KUNIT_CASE(pkvm_to_private),
	KUNIT_CASE(pkvm_to_private_2m),
	KUNIT_CASE(pkvm_refusals),
	KUNIT_CASE(pkvm_donate_fails),
	KUNIT_CASE(pkvm_teardown),
	{}
};

static struct kunit_suite pkvm_suite = {
	.name = "privmem_pkvm",
	.init = pkvm_test_init,
	.test_cases = pkvm_cases,
};

kunit_test_suite(pkvm_suite);

MODULE_DESCRIPTION("KUnit tests for the privmem pKVM adapter");
MODULE_LICENSE("GPL");
