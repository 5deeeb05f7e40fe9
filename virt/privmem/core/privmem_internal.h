/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel header the privmem core uses, in one place.
 *
 * The core's .c files include only this header (and the core's own
 * headers), so that tools/testing/privmem/ can compile the very same
 * files in userspace by providing a shim with the same include guard,
 * as tools/testing/vma/ does for mm/vma.c.
 */
#ifndef _PRIVMEM_INTERNAL_H
#define _PRIVMEM_INTERNAL_H

#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/lockdep.h>
#include <linux/maple_tree.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/privmem.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <kunit/static_stub.h>
#include <trace/events/privmem.h>
#include <kunit/visibility.h>

#endif /* _PRIVMEM_INTERNAL_H */
