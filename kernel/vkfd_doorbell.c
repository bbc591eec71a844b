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
 * pointer there. The MMIO remap page (the HDP flush register on real
 * hardware) is one page that nothing reads.
 *
 * Both are ordinary zeroed pages, allocated on first use (the first queue
 * on the GPU, or the first mmap), charged to the memory cgroup of the
 * caller, and freed with the VM and the last mapping. The doorbell slice
 * is an order-1 allocation split into two pages: contiguous for the
 * engines, each page refcounted on its own for the mappings. It lives in
 * &struct vkfd_doorbells, refcounted: the VM, each mapping of it, each
 * DOORBELL buffer (whose GPU mappings are the slice's pages, with
 * VKFD_PTE_DOORBELL: a GPU store there rings the slice, vkfd_mem.c) and
 * an engine serving it hold a reference.
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
 *
 * A doorbell write wakes the engines (issue 13's "doorbell wake"). A page
 * of memory cannot trap, but a missing page table entry can: the MMIO
 * page is mapped at mmap, the doorbell slice only by its fault handler,
 * which inserts the page (vm_insert_page(): refcounted, VM_MIXEDMAP) and
 * then rings the slice, vkfd_sdma_doorbell_rang(): its queues go on their
 * engines' ready lists and the engines wake at once. An engine whose
 * slice stayed idle *arms* it, vkfd_doorbell_arm(): it removes the pages
 * from every user mapping again (unmap_mapping_range(), which takes the
 * mapping's i_mmap_rwsem, never a process's mmap_lock), so that the next
 * doorbell write faults. To zap one slice and no other, each slice's
 * mappings get a page offset of their own (@pgoff, below 2^34, where no
 * cookie of /dev/kfd lies) in the address space of the device node they
 * were made through. A slice mapped through two device nodes (two address
 * spaces) is never armed: its engines poll it, as all were before. While
 * a context is busy its pages stay mapped: arming costs nothing then.
 */
#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include "vkfd_doorbell.h"
#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_queue.h"
#include "vkfd_vm.h"

/* Pages of the doorbell slice: order 1. */
#define VKFD_DOORBELL_ORDER	1
#define VKFD_DOORBELL_PAGES	BIT(VKFD_DOORBELL_ORDER)

static_assert(PAGE_SIZE << VKFD_DOORBELL_ORDER == VKFD_DOORBELL_SIZE);
static_assert(VKFD_DOORBELL_SIZE / sizeof(u64) >= VKFD_QUEUES_MAX);

/*
 * The page offsets of the slices' mappings: two pages each, counted up,
 * below the cookies of /dev/kfd (the lowest, the MMIO page's, has a GPU
 * id from bit 46 of the byte offset on). Wrapping around would only make
 * a zap hit a slice it was not meant for: a spurious fault.
 */
#define VKFD_DOORBELL_PGOFF_END	BIT_ULL(34)
static atomic64_t vkfd_doorbell_pgoff = ATOMIC64_INIT(0);

/* Drop a reference on each of the 1 << @order pages at @page. */
static void vkfd_vm_pages_put(struct page *page, unsigned int order)
{
	unsigned int i;

	for (i = 0; i < 1U << order; i++)
		put_page(page + i);
}

/* 1 << @order zeroed pages, each refcounted on its own; NULL: no memory. */
static struct page *vkfd_vm_pages_alloc(unsigned int order)
{
	struct page *page = alloc_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO, order);

	/* Independent pages, so that each can be mapped with a reference. */
	if (page && order)
		split_page(page, order);
	return page;
}

static void vkfd_doorbells_release(struct kref *ref)
{
	struct vkfd_doorbells *db = container_of(ref, struct vkfd_doorbells,
						 ref);

	if (db->mapping)
		iput(db->mapping->host);
	vkfd_vm_pages_put(db->pages, VKFD_DOORBELL_ORDER);
	kfree(db);
}

/**
 * vkfd_doorbells_put() - drop a reference on a doorbell slice
 * @db: the slice
 *
 * Context: Process context; may sleep (the last reference puts an inode).
 */
void vkfd_doorbells_put(struct vkfd_doorbells *db)
{
	kref_put(&db->ref, vkfd_doorbells_release);
}

