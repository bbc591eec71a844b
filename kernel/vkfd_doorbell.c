// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the doorbell and MMIO remap pages of a GPU VM.
 */

/**
 * DOC: doorbells
 *
 * On each GPU it has a VM on, a context has a doorbell slice of
 * VKFD_DOORBELL_SIZE bytes (8 KiB, as amdkfd's on gfx9): 1024 doorbells of
 * 8 bytes, the one of queue n at byte offset 8 * n (queue ids are unique
 * in a context, whatever the GPU). User space stores a queue's new write
 * pointer there; the SDMA engines poll it, as a page of memory cannot
 * trap. The MMIO remap page (the HDP flush register on real hardware) is
 * one page that nothing reads.
 *
 * Both are ordinary zeroed pages, allocated on first use (the first queue
 * on the GPU, or the first mmap), charged to the memory cgroup of the
 * caller, and freed with the VM. The doorbell slice is an order-1
 * allocation split into two pages: contiguous for the engines, each page
 * refcounted on its own for the mappings.
 *
 * They are published with cmpxchg_release() and need no lock: mmap runs
 * under the mmap lock, which vkfd takes under &vkfd_ctx.mem_lock (pinning
 * USERPTR pages), itself taken under &vkfd_ctx.queue_lock, so the mmap
 * path may take neither.
 *
 * mmap of /dev/kfd at the cookie ALLOC_MEMORY_OF_GPU and CREATE_QUEUE
 * return (type | gpu_id << 46, see vkfd_mmap.c) maps them, with amdkfd's
 * rules and more: exactly the whole slice (8 KiB) or page (4 KiB), at
 * exactly the cookie, MAP_SHARED only, not inherited by fork(), not
 * expandable, not dumped, VM_IO (no ptrace or /proc/<pid>/mem access, as
 * amdkfd's). The pages are inserted with a reference each, never as raw
 * PFNs, because the VMs of a primary are freed when its address space
 * goes, while its mappings can still exist: a page is freed when the VM
 * and every mapping have let go of it. Only the fd's own context is
 * mapped, never the caller's primary.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sizes.h>

#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_queue.h"
#include "vkfd_vm.h"

/* Pages of the doorbell slice: order 1. */
#define VKFD_DOORBELL_ORDER	1

static_assert(PAGE_SIZE << VKFD_DOORBELL_ORDER == VKFD_DOORBELL_SIZE);
static_assert(VKFD_DOORBELL_SIZE / sizeof(u64) >= VKFD_QUEUES_MAX);

/* Drop a reference on each of the 1 << @order pages at @page. */
static void vkfd_vm_pages_put(struct page *page, unsigned int order)
{
	unsigned int i;

	for (i = 0; i < 1U << order; i++)
		put_page(page + i);
}

/*
 * The 1 << @order zeroed pages at *@slot, allocated and published on
 * first use. Of several callers racing, one publishes, the others free
 * their pages and use the published ones.
 */
static struct page *vkfd_vm_pages_get(struct page **slot, unsigned int order)
{
	struct page *page, *old;

	/* Pairs with the cmpxchg_release() below: the pages are zeroed. */
	page = smp_load_acquire(slot);
	if (page)
		return page;
	page = alloc_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO, order);
	if (!page)
		return NULL;
	/* Independent pages, so that each can be mapped with a reference. */
	if (order)
		split_page(page, order);
	old = cmpxchg_release(slot, NULL, page);
	if (old) {
		vkfd_vm_pages_put(page, order);
		return old;
	}
	return page;
}

/**
 * vkfd_doorbell_get() - the doorbell slice of a VM, allocated on first use
 * @vm: the VM
 *
 * Context: Process context; may sleep. No lock needed.
 * Return: the kernel address of the slice (its VKFD_DOORBELL_SIZE / 8
 * doorbells), or NULL if out of memory.
 */
u64 *vkfd_doorbell_get(struct vkfd_vm *vm)
{
	struct page *page = vkfd_vm_pages_get(&vm->doorbells,
					      VKFD_DOORBELL_ORDER);

	return page ? page_address(page) : NULL;
}

