// SPDX-License-Identifier: GPL-2.0
/*
 * The privmem trace events (include/trace/events/privmem.h), defined
 * here once; the core emits them through privmem_internal.h.
 */
#define CREATE_TRACE_POINTS
#include <trace/events/privmem.h>

/* For probes in modules: KVM's statistics, the KUnit suites. */
EXPORT_TRACEPOINT_SYMBOL_GPL(privmem_convert);
EXPORT_TRACEPOINT_SYMBOL_GPL(privmem_step);
EXPORT_TRACEPOINT_SYMBOL_GPL(privmem_smash);
EXPORT_TRACEPOINT_SYMBOL_GPL(privmem_merge);
