// SPDX-License-Identifier: GPL-2.0
/*
 * privmem_stress_test: concurrent conversions, faults, queries and host
 * accesses on one privmem VM, checked against a model of what each caller
 * was told.
 *
 * The span is NR_VCPUS + 1 regions of two 2M blocks.  vCPU i converts only
 * region i and the host's converter thread only the last region, so each
 * owner knows the exact state of its region while all of them run at once:
 *
 *  - each vCPU sends random batches of 1..MAX_ENTRIES entries (4K runs and
 *    2M blocks, both attributes; overlapping entries now and then, which
 *    must be refused with nothing changed), applies what it was told to its
 *    model, checks the contents of every page whose attribute changed
 *    (zeroes under a destructive policy, the old data in place) through
 *    the alias its attribute calls for, writes new data over every page of
 *    the batch and stops at a GUEST_SYNC;
 *  - at that stop its host thread compares KVM_PRIVMEM_QUERY of the region
 *    with the guest's model, and tries the host's read path on a private
 *    page (refused) and a shared one (the guest's data);
 *  - the converter thread does the same with KVM_PRIVMEM_CONVERT on the
 *    last region (after launch the host's private -> shared steps are
 *    destructive under every policy) and reads and writes its shared pages;
 *  - the checker thread queries the whole span again and again: the ranges
 *    must cover it in order without a gap or an overlap, be maximal, and
 *    2M ranges must be private and 2M aligned.
 *
 * It runs under "cc" with a shared alias bit (shared pages are reached
 * through the alias, private ones without it), "cc-strict" and "inplace".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/sizes.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "ucall_common.h"
#include "privmem_util.h"

#define NR_VCPUS	4
#define DATA_SLOT	10
#define ALIAS_SLOT	11
#define DATA_GPA	BIT_ULL(32)
#define BLOCK		SZ_2M
#define REGION		(2 * BLOCK)
#define REGION_PAGES	(REGION / PAGE_SIZE)
#define NR_REGIONS	(NR_VCPUS + 1)
#define DATA_SIZE	((u64)NR_REGIONS * REGION)
#define SPAN_PAGES	(DATA_SIZE / PAGE_SIZE)
#define ALIAS_BIT	38
#define ALIAS		BIT_ULL(ALIAS_BIT)
#define MAX_ENTRIES	6
/*
 * KVM_PRIVMEM_QUERY walks in chunks of up to this many ranges and drops
 * the VM's conversion lock between them (Documentation/virt/kvm/
 * privmem.rst): a range that starts a chunk may have changed since the
 * previous chunk was taken, so it is not compared with its predecessor.
 */
#define QUERY_CHUNK	170
#define ITERATIONS	40

/* Per-page state of a model: what KVM_PRIVMEM_QUERY must show. */
#define ST_S		0
#define ST_P4K		1
#define ST_P2M		2

struct model {
	u8 st[REGION_PAGES];
	u8 pat[REGION_PAGES];	/* data in the page; 0 for fresh pages */
};

/* Shared by the guest and the host (slot 0, which privmem never backs). */
static struct model gmodel[NR_VCPUS];
static u8 gbatch[NR_VCPUS][sizeof(struct kvm_privmem_batch) +
			   MAX_ENTRIES * sizeof(struct kvm_privmem_entry)]
			   __aligned(64);
static u64 gbatch_gpa[NR_VCPUS];
static u64 g_alias;
static bool g_destructive;

static u64 rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static bool entries_overlap(const struct kvm_privmem_entry *e, int nr)
{
	int i, j;

	for (i = 0; i < nr; i++)
		for (j = i + 1; j < nr; j++)
			if (e[i].gpa < e[j].gpa + e[j].size &&
			    e[j].gpa < e[i].gpa + e[i].size)
				return true;
	return false;
}

/*
 * What one entry does to a region's states: the engine's documented
 * rules.  A 4K private entry over a private 2M block is a no-op, a 2M
 * private entry makes (or merges) its block 2M, and a shared entry that
 * covers part of a private 2M block smashes the block to 4K first.
 */
