// SPDX-License-Identifier: GPL-2.0
/*
 * privmem_isolation_test: no host path reaches a private page of a privmem
 * VM.
 *
 * Every case builds its own software-protected VM with KVM_CAP_PRIVMEM: a
 * 16 MiB memfd bound at DATA_GPA (4 GiB), a memslot over a MAP_SHARED
 * mapping of it made after KVM_PRIVMEM_BIND, identity guest mappings and
 * KVM_PRIVMEM_INIT.  Usually the guest then makes page X private with
 * KVM_HC_MAP_GPA_RANGE and writes the secret 0x53 over it; the host tries
 * one path to it, which must be refused without ever showing a 0x53 byte,
 * and the guest checks that it still reads its secret.  Each case runs in
 * a child process of its own (a failed assertion ends only that case) and
 * is reported as one KTAP subtest:
 *
 *  dirty_log		a memslot over the bound span with
 *			KVM_MEM_LOG_DIRTY_PAGES (new or a flags change): EINVAL;
 *			such a memslot existing at BIND time: BIND fails EINVAL
 *			and the file is untouched;
 *  readonly_slot	the same with KVM_MEM_READONLY;
 *  collapse		MADV_COLLAPSE of a 2M block holding X fails and creates
 *			no huge page; after a memslot delete/re-add the guest
 *			reads what it last wrote;
 *  udmabuf		a udmabuf over a shared page makes its conversion to
 *			private fail with EBUSY until it is closed; a udmabuf
 *			over X is refused (EACCES);
 *  uffd_minor		userfaultfd minor mode on the mapping of X: no
 *			UFFDIO_CONTINUE, reads fault, writes change nothing;
 *  uffd_fill		X made private before anything backs it (a hole):
 *			UFFDIO_COPY and UFFDIO_ZEROPAGE into it fail with
 *			EACCES, the guest then reads zeroes and its secret
 *			stays out of the host's reach;
 *  large_folio		a private 4K page inside a 2M folio of a huge=always
 *			tmpfs file: its shared neighbours stay readable, the
 *			page itself is reachable by no path;
 *  bind_readonly_fd	BIND of an O_RDONLY fd: EBADF, the file is untouched;
 *  bind_sealed		BIND of an F_SEAL_WRITE / F_SEAL_FUTURE_WRITE memfd:
 *			EPERM, the file is untouched;
 *  bind_fail_keeps_data BIND beyond or across the 52-bit GPA limit: EINVAL,
 *			the file is untouched and a correct BIND still works;
 *  vmm_unshare_inplace	under "inplace", a VMM private->shared conversion
 *			after launch scrubs the page (the host and the guest
 *			read zeroes); before launch it keeps the contents;
 *  batch_header_in_range a guest batch that would convert its own header
 *			page: -KVM_EINVAL, error_index 0, nothing converted;
 *  bind_after_vcpu	BIND once a vCPU exists: EBUSY;
 *  fault_race		one vCPU flips X private/shared 2000 times while the
 *			other reads and writes it: KVM_RUN never fails;
 *  host_paths		pread, pwrite, preadv2, mmap, existing shared and
 *			private mappings, process_vm_readv, /proc/self/mem,
 *			splice, sendfile, copy_file_range, hole punch, truncate,
 *			MADV_REMOVE / MADV_POPULATE_*, a fork()ed child and a
 *			reopened fd: every one refused;
 *  memory_failure	a private page the guest uses is hardware-poisoned:
 *			its next access fails KVM_RUN with EHWPOISON and a
 *			KVM_EXIT_MEMORY_FAULT for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
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

#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/memfd.h>
#include <linux/sizes.h>
#include <linux/udmabuf.h>
#include <linux/userfaultfd.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "ucall_common.h"
#include "privmem_util.h"

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

#define DATA_SLOT	10
#define EXTRA_SLOT	11
#define DATA_GPA	BIT_ULL(32)
#define DATA_SIZE	(16ULL << 20)
#define BLOCK		SZ_2M

/* The guest's private page, in the first 2M block of the span. */
#define X_OFF		(SZ_1M + 3 * PAGE_SIZE)
#define X_GPA		(DATA_GPA + X_OFF)
/* A page that stays shared until the host converts it (udmabuf). */
#define Y_OFF		(6ULL * SZ_1M + 4 * PAGE_SIZE)
#define Y_GPA		(DATA_GPA + Y_OFF)
/* The guest's batch header (batch_header_in_range). */
#define HDR_OFF		(8ULL * SZ_1M)
/* The 2M block with a private page at +4K (large_folio). */
#define LB_OFF		(4ULL * SZ_1M)

#define SECRET		0x53
#define FILE_DATA	0x56
#define STAGE_DONE	(~0ULL)

#define CASE_TIMEOUT	300
#define RACE_FLIPS	2000
#define RACE_TIMEOUT	600

#define HUGE_DIR	"/tmp/pm_huge"
#define HUGE_FILE	HUGE_DIR "/privmem_isolation"

/* Soft checks: a failed one is reported and fails the case at its end. */
static int nr_failed;

