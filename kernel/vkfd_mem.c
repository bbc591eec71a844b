// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - GPU memory of a context: buffer handles and GPU mappings.
 */

/**
 * DOC: GPU memory
 *
 * AMDKFD_IOC_ALLOC_MEMORY_OF_GPU makes a buffer for a GPU address and
 * returns a handle, gpu_id << 32 | n, from the context's own table: a
 * handle means nothing through another context's fd. MAP_MEMORY_TO_GPU
 * writes the buffer's pages into the page tables of the context's VM on
 * each GPU listed, at the buffer's address; UNMAP_MEMORY_FROM_GPU and
 * FREE_MEMORY_OF_GPU take them out again.
 *
 * A buffer's pages stay pinned while it is mapped on some GPU: a GEM
 * object's through the shmem helper's use count (once per GPU), a
 * USERPTR's with pin_user_pages() from its first GPU mapping to its last
 * unmapping. Everything here runs under &vkfd_ctx.mem_lock.
 *
 * A USERPTR's pins are long-term: they are charged to the process's
 * pinned_vm (VmPin in /proc/<pid>/status) and held to its RLIMIT_MEMLOCK,
 * as RDMA's and io_uring's are; without CAP_IPC_LOCK, a MAP that would
 * pin beyond the limit fails with ENOMEM. Each USERPTR buffer is charged
 * for its own pins, even where two cover the same pages, as RDMA charges
 * each registration: the limit bounds what one process can pin in all.
 * The charge is returned when the pages are unpinned, to the address space
 * charged: the context's, which it keeps (mmgrab()) as long as it lives.
 * A USERPTR can be no larger than the system's RAM (ENOMEM at ALLOC): the
 * pins could never succeed, and the array of its pages must stay within
 * what the kernel allocates.
 */
#include <linux/kfd_ioctl.h>
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vkfd_doorbell.h"
#include "vkfd_gem.h"
#include "vkfd_gpu.h"
#include "vkfd_mem.h"
#include "vkfd_priv.h"
#include "vkfd_pt.h"
#include "vkfd_vm.h"

#define VKFD_MEM_DOMAINS	(KFD_IOC_ALLOC_MEM_FLAGS_VRAM |		\
				 KFD_IOC_ALLOC_MEM_FLAGS_GTT |		\
				 KFD_IOC_ALLOC_MEM_FLAGS_USERPTR |	\
				 KFD_IOC_ALLOC_MEM_FLAGS_DOORBELL |	\
				 KFD_IOC_ALLOC_MEM_FLAGS_MMIO_REMAP)

#define VKFD_MEM_ATTRS		(KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE |	\
				 KFD_IOC_ALLOC_MEM_FLAGS_EXECUTABLE |	\
				 KFD_IOC_ALLOC_MEM_FLAGS_PUBLIC |	\
				 KFD_IOC_ALLOC_MEM_FLAGS_NO_SUBSTITUTE | \
				 KFD_IOC_ALLOC_MEM_FLAGS_AQL_QUEUE_MEM | \
				 KFD_IOC_ALLOC_MEM_FLAGS_COHERENT |	\
				 KFD_IOC_ALLOC_MEM_FLAGS_UNCACHED)

/* One page of MMIO remap; doorbell slices are VKFD_DOORBELL_SIZE. */
#define VKFD_MMIO_SIZE		PAGE_SIZE

/* More ids than this in one MAP/UNMAP call cannot all be distinct GPUs. */
#define VKFD_MEM_MAX_DEVICE_IDS	1024

/**
 * struct vkfd_mem - a buffer of a context
 * @id: its id in &vkfd_ctx.mem, the low 32 bits of its handle
 * @va: GPU address it is mapped at, on every GPU
 * @size: size in bytes
 * @flags: KFD_IOC_ALLOC_MEM_FLAGS_*
 * @vm: the VM it was allocated in: its GPU, and its render file for mmap
 * @gem: the buffer object; NULL for USERPTR and DOORBELL
 * @db: of a DOORBELL buffer, its VM's doorbell slice, referenced: the
 *	buffer's pages are the slice's (see vkfd_mem_map_locked())
 * @db_pages: of a DOORBELL buffer, those pages, as vkfd_pt_map() takes them
 * @user_addr: of a USERPTR, the CPU address of its memory
 * @user_pages: of a USERPTR, its pages while pinned (mapped), else NULL
 * @mapped: GPU indices it is mapped on
 */
