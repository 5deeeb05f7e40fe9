// SPDX-License-Identifier: GPL-2.0
/*
 * privmem_pkvm_test: privmem on pKVM protected VMs, end to end, on a host
 * booted with kvm-arm.mode=protected.  Raw KVM ioctls: the selftests
 * library refuses VM types on arm64.
 *
 * The pVM runs a few instructions of its own, copied into the first page
 * of a shmem file bound to privmem before launch.  It cannot use ucall
 * (the host could not read a private ucall page): it reports through
 * MMIO writes, the address telling the step and the value the result.
 *
 * Each case runs in a child process of its own and is one KTAP subtest:
 *
 *  pkvm_privmem_cap	the capability's rules on arm64: inplace only, for
 *			protected VMs only, every errno of ENABLE_CAP;
 *  pkvm_ioctl_errnos	every errno of BIND, CONVERT, QUERY and INIT (and
 *			ENABLE_CAP's others) that needs no running guest;
 *  pkvm_share_unshare	the guest shares a page in place (the host reads the
 *			guest's data at the frame it saw before launch) and
 *			takes it back; the host can convert neither way a
 *			page the guest owns; the binary stats;
 *  pkvm_share_range	MEM_SHARE / MEM_UNSHARE of 1 MiB in one call each
 *			(x2 = 256 pages), against 256 calls one page at a time;
 *			513 pages at once are refused;
 *  pkvm_concurrent	two vCPUs share and unshare at once while the host
 *			checks the range map;
 *  pkvm_teardown	VMs destroyed with donated pages: MemFree comes back;
 *  iso_host_paths	the host's paths to a page the guest owns: pread,
 *			pwrite, preadv2, a reopened fd, new and existing
 *			mappings (MAP_SHARED and MAP_PRIVATE, made while the
 *			page was shared), mremap, process_vm_readv/writev,
 *			/proc/self/mem, splice, vmsplice, sendfile,
 *			copy_file_range, hole punch, truncate, MADV_REMOVE,
 *			MADV_POPULATE_*, MADV_PAGEOUT, mlock and a fork()ed
 *			child: each refused, no byte of the guest's secret
 *			seen, and the guest still reads all of it;
 *  iso_other_vm	an ordinary VM whose memslot is the VMM's mapping of
 *			the pVM's memory: its guest's read of a page the pVM
 *			owns fails KVM_RUN and never returns the secret;
 *  iso_slot_flags	dirty logging or a read-only memslot over the bound
 *			span: EINVAL;
 *  iso_uffd_minor	userfaultfd minor mode on a private page: no
 *			UFFDIO_CONTINUE, reads fault;
 *  iso_udmabuf		no udmabuf over a private page (EACCES);
 *  iso_collapse	MADV_COLLAPSE of a 2M block the guest owns pages of:
 *			refused, no huge page made;
 *  iso_bind		BIND of an O_RDONLY fd (EBADF) or a write-sealed
 *			memfd (EPERM) on a protected VM; the file untouched;
 *  iso_memory_failure	a page the guest owns is hardware-poisoned: host
 *			reads fail (EIO), it stays private, the VM tears down.
 *
 * With --demo (make run ARCH=arm64) it runs pkvm_share_unshare alone and
 * tells the story as it goes.
 *
 * Copyright (C) 2026 privmem developers
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
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
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/compiler.h>
#include <linux/kvm.h>
#include <linux/memfd.h>
#include <linux/udmabuf.h>
#include <linux/userfaultfd.h>

#include "kselftest.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE	0x0010
#endif

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
#define SMCCC_RET_INVALID_PARAMETER	(-3)

/* The guest's code below spells these out. */
static_assert(DATA_GPA == 0x40001000UL && NR_DATA == 256 &&
	      MMIO_GPA == 0x20000000UL && PATTERN == 0x5a17c0de00c0ffeeUL,
	      "guest_code's constants");

/* A guest's code: a blob from @name to @name_end, in .rodata. */
#define GUEST_BLOB(name)							\
	extern const unsigned char name[], name##_end[]			\
		__attribute__((visibility("hidden")))

/*
 * The guests' building blocks: mem_call makes the SMCCC call 0xc600000<fn>
 * (MEM_SHARE 3, MEM_UNSHARE 4) for the page at x19; fill_pattern sets
 * x19 to DATA_GPA, x20 to NR_DATA, x21 to MMIO_GPA and x22 to PATTERN and
 * writes PATTERN ^ i to data page i; system_off is PSCI SYSTEM_OFF;
 * report_vectors is a vector table (at 3:) whose every entry reports
 * ESR_EL1 and ELR_EL1 through MMIO (M_EXCEPTION, M_ELR) and stops.
 * guest_begin / guest_end bracket a guest: a page-aligned blob from
 * <name> to <name>_end that first points VBAR_EL1 at its report_vectors.
 */
