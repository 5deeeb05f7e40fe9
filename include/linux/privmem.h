/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privmem: hypervisor-agnostic tracking and conversion of confidential
 * guest memory between private and shared.
 *
 * A &struct privmem_space tracks every guest-physical frame (gfn) of one
 * VM in a range map and carries out conversion requests through three ops
 * tables:
 *
 *  - &struct privmem_policy_ops decides (may this happen, destructive or
 *    in place, what to do with a partial 2M range),
 *  - &struct privmem_backend_ops owns the pages (shmem today),
 *  - &struct privmem_arch_ops performs the hardware step (SNP, TDX, pKVM).
 *
 * The core (virt/privmem/core/) knows nothing of KVM or of any particular
 * hardware.  See Documentation/virt/privmem.rst and virt/privmem/core/.
 */
#ifndef _LINUX_PRIVMEM_H
#define _LINUX_PRIVMEM_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/list.h>

struct module;
struct privmem_space;

/* Limits */

/* Entries in one conversion request: the GHCB page-state-change maximum. */
#define PRIVMEM_MAX_ENTRIES		253
/*
 * Steps one entry may take: separate runs of frames to convert, smashes
 * and merges.  An entry over a more fragmented range fails with -ENOMEM.
 */
#define PRIVMEM_MAX_STEPS		65536
/* Pages (4K frames) in one 2M block. */
#define PRIVMEM_PAGES_2M		512
/* Bound spans must end below this gfn (52-bit physical addresses). */
#define PRIVMEM_MAX_GFN			BIT_ULL(40)
/* Size of &privmem_policy_ops.name, including the terminating NUL. */
#define PRIVMEM_POLICY_NAME_MAX		16

/**
 * enum privmem_attr - who may access a range
 * @PRIVMEM_SHARED: visible to the host and devices.
 * @PRIVMEM_PRIVATE: owned by the confidential guest, unreachable by the host.
 */
enum privmem_attr {
	PRIVMEM_SHARED,
	PRIVMEM_PRIVATE,
};

/**
 * enum privmem_gran - hardware mapping size of a private range
 * @PRIVMEM_GRAN_4K: 4K pages.
 * @PRIVMEM_GRAN_2M: 2M blocks: the range is 2M aligned and a multiple of 2M.
 *
 * Shared ranges are always recorded as @PRIVMEM_GRAN_4K: the granularity
 * only has a meaning for the private mapping the hardware keeps.
 */
enum privmem_gran {
	PRIVMEM_GRAN_4K,
	PRIVMEM_GRAN_2M,
};

/**
 * enum privmem_space_state - lifecycle of a &struct privmem_space
 * @PRIVMEM_SPACE_CREATED: created, no gfn span or backing bound yet.
 * @PRIVMEM_SPACE_BOUND: backend and arch bound to a gfn span; all of it
 *	starts shared.  The VMM may now convert and write pre-boot data.
 * @PRIVMEM_SPACE_POPULATED: pre-boot population is complete.
 * @PRIVMEM_SPACE_LAUNCHED: the guest runs; conversions follow the guest.
 * @PRIVMEM_SPACE_DEAD: torn down; every call fails with -ENODEV.
 * @PRIVMEM_SPACE_NR_STATES: number of states.
 *
 * The transitions and the errno of each illegal call are drawn and listed
 * in virt/privmem/core/space.c ("DOC: Space lifecycle").
 */
enum privmem_space_state {
	PRIVMEM_SPACE_CREATED,
	PRIVMEM_SPACE_BOUND,
	PRIVMEM_SPACE_POPULATED,
	PRIVMEM_SPACE_LAUNCHED,
	PRIVMEM_SPACE_DEAD,
	PRIVMEM_SPACE_NR_STATES,
};

/**
 * enum privmem_req - who asked for a conversion
 * @PRIVMEM_REQ_EXPLICIT: the guest asked (SNP page-state change, TDX MapGPA,
 *	KVM_HC_MAP_GPA_RANGE, pKVM MEM_SHARE/MEM_UNSHARE) or the VMM did.
 * @PRIVMEM_REQ_IMPLICIT: inferred from a fault whose access type differs
 *	from the range's attribute.
 */
enum privmem_req {
	PRIVMEM_REQ_EXPLICIT,
	PRIVMEM_REQ_IMPLICIT,
};

