// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: the KVM glue.
 */

/**
 * DOC: privmem in KVM
 *
 * A VMM opts a VM in with KVM_ENABLE_CAP(KVM_CAP_PRIVMEM) before any
 * memslot or vCPU exists.  From then on the VM's private/shared state lives
 * in one &struct privmem_space (a range map), not in kvm->mem_attr_array:
 *
 *  - the VM ioctls KVM_PRIVMEM_{BIND,INIT,CONVERT,QUERY} bind a
 *    gfn span to a shmem file range (the backend), finish pre-boot
 *    population, convert batches and read the range map back;
 *  - the guest's KVM_HC_MAP_GPA_RANGE is converted in the kernel through
 *    the VM's policy (arch/x86/kvm/privmem.c); with
 *    %KVM_PRIVMEM_EXIT_ON_CONVERT the VMM is told afterwards with one
 *    KVM_EXIT_PRIVMEM per hypercall (per batch);
 *  - the fault path asks privmem whether a gfn is private
 *    (kvm_privmem_is_private(), lock-free) and takes private pages from
 *    the backend (kvm_privmem_get_pfn()); shared pages come through the
 *    memslot's userspace mapping of the same file, as for any VM;
 *  - with a shared alias GPA bit (%KVM_PRIVMEM_SHARED_ALIAS) a guest access
 *    with the bit set is a shared access, one without it a private access,
 *    so a mismatch is a real fault: converted implicitly when the policy
 *    and privmem.implicit_conversion allow it, else KVM_EXIT_MEMORY_FAULT.
 *
 * The software-protected VM has no hardware step: its arch ops only zap
 * KVM's stage-2 mappings of the converted range (both aliases), which bumps
 * the MMU invalidation sequence so that a racing fault retries.  Other VM
 * types get their arch ops from the architecture at BIND
 * (kvm_arch_privmem_arch_ops(): the SEV-SNP adapter from kvm-amd, the
 * pKVM adapter on arm64), and a guest protocol with several entries per
 * call (SEV-SNP's page state change) reaches privmem through
 * kvm_privmem_guest_convert_entries() and kvm_privmem_guest_done().
 *
 * The counters are KVM binary stats: the space's are copied into the
 * VM's generic stats when they are read (kvm_privmem_refresh_stats()),
 * the per-vCPU ones are counted by the vCPU.
 */

/**
 * DOC: Locking in KVM
 *
 * The order is the one of "DOC: Lock order" in virt/privmem/core/space.c.
 * &kvm_privmem.lock serialises BIND, INIT and the launch on the first
 * KVM_RUN.  Conversions run under kvm->srcu and take the space's own
 * mutex inside privmem; the arch ops then take kvm->mmu_lock, so the
 * order is space->lock, then mmu_lock.  QUERY walks the range map under the
 * space's mutex too (privmem_walk_ranges()) and copies to user space
 * only after dropping it.  The fault path takes neither: it uses
 * privmem_lookup(), which is lock-free, and privmem_fault(), which takes
 * the space's mutex only to convert, before KVM takes mmu_lock.  Reading
 * the VM's stats takes the space's mutex, under kvm_lock for KVM's
 * debugfs sums; nothing takes kvm_lock under the space's mutex.
 *
 * Why a fault never maps a stale attribute: the fault reads KVM's
 * mmu_invalidate_seq first, and only then makes every lookup it decides
 * by (privmem_lookup(), privmem_shmem_hold() or get_pfn); it installs the
 * mapping under mmu_lock only if the sequence has not moved.  A
 * conversion opens its converting window (its frames answer -EAGAIN)
 * before its first backend or arch step, and zaps with a bump of the
 * sequence before the window closes.  So a lookup either comes after the
 * window opened (it retries, or sees the new state once the window
 * closed), or came before it, and then before the zap, whose bump makes
 * the fault retry.  A space that dies is DEAD before its arch unbind zaps
 * the span, so the same argument holds for kills.  The bump alone would
 * not do: a lookup after the bump but before the step would decide on
 * the old state; the window closes that gap.
 */