__asm__("	.macro	mem_call fn\n"
"	movz	w0, #\\fn\n"
"	movk	w0, #0xc600, lsl #16\n"
"	mov	x1, x19\n"
"	mov	x2, xzr\n"
"	mov	x3, xzr\n"
"	hvc	#0\n"
"	.endm\n"
"	.macro	fill_pattern\n"
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
"	.endm\n"
"	.macro	system_off\n"
"	movz	w0, #0x0008\n"
"	movk	w0, #0x8400, lsl #16\n"
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
GUEST_BLOB(guest_code);
__asm__("	guest_begin guest_code\n"
"	fill_pattern\n"
"	str	x2, [x21, #0]\n"
"	mem_call	3\n"
"	str	x0, [x21, #8]\n"
"	mem_call	4\n"
"	str	x0, [x21, #16]\n"
"	ldr	x3, [x19]\n"
"	eor	x3, x3, x22\n"
"	str	x3, [x21, #24]\n"
"	system_off\n"
"2:	b	2b\n"
"	guest_end guest_code\n");

/*
 * The guest of the concurrent test, one per vCPU, x19 its own data page:
 * CONC_ROUNDS times MEM_SHARE, write the round number, MEM_UNSHARE;
 * then MMIO M_CONC <- the number of calls that failed.
 */
#define CONC_ROUNDS	64
#define M_CONC		0x100
GUEST_BLOB(conc_code);
__asm__("	guest_begin conc_code\n"
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

/*
 * The guest of the range test, x19 data base, x20 data pages, x21 MMIO,
 * x22 the pattern: write pattern ^ i to data page i; MEM_SHARE of 513
 * pages, too many: MMIO M_WRITTEN <- its x0; then share all data pages
 * with the range form (x2 = the pages left, x1 back = the pages done,
 * until none is left), MMIO M_SHARED <- the number of calls; unshare
 * them so, M_UNSHARED <- the calls; the same one page per call (x2 = 0),
 * M_SHARED and M_UNSHARED <- the calls; M_INTACT <- the pages whose
 * pattern changed; SYSTEM_OFF.  A call that fails reports its x0 at
 * MMIO +32 and stops.
 */
#define M_CALL_FAILED	32
GUEST_BLOB(range_code);
__asm__("	.macro	range_loop fn, off, range\n"
"	mov	x23, x19\n"
"	mov	x24, x20\n"
"	mov	x26, #0\n"
"5:	movz	w0, #\\fn\n"
"	movk	w0, #0xc600, lsl #16\n"
"	mov	x1, x23\n"
"	.if	\\range\n"
"	mov	x2, x24\n"
"	.else\n"
"	mov	x2, xzr\n"
"	.endif\n"
"	mov	x3, xzr\n"
"	hvc	#0\n"
"	add	x26, x26, #1\n"
"	cbnz	x0, 6f\n"
"	.if	\\range\n"
"	cbz	x1, 6f\n"
"	cmp	x1, x24\n"
"	b.hi	6f\n"
"	.else\n"
"	mov	x1, #1\n"
"	.endif\n"
"	sub	x24, x24, x1\n"
"	add	x23, x23, x1, lsl #12\n"
"	cbnz	x24, 5b\n"
"	str	x26, [x21, #\\off]\n"
"	b	7f\n"
"6:	str	x0, [x21, #32]\n"		/* M_CALL_FAILED */
"	b	.\n"
"7:\n"
"	.endm\n"
"	guest_begin range_code\n"
"	fill_pattern\n"
"	movz	w0, #3\n"
"	movk	w0, #0xc600, lsl #16\n"
"	mov	x1, x19\n"
"	mov	x2, #513\n"
"	mov	x3, xzr\n"
"	hvc	#0\n"
"	str	x0, [x21, #0]\n"		/* M_WRITTEN */
"	range_loop	3, 8, 1\n"
"	range_loop	4, 16, 1\n"
"	range_loop	3, 8, 0\n"
"	range_loop	4, 16, 0\n"
"	mov	x1, x19\n"
"	mov	x2, #0\n"
"	mov	x25, #0\n"
"4:	ldr	x3, [x1]\n"
"	eor	x3, x3, x22\n"
"	cmp	x3, x2\n"
"	cinc	x25, x25, ne\n"
"	add	x1, x1, #4096\n"
"	add	x2, x2, #1\n"
"	cmp	x2, x20\n"
"	b.ne	4b\n"
"	str	x25, [x21, #24]\n"		/* M_INTACT */
"	system_off\n"
"2:	b	2b\n"
"	guest_end range_code\n");

struct pvm {
	int vm, vcpu, memfd, vcpu1;
	struct kvm_run *run, *run1;
	unsigned char *mem;
	uint64_t span;		/* bytes bound at BASE_GPA */
};

static int kvm = -1;
static int demo;	/* make run ARCH=arm64: tell the story as it goes */

/* In demo mode, one line of the story. */
static void __printf(1, 2) say(const char *fmt, ...)
{
	va_list ap;

	if (!demo)
		return;
	printf("privmem pkvm demo: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Why a case failed, as a KTAP diagnostic; returns -1. */
static int __printf(1, 2) fail(const char *fmt, ...)
{
	va_list ap;

	printf("    # ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return -1;
}

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
static size_t probe_count;	/* bytes host_read() got before a signal */

static void probe_signal(int sig)
{
	siglongjmp(probe_env, sig);
}

struct fault_catch {
	struct sigaction bus, segv;
};

/* Until faults_restore(), SIGBUS and SIGSEGV jump back to probe_env. */
static void faults_catch(struct fault_catch *fc)
{
	struct sigaction sa = { .sa_handler = probe_signal };

	sigaction(SIGBUS, &sa, &fc->bus);
	sigaction(SIGSEGV, &sa, &fc->segv);
}

static void faults_restore(struct fault_catch *fc)
{
	sigaction(SIGBUS, &fc->bus, NULL);
	sigaction(SIGSEGV, &fc->segv, NULL);
}

/*
 * Read @len bytes at @addr, catching SIGBUS and SIGSEGV: the signal that
 * stopped it, or 0; *@n the bytes read.
 */
static int host_read(const uint8_t *addr, uint8_t *buf, size_t len, size_t *n)
{
	struct fault_catch fc;
	int sig;

	faults_catch(&fc);
	/* Static, not automatic: it must survive the siglongjmp(). */
	probe_count = 0;
	sig = sigsetjmp(probe_env, 1);
	if (!sig)
		for (; probe_count < len; probe_count++)
			buf[probe_count] = READ_ONCE(addr[probe_count]);
	faults_restore(&fc);
	*n = probe_count;
	return sig;
}

/* Write @val over @len bytes at @addr; the signal that stopped it, or 0. */
static int host_write(uint8_t *addr, uint8_t val, size_t len)
{
	struct fault_catch fc;
	size_t i;
	int sig;

	faults_catch(&fc);
	sig = sigsetjmp(probe_env, 1);
	if (!sig)
		for (i = 0; i < len; i++)
			WRITE_ONCE(addr[i], val);
	faults_restore(&fc);
	return sig;
}

/* Read a u64 at @p; returns the signal it raised, or 0. */
static int probe_read(const uint64_t *p, uint64_t *val)
{
	size_t n;

	return host_read((const uint8_t *)p, (uint8_t *)val, sizeof(*val), &n);
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
		munmap(p->mem, p->span);
	if (p->vcpu >= 0)
		close(p->vcpu);
	if (p->vm >= 0)
		close(p->vm);
	if (p->memfd >= 0)
		close(p->memfd);
	memset(p, 0, sizeof(*p));
	p->vm = -1;
	p->vcpu = -1;
	p->vcpu1 = -1;
	p->memfd = -1;
}

#define CORE_REG(r)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 KVM_REG_ARM_CORE_REG(r))

static int set_reg(int vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	return ioctl(vcpu, KVM_SET_ONE_REG, &reg);
}

/*
 * A protected VM with privmem (the default policy, inplace) and @span
 * bytes of a memfd (@memfd, or a new one if -1) bound at BASE_GPA and
 * mapped by one memslot, the guest's code written to its first page
 * while shared.  Nothing is private yet: pvm_launch() does that.
 */
static int pvm_create(struct pvm *p, const unsigned char *code,
		      const unsigned char *code_end, uint64_t span, int memfd)
{
	struct kvm_userspace_memory_region slot = {
		.slot = 0, .guest_phys_addr = BASE_GPA, .memory_size = span,
	};
	struct kvm_privmem_bind b = {
		.gpa = BASE_GPA, .size = span,
	};

	memset(p, 0, sizeof(*p));
	p->vm = -1;
	p->vcpu = -1;
	p->vcpu1 = -1;
	p->memfd = memfd;
	p->span = span;
	p->vm = ioctl(kvm, KVM_CREATE_VM, KVM_VM_TYPE_ARM_PROTECTED);
	if (p->vm < 0)
		return fail("KVM_CREATE_VM(protected): %s", strerror(errno));
	if (pm_enable(p->vm, 0, 0, 0))
		return fail("KVM_ENABLE_CAP(KVM_CAP_PRIVMEM): %s", strerror(errno));
	if (p->memfd < 0)
		p->memfd = memfd_create("privmem_pkvm", 0);
	if (p->memfd < 0 || ftruncate(p->memfd, span))
		return fail("memfd: %s", strerror(errno));
	b.fd = p->memfd;
	if (ioctl(p->vm, KVM_PRIVMEM_BIND, &b))
		return fail("KVM_PRIVMEM_BIND: %s", strerror(errno));
	p->mem = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->memfd, 0);
	if (p->mem == MAP_FAILED) {
		p->mem = NULL;
		return fail("mmap: %s", strerror(errno));
	}
	slot.userspace_addr = (uintptr_t)p->mem;
	if (ioctl(p->vm, KVM_SET_USER_MEMORY_REGION, &slot))
		return fail("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	/* Pre-boot population, while shared. */
	memcpy(p->mem, code, code_end - code);
	return 0;
}

/* The whole span to private in place, then KVM_PRIVMEM_INIT. */
static int pvm_launch(struct pvm *p)
{
	struct kvm_privmem_convert c;

	if (pm_convert(p->vm, BASE_GPA, p->span, KVM_PRIVMEM_PRIVATE, &c))
		return fail("CONVERT to private before launch: %s", strerror(errno));
	if (ioctl(p->vm, KVM_PRIVMEM_INIT, 0))
		return fail("KVM_PRIVMEM_INIT: %s", strerror(errno));
	return 0;
}

/*
 * A protected VM of SPAN bytes running @code: data page 0 filled with
 * 0x11 before launch, *@pfn0 its host frame then, seen before it turned
 * private.
 */
static int pvm_vm(struct pvm *p, const unsigned char *code,
		  const unsigned char *code_end, uint64_t *pfn0)
{
	if (pvm_create(p, code, code_end, SPAN, -1))
		return -1;
	memset(p->mem + PAGE, 0x11, PAGE);
	*pfn0 = pfn_of(p->mem + PAGE);
	return pvm_launch(p);
}

/* vCPU @id, at the code's first instruction, its x19 at data page @id. */
static int pvm_vcpu(struct pvm *p, int id, int *fd, struct kvm_run **run)
{
	struct kvm_vcpu_init init;

	*fd = ioctl(p->vm, KVM_CREATE_VCPU, id);
	if (*fd < 0)
		return fail("KVM_CREATE_VCPU: %s", strerror(errno));
	*run = mmap(NULL, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0),
		    PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (*run == MAP_FAILED) {
		*run = NULL;
		return fail("mmap kvm_run: %s", strerror(errno));
	}
	if (ioctl(p->vm, KVM_ARM_PREFERRED_TARGET, &init))
		return fail("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(*fd, KVM_ARM_VCPU_INIT, &init))
		return fail("KVM_ARM_VCPU_INIT: %s", strerror(errno));
	if (set_reg(*fd, CORE_REG(regs.pc), BASE_GPA) ||
	    set_reg(*fd, CORE_REG(regs.regs[19]), DATA_GPA + id * PAGE))
		return fail("set registers: %s", strerror(errno));
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
		printf("    # unexpected exit %u", run->exit_reason);
		if (run->exit_reason == KVM_EXIT_MMIO)
			printf(" at MMIO %#llx, %#llx",
			       (unsigned long long)run->mmio.phys_addr,
			       *(unsigned long long *)run->mmio.data);
		printf("\n");
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
		return fail("pread of a private page: %s", strerror(errno));
	if (pwrite(p->memfd, &val, sizeof(val), off) != -1 || errno != EACCES)
		return fail("pwrite of a private page: %s", strerror(errno));
	m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, p->memfd, off);
	if (m != MAP_FAILED) {
		munmap(m, PAGE);
		return fail("a new mapping of a private page");
	}
	local = (struct iovec){ .iov_base = &val, .iov_len = sizeof(val) };
	remote = (struct iovec){ .iov_base = p->mem + off, .iov_len = sizeof(val) };
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != -1)
		return fail("process_vm_readv of a private page");
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
		return fail("%s returned %lld", call, (long long)val);
	if (pm_query(p->vm, DATA_GPA) != attr)
		return fail("QUERY after %s: not %s", call,
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
static int test_pkvm_share_unshare(void)
{
	const uint64_t *x;
	struct kvm_privmem_convert c;
	struct pm_stats st;
	uint64_t pfn0, val, pfn;
	struct pvm p;
	int r = -1, sig;

	if (pvm_setup(&p, &pfn0))
		goto out;
	x = (const uint64_t *)(p.mem + PAGE);

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
	say("the guest wrote its pattern to %lu private pages; the host's read of one: signal %d",
	    NR_DATA, sig);
	/* The host cannot take a page the guest owns. */
	if (!pm_convert(p.vm, DATA_GPA, PAGE, KVM_PRIVMEM_SHARED, &c) ||
	    errno != EPERM || c.done != 0 || c.error_index != 0) {
		printf("    # host CONVERT of a donated page: %s, done %u\n",
		       strerror(errno), c.done);
		goto out;
	}
	say("KVM_PRIVMEM_CONVERT of that page to shared by the host: %s",
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
	say("MEM_SHARE at %#lx: the host reads %#llx at pfn %#llx, its frame before launch",
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
	say("MEM_UNSHARE: the host's read gets signal %d; the guest still reads its pattern",
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
	say("policy inplace (%llu); %llu hypercalls; %llu to private, %llu to shared; %llu ranges",
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

/* Every data page's attribute is @attr, in one range. */
static int expect_data_range(struct pvm *p, int attr, const char *when)
{
	struct kvm_privmem_entry e = {};
	struct kvm_privmem_query q = {
		.gpa = DATA_GPA, .size = NR_DATA * PAGE,
		.ranges = (uintptr_t)&e, .nr = 1,
	};

	if (ioctl(p->vm, KVM_PRIVMEM_QUERY, &q) || q.nr != 1 ||
	    e.gpa != DATA_GPA || e.size != NR_DATA * PAGE || e.attr != attr)
		return fail("QUERY %s: %u ranges, first %#llx+%#llx attr %u", when,
		     q.nr, (unsigned long long)e.gpa,
		     (unsigned long long)e.size, e.attr);
	return 0;
}

/*
 * The range form: the guest shares 1 MiB (256 pages) in one MEM_SHARE
 * with x2 = 256 and takes it back in one MEM_UNSHARE, then does the same
 * one page per call.  Too many pages (513) is refused.  The host reads
 * every page's pattern in place while shared; the stats count the calls.
 */
static int test_pkvm_share_range(void)
{
	struct pm_stats st;
	uint64_t pfn0, val, v, i;
	struct pvm p;
	int r = -1;

	if (pvm_vm(&p, range_code, range_code_end, &pfn0) ||
	    pvm_vcpu(&p, 0, &p.vcpu, &p.run))
		goto out;
	if (expect_step(&p, M_WRITTEN, &val))
		goto out;
	if (val != (uint64_t)SMCCC_RET_INVALID_PARAMETER) {
		printf("    # MEM_SHARE of 513 pages: x0 %#llx\n",
		       (unsigned long long)val);
		goto out;
	}
	if (expect_data_range(&p, KVM_PRIVMEM_PRIVATE, "after 513 pages"))
		goto out;
	if (expect_step(&p, M_SHARED, &val))
		goto out;
	if (val != 1) {
		printf("    # range MEM_SHARE of 1 MiB: %llu calls, want 1\n",
		       (unsigned long long)val);
		goto out;
	}
	if (expect_data_range(&p, KVM_PRIVMEM_SHARED, "after the range MEM_SHARE"))
		goto out;
	for (i = 0; i < NR_DATA; i++)
		if (pread(p.memfd, &v, sizeof(v), (1 + i) * PAGE) != sizeof(v) ||
		    v != (PATTERN ^ i)) {
			printf("    # page %llu once shared: %#llx\n",
			       (unsigned long long)i, (unsigned long long)v);
			goto out;
		}
	/* In place: the VMM's mapping reaches the frame it had before launch. */
	if (probe_read((const uint64_t *)(p.mem + PAGE), &v) || v != PATTERN ||
	    pfn_of(p.mem + PAGE) != pfn0) {
		printf("    # data page 0 through the mapping: %#llx, pfn %#llx, was %#llx\n",
		       (unsigned long long)v,
		       (unsigned long long)pfn_of(p.mem + PAGE),
		       (unsigned long long)pfn0);
		goto out;
	}
	if (expect_step(&p, M_UNSHARED, &val))
		goto out;
	if (val != 1) {
		printf("    # range MEM_UNSHARE of 1 MiB: %llu calls, want 1\n",
		       (unsigned long long)val);
		goto out;
	}
	if (expect_data_range(&p, KVM_PRIVMEM_PRIVATE, "after the range MEM_UNSHARE") ||
	    host_paths_refused(&p, PAGE) || host_paths_refused(&p, NR_DATA * PAGE))
		goto out;
	if (expect_step(&p, M_SHARED, &val))
		goto out;
	if (val != NR_DATA) {
		printf("    # one-page MEM_SHARE of 1 MiB: %llu calls\n",
		       (unsigned long long)val);
		goto out;
	}
	if (expect_step(&p, M_UNSHARED, &val) || val != NR_DATA)
		goto out;
	if (expect_step(&p, M_INTACT, &val) || val) {
		printf("    # %llu pages changed\n", (unsigned long long)val);
		goto out;
	}
	if (pvm_step(&p, &val) != -2 || pm_stats(p.vm, &p.vcpu, 1, &st))
		goto out;
	if (st.hypercalls != 2 + 2 * NR_DATA ||
	    st.pages_to_shared != 2 * NR_DATA) {
		printf("    # stats: hypercalls %llu to_shared %llu\n",
		       (unsigned long long)st.hypercalls,
		       (unsigned long long)st.pages_to_shared);
		goto out;
	}
	printf("    # MEM_SHARE of 1 MiB: 1 call with x2 = 256, %lu one page per call\n",
	       NR_DATA);
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
static int test_pkvm_cap(void)
{
	int vm, r = -1, want = 1 << KVM_PRIVMEM_POLICY_INPLACE;
	struct pm_stats st;

	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PRIVMEM) != want)
		return fail("system CHECK_EXTENSION: %d",
		     ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PRIVMEM));
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM(0): %s", strerror(errno));
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
		return fail("KVM_CREATE_VM(protected): %s", strerror(errno));
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

/* @what returned @r (errno @err), and must have failed with @want. */
static int want_errno(const char *what, int r, int err, int want)
{
	if (r != -1 || err != want)
		return fail("%s: %d, %s; want %s", what, r,
			    r == -1 ? strerror(err) : "no error",
			    strerror(want));
	return 0;
}

#define WANT(what, call, want)	want_errno(what, call, errno, want)

/*
 * The privmem VM ioctls on a protected VM, each errno that does not need
 * a running guest, in order: before ENABLE_CAP, before BIND, BIND's,
 * CONVERT's and QUERY's, INIT's; and a vCPU that already exists.
 */
static int test_pkvm_ioctl_errnos(void)
{
	struct kvm_privmem_entry e = {
		.gpa = BASE_GPA, .size = PAGE, .attr = KVM_PRIVMEM_PRIVATE,
	};
	struct kvm_privmem_convert c = { .entries = (uintptr_t)&e, .nr = 1 };
	struct kvm_privmem_query q = {
		.gpa = BASE_GPA, .size = PAGE, .ranges = (uintptr_t)&e, .nr = 1,
	};
	struct kvm_privmem_bind b = { .gpa = BASE_GPA, .size = SPAN };
	struct kvm_enable_cap cap = { .cap = KVM_CAP_PRIVMEM };
	int vm, vm2, vcpu, fd, bad, r = 0;

	vm = ioctl(kvm, KVM_CREATE_VM, KVM_VM_TYPE_ARM_PROTECTED);
	fd = memfd_create("privmem_pkvm", 0);
	bad = memfd_create("privmem_pkvm_closed", 0);
	if (vm < 0 || fd < 0 || bad < 0 || ftruncate(fd, SPAN))
		return fail("a protected VM and a memfd: %s", strerror(errno));
	close(bad);
	b.fd = fd;

	r |= WANT("BIND before ENABLE_CAP", ioctl(vm, KVM_PRIVMEM_BIND, &b), ENXIO);
	r |= WANT("CONVERT before ENABLE_CAP", ioctl(vm, KVM_PRIVMEM_CONVERT, &c), ENXIO);
	r |= WANT("QUERY before ENABLE_CAP", ioctl(vm, KVM_PRIVMEM_QUERY, &q), ENXIO);
	r |= WANT("INIT before ENABLE_CAP", ioctl(vm, KVM_PRIVMEM_INIT, 0), ENXIO);
	cap.flags = 1;
	r |= WANT("ENABLE_CAP with cap.flags", ioctl(vm, KVM_ENABLE_CAP, &cap), EINVAL);
	cap.flags = 0;
	cap.args[3] = 1;
	r |= WANT("ENABLE_CAP with args[3]", ioctl(vm, KVM_ENABLE_CAP, &cap), EINVAL);
	if (pm_enable(vm, 0, 0, 0))
		return fail("ENABLE_CAP: %s", strerror(errno));

	r |= WANT("CONVERT before BIND", ioctl(vm, KVM_PRIVMEM_CONVERT, &c), ENXIO);
	r |= WANT("QUERY before BIND", ioctl(vm, KVM_PRIVMEM_QUERY, &q), ENXIO);
	r |= WANT("INIT before BIND", ioctl(vm, KVM_PRIVMEM_INIT, 0), ENXIO);

	b.fd = bad;
	r |= WANT("BIND of a closed fd", ioctl(vm, KVM_PRIVMEM_BIND, &b), EBADF);
	b.fd = fd;
	b.flags = 1U << 31;
	r |= WANT("BIND with an unknown flag", ioctl(vm, KVM_PRIVMEM_BIND, &b), EINVAL);
	b.flags = 0;
	b.reserved[0] = 1;
	r |= WANT("BIND with reserved set", ioctl(vm, KVM_PRIVMEM_BIND, &b), EINVAL);
	b.reserved[0] = 0;
	b.gpa = BASE_GPA + 1;
	r |= WANT("BIND of a misaligned span", ioctl(vm, KVM_PRIVMEM_BIND, &b), EINVAL);
	b.gpa = BASE_GPA;
	b.size = 0;
	r |= WANT("BIND of an empty span", ioctl(vm, KVM_PRIVMEM_BIND, &b), EINVAL);
	b.size = SPAN;
	r |= WANT("BIND of an unreadable structure",
		  ioctl(vm, KVM_PRIVMEM_BIND, (void *)8), EFAULT);
	if (ioctl(vm, KVM_PRIVMEM_BIND, &b))
		return fail("BIND: %s", strerror(errno));
	r |= WANT("a second BIND", ioctl(vm, KVM_PRIVMEM_BIND, &b), EBUSY);

	c.nr = 0;
	r |= WANT("CONVERT of 0 entries", ioctl(vm, KVM_PRIVMEM_CONVERT, &c), E2BIG);
	c.nr = 254;
	r |= WANT("CONVERT of 254 entries", ioctl(vm, KVM_PRIVMEM_CONVERT, &c), E2BIG);
	c.nr = 1;
	c.flags = 1U << 31;
	r |= WANT("CONVERT with an unknown flag", ioctl(vm, KVM_PRIVMEM_CONVERT, &c), EINVAL);
	c.flags = 0;
	e.gpa = BASE_GPA + 1;
	r |= WANT("CONVERT of a misaligned entry", ioctl(vm, KVM_PRIVMEM_CONVERT, &c), EINVAL);
	e.gpa = BASE_GPA + SPAN;
	r |= WANT("CONVERT outside the span", ioctl(vm, KVM_PRIVMEM_CONVERT, &c), EINVAL);
	e.gpa = BASE_GPA;
	c.entries = 8;
	r |= WANT("CONVERT of unreadable entries", ioctl(vm, KVM_PRIVMEM_CONVERT, &c), EFAULT);
	c.entries = (uintptr_t)&e;

	q.nr = 0;
	r |= WANT("QUERY into 0 ranges", ioctl(vm, KVM_PRIVMEM_QUERY, &q), EINVAL);
	q.nr = 1;
	q.gpa = BASE_GPA + 1;
	r |= WANT("QUERY of a misaligned span", ioctl(vm, KVM_PRIVMEM_QUERY, &q), EINVAL);
	q.gpa = BASE_GPA + SPAN;
	r |= WANT("QUERY outside the span", ioctl(vm, KVM_PRIVMEM_QUERY, &q), ENOENT);
	q.gpa = BASE_GPA;
	q.ranges = 8;
	r |= WANT("QUERY into unwritable ranges", ioctl(vm, KVM_PRIVMEM_QUERY, &q), EFAULT);
	q.ranges = (uintptr_t)&e;

	if (ioctl(vm, KVM_PRIVMEM_INIT, 0))
		return fail("INIT: %s", strerror(errno));
	r |= WANT("a second INIT", ioctl(vm, KVM_PRIVMEM_INIT, 0), EBUSY);
	close(vm);

	/* A vCPU first: no ENABLE_CAP. */
	vm2 = ioctl(kvm, KVM_CREATE_VM, KVM_VM_TYPE_ARM_PROTECTED);
	vcpu = vm2 < 0 ? -1 : ioctl(vm2, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("a protected VM with a vCPU: %s", strerror(errno));
	r |= WANT("ENABLE_CAP after a vCPU", pm_enable(vm2, 0, 0, 0), EBUSY);
	close(vcpu);
	close(vm2);
	close(fd);
	return r ? -1 : 0;
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
static int test_pkvm_teardown(void)
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
static int test_pkvm_concurrent(void)
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

/*
 * The isolation cases.  The guest, iso_code, fills x20 words from x19
 * with the secret, reports M_WRITTEN, waits for nothing, and reports at
 * M_INTACT how many of those words no longer hold it.  On pKVM a host
 * access to a page the guest owns would be a stage-2 fault in the host
 * kernel: every path below must be refused before it gets that far.
 */
#define SECRET		0x53
#define X_OFF		(2 * PAGE)		/* data page 1 */
#define X_GPA		(BASE_GPA + X_OFF)
#define BLOCK		(2UL << 20)
#define ALIAS_GPA	0x80000000UL		/* the other VM's view */

static_assert(MMIO_GPA == 0x20000000UL && SECRET == 0x53, "iso_code");

GUEST_BLOB(iso_code);
__asm__("	guest_begin iso_code\n"
"	movz	x21, #0x2000, lsl #16\n"	/* MMIO_GPA */
"	movz	x22, #0x5353\n"			/* SECRET, 8 times */
"	movk	x22, #0x5353, lsl #16\n"
"	movk	x22, #0x5353, lsl #32\n"
"	movk	x22, #0x5353, lsl #48\n"
"	mov	x1, x19\n"
"	mov	x2, #0\n"
"1:	str	x22, [x1], #8\n"
"	add	x2, x2, #1\n"
"	cmp	x2, x20\n"
"	b.ne	1b\n"
"	str	x2, [x21, #0]\n"		/* M_WRITTEN */
"	mov	x1, x19\n"
"	mov	x2, #0\n"
"	mov	x25, #0\n"
"4:	ldr	x3, [x1], #8\n"
"	cmp	x3, x22\n"
"	cinc	x25, x25, ne\n"
"	add	x2, x2, #1\n"
"	cmp	x2, x20\n"
"	b.ne	4b\n"
"	str	x25, [x21, #24]\n"		/* M_INTACT */
"	system_off\n"
"2:	b	2b\n"
"	guest_end iso_code\n");

/*
 * The guest of an ordinary VM: MMIO +0 <- the word at x19 (its own
 * memory), then MMIO +8 <- the word at x20.
 */
GUEST_BLOB(peek_code);
__asm__("	guest_begin peek_code\n"
"	movz	x21, #0x2000, lsl #16\n"	/* MMIO_GPA */
"	ldr	x0, [x19]\n"
"	str	x0, [x21, #0]\n"
"	ldr	x0, [x20]\n"
"	str	x0, [x21, #8]\n"
"2:	b	2b\n"
"	guest_end peek_code\n");

static int nr_failed;

/* A soft check failed: say why; the case fails at its end. */
static void __printf(1, 2) iso_fail(const char *fmt, ...)
{
	va_list ap;

	nr_failed++;
	printf("    # FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static size_t count_secret(const uint8_t *buf, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += buf[i] == SECRET;
	return c;
}

/* Reading the page at @addr faults before any byte of the secret. */
static void expect_read_faults(const char *what, const uint8_t *addr)
{
	static uint8_t buf[PAGE];
	size_t n;
	int sig = host_read(addr, buf, PAGE, &n);

	if (!sig)
		iso_fail("%s: no fault, %zu secret bytes read", what,
			 count_secret(buf, n));
	else if (count_secret(buf, n))
		iso_fail("%s: THE SECRET LEAKED before the fault", what);
	else
		printf("    # %s: %s after %zu bytes\n", what, strsignal(sig), n);
}

/* The page at @addr reads as @val throughout, without a fault. */
static void expect_readable(const char *what, const uint8_t *addr, uint8_t val)
{
	static uint8_t buf[PAGE];
	size_t n, i;
	int sig = host_read(addr, buf, PAGE, &n);

	for (i = 0; !sig && i < n && buf[i] == val; i++)
		;
	if (sig || i != PAGE)
		iso_fail("%s: want %lu bytes of %#x: %s, %zu bytes right", what,
			 PAGE, val, sig ? strsignal(sig) : "no fault", i);
}

/*
 * @what returned @r with errno @err: it must have failed, with @want
 * (any errno if @want is 0); @buf (if any) holds what it produced.
 */
static void expect_refused(const char *what, long r, int err, int want,
			   const uint8_t *buf)
{
	if (r == -1 && (!want || err == want)) {
		printf("    # %s: refused, %s\n", what, strerror(err));
		return;
	}
	if (r == -1)
		iso_fail("%s: %s, want %s", what, strerror(err),
			 strerror(want));
	else if (buf && r > 0)
		iso_fail("%s: returned %ld, want -1; %zu secret bytes%s", what,
			 r, count_secret(buf, r < (long)PAGE ? r : (long)PAGE),
			 count_secret(buf, r < (long)PAGE ? r : (long)PAGE) ?
			 " (THE SECRET LEAKED)" : "");
	else
		iso_fail("%s: returned %ld, want -1 (%s)", what, r,
			 want ? strerror(want) : "any errno");
}

/*
 * Launch @p (all of it private), one vCPU running iso_code over @len
 * bytes at file offset @off, and run it until it has written its secret.
 */
static int iso_start(struct pvm *p, uint64_t off, uint64_t len)
{
	uint64_t val;

	if (pvm_launch(p) || pvm_vcpu(p, 0, &p->vcpu, &p->run))
		return -1;
	if (set_reg(p->vcpu, CORE_REG(regs.regs[19]), BASE_GPA + off) ||
	    set_reg(p->vcpu, CORE_REG(regs.regs[20]), len / 8))
		return fail("set registers: %s", strerror(errno));
	return expect_step(p, M_WRITTEN, &val);
}

/* The guest still reads every word of its secret, and powers off. */
static int iso_finish(struct pvm *p)
{
	uint64_t val;

	if (expect_step(p, M_INTACT, &val))
		return -1;
	if (val)
		iso_fail("the guest's secret changed in %llu words",
			 (unsigned long long)val);
	if (pvm_step(p, &val) != -2)
		return fail("no SYSTEM_OFF");
	return 0;
}

static int iso_result(struct pvm *p, int r)
{
	pvm_free(p);
	return r || nr_failed ? -1 : 0;
}

/* Every host path to private page X, tried after the guest wrote it. */
static int iso_host_paths(void)
{
	static uint8_t buf[PAGE];
	struct iovec iov = { .iov_base = buf, .iov_len = PAGE };
	struct iovec remote;
	uint8_t *x, *shm_ro, *priv, *m;
	int pp[2], mfd, rfd, out, status, r = -1;
	loff_t loff, loff2;
	char path[64];
	struct stat st;
	struct pvm p;
	ssize_t n;
	off_t off;
	pid_t pid;

	if (pvm_create(&p, iso_code, iso_code_end, SPAN, -1))
		goto out;
	x = p.mem + X_OFF;
	/* Mappings made, and faulted in, while X is shared. */
	memset(x, 0x11, PAGE);
	shm_ro = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, p.memfd, X_OFF);
	priv = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, p.memfd, X_OFF);
	if (shm_ro == MAP_FAILED || priv == MAP_FAILED) {
		printf("    # mmap of shared X: %s\n", strerror(errno));
		goto out;
	}
	expect_readable("MAP_SHARED mapping of X while shared", shm_ro, 0x11);
	expect_readable("MAP_PRIVATE mapping of X while shared", priv, 0x11);
	if (iso_start(&p, PAGE, NR_DATA * PAGE))
		goto out;

	/* Through the file. */
	n = pread(p.memfd, buf, PAGE, X_OFF);
	expect_refused("pread", n, errno, EACCES, buf);
	memset(buf, 0xee, PAGE);
	n = pwrite(p.memfd, buf, PAGE, X_OFF);
	expect_refused("pwrite", n, errno, EACCES, NULL);
	memset(buf, 0, PAGE);
	n = preadv2(p.memfd, &iov, 1, X_OFF, RWF_NOWAIT);
	expect_refused("preadv2(RWF_NOWAIT)", n, errno, EOPNOTSUPP, buf);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p.memfd);
	rfd = open(path, O_RDWR);
	n = rfd < 0 ? -1 : pread(rfd, buf, PAGE, X_OFF);
	expect_refused("pread through a reopened fd", n, errno, EACCES, buf);
	if (rfd >= 0)
		close(rfd);

	/* New and existing mappings. */
	m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, p.memfd, X_OFF);
	if (m != MAP_FAILED) {
		iso_fail("a new MAP_SHARED mmap of X succeeded");
		expect_read_faults("the new MAP_SHARED mapping", m);
		munmap(m, PAGE);
	} else {
		expect_refused("a new MAP_SHARED mmap of X", -1, errno, EACCES,
			       NULL);
	}
	m = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, p.memfd, X_OFF);
	if (m != MAP_FAILED) {
		expect_read_faults("a new MAP_PRIVATE mapping of X", m);
		munmap(m, PAGE);
	} else {
		expect_refused("a new MAP_PRIVATE mmap of X", -1, errno, EACCES,
			       NULL);
	}
	expect_read_faults("the MAP_SHARED mapping made while shared", shm_ro);
	expect_read_faults("the MAP_PRIVATE mapping made while shared", priv);
	expect_read_faults("the VMM's mapping of X", x);
	if (!host_write(x, 0xee, PAGE))
		iso_fail("a write through the VMM's mapping of X did not fault");
	m = mremap(shm_ro, PAGE, 2 * PAGE, MREMAP_MAYMOVE);
	if (m != MAP_FAILED) {
		shm_ro = m;
		expect_read_faults("the mremap()ed mapping of X", m);
	} else {
		printf("    # mremap of the mapping of X: %s\n", strerror(errno));
	}

	/* Through the mapping, by the kernel. */
	memset(buf, 0, PAGE);
	remote = (struct iovec){ .iov_base = x, .iov_len = PAGE };
	n = process_vm_readv(getpid(), &iov, 1, &remote, 1, 0);
	expect_refused("process_vm_readv", n, errno, EFAULT, buf);
	memset(buf, 0xee, PAGE);
	n = process_vm_writev(getpid(), &iov, 1, &remote, 1, 0);
	expect_refused("process_vm_writev", n, errno, EFAULT, NULL);
	mfd = open("/proc/self/mem", O_RDWR);
	memset(buf, 0, PAGE);
	n = mfd < 0 ? 0 : pread(mfd, buf, PAGE, (off_t)(uintptr_t)x);
	expect_refused("/proc/self/mem pread", n, errno, EIO, buf);
	memset(buf, 0xee, PAGE);
	n = mfd < 0 ? 0 : pwrite(mfd, buf, PAGE, (off_t)(uintptr_t)x);
	expect_refused("/proc/self/mem pwrite", n, errno, EIO, NULL);
	if (mfd >= 0)
		close(mfd);

	/* Kernel copies out of the file, and pins of the mapping. */
	if (pipe(pp))
		return fail("pipe: %s", strerror(errno));
	loff = X_OFF;
	n = splice(p.memfd, &loff, pp[1], NULL, PAGE, SPLICE_F_NONBLOCK);
	status = errno;
	memset(buf, 0, PAGE);
	if (n > 0)
		n = read(pp[0], buf, n);
	expect_refused("splice into a pipe", n, status, EACCES, buf);
	remote = (struct iovec){ .iov_base = x, .iov_len = PAGE };
	n = vmsplice(pp[1], &remote, 1, SPLICE_F_NONBLOCK);
	status = errno;
	memset(buf, 0, PAGE);
	if (n > 0)
		n = read(pp[0], buf, n);
	expect_refused("vmsplice of the VMM's mapping", n, status, EFAULT, buf);
	close(pp[0]);
	close(pp[1]);
	out = memfd_create("privmem_pkvm_out", 0);
	off = X_OFF;
	n = sendfile(out, p.memfd, &off, PAGE);
	status = errno;
	memset(buf, 0, PAGE);
	if (n > 0)
		n = pread(out, buf, n, 0);
	expect_refused("sendfile", n, status, EACCES, buf);
	if (ftruncate(out, 0))
		return fail("ftruncate: %s", strerror(errno));
	loff = X_OFF;
	loff2 = 0;
	n = copy_file_range(p.memfd, &loff, out, &loff2, PAGE, 0);
	status = errno;
	memset(buf, 0, PAGE);
	if (n > 0)
		n = pread(out, buf, n, 0);
	expect_refused("copy_file_range", n, status, EACCES, buf);
	close(out);

	/* Freeing the page behind the guest's back, or reclaiming it. */
	n = fallocate(p.memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      X_OFF, PAGE);
	expect_refused("fallocate(PUNCH_HOLE)", n, errno, EACCES, NULL);
	n = ftruncate(p.memfd, X_OFF);
	expect_refused("ftruncate below X", n, errno, EACCES, NULL);
	if (fstat(p.memfd, &st) || st.st_size != (off_t)SPAN)
		iso_fail("file size %lld, want %lu", (long long)st.st_size,
			 SPAN);
	n = madvise(x, PAGE, MADV_REMOVE);
	expect_refused("MADV_REMOVE", n, errno, EACCES, NULL);
	n = madvise(x, PAGE, MADV_POPULATE_READ);
	expect_refused("MADV_POPULATE_READ", n, errno, EFAULT, NULL);
	n = madvise(x, PAGE, MADV_POPULATE_WRITE);
	expect_refused("MADV_POPULATE_WRITE", n, errno, EFAULT, NULL);
	/* These may succeed: they must not take the page from the guest. */
	printf("    # MADV_PAGEOUT: %s\n",
	       madvise(p.mem, SPAN, MADV_PAGEOUT) ? strerror(errno) : "done");
	printf("    # MADV_COLD: %s\n",
	       madvise(p.mem, SPAN, MADV_COLD) ? strerror(errno) : "done");
	printf("    # mlock: %s\n", mlock(x, PAGE) ? strerror(errno) : "done");
	munlock(x, PAGE);
	expect_read_faults("the VMM's mapping of X after those", x);

	/* Another process. */
	pid = fork();
	if (pid < 0)
		return fail("fork: %s", strerror(errno));
	if (!pid) {
		size_t got;
		int sig = host_read(x, buf, PAGE, &got);

		/* 10: a fault; 11: read without one; 12: saw the secret. */
		_exit(count_secret(buf, got) ? 12 : sig ? 10 : 11);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 10)
		iso_fail("fork()ed child reading X: status %#x%s", status,
			 WIFEXITED(status) && WEXITSTATUS(status) == 12 ?
			 " (THE SECRET LEAKED)" : "");
	else
		printf("    # fork()ed child reading X: faulted\n");

	munmap(shm_ro, 2 * PAGE);
	munmap(priv, PAGE);
	r = iso_finish(&p);
out:
	return iso_result(&p, r);
}

/*
 * An ordinary VM whose memslot is the VMM's mapping of the pVM: KVM
 * faults the page in through that mapping, which privmem refuses.
 */
static int iso_other_vm(void)
{
	struct kvm_userspace_memory_region slot = {
		.slot = 0, .guest_phys_addr = BASE_GPA, .memory_size = 2 * PAGE,
	};
	struct kvm_vcpu_init init;
	struct kvm_run *run = NULL;
	int vm = -1, vcpu = -1, r = -1, rc, err;
	unsigned char *own = MAP_FAILED;
	uint64_t val;
	struct pvm p;

	if (pvm_create(&p, iso_code, iso_code_end, SPAN, -1) ||
	    iso_start(&p, PAGE, NR_DATA * PAGE))
		goto out;

	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	own = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || own == MAP_FAILED) {
		printf("    # the other VM: %s\n", strerror(errno));
		goto out;
	}
	memcpy(own, peek_code, peek_code_end - peek_code);
	memset(own + PAGE, 0x77, PAGE);
	slot.userspace_addr = (uintptr_t)own;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot))
		goto fail;
	slot = (struct kvm_userspace_memory_region){
		.slot = 1, .guest_phys_addr = ALIAS_GPA, .memory_size = SPAN,
		.userspace_addr = (uintptr_t)p.mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot)) {
		/* Refusing the memslot is as good as refusing the fault. */
		printf("    # a memslot over the pVM's mapping: refused, %s\n",
		       strerror(errno));
		r = iso_finish(&p);
		goto out;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0 || ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init))
		goto fail;
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	run = mmap(NULL, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0),
		   PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		run = NULL;
		goto fail;
	}
	if (ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) ||
	    set_reg(vcpu, CORE_REG(regs.pc), BASE_GPA) ||
	    set_reg(vcpu, CORE_REG(regs.regs[19]), BASE_GPA + PAGE) ||
	    set_reg(vcpu, CORE_REG(regs.regs[20]), ALIAS_GPA + X_OFF))
		goto fail;

	/* Its own memory first: the guest runs. */
	val = 0;
	rc = ioctl(vcpu, KVM_RUN, 0);
	if (!rc && run->exit_reason == KVM_EXIT_MMIO &&
	    run->mmio.phys_addr == MMIO_GPA)
		memcpy(&val, run->mmio.data, sizeof(val));
	if (val != 0x7777777777777777UL) {
		printf("    # the other VM's first read: %d, exit %u, %#llx\n",
		       rc, run->exit_reason, (unsigned long long)val);
		goto fail;
	}
	rc = ioctl(vcpu, KVM_RUN, 0);
	err = errno;
	if (rc == 0 && run->exit_reason == KVM_EXIT_MMIO) {
		memcpy(&val, run->mmio.data, 8);
		iso_fail("the other VM read X through the VMM's mapping: %#llx%s",
			 (unsigned long long)val,
			 count_secret((uint8_t *)&val, 8) ?
			 " (THE SECRET LEAKED)" : "");
	} else if (rc == 0) {
		iso_fail("the other VM's read of X: exit %u, want KVM_RUN to fail",
			 run->exit_reason);
	} else if (err != EFAULT) {
		iso_fail("the other VM's read of X: KVM_RUN %s, want EFAULT",
			 strerror(err));
	} else {
		printf("    # the other VM's read of X: KVM_RUN refused, %s\n",
		       strerror(err));
	}
	r = iso_finish(&p);
	goto out;
fail:
	printf("    # the other VM: %s\n", strerror(errno));
out:
	if (run)
		munmap(run, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0));
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	if (own != MAP_FAILED)
		munmap(own, 2 * PAGE);
	return iso_result(&p, r);
}

