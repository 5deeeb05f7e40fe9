// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark: a 16M-page (64 GiB) space, converted by the privmem core
 * and, for comparison, recorded the way KVM 7.3 records memory
 * attributes (kvm_vm_set_mem_attributes(): one xarray entry per 4K
 * page, NULL for shared).  Backend and arch ops do nothing, so the
 * figures are the bookkeeping cost alone.  Memory is counted in tree
 * nodes (maple nodes for privmem, xa_nodes for the xarray).
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
#define NPAGES		BIT_ULL(24)
#define NRANDOM		BIT_ULL(20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Over the null ops of privmem_fake: the bookkeeping cost alone. */
static struct privmem_policy_ops policy = {
	.name = "bench", .allow = fake_null_allow, .mode = fake_null_mode,
	.merge = PRIVMEM_MERGE_NEVER,
};

struct result {
	double secs;
	long nodes;
	u64 ops;
};

static struct privmem_space *new_space(void)
{
	struct privmem_space_config cfg = { .policy = &policy };
	struct privmem_space *s = privmem_space_create(&cfg);

	if (IS_ERR(s) || privmem_space_bind(s, 0, NPAGES, &fake_null_backend,
					    NULL, &fake_null_arch, NULL))
		abort();
	return s;
}

static long live_nodes(void)
{
	rcu_barrier();
	return nr_allocated;
}

static void convert(struct privmem_space *s, struct privmem_entry *e, unsigned int n)
{
	unsigned int done;

	if (privmem_convert(s, e, n, 0, &done, NULL) || done != n)
		abort();
}

/* All shared -> private in 253-entry batches of @step-page entries. */
static struct result pm_all(struct privmem_space *s, u64 step, int gran)
{
	struct privmem_entry e[PRIVMEM_MAX_ENTRIES] = {};
	long n0 = live_nodes();
	struct result r = {};
	unsigned int n = 0;
	double t = now();
	u64 gfn;

	for (gfn = 0; gfn < NPAGES; gfn += step) {
		e[n].gfn = gfn;
		e[n].npages = step;
		e[n].attr = PRIVMEM_PRIVATE;
		e[n].gran = gran;
		if (++n == PRIVMEM_MAX_ENTRIES) {
			convert(s, e, n);
			n = 0;
		}
		r.ops++;
	}
	if (n)
		convert(s, e, n);
	r.secs = now() - t;
	r.nodes = live_nodes() - n0 + 1;	/* the empty->bound root too */
	return r;
}

static void xa_set(struct xarray *xa, u64 first, u64 n, int attr)
{
	void *entry = attr ? xa_mk_value(attr) : NULL;
	u64 i;

	/* kvm_vm_set_mem_attributes(): reserve, then store, per page. */
	for (i = first; i < first + n; i++) {
		if (entry && xa_reserve(xa, i, GFP_KERNEL))
			abort();
		xa_store(xa, i, entry, GFP_KERNEL);
	}
}

static struct result xa_all(struct xarray *xa, u64 step)
{
	long n0 = live_nodes();
	struct result r = {};
	double t = now();
	u64 gfn;

	for (gfn = 0; gfn < NPAGES; gfn += step) {
		xa_set(xa, gfn, step, 1);
		r.ops++;
	}
	r.secs = now() - t;
	r.nodes = live_nodes() - n0;
	return r;
}

static unsigned long long rng = 88172645463325252ULL;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Random single-page conversions, in batches of distinct pages. */
static struct result pm_random(struct privmem_space *s)
{
	struct privmem_entry e[PRIVMEM_MAX_ENTRIES] = {};
	long n0 = live_nodes();
	struct result r = {};
	double t;
	u64 i;

	rng = 88172645463325252ULL;
	t = now();
	for (i = 0; i < NRANDOM; i += PRIVMEM_MAX_ENTRIES) {
		unsigned int n, k;

		for (n = 0; n < PRIVMEM_MAX_ENTRIES; n++) {
			u64 v = rnd();

			e[n].gfn = (v >> 8) % NPAGES;
			e[n].npages = 1;
			e[n].attr = v & 1;
			for (k = 0; k < n; k++)
				if (e[k].gfn == e[n].gfn)
					break;
			if (k < n)
				n--;
		}
		convert(s, e, n);
		r.ops += n;
	}
	r.secs = now() - t;
	r.nodes = live_nodes() - n0;
	return r;
}

