// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite privmem_pkvm: a real privmem space converted through the
 * pKVM adapter, with EL2 replaced by static stubs: a fake table of the
 * pages donated to the guest, and a fake of __pkvm_host_convert_guest
 * that, as EL2 does, carries out only the pages of the vCPU's pending
 * guest request, each once (or reverses it once done).  No page is touched and no protected VM is
 * created.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/kvm_host.h>
#include <linux/privmem.h>
#include <linux/privmem_kunit.h>

#include "privmem-pkvm.h"

#define T_GFN		0x40000ULL
#define T_NPAGES	(2 * PRIVMEM_PAGES_2M)
#define T_LOG		16

struct pkvm_call {
	u64 gfn;
	bool share;
};

struct pkvm_test {
	struct privmem_kunit_fake f;	/* policy, backend and space */
	struct kvm *kvm;
	bool mapped[T_NPAGES];		/* fake EL2: donated to the guest */
	bool shared[T_NPAGES];		/* fake EL2: shared with the host */
	/* the loaded vCPU's pending request, as EL2 keeps it */
	bool pending, req_share;
	bool req_done[T_NPAGES];
	u64 req_gfn, req_nr;
	unsigned int ncalls;
	struct pkvm_call calls[T_LOG];
};

static struct pkvm_test *cur(void)
{
	return kunit_get_current_test()->priv;
}

static bool stub_mapped(struct kvm *kvm, u64 gfn)
{
	struct pkvm_test *t = cur();

	KUNIT_EXPECT_PTR_EQ(kunit_get_current_test(), kvm, t->kvm);
	lockdep_assert_held_write(&kvm->mmu_lock);
	return gfn - T_GFN < T_NPAGES && t->mapped[gfn - T_GFN];
}

/* __pkvm_host_convert_guest's rules (arch/arm64/kvm/hyp/nvhe/pkvm.c). */
static int stub_hyp_convert(u64 gfn, bool share)
{
	struct pkvm_test *t = cur();

	if (t->ncalls < T_LOG)
		t->calls[t->ncalls] = (struct pkvm_call){ gfn, share };
	t->ncalls++;
	if (!t->pending)
		return -EINVAL;		/* no loaded vCPU */
	if (gfn < t->req_gfn || gfn - t->req_gfn >= t->req_nr)
		return -EPERM;
	if (share == t->req_share ? t->req_done[gfn - T_GFN] :
				    !t->req_done[gfn - T_GFN])
		return -EPERM;
	t->shared[gfn - T_GFN] = share;
	t->req_done[gfn - T_GFN] = !t->req_done[gfn - T_GFN];
	return 0;
}

/* After the space (privmem_kunit_fake_bind()'s action runs first). */
static void pkvm_test_destroy(void *data)
{
	struct pkvm_test *t = data;

	privmem_kunit_fake_destroy(&t->f);
	kfree(t->kvm);
}

static int pkvm_test_init(struct kunit *test)
{
	struct pkvm_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	test->priv = t;
	t->kvm = kzalloc_obj(*t->kvm, GFP_KERNEL);
	if (!t->kvm)
		return -ENOMEM;
	rwlock_init(&t->kvm->mmu_lock);
	if (kunit_add_action_or_reset(test, pkvm_test_destroy, t))
		return -ENOMEM;
	privmem_kunit_fake_init(&t->f, T_GFN, 0, T_NPAGES, false);
	t->f.mode = PRIVMEM_MODE_INPLACE;

	kunit_activate_static_stub(test, privmem_pkvm_mapped, stub_mapped);
	kunit_activate_static_stub(test, privmem_pkvm_hyp_convert,
				   stub_hyp_convert);

	return privmem_kunit_fake_bind(test, &t->f, &privmem_pkvm_arch_ops,
				       t->kvm);
}

static int conv(struct pkvm_test *t, u64 off, u64 n, enum privmem_attr attr,
		enum privmem_gran gran)
{
	return privmem_kunit_conv(&t->f, off, n, attr, gran);
}

static enum privmem_attr attr_of(struct pkvm_test *t, u64 off)
{
	return privmem_kunit_attr(&t->f, off);
}

/*
 * The guest's MEM_SHARE / MEM_UNSHARE of @nr pages, as EL2 records it
 * before exiting.
 */
static void guest_asks_range(struct pkvm_test *t, u64 off, u64 nr,
			     bool share)
{
	t->pending = true;
	t->req_gfn = T_GFN + off;
	t->req_nr = nr;
	t->req_share = share;
	memset(t->req_done, 0, sizeof(t->req_done));
}

static void guest_asks(struct pkvm_test *t, u64 off, bool share)
{
	guest_asks_range(t, off, 1, share);
}

/*
 * Pages not donated yet: nothing to do at EL2, in either direction and
 * either mode; the range map changes, and a 2M entry is mapped at 4K.
 */
