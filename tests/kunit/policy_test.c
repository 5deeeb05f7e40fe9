// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for privmem conversion policies: the registry, the built-in
 * policies' decisions and their effect on a real space, the per-VM-type
 * configuration and module parameters, and privmem_fault().
 *
 * Run with:
 *   ./tools/testing/kunit/kunit.py run --kunitconfig=virt/privmem
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/privmem.h>
#include <linux/privmem_policy.h>
#include <linux/string.h>

#include "../policy/policy.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

/* Ids no shipped policy uses. */
#define TEST_ID_A	60
#define TEST_ID_B	61

/* A span of two 2M blocks. */
#define TEST_BASE	0x1000
#define TEST_PAGES	(2 * PRIVMEM_PAGES_2M)

static int privmem_test_allow(const struct privmem_conv_info *ci)
{
	return 0;
}

static enum privmem_mode privmem_test_mode(const struct privmem_conv_info *ci)
{
	return PRIVMEM_MODE_INPLACE;
}

/* A valid policy named @name with id @id, allocated for @test. */
static struct privmem_policy_ops *privmem_test_policy(struct kunit *test,
						      const char *name, u32 id)
{
	struct privmem_policy_ops *ops;

	ops = kunit_kzalloc(test, sizeof(*ops), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ops);
	ops->allow = privmem_test_allow;
	ops->mode = privmem_test_mode;
	ops->partial_2m = PRIVMEM_PARTIAL_2M_SMASH;
	ops->merge = PRIVMEM_MERGE_LAZY;
	ops->id = id;
	strscpy(ops->name, name);
	ops->owner = THIS_MODULE;
	return ops;
}

static void privmem_test_unregister(void *ops)
{
	privmem_unregister_policy(ops);
}

/* Register @ops for the rest of @test; fails the test if that fails. */
static void privmem_test_register(struct kunit *test,
				  struct privmem_policy_ops *ops)
{
	KUNIT_ASSERT_EQ(test, privmem_register_policy(ops), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, privmem_test_unregister, ops), 0);
}

/* A built-in policy, or skip the test if it is not configured. */
static const struct privmem_policy_ops *privmem_test_builtin(struct kunit *test,
							     const char *name)
{
	const struct privmem_policy_ops *ops = privmem_policy_get_by_name(name);

	if (!ops)
		kunit_skip(test, "policy %s is not available", name);
	privmem_policy_put(ops);
	return ops;
}

/* privmem_registry */

static void privmem_registry_missing_op(struct kunit *test)
{
	struct privmem_policy_ops *ops = privmem_test_policy(test, "kunit-a", TEST_ID_A);

	ops->allow = NULL;
	KUNIT_EXPECT_EQ(test, privmem_register_policy(ops), -EINVAL);
	ops->allow = privmem_test_allow;
	ops->mode = NULL;
	KUNIT_EXPECT_EQ(test, privmem_register_policy(ops), -EINVAL);
	ops->mode = privmem_test_mode;
	ops->merge = PRIVMEM_MERGE_NEVER + 1;
	KUNIT_EXPECT_EQ(test, privmem_register_policy(ops), -EINVAL);
	KUNIT_EXPECT_EQ(test, privmem_register_policy(NULL), -EINVAL);

	/* Nothing was registered. */
	KUNIT_EXPECT_NULL(test, privmem_policy_get_by_id(TEST_ID_A));
	KUNIT_EXPECT_FALSE(test, privmem_policy_known("kunit-a"));
}

static void privmem_registry_bad_name(struct kunit *test)
{
	static const char * const bad[] = {
		"", "Upper", "with space", "slash/", "dot.", "fifteen-chars-!",
	};
	struct privmem_policy_ops *ops = privmem_test_policy(test, "x", TEST_ID_A);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		strscpy(ops->name, bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, privmem_register_policy(ops), -EINVAL,
				    "name \"%s\"", bad[i]);
	}
	/* Not NUL-terminated within the field. */
	memset(ops->name, 'a', sizeof(ops->name));
	KUNIT_EXPECT_EQ(test, privmem_register_policy(ops), -EINVAL);
	KUNIT_EXPECT_NULL(test, privmem_policy_get_by_id(TEST_ID_A));
}

static void privmem_registry_bad_id(struct kunit *test)
{
	struct privmem_policy_ops *ops = privmem_test_policy(test, "kunit-a", 0);

	KUNIT_EXPECT_EQ(test, privmem_register_policy(ops), -EINVAL);
	ops->id = PRIVMEM_POLICY_ID_MAX + 1;
	KUNIT_EXPECT_EQ(test, privmem_register_policy(ops), -EINVAL);
	KUNIT_EXPECT_FALSE(test, privmem_policy_known("kunit-a"));
}

static void privmem_registry_duplicate(struct kunit *test)
{
	struct privmem_policy_ops *a = privmem_test_policy(test, "kunit-a", TEST_ID_A);
	struct privmem_policy_ops *same_name = privmem_test_policy(test, "kunit-a", TEST_ID_B);
	struct privmem_policy_ops *same_id = privmem_test_policy(test, "kunit-b", TEST_ID_A);
	const struct privmem_policy_ops *ops;

	privmem_test_register(test, a);
	KUNIT_EXPECT_EQ(test, privmem_register_policy(same_name), -EEXIST);
	KUNIT_EXPECT_EQ(test, privmem_register_policy(same_id), -EEXIST);
	/* Registering the same ops twice is a duplicate too. */
	KUNIT_EXPECT_EQ(test, privmem_register_policy(a), -EEXIST);

	/* The first registration is the one found. */
	ops = privmem_policy_get_by_name("kunit-a");
	KUNIT_EXPECT_PTR_EQ(test, ops, (const struct privmem_policy_ops *)a);
	privmem_policy_put(ops);
	KUNIT_EXPECT_NULL(test, privmem_policy_get_by_name("kunit-b"));
	KUNIT_EXPECT_NULL(test, privmem_policy_get_by_id(TEST_ID_B));
}

