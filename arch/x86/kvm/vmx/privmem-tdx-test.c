// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite privmem_tdx: the TD's MapGPA handler and the TDX adapter
 * driving a real privmem space, against a model of the Secure-EPT that
 * enforces the TDX module's rules.  KVM's mirror MMU, which issues the
 * Secure-EPT SEAMCALLs (see "DOC: TDX adapter"), is played by the test:
 * the adapter's zap BLOCKs, TRACKs, kicks and REMOVEs what the model has
 * mapped, and a guest's accept AUGs the page privmem gives for a private
 * gfn.  The backend is a fake that maps gfn T_GFN + i to pfn T_PFN + i;
 * no page is touched.
 *
 * The model keeps, per gfn, whether the Secure-EPT entry is free, mapped
 * or blocked, and per pfn whether the TD (its HKID) owns the page.  What
 * the TDX module refuses, or what would hand a TD page to the host, is a
 * rule violation that fails the test:
 *
 *  - AUG only on a free entry, after launch, of a page the TD does not
 *    own; PAGE.ADD only before launch, on a free entry;
 *  - BLOCK only of a mapped entry;
 *  - REMOVE only of a blocked entry, after a TRACK that followed the
 *    BLOCK and a kick of the vCPUs after that TRACK;
 *  - the host gets a page back (the backend commits a conversion to
 *    shared, or frees the span) only if the TD does not own it, unless
 *    the adapter kept it from the host for ever (leaked).
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/pfn.h>
#include <linux/privmem.h>
#include <linux/privmem_adapter.h>
#include <linux/privmem_kunit.h>
#include <asm/shared/tdx.h>

#include "privmem-tdx.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

#define T_GFN		0x40000ULL
#define T_PFN		0x90000ULL
#define T_CHUNK		(PRIVMEM_TDX_MAP_CHUNK >> PAGE_SHIFT)
#define T_NPAGES	(4 * T_CHUNK)
#define T_SHARED	BIT_ULL(47)		/* the TD's shared GPA bit */
#define T_RSVD		(~0ULL << 48)		/* above MAXPHYADDR 48 */
#define T_GPA(off)	PFN_PHYS(T_GFN + (off))

enum sept_state { S_FREE, S_MAPPED, S_BLOCKED };

struct tdx_test {
	struct privmem_kunit_fake f;	/* policy, backend and space */
	struct privmem_tdx *tdx;
	/* Secure-EPT model */
	u8 sept[T_NPAGES];		/* enum sept_state, per gfn */
	u64 blocked_at[T_NPAGES];	/* @epoch when BLOCKed */
	bool owned[T_NPAGES];		/* per pfn: the TD owns the page */
	bool leaked[T_NPAGES];		/* per pfn: kept from the host */
	u64 epoch;			/* TRACKs so far */
	bool kicked;			/* vCPUs kicked since the last TRACK */
	bool launched;
	bool bugged;			/* KVM_BUG_ON() seen */
	unsigned int fail_remove;	/* the n'th REMOVE fails; 0: none */
	unsigned int removes;
	unsigned int zaps;
	/* MapGPA */
	unsigned int converts;		/* privmem_convert() calls */
	unsigned int events_at;		/* an event is pending from this call */
};

static struct tdx_test *cur(void)
{
	return kunit_get_current_test()->priv;
}

/* The TDX module (or the host) would refuse or leak: a rule is broken. */
static bool sept_rule(bool ok, const char *what, u64 gfn)
{
	return privmem_kunit_rule(&cur()->f, ok, "S-EPT model", what, gfn);
}

static bool sept_aug(struct tdx_test *t, u64 gfn, u64 pfn)
{
	u64 i = gfn - T_GFN, p = pfn - T_PFN;

	if (!sept_rule(t->launched, "AUG before launch", gfn) ||
	    !sept_rule(t->sept[i] == S_FREE, "AUG of an entry not free", gfn) ||
	    !sept_rule(!t->owned[p], "AUG of a page the TD owns", gfn))
		return false;
	t->sept[i] = S_MAPPED;
	t->owned[p] = true;
	return true;
}