struct vkfd_mem {
	u32 id;
	u64 va;
	u64 size;
	u32 flags;
	struct vkfd_vm *vm;
	struct vkfd_gem *gem;
	struct vkfd_doorbells *db;
	struct page *db_pages[VKFD_DOORBELL_SIZE / PAGE_SIZE];
	unsigned long user_addr;
	struct page **user_pages;
	unsigned long mapped;
};

static unsigned long vkfd_mem_npages(const struct vkfd_mem *mem)
{
	return mem->size >> PAGE_SHIFT;
}

static bool vkfd_mem_writable(const struct vkfd_mem *mem)
{
	return mem->flags & KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE;
}

/* The GPU VM of @ctx on @gpu_id, or NULL. */
static struct vkfd_vm *vkfd_mem_vm_locked(struct vkfd_ctx *ctx, u32 gpu_id)
{
	struct vkfd_gpu *gpu;

	lockdep_assert_held(&ctx->mem_lock);

	gpu = vkfd_gpu_by_id(ctx->vdev, gpu_id);
	return gpu ? ctx->vm[gpu->index] : NULL;
}

/* The buffer behind a handle of @ctx, or NULL. */
static struct vkfd_mem *vkfd_mem_lookup_locked(struct vkfd_ctx *ctx,
					       u64 handle)
{
	struct vkfd_mem *mem;

	lockdep_assert_held(&ctx->mem_lock);

	mem = xa_load(&ctx->mem, lower_32_bits(handle));
	if (!mem || mem->vm->gpu->gpu_id != upper_32_bits(handle))
		return NULL;
	return mem;
}

/*
 * Charge @npages long-term pins to @mm's pinned_vm, within the caller's
 * RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK, as ib_umem_get() does.
 */
static int vkfd_mem_charge_pins(struct mm_struct *mm, unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	s64 pinned = atomic64_add_return(npages, &mm->pinned_vm);

	if (pinned > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(npages, &mm->pinned_vm);
		return -ENOMEM;
	}
	return 0;
}

/* Pin a USERPTR's pages, the first time it is mapped. */
static int vkfd_mem_pin_user_locked(struct vkfd_mem *mem)
{
	struct vkfd_limits *limits = &mem->vm->ctx->limits;
	struct mm_struct *mm = mem->vm->ctx->mm;
	unsigned long npages = vkfd_mem_npages(mem);
	unsigned int gup = FOLL_LONGTERM;
	struct page **pages;
	long pinned;
	int ret;

	lockdep_assert_held(&mem->vm->ctx->mem_lock);

	if (vkfd_mem_writable(mem))
		gup |= FOLL_WRITE;
	ret = vkfd_limits_try_charge(limits, VKFD_LIMIT_USERPTR, mem->size);
	if (ret)
		return ret;
	ret = vkfd_mem_charge_pins(mm, npages);
	if (ret)
		goto err_unlimit;
	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages) {
		ret = -ENOMEM;
		goto err_uncharge;
	}
	pinned = pin_user_pages_fast(mem->user_addr, npages, gup, pages);
	if (pinned != npages) {
		if (pinned > 0)
			unpin_user_pages(pages, pinned);
		kvfree(pages);
		ret = pinned == -ENOMEM ? -ENOMEM : -EFAULT;
		goto err_uncharge;
	}
	mem->user_pages = pages;
	return 0;

err_uncharge:
	atomic64_sub(npages, &mm->pinned_vm);
err_unlimit:
	vkfd_limits_uncharge(limits, VKFD_LIMIT_USERPTR, mem->size);
	return ret;
}

