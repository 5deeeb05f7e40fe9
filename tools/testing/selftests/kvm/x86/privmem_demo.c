// SPDX-License-Identifier: GPL-2.0
/*
 * privmem_demo: a guest converts its memory the way an SEV-SNP guest does
 * at boot, and the VMM reports what privmem did.
 *
 *   privmem_demo [-p cc|cc-strict|inplace] [-m MiB] [-b]
 *
 * The guest makes all of its memory private in 2M entries, opens shared
 * windows for I/O (which smashes the 2M blocks they sit in), then flips
 * single 4K pages inside 2M blocks to shared and back.  Each phase is one
 * KVM_HC_MAP_GPA_RANGE batch of at most 253 entries.
 *
 * -b also runs the same entries through upstream's path (one
 * KVM_HC_MAP_GPA_RANGE per entry, each an exit to the VMM, which calls
 * KVM_SET_MEMORY_ATTRIBUTES, guest_memfd backing) and prints both.  The
 * guest reports the end of its conversions with a ucall, so the VMM
 * times the conversion phase apart from the guest touching its memory.
 * Every backing file is populated (fallocate()) before the guest runs,
 * so neither path allocates while it converts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/falloc.h>
#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/sizes.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "ucall_common.h"
#include "privmem_util.h"

#define DATA_SLOT	10
#define DATA_GPA	BIT_ULL(32)
#define MAX_PLAN	1024
#define NR_WINDOWS	16
#define NR_FLIPS	64

struct plan_phase {
	u32 first;
	u32 nr;
	const char *what;
};

static struct kvm_privmem_entry plan[MAX_PLAN];
static struct plan_phase phases[8];
static u32 nr_phases;
static u64 data_size;
/* Guest: 1 = one batch hypercall per phase, 0 = one hypercall per entry. */
static u64 use_batches;
static u64 batch_gpa;
static u8 batch_buf[sizeof(struct kvm_privmem_batch) +
		    KVM_PRIVMEM_MAX_ENTRIES * sizeof(struct kvm_privmem_entry)]
	__aligned(4096);
/* The upstream path's shared windows, touched by the guest for "I/O". */
static u64 io_gpa[NR_WINDOWS];
/* Bench: touch every page afterwards, as a guest accepting its memory. */
static u64 touch_all;
/*
 * Bench: then time single conversions, one hypercall each, in TSC
 * cycles: a 4K page of each odd 2M block to shared and back, then each
 * odd block, whole, at 2M.
 */
#define NR_LAT		64
enum { LAT_4K_S, LAT_4K_P, LAT_2M_S, LAT_2M_P, NR_LAT_KINDS };
static u64 lat[NR_LAT_KINDS][NR_LAT];

static u64 guest_convert1(u64 gpa, u64 size, bool priv)
{
	u64 attrs = priv ? KVM_MAP_GPA_RANGE_ENCRYPTED :
			   KVM_MAP_GPA_RANGE_DECRYPTED;
	u64 t0, ret;

	if (size == SZ_2M)
		attrs |= KVM_MAP_GPA_RANGE_PAGE_SZ_2M;
	t0 = rdtsc();
	ret = kvm_hypercall(KVM_HC_MAP_GPA_RANGE, gpa, size >> PAGE_SHIFT,
			    attrs, 0);
	__GUEST_ASSERT(!ret, "gpa %lx: %ld", gpa, (long)ret);
	return rdtsc() - t0;
}

static void guest_latency(void)
{
	u64 i, b;

	for (i = 0; i < NR_LAT; i++) {
		b = DATA_GPA + (2 * i + 1) * SZ_2M;
		lat[LAT_4K_S][i] = guest_convert1(b + 7 * PAGE_SIZE, PAGE_SIZE,
						  false);
		lat[LAT_4K_P][i] = guest_convert1(b + 7 * PAGE_SIZE, PAGE_SIZE,
						  true);
	}
	for (i = 0; i < NR_LAT; i++) {
		b = DATA_GPA + (2 * i + 1) * SZ_2M;
		lat[LAT_2M_S][i] = guest_convert1(b, SZ_2M, false);
		lat[LAT_2M_P][i] = guest_convert1(b, SZ_2M, true);
	}
}