/* The memslot over the bound span cannot log dirty pages or be read-only. */
static int iso_slot_flags(void)
{
	static const struct {
		uint32_t flag;
		const char *name;
	} flags[] = {
		{ KVM_MEM_LOG_DIRTY_PAGES, "KVM_MEM_LOG_DIRTY_PAGES" },
		{ KVM_MEM_READONLY, "KVM_MEM_READONLY" },
	};
	struct kvm_userspace_memory_region slot;
	char what[96];
	struct pvm p;
	unsigned int i;
	int r = -1;

	if (pvm_create(&p, iso_code, iso_code_end, SPAN, -1) ||
	    iso_start(&p, PAGE, NR_DATA * PAGE))
		goto out;
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		slot = (struct kvm_userspace_memory_region){
			.slot = 0, .flags = flags[i].flag,
			.guest_phys_addr = BASE_GPA, .memory_size = SPAN,
			.userspace_addr = (uintptr_t)p.mem,
		};
		snprintf(what, sizeof(what), "memslot flags 0 -> %s",
			 flags[i].name);
		expect_refused(what, ioctl(p.vm, KVM_SET_USER_MEMORY_REGION,
					   &slot), errno, EINVAL, NULL);
	}
	r = iso_finish(&p);
out:
	return iso_result(&p, r);
}