static void vkfd_mem_unpin_user_locked(struct vkfd_mem *mem)
{
	lockdep_assert_held(&mem->vm->ctx->mem_lock);

	unpin_user_pages_dirty_lock(mem->user_pages, vkfd_mem_npages(mem),
				    vkfd_mem_writable(mem));
	kvfree(mem->user_pages);
	mem->user_pages = NULL;
	/* The context's mm, grabbed for its lifetime: whoever unpins. */
	atomic64_sub(vkfd_mem_npages(mem), &mem->vm->ctx->mm->pinned_vm);
	vkfd_limits_uncharge(&mem->vm->ctx->limits, VKFD_LIMIT_USERPTR,
			     mem->size);
}

/* Pin the pages of @mem for one more GPU mapping. */
static struct page **vkfd_mem_get_pages_locked(struct vkfd_mem *mem)
{
	int ret;

	lockdep_assert_held(&mem->vm->ctx->mem_lock);

	/* The slice's pages: @mem->db holds them as long as @mem lives. */
	if (mem->db)
		return mem->db_pages;
	if (mem->gem)
		return vkfd_gem_get_pages(mem->gem);
	if (!mem->user_pages) {
		ret = vkfd_mem_pin_user_locked(mem);
		if (ret)
			return ERR_PTR(ret);
	}
	return mem->user_pages;
}

/* Undo vkfd_mem_get_pages_locked(), after @mem->mapped was updated. */
static void vkfd_mem_put_pages_locked(struct vkfd_mem *mem)
{
	lockdep_assert_held(&mem->vm->ctx->mem_lock);

	if (mem->db)
		return;
	if (mem->gem)
		vkfd_gem_put_pages(mem->gem);
	else if (!mem->mapped)
		vkfd_mem_unpin_user_locked(mem);
}

static int vkfd_mem_map_locked(struct vkfd_mem *mem, struct vkfd_vm *vm)
{
	u64 pte_flags = VKFD_PTE_VALID | VKFD_PTE_READABLE;
	struct page **pages;
	int ret;

	lockdep_assert_held(&vm->ctx->mem_lock);

	/* Mapping again where it is mapped is a no-op, as in amdgpu. */
	if (test_bit(vm->gpu->index, &mem->mapped))
		return 0;
	if (vkfd_mem_writable(mem))
		pte_flags |= VKFD_PTE_WRITEABLE;
	if (mem->flags & (KFD_IOC_ALLOC_MEM_FLAGS_GTT |
			  KFD_IOC_ALLOC_MEM_FLAGS_USERPTR))
		pte_flags |= VKFD_PTE_SYSTEM;
	if (mem->db) {
		/* Its own VM's slice only: a store there rings that VM's. */
		if (vm != mem->vm)
			return -EINVAL;
		pte_flags |= VKFD_PTE_DOORBELL;
	}

	pages = vkfd_mem_get_pages_locked(mem);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	ret = vkfd_pt_map(&vm->pt, mem->va, pages, vkfd_mem_npages(mem),
			  pte_flags);
	if (ret) {
		vkfd_mem_put_pages_locked(mem);
		/* An overlap is EINVAL, as amdgpu_vm_bo_map() says. */
		return ret == -EEXIST ? -EINVAL : ret;
	}
	__set_bit(vm->gpu->index, &mem->mapped);
	return 0;
}

static void vkfd_mem_unmap_locked(struct vkfd_mem *mem, struct vkfd_vm *vm)
{
	lockdep_assert_held(&vm->ctx->mem_lock);

	vkfd_pt_unmap(&vm->pt, mem->va, vkfd_mem_npages(mem));
	__clear_bit(vm->gpu->index, &mem->mapped);
	vkfd_mem_put_pages_locked(mem);
}

/*
 * Undo vkfd_mem_back(): the buffer object goes, with its VRAM charge, and
 * the context's limits are uncharged.
 */
static void vkfd_mem_unback(struct vkfd_mem *mem)
{
	vkfd_limits_uncharge_mem(&mem->vm->ctx->limits, mem->flags,
				 mem->size);
	if (mem->db)
		vkfd_doorbells_put(mem->db);
	if (!mem->gem)
		return;
	vkfd_gem_revoke(mem->gem, mem->vm->drm_file);
	vkfd_gem_put(mem->gem);
}