static void model_apply(u8 *st, u64 base, const struct kvm_privmem_entry *e)
{
	u64 first = (e->gpa - base) / PAGE_SIZE, n = e->size / PAGE_SIZE;
	u64 p, b, ends[2] = { first, first + n - 1 };
	int k;

	if (e->attr == KVM_PRIVMEM_PRIVATE) {
		for (p = first; p < first + n; p++)
			if (e->gran == KVM_PRIVMEM_GRAN_2M)
				st[p] = ST_P2M;
			else if (st[p] != ST_P2M)
				st[p] = ST_P4K;
		return;
	}
	for (k = 0; k < 2; k++) {
		b = ends[k] / (BLOCK / PAGE_SIZE) * (BLOCK / PAGE_SIZE);
		if (st[b] != ST_P2M || (first <= b && first + n >= b + BLOCK / PAGE_SIZE))
			continue;
		for (p = b; p < b + BLOCK / PAGE_SIZE; p++)
			st[p] = ST_P4K;
	}
	for (p = first; p < first + n; p++)
		st[p] = ST_S;
}

/* A random batch inside the region at @base. */
static int make_batch(struct kvm_privmem_entry *e, u64 base, u64 *seed)
{
	int nr = 1 + rnd(seed) % MAX_ENTRIES, i;

	for (i = 0; i < nr; i++) {
		u8 attr = rnd(seed) & 1 ? KVM_PRIVMEM_PRIVATE : KVM_PRIVMEM_SHARED;

		if (rnd(seed) % 3 == 0) {
			guest_set(&e[i], base + (rnd(seed) % 2) * BLOCK, BLOCK,
				  attr, KVM_PRIVMEM_GRAN_2M);
		} else {
			u64 p = rnd(seed) % REGION_PAGES;
			u64 n = 1 + rnd(seed) % 8;

			if (p + n > REGION_PAGES)
				n = REGION_PAGES - p;
			guest_set(&e[i], base + p * PAGE_SIZE, n * PAGE_SIZE,
				  attr, KVM_PRIVMEM_GRAN_4K);
		}
	}
	return nr;
}

/* Guest side */

static u64 *guest_page(u64 base, const struct model *m, u64 p)
{
	u64 gpa = base + p * PAGE_SIZE;

	return (u64 *)(m->st[p] == ST_S ? gpa | g_alias : gpa);
}

static void guest_code(u64 idx)
{
	struct kvm_privmem_batch *b = (void *)gbatch[idx];
	struct model *m = &gmodel[idx];
	u64 base = DATA_GPA + idx * REGION;
	u64 seed = 0x9e3779b97f4a7c15ULL * (idx + 1);
	u8 old[REGION_PAGES];
	u64 it, p, ret, *q;
	int nr, i;

	for (it = 0; it < ITERATIONS; it++) {
		bool bad;

		memset(b, 0, sizeof(*b));
		nr = make_batch(b->entries, base, &seed);
		b->nr = nr;
		bad = entries_overlap(b->entries, nr);
		ret = guest_map(gbatch_gpa[idx], nr,
				KVM_PRIVMEM_MAP_GPA_RANGE_BATCH);
		if (bad) {
			__GUEST_ASSERT(ret == -KVM_EINVAL && !b->done &&
				       b->error == -EINVAL,
				       "overlapping batch: %ld done %u error %d",
				       (long)ret, b->done, b->error);
			GUEST_SYNC(it);
			continue;
		}
		__GUEST_ASSERT(!ret && b->done == nr && b->error_index == -1,
			       "batch of %d: %ld done %u error %d index %d",
			       nr, (long)ret, b->done, b->error, b->error_index);
		memcpy(old, m->st, sizeof(old));
		for (i = 0; i < nr; i++)
			model_apply(m->st, base, &b->entries[i]);

		/* Pages that changed sides: scrubbed, or kept in place. */
		for (p = 0; p < REGION_PAGES; p++) {
			u64 want;

			if (!old[p] == !m->st[p])	/* same side */
				continue;
			if (g_destructive)
				m->pat[p] = 0;
			want = 0x0101010101010101ULL * m->pat[p];
			q = guest_page(base, m, p);
			__GUEST_ASSERT(q[0] == want && q[PAGE_SIZE / 8 - 1] == want,
				       "page %lu (%u -> %u): 0x%lx, want 0x%lx",
				       p, old[p], m->st[p], q[0], want);
		}
		/* New data over every page of the batch. */
		for (i = 0; i < nr; i++) {
			for (p = (b->entries[i].gpa - base) / PAGE_SIZE;
			     p < (b->entries[i].gpa + b->entries[i].size - base) /
				 PAGE_SIZE; p++) {
				m->pat[p] = 1 + (it * 7 + idx * 31 + p) % 255;
				memset(guest_page(base, m, p), m->pat[p], PAGE_SIZE);
			}
		}
		GUEST_SYNC(it);
	}
	GUEST_DONE();
}

