/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by privmem_test and privmem_demo: a VM built by hand
 * (KVM_CAP_PRIVMEM must be enabled before the first memslot and vCPU)
 * and thin wrappers around the privmem ioctls.
 */
#ifndef SELFTEST_KVM_PRIVMEM_UTIL_H
#define SELFTEST_KVM_PRIVMEM_UTIL_H

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/falloc.h>

#include <linux/kvm.h>

#include <linux/kvm_para.h>

#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"

/* The boot memslot of a privmem VM: code, page tables, ucall. */
#define PM_SLOT0_PAGES	8192

static inline struct kvm_vm *pm_vm_create(u32 type)
{
	const struct vm_shape shape = { .mode = VM_MODE_DEFAULT, .type = type };

	return ____vm_create(shape);
}

/*
 * What __vm_create() does after KVM_CREATE_VM, up to the vCPUs: the boot
 * memslot, the test's ELF image and ucall.  KVM_PRIVMEM_BIND goes between
 * this and pm_vm_add_vcpus(): it is refused once a vCPU exists.
 */
static inline void pm_vm_prepare(struct kvm_vm *vm, int nr_vcpus)
{
	int i;

	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, 0, 0,
				    PM_SLOT0_PAGES, 0);
	for (i = 0; i < NR_MEM_REGIONS; i++)
		vm->memslots[i] = 0;
	kvm_vm_elf_load(vm, program_invocation_name);
	ucall_init(vm, (u64)PM_SLOT0_PAGES * PAGE_SIZE);
	kvm_arch_vm_post_create(vm, nr_vcpus);
}

static inline void pm_vm_add_vcpus(struct kvm_vm *vm, int nr_vcpus,
				   struct kvm_vcpu **vcpus, void *guest_code)
{
	int i;

	for (i = 0; i < nr_vcpus; i++)
		vcpus[i] = vm_vcpu_add(vm, i, guest_code);
}

/* pm_vm_prepare() and pm_vm_add_vcpus(), for a VM that binds no span. */
static inline void pm_vm_finish(struct kvm_vm *vm, int nr_vcpus,
				struct kvm_vcpu **vcpus, void *guest_code)
{
	pm_vm_prepare(vm, nr_vcpus);
	pm_vm_add_vcpus(vm, nr_vcpus, vcpus, guest_code);
}

static inline int pm_enable(struct kvm_vm *vm, u64 policy, u64 flags, u64 bit,
			    u64 arg3, u32 cflags)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_PRIVMEM,
		.flags = cflags,
		.args = { policy, flags, bit, arg3 },
	};

	return __vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
}

static inline int pm_bind(struct kvm_vm *vm, u64 gpa, u64 size, int fd,
			  u64 off)
{
	struct kvm_privmem_bind b = {
		.gpa = gpa, .size = size, .fd = fd, .offset = off,
	};

	return __vm_ioctl(vm, KVM_PRIVMEM_BIND, &b);
}

/* Pages a file holds (st_blocks), e.g. what converting allocated. */
static inline u64 pm_file_pages(int fd)
{
	struct stat st;

	TEST_ASSERT(!fstat(fd, &st), "fstat: errno %d", errno);
	return st.st_blocks * 512 / PAGE_SIZE;
}

/*
 * A software-protected VM with KVM_CAP_PRIVMEM under @policy and one vCPU
 * running @guest_code, whose span [@gpa, @gpa + @size) is bound to a new
 * memfd of that size (every page allocated first if @populate) and mapped
 * by memslot @slot through a shared mapping of the memfd.
 */
