// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle of a privmem space, lookups and statistics.
 */
/**
 * DOC: Space lifecycle
 *
 * ::
 *
 *   create
 *     |
 *     v
 *   CREATED --bind--> BOUND --populate_done--> POPULATED --launch--> LAUNCHED
 *     |                 |                          |                    |
 *     +-----------------+-------------+------------+--------------------+
 *                                     | kill (or destroy)
 *                                     v
 *                                   DEAD
 *
 * Which call each state allows, and the errno of every other one
 * (privmem_space_op_errno(); "use" is a conversion, a lookup, a walk of
 * the ranges or a compaction)::
 *
 *                 CREATED  BOUND    POPULATED  LAUNCHED  DEAD
 *   bind          0        -EBUSY   -EBUSY     -EBUSY    -ENODEV
 *   populate_done -ENXIO   0        -EBUSY     -EBUSY    -ENODEV
 *   launch        -ENXIO   -EINVAL  0          -EBUSY    -ENODEV
 *   use           -ENXIO   0        0          0         -ENODEV
 *
 * kill and destroy are allowed in every state.
 *
 * CREATED: the policy and the implicit switch are fixed; nothing is bound.
 * Conversions, lookups, populate_done and launch fail with -ENXIO.
 *
 * BOUND: a backend and an arch adapter serve a gfn span, all of it
 * SHARED.  The VMM converts and writes pre-boot data; conversions see
 * &privmem_conv_info.prelaunch.  A second bind fails with -EBUSY; launch
 * fails with -EINVAL (populate_done comes first).
 *
 * POPULATED: pre-boot data is complete (the backend was told).  Still
 * prelaunch.  populate_done again fails with -EBUSY.
 *
 * LAUNCHED: the guest runs; conversions follow its requests.  launch or
 * populate_done again fail with -EBUSY.
 *
 * DEAD: the arch adapter was unbound: every private page is the host's
 * again and nothing maps the span.  Every call fails with -ENODEV, except
 * kill and destroy.  The backend keeps its pages, refused to the host,
 * and its cookie stays valid: privmem_space_destroy(), when no lookup can
 * race, unbinds it (which frees the pages) and frees the range map.  A
 * space also dies when a failed conversion cannot be undone.
 *
 * No lifecycle transition changes the attribute of any frame; only
 * conversions do, and only DEAD destroys contents wholesale.
 */
/**
 * DOC: Lock order
 *
 * The one lock order of privmem, outermost first, with KVM's own locks
 * where the KVM glue takes them (Documentation/virt/kvm/locking.rst
 * orders those among themselves)::
 *
 *   kvm_lock                                KVM's debugfs stats sums
 *   kvm->lock                               BIND
 *     vcpu->mutex                           KVM_RUN: launch, hypercalls
 *       kvm->slots_lock                     BIND, memslot checks
 *         kvm_privmem.lock                  BIND, INIT, launch
 *           kvm->srcu (read)                CONVERT, hypercalls, faults
 *             privmem_space.lock            conversions, lifecycle
 *               privmem_shmem_mutex         backend bind, unbind
 *                 inode->i_rwsem            a shmem step, unbind's punch
 *                   privmem_shmem.runs lock the private-run map's writes
 *                   folio lock
 *                     mapping->i_mmap_rwsem unmapping the host's PTEs
 *                     privmem_shmem.pins    pin counts (xa_lock)
 *               kvm->mmu_lock               arch ops: zap, memory failure
 *
 * The private-run map's lock and the pins' xa_lock are spinlocks taken
 * innermost: nothing is taken under them.  privmem_shmem_hold() (the
 * arm64 fault path in KVM_RUN, before it takes kvm->mmu_lock) takes the
 * pins' lock without &privmem_space.lock.  privmem never takes mmap_lock: the host
 * paths that do (faults, GUP, userfaultfd) reach privmem only through
 * the lock-free consumer hooks below.
 *
 * kvm_lock (global) is held only around reading stats, which takes
 * &privmem_space.lock directly below it (kvm_privmem_refresh_stats()).
 *
 * Each nesting is asserted with lockdep_assert_held() where the inner
 * lock is taken or its holder relied on: &privmem_space.lock by every
 * range map writer, plan and step; privmem_shmem_mutex by the backend's
 * binding list; i_rwsem by every shmem step; kvm->slots_lock by the
 * memslot checks.
 *
 * &privmem_space.lock (a mutex) serialises conversions and lifecycle
 * changes per space; different spaces convert in parallel.  It is the
 * maple tree's external lock, so lockdep checks every tree write.  All
 * ops are called with it held and may sleep; no op may call back into a
 * privmem function that takes it.
 *
 * Lock-free readers, which may run under any of the locks above,
 * kvm->mmu_lock included, and take none of them:
 *
 *  - privmem_lookup() reads the tree under RCU (the tree runs in RCU
 *    mode) and the converting window under &privmem_space.conv_seq,
 *    retrying if a window opened or closed meanwhile.  A frame inside the
 *    window answers -EAGAIN, so a reader never sees a range whose backend
 *    and arch steps are half done.  conv_seq is a plain seqcount_t
 *    written with preemption off, so a reader never waits for the mutex,
 *    on PREEMPT_RT either.
 *  - The shmem consumer hooks (host faults, read, write, GUP, splice,
 *    userfaultfd), called by shmem under mmap_lock, i_rwsem or the folio
 *    lock, read the backend's maps under RCU.  The memory-failure report runs
 *    under shmem's SRCU with the folio locked and takes only
 *    kvm->mmu_lock (through the arch op).
 */