#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/kvm_host.h>
#include <linux/kvm_privmem.h>
#include <linux/privmem.h>
#include <linux/privmem_policy.h>
#include <linux/privmem_shmem.h>
#include <linux/shmem_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <trace/events/kvm.h>

#include "kvm_internal.h"

/* Lowest and highest GPA bit usable as the shared alias bit. */
#define KVM_PRIVMEM_ALIAS_BIT_MIN	(PAGE_SHIFT + 9)
#define KVM_PRIVMEM_ALIAS_BIT_MAX	51

/**
 * kvm_privmem_check_extension() - KVM_CHECK_EXTENSION(KVM_CAP_PRIVMEM)
 * @kvm: the VM, or NULL for the system ioctl.
 *
 * Return: the policies the VM type supports, as a bitmask of policy ids
 * (bit N: id N); for the system ioctl, those of the best VM type this host
 * supports; 0 if privmem cannot be used.
 */
int kvm_privmem_check_extension(struct kvm *kvm)
{
	int type = kvm_arch_privmem_vm_type(kvm);

	if (type < 0)
		return 0;
	/* Ids above 30 would not fit the int; none exists. */
	return privmem_vm_type_policies(type) & GENMASK_ULL(30, 0);
}

static bool kvm_privmem_vm_is_empty(struct kvm *kvm)
{
	int i;

	lockdep_assert_held(&kvm->slots_lock);
	if (kvm->created_vcpus)
		return false;
	for (i = 0; i < kvm_arch_nr_memslot_as_ids(kvm); i++)
		if (!kvm_memslots_empty(__kvm_memslots(kvm, i)))
			return false;
	return true;
}

/*
 * debugfs: <debugfs>/kvm/<pid>-<fd>/privmem_ranges, the VM's range map,
 * one line per maximal range: first GPA, GPA past the end, attribute,
 * granularity.  Empty until a span is bound.  Read under the space's
 * conversion lock, as KVM_PRIVMEM_QUERY is.
 */
static int kvm_privmem_show_range(void *arg, u64 gfn, u64 npages,
				  enum privmem_attr attr, enum privmem_gran gran)
{
	seq_printf(arg, "%#llx %#llx %s %s\n", gfn_to_gpa(gfn),
		   gfn_to_gpa(gfn + npages),
		   attr == PRIVMEM_PRIVATE ? "private" : "shared",
		   gran == PRIVMEM_GRAN_2M ? "2M" : "4K");
	return 0;
}

static int kvm_privmem_ranges_show(struct seq_file *m, void *unused)
{
	struct kvm_privmem *pm = m->private;
	gfn_t base;
	u64 npages;
	int r;

	if (!kvm_privmem_span(pm, &base, &npages))
		return 0;
	r = privmem_walk_ranges(pm->space, base, base + npages,
				kvm_privmem_show_range, m);
	return r < 0 ? r : 0;
}
DEFINE_SHOW_ATTRIBUTE(kvm_privmem_ranges);

/*
 * The VM's debugfs directory goes before its privmem state
 * (kvm_destroy_vm()), and removing it waits for readers.
 */
static void kvm_privmem_debugfs_init(struct kvm_privmem *pm)
{
	struct dentry *dir = pm->kvm->debugfs_dentry;

	if (!IS_ENABLED(CONFIG_DEBUG_FS) || IS_ERR_OR_NULL(dir))
		return;
	debugfs_create_file("privmem_ranges", 0444, dir, pm,
			    &kvm_privmem_ranges_fops);
}

/**
 * kvm_privmem_enable_cap() - KVM_ENABLE_CAP(KVM_CAP_PRIVMEM)
 * @kvm: the VM.
 * @cap: args[0] the policy id (0: the VM type's default), args[1]
 *	%KVM_PRIVMEM_CAP_FLAGS, args[2] the shared alias GPA bit with
 *	%KVM_PRIVMEM_SHARED_ALIAS (21..51 and below the host's MAXPHYADDR,
 *	kvm_arch_privmem_gpa_bits()), else 0; args[3] and flags must be 0.
 *
 * Creates the VM's space with the chosen policy and the current value of
 * privmem.implicit_conversion.
 *
 * Return: 0;
 * -EINVAL for unknown flags, non-zero reserved fields, a bad alias bit, an
 * alias on a VM type other than the software-protected VM, a VM type that
 * cannot use privmem or a policy it does not support;
 * -EBUSY if the capability is already enabled or a memslot or vCPU exists;
 * -ENOMEM.
 */