/* Unmap @mem everywhere and free it; its handle is gone already. */
static void vkfd_mem_destroy_locked(struct vkfd_ctx *ctx, struct vkfd_mem *mem)
{
	unsigned int i;

	lockdep_assert_held(&ctx->mem_lock);

	for_each_set_bit(i, &mem->mapped, VKFD_MAX_GPUS)
		vkfd_mem_unmap_locked(mem, ctx->vm[i]);
	if (mem->flags & KFD_IOC_ALLOC_MEM_FLAGS_VRAM)
		WRITE_ONCE(mem->vm->vram, mem->vm->vram - mem->size);
	vkfd_mem_unback(mem);
	ctx->nr_mem--;
	kfree(mem);
}

/**
 * vkfd_mem_release_locked() - free every buffer of a context
 * @ctx: a context nobody can use any more
 *
 * Context: Process context; the caller holds &vkfd_ctx.mem_lock.
 */
void vkfd_mem_release_locked(struct vkfd_ctx *ctx)
{
	struct vkfd_mem *mem;
	unsigned long id;

	lockdep_assert_held(&ctx->mem_lock);

	xa_for_each(&ctx->mem, id, mem) {
		xa_erase(&ctx->mem, id);
		vkfd_mem_destroy_locked(ctx, mem);
	}
}

/* Check everything about an allocation that needs no state. */
static int vkfd_mem_check_alloc(struct vkfd_ctx *ctx,
				const struct kfd_ioctl_alloc_memory_of_gpu_args *args)
{
	u32 domain = args->flags & VKFD_MEM_DOMAINS;

	if (args->flags & ~(VKFD_MEM_DOMAINS | VKFD_MEM_ATTRS))
		return -EINVAL;
	if (hweight32(domain) != 1)
		return -EINVAL;
	if (!args->size || !PAGE_ALIGNED(args->size) ||
	    !PAGE_ALIGNED(args->va_addr) ||
	    args->size > VKFD_PT_VA_END ||
	    args->va_addr > VKFD_PT_VA_END - args->size)
		return -EINVAL;
	switch (domain) {
	case KFD_IOC_ALLOC_MEM_FLAGS_USERPTR:
		/* Upstream's rule: the primary's memory only. */
		if (!vkfd_ctx_is_primary(ctx))
			return -EOPNOTSUPP;
		if (!PAGE_ALIGNED(args->mmap_offset))
			return -EINVAL;
		if (!access_ok(u64_to_user_ptr(args->mmap_offset), args->size))
			return -EFAULT;
		/* More than the RAM could never be pinned. */
		if (args->size >> PAGE_SHIFT > totalram_pages() ||
		    args->size >> PAGE_SHIFT > INT_MAX / sizeof(struct page *))
			return -ENOMEM;
		break;
	case KFD_IOC_ALLOC_MEM_FLAGS_DOORBELL:
		if (args->size != VKFD_DOORBELL_SIZE)
			return -EINVAL;
		break;
	case KFD_IOC_ALLOC_MEM_FLAGS_MMIO_REMAP:
		if (args->size != VKFD_MMIO_SIZE)
			return -EINVAL;
		break;
	}
	return 0;
}

/*
 * A DOORBELL buffer: its VM's doorbell slice, allocated now if it was not
 * (as amdkfd's ALLOC allocates the process's doorbells), and the /dev/kfd
 * cookie that maps it on the CPU. Charged as amdgpu charges its doorbell
 * BOs: one buffer, no GTT (the slice is no memory of the buffer's own).
 */
static int vkfd_mem_back_doorbell(struct vkfd_mem *mem, u64 *mmap_offset)
{
	unsigned int i;

	mem->db = vkfd_doorbells_get(mem->vm);
	if (!mem->db)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(mem->db_pages); i++)
		mem->db_pages[i] = mem->db->pages + i;
	*mmap_offset = VKFD_MMAP_TYPE_DOORBELL |
		       VKFD_MMAP_GPU_ID(mem->vm->gpu->gpu_id);
	return 0;
}