static bool sept_add(struct tdx_test *t, u64 gfn, u64 pfn)
{
	u64 i = gfn - T_GFN;

	if (!sept_rule(!t->launched, "PAGE.ADD after launch", gfn) ||
	    !sept_rule(t->sept[i] == S_FREE, "PAGE.ADD of an entry not free",
		       gfn))
		return false;
	t->sept[i] = S_MAPPED;
	t->owned[pfn - T_PFN] = true;
	return true;
}

static bool sept_block(struct tdx_test *t, u64 gfn)
{
	u64 i = gfn - T_GFN;

	if (!sept_rule(t->sept[i] == S_MAPPED, "BLOCK of an entry not mapped",
		       gfn))
		return false;
	t->sept[i] = S_BLOCKED;
	t->blocked_at[i] = t->epoch;
	return true;
}

static void sept_track(struct tdx_test *t)
{
	t->epoch++;
	t->kicked = false;
}

static void sept_kick(struct tdx_test *t)
{
	t->kicked = true;
}

/* REMOVE, then the write-back and reset of the page: the host's again. */
static bool sept_remove(struct tdx_test *t, u64 gfn, u64 pfn)
{
	u64 i = gfn - T_GFN;

	if (!sept_rule(t->sept[i] == S_BLOCKED, "REMOVE of an entry not blocked",
		       gfn) ||
	    !sept_rule(t->epoch > t->blocked_at[i] && t->kicked,
		       "REMOVE before TRACK and the vCPUs' exit", gfn))
		return false;
	if (++t->removes == t->fail_remove) {
		t->bugged = true;	/* TDX_BUG_ON(): the page stays */
		return false;
	}
	t->sept[i] = S_FREE;
	t->owned[pfn - T_PFN] = false;
	return true;
}

/* The host gets [@gfn, @gfn + @n)'s pages back. */
static void host_takes(struct tdx_test *t, u64 gfn, u64 n)
{
	u64 i;

	for (i = gfn - T_GFN; i < gfn - T_GFN + n; i++)
		sept_rule(!t->owned[i] || t->leaked[i],
			  "the host got back a page the TD owns", T_GFN + i);
}

/* KVM, as the adapter sees it: the mirror MMU's zap of a range. */

static void t_zap(void *kvm, u64 gfn, u64 npages)
{
	struct tdx_test *t = kvm;
	bool any = false;
	u64 g;

	KUNIT_EXPECT_GE(kunit_get_current_test(), gfn, T_GFN);
	KUNIT_EXPECT_LE(kunit_get_current_test(), gfn + npages,
			T_GFN + T_NPAGES);
	t->zaps++;
	for (g = gfn; g < gfn + npages; g++) {
		if (t->sept[g - T_GFN] == S_MAPPED)
			any |= sept_block(t, g);
	}
	if (!any)
		return;
	sept_track(t);
	sept_kick(t);
	for (g = gfn; g < gfn + npages; g++) {
		if (t->sept[g - T_GFN] == S_BLOCKED)
			sept_remove(t, g, T_PFN + g - T_GFN);
	}
}

static bool t_bugged(void *kvm)
{
	return ((struct tdx_test *)kvm)->bugged;
}

static const struct privmem_tdx_kvm_ops t_kops = {
	.zap	= t_zap,
	.bugged	= t_bugged,
};

static void stub_leak(u64 pfn, u64 npages)
{
	u64 i;

	for (i = 0; i < npages; i++)
		cur()->leaked[pfn - T_PFN + i] = true;
}

/* Fake policy and backend */

/* The backend's commit and unbind: the host takes the pages back. */
static void t_bcommit(void *priv, const struct privmem_op *op)
{
	if (op->to == PRIVMEM_SHARED)
		host_takes(priv, op->gfn, op->npages);
}