static void guest_code(void)
{
	struct kvm_privmem_batch *b = (void *)batch_buf;
	u32 p, i;
	u64 ret;

	for (p = 0; p < nr_phases; p++) {
		struct kvm_privmem_entry *e = &plan[phases[p].first];
		u32 nr = phases[p].nr;

		if (use_batches) {
			memset(b, 0, sizeof(*b));
			b->nr = nr;
			memcpy(b->entries, e, nr * sizeof(*e));
			ret = kvm_hypercall(KVM_HC_MAP_GPA_RANGE, batch_gpa, nr,
					    KVM_PRIVMEM_MAP_GPA_RANGE_BATCH, 0);
			__GUEST_ASSERT(!ret && b->done == nr,
				       "phase %u: ret %ld done %u", p,
				       (long)ret, b->done);
			continue;
		}
		for (i = 0; i < nr; i++) {
			u64 attrs = e[i].attr == KVM_PRIVMEM_PRIVATE ?
				    KVM_MAP_GPA_RANGE_ENCRYPTED :
				    KVM_MAP_GPA_RANGE_DECRYPTED;

			if (e[i].gran == KVM_PRIVMEM_GRAN_2M)
				attrs |= KVM_MAP_GPA_RANGE_PAGE_SZ_2M;
			ret = kvm_hypercall(KVM_HC_MAP_GPA_RANGE, e[i].gpa,
					    e[i].size >> PAGE_SHIFT, attrs, 0);
			__GUEST_ASSERT(!ret, "entry %u: %ld", i, (long)ret);
		}
	}
	/* The conversion phase ends here; the VMM notes the time. */
	GUEST_SYNC(0);
	if (touch_all)
		for (i = 0; i < data_size / PAGE_SIZE; i++)
			WRITE_ONCE(*(u64 *)(DATA_GPA + i * PAGE_SIZE), i);
	/* I/O through the shared windows. */
	for (i = 0; i < NR_WINDOWS; i++)
		memset((void *)io_gpa[i], 0x5a, PAGE_SIZE);
	if (touch_all) {
		GUEST_SYNC(1);
		guest_latency();
	}
	GUEST_DONE();
}

static void add(u64 gpa, u64 size, u8 attr, u8 gran)
{
	struct kvm_privmem_entry *e = &plan[phases[nr_phases].first +
					     phases[nr_phases].nr++];

	TEST_ASSERT(phases[nr_phases].nr <= KVM_PRIVMEM_MAX_ENTRIES,
		    "phase too long");
	e->gpa = gpa;
	e->size = size;
	e->attr = attr;
	e->gran = gran;
}

static void next_phase(const char *what)
{
	u32 first = phases[nr_phases].first + phases[nr_phases].nr;

	if (phases[nr_phases].nr)
		nr_phases++;
	phases[nr_phases].first = first;
	phases[nr_phases].what = what;
}

static void make_plan(void)
{
	u64 blocks = data_size / SZ_2M, i, stride;

	next_phase("all memory private, 2M entries");
	for (i = 0; i < blocks; i++)
		add(DATA_GPA + i * SZ_2M, SZ_2M, KVM_PRIVMEM_PRIVATE,
		    KVM_PRIVMEM_GRAN_2M);
	next_phase("shared I/O windows, 64K each");
	stride = data_size / NR_WINDOWS;
	for (i = 0; i < NR_WINDOWS; i++) {
		io_gpa[i] = DATA_GPA + i * stride + SZ_1M;
		add(io_gpa[i], SZ_64K, KVM_PRIVMEM_SHARED, KVM_PRIVMEM_GRAN_4K);
	}
	next_phase("4K flips inside 2M blocks to shared");
	stride = data_size / NR_FLIPS;
	for (i = 0; i < NR_FLIPS; i++)
		add(DATA_GPA + i * stride + SZ_512K + 3 * PAGE_SIZE, PAGE_SIZE,
		    KVM_PRIVMEM_SHARED, KVM_PRIVMEM_GRAN_4K);
	next_phase("the same 4K pages back to private");
	for (i = 0; i < NR_FLIPS; i++)
		add(DATA_GPA + i * stride + SZ_512K + 3 * PAGE_SIZE, PAGE_SIZE,
		    KVM_PRIVMEM_PRIVATE, KVM_PRIVMEM_GRAN_4K);
	next_phase(NULL);
}