static void __printf(1, 2) fail(const char *fmt, ...)
{
	va_list ap;

	nr_failed++;
	printf("# FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define CHECK(cond, fmt, ...)					\
({								\
	bool __ok = (cond);					\
								\
	if (!__ok)						\
		fail(fmt, ##__VA_ARGS__);			\
	__ok;							\
})

/* Guest side */

/* Make @gpa private and write the secret over it. */
static void guest_secret_page(u64 gpa)
{
	u64 ret = guest_map(gpa, 1, KVM_MAP_GPA_RANGE_ENCRYPTED);

	__GUEST_ASSERT(!ret, "private 0x%lx: %ld", gpa, (long)ret);
	memset((void *)gpa, SECRET, PAGE_SIZE);
}

/* The common guest: the secret at @gpa, the host's turn, the check. */
static void guest_secret(u64 gpa)
{
	guest_secret_page(gpa);
	GUEST_SYNC(1);
	guest_check(gpa, PAGE_SIZE, SECRET);
	GUEST_DONE();
}

/* collapse: then a new pattern, read back after a memslot reload. */
static void guest_collapse(u64 gpa)
{
	guest_secret_page(gpa);
	GUEST_SYNC(1);
	guest_check(gpa, PAGE_SIZE, SECRET);
	memset((void *)gpa, 0x54, PAGE_SIZE);
	GUEST_SYNC(2);
	guest_check(gpa, PAGE_SIZE, 0x54);
	GUEST_DONE();
}

/* large_folio: the VMM made @gpa private before launch. */
static void guest_large(u64 gpa)
{
	memset((void *)gpa, SECRET, PAGE_SIZE);
	GUEST_SYNC(1);
	guest_check(gpa, PAGE_SIZE, SECRET);
	GUEST_DONE();
}

/* uffd_fill: @gpa private while nothing backs it, the host's turn, then use. */
static void guest_uffd_fill(u64 gpa)
{
	u64 ret = guest_map(gpa, 1, KVM_MAP_GPA_RANGE_ENCRYPTED);

	__GUEST_ASSERT(!ret, "private 0x%lx: %ld", gpa, (long)ret);
	GUEST_SYNC(1);
	guest_check(gpa, PAGE_SIZE, 0);
	memset((void *)gpa, SECRET, PAGE_SIZE);
	GUEST_SYNC(2);
	guest_check(gpa, PAGE_SIZE, SECRET);
	GUEST_DONE();
}

/* vmm_unshare_inplace: the VMM turns the page shared behind our back. */
static void guest_unshare(u64 gpa)
{
	guest_secret_page(gpa);
	GUEST_SYNC(1);
	guest_check(gpa, PAGE_SIZE, 0);
	GUEST_DONE();
}

/*
 * batch_header_in_range: a batch in shared memory whose entry 0 covers
 * the header's own page, entry 1 another page.
 */
static void guest_batch_hdr(u64 hdr_gpa, u64 other_gpa)
{
	struct kvm_privmem_batch *b = (void *)hdr_gpa;
	u64 ret;

	memset(b, 0, sizeof(*b) + 2 * sizeof(b->entries[0]));
	b->nr = 2;
	b->error_index = 77;
	guest_set(&b->entries[0], hdr_gpa - PAGE_SIZE, 3 * PAGE_SIZE,
		  KVM_PRIVMEM_PRIVATE, KVM_PRIVMEM_GRAN_4K);
	guest_set(&b->entries[1], other_gpa, PAGE_SIZE, KVM_PRIVMEM_PRIVATE,
		  KVM_PRIVMEM_GRAN_4K);
	ret = guest_map(hdr_gpa, 2, KVM_PRIVMEM_MAP_GPA_RANGE_BATCH);
	GUEST_SYNC_ARGS(1, ret, (u64)READ_ONCE(b->done),
			(u64)(s64)READ_ONCE(b->error),
			(u64)(s64)READ_ONCE(b->error_index));
	GUEST_DONE();
}

/* fault_race: set by vCPU 0 (or by the host if a vCPU fails). */
static u64 race_stop;

static void guest_race(u64 idx, u64 gpa)
{
	u64 *p = (u64 *)gpa;
	u64 i, ret, fails = 0, last = 0, n = 0;

	if (!idx) {
		for (i = 0; i < RACE_FLIPS; i++) {
			ret = guest_map(gpa, 1, KVM_MAP_GPA_RANGE_ENCRYPTED);
			if (ret) {
				fails++;
				last = ret;
			}
			ret = guest_map(gpa, 1, KVM_MAP_GPA_RANGE_DECRYPTED);
			if (ret) {
				fails++;
				last = ret;
			}
		}
		WRITE_ONCE(race_stop, 1);
		GUEST_SYNC_ARGS(1, fails, last, 0ULL, 0ULL);
	} else {
		while (!READ_ONCE(race_stop)) {
			WRITE_ONCE(p[1], READ_ONCE(p[0]) + n);
			n++;
		}
		GUEST_SYNC_ARGS(1, n, 0ULL, 0ULL, 0ULL);
	}
	GUEST_DONE();
}

/* Host side: the VM */

struct iso_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[2];
	int nr_vcpus;
	int fd;
	u8 *mem;
};

static int iso_memfd(unsigned int flags, u64 size)
{
	int fd = memfd_create("privmem_isolation", flags);

	TEST_ASSERT(fd >= 0, "memfd_create: errno %d", errno);
	TEST_ASSERT(!ftruncate(fd, size), "ftruncate: errno %d", errno);
	return fd;
}

/* KVM_CREATE_VM, the capability and the boot memslot: ready for BIND. */
static void iso_vm_create(struct iso_vm *p, u64 policy, int nr_vcpus)
{
	int r;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->nr_vcpus = nr_vcpus;
	p->vm = pm_vm_create(KVM_X86_SW_PROTECTED_VM);
	r = pm_enable(p->vm, policy, 0, 0, 0, 0);
	TEST_ASSERT(!r, "KVM_ENABLE_CAP(KVM_CAP_PRIVMEM, %lu): errno %d",
		    policy, errno);
	pm_vm_prepare(p->vm, nr_vcpus);
}

/*
 * BIND @fd at DATA_GPA before any vCPU exists, then the vCPUs, the
 * mapping (after BIND: no writable shared mapping may exist while
 * binding), the memslot and the guest's identity mappings.
 */
static void iso_vm_bind(struct iso_vm *p, int fd, void *guest_code)
{
	int r = pm_bind(p->vm, DATA_GPA, DATA_SIZE, fd, 0);

	TEST_ASSERT(!r, "KVM_PRIVMEM_BIND: errno %d", errno);
	p->fd = fd;
	pm_vm_add_vcpus(p->vm, p->nr_vcpus, p->vcpus, guest_code);
	p->mem = mmap(NULL, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      0);
	TEST_ASSERT(p->mem != MAP_FAILED, "mmap of the bound file: errno %d",
		    errno);
	vm_set_user_memory_region(p->vm, DATA_SLOT, 0, DATA_GPA, DATA_SIZE,
				  p->mem);
	virt_map(p->vm, DATA_GPA, DATA_GPA, DATA_SIZE / PAGE_SIZE);
}

static void iso_vm_setup(struct iso_vm *p, u64 policy, int nr_vcpus, int fd,
			 void *guest_code)
{
	iso_vm_create(p, policy, nr_vcpus);
	iso_vm_bind(p, fd, guest_code);
}

static void iso_vm_init(struct iso_vm *p)
{
	TEST_ASSERT(!__vm_ioctl(p->vm, KVM_PRIVMEM_INIT, NULL),
		    "KVM_PRIVMEM_INIT: errno %d", errno);
}

static void iso_vm_free(struct iso_vm *p)
{
	kvm_vm_free(p->vm);
	if (p->mem && p->mem != MAP_FAILED)
		munmap(p->mem, DATA_SIZE);
	if (p->fd >= 0)
		close(p->fd);
}

/* Run @vcpu to its next ucall: a GUEST_SYNC's stage, or STAGE_DONE. */
static u64 iso_run(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	int r = __vcpu_run(vcpu);

	TEST_ASSERT(!r, "KVM_RUN: %d, errno %d (%s)", r, errno,
		    strerror(errno));
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
		    "exit reason %u (%s)", vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason));
	switch (get_ucall(vcpu, uc)) {
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(*uc);
		break;
	case UCALL_SYNC:
		return uc->args[1];
	case UCALL_DONE:
		return STAGE_DONE;
	default:
		TEST_FAIL("unknown ucall %lu", uc->cmd);
	}
	return 0;
}

static void iso_expect(struct kvm_vcpu *vcpu, u64 stage, struct ucall *uc)
{
	struct ucall tmp;
	u64 got = iso_run(vcpu, uc ?: &tmp);

	TEST_ASSERT(got == stage, "guest at stage 0x%lx, want 0x%lx", got,
		    stage);
}

/* A one-page KVM_PRIVMEM_CONVERT; returns the ioctl's value, *@err errno. */
static int convert1(struct kvm_vm *vm, u64 gpa, u8 attr,
		    struct kvm_privmem_convert *c, int *err)
{
	struct kvm_privmem_entry e = { .gpa = gpa, .size = PAGE_SIZE,
				       .attr = attr };
	int r = pm_convert(vm, &e, 1, c);

	*err = errno;
	return r;
}

/* The attribute of the page at @gpa. */
static int query_attr(struct kvm_vm *vm, u64 gpa)
{
	struct kvm_privmem_entry e = {};
	struct kvm_privmem_query q = {
		.gpa = gpa, .size = PAGE_SIZE, .ranges = (u64)&e, .nr = 1,
	};

	TEST_ASSERT(!__vm_ioctl(vm, KVM_PRIVMEM_QUERY, &q) && q.nr == 1,
		    "KVM_PRIVMEM_QUERY 0x%lx: errno %d, nr %u", gpa, errno,
		    q.nr);
	return e.attr;
}

/* Host side: observing */

static size_t count_byte(const u8 *buf, size_t n, u8 v)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += buf[i] == v;
	return c;
}

static bool all_bytes(const u8 *buf, size_t n, u8 v)
{
	return count_byte(buf, n, v) == n;
}

/* What @n bytes at @buf hold, for a message (one use per message). */
static const char *seen(const u8 *buf, size_t n)
{
	static char s[128];
	size_t secret = count_byte(buf, n, SECRET);

	snprintf(s, sizeof(s), "%zu bytes, first 0x%02x, %zu secret bytes%s",
		 n, n ? buf[0] : 0, secret,
		 secret ? " (THE SECRET LEAKED)" : "");
	return s;
}

/*
 * @what returned @r, with errno @err: it must have failed with @want (with
 * any errno if @want is 0).  @buf (if any) holds what it produced.
 */
static bool expect_errno(const char *what, long r, int err, int want,
			 const u8 *buf)
{
	if (r == -1 && (!want || err == want)) {
		ksft_print_msg("%s: refused, errno %d (%s)\n", what, err,
			       strerror(err));
		return true;
	}
	if (r == -1)
		fail("%s: errno %d (%s), want %d (%s)", what, err,
		     strerror(err), want, strerror(want));
	else if (buf && r > 0)
		fail("%s: returned %ld, want -1; it produced %s", what, r,
		     seen(buf, r < (long)PAGE_SIZE ? r : (long)PAGE_SIZE));
	else if (want)
		fail("%s: returned %ld, want -1 with errno %d (%s)", what, r,
		     want, strerror(want));
	else
		fail("%s: returned %ld, want -1", what, r);
	return false;
}

static sigjmp_buf fault_env;
/* Bytes host_read() got: static, so it survives the siglongjmp(). */
static size_t fault_count;

static void fault_handler(int sig)
{
	siglongjmp(fault_env, sig);
}

struct fault_catch {
	struct sigaction bus, segv;
};

static void faults_catch(struct fault_catch *fc)
{
	struct sigaction sa = { .sa_handler = fault_handler };

	TEST_ASSERT(!sigaction(SIGBUS, &sa, &fc->bus) &&
		    !sigaction(SIGSEGV, &sa, &fc->segv), "sigaction");
}

static void faults_restore(struct fault_catch *fc)
{
	TEST_ASSERT(!sigaction(SIGBUS, &fc->bus, NULL) &&
		    !sigaction(SIGSEGV, &fc->segv, NULL), "sigaction");
}

/*
 * Read @len bytes at @addr into @buf, catching SIGBUS and SIGSEGV.
 * Return the signal that stopped the read, or 0; *@nread: bytes read.
 */
static int host_read(const u8 *addr, u8 *buf, size_t len, size_t *nread)
{
	struct fault_catch fc;
	int sig;

	faults_catch(&fc);
	fault_count = 0;
	sig = sigsetjmp(fault_env, 1);
	if (!sig) {
		for (; fault_count < len; fault_count++)
			buf[fault_count] = READ_ONCE(addr[fault_count]);
	}
	faults_restore(&fc);
	*nread = fault_count;
	return sig;
}

