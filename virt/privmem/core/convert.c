// SPDX-License-Identifier: GPL-2.0
/*
 * privmem_convert(): validate, plan and carry out a conversion request.
 */
/**
 * DOC: Range states
 *
 * Every frame of a bound span is in one of three states.  Conversions
 * move ranges between them; the policy's mode decides whether a change of
 * attribute destroys the contents (D) or keeps them in place (I); a change
 * of granularity never touches contents::
 *
 *                      convert to private at 4K (D/I)
 *          +--------+ ------------------------------> +-------------+
 *          | SHARED |                                 | PRIVATE 4K  |
 *          +--------+ <------------------------------ +-------------+
 *            ^    |        convert to shared (D/I)       |       ^
 *            |    |                                      | merge | smash
 *  convert   |    | convert to private at 2M (D/I)       v       |
 *  to shared |    +----------------------------------> +-------------+
 *    (D/I)   +---------------------------------------- | PRIVATE 2M  |
 *                                                      +-------------+
 *
 * While a step runs, its entry's frames are marked converting (the
 * window in &struct privmem_space): privmem_lookup() answers -EAGAIN for
 * them, never a half state.  Pre-boot population is written into SHARED
 * frames; the policy keeps it in place on the first conversion to private
 * before launch (&privmem_conv_info.prelaunch).
 */
/**
 * DOC: Conversion requests
 *
 * A request is a batch of at most %PRIVMEM_MAX_ENTRIES entries, carried
 * out in order with entry-level all-or-nothing semantics, like the SNP
 * page-state-change protocol: when entry k fails, entries 0..k-1 stay
 * converted, entry k is untouched, later entries are never started, and
 * @done reports k.
 *
 *  1. Cheap argument checks, then the mutex, then the lifecycle state.
 *  2. Validation of every entry, with no side effect.
 *  3. Per entry, planning (plan.c), which asks the policy.
 *  4. Coalescing: consecutive entries whose plan is a single conversion,
 *     contiguous and with the same direction, granularity and mode, run
 *     as one step: one backend prepare/commit and one arch call.  If that
 *     step fails it has undone itself, and its entries are run again one
 *     by one so that @done stays exact.
 *  5. Each step reserves its tree store first (range.c), then calls the
 *     backend and arch ops (step.c); a failing entry undoes its completed
 *     steps in reverse order before the backend commits any of them.
 *  6. Eager merges (compact.c), statistics, the debug invariant check,
 *     trace events (include/trace/events/privmem.h): privmem_policy for
 *     each entry the policy was asked about, privmem_step for each
 *     conversion step, privmem_smash and privmem_merge for each 2M
 *     block, privmem_convert for the request.
 */
#include "privmem_internal.h"
#include "convert.h"
#include "range.h"

/* Is @e well formed and inside the bound span? */
static bool privmem_entry_valid(const struct privmem_space *space,
				const struct privmem_entry *e)
{
	u64 end = e->gfn + e->npages;

	if (e->attr > PRIVMEM_PRIVATE || e->gran > PRIVMEM_GRAN_2M)
		return false;
	if (memchr_inv(e->rsvd, 0, sizeof(e->rsvd)))
		return false;
	if (!e->npages || end < e->gfn)
		return false;
	if (e->gfn < space->base || end > privmem_space_end(space))
		return false;
	if (e->gran == PRIVMEM_GRAN_2M &&
	    ((e->gfn | e->npages) & (PRIVMEM_PAGES_2M - 1)))
		return false;
	return true;
}

/* Do @a and @b share a frame? */
static bool privmem_entries_overlap(const struct privmem_entry *a,
				    const struct privmem_entry *b)
{
	return a->gfn < b->gfn + b->npages && b->gfn < a->gfn + a->npages;
}

/*
 * The first entry, in request order, that overlaps an earlier one.  Only
 * called once an overlap is known to exist: quadratic, but bounded by
 * %PRIVMEM_MAX_ENTRIES and only on the error path.
 */
static unsigned int privmem_first_overlap(const struct privmem_entry *entries,
					  unsigned int nr)
{
	unsigned int i, j;

	for (i = 1; i < nr; i++)
		for (j = 0; j < i; j++)
			if (privmem_entries_overlap(&entries[j], &entries[i]))
				return i;
	return nr;
}