static u32 plan_entries(void)
{
	return phases[nr_phases - 1].first + phases[nr_phases - 1].nr;
}

static void sync_plan(struct kvm_vm *vm)
{
	sync_global_to_guest(vm, plan);
	sync_global_to_guest(vm, phases);
	sync_global_to_guest(vm, nr_phases);
	sync_global_to_guest(vm, io_gpa);
	sync_global_to_guest(vm, use_batches);
	sync_global_to_guest(vm, touch_all);
	memset(lat, 0, sizeof(lat));
	sync_global_to_guest(vm, lat);
	sync_global_to_guest(vm, data_size);
	batch_gpa = addr_gva2gpa(vm, (u64)batch_buf);
	sync_global_to_guest(vm, batch_gpa);
	virt_map(vm, DATA_GPA, DATA_GPA, data_size / PAGE_SIZE);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct result {
	double seconds;
	double conv_seconds;
	double lat_us[NR_LAT_KINDS][2];	/* p50, p99 */
	u64 exits;
	u64 private_pages;
	u64 ranges;
};

/* Run to GUEST_DONE; the upstream path converts on each hypercall exit. */
static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* p50 and p99 of the guest's latency samples, in microseconds. */
static void latencies(struct kvm_vcpu *vcpu, struct result *res)
{
	long khz = __vcpu_ioctl(vcpu, KVM_GET_TSC_KHZ, NULL);
	int k;

	TEST_ASSERT(khz > 0, "KVM_GET_TSC_KHZ: %ld", khz);
	sync_global_from_guest(vcpu->vm, lat);
	for (k = 0; k < NR_LAT_KINDS; k++) {
		qsort(lat[k], NR_LAT, sizeof(u64), cmp_u64);
		res->lat_us[k][0] = lat[k][NR_LAT / 2] * 1000.0 / khz;
		res->lat_us[k][1] = lat[k][NR_LAT * 99 / 100] * 1000.0 / khz;
	}
}

static void run(struct kvm_vcpu *vcpu, struct result *res)
{
	struct kvm_run *r = vcpu->run;
	u64 exits = ~0ULL;
	struct ucall uc;
	double t0 = now();

	for (;;) {
		vcpu_run(vcpu);
		if (r->exit_reason == KVM_EXIT_HYPERCALL) {
			u64 gpa = r->hypercall.args[0];
			u64 size = r->hypercall.args[1] << PAGE_SHIFT;
			bool priv = r->hypercall.args[2] &
				    KVM_MAP_GPA_RANGE_ENCRYPTED;

			vm_set_memory_attributes(vcpu->vm, gpa, size,
						 priv ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0);
			r->hypercall.ret = 0;
			res->exits++;
			continue;
		}
		if (r->exit_reason == KVM_EXIT_PRIVMEM) {
			res->exits++;
			continue;
		}
		TEST_ASSERT(r->exit_reason == KVM_EXIT_IO, "exit %s",
			    exit_reason_str(r->exit_reason));
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		case UCALL_SYNC:
			if (uc.args[1] == 0) {
				res->conv_seconds = now() - t0;
			} else {
				/* the latency phase's exits are not counted */
				res->seconds = now() - t0;
				exits = res->exits;
			}
			break;
		case UCALL_DONE:
			if (exits != ~0ULL) {
				res->exits = exits;
				latencies(vcpu, res);
				return;
			}
			res->seconds = now() - t0;
			return;
		default:
			TEST_FAIL("ucall %lu", uc.cmd);
		}
	}
}

