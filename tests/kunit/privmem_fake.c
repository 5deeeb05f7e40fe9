// SPDX-License-Identifier: GPL-2.0
/*
 * Fake policy, backend and arch for the KUnit suites and the userspace
 * tests, and the reference model they are checked against.
 *
 * The fake arch keeps a hardware state per page and refuses any call
 * whose precondition does not hold (e.g. set_shared at 4K on a page the
 * hardware maps at 2M); the fake backend keeps a "physical page" per
 * page and checks that prepare/commit/abort pair up.  Injected failures
 * hit only forward calls, so undo paths are exercised but never fail in
 * the randomized tests.
 */
#include "privmem_fake.h"

#define P2M	PRIVMEM_PAGES_2M
#define FRESH	BIT_ULL(63)

static struct fake *fake_cur;

static struct privmem_entry ent(u64 gfn, u64 n, int attr, int gran)
{
	struct privmem_entry e = { .gfn = gfn, .npages = n, .attr = attr,
				   .gran = gran };
	return e;
}	/* for the policy, which has no cookie */

static __printf(2, 3) void violation(struct fake *f, const char *fmt, ...)
{
	va_list ap;

	if (f->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(f->err, sizeof(f->err), fmt, ap);
	va_end(ap);
}

static bool range_poisoned(struct fake *f, u64 gfn, u64 n, u8 bits)
{
	u64 i;

	for (i = 0; i < n; i++)
		if (f->poison[gfn - f->base + i] & bits)
			return true;
	return false;
}

static bool in_span(struct fake *f, u64 gfn, u64 n)
{
	return gfn >= f->base && n && gfn + n <= f->base + f->npages;
}

static void record(struct fake *f, enum fake_call call, u64 gfn, u64 n)
{
	f->calls[call]++;
	if (f->nlog < FAKE_LOG_MAX) {
		f->log[f->nlog].call = call;
		f->log[f->nlog].gfn = gfn;
		f->log[f->nlog].npages = n;
		f->nlog++;
	}
}

void fake_reset_calls(struct fake *f)
{
	memset(f->calls, 0, sizeof(f->calls));
	f->nlog = 0;
}

bool fake_touched(struct fake *f, enum fake_call call, u64 gfn, u64 n)
{
	unsigned int i;

	for (i = 0; i < f->nlog; i++)
		if (f->log[i].call == call && f->log[i].gfn < gfn + n &&
		    gfn < f->log[i].gfn + f->log[i].npages)
			return true;
	return false;
}

/* Policy */

static int fake_allow(const struct privmem_conv_info *ci)
{
	struct fake *f = fake_cur;

	record(f, FC_ALLOW, ci->gfn, ci->npages);
	if (ci->req == PRIVMEM_REQ_IMPLICIT && !ci->implicit_enabled)
		violation(f, "policy asked about implicit while disabled");
	if (range_poisoned(f, ci->gfn, ci->npages, PZ_DENY))
		return -EPERM;
	return 0;
}

static enum privmem_mode fake_policy_mode(struct fake *f, enum privmem_attr to,
					  bool prelaunch)
{
	switch (f->mode) {
	case FM_INPLACE:
		return PRIVMEM_MODE_INPLACE;
	case FM_CC:
		return to == PRIVMEM_PRIVATE && prelaunch ?
		       PRIVMEM_MODE_INPLACE : PRIVMEM_MODE_DESTRUCTIVE;
	default:
		return PRIVMEM_MODE_DESTRUCTIVE;
	}
}

static enum privmem_mode fake_mode(const struct privmem_conv_info *ci)
{
	record(fake_cur, FC_MODE, ci->gfn, ci->npages);
	return fake_policy_mode(fake_cur, ci->to, ci->prelaunch);
}

/* Backend */

static int fake_bprep(void *priv, const struct privmem_op *op)
{
	struct fake *f = priv;
	u64 i;

	record(f, FC_BPREP, op->gfn, op->npages);
	if (!in_span(f, op->gfn, op->npages)) {
		violation(f, "backend prepare outside span %llx+%llx", op->gfn, op->npages);
		return -EINVAL;
	}
	for (i = 0; i < op->npages; i++)
		if (f->prep[op->gfn - f->base + i])
			violation(f, "backend prepare twice at %llx", op->gfn + i);
	if (range_poisoned(f, op->gfn, op->npages, PZ_BPREP))
		return FAKE_ERR;
	for (i = 0; i < op->npages; i++)
		f->prep[op->gfn - f->base + i] = 1 + op->to;
	return 0;
}

static void fake_bend(struct fake *f, const struct privmem_op *op, bool commit)
{
	u64 i, p;

	for (i = 0; i < op->npages; i++) {
		p = op->gfn - f->base + i;
		if (f->prep[p] != 1 + op->to)
			violation(f, "backend %s without prepare at %llx",
				  commit ? "commit" : "abort", op->gfn + i);
		f->prep[p] = 0;
		if (commit && op->mode == PRIVMEM_MODE_DESTRUCTIVE)
			f->pfn[p] = f->next_pfn++;
	}
}

static void fake_bcommit(void *priv, const struct privmem_op *op)
{
	struct fake *f = priv;

	record(f, FC_BCOMMIT, op->gfn, op->npages);
	fake_bend(f, op, true);
}

static void fake_babort(void *priv, const struct privmem_op *op)
{
	struct fake *f = priv;

	record(f, FC_BABORT, op->gfn, op->npages);
	fake_bend(f, op, false);
}

/* Arch */

static bool forward(struct fake *f, const struct privmem_op *op)
{
	return f->prep[op->gfn - f->base] == 1 + op->to;
}

static int fake_aprep(void *priv, const struct privmem_op *op)
{
	struct fake *f = priv;

	record(f, FC_APREP, op->gfn, op->npages);
	if (forward(f, op) && range_poisoned(f, op->gfn, op->npages, PZ_APREP))
		return FAKE_ERR;
	f->aprep_open++;
	return 0;
}

static void fake_afinish(void *priv, const struct privmem_op *op, int ret)
{
	struct fake *f = priv;

	record(f, FC_AFINISH, op->gfn, op->npages);
	if (--f->aprep_open < 0)
		violation(f, "arch finish without prepare");
}

static int fake_set(struct fake *f, const struct privmem_op *op, bool priv)
{
	u8 want = priv ? ST_S : (op->gran == PRIVMEM_GRAN_2M ? ST_P2M : ST_P4K);
	u8 to = priv ? (op->gran == PRIVMEM_GRAN_2M ? ST_P2M : ST_P4K) : ST_S;
	u64 i;

	record(f, priv ? FC_SETP : FC_SETS, op->gfn, op->npages);
	if (!in_span(f, op->gfn, op->npages) ||
	    (op->gran == PRIVMEM_GRAN_2M && ((op->gfn | op->npages) % P2M))) {
		violation(f, "arch set %llx+%llx bad range", op->gfn, op->npages);
		return -EINVAL;
	}
	if (op->to != (priv ? PRIVMEM_PRIVATE : PRIVMEM_SHARED))
		violation(f, "arch set_%s with op->to %d", priv ? "private" : "shared", op->to);
	for (i = 0; i < op->npages; i++) {
		if (f->hw[op->gfn - f->base + i] != want) {
			violation(f, "arch set_%s gran %d at %llx: hw %d",
				  priv ? "private" : "shared", op->gran,
				  op->gfn + i, f->hw[op->gfn - f->base + i]);
			return -EINVAL;
		}
		if (!f->prep[op->gfn - f->base + i])
			violation(f, "arch set at %llx without backend prepare", op->gfn + i);
	}
	if (forward(f, op) &&
	    range_poisoned(f, op->gfn, op->npages, priv ? PZ_SETP : PZ_SETS))
		return FAKE_ERR;
	for (i = 0; i < op->npages; i++)
		f->hw[op->gfn - f->base + i] = to;
	return 0;
}

static int fake_setp(void *priv, const struct privmem_op *op)
{
	struct fake *f = priv;
	enum privmem_attr a;

	if (f->probe) {
		f->probe_inside = privmem_lookup(op->space,
						 op->gfn + op->npages - 1, &a, NULL);
		f->probe_outside = privmem_lookup(op->space, op->gfn + op->npages,
						  &a, NULL);
	}
	return fake_set(priv, op, true);
}

static int fake_sets(void *priv, const struct privmem_op *op)
{
	return fake_set(priv, op, false);
}

static int fake_block(struct fake *f, u64 gfn, u8 from, u8 to, u8 pz)
{
	u64 i;

	if (gfn % P2M || !in_span(f, gfn, P2M)) {
		violation(f, "arch block op at %llx", gfn);
		return -EINVAL;
	}
	for (i = 0; i < P2M; i++) {
		if (f->hw[gfn - f->base + i] != from) {
			violation(f, "arch %s at %llx: hw %d", to == ST_P4K ?
				  "split" : "merge", gfn + i, f->hw[gfn - f->base + i]);
			return -EINVAL;
		}
	}
	if (range_poisoned(f, gfn, P2M, pz))
		return FAKE_ERR;
	for (i = 0; i < P2M; i++)
		f->hw[gfn - f->base + i] = to;
	return 0;
}

static int fake_split(void *priv, u64 gfn)
{
	struct fake *f = priv;

	record(f, FC_SPLIT, gfn, P2M);
	return fake_block(f, gfn, ST_P2M, ST_P4K, PZ_SPLIT);
}

static int fake_merge(void *priv, u64 gfn)
{
	struct fake *f = priv;

	record(f, FC_MERGE, gfn, P2M);
	return fake_block(f, gfn, ST_P4K, ST_P2M, PZ_MERGE);
}

/* The arch hands every private page back to the host. */
static void fake_aunbind(void *priv)
{
	struct fake *f = priv;
	enum privmem_attr a;

	record(f, FC_AUNBIND, f->base, f->npages);
	/* A racing fault must no longer find a frame the hardware gives up. */
	if (f->probe && f->space)
		f->unbind_lookup = privmem_lookup(f->space, f->base, &a, NULL);
	memset(f->hw, ST_S, f->npages);
}

/* The backend frees the pages: none may still be private to the hardware. */
static void fake_bunbind(void *priv)
{
	struct fake *f = priv;
	u64 i;

	record(f, FC_BUNBIND, f->base, f->npages);
	for (i = 0; i < f->npages; i++) {
		if (f->hw[i] != ST_S) {
			violation(f, "backend unbind frees page %llx, private in hw",
				  f->base + i);
			break;
		}
	}
}

int fake_null_allow(const struct privmem_conv_info *ci)
{
	return 0;
}

enum privmem_mode fake_null_mode(const struct privmem_conv_info *ci)
{
	return PRIVMEM_MODE_DESTRUCTIVE;
}

static int fake_null_op(void *priv, const struct privmem_op *op)
{
	return 0;
}

static void fake_null_end(void *priv, const struct privmem_op *op)
{
}

static int fake_null_block(void *priv, u64 gfn)
{
	return 0;
}

const struct privmem_backend_ops fake_null_backend = {
	.prepare = fake_null_op, .commit = fake_null_end, .abort = fake_null_end,
};

const struct privmem_arch_ops fake_null_arch = {
	.set_private = fake_null_op, .set_shared = fake_null_op,
	.split_2m = fake_null_block, .merge_2m = fake_null_block,
};

struct fake *fake_new(u64 base, u64 npages, bool has_split, bool has_merge)
{
	struct fake *f = kzalloc(sizeof(*f), GFP_KERNEL);
	u64 i;

	f->base = base;
	f->npages = npages;
	f->hw = kzalloc(npages, GFP_KERNEL);
	f->prep = kzalloc(npages, GFP_KERNEL);
	f->poison = kzalloc(npages, GFP_KERNEL);
	f->pfn = kcalloc(npages, sizeof(u64), GFP_KERNEL);
	if (!f->hw || !f->prep || !f->poison || !f->pfn) {
		fake_free(f);
		return NULL;
	}
	for (i = 0; i < npages; i++)
		f->pfn[i] = i + 1;
	f->next_pfn = npages + 1;
	f->has_split = has_split;
	f->has_merge = has_merge;
	f->has_prep = true;
	f->mode = FM_CC;
	f->partial = PRIVMEM_PARTIAL_2M_SMASH;
	f->merge = PRIVMEM_MERGE_EAGER;

	strscpy(f->policy.name, "fake");
	f->policy.allow = fake_allow;
	f->policy.mode = fake_mode;
	f->bops.prepare = fake_bprep;
	f->bops.commit = fake_bcommit;
	f->bops.abort = fake_babort;
	f->bops.unbind = fake_bunbind;
	f->aops.set_private = fake_setp;
	f->aops.set_shared = fake_sets;
	f->aops.unbind = fake_aunbind;
	return f;
}

void fake_free(struct fake *f)
{
	if (!f)
		return;
	kfree(f->hw);
	kfree(f->prep);
	kfree(f->poison);
	kfree(f->pfn);
	kfree(f);
}

/* Create a space over the fake, applying the fake's current settings. */
struct privmem_space *fake_space(struct fake *f)
{
	struct privmem_space_config cfg = { .policy = &f->policy };
	struct privmem_space *space;

	fake_cur = f;
	f->policy.partial_2m = f->partial;
	f->policy.merge = f->merge;
	f->aops.split_2m = f->has_split ? fake_split : NULL;
	f->aops.merge_2m = f->has_merge ? fake_merge : NULL;
	f->aops.prepare = f->has_prep ? fake_aprep : NULL;
	f->aops.finish = f->has_prep ? fake_afinish : NULL;
	cfg.implicit = f->implicit;
	space = privmem_space_create(&cfg);
	if (IS_ERR(space))
		return space;
	if (privmem_space_bind(space, f->base, f->npages, &f->bops, f,
			       &f->aops, f)) {
		privmem_space_destroy(space);
		return ERR_PTR(-EINVAL);
	}
	f->space = space;
	return space;
}

/* Reference model: one state per page, semantics written out plainly. */

void model_init(struct model *m, struct fake *f)
{
	m->f = f;
	m->base = f->base;
	m->npages = f->npages;
	m->st = kzalloc(f->npages, GFP_KERNEL);
	m->pfn = kcalloc(f->npages, sizeof(u64), GFP_KERNEL);
	memcpy(m->pfn, f->pfn, f->npages * sizeof(u64));
	m->prelaunch = true;
}

void model_free(struct model *m)
{
	kfree(m->st);
	kfree(m->pfn);
}

static u8 mst(struct model *m, u64 gfn)
{
	return m->st[gfn - m->base];
}

static bool block_in_span(struct model *m, u64 b)
{
	return b >= m->base && b + P2M <= m->base + m->npages;
}

static bool block_all(const u8 *st, struct model *m, u64 b, u8 v)
{
	u64 i;

	for (i = 0; i < P2M; i++)
		if (st[b - m->base + i] != v)
			return false;
	return true;
}

static int model_entry(struct model *m, const struct privmem_entry *e,
		       bool implicit)
{
	struct fake *f = m->f;
	u64 first = e->gfn, last = e->gfn + e->npages - 1, p, b;
	u64 lo = first - first % P2M, hi = last - last % P2M + P2M - 1, plo, phi;
	bool gran2m = e->attr == PRIVMEM_PRIVATE &&
		      e->gran == PRIVMEM_GRAN_2M && f->has_split;
	bool partial = false, changed = false, fail = false, split_fail = false;
	u64 splits[2];
	int nsplits = 0, i;
	u8 *nst = kmalloc(m->npages, GFP_KERNEL);
	u8 conv_pz = e->attr == PRIVMEM_PRIVATE ? PZ_SETP : PZ_SETS;

	conv_pz |= PZ_BPREP | (f->has_prep ? PZ_APREP : 0);
	memcpy(nst, m->st, m->npages);
	/* [lo, hi] is block aligned; [plo, phi] the part inside the span. */
	plo = lo < m->base ? m->base : lo;
	phi = hi >= m->base + m->npages ? m->base + m->npages - 1 : hi;

	if (e->attr == PRIVMEM_SHARED) {
		for (p = first; p <= last; p++)
			nst[p - m->base] = ST_S;
		for (b = lo; b <= hi; b += P2M) {
			if (!block_in_span(m, b) || mst(m, b) != ST_P2M)
				continue;
			if (b >= first && b + P2M - 1 <= last)
				continue;
			partial = true;
			if (split_fail)
				continue;	/* later smashes are not attempted */
			if (range_poisoned(f, b, P2M, PZ_SPLIT))
				split_fail = true;
			else
				splits[nsplits++] = b;
			for (p = b; p < b + P2M; p++)
				if (p < first || p > last)
					nst[p - m->base] = ST_P4K;
		}
	} else if (!gran2m) {
		for (p = first; p <= last; p++)
			if (mst(m, p) == ST_S)
				nst[p - m->base] = ST_P4K;
	} else {
		for (b = first; b <= last; b += P2M) {
			if (block_all(m->st, m, b, ST_S) ||
			    block_all(m->st, m, b, ST_P2M)) {
				for (p = b; p < b + P2M; p++)
					nst[p - m->base] = ST_P2M;
				continue;
			}
			for (p = b; p < b + P2M; p++)
				if (mst(m, p) == ST_S)
					nst[p - m->base] = ST_P4K;
			if (f->has_merge) {
				if (range_poisoned(f, b, P2M, PZ_MERGE))
					fail = true;
				for (p = b; p < b + P2M; p++)
					nst[p - m->base] = ST_P2M;
			}
		}
	}

	for (p = plo; p <= phi; p++) {
		u8 o = m->st[p - m->base], n = nst[p - m->base];

		if (o != n)
			changed = true;
		if ((o & 1) != (n & 1) && (f->poison[p - m->base] & conv_pz))
			fail = true;
	}
	if (!changed) {
		kfree(nst);
		return 0;
	}
	if ((implicit && !f->implicit) ||
	    range_poisoned(f, first, e->npages, PZ_DENY) ||
	    (partial && f->partial == PRIVMEM_PARTIAL_2M_REFUSE)) {
		kfree(nst);
		return -EPERM;
	}
	if (fail || split_fail) {
		/* Undone smashes stay 4K when the block cannot be merged. */
		for (i = 0; i < nsplits; i++)
			if (!f->has_merge || range_poisoned(f, splits[i], P2M, PZ_MERGE))
				memset(&m->st[splits[i] - m->base], ST_P4K, P2M);
		kfree(nst);
		return FAKE_ERR;
	}
	for (p = plo; p <= phi; p++) {
		u8 o = m->st[p - m->base], n = nst[p - m->base];

		if ((o & 1) != (n & 1) &&
		    fake_policy_mode(f, e->attr, m->prelaunch) == PRIVMEM_MODE_DESTRUCTIVE)
			m->pfn[p - m->base] |= FRESH;	/* must be a new page */
		m->st[p - m->base] = n;
	}
	kfree(nst);

	if (e->attr == PRIVMEM_PRIVATE && f->merge == PRIVMEM_MERGE_EAGER &&
	    f->has_split && f->has_merge) {
		for (b = lo; b <= hi; b += P2M)
			if (block_in_span(m, b) && block_all(m->st, m, b, ST_P4K) &&
			    !range_poisoned(f, b, P2M, PZ_MERGE))
				for (p = b; p < b + P2M; p++)
					m->st[p - m->base] = ST_P2M;
	}
	return 0;
}

/* Is e[i] well formed and inside the span, on its own? */
static bool model_entry_valid(struct model *m, const struct privmem_entry *e)
{
	unsigned int j;

	if (e->attr > 1 || e->gran > 1 || !e->npages)
		return false;
	for (j = 0; j < 6; j++)
		if (e->rsvd[j])
			return false;
	if (e->gfn < m->base || e->gfn + e->npages < e->gfn ||
	    e->gfn + e->npages > m->base + m->npages)
		return false;
	return !(e->gran && ((e->gfn | e->npages) % P2M));
}

/*
 * Validation, as documented for privmem_convert(): the first bad entry,
 * else the first entry overlapping an earlier one, goes to *@bad.
 */
static int model_validate(struct model *m, const struct privmem_entry *e,
			  unsigned int nr, unsigned int *bad)
{
	unsigned int i, j;

	if (nr > PRIVMEM_MAX_ENTRIES) {
		*bad = PRIVMEM_MAX_ENTRIES;
		return -E2BIG;
	}
	for (i = 0; i < nr; i++) {
		if (!model_entry_valid(m, &e[i])) {
			*bad = i;
			return -EINVAL;
		}
	}
	for (i = 0; i < nr; i++) {
		for (j = 0; j < i; j++) {
			if (e[i].gfn < e[j].gfn + e[j].npages &&
			    e[j].gfn < e[i].gfn + e[i].npages) {
				*bad = i;
				return -EINVAL;
			}
		}
	}
	return 0;
}

int model_convert(struct model *m, const struct privmem_entry *e,
		  unsigned int nr, unsigned int flags, unsigned int *done,
		  unsigned int *err_index)
{
	unsigned int i;
	int ret;

	*done = 0;
	*err_index = 0;
	if (flags & ~PRIVMEM_CONVERT_FLAGS)
		return -EINVAL;
	ret = model_validate(m, e, nr, err_index);
	if (ret)
		return ret;
	for (i = 0; i < nr; i++) {
		*err_index = i;
		ret = model_entry(m, &e[i], flags & PRIVMEM_CONVERT_IMPLICIT);
		if (ret)
			return ret;
		(*done)++;
	}
	*err_index = nr;
	return 0;
}

int model_compare(struct model *m, struct privmem_space *space)
{
	struct fake *f = m->f;
	enum privmem_attr attr;
	enum privmem_gran gran;
	u64 i;
	u8 st;

	if (f->err[0]) {
		pr_err("fake: contract violation: %s\n", f->err);
		return -1;
	}
	if (privmem_space_check(space)) {
		pr_err("privmem_space_check failed\n");
		return -1;
	}
	for (i = 0; i < m->npages; i++) {
		if (privmem_lookup(space, m->base + i, &attr, &gran)) {
			pr_err("lookup %llx failed\n", m->base + i);
			return -1;
		}
		st = attr == PRIVMEM_PRIVATE ?
		     (gran == PRIVMEM_GRAN_2M ? ST_P2M : ST_P4K) : ST_S;
		if (st != m->st[i] || f->hw[i] != m->st[i]) {
			pr_err("gfn %llx: space %d, hw %d, model %d\n",
			       m->base + i, st, f->hw[i], m->st[i]);
			return -1;
		}
		if (f->prep[i]) {
			pr_err("gfn %llx left prepared\n", m->base + i);
			return -1;
		}
		if (m->pfn[i] & FRESH) {
			if (f->pfn[i] == (m->pfn[i] & ~FRESH)) {
				pr_err("gfn %llx: destructive conversion kept page %llx\n",
				       m->base + i, f->pfn[i]);
				return -1;
			}
		} else if (m->pfn[i] != f->pfn[i]) {
			pr_err("gfn %llx: page changed (%llx -> %llx) without a destructive conversion\n",
			       m->base + i, m->pfn[i], f->pfn[i]);
			return -1;
		}
		m->pfn[i] = f->pfn[i];
	}
	if (f->aprep_open) {
		pr_err("arch prepare/finish unbalanced: %ld\n", f->aprep_open);
		return -1;
	}
	return 0;
}

/* Randomized operations against the reference model. */
static unsigned long long rng_state;

static unsigned long long rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned int gen_batch(struct model *m, struct privmem_entry *e)
{
	unsigned int nr = rnd() % 8 ? rnd() % 12 + 1 : rnd() % PRIVMEM_MAX_ENTRIES + 1;
	u64 gfn = m->base + rnd() % 700, end = m->base + m->npages;
	unsigned int i;

	for (i = 0; i < nr && gfn < end; i++) {
		bool big = rnd() % 3 == 0;
		u64 n;

		if (big) {
			gfn = (gfn + P2M - 1) / P2M * P2M;
			n = (rnd() % 3 + 1) * P2M;
		} else {
			n = rnd() % 4 ? rnd() % 8 + 1 : rnd() % 1300 + 1;
		}
		if (gfn + n > end)
			break;
		e[i] = ent(gfn, n, rnd() % 2, big);
		gfn += n + (rnd() % 3 ? 0 : rnd() % 600);
	}
	nr = i;
	if (nr > 1 && rnd() % 4 == 0) {		/* shuffle */
		for (i = nr - 1; i > 0; i--) {
			unsigned int j = rnd() % (i + 1);
			struct privmem_entry t = e[i];

			e[i] = e[j];
			e[j] = t;
		}
	}
	if (nr && rnd() % 50 == 0)		/* occasionally invalid */
		e[rnd() % nr].gfn += 1;
	return nr;
}

/**
 * privmem_fake_random() - random batches against the reference model
 * @ops: number of entries to run, at least.
 * @seed: random seed.
 * @cfg: configuration bits (arch capabilities, policy settings), below
 *	%PRIVMEM_FAKE_NR_CFGS.
 *
 * After every batch, compares return value, progress, every page's
 * state in the space, in the fake hardware and in the model, and runs
 * privmem_space_check().
 *
 * Return: 0, or -1 after printing what differs.
 */
int privmem_fake_random(unsigned long ops, unsigned long long seed, int cfg)
{
	u64 base = 3 * P2M + 100, npages = 8 * P2M + 300;
	struct fake *f = fake_new(base, npages, cfg & 1, (cfg & 3) == 3);
	struct privmem_entry *e;
	struct privmem_space *s;
	unsigned long n = 0, batches = 0;
	struct model m;
	int ret = -1, rc;
	u64 b, p;

	e = kmalloc_array(PRIVMEM_MAX_ENTRIES, sizeof(*e), GFP_KERNEL);
	if (!f || !e) {
		kfree(e);
		fake_free(f);
		return -1;
	}

	rng_state = seed * 2654435761ULL + cfg + 1;
	f->mode = (enum fake_mode)(cfg >> 2) % 3;
	f->partial = (cfg >> 4) & 1 ? PRIVMEM_PARTIAL_2M_REFUSE : PRIVMEM_PARTIAL_2M_SMASH;
	f->merge = (enum privmem_merge)((cfg >> 5) % 3);
	f->implicit = (cfg >> 6) & 1;
	f->has_prep = !((cfg >> 7) & 1);
	s = fake_space(f);
	if (IS_ERR(s)) {
		kfree(e);
		fake_free(f);
		return -1;
	}
	model_init(&m, f);

	while (n < ops) {
		unsigned int nr = gen_batch(&m, e), done, mdone, i;
		unsigned int idx, midx;
		unsigned int flags = rnd() % 5 ? 0 : PRIVMEM_CONVERT_IMPLICIT;
		int mret;

		memset(f->poison, 0, npages);
		if (rnd() % 3 == 0) {
			for (i = rnd() % 4; i > 0; i--) {
				static const u8 pz[] = { PZ_BPREP, PZ_SETP, PZ_SETS,
							 PZ_SPLIT, PZ_DENY, PZ_APREP };
				f->poison[rnd() % npages] |= pz[rnd() % 6];
			}
		}
		if (batches == 50 && m.prelaunch) {
			if (privmem_space_populate_done(s) ||
			    privmem_space_launch(s))
				goto fail;
			m.prelaunch = false;
		}
		mret = model_convert(&m, e, nr, flags, &mdone, &midx);
		rc = privmem_convert(s, e, nr, flags, &done, &idx);
		if (rc != mret || done != mdone || idx != midx) {
			pr_err("cfg %d seed %llu batch %lu: convert %d done %u index %u, model %d done %u index %u\n",
			       cfg, seed, batches, rc, done, idx, mret, mdone, midx);
			for (i = 0; i < nr; i++)
				pr_err("  e[%u] %llx+%llx attr %d gran %d\n", i,
				       e[i].gfn, e[i].npages, e[i].attr, e[i].gran);
			goto fail;
		}
		if (f->merge == PRIVMEM_MERGE_LAZY && rnd() % 20 == 0) {
			memset(f->poison, 0, npages);
			if (privmem_space_compact(s) < 0)
				goto fail;
			for (b = (base + P2M - 1) / P2M * P2M; b + P2M <= base + npages; b += P2M) {
				for (p = b; p < b + P2M && m.st[p - base] == ST_P4K; p++)
					;
				if (p == b + P2M && f->has_split && f->has_merge)
					memset(&m.st[b - base], ST_P2M, P2M);
			}
		}
		if (model_compare(&m, s)) {
			pr_err("cfg %d seed %llu batch %lu: state differs after %d done %u flags %x\n",
			       cfg, seed, batches, rc, done, flags);
			for (i = 0; i < nr; i++)
				pr_err("  e[%u] %llx+%llx attr %d gran %d\n", i,
				       e[i].gfn, e[i].npages, e[i].attr, e[i].gran);
			goto fail;
		}
		n += nr ? nr : 1;
		batches++;
	}
	ret = 0;
fail:
	model_free(&m);
	privmem_space_destroy(s);
	fake_free(f);
	kfree(e);
	return ret;
}