/* userfaultfd minor faults cannot map a private page. */
static int iso_uffd_minor(void)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = UFFD_FEATURE_MINOR_SHMEM | UFFD_FEATURE_SIGBUS,
	};
	struct uffdio_register reg = {};
	struct uffdio_continue cont = {};
	struct uffdio_range range;
	int uffd = -1, r = -1;
	struct pvm p;
	uint8_t *x;

	if (pvm_create(&p, iso_code, iso_code_end, SPAN, -1) ||
	    iso_start(&p, PAGE, NR_DATA * PAGE))
		goto out;
	x = p.mem + X_OFF;
	uffd = syscall(__NR_userfaultfd,
		       O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) ||
	    !(api.features & UFFD_FEATURE_MINOR_SHMEM)) {
		printf("    # userfaultfd with minor shmem faults: %s\n",
		       strerror(errno));
		goto out;
	}
	range = (struct uffdio_range){ .start = (uintptr_t)x, .len = PAGE };
	reg.range = range;
	reg.mode = UFFDIO_REGISTER_MODE_MINOR;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		printf("    # UFFDIO_REGISTER (minor) over X: refused, %s\n",
		       strerror(errno));
	} else {
		cont.range = range;
		expect_refused("UFFDIO_CONTINUE of private X",
			       ioctl(uffd, UFFDIO_CONTINUE, &cont), errno,
			       EFAULT, NULL);
		expect_read_faults("the registered mapping of X", x);
		ioctl(uffd, UFFDIO_UNREGISTER, &range);
	}
	expect_read_faults("the VMM's mapping of X", x);
	r = iso_finish(&p);
