// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite privmem_shmem: the shmem backing store on a real shmem file,
 * driven through privmem_convert() on a real space.  Only the policy (which
 * mode to use) and the arch ops (no hardware on UML) are fakes; what the
 * tests check is the file: its pages, pfns and what the host can read,
 * write and map.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/falloc.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/privmem.h>
#include <linux/privmem_shmem.h>
#include <linux/shmem_fs.h>
#include <linux/swap.h>
#include <linux/uaccess.h>

#include "../backends/shmem_internal.h"

#define TEST_PAGES	8
#define TEST_GFN	0x100
#define TEST_PATTERN	0xa5

struct shmem_test {
	struct file *file;
	struct privmem_space *space;
	struct privmem_shmem *sh;
	enum privmem_mode mode;
	int fail_set;		/* errno the fake arch set op returns */
	unsigned int set_calls;
	u64 pfn_seen;		/* pfn of the first page, as the arch saw it */
	int byte_seen;		/* page_byte() of the first page, ditto */
	int get_folio_left;	/* calls the get_folio stub lets through */
	pgoff_t host_alloc;	/* 1 + page the pageless arch step fills */
};

static struct shmem_test *current_test(void)
{
	struct kunit *test = kunit_get_current_test();

	return test ? test->priv : NULL;
}

static int test_allow(const struct privmem_conv_info *ci)
{
	return 0;
}

static enum privmem_mode test_mode(const struct privmem_conv_info *ci)
{
	return current_test()->mode;
}

static struct privmem_policy_ops test_policy = {
	.allow = test_allow,
	.mode = test_mode,
	.partial_2m = PRIVMEM_PARTIAL_2M_SMASH,
	.merge = PRIVMEM_MERGE_NEVER,
	.id = 0x5e,
	.name = "shmem_test",
};

static int page_byte(struct file *file, pgoff_t index, unsigned long *pfn);

/* The arch step looks the page up like an adapter would, then may fail. */
static int test_set(void *priv, const struct privmem_op *op)
{
	struct shmem_test *t = priv;
	enum privmem_gran gran;
	u64 pfn;

	t->set_calls++;
	if (!privmem_shmem_backend_ops.get_pfn(t->sh, op->gfn, &pfn, &gran)) {
		t->pfn_seen = pfn;
		privmem_shmem_backend_ops.put_pfn(t->sh, pfn);
	}
	t->byte_seen = page_byte(t->file, op->gfn - TEST_GFN, NULL);
	return t->fail_set;
}

static const struct privmem_arch_ops test_arch = {
	.set_private = test_set,
	.set_shared = test_set,
};

/*
 * An arch step that never looks at the pages.  Meanwhile, optionally, a
 * host fault meets a hole of the range being made private: shmem
 * allocates a folio there before it asks the map, then backs off.
 */
static int test_set_pageless(void *priv, const struct privmem_op *op)
{
	struct shmem_test *t = priv;
	struct folio *folio;

	t->set_calls++;
	if (t->host_alloc && op->to == PRIVMEM_PRIVATE &&
	    !shmem_get_folio(file_inode(t->file), t->host_alloc - 1, 0, &folio,
			     SGP_CACHE)) {
		folio_unlock(folio);
		folio_put(folio);
	}
	return t->fail_set;
}

static const struct privmem_arch_ops test_arch_pageless = {
	.flags = PRIVMEM_ARCH_PAGELESS,
	.set_private = test_set_pageless,
	.set_shared = test_set_pageless,
};

static void test_fput(void *file)
{
	fput(file);
}

static void test_space_destroy(void *space)
{
	privmem_space_destroy(space);
}

static struct file *test_file(struct kunit *test, loff_t size)
{
	struct file *file;

	file = shmem_kernel_file_setup("privmem_shmem_test", size, EMPTY_VMA_FLAGS);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_fput, file), 0);
	return file;
}

static ssize_t host_write(struct file *file, pgoff_t index, u8 byte)
{
	static u8 buf[PAGE_SIZE];
	loff_t pos = (loff_t)index << PAGE_SHIFT;

	memset(buf, byte, sizeof(buf));
	return kernel_write(file, buf, sizeof(buf), &pos);
}

/* Returns the byte the page is filled with, -1 if mixed, or the errno. */
static int host_read(struct file *file, pgoff_t index)
{
	static u8 buf[PAGE_SIZE];
	loff_t pos = (loff_t)index << PAGE_SHIFT;
	ssize_t ret;
	size_t i;

	ret = kernel_read(file, buf, sizeof(buf), &pos);
	if (ret < 0)
		return ret;
	if (ret != PAGE_SIZE)
		return -EIO;
	for (i = 1; i < PAGE_SIZE; i++)
		if (buf[i] != buf[0])
			return -1;
	return buf[0];
}

/* What the page in the file holds, read behind the host's back. */
static int page_byte(struct file *file, pgoff_t index, unsigned long *pfn)
{
	struct folio *folio;
	u8 *p;
	int ret, i;

	ret = shmem_get_folio(file_inode(file), index, 0, &folio, SGP_NOALLOC);
	if (ret)
		return ret;
	p = kmap_local_folio(folio, offset_in_folio(folio, (loff_t)index << PAGE_SHIFT));
	ret = p[0];
	for (i = 1; i < PAGE_SIZE; i++)
		if (p[i] != p[0])
			ret = -1;
	kunmap_local(p);
	if (pfn)
		*pfn = folio_pfn(folio) + (index - folio->index);
	folio_unlock(folio);
	folio_put(folio);
	return ret;
}

/* Write the guest's data into a private page, as the guest would. */
static void guest_fill(struct kunit *test, struct file *file, pgoff_t index, u8 byte)
{
	struct folio *folio;
	u8 *p;

	KUNIT_ASSERT_EQ(test, shmem_get_folio(file_inode(file), index, 0, &folio,
					      SGP_NOALLOC), 0);
	p = kmap_local_folio(folio, offset_in_folio(folio, (loff_t)index << PAGE_SHIFT));
	memset(p, byte, PAGE_SIZE);
	kunmap_local(p);
	folio_mark_dirty(folio);
	folio_unlock(folio);
	folio_put(folio);
}