static void privmem_registry_builtin_names_taken(struct kunit *test)
{
	const struct privmem_policy_ops *cc = privmem_test_builtin(test, "cc");
	struct privmem_policy_ops *ops = privmem_test_policy(test, "cc", TEST_ID_A);

	KUNIT_EXPECT_EQ(test, privmem_register_policy(ops), -EEXIST);
	strscpy(ops->name, "kunit-a");
	ops->id = cc->id;
	KUNIT_EXPECT_EQ(test, privmem_register_policy(ops), -EEXIST);
}

static void privmem_registry_lookup(struct kunit *test)
{
	struct privmem_policy_ops *a = privmem_test_policy(test, "kunit-a", TEST_ID_A);
	struct privmem_policy_ops *b = privmem_test_policy(test, "kunit-b", TEST_ID_B);
	const struct privmem_policy_ops *ops;

	privmem_test_register(test, a);
	privmem_test_register(test, b);

	ops = privmem_policy_get_by_name("kunit-b");
	KUNIT_EXPECT_PTR_EQ(test, ops, (const struct privmem_policy_ops *)b);
	privmem_policy_put(ops);
	ops = privmem_policy_get_by_id(TEST_ID_A);
	KUNIT_EXPECT_PTR_EQ(test, ops, (const struct privmem_policy_ops *)a);
	privmem_policy_put(ops);
	KUNIT_EXPECT_TRUE(test, privmem_policy_known("kunit-a"));
	KUNIT_EXPECT_EQ(test, privmem_policy_get(b), 0);
	privmem_policy_put(b);
}

static void privmem_registry_unknown(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, privmem_policy_get_by_name("no-such-policy"));
	KUNIT_EXPECT_NULL(test, privmem_policy_get_by_name(""));
	KUNIT_EXPECT_NULL(test, privmem_policy_get_by_name("../../evil"));
	KUNIT_EXPECT_NULL(test, privmem_policy_get_by_id(PRIVMEM_POLICY_ID_DEFAULT));
	KUNIT_EXPECT_NULL(test, privmem_policy_get_by_id(TEST_ID_A));
	KUNIT_EXPECT_NULL(test, privmem_policy_get_by_id(PRIVMEM_POLICY_ID_MAX + 1));
	KUNIT_EXPECT_FALSE(test, privmem_policy_known("no-such-policy"));
}

static void privmem_registry_unregister(struct kunit *test)
{
	struct privmem_policy_ops *a = privmem_test_policy(test, "kunit-a", TEST_ID_A);
	struct privmem_policy_ops *b = privmem_test_policy(test, "kunit-b", TEST_ID_A);

	KUNIT_EXPECT_EQ(test, privmem_unregister_policy(a), -ENOENT);
	KUNIT_ASSERT_EQ(test, privmem_register_policy(a), 0);
	/* Same id, other ops: not the registered one. */
	KUNIT_EXPECT_EQ(test, privmem_unregister_policy(b), -ENOENT);
	KUNIT_EXPECT_EQ(test, privmem_unregister_policy(a), 0);
	KUNIT_EXPECT_NULL(test, privmem_policy_get_by_name("kunit-a"));
	KUNIT_EXPECT_EQ(test, privmem_policy_get(a), -ENOENT);
	KUNIT_EXPECT_EQ(test, privmem_unregister_policy(a), -ENOENT);

	/* The id is free again. */
	privmem_test_register(test, b);
	KUNIT_EXPECT_EQ(test, privmem_policy_get(b), 0);
	privmem_policy_put(b);
}

static void privmem_registry_in_use(struct kunit *test)
{
	struct privmem_policy_ops *a = privmem_test_policy(test, "kunit-a", TEST_ID_A);
	const struct privmem_policy_ops *ref1, *ref2;

	privmem_test_register(test, a);
	ref1 = privmem_policy_get_by_name("kunit-a");
	ref2 = privmem_policy_get_by_id(TEST_ID_A);
	KUNIT_ASSERT_NOT_NULL(test, ref1);
	KUNIT_ASSERT_NOT_NULL(test, ref2);

	KUNIT_EXPECT_EQ(test, privmem_unregister_policy(a), -EBUSY);
	privmem_policy_put(ref1);
	KUNIT_EXPECT_EQ(test, privmem_unregister_policy(a), -EBUSY);
	/* Still registered and usable after a refused unregistration. */
	KUNIT_EXPECT_EQ(test, privmem_policy_get(a), 0);
	privmem_policy_put(a);
	privmem_policy_put(ref2);
	KUNIT_EXPECT_EQ(test, privmem_unregister_policy(a), 0);
}

static struct kunit_case privmem_registry_cases[] = {
	KUNIT_CASE(privmem_registry_missing_op),
	KUNIT_CASE(privmem_registry_bad_name),
	KUNIT_CASE(privmem_registry_bad_id),
	KUNIT_CASE(privmem_registry_duplicate),
	KUNIT_CASE(privmem_registry_builtin_names_taken),
	KUNIT_CASE(privmem_registry_lookup),
	KUNIT_CASE(privmem_registry_unknown),
	KUNIT_CASE(privmem_registry_unregister),
	KUNIT_CASE(privmem_registry_in_use),
	{}
};