int kvm_privmem_enable_cap(struct kvm *kvm, const struct kvm_enable_cap *cap)
{
	u64 id = cap->args[0], flags = cap->args[1], bit = cap->args[2];
	struct privmem_space *space;
	struct kvm_privmem *pm;
	int type, r;

	if (cap->flags || cap->args[3] || (flags & ~KVM_PRIVMEM_CAP_FLAGS))
		return -EINVAL;
	if (flags & KVM_PRIVMEM_SHARED_ALIAS) {
		/* No guest CPUID yet: the host's MAXPHYADDR bounds the bit. */
		if (bit < KVM_PRIVMEM_ALIAS_BIT_MIN ||
		    bit > KVM_PRIVMEM_ALIAS_BIT_MAX ||
		    bit >= kvm_arch_privmem_gpa_bits())
			return -EINVAL;
	} else if (bit) {
		return -EINVAL;
	}
	type = kvm_arch_privmem_vm_type(kvm);
	if (type < 0 || id > PRIVMEM_POLICY_ID_MAX)
		return -EINVAL;
	/* Only the software-protected VM tells shared by a GPA bit. */
	if ((flags & KVM_PRIVMEM_SHARED_ALIAS) &&
	    type != PRIVMEM_VM_SW_PROTECTED)
		return -EINVAL;
	if (id && !(privmem_vm_type_policies(type) & BIT_ULL(id)))
		return -EINVAL;

	pm = kzalloc_obj(*pm, GFP_KERNEL_ACCOUNT);
	if (!pm)
		return -ENOMEM;
	pm->kvm = kvm;
	pm->flags = flags;
	if (IS_ENABLED(CONFIG_DEBUG_FS) && !IS_ERR_OR_NULL(kvm->debugfs_dentry))
		snprintf(pm->id, sizeof(pm->id), "%pd", kvm->debugfs_dentry);
	else
		snprintf(pm->id, sizeof(pm->id), "%d", kvm->userspace_pid);
	if (flags & KVM_PRIVMEM_SHARED_ALIAS)
		pm->alias = BIT_ULL(bit - PAGE_SHIFT);
	mutex_init(&pm->lock);

	r = privmem_config_init(&pm->cfg, type, id);
	if (r) {
		r = r == -ENOMEM ? r : -EINVAL;
		goto err_free;
	}
	space = privmem_space_create(&pm->cfg);
	if (IS_ERR(space)) {
		r = PTR_ERR(space) == -ENOMEM ? -ENOMEM : -EINVAL;
		goto err_cfg;
	}
	pm->space = space;

	mutex_lock(&kvm->lock);
	mutex_lock(&kvm->slots_lock);
	if (kvm->privmem || !kvm_privmem_vm_is_empty(kvm))
		r = -EBUSY;
	else
		/* Pairs with READ_ONCE() in kvm_privmem_enabled(). */
		smp_store_release(&kvm->privmem, pm);
	mutex_unlock(&kvm->slots_lock);
	mutex_unlock(&kvm->lock);
	if (!r) {
		kvm_privmem_debugfs_init(pm);
		return 0;
	}

	privmem_space_destroy(space);
err_cfg:
	privmem_config_release(&pm->cfg);
err_free:
	mutex_destroy(&pm->lock);
	kfree(pm);
	return r;
}

/**
 * kvm_privmem_alias_bit() - the shared alias GPA bit of a privmem VM
 * @kvm: a privmem VM.
 *
 * For the arch's CPUID checks: a guest MAXPHYADDR must exceed the bit.
 *
 * Return: the bit number, or 0 if the VM has no shared alias.
 */