/* A space over the whole file, gfn TEST_GFN + i backed by page i. */
static struct shmem_test *setup(struct kunit *test)
{
	struct shmem_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	t->mode = PRIVMEM_MODE_DESTRUCTIVE;
	t->file = test_file(test, TEST_PAGES * PAGE_SIZE);
	return t;
}

static void bind_space_arch(struct kunit *test, struct shmem_test *t,
			    unsigned int flags, const struct privmem_arch_ops *arch)
{
	struct privmem_space_config cfg = { .policy = &test_policy };

	t->sh = privmem_shmem_bind(t->file, 0, TEST_PAGES, flags);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->sh));
	t->space = privmem_space_create(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->space));
	KUNIT_ASSERT_EQ(test, privmem_shmem_space_bind(t->space, TEST_GFN, t->sh,
						       arch, t), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_space_destroy,
							t->space), 0);
}

static void bind_space(struct kunit *test, struct shmem_test *t, unsigned int flags)
{
	bind_space_arch(test, t, flags, &test_arch);
}

static int convert(struct shmem_test *t, u64 page, u64 npages, enum privmem_attr to)
{
	struct privmem_entry e = {
		.gfn = TEST_GFN + page, .npages = npages,
		.attr = to, .gran = PRIVMEM_GRAN_4K,
	};
	unsigned int done;

	return privmem_convert(t->space, &e, 1, 0, &done, NULL);
}

#define ALL_FLAGS	PRIVMEM_SHMEM_FLAGS

static void shmem_bind_flags(struct kunit *test)
{
	static const unsigned int cases[] = {
		0, PRIVMEM_SHMEM_USER_INACCESSIBLE, PRIVMEM_SHMEM_UNMOVABLE,
		PRIVMEM_SHMEM_UNRECLAIMABLE, ALL_FLAGS,
	};
	struct file *file = test_file(test, TEST_PAGES * PAGE_SIZE);
	struct address_space *mapping = file->f_mapping;
	gfp_t gfp = mapping_gfp_mask(mapping);
	struct privmem_shmem *sh;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		sh = privmem_shmem_bind(file, 0, TEST_PAGES, cases[i]);
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(sh), "flags %#x", cases[i]);
		KUNIT_EXPECT_NOT_NULL(test, shmem_get_consumer(file_inode(file)));
		KUNIT_EXPECT_EQ(test, mapping_unevictable(mapping),
				!!(cases[i] & PRIVMEM_SHMEM_UNRECLAIMABLE));
		KUNIT_EXPECT_EQ(test, !!(mapping_gfp_mask(mapping) & __GFP_MOVABLE),
				!(cases[i] & PRIVMEM_SHMEM_UNMOVABLE) &&
				!!(gfp & __GFP_MOVABLE));
		privmem_shmem_unbind(sh);
		/* An ordinary shmem file again. */
		KUNIT_EXPECT_NULL(test, shmem_get_consumer(file_inode(file)));
		KUNIT_EXPECT_FALSE(test, mapping_unevictable(mapping));
		KUNIT_EXPECT_EQ(test, mapping_gfp_mask(mapping), gfp);
	}
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_shmem_bind(file, 0, TEST_PAGES, BIT(7))),
			-EINVAL);
}

static void shmem_bind_conflicts(struct kunit *test)
{
	struct file *file = test_file(test, TEST_PAGES * PAGE_SIZE);
	const unsigned int f = PRIVMEM_SHMEM_USER_INACCESSIBLE;
	struct privmem_shmem *a, *b;
	struct file *other;

	/* Not shmem, empty, beyond the end of the file. */
	other = filp_open("/", O_RDONLY, 0);
	if (!IS_ERR(other)) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_shmem_bind(other, 0, 1, f)), -EINVAL);
		fput(other);
	}
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_shmem_bind(file, 0, 0, f)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_shmem_bind(file, 4, TEST_PAGES, f)),
			-EINVAL);

	a = privmem_shmem_bind(file, 0, 4, f);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	/* Overlap: -EBUSY.  Different flags: -EINVAL.  Disjoint, same: fine. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_shmem_bind(file, 3, 2, f)), -EBUSY);
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_shmem_bind(file, 4, 4, ALL_FLAGS)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_shmem_bind(file, 4, 4, 0)), -EINVAL);
	b = privmem_shmem_bind(file, 4, 4, f);
	KUNIT_EXPECT_FALSE(test, IS_ERR(b));
	privmem_shmem_unbind(a);
	KUNIT_EXPECT_NOT_NULL(test, shmem_get_consumer(file_inode(file)));
	privmem_shmem_unbind(b);
	KUNIT_EXPECT_NULL(test, shmem_get_consumer(file_inode(file)));
}

static void shmem_bind_writable_mapping(struct kunit *test)
{
	struct file *file = test_file(test, TEST_PAGES * PAGE_SIZE);
	struct privmem_shmem *sh;
	unsigned long addr;

	addr = kunit_vm_mmap(test, file, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_SHARED, 2 * PAGE_SIZE);
	KUNIT_ASSERT_NE(test, addr, 0);

	/* The mapping covers pages 2 and 3. */
	sh = privmem_shmem_bind(file, 0, TEST_PAGES, PRIVMEM_SHMEM_USER_INACCESSIBLE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(sh), -EBUSY);
	sh = privmem_shmem_bind(file, 4, 4, PRIVMEM_SHMEM_USER_INACCESSIBLE);
	KUNIT_EXPECT_FALSE(test, IS_ERR(sh));
	privmem_shmem_unbind(sh);
	/* Without USER_INACCESSIBLE a writable mapping is no conflict. */
	sh = privmem_shmem_bind(file, 0, TEST_PAGES, PRIVMEM_SHMEM_UNMOVABLE);
	KUNIT_EXPECT_FALSE(test, IS_ERR(sh));
	privmem_shmem_unbind(sh);

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, 2 * PAGE_SIZE), 0);
	sh = privmem_shmem_bind(file, 0, TEST_PAGES, PRIVMEM_SHMEM_USER_INACCESSIBLE);
	KUNIT_EXPECT_FALSE(test, IS_ERR(sh));
	privmem_shmem_unbind(sh);
}

