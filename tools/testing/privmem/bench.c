// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of the privmem core's bookkeeping against KVM's.
 *
 * privmem: the core converting a space over the null backend and arch
 * ops of privmem_fake, so the figures are the bookkeeping cost alone.
 *
 * KVM: kvm_vm_set_mem_attributes() of Linux 7.3, modelled on the same
 * userspace xarray: one entry per 4K page (NULL for shared); per call a
 * pre-scan of the range (kvm_range_has_memory_attributes()), then, when
 * setting a non-zero attribute, one xa_reserve() per page, then one
 * xa_store() per page, under kvm->slots_lock.  The two MMU notifier
 * passes (kvm_handle_gfn_range()) are left out on that side, and the
 * policy, backend and arch indirect calls, the converting window and the
 * statistics are kept on this one, so the comparison flatters KVM.
 *
 * Both sides run in one process, on the same sequence of requests,
 * built before the clock starts.  privmem's memory is its maple nodes
 * and its bitmaps.  The maple tree has the kernel's 64-bit
 * node layout and a recycling slab (bench_slab.c), and RCU frees are
 * queued without waking anybody, as kfree_rcu() does.  Memory is the live tree objects (maple
 * nodes, privmem bitmaps or xa_nodes) times their size.  Absolute times
 * are noisy on a shared machine; the ratios taken in one run are the
 * result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <urcu.h>
#include "privmem_internal.h"
#include "../../../virt/privmem/tests/privmem_fake.h"
#include <linux/radix-tree.h>

#define P2M		PRIVMEM_PAGES_2M
#define NPAGES		BIT_ULL(24)		/* 64 GiB */
#define NRANDOM		BIT_ULL(20)
#define NSEQ		BIT_ULL(18)
#define NSMASH		4096
#define NLOOKUP		BIT_ULL(20)
#define BOOT_PAGES	BIT_ULL(22)		/* 16 GiB */
#define BOOT_SPLITS	622
#define BOOT_MERGES	30
#define MAXE		PRIVMEM_MAX_ENTRIES

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct privmem_policy_ops policy = {
	.name = "bench", .allow = fake_null_allow, .mode = fake_null_mode,
	.merge = PRIVMEM_MERGE_NEVER,
};

static unsigned long long rng;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A workload: requests of entries, replayed on both sides. */
struct work {
	struct privmem_entry *e;
	unsigned int *req;	/* entries per request */
	u64 nr_e, nr_req, cap_e, cap_req;
};

static void work_add(struct work *w, u64 gfn, u64 npages, int attr, int gran)
{
	struct privmem_entry *e;

	if (w->nr_e == w->cap_e) {
		w->cap_e = w->cap_e ? 2 * w->cap_e : 1024;
		w->e = realloc(w->e, w->cap_e * sizeof(*w->e));
	}
	e = &w->e[w->nr_e++];
	memset(e, 0, sizeof(*e));
	e->gfn = gfn;
	e->npages = npages;
	e->attr = attr;
	e->gran = gran;
}

/* Close the request made of the entries added since the last one. */
static void work_req(struct work *w, unsigned int n)
{
	if (!n)
		return;
	if (w->nr_req == w->cap_req) {
		w->cap_req = w->cap_req ? 2 * w->cap_req : 1024;
		w->req = realloc(w->req, w->cap_req * sizeof(*w->req));
	}
	w->req[w->nr_req++] = n;
}

/* Batch entries into requests of at most 253. */
static void work_batch(struct work *w, u64 first_e)
{
	u64 left = w->nr_e - first_e;

	while (left) {
		unsigned int n = left > MAXE ? MAXE : left;

		work_req(w, n);
		left -= n;
	}
}

static void work_free(struct work *w)
{
	free(w->e);
	free(w->req);
	memset(w, 0, sizeof(*w));
}

struct result {
	double secs;
	double bytes;
};

static long live_objs(void)
{
	rcu_barrier();
	return nr_allocated;
}

/* privmem side */

static struct privmem_space *pm_new(u64 npages)
{
	struct privmem_space_config cfg = { .policy = &policy };
	struct privmem_space *s = privmem_space_create(&cfg);

	if (IS_ERR(s) || privmem_space_bind(s, 0, npages, &fake_null_backend,
					    NULL, &fake_null_arch, NULL))
		abort();
	return s;
}