static void t_bunbind(void *priv)
{
	host_takes(priv, T_GFN, T_NPAGES);
}

/* MapGPA's view of KVM */

static int t_convert(void *arg, const struct privmem_entry *entries,
		     unsigned int nr, unsigned int *done,
		     unsigned int *err_index)
{
	struct tdx_test *t = arg;

	t->converts++;
	return privmem_convert(t->f.space, entries, nr, 0, done, err_index);
}

static bool t_has_events(void *arg)
{
	struct tdx_test *t = arg;

	return t->events_at && t->converts >= t->events_at;
}

static const struct privmem_tdx_map_ops t_mops = {
	.convert	= t_convert,
	.has_events	= t_has_events,
};

static int tdx_setup(struct tdx_test *t)
{
	int r;

	t->tdx = privmem_tdx_create(&t->f.backend, &t->f, T_GFN, T_NPAGES,
				    &t_kops, t);
	if (IS_ERR(t->tdx)) {
		r = PTR_ERR(t->tdx);
		t->tdx = NULL;
		return r;
	}
	return privmem_kunit_fake_bind(kunit_get_current_test(), &t->f,
				       &privmem_tdx_arch_ops, t->tdx);
}

static void tdx_teardown(struct tdx_test *t)
{
	privmem_kunit_fake_destroy(&t->f);
	privmem_tdx_destroy(t->tdx);
	t->tdx = NULL;
}

static void tdx_test_destroy(void *data)
{
	tdx_teardown(data);
}

/* After every case: no TD page reached the host, no reference is left. */
static void tdx_test_exit(struct kunit *test)
{
	struct tdx_test *t = test->priv;
	unsigned int i, owned = 0;

	tdx_teardown(t);
	for (i = 0; i < T_NPAGES; i++)
		owned += t->owned[i] && !t->leaked[i];
	KUNIT_EXPECT_EQ_MSG(test, owned, 0,
			    "S-EPT model: pages owned by the TD were freed");
	KUNIT_EXPECT_EQ(test, t->f.violations, t->f.expect_violations);
	KUNIT_EXPECT_EQ(test, t->f.refs, 0);
}

static int tdx_test_init(struct kunit *test)
{
	struct tdx_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	test->priv = t;
	privmem_kunit_fake_init(&t->f, T_GFN, T_PFN, T_NPAGES, true);
	t->f.on_commit = t_bcommit;
	t->f.on_unbind = t_bunbind;
	t->f.arg = t;
	kunit_activate_static_stub(test, privmem_adapter_leak, stub_leak);
	if (kunit_add_action_or_reset(test, tdx_test_destroy, t))
		return -ENOMEM;
	return tdx_setup(t);
}

static void launch(struct kunit *test)
{
	struct tdx_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, privmem_space_populate_done(t->f.space), 0);
	KUNIT_ASSERT_EQ(test, privmem_space_launch(t->f.space), 0);
	t->launched = true;
}

static enum privmem_attr attr_of(struct tdx_test *t, u64 off)
{
	return privmem_kunit_attr(&t->f, off);
}

/*
 * The guest accepts a page: KVM's fault path maps it only if privmem has
 * it private, with the page privmem's backend gives, and the mirror MMU
 * AUGs it.  Return: 0, or -EFAULT for the memory fault exit.
 */
static int accept(struct tdx_test *t, u64 off)
{
	u64 pfn;
	enum privmem_gran gran;
	bool ok;

	if (attr_of(t, off) != PRIVMEM_PRIVATE)
		return -EFAULT;
	if (privmem_space_get_pfn(t->f.space, T_GFN + off, &pfn, &gran))
		return -EFAULT;
	ok = sept_aug(t, T_GFN + off, pfn);
	privmem_space_put_pfn(t->f.space, pfn);
	return ok ? 0 : -EIO;
}

