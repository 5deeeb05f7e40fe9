// SPDX-License-Identifier: GPL-2.0
/*
 * privmem shmem backing store: the backend ops.
 */
/**
 * DOC: Conversion steps
 *
 * Each step is prepare -> arch ops -> commit, or prepare -> abort.  What
 * the host sees is the binding's map (shmem_map.c); pages come and go only
 * through shmem's own paths: shmem_get_folio() allocates (and charges the
 * memory cgroup of the task converting, as any shmem allocation does; huge
 * folios when the file's huge policy allows them) and shmem_truncate_range()
 * punches.
 *
 * shared -> private, in place (pre-boot population, pKVM):
 *   prepare fills holes (the only allocation; the range is untouched if it
 *   fails), marks the range converting so that the host is refused, zaps
 *   host mappings and checks that no one else holds a folio (read in
 *   flight, pipe, GUP pin, a per-CPU LRU batch): -EBUSY if someone still
 *   does after a bounded wait for transient references.  It waits for no
 *   RCU grace period and drains other CPUs' LRU batches only if a
 *   reference is left (privmem_shmem_claim()).
 *   commit marks the range private.  The folios and their contents stay.
 *
 * shared -> private, destructive:
 *   prepare fills holes, marks the range converting, zaps host mappings
 *   and checks the references as in place (-EBUSY if the host still holds
 *   a folio: it would see the guest's data later).  It then clears every
 *   page in place, after saving a copy of each page that was not already
 *   zero in the binding's stash, and pins the folios (an extra reference
 *   keeps reclaim from swapping them out until commit or abort).  It is
 *   the only place that allocates: -ENOMEM restores the pages cleared so
 *   far and leaves the range as it was.  The arch op then sees the final,
 *   zeroed pages, before they become the guest's (SNP assigns them in the
 *   RMP, after which the host could not write them any more).  commit
 *   drops the copies and the pins and marks the range private; it cannot
 *   fail.  abort, after the arch op failed or was undone, copies the
 *   saved contents back before the range turns shared again, so a failed
 *   request loses no host data; the host never sees the cleared pages.
 *
 * private -> shared, in place: commit marks the range shared.
 *
 * private -> shared, destructive:
 *   prepare only marks the range leaving.  commit, after the arch op made
 *   the pages the host's again, clears them in place (the same frames
 *   back the range, now holding zeroes), then marks the range shared.
 *   Holes stay holes and read as zeroes; a swapped-out page (possible only
 *   without %PRIVMEM_SHMEM_UNRECLAIMABLE) is punched; a poisoned page is
 *   punched and replaced by a fresh zeroed one (best effort: a failed
 *   allocation leaves a hole).  commit allocates nothing else, frees
 *   nothing else, and cannot fail.  The host never sees the old private
 *   contents.
 *
 * Allocation on first use: when the space's arch ops are
 * %PRIVMEM_ARCH_PAGELESS (no arch op looks at the pages: the x86
 * software-protected VM), neither kind of conversion to private fills
 * holes.  A hole stays a hole, which reads as zeroes like the fresh page
 * a fill would have put there, and get_pfn allocates it when the fault
 * path (or a pre-boot copy) first asks for the page of a private hole.
 * Converting a sparse span allocates nothing, and memory follows what the
 * guest touches, as with guest_memfd.  A host fault or write that meets
 * the hole while a step is converting it may leave a zeroed folio there
 * (shmem allocates before it asks the map, then backs off); that folio
 * was not pinned by the step, holds no host data, and commit and abort
 * leave it alone.
 *
 * prepare stores the step's range in the binding's map as a run of its
 * own (CONVERTING or LEAVING), so several steps of one entry can be
 * prepared before any commits; commit and abort only change the state of
 * that run (shmem_map.c), and cannot fail.  A bound file's folios are
 * order 0 (privmem_shmem_split()), so each page's state is its folio's.
 */
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/folio_batch.h>
#include <linux/rcupdate.h>
#include <linux/swap.h>
#include <kunit/static_stub.h>

#include "shmem_internal.h"