#include "privmem_internal.h"
#include "convert.h"
#include "range.h"

static const char * const privmem_space_state_names[] = {
	[PRIVMEM_SPACE_CREATED]		= "created",
	[PRIVMEM_SPACE_BOUND]		= "bound",
	[PRIVMEM_SPACE_POPULATED]	= "populated",
	[PRIVMEM_SPACE_LAUNCHED]	= "launched",
	[PRIVMEM_SPACE_DEAD]		= "dead",
};

/* The table of "DOC: Space lifecycle", one row per operation. */
static const int privmem_space_op_errnos[PRIVMEM_SPACE_NR_OPS][PRIVMEM_SPACE_NR_STATES] = {
	/*				   CREATED  BOUND    POPULATED LAUNCHED DEAD */
	[PRIVMEM_SPACE_OP_BIND]		 = { 0,       -EBUSY,  -EBUSY,  -EBUSY, -ENODEV },
	[PRIVMEM_SPACE_OP_POPULATE_DONE] = { -ENXIO,  0,       -EBUSY,  -EBUSY, -ENODEV },
	[PRIVMEM_SPACE_OP_LAUNCH]	 = { -ENXIO,  -EINVAL, 0,       -EBUSY, -ENODEV },
	[PRIVMEM_SPACE_OP_USE]		 = { -ENXIO,  0,       0,       0,      -ENODEV },
};

/**
 * privmem_space_op_errno() - may a space in @state do @op?
 * @state: the space's lifecycle state, read under &privmem_space.lock (or,
 *	for a lookup, with acquire semantics).
 * @op: the operation.
 *
 * Return: 0 if allowed, else the errno the call returns, as tabled in
 * "DOC: Space lifecycle".
 */
int privmem_space_op_errno(enum privmem_space_state state,
			   enum privmem_space_op op)
{
	return privmem_space_op_errnos[op][state];
}

/**
 * privmem_space_state_name() - printable name of a lifecycle state
 * @state: the state.
 *
 * Return: a static string; "invalid" for an unknown value.
 */
const char *privmem_space_state_name(enum privmem_space_state state)
{
	if ((unsigned int)state >= ARRAY_SIZE(privmem_space_state_names))
		return "invalid";
	return privmem_space_state_names[state];
}
EXPORT_SYMBOL_GPL(privmem_space_state_name);

/*
 * Open the converting window over [@first, @last].  The window's sequence
 * is a plain seqcount_t, not one associated with @space->lock: on
 * PREEMPT_RT a reader of a mutex-associated sequence takes the mutex
 * while a write is in progress, and privmem_lookup() runs under KVM's
 * mmu_lock, which a converter holding @space->lock takes in its arch
 * op.  Writers are serialised by @space->lock and write with preemption
 * off, so a reader never waits for more than these two stores.
 */