/* Host side */

struct stress_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[NR_VCPUS];
	int memfd;
	u8 *mem;
	atomic_int running;
	atomic_ulong queries;
	unsigned long host_batches;
	bool destructive;
};

static struct stress_vm sv;

/* Expand QUERY of [@gpa, @gpa + @size) into one state per page. */
static void query_states(u64 gpa, u64 size, u8 *st)
{
	static __thread struct kvm_privmem_entry e[SPAN_PAGES];
	struct kvm_privmem_query q = {
		.gpa = gpa, .size = size, .ranges = (u64)e, .nr = SPAN_PAGES,
	};
	u64 at = gpa, p;
	u32 i;

	TEST_ASSERT(!__vm_ioctl(sv.vm, KVM_PRIVMEM_QUERY, &q),
		    "QUERY: errno %d", errno);
	TEST_ASSERT(q.next == gpa + size, "QUERY stopped at 0x%llx", q.next);
	for (i = 0; i < q.nr; i++) {
		TEST_ASSERT(e[i].gpa == at && e[i].size &&
			    e[i].attr <= KVM_PRIVMEM_PRIVATE,
			    "range %u: 0x%llx+0x%llx attr %u, expected at 0x%lx",
			    i, e[i].gpa, e[i].size, e[i].attr, at);
		/* Maximal: a neighbour in the same state would be one range. */
		TEST_ASSERT(!i || !(i % QUERY_CHUNK) ||
			    e[i].attr != e[i - 1].attr ||
			    e[i].gran != e[i - 1].gran,
			    "ranges %u and %u are in the same state", i - 1, i);
		if (e[i].gran == KVM_PRIVMEM_GRAN_2M)
			TEST_ASSERT(e[i].attr == KVM_PRIVMEM_PRIVATE &&
				    ((!(e[i].gpa % BLOCK) &&
				      !((e[i].gpa + e[i].size) % BLOCK)) ||
				     !(i % QUERY_CHUNK)),
				    "2M range 0x%llx+0x%llx attr %u",
				    e[i].gpa, e[i].size, e[i].attr);
		for (p = 0; st && p < e[i].size / PAGE_SIZE; p++)
			st[(at - gpa) / PAGE_SIZE + p] =
				e[i].attr == KVM_PRIVMEM_SHARED ? ST_S :
				e[i].gran == KVM_PRIVMEM_GRAN_2M ? ST_P2M : ST_P4K;
		at += e[i].size;
	}
	TEST_ASSERT(at == gpa + size, "ranges cover up to 0x%lx of 0x%lx",
		    at, gpa + size);
}

static void check_region(int r, const struct model *m, const char *who)
{
	u8 st[REGION_PAGES];
	u64 p;

	query_states(DATA_GPA + r * REGION, REGION, st);
	for (p = 0; p < REGION_PAGES; p++)
		TEST_ASSERT(st[p] == m->st[p],
			    "%s: region %d page %lu: QUERY says %u, model %u",
			    who, r, p, st[p], m->st[p]);
}