static struct kunit_suite privmem_registry_suite = {
	.name = "privmem_registry",
	.test_cases = privmem_registry_cases,
};

/* privmem_policy */

#define ALLOW	0
#define DENY	(-EPERM)
#define DSTR	PRIVMEM_MODE_DESTRUCTIVE
#define KEEP	PRIVMEM_MODE_INPLACE

enum { TEST_CC, TEST_CC_STRICT, TEST_INPLACE, TEST_NR_POLICIES };

static const char * const privmem_test_policy_names[TEST_NR_POLICIES] = {
	[TEST_CC] = "cc",
	[TEST_CC_STRICT] = "cc-strict",
	[TEST_INPLACE] = "inplace",
};

/**
 * struct privmem_decision_case - one row of the decision table
 * @req: explicit or implicit.
 * @to: target attribute.
 * @implicit: the space's implicit switch.
 * @prelaunch: the space is not launched.
 * @allow: expected &privmem_policy_ops.allow result per policy.
 * @mode: expected &privmem_policy_ops.mode result per policy.
 */
struct privmem_decision_case {
	enum privmem_req req;
	enum privmem_attr to;
	bool implicit;
	bool prelaunch;
	int allow[TEST_NR_POLICIES];
	enum privmem_mode mode[TEST_NR_POLICIES];
};

#define EXP	PRIVMEM_REQ_EXPLICIT
#define IMP	PRIVMEM_REQ_IMPLICIT
#define PRIV	PRIVMEM_PRIVATE
#define SHRD	PRIVMEM_SHARED

/* req, to, switch, prelaunch, allow { cc, cc-strict, inplace }, mode { same } */
static const struct privmem_decision_case privmem_decision_cases[] = {
	{ EXP, PRIV, false, false, { ALLOW, ALLOW, ALLOW }, { DSTR, DSTR, KEEP } },
	{ EXP, PRIV, false, true,  { ALLOW, ALLOW, ALLOW }, { KEEP, KEEP, KEEP } },
	{ EXP, PRIV, true,  false, { ALLOW, ALLOW, ALLOW }, { DSTR, DSTR, KEEP } },
	{ EXP, PRIV, true,  true,  { ALLOW, ALLOW, ALLOW }, { KEEP, KEEP, KEEP } },
	{ EXP, SHRD, false, false, { ALLOW, ALLOW, ALLOW }, { DSTR, DSTR, KEEP } },
	{ EXP, SHRD, false, true,  { ALLOW, ALLOW, ALLOW }, { DSTR, DSTR, KEEP } },
	{ EXP, SHRD, true,  false, { ALLOW, ALLOW, ALLOW }, { DSTR, DSTR, KEEP } },
	{ EXP, SHRD, true,  true,  { ALLOW, ALLOW, ALLOW }, { DSTR, DSTR, KEEP } },
	{ IMP, PRIV, false, false, { DENY,  DENY,  DENY  }, { DSTR, DSTR, KEEP } },
	{ IMP, PRIV, false, true,  { DENY,  DENY,  DENY  }, { KEEP, KEEP, KEEP } },
	{ IMP, PRIV, true,  false, { ALLOW, DENY,  DENY  }, { DSTR, DSTR, KEEP } },
	{ IMP, PRIV, true,  true,  { ALLOW, DENY,  DENY  }, { KEEP, KEEP, KEEP } },
	{ IMP, SHRD, false, false, { DENY,  DENY,  DENY  }, { DSTR, DSTR, KEEP } },
	{ IMP, SHRD, false, true,  { DENY,  DENY,  DENY  }, { DSTR, DSTR, KEEP } },
	{ IMP, SHRD, true,  false, { ALLOW, DENY,  DENY  }, { DSTR, DSTR, KEEP } },
	{ IMP, SHRD, true,  true,  { ALLOW, DENY,  DENY  }, { DSTR, DSTR, KEEP } },
};

static void privmem_decision_desc(const struct privmem_decision_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s to-%s switch-%s %s",
		 c->req == EXP ? "explicit" : "implicit",
		 c->to == PRIV ? "private" : "shared",
		 c->implicit ? "on" : "off",
		 c->prelaunch ? "prelaunch" : "launched");
}

KUNIT_ARRAY_PARAM(privmem_decision, privmem_decision_cases, privmem_decision_desc);

static void privmem_policy_decision(struct kunit *test)
{
	const struct privmem_decision_case *c = test->param_value;
	struct privmem_conv_info ci = {
		.gfn = TEST_BASE,
		.npages = 1,
		.from = c->to == PRIV ? SHRD : PRIV,
		.to = c->to,
		.gran = PRIVMEM_GRAN_4K,
		.req = c->req,
		.implicit_enabled = c->implicit,
		.prelaunch = c->prelaunch,
	};
	int i;

	for (i = 0; i < TEST_NR_POLICIES; i++) {
		const struct privmem_policy_ops *ops;

		ops = privmem_test_builtin(test, privmem_test_policy_names[i]);
		KUNIT_EXPECT_EQ_MSG(test, ops->allow(&ci), c->allow[i],
				    "allow of %s", ops->name);
		KUNIT_EXPECT_EQ_MSG(test, ops->mode(&ci), c->mode[i],
				    "mode of %s", ops->name);
	}
}

