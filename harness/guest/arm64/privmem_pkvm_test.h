/* SPDX-License-Identifier: GPL-2.0 */
/* privmem on a pKVM protected VM: the checks /init runs (privmem_pkvm_test.c). */
#ifndef PRIVMEM_PKVM_TEST_H
#define PRIVMEM_PKVM_TEST_H

void pkvm_test_init(int kvm_fd, int demo);
int test_pkvm_cap(void);
int test_pkvm_share_unshare(void);
int test_pkvm_teardown(void);
int test_pkvm_concurrent(void);

#endif