/* Write @val over @len bytes at @addr; return the signal, or 0. */
static int host_write(u8 *addr, u8 val, size_t len)
{
	struct fault_catch fc;
	size_t i;
	int sig;

	faults_catch(&fc);
	sig = sigsetjmp(fault_env, 1);
	if (!sig) {
		for (i = 0; i < len; i++)
			WRITE_ONCE(addr[i], val);
	}
	faults_restore(&fc);
	return sig;
}

/* Reading the page at @addr must fault before showing any secret byte. */
static void expect_read_faults(const char *what, const u8 *addr)
{
	static u8 buf[PAGE_SIZE];
	size_t n;
	int sig = host_read(addr, buf, PAGE_SIZE, &n);

	if (!sig) {
		fail("%s: no fault, read %s", what, seen(buf, n));
		return;
	}
	if (CHECK(!count_byte(buf, n, SECRET), "%s: %s before the fault",
		  what, seen(buf, n)))
		ksft_print_msg("%s: %s after %zu bytes\n", what, strsignal(sig),
			       n);
}

/* The page at @addr reads as @val, without a fault. */
static void expect_readable(const char *what, const u8 *addr, u8 val)
{
	static u8 buf[PAGE_SIZE];
	size_t n;
	int sig = host_read(addr, buf, PAGE_SIZE, &n);

	CHECK(!sig && all_bytes(buf, n, val),
	      "%s: want %zu bytes of 0x%02x; %s, read %s", what,
	      (size_t)PAGE_SIZE, val, sig ? strsignal(sig) : "no fault",
	      seen(buf, n));
}

/* process_vm_readv of our own page at @addr must fail. */
static void expect_vm_readv_fails(const char *what, const u8 *addr)
{
	static u8 buf[PAGE_SIZE];
	struct iovec local = { .iov_base = buf, .iov_len = PAGE_SIZE };
	struct iovec remote = { .iov_base = (void *)addr,
				.iov_len = PAGE_SIZE };
	ssize_t r;

	memset(buf, 0, sizeof(buf));
	r = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	expect_errno(what, r, errno, EFAULT, buf);
}

static void fill_file(int fd, u64 off, u64 len, u8 val)
{
	static u8 chunk[SZ_64K];
	u64 done, n;

	memset(chunk, val, sizeof(chunk));
	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
		TEST_ASSERT(pwrite(fd, chunk, n, off + done) == (ssize_t)n,
			    "pwrite at 0x%lx: errno %d", off + done, errno);
	}
}

/* [@off, @off + @len) of @fd reads back as @val. */
static bool expect_file(const char *what, int fd, u64 off, u64 len, u8 val)
{
	static u8 chunk[SZ_64K];
	u64 done, n, i;
	ssize_t r;

	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
		r = pread(fd, chunk, n, off + done);
		if (r != (ssize_t)n)
			return CHECK(false, "%s: pread at 0x%lx: %zd, errno %d (%s)",
				     what, off + done, r, errno,
				     strerror(errno));
		for (i = 0; i < n; i++)
			if (chunk[i] != val)
				return CHECK(false, "%s: offset 0x%lx holds 0x%02x, want 0x%02x",
					     what, off + done + i, chunk[i],
					     val);
	}
	return true;
}