static void privmem_policy_fields(struct kunit *test)
{
	const struct privmem_policy_ops *cc = privmem_test_builtin(test, "cc");
	const struct privmem_policy_ops *strict = privmem_test_builtin(test, "cc-strict");
	const struct privmem_policy_ops *inplace = privmem_test_builtin(test, "inplace");

	KUNIT_EXPECT_EQ(test, cc->id, PRIVMEM_POLICY_ID_CC);
	KUNIT_EXPECT_EQ(test, cc->partial_2m, PRIVMEM_PARTIAL_2M_SMASH);
	KUNIT_EXPECT_EQ(test, cc->merge, PRIVMEM_MERGE_LAZY);
	KUNIT_EXPECT_EQ(test, strict->id, PRIVMEM_POLICY_ID_CC_STRICT);
	KUNIT_EXPECT_EQ(test, strict->partial_2m, PRIVMEM_PARTIAL_2M_SMASH);
	KUNIT_EXPECT_EQ(test, strict->merge, PRIVMEM_MERGE_LAZY);
	KUNIT_EXPECT_EQ(test, inplace->id, PRIVMEM_POLICY_ID_INPLACE);
	KUNIT_EXPECT_EQ(test, inplace->partial_2m, PRIVMEM_PARTIAL_2M_SMASH);
	KUNIT_EXPECT_EQ(test, inplace->merge, PRIVMEM_MERGE_NEVER);

	/* By id, the same policies. */
	KUNIT_EXPECT_PTR_EQ(test, privmem_policy_get_by_id(PRIVMEM_POLICY_ID_CC), cc);
	privmem_policy_put(cc);
	KUNIT_EXPECT_PTR_EQ(test, privmem_policy_get_by_id(PRIVMEM_POLICY_ID_INPLACE), inplace);
	privmem_policy_put(inplace);
}

/*
 * A fake backend that records what each commit did to the contents: a
 * destructive commit scrubs the old page, an in-place one keeps it.
 */
struct privmem_test_backend {
	u64 scrubbed;		/* frames committed destructively */
	u64 kept;		/* frames committed in place */
	unsigned int commits;
	enum privmem_mode last_mode;
	u64 last_gfn;
};

static int privmem_test_prepare(void *priv, const struct privmem_op *op)
{
	return 0;
}

static void privmem_test_commit(void *priv, const struct privmem_op *op)
{
	struct privmem_test_backend *fb = priv;

	if (op->mode == PRIVMEM_MODE_DESTRUCTIVE)
		fb->scrubbed += op->npages;
	else
		fb->kept += op->npages;
	fb->commits++;
	fb->last_mode = op->mode;
	fb->last_gfn = op->gfn;
}

static void privmem_test_abort(void *priv, const struct privmem_op *op)
{
}

static const struct privmem_backend_ops privmem_test_backend_ops = {
	.prepare = privmem_test_prepare,
	.commit = privmem_test_commit,
	.abort = privmem_test_abort,
};

static int privmem_test_set(void *priv, const struct privmem_op *op)
{
	return 0;
}

static const struct privmem_arch_ops privmem_test_arch_ops = {
	.set_private = privmem_test_set,
	.set_shared = privmem_test_set,
};

KUNIT_DEFINE_ACTION_WRAPPER(privmem_test_space_destroy, privmem_space_destroy,
			    struct privmem_space *);
KUNIT_DEFINE_ACTION_WRAPPER(privmem_test_config_release, privmem_config_release,
			    struct privmem_space_config *);

/*
 * A bound space with @cfg, backed by @fb; destroyed, and @cfg released,
 * when @test ends.
 */
static struct privmem_space *privmem_test_space(struct kunit *test,
						struct privmem_space_config *cfg,
						struct privmem_test_backend *fb)
{
	struct privmem_space *space;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, privmem_test_config_release, cfg), 0);
	space = privmem_space_create(cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, space);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, privmem_test_space_destroy,
							space), 0);
	KUNIT_ASSERT_EQ(test, privmem_space_bind(space, TEST_BASE, TEST_PAGES,
						 &privmem_test_backend_ops, fb,
						 &privmem_test_arch_ops, NULL), 0);
	return space;
}

/* A bound space of @type with policy @id (0: default). */
static struct privmem_space *privmem_test_vm(struct kunit *test,
					     enum privmem_vm_type type, u32 id,
					     struct privmem_test_backend *fb)
{
	struct privmem_space_config *cfg;
	int ret;

	cfg = kunit_kzalloc(test, sizeof(*cfg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cfg);
	ret = privmem_config_init(cfg, type, id);
	if (ret == -ENOENT)
		kunit_skip(test, "policy %u is not available", id);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return privmem_test_space(test, cfg, fb);
}

static int privmem_test_convert(struct privmem_space *space, u64 gfn, u64 npages,
				enum privmem_attr attr)
{
	struct privmem_entry e = {
		.gfn = gfn, .npages = npages, .attr = attr, .gran = PRIVMEM_GRAN_4K,
	};
	unsigned int done;

