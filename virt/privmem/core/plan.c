// SPDX-License-Identifier: GPL-2.0
/*
 * Planning: turning one validated entry into steps, asking the policy.
 */

/**
 * DOC: Planning an entry
 *
 * An entry is planned against the range map as it is when the entry's
 * turn comes (an earlier entry may have smashed a block it shares).
 * Frames already in the target state produce no step; an entry with no
 * step at all is a no-op that still counts as done, and the policy is not
 * asked about it.
 *
 * To shared: every private range the entry covers becomes a CONVERT at
 * the range's own granularity.  A private 2M block the entry covers only
 * partly (only the blocks at the two ends of an entry can be) is refused
 * or smashed first, as the policy says; its covered part then converts
 * at 4K.
 *
 * To private at 4K: every shared range becomes a CONVERT at 4K; private
 * frames, at either granularity, are left alone.
 *
 * To private at 2M (entry 2M aligned): whole shared blocks convert at 2M;
 * shared pieces of blocks that are partly private already convert at 4K,
 * and each block left with 4K pieces is merged back to 2M.  Without an
 * arch split_2m op 2M is never used, and without merge_2m no block is
 * merged: the request is then carried out at 4K.
 */
#include "privmem_internal.h"
#include "convert.h"
#include "range.h"

#define PRIVMEM_MASK_2M		((u64)PRIVMEM_PAGES_2M - 1)

static inline u64 privmem_down_2m(u64 gfn)
{
	return gfn & ~PRIVMEM_MASK_2M;
}

/* Release a plan's storage; the plan may be reused afterwards. */
void privmem_plan_free(struct privmem_plan *plan)
{
	if (plan->steps != plan->inline_steps)
		kvfree(plan->steps);
	plan->steps = plan->inline_steps;
	plan->cap = PRIVMEM_PLAN_INLINE;
	plan->nr = 0;
}

static int privmem_plan_add(struct privmem_plan *plan,
			    enum privmem_step_kind kind, u64 gfn, u64 npages)
{
	struct privmem_step *steps;

	if (plan->nr == plan->cap) {
		/*
		 * One step per separate run: a fragmented span asks for
		 * many.  The guest decides how many, so the array is bounded
		 * and charged to the VMM.
		 */
		if (plan->cap >= PRIVMEM_PLAN_MAX_STEPS)
			return -ENOMEM;
		steps = kvmalloc_array(plan->cap * 2, sizeof(*steps),
				       GFP_KERNEL_ACCOUNT);
		if (!steps)
			return -ENOMEM;
		memcpy(steps, plan->steps, plan->nr * sizeof(*steps));
		if (plan->steps != plan->inline_steps)
			kvfree(plan->steps);
		plan->steps = steps;
		plan->cap *= 2;
	}
	memset(&plan->steps[plan->nr], 0, sizeof(*steps));
	plan->steps[plan->nr].kind = kind;
	plan->steps[plan->nr].op.gfn = gfn;
	plan->steps[plan->nr].op.npages = npages;
	plan->nr++;
	return 0;
}

/*
 * Add a conversion of [@first, @last], extending the previous step when
 * it is a contiguous conversion at the same granularity.
 */
static int privmem_plan_convert(struct privmem_plan *plan, u64 first,
				u64 last, enum privmem_attr to,
				enum privmem_gran gran)
{
	struct privmem_step *prev = NULL;
	unsigned int i;
	int ret;

	/* Smashes are moved first later; look through them. */
	for (i = plan->nr; i > 0; i--) {
		if (plan->steps[i - 1].kind != PRIVMEM_STEP_SPLIT) {
			prev = &plan->steps[i - 1];
			break;
		}
	}
	if (prev && prev->kind == PRIVMEM_STEP_CONVERT &&
	    prev->op.gran == gran && privmem_step_last(prev) + 1 == first) {
		prev->op.npages += last - first + 1;
		return 0;
	}
	ret = privmem_plan_add(plan, PRIVMEM_STEP_CONVERT, first,
			       last - first + 1);
	if (ret)
		return ret;
	plan->steps[plan->nr - 1].op.to = to;
	plan->steps[plan->nr - 1].op.from = to == PRIVMEM_PRIVATE ?
					    PRIVMEM_SHARED : PRIVMEM_PRIVATE;
	plan->steps[plan->nr - 1].op.gran = gran;
	return 0;
}