/**
 * enum privmem_requester - who a conversion is for
 * @PRIVMEM_BY_GUEST: the guest, through a hypercall (SNP page-state
 *	change, TDX MapGPA, KVM_HC_MAP_GPA_RANGE, pKVM MEM_SHARE/UNSHARE).
 * @PRIVMEM_BY_HOST: the host: the VMM's KVM_PRIVMEM_CONVERT.  After
 *	launch the core makes every private -> shared step of the host
 *	destructive, whatever the policy answers, so that the host never
 *	gets the guest's private contents back.
 * @PRIVMEM_BY_FAULT: the fault path, for an implicit conversion.
 */
enum privmem_requester {
	PRIVMEM_BY_GUEST,
	PRIVMEM_BY_HOST,
	PRIVMEM_BY_FAULT,
};

/**
 * enum privmem_mode - what happens to the contents of a converted range
 * @PRIVMEM_MODE_DESTRUCTIVE: the old contents are destroyed (scrubbed)
 *	before the other side can see the range, which then reads as fresh
 *	memory; the backend may clear the same page or put another one in.
 * @PRIVMEM_MODE_INPLACE: the same physical page stays and keeps its
 *	contents; only ownership and mappings change.
 */
enum privmem_mode {
	PRIVMEM_MODE_DESTRUCTIVE,
	PRIVMEM_MODE_INPLACE,
};

/**
 * enum privmem_partial_2m - converting part of a 2M private block
 * @PRIVMEM_PARTIAL_2M_SMASH: split the block into 4K pieces (SNP PSMASH,
 *	TDX demote), then convert the requested pieces.
 * @PRIVMEM_PARTIAL_2M_REFUSE: refuse the entry with -EPERM.
 */
enum privmem_partial_2m {
	PRIVMEM_PARTIAL_2M_SMASH,
	PRIVMEM_PARTIAL_2M_REFUSE,
};

/**
 * enum privmem_merge - merging uniform 4K private blocks back to 2M
 * @PRIVMEM_MERGE_EAGER: as soon as a conversion to private leaves a 2M
 *	aligned block uniformly private at 4K, merge it (unsmash, promote).
 * @PRIVMEM_MERGE_LAZY: leave such blocks at 4K until privmem_space_compact()
 *	or an explicit 2M request covers them.
 * @PRIVMEM_MERGE_NEVER: only an explicit 2M request merges a block.
 */
enum privmem_merge {
	PRIVMEM_MERGE_EAGER,
	PRIVMEM_MERGE_LAZY,
	PRIVMEM_MERGE_NEVER,
};

/**
 * struct privmem_entry - one entry of a conversion request
 * @gfn: first guest frame.
 * @npages: number of 4K frames; a multiple of %PRIVMEM_PAGES_2M for 2M.
 * @attr: target attribute, an &enum privmem_attr.
 * @gran: granularity, an &enum privmem_gran.  For a private target this is
 *	the largest mapping the guest accepts; the core maps at 4K instead
 *	when the arch ops cannot split 2M blocks later.  For a shared target
 *	it only fixes the alignment the entry must have.
 * @rsvd: must be zero.
 *
 * Shaped like an SNP page-state-change entry so that an adapter can fill
 * an array of these straight from the GHCB.
 */
struct privmem_entry {
	u64 gfn;
	u64 npages;
	u8 attr;
	u8 gran;
	u8 rsvd[6];
};

/* privmem_convert() flags */
#define PRIVMEM_CONVERT_IMPLICIT	BIT(0)		/* else explicit */
#define PRIVMEM_CONVERT_HOST		BIT(1)		/* else the guest */
#define PRIVMEM_CONVERT_FLAGS		(PRIVMEM_CONVERT_IMPLICIT | \
					 PRIVMEM_CONVERT_HOST)

/**
 * struct privmem_conv_info - what a policy is asked about
 * @space: the space being converted.
 * @gfn: first frame of the entry (privmem_policy_ops.allow) or of the
 *	piece being converted (privmem_policy_ops.mode).
 * @npages: number of frames.
 * @from: attribute before the conversion.
 * @to: attribute after the conversion.
 * @gran: granularity of the request.
 * @req: explicit or implicit.
 * @who: who asks: the guest, the host (VMM) or the fault path.
 * @implicit_enabled: the space's copy of the implicit-conversion switch,
 *	taken when the space was created.
 * @prelaunch: the space is not launched yet (BOUND or POPULATED): a
 *	conversion to private keeps the pre-boot data in place (SNP
 *	LAUNCH_UPDATE encrypts it in place; TDX PAGE.ADD copies and
 *	measures the VMM's data into the page instead).
 */