/**
 * privmem_shmem_get_folio() - find or allocate the folio at an index
 * @inode: the shmem inode.
 * @index: the page index.
 * @write_end: end of the range being populated, for shmem's huge policy.
 * @foliop: returns the folio, locked and with a reference.
 *
 * The only place the backend allocates pages, so a test can fail it with
 * kunit_activate_static_stub().
 *
 * Return: 0 or the errno of shmem_get_folio() (-ENOMEM, -ENOSPC, -EINVAL
 * beyond the end of the file, -EFBIG).
 */
VISIBLE_IF_KUNIT int privmem_shmem_get_folio(struct inode *inode, pgoff_t index,
					     loff_t write_end,
					     struct folio **foliop)
{
	KUNIT_STATIC_STUB_REDIRECT(privmem_shmem_get_folio, inode, index,
				   write_end, foliop);
	return shmem_get_folio(inode, index, write_end, foliop, SGP_CACHE);
}
EXPORT_SYMBOL_IF_KUNIT(privmem_shmem_get_folio);

/**
 * privmem_shmem_fill() - make sure every page of a range has a folio
 * @sh: the binding.
 * @first: first file page index.
 * @last: last file page index.
 *
 * Existing folios are kept (and swapped in); holes get fresh zeroed ones.
 *
 * Context: May sleep.
 * Return: 0 or the errno of the first failed allocation; the folios
 * allocated before it stay (they read as zeroes, as the holes did).
 */
int privmem_shmem_fill(struct privmem_shmem *sh, pgoff_t first, pgoff_t last)
{
	struct inode *inode = privmem_shmem_inode(sh);
	struct address_space *mapping = inode->i_mapping;
	loff_t write_end = (loff_t)(last + 1) << PAGE_SHIFT;
	struct folio_batch fbatch;
	pgoff_t index = first, next, end;
	struct folio *folio;
	unsigned int i, n;
	int ret = 0;

	/*
	 * Find the folios in batches and ask shmem only for the gaps between
	 * them: holes, and swapped-out pages, which it swaps in.
	 */
	folio_batch_init(&fbatch);
	while (!ret && index <= last) {
		next = index;
		n = filemap_get_folios(mapping, &next, last, &fbatch);
		for (i = 0; i <= n && !ret; i++) {
			/* after the batch: up to where the lookup looked */
			end = i < n ? fbatch.folios[i]->index :
			      next > last ? last + 1 : next;
			while (index < end && !ret) {
				ret = privmem_shmem_get_folio(inode, index,
							      write_end, &folio);
				if (ret)
					break;
				index = folio_next_index(folio);
				folio_unlock(folio);
				folio_put(folio);
				cond_resched();
			}
			if (i < n)
				index = max(index, folio_next_index(fbatch.folios[i]));
		}
		folio_batch_release(&fbatch);
		cond_resched();
	}
	return ret;
}

/**
 * privmem_shmem_split() - split the large folios of a range
 * @mapping: the file's mapping.
 * @first: first page index.
 * @last: last page index.
 *
 * A bound file's folios are order 0 (%SHMEM_CONSUMER_SMALL_FOLIOS), so
 * that no folio and no host mapping of one covers a private page and a
 * shared one.  Folios made before the file was bound, or swapped in large,
 * are split here.
 *
 * Context: May sleep.
 * Return: 0, or -EBUSY if a folio cannot be split (someone else holds a
 * reference, e.g. a GUP pin).
 */
int privmem_shmem_split(struct address_space *mapping, pgoff_t first,
			pgoff_t last)
{
	struct folio_batch fbatch;
	pgoff_t index = first;
	unsigned int i;
	int ret = 0;

	folio_batch_init(&fbatch);
	while (!ret && filemap_get_folios(mapping, &index, last, &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch) && !ret; i++) {
			struct folio *folio = fbatch.folios[i];

			if (!folio_test_large(folio))
				continue;
			folio_lock(folio);
			if (folio->mapping == mapping && folio_test_large(folio) &&
			    split_folio(folio))
				ret = -EBUSY;
			folio_unlock(folio);
		}
		folio_batch_release(&fbatch);
		cond_resched();
	}
	return ret;
}

/**
 * privmem_shmem_punch() - punch the pages of a range out of the file
 * @inode: the shmem inode.
 * @first: first page index.
 * @last: last page index.
 *
 * Through shmem's own hole punching: the folios and swap entries of the
 * range go, and the range reads as zeroes.
 *
 * Context: May sleep.
 */
