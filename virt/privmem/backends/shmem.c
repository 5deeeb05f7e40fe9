// SPDX-License-Identifier: GPL-2.0
/*
 * privmem shmem backing store: binding a shmem file range to a space.
 */
/**
 * DOC: privmem shmem backing store
 *
 * The VMM creates an ordinary shmem file (memfd) and may fill it before
 * binding - that is the pre-boot population.  privmem_shmem_bind() makes a
 * page range of it the backing of one space; the range starts shared, and
 * the data in it is kept.  From then on the space's conversions decide which
 * pages are private, and with %PRIVMEM_SHMEM_USER_INACCESSIBLE the host
 * cannot read, write, splice, punch, truncate or map those (-EACCES; an
 * existing mapping is zapped and faults with SIGBUS).  The hook that makes
 * shmem ask is one &struct shmem_consumer per inode (mm/shmem.c); several
 * bindings of the same file share it, so their flags must agree.
 *
 * Conversions (shmem_ops.c): a destructive step scrubs the pages before
 * the other side can see them by clearing them in place - to private
 * keeping a copy until the step commits, so that a failed step restores
 * them, to shared once the arch step gave them back; a poisoned page is
 * replaced through shmem's own punch-hole and allocation paths.  An
 * in-place step keeps the folios and their contents.
 */
/**
 * DOC: Locking in the shmem backend
 *
 * Lock order (part of "DOC: Lock order" in virt/privmem/core/space.c):
 * privmem space conversion mutex -> privmem_shmem_mutex -> inode lock
 * (i_rwsem) -> folio lock -> i_mmap_rwsem.
 *
 *  - privmem_shmem_mutex serialises binding and unbinding across files,
 *    and protects &privmem_shmem_file.bindings for writers.
 *  - The space's conversion mutex serialises the steps of one binding; a
 *    step takes the inode lock while it claims pages, punches or refills,
 *    which also excludes the file's writers, fallocate and truncate.
 *  - The shmem paths of the host read the maps under RCU, without locks.
 */
#include <linux/fcntl.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/slab.h>

#include "shmem_internal.h"

static DEFINE_MUTEX(privmem_shmem_mutex);

static bool privmem_shmem_range_private(struct shmem_consumer *consumer,
					pgoff_t start, pgoff_t end)
{
	struct privmem_shmem_file *pf =
		container_of(consumer, struct privmem_shmem_file, consumer);
	struct privmem_shmem *sh;

	if (!(pf->flags & PRIVMEM_SHMEM_USER_INACCESSIBLE))
		return false;

	list_for_each_entry_rcu(sh, &pf->bindings, node) {
		pgoff_t first = max(start, sh->pgoff);
		pgoff_t last = min_t(u64, end, sh->pgoff + sh->npages - 1);

		if (first <= last && privmem_shmem_map_any(sh, first, last))
			return true;
	}
	return false;
}

/*
 * A poisoned page of a private run: the space's arch adapter unmaps it
 * from the guest.  Runs under shmem's SRCU, which privmem_shmem_unbind()
 * waits for before it frees a binding, so the list walk needs no lock.
 */
static void privmem_shmem_memory_failure(struct shmem_consumer *consumer,
					 pgoff_t start, pgoff_t end)
{
	struct privmem_shmem_file *pf =
		container_of(consumer, struct privmem_shmem_file, consumer);
	struct privmem_shmem *sh;

	list_for_each_entry_rcu(sh, &pf->bindings, node, true) {
		pgoff_t first = max(start, sh->pgoff);
		pgoff_t last = min_t(u64, end, sh->pgoff + sh->npages - 1);

		if (first > last)
			continue;
		/* Acquire: @gfn and @space are set before @in_space. */
		if (!smp_load_acquire(&sh->in_space) ||
		    !privmem_shmem_map_any(sh, first, last))
			continue;
		privmem_space_memory_failure(sh->space,
					     sh->gfn + (first - sh->pgoff),
					     last - first + 1);
	}
}

static const struct shmem_consumer_ops privmem_shmem_consumer_ops = {
	.range_private = privmem_shmem_range_private,
	.memory_failure = privmem_shmem_memory_failure,
};

static bool privmem_shmem_writably_mapped(struct address_space *mapping,
					  pgoff_t first, pgoff_t last)
{
	struct vm_area_struct *vma;
	bool ret = false;

	i_mmap_lock_read(mapping);
	mapping_rmap_tree_foreach(vma, mapping, first, last) {
		if ((vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) ==
		    (VM_SHARED | VM_MAYWRITE)) {
			ret = true;
			break;
		}
	}
	i_mmap_unlock_read(mapping);
	return ret;
}

