// SPDX-License-Identifier: GPL-2.0
/*
 * privmem on a pKVM protected VM, end to end, with raw KVM ioctls (the
 * selftests library refuses VM types on arm64).  Run by the arm64
 * guest's /init (init.c) on a host booted with kvm-arm.mode=protected.
 *
 * The pVM runs a few instructions of its own, copied into the first page
 * of a shmem file bound to privmem before launch.  It cannot use ucall
 * (the host could not read a private ucall page): it reports through
 * MMIO writes, the address telling the step and the value the result.
 *
 * Copyright (C) 2026 privmem developers
 */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <linux/kvm.h>

#include "privmem_pkvm_test.h"

#define PAGE		4096UL
#define BASE_GPA	0x40000000UL		/* code page, then data */
#define DATA_GPA	(BASE_GPA + PAGE)
#define NR_DATA		256UL
#define SPAN		((NR_DATA + 1) * PAGE)
#define MMIO_GPA	0x20000000UL		/* no memslot: exits as MMIO */
#define PATTERN		0x5a17c0de00c0ffeeUL

/* MMIO offsets: one per step of the guest. */
enum {
	M_WRITTEN = 0, M_SHARED = 8, M_UNSHARED = 16, M_INTACT = 24,
	M_EXCEPTION = 32,	/* ESR_EL1; at +8 before it, ELR_EL1 */
	M_ELR = 40,
};

#define SMCCC_MEM_SHARE		0xc6000003U
#define SMCCC_MEM_UNSHARE	0xc6000004U
#define PSCI_SYSTEM_OFF		0x84000008U

/* The guest's code below spells these out. */
_Static_assert(DATA_GPA == 0x40001000UL && NR_DATA == 256 &&
	       MMIO_GPA == 0x20000000UL && PATTERN == 0x5a17c0de00c0ffeeUL,
	       "guest_code's constants");

/*
 * The guests' building blocks: mem_call makes the SMCCC call 0xc600000<fn>
 * (MEM_SHARE 3, MEM_UNSHARE 4) for the page at x19; report_vectors is a
 * vector table (at 3:) whose every entry reports ESR_EL1 and ELR_EL1
 * through MMIO (M_EXCEPTION, M_ELR) and stops.  guest_begin / guest_end
 * bracket a guest: a page-aligned blob from <name> to <name>_end that
 * first points VBAR_EL1 at its report_vectors.
 */
__asm__(
"	.macro	mem_call fn\n"
"	movz	w0, #\\fn\n"
"	movk	w0, #0xc600, lsl #16\n"
"	mov	x1, x19\n"
"	mov	x2, xzr\n"
"	mov	x3, xzr\n"
"	hvc	#0\n"
"	.endm\n"
"	.macro	report_vectors\n"
"	.balign 2048\n"
"3:	.rept	16\n"
"	mrs	x0, esr_el1\n"
"	mrs	x1, elr_el1\n"
"	movz	x2, #0x2000, lsl #16\n"
"	str	x1, [x2, #40]\n"
"	str	x0, [x2, #32]\n"
"	b	.\n"
"	.balign	128\n"
"	.endr\n"
"	.endm\n"
"	.macro	guest_begin name\n"
"	.pushsection .rodata\n"
"	.balign 4096\n"
"	.globl	\\name, \\name\\()_end\n"
"	.hidden	\\name, \\name\\()_end\n"
"\\name:\n"
"	adr	x0, 3f\n"
"	msr	vbar_el1, x0\n"
"	isb\n"
"	.endm\n"
"	.macro	guest_end name\n"
"	report_vectors\n"
"\\name\\()_end:\n"
"	.popsection\n"
"	.endm\n");

/*
 * The guest, position independent, MMU off:
 *   x19 data base, x20 data pages, x21 MMIO base, x22 the pattern.
 *   1. write pattern ^ i to data page i (each first touch donates it);
 *   2. MMIO M_WRITTEN;
 *   3. MEM_SHARE data page 0; MMIO M_SHARED <- x0;
 *   4. MEM_UNSHARE it;        MMIO M_UNSHARED <- x0;
 *   5. MMIO M_INTACT <- (data page 0) ^ pattern: 0 if kept;
 *   6. PSCI SYSTEM_OFF.
 */