/*
 * privmem writes a bound range, so the binder must be a writer of a file
 * whose owner allows writes; while bound, F_SEAL_WRITE cannot be added.
 */
static void shmem_bind_needs_writer(struct kunit *test)
{
	struct file *file = test_file(test, TEST_PAGES * PAGE_SIZE);
	struct shmem_inode_info *info = SHMEM_I(file_inode(file));
	const unsigned int f = PRIVMEM_SHMEM_USER_INACCESSIBLE;
	struct privmem_shmem *sh;

	file->f_mode &= ~FMODE_WRITE;
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_shmem_bind(file, 0, 1, f)), -EBADF);
	file->f_mode |= FMODE_WRITE;

	info->seals |= F_SEAL_FUTURE_WRITE;
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_shmem_bind(file, 0, 1, f)), -EPERM);
	info->seals &= ~F_SEAL_FUTURE_WRITE;
	KUNIT_ASSERT_EQ(test, mapping_deny_writable(file->f_mapping), 0);
	info->seals |= F_SEAL_WRITE;
	KUNIT_EXPECT_EQ(test, PTR_ERR(privmem_shmem_bind(file, 0, 1, f)), -EPERM);
	info->seals &= ~F_SEAL_WRITE;
	mapping_allow_writable(file->f_mapping);
	KUNIT_EXPECT_NULL(test, shmem_get_consumer(file_inode(file)));

	sh = privmem_shmem_bind(file, 0, TEST_PAGES, f);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sh));
	/* What memfd_add_seals(F_SEAL_WRITE) asks first. */
	KUNIT_EXPECT_EQ(test, mapping_deny_writable(file->f_mapping), -EBUSY);
	privmem_shmem_unbind(sh);
	KUNIT_EXPECT_EQ(test, mapping_deny_writable(file->f_mapping), 0);
	mapping_allow_writable(file->f_mapping);
}

/* A cookie that never reached a space leaves the file as it was. */
static void shmem_unbind_unbound_keeps_data(struct kunit *test)
{
	struct file *file = test_file(test, TEST_PAGES * PAGE_SIZE);
	struct privmem_shmem *sh;

	KUNIT_ASSERT_EQ(test, host_write(file, 2, 0x56), PAGE_SIZE);
	sh = privmem_shmem_bind(file, 0, TEST_PAGES,
				PRIVMEM_SHMEM_USER_INACCESSIBLE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sh));
	privmem_shmem_unbind(sh);
	KUNIT_EXPECT_EQ(test, host_read(file, 2), 0x56);
}

static pgoff_t walked[8][2];
static unsigned int nr_walked;

static void record_run(struct privmem_shmem *sh, pgoff_t first, pgoff_t last)
{
	if (nr_walked < ARRAY_SIZE(walked)) {
		walked[nr_walked][0] = first;
		walked[nr_walked][1] = last;
	}
	nr_walked++;
}

static void walk(struct privmem_shmem *sh)
{
	nr_walked = 0;
	privmem_shmem_map_walk(sh, record_run);
}

/*
 * The map of private runs: a step's run is its own until it ends, ended
 * runs settle (merged with private neighbours, or dropped when shared)
 * at the next step, and no state needs more than one entry per run.
 */