struct privmem_conv_info {
	struct privmem_space *space;
	u64 gfn;
	u64 npages;
	enum privmem_attr from;
	enum privmem_attr to;
	enum privmem_gran gran;
	enum privmem_req req;
	enum privmem_requester who;
	bool implicit_enabled;
	bool prelaunch;
};

/**
 * struct privmem_policy_ops - a conversion policy (decides)
 *
 * Policies are registered with privmem_register_policy() (in
 * virt/privmem/policy/registry.c); every registration path checks them
 * with privmem_policy_validate().  A space keeps a pointer to its policy
 * and a reference on @owner from privmem_space_create() to
 * privmem_space_destroy().  The registry reference that keeps the policy
 * from being unregistered belongs to the &struct privmem_space_config the
 * space was created from, not to the space (see there).
 *
 * The callbacks are pure decisions: they must not sleep, must not call
 * back into privmem, and are called with the space's conversion mutex
 * held, once per entry (@allow) or per converted piece (@mode), before
 * any page or hardware state changes.
 */
struct privmem_policy_ops {
	/**
	 * @allow: (required) May this entry be converted?
	 * @ci: the request; @ci->from is the opposite of @ci->to.
	 *
	 * Called for each entry that is not already in its target state,
	 * after validation, with the conversion mutex held; must not sleep.
	 * Implicit requests reach it only when @ci->implicit_enabled is true
	 * (the core refuses them before asking otherwise).
	 *
	 * Return: 0 to allow, -EPERM to refuse the entry.
	 */
	int (*allow)(const struct privmem_conv_info *ci);

	/**
	 * @mode: (required) Destructive or in place?
	 * @ci: the piece being converted, with its real @ci->from.
	 *
	 * Called once per piece that changes attribute, after @allow, with
	 * the conversion mutex held; must not sleep.  This is where a policy
	 * keeps pre-boot data on the first conversion to private
	 * (@ci->prelaunch).
	 *
	 * Return: the &enum privmem_mode handed to the backend and arch ops.
	 */
	enum privmem_mode (*mode)(const struct privmem_conv_info *ci);

	/** @partial_2m: what to do when an entry covers part of a 2M block. */
	enum privmem_partial_2m partial_2m;

	/** @merge: when uniform 4K private blocks are merged back to 2M. */
	enum privmem_merge merge;

	/** @id: stable user-visible identifier, unique among policies. */
	u32 id;

	/** @name: unique NUL-terminated name, e.g. "cc" or "inplace". */
	char name[PRIVMEM_POLICY_NAME_MAX];

	/** @owner: module providing the policy (THIS_MODULE). */
	struct module *owner;

	/** @list: registry linkage; owned by the registry. */
	struct list_head list;
};

/**
 * struct privmem_op - one backend or arch step
 * @space: the space being converted.
 * @gfn: first frame.
 * @npages: number of frames; several adjacent entries may be coalesced
 *	into one op.
 * @from: attribute before.
 * @to: attribute after.
 * @gran: granularity of the private side: the granularity being mapped
 *	for a conversion to private, the granularity being unmapped for a
 *	conversion to shared.  A 2M op is 2M aligned and a multiple of 2M.
 * @mode: destructive or in place, from the policy.
 * @prelaunch: the space is not launched yet.
 *
 * Passed by the core to backend and arch ops; valid only during the call.
 */
struct privmem_op {
	struct privmem_space *space;
	u64 gfn;
	u64 npages;
	enum privmem_attr from;
	enum privmem_attr to;
	enum privmem_gran gran;
	enum privmem_mode mode;
	bool prelaunch;
};

/**
 * struct privmem_backend_ops - the store that owns the guest's pages
 *
 * A conversion step runs as prepare -> arch ops -> commit, or
 * prepare -> (arch ops fail) -> abort.  Only @commit makes the change
 * final, so a step can be undone until then.  When a request coalesces
 * several entries, one @prepare/@commit pair covers all of them.
 *
 * Unless said otherwise, ops are called from process context with the
 * space's conversion mutex held (&privmem_space.lock) and may sleep.
 */