int kvm_privmem_alias_bit(struct kvm *kvm)
{
	struct kvm_privmem *pm = to_pm(kvm);

	return pm->alias ? __ffs64(pm->alias) + PAGE_SHIFT : 0;
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_alias_bit);

/**
 * kvm_privmem_vm_dying() - the VM's destruction begins
 * @kvm: the VM; its last reference is gone.
 *
 * Called first thing in kvm_destroy_vm(), before the MMU is torn down:
 * waits for the backend's memory-failure reports in flight (which zap
 * the VM's mappings) and makes later ones do nothing.
 */
void kvm_privmem_vm_dying(struct kvm *kvm)
{
	struct kvm_privmem *pm = kvm->privmem;

	if (!pm)
		return;
	WRITE_ONCE(pm->dying, true);
	/* Nothing bound, no consumer registered: no report can be in flight. */
	if (!smp_load_acquire(&pm->bound))
		return;
	shmem_consumer_synchronize();
}

/**
 * kvm_privmem_destroy_vm() - free a VM's privmem state
 * @kvm: the VM, being destroyed; its vCPUs and MMU are gone.
 *
 * Kills the space, which has the arch adapter give every page back and
 * releases the shmem binding, then frees the adapter's cookie.
 */
void kvm_privmem_destroy_vm(struct kvm *kvm)
{
	struct kvm_privmem *pm = kvm->privmem;

	if (!pm)
		return;
	kvm->privmem = NULL;
	privmem_space_destroy(pm->space);
	if (pm->arch_priv)
		kvm_arch_privmem_arch_free(kvm, pm->arch_priv);
	privmem_config_release(&pm->cfg);
	mutex_destroy(&pm->lock);
	kfree(pm);
}

/* Memslot flags that privmem refuses over a bound span. */
#define KVM_PRIVMEM_SLOT_FLAGS	(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY)

/* Does [@gfn, @gfn + @n) meet the span [@base, @base + @npages) or its alias? */
static bool kvm_privmem_meets_span(gfn_t base, u64 npages, gfn_t alias,
				   gfn_t gfn, u64 n)
{
	if (gfn < base + npages && base < gfn + n)
		return true;
	return alias && gfn < (base | alias) + npages && (base | alias) < gfn + n;
}

/*
 * Dirty logging would let KVM rebuild 2M mappings from 4K ones when it is
 * switched off, over a block whose pages privmem owns and maps one by one;
 * a read-only slot cannot take a private write.  Neither may cover a
 * bound span or its shared alias.
 */
static bool kvm_privmem_slots_conflict(struct kvm *kvm, gfn_t base,
				       u64 npages, gfn_t alias)
{
	struct kvm_memory_slot *slot;
	int i, bkt;

	lockdep_assert_held(&kvm->slots_lock);
	for (i = 0; i < kvm_arch_nr_memslot_as_ids(kvm); i++) {
		kvm_for_each_memslot(slot, bkt, __kvm_memslots(kvm, i)) {
			if ((slot->flags & KVM_PRIVMEM_SLOT_FLAGS) &&
			    kvm_privmem_meets_span(base, npages, alias,
						   slot->base_gfn, slot->npages))
				return true;
		}
	}
	return false;
}

/**
 * kvm_privmem_check_memslot() - may a memslot be set on a privmem VM?
 * @kvm: the VM.
 * @base_gfn: first frame of the new or changed memslot.
 * @npages: its size in frames.
 * @flags: its KVM_MEM_* flags.
 *
 * Called by KVM_SET_USER_MEMORY_REGION(2) under slots_lock for a memslot
 * being created, moved or changed.
 *
 * Return: 0; -EINVAL if the memslot has KVM_MEM_LOG_DIRTY_PAGES or
 * KVM_MEM_READONLY and covers part of the bound span or of its shared
 * alias.
 */
