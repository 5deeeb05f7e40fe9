/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by privmem_test and privmem_demo: a VM built by hand
 * (KVM_CAP_PRIVMEM must be enabled before the first memslot and vCPU)
 * and thin wrappers around the privmem ioctls.
 */
#ifndef SELFTEST_KVM_PRIVMEM_UTIL_H
#define SELFTEST_KVM_PRIVMEM_UTIL_H

#include <string.h>

#include <linux/kvm.h>

#include "kvm_util.h"
#include "ucall_common.h"

/* The boot memslot of a privmem VM: code, page tables, ucall. */
#define PM_SLOT0_PAGES	8192

static inline struct kvm_vm *pm_vm_create(u32 type)
{
	const struct vm_shape shape = { .mode = VM_MODE_DEFAULT, .type = type };

	return ____vm_create(shape);
}

/* What __vm_create() does after KVM_CREATE_VM, then @nr_vcpus vCPUs. */
static inline void pm_vm_finish(struct kvm_vm *vm, int nr_vcpus,
				struct kvm_vcpu **vcpus, void *guest_code)
{
	int i;

	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, 0, 0,
				    PM_SLOT0_PAGES, 0);
	for (i = 0; i < NR_MEM_REGIONS; i++)
		vm->memslots[i] = 0;
	kvm_vm_elf_load(vm, program_invocation_name);
	ucall_init(vm, (u64)PM_SLOT0_PAGES * PAGE_SIZE);
	kvm_arch_vm_post_create(vm, nr_vcpus);
	for (i = 0; i < nr_vcpus; i++)
		vcpus[i] = vm_vcpu_add(vm, i, guest_code);
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

static inline int pm_convert(struct kvm_vm *vm, struct kvm_privmem_entry *e,
			     u32 nr, struct kvm_privmem_convert *c)
{
	memset(c, 0, sizeof(*c));
	c->entries = (u64)e;
	c->nr = nr;
	return __vm_ioctl(vm, KVM_PRIVMEM_CONVERT, c);
}

static inline void pm_stats(struct kvm_vm *vm, struct kvm_privmem_stats *s)
{
	vm_ioctl(vm, KVM_PRIVMEM_GET_STATS, s);
}

#endif /* SELFTEST_KVM_PRIVMEM_UTIL_H */