static u64 map_gpa(struct tdx_test *t, u64 gpa, u64 size,
		   struct privmem_tdx_map_req *req)
{
	*req = (struct privmem_tdx_map_req){
		.gpa = gpa, .size = size, .shared = T_SHARED, .rsvd = T_RSVD,
	};
	t->converts = 0;
	return privmem_tdx_map_gpa(req, &t_mops, t);
}

static unsigned int count_attr(struct tdx_test *t, u64 off, u64 n,
			       enum privmem_attr attr)
{
	unsigned int c = 0;
	u64 i;

	for (i = off; i < off + n; i++)
		c += attr_of(t, i) == attr;
	return c;
}

/* Each rule of the model catches a sequence the TDX module refuses. */
static void tdx_model_rules(struct kunit *test)
{
	struct tdx_test *t = test->priv;

	t->f.expect_violations = 7;
	KUNIT_EXPECT_FALSE(test, sept_aug(t, T_GFN, T_PFN));	/* not launched */
	KUNIT_EXPECT_TRUE(test, sept_add(t, T_GFN, T_PFN));
	t->launched = true;
	KUNIT_EXPECT_FALSE(test, sept_add(t, T_GFN + 1, T_PFN + 1));
	KUNIT_EXPECT_FALSE(test, sept_aug(t, T_GFN, T_PFN));	/* mapped */
	KUNIT_EXPECT_FALSE(test, sept_block(t, T_GFN + 1));	/* free */
	KUNIT_EXPECT_FALSE(test, sept_remove(t, T_GFN, T_PFN));	/* not blocked */
	KUNIT_EXPECT_TRUE(test, sept_block(t, T_GFN));
	KUNIT_EXPECT_FALSE(test, sept_remove(t, T_GFN, T_PFN));	/* no TRACK */
	sept_track(t);
	host_takes(t, T_GFN, 1);				/* still owned */
	KUNIT_EXPECT_EQ(test, t->f.violations, 7);
	sept_kick(t);
	KUNIT_EXPECT_TRUE(test, sept_remove(t, T_GFN, T_PFN));
	KUNIT_EXPECT_FALSE(test, t->owned[0]);
}

/*
 * MapGPA to private converts in chunks and maps nothing: the guest's
 * accept AUGs each page.  MapGPA to shared takes the accepted pages out
 * of the TD before the host gets them; an accept is then refused.
 */
static void tdx_map_gpa_private_then_shared(struct kunit *test)
{
	struct tdx_test *t = test->priv;
	struct privmem_tdx_map_req req;
	u64 i;

	launch(test);
	KUNIT_EXPECT_EQ(test, map_gpa(t, T_GPA(0), 3 * PRIVMEM_TDX_MAP_CHUNK,
				      &req), TDVMCALL_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, req.err, 0);
	KUNIT_EXPECT_EQ(test, t->converts, 3);
	KUNIT_EXPECT_EQ(test, count_attr(t, 0, T_NPAGES, PRIVMEM_PRIVATE),
			3 * T_CHUNK);
	for (i = 0; i < T_NPAGES; i++)
		KUNIT_EXPECT_EQ(test, t->sept[i], S_FREE);

	for (i = 0; i < 3 * T_CHUNK; i += 100)
		KUNIT_EXPECT_EQ(test, accept(t, i), 0);
	KUNIT_EXPECT_EQ(test, accept(t, 3 * T_CHUNK), -EFAULT);

	KUNIT_EXPECT_EQ(test, map_gpa(t, T_GPA(0) | T_SHARED,
				      2 * PRIVMEM_TDX_MAP_CHUNK, &req),
			TDVMCALL_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, t->converts, 2);
	for (i = 0; i < 3 * T_CHUNK; i += 100)
		KUNIT_EXPECT_EQ_MSG(test, t->sept[i],
				    i < 2 * T_CHUNK ? S_FREE : S_MAPPED,
				    "gfn offset %llu", i);
	KUNIT_EXPECT_EQ(test, count_attr(t, 0, 2 * T_CHUNK, PRIVMEM_SHARED),
			2 * T_CHUNK);
	KUNIT_EXPECT_EQ(test, accept(t, 100), -EFAULT);
	KUNIT_EXPECT_EQ(test, accept(t, 2 * T_CHUNK + 1), 0);
	KUNIT_EXPECT_EQ(test, t->f.refs, 0);
}