int kvm_privmem_check_memslot(struct kvm *kvm, gfn_t base_gfn,
			      unsigned long npages, u32 flags)
{
	struct kvm_privmem *pm = to_pm(kvm);
	gfn_t base;
	u64 n;

	lockdep_assert_held(&kvm->slots_lock);
	if (!pm || !(flags & KVM_PRIVMEM_SLOT_FLAGS) ||
	    !kvm_privmem_span(pm, &base, &n))
		return 0;
	return kvm_privmem_meets_span(base, n, pm->alias, base_gfn,
				      npages) ? -EINVAL : 0;
}

/* KVM_PRIVMEM_BIND */
static int kvm_privmem_bind(struct kvm_privmem *pm,
			    const struct kvm_privmem_bind *b)
{
	struct kvm *kvm = pm->kvm;
	const struct privmem_arch_ops *arch;
	struct kvm_privmem_bind_info info;
	struct privmem_shmem *sh;
	void *arch_priv;
	struct file *file;
	gfn_t base;
	u64 npages;
	int r;

	if (b->flags || memchr_inv(b->reserved, 0, sizeof(b->reserved)))
		return -EINVAL;
	if (!PAGE_ALIGNED(b->gpa) || !PAGE_ALIGNED(b->size) ||
	    !PAGE_ALIGNED(b->offset) || !b->size || b->gpa + b->size < b->gpa)
		return -EINVAL;
	npages = b->size >> PAGE_SHIFT;
	base = gpa_to_gfn(b->gpa);
	if (pm->alias && gpa_to_gfn(b->gpa + b->size - 1) >= pm->alias)
		return -EINVAL;
	/* Checked before the file is touched: a failed BIND changes nothing. */
	if (base >= PRIVMEM_MAX_GFN || npages > PRIVMEM_MAX_GFN - base)
		return -EINVAL;

	file = fget(b->fd);
	if (!file)
		return -EBADF;

	/* Against vCPU creation and memslot changes. */
	mutex_lock(&kvm->lock);
	mutex_lock(&kvm->slots_lock);
	mutex_lock(&pm->lock);
	r = -EBUSY;
	if (pm->bound || kvm->created_vcpus)
		goto out;
	r = -EINVAL;
	if (kvm_privmem_slots_conflict(kvm, base, npages, pm->alias))
		goto out;
	sh = privmem_shmem_bind(file, b->offset >> PAGE_SHIFT, npages,
				PRIVMEM_SHMEM_USER_INACCESSIBLE |
				PRIVMEM_SHMEM_UNMOVABLE |
				PRIVMEM_SHMEM_UNRECLAIMABLE);
	if (IS_ERR(sh)) {
		r = PTR_ERR(sh);
		goto out;
	}
	info = (struct kvm_privmem_bind_info) {
		.backend = &privmem_shmem_backend_ops,
		.backend_priv = sh,
		.gfn = base,
		.npages = npages,
	};
	arch_priv = NULL;
	arch = kvm_arch_privmem_arch_ops(kvm, &info, &arch_priv);
	if (IS_ERR(arch)) {
		r = PTR_ERR(arch);
		privmem_shmem_unbind(sh);
		goto out;
	}
	if (!arch) {
		arch = &kvm_privmem_sw_arch_ops;
		arch_priv = pm;
	} else {
		pm->arch_priv = arch_priv;
	}
	r = privmem_shmem_space_bind(pm->space, base, sh, arch, arch_priv);
	if (r) {
		/* Never reached a space: the file is left as it was. */
		privmem_shmem_unbind(sh);
		if (pm->arch_priv)
			kvm_arch_privmem_arch_free(kvm, pm->arch_priv);
		pm->arch_priv = NULL;
		goto out;
	}
	pm->sh = sh;
	/* Publish @sh and the space's span to the lock-free fault path. */
	smp_store_release(&pm->bound, true);
out:
	mutex_unlock(&pm->lock);
	mutex_unlock(&kvm->slots_lock);
	mutex_unlock(&kvm->lock);
	fput(file);
	return r;
}

/* KVM_PRIVMEM_INIT */
static int kvm_privmem_init(struct kvm_privmem *pm)
{
	int r;

	mutex_lock(&pm->lock);
	r = privmem_space_populate_done(pm->space);
	mutex_unlock(&pm->lock);
	return r;
}