/* A /proc/meminfo field in kB, -1 if absent. */
static long meminfo_kb(const char *key)
{
	size_t len = strlen(key);
	char line[256];
	long v = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	TEST_ASSERT(f, "open /proc/meminfo");
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, len) && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Map @len bytes of @fd at @off at a 2M-aligned address. */
static u8 *map_aligned(int fd, u64 off, u64 len, int prot)
{
	u8 *area, *a, *m;

	area = mmap(NULL, len + BLOCK, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(area != MAP_FAILED, "mmap reservation: errno %d", errno);
	a = (u8 *)(((u64)area + BLOCK - 1) & ~(u64)(BLOCK - 1));
	if (a != area)
		munmap(area, a - area);
	munmap(a + len, area + len + BLOCK - (a + len));
	m = mmap(a, len, prot, MAP_SHARED | MAP_FIXED, fd, off);
	TEST_ASSERT(m == a, "mmap of the block at 0x%lx: errno %d", off, errno);
	return m;
}

/* Cases 1 and 2: memslot flags KVM cannot honour on a bound span. */

/* A new memslot with @flag that must be refused with EINVAL. */
static void try_slot(struct kvm_vm *vm, u32 slot, u32 flag, u64 gpa,
		     u64 size, void *hva, const char *what)
{
	int r = __vm_set_user_memory_region2(vm, slot, flag, gpa, size, hva,
					     0, 0);

	if (!expect_errno(what, r, errno, EINVAL, NULL) && !r)
		TEST_ASSERT(!__vm_set_user_memory_region2(vm, slot, 0, gpa, 0,
							  hva, 0, 0),
			    "delete the wrongly accepted memslot: errno %d",
			    errno);
}

static void slot_flag_after_bind(u32 flag, const char *name)
{
	u8 *anon;
	char what[128];
	struct iso_vm p;
	int r, err;

	iso_vm_setup(&p, 0, 1, iso_memfd(0, DATA_SIZE), guest_secret);
	vcpu_args_set(p.vcpus[0], 1, X_GPA);
	iso_vm_init(&p);
	iso_expect(p.vcpus[0], 1, NULL);

	anon = mmap(NULL, 2 * BLOCK, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(anon != MAP_FAILED, "mmap: errno %d", errno);

	/* A flags change of the existing memslot over the span. */
	r = __vm_set_user_memory_region2(p.vm, DATA_SLOT, flag, DATA_GPA,
					 DATA_SIZE, p.mem, 0, 0);
	snprintf(what, sizeof(what), "DATA memslot flags 0 -> %s", name);
	expect_errno(what, r, errno, EINVAL, NULL);

	/*
	 * New memslots over (part of) the span: delete the DATA memslot
	 * first, or KVM refuses the overlap with it (EEXIST).
	 */
	TEST_ASSERT(!__vm_set_user_memory_region(p.vm, DATA_SLOT, 0, DATA_GPA,
						 0, p.mem),
		    "delete the DATA memslot: errno %d", errno);
	snprintf(what, sizeof(what), "new %s memslot over the span", name);
	try_slot(p.vm, DATA_SLOT, flag, DATA_GPA, DATA_SIZE, p.mem, what);
	snprintf(what, sizeof(what), "new %s memslot over the upper half",
		 name);
	try_slot(p.vm, EXTRA_SLOT, flag, DATA_GPA + DATA_SIZE / 2,
		 DATA_SIZE / 2, p.mem + DATA_SIZE / 2, what);
	snprintf(what, sizeof(what), "new %s memslot across the span's start",
		 name);
	try_slot(p.vm, EXTRA_SLOT, flag, DATA_GPA - PAGE_SIZE, 2 * PAGE_SIZE,
		 anon, what);
	snprintf(what, sizeof(what), "new %s memslot across the span's end",
		 name);
	try_slot(p.vm, EXTRA_SLOT, flag, DATA_GPA + DATA_SIZE - PAGE_SIZE,
		 2 * PAGE_SIZE, anon, what);

	/* For information: outside the span the flag is not privmem's. */
	r = __vm_set_user_memory_region2(p.vm, EXTRA_SLOT, flag,
					 DATA_GPA + 2 * DATA_SIZE, 2 * BLOCK,
					 anon, 0, 0);
	err = errno;
	ksft_print_msg("%s memslot outside the span: %s\n", name,
		       r ? strerror(err) : "accepted");
	if (!r)
		TEST_ASSERT(!__vm_set_user_memory_region2(p.vm, EXTRA_SLOT, 0,
							  DATA_GPA + 2 * DATA_SIZE,
							  0, anon, 0, 0),
			    "delete the extra memslot: errno %d", errno);

	/* Back as it was: the guest's private data is intact. */
	TEST_ASSERT(!__vm_set_user_memory_region(p.vm, DATA_SLOT, 0, DATA_GPA,
						 DATA_SIZE, p.mem),
		    "re-add the DATA memslot: errno %d", errno);
	iso_expect(p.vcpus[0], STAGE_DONE, NULL);
	iso_vm_free(&p);
	munmap(anon, 2 * BLOCK);
}

/* The memslot with @flag exists first: BIND is refused, the file kept. */
static void slot_flag_before_bind(u32 flag, const char *name)
{
	int fd = iso_memfd(0, DATA_SIZE), r, err;
	char what[128];
	struct iso_vm p;
	u8 *anon;

	fill_file(fd, 0, DATA_SIZE, FILE_DATA);
	anon = mmap(NULL, DATA_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(anon != MAP_FAILED, "mmap: errno %d", errno);

	iso_vm_create(&p, 0, 1);
	r = __vm_set_user_memory_region2(p.vm, DATA_SLOT, flag, DATA_GPA,
					 DATA_SIZE, anon, 0, 0);
	TEST_ASSERT(!r, "%s memslot before BIND: errno %d", name, errno);
	r = pm_bind(p.vm, DATA_GPA, DATA_SIZE, fd, 0);
	err = errno;
	snprintf(what, sizeof(what), "BIND over a %s memslot", name);
	expect_errno(what, r, err, EINVAL, NULL);
	expect_file("the file after the refused BIND", fd, 0, DATA_SIZE,
		    FILE_DATA);
	kvm_vm_free(p.vm);
	expect_file("the file after the VM is gone", fd, 0, DATA_SIZE,
		    FILE_DATA);
	munmap(anon, DATA_SIZE);
	close(fd);
}

static void test_dirty_log(void)
{
	slot_flag_after_bind(KVM_MEM_LOG_DIRTY_PAGES, "LOG_DIRTY_PAGES");
	slot_flag_before_bind(KVM_MEM_LOG_DIRTY_PAGES, "LOG_DIRTY_PAGES");
}

static void test_readonly_slot(void)
{
	slot_flag_after_bind(KVM_MEM_READONLY, "READONLY");
	slot_flag_before_bind(KVM_MEM_READONLY, "READONLY");
}

/* Case 3: no huge page is made out of a block with a private page. */
static void test_collapse(void)
{
	u64 blk = X_OFF & ~(u64)(BLOCK - 1);
	long huge0, huge1;
	struct iso_vm p;
	int r, err;
	u8 *m;

	iso_vm_setup(&p, 0, 1, iso_memfd(0, DATA_SIZE), guest_collapse);
	vcpu_args_set(p.vcpus[0], 1, X_GPA);

	/* The block is populated and mapped by the host while shared. */
	fill_file(p.fd, blk, BLOCK, 0x22);
	m = map_aligned(p.fd, blk, BLOCK, PROT_READ);
	expect_readable("the block's mapping while shared", m + X_OFF - blk,
			0x22);

	iso_vm_init(&p);
	iso_expect(p.vcpus[0], 1, NULL);

	huge0 = meminfo_kb("ShmemHugePages");
	r = madvise(m, BLOCK, MADV_COLLAPSE);
	err = errno;
	huge1 = meminfo_kb("ShmemHugePages");
	ksft_print_msg("ShmemHugePages: %ld kB before MADV_COLLAPSE, %ld kB after\n",
		       huge0, huge1);
	expect_errno("MADV_COLLAPSE of the block with private X", r, err, EINVAL,
		     NULL);
	CHECK(huge1 <= huge0, "ShmemHugePages grew from %ld to %ld kB", huge0,
	      huge1);
	expect_read_faults("the block's mapping at X", m + X_OFF - blk);
	expect_readable("the block's mapping at a shared page", m, 0x22);
	munmap(m, BLOCK);

	/* The guest writes 0x54; KVM drops its mappings; the guest reads. */
	iso_expect(p.vcpus[0], 2, NULL);
	TEST_ASSERT(!__vm_set_user_memory_region(p.vm, DATA_SLOT, 0, DATA_GPA,
						 0, p.mem),
		    "delete the DATA memslot: errno %d", errno);
	TEST_ASSERT(!__vm_set_user_memory_region(p.vm, DATA_SLOT, 0, DATA_GPA,
						 DATA_SIZE, p.mem),
		    "re-add the DATA memslot: errno %d", errno);
	iso_expect(p.vcpus[0], STAGE_DONE, NULL);
	iso_vm_free(&p);
}

/* Case 4: udmabuf pins keep a page shared; private pages cannot be pinned. */
static void test_udmabuf(void)
{
	struct udmabuf_create create = {
		.flags = UDMABUF_FLAGS_CLOEXEC, .size = PAGE_SIZE,
	};
	struct kvm_privmem_convert c;
	int fd, dev, buf, r, err;
	struct iso_vm p;

	fd = memfd_create("privmem_isolation", MFD_ALLOW_SEALING);
	TEST_ASSERT(fd >= 0 && !ftruncate(fd, DATA_SIZE), "memfd: errno %d",
		    errno);
	TEST_ASSERT(!fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK),
		    "F_SEAL_SHRINK: errno %d", errno);
	iso_vm_setup(&p, 0, 1, fd, guest_secret);
	vcpu_args_set(p.vcpus[0], 1, X_GPA);
	iso_vm_init(&p);
	iso_expect(p.vcpus[0], 1, NULL);

	dev = open("/dev/udmabuf", O_RDWR);
	TEST_ASSERT(dev >= 0, "open /dev/udmabuf: errno %d", errno);
	create.memfd = fd;

	/* (a) A udmabuf over shared Y holds it shared. */
	create.offset = Y_OFF;
	buf = ioctl(dev, UDMABUF_CREATE, &create);
	if (CHECK(buf >= 0, "UDMABUF_CREATE over shared Y: errno %d (%s)",
		  errno, strerror(errno))) {
		r = convert1(p.vm, Y_GPA, KVM_PRIVMEM_PRIVATE, &c, &err);
		CHECK(r == -1 && err == EBUSY && c.done == 0,
		      "CONVERT of Y to private under a udmabuf: %d, errno %d (%s), done %u; want EBUSY, done 0",
		      r, err, strerror(err), c.done);
		CHECK(query_attr(p.vm, Y_GPA) == KVM_PRIVMEM_SHARED,
		      "Y is no longer shared after the refused CONVERT");
		close(buf);
		r = convert1(p.vm, Y_GPA, KVM_PRIVMEM_PRIVATE, &c, &err);
		CHECK(!r && c.done == 1,
		      "CONVERT of Y to private once the udmabuf is closed: %d, errno %d (%s), done %u",
		      r, err, strerror(err), c.done);
		CHECK(query_attr(p.vm, Y_GPA) == KVM_PRIVMEM_PRIVATE,
		      "Y is not private after the CONVERT");
	}

	/* (b) No udmabuf over private X. */
	create.offset = X_OFF;
	buf = ioctl(dev, UDMABUF_CREATE, &create);
	err = errno;
	if (buf >= 0) {
		static u8 data[PAGE_SIZE];
		size_t n = 0;
		int sig = 0;
		u8 *m;

		m = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_SHARED, buf, 0);
		if (m != MAP_FAILED) {
			sig = host_read(m, data, PAGE_SIZE, &n);
			munmap(m, PAGE_SIZE);
		}
		fail("UDMABUF_CREATE over private X succeeded; its mapping: %s, %s",
		     m == MAP_FAILED ? "refused" : sig ? strsignal(sig) : "no fault",
		     seen(data, n));
		close(buf);
	} else {
		expect_errno("UDMABUF_CREATE over private X", buf, err, EACCES,
			     NULL);
	}
	close(dev);

	iso_expect(p.vcpus[0], STAGE_DONE, NULL);
	iso_vm_free(&p);
}

/* Case 5: userfaultfd minor faults cannot map a private page. */
static void test_uffd_minor(void)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		/* SIGBUS: a minor fault must not block this thread forever. */
		.features = UFFD_FEATURE_MINOR_SHMEM | UFFD_FEATURE_SIGBUS,
	};
	struct uffdio_register reg = {};
	struct uffdio_continue cont = {};
	struct uffdio_range range;
	struct iso_vm p;
	int uffd, r, err, sig;
	u8 *x;

	iso_vm_setup(&p, 0, 1, iso_memfd(0, DATA_SIZE), guest_secret);
	vcpu_args_set(p.vcpus[0], 1, X_GPA);
	iso_vm_init(&p);
	iso_expect(p.vcpus[0], 1, NULL);
	x = p.mem + X_OFF;

	uffd = syscall(__NR_userfaultfd,
		       O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	TEST_ASSERT(uffd >= 0, "userfaultfd: errno %d", errno);
	TEST_ASSERT(!ioctl(uffd, UFFDIO_API, &api), "UFFDIO_API: errno %d",
		    errno);
	TEST_ASSERT(api.features & UFFD_FEATURE_MINOR_SHMEM,
		    "UFFD_FEATURE_MINOR_SHMEM missing: 0x%llx", api.features);

	range.start = (u64)x;
	range.len = PAGE_SIZE;
	reg.range = range;
	reg.mode = UFFDIO_REGISTER_MODE_MINOR;
	r = ioctl(uffd, UFFDIO_REGISTER, &reg);
	err = errno;
	if (r) {
		ksft_print_msg("UFFDIO_REGISTER (minor) over X: refused, errno %d (%s)\n",
			       err, strerror(err));
	} else {
		ksft_print_msg("UFFDIO_REGISTER (minor) over X: registered\n");
		cont.range = range;
		r = ioctl(uffd, UFFDIO_CONTINUE, &cont);
		err = errno;
		if (CHECK(r == -1, "UFFDIO_CONTINUE of private X succeeded, mapped %lld",
			  (long long)cont.mapped))
			expect_errno("UFFDIO_CONTINUE of X", r, err, EFAULT,
				     NULL);
		expect_read_faults("the registered mapping at X", x);
		TEST_ASSERT(!ioctl(uffd, UFFDIO_UNREGISTER, &range),
			    "UFFDIO_UNREGISTER: errno %d", errno);
	}
	close(uffd);

	expect_read_faults("the VMM's mapping at X", x);
	sig = host_write(x, 0xee, PAGE_SIZE);
	ksft_print_msg("write through the VMM's mapping at X: %s\n",
		       sig ? strsignal(sig) : "no fault (the guest checks its data)");
	iso_expect(p.vcpus[0], STAGE_DONE, NULL);
	iso_vm_free(&p);
}