static void shmem_map_runs(struct kunit *test)
{
	struct file *file = test_file(test, 64 * PAGE_SIZE);
	struct privmem_shmem *sh;

	sh = privmem_shmem_bind(file, 0, 64, PRIVMEM_SHMEM_USER_INACCESSIBLE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sh));
	KUNIT_EXPECT_FALSE(test, privmem_shmem_map_any(sh, 0, 63));

	KUNIT_ASSERT_EQ(test, privmem_shmem_map_set(sh, 4, 7,
						    PRIVMEM_SHMEM_CONVERTING), 0);
	KUNIT_EXPECT_TRUE(test, privmem_shmem_map_any(sh, 7, 9));
	KUNIT_EXPECT_FALSE(test, privmem_shmem_map_any(sh, 8, 63));
	KUNIT_EXPECT_EQ(test, privmem_shmem_map_end(sh, 4, 7,
						    PRIVMEM_SHMEM_PRIVATE), 0);
	/* Only a step in progress over exactly that range can end. */
	KUNIT_EXPECT_EQ(test, privmem_shmem_map_end(sh, 4, 7,
						    PRIVMEM_SHMEM_SHARED), -ENOENT);
	KUNIT_ASSERT_EQ(test, privmem_shmem_map_set(sh, 8, 9,
						    PRIVMEM_SHMEM_CONVERTING), 0);
	KUNIT_EXPECT_EQ(test, privmem_shmem_map_end(sh, 8, 8,
						    PRIVMEM_SHMEM_PRIVATE), -ENOENT);
	KUNIT_EXPECT_EQ(test, privmem_shmem_map_end(sh, 8, 9,
						    PRIVMEM_SHMEM_PRIVATE), 0);

	/* A private page leaving, aborted to shared in place. */
	KUNIT_ASSERT_EQ(test, privmem_shmem_map_set(sh, 5, 5,
						    PRIVMEM_SHMEM_LEAVING), 0);
	KUNIT_EXPECT_TRUE(test, privmem_shmem_map_any(sh, 5, 5));
	KUNIT_EXPECT_EQ(test, privmem_shmem_map_end(sh, 5, 5,
						    PRIVMEM_SHMEM_SHARED), 0);
	KUNIT_EXPECT_FALSE(test, privmem_shmem_map_any(sh, 5, 5));
	KUNIT_EXPECT_TRUE(test, privmem_shmem_map_any(sh, 4, 4));
	KUNIT_EXPECT_TRUE(test, privmem_shmem_map_any(sh, 0, 6));
	walk(sh);
	KUNIT_ASSERT_EQ(test, nr_walked, 2);
	KUNIT_EXPECT_EQ(test, walked[0][0], 4);
	KUNIT_EXPECT_EQ(test, walked[0][1], 4);
	KUNIT_EXPECT_EQ(test, walked[1][0], 6);
	KUNIT_EXPECT_EQ(test, walked[1][1], 9);

	/* Back to private: the next step settles 4, 5 and 6..9 into one run. */
	KUNIT_ASSERT_EQ(test, privmem_shmem_map_set(sh, 5, 5,
						    PRIVMEM_SHMEM_CONVERTING), 0);
	KUNIT_EXPECT_EQ(test, privmem_shmem_map_end(sh, 5, 5,
						    PRIVMEM_SHMEM_PRIVATE), 0);
	KUNIT_ASSERT_EQ(test, privmem_shmem_map_set(sh, 30, 31,
						    PRIVMEM_SHMEM_CONVERTING), 0);
	KUNIT_EXPECT_EQ(test, privmem_shmem_map_end(sh, 30, 31,
						    PRIVMEM_SHMEM_SHARED), 0);
	walk(sh);
	KUNIT_ASSERT_EQ(test, nr_walked, 1);
	KUNIT_EXPECT_EQ(test, walked[0][0], 4);
	KUNIT_EXPECT_EQ(test, walked[0][1], 9);
	KUNIT_EXPECT_FALSE(test, privmem_shmem_map_any(sh, 10, 63));
	KUNIT_EXPECT_FALSE(test, privmem_shmem_map_any(sh, 0, 3));
	privmem_shmem_unbind(sh);
}

/* Pre-boot data survives binding and the first in-place conversion. */
static void shmem_populate_then_bind(struct kunit *test)
{
	struct shmem_test *t = setup(test);
	unsigned long pfn_before, pfn_after;

	KUNIT_ASSERT_EQ(test, host_write(t->file, 1, TEST_PATTERN), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, page_byte(t->file, 1, &pfn_before), TEST_PATTERN);
	bind_space(test, t, ALL_FLAGS);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 1), TEST_PATTERN);

	t->mode = PRIVMEM_MODE_INPLACE;
	KUNIT_ASSERT_EQ(test, convert(t, 0, TEST_PAGES, PRIVMEM_PRIVATE), 0);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 1, &pfn_after), TEST_PATTERN);
	KUNIT_EXPECT_EQ(test, pfn_after, pfn_before);
	/* Holes were filled with zeroed pages for the guest. */
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, t->file->f_mapping->nrpages, TEST_PAGES);
}

/*
 * Private data never reaches the host: it reads zeroes after a destructive
 * conversion.  The frame is cleared in place: the same page, still in the
 * file, so that the conversion neither frees nor allocates.
 */
static void shmem_destructive_round_trip(struct kunit *test)
{
	struct shmem_test *t = setup(test);
	unsigned long pfn_priv, pfn_shared;
	unsigned long nrpages;

	KUNIT_ASSERT_EQ(test, host_write(t->file, 2, 0x11), PAGE_SIZE);
	bind_space(test, t, ALL_FLAGS);

	KUNIT_ASSERT_EQ(test, convert(t, 2, 1, PRIVMEM_PRIVATE), 0);
	/* Host data did not reach the guest either. */
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 2, NULL), 0);
	guest_fill(test, t->file, 2, TEST_PATTERN);
	KUNIT_ASSERT_EQ(test, page_byte(t->file, 2, &pfn_priv), TEST_PATTERN);
	nrpages = t->file->f_mapping->nrpages;

	KUNIT_ASSERT_EQ(test, convert(t, 2, 1, PRIVMEM_SHARED), 0);
	/* The arch step still saw the guest's page, before it was cleared. */
	KUNIT_EXPECT_EQ(test, t->pfn_seen, pfn_priv);
	KUNIT_EXPECT_EQ(test, t->byte_seen, TEST_PATTERN);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 2), 0);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 2, &pfn_shared), 0);
	KUNIT_EXPECT_EQ(test, pfn_shared, pfn_priv);
	KUNIT_EXPECT_EQ(test, t->file->f_mapping->nrpages, nrpages);
}

/*
 * A page hardware-poisoned is not cleared (touching it could take a
 * machine check) and never handed to either side: a destructive
 * conversion to shared puts a fresh zeroed page in its place, an in-place
 * one leaves it poisoned, and a conversion to private is refused.
 */