extern const unsigned char guest_code[] __attribute__((visibility("hidden")));
extern const unsigned char guest_code_end[] __attribute__((visibility("hidden")));
__asm__(
"	guest_begin guest_code\n"
"	movz	x19, #0x4000, lsl #16\n"	/* DATA_GPA */
"	movk	x19, #0x1000\n"
"	mov	x20, #256\n"			/* NR_DATA */
"	movz	x21, #0x2000, lsl #16\n"	/* MMIO_GPA */
"	movz	x22, #0xffee\n"
"	movk	x22, #0x00c0, lsl #16\n"
"	movk	x22, #0xc0de, lsl #32\n"
"	movk	x22, #0x5a17, lsl #48\n"
"	mov	x1, x19\n"
"	mov	x2, #0\n"
"1:	eor	x3, x22, x2\n"
"	str	x3, [x1]\n"
"	add	x1, x1, #4096\n"
"	add	x2, x2, #1\n"
"	cmp	x2, x20\n"
"	b.ne	1b\n"
"	str	x2, [x21, #0]\n"
"	mem_call	3\n"
"	str	x0, [x21, #8]\n"
"	mem_call	4\n"
"	str	x0, [x21, #16]\n"
"	ldr	x3, [x19]\n"
"	eor	x3, x3, x22\n"
"	str	x3, [x21, #24]\n"
"	movz	w0, #0x0008\n"
"	movk	w0, #0x8400, lsl #16\n"
"	hvc	#0\n"
"2:	b	2b\n"
"	guest_end guest_code\n");

/*
 * The guest of the concurrent test, one per vCPU, x19 its own data page:
 * CONC_ROUNDS times MEM_SHARE, write the round number, MEM_UNSHARE;
 * then MMIO M_CONC <- the number of calls that failed.
 */
#define CONC_ROUNDS	64
#define M_CONC		0x100
extern const unsigned char conc_code[] __attribute__((visibility("hidden")));
extern const unsigned char conc_code_end[] __attribute__((visibility("hidden")));
__asm__(
"	guest_begin conc_code\n"
"	mov	x20, #64\n"			/* CONC_ROUNDS */
"	movz	x21, #0x2000, lsl #16\n"	/* MMIO_GPA */
"	mov	x25, #0\n"
"	str	x25, [x19]\n"
"1:	mem_call	3\n"
"	cbz	x0, 2f\n"
"	add	x25, x25, #1\n"
"2:	str	x20, [x19]\n"
"	mem_call	4\n"
"	cbz	x0, 4f\n"
"	add	x25, x25, #1\n"
"4:	subs	x20, x20, #1\n"
"	b.ne	1b\n"
"	str	x25, [x21, #0x100]\n"		/* M_CONC */
"5:	b	5b\n"
"	guest_end conc_code\n");

struct pvm {
	int vm, vcpu, memfd, vcpu1;
	struct kvm_run *run, *run1;
	unsigned char *mem;
};

static int kvm = -1;
static int demo;	/* make run ARCH=arm64: tell the story as it goes */

#define SAY(...) do { if (demo) { printf("privmem pkvm demo: " __VA_ARGS__); printf("\n"); } } while (0)

#define FAIL(...) do { printf("    # " __VA_ARGS__); printf("\n"); return -1; } while (0)

/*
 * One KVM binary stat by name from a VM or vCPU fd (KVM_GET_STATS_FD):
 * the header, then the descriptors (each followed by its name), then the
 * data.  Returns 0 and *@val, or -1.
 */
static int stat_read(int obj, const char *name, uint64_t *val)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc *d;
	size_t dsz;
	char *descs = NULL;
	int fd, r = -1;
	uint32_t i;

	fd = ioctl(obj, KVM_GET_STATS_FD, NULL);
	if (fd < 0)
		return -1;
	if (pread(fd, &h, sizeof(h), 0) != sizeof(h))
		goto out;
	dsz = sizeof(*d) + h.name_size;
	descs = malloc(dsz * h.num_desc);
	if (!descs || pread(fd, descs, dsz * h.num_desc, h.desc_offset) !=
		      (ssize_t)(dsz * h.num_desc))
		goto out;
	for (i = 0; i < h.num_desc; i++) {
		d = (struct kvm_stats_desc *)(descs + i * dsz);
		if (strcmp(d->name, name))
			continue;
		if (pread(fd, val, sizeof(*val), h.data_offset + d->offset) ==
		    sizeof(*val))
			r = 0;
		break;
	}
out:
	free(descs);
	close(fd);
	return r;
}

/* privmem's stats of a VM, the vCPU ones summed over @vcpus. */
struct pm_stats {
	uint64_t policy, pages_to_private, pages_to_shared, ranges, hypercalls;
};

static int pm_stats(int vm, const int *vcpus, int nr, struct pm_stats *st)
{
	uint64_t v;
	int i;

	memset(st, 0, sizeof(*st));
	if (stat_read(vm, "privmem_policy", &st->policy) ||
	    stat_read(vm, "privmem_pages_to_private", &st->pages_to_private) ||
	    stat_read(vm, "privmem_pages_to_shared", &st->pages_to_shared) ||
	    stat_read(vm, "privmem_nr_ranges", &st->ranges))
		return -1;
	for (i = 0; i < nr; i++) {
		if (stat_read(vcpus[i], "privmem_hypercalls", &v))
			return -1;
		st->hypercalls += v;
	}
	return 0;
}

static sigjmp_buf probe_env;

static void probe_signal(int sig)
{
	siglongjmp(probe_env, sig);
}

