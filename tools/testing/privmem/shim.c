// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel library functions the core uses that the userspace libraries
 * of tools/ do not provide (tools/lib/string.c drags in _ctype).
 */
#include <stddef.h>

void *memchr_inv(const void *start, int c, size_t bytes)
{
	const unsigned char *p = start;

	for (; bytes; bytes--, p++)
		if (*p != (unsigned char)c)
			return (void *)p;
	return NULL;
}
