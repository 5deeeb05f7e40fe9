// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the arm64 (pKVM) test guest, linked statically.  The kernel
 * has already run its built-in KUnit suites; this prints the guest-side
 * checks as KTAP between the harness's markers and powers the guest off.
 *
 * Copyright (C) 2026 privmem developers
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <linux/kvm.h>

#include "privmem_pkvm_test.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int kvm_fd = -1;
static int demo;	/* privmem.mode=run: make run ARCH=arm64 */

/* KVM_CREATE_VM of @type; returns 0 if it got a VM, -errno if not. */
static int create_vm(unsigned long type)
{
	int vm = ioctl(kvm_fd, KVM_CREATE_VM, type);

	if (vm < 0)
		return -errno;
	close(vm);
	return 0;
}

static int test_kvm_open(void)
{
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		printf("    # /dev/kvm: %s\n", strerror(errno));
		return -1;
	}
	pkvm_test_init(kvm_fd, demo);
	return 0;
}

/* pKVM is on: a protected VM can be created. */
static int test_protected_vm(void)
{
	int r = kvm_fd < 0 ? -ENODEV : create_vm(KVM_VM_TYPE_ARM_PROTECTED);

	if (r)
		printf("    # KVM_CREATE_VM(KVM_VM_TYPE_ARM_PROTECTED): %s\n",
		       strerror(-r));
	return r;
}

/* Protected mode still runs ordinary VMs. */
static int test_plain_vm(void)
{
	int r = kvm_fd < 0 ? -ENODEV : create_vm(0);

	if (r)
		printf("    # KVM_CREATE_VM(0): %s\n", strerror(-r));
	return r;
}

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "kvm_open", test_kvm_open },
	{ "protected_vm", test_protected_vm },
	{ "plain_vm", test_plain_vm },
	{ "pkvm_privmem_cap", test_pkvm_cap },
	{ "pkvm_share_unshare", test_pkvm_share_unshare },
	{ "pkvm_concurrent", test_pkvm_concurrent },
	{ "pkvm_teardown", test_pkvm_teardown },
};

/* privmem.mode=run on the kernel command line (boot.sh run). */
static int run_mode(void)
{
	char line[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	return strstr(line, "privmem.mode=run") != NULL;
}

/*
 * make run ARCH=arm64: a protected VM's guest writes private pages,
 * shares one and takes it back, and the VMM tells what privmem saw.
 */
static int run_demo(void)
{
	int r;

	printf("privmem-guest: begin run\n");
	demo = 1;
	r = test_kvm_open();
	if (!r)
		r = test_pkvm_share_unshare();
	printf("privmem pkvm demo: %s\n", r ? "FAILED" : "done");
	printf("privmem-guest: end run\n");
	return r;
}

int main(void)
{
	unsigned int i, n = ARRAY_SIZE(tests);

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (run_mode()) {
		run_demo();
		goto off;
	}
	printf("privmem-guest: begin test\n");
	printf("KTAP version 1\n1..%u\n", n);
	for (i = 0; i < n; i++)
		printf("%sok %u %s\n", tests[i].fn() ? "not " : "", i + 1,
		       tests[i].name);
	printf("privmem-guest: end test\n");
off:
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