struct privmem_backend_ops {
	/**
	 * @prepare: (required) Get ready to convert @op's range.
	 * @priv: the backend's cookie from privmem_space_bind().
	 * @op: the step.
	 *
	 * The only op of a step that may allocate and fail.  It must not
	 * lose anything either side could see again: it may already scrub
	 * the pages of a destructive conversion to private, which neither
	 * side can reach until the step commits, provided @abort can put
	 * the old contents back.  This is where such a scrub belongs: after
	 * the arch step the pages may be the guest's, and the host can no
	 * longer write them (SNP RMP).
	 *
	 * Return: 0 or a negative errno, which fails the entry.
	 */
	int (*prepare)(void *priv, const struct privmem_op *op);

	/**
	 * @commit: (required) Make @op final after the arch step succeeded.
	 * @priv: the backend's cookie.
	 * @op: the step, as passed to @prepare.
	 *
	 * Cannot fail.  For %PRIVMEM_MODE_DESTRUCTIVE the old contents are
	 * gone for good once it returns, so the other side never sees them
	 * (to private, @prepare scrubbed them and commit drops what @abort
	 * would have restored; to shared, commit scrubs pages the arch step
	 * gave back to the host); for %PRIVMEM_MODE_INPLACE it keeps the page
	 * and its contents.
	 */
	void (*commit)(void *priv, const struct privmem_op *op);

	/**
	 * @abort: (required) Undo @prepare; the range stays as it was.
	 * @priv: the backend's cookie.
	 * @op: the step, as passed to @prepare.
	 *
	 * Cannot fail, so it must not need memory.  Called when an arch op
	 * of this step (or of a later step of the same entry) failed, after
	 * the arch state of the range was restored: a failed request loses
	 * no data, so anything @prepare scrubbed is back when this returns.
	 */
	void (*abort)(void *priv, const struct privmem_op *op);

	/**
	 * @get_pfn: (optional) Host frame backing @gfn, for a fault path or
	 *	an arch adapter.
	 * @priv: the backend's cookie.
	 * @gfn: the frame.
	 * @pfn: returns the host frame number.
	 * @gran: returns the size of the folio backing it.
	 *
	 * Takes a reference on the page that the caller drops with @put_pfn.
	 * Called without the conversion mutex (fault path) or with it (arch
	 * op during a step; then it returns the page prepared by @prepare).
	 * May sleep.
	 *
	 * Return: 0, -ENOENT if no page backs @gfn, or another errno.
	 */
	int (*get_pfn)(void *priv, u64 gfn, u64 *pfn, enum privmem_gran *gran);

	/**
	 * @put_pfn: (optional, required with @get_pfn) Drop the reference
	 *	@get_pfn took.
	 * @priv: the backend's cookie.
	 * @pfn: the frame @get_pfn returned.
	 */
	void (*put_pfn)(void *priv, u64 pfn);

	/**
	 * @populate_done: (optional) Pre-boot population is complete.
	 * @priv: the backend's cookie.
	 *
	 * Called by privmem_space_populate_done() with the mutex held.
	 *
	 * Return: 0 or a negative errno, which leaves the space BOUND.
	 */
	int (*populate_done)(void *priv);

	/**
	 * @unbind: (optional) The space is being destroyed; release the
	 * backing.
	 * @priv: the backend's cookie.
	 *
	 * Called once, by privmem_space_destroy() with the mutex held, after
	 * the last step and after &privmem_arch_ops.unbind: by then no page
	 * of the span is private to the hardware any more, so the backend
	 * may free every page.  A space that died earlier (privmem_space_kill(),
	 * a failed undo) keeps its backend, and the backend its pages, until
	 * then.
	 */
	void (*unbind)(void *priv);
};

/* &privmem_arch_ops.flags */
#define PRIVMEM_ARCH_PAGELESS	BIT(0)
#define PRIVMEM_ARCH_FLAGS	PRIVMEM_ARCH_PAGELESS