/*
 * Map the doorbell slice (@doorbell) or the MMIO page of @ctx's VM on
 * @gpu: the checks of the DOC above, then the pages with a reference each.
 */
static int vkfd_vm_pages_mmap(struct vkfd_ctx *ctx, struct vkfd_gpu *gpu,
			      struct vm_area_struct *vma, bool doorbell)
{
	u64 type = doorbell ? VKFD_MMAP_TYPE_DOORBELL : VKFD_MMAP_TYPE_MMIO;
	unsigned int order = doorbell ? VKFD_DOORBELL_ORDER : 0;
	struct page *pages[1 << VKFD_DOORBELL_ORDER];
	unsigned long i, num = 1UL << order;
	struct vkfd_vm *vm;
	struct page *page;

	if ((u64)vma->vm_pgoff << PAGE_SHIFT !=
	    (type | VKFD_MMAP_GPU_ID(gpu->gpu_id)))
		return -EINVAL;
	if (vma->vm_end - vma->vm_start != num << PAGE_SHIFT)
		return -EINVAL;
	/* A private copy would not be the doorbell. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	/*
	 * Set once under mem_lock, freed only when nobody can use the
	 * context: not while its owner maps through its fd.
	 */
	vm = vkfd_ctx_vm(ctx, gpu->index);
	if (!vm)
		return -EINVAL;

	page = vkfd_vm_pages_get(doorbell ? &vm->doorbells : &vm->mmio, order);
	if (!page)
		return -ENOMEM;
	for (i = 0; i < num; i++)
		pages[i] = page + i;

	vm_flags_set(vma, VM_IO | VM_DONTCOPY | VM_DONTEXPAND | VM_NORESERVE |
			  VM_DONTDUMP);
	/* On failure the caller unmaps what was inserted. */
	return vm_insert_pages(vma, vma->vm_start, pages, &num);
}

/**
 * vkfd_doorbell_mmap() - mmap the doorbell slice of a context on a GPU
 * @ctx: the context of the fd being mapped
 * @gpu: the GPU the offset names
 * @vma: the new mapping
 *
 * Context: Process context, mmap_lock held for writing; takes no vkfd
 * lock.
 * Return: 0; -EINVAL if the offset is not exactly the cookie, the length
 * not exactly VKFD_DOORBELL_SIZE, the mapping not MAP_SHARED, or the
 * context has no VM on @gpu; -ENOMEM.
 */
int vkfd_doorbell_mmap(struct vkfd_ctx *ctx, struct vkfd_gpu *gpu,
		       struct vm_area_struct *vma)
{
	return vkfd_vm_pages_mmap(ctx, gpu, vma, true);
}

/**
 * vkfd_mmio_mmap() - mmap the MMIO remap page of a context on a GPU
 * @ctx: the context of the fd being mapped
 * @gpu: the GPU the offset names
 * @vma: the new mapping
 *
 * Context: Process context, mmap_lock held for writing; takes no vkfd
 * lock.
 * Return: 0; -EINVAL as vkfd_doorbell_mmap(), the length being one 4 KiB
 * page (and pages larger than 4 KiB refused, as amdkfd since
 * CVE-2024-41011); -ENOMEM.
 */
int vkfd_mmio_mmap(struct vkfd_ctx *ctx, struct vkfd_gpu *gpu,
		   struct vm_area_struct *vma)
{
	if (PAGE_SIZE != SZ_4K)
		return -EINVAL;
	return vkfd_vm_pages_mmap(ctx, gpu, vma, false);
}

/**
 * vkfd_doorbell_free() - drop a VM's references on its doorbell and MMIO pages
 * @vm: the VM, being destroyed; its queues are gone
 *
 * Mappings that still exist keep their pages until they are unmapped.
 *
 * Context: Process context.
 */
void vkfd_doorbell_free(struct vkfd_vm *vm)
{
	if (vm->doorbells)
		vkfd_vm_pages_put(vm->doorbells, VKFD_DOORBELL_ORDER);
	if (vm->mmio)
		vkfd_vm_pages_put(vm->mmio, 0);
	vm->doorbells = NULL;
	vm->mmio = NULL;
}