static const char *policy_name(u32 id)
{
	switch (id) {
	case KVM_PRIVMEM_POLICY_CC:
		return "cc";
	case KVM_PRIVMEM_POLICY_CC_STRICT:
		return "cc-strict";
	case KVM_PRIVMEM_POLICY_INPLACE:
		return "inplace";
	default:
		return "?";
	}
}

static void print_map(struct kvm_vm *vm)
{
	static struct kvm_privmem_entry r[4096];
	struct kvm_privmem_query q = {
		.gpa = DATA_GPA, .size = data_size, .ranges = (u64)r,
		.nr = 4096,
	};
	u32 i, shown = 0;

	vm_ioctl(vm, KVM_PRIVMEM_QUERY, &q);
	printf("final range map (KVM_PRIVMEM_QUERY): %u ranges\n", q.nr);
	for (i = 0; i < q.nr; i++) {
		if (q.nr > 24 && i >= 10 && i < q.nr - 6) {
			if (!shown++)
				printf("    ... %u more ...\n", q.nr - 16);
			continue;
		}
		printf("    0x%010llx-0x%010llx %8llu KiB %-7s %s\n",
		       r[i].gpa, r[i].gpa + r[i].size - 1, r[i].size >> 10,
		       r[i].attr == KVM_PRIVMEM_PRIVATE ? "private" : "shared",
		       r[i].gran == KVM_PRIVMEM_GRAN_2M ? "2M" : "4K");
	}
	/*
	 * Every range again, for harness/map-svg.py (make run draws the map
	 * from these lines and leaves them out of the report).
	 */
	for (i = 0; i < q.nr; i++)
		printf("privmem-map %#llx %#llx %s %s\n", r[i].gpa,
		       r[i].gpa + r[i].size,
		       r[i].attr == KVM_PRIVMEM_PRIVATE ? "private" : "shared",
		       r[i].gran == KVM_PRIVMEM_GRAN_2M ? "2M" : "4K");
}

/* Allocate every page of @fd now, so that converting allocates none. */
static void populate(int fd)
{
	TEST_ASSERT(!fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, data_size),
		    "fallocate: %d", errno);
}

static void run_privmem(u32 policy, bool report, struct result *res)
{
	struct pm_stats s;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	void *mem;
	int fd;

	vm = pm_vm_memfd(policy, DATA_SLOT, DATA_GPA, data_size, touch_all,
			 guest_code, &vcpu, &fd, &mem);
	use_batches = 1;
	sync_plan(vm);
	vm_ioctl(vm, KVM_PRIVMEM_INIT, NULL);

	run(vcpu, res);
	pm_stats(vm, &s);
	res->ranges = s.ranges;
	res->private_pages = s.pages_to_private - s.pages_to_shared;

	if (report) {
		u32 p;

		printf("privmem demo: policy %s (id %u), %llu MiB guest, implicit %s\n",
		       policy_name(s.policy), s.policy, data_size >> 20,
		       s.flags ? "on" : "off");
		printf("guest requests: %u batches, %u entries\n", nr_phases,
		       plan_entries());
		for (p = 0; p < nr_phases; p++)
			printf("    batch %u: %3u entries  %s\n", p + 1,
			       phases[p].nr, phases[p].what);
		printf("conversions: %llu entries (%llu already done)\n",
		       s.entries, s.noops);
		printf("pages: %llu to private, %llu to shared\n",
		       s.pages_to_private, s.pages_to_shared);
		printf("coalesced: %llu entries folded into %llu steps\n",
		       s.coalesced, s.steps);
		printf("2M blocks: %llu smashed, %llu merged\n", s.smashes,
		       s.merges);
		printf("hypercalls: %llu; exits to the VMM: %llu; failures: %llu\n",
		       s.hypercalls, res->exits, s.failures);
		printf("guest wall time: %.3f s\n", res->seconds);
		print_map(vm);
	}
	kvm_vm_free(vm);
	munmap(mem, data_size);
	close(fd);
}