/**
 * kvm_privmem_vcpu_run() - KVM_RUN on a privmem VM
 * @vcpu: the vCPU about to run.
 *
 * Launches the space on the first KVM_RUN after KVM_PRIVMEM_INIT.  A VM
 * that never bound a span runs with all memory shared.
 *
 * Return: 0; -EPERM if a span is bound but KVM_PRIVMEM_INIT was not done;
 * -EIO if the space is dead.
 */
int kvm_privmem_vcpu_run(struct kvm_vcpu *vcpu)
{
	struct kvm_privmem *pm = to_pm(vcpu->kvm);
	int r = 0;

	/* A space killed after launch (a failed undo) fails every run. */
	if (likely(READ_ONCE(pm->launched)))
		return privmem_space_state(pm->space) == PRIVMEM_SPACE_DEAD ?
		       -EIO : 0;

	mutex_lock(&pm->lock);
	switch (privmem_space_state(pm->space)) {
	case PRIVMEM_SPACE_CREATED:
		break;
	case PRIVMEM_SPACE_BOUND:
		r = -EPERM;
		break;
	case PRIVMEM_SPACE_POPULATED:
		r = privmem_space_launch(pm->space);
		if (!r)
			WRITE_ONCE(pm->launched, true);
		break;
	case PRIVMEM_SPACE_LAUNCHED:
		WRITE_ONCE(pm->launched, true);
		break;
	default:
		r = -EIO;
		break;
	}
	mutex_unlock(&pm->lock);
	return r;
}

/*
 * Turn one user entry into a core entry.  Sizes and addresses are bytes in
 * the uapi, frames in the core.
 */
static int kvm_privmem_entry_in(struct kvm_privmem *pm,
				const struct kvm_privmem_entry *u,
				struct privmem_entry *e)
{
	if (!PAGE_ALIGNED(u->gpa) || !PAGE_ALIGNED(u->size) || !u->size ||
	    u->attr > KVM_PRIVMEM_PRIVATE || u->gran > KVM_PRIVMEM_GRAN_2M ||
	    memchr_inv(u->pad, 0, sizeof(u->pad)))
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->gfn = gpa_to_gfn(u->gpa);
	e->npages = u->size >> PAGE_SHIFT;
	e->attr = u->attr == KVM_PRIVMEM_PRIVATE ? PRIVMEM_PRIVATE :
						   PRIVMEM_SHARED;
	e->gran = u->gran == KVM_PRIVMEM_GRAN_2M ? PRIVMEM_GRAN_2M :
						   PRIVMEM_GRAN_4K;
	return 0;
}

/*
 * Convert @nr user entries.  Entries [0, *@done) were completed; on error
 * *@failed is the index of the entry that stopped the request: the first
 * entry that was not completed, or the offending one when an entry is
 * malformed, outside the span, misaligned or overlaps an earlier one.
 * Such an entry fails the whole request before anything changes (*@done
 * is 0).  On success *@failed is -1.
 */
int kvm_privmem_convert_entries(struct kvm_privmem *pm,
				const struct kvm_privmem_entry *uents,
				u32 nr, unsigned int flags, u32 *done,
				s32 *failed)
{
	struct privmem_entry *ents;
	unsigned int completed = 0, bad = 0;
	u32 i;
	int r;

	*done = 0;
	*failed = 0;
	ents = kmalloc_array(nr, sizeof(*ents), GFP_KERNEL_ACCOUNT);
	if (!ents)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		r = kvm_privmem_entry_in(pm, &uents[i], &ents[i]);
		if (r) {
			*failed = i;
			goto out;
		}
	}
	r = privmem_convert(pm->space, ents, nr, flags, &completed, &bad);
	*done = completed;
	*failed = r ? bad : -1;
out:
	kfree(ents);
	trace_kvm_privmem_convert(pm->id, flags & PRIVMEM_CONVERT_HOST ?
				  "host" : "guest", nr, *done, r);
	return r;
}