void privmem_shmem_punch(struct inode *inode, pgoff_t first, pgoff_t last)
{
	shmem_truncate_range(inode, (loff_t)first << PAGE_SHIFT,
			     ((loff_t)(last + 1) << PAGE_SHIFT) - 1);
}

/*
 * Move *@index to the next page of the file at or after it, up to @last,
 * that has a folio or a swap entry.  Return: false if there is none.
 */
static bool privmem_shmem_next_present(struct address_space *mapping,
				       pgoff_t *index, pgoff_t last)
{
	unsigned long next = *index;

	if (!xa_find(&mapping->i_pages, &next, last, XA_PRESENT))
		return false;
	/* A large folio's entry may start before *@index. */
	*index = max_t(pgoff_t, *index, next);
	return true;
}

/*
 * Clear the pages of the locked @folio that lie in @first..@last, but not
 * a hardware-poisoned one (touching it could take a machine check).
 * Return: true if the folio has a poisoned page in that range.
 */
static bool privmem_shmem_clear_folio(struct folio *folio, pgoff_t first,
				      pgoff_t last)
{
	pgoff_t i, end = min(last, folio_next_index(folio) - 1);
	bool poisoned = false;

	for (i = max(first, folio->index); i <= end; i++) {
		struct page *page = folio_file_page(folio, i);

		if (PageHWPoison(page))
			poisoned = true;
		else
			clear_highpage(page);
	}
	return poisoned;
}

/**
 * privmem_shmem_wipe() - clear the pages of a range in place
 * @mapping: the file's mapping.
 * @first: first page index.
 * @last: last page index.
 *
 * Before private pages are punched or dropped: they go back to the page
 * allocator holding zeroes, not the guest's data.  Holes stay holes, and
 * a hardware-poisoned page is not touched (it never goes back).
 *
 * Context: May sleep.
 */
void privmem_shmem_wipe(struct address_space *mapping, pgoff_t first,
			pgoff_t last)
{
	struct folio_batch fbatch;
	pgoff_t index = first;
	unsigned int n;

	folio_batch_init(&fbatch);
	while (filemap_get_folios(mapping, &index, last, &fbatch)) {
		for (n = 0; n < folio_batch_count(&fbatch); n++) {
			struct folio *folio = fbatch.folios[n];

			folio_lock(folio);
			if (folio->mapping == mapping)
				privmem_shmem_clear_folio(folio, first, last);
			folio_unlock(folio);
		}
		folio_batch_release(&fbatch);
		cond_resched();
	}
}

/*
 * Pins of a folio by steps in progress: each holds a folio reference that
 * privmem_shmem_check_refs() must not take for someone else's.  Two
 * steps of one entry pin the same folio when a large folio spans both.
 */
static unsigned long privmem_shmem_pins(struct privmem_shmem *sh,
					const struct folio *folio)
{
	return xa_to_value(xa_load(&sh->pins, folio->index));
}

/*
 * Count a pin; the caller's folio reference becomes it.  Pins are taken
 * by steps under the space's mutex and by privmem_shmem_hold() without
 * it, so each count is changed under the xarray's lock; the slot is
 * reserved first, so the store under the lock allocates nothing.
 */