static void shmem_destructive_poisoned_replaced(struct kunit *test)
{
	struct shmem_test *t = setup(test);
	unsigned long pfn_priv, pfn_shared;

	if (!IS_ENABLED(CONFIG_MEMORY_FAILURE))
		kunit_skip(test, "needs CONFIG_MEMORY_FAILURE");
	bind_space(test, t, ALL_FLAGS);
	KUNIT_ASSERT_EQ(test, convert(t, 2, 2, PRIVMEM_PRIVATE), 0);
	guest_fill(test, t->file, 2, TEST_PATTERN);
	guest_fill(test, t->file, 3, TEST_PATTERN);
	KUNIT_ASSERT_EQ(test, page_byte(t->file, 2, &pfn_priv), TEST_PATTERN);

	KUNIT_ASSERT_EQ(test, memory_failure(pfn_priv, MF_SW_SIMULATED), 0);
	KUNIT_ASSERT_TRUE(test, PageHWPoison(pfn_to_page(pfn_priv)));

	KUNIT_ASSERT_EQ(test, convert(t, 2, 2, PRIVMEM_SHARED), 0);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 2), 0);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 2, &pfn_shared), 0);
	KUNIT_EXPECT_NE(test, pfn_shared, pfn_priv);
	/* The healthy neighbour was cleared in place. */
	KUNIT_EXPECT_EQ(test, host_read(t->file, 3), 0);

	/* A poisoned shared page is never given to the guest. */
	KUNIT_ASSERT_EQ(test, host_write(t->file, 5, 0x33), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, page_byte(t->file, 5, &pfn_shared), 0x33);
	KUNIT_ASSERT_EQ(test, memory_failure(pfn_shared, MF_SW_SIMULATED), 0);
	KUNIT_EXPECT_EQ(test, convert(t, 5, 1, PRIVMEM_PRIVATE), -EBUSY);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 5), -EIO);

	/* In place, a poisoned private page turns shared still poisoned. */
	KUNIT_ASSERT_EQ(test, convert(t, 6, 1, PRIVMEM_PRIVATE), 0);
	KUNIT_ASSERT_EQ(test, page_byte(t->file, 6, &pfn_priv), 0);
	KUNIT_ASSERT_EQ(test, memory_failure(pfn_priv, MF_SW_SIMULATED), 0);
	t->mode = PRIVMEM_MODE_INPLACE;
	KUNIT_EXPECT_EQ(test, convert(t, 6, 1, PRIVMEM_SHARED), 0);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 6), -EIO);
}

/* In place, the same page keeps the guest's data both ways. */
static void shmem_inplace_round_trip(struct kunit *test)
{
	struct shmem_test *t = setup(test);
	unsigned long pfn0, pfn1, pfn2;

	bind_space(test, t, ALL_FLAGS);
	t->mode = PRIVMEM_MODE_INPLACE;
	KUNIT_ASSERT_EQ(test, host_write(t->file, 3, 0x22), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, page_byte(t->file, 3, &pfn0), 0x22);

	KUNIT_ASSERT_EQ(test, convert(t, 3, 1, PRIVMEM_PRIVATE), 0);
	KUNIT_EXPECT_EQ(test, t->pfn_seen, (u64)pfn0);
	guest_fill(test, t->file, 3, TEST_PATTERN);
	KUNIT_ASSERT_EQ(test, page_byte(t->file, 3, &pfn1), TEST_PATTERN);
	KUNIT_EXPECT_EQ(test, pfn1, pfn0);

	KUNIT_ASSERT_EQ(test, convert(t, 3, 1, PRIVMEM_SHARED), 0);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 3), TEST_PATTERN);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 3, &pfn2), TEST_PATTERN);
	KUNIT_EXPECT_EQ(test, pfn2, pfn0);
}

/* The host cannot read, write, punch, truncate or map private pages. */
static void shmem_host_refused(struct kunit *test)
{
	struct shmem_test *t = setup(test);
	unsigned long addr;
	u8 byte;

	bind_space(test, t, ALL_FLAGS);
	KUNIT_ASSERT_EQ(test, host_write(t->file, 5, 0x33), PAGE_SIZE);
	/* A shared mapping of page 5, made while it is shared. */
	addr = kunit_vm_mmap(test, t->file, 0, PAGE_SIZE, PROT_READ, MAP_SHARED,
			     5 * PAGE_SIZE);
	KUNIT_ASSERT_NE(test, addr, 0);
	KUNIT_EXPECT_EQ(test, copy_from_user(&byte, (void __user *)addr, 1), 0);
	KUNIT_EXPECT_EQ(test, byte, 0x33);

	t->mode = PRIVMEM_MODE_INPLACE;
	KUNIT_ASSERT_EQ(test, convert(t, 5, 1, PRIVMEM_PRIVATE), 0);

	KUNIT_EXPECT_EQ(test, host_read(t->file, 5), -EACCES);
	KUNIT_EXPECT_EQ(test, host_write(t->file, 5, 0x44), -EACCES);
	KUNIT_EXPECT_EQ(test, vfs_fallocate(t->file, FALLOC_FL_PUNCH_HOLE |
					    FALLOC_FL_KEEP_SIZE,
					    5 * PAGE_SIZE, PAGE_SIZE), -EACCES);
	KUNIT_EXPECT_EQ(test, vfs_truncate(&t->file->f_path, 4 * PAGE_SIZE), -EACCES);
	/* The existing mapping was zapped and now faults (SIGBUS). */
	KUNIT_EXPECT_NE(test, copy_from_user(&byte, (void __user *)addr, 1), 0);
	/* A new mapping covering the page is refused. */
	KUNIT_EXPECT_EQ(test, (long)kunit_vm_mmap(test, t->file, 0, 2 * PAGE_SIZE,
						  PROT_READ, MAP_SHARED, 4 * PAGE_SIZE),
			-EACCES);
	/* The page itself is intact. */
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 5, NULL), 0x33);

	/* Shared neighbours stay usable. */
	KUNIT_EXPECT_EQ(test, host_write(t->file, 4, 0x55), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 4), 0x55);
	addr = kunit_vm_mmap(test, t->file, 0, PAGE_SIZE, PROT_READ, MAP_SHARED,
			     4 * PAGE_SIZE);
	KUNIT_EXPECT_FALSE(test, !addr || IS_ERR_VALUE(addr));

	/* Back to shared: the host may touch and map it again. */
	KUNIT_ASSERT_EQ(test, convert(t, 5, 1, PRIVMEM_SHARED), 0);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 5), 0x33);
	addr = kunit_vm_mmap(test, t->file, 0, PAGE_SIZE, PROT_READ, MAP_SHARED,
			     5 * PAGE_SIZE);
	KUNIT_ASSERT_FALSE(test, !addr || IS_ERR_VALUE(addr));
	KUNIT_EXPECT_EQ(test, copy_from_user(&byte, (void __user *)addr, 1), 0);
	KUNIT_EXPECT_EQ(test, byte, 0x33);
}