out:
	if (uffd >= 0)
		close(uffd);
	return iso_result(&p, r);
}

/* No udmabuf over a private page. */
static int iso_udmabuf(void)
{
	struct udmabuf_create create = {
		.flags = UDMABUF_FLAGS_CLOEXEC, .offset = X_OFF, .size = PAGE,
	};
	int fd, dev = -1, buf, r = -1;
	struct pvm p;

	fd = memfd_create("privmem_pkvm", MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, SPAN) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		printf("    # a sealable memfd: %s\n", strerror(errno));
		return -1;
	}
	if (pvm_create(&p, iso_code, iso_code_end, SPAN, fd) ||
	    iso_start(&p, PAGE, NR_DATA * PAGE))
		goto out;
	dev = open("/dev/udmabuf", O_RDWR);
	if (dev < 0) {
		printf("    # /dev/udmabuf: %s\n", strerror(errno));
		goto out;
	}
	create.memfd = p.memfd;
	buf = ioctl(dev, UDMABUF_CREATE, &create);
	if (buf >= 0) {
		uint8_t *m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, buf, 0);

		iso_fail("UDMABUF_CREATE over private X succeeded");
		if (m != MAP_FAILED) {
			expect_read_faults("the udmabuf's mapping", m);
			munmap(m, PAGE);
		}
		close(buf);
	} else {
		expect_refused("UDMABUF_CREATE over private X", -1, errno,
			       EACCES, NULL);
	}
	r = iso_finish(&p);