static int privmem_shmem_check_range(struct file *file, pgoff_t pgoff,
				     u64 npages, unsigned int flags)
{
	u64 end;

	if (flags & ~PRIVMEM_SHMEM_FLAGS)
		return -EINVAL;
	if (!shmem_file(file))
		return -EINVAL;
	/* privmem scrubs and punches the range: the binder must be a writer. */
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!npages || check_add_overflow((u64)pgoff, npages, &end) ||
	    end > (u64)(MAX_LFS_FILESIZE >> PAGE_SHIFT))
		return -EINVAL;
	if (end > (u64)i_size_read(file_inode(file)) >> PAGE_SHIFT)
		return -EINVAL;
	return 0;
}

/* Find or create privmem's consumer on @inode; privmem_shmem_mutex held. */
static struct privmem_shmem_file *privmem_shmem_file_get(struct inode *inode,
							 unsigned int flags)
{
	struct address_space *mapping = inode->i_mapping;
	struct shmem_consumer *consumer;
	struct privmem_shmem_file *pf;
	int ret;

	lockdep_assert_held(&privmem_shmem_mutex);

	consumer = shmem_get_consumer(inode);
	if (consumer) {
		if (consumer->ops != &privmem_shmem_consumer_ops)
			return ERR_PTR(-EBUSY);
		pf = container_of(consumer, struct privmem_shmem_file, consumer);
		return pf->flags == flags ? pf : ERR_PTR(-EINVAL);
	}

	pf = kzalloc_obj(*pf, GFP_KERNEL_ACCOUNT);
	if (!pf)
		return ERR_PTR(-ENOMEM);
	pf->consumer.ops = &privmem_shmem_consumer_ops;
	if (flags & PRIVMEM_SHMEM_UNMOVABLE)
		pf->consumer.flags = SHMEM_CONSUMER_UNMOVABLE;
	if (flags & PRIVMEM_SHMEM_USER_INACCESSIBLE)
		pf->consumer.flags |= SHMEM_CONSUMER_SMALL_FOLIOS;
	pf->inode = inode;
	pf->flags = flags;
	INIT_LIST_HEAD(&pf->bindings);

	ret = shmem_set_consumer(inode, &pf->consumer);
	if (ret) {
		kfree(pf);
		return ERR_PTR(ret);
	}

	pf->saved_gfp = mapping_gfp_mask(mapping);
	if (flags & PRIVMEM_SHMEM_UNMOVABLE)
		mapping_set_gfp_mask(mapping, pf->saved_gfp & ~__GFP_MOVABLE);
	pf->was_unevictable = mapping_unevictable(mapping);
	if (flags & PRIVMEM_SHMEM_UNRECLAIMABLE)
		mapping_set_unevictable(mapping);
	return pf;
}

/* Drop privmem's consumer once its last binding is gone. */
static void privmem_shmem_file_put(struct privmem_shmem_file *pf)
{
	struct address_space *mapping = pf->inode->i_mapping;

	lockdep_assert_held(&privmem_shmem_mutex);
	if (!list_empty(&pf->bindings))
		return;

	shmem_clear_consumer(pf->inode, &pf->consumer);
	if ((pf->flags & PRIVMEM_SHMEM_UNRECLAIMABLE) && !pf->was_unevictable) {
		mapping_clear_unevictable(mapping);
		shmem_unlock_mapping(mapping);
	}
	if (pf->flags & PRIVMEM_SHMEM_UNMOVABLE)
		mapping_set_gfp_mask(mapping, pf->saved_gfp);
	kfree(pf);
}

/*
 * privmem writes the file (clears, scrubs, punches): refuse a file its
 * owner sealed or made immutable, and keep F_SEAL_WRITE from being added
 * while it is bound (it fails with -EBUSY, as with a writable mapping).
 */