static void run_upstream(struct result *res)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int memfd;

	vm = pm_vm_create(KVM_X86_SW_PROTECTED_VM);
	pm_vm_finish(vm, 1, &vcpu, guest_code);
	vm_enable_cap(vm, KVM_CAP_EXIT_HYPERCALL, BIT(KVM_HC_MAP_GPA_RANGE));
	memfd = vm_create_guest_memfd(vm, data_size, 0);
	populate(memfd);
	vm_mem_add(vm, VM_MEM_SRC_SHMEM, DATA_GPA, DATA_SLOT,
		   data_size / PAGE_SIZE, KVM_MEM_GUEST_MEMFD, memfd, 0);
	use_batches = 0;
	sync_plan(vm);
	run(vcpu, res);
	/* Everything but the I/O windows ends up private. */
	res->private_pages = (data_size - NR_WINDOWS * SZ_64K) >> PAGE_SHIFT;
	kvm_vm_free(vm);
	close(memfd);
}

/*
 * Attribute-tracking memory, estimated: upstream stores one xarray entry
 * per private 4K page (64 per 576-byte node); privmem one range per
 * maple-tree slot (at most 16 per 256-byte node, about 10 on average).
 */
static u64 xarray_bytes(u64 pages)
{
	return DIV_ROUND_UP(pages, 64) * 576;
}

static u64 maple_bytes(u64 ranges)
{
	return DIV_ROUND_UP(ranges, 10) * 256;
}

/*
 * Scale: a sparse span of SCALE_GIB GiB (files never populated), made
 * private in one request and shared again by the VMM, with no vCPU
 * running: upstream's KVM_SET_MEMORY_ATTRIBUTES over a guest_memfd slot
 * against privmem's KVM_PRIVMEM_CONVERT of one 2M entry (policy cc).  The
 * memory is the kernel's slab growth while the span is private, from
 * /proc/meminfo; the file pages are what the backing files hold then.
 */
#define SCALE_SLOT	11
#define SCALE_GPA	(64ULL << 30)
#define SCALE_GIB	64

struct scale {
	double to_private_s;
	double to_shared_s;
	long slab_kib;
	u64 file_pages;
};

static long meminfo_kib(const char *key)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	TEST_ASSERT(f, "/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) &&
		    line[strlen(key)] == ':') {
			v = atol(line + strlen(key) + 1);
			break;
		}
	fclose(f);
	TEST_ASSERT(v >= 0, "no %s in /proc/meminfo", key);
	return v;
}

/* @convert(vm, priv) makes the whole span private or shared. */
static void scale_time(struct kvm_vm *vm, int fd,
		       void (*convert)(struct kvm_vm *vm, bool priv),
		       struct scale *res)
{
	long slab0;
	double t0;

	slab0 = meminfo_kib("Slab");
	t0 = now();
	convert(vm, true);
	res->to_private_s = now() - t0;
	res->slab_kib = meminfo_kib("Slab") - slab0;
	res->file_pages = pm_file_pages(fd);
	t0 = now();
	convert(vm, false);
	res->to_shared_s = now() - t0;
}

static void scale_upstream_convert(struct kvm_vm *vm, bool priv)
{
	vm_set_memory_attributes(vm, SCALE_GPA, (u64)SCALE_GIB << 30,
				 priv ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0);
}