static int privmem_shmem_pin(struct privmem_shmem *sh, struct folio *folio)
{
	unsigned long n;
	int ret;

	ret = xa_reserve(&sh->pins, folio->index, GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret;
	xa_lock(&sh->pins);
	n = privmem_shmem_pins(sh, folio);
	WARN_ON_ONCE(xa_is_err(__xa_store(&sh->pins, folio->index,
					  xa_mk_value(n + 1), GFP_NOWAIT)));
	xa_unlock(&sh->pins);
	return 0;
}

/* Drop a pin; replacing or erasing an existing entry allocates nothing. */
static void privmem_shmem_unpin(struct privmem_shmem *sh, struct folio *folio)
{
	unsigned long n;

	xa_lock(&sh->pins);
	n = privmem_shmem_pins(sh, folio);
	if (n > 1)
		WARN_ON_ONCE(xa_is_err(__xa_store(&sh->pins, folio->index,
						  xa_mk_value(n - 1),
						  GFP_NOWAIT)));
	else
		__xa_erase(&sh->pins, folio->index);
	xa_unlock(&sh->pins);
	folio_put(folio);
}

/*
 * No one but the page cache (and our own pins) may hold a folio of the
 * range: a read or splice in flight, a pipe buffer or a GUP pin would let
 * the host reach a page the guest now owns.  Callers have marked the range
 * converting and zapped its mappings; the reader paths take their
 * reference before they check the map (see shmem_range_private()).  The
 * folios are looked up in batches and not locked: a reference taken
 * after the claim belongs to a reader that backs off, or to reclaim,
 * and only makes the check fail until it is dropped.  Swapped-out pages
 * are skipped: no one can reach them.
 */
static int privmem_shmem_refs_idle(struct privmem_shmem *sh, pgoff_t first,
				   pgoff_t last)
{
	struct address_space *mapping = privmem_shmem_inode(sh)->i_mapping;
	struct folio_batch fbatch;
	pgoff_t index = first;
	struct folio *folio;
	unsigned int i;
	int ret = 0;

	folio_batch_init(&fbatch);
	while (!ret && filemap_get_folios(mapping, &index, last, &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++) {
			folio = fbatch.folios[i];
			if (folio_mapped(folio) ||
			    folio_ref_count(folio) != folio_nr_pages(folio) + 1 +
						      privmem_shmem_pins(sh, folio)) {
				ret = -EBUSY;
				break;
			}
		}
		folio_batch_release(&fbatch);
		cond_resched();
	}
	return ret;
}

/*
 * As privmem_shmem_refs_idle(), but give transient references time to go:
 * a vCPU's fault on a shared neighbour, a reader that saw the old map and
 * is about to back off, or an LRU batch refilled since the drain.  Only a
 * reference that outlives PRIVMEM_SHMEM_BUSY_TRIES attempts (a GUP pin, a
 * pipe buffer) fails the step with -EBUSY.
 */
static int privmem_shmem_check_refs(struct privmem_shmem *sh, pgoff_t first,
				    pgoff_t last)
{
	struct address_space *mapping = privmem_shmem_inode(sh)->i_mapping;
	unsigned int tries = PRIVMEM_SHMEM_BUSY_TRIES;
	int ret;

	/*
	 * A per-CPU LRU batch holds a reference to each folio it has not
	 * added yet (the ones the step just allocated, or the host touched
	 * lately).  Disturb every CPU to drain them only if a reference is
	 * left.
	 */
	ret = privmem_shmem_refs_idle(sh, first, last);
	if (ret != -EBUSY)
		return ret;
	lru_add_drain_all();
	while ((ret = privmem_shmem_refs_idle(sh, first, last)) == -EBUSY &&
	       --tries) {
		usleep_range(PRIVMEM_SHMEM_BUSY_WAIT_US,
			     2 * PRIVMEM_SHMEM_BUSY_WAIT_US);
		lru_add_drain_all();
		/*
		 * A fault that looked at the map before the claim may have
		 * mapped a page since the claim's unmap: it is refused from
		 * now on, so unmapping again settles it.
		 */
		unmap_mapping_range(mapping, (loff_t)first << PAGE_SHIFT,
				    (loff_t)(last - first + 1) << PAGE_SHIFT, 0);
	}
	return ret;
}

/*
 * Refuse the range to the host and get rid of its mappings; the range is
 * already CONVERTING in the map.
 *
 * No grace period is needed, and none is waited for: every host path
 * takes its folio reference before it asks the map, with a full barrier
 * in between (shmem_range_private()), and the claim has a full barrier
 * between publishing the run and checking the references.  So either a
 * reader sees the claim and backs off, or privmem_shmem_check_refs()
 * sees the reader's reference and waits for it.  A fault that saw the
 * old map holds its reference until it has mapped the page, and the
 * check unmaps again when it retries.  Mapped pages are taken away under
 * their page table locks, which GUP takes its references under.
 */
static void privmem_shmem_claim(struct privmem_shmem *sh, pgoff_t first,
				pgoff_t last)
{
	struct inode *inode = privmem_shmem_inode(sh);

	lockdep_assert_held(&inode->i_rwsem);
	smp_mb();	/* the run before the references: pairs as above */
	unmap_mapping_range(inode->i_mapping, (loff_t)first << PAGE_SHIFT,
			    (loff_t)(last - first + 1) << PAGE_SHIFT, 0);
}

/*
 * Replace a poisoned page: punch it (a poisoned page never goes back to
 * the allocator) and put a fresh zeroed one in its place, best effort.
 */
static void privmem_shmem_replace(struct privmem_shmem *sh, pgoff_t first,
				  pgoff_t last)
{
	privmem_shmem_punch(privmem_shmem_inode(sh), first, last);
	/* A failed allocation leaves a hole, which reads as zeroes. */
	privmem_shmem_fill(sh, first, last);
}

/*
 * Clear the pages of @first..@last in place once they are the host's
 * again, for a destructive conversion to shared.  Holes stay holes; what
 * the lookup does not find (a swapped-out page of a binding without
 * %PRIVMEM_SHMEM_UNRECLAIMABLE) is punched, so no copy of the guest's data
 * survives anywhere; a folio with a poisoned page is replaced.  Allocates
 * nothing but the replacements, and cannot fail.
 */
static void privmem_shmem_scrub(struct privmem_shmem *sh, pgoff_t first,
				pgoff_t last)
{
	struct inode *inode = privmem_shmem_inode(sh);
	struct address_space *mapping = inode->i_mapping;
	pgoff_t index = first, next, end, bad_first = 0, bad_last = 0;
	struct folio_batch fbatch;
	struct folio *folio;
	unsigned int n, k;
	bool bad;

	lockdep_assert_held(&inode->i_rwsem);
	folio_batch_init(&fbatch);
	while (index <= last) {
		next = index;
		n = filemap_get_folios(mapping, &next, last, &fbatch);
		bad = false;
		for (k = 0; k <= n && !bad; k++) {
			/* after the batch: up to where the lookup looked */
			end = k < n ? fbatch.folios[k]->index :
			      next > last ? last + 1 : next;
			if (index < end)
				privmem_shmem_punch(inode, index, end - 1);
			index = max(index, end);
			if (k == n)
				break;
			folio = fbatch.folios[k];
			folio_lock(folio);
			end = min(last, folio_next_index(folio) - 1);
			if (folio->mapping == mapping) {
				bad = privmem_shmem_clear_folio(folio, index, end);
				folio_mark_dirty(folio);
			}
			folio_unlock(folio);
			bad_first = index;
			bad_last = end;
			index = end + 1;
		}
		folio_batch_release(&fbatch);
		if (bad)
			privmem_shmem_replace(sh, bad_first, bad_last);
		cond_resched();
	}
}

/*
 * Save a copy of @page in the stash at @index unless it is all zeroes,
 * then clear it.  The page is cleared only once its copy is recorded.
 */
static int privmem_shmem_stash_page(struct privmem_shmem *sh, pgoff_t index,
				    struct page *page)
{
	struct page *copy;
	bool zero;
	void *p;
	int ret;

	p = kmap_local_page(page);
	zero = !memchr_inv(p, 0, PAGE_SIZE);
	kunmap_local(p);
	if (zero)
		return 0;

	copy = alloc_page(GFP_KERNEL_ACCOUNT);
	if (!copy)
		return -ENOMEM;
	copy_highpage(copy, page);
	ret = xa_err(xa_store(&sh->stash, index, copy, GFP_KERNEL_ACCOUNT));
	if (ret) {
		__free_page(copy);
		return ret;
	}
	clear_highpage(page);
	return 0;
}

/*
 * Undo or finish privmem_shmem_clear() over @first..@last: copy the saved
 * pages back if @restore, free them, and drop the pins.  Allocates
 * nothing and cannot fail: the pinned folios are still in the file.
 */
static void privmem_shmem_unstash(struct privmem_shmem *sh, pgoff_t first,
				  pgoff_t last, bool restore)
{
	struct address_space *mapping = privmem_shmem_inode(sh)->i_mapping;
	pgoff_t index = first, end, i;
	struct folio *folio;
	struct page *copy;

	while (index <= last) {
		if (sh->lazy && !privmem_shmem_next_present(mapping, &index, last))
			break;
		folio = filemap_lock_folio(mapping, index);
		/* Every page was pinned, unless the binding leaves holes. */
		if (IS_ERR(folio)) {
			WARN_ON_ONCE(!sh->lazy);
			index++;
			continue;
		}
		end = min(last, folio_next_index(folio) - 1);
		/*
		 * A folio that privmem_shmem_clear() did not pin was put in a
		 * hole after it, by a host path that then saw the range
		 * converting and backed off: it holds zeroes, not host data,
		 * and neither a copy nor a pin of ours.
		 */
		if (sh->lazy && !privmem_shmem_pins(sh, folio)) {
			folio_unlock(folio);
			folio_put(folio);
			index = end + 1;
			continue;
		}
		for (i = index; i <= end; i++) {
			copy = xa_erase(&sh->stash, i);
			if (!copy)
				continue;
			if (restore)
				copy_highpage(folio_file_page(folio, i), copy);
			__free_page(copy);
		}
		if (restore)
			folio_mark_dirty(folio);
		folio_unlock(folio);
		folio_put(folio);	/* this lookup */
		privmem_shmem_unpin(sh, folio);
		index = end + 1;
		cond_resched();
	}
}

/*
 * Clear every page of @first..@last in place for a destructive conversion
 * to private, saving what was there; pin each folio.  On failure, the
 * pages are restored and unpinned.
 */
static int privmem_shmem_clear(struct privmem_shmem *sh, pgoff_t first,
			       pgoff_t last)
{
	struct inode *inode = privmem_shmem_inode(sh);
	loff_t write_end = (loff_t)(last + 1) << PAGE_SHIFT;
	pgoff_t index = first, end, i;
	struct folio *folio;
	int ret = 0;

	lockdep_assert_held(&inode->i_rwsem);
	while (index <= last) {
		/* A binding that allocates on first use leaves holes alone. */
		if (sh->lazy &&
		    !privmem_shmem_next_present(inode->i_mapping, &index, last))
			break;
		/* Swaps the folio in if reclaim took it since the fill. */
		ret = privmem_shmem_get_folio(inode, index, write_end, &folio);
		if (ret)
			break;
		ret = privmem_shmem_pin(sh, folio);
		if (ret) {
			folio_unlock(folio);
			folio_put(folio);
			break;
		}
		end = min(last, folio_next_index(folio) - 1);
		for (i = index; i <= end && !ret; i++)
			ret = privmem_shmem_stash_page(sh, i,
						       folio_file_page(folio, i));
		folio_mark_dirty(folio);
		folio_unlock(folio);
		if (ret) {
			/* Up to the failed page: @folio's pin goes too. */
			index = i;
			break;
		}
		index = end + 1;	/* keep the reference: the pin */
		cond_resched();
	}
	if (ret && index > first)
		privmem_shmem_unstash(sh, first, index - 1, true);
	return ret;
}

static int privmem_shmem_index(const struct privmem_shmem *sh, u64 gfn,
			       u64 npages, pgoff_t *first, pgoff_t *last)
{
	if (WARN_ON_ONCE(!sh->in_space))
		return -EINVAL;
	if (gfn < sh->gfn || !npages || npages > sh->npages ||
	    gfn - sh->gfn > sh->npages - npages)
		return -EINVAL;
	*first = sh->pgoff + (gfn - sh->gfn);
	*last = *first + npages - 1;
	return 0;
}

/* End the step over a range; cannot fail. */
static void privmem_shmem_set_run(struct privmem_shmem *sh, pgoff_t first,
				  pgoff_t last, enum privmem_shmem_state state)
{
	WARN_ON_ONCE(privmem_shmem_map_end(sh, first, last, state));
}

static int privmem_shmem_prepare(void *priv, const struct privmem_op *op)
{
	struct privmem_shmem *sh = priv;
	struct inode *inode = privmem_shmem_inode(sh);
	pgoff_t first, last;
	int ret;

	ret = privmem_shmem_index(sh, op->gfn, op->npages, &first, &last);
	if (ret)
		return ret;

	if (op->to == PRIVMEM_SHARED)
		return privmem_shmem_map_set(sh, first, last,
					     PRIVMEM_SHMEM_LEAVING);

	inode_lock(inode);
	/*
	 * Zeroed folios in holes, unless the binding allocates on first use:
	 * the host sees no change if this fails.
	 */
	ret = sh->lazy ? 0 : privmem_shmem_fill(sh, first, last);
	if (!ret)	/* a swapped-in folio may be large */
		ret = privmem_shmem_split(inode->i_mapping, first, last);
	if (ret)
		goto unlock;
	ret = privmem_shmem_map_set(sh, first, last, PRIVMEM_SHMEM_CONVERTING);
	if (ret)
		goto unlock;
	privmem_shmem_claim(sh, first, last);
	ret = privmem_shmem_check_refs(sh, first, last);
	if (!ret && op->mode == PRIVMEM_MODE_DESTRUCTIVE)
		ret = privmem_shmem_clear(sh, first, last);
	if (ret)
		privmem_shmem_set_run(sh, first, last, PRIVMEM_SHMEM_SHARED);
unlock:
	inode_unlock(inode);
	return ret;
}

static void privmem_shmem_commit(void *priv, const struct privmem_op *op)
{
	struct privmem_shmem *sh = priv;
	struct inode *inode = privmem_shmem_inode(sh);
	pgoff_t first, last;

	if (WARN_ON_ONCE(privmem_shmem_index(sh, op->gfn, op->npages,
					     &first, &last)))
		return;

	if (op->to == PRIVMEM_PRIVATE) {
		if (op->mode == PRIVMEM_MODE_DESTRUCTIVE)
			privmem_shmem_unstash(sh, first, last, false);
		privmem_shmem_set_run(sh, first, last, PRIVMEM_SHMEM_PRIVATE);
		return;
	}
	if (op->mode == PRIVMEM_MODE_DESTRUCTIVE) {
		inode_lock(inode);
		privmem_shmem_scrub(sh, first, last);
		inode_unlock(inode);
	}
	privmem_shmem_set_run(sh, first, last, PRIVMEM_SHMEM_SHARED);
}

static void privmem_shmem_abort(void *priv, const struct privmem_op *op)
{
	struct privmem_shmem *sh = priv;
	pgoff_t first, last;

	if (WARN_ON_ONCE(privmem_shmem_index(sh, op->gfn, op->npages,
					     &first, &last)))
		return;
	/* The host's data is back before the range is shared again. */
	if (op->to == PRIVMEM_PRIVATE && op->mode == PRIVMEM_MODE_DESTRUCTIVE)
		privmem_shmem_unstash(sh, first, last, true);
	privmem_shmem_set_run(sh, first, last,
			      op->from == PRIVMEM_PRIVATE ? PRIVMEM_SHMEM_PRIVATE :
							    PRIVMEM_SHMEM_SHARED);
}

/*
 * The 2M block holding @index is backed by one folio at a 2M aligned
 * place, and the guest's 2M block is the file's: then the hardware may map
 * it at 2M.
 */
static bool privmem_shmem_is_2m(const struct privmem_shmem *sh,
				struct folio *folio, pgoff_t index, u64 gfn)
{
	pgoff_t start = ALIGN_DOWN(index, PRIVMEM_PAGES_2M);

	if (folio_nr_pages(folio) < PRIVMEM_PAGES_2M)
		return false;
	if ((gfn ^ index) & (PRIVMEM_PAGES_2M - 1))
		return false;
	if (start < sh->pgoff || start + PRIVMEM_PAGES_2M > sh->pgoff + sh->npages)
		return false;
	return folio->index <= start &&
	       folio_next_index(folio) >= start + PRIVMEM_PAGES_2M;
}

/*
 * The returned pfn carries one folio reference, dropped by
 * privmem_shmem_put_pfn().  The reference keeps the page from being freed,
 * not in the file nor its contents: a destructive step that runs
 * afterwards clears it, and a poisoned page is replaced.  A
 * fault path must therefore take the pfn, then check (under its own
 * invalidation sequence, e.g. KVM's mmu_invalidate_seq) that no
 * conversion of the gfn ran meanwhile before it maps the pfn.  Called by
 * an arch op during a step, it returns the page that the step's prepare
 * left in the file.  Takes only the folio lock, briefly.  A binding that
 * allocates on first use (sh->lazy) allocates the page of a private hole
 * here, with the file's gfp mask, charged to the caller's memory cgroup:
 * the fault path may then fail with -ENOMEM (or -ENOSPC at the file
 * system's size limit).
 */
static int privmem_shmem_get_pfn(void *priv, u64 gfn, u64 *pfn,
				 enum privmem_gran *gran)
{
	struct privmem_shmem *sh = priv;
	struct folio *folio;
	pgoff_t index, last;
	int ret;

	ret = privmem_shmem_index(sh, gfn, 1, &index, &last);
	if (ret)
		return ret;
	ret = shmem_get_folio(privmem_shmem_inode(sh), index, 0, &folio,
			      SGP_NOALLOC);
	/*
	 * A binding that allocates on first use gives a private hole a
	 * zeroed page now.  Should the range turn shared meanwhile, the new
	 * page is the host's zero page, and the fault path, which checks its
	 * invalidation sequence before it maps, retries.
	 */
	if (ret == -ENOENT && sh->lazy &&
	    privmem_shmem_map_state(sh, index) == PRIVMEM_SHMEM_PRIVATE)
		ret = privmem_shmem_get_folio(privmem_shmem_inode(sh), index,
					      0, &folio);
	if (ret)
		return ret == -EINVAL ? -ENOENT : ret;
	folio_unlock(folio);

	*pfn = folio_pfn(folio) + (index - folio->index);
	*gran = privmem_shmem_is_2m(sh, folio, index, gfn) ? PRIVMEM_GRAN_2M :
							      PRIVMEM_GRAN_4K;
	return 0;
}

static void privmem_shmem_put_pfn(void *priv, u64 pfn)
{
	folio_put(pfn_folio(pfn));
}

/**
 * privmem_shmem_hold() - a long-term reference on a page for the arch
 * @sh: the binding.
 * @gfn: the frame.
 * @page: returns the page.
 *
 * For an arch that maps a page into the guest's stage 2 for as long as
 * the guest owns it (pKVM): the reference keeps the page from being
 * freed under the mapping, and the conversion steps' reference checks
 * count it as the backend's own, not as a host user's.  Drop it with
 * privmem_shmem_release(), at the latest before the binding goes.
 *
 * Context: May sleep.
 * Return: 0, -ENOENT if no page backs @gfn, -EINVAL if @gfn is outside
 * the binding, or -ENOMEM.
 */
int privmem_shmem_hold(struct privmem_shmem *sh, u64 gfn, struct page **page)
{
	enum privmem_gran gran;
	struct folio *folio;
	u64 pfn;
	int ret;

	ret = privmem_shmem_get_pfn(sh, gfn, &pfn, &gran);
	if (ret)
		return ret;
	folio = pfn_folio(pfn);
	ret = privmem_shmem_pin(sh, folio);
	if (ret) {
		folio_put(folio);
		return ret;
	}
	*page = pfn_to_page(pfn);
	return 0;
}
EXPORT_SYMBOL_GPL(privmem_shmem_hold);

/**
 * privmem_shmem_release() - drop a reference from privmem_shmem_hold()
 * @sh: the binding.
 * @page: the page.
 */
void privmem_shmem_release(struct privmem_shmem *sh, struct page *page)
{
	privmem_shmem_unpin(sh, page_folio(page));
}
EXPORT_SYMBOL_GPL(privmem_shmem_release);

static void privmem_shmem_ops_unbind(void *priv)
{
	privmem_shmem_unbind(priv);
}

/*
 * The shmem backend's &struct privmem_backend_ops, used by
 * privmem_shmem_space_bind(); the cookie is a &struct privmem_shmem.
 * @get_pfn returns -ENOENT for a hole (a shared page never touched) and
 * -EINVAL for a gfn outside the binding.
 */
const struct privmem_backend_ops privmem_shmem_backend_ops = {
	.prepare	= privmem_shmem_prepare,
	.commit		= privmem_shmem_commit,
	.abort		= privmem_shmem_abort,
	.get_pfn	= privmem_shmem_get_pfn,
	.put_pfn	= privmem_shmem_put_pfn,
	.unbind		= privmem_shmem_ops_unbind,
};
EXPORT_SYMBOL_GPL(privmem_shmem_backend_ops);