/* Read a u64 at @p; returns the signal it raised, or 0. */
static int probe_read(const volatile uint64_t *p, uint64_t *val)
{
	struct sigaction sa = { .sa_handler = probe_signal }, obus, osegv;
	int sig;

	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	sig = sigsetjmp(probe_env, 1);
	if (!sig)
		*val = *p;
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return sig;
}

/* The host frame behind a user address, from /proc/self/pagemap. */
static uint64_t pfn_of(const void *addr)
{
	uint64_t ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent),
		  (uintptr_t)addr / PAGE * sizeof(ent)) != sizeof(ent))
		ent = 0;
	close(fd);
	return (ent >> 63) ? ent & ((1ULL << 55) - 1) : 0;
}

static int pm_enable(int vm, uint64_t policy, uint64_t flags, uint64_t bit)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_PRIVMEM,
		.args = { policy, flags, bit },
	};

	return ioctl(vm, KVM_ENABLE_CAP, &cap);
}

static int pm_convert(int vm, uint64_t gpa, uint64_t size, int attr,
		      struct kvm_privmem_convert *c)
{
	static struct kvm_privmem_entry e;

	e = (struct kvm_privmem_entry){ .gpa = gpa, .size = size, .attr = attr };
	*c = (struct kvm_privmem_convert){ .entries = (uintptr_t)&e, .nr = 1 };
	return ioctl(vm, KVM_PRIVMEM_CONVERT, c);
}

/* The attribute of the page at @gpa, or -1. */
static int pm_query(int vm, uint64_t gpa)
{
	struct kvm_privmem_entry e = {};
	struct kvm_privmem_query q = {
		.gpa = gpa, .size = PAGE, .ranges = (uintptr_t)&e, .nr = 1,
	};

	if (ioctl(vm, KVM_PRIVMEM_QUERY, &q) || q.nr != 1)
		return -1;
	return e.attr;
}

static void pvm_free(struct pvm *p)
{
	if (p->run)
		munmap(p->run, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0));
	if (p->run1)
		munmap(p->run1, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0));
	if (p->vcpu1 >= 0)
		close(p->vcpu1);
	if (p->mem)
		munmap(p->mem, SPAN);
	if (p->vcpu >= 0)
		close(p->vcpu);
	if (p->vm >= 0)
		close(p->vm);
	if (p->memfd >= 0)
		close(p->memfd);
	memset(p, 0, sizeof(*p));
	p->vm = p->vcpu = p->vcpu1 = p->memfd = -1;
}

#define CORE_REG(r)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 KVM_REG_ARM_CORE_REG(r))

static int set_reg(int vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	return ioctl(vcpu, KVM_SET_ONE_REG, &reg);
}

/*
 * A protected VM with privmem (policy @policy), the whole of its memory
 * bound: the guest's code written while shared, converted to private in
 * place before launch, INIT, one vCPU at the code.  *@pfn0 is the host
 * frame of data page 0, seen before it turned private.
 */
static int pvm_vcpu(struct pvm *p, int id, int *fd, struct kvm_run **run);

