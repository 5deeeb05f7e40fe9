/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of the privmem core: one per conversion request, one per
 * policy decision, one per conversion step, and one per 2M block smashed
 * or merged.  Emitted from
 * virt/privmem/core/ with the space's conversion mutex held (the request
 * event just after it is dropped).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM privmem

#if !defined(_TRACE_PRIVMEM_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_PRIVMEM_H

#include <linux/privmem.h>
#include <linux/tracepoint.h>

#define privmem_show_attr(attr)					\
	__print_symbolic(attr,					\
			 { PRIVMEM_SHARED,	"shared" },	\
			 { PRIVMEM_PRIVATE,	"private" })

#define privmem_show_gran(gran)					\
	__print_symbolic(gran,					\
			 { PRIVMEM_GRAN_4K,	"4K" },		\
			 { PRIVMEM_GRAN_2M,	"2M" })

#define privmem_show_who(who)					\
	__print_symbolic(who,					\
			 { PRIVMEM_BY_GUEST,	"guest" },	\
			 { PRIVMEM_BY_HOST,	"host" },	\
			 { PRIVMEM_BY_FAULT,	"fault" })

#define privmem_show_mode(mode)					\
	__print_symbolic(mode,					\
			 { PRIVMEM_MODE_DESTRUCTIVE,	"destructive" },	\
			 { PRIVMEM_MODE_INPLACE,	"inplace" })

/*
 * privmem_convert - a conversion request has finished
 * @space: the space.
 * @nr: entries in the request.
 * @flags: PRIVMEM_CONVERT_* flags.
 * @done: entries completed, as returned to the caller.
 * @ret: the return value of privmem_convert().
 */
TRACE_EVENT(privmem_convert,
	    TP_PROTO(const struct privmem_space *space, unsigned int nr,
		     unsigned int flags, unsigned int done, int ret),
	    TP_ARGS(space, nr, flags, done, ret),
	    TP_STRUCT__entry(__field(const void *, space)
			     __field(unsigned int, nr)
			     __field(unsigned int, flags)
			     __field(unsigned int, done)
			     __field(int, ret)),
	    TP_fast_assign(__entry->space = space;
			   __entry->nr = nr;
			   __entry->flags = flags;
			   __entry->done = done;
			   __entry->ret = ret;),
	    TP_printk("space=%p nr=%u flags=%#x done=%u ret=%d",
		      __entry->space, __entry->nr, __entry->flags,
		      __entry->done, __entry->ret)
);

/*
 * privmem_policy - whether an entry that changes memory may go ahead
 * @ci: what was decided about: the entry's range, target, requester.
 * @ret: 0 if it may; -EPERM if the policy refused it, implicit
 *	conversion is off for the space, or the entry needs a smash the
 *	policy refuses; another errno the policy returned.
 *
 * Emitted each time the core decides about an entry that needs a step
 * (a no-op entry asks nobody), before any step runs.  An entry planned
 * as a candidate for the coalesced step of the entries before it, and
 * then run on its own, is decided (and traced) twice.
 */
TRACE_EVENT(privmem_policy,
	    TP_PROTO(const struct privmem_conv_info *ci, int ret),
	    TP_ARGS(ci, ret),
	    TP_STRUCT__entry(__field(const void *, space)
			     __field(u64, gfn)
			     __field(u64, npages)
			     __field(u8, to)
			     __field(u8, who)
			     __field(bool, prelaunch)
			     __field(int, ret)),
	    TP_fast_assign(__entry->space = ci->space;
			   __entry->gfn = ci->gfn;
			   __entry->npages = ci->npages;
			   __entry->to = ci->to;
			   __entry->who = ci->who;
			   __entry->prelaunch = ci->prelaunch;
			   __entry->ret = ret;),
	    TP_printk("space=%p gfn=%#llx npages=%llu to=%s who=%s prelaunch=%d ret=%d",
		      __entry->space, __entry->gfn, __entry->npages,
		      privmem_show_attr(__entry->to),
		      privmem_show_who(__entry->who), __entry->prelaunch,
		      __entry->ret)
);

/*
 * privmem_step - one conversion step (one backend and one arch call) ran
 * @op: the step, as handed to the backend and arch ops.
 * @ret: 0, or the errno that failed the step (then it undid itself).
 */
TRACE_EVENT(privmem_step,
	    TP_PROTO(const struct privmem_op *op, int ret),
	    TP_ARGS(op, ret),
	    TP_STRUCT__entry(__field(const void *, space)
			     __field(u64, gfn)
			     __field(u64, npages)
			     __field(u8, from)
			     __field(u8, to)
			     __field(u8, gran)
			     __field(u8, mode)
			     __field(int, ret)),
	    TP_fast_assign(__entry->space = op->space;
			   __entry->gfn = op->gfn;
			   __entry->npages = op->npages;
			   __entry->from = op->from;
			   __entry->to = op->to;
			   __entry->gran = op->gran;
			   __entry->mode = op->mode;
			   __entry->ret = ret;),
	    TP_printk("space=%p gfn=%#llx npages=%llu %s->%s gran=%s mode=%s ret=%d",
		      __entry->space, __entry->gfn, __entry->npages,
		      privmem_show_attr(__entry->from),
		      privmem_show_attr(__entry->to),
		      privmem_show_gran(__entry->gran),
		      privmem_show_mode(__entry->mode), __entry->ret)
);

DECLARE_EVENT_CLASS(privmem_block,
		    TP_PROTO(const struct privmem_space *space, u64 gfn, int ret),
		    TP_ARGS(space, gfn, ret),
		    TP_STRUCT__entry(__field(const void *, space)
				     __field(u64, gfn)
				     __field(int, ret)),
		    TP_fast_assign(__entry->space = space;
				   __entry->gfn = gfn;
				   __entry->ret = ret;),
		    TP_printk("space=%p gfn=%#llx ret=%d",
			      __entry->space, __entry->gfn, __entry->ret)
);

/*
 * privmem_smash - a private 2M block was split into 4K pages (or not: @ret)
 * @space: the space.
 * @gfn: first frame of the block.
 * @ret: 0, or the arch op's errno.
 */
DEFINE_EVENT(privmem_block, privmem_smash,
	     TP_PROTO(const struct privmem_space *space, u64 gfn, int ret),
	     TP_ARGS(space, gfn, ret)
);

/*
 * privmem_merge - a block of 4K private pages was merged into 2M
 * @space: the space.
 * @gfn: first frame of the block.
 * @ret: 0, or the arch op's errno (an opportunistic merge may fail).
 */
DEFINE_EVENT(privmem_block, privmem_merge,
	     TP_PROTO(const struct privmem_space *space, u64 gfn, int ret),
	     TP_ARGS(space, gfn, ret)
);

#endif /* _TRACE_PRIVMEM_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