/*
 * Case 5b: userfaultfd cannot fill a private hole.  On the
 * software-protected VM the backend allocates a private page on the
 * guest's first touch; a folio the host placed in the hole first would be
 * the guest's private page and the host's mapping at once.
 */
static void test_uffd_fill(void)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		/* SIGBUS: a missing fault must not block this thread forever. */
		.features = UFFD_FEATURE_SIGBUS,
	};
	struct uffdio_register reg = {};
	struct uffdio_zeropage zero = {};
	struct uffdio_copy copy = {};
	struct uffdio_range range;
	struct iso_vm p;
	off_t data;
	int uffd, r, err;
	u8 *x, *src;

	iso_vm_setup(&p, 0, 1, iso_memfd(0, DATA_SIZE), guest_uffd_fill);
	vcpu_args_set(p.vcpus[0], 1, X_GPA);
	iso_vm_init(&p);
	iso_expect(p.vcpus[0], 1, NULL);
	x = p.mem + X_OFF;
	data = lseek(p.fd, X_OFF, SEEK_DATA);
	TEST_ASSERT(data != (off_t)X_OFF,
		    "private X is backed before the guest touched it");

	uffd = syscall(__NR_userfaultfd,
		       O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	TEST_ASSERT(uffd >= 0, "userfaultfd: errno %d", errno);
	TEST_ASSERT(!ioctl(uffd, UFFDIO_API, &api), "UFFDIO_API: errno %d",
		    errno);
	range.start = (u64)x;
	range.len = PAGE_SIZE;
	reg.range = range;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	TEST_ASSERT(!ioctl(uffd, UFFDIO_REGISTER, &reg),
		    "UFFDIO_REGISTER (missing) over X: errno %d", errno);

	src = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(src != MAP_FAILED, "mmap: errno %d", errno);
	memset(src, FILE_DATA, PAGE_SIZE);
	copy.dst = (u64)x;
	copy.src = (u64)src;
	copy.len = PAGE_SIZE;
	r = ioctl(uffd, UFFDIO_COPY, &copy);
	err = errno;
	if (CHECK(r == -1, "UFFDIO_COPY into private X succeeded, copied %lld",
		  (long long)copy.copy))
		expect_errno("UFFDIO_COPY into X", r, err, EACCES, NULL);
	zero.range = range;
	r = ioctl(uffd, UFFDIO_ZEROPAGE, &zero);
	err = errno;
	if (CHECK(r == -1, "UFFDIO_ZEROPAGE into private X succeeded, zeroed %lld",
		  (long long)zero.zeropage))
		expect_errno("UFFDIO_ZEROPAGE into X", r, err, EACCES, NULL);
	TEST_ASSERT(!ioctl(uffd, UFFDIO_UNREGISTER, &range),
		    "UFFDIO_UNREGISTER: errno %d", errno);
	close(uffd);
	munmap(src, PAGE_SIZE);

	/* The guest reads zeroes, not the host's page, and writes its secret. */
	iso_expect(p.vcpus[0], 2, NULL);
	expect_read_faults("the VMM's mapping at X", x);
	iso_expect(p.vcpus[0], STAGE_DONE, NULL);
	iso_vm_free(&p);
}

/* Case 6: a private 4K page inside a 2M folio. */
static void test_large_folio(void)
{
	u64 y_off = LB_OFF + PAGE_SIZE;
	struct kvm_privmem_convert c;
	long huge0, huge1;
	struct iso_vm p;
	int fd, r, err;
	u8 buf[16];
	u8 *m;

	TEST_ASSERT(!mkdir(HUGE_DIR, 0700) || errno == EEXIST,
		    "mkdir %s: errno %d", HUGE_DIR, errno);
	TEST_ASSERT(!mount("none", HUGE_DIR, "tmpfs", 0,
			   "huge=always,size=64M"),
		    "mount tmpfs huge=always on %s: errno %d", HUGE_DIR, errno);
	fd = open(HUGE_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	TEST_ASSERT(fd >= 0, "open %s: errno %d", HUGE_FILE, errno);
	TEST_ASSERT(!ftruncate(fd, DATA_SIZE), "ftruncate: errno %d", errno);
	huge0 = meminfo_kb("ShmemHugePages");
	fill_file(fd, 0, DATA_SIZE, 0x41);
	huge1 = meminfo_kb("ShmemHugePages");
	ksft_print_msg("ShmemHugePages: %ld kB before writing the file, %ld kB after\n",
		       huge0, huge1);

	/* Nothing maps the file: BIND, then map it for the memslot. */
	iso_vm_create(&p, 0, 1);
	iso_vm_bind(&p, fd, guest_large);
	r = convert1(p.vm, DATA_GPA + y_off, KVM_PRIVMEM_PRIVATE, &c, &err);
	TEST_ASSERT(!r && c.done == 1,
		    "pre-launch CONVERT of B+4K: %d, errno %d, done %u", r, err,
		    c.done);
	ksft_print_msg("ShmemHugePages after the conversion: %ld kB\n",
		       meminfo_kb("ShmemHugePages"));
	vcpu_args_set(p.vcpus[0], 1, DATA_GPA + y_off);
	iso_vm_init(&p);
	iso_expect(p.vcpus[0], 1, NULL);

	/* A new mapping of the whole block covers the private page. */
	m = mmap(NULL, BLOCK, PROT_READ, MAP_SHARED, fd, LB_OFF);
	err = errno;
	if (m != MAP_FAILED) {
		fail("mmap of the whole block B succeeded");
		expect_readable("the block's mapping at B", m, 0x41);
		expect_read_faults("the block's mapping at B+4K",
				   m + PAGE_SIZE);
		munmap(m, BLOCK);
	} else {
		expect_errno("mmap of the whole block B", -1, err, EACCES,
			     NULL);
	}

	/* Its shared neighbours, mapped alone, are readable. */
	m = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_SHARED, fd, LB_OFF);
	if (CHECK(m != MAP_FAILED, "mmap of B's first 4K: errno %d (%s)",
		  errno, strerror(errno))) {
		expect_readable("the mapping of B", m, 0x41);
		munmap(m, PAGE_SIZE);
	}
	m = mmap(NULL, BLOCK - 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, fd,
		 LB_OFF + 2 * PAGE_SIZE);
	if (m != MAP_FAILED) {
		expect_readable("the mapping of B+8K..B+2M at B+8K", m, 0x41);
		expect_readable("the mapping of B+8K..B+2M at its last page",
				m + BLOCK - 3 * PAGE_SIZE, 0x41);
		munmap(m, BLOCK - 2 * PAGE_SIZE);
	} else {
		ksft_print_msg("mmap of B+8K..B+2M: errno %d (%s)\n", errno,
			       strerror(errno));
	}
	expect_readable("the VMM's mapping at B", p.mem + LB_OFF, 0x41);

	/* The private page, by every way in. */
	expect_read_faults("the VMM's mapping at B+4K", p.mem + y_off);
	expect_vm_readv_fails("process_vm_readv of the mapping at B+4K",
			      p.mem + y_off);
	memset(buf, 0, sizeof(buf));
	r = pread(fd, buf, sizeof(buf), y_off);
	expect_errno("pread of B+4K", r, errno, EACCES, buf);

	iso_expect(p.vcpus[0], STAGE_DONE, NULL);
	iso_vm_free(&p);
	TEST_ASSERT(!unlink(HUGE_FILE), "unlink: errno %d", errno);
}

static void large_folio_cleanup(void)
{
	int i;

	unlink(HUGE_FILE);
	for (i = 0; i < 50 && umount(HUGE_DIR) && errno == EBUSY; i++)
		usleep(100 * 1000);
	umount2(HUGE_DIR, MNT_DETACH);
	rmdir(HUGE_DIR);
}