/* Without USER_INACCESSIBLE the host is not refused. */
static void shmem_host_allowed_without_flag(struct kunit *test)
{
	struct shmem_test *t = setup(test);

	bind_space(test, t, PRIVMEM_SHMEM_UNMOVABLE);
	t->mode = PRIVMEM_MODE_INPLACE;
	KUNIT_ASSERT_EQ(test, host_write(t->file, 5, 0x33), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, convert(t, 5, 1, PRIVMEM_PRIVATE), 0);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 5), 0x33);
}

/*
 * A dead space keeps its private pages, refused to the host, until it is
 * destroyed; destroying it frees every private page of the range.
 */
static void shmem_unbind_releases(struct kunit *test)
{
	struct shmem_test *t = setup(test);
	struct address_space *mapping = t->file->f_mapping;
	unsigned long nrpages;

	KUNIT_ASSERT_EQ(test, host_write(t->file, 0, 1), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, host_write(t->file, 6, 0x66), PAGE_SIZE);
	bind_space(test, t, ALL_FLAGS);
	KUNIT_ASSERT_EQ(test, convert(t, 0, TEST_PAGES / 2, PRIVMEM_PRIVATE), 0);
	KUNIT_EXPECT_GE(test, mapping->nrpages, TEST_PAGES / 2);
	nrpages = mapping->nrpages;

	/* Dead: nothing freed, the private pages still refused. */
	privmem_space_kill(t->space);
	KUNIT_EXPECT_EQ(test, mapping->nrpages, nrpages);
	KUNIT_EXPECT_NOT_NULL(test, shmem_get_consumer(file_inode(t->file)));
	KUNIT_EXPECT_EQ(test, host_read(t->file, 0), -EACCES);

	kunit_release_action(test, test_space_destroy, t->space);
	/* The private pages are gone; the shared page 6 is the host's. */
	KUNIT_EXPECT_EQ(test, mapping->nrpages, 1);
	KUNIT_EXPECT_NULL(test, shmem_get_consumer(file_inode(t->file)));
	/* Nothing private is left: the host reads zeroes. */
	KUNIT_EXPECT_EQ(test, host_read(t->file, 0), 0);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 6), 0x66);
}

static int fail_get_folio(struct inode *inode, pgoff_t index, loff_t write_end,
			  struct folio **foliop)
{
	return -ENOMEM;
}

/* A failed allocation or arch step leaves the range as it was. */
static void shmem_failure_keeps_range(struct kunit *test)
{
	struct shmem_test *t = setup(test);
	enum privmem_attr attr;
	enum privmem_gran gran;
	unsigned long pfn0, pfn1;

	bind_space(test, t, ALL_FLAGS);
	t->mode = PRIVMEM_MODE_INPLACE;
	KUNIT_ASSERT_EQ(test, host_write(t->file, 6, 0x66), PAGE_SIZE);

	/* Page 7 is a hole: filling it fails. */
	kunit_activate_static_stub(test, privmem_shmem_get_folio, fail_get_folio);
	KUNIT_EXPECT_EQ(test, convert(t, 6, 2, PRIVMEM_PRIVATE), -ENOMEM);
	kunit_deactivate_static_stub(test, privmem_shmem_get_folio);
	KUNIT_EXPECT_EQ(test, t->set_calls, 0);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 6), 0x66);
	KUNIT_EXPECT_EQ(test, privmem_lookup(t->space, TEST_GFN + 6, &attr, &gran), 0);
	KUNIT_EXPECT_EQ(test, attr, PRIVMEM_SHARED);

	/* The arch step fails after prepare: still shared, same page. */
	KUNIT_ASSERT_EQ(test, page_byte(t->file, 6, &pfn0), 0x66);
	t->fail_set = -EIO;
	KUNIT_EXPECT_EQ(test, convert(t, 6, 1, PRIVMEM_PRIVATE), -EIO);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 6), 0x66);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 6, &pfn1), 0x66);
	KUNIT_EXPECT_EQ(test, pfn1, pfn0);

	/* Private -> shared, destructive, arch fails: private data kept. */
	t->fail_set = 0;
	KUNIT_ASSERT_EQ(test, convert(t, 6, 1, PRIVMEM_PRIVATE), 0);
	guest_fill(test, t->file, 6, TEST_PATTERN);
	t->mode = PRIVMEM_MODE_DESTRUCTIVE;
	t->fail_set = -EIO;
	KUNIT_EXPECT_EQ(test, convert(t, 6, 1, PRIVMEM_SHARED), -EIO);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 6), -EACCES);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 6, &pfn1), TEST_PATTERN);
	KUNIT_EXPECT_EQ(test, pfn1, pfn0);
	KUNIT_EXPECT_EQ(test, privmem_lookup(t->space, TEST_GFN + 6, &attr, &gran), 0);
	KUNIT_EXPECT_EQ(test, attr, PRIVMEM_PRIVATE);
}

/* Let t->get_folio_left calls through, then fail with -ENOMEM. */
static int fail_get_folio_later(struct inode *inode, pgoff_t index,
				loff_t write_end, struct folio **foliop)
{
	struct shmem_test *t = current_test();

	if (t->get_folio_left-- <= 0)
		return -ENOMEM;
	return shmem_get_folio(inode, index, write_end, foliop, SGP_CACHE);
}

static int count_get_folio(struct inode *inode, pgoff_t index,
			   loff_t write_end, struct folio **foliop)
{
	current_test()->set_calls++;
	return shmem_get_folio(inode, index, write_end, foliop, SGP_CACHE);
}

/*
 * Filling a range asks shmem only for its holes, found between batches
 * of present folios: 100 pages, every third one written by the host,
 * are all present afterwards, with their contents, after 66 calls.
 */