/* A guest that asks for nonsense gets the upstream status and no change. */
static void tdx_map_gpa_nonsense(struct kunit *test)
{
	static const struct {
		u64 gpa, size, rsvd, status;
		bool converts;	/* privmem refuses it, not the checks */
	} bad[] = {
		{ T_GPA(0), 0, T_RSVD, TDVMCALL_STATUS_INVALID_OPERAND },
		{ T_GPA(0), -T_GPA(0), T_RSVD, TDVMCALL_STATUS_INVALID_OPERAND },
		{ T_GPA(1), -T_GPA(0), 0, TDVMCALL_STATUS_INVALID_OPERAND },
		{ BIT_ULL(48), SZ_4K, T_RSVD, TDVMCALL_STATUS_INVALID_OPERAND },
		{ BIT_ULL(48) - SZ_4K, SZ_8K, T_RSVD,
		  TDVMCALL_STATUS_INVALID_OPERAND },
		{ T_SHARED - SZ_4K, SZ_8K, T_RSVD,
		  TDVMCALL_STATUS_INVALID_OPERAND },
		{ T_GPA(0) + 8, SZ_4K, T_RSVD, TDVMCALL_STATUS_ALIGN_ERROR },
		{ T_GPA(0), SZ_4K + 8, T_RSVD, TDVMCALL_STATUS_ALIGN_ERROR },
		{ T_GPA(T_NPAGES), SZ_4K, T_RSVD,
		  TDVMCALL_STATUS_INVALID_OPERAND, true },
		{ T_GPA(T_NPAGES - 1), SZ_8K, T_RSVD,
		  TDVMCALL_STATUS_INVALID_OPERAND, true },
	};
	struct tdx_test *t = test->priv;
	struct privmem_tdx_map_req req;
	unsigned int i;

	launch(test);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		req = (struct privmem_tdx_map_req){
			.gpa = bad[i].gpa, .size = bad[i].size,
			.shared = T_SHARED, .rsvd = bad[i].rsvd,
		};
		t->converts = 0;
		KUNIT_EXPECT_EQ_MSG(test, privmem_tdx_map_gpa(&req, &t_mops, t),
				    bad[i].status, "request %u", i);
		KUNIT_EXPECT_EQ_MSG(test, req.next, bad[i].gpa, "request %u", i);
		KUNIT_EXPECT_EQ_MSG(test, req.err, -EINVAL, "request %u", i);
		KUNIT_EXPECT_EQ_MSG(test, t->converts, bad[i].converts,
				    "request %u", i);
		KUNIT_EXPECT_FALSE(test, privmem_tdx_map_fatal(req.err));
	}
	KUNIT_EXPECT_EQ(test, count_attr(t, 0, T_NPAGES, PRIVMEM_SHARED),
			T_NPAGES);
	KUNIT_EXPECT_EQ(test, t->zaps, 0);
}

/*
 * An event pending after a chunk stops the request with RETRY at the next
 * chunk; the guest issues the rest again from R11.
 */