/*
 * Back @mem with a buffer object, with the caller's memory, or with its
 * VM's doorbell slice, once it is charged to the context's limits
 * (-EDQUOT).
 */
static int vkfd_mem_back(struct vkfd_mem *mem, u64 *mmap_offset)
{
	struct vkfd_vm *vm = mem->vm;
	bool vram = mem->flags & KFD_IOC_ALLOC_MEM_FLAGS_VRAM;
	u64 cookie = VKFD_MMAP_GPU_ID(vm->gpu->gpu_id);
	int ret;

	ret = vkfd_limits_charge_mem(&vm->ctx->limits, mem->flags, mem->size);
	if (ret)
		return ret;
	if (mem->flags & KFD_IOC_ALLOC_MEM_FLAGS_USERPTR) {
		mem->user_addr = *mmap_offset;
		return 0;
	}
	if (mem->flags & KFD_IOC_ALLOC_MEM_FLAGS_DOORBELL) {
		ret = vkfd_mem_back_doorbell(mem, mmap_offset);
		if (ret)
			goto err_uncharge;
		return 0;
	}

	mem->gem = vkfd_gem_create(vm->gpu, mem->size, vram);
	if (IS_ERR(mem->gem)) {
		ret = PTR_ERR(mem->gem);
		mem->gem = NULL;
		goto err_uncharge;
	}

	if (mem->flags & KFD_IOC_ALLOC_MEM_FLAGS_MMIO_REMAP) {
		*mmap_offset = VKFD_MMAP_TYPE_MMIO | cookie;
	} else {
		ret = vkfd_gem_allow(mem->gem, vm->drm_file);
		if (ret)
			goto err_put;
		*mmap_offset = vkfd_gem_mmap_offset(mem->gem);
	}
	return 0;

err_put:
	vkfd_gem_put(mem->gem);
	mem->gem = NULL;
err_uncharge:
	vkfd_limits_uncharge_mem(&vm->ctx->limits, mem->flags, mem->size);
	return ret;
}

/*
 * AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, build phase: a buffer of the caller's
 * VM, backed and charged to the GPU's VRAM budget, under an id reserved in
 * &vkfd_ctx.mem (no lookup sees it), and the reply: handle and mmap
 * offset. Return: the buffer; -EINVAL for bad flags, size, address, GPU or
 * no VM; -EOPNOTSUPP for USERPTR on a secondary; -EFAULT for a USERPTR
 * range outside user space; -EDQUOT above the context's limits; -ENOMEM
 * for a USERPTR larger than the RAM, when the VRAM or GTT budget, the
 * user's share of the GTT (vkfd_user.c) or memory is exhausted. On failure
 * nothing changed.
 */