static struct vkfd_doorbells *vkfd_doorbells_alloc(struct vkfd_gpu *gpu)
{
	struct vkfd_doorbells *db;
	unsigned int i;

	db = kzalloc(sizeof(*db), GFP_KERNEL_ACCOUNT);
	if (!db)
		return NULL;
	db->pages = vkfd_vm_pages_alloc(VKFD_DOORBELL_ORDER);
	if (!db->pages) {
		kfree(db);
		return NULL;
	}
	kref_init(&db->ref);
	db->gpu = gpu;
	db->cpu = page_address(db->pages);
	db->pgoff = (atomic64_fetch_add(VKFD_DOORBELL_PAGES,
					&vkfd_doorbell_pgoff) &
		     (VKFD_DOORBELL_PGOFF_END - 1));
	for (i = 0; i < VKFD_SDMA_ENGINES; i++) {
		db->group[i].db = db;
		INIT_LIST_HEAD(&db->group[i].queues);
		INIT_LIST_HEAD(&db->group[i].ready_node);
	}
	return db;
}

/* The doorbell slice of @vm, allocated and published on first use. */
static struct vkfd_doorbells *vkfd_doorbells_of(struct vkfd_vm *vm)
{
	struct vkfd_doorbells *db, *old;

	/* Pairs with the cmpxchg_release() below: the slice is set up. */
	db = smp_load_acquire(&vm->doorbells);
	if (db)
		return db;
	db = vkfd_doorbells_alloc(vm->gpu);
	if (!db)
		return NULL;
	old = cmpxchg_release(&vm->doorbells, NULL, db);
	if (old) {
		vkfd_doorbells_put(db);
		return old;
	}
	return db;
}

/**
 * vkfd_doorbells_get() - a reference on the doorbell slice of a VM
 * @vm: the VM
 *
 * For a DOORBELL buffer, whose pages are the slice's: the reference keeps
 * them for as long as the buffer lives, whatever happens to the VM's.
 *
 * Context: Process context; may sleep. No lock needed.
 * Return: the slice, allocated on first use, with a reference for the
 * caller (vkfd_doorbells_put()); NULL if out of memory.
 */
struct vkfd_doorbells *vkfd_doorbells_get(struct vkfd_vm *vm)
{
	struct vkfd_doorbells *db = vkfd_doorbells_of(vm);

	if (db)
		kref_get(&db->ref);
	return db;
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
	struct vkfd_doorbells *db = vkfd_doorbells_of(vm);

	return db ? db->cpu : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_doorbell_get);

/**
 * vkfd_doorbell_arm() - unmap a doorbell slice from user space
 * @db: the slice, referenced by the caller
 *
 * Removes the slice's pages from every user mapping: the next access
 * faults, and the fault rings the slice (vkfd_sdma_doorbell_rang()).
 *
 * Context: Process context (an engine); sleeps on the i_mmap_rwsem of the
 * device node's address space, which nothing holds for long.
 * Return: false if the slice cannot be armed (mapped through two device
 * nodes): it must be polled.
 */
bool vkfd_doorbell_arm(struct vkfd_doorbells *db)
{
	/* Pairs with the cmpxchg_release() of the first mmap. */
	struct address_space *mapping = smp_load_acquire(&db->mapping);

	if (READ_ONCE(db->unarmable))
		return false;
	/* Not mapped yet: a later mapping faults first. */
	if (mapping)
		unmap_mapping_range(mapping, (loff_t)db->pgoff << PAGE_SHIFT,
				    VKFD_DOORBELL_SIZE, 1);
	return true;
}

static void vkfd_doorbell_vm_open(struct vm_area_struct *vma)
{
	struct vkfd_doorbells *db = vma->vm_private_data;

	kref_get(&db->ref);
}

static void vkfd_doorbell_vm_close(struct vm_area_struct *vma)
{
	vkfd_doorbells_put(vma->vm_private_data);
}

/*
 * A first access since the slice was mapped or armed: map the page, then
 * ring. In this order: once the slice rang, an engine may arm it again,
 * and its zap must come after this page table entry, not before.
 */