/* Case 7: BIND needs a writable fd. */
static void test_bind_readonly_fd(void)
{
	int fd = iso_memfd(0, DATA_SIZE), ro, r, err;
	struct iso_vm p;
	char path[64];

	fill_file(fd, 0, 16 * PAGE_SIZE, FILE_DATA);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY);
	TEST_ASSERT(ro >= 0, "open %s O_RDONLY: errno %d", path, errno);

	iso_vm_create(&p, 0, 1);
	r = pm_bind(p.vm, DATA_GPA, DATA_SIZE, ro, 0);
	err = errno;
	expect_errno("BIND of an O_RDONLY fd", r, err, EBADF, NULL);
	expect_file("the file read through the O_RDONLY fd", ro, 0,
		    16 * PAGE_SIZE, FILE_DATA);
	/* The same file through its O_RDWR fd binds. */
	r = pm_bind(p.vm, DATA_GPA, DATA_SIZE, fd, 0);
	CHECK(!r, "BIND of the O_RDWR fd: errno %d (%s)", errno,
	      strerror(errno));
	kvm_vm_free(p.vm);
	expect_file("the file after the VM is gone", fd, 0, 16 * PAGE_SIZE,
		    FILE_DATA);
	close(ro);
	close(fd);
}

/* Case 8: BIND of a write-sealed memfd. */
static void test_bind_sealed(void)
{
	static const struct {
		int seal;
		const char *name;
	} seals[] = {
		{ F_SEAL_WRITE, "F_SEAL_WRITE" },
		{ F_SEAL_FUTURE_WRITE, "F_SEAL_FUTURE_WRITE" },
	};
	int fd[ARRAY_SIZE(seals)], r, err;
	struct iso_vm p;
	char what[96];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(seals); i++) {
		fd[i] = iso_memfd(MFD_ALLOW_SEALING, DATA_SIZE);
		fill_file(fd[i], 0, 16 * PAGE_SIZE, FILE_DATA);
		TEST_ASSERT(!fcntl(fd[i], F_ADD_SEALS, seals[i].seal),
			    "F_ADD_SEALS %s: errno %d", seals[i].name, errno);
	}
	iso_vm_create(&p, 0, 1);
	for (i = 0; i < ARRAY_SIZE(seals); i++) {
		r = pm_bind(p.vm, DATA_GPA, DATA_SIZE, fd[i], 0);
		err = errno;
		snprintf(what, sizeof(what), "BIND of an %s memfd",
			 seals[i].name);
		expect_errno(what, r, err, EPERM, NULL);
	}
	kvm_vm_free(p.vm);
	for (i = 0; i < ARRAY_SIZE(seals); i++) {
		snprintf(what, sizeof(what), "the %s memfd after the VM is gone",
			 seals[i].name);
		expect_file(what, fd[i], 0, 16 * PAGE_SIZE, FILE_DATA);
		close(fd[i]);
	}
}

/* Case 9: a refused BIND leaves the file alone; a correct one still binds. */
static void test_bind_fail_keeps_data(void)
{
	int fd = iso_memfd(0, 4 * PAGE_SIZE), r, err;
	struct iso_vm p;

	fill_file(fd, 0, 4 * PAGE_SIZE, FILE_DATA);
	iso_vm_create(&p, 0, 1);
	r = pm_bind(p.vm, 1ULL << 52, PAGE_SIZE, fd, 0);
	err = errno;
	expect_errno("BIND at 1 << 52", r, err, EINVAL, NULL);
	r = pm_bind(p.vm, (1ULL << 52) - PAGE_SIZE, 2 * PAGE_SIZE, fd, 0);
	err = errno;
	expect_errno("BIND across 1 << 52", r, err, EINVAL, NULL);
	expect_file("the file after the refused BINDs", fd, 0, 4 * PAGE_SIZE,
		    FILE_DATA);
	r = pm_bind(p.vm, DATA_GPA, 4 * PAGE_SIZE, fd, 0);
	CHECK(!r, "a correct BIND after the refused ones: errno %d (%s)",
	      errno, strerror(errno));
	expect_file("the file after the correct BIND", fd, 0, 4 * PAGE_SIZE,
		    FILE_DATA);
	kvm_vm_free(p.vm);
	expect_file("the file after the VM is gone", fd, 0, 4 * PAGE_SIZE,
		    FILE_DATA);
	close(fd);
}

/* Before launch an in-place private->shared round trip keeps @off. */
static void inplace_roundtrip(struct iso_vm *p, u64 off, const char *when)
{
	struct kvm_privmem_convert c;
	char what[128];
	int r, err;

	fill_file(p->fd, off, PAGE_SIZE, 0x61);
	r = convert1(p->vm, DATA_GPA + off, KVM_PRIVMEM_PRIVATE, &c, &err);
	CHECK(!r && c.done == 1, "%s: CONVERT to private: %d, errno %d, done %u",
	      when, r, err, c.done);
	r = convert1(p->vm, DATA_GPA + off, KVM_PRIVMEM_SHARED, &c, &err);
	CHECK(!r && c.done == 1, "%s: CONVERT to shared: %d, errno %d, done %u",
	      when, r, err, c.done);
	snprintf(what, sizeof(what), "%s: the page after the round trip",
		 when);
	expect_file(what, p->fd, off, PAGE_SIZE, 0x61);
}

/* Case 10: after launch a VMM unshare is destructive even under inplace. */
static void test_vmm_unshare_inplace(void)
{
	static u8 buf[PAGE_SIZE];
	struct kvm_privmem_convert c;
	struct iso_vm p;
	size_t n;
	ssize_t r;
	int err, sig;

	iso_vm_setup(&p, KVM_PRIVMEM_POLICY_INPLACE, 1,
		     iso_memfd(0, DATA_SIZE), guest_unshare);
	vcpu_args_set(p.vcpus[0], 1, X_GPA);
	inplace_roundtrip(&p, Y_OFF, "before INIT");
	iso_vm_init(&p);
	inplace_roundtrip(&p, Y_OFF + PAGE_SIZE,
			  "after INIT, before the first KVM_RUN");
	iso_expect(p.vcpus[0], 1, NULL);

	r = convert1(p.vm, X_GPA, KVM_PRIVMEM_SHARED, &c, &err);
	CHECK(!r && c.done == 1,
	      "VMM CONVERT of private X to shared: %zd, errno %d (%s), done %u",
	      r, err, strerror(err), c.done);
	memset(buf, 0xff, sizeof(buf));
	r = pread(p.fd, buf, PAGE_SIZE, X_OFF);
	CHECK(r == PAGE_SIZE && all_bytes(buf, PAGE_SIZE, 0),
	      "pread of X once shared: %zd (errno %d), want %zu zero bytes; read %s",
	      r, errno, (size_t)PAGE_SIZE, seen(buf, r > 0 ? r : 0));
	sig = host_read(p.mem + X_OFF, buf, PAGE_SIZE, &n);
	CHECK(!sig && all_bytes(buf, n, 0),
	      "the VMM's mapping of X once shared: %s, read %s",
	      sig ? strsignal(sig) : "no fault", seen(buf, n));
	iso_expect(p.vcpus[0], STAGE_DONE, NULL);
	iso_vm_free(&p);
}

/*
 * Case 15: a private page is hardware-poisoned (hwpoison-inject): the
 * guest's mapping of it goes, and its next access makes KVM_RUN fail
 * with EHWPOISON and a KVM_EXIT_MEMORY_FAULT for the page, instead of
 * reading the poisoned page.
 */
static void guest_poison(u64 gpa)
{
	guest_check(gpa, PAGE_SIZE, 0x41);
	GUEST_SYNC(1);
	READ_ONCE(*(u64 *)gpa);
	GUEST_SYNC(2);
	GUEST_DONE();
}

/* The pfn behind a present page of this process, from /proc/self/pagemap. */
static u64 host_pfn_of(const void *addr)
{
	u64 ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	TEST_ASSERT(fd >= 0, "open /proc/self/pagemap: errno %d", errno);
	TEST_ASSERT(pread(fd, &ent, sizeof(ent),
			  ((u64)addr / PAGE_SIZE) * sizeof(ent)) == sizeof(ent),
		    "pread pagemap: errno %d", errno);
	close(fd);
	TEST_ASSERT(ent & BIT_ULL(63), "page not present");
	return ent & GENMASK_ULL(54, 0);
}

static void test_memory_failure(void)
{
	struct kvm_privmem_convert c;
	struct kvm_run *run;
	struct iso_vm p;
	char val[32];
	int fd, r, err;
	u64 pfn;

	iso_vm_setup(&p, 0, 1, iso_memfd(0, DATA_SIZE), guest_poison);
	vcpu_args_set(p.vcpus[0], 1, X_GPA);
	memset(p.mem + X_OFF, 0x41, PAGE_SIZE);
	pfn = host_pfn_of(p.mem + X_OFF);
	/* Before launch, to private in place: the same page. */
	r = convert1(p.vm, X_GPA, KVM_PRIVMEM_PRIVATE, &c, &err);
	TEST_ASSERT(!r && c.done == 1, "CONVERT X private: errno %d", err);
	iso_vm_init(&p);
	iso_expect(p.vcpus[0], 1, NULL);

	fd = open("/sys/kernel/debug/hwpoison/corrupt-pfn", O_WRONLY);
	if (!CHECK(fd >= 0, "open hwpoison/corrupt-pfn: errno %d (%s)", errno,
		   strerror(errno))) {
		iso_vm_free(&p);
		return;
	}
	snprintf(val, sizeof(val), "%llu", (unsigned long long)pfn);
	r = write(fd, val, strlen(val));
	err = errno;
	close(fd);
	CHECK(r == (int)strlen(val), "poisoning pfn 0x%llx: %d, errno %d (%s)",
	      (unsigned long long)pfn, r, err, strerror(err));

	r = __vcpu_run(p.vcpus[0]);
	err = errno;
	run = p.vcpus[0]->run;
	CHECK(r == -1 && err == EHWPOISON &&
	      run->exit_reason == KVM_EXIT_MEMORY_FAULT &&
	      run->memory_fault.gpa == X_GPA,
	      "the guest's access to poisoned X: KVM_RUN %d errno %d (%s), exit %u (%s) gpa 0x%llx",
	      r, err, strerror(err), run->exit_reason,
	      exit_reason_str(run->exit_reason),
	      (unsigned long long)run->memory_fault.gpa);
	CHECK(query_attr(p.vm, X_GPA) == KVM_PRIVMEM_PRIVATE,
	      "X is no longer private");
	iso_vm_free(&p);
}