out:
	if (dev >= 0)
		close(dev);
	return iso_result(&p, r);
}

/* A /proc/meminfo field in kB, -1 if absent. */
static long meminfo_kb(const char *key)
{
	size_t len = strlen(key);
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, len) && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	if (f)
		fclose(f);
	return v;
}

/* No huge page is made out of a 2M block the guest owns pages of. */
static int iso_collapse(void)
{
	const uint64_t span = 2 * BLOCK;
	uint8_t *area = MAP_FAILED, *m;
	long huge0, huge1, n;
	struct pvm p;
	int r = -1;
	uint64_t i;

	if (pvm_create(&p, iso_code, iso_code_end, span, -1))
		goto out;
	/* Block 1 populated, and mapped 2M-aligned by the host, while shared. */
	for (i = BLOCK; i < span; i += PAGE)
		memset(p.mem + i, 0x22, PAGE);
	area = mmap(NULL, 2 * BLOCK, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		return fail("mmap: %s", strerror(errno));
	m = (uint8_t *)(((uintptr_t)area + BLOCK - 1) & ~(BLOCK - 1));
	if (mmap(m, BLOCK, PROT_READ, MAP_SHARED | MAP_FIXED, p.memfd,
		 BLOCK) != m)
		return fail("mmap of block 1: %s", strerror(errno));
	expect_readable("block 1's mapping while shared", m + PAGE, 0x22);
	if (iso_start(&p, BLOCK, BLOCK))
		goto out;

	huge0 = meminfo_kb("ShmemHugePages");
	n = madvise(m, BLOCK, MADV_COLLAPSE);
	expect_refused("MADV_COLLAPSE of block 1", n, errno, EINVAL, NULL);
	huge1 = meminfo_kb("ShmemHugePages");
	printf("    # ShmemHugePages: %ld kB before MADV_COLLAPSE, %ld kB after\n",
	       huge0, huge1);
	if (huge1 > huge0)
		iso_fail("ShmemHugePages grew from %ld to %ld kB", huge0, huge1);
	expect_read_faults("block 1's mapping", m + PAGE);
	r = iso_finish(&p);
out:
	if (area != MAP_FAILED)
		munmap(area, 2 * BLOCK);
	return iso_result(&p, r);
}

/* [0, @len) of @fd holds @val. */
static void expect_file(const char *what, int fd, size_t len, uint8_t val)
{
	static uint8_t buf[16 * PAGE];
	size_t i;

	if (pread(fd, buf, len, 0) != (ssize_t)len) {
		iso_fail("%s: pread: %s", what, strerror(errno));
		return;
	}
	for (i = 0; i < len; i++)
		if (buf[i] != val) {
			iso_fail("%s: offset %#zx holds %#x, want %#x", what, i,
				 buf[i], val);
			return;
		}
}

/* BIND of a file the VMM may not write, on a protected VM. */
static int iso_bind(void)
{
	struct kvm_privmem_bind b = { .gpa = BASE_GPA, .size = SPAN };
	static const int seals[] = { F_SEAL_WRITE, F_SEAL_FUTURE_WRITE };
	static uint8_t data[16 * PAGE];
	int vm, fd, ro, sealed, r;
	char path[64];
	unsigned int i;

	memset(data, 0x56, sizeof(data));
	vm = ioctl(kvm, KVM_CREATE_VM, KVM_VM_TYPE_ARM_PROTECTED);
	if (vm < 0 || pm_enable(vm, 0, 0, 0))
		return fail("a protected VM with privmem: %s", strerror(errno));
	fd = memfd_create("privmem_pkvm", 0);
	if (fd < 0 || ftruncate(fd, SPAN) ||
	    pwrite(fd, data, sizeof(data), 0) != sizeof(data))
		return fail("memfd: %s", strerror(errno));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY);
	b.fd = ro;
	r = ioctl(vm, KVM_PRIVMEM_BIND, &b);
	expect_refused("BIND of an O_RDONLY fd", r, errno, EBADF, NULL);
	expect_file("the file after that BIND", ro, sizeof(data), 0x56);
	close(ro);
	for (i = 0; i < ARRAY_SIZE(seals); i++) {
		sealed = memfd_create("privmem_pkvm_sealed", MFD_ALLOW_SEALING);
		if (sealed < 0 || ftruncate(sealed, SPAN) ||
		    pwrite(sealed, data, sizeof(data), 0) != sizeof(data) ||
		    fcntl(sealed, F_ADD_SEALS, seals[i]))
			return fail("sealed memfd: %s", strerror(errno));
		b.fd = sealed;
		r = ioctl(vm, KVM_PRIVMEM_BIND, &b);
		expect_refused(seals[i] == F_SEAL_WRITE ?
			       "BIND of an F_SEAL_WRITE memfd" :
			       "BIND of an F_SEAL_FUTURE_WRITE memfd",
			       r, errno, EPERM, NULL);
		expect_file("the sealed file after that BIND", sealed,
			    sizeof(data), 0x56);
		close(sealed);
	}
	b.fd = fd;
	if (ioctl(vm, KVM_PRIVMEM_BIND, &b))
		iso_fail("BIND of the O_RDWR fd: %s", strerror(errno));
	close(vm);
	expect_file("the file after the VM is gone", fd, sizeof(data), 0x56);
	close(fd);
	return nr_failed ? -1 : 0;
}

