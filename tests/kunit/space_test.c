// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite privmem_space: the lifecycle of a space (every state x
 * every call, expected errno and next state) and the ops validators.
 */
#include <kunit/test.h>
#include "privmem_fake.h"

enum space_call {
	SC_BIND, SC_POPULATE, SC_LAUNCH, SC_CONVERT, SC_LOOKUP, SC_COMPACT,
	SC_KILL,
};

static const char * const space_call_names[] = {
	"bind", "populate_done", "launch", "convert", "lookup", "compact",
	"kill",
};

struct lifecycle_case {
	enum privmem_space_state from;
	enum space_call call;
	int ret;
	enum privmem_space_state to;
};

#define C(f, c, r, t) { PRIVMEM_SPACE_##f, SC_##c, r, PRIVMEM_SPACE_##t }

static const struct lifecycle_case lifecycle_cases[] = {
	C(CREATED, BIND, 0, BOUND),
	C(CREATED, POPULATE, -ENXIO, CREATED),
	C(CREATED, LAUNCH, -ENXIO, CREATED),
	C(CREATED, CONVERT, -ENXIO, CREATED),
	C(CREATED, LOOKUP, -ENXIO, CREATED),
	C(CREATED, COMPACT, -ENXIO, CREATED),
	C(CREATED, KILL, 0, DEAD),
	C(BOUND, BIND, -EBUSY, BOUND),
	C(BOUND, POPULATE, 0, POPULATED),
	C(BOUND, LAUNCH, -EINVAL, BOUND),
	C(BOUND, CONVERT, 0, BOUND),
	C(BOUND, LOOKUP, 0, BOUND),
	C(BOUND, COMPACT, 0, BOUND),
	C(BOUND, KILL, 0, DEAD),
	C(POPULATED, BIND, -EBUSY, POPULATED),
	C(POPULATED, POPULATE, -EBUSY, POPULATED),
	C(POPULATED, LAUNCH, 0, LAUNCHED),
	C(POPULATED, CONVERT, 0, POPULATED),
	C(POPULATED, LOOKUP, 0, POPULATED),
	C(POPULATED, COMPACT, 0, POPULATED),
	C(POPULATED, KILL, 0, DEAD),
	C(LAUNCHED, BIND, -EBUSY, LAUNCHED),
	C(LAUNCHED, POPULATE, -EBUSY, LAUNCHED),
	C(LAUNCHED, LAUNCH, -EBUSY, LAUNCHED),
	C(LAUNCHED, CONVERT, 0, LAUNCHED),
	C(LAUNCHED, LOOKUP, 0, LAUNCHED),
	C(LAUNCHED, COMPACT, 0, LAUNCHED),
	C(LAUNCHED, KILL, 0, DEAD),
	C(DEAD, BIND, -ENODEV, DEAD),
	C(DEAD, POPULATE, -ENODEV, DEAD),
	C(DEAD, LAUNCH, -ENODEV, DEAD),
	C(DEAD, CONVERT, -ENODEV, DEAD),
	C(DEAD, LOOKUP, -ENODEV, DEAD),
	C(DEAD, COMPACT, -ENODEV, DEAD),
	C(DEAD, KILL, 0, DEAD),
};

static void lifecycle_desc(const struct lifecycle_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s: %s",
		 privmem_space_state_name(c->from), space_call_names[c->call]);
}

KUNIT_ARRAY_PARAM(lifecycle, lifecycle_cases, lifecycle_desc);

static void free_fake(void *f)
{
	fake_free(f);
}

static void destroy_space(void *s)
{
	privmem_space_destroy(s);
}