static void shmem_fill_gaps(struct kunit *test)
{
	struct shmem_test *t = setup(test);
	struct inode *inode;
	unsigned long pfn;
	pgoff_t i;

	t->file = test_file(test, 100 * PAGE_SIZE);
	inode = file_inode(t->file);
	t->sh = privmem_shmem_bind(t->file, 0, 100, ALL_FLAGS);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->sh));
	for (i = 0; i < 100; i += 3)
		KUNIT_ASSERT_EQ(test, host_write(t->file, i, i + 1), PAGE_SIZE);

	kunit_activate_static_stub(test, privmem_shmem_get_folio,
				   count_get_folio);
	inode_lock(inode);
	KUNIT_EXPECT_EQ(test, privmem_shmem_fill(t->sh, 0, 99), 0);
	inode_unlock(inode);
	kunit_deactivate_static_stub(test, privmem_shmem_get_folio);
	KUNIT_EXPECT_EQ(test, t->set_calls, 66);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, page_byte(t->file, i, &pfn),
				i % 3 ? 0 : (int)i + 1);
	privmem_shmem_unbind(t->sh);
}

/*
 * A destructive conversion to private that fails after its prepare loses
 * no host data: same pages, same contents, nothing pinned or stashed.
 * When it succeeds, the arch step and the guest see only zeroes.
 */
static void shmem_destructive_failure_keeps_host_data(struct kunit *test)
{
	struct shmem_test *t = setup(test);
	enum privmem_attr attr;
	enum privmem_gran gran;
	unsigned long pfn0, pfn1;
	int refs;

	bind_space(test, t, ALL_FLAGS);
	t->mode = PRIVMEM_MODE_DESTRUCTIVE;
	KUNIT_ASSERT_EQ(test, host_write(t->file, 2, 0x77), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, host_write(t->file, 3, 0x78), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, page_byte(t->file, 2, &pfn0), 0x77);
	/* Once prepare drained the LRU batches, only the page cache. */
	refs = folio_nr_pages(pfn_folio(pfn0));

	/* Pages 2, 3 and the hole 4; the arch step fails. */
	t->fail_set = -EIO;
	t->byte_seen = -100;
	KUNIT_EXPECT_EQ(test, convert(t, 2, 3, PRIVMEM_PRIVATE), -EIO);
	KUNIT_EXPECT_EQ(test, t->byte_seen, 0);	/* the arch saw it scrubbed */
	KUNIT_EXPECT_EQ(test, host_read(t->file, 2), 0x77);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 3), 0x78);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 4), 0);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 2, &pfn1), 0x77);
	KUNIT_EXPECT_EQ(test, pfn1, pfn0);
	KUNIT_EXPECT_EQ(test, folio_ref_count(pfn_folio(pfn0)), refs);
	KUNIT_EXPECT_TRUE(test, xa_empty(&t->sh->stash));
	KUNIT_EXPECT_TRUE(test, xa_empty(&t->sh->pins));
	KUNIT_EXPECT_EQ(test, privmem_lookup(t->space, TEST_GFN + 2, &attr, &gran), 0);
	KUNIT_EXPECT_EQ(test, attr, PRIVMEM_SHARED);

	/* No memory for the second page's copy: the first is restored. */
	t->fail_set = 0;
	t->set_calls = 0;
	t->get_folio_left = 1;	/* page 2 (the fill finds no hole left) */
	kunit_activate_static_stub(test, privmem_shmem_get_folio,
				   fail_get_folio_later);
	KUNIT_EXPECT_EQ(test, convert(t, 2, 3, PRIVMEM_PRIVATE), -ENOMEM);
	kunit_deactivate_static_stub(test, privmem_shmem_get_folio);
	KUNIT_EXPECT_EQ(test, t->set_calls, 0);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 2), 0x77);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 3), 0x78);
	KUNIT_EXPECT_EQ(test, folio_ref_count(pfn_folio(pfn0)), refs);
	KUNIT_EXPECT_TRUE(test, xa_empty(&t->sh->stash));
	KUNIT_EXPECT_TRUE(test, xa_empty(&t->sh->pins));

	/* It succeeds: same page, scrubbed; the copies are gone. */
	KUNIT_ASSERT_EQ(test, convert(t, 2, 3, PRIVMEM_PRIVATE), 0);
	KUNIT_EXPECT_EQ(test, t->byte_seen, 0);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 2, &pfn1), 0);
	KUNIT_EXPECT_EQ(test, pfn1, pfn0);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 3, NULL), 0);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 2), -EACCES);
	KUNIT_EXPECT_EQ(test, folio_ref_count(pfn_folio(pfn0)), refs);
	KUNIT_EXPECT_TRUE(test, xa_empty(&t->sh->stash));
	KUNIT_EXPECT_TRUE(test, xa_empty(&t->sh->pins));
}

/* get_pfn: references, holes, granularity. */
static void shmem_get_pfn(struct kunit *test)
{
	struct shmem_test *t = setup(test);
	const struct privmem_backend_ops *ops = &privmem_shmem_backend_ops;
	enum privmem_gran gran;
	unsigned long pfn0;
	int refs;
	u64 pfn;

	bind_space(test, t, ALL_FLAGS);
	KUNIT_EXPECT_EQ(test, ops->get_pfn(t->sh, TEST_GFN, &pfn, &gran), -ENOENT);
	KUNIT_EXPECT_EQ(test, ops->get_pfn(t->sh, TEST_GFN + TEST_PAGES, &pfn, &gran),
			-EINVAL);
	KUNIT_ASSERT_EQ(test, host_write(t->file, 0, 1), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, page_byte(t->file, 0, &pfn0), 1);
	refs = folio_ref_count(pfn_folio(pfn0));
	KUNIT_ASSERT_EQ(test, ops->get_pfn(t->sh, TEST_GFN, &pfn, &gran), 0);
	KUNIT_EXPECT_EQ(test, pfn, (u64)pfn0);
	/* No huge folios for this file (UML has no THP): 4K. */
	KUNIT_EXPECT_EQ(test, gran, PRIVMEM_GRAN_4K);
	KUNIT_EXPECT_EQ(test, folio_ref_count(pfn_folio(pfn0)), refs + 1);
	ops->put_pfn(t->sh, pfn);
	KUNIT_EXPECT_EQ(test, folio_ref_count(pfn_folio(pfn0)), refs);
}