void privmem_space_mark(struct privmem_space *space, u64 first, u64 last)
{
	lockdep_assert_held(&space->lock);
	preempt_disable();
	write_seqcount_begin(&space->conv_seq);
	WRITE_ONCE(space->conv_first, first);
	WRITE_ONCE(space->conv_last, last);
	write_seqcount_end(&space->conv_seq);
	preempt_enable();
}

/* Close the converting window. */
void privmem_space_unmark(struct privmem_space *space)
{
	lockdep_assert_held(&space->lock);
	preempt_disable();
	write_seqcount_begin(&space->conv_seq);
	WRITE_ONCE(space->conv_first, 1);
	WRITE_ONCE(space->conv_last, 0);
	write_seqcount_end(&space->conv_seq);
	preempt_enable();
}

/**
 * privmem_space_create() - create a space
 * @cfg: the policy and the implicit-conversion switch; copied.
 *
 * Takes a reference on the policy's module until privmem_space_destroy().
 * It takes no registry reference: the owner of @cfg holds one for as long
 * as the space lives (see &struct privmem_space_config).  May sleep.
 *
 * Return: the space in state CREATED; ERR_PTR(-EINVAL) for a missing or
 * invalid policy; ERR_PTR(-ENOENT) if the policy's module is going away;
 * ERR_PTR(-ENOMEM).
 */
struct privmem_space *privmem_space_create(const struct privmem_space_config *cfg)
{
	struct privmem_space *space;

	if (!cfg || privmem_policy_validate(cfg->policy))
		return ERR_PTR(-EINVAL);
	if (!try_module_get(cfg->policy->owner))
		return ERR_PTR(-ENOENT);

	space = kzalloc_obj(*space);
	if (!space) {
		module_put(cfg->policy->owner);
		return ERR_PTR(-ENOMEM);
	}
	mutex_init(&space->lock);
	seqcount_init(&space->conv_seq);
	privmem_range_init(space);
	space->conv_first = 1;
	space->conv_last = 0;
	space->state = PRIVMEM_SPACE_CREATED;
	space->policy = cfg->policy;
	space->implicit = cfg->implicit;
	return space;
}
EXPORT_SYMBOL_GPL(privmem_space_create);

/**
 * privmem_space_bind() - attach backing and hardware to a gfn span
 * @space: a CREATED space.
 * @gfn: first frame of the span.
 * @npages: number of frames.
 * @backend: backend ops; see &struct privmem_backend_ops.
 * @backend_priv: cookie passed to every backend op.
 * @arch: arch ops; see &struct privmem_arch_ops.
 * @arch_priv: cookie passed to every arch op.
 *
 * The whole span starts SHARED.  Takes the mutex; may sleep.
 *
 * Return: 0; -EINVAL for invalid ops or an empty span or one ending at or
 * above %PRIVMEM_MAX_GFN; -EBUSY if already bound; -ENODEV if dead;
 * -ENOMEM.
 */
