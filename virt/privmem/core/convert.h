/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Conversion internals shared by plan.c, step.c, compact.c and convert.c.
 */
#ifndef _PRIVMEM_CORE_CONVERT_H
#define _PRIVMEM_CORE_CONVERT_H

#include "space.h"

/**
 * enum privmem_step_kind - what one step does
 * @PRIVMEM_STEP_SPLIT: split a private 2M block into 4K (smash).
 * @PRIVMEM_STEP_CONVERT: change the attribute of a range: one backend
 *	prepare/commit pair and one arch set op.
 * @PRIVMEM_STEP_MERGE: merge a uniformly 4K private block to 2M.
 */
enum privmem_step_kind {
	PRIVMEM_STEP_SPLIT,
	PRIVMEM_STEP_CONVERT,
	PRIVMEM_STEP_MERGE,
};

/**
 * struct privmem_step - one step of a plan
 * @kind: what the step does.
 * @op: the range (for SPLIT and MERGE, the 2M block) and, for CONVERT,
 *	the full description handed to the backend and arch ops.
 */
struct privmem_step {
	enum privmem_step_kind kind;
	struct privmem_op op;
};

/**
 * enum privmem_plan_kind - how an entry will be carried out
 * @PRIVMEM_PLAN_NOOP: already in the target state.
 * @PRIVMEM_PLAN_SIMPLE: exactly one CONVERT step; may be coalesced with
 *	neighbouring SIMPLE entries into one step.
 * @PRIVMEM_PLAN_COMPLEX: anything else: several conversions, smashes or
 *	merges, carried out and undone as a unit.
 */
enum privmem_plan_kind {
	PRIVMEM_PLAN_NOOP,
	PRIVMEM_PLAN_SIMPLE,
	PRIVMEM_PLAN_COMPLEX,
};

#define PRIVMEM_PLAN_INLINE	4
/* 3.5 MiB of steps at most; a power of 2 times PRIVMEM_PLAN_INLINE. */
#define PRIVMEM_PLAN_MAX_STEPS	PRIVMEM_MAX_STEPS

/**
 * struct privmem_plan - the steps that carry out one entry
 * @kind: see &enum privmem_plan_kind.
 * @nr: number of steps.
 * @cap: capacity of @steps.
 * @steps: the steps, in execution order: smashes, conversions, merges.
 * @inline_steps: storage for small plans.
 */
struct privmem_plan {
	enum privmem_plan_kind kind;
	unsigned int nr;
	unsigned int cap;
	struct privmem_step *steps;
	struct privmem_step inline_steps[PRIVMEM_PLAN_INLINE];
};

int privmem_plan_entry(struct privmem_space *space,
		       const struct privmem_entry *e, unsigned int flags,
		       struct privmem_plan *plan);
void privmem_plan_free(struct privmem_plan *plan);

int privmem_step_run(struct privmem_space *space,
		     const struct privmem_step *step);
void privmem_step_abandon(struct privmem_space *space,
			  const struct privmem_step *step);
int privmem_step_undo(struct privmem_space *space,
		      const struct privmem_step *step);
void privmem_step_commit(struct privmem_space *space,
			 const struct privmem_step *step);

void privmem_merge_pass(struct privmem_space *space, u64 first, u64 last);

#if IS_ENABLED(CONFIG_KUNIT)
/* Reached by the KUnit suites through EXPORT_SYMBOL_IF_KUNIT. */
int privmem_validate(const struct privmem_space *space,
		     const struct privmem_entry *entries, unsigned int nr,
		     unsigned int *bad);
#endif

static inline u64 privmem_step_last(const struct privmem_step *step)
{
	return step->op.gfn + step->op.npages - 1;
}

#endif /* _PRIVMEM_CORE_CONVERT_H */
