/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - the GPU VM of a context on one GPU and what the context records
 * in it (vkfd_vm.c), its PASID (vkfd_pasid.c), its doorbell and MMIO
 * pages (vkfd_doorbell.c).
 */
#ifndef _VKFD_VM_H_
#define _VKFD_VM_H_

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/sizes.h>
#include <linux/types.h>

#include "vkfd_priv.h"
#include "vkfd_pt.h"

struct drm_file;
struct file;
struct page;
struct seq_file;
struct vkfd_gpu;
struct vkfd_user;
struct vm_area_struct;

/**
 * struct vkfd_vm - the GPU VM of a context on one GPU
 * @ctx: the context; the VM lives and dies with it
 * @gpu: the GPU
 * @pasid: the VM's PASID, published while the VM is usable
 * @user: the user the PASID is charged to (vkfd_user.c)
 * @pt: its page tables, under &vkfd_ctx.mem_lock
 * @render: the render file the VM is bound to; referenced until the VM
 *	is destroyed, so that it outlives every buffer it may map
 * @drm_file: the DRM file of @render
 * @vram: bytes of VRAM the context allocated on this GPU
 * @scratch_va: SET_SCRATCH_BACKING_VA, recorded
 * @default_policy: SET_MEMORY_POLICY, recorded
 * @alt_policy: SET_MEMORY_POLICY, recorded
 * @tba: SET_TRAP_HANDLER's trap base address, recorded
 * @tma: SET_TRAP_HANDLER's trap memory address, recorded
 * @doorbells: the context's doorbell slice on this GPU, VKFD_DOORBELL_SIZE
 *	bytes (an order-1 allocation, split into two refcounted pages), one
 *	64-bit doorbell per queue; allocated by the first queue or mmap,
 *	published with cmpxchg_release(), freed with the VM
 * @mmio: the context's MMIO remap page on this GPU (HDP flush), like
 *	@doorbells; writes to it have no effect
 * @doorbell_rang: a GPU store went through a VKFD_PTE_DOORBELL PTE (a
 *	DOORBELL buffer, backed by @doorbells) since the engine last looked;
 *	set by vkfd_vm_access.c, tested and cleared by the engine, which then
 *	rings @doorbells once it has dropped the lock. Under
 *	&vkfd_ctx.mem_lock.
 * @faults: GPU page faults of this VM's queues (sysfs counters_<gpuid>/faults)
 * @sdma_activity: bytes moved by this VM's SDMA queues (sysfs sdma_<gpuid>)
 *
 * @vram, @scratch_va, the policies, @tba and @tma are written under
 * &vkfd_ctx.mem_lock and read locklessly by sysfs and debugfs.
 */
struct vkfd_vm {
	struct vkfd_ctx *ctx;
	struct vkfd_gpu *gpu;
	u32 pasid;
	struct vkfd_user *user;
	struct vkfd_pt pt;
	struct file *render;
	struct drm_file *drm_file;
	u64 vram;
	u64 scratch_va;
	u32 default_policy;
	u32 alt_policy;
	u64 tba;
	u64 tma;
	struct vkfd_doorbells *doorbells;
	struct page *mmio;
	bool doorbell_rang;
	atomic64_t faults;
	atomic64_t sdma_activity;
};

/*
 * The GPU VM part of the address space, as AMDKFD_IOC_GET_PROCESS_APERTURES
 * and the render node's AMDGPU_INFO_DEV_INFO report it: from 2 MiB (the
 * bottom is reserved, as amdgpu's AMDGPU_VA_RESERVED_SIZE) to the 47-bit
 * canonical limit, so that libhsakmt uses the same addresses on the CPU
 * and the GPU.
 */
#define VKFD_GPUVM_BASE		SZ_2M
#define VKFD_GPUVM_LIMIT	(BIT_ULL(47) - 1)

/* A context's doorbell slice on one GPU, as amdkfd's on gfx9: 8 KiB. */
#define VKFD_DOORBELL_SIZE	(2 * PAGE_SIZE)

/* The PASID of @ctx's VM on GPU @i, 0 if it has none. */
static inline u32 vkfd_ctx_pasid(const struct vkfd_ctx *ctx, unsigned int i)
{
	const struct vkfd_vm *vm = vkfd_ctx_vm(ctx, i);

	return vm ? vm->pasid : 0;
}

/* vkfd_vm.c */
int vkfd_acquire_vm_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			  void *data);
void vkfd_vm_destroy(struct vkfd_vm *vm);
int vkfd_set_memory_policy_ioctl(struct vkfd_file *vfile,
				 struct vkfd_ctx *ctx, void *data);
int vkfd_set_scratch_backing_va_ioctl(struct vkfd_file *vfile,
				      struct vkfd_ctx *ctx, void *data);
int vkfd_set_trap_handler_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
				void *data);
void vkfd_trap_show(struct seq_file *m, struct vkfd_vm *vm);

/* vkfd_doorbell.c: the doorbell and MMIO remap pages */
int vkfd_doorbell_mmap(struct vkfd_ctx *ctx, struct vkfd_gpu *gpu,
		       struct vm_area_struct *vma);
int vkfd_mmio_mmap(struct vkfd_ctx *ctx, struct vkfd_gpu *gpu,
		   struct vm_area_struct *vma);
void vkfd_doorbell_free(struct vkfd_vm *vm);
u64 *vkfd_doorbell_get(struct vkfd_vm *vm);

/* vkfd_pasid.c */
int vkfd_pasid_alloc(u32 *pasid);
void vkfd_pasid_publish(u32 pasid, void *owner);
void vkfd_pasid_unpublish(u32 pasid);
void vkfd_pasid_free(u32 pasid);
void *vkfd_pasid_lookup(u32 pasid);
void vkfd_pasid_fini(void);

#endif /* _VKFD_VM_H_ */