static int pvm_vm(struct pvm *p, const unsigned char *code,
		  const unsigned char *code_end, uint64_t *pfn0)
{
	struct kvm_userspace_memory_region slot = {
		.slot = 0, .guest_phys_addr = BASE_GPA, .memory_size = SPAN,
	};
	struct kvm_privmem_bind b = {
		.gpa = BASE_GPA, .size = SPAN,
	};
	struct kvm_privmem_convert c;
	int r;

	memset(p, 0, sizeof(*p));
	p->vm = p->vcpu = p->vcpu1 = p->memfd = -1;
	p->vm = ioctl(kvm, KVM_CREATE_VM, KVM_VM_TYPE_ARM_PROTECTED);
	if (p->vm < 0)
		FAIL("KVM_CREATE_VM(protected): %s", strerror(errno));
	if (pm_enable(p->vm, 0, 0, 0))
		FAIL("KVM_ENABLE_CAP(KVM_CAP_PRIVMEM): %s", strerror(errno));
	p->memfd = memfd_create("privmem_pkvm", 0);
	if (p->memfd < 0 || ftruncate(p->memfd, SPAN))
		FAIL("memfd: %s", strerror(errno));
	b.fd = p->memfd;
	if (ioctl(p->vm, KVM_PRIVMEM_BIND, &b))
		FAIL("KVM_PRIVMEM_BIND: %s", strerror(errno));
	p->mem = mmap(NULL, SPAN, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->memfd, 0);
	if (p->mem == MAP_FAILED) {
		p->mem = NULL;
		FAIL("mmap: %s", strerror(errno));
	}
	slot.userspace_addr = (uintptr_t)p->mem;
	if (ioctl(p->vm, KVM_SET_USER_MEMORY_REGION, &slot))
		FAIL("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));

	/* Pre-boot population, while shared. */
	memcpy(p->mem, code, code_end - code);
	memset(p->mem + PAGE, 0x11, PAGE);
	*pfn0 = pfn_of(p->mem + PAGE);
	r = pm_convert(p->vm, BASE_GPA, SPAN, KVM_PRIVMEM_PRIVATE, &c);
	if (r)
		FAIL("CONVERT to private before launch: %s", strerror(errno));
	if (ioctl(p->vm, KVM_PRIVMEM_INIT, 0))
		FAIL("KVM_PRIVMEM_INIT: %s", strerror(errno));
	return 0;
}

/* vCPU @id, at the code's first instruction, its x19 at data page @id. */
static int pvm_vcpu(struct pvm *p, int id, int *fd, struct kvm_run **run)
{
	struct kvm_vcpu_init init;

	*fd = ioctl(p->vm, KVM_CREATE_VCPU, id);
	if (*fd < 0)
		FAIL("KVM_CREATE_VCPU: %s", strerror(errno));
	*run = mmap(NULL, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0),
		    PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (*run == MAP_FAILED) {
		*run = NULL;
		FAIL("mmap kvm_run: %s", strerror(errno));
	}
	if (ioctl(p->vm, KVM_ARM_PREFERRED_TARGET, &init))
		FAIL("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(*fd, KVM_ARM_VCPU_INIT, &init))
		FAIL("KVM_ARM_VCPU_INIT: %s", strerror(errno));
	if (set_reg(*fd, CORE_REG(regs.pc), BASE_GPA) ||
	    set_reg(*fd, CORE_REG(regs.regs[19]), DATA_GPA + id * PAGE))
		FAIL("set registers: %s", strerror(errno));
	return 0;
}

/* A protected VM running guest_code on one vCPU. */
static int pvm_setup(struct pvm *p, uint64_t *pfn0)
{
	if (pvm_vm(p, guest_code, guest_code_end, pfn0))
		return -1;
	return pvm_vcpu(p, 0, &p->vcpu, &p->run);
}

#define TRACING	"/sys/kernel/tracing/"

static void trace_write(const char *file, const char *val)
{
	int fd = open(file, O_WRONLY | O_TRUNC);

	if (fd >= 0) {
		if (write(fd, val, strlen(val)) < 0)
			perror(file);
		close(fd);
	}
}

/* Record KVM's exits and faults and privmem's events, for a failure. */
static void trace_on(void)
{
	trace_write(TRACING "trace", "");
	/* Keep the first events: a looping guest would overwrite them. */
	trace_write(TRACING "options/overwrite", "0");
	trace_write(TRACING "events/kvm/kvm_exit/enable", "1");
	trace_write(TRACING "events/kvm/kvm_guest_fault/enable", "1");
	trace_write(TRACING "events/kvm/kvm_mmio_emulate/enable", "1");
	trace_write(TRACING "events/privmem/enable", "1");
}

/* The last @n lines of the trace, as KTAP comments. */
static void trace_dump(int n)
{
	static char buf[1 << 20];
	int fd = open(TRACING "trace", O_RDONLY);
	ssize_t len = 0, r;
	char *line, *p, *end;
	int i;

	if (fd < 0)
		return;
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += r;
	close(fd);
	buf[len] = 0;
	/* The first @n events, then the last @n. */
	line = strtok(buf, "\n");
	for (i = 0; line && i < n; line = strtok(NULL, "\n"))
		if (line[0] != '#' && ++i)
			printf("    # %s\n", line);
	if (!line)
		return;
	p = line + strlen(line) + 1;
	for (end = buf + len; end > p && n >= 0; end--)
		if (end[-1] == '\n')
			n--;
	printf("    # ...\n");
	for (line = strtok(end, "\n"); line; line = strtok(NULL, "\n"))
		printf("    # %s\n", line);
}

static void alarm_signal(int sig)
{
}

static uint64_t get_reg(int vcpu, uint64_t id)
{
	uint64_t val = 0;
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	ioctl(vcpu, KVM_GET_ONE_REG, &reg);
	return val;
}

/* The guest's state, for a guest that went astray. */
static void dump_regs(int vcpu)
{
	printf("    # pc %#llx pstate %#llx elr_el1 %#llx esr_el1 %#llx far_el1 %#llx\n",
	       (unsigned long long)get_reg(vcpu, CORE_REG(regs.pc)),
	       (unsigned long long)get_reg(vcpu, CORE_REG(regs.pstate)),
	       (unsigned long long)get_reg(vcpu, CORE_REG(elr_el1)),
	       (unsigned long long)get_reg(vcpu, ARM64_SYS_REG(3, 0, 5, 2, 0)),
	       (unsigned long long)get_reg(vcpu, ARM64_SYS_REG(3, 0, 6, 0, 0)));
}

static void cat(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		printf("%s", buf);
	}
	close(fd);
}

static pid_t run_tid;
static pthread_t run_thread;

/* If KVM_RUN is stuck in the kernel, say where. */
static void *watchdog(void *arg)
{
	char path[64];

	sleep(45);
	printf("    # KVM_RUN stuck for 45 s; its kernel stack:\n");
	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", run_tid);
	cat(path);
	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", run_tid);
	cat(path);
	printf("\n");
	trace_dump(30);
	pthread_kill(run_thread, SIGALRM);
	return NULL;
}

/*
 * Run until the guest's next MMIO write; returns its offset, -2 for
 * SYSTEM_OFF, or -1.  A guest that makes no progress for 60 s fails
 * (KVM_RUN is interrupted) with the trace of what it did.
 */
static long pvm_step(struct pvm *p, uint64_t *val)
{
	struct sigaction sa = { .sa_handler = alarm_signal };
	struct kvm_run *run = p->run;
	pthread_t wd;
	int r;


	sigaction(SIGALRM, &sa, NULL);
	run_tid = syscall(SYS_gettid);
	run_thread = pthread_self();
	pthread_create(&wd, NULL, watchdog, NULL);
	alarm(60);
	r = ioctl(p->vcpu, KVM_RUN, 0);
	alarm(0);
	pthread_cancel(wd);
	pthread_join(wd, NULL);
	if (r) {
		printf("    # KVM_RUN: %s\n", strerror(errno));
		dump_regs(p->vcpu);
		return -1;
	}
	if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT)
		return -2;
	if (run->exit_reason == KVM_EXIT_MMIO &&
	    run->mmio.phys_addr == MMIO_GPA + M_ELR) {
		memcpy(val, run->mmio.data, sizeof(*val));
		printf("    # guest exception at %#llx", (unsigned long long)*val);
		if (!ioctl(p->vcpu, KVM_RUN, 0) && run->exit_reason == KVM_EXIT_MMIO)
			printf(", ESR_EL1 %#llx",
			       *(unsigned long long *)run->mmio.data);
		printf("\n");
		return -1;
	}
	if (run->exit_reason != KVM_EXIT_MMIO || !run->mmio.is_write ||
	    run->mmio.phys_addr - MMIO_GPA > M_INTACT) {
		printf("    # unexpected exit %u\n", run->exit_reason);
		if (run->exit_reason == KVM_EXIT_MEMORY_FAULT)
			printf("    # memory fault at %#llx flags %#llx\n",
			       (unsigned long long)run->memory_fault.gpa,
			       (unsigned long long)run->memory_fault.flags);
		trace_dump(40);
		return -1;
	}
	memcpy(val, run->mmio.data, sizeof(*val));
	return run->mmio.phys_addr - MMIO_GPA;
}