static void tdx_map_gpa_retry(struct kunit *test)
{
	struct tdx_test *t = test->priv;
	struct privmem_tdx_map_req req;
	u64 next;

	launch(test);
	t->events_at = 2;
	KUNIT_EXPECT_EQ(test, map_gpa(t, T_GPA(0), 4 * PRIVMEM_TDX_MAP_CHUNK,
				      &req), TDVMCALL_STATUS_RETRY);
	KUNIT_EXPECT_EQ(test, req.err, 0);
	KUNIT_EXPECT_EQ(test, req.next, T_GPA(2 * T_CHUNK));
	KUNIT_EXPECT_EQ(test, count_attr(t, 0, 2 * T_CHUNK, PRIVMEM_PRIVATE),
			2 * T_CHUNK);
	KUNIT_EXPECT_EQ(test, count_attr(t, 2 * T_CHUNK, 2 * T_CHUNK,
					 PRIVMEM_SHARED), 2 * T_CHUNK);

	t->events_at = 0;
	next = req.next;
	KUNIT_EXPECT_EQ(test, map_gpa(t, next, T_GPA(T_NPAGES) - next, &req),
			TDVMCALL_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, req.next, T_GPA(T_NPAGES));
	KUNIT_EXPECT_EQ(test, count_attr(t, 0, T_NPAGES, PRIVMEM_PRIVATE),
			T_NPAGES);
}

/*
 * A chunk the policy refuses stops the request there: the chunks before
 * it are done, nothing after it is.
 */
static void tdx_map_gpa_refused(struct kunit *test)
{
	struct tdx_test *t = test->priv;
	struct privmem_tdx_map_req req;

	launch(test);
	t->f.deny_gfn = T_GFN + T_CHUNK + 7;
	KUNIT_EXPECT_EQ(test, map_gpa(t, T_GPA(0), 3 * PRIVMEM_TDX_MAP_CHUNK,
				      &req), TDVMCALL_STATUS_INVALID_OPERAND);
	KUNIT_EXPECT_EQ(test, req.err, -EPERM);
	KUNIT_EXPECT_FALSE(test, privmem_tdx_map_fatal(req.err));
	KUNIT_EXPECT_EQ(test, req.next, T_GPA(T_CHUNK));
	KUNIT_EXPECT_EQ(test, count_attr(t, 0, T_CHUNK, PRIVMEM_PRIVATE),
			T_CHUNK);
	KUNIT_EXPECT_EQ(test, count_attr(t, T_CHUNK, 3 * T_CHUNK,
					 PRIVMEM_SHARED), 3 * T_CHUNK);
}

/*
 * The TDX module refuses a REMOVE, at every position of a conversion to
 * shared: the request ends KVM_RUN with -EIO, and no page of the range,
 * nor of the span when the space goes, ever reaches the host.
 */
static void tdx_remove_fails_at_every_position(struct kunit *test)
{
	struct tdx_test *t = test->priv;
	struct privmem_tdx_map_req req;
	unsigned int k, i, n = 6;

	for (k = 1; k <= n; k++) {
		if (k > 1) {
			tdx_teardown(t);
			memset(t->sept, 0, sizeof(t->sept));
			memset(t->owned, 0, sizeof(t->owned));
			memset(t->leaked, 0, sizeof(t->leaked));
			t->launched = false;
			t->bugged = false;
			t->removes = 0;
			KUNIT_ASSERT_EQ(test, tdx_setup(t), 0);
		}
		launch(test);
		KUNIT_ASSERT_EQ(test, map_gpa(t, T_GPA(0), SZ_64K, &req),
				TDVMCALL_STATUS_SUCCESS);
		for (i = 0; i < n; i++)
			KUNIT_ASSERT_EQ(test, accept(t, 2 * i), 0);
		t->fail_remove = k;
		KUNIT_EXPECT_EQ_MSG(test, map_gpa(t, T_GPA(0) | T_SHARED, SZ_64K,
						  &req),
				    TDVMCALL_STATUS_INVALID_OPERAND, "k %u", k);
		KUNIT_EXPECT_EQ_MSG(test, req.err, -EIO, "k %u", k);
		KUNIT_EXPECT_TRUE(test, privmem_tdx_map_fatal(req.err));
		KUNIT_EXPECT_EQ_MSG(test, t->sept[2 * (k - 1)], S_BLOCKED,
				    "k %u", k);
		KUNIT_EXPECT_TRUE_MSG(test, t->leaked[2 * (k - 1)], "k %u", k);
		KUNIT_EXPECT_GT(test, privmem_tdx_leaked(t->tdx), 0);
		KUNIT_EXPECT_EQ(test, t->f.refs, 0);
	}
}