static void privmem_space_lifecycle(struct kunit *test)
{
	const struct lifecycle_case *c = test->param_value;
	struct privmem_space_config cfg = {};
	struct privmem_entry e = { .gfn = 3, .npages = 1,
				   .attr = PRIVMEM_PRIVATE };
	struct privmem_space *s;
	enum privmem_attr a;
	struct fake *f;
	unsigned int done;
	int ret = 0;

	f = fake_new(0, 2 * PRIVMEM_PAGES_2M, true, true);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_fake, f), 0);
	privmem_space_destroy(fake_space(f));	/* fills in the ops */
	cfg.policy = &f->policy;
	s = privmem_space_create(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_space, s), 0);

	/* Walk to the starting state. */
	if (c->from == PRIVMEM_SPACE_DEAD)
		privmem_space_kill(s);
	if (c->from >= PRIVMEM_SPACE_BOUND && c->from != PRIVMEM_SPACE_DEAD)
		KUNIT_ASSERT_EQ(test, privmem_space_bind(s, 0, f->npages, &f->bops, f,
							 &f->aops, f), 0);
	if (c->from >= PRIVMEM_SPACE_POPULATED && c->from != PRIVMEM_SPACE_DEAD)
		KUNIT_ASSERT_EQ(test, privmem_space_populate_done(s), 0);
	if (c->from == PRIVMEM_SPACE_LAUNCHED)
		KUNIT_ASSERT_EQ(test, privmem_space_launch(s), 0);
	KUNIT_ASSERT_EQ(test, privmem_space_state(s), c->from);

	switch (c->call) {
	case SC_BIND:
		ret = privmem_space_bind(s, 0, f->npages, &f->bops, f, &f->aops, f);
		break;
	case SC_POPULATE:
		ret = privmem_space_populate_done(s);
		break;
	case SC_LAUNCH:
		ret = privmem_space_launch(s);
		break;
	case SC_CONVERT:
		ret = privmem_convert(s, &e, 1, 0, &done, NULL);
		if (!ret)
			KUNIT_EXPECT_EQ(test, f->hw[3], ST_P4K);
		break;
	case SC_LOOKUP:
		ret = privmem_lookup(s, 3, &a, NULL);
		break;
	case SC_COMPACT:
		ret = privmem_space_compact(s);
		break;
	case SC_KILL:
		privmem_space_kill(s);
		break;
	}
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	KUNIT_EXPECT_EQ(test, privmem_space_state(s), c->to);
	if (c->to != PRIVMEM_SPACE_DEAD)
		KUNIT_EXPECT_EQ(test, privmem_space_check(s), 0);
	KUNIT_EXPECT_STREQ(test, f->err, "");
}

/* The space copies the switch at creation; the config can change after. */
static void privmem_space_config_copied(struct kunit *test)
{
	struct fake *f = fake_new(0, PRIVMEM_PAGES_2M, true, true);
	struct privmem_space_config cfg = {};
	struct privmem_space *s;

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_fake, f), 0);
	privmem_space_destroy(fake_space(f));
	cfg.policy = &f->policy;
	cfg.implicit = true;
	s = privmem_space_create(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	cfg.implicit = false;
	KUNIT_EXPECT_TRUE(test, privmem_space_implicit(s));
	KUNIT_EXPECT_PTR_EQ(test, privmem_space_policy(s), &f->policy);
	privmem_space_destroy(s);

	KUNIT_EXPECT_TRUE(test, IS_ERR(privmem_space_create(NULL)));
	cfg.policy = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_space_create(&cfg)), -EINVAL);
	KUNIT_EXPECT_STREQ(test, privmem_space_state_name(PRIVMEM_SPACE_LAUNCHED),
			   "launched");
	KUNIT_EXPECT_STREQ(test, privmem_space_state_name(PRIVMEM_SPACE_NR_STATES),
			   "invalid");
}

/*
 * Teardown with private pages: the arch hands them back to the host
 * before the backend frees them (the fake backend flags a page it frees
 * while the fake hardware still holds it private).
 */