int privmem_space_bind(struct privmem_space *space, u64 gfn, u64 npages,
		       const struct privmem_backend_ops *backend, void *backend_priv,
		       const struct privmem_arch_ops *arch, void *arch_priv)
{
	int ret;

	if (privmem_backend_validate(backend) || privmem_arch_validate(arch))
		return -EINVAL;
	if (!npages || gfn >= PRIVMEM_MAX_GFN ||
	    npages > PRIVMEM_MAX_GFN - gfn)
		return -EINVAL;

	mutex_lock(&space->lock);
	ret = privmem_space_op_errno(space->state, PRIVMEM_SPACE_OP_BIND);
	if (ret)
		goto out;
	space->base = gfn;
	space->npages = npages;
	ret = privmem_range_reset(space);
	if (ret)
		goto out;
	space->backend = backend;
	space->backend_priv = backend_priv;
	space->arch = arch;
	space->arch_priv = arch_priv;
	/* Lookups that see BOUND also see the span and the tree. */
	smp_store_release(&space->state, PRIVMEM_SPACE_BOUND);
out:
	mutex_unlock(&space->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(privmem_space_bind);

/**
 * privmem_space_populate_done() - pre-boot population is complete
 * @space: a BOUND space.
 *
 * Tells the backend (&privmem_backend_ops.populate_done) and moves the
 * space to POPULATED.  Takes the mutex; may sleep.
 *
 * Return: 0; -ENXIO if not bound; -EBUSY if already populated or
 * launched; -ENODEV if dead; or the backend's errno (space stays BOUND).
 */
int privmem_space_populate_done(struct privmem_space *space)
{
	int ret;

	mutex_lock(&space->lock);
	ret = privmem_space_op_errno(space->state,
				     PRIVMEM_SPACE_OP_POPULATE_DONE);
	if (!ret && space->backend->populate_done)
		ret = space->backend->populate_done(space->backend_priv);
	if (!ret)
		WRITE_ONCE(space->state, PRIVMEM_SPACE_POPULATED);
	mutex_unlock(&space->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(privmem_space_populate_done);

/**
 * privmem_space_launch() - the guest is about to run
 * @space: a POPULATED space.
 *
 * From now on conversions are no longer prelaunch.  Takes the mutex.
 *
 * Return: 0; -ENXIO if not bound; -EINVAL if population was not
 * completed; -EBUSY if already launched; -ENODEV if dead.
 */
int privmem_space_launch(struct privmem_space *space)
{
	int ret;

	mutex_lock(&space->lock);
	ret = privmem_space_op_errno(space->state, PRIVMEM_SPACE_OP_LAUNCH);
	if (!ret)
		WRITE_ONCE(space->state, PRIVMEM_SPACE_LAUNCHED);
	mutex_unlock(&space->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(privmem_space_launch);

/* Kill with the mutex held; idempotent. */
void __privmem_space_kill(struct privmem_space *space)
{
	enum privmem_space_state was = space->state;

	lockdep_assert_held(&space->lock);
	if (was == PRIVMEM_SPACE_DEAD)
		return;
	/*
	 * Lookups fail from now on, before the arch lets go of anything: a
	 * fault that looks a frame up after this finds none, and one that
	 * looked it up before is made to retry by the unbind's zap (which
	 * bumps KVM's invalidation sequence after this store, hence the
	 * full barrier).  The map and the backend go at destroy.
	 */
	smp_store_release(&space->state, PRIVMEM_SPACE_DEAD);
	/* Pairs with the fault path's read of mmu_invalidate_seq: see above. */
	smp_mb();
	/*
	 * The arch hands every private page back to the host (SNP reclaim,
	 * TDX REMOVE) and stops mapping the span.  The backend keeps its
	 * pages, still refused to the host, until privmem_space_destroy():
	 * a lock-free user of its cookie (a fault that looked the frame up
	 * just before) may still be using it.
	 */
	if (was != PRIVMEM_SPACE_CREATED && space->arch->unbind)
		space->arch->unbind(space->arch_priv);
}

/**
 * privmem_space_kill() - make a space DEAD
 * @space: the space.
 *
 * Unbinds the arch adapter, which returns every private page to the host
 * and stops mapping the span; every later call on the space fails with
 * -ENODEV, and lock-free lookups stop finding frames.  The backend stays
 * bound, its pages where they are and refused to the host, until
 * privmem_space_destroy().  Idempotent.  Takes the mutex; may sleep.
 */
void privmem_space_kill(struct privmem_space *space)
{
	mutex_lock(&space->lock);
	__privmem_space_kill(space);
	mutex_unlock(&space->lock);
}
EXPORT_SYMBOL_GPL(privmem_space_kill);

/**
 * privmem_space_destroy() - kill and free a space
 * @space: the space, or NULL.
 *
 * The caller guarantees that nothing else uses @space any more, lookups
 * and the backend's cookie included.  Kills the space if it is not dead,
 * then unbinds the backend, which may free the pages.  Drops the policy
 * module reference; the owner of the config releases the registry
 * reference after this returns.  May sleep.
 */
void privmem_space_destroy(struct privmem_space *space)
{
	if (!space)
		return;
	mutex_lock(&space->lock);
	__privmem_space_kill(space);
	/* Bound once: the ops were set by privmem_space_bind(). */
	if (space->backend && space->backend->unbind)
		space->backend->unbind(space->backend_priv);
	privmem_range_destroy(space);
	mutex_unlock(&space->lock);
	module_put(space->policy->owner);
	mutex_destroy(&space->lock);
	kfree(space);
}
EXPORT_SYMBOL_GPL(privmem_space_destroy);

/**
 * privmem_space_state() - lifecycle state of a space
 * @space: the space.
 *
 * Return: the state; may be stale as soon as it is returned.
 */
enum privmem_space_state privmem_space_state(const struct privmem_space *space)
{
	return READ_ONCE(space->state);
}
EXPORT_SYMBOL_GPL(privmem_space_state);

/**
 * privmem_space_span() - the span a space is bound to
 * @space: the space.
 * @gfn: returns the first frame of the span.
 * @npages: returns the number of frames; 0 for a space killed before it
 *	was bound.
 *
 * Lock-free, for a fault path that must tell the space's frames from the
 * rest without a copy of the span of its own: once it returns true, the
 * span never changes.
 *
 * Return: false before privmem_space_bind(), else true.
 */
bool privmem_space_span(const struct privmem_space *space, u64 *gfn,
			u64 *npages)
{
	/* Pairs with the release in privmem_space_bind(). */
	if (smp_load_acquire(&space->state) == PRIVMEM_SPACE_CREATED)
		return false;
	*gfn = space->base;
	*npages = space->npages;
	return true;
}
EXPORT_SYMBOL_GPL(privmem_space_span);

/**
 * privmem_space_get_pfn() - the host page the space's backend has at a frame
 * @space: the space.
 * @gfn: the frame.
 * @pfn: returns the host frame number.
 * @gran: returns the size of the folio backing it.
 *
 * For a fault path or a pre-boot copy of the space's owner: goes to the
 * backend the space was bound with (&privmem_backend_ops.get_pfn), so the
 * owner keeps no second copy of it.  Takes a reference on the page that
 * the caller drops with privmem_space_put_pfn().  It does not look at the
 * frame's attribute: the caller asks privmem_lookup() first.  May sleep if
 * the backend's @get_pfn does.
 *
 * Return: 0; -ENXIO if the space is not bound; -ENODEV if it is dead (its
 * pages are no longer anyone's to map); -EINVAL if @gfn is outside the
 * span; -EOPNOTSUPP if the backend has no @get_pfn; or the backend's
 * errno (-ENOENT if no page backs @gfn).
 */
int privmem_space_get_pfn(struct privmem_space *space, u64 gfn, u64 *pfn,
			  enum privmem_gran *gran)
{
	/* Pairs with the release in privmem_space_bind(). */
	enum privmem_space_state state = smp_load_acquire(&space->state);

	if (state == PRIVMEM_SPACE_CREATED)
		return -ENXIO;
	if (state == PRIVMEM_SPACE_DEAD)
		return -ENODEV;
	if (gfn < space->base || gfn - space->base >= space->npages)
		return -EINVAL;
	if (!space->backend->get_pfn)
		return -EOPNOTSUPP;
	return space->backend->get_pfn(space->backend_priv, gfn, pfn, gran);
}
EXPORT_SYMBOL_GPL(privmem_space_get_pfn);

/**
 * privmem_space_put_pfn() - drop the reference privmem_space_get_pfn() took
 * @space: the space.
 * @pfn: the frame privmem_space_get_pfn() returned.
 */
void privmem_space_put_pfn(struct privmem_space *space, u64 pfn)
{
	space->backend->put_pfn(space->backend_priv, pfn);
}
EXPORT_SYMBOL_GPL(privmem_space_put_pfn);

/**
 * privmem_space_policy() - the policy a space was created with
 * @space: the space.
 *
 * Return: the policy; constant for the life of the space.
 */
const struct privmem_policy_ops *privmem_space_policy(const struct privmem_space *space)
{
	return space->policy;
}
EXPORT_SYMBOL_GPL(privmem_space_policy);

/**
 * privmem_space_implicit() - the space's implicit-conversion switch
 * @space: the space.
 *
 * Return: the value copied at creation.
 */
bool privmem_space_implicit(const struct privmem_space *space)
{
	return space->implicit;
}
EXPORT_SYMBOL_GPL(privmem_space_implicit);

/**
 * privmem_lookup() - attribute and granularity of a frame, lock-free
 * @space: the space.
 * @gfn: the frame.
 * @attr: returns the attribute.
 * @gran: returns the granularity (4K for shared frames); may be NULL.
 *
 * For fault paths: takes no lock and does not sleep, on PREEMPT_RT
 * too, so it may be called under KVM's mmu_lock.
 *
 * Return: 0; -EAGAIN if @gfn is being converted (retry, or wait for the
 * conversion); -ENOENT if @gfn is outside the bound span; -ENXIO if the
 * space is not bound; -ENODEV if it is dead.
 */
int privmem_lookup(struct privmem_space *space, u64 gfn,
		   enum privmem_attr *attr, enum privmem_gran *gran)
{
	enum privmem_space_state state;
	unsigned int seq, st = 0;
	int ret;

	do {
		seq = read_seqcount_begin(&space->conv_seq);
		/* Pairs with the release in privmem_space_bind(). */
		state = smp_load_acquire(&space->state);
		ret = privmem_space_op_errno(state, PRIVMEM_SPACE_OP_USE);
		if (ret)
			return ret;
		if (gfn >= READ_ONCE(space->conv_first) &&
		    gfn <= READ_ONCE(space->conv_last))
			ret = -EAGAIN;
		else
			ret = privmem_range_load_rcu(space, gfn, &st);
	} while (read_seqcount_retry(&space->conv_seq, seq));

	if (ret)
		return ret;
	*attr = privmem_st_attr(st);
	if (gran)
		*gran = privmem_st_gran(st);
	return 0;
}
EXPORT_SYMBOL_GPL(privmem_lookup);

/**
 * privmem_space_memory_failure() - pages of the span are poisoned
 * @space: the space, bound; the backend keeps it alive during the call.
 * @gfn: first frame whose page is poisoned.
 * @npages: number of frames.
 *
 * For backends: hands the report to the arch adapter
 * (&privmem_arch_ops.memory_failure), which stops mapping the frames.
 * Their attribute does not change.
 *
 * Context: Process context; may sleep.  Takes no privmem lock.
 */
void privmem_space_memory_failure(struct privmem_space *space, u64 gfn,
				  u64 npages)
{
	const struct privmem_arch_ops *arch = READ_ONCE(space->arch);

	if (arch && arch->memory_failure)
		arch->memory_failure(space->arch_priv, gfn, npages);
}
EXPORT_SYMBOL_GPL(privmem_space_memory_failure);

/**
 * privmem_lookup_begin() - start watching for conversions, lock-free
 * @space: the space.
 *
 * For a fault path that reads a frame's attribute with privmem_lookup()
 * and then reaches the page through a path that a conversion may refuse
 * meanwhile (the host's mapping of a shared page): take this before the
 * lookup, and ask privmem_lookup_retry() when that path fails.
 *
 * Return: a snapshot of the space's conversion sequence.
 */
unsigned int privmem_lookup_begin(struct privmem_space *space)
{
	/* An odd value (a window being moved) never matches again. */
	return raw_read_seqcount(&space->conv_seq) & ~1U;
}
EXPORT_SYMBOL_GPL(privmem_lookup_begin);

/**
 * privmem_lookup_retry() - did a conversion start or end since a snapshot?
 * @space: the space.
 * @seq: from privmem_lookup_begin().
 *
 * Return: true if a conversion step was marked or unmarked since @seq.
 */
bool privmem_lookup_retry(struct privmem_space *space, unsigned int seq)
{
	return read_seqcount_retry(&space->conv_seq, seq);
}
EXPORT_SYMBOL_GPL(privmem_lookup_retry);

/**
 * privmem_space_stats() - read a space's counters
 * @space: the space.
 * @stats: returns a consistent copy.
 *
 * Takes the mutex; may sleep.
 */
void privmem_space_stats(struct privmem_space *space, struct privmem_stats *stats)
{
	mutex_lock(&space->lock);
	if (space->state == PRIVMEM_SPACE_CREATED ||
	    space->state == PRIVMEM_SPACE_DEAD) {
		space->stats.ranges = 0;
		space->stats.bitmaps = 0;
	} else if (space->count_gen != space->map_gen) {
		/* O(entries): only after the map changed. */
		space->stats.ranges = privmem_range_count(space,
							  &space->stats.bitmaps);
		space->count_gen = space->map_gen;
	}
	*stats = space->stats;
	mutex_unlock(&space->lock);
}
EXPORT_SYMBOL_GPL(privmem_space_stats);