static struct result xa_random(struct xarray *xa)
{
	long n0 = live_nodes();
	struct result r = {};
	double t;
	u64 i;

	rng = 88172645463325252ULL;
	t = now();
	for (i = 0; i < NRANDOM; i++) {
		u64 v = rnd();

		xa_set(xa, (v >> 8) % NPAGES, 1, v & 1);
		r.ops++;
	}
	r.secs = now() - t;
	r.nodes = live_nodes() - n0;
	return r;
}

static void row(const char *what, struct result p, struct result x)
{
	double pb = p.nodes * (double)sizeof(struct maple_node);
	double xb = x.nodes * (double)sizeof(struct xa_node);

	printf("%-36s %9.6f s %11.0f B | %9.6f s %12.0f B | %7.1fx %9.0fx\n",
	       what, p.secs, pb, x.secs, xb,
	       p.secs > 0 ? x.secs / p.secs : 0, pb > 0 ? xb / pb : 0);
}

int main(void)
{
	struct result p, x, p1, x1;
	struct privmem_entry e = {};
	struct privmem_stats st;
	struct privmem_space *s;
	struct xarray xa;
	double t;

	maple_tree_init();
	radix_tree_init();
	rcu_register_thread();

	printf("privmem bench: %llu pages (%llu GiB), %zu-byte maple nodes, %zu-byte xa_nodes\n",
	       NPAGES, NPAGES >> 18, sizeof(struct maple_node), sizeof(struct xa_node));
	printf("%-36s %23s | %26s | %s\n", "", "privmem (time, memory)",
	       "xarray per page (time, mem)", "xarray/privmem: time, memory");

	/* 2M entries */
	s = new_space();
	p = pm_all(s, P2M, PRIVMEM_GRAN_2M);
	xa_init(&xa);
	x = xa_all(&xa, P2M);
	row("all private, 253 x 2M entries", p, x);

	/* one 4K conversion in the middle of a 2M range: smash */
	e.gfn = NPAGES / 2 + 100;
	e.npages = 1;
	e.attr = PRIVMEM_SHARED;
	p1.nodes = live_nodes();
	t = now();
	convert(s, &e, 1);
	p1.secs = now() - t;
	p1.nodes = p.nodes + live_nodes() - p1.nodes;
	x1.nodes = live_nodes();
	t = now();
	xa_set(&xa, e.gfn, 1, 0);
	x1.secs = now() - t;
	x1.nodes = x.nodes + live_nodes() - x1.nodes;
	row("then one 4K to shared inside 2M", p1, x1);
	privmem_space_stats(s, &st);
	printf("  privmem after the smash: %llu ranges, %llu smashes\n",
	       st.ranges, st.smashes);
	privmem_space_destroy(s);
	xa_destroy(&xa);

	/* 4K entries */
	s = new_space();
	p = pm_all(s, 1, PRIVMEM_GRAN_4K);
	xa_init(&xa);
	x = xa_all(&xa, 1);
	row("all private, 253 x 4K entries", p, x);
	privmem_space_stats(s, &st);
	printf("  privmem: %llu entries in %llu backend/arch steps, %llu ranges\n",
	       st.entries, st.steps, st.ranges);

	/* random 4K conversions on top of the all-private state */
	p1 = pm_random(s);
	x1 = xa_random(&xa);
	p1.nodes += p.nodes;
	x1.nodes += x.nodes;
	row("then 1M random 4K conversions", p1, x1);
	privmem_space_stats(s, &st);
	printf("  privmem after random: %llu ranges; xarray: %lu entries stored\n",
	       st.ranges, (unsigned long)NPAGES);
	privmem_space_destroy(s);
	xa_destroy(&xa);

	rcu_barrier();
	rcu_unregister_thread();
	return 0;
}
