// SPDX-License-Identifier: GPL-2.0
/*
 * Carrying out and undoing one step of a conversion plan.
 */
/**
 * DOC: Steps
 *
 * A step changes one range and is recorded by exactly one store into the
 * range map, reserved before any op runs:
 *
 *  - CONVERT: store reserved; backend prepare; arch prepare; arch
 *    set_private or set_shared; arch finish; store committed.  The
 *    backend commit (which may scrub the old contents) is deferred until
 *    every step of the entry succeeded: until then the step can be undone
 *    by the reverse arch op and a backend abort.
 *  - SPLIT: store reserved; arch split_2m; store committed.
 *  - MERGE: store reserved; arch merge_2m; store committed.
 *
 * A step that fails has undone itself; privmem_step_undo() reverses a
 * step that completed.  Reversing a split is best effort: if the arch
 * cannot merge the block again, it stays at 4K, which is a correct state
 * with the same attribute.  Reversing a merge or a conversion must work:
 * if the arch refuses, the hardware no longer matches what the undo of
 * the remaining steps expects: the caller undoes no further, kills the
 * space and abandons the steps left (privmem_step_abandon()).  Such a
 * failure is the hardware's or the adapter's, not a kernel bug, so it is
 * reported with pr_err(), not WARN().
 */
#include "privmem_internal.h"
#include "convert.h"
#include "range.h"

static unsigned int privmem_step_old_st(const struct privmem_step *step)
{
	switch (step->kind) {
	case PRIVMEM_STEP_SPLIT:
		return PRIVMEM_ST_P2M;
	case PRIVMEM_STEP_MERGE:
		return PRIVMEM_ST_P4K;
	default:
		return privmem_st(step->op.from, step->op.gran);
	}
}

static unsigned int privmem_step_new_st(const struct privmem_step *step)
{
	switch (step->kind) {
	case PRIVMEM_STEP_SPLIT:
		return PRIVMEM_ST_P4K;
	case PRIVMEM_STEP_MERGE:
		return PRIVMEM_ST_P2M;
	default:
		return privmem_st(step->op.to, step->op.gran);
	}
}

/* The arch half of a conversion: prepare, set_private/set_shared, finish. */
static int privmem_arch_set(struct privmem_space *space,
			    const struct privmem_op *op)
{
	const struct privmem_arch_ops *arch = space->arch;
	void *priv = space->arch_priv;
	int ret;

	if (arch->prepare) {
		ret = arch->prepare(priv, op);
		if (ret)
			return ret;
	}
	if (op->to == PRIVMEM_PRIVATE)
		ret = arch->set_private(priv, op);
	else
		ret = arch->set_shared(priv, op);
	if (arch->finish)
		arch->finish(priv, op, ret);
	return ret;
}

static int privmem_step_hw(struct privmem_space *space,
			   const struct privmem_step *step)
{
	const struct privmem_arch_ops *arch = space->arch;
	int ret;

	switch (step->kind) {
	case PRIVMEM_STEP_SPLIT:
		return arch->split_2m(space->arch_priv, step->op.gfn);
	case PRIVMEM_STEP_MERGE:
		return arch->merge_2m(space->arch_priv, step->op.gfn);
	default:
		ret = space->backend->prepare(space->backend_priv, &step->op);
		if (ret)
			return ret;
		ret = privmem_arch_set(space, &step->op);
		if (ret)
			space->backend->abort(space->backend_priv, &step->op);
		return ret;
	}
}

static void privmem_step_trace(struct privmem_space *space,
			       const struct privmem_step *step, int ret)
{
	switch (step->kind) {
	case PRIVMEM_STEP_SPLIT:
		trace_privmem_smash(space, step->op.gfn, ret);
		break;
	case PRIVMEM_STEP_MERGE:
		trace_privmem_merge(space, step->op.gfn, ret);
		break;
	default:
		trace_privmem_step(&step->op, ret);
		break;
	}
}

/**
 * privmem_step_run() - carry out one step
 * @space: the space; its lock must be held.
 * @step: the step.
 *
 * Return: 0, or a negative errno with nothing changed.
 */