static void pm_convert(struct privmem_space *s, const struct privmem_entry *e,
		       unsigned int n)
{
	unsigned int done;

	if (privmem_convert(s, e, n, 0, &done, NULL) || done != n)
		abort();
}

static double pm_run(struct privmem_space *s, const struct work *w)
{
	const struct privmem_entry *e = w->e;
	double t = now();
	u64 i;

	for (i = 0; i < w->nr_req; e += w->req[i], i++)
		pm_convert(s, e, w->req[i]);
	return now() - t;
}

/* KVM side */

static bool kvm_has_attr(struct xarray *xa, u64 start, u64 end, void *entry)
{
	XA_STATE(xas, xa, start);
	u64 index;
	void *cur;

	if (end == start + 1)
		return xa_load(xa, start) == entry;
	rcu_read_lock();
	if (!entry) {
		cur = xas_find(&xas, end - 1);
		rcu_read_unlock();
		return !cur;
	}
	for (index = start; index < end; index++) {
		do {
			cur = xas_next(&xas);
		} while (xas_retry(&xas, cur));
		if (xas.xa_index != index || cur != entry) {
			rcu_read_unlock();
			return false;
		}
	}
	rcu_read_unlock();
	return true;
}

/* kvm->slots_lock, which each call takes as privmem takes its mutex */
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

static void kvm_set(struct xarray *xa, u64 start, u64 end, int attr)
{
	void *entry = attr ? xa_mk_value(attr) : NULL;
	u64 i;

	pthread_mutex_lock(&slots_lock);
	if (kvm_has_attr(xa, start, end, entry))
		goto out;
	for (i = start; entry && i < end; i++)
		if (xa_reserve(xa, i, GFP_KERNEL))
			abort();
	for (i = start; i < end; i++)
		xa_store(xa, i, entry, GFP_KERNEL);
out:
	pthread_mutex_unlock(&slots_lock);
}

/*
 * KVM sees a request as calls of kvm_vm_set_mem_attributes(): one per
 * run of contiguous entries with the same attribute, as
 * snp_complete_psc() and the MAP_GPA_RANGE exits send them.
 */
static double kvm_run(struct xarray *xa, const struct work *w)
{
	const struct privmem_entry *e = w->e;
	double t = now();
	u64 i, k;

	for (i = 0; i < w->nr_req; e += w->req[i], i++) {
		u64 start = e[0].gfn, end = e[0].gfn + e[0].npages;

		for (k = 1; k < w->req[i]; k++) {
			if (e[k].gfn == end && e[k].attr == e[k - 1].attr) {
				end += e[k].npages;
				continue;
			}
			kvm_set(xa, start, end, e[k - 1].attr);
			start = e[k].gfn;
			end = start + e[k].npages;
		}
		kvm_set(xa, start, end, e[k - 1].attr);
	}
	return now() - t;
}

static double xa_bytes(long objs)
{
	return objs * (double)sizeof(struct xa_node);
}

/* Maple nodes, plus the bitmaps in their kernel slab (kmalloc-96). */
#define BITMAP_SLAB	96

static double pm_bytes(struct privmem_space *s, long objs)
{
	struct privmem_stats st;

	privmem_space_stats(s, &st);
	return objs * (double)sizeof(struct maple_node) +
	       st.bitmaps * (double)BITMAP_SLAB;
}

/* Report */

static void row(const char *what, u64 ops, struct result p, struct result x)
{
	printf("%-34s %9.3f %9.3f %8.1fx | %12.0f %12.0f %9.1fx\n", what,
	       p.secs * 1e6 / ops, x.secs * 1e6 / ops,
	       p.secs > 0 ? x.secs / p.secs : 0,
	       p.bytes, x.bytes, p.bytes > 0 ? x.bytes / p.bytes : 0);
}

/* One workload on a fresh pair of maps, after an optional set-up. */
struct pair {
	struct privmem_space *s;
	struct xarray xa;
	long pm_objs, xa_objs;
};

static void pair_new(struct pair *p, u64 npages)
{
	long o = live_objs();

	p->s = pm_new(npages);
	xa_init(&p->xa);
	p->pm_objs = live_objs() - o;
	p->xa_objs = 0;
}

static void pair_free(struct pair *p)
{
	privmem_space_destroy(p->s);
	xa_destroy(&p->xa);
	live_objs();
}

/* Run @w on both maps; time both, measure both. */
static void pair_run(struct pair *p, const struct work *w,
		     struct result *pr, struct result *xr)
{
	long o = live_objs();