static void *vkfd_mem_build(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			    void *data)
{
	struct kfd_ioctl_alloc_memory_of_gpu_args *args = data;
	u64 mmap_offset = args->mmap_offset;
	struct vkfd_mem *mem;
	struct vkfd_vm *vm;
	u32 id;
	int ret;

	ret = vkfd_mem_check_alloc(ctx, args);
	if (ret)
		return ERR_PTR(ret);

	mem = kzalloc(sizeof(*mem), GFP_KERNEL_ACCOUNT);
	if (!mem)
		return ERR_PTR(-ENOMEM);
	mem->va = args->va_addr;
	mem->size = args->size;
	mem->flags = args->flags;

	mutex_lock(&ctx->mem_lock);
	vm = vkfd_mem_vm_locked(ctx, args->gpu_id);
	if (!vm) {
		ret = -EINVAL;
		goto err_unlock;
	}
	mem->vm = vm;
	ret = vkfd_mem_back(mem, &mmap_offset);
	if (ret)
		goto err_unlock;
	/* Reserved: the slot holds nothing until vkfd_mem_publish(). */
	ret = xa_alloc(&ctx->mem, &id, NULL, xa_limit_31b, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_unback;
	mem->id = id;
	mutex_unlock(&ctx->mem_lock);

	args->handle = (u64)vm->gpu->gpu_id << 32 | id;
	args->mmap_offset = mmap_offset;
	return mem;

err_unback:
	vkfd_mem_unback(mem);
err_unlock:
	mutex_unlock(&ctx->mem_lock);
	kfree(mem);
	return ERR_PTR(ret);
}

/* The caller has the handle: store the buffer in its reserved slot. */
static void vkfd_mem_publish(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			     void *obj)
{
	struct vkfd_mem *mem = obj;

	mutex_lock(&ctx->mem_lock);
	/* Fills the reserved slot: allocates nothing, cannot fail. */
	xa_store(&ctx->mem, mem->id, mem, GFP_KERNEL_ACCOUNT);
	ctx->nr_mem++;
	if (mem->flags & KFD_IOC_ALLOC_MEM_FLAGS_VRAM)
		WRITE_ONCE(mem->vm->vram, mem->vm->vram + mem->size);
	mutex_unlock(&ctx->mem_lock);
}

/* The handle never reached the caller: free the buffer and its id. */
static void vkfd_mem_abort(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *obj)
{
	struct vkfd_mem *mem = obj;

	mutex_lock(&ctx->mem_lock);
	xa_erase(&ctx->mem, mem->id);
	vkfd_mem_unback(mem);
	mutex_unlock(&ctx->mem_lock);
	kfree(mem);
}

/*
 * AMDKFD_IOC_ALLOC_MEMORY_OF_GPU: see vkfd_mem_build() for what it checks
 * and answers. Takes &vkfd_ctx.mem_lock in each phase.
 */
const struct vkfd_create_ops vkfd_mem_create_ops = {
	.build = vkfd_mem_build,
	.publish = vkfd_mem_publish,
	.abort = vkfd_mem_abort,
};

/**
 * vkfd_free_memory_ioctl() - AMDKFD_IOC_FREE_MEMORY_OF_GPU
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_free_memory_of_gpu_args
 *
 * Unmaps the buffer from every GPU first: libhsakmt frees without
 * unmapping.
 *
 * Context: Process context; takes &vkfd_ctx.mem_lock.
 * Return: 0, or -EINVAL if the handle is unknown to the context.
 */
int vkfd_free_memory_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *data)
{
	struct kfd_ioctl_free_memory_of_gpu_args *args = data;
	struct vkfd_mem *mem;

	mutex_lock(&ctx->mem_lock);
	mem = vkfd_mem_lookup_locked(ctx, args->handle);
	if (!mem) {
		mutex_unlock(&ctx->mem_lock);
		return -EINVAL;
	}
	xa_erase(&ctx->mem, lower_32_bits(args->handle));
	vkfd_mem_destroy_locked(ctx, mem);
	mutex_unlock(&ctx->mem_lock);
	return 0;
}

/* Copy the GPU id array of a MAP or UNMAP call in. */
static u32 *vkfd_mem_copy_ids(u64 uptr, u32 n_devices, u32 n_success)
{
	if (!n_devices || n_devices > VKFD_MEM_MAX_DEVICE_IDS ||
	    n_success > n_devices)
		return ERR_PTR(-EINVAL);
	return memdup_user(u64_to_user_ptr(uptr), n_devices * sizeof(u32));
}

typedef int vkfd_mem_op_fn(struct vkfd_mem *mem, struct vkfd_vm *vm);

static int vkfd_mem_op_map(struct vkfd_mem *mem, struct vkfd_vm *vm)
{
	return vkfd_mem_map_locked(mem, vm);
}

static int vkfd_mem_op_unmap(struct vkfd_mem *mem, struct vkfd_vm *vm)
{
	if (!test_bit(vm->gpu->index, &mem->mapped))
		return -EINVAL;
	vkfd_mem_unmap_locked(mem, vm);
	return 0;
}