static vm_fault_t vkfd_doorbell_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vkfd_doorbells *db = vma->vm_private_data;
	pgoff_t i = vmf->pgoff - db->pgoff;
	int ret;

	if (i >= VKFD_DOORBELL_PAGES)
		return VM_FAULT_SIGBUS;
	/* -EBUSY: another thread's fault mapped it first. */
	ret = vm_insert_page(vma, vmf->address & PAGE_MASK, db->pages + i);
	if (ret && ret != -EBUSY)
		return vmf_error(ret);
	vkfd_sdma_doorbell_rang(db);
	return VM_FAULT_NOPAGE;
}

static const struct vm_operations_struct vkfd_doorbell_vm_ops = {
	.open = vkfd_doorbell_vm_open,
	.close = vkfd_doorbell_vm_close,
	.fault = vkfd_doorbell_fault,
};

/* The checks of the DOC above: offset, length, sharing. */
static int vkfd_vm_pages_check(struct vkfd_gpu *gpu,
			       struct vm_area_struct *vma, bool doorbell)
{
	u64 type = doorbell ? VKFD_MMAP_TYPE_DOORBELL : VKFD_MMAP_TYPE_MMIO;
	unsigned long num = doorbell ? VKFD_DOORBELL_PAGES : 1;

	if ((u64)vma->vm_pgoff << PAGE_SHIFT !=
	    (type | VKFD_MMAP_GPU_ID(gpu->gpu_id)))
		return -EINVAL;
	if (vma->vm_end - vma->vm_start != num << PAGE_SHIFT)
		return -EINVAL;
	/* A private copy would not be the doorbell. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	return 0;
}

/**
 * vkfd_doorbell_mmap() - mmap the doorbell slice of a context on a GPU
 * @ctx: the context of the fd being mapped
 * @gpu: the GPU the offset names
 * @vma: the new mapping
 *
 * Maps nothing yet: the fault handler does, page by page (see the DOC).
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
	struct address_space *mapping = vma->vm_file->f_mapping, *old;
	struct vkfd_doorbells *db;
	struct vkfd_vm *vm;
	int ret;

	ret = vkfd_vm_pages_check(gpu, vma, true);
	if (ret)
		return ret;
	/*
	 * Set once under mem_lock, freed only when nobody can use the
	 * context: not while its owner maps through its fd.
	 */
	vm = vkfd_ctx_vm(ctx, gpu->index);
	if (!vm)
		return -EINVAL;
	db = vkfd_doorbells_of(vm);
	if (!db)
		return -ENOMEM;

	/* The inode goes with the slice, not with this fd. */
	ihold(mapping->host);
	old = cmpxchg_release(&db->mapping, NULL, mapping);
	if (old) {
		iput(mapping->host);
		if (old != mapping)
			WRITE_ONCE(db->unarmable, true);
	}
	vm_flags_set(vma, VM_IO | VM_DONTCOPY | VM_DONTEXPAND | VM_NORESERVE |
			  VM_DONTDUMP | VM_MIXEDMAP);
	/* Where the slice's zap finds it; the cookie was checked. */
	vma->vm_pgoff = db->pgoff;
	kref_get(&db->ref);
	vma->vm_private_data = db;
	vma->vm_ops = &vkfd_doorbell_vm_ops;
	return 0;
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
	struct page *page, *old;
	unsigned long num = 1;
	struct vkfd_vm *vm;
	int ret;

	if (PAGE_SIZE != SZ_4K)
		return -EINVAL;
	ret = vkfd_vm_pages_check(gpu, vma, false);
	if (ret)
		return ret;
	/* As for the doorbells */
	vm = vkfd_ctx_vm(ctx, gpu->index);
	if (!vm)
		return -EINVAL;

	/* Pairs with the cmpxchg_release() below: the page is zeroed. */
	page = smp_load_acquire(&vm->mmio);
	if (!page) {
		page = vkfd_vm_pages_alloc(0);
		if (!page)
			return -ENOMEM;
		old = cmpxchg_release(&vm->mmio, NULL, page);
		if (old) {
			put_page(page);
			page = old;
		}
	}
	vm_flags_set(vma, VM_IO | VM_DONTCOPY | VM_DONTEXPAND | VM_NORESERVE |
			  VM_DONTDUMP);
	/* On failure the caller unmaps what was inserted. */
	return vm_insert_pages(vma, vma->vm_start, &page, &num);
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
		vkfd_doorbells_put(vm->doorbells);
	if (vm->mmio)
		put_page(vm->mmio);
	vm->doorbells = NULL;
	vm->mmio = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_doorbell_free);