/*
 * Before launch, a conversion to private puts nothing into the TD (the
 * VMM adds pre-boot pages with KVM_TDX_INIT_MEM_REGION), and a page added
 * then is taken out again when the range goes back to shared.
 */
static void tdx_prelaunch(struct kunit *test)
{
	struct tdx_test *t = test->priv;
	struct privmem_entry e = {
		.gfn = T_GFN, .npages = 4, .attr = PRIVMEM_PRIVATE,
		.gran = PRIVMEM_GRAN_4K,
	};
	unsigned int done, i;

	KUNIT_ASSERT_EQ(test, privmem_convert(t->f.space, &e, 1,
					      PRIVMEM_CONVERT_HOST, &done,
					      NULL), 0);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, t->sept[i], S_FREE);
	KUNIT_EXPECT_TRUE(test, sept_add(t, T_GFN + 1, T_PFN + 1));
	e.attr = PRIVMEM_SHARED;
	KUNIT_ASSERT_EQ(test, privmem_convert(t->f.space, &e, 1,
					      PRIVMEM_CONVERT_HOST, &done,
					      NULL), 0);
	KUNIT_EXPECT_EQ(test, t->sept[1], S_FREE);
	KUNIT_EXPECT_FALSE(test, t->owned[1]);
}

/* A space that dies takes every page out of the TD. */
static void tdx_unbind(struct kunit *test)
{
	struct tdx_test *t = test->priv;
	struct privmem_tdx_map_req req;

	launch(test);
	KUNIT_ASSERT_EQ(test, map_gpa(t, T_GPA(0), PRIVMEM_TDX_MAP_CHUNK, &req),
			TDVMCALL_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, accept(t, 3), 0);
	KUNIT_ASSERT_EQ(test, accept(t, 300), 0);
	privmem_space_kill(t->f.space);
	KUNIT_EXPECT_EQ(test, t->sept[3], S_FREE);
	KUNIT_EXPECT_EQ(test, t->sept[300], S_FREE);
	KUNIT_EXPECT_EQ(test, privmem_tdx_leaked(t->tdx), 0);
}

static void tdx_create_rejects(struct kunit *test)
{
	struct tdx_test *t = test->priv;
	struct privmem_tdx_kvm_ops half = { .zap = t_zap };
	struct privmem_backend_ops nopfn = t->f.backend;

	nopfn.get_pfn = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_tdx_create(&t->f.backend, t, T_GFN, 0,
							 &t_kops, t)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_tdx_create(&nopfn, t, T_GFN, 1,
							 &t_kops, t)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_tdx_create(&t->f.backend, t, T_GFN, 1,
							 &half, t)), -EINVAL);
	/* A span that ends above PRIVMEM_MAX_GFN, as privmem_space_bind(). */
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_tdx_create(&t->f.backend, t,
							 PRIVMEM_MAX_GFN - 1, 2,
							 &t_kops, t)), -EINVAL);
}

static struct kunit_case privmem_tdx_cases[] = {
	KUNIT_CASE(tdx_model_rules),
	KUNIT_CASE(tdx_map_gpa_private_then_shared),
	KUNIT_CASE(tdx_map_gpa_nonsense),
	KUNIT_CASE(tdx_map_gpa_retry),
	KUNIT_CASE(tdx_map_gpa_refused),
	KUNIT_CASE(tdx_remove_fails_at_every_position),
	KUNIT_CASE(tdx_prelaunch),
	KUNIT_CASE(tdx_unbind),
	KUNIT_CASE(tdx_create_rejects),
	{}
};

static struct kunit_suite privmem_tdx_suite = {
	.name = "privmem_tdx",
	.init = tdx_test_init,
	.exit = tdx_test_exit,
	.test_cases = privmem_tdx_cases,
};

kunit_test_suite(privmem_tdx_suite);