static int expect_step(struct pvm *p, long want, uint64_t *val)
{
	long got = pvm_step(p, val);

	if (got != want) {
		printf("    # guest step: got %ld, want %ld\n", got, want);
		return -1;
	}
	return 0;
}

/* The range maps in debugfs (<debugfs>/kvm/<pid>-<fd>/privmem_ranges). */
static void show_ranges(void)
{
	char path[300];
	struct dirent *d;
	DIR *dir;

	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	dir = opendir("/sys/kernel/debug/kvm");
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%s/privmem_ranges",
			 d->d_name);
		if (access(path, R_OK))
			continue;
		printf("privmem pkvm demo: range map (%s):\n", path);
		cat(path);
	}
	closedir(dir);
}

/*
 * The host's other paths to the page at file offset @off, private: a
 * read, a write, a new mapping and another process's view of the VMM's
 * mapping are refused, whatever EL2 would do.
 */
static int host_paths_refused(struct pvm *p, off_t off)
{
	struct iovec local, remote;
	uint64_t val = 0;
	void *m;

	if (pread(p->memfd, &val, sizeof(val), off) != -1 || errno != EACCES)
		FAIL("pread of a private page: %s", strerror(errno));
	if (pwrite(p->memfd, &val, sizeof(val), off) != -1 || errno != EACCES)
		FAIL("pwrite of a private page: %s", strerror(errno));
	m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, p->memfd, off);
	if (m != MAP_FAILED) {
		munmap(m, PAGE);
		FAIL("a new mapping of a private page");
	}
	local = (struct iovec){ .iov_base = &val, .iov_len = sizeof(val) };
	remote = (struct iovec){ .iov_base = p->mem + off, .iov_len = sizeof(val) };
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != -1)
		FAIL("process_vm_readv of a private page");
	return 0;
}

/* The guest's @call reached @step, returned 0, and QUERY says @attr. */
static int expect_converted(struct pvm *p, long step, int attr,
			    const char *call)
{
	uint64_t val;

	if (expect_step(p, step, &val))
		return -1;
	if (val)
		FAIL("%s returned %lld", call, (long long)val);
	if (pm_query(p->vm, DATA_GPA) != attr)
		FAIL("QUERY after %s: not %s", call,
		     attr == KVM_PRIVMEM_PRIVATE ? "private" : "shared");
	return 0;
}