/* Case 11: a batch may not convert the page its header lives in. */
static void test_batch_header_in_range(void)
{
	struct kvm_privmem_batch hdr;
	struct kvm_privmem_entry e[4];
	struct kvm_privmem_query q;
	struct iso_vm p;
	struct ucall uc;
	ssize_t r;

	iso_vm_setup(&p, 0, 1, iso_memfd(0, DATA_SIZE), guest_batch_hdr);
	vcpu_args_set(p.vcpus[0], 2, DATA_GPA + HDR_OFF, X_GPA);
	iso_vm_init(&p);
	iso_expect(p.vcpus[0], 1, &uc);

	CHECK((s64)uc.args[2] == -KVM_EINVAL,
	      "the hypercall returned %ld, want %d", (long)uc.args[2],
	      -KVM_EINVAL);
	CHECK(uc.args[3] == 0 && (int)uc.args[4] == -EINVAL &&
	      (int)uc.args[5] == 0,
	      "the guest reads done %lu error %d error_index %d, want 0 %d 0",
	      uc.args[3], (int)uc.args[4], (int)uc.args[5], -EINVAL);

	/* The header is still shared: the host reads the same. */
	memset(&hdr, 0, sizeof(hdr));
	r = pread(p.fd, &hdr, sizeof(hdr), HDR_OFF);
	if (CHECK(r == sizeof(hdr), "pread of the header: %zd, errno %d", r,
		  errno))
		CHECK(hdr.done == 0 && hdr.error == -EINVAL &&
		      hdr.error_index == 0,
		      "the host reads done %u error %d error_index %d, want 0 %d 0",
		      hdr.done, hdr.error, hdr.error_index, -EINVAL);

	/* Nothing was converted. */
	memset(&q, 0, sizeof(q));
	q.gpa = DATA_GPA;
	q.size = DATA_SIZE;
	q.ranges = (u64)e;
	q.nr = ARRAY_SIZE(e);
	TEST_ASSERT(!__vm_ioctl(p.vm, KVM_PRIVMEM_QUERY, &q),
		    "KVM_PRIVMEM_QUERY: errno %d", errno);
	CHECK(q.nr == 1 && e[0].gpa == DATA_GPA && e[0].size == DATA_SIZE &&
	      e[0].attr == KVM_PRIVMEM_SHARED,
	      "range map: %u ranges, the first 0x%llx+0x%llx attr %u; want the whole span shared",
	      q.nr, e[0].gpa, e[0].size, e[0].attr);

	iso_expect(p.vcpus[0], STAGE_DONE, NULL);
	iso_vm_free(&p);
}

/* Case 12: BIND comes before the vCPUs. */
static void test_bind_after_vcpu(void)
{
	int fd = iso_memfd(0, DATA_SIZE), r, err;
	struct iso_vm p;

	iso_vm_create(&p, 0, 1);
	pm_vm_add_vcpus(p.vm, 1, p.vcpus, guest_secret);
	r = pm_bind(p.vm, DATA_GPA, DATA_SIZE, fd, 0);
	err = errno;
	expect_errno("BIND after a vCPU exists", r, err, EBUSY, NULL);
	kvm_vm_free(p.vm);
	close(fd);
}

/* Case 13: conversions racing with the other vCPU's faults on the page. */
struct race_vcpu {
	struct kvm_vcpu *vcpu;
	u64 *stop;
	u64 result[2];
	bool done;
	char err[UCALL_BUFFER_LEN + 64];
};

static void *race_thread(void *arg)
{
	struct race_vcpu *rv = arg;
	struct kvm_vcpu *vcpu = rv->vcpu;
	struct ucall uc;
	int r;

	for (;;) {
		r = __vcpu_run(vcpu);
		if (r) {
			snprintf(rv->err, sizeof(rv->err),
				 "vCPU %u: KVM_RUN: %d, errno %d (%s)",
				 vcpu->id, r, errno, strerror(errno));
			break;
		}
		if (vcpu->run->exit_reason != KVM_EXIT_IO) {
			snprintf(rv->err, sizeof(rv->err),
				 "vCPU %u: exit reason %u (%s)", vcpu->id,
				 vcpu->run->exit_reason,
				 exit_reason_str(vcpu->run->exit_reason));
			break;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			rv->result[0] = uc.args[2];
			rv->result[1] = uc.args[3];
			continue;
		case UCALL_DONE:
			rv->done = true;
			return NULL;
		case UCALL_ABORT:
			snprintf(rv->err, sizeof(rv->err),
				 "vCPU %u: guest assertion: %s", vcpu->id,
				 uc.buffer);
			break;
		default:
			snprintf(rv->err, sizeof(rv->err),
				 "vCPU %u: exit that is not a ucall (%lu)",
				 vcpu->id, uc.cmd);
			break;
		}
		break;
	}
	/* Do not leave the other vCPU spinning. */
	WRITE_ONCE(*rv->stop, 1);
	return NULL;
}

static void test_fault_race(void)
{
	struct race_vcpu rv[2] = {};
	pthread_t t[2];
	struct iso_vm p;
	u64 *stop;
	int i;

	iso_vm_setup(&p, 0, 2, iso_memfd(0, DATA_SIZE), guest_race);
	for (i = 0; i < 2; i++)
		vcpu_args_set(p.vcpus[i], 2, (u64)i, X_GPA);
	iso_vm_init(&p);
	stop = addr_gva2hva(p.vm, (gva_t)&race_stop);
	for (i = 0; i < 2; i++) {
		rv[i].vcpu = p.vcpus[i];
		rv[i].stop = stop;
		TEST_ASSERT(!pthread_create(&t[i], NULL, race_thread, &rv[i]),
			    "pthread_create");
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 2; i++)
		CHECK(rv[i].done && !rv[i].err[0], "%s",
		      rv[i].err[0] ? rv[i].err : "a vCPU did not finish");
	ksft_print_msg("%lu of %d conversions failed (last: %ld)\n",
		       rv[0].result[0], 2 * RACE_FLIPS, (long)rv[0].result[1]);
	ksft_print_msg("the other vCPU made %lu passes over X\n",
		       rv[1].result[0]);
	if (rv[0].done && !rv[0].result[0])
		CHECK(query_attr(p.vm, X_GPA) == KVM_PRIVMEM_SHARED,
		      "X is not shared after the last flip");
	iso_vm_free(&p);
}

