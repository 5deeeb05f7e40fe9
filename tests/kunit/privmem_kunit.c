// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit helpers for privmem's arch adapter suites (SEV-SNP, TDX, pKVM):
 * the fake policy and backend each suite used to carry a copy of, a real
 * space bound on them, and the rule counter of the suites' hardware
 * models.  Like drm_kunit_helpers, this is a library for tests only.
 */
#include <kunit/resource.h>
#include <kunit/test-bug.h>
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/privmem_kunit.h>

#define PRIVMEM_KUNIT_RESOURCE	"privmem_kunit_fake"

/* The policy ops have no cookie: find the current case's fake. */
static struct privmem_kunit_fake *privmem_kunit_cur(void)
{
	struct kunit *test = kunit_get_current_test();
	struct privmem_kunit_fake *f = NULL;
	struct kunit_resource *res;

	if (!test)
		return NULL;
	res = kunit_find_named_resource(test, PRIVMEM_KUNIT_RESOURCE);
	if (res) {
		f = res->data;
		kunit_put_resource(res);
	}
	return f;
}

static int privmem_kunit_allow(const struct privmem_conv_info *ci)
{
	struct privmem_kunit_fake *f = privmem_kunit_cur();
	u64 deny = f ? f->deny_gfn : 0;

	return deny && deny >= ci->gfn && deny - ci->gfn < ci->npages ?
	       -EPERM : 0;
}

static enum privmem_mode privmem_kunit_mode(const struct privmem_conv_info *ci)
{
	struct privmem_kunit_fake *f = privmem_kunit_cur();

	return f ? f->mode : PRIVMEM_MODE_DESTRUCTIVE;
}

static int privmem_kunit_prepare(void *priv, const struct privmem_op *op)
{
	return 0;
}

static void privmem_kunit_commit(void *priv, const struct privmem_op *op)
{
	struct privmem_kunit_fake *f = priv;

	if (f->on_commit)
		f->on_commit(f->arg, op);
}

static void privmem_kunit_abort(void *priv, const struct privmem_op *op)
{
}

static void privmem_kunit_unbind(void *priv)
{
	struct privmem_kunit_fake *f = priv;

	if (f->on_unbind)
		f->on_unbind(f->arg);
}

static int privmem_kunit_get_pfn(void *priv, u64 gfn, u64 *pfn,
				 enum privmem_gran *gran)
{
	struct privmem_kunit_fake *f = priv;

	if (gfn < f->gfn || gfn - f->gfn >= f->npages)
		return -EINVAL;
	f->refs++;
	*pfn = f->pfn + gfn - f->gfn;
	*gran = f->backing;
	return 0;
}

static void privmem_kunit_put_pfn(void *priv, u64 pfn)
{
	struct privmem_kunit_fake *f = priv;

	f->refs--;
}

/**
 * privmem_kunit_fake_init() - set up a fake policy and backend
 * @f: the fake, zeroed.
 * @gfn: first frame of the span.
 * @pfn: host frame of @gfn.
 * @npages: frames in the span.
 * @get_pfn: give the backend @get_pfn and @put_pfn.
 *
 * The policy allows every entry that does not hold @f->deny_gfn, answers
 * @f->mode (destructive until the test changes it), smashes a partly
 * covered 2M block and never merges.  The backend reports @f->backing
 * (4K until the test changes it) and counts its references in @f->refs.
 */
void privmem_kunit_fake_init(struct privmem_kunit_fake *f, u64 gfn, u64 pfn,
			     u64 npages, bool get_pfn)
{
	f->gfn = gfn;
	f->pfn = pfn;
	f->npages = npages;
	f->backing = PRIVMEM_GRAN_4K;
	f->mode = PRIVMEM_MODE_DESTRUCTIVE;
	strscpy(f->policy.name, "kunit-fake");
	f->policy.allow = privmem_kunit_allow;
	f->policy.mode = privmem_kunit_mode;
	f->policy.partial_2m = PRIVMEM_PARTIAL_2M_SMASH;
	f->policy.merge = PRIVMEM_MERGE_NEVER;
	f->backend.prepare = privmem_kunit_prepare;
	f->backend.commit = privmem_kunit_commit;
	f->backend.abort = privmem_kunit_abort;
	f->backend.unbind = privmem_kunit_unbind;
	if (get_pfn) {
		f->backend.get_pfn = privmem_kunit_get_pfn;
		f->backend.put_pfn = privmem_kunit_put_pfn;
	}
}
EXPORT_SYMBOL_GPL(privmem_kunit_fake_init);

static void privmem_kunit_fake_action(void *f)
{
	privmem_kunit_fake_destroy(f);
}