static void privmem_space_teardown_order(struct kunit *test)
{
	struct privmem_entry e[] = {
		{ .gfn = 0, .npages = PRIVMEM_PAGES_2M, .attr = PRIVMEM_PRIVATE,
		  .gran = PRIVMEM_GRAN_2M },
		{ .gfn = PRIVMEM_PAGES_2M + 5, .npages = 3,
		  .attr = PRIVMEM_PRIVATE },
	};
	struct privmem_space *s;
	unsigned int done;
	struct fake *f;

	f = fake_new(0, 2 * PRIVMEM_PAGES_2M, true, true);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_fake, f), 0);
	s = fake_space(f);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	KUNIT_ASSERT_EQ(test, privmem_convert(s, e, ARRAY_SIZE(e), 0, &done, NULL), 0);
	KUNIT_ASSERT_EQ(test, f->hw[0], ST_P2M);
	KUNIT_ASSERT_EQ(test, f->hw[PRIVMEM_PAGES_2M + 6], ST_P4K);

	/*
	 * kill gives the pages back to the host (arch) but keeps the
	 * backend, whose cookie lock-free users may still hold, until
	 * destroy.
	 */
	fake_reset_calls(f);
	privmem_space_kill(s);
	KUNIT_EXPECT_EQ(test, f->nlog, 1);
	KUNIT_EXPECT_EQ(test, f->log[0].call, FC_AUNBIND);
	KUNIT_EXPECT_EQ(test, f->calls[FC_BUNBIND], 0);
	privmem_space_kill(s);
	KUNIT_EXPECT_EQ(test, f->nlog, 1);

	/* Killed already: destroy unbinds the backend, the arch not twice. */
	privmem_space_destroy(s);
	KUNIT_EXPECT_EQ(test, f->calls[FC_AUNBIND], 1);
	KUNIT_EXPECT_EQ(test, f->calls[FC_BUNBIND], 1);
	KUNIT_EXPECT_STREQ(test, f->err, "");

	/* destroy of a live space takes the same order. */
	s = fake_space(f);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	KUNIT_ASSERT_EQ(test, privmem_convert(s, e, ARRAY_SIZE(e), 0, &done, NULL), 0);
	fake_reset_calls(f);
	privmem_space_destroy(s);
	KUNIT_EXPECT_EQ(test, f->nlog, 2);
	KUNIT_EXPECT_EQ(test, f->log[0].call, FC_AUNBIND);
	KUNIT_EXPECT_EQ(test, f->log[1].call, FC_BUNBIND);
	KUNIT_EXPECT_STREQ(test, f->err, "");
}

static int mf_calls;
static u64 mf_gfn, mf_npages;

static void record_memory_failure(void *priv, u64 gfn, u64 npages)
{
	mf_calls++;
	mf_gfn = gfn;
	mf_npages = npages;
}

/* A backend's memory-failure report reaches the arch op, and only it. */
static void privmem_space_memory_failure_report(struct kunit *test)
{
	struct privmem_space *s;
	struct fake *f;

	f = fake_new(0, 2 * PRIVMEM_PAGES_2M, true, true);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_fake, f), 0);
	f->aops.memory_failure = record_memory_failure;
	s = fake_space(f);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));

	mf_calls = 0;
	fake_reset_calls(f);
	privmem_space_memory_failure(s, 7, 3);
	KUNIT_EXPECT_EQ(test, mf_calls, 1);
	KUNIT_EXPECT_EQ(test, mf_gfn, 7);
	KUNIT_EXPECT_EQ(test, mf_npages, 3);
	/* Nothing else is called and no attribute changes. */
	KUNIT_EXPECT_EQ(test, f->nlog, 0);
	KUNIT_EXPECT_EQ(test, f->hw[7], ST_S);

	/* The op is optional. */
	f->aops.memory_failure = NULL;
	privmem_space_memory_failure(s, 7, 3);
	KUNIT_EXPECT_EQ(test, mf_calls, 1);
	privmem_space_destroy(s);
}

static int v_allow(const struct privmem_conv_info *ci)
{
	return 0;
}

static enum privmem_mode v_mode(const struct privmem_conv_info *ci)
{
	return PRIVMEM_MODE_INPLACE;
}

static int v_op(void *priv, const struct privmem_op *op)
{
	return 0;
}

static void v_end(void *priv, const struct privmem_op *op)
{
}

static void v_fin(void *priv, const struct privmem_op *op, int ret)
{
}

static int v_block(void *priv, u64 gfn)
{
	return 0;
}

static int v_pfn(void *priv, u64 gfn, u64 *pfn, enum privmem_gran *gran)
{
	return 0;
}

static void v_put(void *priv, u64 pfn)
{
}