/**
 * struct privmem_arch_ops - the hardware step of a conversion
 *
 * What each adapter maps onto these:
 *
 *  - SEV-SNP (arch/x86/kvm/svm/privmem-snp.c): KVM's nested page table is
 *    zapped first, then @set_private / @set_shared are RMPUPDATE at 4K,
 *    or at 2M for a block held in one 2M folio; @set_shared flushes the
 *    pages it gives back; @split_2m is PSMASH of a block assigned at 2M;
 *    @memory_failure is the zap; @unbind returns every assigned page.  No
 *    @merge_2m (the host cannot rebuild a validated 2M entry), no
 *    @prepare / @finish.  KVM_SEV_SNP_LAUNCH_UPDATE is not an op: KVM
 *    calls privmem_snp_launch_update() through kvm_privmem_populate().
 *  - TDX (arch/x86/kvm/vmx/privmem-tdx.c): KVM's mirror MMU issues every
 *    Secure-EPT SEAMCALL; @set_private, @set_shared, @memory_failure and
 *    @unbind zap KVM's mappings of their range, which for a conversion
 *    to shared BLOCKs, TRACKs and REMOVEs each page in the TD before the
 *    op returns (the guest's accept AUGs a page made private).  No 2M
 *    ops (KVM maps TDX private memory at 4K only).
 *  - pKVM (arch/arm64/kvm/privmem-pkvm.c): @set_private / @set_shared have
 *    EL2 carry out the guest's own MEM_UNSHARE / MEM_SHARE of a donated
 *    page, in place (a page not donated yet needs no hardware step); no
 *    2M ops.
 *  - the x86 software-protected VM (the glue's own ops): every op zaps
 *    KVM's mappings of its range; there is no hardware step, and the ops
 *    are %PRIVMEM_ARCH_PAGELESS.
 *
 * An op that fails must leave its own range as it found it; the core
 * undoes earlier successful ops of the failing entry by calling the
 * reverse op (@set_shared for @set_private, @merge_2m for @split_2m), so
 * a reverse op must not fail on a range its forward op just converted.
 * When an op cannot tell what state the hardware left a page in, the
 * adapter must never hand that page back to the host: it keeps the page
 * (holds its folio for ever: privmem_adapter_keep() in
 * <linux/privmem_adapter.h>) and fails with -EIO.  The SEV-SNP adapter
 * remembers the pages it kept: a later op whose range holds one fails
 * with -EHWPOISON and touches no hardware state.  The TDX adapter keeps
 * pages only of a TD that KVM marked bugged, and then fails every later
 * op with -EIO.  The core then fails
 * the entry like any other error; if undoing the entry's earlier steps
 * fails as well, the core kills the space and returns -EIO.  The VMM
 * should treat -EIO as fatal for the VM, as KVM's TDX_BUG_ON() does.
 *
 * Ops are called from process context with the space's conversion mutex
 * held and may sleep.
 */
struct privmem_arch_ops {
	/**
	 * @flags: %PRIVMEM_ARCH_* bits: what the adapter needs of the
	 *	backend.
	 *
	 * %PRIVMEM_ARCH_PAGELESS: no op of the adapter looks at the pages of
	 * its range; the hardware step, if any, happens when the fault path
	 * maps a page (the x86 software-protected VM).  A backend may then
	 * leave a hole that a conversion makes private unbacked until the
	 * fault path first asks for its page, as guest_memfd allocates at
	 * fault, so that converting a sparse span allocates nothing.
	 * Without it every page of a step is backed before the arch op runs
	 * (SEV-SNP assigns each one in the RMP).
	 */
	unsigned int flags;

	/**
	 * @set_private: (required) Make @op's range private at @op->gran.
	 * @priv: the adapter's cookie from privmem_space_bind().
	 * @op: the step; @op->from is %PRIVMEM_SHARED.
	 *
	 * Called after &privmem_backend_ops.prepare and @prepare.
	 *
	 * Return: 0 or a negative errno, which fails the entry.
	 */
	int (*set_private)(void *priv, const struct privmem_op *op);

	/**
	 * @set_shared: (required) Make @op's range shared.
	 * @priv: the adapter's cookie.
	 * @op: the step; @op->gran is the private mapping being removed.
	 *
	 * Also called to undo @set_private.
	 *
	 * Return: 0 or a negative errno, which fails the entry.
	 */
	int (*set_shared)(void *priv, const struct privmem_op *op);