/* The host's read path: refused on a private page, the data on a shared one. */
static void host_access(int r, const struct model *m, u64 *seed)
{
	u64 p = rnd(seed) % REGION_PAGES, i;
	u8 buf[64];
	ssize_t n;

	for (i = 0; i < REGION_PAGES; i++, p = (p + 1) % REGION_PAGES)
		if (m->st[p] != ST_S)
			break;
	if (i < REGION_PAGES) {
		n = pread(sv.memfd, buf, sizeof(buf),
			  (u64)r * REGION + p * PAGE_SIZE);
		TEST_ASSERT(n < 0 && errno == EACCES,
			    "pread of private page %lu of region %d: %zd errno %d",
			    p, r, n, errno);
	}
	for (i = 0; i < REGION_PAGES; i++, p = (p + 1) % REGION_PAGES)
		if (m->st[p] == ST_S)
			break;
	if (i < REGION_PAGES) {
		n = pread(sv.memfd, buf, sizeof(buf),
			  (u64)r * REGION + p * PAGE_SIZE);
		TEST_ASSERT(n == sizeof(buf) && buf[0] == m->pat[p] &&
			    buf[sizeof(buf) - 1] == m->pat[p],
			    "pread of shared page %lu of region %d: %zd, 0x%x want 0x%x",
			    p, r, n, buf[0], m->pat[p]);
	}
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct model *m = addr_gva2hva(sv.vm, (u64)&gmodel[vcpu->id]);
	u64 seed = 0x2545f4914f6cdd1dULL * (vcpu->id + 1);
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			check_region(vcpu->id, m, "vCPU");
			host_access(vcpu->id, m, &seed);
			break;
		case UCALL_DONE:
			atomic_fetch_sub(&sv.running, 1);
			return NULL;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("ucall %lu", uc.cmd);
		}
	}
}

/* The host converts its own region while the vCPUs run. */
static void *converter_thread(void *arg)
{
	const int r = NR_VCPUS;
	const u64 base = DATA_GPA + r * REGION;
	struct kvm_privmem_entry e[MAX_ENTRIES];
	struct kvm_privmem_convert c;
	u64 seed = 0x853c49e6748fea9bULL, p;
	struct model m = {};
	u8 old[REGION_PAGES];
	int nr, i, ret;

	while (atomic_load(&sv.running)) {
		nr = make_batch(e, base, &seed);
		ret = pm_convert(sv.vm, e, nr, &c);
		if (entries_overlap(e, nr)) {
			TEST_ASSERT(ret && errno == EINVAL && !c.done,
				    "overlapping CONVERT: %d errno %d done %u",
				    ret, errno, c.done);
			continue;
		}
		TEST_ASSERT(!ret && c.done == nr, "CONVERT of %d: errno %d done %u",
			    nr, errno, c.done);
		memcpy(old, m.st, sizeof(old));
		for (i = 0; i < nr; i++)
			model_apply(m.st, base, &e[i]);
		/* After launch the host's unshares are destructive. */
		for (p = 0; p < REGION_PAGES; p++)
			if (old[p] != ST_S && m.st[p] == ST_S)
				m.pat[p] = 0;
		check_region(r, &m, "host");
		host_access(r, &m, &seed);
		/* New data over the shared pages of the batch. */
		for (i = 0; i < nr; i++) {
			for (p = (e[i].gpa - base) / PAGE_SIZE;
			     p < (e[i].gpa + e[i].size - base) / PAGE_SIZE; p++) {
				if (m.st[p] != ST_S)
					continue;
				m.pat[p] = 1 + (sv.host_batches + p) % 255;
				memset(sv.mem + (u64)r * REGION + p * PAGE_SIZE,
				       m.pat[p], PAGE_SIZE);
			}
		}
		sv.host_batches++;
	}
	return NULL;
}

/* The whole span, again and again, while everyone converts. */
static void *checker_thread(void *arg)
{
	while (atomic_load(&sv.running)) {
		query_states(DATA_GPA, DATA_SIZE, NULL);
		atomic_fetch_add(&sv.queries, 1);
		usleep(500);
	}
	return NULL;
}