	pr->secs = pm_run(p->s, w);
	p->pm_objs += live_objs() - o;
	pr->bytes = pm_bytes(p->s, p->pm_objs);
	o = live_objs();
	xr->secs = kvm_run(&p->xa, w);
	p->xa_objs += live_objs() - o;
	xr->bytes = xa_bytes(p->xa_objs);
}

static void fill(struct work *w, u64 npages, u64 step, int attr, int gran)
{
	u64 gfn, e0 = w->nr_e;

	for (gfn = 0; gfn < npages; gfn += step)
		work_add(w, gfn, step, attr, gran);
	work_batch(w, e0);
}

static void random_4k(struct work *w, u64 n, u64 npages)
{
	unsigned int k, m = 0;
	u64 i, e0 = 0;

	rng = 88172645463325252ULL;
	for (i = 0; i < n; i++) {
		u64 v = rnd(), gfn = (v >> 8) % npages;

		/* distinct pages within a request */
		for (k = 0; k < m; k++)
			if (w->e[e0 + k].gfn == gfn)
				break;
		if (k < m)
			continue;
		work_add(w, gfn, 1, v & 1, PRIVMEM_GRAN_4K);
		if (++m == MAXE) {
			work_req(w, m);
			e0 = w->nr_e;
			m = 0;
		}
	}
	work_req(w, m);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Distinct blocks spread over the space, at varying offsets. */
static u64 smash_gfn(int i)
{
	return (u64)(i * 7 % NSMASH) * 2 * P2M + 100 + i % 300;
}

/* The first smash (cold), then the median of NSMASH in distinct blocks. */
static void smashes(void)
{
	static double pt[NSMASH], xt[NSMASH];
	struct privmem_entry e = {};
	struct result p = {}, x = {};
	struct work w = {};
	struct pair pr;
	double t;
	long o;
	int i;

	pair_new(&pr, NPAGES);
	fill(&w, NPAGES, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
	pair_run(&pr, &w, &p, &x);
	work_free(&w);
	e.npages = 1;
	e.attr = PRIVMEM_SHARED;
	o = live_objs();
	for (i = 0; i < NSMASH; i++) {
		e.gfn = smash_gfn(i);
		t = now();
		pm_convert(pr.s, &e, 1);
		pt[i] = now() - t;
	}
	pr.pm_objs += live_objs() - o;
	o = live_objs();
	for (i = 0; i < NSMASH; i++) {
		e.gfn = smash_gfn(i);
		t = now();
		kvm_set(&pr.xa, e.gfn, e.gfn + 1, 0);
		xt[i] = now() - t;
	}
	pr.xa_objs += live_objs() - o;
	p.secs = pt[0];
	x.secs = xt[0];
	p.bytes = pm_bytes(pr.s, pr.pm_objs);
	x.bytes = xa_bytes(pr.xa_objs);
	row("one smash, cold (first call)", 1, p, x);
	qsort(pt + 1, NSMASH - 1, sizeof(double), cmp_double);
	qsort(xt + 1, NSMASH - 1, sizeof(double), cmp_double);
	p.secs = pt[NSMASH / 2];
	x.secs = xt[NSMASH / 2];
	row("one smash, warm (median of 4095)", 1, p, x);
	pair_free(&pr);
}

/* 1M random privmem_lookup() against xa_load() on the random map. */
static void lookups(struct pair *pr)
{
	enum privmem_attr a;
	enum privmem_gran g;
	struct result p = {}, x = {};
	unsigned long sum = 0;
	double t;
	u64 i;

	rng = 0x9e3779b97f4a7c15ULL;
	t = now();
	for (i = 0; i < NLOOKUP; i++) {
		if (privmem_lookup(pr->s, rnd() % NPAGES, &a, &g))
			abort();
		sum += a;
	}
	p.secs = now() - t;
	rng = 0x9e3779b97f4a7c15ULL;
	t = now();
	for (i = 0; i < NLOOKUP; i++)
		sum -= !!xa_load(&pr->xa, rnd() % NPAGES);
	x.secs = now() - t;
	if (sum)
		abort();	/* the two maps disagree */
	p.bytes = pm_bytes(pr->s, pr->pm_objs);
	x.bytes = xa_bytes(pr->xa_objs);
	row("1M random look-ups, that map", NLOOKUP, p, x);
}

/*
 * A 16 GiB SNP guest's boot as public figures describe it: all private
 * at 2M, then the guest shares small pieces of 622 blocks
 * (set_memory_decrypted(), one request each) and 30 of them become
 * private again (a 2M request, merged).
 */
static void boot_map(void)
{
	struct result p, x;
	struct work w = {};
	struct pair pr;
	u64 b, i, n, ops = 0;

	pair_new(&pr, BOOT_PAGES);
	fill(&w, BOOT_PAGES, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
	pair_run(&pr, &w, &p, &x);
	work_free(&w);

	rng = 0x2545f4914f6cdd1dULL;
	for (i = 0; i < BOOT_SPLITS; i++) {
		b = (i * 13 % (BOOT_PAGES / P2M)) * P2M;
		n = 1 + rnd() % 16;
		work_add(&w, b + rnd() % (P2M - n), n, PRIVMEM_SHARED,
			 PRIVMEM_GRAN_4K);
		work_req(&w, 1);
		ops++;
	}
	for (i = 0; i < BOOT_MERGES; i++) {
		work_add(&w, (i * 13 % (BOOT_PAGES / P2M)) * P2M, P2M,
			 PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
		work_req(&w, 1);
		ops++;
	}
	pair_run(&pr, &w, &p, &x);
	row("16 GiB SNP boot: 622 smash, 30 merge", ops, p, x);
	work_free(&w);
	pair_free(&pr);
}

int main(void)
{
	struct result p, x;
	struct work w = {};
	struct pair pr;
	u64 ops;

	maple_tree_init();
	radix_tree_init();
	rcu_register_thread();
	/*
	 * kfree_rcu() in the kernel queues and returns; liburcu's default
	 * call_rcu() wakes its worker through a futex on each call after
	 * an idle spell (microseconds).  The RT worker polls instead.
	 */
	set_thread_call_rcu_data(create_call_rcu_data(URCU_CALL_RCU_RT, -1));

	printf("privmem bench: %llu GiB space, %zu-byte maple nodes, %zu-byte xa_nodes\n",
	       NPAGES >> 18, sizeof(struct maple_node), sizeof(struct xa_node));
	printf("CONFIG_PRIVMEM_DEBUG is %s\n",
	       IS_ENABLED(CONFIG_PRIVMEM_DEBUG) ?
	       "on: the times include the whole-map check" : "off");
	printf("%-34s %9s %9s %9s | %12s %12s %10s\n", "workload (us per entry)",
	       "privmem", "kvm", "speedup", "privmem B", "kvm B", "mem ratio");

	/* 253 x 2M batches, the whole space to private */
	pair_new(&pr, NPAGES);
	fill(&w, NPAGES, P2M, PRIVMEM_PRIVATE, PRIVMEM_GRAN_2M);
	pair_run(&pr, &w, &p, &x);
	row("253 x 2M batches, 64 GiB private", w.nr_e, p, x);
	work_free(&w);
	pair_free(&pr);

	/* 253 x 4K batches, then random 4K on top, then look-ups */
	pair_new(&pr, NPAGES);
	fill(&w, NPAGES, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	pair_run(&pr, &w, &p, &x);
	row("253 x 4K batches, 64 GiB private", w.nr_e, p, x);
	work_free(&w);
	random_4k(&w, NRANDOM, NPAGES);
	pair_run(&pr, &w, &p, &x);
	row("1M random 4K, 253 per request", w.nr_e, p, x);
	work_free(&w);
	lookups(&pr);
	pair_free(&pr);

	/* sequential one-page requests */
	pair_new(&pr, NPAGES);
	for (ops = 0; ops < NSEQ; ops++) {
		work_add(&w, ops, 1, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
		work_req(&w, 1);
	}
	pair_run(&pr, &w, &p, &x);
	row("256K sequential 1-page requests", w.nr_e, p, x);
	work_free(&w);
	pair_free(&pr);

	/* checkerboard: every other page private, 253 per request */
	pair_new(&pr, NPAGES);
	fill(&w, NPAGES, 2, PRIVMEM_PRIVATE, PRIVMEM_GRAN_4K);
	for (ops = 0; ops < w.nr_e; ops++)
		w.e[ops].npages = 1;
	pair_run(&pr, &w, &p, &x);
	row("checkerboard over 64 GiB (worst)", w.nr_e, p, x);
	work_free(&w);
	pair_free(&pr);

	smashes();
	boot_map();

	rcu_barrier();
	rcu_unregister_thread();
	return 0;
}
