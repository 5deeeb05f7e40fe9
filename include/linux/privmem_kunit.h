/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit helpers for privmem's arch adapter suites: a fake policy and a
 * fake backend around a real space.  See virt/privmem/tests/privmem_kunit.c.
 */
#ifndef _LINUX_PRIVMEM_KUNIT_H
#define _LINUX_PRIVMEM_KUNIT_H

#include <linux/privmem.h>
#include <linux/types.h>

struct kunit;

/**
 * struct privmem_kunit_fake - a real space on a fake policy and backend
 * @gfn: first frame of the span.
 * @pfn: host frame of @gfn; the backend maps @gfn + i to @pfn + i.
 * @npages: frames in the span.
 * @backing: the folio size the backend's @get_pfn reports.
 * @mode: what the policy answers for every conversion.
 * @deny_gfn: the policy refuses every entry that holds this frame; 0: none.
 * @on_commit: (optional) called when the backend commits a step, for a
 *	model that follows which pages the host holds.
 * @on_unbind: (optional) called when the backend is unbound.
 * @arg: the test's cookie, for @on_commit and @on_unbind.
 * @space: the space, from privmem_kunit_fake_bind() until
 *	privmem_kunit_fake_destroy().
 * @refs: @get_pfn references not dropped yet.
 * @violations: rule violations privmem_kunit_rule() saw.
 * @expect_violations: how many of them the case expects; any more fail it.
 * @policy: the fake policy's ops.
 * @backend: the fake backend's ops; without @get_pfn and @put_pfn unless
 *	privmem_kunit_fake_init() was asked for them.
 *
 * The test sets the first group of fields, before binding or between
 * conversions, and reads the second.
 */
struct privmem_kunit_fake {
	u64 gfn;
	u64 pfn;
	u64 npages;
	enum privmem_gran backing;
	enum privmem_mode mode;
	u64 deny_gfn;
	void (*on_commit)(void *arg, const struct privmem_op *op);
	void (*on_unbind)(void *arg);
	void *arg;

	struct privmem_space *space;
	long refs;
	unsigned int violations;
	unsigned int expect_violations;

	struct privmem_policy_ops policy;
	struct privmem_backend_ops backend;
};

void privmem_kunit_fake_init(struct privmem_kunit_fake *f, u64 gfn, u64 pfn,
			     u64 npages, bool get_pfn);
int privmem_kunit_fake_bind(struct kunit *test, struct privmem_kunit_fake *f,
			    const struct privmem_arch_ops *arch, void *arch_priv);
void privmem_kunit_fake_destroy(struct privmem_kunit_fake *f);
int privmem_kunit_conv(struct privmem_kunit_fake *f, u64 off, u64 npages,
		       enum privmem_attr attr, enum privmem_gran gran);
enum privmem_attr privmem_kunit_attr(struct privmem_kunit_fake *f, u64 off);
bool privmem_kunit_rule(struct privmem_kunit_fake *f, bool ok,
			const char *model, const char *what, u64 addr);

#endif /* _LINUX_PRIVMEM_KUNIT_H */