/*
 * A page the guest owns is hardware-poisoned (hwpoison-inject): the host
 * stays refused, the range map keeps it private, and the VM still tears
 * down.  pKVM cannot unmap a protected guest's page, so the guest keeps
 * it until teardown.
 */
static int iso_memory_failure(void)
{
	static uint8_t buf[PAGE];
	char val[32];
	uint64_t pfn;
	struct pvm p;
	int fd, r = -1;
	ssize_t n;

	if (pvm_create(&p, iso_code, iso_code_end, SPAN, -1))
		goto out;
	memset(p.mem + X_OFF, 0x41, PAGE);
	pfn = pfn_of(p.mem + X_OFF);
	if (!pfn || iso_start(&p, PAGE, NR_DATA * PAGE))
		goto out;
	fd = open("/sys/kernel/debug/hwpoison/corrupt-pfn", O_WRONLY);
	if (fd < 0) {
		printf("    # hwpoison/corrupt-pfn: %s\n", strerror(errno));
		goto out;
	}
	snprintf(val, sizeof(val), "%llu", (unsigned long long)pfn);
	n = write(fd, val, strlen(val));
	printf("    # poisoning pfn %#llx: %s\n", (unsigned long long)pfn,
	       n == (ssize_t)strlen(val) ? "done" : strerror(errno));
	close(fd);
	if (pm_query(p.vm, X_GPA) != KVM_PRIVMEM_PRIVATE)
		iso_fail("X is no longer private");
	n = pread(p.memfd, buf, PAGE, X_OFF);
	expect_refused("pread of poisoned X", n, errno, EIO, buf);
	expect_read_faults("the VMM's mapping of poisoned X", p.mem + X_OFF);
	r = iso_finish(&p);
out:
	return iso_result(&p, r);
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "pkvm_privmem_cap", test_pkvm_cap },
	{ "pkvm_ioctl_errnos", test_pkvm_ioctl_errnos },
	{ "pkvm_share_unshare", test_pkvm_share_unshare },
	{ "pkvm_share_range", test_pkvm_share_range },
	{ "pkvm_concurrent", test_pkvm_concurrent },
	{ "pkvm_teardown", test_pkvm_teardown },
	{ "iso_host_paths", iso_host_paths },
	{ "iso_other_vm", iso_other_vm },
	{ "iso_slot_flags", iso_slot_flags },
	{ "iso_uffd_minor", iso_uffd_minor },
	{ "iso_udmabuf", iso_udmabuf },
	{ "iso_collapse", iso_collapse },
	{ "iso_bind", iso_bind },
	{ "iso_memory_failure", iso_memory_failure },
};