int privmem_step_run(struct privmem_space *space,
		     const struct privmem_step *step)
{
	struct privmem_store store;
	int ret;

	lockdep_assert_held(&space->lock);
	ret = privmem_store_prepare(space, &store, step->op.gfn,
				    privmem_step_last(step),
				    privmem_step_new_st(step), GFP_KERNEL);
	if (ret)
		return ret;

	ret = privmem_step_hw(space, step);
	privmem_step_trace(space, step, ret);
	if (ret) {
		privmem_store_cancel(space, &store);
		return ret;
	}
	privmem_store_commit(space, &store);

	if (step->kind == PRIVMEM_STEP_SPLIT)
		space->stats.smashes++;
	else if (step->kind == PRIVMEM_STEP_MERGE)
		space->stats.merges++;
	return 0;
}

/**
 * privmem_step_undo() - reverse a step that privmem_step_run() completed
 * @space: the space; its lock must be held.
 * @step: the step.
 *
 * Called in reverse order for the completed steps of a failing entry,
 * before privmem_step_commit().
 *
 * Return: 0, or -EIO if a conversion or a merge could not be reversed.
 */
int privmem_step_undo(struct privmem_space *space,
		      const struct privmem_step *step)
{
	const struct privmem_arch_ops *arch = space->arch;
	struct privmem_op rev;
	int ret;

	lockdep_assert_held(&space->lock);
	switch (step->kind) {
	case PRIVMEM_STEP_SPLIT:
		if (!arch->merge_2m)
			return 0;	/* stays smashed: same attribute */
		ret = arch->merge_2m(space->arch_priv, step->op.gfn);
		trace_privmem_merge(space, step->op.gfn, ret);
		if (ret)
			return 0;
		space->stats.merges++;
		break;
	case PRIVMEM_STEP_MERGE:
		/*
		 * The conversions undone next expect 4K mappings, so a
		 * block that cannot be split again is fatal.
		 */
		ret = arch->split_2m(space->arch_priv, step->op.gfn);
		trace_privmem_smash(space, step->op.gfn, ret);
		if (ret) {
			pr_err_ratelimited("privmem: cannot undo merge of gfn %llx: %d\n",
					   step->op.gfn, ret);
			return -EIO;
		}
		space->stats.smashes++;
		break;
	default:
		rev = step->op;
		rev.from = step->op.to;
		rev.to = step->op.from;
		ret = privmem_arch_set(space, &rev);
		if (ret) {
			pr_err_ratelimited("privmem: cannot undo conversion of gfn %llx+%llx: %d\n",
					   step->op.gfn, step->op.npages, ret);
			return -EIO;
		}
		space->backend->abort(space->backend_priv, &step->op);
		break;
	}
	privmem_store_nofail(space, step->op.gfn, privmem_step_last(step),
			     privmem_step_old_st(step));
	return 0;
}

/**
 * privmem_step_abandon() - drop a step that can no longer be undone
 * @space: the space, just killed; its lock must be held.
 * @step: a step that completed, or whose undo failed.
 *
 * After an undo failed, the steps not undone (that one included) are
 * neither undone nor committed: the arch has already given every page
 * back.  A conversion's backend prepare is aborted, so that the backend
 * holds nothing for it when it is unbound.
 */
void privmem_step_abandon(struct privmem_space *space,
			  const struct privmem_step *step)
{
	lockdep_assert_held(&space->lock);
	if (step->kind == PRIVMEM_STEP_SPLIT || step->kind == PRIVMEM_STEP_MERGE)
		return;
	space->backend->abort(space->backend_priv, &step->op);
}

/**
 * privmem_step_commit() - make a completed step final
 * @space: the space; its lock must be held.
 * @step: the step.
 *
 * For a conversion, lets the backend commit (scrub or keep the old
 * contents); cannot fail.
 */
void privmem_step_commit(struct privmem_space *space,
			 const struct privmem_step *step)
{
	lockdep_assert_held(&space->lock);
	if (step->kind != PRIVMEM_STEP_CONVERT)
		return;
	space->backend->commit(space->backend_priv, &step->op);
	space->stats.steps++;
	if (step->op.to == PRIVMEM_PRIVATE)
		space->stats.pages_to_private += step->op.npages;
	else
		space->stats.pages_to_shared += step->op.npages;
}