/*
 * With %PRIVMEM_ARCH_PAGELESS arch ops the binding allocates on first use:
 * conversions to private, destructive or in place, leave holes alone;
 * get_pfn gives a private hole a zeroed page and a shared hole none; a
 * folio that a host fault leaves in a hole during a failing step is
 * neither restored over nor unpinned by the abort.
 */
static void shmem_lazy_holes(struct kunit *test)
{
	struct shmem_test *t = setup(test);
	const struct privmem_backend_ops *ops = &privmem_shmem_backend_ops;
	struct address_space *mapping;
	unsigned long pfn2, pfn5, pfn;
	enum privmem_gran gran;
	u64 gpfn;

	bind_space_arch(test, t, ALL_FLAGS, &test_arch_pageless);
	mapping = t->file->f_mapping;
	KUNIT_ASSERT_EQ(test, host_write(t->file, 2, 0x77), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, page_byte(t->file, 2, &pfn2), 0x77);

	t->fail_set = -EIO;
	t->host_alloc = 5 + 1;
	KUNIT_EXPECT_EQ(test, convert(t, 0, TEST_PAGES, PRIVMEM_PRIVATE), -EIO);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 2), 0x77);
	KUNIT_EXPECT_EQ(test, mapping->nrpages, 2UL);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 5, &pfn5), 0);
	lru_add_drain_all();
	KUNIT_EXPECT_EQ(test, folio_ref_count(pfn_folio(pfn5)),
			folio_nr_pages(pfn_folio(pfn5)));
	KUNIT_EXPECT_TRUE(test, xa_empty(&t->sh->stash));
	KUNIT_EXPECT_TRUE(test, xa_empty(&t->sh->pins));

	/* Page 2 is cleared in place; nothing is allocated. */
	t->fail_set = 0;
	t->host_alloc = 0;
	KUNIT_ASSERT_EQ(test, convert(t, 0, TEST_PAGES, PRIVMEM_PRIVATE), 0);
	KUNIT_EXPECT_EQ(test, mapping->nrpages, 2UL);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 2, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, pfn2);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 0, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 0), -EACCES);
	KUNIT_EXPECT_EQ(test, mapping->nrpages, 2UL);
	KUNIT_EXPECT_TRUE(test, xa_empty(&t->sh->pins));

	/* The guest's first touch of a private hole. */
	KUNIT_ASSERT_EQ(test, ops->get_pfn(t->sh, TEST_GFN, &gpfn, &gran), 0);
	KUNIT_EXPECT_EQ(test, mapping->nrpages, 3UL);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 0, &pfn), 0);
	KUNIT_EXPECT_EQ(test, (u64)pfn, gpfn);
	ops->put_pfn(t->sh, gpfn);
	guest_fill(test, t->file, 0, TEST_PATTERN);

	/* Back to shared: scrubbed; a shared hole gets no page. */
	KUNIT_ASSERT_EQ(test, convert(t, 0, TEST_PAGES, PRIVMEM_SHARED), 0);
	KUNIT_EXPECT_EQ(test, mapping->nrpages, 3UL);
	KUNIT_EXPECT_EQ(test, host_read(t->file, 0), 0);
	KUNIT_EXPECT_EQ(test, ops->get_pfn(t->sh, TEST_GFN + 1, &gpfn, &gran),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, mapping->nrpages, 3UL);

	/* In place: holes stay holes, contents stay. */
	t->mode = PRIVMEM_MODE_INPLACE;
	KUNIT_ASSERT_EQ(test, host_write(t->file, 6, 0x66), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, convert(t, 0, TEST_PAGES, PRIVMEM_PRIVATE), 0);
	KUNIT_EXPECT_EQ(test, mapping->nrpages, 4UL);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 6, NULL), 0x66);
	KUNIT_EXPECT_EQ(test, page_byte(t->file, 1, NULL), -ENOENT);
}

static struct kunit_case privmem_shmem_cases[] = {
	KUNIT_CASE(shmem_bind_flags),
	KUNIT_CASE(shmem_bind_conflicts),
	KUNIT_CASE(shmem_bind_writable_mapping),
	KUNIT_CASE(shmem_bind_needs_writer),
	KUNIT_CASE(shmem_unbind_unbound_keeps_data),
	KUNIT_CASE(shmem_map_runs),
	KUNIT_CASE(shmem_populate_then_bind),
	KUNIT_CASE(shmem_destructive_round_trip),
	KUNIT_CASE(shmem_destructive_poisoned_replaced),
	KUNIT_CASE(shmem_inplace_round_trip),
	KUNIT_CASE(shmem_host_refused),
	KUNIT_CASE(shmem_host_allowed_without_flag),
	KUNIT_CASE(shmem_unbind_releases),
	KUNIT_CASE(shmem_failure_keeps_range),
	KUNIT_CASE(shmem_destructive_failure_keeps_host_data),
	KUNIT_CASE(shmem_fill_gaps),
	KUNIT_CASE(shmem_get_pfn),
	KUNIT_CASE(shmem_lazy_holes),
	{}
};

static struct kunit_suite privmem_shmem_suite = {
	.name = "privmem_shmem",
	.test_cases = privmem_shmem_cases,
};

kunit_test_suite(privmem_shmem_suite);

MODULE_DESCRIPTION("KUnit tests for the privmem shmem backing store");
MODULE_LICENSE("GPL");