/* One case in a child of its own: a crash or a hang ends only that case. */
static int run_case(int (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		alarm(300);
		_exit(fn() ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		printf("    # killed by signal %d (%s)%s\n", WTERMSIG(status),
		       strsignal(WTERMSIG(status)),
		       WTERMSIG(status) == SIGALRM ? ": timed out" : "");
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

int main(int argc, char *argv[])
{
	unsigned int i, n = ARRAY_SIZE(cases);
	int vm;

	setvbuf(stdout, NULL, _IOLBF, 0);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		ksft_exit_skip("/dev/kvm: %s\n", strerror(errno));
	/* The feature outside privmem: a host in protected mode. */
	vm = ioctl(kvm, KVM_CREATE_VM, KVM_VM_TYPE_ARM_PROTECTED);
	if (vm < 0)
		ksft_exit_skip("no protected VMs (kvm-arm.mode=protected?): %s\n",
			       strerror(errno));
	close(vm);
	trace_on();
	if (argc > 1 && !strcmp(argv[1], "--demo")) {
		demo = 1;
		return test_pkvm_share_unshare() ? KSFT_FAIL : KSFT_PASS;
	}
	ksft_print_header();
	ksft_set_plan(n);
	for (i = 0; i < n; i++)
		ksft_test_result(!run_case(cases[i].fn), "%s\n", cases[i].name);
	ksft_finished();
}