/*
 * The whole story: the pVM writes a pattern to private pages, shares one
 * with MEM_SHARE: the host reads the pattern at the same host frame it
 * saw before launch (in place), QUERY says shared; MEM_UNSHARE: the
 * host's read is refused, the guest still reads its pattern, QUERY says
 * private.  The host itself can convert neither way a page the guest
 * owns.
 */
int test_pkvm_share_unshare(void)
{
	const volatile uint64_t *x;
	struct kvm_privmem_convert c;
	struct pm_stats st;
	uint64_t pfn0, val, pfn;
	struct pvm p;
	int r = -1, sig;

	if (pvm_setup(&p, &pfn0))
		goto out;
	x = (const volatile uint64_t *)(p.mem + PAGE);

	if (expect_step(&p, M_WRITTEN, &val))
		goto out;
	sig = probe_read(x, &val);
	if (!sig) {
		printf("    # host read a private page: %#llx\n",
		       (unsigned long long)val);
		goto out;
	}
	if (pm_query(p.vm, DATA_GPA) != KVM_PRIVMEM_PRIVATE) {
		printf("    # QUERY before MEM_SHARE: not private\n");
		goto out;
	}
	if (host_paths_refused(&p, PAGE))
		goto out;
	SAY("the guest wrote its pattern to %lu private pages; the host's read of one: signal %d",
	    NR_DATA, sig);
	/* The host cannot take a page the guest owns. */
	if (!pm_convert(p.vm, DATA_GPA, PAGE, KVM_PRIVMEM_SHARED, &c) ||
	    errno != EPERM || c.done != 0 || c.error_index != 0) {
		printf("    # host CONVERT of a donated page: %s, done %u\n",
		       strerror(errno), c.done);
		goto out;
	}
	SAY("KVM_PRIVMEM_CONVERT of that page to shared by the host: %s",
	    strerror(errno));

	if (expect_converted(&p, M_SHARED, KVM_PRIVMEM_SHARED, "MEM_SHARE"))
		goto out;
	sig = probe_read(x, &val);
	if (sig || val != PATTERN) {
		printf("    # host read after MEM_SHARE: signal %d, %#llx\n",
		       sig, (unsigned long long)val);
		goto out;
	}
	/* Shared in place: the file reads the guest's data too. */
	if (pread(p.memfd, &val, sizeof(val), PAGE) != sizeof(val) ||
	    val != PATTERN) {
		printf("    # pread after MEM_SHARE: %s, %#llx\n",
		       strerror(errno), (unsigned long long)val);
		goto out;
	}
	pfn = pfn_of((const void *)x);
	if (!pfn0 || pfn != pfn0) {
		printf("    # shared page at pfn %#llx, was %#llx: not in place\n",
		       (unsigned long long)pfn, (unsigned long long)pfn0);
		goto out;
	}
	SAY("MEM_SHARE at %#lx: the host reads %#llx at pfn %#llx, the frame it wrote before launch",
	    DATA_GPA, (unsigned long long)val, (unsigned long long)pfn);
	/* Nor give back one the guest shared. */
	if (!pm_convert(p.vm, DATA_GPA, PAGE, KVM_PRIVMEM_PRIVATE, &c) ||
	    errno != EPERM) {
		printf("    # host CONVERT of a guest-shared page: %s\n",
		       strerror(errno));
		goto out;
	}

	if (expect_converted(&p, M_UNSHARED, KVM_PRIVMEM_PRIVATE, "MEM_UNSHARE"))
		goto out;
	sig = probe_read(x, &val);
	if (!sig) {
		printf("    # host read after MEM_UNSHARE: %#llx\n",
		       (unsigned long long)val);
		goto out;
	}
	if (host_paths_refused(&p, PAGE))
		goto out;
	if (expect_step(&p, M_INTACT, &val))
		goto out;
	if (val) {
		printf("    # guest's pattern changed: xor %#llx\n",
		       (unsigned long long)val);
		goto out;
	}
	SAY("MEM_UNSHARE: the host's read gets signal %d; the guest still reads its pattern",
	    sig);
	if (pvm_step(&p, &val) != -2) {
		printf("    # no SYSTEM_OFF\n");
		goto out;
	}
	if (pm_stats(p.vm, &p.vcpu, 1, &st)) {
		printf("    # binary stats: %s\n", strerror(errno));
		goto out;
	}
	if (st.policy != KVM_PRIVMEM_POLICY_INPLACE || st.hypercalls != 2 ||
	    st.pages_to_shared != 1 || st.pages_to_private != NR_DATA + 2) {
		printf("    # stats: policy %llu hypercalls %llu to_shared %llu to_private %llu\n",
		       (unsigned long long)st.policy,
		       (unsigned long long)st.hypercalls,
		       (unsigned long long)st.pages_to_shared,
		       (unsigned long long)st.pages_to_private);
		goto out;
	}
	SAY("policy inplace (id %llu); %llu hypercalls; %llu pages to private, %llu to shared; %llu ranges",
	    (unsigned long long)st.policy, (unsigned long long)st.hypercalls,
	    (unsigned long long)st.pages_to_private,
	    (unsigned long long)st.pages_to_shared,
	    (unsigned long long)st.ranges);
	if (demo)
		show_ranges();
	r = 0;
out:
	pvm_free(&p);
	return r;
}

