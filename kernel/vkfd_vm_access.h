/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - access to a GPU VM's memory by GPU virtual address, as the
 * software engines see it: every byte through the VM's page table, with
 * the permissions of its PTE (vkfd_vm_access.c).
 */
#ifndef _VKFD_VM_ACCESS_H_
#define _VKFD_VM_ACCESS_H_

#include <linux/types.h>

struct vkfd_vm;

/**
 * struct vkfd_vm_fault - a GPU page fault, as an access reports it
 * @va: the first GPU VA the access could not reach (not page aligned
 *	if the access began in the middle of that page)
 * @write: the access was a write
 * @not_present: nothing is mapped at @va; else the page is mapped
 *	without the permission the access needed
 */
struct vkfd_vm_fault {
	u64 va;
	bool write;
	bool not_present;
};

int vkfd_vm_read_locked(struct vkfd_vm *vm, u64 va, void *buf, size_t len,
			struct vkfd_vm_fault *fault);
int vkfd_vm_write_locked(struct vkfd_vm *vm, u64 va, const void *buf,
			 size_t len, struct vkfd_vm_fault *fault);
int vkfd_vm_copy_locked(struct vkfd_vm *vm, u64 dst, u64 src, u64 len,
			u64 *done, struct vkfd_vm_fault *fault);
int vkfd_vm_fill_locked(struct vkfd_vm *vm, u64 dst, u32 pattern, u64 len,
			u64 *done, struct vkfd_vm_fault *fault);

/*
 * Computes a read-modify-write's new value in *@v from the old one there;
 * false: store nothing (vkfd_vm_rmw_locked()).
 */
typedef bool (*vkfd_vm_rmw_fn)(u64 *v, void *arg);

int vkfd_vm_rmw_locked(struct vkfd_vm *vm, u64 va, unsigned int size,
		       vkfd_vm_rmw_fn fn, void *arg,
		       struct vkfd_vm_fault *fault);

#endif /* _VKFD_VM_ACCESS_H_ */