static inline struct kvm_vm *pm_vm_memfd(u64 policy, u32 slot, u64 gpa,
					 u64 size, bool populate,
					 void *guest_code,
					 struct kvm_vcpu **vcpu, int *fd,
					 void **mem)
{
	struct kvm_vm *vm = pm_vm_create(KVM_X86_SW_PROTECTED_VM);

	TEST_ASSERT(!pm_enable(vm, policy, 0, 0, 0, 0),
		    "KVM_CAP_PRIVMEM: errno %d", errno);
	pm_vm_prepare(vm, 1);
	*fd = memfd_create("privmem", 0);
	TEST_ASSERT(*fd >= 0 && !ftruncate(*fd, size), "memfd");
	TEST_ASSERT(!populate ||
		    !fallocate(*fd, FALLOC_FL_KEEP_SIZE, 0, size),
		    "fallocate: errno %d", errno);
	TEST_ASSERT(!pm_bind(vm, gpa, size, *fd, 0),
		    "KVM_PRIVMEM_BIND: errno %d", errno);
	pm_vm_add_vcpus(vm, 1, vcpu, guest_code);
	*mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	TEST_ASSERT(*mem != MAP_FAILED, "mmap");
	vm_set_user_memory_region(vm, slot, 0, gpa, size, *mem);
	return vm;
}

static inline int pm_convert(struct kvm_vm *vm, struct kvm_privmem_entry *e,
			     u32 nr, struct kvm_privmem_convert *c)
{
	memset(c, 0, sizeof(*c));
	c->entries = (u64)e;
	c->nr = nr;
	return __vm_ioctl(vm, KVM_PRIVMEM_CONVERT, c);
}

/*
 * privmem's KVM binary stats: the VM's, and the per-vCPU ones summed over
 * the VM's vCPUs (the ones the test has not closed).
 */
struct pm_stats {
	u32 policy;
	u32 flags;		/* the VM's implicit_conversion copy */
	u64 entries;
	u64 noops;
	u64 pages_to_private;
	u64 pages_to_shared;
	u64 steps;
	u64 coalesced;
	u64 smashes;
	u64 merges;
	u64 failures;
	u64 ranges;
	u64 hypercalls;
	u64 exits;
	u64 implicit;
	u64 fault_exits;
};

static inline void pm_stats(struct kvm_vm *vm, struct pm_stats *s)
{
	struct kvm_vcpu *vcpu;

	memset(s, 0, sizeof(*s));
	s->policy = vm_get_stat(vm, privmem_policy);
	s->flags = vm_get_stat(vm, privmem_implicit_enabled);
	s->entries = vm_get_stat(vm, privmem_entries);
	s->noops = vm_get_stat(vm, privmem_noops);
	s->pages_to_private = vm_get_stat(vm, privmem_pages_to_private);
	s->pages_to_shared = vm_get_stat(vm, privmem_pages_to_shared);
	s->steps = vm_get_stat(vm, privmem_steps);
	s->coalesced = vm_get_stat(vm, privmem_coalesced);
	s->smashes = vm_get_stat(vm, privmem_smashes);
	s->merges = vm_get_stat(vm, privmem_merges);
	s->failures = vm_get_stat(vm, privmem_failures);
	s->ranges = vm_get_stat(vm, privmem_nr_ranges);
	list_for_each_entry(vcpu, &vm->vcpus, list) {
		s->hypercalls += vcpu_get_stat(vcpu, privmem_hypercalls);
		s->exits += vcpu_get_stat(vcpu, privmem_exits);
		s->implicit += vcpu_get_stat(vcpu, privmem_implicit);
		s->fault_exits += vcpu_get_stat(vcpu, privmem_fault_exits);
	}
}

/* Guest side */

/* KVM_HC_MAP_GPA_RANGE: a single range, or a batch. */
static inline u64 guest_map(u64 gpa, u64 npages, u64 attrs)
{
	return kvm_hypercall(KVM_HC_MAP_GPA_RANGE, gpa, npages, attrs, 0);
}

static inline void guest_set(struct kvm_privmem_entry *e, u64 gpa, u64 size,
			     u8 attr, u8 gran)
{
	e->gpa = gpa;
	e->size = size;
	e->attr = attr;
	e->gran = gran;
}

/* Every byte of [@gpa, @gpa + @size) is @pattern. */
static inline void guest_check(u64 gpa, u64 size, u8 pattern)
{
	u64 *p = (u64 *)gpa;
	u64 want = 0x0101010101010101ULL * pattern;
	u64 i;

	for (i = 0; i < size / 8; i++)
		__GUEST_ASSERT(p[i] == want, "gpa 0x%lx: 0x%lx, want 0x%lx",
			       gpa + i * 8, p[i], want);
}

#endif /* SELFTEST_KVM_PRIVMEM_UTIL_H */