/*
 * MAP and UNMAP: apply @op to each GPU of the id array from *@n_success
 * on, counting successes in *@n_success, as amdkfd does, so that the
 * caller learns how far a failed call got.
 */
static int vkfd_mem_apply(struct vkfd_ctx *ctx, u64 handle, u64 uptr,
			  u32 n_devices, u32 *n_success, vkfd_mem_op_fn *op)
{
	struct vkfd_mem *mem;
	struct vkfd_vm *vm;
	u32 *ids;
	int ret = 0;
	u32 i;

	ids = vkfd_mem_copy_ids(uptr, n_devices, *n_success);
	if (IS_ERR(ids))
		return PTR_ERR(ids);

	mutex_lock(&ctx->mem_lock);
	mem = vkfd_mem_lookup_locked(ctx, handle);
	if (!mem) {
		ret = -EINVAL;
		goto out_unlock;
	}
	for (i = *n_success; i < n_devices; i++) {
		vm = vkfd_mem_vm_locked(ctx, ids[i]);
		if (!vm) {
			ret = -EINVAL;
			break;
		}
		ret = op(mem, vm);
		if (ret)
			break;
		*n_success = i + 1;
	}
out_unlock:
	mutex_unlock(&ctx->mem_lock);
	kfree(ids);
	return ret;
}

/**
 * vkfd_map_memory_ioctl() - AMDKFD_IOC_MAP_MEMORY_TO_GPU
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_map_memory_to_gpu_args
 *
 * Context: Process context; takes &vkfd_ctx.mem_lock.
 * Return: 0; -EINVAL for a bad id array, an unknown handle or GPU, a GPU
 * without VM, an overlap; -EFAULT if the array or a USERPTR's memory
 * cannot be read; -EDQUOT if pinning a USERPTR would take the context
 * above its limit; -ENOMEM, also if pinning a USERPTR would exceed the
 * caller's RLIMIT_MEMLOCK. @n_success tells how far it got.
 */
int vkfd_map_memory_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			  void *data)
{
	struct kfd_ioctl_map_memory_to_gpu_args *args = data;

	return vkfd_mem_apply(ctx, args->handle, args->device_ids_array_ptr,
			      args->n_devices, &args->n_success,
			      vkfd_mem_op_map);
}

/**
 * vkfd_unmap_memory_ioctl() - AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_unmap_memory_from_gpu_args
 *
 * Context: Process context; takes &vkfd_ctx.mem_lock.
 * Return: 0; -EINVAL for a bad id array, an unknown handle or GPU, or a
 * GPU the buffer is not mapped on; -EFAULT. @n_success tells how far it
 * got.
 */
int vkfd_unmap_memory_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			    void *data)
{
	struct kfd_ioctl_unmap_memory_from_gpu_args *args = data;

	return vkfd_mem_apply(ctx, args->handle, args->device_ids_array_ptr,
			      args->n_devices, &args->n_success,
			      vkfd_mem_op_unmap);
}

/**
 * vkfd_mem_get_gtt() - the buffer object of a GTT buffer, referenced
 * @ctx: the context
 * @handle: a buffer handle of @ctx
 * @size: the buffer's size, returned
 *
 * For the events' signal page, which keeps the object (and its own pin of
 * the pages) after the handle is freed.
 *
 * Context: Process context; takes &vkfd_ctx.mem_lock.
 * Return: the object with a new reference, or -EINVAL if @handle is not a
 * GTT buffer of @ctx.
 */
struct vkfd_gem *vkfd_mem_get_gtt(struct vkfd_ctx *ctx, u64 handle, u64 *size)
{
	struct vkfd_gem *gem = ERR_PTR(-EINVAL);
	struct vkfd_mem *mem;

	mutex_lock(&ctx->mem_lock);
	mem = vkfd_mem_lookup_locked(ctx, handle);
	if (mem && (mem->flags & KFD_IOC_ALLOC_MEM_FLAGS_GTT)) {
		gem = mem->gem;
		vkfd_gem_get(gem);
		*size = mem->size;
	}
	mutex_unlock(&ctx->mem_lock);
	return gem;
}