/*
 * The capability on arm64: reported (the inplace policy only) for
 * protected VMs, refused for others; inplace is the default; no other
 * policy and no shared alias bit.
 */
int test_pkvm_cap(void)
{
	int vm, r = -1, want = 1 << KVM_PRIVMEM_POLICY_INPLACE;
	struct pm_stats st;

	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PRIVMEM) != want)
		FAIL("system CHECK_EXTENSION: %d",
		     ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PRIVMEM));
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		FAIL("KVM_CREATE_VM(0): %s", strerror(errno));
	if (ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_PRIVMEM) != 0) {
		printf("    # plain VM reports KVM_CAP_PRIVMEM\n");
		goto out;
	}
	if (!pm_enable(vm, 0, 0, 0) || errno != EINVAL) {
		printf("    # ENABLE_CAP on a plain VM: %s\n", strerror(errno));
		goto out;
	}
	close(vm);
	vm = ioctl(kvm, KVM_CREATE_VM, KVM_VM_TYPE_ARM_PROTECTED);
	if (vm < 0)
		FAIL("KVM_CREATE_VM(protected): %s", strerror(errno));
	if (ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_PRIVMEM) != want) {
		printf("    # protected VM: CHECK_EXTENSION wrong\n");
		goto out;
	}
	if (!pm_enable(vm, KVM_PRIVMEM_POLICY_CC, 0, 0) || errno != EINVAL) {
		printf("    # ENABLE_CAP(cc): %s\n", strerror(errno));
		goto out;
	}
	if (!pm_enable(vm, 0, KVM_PRIVMEM_SHARED_ALIAS, 30) ||
	    errno != EINVAL) {
		printf("    # ENABLE_CAP(alias): %s\n", strerror(errno));
		goto out;
	}
	if (pm_enable(vm, 0, 0, 0)) {
		printf("    # ENABLE_CAP: %s\n", strerror(errno));
		goto out;
	}
	if (!pm_enable(vm, 0, 0, 0) || errno != EBUSY) {
		printf("    # second ENABLE_CAP: %s\n", strerror(errno));
		goto out;
	}
	if (pm_stats(vm, NULL, 0, &st) ||
	    st.policy != KVM_PRIVMEM_POLICY_INPLACE) {
		printf("    # default policy is not inplace\n");
		goto out;
	}
	r = 0;
out:
	close(vm);
	return r;
}

/*
 * MemFree after dropping caches.  Freed pages may still sit on per-CPU
 * lists, which MemFree does not count: a few hundred kB of noise either
 * way, against the 1 MiB a VM's leaked pages would be.
 */
static long mem_free_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f;

	sync();
	trace_write("/proc/sys/vm/drop_caches", "3");
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * Teardown with private pages: VMs whose guest donated all its data
 * pages are destroyed while running; every page comes back.
 */
int test_pkvm_teardown(void)
{
	const int rounds = 16;
	long before = -1, after;
	uint64_t pfn0, val;
	struct pvm p;
	int i;

	/* One round first, so that caches the first VM fills are warm. */
	for (i = 0; i <= rounds; i++) {
		if (i == 1)
			before = mem_free_kb();
		if (pvm_setup(&p, &pfn0) || expect_step(&p, M_WRITTEN, &val)) {
			pvm_free(&p);
			return -1;
		}
		pvm_free(&p);
	}
	after = mem_free_kb();
	/*
	 * A leak of the pages would be rounds * (NR_DATA + 1) pages, about
	 * 16 MiB; allow half of it for slab, page-table and per-CPU list
	 * noise.
	 */
	if (before < 0 ||
	    after < before - (long)(rounds * (NR_DATA + 1) * PAGE / 1024 / 2)) {
		printf("    # MemFree %ld kB before, %ld kB after %d VMs\n",
		       before, after, rounds);
		return -1;
	}
	printf("    # MemFree %ld kB before, %ld kB after %d VMs of %lu pages\n",
	       before, after, rounds, NR_DATA + 1);
	return 0;
}

void pkvm_test_init(int kvm_fd, int demo_mode)
{
	kvm = kvm_fd;
	demo = demo_mode;
	trace_on();
}

struct conc_vcpu {
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	uint64_t failures;
	int r;
};

static int conc_done;