static void scale_privmem_convert(struct kvm_vm *vm, bool priv)
{
	struct kvm_privmem_entry e = {
		.gpa = SCALE_GPA, .size = (u64)SCALE_GIB << 30,
		.attr = priv ? KVM_PRIVMEM_PRIVATE : KVM_PRIVMEM_SHARED,
		.gran = KVM_PRIVMEM_GRAN_2M,
	};
	struct kvm_privmem_convert c;

	TEST_ASSERT(!pm_convert(vm, &e, 1, &c) && c.done == 1,
		    "KVM_PRIVMEM_CONVERT: errno %d, done %u", errno, c.done);
}

static void scale_upstream(struct scale *res)
{
	u64 size = (u64)SCALE_GIB << 30;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int gmem, fd;
	void *mem;

	vm = pm_vm_create(KVM_X86_SW_PROTECTED_VM);
	pm_vm_finish(vm, 1, &vcpu, guest_code);
	gmem = vm_create_guest_memfd(vm, size, 0);
	fd = memfd_create("privmem_demo_scale", 0);
	TEST_ASSERT(fd >= 0 && !ftruncate(fd, size), "memfd");
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	vm_set_user_memory_region2(vm, SCALE_SLOT, KVM_MEM_GUEST_MEMFD,
				   SCALE_GPA, size, mem, gmem, 0);
	scale_time(vm, gmem, scale_upstream_convert, res);
	res->file_pages += pm_file_pages(fd);
	kvm_vm_free(vm);
	munmap(mem, size);
	close(fd);
	close(gmem);
}

static void scale_privmem(struct scale *res)
{
	u64 size = (u64)SCALE_GIB << 30;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	void *mem;
	int fd;

	vm = pm_vm_memfd(KVM_PRIVMEM_POLICY_CC, SCALE_SLOT, SCALE_GPA, size,
			 false, guest_code, &vcpu, &fd, &mem);
	scale_time(vm, fd, scale_privmem_convert, res);
	kvm_vm_free(vm);
	munmap(mem, size);
	close(fd);
}

static void bench_scale(void)
{
	struct scale up = {}, pm = {};

	scale_upstream(&up);
	scale_privmem(&pm);
	printf("scale: a sparse %d GiB span (files never populated) made private\n",
	       SCALE_GIB);
	printf("in one request by the VMM and shared again, no vCPU running;\n");
	printf("memory is the slab growth while it is private (/proc/meminfo).\n");
	printf("    %-33s %11s %11s %11s\n", "", "upstream", "privmem",
	       "ratio");
	printf("    %-33s %11.4f %11.4f %10.0fx\n", "to private (s)",
	       up.to_private_s, pm.to_private_s,
	       pm.to_private_s > 0 ? up.to_private_s / pm.to_private_s : 0.0);
	printf("    %-33s %11.4f %11.4f %10.0fx\n", "back to shared (s)",
	       up.to_shared_s, pm.to_shared_s,
	       pm.to_shared_s > 0 ? up.to_shared_s / pm.to_shared_s : 0.0);
	printf("    %-33s %11ld %11ld\n", "slab growth (KiB)", up.slab_kib,
	       pm.slab_kib);
	printf("    %-33s %11llu %11llu\n", "file pages while private",
	       (unsigned long long)up.file_pages,
	       (unsigned long long)pm.file_pages);
}

static void lat_row(const char *what, int k, const struct result *up,
		    const struct result *pi, const struct result *pc)
{
	printf("    %-33s %5.0f %5.0f %5.0f %5.0f %5.0f %5.0f\n", what,
	       up->lat_us[k][0], up->lat_us[k][1], pi->lat_us[k][0],
	       pi->lat_us[k][1], pc->lat_us[k][0], pc->lat_us[k][1]);
}