	return privmem_convert(space, &e, 1, 0, &done, NULL);
}

static void privmem_test_launch(struct kunit *test, struct privmem_space *space)
{
	KUNIT_ASSERT_EQ(test, privmem_space_populate_done(space), 0);
	KUNIT_ASSERT_EQ(test, privmem_space_launch(space), 0);
}

/* cc: pre-boot data is kept; every run-time conversion scrubs. */
static void privmem_policy_cc_effects(struct kunit *test)
{
	struct privmem_test_backend fb = {};
	struct privmem_space *space;
	enum privmem_attr attr;

	space = privmem_test_vm(test, PRIVMEM_VM_SNP, PRIVMEM_POLICY_ID_CC, &fb);
	KUNIT_ASSERT_PTR_EQ(test, privmem_space_policy(space),
			    privmem_test_builtin(test, "cc"));

	/* Pre-boot population: encrypted in place. */
	KUNIT_ASSERT_EQ(test, privmem_test_convert(space, TEST_BASE, 16, PRIV), 0);
	KUNIT_EXPECT_EQ(test, fb.kept, 16);
	KUNIT_EXPECT_EQ(test, fb.scrubbed, 0);
	privmem_test_launch(test, space);

	/* Private -> shared at run time: scrubbed. */
	KUNIT_ASSERT_EQ(test, privmem_test_convert(space, TEST_BASE, 4, SHRD), 0);
	KUNIT_EXPECT_EQ(test, fb.scrubbed, 4);
	KUNIT_EXPECT_EQ(test, fb.last_mode, DSTR);
	KUNIT_ASSERT_EQ(test, privmem_lookup(space, TEST_BASE, &attr, NULL), 0);
	KUNIT_EXPECT_EQ(test, attr, SHRD);

	/* Shared -> private at run time: scrubbed too. */
	KUNIT_ASSERT_EQ(test, privmem_test_convert(space, TEST_BASE + 100, 8, PRIV), 0);
	KUNIT_EXPECT_EQ(test, fb.scrubbed, 12);
	KUNIT_EXPECT_EQ(test, fb.last_gfn, TEST_BASE + 100);
	KUNIT_EXPECT_EQ(test, fb.kept, 16);
}

/* cc-strict: explicit conversions behave as with cc. */
static void privmem_policy_cc_strict_effects(struct kunit *test)
{
	struct privmem_test_backend fb = {};
	struct privmem_space *space;

	space = privmem_test_vm(test, PRIVMEM_VM_TDX, PRIVMEM_POLICY_ID_CC_STRICT, &fb);
	KUNIT_ASSERT_EQ(test, privmem_test_convert(space, TEST_BASE, 4, PRIV), 0);
	KUNIT_EXPECT_EQ(test, fb.kept, 4);
	privmem_test_launch(test, space);
	KUNIT_ASSERT_EQ(test, privmem_test_convert(space, TEST_BASE + 1, 2, SHRD), 0);
	KUNIT_EXPECT_EQ(test, fb.scrubbed, 2);
	KUNIT_EXPECT_EQ(test, fb.kept, 4);
}

/* inplace: nothing is ever scrubbed, before or after launch. */
static void privmem_policy_inplace_effects(struct kunit *test)
{
	struct privmem_test_backend fb = {};
	struct privmem_space *space;
	enum privmem_attr attr;

	space = privmem_test_vm(test, PRIVMEM_VM_PKVM, PRIVMEM_POLICY_ID_DEFAULT, &fb);
	KUNIT_ASSERT_PTR_EQ(test, privmem_space_policy(space),
			    privmem_test_builtin(test, "inplace"));

	KUNIT_ASSERT_EQ(test, privmem_test_convert(space, TEST_BASE, 32, PRIV), 0);
	privmem_test_launch(test, space);
	KUNIT_ASSERT_EQ(test, privmem_test_convert(space, TEST_BASE + 8, 8, SHRD), 0);
	KUNIT_ASSERT_EQ(test, privmem_test_convert(space, TEST_BASE + 8, 4, PRIV), 0);
	KUNIT_ASSERT_EQ(test, privmem_test_convert(space, TEST_BASE + 200, 1, PRIV), 0);
	KUNIT_EXPECT_EQ(test, fb.scrubbed, 0);
	KUNIT_EXPECT_EQ(test, fb.kept, 32 + 8 + 4 + 1);
	KUNIT_EXPECT_EQ(test, fb.last_mode, KEEP);
	KUNIT_ASSERT_EQ(test, privmem_lookup(space, TEST_BASE + 12, &attr, NULL), 0);
	KUNIT_EXPECT_EQ(test, attr, SHRD);
}

static struct kunit_case privmem_policy_cases[] = {
	KUNIT_CASE_PARAM(privmem_policy_decision, privmem_decision_gen_params),
	KUNIT_CASE(privmem_policy_fields),
	KUNIT_CASE(privmem_policy_cc_effects),
	KUNIT_CASE(privmem_policy_cc_strict_effects),
	KUNIT_CASE(privmem_policy_inplace_effects),
	{}
};

static struct kunit_suite privmem_policy_suite = {
	.name = "privmem_policy",
	.test_cases = privmem_policy_cases,
};

/* privmem_policy_config */

struct privmem_test_params {
	bool implicit;
	char default_policy[PRIVMEM_POLICY_NAME_MAX];
};

static void privmem_test_params_restore(void *p)
{
	struct privmem_test_params *saved = p;

	privmem_param_set_implicit(saved->implicit);
	privmem_param_default_policy_set(saved->default_policy, NULL);
}

/* Restore the module parameters when @test ends. */
static void privmem_test_save_params(struct kunit *test)
{
	struct privmem_test_params *saved;

	saved = kunit_kzalloc(test, sizeof(*saved), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, saved);
	saved->implicit = privmem_param_implicit();
	privmem_param_default_policy(saved->default_policy, sizeof(saved->default_policy));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, privmem_test_params_restore,
							saved), 0);
}