	/**
	 * @split_2m: (optional) Split the private 2M block at @gfn into 4K
	 *	private pages (SNP PSMASH, TDX demote), contents kept.
	 * @priv: the adapter's cookie.
	 * @gfn: first frame of the 2M block.
	 *
	 * Called once per block, before an entry converts part of it.
	 * Without it the core never maps private memory at 2M.
	 *
	 * Return: 0 or a negative errno, which fails the entry.
	 */
	int (*split_2m)(void *priv, u64 gfn);

	/**
	 * @merge_2m: (optional) Merge a 2M aligned block of 4K private pages
	 *	back into one 2M mapping (unsmash, TDX promote).
	 * @priv: the adapter's cookie.
	 * @gfn: first frame of the 2M block.
	 *
	 * Called when the policy merges eagerly, by privmem_space_compact(),
	 * for an explicit 2M request, and to undo @split_2m.  Failure of an
	 * opportunistic merge is not an error: the block stays at 4K.
	 *
	 * Return: 0 or a negative errno.
	 */
	int (*merge_2m)(void *priv, u64 gfn);

	/**
	 * @prepare: (optional) Per-step setup before @set_private or
	 *	@set_shared: direct-map removal, cache flush.
	 * @priv: the adapter's cookie.
	 * @op: the step.
	 *
	 * Called after &privmem_backend_ops.prepare.  If it succeeds, @finish
	 * is called exactly once for the same @op.
	 *
	 * Return: 0 or a negative errno, which fails the entry.
	 */
	int (*prepare)(void *priv, const struct privmem_op *op);

	/**
	 * @finish: (optional) Counterpart of @prepare.
	 * @priv: the adapter's cookie.
	 * @op: the step.
	 * @ret: 0 if the step's set op succeeded, else its errno.
	 *
	 * Cannot fail.  Called after the set op, before the backend commits
	 * or aborts.
	 */
	void (*finish)(void *priv, const struct privmem_op *op, int ret);

	/**
	 * @memory_failure: (optional) Frames of the span are backed by
	 *	hardware-poisoned pages; stop mapping them to the guest.
	 * @priv: the adapter's cookie.
	 * @gfn: first frame.
	 * @npages: number of frames.
	 *
	 * Called by the backend through privmem_space_memory_failure(), in
	 * process context, without the space's mutex, possibly while a
	 * conversion runs; may sleep.  The adapter removes its mappings of
	 * the frames; the fault path must then refuse the poisoned pages
	 * (the backend's @get_pfn still returns them).
	 */
	void (*memory_failure)(void *priv, u64 gfn, u64 npages);

	/**
	 * @unbind: (optional) The space is dying; give every page back.
	 * @priv: the adapter's cookie.
	 *
	 * Called once, with the mutex held, when the space dies
	 * (privmem_space_kill(), a failed undo, privmem_space_destroy()),
	 * after the last step and before &privmem_backend_ops.unbind, while
	 * the backend still holds every page.  It must stop the guest's
	 * mappings of the span and return each private page of the span to
	 * the host (SNP: RMPUPDATE to shared or reclaim; TDX: a zap, whose
	 * Secure-EPT REMOVE KVM's mirror MMU issues) and cannot fail: the backend may free
	 * the pages from then on.  pKVM has none: a donated page stays
	 * held by the backend (privmem_shmem_hold()) until pKVM's own
	 * teardown reclaims it, before the backend is unbound.  The cookie
	 * must stay valid until privmem_space_destroy() returns.
	 */
	void (*unbind)(void *priv);
};

/**
 * struct privmem_space_config - what a space copies when it is created
 * @policy: the policy; privmem_space_create() takes a module reference.
 * @implicit: the implicit-conversion switch (module parameter) as it was
 *	when the VM was created.  Never re-read later.
 *
 * The owner of the config pins @policy in the registry, not the space:
 * privmem_config_init() takes a registry reference and the owner keeps
 * the config until after privmem_space_destroy(), then drops it with
 * privmem_config_release().  Until then privmem_unregister_policy() of a
 * policy in use fails with -EBUSY.  The core does not take that reference
 * itself because the registry (virt/privmem/policy/) is built on the core
 * (it validates with privmem_policy_validate()) and the core must build
 * and run without it: in userspace, and with unregistered test policies.
 * A config filled in by hand must hold its policy's registry reference in
 * the same way (privmem_policy_get() or a privmem_policy_get_by_*()
 * lookup) if the policy can be unregistered.
 */