/**
 * privmem_kunit_fake_bind() - a space on the fake, bound to an adapter
 * @test: the case; the space is destroyed when it ends, if the case did
 *	not destroy it first.  One fake per case; it may be bound again
 *	after privmem_kunit_fake_destroy().
 * @f: the fake, from privmem_kunit_fake_init().
 * @arch: the adapter's ops.
 * @arch_priv: the adapter's cookie; the caller frees it after the space
 *	is destroyed (a kunit action added before this call runs after
 *	this one's).
 *
 * Return: 0; -EBUSY if the fake is bound or the case has another fake;
 * the errno of privmem_space_create() or privmem_space_bind(); -ENOMEM.
 */
int privmem_kunit_fake_bind(struct kunit *test, struct privmem_kunit_fake *f,
			    const struct privmem_arch_ops *arch, void *arch_priv)
{
	struct privmem_space_config cfg = { .policy = &f->policy };
	struct kunit_resource *res;
	int ret;

	/* A case may bind again after privmem_kunit_fake_destroy(). */
	res = kunit_find_named_resource(test, PRIVMEM_KUNIT_RESOURCE);
	if (res) {
		kunit_put_resource(res);
		if (res->data != f)
			return -EBUSY;
	} else {
		res = kunit_kzalloc(test, sizeof(*res), GFP_KERNEL);
		if (!res)
			return -ENOMEM;
		ret = kunit_add_named_resource(test, NULL, NULL, res,
					       PRIVMEM_KUNIT_RESOURCE, f);
		if (ret)
			return ret;
	}
	if (f->space)
		return -EBUSY;
	f->space = privmem_space_create(&cfg);
	if (IS_ERR(f->space)) {
		ret = PTR_ERR(f->space);
		f->space = NULL;
		return ret;
	}
	ret = kunit_add_action_or_reset(test, privmem_kunit_fake_action, f);
	if (ret)
		return ret;
	return privmem_space_bind(f->space, f->gfn, f->npages, &f->backend, f,
				  arch, arch_priv);
}
EXPORT_SYMBOL_GPL(privmem_kunit_fake_bind);

/**
 * privmem_kunit_fake_destroy() - destroy the fake's space now
 * @f: the fake.
 *
 * For a case that checks what the adapter's unbind did.  Idempotent.
 */
void privmem_kunit_fake_destroy(struct privmem_kunit_fake *f)
{
	privmem_space_destroy(f->space);
	f->space = NULL;
}
EXPORT_SYMBOL_GPL(privmem_kunit_fake_destroy);

/**
 * privmem_kunit_conv() - convert one entry as the guest would ask
 * @f: the fake, bound.
 * @off: first frame, from @f->gfn.
 * @npages: frames.
 * @attr: the target attribute.
 * @gran: the entry's granularity.
 *
 * Return: what privmem_convert() returned.
 */
int privmem_kunit_conv(struct privmem_kunit_fake *f, u64 off, u64 npages,
		       enum privmem_attr attr, enum privmem_gran gran)
{
	struct privmem_entry e = {
		.gfn = f->gfn + off, .npages = npages, .attr = attr, .gran = gran,
	};
	unsigned int done;

	return privmem_convert(f->space, &e, 1, 0, &done, NULL);
}
EXPORT_SYMBOL_GPL(privmem_kunit_conv);

/**
 * privmem_kunit_attr() - a frame's attribute in the range map
 * @f: the fake, bound.
 * @off: the frame, from @f->gfn.
 *
 * Return: the attribute; %PRIVMEM_SHARED if the lookup fails.
 */
enum privmem_attr privmem_kunit_attr(struct privmem_kunit_fake *f, u64 off)
{
	enum privmem_attr attr = PRIVMEM_SHARED;

	privmem_lookup(f->space, f->gfn + off, &attr, NULL);
	return attr;
}
EXPORT_SYMBOL_GPL(privmem_kunit_attr);

/**
 * privmem_kunit_rule() - check one rule of a hardware model
 * @f: the fake.
 * @ok: whether the rule holds.
 * @model: the model's name, for the message ("RMP model").
 * @what: the rule broken, for the message.
 * @addr: the frame it is broken on, for the message.
 *
 * A broken rule is what the real hardware would refuse, or what would
 * hurt the host or the guest.  Beyond @f->expect_violations it fails the
 * current case.
 *
 * Return: @ok.
 */
bool privmem_kunit_rule(struct privmem_kunit_fake *f, bool ok,
			const char *model, const char *what, u64 addr)
{
	if (ok)
		return true;
	f->violations++;
	if (f->violations > f->expect_violations)
		KUNIT_FAIL(kunit_get_current_test(), "%s: %s (%#llx)", model,
			   what, addr);
	return false;
}
EXPORT_SYMBOL_GPL(privmem_kunit_rule);

MODULE_DESCRIPTION("KUnit helpers for privmem's adapter suites");
MODULE_LICENSE("GPL");