/* Steps for a private range [@lo, @hi] (clipped to the entry) to shared. */
static int privmem_plan_to_shared(struct privmem_plan *plan,
				  const struct privmem_range *r, u64 lo, u64 hi,
				  bool *partial)
{
	u64 fb, lb, wlo, whi;
	bool head, tail;
	int ret = 0;

	if (r->st == PRIVMEM_ST_P4K)
		return privmem_plan_convert(plan, lo, hi, PRIVMEM_SHARED,
					    PRIVMEM_GRAN_4K);

	fb = privmem_down_2m(lo);
	lb = privmem_down_2m(hi);
	head = lo != fb || (fb == lb && hi != fb + PRIVMEM_MASK_2M);
	tail = lb != fb && hi != lb + PRIVMEM_MASK_2M;
	if (head) {
		*partial = true;
		ret = privmem_plan_add(plan, PRIVMEM_STEP_SPLIT, fb,
				       PRIVMEM_PAGES_2M);
		if (ret)
			return ret;
	}
	if (tail) {
		*partial = true;
		ret = privmem_plan_add(plan, PRIVMEM_STEP_SPLIT, lb,
				       PRIVMEM_PAGES_2M);
		if (ret)
			return ret;
	}
	if (head && fb == lb)
		return privmem_plan_convert(plan, lo, hi, PRIVMEM_SHARED,
					    PRIVMEM_GRAN_4K);

	wlo = head ? fb + PRIVMEM_PAGES_2M : fb;
	whi = tail ? lb - 1 : hi;
	if (head) {
		ret = privmem_plan_convert(plan, lo, wlo - 1, PRIVMEM_SHARED,
					   PRIVMEM_GRAN_4K);
		if (ret)
			return ret;
	}
	if (wlo <= whi) {
		ret = privmem_plan_convert(plan, wlo, whi, PRIVMEM_SHARED,
					   PRIVMEM_GRAN_2M);
		if (ret)
			return ret;
	}
	if (tail)
		ret = privmem_plan_convert(plan, lb, hi, PRIVMEM_SHARED,
					   PRIVMEM_GRAN_4K);
	return ret;
}

/* Steps for a shared range [@lo, @hi] (clipped) to private at @gran. */
static int privmem_plan_to_private(struct privmem_plan *plan, u64 lo, u64 hi,
				   enum privmem_gran gran)
{
	u64 wlo, whi;
	int ret;

	if (gran == PRIVMEM_GRAN_4K)
		return privmem_plan_convert(plan, lo, hi, PRIVMEM_PRIVATE,
					    PRIVMEM_GRAN_4K);

	wlo = privmem_down_2m(lo + PRIVMEM_MASK_2M);
	whi = privmem_down_2m(hi + 1);
	if (wlo >= whi)
		return privmem_plan_convert(plan, lo, hi, PRIVMEM_PRIVATE,
					    PRIVMEM_GRAN_4K);
	if (lo < wlo) {
		ret = privmem_plan_convert(plan, lo, wlo - 1, PRIVMEM_PRIVATE,
					   PRIVMEM_GRAN_4K);
		if (ret)
			return ret;
	}
	whi--;
	ret = privmem_plan_convert(plan, wlo, whi, PRIVMEM_PRIVATE,
				   PRIVMEM_GRAN_2M);
	if (ret || whi == hi)
		return ret;
	return privmem_plan_convert(plan, whi + 1, hi, PRIVMEM_PRIVATE,
				    PRIVMEM_GRAN_4K);
}

/*
 * For a 2M private target: merge every block of [@first, @last] that will
 * hold 4K pieces.  A block needs no merge if it is one 2M range already
 * or wholly shared (then it converts at 2M).  Runs before the CONVERT
 * steps are carried out, so it looks at the state they start from.
 */
static int privmem_plan_merges(struct privmem_space *space,
			       struct privmem_plan *plan, u64 first, u64 last)
{
	struct privmem_range r;
	u64 b = first;
	int ret;

	while (b <= last) {
		if (!privmem_range_find(space, b, &r))
			return -EINVAL;
		if ((r.st == PRIVMEM_ST_P2M || r.st == PRIVMEM_ST_SHARED) &&
		    r.last >= b + PRIVMEM_MASK_2M) {
			/* Every block wholly inside r is fine; skip them. */
			b = privmem_down_2m(r.last + 1);
			continue;
		}
		ret = privmem_plan_add(plan, PRIVMEM_STEP_MERGE, b,
				       PRIVMEM_PAGES_2M);
		if (ret)
			return ret;
		b += PRIVMEM_PAGES_2M;
	}
	return 0;
}

/* Order steps: splits, then conversions, then merges (stable). */
static void privmem_plan_sort(struct privmem_plan *plan)
{
	struct privmem_step tmp;
	unsigned int i, j;

	for (i = 1; i < plan->nr; i++) {
		tmp = plan->steps[i];
		for (j = i; j > 0 && plan->steps[j - 1].kind > tmp.kind; j--)
			plan->steps[j] = plan->steps[j - 1];
		plan->steps[j] = tmp;
	}
}