struct privmem_space_config {
	const struct privmem_policy_ops *policy;
	bool implicit;
};

/**
 * struct privmem_stats - per-space counters
 * @entries: entries completed, no-ops included.
 * @noops: entries that were already in their target state.
 * @pages_to_private: frames converted shared -> private.
 * @pages_to_shared: frames converted private -> shared.
 * @steps: conversion steps run (one backend and one arch call each).
 * @coalesced: entries that shared a step with the entry before them.
 * @smashes: 2M blocks split into 4K.
 * @merges: 2M blocks merged back from 4K.
 * @failures: requests that stopped on an error after validation.
 * @ranges: maximal runs of equal frames in the range map now (what
 *	privmem_walk_ranges() reports for the whole span).
 * @bitmaps: 2M blocks the map now holds as bitmaps.  The map's memory is
 *	O(@ranges) and at most one bitmap per 2M block.
 */
struct privmem_stats {
	u64 entries;
	u64 noops;
	u64 pages_to_private;
	u64 pages_to_shared;
	u64 steps;
	u64 coalesced;
	u64 smashes;
	u64 merges;
	u64 failures;
	u64 ranges;
	u64 bitmaps;
};

const char *privmem_space_state_name(enum privmem_space_state state);

int privmem_policy_validate(const struct privmem_policy_ops *ops);
int privmem_backend_validate(const struct privmem_backend_ops *ops);
int privmem_arch_validate(const struct privmem_arch_ops *ops);

struct privmem_space *privmem_space_create(const struct privmem_space_config *cfg);
void privmem_space_kill(struct privmem_space *space);
void privmem_space_destroy(struct privmem_space *space);
int privmem_space_bind(struct privmem_space *space, u64 gfn, u64 npages,
		       const struct privmem_backend_ops *backend, void *backend_priv,
		       const struct privmem_arch_ops *arch, void *arch_priv);
int privmem_space_populate_done(struct privmem_space *space);
int privmem_space_launch(struct privmem_space *space);
enum privmem_space_state privmem_space_state(const struct privmem_space *space);
bool privmem_space_span(const struct privmem_space *space, u64 *gfn,
			u64 *npages);
int privmem_space_get_pfn(struct privmem_space *space, u64 gfn, u64 *pfn,
			  enum privmem_gran *gran);
void privmem_space_put_pfn(struct privmem_space *space, u64 pfn);
const struct privmem_policy_ops *privmem_space_policy(const struct privmem_space *space);
bool privmem_space_implicit(const struct privmem_space *space);

int privmem_convert(struct privmem_space *space,
		    const struct privmem_entry *entries, unsigned int nr,
		    unsigned int flags, unsigned int *done,
		    unsigned int *err_index);
int privmem_space_compact(struct privmem_space *space);
void privmem_space_memory_failure(struct privmem_space *space, u64 gfn,
				  u64 npages);
unsigned int privmem_lookup_begin(struct privmem_space *space);
bool privmem_lookup_retry(struct privmem_space *space, unsigned int seq);
int privmem_lookup(struct privmem_space *space, u64 gfn,
		   enum privmem_attr *attr, enum privmem_gran *gran);

/**
 * typedef privmem_range_fn - callback of privmem_walk_ranges()
 * @arg: the caller's cookie.
 * @gfn: first frame of the range, clipped to the span walked.
 * @npages: number of frames.
 * @attr: the range's attribute.
 * @gran: the range's granularity; %PRIVMEM_GRAN_4K for shared ranges.
 *
 * Called with the space's mutex held; must not call privmem for the same
 * space nor access user memory.
 *
 * Return: 0 to go on, anything else to stop the walk with that value.
 */
typedef int (*privmem_range_fn)(void *arg, u64 gfn, u64 npages,
				enum privmem_attr attr, enum privmem_gran gran);

int privmem_walk_ranges(struct privmem_space *space, u64 gfn, u64 end,
			privmem_range_fn fn, void *arg);
void privmem_space_stats(struct privmem_space *space, struct privmem_stats *stats);
int privmem_space_check(struct privmem_space *space);

#endif /* _LINUX_PRIVMEM_H */