static void privmem_config_vm_types(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, privmem_vm_type_default_policy(PRIVMEM_VM_SW_PROTECTED), "cc");
	KUNIT_EXPECT_STREQ(test, privmem_vm_type_default_policy(PRIVMEM_VM_SNP), "cc");
	KUNIT_EXPECT_STREQ(test, privmem_vm_type_default_policy(PRIVMEM_VM_TDX), "cc");
	KUNIT_EXPECT_STREQ(test, privmem_vm_type_default_policy(PRIVMEM_VM_PKVM), "inplace");
	KUNIT_EXPECT_NULL(test, privmem_vm_type_default_policy(PRIVMEM_VM_NR_TYPES));

	if (!IS_ENABLED(CONFIG_PRIVMEM_POLICY_CC) ||
	    !IS_ENABLED(CONFIG_PRIVMEM_POLICY_CC_STRICT) ||
	    !IS_ENABLED(CONFIG_PRIVMEM_POLICY_INPLACE))
		kunit_skip(test, "not every shipped policy is configured");
	KUNIT_EXPECT_EQ(test, privmem_vm_type_policies(PRIVMEM_VM_SW_PROTECTED), 0xeULL);
	KUNIT_EXPECT_EQ(test, privmem_vm_type_policies(PRIVMEM_VM_SNP), 0x6ULL);
	KUNIT_EXPECT_EQ(test, privmem_vm_type_policies(PRIVMEM_VM_TDX), 0x6ULL);
	KUNIT_EXPECT_EQ(test, privmem_vm_type_policies(PRIVMEM_VM_PKVM), 0x8ULL);
	KUNIT_EXPECT_EQ(test, privmem_vm_type_policies(PRIVMEM_VM_NR_TYPES), 0ULL);
}

static void privmem_config_errors(struct kunit *test)
{
	struct privmem_policy_ops *a = privmem_test_policy(test, "kunit-a", TEST_ID_A);
	struct privmem_space_config cfg;

	privmem_test_register(test, a);
	KUNIT_EXPECT_EQ(test, privmem_config_init(&cfg, PRIVMEM_VM_NR_TYPES, 0), -EINVAL);
	KUNIT_EXPECT_NULL(test, cfg.policy);
	KUNIT_EXPECT_EQ(test, privmem_config_init(&cfg, PRIVMEM_VM_SNP,
						  PRIVMEM_POLICY_ID_MAX + 1), -EINVAL);
	/* SNP converts destructively; pKVM in place only. */
	KUNIT_EXPECT_EQ(test, privmem_config_init(&cfg, PRIVMEM_VM_SNP,
						  PRIVMEM_POLICY_ID_INPLACE), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, privmem_config_init(&cfg, PRIVMEM_VM_PKVM,
						  PRIVMEM_POLICY_ID_CC), -EOPNOTSUPP);
	/* A registered policy no VM type lists cannot be chosen by id. */
	KUNIT_EXPECT_EQ(test, privmem_config_init(&cfg, PRIVMEM_VM_SW_PROTECTED,
						  TEST_ID_A), -EOPNOTSUPP);
	KUNIT_EXPECT_NULL(test, cfg.policy);
	/* None of these took a reference. */
	KUNIT_EXPECT_EQ(test, privmem_unregister_policy(a), 0);
}

static void privmem_config_defaults(struct kunit *test)
{
	static const struct {
		enum privmem_vm_type type;
		const char *param;
		const char *expect;
	} cases[] = {
		{ PRIVMEM_VM_SNP, "", "cc" },
		{ PRIVMEM_VM_PKVM, "", "inplace" },
		{ PRIVMEM_VM_SNP, "cc-strict", "cc-strict" },
		{ PRIVMEM_VM_TDX, "cc-strict", "cc-strict" },
		/* pKVM does not support cc-strict: its own default wins. */
		{ PRIVMEM_VM_PKVM, "cc-strict", "inplace" },
		{ PRIVMEM_VM_SW_PROTECTED, "inplace", "inplace" },
		/* SNP does not support inplace. */
		{ PRIVMEM_VM_SNP, "inplace", "cc" },
	};
	struct privmem_space_config cfg;
	size_t i;

	privmem_test_builtin(test, "cc");
	privmem_test_builtin(test, "cc-strict");
	privmem_test_builtin(test, "inplace");
	privmem_test_save_params(test);

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KUNIT_ASSERT_EQ(test, privmem_param_default_policy_set(cases[i].param, NULL), 0);
		KUNIT_ASSERT_EQ(test, privmem_config_init(&cfg, cases[i].type, 0), 0);
		KUNIT_EXPECT_STREQ_MSG(test, cfg.policy->name, cases[i].expect,
				       "VM type %d, default_policy \"%s\"",
				       cases[i].type, cases[i].param);
		privmem_config_release(&cfg);
		KUNIT_EXPECT_NULL(test, cfg.policy);
	}

	/* An explicit choice beats the parameter. */
	KUNIT_ASSERT_EQ(test, privmem_param_default_policy_set("cc-strict", NULL), 0);
	KUNIT_ASSERT_EQ(test, privmem_config_init(&cfg, PRIVMEM_VM_SNP, PRIVMEM_POLICY_ID_CC), 0);
	KUNIT_EXPECT_STREQ(test, cfg.policy->name, "cc");
	privmem_config_release(&cfg);
}