static int privmem_shmem_hold_writable(struct file *file)
{
	struct inode *inode = file_inode(file);
	int ret = 0;

	inode_lock(inode);
	if (IS_IMMUTABLE(inode) || IS_APPEND(inode) ||
	    (SHMEM_I(inode)->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		ret = -EPERM;
	else
		ret = mapping_map_writable(file->f_mapping);
	inode_unlock(inode);
	return ret;
}

/**
 * privmem_shmem_bind() - make a shmem file range the backing of a space
 * @file: a shmem file (memfd, shmem_file_setup()); a reference is taken.
 * @pgoff: first page of the range in @file.
 * @npages: number of pages; the range must lie within the file's size.
 * @flags: the consumer's requirements, PRIVMEM_SHMEM_* flags:
 *	%PRIVMEM_SHMEM_USER_INACCESSIBLE - the host cannot read, write,
 *	splice, punch, truncate or map private pages;
 *	%PRIVMEM_SHMEM_UNMOVABLE - the file's folios are not migrated and
 *	are allocated without __GFP_MOVABLE;
 *	%PRIVMEM_SHMEM_UNRECLAIMABLE - the file's folios are not swapped.
 *
 * The range starts shared and keeps its contents: data written before
 * binding (pre-boot population) is still there, and stays through the
 * first conversion to private when that conversion is in place.  Hand the
 * result to privmem_shmem_space_bind(); a space then owns it and releases
 * it when the space dies.  A cookie that never reached a space is released
 * with privmem_shmem_unbind().
 *
 * The flags apply to the whole file: UNMOVABLE and UNRECLAIMABLE affect
 * every folio of it, and every binding of one file must use the same
 * flags.  With %PRIVMEM_SHMEM_USER_INACCESSIBLE the file's folios are
 * also kept at order 0 (no huge or mTHP folios, no MADV_COLLAPSE or
 * khugepaged collapse), and the large folios of the range are split here,
 * so that no folio and no host mapping spans a private and a shared page.
 *
 * privmem writes the range (scrubbing, clearing, punching), so @file must
 * be open for writing and its owner must not have forbidden writes; while
 * it is bound, F_SEAL_WRITE cannot be added to it (-EBUSY).
 *
 * Context: Process context; may sleep.
 * Return: the cookie, or an ERR_PTR():
 * * -EBADF - @file is not open for writing;
 * * -EPERM - @file has F_SEAL_WRITE or F_SEAL_FUTURE_WRITE, or is
 *   immutable or append-only;
 * * -EINVAL - @flags has unknown bits, @file is not a shmem file, the
 *   range is empty, overflows or is not within the file's size, or
 *   @file is already bound by privmem with different @flags;
 * * -EBUSY - the range overlaps a range of @file that is already bound,
 *   @file has another kind of shmem consumer, or, with
 *   %PRIVMEM_SHMEM_USER_INACCESSIBLE, a shared mapping of the range can
 *   be written (VM_SHARED and VM_MAYWRITE): unmap it before binding; or
 *   a large folio of the range cannot be split (it is pinned);
 * * -ENOMEM - out of memory.
 */
struct privmem_shmem *privmem_shmem_bind(struct file *file, pgoff_t pgoff,
					 u64 npages, unsigned int flags)
{
	struct privmem_shmem_file *pf;
	struct privmem_shmem *sh, *other;
	pgoff_t last;
	int ret;

	ret = privmem_shmem_check_range(file, pgoff, npages, flags);
	if (ret)
		return ERR_PTR(ret);
	last = pgoff + npages - 1;

	ret = privmem_shmem_hold_writable(file);
	if (ret)
		return ERR_PTR(ret);

	sh = kzalloc_obj(*sh, GFP_KERNEL_ACCOUNT);
	if (!sh) {
		mapping_unmap_writable(file->f_mapping);
		return ERR_PTR(-ENOMEM);
	}
	sh->pgoff = pgoff;
	sh->npages = npages;
	sh->file = file;
	xa_init(&sh->stash);
	xa_init(&sh->pins);
	privmem_shmem_map_init(sh);

	mutex_lock(&privmem_shmem_mutex);
	if ((flags & PRIVMEM_SHMEM_USER_INACCESSIBLE) &&
	    privmem_shmem_writably_mapped(file->f_mapping, pgoff, last)) {
		ret = -EBUSY;
		goto unlock;
	}

	pf = privmem_shmem_file_get(file_inode(file), flags);
	if (IS_ERR(pf)) {
		ret = PTR_ERR(pf);
		goto unlock;
	}
	list_for_each_entry(other, &pf->bindings, node) {
		if (pgoff <= other->pgoff + other->npages - 1 &&
		    other->pgoff <= last) {
			ret = -EBUSY;
			privmem_shmem_file_put(pf);
			goto unlock;
		}
	}
	/* After the consumer is set, so that no collapse can follow. */
	if (flags & PRIVMEM_SHMEM_USER_INACCESSIBLE) {
		ret = privmem_shmem_split(file->f_mapping, pgoff, last);
		if (ret) {
			privmem_shmem_file_put(pf);
			goto unlock;
		}
	}

	sh->pf = pf;
	get_file(file);
	list_add_tail_rcu(&sh->node, &pf->bindings);
	mutex_unlock(&privmem_shmem_mutex);
	return sh;

unlock:
	mutex_unlock(&privmem_shmem_mutex);
	mapping_unmap_writable(file->f_mapping);
	kfree(sh);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(privmem_shmem_bind);

/**
 * privmem_shmem_space_bind() - bind a space to a shmem backing range
 * @space: the space, in state CREATED.
 * @gfn: the guest frame that the first page of @sh backs.
 * @sh: from privmem_shmem_bind(); the space owns it if this succeeds.
 * @arch: the arch ops.
 * @arch_priv: the arch cookie.
 *
 * privmem_space_bind() with &privmem_shmem_backend_ops over @sh's pages:
 * gfn @gfn + i is page @pgoff + i of the file.  With %PRIVMEM_ARCH_PAGELESS
 * arch ops the binding allocates on first use: a conversion to private
 * leaves holes as they are, and the backend's get_pfn allocates the page
 * of a private hole (see "Conversion steps" in shmem_ops.c).
 *
 * Context: Process context; may sleep.
 * Return: 0, -EINVAL if @sh already belongs to a space, or the errno of
 * privmem_space_bind().  On failure @sh stays the caller's.
 */
int privmem_shmem_space_bind(struct privmem_space *space, u64 gfn,
			     struct privmem_shmem *sh,
			     const struct privmem_arch_ops *arch,
			     void *arch_priv)
{
	int ret;

	if (IS_ERR_OR_NULL(sh) || sh->in_space)
		return -EINVAL;
	sh->gfn = gfn;
	sh->space = space;
	sh->lazy = arch && (arch->flags & PRIVMEM_ARCH_PAGELESS);
	/* Pairs with privmem_shmem_memory_failure(): @gfn and @space first. */
	smp_store_release(&sh->in_space, true);
	ret = privmem_space_bind(space, gfn, sh->npages,
				 &privmem_shmem_backend_ops, sh,
				 arch, arch_priv);
	if (ret)
		WRITE_ONCE(sh->in_space, false);
	return ret;
}
EXPORT_SYMBOL_GPL(privmem_shmem_space_bind);

/* Clear the pages of a private run, then punch them out of the file. */
static void privmem_shmem_release_run(struct privmem_shmem *sh, pgoff_t first,
				      pgoff_t last)
{
	struct inode *inode = privmem_shmem_inode(sh);

	privmem_shmem_wipe(inode->i_mapping, first, last);
	privmem_shmem_punch(inode, first, last);
}

/**
 * privmem_shmem_unbind() - release a shmem backing range
 * @sh: from privmem_shmem_bind(), or NULL.
 *
 * Clears every private page of the range (and every page of a step in
 * progress) and punches it out of the file, while the host is still
 * refused: nothing private is left behind for the host, and no private
 * contents go back to the page allocator.  Shared pages are the host's
 * and stay as they are; a cookie that never reached a space had no
 * private page, so the file is left exactly as it was.  Then forgets the
 * range and drops the file reference.  When the last binding of a file
 * goes, the file is an ordinary shmem file again.
 *
 * The space calls this through &privmem_backend_ops.unbind when it dies;
 * call it directly only for a cookie that never reached a space.
 *
 * Context: Process context; may sleep.  Takes privmem_shmem_mutex and the
 * inode lock, and waits for RCU readers.
 */
void privmem_shmem_unbind(struct privmem_shmem *sh)
{
	struct inode *inode;

	if (IS_ERR_OR_NULL(sh))
		return;
	inode = privmem_shmem_inode(sh);

	mutex_lock(&privmem_shmem_mutex);
	if (sh->in_space) {
		/* Punch while the range is still refused to the host. */
		inode_lock(inode);
		privmem_shmem_map_walk(sh, privmem_shmem_release_run);
		inode_unlock(inode);
	}

	list_del_rcu(&sh->node);
	if (list_empty(&sh->pf->bindings))
		privmem_shmem_file_put(sh->pf);	/* waits for the callbacks */
	else
		shmem_consumer_synchronize();
	mutex_unlock(&privmem_shmem_mutex);

	/* Every step that cleared pages has committed or aborted. */
	WARN_ON_ONCE(!xa_empty(&sh->stash) || !xa_empty(&sh->pins));
	privmem_shmem_map_destroy(sh);
	mapping_unmap_writable(sh->file->f_mapping);
	fput(sh->file);
	kfree(sh);
}
EXPORT_SYMBOL_GPL(privmem_shmem_unbind);