static void privmem_conv_info(const struct privmem_space *space,
			      struct privmem_conv_info *ci, unsigned int flags)
{
	ci->space = (struct privmem_space *)space;
	ci->req = flags & PRIVMEM_CONVERT_IMPLICIT ? PRIVMEM_REQ_IMPLICIT :
						     PRIVMEM_REQ_EXPLICIT;
	if (flags & PRIVMEM_CONVERT_IMPLICIT)
		ci->who = PRIVMEM_BY_FAULT;
	else if (flags & PRIVMEM_CONVERT_HOST)
		ci->who = PRIVMEM_BY_HOST;
	else
		ci->who = PRIVMEM_BY_GUEST;
	ci->implicit_enabled = space->implicit;
	ci->prelaunch = space->state < PRIVMEM_SPACE_LAUNCHED;
}

/**
 * privmem_plan_entry() - plan one validated entry
 * @space: the space; its lock must be held.
 * @e: the entry.
 * @flags: PRIVMEM_CONVERT_* flags of the request: explicit or implicit,
 *	the guest's or the host's.
 * @plan: initialised plan (privmem_plan_free() state); filled in.
 *
 * Asks the policy whether the entry may proceed and, for each conversion
 * step, in which mode.  Changes nothing.  After launch a private ->
 * shared step that the host asked for is destructive whatever the policy
 * says: the host never reads the guest's private contents in place.
 *
 * Return: 0; -EPERM if the implicit switch is off, the policy refuses or
 * the entry would need a smash the policy refuses; -ENOMEM.
 */
int privmem_plan_entry(struct privmem_space *space,
		       const struct privmem_entry *e, unsigned int flags,
		       struct privmem_plan *plan)
{
	const struct privmem_policy_ops *policy = space->policy;
	enum privmem_gran gran = e->gran;
	u64 last = e->gfn + e->npages - 1;
	struct privmem_conv_info ci = {};
	bool partial = false, merges;
	struct privmem_range r;
	unsigned int i, nconv = 0;
	u64 gfn, lo, hi;
	int ret = 0;

	lockdep_assert_held(&space->lock);
	if (e->attr == PRIVMEM_SHARED || !privmem_space_has_2m(space))
		gran = PRIVMEM_GRAN_4K;
	merges = e->attr == PRIVMEM_PRIVATE && gran == PRIVMEM_GRAN_2M &&
		 space->arch->merge_2m;

	for (gfn = e->gfn; gfn <= last && !ret; gfn = r.last + 1) {
		if (!privmem_range_find(space, gfn, &r))
			return -EINVAL;
		lo = max(r.first, e->gfn);
		hi = min(r.last, last);
		if (privmem_st_attr(r.st) == e->attr)
			continue;
		if (e->attr == PRIVMEM_SHARED)
			ret = privmem_plan_to_shared(plan, &r, lo, hi, &partial);
		else
			ret = privmem_plan_to_private(plan, lo, hi, gran);
		if (r.last >= last)
			break;
	}
	if (!ret && merges)
		ret = privmem_plan_merges(space, plan, e->gfn, last);
	if (ret)
		return ret;

	if (!plan->nr) {
		plan->kind = PRIVMEM_PLAN_NOOP;
		return 0;
	}

	privmem_conv_info(space, &ci, flags);
	ci.gfn = e->gfn;
	ci.npages = e->npages;
	ci.to = e->attr;
	ci.from = e->attr == PRIVMEM_PRIVATE ? PRIVMEM_SHARED : PRIVMEM_PRIVATE;
	ci.gran = e->gran;
	if (ci.req == PRIVMEM_REQ_IMPLICIT && !space->implicit) {
		ret = -EPERM;
	} else {
		ret = policy->allow(&ci);
		if (ret > 0)
			ret = -EPERM;
		else if (!ret && partial &&
			 policy->partial_2m == PRIVMEM_PARTIAL_2M_REFUSE)
			ret = -EPERM;
	}
	trace_privmem_policy(&ci, ret);
	if (ret)
		return ret;

	privmem_plan_sort(plan);
	for (i = 0; i < plan->nr; i++) {
		struct privmem_op *op = &plan->steps[i].op;

		op->space = space;
		op->prelaunch = ci.prelaunch;
		if (plan->steps[i].kind != PRIVMEM_STEP_CONVERT)
			continue;
		nconv++;
		ci.gfn = op->gfn;
		ci.npages = op->npages;
		ci.from = op->from;
		ci.to = op->to;
		ci.gran = op->gran;
		op->mode = policy->mode(&ci);
		if (ci.who == PRIVMEM_BY_HOST && !ci.prelaunch &&
		    op->to == PRIVMEM_SHARED)
			op->mode = PRIVMEM_MODE_DESTRUCTIVE;
	}
	plan->kind = plan->nr == 1 && nconv == 1 ? PRIVMEM_PLAN_SIMPLE :
						  PRIVMEM_PLAN_COMPLEX;
	return 0;
}