static void privmem_config_default_policy_param(struct kunit *test)
{
	struct privmem_policy_ops *a = privmem_test_policy(test, "kunit-a", TEST_ID_A);
	char cur[PRIVMEM_POLICY_NAME_MAX];

	privmem_test_save_params(test);
	KUNIT_ASSERT_EQ(test, privmem_param_default_policy_set("", NULL), 0);

	/* Unknown or malformed values are rejected and change nothing. */
	KUNIT_EXPECT_EQ(test, privmem_param_default_policy_set("bogus", NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, privmem_param_default_policy_set("cc strict", NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, privmem_param_default_policy_set("cc\nx", NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, privmem_param_default_policy_set("a-much-too-long-policy-name",
							       NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, privmem_param_default_policy_set("kunit-a", NULL), -EINVAL);
	privmem_param_default_policy(cur, sizeof(cur));
	KUNIT_EXPECT_STREQ(test, cur, "");

	/* Shipped policies; a trailing newline (echo) is ignored. */
	if (IS_ENABLED(CONFIG_PRIVMEM_POLICY_CC_STRICT)) {
		KUNIT_EXPECT_EQ(test, privmem_param_default_policy_set("cc-strict\n", NULL), 0);
		privmem_param_default_policy(cur, sizeof(cur));
		KUNIT_EXPECT_STREQ(test, cur, "cc-strict");
	}

	/* A registered out-of-tree policy is accepted while registered. */
	privmem_test_register(test, a);
	KUNIT_EXPECT_EQ(test, privmem_param_default_policy_set("kunit-a", NULL), 0);
	privmem_param_default_policy(cur, sizeof(cur));
	KUNIT_EXPECT_STREQ(test, cur, "kunit-a");

	KUNIT_EXPECT_EQ(test, privmem_param_default_policy_set("", NULL), 0);
	privmem_param_default_policy(cur, sizeof(cur));
	KUNIT_EXPECT_STREQ(test, cur, "");
}

/* Parameters changed after creation do not reach an existing space. */
static void privmem_config_snapshot(struct kunit *test)
{
	struct privmem_test_backend fb = {};
	struct privmem_space_config *cfg;
	struct privmem_space *space;

	privmem_test_builtin(test, "cc");
	privmem_test_builtin(test, "cc-strict");
	privmem_test_save_params(test);
	privmem_param_set_implicit(false);
	KUNIT_ASSERT_EQ(test, privmem_param_default_policy_set("cc", NULL), 0);

	cfg = kunit_kzalloc(test, sizeof(*cfg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cfg);
	KUNIT_ASSERT_EQ(test, privmem_config_init(cfg, PRIVMEM_VM_SW_PROTECTED, 0), 0);
	space = privmem_test_space(test, cfg, &fb);
	privmem_test_launch(test, space);

	privmem_param_set_implicit(true);
	KUNIT_ASSERT_EQ(test, privmem_param_default_policy_set("cc-strict", NULL), 0);

	KUNIT_EXPECT_FALSE(test, privmem_space_implicit(space));
	KUNIT_EXPECT_STREQ(test, privmem_space_policy(space)->name, "cc");
	KUNIT_EXPECT_FALSE(test, cfg->implicit);
	/* The fault path follows the space's copy: still off. */
	KUNIT_EXPECT_EQ(test, privmem_fault(space, TEST_BASE, PRIV), PRIVMEM_FAULT_EXIT);
	KUNIT_EXPECT_EQ(test, fb.commits, 0);
}

/* A VM's config and space keep their policy registered. */
static void privmem_config_in_use(struct kunit *test)
{
	struct privmem_policy_ops *a = privmem_test_policy(test, "kunit-a", TEST_ID_A);
	struct privmem_test_backend fb = {};
	struct privmem_space_config cfg = {};
	struct privmem_space *space;

	KUNIT_ASSERT_EQ(test, privmem_register_policy(a), 0);
	cfg.policy = privmem_policy_get_by_name("kunit-a");
	KUNIT_ASSERT_PTR_EQ(test, cfg.policy, (const struct privmem_policy_ops *)a);
	space = privmem_space_create(&cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, space);

	KUNIT_EXPECT_EQ(test, privmem_unregister_policy(a), -EBUSY);
	KUNIT_EXPECT_EQ(test, privmem_space_bind(space, TEST_BASE, TEST_PAGES,
						 &privmem_test_backend_ops, &fb,
						 &privmem_test_arch_ops, NULL), 0);
	KUNIT_EXPECT_EQ(test, privmem_test_convert(space, TEST_BASE, 1, PRIV), 0);
	KUNIT_EXPECT_EQ(test, fb.kept, 1);
	privmem_space_destroy(space);
	KUNIT_EXPECT_EQ(test, privmem_unregister_policy(a), -EBUSY);
	privmem_config_release(&cfg);
	KUNIT_EXPECT_EQ(test, privmem_unregister_policy(a), 0);
}

static struct kunit_case privmem_config_cases[] = {
	KUNIT_CASE(privmem_config_vm_types),
	KUNIT_CASE(privmem_config_errors),
	KUNIT_CASE(privmem_config_defaults),
	KUNIT_CASE(privmem_config_default_policy_param),
	KUNIT_CASE(privmem_config_snapshot),
	KUNIT_CASE(privmem_config_in_use),
	{}
};

static struct kunit_suite privmem_config_suite = {
	.name = "privmem_policy_config",
	.test_cases = privmem_config_cases,
};

/* privmem_fault */

/* A launched software-protected VM with policy @id and switch @implicit. */
static struct privmem_space *privmem_test_fault_vm(struct kunit *test, u32 id,
						   bool implicit,
						   struct privmem_test_backend *fb)
{
	struct privmem_space *space;

	privmem_test_save_params(test);
	privmem_param_set_implicit(implicit);
	space = privmem_test_vm(test, PRIVMEM_VM_SW_PROTECTED, id, fb);
	KUNIT_ASSERT_EQ(test, privmem_space_implicit(space), implicit);
	privmem_test_launch(test, space);
	return space;
}

static void privmem_fault_matching(struct kunit *test)
{
	struct privmem_test_backend fb = {};
	struct privmem_space *space;

	space = privmem_test_fault_vm(test, PRIVMEM_POLICY_ID_CC, true, &fb);
	KUNIT_EXPECT_EQ(test, privmem_fault(space, TEST_BASE, SHRD), PRIVMEM_FAULT_MAPPED);
	KUNIT_ASSERT_EQ(test, privmem_test_convert(space, TEST_BASE + 5, 1, PRIV), 0);
	KUNIT_EXPECT_EQ(test, privmem_fault(space, TEST_BASE + 5, PRIV), PRIVMEM_FAULT_MAPPED);
	KUNIT_EXPECT_EQ(test, fb.commits, 1);
}

static void privmem_fault_errors(struct kunit *test)
{
	struct privmem_test_backend fb = {};
	struct privmem_space *space;

	space = privmem_test_fault_vm(test, PRIVMEM_POLICY_ID_CC, true, &fb);
	KUNIT_EXPECT_EQ(test, privmem_fault(space, TEST_BASE - 1, PRIV), -ENOENT);
	KUNIT_EXPECT_EQ(test, privmem_fault(space, TEST_BASE + TEST_PAGES, PRIV), -ENOENT);
	KUNIT_EXPECT_EQ(test, privmem_fault(space, TEST_BASE, 7), -EINVAL);
	KUNIT_EXPECT_EQ(test, fb.commits, 0);
}

/* Switch off: every mismatch exits to the VMM, nothing converts. */
static void privmem_fault_switch_off(struct kunit *test)
{
	struct privmem_test_backend fb = {};
	struct privmem_space *space;
	enum privmem_attr attr;

	space = privmem_test_fault_vm(test, PRIVMEM_POLICY_ID_CC, false, &fb);
	KUNIT_EXPECT_EQ(test, privmem_fault(space, TEST_BASE, PRIV), PRIVMEM_FAULT_EXIT);
	KUNIT_ASSERT_EQ(test, privmem_lookup(space, TEST_BASE, &attr, NULL), 0);
	KUNIT_EXPECT_EQ(test, attr, SHRD);
	KUNIT_ASSERT_EQ(test, privmem_test_convert(space, TEST_BASE + 9, 1, PRIV), 0);
	KUNIT_EXPECT_EQ(test, privmem_fault(space, TEST_BASE + 9, SHRD), PRIVMEM_FAULT_EXIT);
	KUNIT_EXPECT_EQ(test, fb.commits, 1);
}

/* cc with the switch on: converts, destructively, both ways. */
static void privmem_fault_cc_converts(struct kunit *test)
{
	struct privmem_test_backend fb = {};
	struct privmem_space *space;
	enum privmem_attr attr;

	space = privmem_test_fault_vm(test, PRIVMEM_POLICY_ID_CC, true, &fb);
	KUNIT_EXPECT_EQ(test, privmem_fault(space, TEST_BASE + 3, PRIV), PRIVMEM_FAULT_CONVERTED);
	KUNIT_ASSERT_EQ(test, privmem_lookup(space, TEST_BASE + 3, &attr, NULL), 0);
	KUNIT_EXPECT_EQ(test, attr, PRIV);
	/* Only the faulting frame. */
	KUNIT_ASSERT_EQ(test, privmem_lookup(space, TEST_BASE + 4, &attr, NULL), 0);
	KUNIT_EXPECT_EQ(test, attr, SHRD);
	KUNIT_EXPECT_EQ(test, fb.scrubbed, 1);
	KUNIT_EXPECT_EQ(test, fb.last_gfn, TEST_BASE + 3);

	KUNIT_EXPECT_EQ(test, privmem_fault(space, TEST_BASE + 3, SHRD), PRIVMEM_FAULT_CONVERTED);
	KUNIT_ASSERT_EQ(test, privmem_lookup(space, TEST_BASE + 3, &attr, NULL), 0);
	KUNIT_EXPECT_EQ(test, attr, SHRD);
	KUNIT_EXPECT_EQ(test, fb.scrubbed, 2);
	KUNIT_EXPECT_EQ(test, fb.kept, 0);
}

/* Explicit-only policies exit even with the switch on. */
static void privmem_fault_explicit_only(struct kunit *test)
{
	static const u32 ids[] = { PRIVMEM_POLICY_ID_CC_STRICT, PRIVMEM_POLICY_ID_INPLACE };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct privmem_test_backend fb = {};
		struct privmem_space *space;
		enum privmem_attr attr;

		space = privmem_test_fault_vm(test, ids[i], true, &fb);
		KUNIT_EXPECT_EQ_MSG(test, privmem_fault(space, TEST_BASE, PRIV),
				    PRIVMEM_FAULT_EXIT, "policy %u", ids[i]);
		KUNIT_ASSERT_EQ(test, privmem_lookup(space, TEST_BASE, &attr, NULL), 0);
		KUNIT_EXPECT_EQ(test, attr, SHRD);
		KUNIT_EXPECT_EQ(test, fb.commits, 0);
		/* Explicit conversion still works. */
		KUNIT_EXPECT_EQ(test, privmem_test_convert(space, TEST_BASE, 1, PRIV), 0);
		KUNIT_EXPECT_EQ(test, fb.commits, 1);
	}
}

static struct kunit_case privmem_fault_cases[] = {
	KUNIT_CASE(privmem_fault_matching),
	KUNIT_CASE(privmem_fault_errors),
	KUNIT_CASE(privmem_fault_switch_off),
	KUNIT_CASE(privmem_fault_cc_converts),
	KUNIT_CASE(privmem_fault_explicit_only),
	{}
};

static struct kunit_suite privmem_fault_suite = {
	.name = "privmem_fault",
	.test_cases = privmem_fault_cases,
};

kunit_test_suites(&privmem_registry_suite, &privmem_policy_suite,
		  &privmem_config_suite, &privmem_fault_suite);

MODULE_DESCRIPTION("KUnit tests for privmem conversion policies");
MODULE_LICENSE("GPL");