static void privmem_space_validators(struct kunit *test)
{
	struct privmem_policy_ops p = { .name = "v", .allow = v_allow,
					.mode = v_mode };
	struct privmem_backend_ops b = { .prepare = v_op, .commit = v_end,
					 .abort = v_end };
	struct privmem_arch_ops a = { .set_private = v_op, .set_shared = v_op };

	KUNIT_EXPECT_EQ(test, privmem_policy_validate(&p), 0);
	KUNIT_EXPECT_EQ(test, privmem_policy_validate(NULL), -EINVAL);
	p.allow = NULL;
	KUNIT_EXPECT_EQ(test, privmem_policy_validate(&p), -EINVAL);
	p.allow = v_allow;
	p.mode = NULL;
	KUNIT_EXPECT_EQ(test, privmem_policy_validate(&p), -EINVAL);
	p.mode = v_mode;
	p.name[0] = 0;
	KUNIT_EXPECT_EQ(test, privmem_policy_validate(&p), -EINVAL);
	memset(p.name, 'x', sizeof(p.name));
	KUNIT_EXPECT_EQ(test, privmem_policy_validate(&p), -EINVAL);
	strscpy(p.name, "v");
	p.partial_2m = 7;
	KUNIT_EXPECT_EQ(test, privmem_policy_validate(&p), -EINVAL);
	p.partial_2m = PRIVMEM_PARTIAL_2M_REFUSE;
	p.merge = 9;
	KUNIT_EXPECT_EQ(test, privmem_policy_validate(&p), -EINVAL);
	p.merge = PRIVMEM_MERGE_NEVER;
	KUNIT_EXPECT_EQ(test, privmem_policy_validate(&p), 0);

	KUNIT_EXPECT_EQ(test, privmem_backend_validate(&b), 0);
	KUNIT_EXPECT_EQ(test, privmem_backend_validate(NULL), -EINVAL);
	b.get_pfn = v_pfn;
	KUNIT_EXPECT_EQ(test, privmem_backend_validate(&b), -EINVAL);
	b.put_pfn = v_put;
	KUNIT_EXPECT_EQ(test, privmem_backend_validate(&b), 0);
	b.abort = NULL;
	KUNIT_EXPECT_EQ(test, privmem_backend_validate(&b), -EINVAL);

	KUNIT_EXPECT_EQ(test, privmem_arch_validate(&a), 0);
	KUNIT_EXPECT_EQ(test, privmem_arch_validate(NULL), -EINVAL);
	a.merge_2m = v_block;
	KUNIT_EXPECT_EQ(test, privmem_arch_validate(&a), -EINVAL);
	a.split_2m = v_block;
	KUNIT_EXPECT_EQ(test, privmem_arch_validate(&a), 0);
	a.prepare = v_op;
	KUNIT_EXPECT_EQ(test, privmem_arch_validate(&a), -EINVAL);
	a.finish = v_fin;
	KUNIT_EXPECT_EQ(test, privmem_arch_validate(&a), 0);
	a.flags = PRIVMEM_ARCH_PAGELESS;
	KUNIT_EXPECT_EQ(test, privmem_arch_validate(&a), 0);
	a.flags = PRIVMEM_ARCH_PAGELESS << 1;
	KUNIT_EXPECT_EQ(test, privmem_arch_validate(&a), -EINVAL);
	a.flags = 0;
	a.set_shared = NULL;
	KUNIT_EXPECT_EQ(test, privmem_arch_validate(&a), -EINVAL);
}

/* The backend of privmem_space_get_pfn(): frame gfn is pfn gfn + 100. */
static int gp_refs;

static int gp_get(void *priv, u64 gfn, u64 *pfn, enum privmem_gran *gran)
{
	if (gfn == 0x13)
		return -ENOENT;	/* a hole */
	*pfn = gfn + 100;
	*gran = PRIVMEM_GRAN_4K;
	gp_refs += (long)priv;
	return 0;
}

static void gp_put(void *priv, u64 pfn)
{
	gp_refs -= (long)priv;
}

