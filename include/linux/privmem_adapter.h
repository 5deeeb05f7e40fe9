/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What privmem's hardware adapters share: the span they serve, the pages
 * of its backend, and the pages they keep from the host for ever.  See
 * virt/privmem/adapter.c.
 */
#ifndef _LINUX_PRIVMEM_ADAPTER_H
#define _LINUX_PRIVMEM_ADAPTER_H

#include <linux/privmem.h>
#include <linux/types.h>
#include <linux/xarray.h>

/**
 * struct privmem_adapter - the part of an adapter's cookie every adapter has
 * @backend: the space's backend ops, with @get_pfn and @put_pfn.
 * @backend_priv: the backend's cookie.
 * @gfn: first frame of the span.
 * @npages: frames in the span.
 * @nr_kept: frames kept from the host for ever (privmem_adapter_keep()).
 * @kept: those frames' PFNs, so that no later op touches them again.
 *
 * Embedded in the adapter's own cookie and set up by
 * privmem_adapter_init().  @nr_kept and @kept are written under the
 * space's conversion mutex, like every op; the rest is constant.
 */
struct privmem_adapter {
	const struct privmem_backend_ops *backend;
	void *backend_priv;
	u64 gfn;
	u64 npages;
	u64 nr_kept;
	struct xarray kept;
};

int privmem_adapter_init(struct privmem_adapter *ad,
			 const struct privmem_backend_ops *backend,
			 void *backend_priv, u64 gfn, u64 npages);
void privmem_adapter_destroy(struct privmem_adapter *ad);
bool privmem_adapter_in_span(const struct privmem_adapter *ad, u64 gfn);
int privmem_adapter_get_pfn(const struct privmem_adapter *ad, u64 gfn,
			    u64 *pfn, enum privmem_gran *gran);
void privmem_adapter_put_pfn(const struct privmem_adapter *ad, u64 pfn);
void privmem_adapter_keep(struct privmem_adapter *ad, u64 pfn, u64 npages);
bool privmem_adapter_kept(struct privmem_adapter *ad, u64 pfn, u64 npages);

#if IS_ENABLED(CONFIG_KUNIT)
/* Holds the folios, for a KUnit static stub: a fake PFN has no folio. */
void privmem_adapter_leak(u64 pfn, u64 npages);
#endif

#endif /* _LINUX_PRIVMEM_ADAPTER_H */
