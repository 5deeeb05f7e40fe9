// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the arm64 (pKVM) test guest, linked statically.  The kernel
 * has already run its built-in KUnit suites; this checks that pKVM is up,
 * runs every program in /tests (privmem_pkvm_test and upstream's arm64
 * KVM selftests, built by harness/build-guest-tests.sh arm64) as one KTAP
 * case each, between the harness's markers, and powers the guest off.
 * A program's own KTAP output is indented as its subtests; exit status 0
 * is a pass, 4 (KSFT_SKIP) a skip, anything else, a signal or more than
 * PROG_TIMEOUT seconds (then it and its children are killed) a failure.
 *
 * Copyright (C) 2026 privmem developers
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <linux/kvm.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define TESTS		"/tests"
#ifndef PROG_TIMEOUT
#define PROG_TIMEOUT	600
#endif
#define MAX_PROGS	64

static int kvm_fd = -1;

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
} checks[] = {
	{ "kvm_open", test_kvm_open },
	{ "protected_vm", test_protected_vm },
	{ "plain_vm", test_plain_vm },
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* The programs in /tests, sorted; returns how many. */
static int list_progs(char **progs)
{
	struct dirent *d;
	DIR *dir = opendir(TESTS);
	int n = 0;

	while (dir && (d = readdir(dir)) && n < MAX_PROGS)
		if (d->d_name[0] != '.')
			progs[n++] = strdup(d->d_name);
	if (dir)
		closedir(dir);
	qsort(progs, n, sizeof(*progs), by_name);
	return n;
}

/* Copy @n bytes of a program's output, each line after @indent. */
static void emit(const char *buf, ssize_t n, const char *indent, int *bol)
{
	ssize_t i;

	for (i = 0; i < n; i++) {
		if (*bol)
			fputs(indent, stdout);
		putchar(buf[i]);
		*bol = buf[i] == '\n';
	}
}

/* The kernel stacks of @pid's threads: where a program that hangs is. */
static void show_stacks(pid_t pid)
{
	char path[300], buf[4096];
	struct dirent *e;
	ssize_t n;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid,
			 e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		printf("    # thread %s:\n", e->d_name);
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			int bol = 1;

			emit(buf, n, "    #   ", &bol);
		}
	}
	if (d)
		closedir(d);
}

/*
 * Run /tests/@name with @arg (or none), each line of its output copied
 * to the console after @indent.  A program still running after
 * PROG_TIMEOUT seconds has its kernel stacks shown and is killed with
 * whatever it started.  Returns its exit status, or -1 for a signal or
 * a timeout.
 */
static int run_prog(const char *name, const char *arg, const char *indent)
{
	struct pollfd pfd = { .events = POLLIN };
	time_t start, now, killed = 0;
	char path[256], buf[4096];
	int pp[2], status, bol = 1;
	ssize_t n;
	pid_t pid;

	snprintf(path, sizeof(path), TESTS "/%s", name);
	if (pipe(pp))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		setpgid(0, 0);
		dup2(pp[1], 1);
		dup2(pp[1], 2);
		close(pp[0]);
		close(pp[1]);
		execl(path, path, arg, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(pp[1]);
	pfd.fd = pp[0];
	start = time(NULL);
	for (;;) {
		if (poll(&pfd, 1, 1000) > 0) {
			n = read(pp[0], buf, sizeof(buf));
			if (n <= 0)
				break;
			emit(buf, n, indent, &bol);
		}
		now = time(NULL);
		if (!killed && now - start >= PROG_TIMEOUT) {
			printf("%s# %s: still running after %d s; its kernel stacks:\n",
			       indent, name, PROG_TIMEOUT);
			show_stacks(pid);
			kill(-pid, SIGKILL);
			killed = now;
		} else if (killed && now - killed > 30) {
			printf("%s# %s: not gone 30 s after SIGKILL\n", indent,
			       name);
			close(pp[0]);
			return -1;
		}
	}
	close(pp[0]);
	if (!bol)
		putchar('\n');
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status)) {
		printf("%s# %s: killed by signal %d%s\n", indent, name,
		       WTERMSIG(status), killed ? " (timed out)" : "");
		return -1;
	}
	return WEXITSTATUS(status);
}

/*
 * Keep one VM for the whole run, so that KVM's preempt-notifier static
 * key (enabled while any VM exists) is not flipped at every VM a test
 * creates and frees.  Under QEMU 7.2 TCG, a vCPU thread sometimes
 * misses its sched-in or sched-out notification when it runs soon after
 * such a flip: pKVM then has the hyp vCPU loaded on the wrong CPU, or
 * on none, and EL2 refuses to run it.  debug-exceptions, which creates
 * about 60 VMs one after the other, lost 9 notifications in 8 runs;
 * with a VM held, none in 16 (README.md, "Known problems").
 */
static void hold_vm(void)
{
	if (kvm_fd < 0)
		printf("# holding a VM: no /dev/kvm\n");
	else if (ioctl(kvm_fd, KVM_CREATE_VM, 0) < 0)
		printf("# holding a VM: %s\n", strerror(errno));
}

/*
 * The argument for a program that would spend minutes in one loop under
 * nested TCG: debug-exceptions keeps its ~60 VMs in a row (the notifier
 * flip above) but single-steps 100 times instead of 10000, which took
 * 162 of its seconds on 2026-12-03.
 */
static const char *prog_arg(const char *name)
{
	if (!strcmp(name, "debug-exceptions"))
		return "-i100";
	return NULL;
}

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
	return !!strstr(line, "privmem.mode=run");
}

int main(void)
{
	unsigned int i, k = 0;
	char *progs[MAX_PROGS];
	struct timespec t0, t1;
	int n, j, rc;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (run_mode()) {
		/* make run ARCH=arm64: the pKVM demo tells its own story. */
		printf("privmem-guest: begin run\n");
		rc = run_prog("privmem_pkvm_test", "--demo", "");
		printf("privmem pkvm demo: %s\n", rc ? "FAILED" : "done");
		printf("privmem-guest: end run\n");
		goto off;
	}
	n = list_progs(progs);
	printf("privmem-guest: begin test\n");
	printf("KTAP version 1\n1..%u\n", (unsigned int)(ARRAY_SIZE(checks) + n));
	for (i = 0; i < ARRAY_SIZE(checks); i++)
		printf("%sok %u %s\n", checks[i].fn() ? "not " : "", ++k,
		       checks[i].name);
	hold_vm();
	for (j = 0; j < n; j++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = run_prog(progs[j], prog_arg(progs[j]), "    ");
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("    # %s: %ld s\n", progs[j], (long)(t1.tv_sec - t0.tv_sec));
		if (rc == 0)
			printf("ok %u %s\n", ++k, progs[j]);
		else if (rc == 4)
			printf("ok %u %s # SKIP\n", ++k, progs[j]);
		else
			printf("not ok %u %s # exit status %d\n", ++k, progs[j], rc);
	}
	printf("privmem-guest: end test\n");
off:
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