/* KVM_PRIVMEM_CONVERT */
static int kvm_privmem_ioctl_convert(struct kvm_privmem *pm,
				     struct kvm_privmem_convert __user *argp)
{
	struct kvm_privmem_entry *uents;
	struct kvm_privmem_convert c;
	u32 done = 0;
	s32 failed;
	int r;

	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	if (c.flags || memchr_inv(c.reserved, 0, sizeof(c.reserved)))
		return -EINVAL;
	if (!c.nr || c.nr > KVM_PRIVMEM_MAX_ENTRIES)
		return -E2BIG;

	uents = memdup_array_user(u64_to_user_ptr(c.entries), c.nr,
				  sizeof(*uents));
	if (IS_ERR(uents))
		return PTR_ERR(uents);
	r = kvm_privmem_convert_entries(pm, uents, c.nr, PRIVMEM_CONVERT_HOST,
					&done, &failed);
	kfree(uents);

	c.done = done;
	c.error_index = r ? failed : -1;
	if (copy_to_user(argp, &c, sizeof(c)))
		return -EFAULT;
	return r;
}

/*
 * KVM_PRIVMEM_QUERY walks the range map with privmem_walk_ranges(),
 * which holds the space's mutex: the ranges are gathered in a kernel
 * buffer of this many entries and copied out after each walk.
 */
#define KVM_PRIVMEM_QUERY_CHUNK	(PAGE_SIZE / sizeof(struct kvm_privmem_entry))

/**
 * struct kvm_privmem_query_buf - one chunk of a KVM_PRIVMEM_QUERY
 * @ents: the ranges gathered.
 * @nr: entries in @ents.
 * @max: room in @ents for this chunk.
 * @next: where the range that did not fit starts.
 */
struct kvm_privmem_query_buf {
	struct kvm_privmem_entry *ents;
	u32 nr;
	u32 max;
	gfn_t next;
};

static int kvm_privmem_query_range(void *arg, u64 gfn, u64 npages,
				   enum privmem_attr attr,
				   enum privmem_gran gran)
{
	struct kvm_privmem_query_buf *qb = arg;

	if (qb->nr == qb->max) {
		qb->next = gfn;
		return 1;
	}
	qb->ents[qb->nr++] = (struct kvm_privmem_entry) {
		.gpa = gfn_to_gpa(gfn),
		.size = npages << PAGE_SHIFT,
		.attr = attr == PRIVMEM_PRIVATE ? KVM_PRIVMEM_PRIVATE :
						  KVM_PRIVMEM_SHARED,
		.gran = gran == PRIVMEM_GRAN_2M ? KVM_PRIVMEM_GRAN_2M :
						  KVM_PRIVMEM_GRAN_4K,
	};
	return 0;
}

/* KVM_PRIVMEM_QUERY */
static int kvm_privmem_ioctl_query(struct kvm_privmem *pm,
				   struct kvm_privmem_query __user *argp)
{
	struct kvm_privmem_query_buf qb = {};
	struct kvm_privmem_entry __user *out;
	struct kvm_privmem_query q;
	u32 filled = 0;
	gfn_t gfn, end;
	int r;

	if (copy_from_user(&q, argp, sizeof(q)))
		return -EFAULT;
	if (q.flags || memchr_inv(q.reserved, 0, sizeof(q.reserved)))
		return -EINVAL;
	if (!PAGE_ALIGNED(q.gpa) || !PAGE_ALIGNED(q.size) || !q.size ||
	    q.gpa + q.size < q.gpa || !q.nr)
		return -EINVAL;