static void stress(u64 policy, bool alias, bool destructive)
{
	pthread_t vt[NR_VCPUS], ct, qt;
	struct pm_stats s;
	int i, r;

	memset(&sv, 0, sizeof(sv));
	sv.vm = pm_vm_create(KVM_X86_SW_PROTECTED_VM);
	r = pm_enable(sv.vm, policy, alias ? KVM_PRIVMEM_SHARED_ALIAS : 0,
		      alias ? ALIAS_BIT : 0, 0, 0);
	TEST_ASSERT(!r, "KVM_ENABLE_CAP(KVM_CAP_PRIVMEM): errno %d", errno);
	pm_vm_prepare(sv.vm, NR_VCPUS);
	sv.memfd = memfd_create("privmem_stress", 0);
	TEST_ASSERT(sv.memfd >= 0, "memfd_create");
	TEST_ASSERT(!ftruncate(sv.memfd, DATA_SIZE), "ftruncate");
	r = pm_bind(sv.vm, DATA_GPA, DATA_SIZE, sv.memfd, 0);
	TEST_ASSERT(!r, "KVM_PRIVMEM_BIND: errno %d", errno);
	pm_vm_add_vcpus(sv.vm, NR_VCPUS, sv.vcpus, guest_code);
	sv.mem = mmap(NULL, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      sv.memfd, 0);
	TEST_ASSERT(sv.mem != MAP_FAILED, "mmap memfd");
	vm_set_user_memory_region(sv.vm, DATA_SLOT, 0, DATA_GPA, DATA_SIZE,
				  sv.mem);
	virt_map(sv.vm, DATA_GPA, DATA_GPA, SPAN_PAGES);
	if (alias) {
		vm_set_user_memory_region(sv.vm, ALIAS_SLOT, 0, DATA_GPA | ALIAS,
					  DATA_SIZE, sv.mem);
		virt_map(sv.vm, DATA_GPA | ALIAS, DATA_GPA | ALIAS, SPAN_PAGES);
	}
	for (i = 0; i < NR_VCPUS; i++) {
		gbatch_gpa[i] = addr_gva2gpa(sv.vm, (u64)gbatch[i]);
		vcpu_args_set(sv.vcpus[i], 1, i);
	}
	g_alias = alias ? ALIAS : 0;
	g_destructive = destructive;
	sync_global_to_guest(sv.vm, gbatch_gpa);
	sync_global_to_guest(sv.vm, g_alias);
	sync_global_to_guest(sv.vm, g_destructive);
	TEST_ASSERT(!__vm_ioctl(sv.vm, KVM_PRIVMEM_INIT, NULL), "INIT");

	sv.running = NR_VCPUS;
	for (i = 0; i < NR_VCPUS; i++)
		pthread_create(&vt[i], NULL, vcpu_thread, sv.vcpus[i]);
	pthread_create(&ct, NULL, converter_thread, NULL);
	pthread_create(&qt, NULL, checker_thread, NULL);
	for (i = 0; i < NR_VCPUS; i++)
		pthread_join(vt[i], NULL);
	pthread_join(ct, NULL);
	pthread_join(qt, NULL);

	pm_stats(sv.vm, &s);
	TEST_ASSERT(!s.failures, "failures %llu", s.failures);
	printf("# %llu entries, %llu steps, %llu smashes, %llu merges\n",
	       s.entries, s.steps, s.smashes, s.merges);
	printf("# %lu host batches, %lu queries of the span\n",
	       sv.host_batches, atomic_load(&sv.queries));
	kvm_vm_free(sv.vm);
	munmap(sv.mem, DATA_SIZE);
	close(sv.memfd);
}

int main(int argc, char *argv[])
{
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_VM_TYPES) &
		     BIT(KVM_X86_SW_PROTECTED_VM));
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_PRIVMEM));

	ksft_print_header();
	ksft_set_plan(3);
	stress(KVM_PRIVMEM_POLICY_CC, true, true);
	ksft_test_result_pass("cc_alias\n");
	stress(KVM_PRIVMEM_POLICY_CC_STRICT, false, true);
	ksft_test_result_pass("cc_strict\n");
	stress(KVM_PRIVMEM_POLICY_INPLACE, false, false);
	ksft_test_result_pass("inplace\n");
	ksft_finished();
}