/*
 * privmem_validate() - check a whole request before touching anything
 * @space: the space.
 * @entries: the entries.
 * @nr: number of entries.
 * @bad: returns the index of the offending entry on failure: the first
 *	malformed, zero-length, out-of-span or misaligned entry; if there is
 *	none, the first entry that overlaps an earlier one (the later of the
 *	two in request order); %PRIVMEM_MAX_ENTRIES, the first entry that
 *	does not fit, for -E2BIG.  Untouched on success.
 *
 * Return: 0, or -EINVAL for a malformed, out-of-span, misaligned or
 * zero-length entry or for two overlapping entries, or -E2BIG for more
 * than %PRIVMEM_MAX_ENTRIES entries.
 */
VISIBLE_IF_KUNIT int privmem_validate(const struct privmem_space *space,
				      const struct privmem_entry *entries,
				      unsigned int nr, unsigned int *bad)
{
	u8 order[PRIVMEM_MAX_ENTRIES];
	unsigned int i, j;
	u8 tmp;

	if (nr > PRIVMEM_MAX_ENTRIES) {
		*bad = PRIVMEM_MAX_ENTRIES;
		return -E2BIG;
	}
	for (i = 0; i < nr; i++) {
		if (!privmem_entry_valid(space, &entries[i])) {
			*bad = i;
			return -EINVAL;
		}
		order[i] = i;
	}
	/* Insertion sort by gfn: nr is small and often nearly sorted. */
	for (i = 1; i < nr; i++) {
		tmp = order[i];
		for (j = i; j > 0 && entries[order[j - 1]].gfn > entries[tmp].gfn; j--)
			order[j] = order[j - 1];
		order[j] = tmp;
	}
	/* Sorted, any overlap shows between neighbours. */
	for (i = 1; i < nr; i++) {
		if (privmem_entries_overlap(&entries[order[i - 1]],
					    &entries[order[i]])) {
			*bad = privmem_first_overlap(entries, nr);
			return -EINVAL;
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(privmem_validate);

/*
 * Can @next's single conversion be folded into @run, whose last frame is
 * @last?
 */
static bool privmem_can_coalesce(const struct privmem_step *run, u64 last,
				 const struct privmem_step *next)
{
	return last + 1 == next->op.gfn &&
	       run->op.from == next->op.from && run->op.to == next->op.to &&
	       run->op.gran == next->op.gran && run->op.mode == next->op.mode;
}

/* One step, its own unit: mark, run, commit, unmark. */
static int privmem_run_single(struct privmem_space *space,
			      const struct privmem_step *step)
{
	int ret;

	privmem_space_mark(space, step->op.gfn, privmem_step_last(step));
	ret = privmem_step_run(space, step);
	if (!ret)
		privmem_step_commit(space, step);
	privmem_space_unmark(space);
	return ret;
}

/* Carry out a multi-step plan as one unit, undoing it on failure. */
static int privmem_run_plan(struct privmem_space *space,
			    const struct privmem_plan *plan)
{
	u64 first = U64_MAX, last = 0;
	unsigned int i;
	int ret = 0, err, broken = 0;

	for (i = 0; i < plan->nr; i++) {
		first = min(first, plan->steps[i].op.gfn);
		last = max(last, privmem_step_last(&plan->steps[i]));
	}
	privmem_space_mark(space, first, last);
	for (i = 0; i < plan->nr; i++) {
		ret = privmem_step_run(space, &plan->steps[i]);
		if (ret)
			break;
	}
	if (ret) {
		while (i--) {
			err = privmem_step_undo(space, &plan->steps[i]);
			if (err) {
				broken = err;
				break;
			}
		}
	} else {
		for (i = 0; i < plan->nr; i++)
			privmem_step_commit(space, &plan->steps[i]);
	}
	if (broken) {
		/*
		 * The hardware no longer matches what undoing steps
		 * [0, i] expects: undo no further.  Kill the space, which
		 * has the arch give every page back and stop mapping the
		 * span, and only then let the backend drop what it holds
		 * for those steps.
		 */
		__privmem_space_kill(space);
		do {
			privmem_step_abandon(space, &plan->steps[i]);
		} while (i--);
		ret = broken;
	}
	privmem_space_unmark(space);
	return ret;
}

#define PRIVMEM_SEG_INLINE	8

/**
 * struct privmem_request - state of one privmem_convert() call
 * @space: the space.
 * @entries: the entries.
 * @nr: number of entries.
 * @flags: PRIVMEM_CONVERT_* flags: explicit or implicit, guest or host.
 * @done: entries completed so far.
 * @run: the step shared by the SIMPLE entries of the current run.
 * @seg: for each entry of the run, the range its step covers.
 * @seg_inline: @seg for small requests (a guest's single-page requests
 *	and most host ones), which then allocate nothing.
 */
struct privmem_request {
	struct privmem_space *space;
	const struct privmem_entry *entries;
	unsigned int nr;
	unsigned int flags;
	unsigned int done;
	struct privmem_step run;
	struct privmem_seg {
		u64 gfn;
		u64 npages;
	} *seg;
	struct privmem_seg seg_inline[PRIVMEM_SEG_INLINE];
};

static void privmem_entry_done(struct privmem_request *rq, bool noop)
{
	rq->done++;
	rq->space->stats.entries++;
	if (noop)
		rq->space->stats.noops++;
}

/*
 * Entries [@i, @j) are SIMPLE, contiguous and compatible: run them as one
 * step, or one by one if that fails.
 */
static int privmem_run_coalesced(struct privmem_request *rq, unsigned int i,
				 unsigned int j)
{
	struct privmem_space *space = rq->space;
	struct privmem_step run = rq->run, one = rq->run;
	u64 last = rq->seg[j - 1].gfn + rq->seg[j - 1].npages - 1;
	unsigned int k;
	int ret;

	run.op.gfn = rq->seg[i].gfn;
	run.op.npages = last - run.op.gfn + 1;
	ret = privmem_run_single(space, &run);
	if (!ret) {
		space->stats.coalesced += j - i - 1;
		for (k = i; k < j; k++)
			privmem_entry_done(rq, false);
	} else if (j - i > 1) {
		for (k = i; k < j; k++) {
			one.op.gfn = rq->seg[k].gfn;
			one.op.npages = rq->seg[k].npages;
			ret = privmem_run_single(space, &one);
			if (ret)
				break;
			privmem_entry_done(rq, false);
		}
		last = k > i ? rq->seg[k - 1].gfn + rq->seg[k - 1].npages - 1 : 0;
	}
	if (run.op.to == PRIVMEM_PRIVATE && rq->done > i)
		privmem_merge_pass(space, run.op.gfn, last);
	return ret;
}

static int privmem_convert_locked(struct privmem_request *rq)
{
	struct privmem_space *space = rq->space;
	const struct privmem_entry *e;
	struct privmem_plan plan;
	unsigned int i = 0, j;
	int ret;

	plan.steps = plan.inline_steps;
	privmem_plan_free(&plan);

	while (i < rq->nr) {
		e = &rq->entries[i];
		ret = privmem_plan_entry(space, e, rq->flags, &plan);
		if (ret)
			goto out;

		if (plan.kind == PRIVMEM_PLAN_NOOP) {
			privmem_entry_done(rq, true);
			i++;
			continue;
		}

		if (plan.kind == PRIVMEM_PLAN_COMPLEX) {
			ret = privmem_run_plan(space, &plan);
			if (ret)
				goto out;
			privmem_entry_done(rq, false);
			if (e->attr == PRIVMEM_PRIVATE)
				privmem_merge_pass(space, e->gfn,
						   e->gfn + e->npages - 1);
			privmem_plan_free(&plan);
			i++;
			continue;
		}

		/* SIMPLE: gather the compatible SIMPLE entries that follow. */
		rq->run = plan.steps[0];
		rq->seg[i].gfn = plan.steps[0].op.gfn;
		rq->seg[i].npages = plan.steps[0].op.npages;
		for (j = i + 1; j < rq->nr; j++) {
			u64 last = rq->seg[j - 1].gfn + rq->seg[j - 1].npages - 1;

			privmem_plan_free(&plan);
			/* Not adjacent: do not even plan (ask the policy). */
			if (rq->entries[j].gfn != last + 1)
				break;
			if (privmem_plan_entry(space, &rq->entries[j], rq->flags,
					       &plan) ||
			    plan.kind != PRIVMEM_PLAN_SIMPLE ||
			    !privmem_can_coalesce(&rq->run, last, &plan.steps[0]))
				break;
			rq->seg[j].gfn = plan.steps[0].op.gfn;
			rq->seg[j].npages = plan.steps[0].op.npages;
		}
		privmem_plan_free(&plan);
		ret = privmem_run_coalesced(rq, i, j);
		if (ret)
			goto out;
		i = j;
	}
	ret = 0;
out:
	privmem_plan_free(&plan);
	return ret;
}

/**
 * privmem_convert() - convert a batch of ranges
 * @space: the space.
 * @entries: the entries, see &struct privmem_entry.
 * @nr: number of entries, at most %PRIVMEM_MAX_ENTRIES.
 * @flags: %PRIVMEM_CONVERT_IMPLICIT for a fault-driven request;
 *	%PRIVMEM_CONVERT_HOST for one the host (the VMM) makes; 0 for the
 *	guest's own.  After launch every private -> shared step of a host
 *	request is destructive, whatever the policy says.
 * @done: returns how many entries, from the first, are done (converted or
 *	already in their target state), like the SNP PSC cur_entry.
 * @err_index: if not NULL, returns the index of the entry that stopped the
 *	request: for a validation failure the offending entry (for two
 *	overlapping entries the later in request order; %PRIVMEM_MAX_ENTRIES
 *	for -E2BIG), otherwise @done, so @nr on success.
 *
 * Carries out the entries in order; see "DOC: Conversion requests" for
 * the guarantees on failure.  Takes the space's conversion mutex and may
 * sleep.  Validation failures (-EINVAL, -E2BIG) and lifecycle errors
 * change nothing and report @done = 0.
 *
 * Return:
 * * 0 - every entry is done;
 * * -EINVAL - unknown @flags, both IMPLICIT and HOST, @entries or @done
 *   NULL, or entry @err_index is malformed (attribute, granularity or
 *   reserved bytes), zero-length, outside the bound span, misaligned for
 *   2M, or overlaps an earlier one;
 * * -E2BIG - @nr is above %PRIVMEM_MAX_ENTRIES;
 * * -ENXIO - the space is not bound yet (CREATED);
 * * -ENODEV - the space is dead;
 * * -EPERM - entry @done was refused: implicit conversion is off for this
 *   space, the policy refused it, or it covers part of a private 2M block
 *   and the policy refuses to smash;
 * * -ENOMEM - no memory to plan or record entry @done, or it would take
 *   more than %PRIVMEM_MAX_STEPS steps (a range fragmented into more
 *   separate runs: convert it in smaller entries);
 * * -EIO - entry @done failed and could not be undone; the space is dead;
 * * any other errno - returned by a backend or arch op for entry @done.
 */
int privmem_convert(struct privmem_space *space,
		    const struct privmem_entry *entries, unsigned int nr,
		    unsigned int flags, unsigned int *done,
		    unsigned int *err_index)
{
	struct privmem_request rq = {
		.space = space,
		.entries = entries,
		.nr = nr,
		.flags = flags,
	};
	unsigned int bad = 0;
	bool invalid = false;
	int ret;

	if (err_index)
		*err_index = 0;
	if (!done)
		return -EINVAL;
	*done = 0;
	if ((flags & ~PRIVMEM_CONVERT_FLAGS) ||
	    (flags & PRIVMEM_CONVERT_IMPLICIT && flags & PRIVMEM_CONVERT_HOST))
		return -EINVAL;
	if (nr > PRIVMEM_MAX_ENTRIES) {
		if (err_index)
			*err_index = PRIVMEM_MAX_ENTRIES;
		return -E2BIG;
	}
	if (!nr)
		return 0;
	if (!entries)
		return -EINVAL;

	/* 16 bytes per entry: at most one page. */
	rq.seg = rq.seg_inline;
	if (nr > PRIVMEM_SEG_INLINE) {
		rq.seg = kmalloc_array(nr, sizeof(*rq.seg), GFP_KERNEL);
		if (!rq.seg)
			return -ENOMEM;
	}

	mutex_lock(&space->lock);
	ret = privmem_space_op_errno(space->state, PRIVMEM_SPACE_OP_USE);
	if (!ret) {
		ret = privmem_validate(space, entries, nr, &bad);
		invalid = ret;
	}
	if (!ret) {
		ret = privmem_convert_locked(&rq);
		if (ret)
			space->stats.failures++;
		if (IS_ENABLED(CONFIG_PRIVMEM_DEBUG) &&
		    space->state != PRIVMEM_SPACE_DEAD)
			WARN_ON(__privmem_space_check(space));
	}
	mutex_unlock(&space->lock);
	trace_privmem_convert(space, nr, flags, rq.done, ret);

	if (rq.seg != rq.seg_inline)
		kfree(rq.seg);
	*done = rq.done;
	if (err_index)
		*err_index = invalid ? bad : rq.done;
	return ret;
}
EXPORT_SYMBOL_GPL(privmem_convert);