	qb.ents = kmalloc_array(KVM_PRIVMEM_QUERY_CHUNK, sizeof(*qb.ents),
				GFP_KERNEL_ACCOUNT);
	if (!qb.ents)
		return -ENOMEM;
	out = u64_to_user_ptr(q.ranges);
	gfn = gpa_to_gfn(q.gpa);
	end = gpa_to_gfn(q.gpa + q.size);
	for (;;) {
		qb.nr = 0;
		qb.max = min_t(u32, q.nr - filled, KVM_PRIVMEM_QUERY_CHUNK);
		r = privmem_walk_ranges(pm->space, gfn, end,
					kvm_privmem_query_range, &qb);
		if (r < 0)
			goto out;
		if (copy_to_user(&out[filled], qb.ents,
				 qb.nr * sizeof(*qb.ents))) {
			r = -EFAULT;
			goto out;
		}
		filled += qb.nr;
		if (!r) {
			q.next = q.gpa + q.size;
			break;
		}
		/* This chunk is full; qb.next did not fit. */
		if (filled == q.nr) {
			q.next = gfn_to_gpa(qb.next);
			break;
		}
		gfn = qb.next;
		cond_resched();
	}
	q.nr = filled;
	r = copy_to_user(argp, &q, sizeof(q)) ? -EFAULT : 0;
out:
	kfree(qb.ents);
	return r;
}

/**
 * kvm_privmem_refresh_stats() - copy the space's counters into KVM's stats
 * @kvm: the VM.
 *
 * Called by KVM before the VM's binary stats or its debugfs stats are
 * read: privmem keeps its counters under the space's mutex, and the range
 * count is computed, so they are copied only when someone looks.  Does
 * nothing for a VM without the capability.
 *
 * Context: Process context; takes the space's mutex (under kvm_lock for
 * the debugfs sums).
 */
void kvm_privmem_refresh_stats(struct kvm *kvm)
{
	struct kvm_vm_stat_generic *st = &kvm->stat.generic;
	struct kvm_privmem *pm = to_pm(kvm);
	struct privmem_stats s;

	if (!pm)
		return;
	privmem_space_stats(pm->space, &s);
	WRITE_ONCE(st->privmem_policy, privmem_space_policy(pm->space)->id);
	WRITE_ONCE(st->privmem_implicit_enabled,
		   privmem_space_implicit(pm->space));
	WRITE_ONCE(st->privmem_entries, s.entries);
	WRITE_ONCE(st->privmem_noops, s.noops);
	WRITE_ONCE(st->privmem_pages_to_private, s.pages_to_private);
	WRITE_ONCE(st->privmem_pages_to_shared, s.pages_to_shared);
	WRITE_ONCE(st->privmem_steps, s.steps);
	WRITE_ONCE(st->privmem_coalesced, s.coalesced);
	WRITE_ONCE(st->privmem_smashes, s.smashes);
	WRITE_ONCE(st->privmem_merges, s.merges);
	WRITE_ONCE(st->privmem_failures, s.failures);
	WRITE_ONCE(st->privmem_nr_ranges, s.ranges);
}
EXPORT_SYMBOL_FOR_KVM_INTERNAL(kvm_privmem_refresh_stats);

/**
 * kvm_privmem_vm_ioctl() - the KVM_PRIVMEM_* VM ioctls
 * @kvm: the VM.
 * @ioctl: the ioctl number.
 * @argp: its argument.
 *
 * Return: -ENXIO if the VM did not enable KVM_CAP_PRIVMEM, else the
 * ioctl's result as documented in Documentation/virt/kvm/privmem.rst.
 */
long kvm_privmem_vm_ioctl(struct kvm *kvm, unsigned int ioctl,
			  void __user *argp)
{
	struct kvm_privmem *pm = to_pm(kvm);
	struct kvm_privmem_bind b;
	int idx;
	long r;

	if (!pm)
		return -ENXIO;

	switch (ioctl) {
	case KVM_PRIVMEM_BIND:
		if (copy_from_user(&b, argp, sizeof(b)))
			return -EFAULT;
		return kvm_privmem_bind(pm, &b);
	case KVM_PRIVMEM_INIT:
		return kvm_privmem_init(pm);
	case KVM_PRIVMEM_CONVERT:
		/* The arch ops walk the memslots to zap. */
		idx = srcu_read_lock(&kvm->srcu);
		r = kvm_privmem_ioctl_convert(pm, argp);
		srcu_read_unlock(&kvm->srcu, idx);
		return r;
	case KVM_PRIVMEM_QUERY:
		return kvm_privmem_ioctl_query(pm, argp);
	default:
		return -ENOTTY;
	}
}