static void bench(void)
{
	struct result up = {}, pi = {}, pc = {};

	touch_all = 1;

	run_upstream(&up);
	run_privmem(KVM_PRIVMEM_POLICY_INPLACE, false, &pi);
	run_privmem(KVM_PRIVMEM_POLICY_CC, false, &pc);
	printf("benchmark: the same %u entries, %llu MiB guest, in this boot;\n",
	       plan_entries(), data_size >> 20);
	printf("every backing file populated first, so converting allocates\n");
	printf("nothing; then the guest writes every page.  cc also scrubs\n");
	printf("(destructive conversions); upstream and inplace do not.\n");
	printf("    %-33s %11s %11s %11s\n", "", "upstream", "inplace",
	       "cc");
	printf("    %-33s %11u %11u %11u\n", "guest hypercalls",
	       plan_entries(), nr_phases, nr_phases);
	printf("    %-33s %11llu %11llu %11llu\n", "exits to userspace",
	       up.exits, pi.exits, pc.exits);
	printf("    %-33s %11.4f %11.4f %11.4f\n", "conversion phase (s)",
	       up.conv_seconds, pi.conv_seconds, pc.conv_seconds);
	printf("    %-33s %11.4f %11.4f %11.4f\n", "guest touching (s)",
	       up.seconds - up.conv_seconds, pi.seconds - pi.conv_seconds,
	       pc.seconds - pc.conv_seconds);
	printf("    %-33s %11.4f %11.4f %11.4f\n", "guest wall time (s)",
	       up.seconds, pi.seconds, pc.seconds);
	printf("    %-33s %11llu %11llu %11llu\n",
	       "attribute tracking (B, est.)",
	       xarray_bytes(up.private_pages), maple_bytes(pi.ranges),
	       maple_bytes(pc.ranges));
	lat_row("one 4K to shared: p50, p99 (us)", LAT_4K_S, &up, &pi, &pc);
	lat_row("one 4K to private: p50, p99 (us)", LAT_4K_P, &up, &pi, &pc);
	lat_row("one 2M to shared: p50, p99 (us)", LAT_2M_S, &up, &pi, &pc);
	lat_row("one 2M to private: p50, p99 (us)", LAT_2M_P, &up, &pi, &pc);
	printf("    conversion phase, upstream/privmem: inplace %.1fx, cc %.1fx\n",
	       pi.conv_seconds > 0 ? up.conv_seconds / pi.conv_seconds : 0.0,
	       pc.conv_seconds > 0 ? up.conv_seconds / pc.conv_seconds : 0.0);
	printf("    wall time, upstream/privmem: inplace %.2fx, cc %.2fx\n",
	       pi.seconds > 0 ? up.seconds / pi.seconds : 0.0,
	       pc.seconds > 0 ? up.seconds / pc.seconds : 0.0);
	bench_scale();
}

int main(int argc, char *argv[])
{
	u32 policy = KVM_PRIVMEM_POLICY_DEFAULT;
	bool do_bench = false;
	struct result res = {};
	int opt;

	data_size = 256ULL << 20;
	while ((opt = getopt(argc, argv, "p:m:b")) != -1) {
		switch (opt) {
		case 'p':
			if (!strcmp(optarg, "cc"))
				policy = KVM_PRIVMEM_POLICY_CC;
			else if (!strcmp(optarg, "cc-strict"))
				policy = KVM_PRIVMEM_POLICY_CC_STRICT;
			else if (!strcmp(optarg, "inplace"))
				policy = KVM_PRIVMEM_POLICY_INPLACE;
			else
				TEST_FAIL("unknown policy %s", optarg);
			break;
		case 'm':
			data_size = (u64)atoi_positive("MiB", optarg) << 20;
			break;
		case 'b':
			do_bench = true;
			break;
		default:
			TEST_FAIL("usage: %s [-p policy] [-m MiB] [-b]", argv[0]);
		}
	}
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_VM_TYPES) &
		     BIT(KVM_X86_SW_PROTECTED_VM));
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_PRIVMEM));
	TEST_ASSERT(data_size >= 32 * SZ_2M && data_size / SZ_2M <= 253,
		    "guest memory must be 64..506 MiB");
	make_plan();

	if (do_bench)
		bench();
	else
		run_privmem(policy, true, &res);
	return 0;
}