static void *conc_run(void *arg)
{
	struct conc_vcpu *v = arg;

	v->r = -1;
	while (!ioctl(v->fd, KVM_RUN, 0)) {
		if (v->run->exit_reason != KVM_EXIT_MMIO)
			break;
		memcpy(&v->failures, v->run->mmio.data, sizeof(v->failures));
		if (v->run->mmio.phys_addr == MMIO_GPA + M_CONC) {
			v->r = 0;
			break;
		}
		printf("    # guest exception at %#llx\n",
		       (unsigned long long)v->failures);
		break;
	}
	__atomic_add_fetch(&conc_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Two vCPUs share and unshare their own page CONC_ROUNDS times each, at
 * once, while the host checks the range map: every QUERY covers the span
 * exactly with 4K ranges, the pages' attributes only ever read private or
 * shared, and at the end both are private, every call succeeded and the
 * stats count each of them.
 */
int test_pkvm_concurrent(void)
{
	struct kvm_privmem_entry ents[8];
	struct pm_stats st;
	struct conc_vcpu v[2] = {};
	struct sigaction sa = { .sa_handler = alarm_signal };
	unsigned int checks = 0, i, n;
	uint64_t pfn0, total;
	struct pvm p;
	int r = -1;
	time_t start;

	if (pvm_vm(&p, conc_code, conc_code_end, &pfn0))
		goto out;
	for (i = 0; i < 2; i++)
		if (pvm_vcpu(&p, i, &v[i].fd, &v[i].run))
			goto out;
	p.vcpu = v[0].fd;
	p.run = v[0].run;
	p.vcpu1 = v[1].fd;
	p.run1 = v[1].run;
	sigaction(SIGALRM, &sa, NULL);
	conc_done = 0;
	for (i = 0; i < 2; i++)
		pthread_create(&v[i].thread, NULL, conc_run, &v[i]);
	start = time(NULL);
	for (;;) {
		struct kvm_privmem_query q = {
			.gpa = BASE_GPA, .size = SPAN,
			.ranges = (uintptr_t)ents, .nr = 8,
		};

		if (__atomic_load_n(&conc_done, __ATOMIC_ACQUIRE) == 2)
			break;
		if (time(NULL) - start > 120) {
			printf("    # vCPUs still running after 120 s\n");
			trace_dump(30);
			pthread_kill(v[0].thread, SIGALRM);
			pthread_kill(v[1].thread, SIGALRM);
			pthread_join(v[0].thread, NULL);
			pthread_join(v[1].thread, NULL);
			goto out;
		}
		if (ioctl(p.vm, KVM_PRIVMEM_QUERY, &q)) {
			printf("    # QUERY: %s\n", strerror(errno));
			continue;
		}
		for (total = 0, n = 0; n < q.nr; n++) {
			if (ents[n].gran != KVM_PRIVMEM_GRAN_4K ||
			    ents[n].attr > KVM_PRIVMEM_PRIVATE ||
			    ents[n].gpa != BASE_GPA + total)
				printf("    # bad range %#llx+%#llx\n",
				       (unsigned long long)ents[n].gpa,
				       (unsigned long long)ents[n].size);
			total += ents[n].size;
		}
		if (total != SPAN || q.next != BASE_GPA + SPAN) {
			printf("    # QUERY covers %#llx of %#lx\n",
			       (unsigned long long)total, SPAN);
			goto join;
		}
		checks++;
		usleep(1000);
	}
	pthread_join(v[0].thread, NULL);
	pthread_join(v[1].thread, NULL);
	for (i = 0; i < 2; i++)
		if (v[i].r || v[i].failures) {
			printf("    # vCPU %u: %s, %llu failed calls\n", i,
			       v[i].r ? "no report" : "reported",
			       (unsigned long long)v[i].failures);
			goto out;
		}
	if (pm_query(p.vm, DATA_GPA) != KVM_PRIVMEM_PRIVATE ||
	    pm_query(p.vm, DATA_GPA + PAGE) != KVM_PRIVMEM_PRIVATE) {
		printf("    # pages not private at the end\n");
		goto out;
	}
	if (pm_stats(p.vm, (int []){ v[0].fd, v[1].fd }, 2, &st) ||
	    st.hypercalls != 4 * CONC_ROUNDS ||
	    st.pages_to_shared != 2 * CONC_ROUNDS) {
		printf("    # stats: hypercalls %llu to_shared %llu\n",
		       (unsigned long long)st.hypercalls,
		       (unsigned long long)st.pages_to_shared);
		goto out;
	}
	printf("    # %u range-map checks while %d calls ran\n", checks,
	       4 * CONC_ROUNDS);
	r = 0;
	goto out;
join:
	pthread_kill(v[0].thread, SIGALRM);
	pthread_kill(v[1].thread, SIGALRM);
	pthread_join(v[0].thread, NULL);
	pthread_join(v[1].thread, NULL);
out:
	pvm_free(&p);
	return r;
}