/*
 * privmem_space_get_pfn() goes to the backend the space was bound with,
 * with its cookie, only for a frame of the span of a live space;
 * privmem_space_span() tells the span once it is bound.
 */
static void privmem_space_get_pfn_test(struct kunit *test)
{
	/* Static: the spaces outlive this function until the kunit actions. */
	static const struct privmem_policy_ops p = {
		.name = "v", .allow = v_allow, .mode = v_mode,
	};
	static const struct privmem_backend_ops b = {
		.prepare = v_op, .commit = v_end, .abort = v_end,
		.get_pfn = gp_get, .put_pfn = gp_put,
	};
	static const struct privmem_backend_ops nob = {
		.prepare = v_op, .commit = v_end, .abort = v_end,
	};
	static const struct privmem_arch_ops a = {
		.set_private = v_op, .set_shared = v_op,
	};
	struct privmem_space_config cfg = { .policy = &p };
	enum privmem_gran gran;
	struct privmem_space *s;
	u64 pfn = 0, gfn = 1, n = 1;

	gp_refs = 0;
	s = privmem_space_create(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_space, s), 0);
	KUNIT_EXPECT_EQ(test, privmem_space_get_pfn(s, 0x10, &pfn, &gran), -ENXIO);
	KUNIT_EXPECT_FALSE(test, privmem_space_span(s, &gfn, &n));
	KUNIT_EXPECT_EQ(test, gfn, 1);
	KUNIT_ASSERT_EQ(test, privmem_space_bind(s, 0x10, 8, &b, (void *)2L, &a,
						 NULL), 0);
	KUNIT_EXPECT_TRUE(test, privmem_space_span(s, &gfn, &n));
	KUNIT_EXPECT_EQ(test, gfn, 0x10);
	KUNIT_EXPECT_EQ(test, n, 8);
	KUNIT_EXPECT_EQ(test, privmem_space_get_pfn(s, 0x0f, &pfn, &gran), -EINVAL);
	KUNIT_EXPECT_EQ(test, privmem_space_get_pfn(s, 0x18, &pfn, &gran), -EINVAL);
	KUNIT_EXPECT_EQ(test, privmem_space_get_pfn(s, 0x13, &pfn, &gran), -ENOENT);
	KUNIT_EXPECT_EQ(test, gp_refs, 0);
	KUNIT_ASSERT_EQ(test, privmem_space_get_pfn(s, 0x17, &pfn, &gran), 0);
	KUNIT_EXPECT_EQ(test, pfn, 0x17 + 100);
	KUNIT_EXPECT_EQ(test, gp_refs, 2);
	privmem_space_put_pfn(s, pfn);
	KUNIT_EXPECT_EQ(test, gp_refs, 0);
	privmem_space_kill(s);
	KUNIT_EXPECT_EQ(test, privmem_space_get_pfn(s, 0x17, &pfn, &gran), -ENODEV);
	/* A dead space keeps its span, for the fault path to refuse it. */
	KUNIT_EXPECT_TRUE(test, privmem_space_span(s, &gfn, &n));
	KUNIT_EXPECT_EQ(test, n, 8);
	KUNIT_EXPECT_EQ(test, gp_refs, 0);

	s = privmem_space_create(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_space, s), 0);
	KUNIT_ASSERT_EQ(test, privmem_space_bind(s, 0x10, 8, &nob, NULL, &a, NULL),
			0);
	KUNIT_EXPECT_EQ(test, privmem_space_get_pfn(s, 0x10, &pfn, &gran),
			-EOPNOTSUPP);
}

static struct kunit_case privmem_space_cases[] = {
	KUNIT_CASE_PARAM(privmem_space_lifecycle, lifecycle_gen_params),
	KUNIT_CASE(privmem_space_config_copied),
	KUNIT_CASE(privmem_space_teardown_order),
	KUNIT_CASE(privmem_space_memory_failure_report),
	KUNIT_CASE(privmem_space_validators),
	KUNIT_CASE(privmem_space_get_pfn_test),
	{}
};

static struct kunit_suite privmem_space_suite = {
	.name = "privmem_space",
	.test_cases = privmem_space_cases,
};

kunit_test_suite(privmem_space_suite);