/* Case 14: the host paths to a page, each refused. */
static void test_host_paths(void)
{
	static u8 buf[PAGE_SIZE];
	struct iovec iov = { .iov_base = buf, .iov_len = PAGE_SIZE };
	u8 *x, *shm_ro, *priv, *m;
	struct iso_vm p;
	loff_t loff, loff2;
	int pp[2], out, mfd, rfd, status, err;
	char path[64];
	struct stat st;
	off_t off;
	ssize_t r;
	pid_t pid;

	iso_vm_setup(&p, 0, 1, iso_memfd(0, DATA_SIZE), guest_secret);
	vcpu_args_set(p.vcpus[0], 1, X_GPA);
	x = p.mem + X_OFF;

	/* Mappings made, and faulted in, while X is shared. */
	fill_file(p.fd, X_OFF, PAGE_SIZE, 0x11);
	shm_ro = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_SHARED, p.fd, X_OFF);
	priv = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE, p.fd, X_OFF);
	TEST_ASSERT(shm_ro != MAP_FAILED && priv != MAP_FAILED,
		    "mmap of shared X: errno %d", errno);
	expect_readable("MAP_SHARED mapping of X while shared", shm_ro, 0x11);
	expect_readable("MAP_PRIVATE mapping of X while shared", priv, 0x11);
	expect_readable("the VMM's mapping of X while shared", x, 0x11);

	iso_vm_init(&p);
	iso_expect(p.vcpus[0], 1, NULL);

	/* Through the file. */
	memset(buf, 0, sizeof(buf));
	r = pread(p.fd, buf, PAGE_SIZE, X_OFF);
	expect_errno("pread", r, errno, EACCES, buf);
	memset(buf, 0xee, sizeof(buf));
	r = pwrite(p.fd, buf, PAGE_SIZE, X_OFF);
	expect_errno("pwrite", r, errno, EACCES, NULL);
	memset(buf, 0, sizeof(buf));
	r = preadv2(p.fd, &iov, 1, X_OFF, RWF_NOWAIT);
	expect_errno("preadv2(RWF_NOWAIT)", r, errno, EOPNOTSUPP, buf);

	/* New and existing mappings. */
	m = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_SHARED, p.fd, X_OFF);
	err = errno;
	if (m != MAP_FAILED) {
		fail("a new MAP_SHARED mmap of X succeeded");
		expect_read_faults("the new MAP_SHARED mapping of X", m);
		munmap(m, PAGE_SIZE);
	} else {
		expect_errno("a new MAP_SHARED mmap of X", -1, err, EACCES,
			     NULL);
	}
	m = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE, p.fd, X_OFF);
	err = errno;
	if (m != MAP_FAILED) {
		expect_read_faults("a new MAP_PRIVATE mapping of X", m);
		munmap(m, PAGE_SIZE);
	} else {
		expect_errno("a new MAP_PRIVATE mmap of X", -1, err, 0, NULL);
	}
	expect_read_faults("the MAP_SHARED mapping made while shared", shm_ro);
	expect_read_faults("the VMM's MAP_SHARED mapping", x);
	expect_read_faults("the MAP_PRIVATE mapping made while shared", priv);

	/* Through the mapping, by the kernel. */
	expect_vm_readv_fails("process_vm_readv", x);
	mfd = open("/proc/self/mem", O_RDWR);
	TEST_ASSERT(mfd >= 0, "open /proc/self/mem: errno %d", errno);
	memset(buf, 0, sizeof(buf));
	r = pread(mfd, buf, PAGE_SIZE, (off_t)(uintptr_t)x);
	expect_errno("/proc/self/mem pread", r, errno, EIO, buf);
	memset(buf, 0xee, sizeof(buf));
	r = pwrite(mfd, buf, PAGE_SIZE, (off_t)(uintptr_t)x);
	expect_errno("/proc/self/mem pwrite", r, errno, EIO, NULL);
	close(mfd);

	/* Kernel copies out of the file. */
	TEST_ASSERT(!pipe(pp), "pipe: errno %d", errno);
	loff = X_OFF;
	r = splice(p.fd, &loff, pp[1], NULL, PAGE_SIZE, SPLICE_F_NONBLOCK);
	err = errno;
	memset(buf, 0, sizeof(buf));
	if (r > 0)
		r = read(pp[0], buf, r);
	expect_errno("splice into a pipe", r, err, EACCES, buf);
	close(pp[0]);
	close(pp[1]);

	out = iso_memfd(0, 0);
	off = X_OFF;
	r = sendfile(out, p.fd, &off, PAGE_SIZE);
	err = errno;
	memset(buf, 0, sizeof(buf));
	if (r > 0)
		r = pread(out, buf, r, 0);
	expect_errno("sendfile", r, err, EACCES, buf);
	TEST_ASSERT(!ftruncate(out, 0), "ftruncate: errno %d", errno);
	loff = X_OFF;
	loff2 = 0;
	r = copy_file_range(p.fd, &loff, out, &loff2, PAGE_SIZE, 0);
	err = errno;
	memset(buf, 0, sizeof(buf));
	if (r > 0)
		r = pread(out, buf, r, 0);
	expect_errno("copy_file_range", r, err, EACCES, buf);
	close(out);

	/* Freeing the page behind the guest's back. */
	r = fallocate(p.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, X_OFF,
		      PAGE_SIZE);
	expect_errno("fallocate(PUNCH_HOLE)", r, errno, EACCES, NULL);
	r = ftruncate(p.fd, X_OFF);
	expect_errno("ftruncate below X", r, errno, EACCES, NULL);
	TEST_ASSERT(!fstat(p.fd, &st), "fstat: errno %d", errno);
	CHECK(st.st_size == (off_t)DATA_SIZE, "file size 0x%lx, want 0x%llx",
	      (long)st.st_size, DATA_SIZE);
	r = madvise(x, PAGE_SIZE, MADV_REMOVE);
	expect_errno("MADV_REMOVE", r, errno, EACCES, NULL);
	r = madvise(x, PAGE_SIZE, MADV_POPULATE_READ);
	expect_errno("MADV_POPULATE_READ", r, errno, EFAULT, NULL);
	r = madvise(x, PAGE_SIZE, MADV_POPULATE_WRITE);
	expect_errno("MADV_POPULATE_WRITE", r, errno, EFAULT, NULL);
	ksft_print_msg("O_DIRECT: not tried, tmpfs does not support it\n");

	/* Another process. */
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork: errno %d", errno);
	if (!pid) {
		size_t n;
		int sig = host_read(x, buf, PAGE_SIZE, &n);

		/* 10: a fault; 11: read without one; 12: saw the secret. */
		_exit(count_byte(buf, n, SECRET) ? 12 : sig ? 10 : 11);
	}
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid: errno %d",
		    errno);
	if (CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 10,
		  "fork()ed child reading X: status 0x%x (%s)", status,
		  !WIFEXITED(status) ? "did not exit" :
		  WEXITSTATUS(status) == 11 ? "read without a fault" :
		  WEXITSTATUS(status) == 12 ? "READ THE SECRET" : "?"))
		ksft_print_msg("fork()ed child reading X: faulted\n");

	/* The file opened anew. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p.fd);
	rfd = open(path, O_RDWR);
	TEST_ASSERT(rfd >= 0, "open %s: errno %d", path, errno);
	memset(buf, 0, sizeof(buf));
	r = pread(rfd, buf, PAGE_SIZE, X_OFF);
	expect_errno("pread through a reopened fd", r, errno, EACCES, buf);
	close(rfd);

	munmap(shm_ro, PAGE_SIZE);
	munmap(priv, PAGE_SIZE);
	iso_expect(p.vcpus[0], STAGE_DONE, NULL);
	iso_vm_free(&p);
}

struct iso_case {
	const char *name;
	void (*fn)(void);
	void (*cleanup)(void);
	unsigned int timeout;
};

static const struct iso_case cases[] = {
	{ "dirty_log", test_dirty_log },
	{ "readonly_slot", test_readonly_slot },
	{ "collapse", test_collapse },
	{ "udmabuf", test_udmabuf },
	{ "uffd_minor", test_uffd_minor },
	{ "uffd_fill", test_uffd_fill },
	{ "large_folio", test_large_folio, large_folio_cleanup },
	{ "bind_readonly_fd", test_bind_readonly_fd },
	{ "bind_sealed", test_bind_sealed },
	{ "bind_fail_keeps_data", test_bind_fail_keeps_data },
	{ "vmm_unshare_inplace", test_vmm_unshare_inplace },
	{ "batch_header_in_range", test_batch_header_in_range },
	{ "bind_after_vcpu", test_bind_after_vcpu },
	{ "fault_race", test_fault_race, NULL, RACE_TIMEOUT },
	{ "host_paths", test_host_paths },
	{ "memory_failure", test_memory_failure },
};

/* Run a case in a child process: its own VM, its own failures. */
static bool run_case(const struct iso_case *c)
{
	struct timespec t0, t1;
	int status;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork: errno %d", errno);
	if (!pid) {
		alarm(c->timeout ?: CASE_TIMEOUT);
		nr_failed = 0;
		c->fn();
		exit(nr_failed ? KSFT_FAIL : KSFT_PASS);
	}
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid: errno %d",
		    errno);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (c->cleanup)
		c->cleanup();
	ksft_print_msg("%s: %.1f s\n", c->name,
		       (t1.tv_sec - t0.tv_sec) +
		       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (WIFEXITED(status) && WEXITSTATUS(status) == KSFT_PASS)
		return true;
	if (WIFEXITED(status))
		ksft_print_msg("%s: exit status %d%s\n", c->name,
			       WEXITSTATUS(status),
			       WEXITSTATUS(status) == KSFT_SKIP ?
			       " (a TEST_REQUIRE, or an assertion that failed with errno EACCES)" :
			       "");
	else if (WIFSIGNALED(status))
		ksft_print_msg("%s: killed by signal %d (%s)%s\n", c->name,
			       WTERMSIG(status), strsignal(WTERMSIG(status)),
			       WTERMSIG(status) == SIGALRM ? ": timed out" : "");
	return false;
}

int main(int argc, char *argv[])
{
	unsigned int i;

	TEST_REQUIRE(kvm_check_cap(KVM_CAP_VM_TYPES) &
		     BIT(KVM_X86_SW_PROTECTED_VM));
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_PRIVMEM));

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(cases));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		bool ok = run_case(&cases[i]);

		ksft_test_result(ok, "%s\n", cases[i].name);
	}
	ksft_finished();
}