static void pkvm_not_donated(struct kunit *test)
{
	struct pkvm_test *t = test->priv;
	enum privmem_attr attr;
	enum privmem_gran gran;

	KUNIT_EXPECT_EQ(test, conv(t, 0, PRIVMEM_PAGES_2M, PRIVMEM_PRIVATE,
				   PRIVMEM_GRAN_2M), 0);
	KUNIT_ASSERT_EQ(test, privmem_lookup(t->f.space, T_GFN, &attr, &gran), 0);
	KUNIT_EXPECT_EQ(test, attr, PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, gran, PRIVMEM_GRAN_4K);
	t->f.mode = PRIVMEM_MODE_DESTRUCTIVE;
	KUNIT_EXPECT_EQ(test, conv(t, 3, 2, PRIVMEM_SHARED, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_EQ(test, attr_of(t, 3), PRIVMEM_SHARED);
	KUNIT_EXPECT_EQ(test, attr_of(t, 5), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, t->ncalls, 0);
}

/* The guest shares a donated page and takes it back: one EL2 call each. */
static void pkvm_guest_share_unshare(struct kunit *test)
{
	struct pkvm_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, conv(t, 7, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	t->mapped[7] = true;

	guest_asks(t, 7, true);
	KUNIT_EXPECT_EQ(test, conv(t, 7, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_EQ(test, attr_of(t, 7), PRIVMEM_SHARED);
	KUNIT_EXPECT_TRUE(test, t->shared[7]);

	guest_asks(t, 7, false);
	KUNIT_EXPECT_EQ(test, conv(t, 7, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_EQ(test, attr_of(t, 7), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_FALSE(test, t->shared[7]);

	KUNIT_ASSERT_EQ(test, t->ncalls, 2);
	KUNIT_EXPECT_EQ(test, t->calls[0].gfn, T_GFN + 7);
	KUNIT_EXPECT_TRUE(test, t->calls[0].share);
	KUNIT_EXPECT_EQ(test, t->calls[1].gfn, T_GFN + 7);
	KUNIT_EXPECT_FALSE(test, t->calls[1].share);
}

/*
 * The host cannot convert a donated page: with no guest request (a VM
 * ioctl, no loaded vCPU) -EPERM, as for a request for another page, and
 * for a destructive one, which is refused before EL2 is asked.
 */
static void pkvm_host_refused(struct kunit *test)
{
	struct pkvm_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, conv(t, 9, 2, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	t->mapped[9] = true;
	t->mapped[10] = true;

	KUNIT_EXPECT_EQ(test, conv(t, 9, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K),
			-EPERM);
	guest_asks(t, 10, true);
	KUNIT_EXPECT_EQ(test, conv(t, 9, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K),
			-EPERM);
	KUNIT_EXPECT_EQ(test, attr_of(t, 9), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_FALSE(test, t->shared[9]);

	t->f.mode = PRIVMEM_MODE_DESTRUCTIVE;
	KUNIT_EXPECT_EQ(test, conv(t, 10, 1, PRIVMEM_SHARED, PRIVMEM_GRAN_4K),
			-EPERM);
	KUNIT_EXPECT_EQ(test, attr_of(t, 10), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, t->ncalls, 2);
}

/*
 * An op fails on a later page after EL2 converted an earlier one: the
 * adapter reverses it, so the range is left as it was at EL2 too.
 */
static void pkvm_op_undone(struct kunit *test)
{
	struct pkvm_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, conv(t, 20, 3, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	t->mapped[20] = true;
	t->mapped[22] = true;
	guest_asks(t, 20, true);
	KUNIT_EXPECT_EQ(test, conv(t, 20, 3, PRIVMEM_SHARED, PRIVMEM_GRAN_4K),
			-EPERM);
	KUNIT_ASSERT_EQ(test, t->ncalls, 3);
	KUNIT_EXPECT_EQ(test, t->calls[0].gfn, T_GFN + 20);
	KUNIT_EXPECT_TRUE(test, t->calls[0].share);
	KUNIT_EXPECT_EQ(test, t->calls[1].gfn, T_GFN + 22);
	KUNIT_EXPECT_EQ(test, t->calls[2].gfn, T_GFN + 20);
	KUNIT_EXPECT_FALSE(test, t->calls[2].share);
	KUNIT_EXPECT_FALSE(test, t->shared[20]);
	KUNIT_EXPECT_EQ(test, attr_of(t, 20), PRIVMEM_PRIVATE);
	KUNIT_EXPECT_EQ(test, attr_of(t, 21), PRIVMEM_PRIVATE);
}

/*
 * The range form: one conversion of the 8 pages the guest asked for
 * carries out each at EL2, once; a conversion one page longer than the
 * request fails on the extra page and reverses the 8.
 */
static void pkvm_guest_range(struct kunit *test)
{
	struct pkvm_test *t = test->priv;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, conv(t, 30, 9, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	for (i = 30; i < 39; i++)
		t->mapped[i] = true;

	guest_asks_range(t, 30, 8, true);
	KUNIT_EXPECT_EQ(test, conv(t, 30, 9, PRIVMEM_SHARED, PRIVMEM_GRAN_4K),
			-EPERM);
	/* 8 forward, the 9th refused, 8 back. */
	KUNIT_EXPECT_EQ(test, t->ncalls, 17);
	for (i = 30; i < 39; i++) {
		KUNIT_EXPECT_FALSE(test, t->shared[i]);
		KUNIT_EXPECT_EQ(test, attr_of(t, i), PRIVMEM_PRIVATE);
	}

	t->ncalls = 0;
	guest_asks_range(t, 30, 8, true);
	KUNIT_EXPECT_EQ(test, conv(t, 30, 8, PRIVMEM_SHARED, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_EQ(test, t->ncalls, 8);
	for (i = 30; i < 38; i++) {
		KUNIT_EXPECT_TRUE(test, t->shared[i]);
		KUNIT_EXPECT_EQ(test, attr_of(t, i), PRIVMEM_SHARED);
	}
	guest_asks_range(t, 30, 8, false);
	KUNIT_EXPECT_EQ(test, conv(t, 30, 8, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K), 0);
	KUNIT_EXPECT_EQ(test, t->ncalls, 16);
	for (i = 30; i < 38; i++)
		KUNIT_EXPECT_FALSE(test, t->shared[i]);
	KUNIT_EXPECT_EQ(test, attr_of(t, 37), PRIVMEM_PRIVATE);
}

static struct kunit_case pkvm_cases[] = {
	KUNIT_CASE(pkvm_not_donated),
	KUNIT_CASE(pkvm_guest_share_unshare),
	KUNIT_CASE(pkvm_host_refused),
	KUNIT_CASE(pkvm_op_undone),
	KUNIT_CASE(pkvm_guest_range),
	{}
};

static struct kunit_suite pkvm_suite = {
	.name = "privmem_pkvm",
	.init = pkvm_test_init,
	.test_cases = pkvm_cases,
};

/*
 * handle_exit() reads only the vCPU's kvm_run on the paths tested below,
 * so a zeroed vCPU with one is enough.
 */
static struct kvm_vcpu *fake_vcpu(struct kunit *test)
{
	struct kvm_vcpu *vcpu = kunit_kzalloc(test, sizeof(*vcpu), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vcpu);
	vcpu->run = kunit_kzalloc(test, sizeof(*vcpu->run), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vcpu->run);
	vcpu->run->exit_reason = KVM_EXIT_UNKNOWN;
	return vcpu;
}

/*
 * EL2's __kvm_vcpu_run() answers a negative errno when it will not run
 * the vCPU (with pKVM: no hyp vCPU loaded for it on this CPU).  That is
 * not an exit code: KVM_RUN must stop with KVM_EXIT_FAIL_ENTRY, not read
 * bit 31 as "SError pending" and enter the guest again for ever.
 */
static void pkvm_el2_refused_run(struct kunit *test)
{
	struct kvm_vcpu *vcpu = fake_vcpu(test);
	struct kvm_run *run = vcpu->run;

	KUNIT_EXPECT_EQ(test, handle_exit(vcpu, -EINVAL), 0);
	KUNIT_EXPECT_EQ(test, run->exit_reason, KVM_EXIT_FAIL_ENTRY);
	KUNIT_EXPECT_EQ(test, run->fail_entry.hardware_entry_failure_reason,
			(u64)EINVAL);

	run->exit_reason = KVM_EXIT_UNKNOWN;
	KUNIT_EXPECT_EQ(test, handle_exit(vcpu, -MAX_ERRNO), 0);
	KUNIT_EXPECT_EQ(test, run->exit_reason, KVM_EXIT_FAIL_ENTRY);
}

/* An exit code with an SError pending is still one: back to the guest. */
static void pkvm_el2_serror_pending(struct kunit *test)
{
	struct kvm_vcpu *vcpu = fake_vcpu(test);
	struct kvm_run *run = vcpu->run;
	int code = ARM_EXCEPTION_IRQ | BIT(ARM_EXIT_WITH_SERROR_BIT);

	KUNIT_EXPECT_EQ(test, handle_exit(vcpu, code), 1);
	KUNIT_EXPECT_EQ(test, run->exit_reason, KVM_EXIT_UNKNOWN);
	KUNIT_EXPECT_EQ(test, handle_exit(vcpu, ARM_EXCEPTION_IRQ), 1);
}

static struct kunit_case pkvm_exit_cases[] = {
	KUNIT_CASE(pkvm_el2_refused_run),
	KUNIT_CASE(pkvm_el2_serror_pending),
	{}
};

static struct kunit_suite pkvm_exit_suite = {
	.name = "pkvm_el2_exit",
	.test_cases = pkvm_exit_cases,
};

kunit_test_suites(&pkvm_suite, &pkvm_exit_suite);

MODULE_DESCRIPTION("KUnit tests for the privmem pKVM adapter");
MODULE_LICENSE("GPL");
