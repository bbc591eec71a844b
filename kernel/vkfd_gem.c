// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - buffer objects: GEM objects of the kernel's shmem helper.
 */

/**
 * DOC: buffer objects
 *
 * Every VRAM, GTT and MMIO_REMAP buffer is a shmem GEM object of
 * its GPU's DRM device. Its pages are allocated on first use (a CPU mmap
 * or a GPU mapping), zeroed by shmem, charged to the memory cgroup of the
 * process that makes them, and pinned while mapped anywhere. A VRAM
 * buffer also counts against its GPU's VRAM budget for as long as the
 * object lives: until it is freed *and* no CPU mapping is left. Every
 * other buffer (GTT, MMIO_REMAP) counts so against the GPU's
 * GTT budget and its user's share of it (vkfd_user.c): every object
 * takes its size out of the DRM device's mmap-offset space at creation,
 * and the two budgets keep that space from running out. A DOORBELL
 * buffer has no object: its pages are its VM's doorbell slice
 * (vkfd_mem.c).
 *
 * CPU mappings go through the render file the buffer's VM is bound to:
 * only that file is allowed on the object's mmap offset, so another
 * context's render file gets EACCES from the DRM core.
 *
 * Those mappings are VM_PFNMAP: get_user_pages() cannot reach them, so
 * ptrace(PTRACE_PEEKDATA/POKEDATA) and /proc/<pid>/mem go through
 * &vm_operations_struct.access, as for amdgpu's buffers
 * (ttm_bo_vm_access()). vkfd's copies through the kernel mapping of the
 * object's pages, with the mm core's rules for a forced access: reading
 * needs a mapping that may be readable (a PROT_NONE one too, so that a
 * debugger sees VRAM libhsakmt maps without host access), writing one
 * that is writable now. Past the object or the mapping nothing is
 * copied, and the caller gets EIO (or a short count) from the mm core.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>

#include "vkfd_gem.h"
#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_user.h"

/**
 * struct vkfd_gem - a buffer object
 * @base: the shmem GEM object; first, the helper frees it with kfree()
 * @gpu: the GPU whose DRM device the object belongs to
 * @vram: bytes charged to @gpu's VRAM budget, returned when freed
 * @gtt: bytes charged to @gpu's GTT budget and to @user, returned when
 *	freed
 * @user: the user charged with @gtt, NULL if it is 0
 */
struct vkfd_gem {
	struct drm_gem_shmem_object base;
	struct vkfd_gpu *gpu;
	u64 vram;
	u64 gtt;
	struct vkfd_user *user;
};

static struct vkfd_gem *to_vkfd_gem(struct drm_gem_object *obj)
{
	return container_of(obj, struct vkfd_gem, base.base);
}

static void vkfd_gem_free(struct drm_gem_object *obj)
{
	struct vkfd_gem *gem = to_vkfd_gem(obj);

	if (gem->vram)
		atomic64_sub(gem->vram, &gem->gpu->vram_used);
	if (gem->gtt) {
		atomic64_sub(gem->gtt, &gem->gpu->gtt_used);
		vkfd_user_uncharge_gtt(gem->user, gem->gpu->index, gem->gtt);
	}
	drm_gem_shmem_free(&gem->base);
}

static int vkfd_gem_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	/*
	 * libhsakmt maps VRAM without host access MAP_PRIVATE with
	 * PROT_NONE. Accept that as amdgpu does, by making the mapping one
	 * that can never become writable, hence never copy-on-write. Other
	 * private mappings the shmem helper refuses with EINVAL.
	 */
	if (is_cow_mapping(vma->vm_flags) &&
	    !(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)))
		vm_flags_clear(vma, VM_MAYWRITE);
	return drm_gem_shmem_mmap(&to_vkfd_gem(obj)->base, vma);
}

/*
 * ptrace and /proc/<pid>/mem (see the DOC above). The offset is the
 * shmem helper's fault handler's, so that a forced access lands where a
 * load or store through the mapping would. Returns the bytes copied, or
 * a negative errno, which the mm core turns into EIO.
 */
static int vkfd_gem_vm_access(struct vm_area_struct *vma, unsigned long addr,
			      void *buf, int len, int write)
{
	struct drm_gem_object *obj = vma->vm_private_data;
	struct vkfd_gem *gem = to_vkfd_gem(obj);
	unsigned long off = addr - vma->vm_start;
	struct page **pages;
	void *vaddr;
	int done, n;

	if (write ? !(vma->vm_flags & VM_WRITE) :
		    !(vma->vm_flags & VM_MAYREAD))
		return -EACCES;
	if (len <= 0 || off >= obj->size)
		return -EIO;
	len = min3((unsigned long)len, obj->size - off, vma->vm_end - addr);

	/* Mapped pages stay, but a pin needs no knowledge of how. */
	pages = vkfd_gem_get_pages(gem);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	for (done = 0; done < len; done += n, off += n) {
		n = min_t(int, len - done, PAGE_SIZE - offset_in_page(off));
		vaddr = kmap_local_page(pages[off >> PAGE_SHIFT]);
		if (write)
			memcpy(vaddr + offset_in_page(off), buf + done, n);
		else
			memcpy(buf + done, vaddr + offset_in_page(off), n);
		kunmap_local(vaddr);
	}
	vkfd_gem_put_pages(gem);
	return done;
}

/*
 * The shmem helper's operations, which are not exported one by one, and
 * an access method of vkfd's own.
 */
static vm_fault_t vkfd_gem_vm_fault(struct vm_fault *vmf)
{
	return drm_gem_shmem_vm_ops.fault(vmf);
}

static void vkfd_gem_vm_open(struct vm_area_struct *vma)
{
	drm_gem_shmem_vm_ops.open(vma);
}

static void vkfd_gem_vm_close(struct vm_area_struct *vma)
{
	drm_gem_shmem_vm_ops.close(vma);
}

static const struct vm_operations_struct vkfd_gem_vm_ops = {
	.fault = vkfd_gem_vm_fault,
	.open = vkfd_gem_vm_open,
	.close = vkfd_gem_vm_close,
	.access = vkfd_gem_vm_access,
};

static const struct drm_gem_object_funcs vkfd_gem_funcs = {
	.free = vkfd_gem_free,
	.mmap = vkfd_gem_mmap,
	.vm_ops = &vkfd_gem_vm_ops,
};

/**
 * vkfd_gem_create_object() - &drm_driver.gem_create_object of vkfd
 * @drm: the DRM device
 * @size: the object's size
 *
 * Context: Process context.
 * Return: the new object's GEM base, or -ENOMEM.
 */
struct drm_gem_object *vkfd_gem_create_object(struct drm_device *drm,
					      size_t size)
{
	struct vkfd_gem *gem;

	gem = kzalloc(sizeof(*gem), GFP_KERNEL_ACCOUNT);
	if (!gem)
		return ERR_PTR(-ENOMEM);
	gem->base.base.funcs = &vkfd_gem_funcs;
	return &gem->base.base;
}

/* Charge a new object of @size bytes to @gpu's GTT and the caller's user. */
static struct vkfd_user *vkfd_gem_charge_gtt(struct vkfd_gpu *gpu, u64 size)
{
	struct vkfd_user *user;
	int ret;

	user = vkfd_user_get();
	if (!user)
		return ERR_PTR(-ENOMEM);
	ret = vkfd_user_charge_gtt(user, gpu->index, size);
	if (ret)
		return ERR_PTR(ret);
	if (!vkfd_charge_below(&gpu->gtt_used, vkfd_user_gtt_budget(), size)) {
		vkfd_user_uncharge_gtt(user, gpu->index, size);
		return ERR_PTR(-ENOMEM);
	}
	return user;
}

/* Undo a charge of vkfd_gem_create() that did not go to an object. */
static void vkfd_gem_uncharge(struct vkfd_gpu *gpu, u64 size, bool vram,
			      struct vkfd_user *user)
{
	if (vram) {
		atomic64_sub(size, &gpu->vram_used);
	} else {
		atomic64_sub(size, &gpu->gtt_used);
		vkfd_user_uncharge_gtt(user, gpu->index, size);
	}
}

/**
 * vkfd_gem_create() - create a buffer object
 * @gpu: its GPU
 * @size: its size, a multiple of PAGE_SIZE
 * @vram: charge it to @gpu's VRAM budget, else to its GTT budget and to
 *	the calling user's share of it
 *
 * Context: Process context.
 * Return: the object, with one reference for the caller; -ENOMEM if
 * the VRAM or GTT budget, the user's share of the GTT, or memory is
 * exhausted.
 */
struct vkfd_gem *vkfd_gem_create(struct vkfd_gpu *gpu, u64 size, bool vram)
{
	struct drm_gem_shmem_object *shmem;
	struct vkfd_user *user = NULL;
	struct vkfd_gem *gem;

	if (vram) {
		if (!vkfd_charge_below(&gpu->vram_used, gpu->vram_size, size))
			return ERR_PTR(-ENOMEM);
	} else {
		user = vkfd_gem_charge_gtt(gpu, size);
		if (IS_ERR(user))
			return ERR_CAST(user);
	}

	shmem = drm_gem_shmem_create(&gpu->drm, size);
	if (IS_ERR(shmem)) {
		vkfd_gem_uncharge(gpu, size, vram, user);
		/*
		 * shmem reports a failed inode allocation, and DRM a full
		 * mmap offset space, as ENOSPC: both are out of memory here.
		 */
		if (PTR_ERR(shmem) == -ENOSPC)
			return ERR_PTR(-ENOMEM);
		return ERR_CAST(shmem);
	}
	gem = to_vkfd_gem(&shmem->base);
	gem->gpu = gpu;
	gem->vram = vram ? size : 0;
	gem->gtt = vram ? 0 : size;
	gem->user = user;
	return gem;
}

/**
 * vkfd_gem_get_pages() - pin the pages of a buffer object
 * @gem: the object
 *
 * Allocates the pages on first use. Every successful call must be
 * balanced by vkfd_gem_put_pages().
 *
 * Context: Process context.
 * Return: the object's pages, or -ENOMEM, -EINTR.
 */
struct page **vkfd_gem_get_pages(struct vkfd_gem *gem)
{
	int ret;

	ret = drm_gem_shmem_pin(&gem->base);
	if (ret)
		return ERR_PTR(ret);
	return gem->base.pages;
}

/**
 * vkfd_gem_put_pages() - unpin the pages of a buffer object
 * @gem: the object
 *
 * Context: Process context.
 */
void vkfd_gem_put_pages(struct vkfd_gem *gem)
{
	drm_gem_shmem_unpin(&gem->base);
}

/**
 * vkfd_gem_allow() - let a render file mmap a buffer object
 * @gem: the object
 * @drm_file: the render file
 *
 * Context: Process context.
 * Return: 0 or -ENOMEM.
 */
int vkfd_gem_allow(struct vkfd_gem *gem, struct drm_file *drm_file)
{
	return drm_vma_node_allow(&gem->base.base.vma_node, drm_file);
}

/**
 * vkfd_gem_revoke() - undo vkfd_gem_allow(); existing mappings stay
 * @gem: the object
 * @drm_file: the render file
 *
 * Context: Process context.
 */
void vkfd_gem_revoke(struct vkfd_gem *gem, struct drm_file *drm_file)
{
	drm_vma_node_revoke(&gem->base.base.vma_node, drm_file);
}

/**
 * vkfd_gem_mmap_offset() - where a render file maps a buffer object
 * @gem: the object
 *
 * Context: Any context.
 * Return: the mmap offset in bytes.
 */
u64 vkfd_gem_mmap_offset(struct vkfd_gem *gem)
{
	return drm_vma_node_offset_addr(&gem->base.base.vma_node);
}

/**
 * vkfd_gem_get() - take another reference on a buffer object
 * @gem: the object, referenced by the caller
 *
 * Context: Any context.
 */
void vkfd_gem_get(struct vkfd_gem *gem)
{
	drm_gem_object_get(&gem->base.base);
}

/**
 * vkfd_gem_put() - drop a reference on a buffer object
 * @gem: the object
 *
 * The object and its VRAM charge go with the last reference; CPU
 * mappings hold references of their own.
 *
 * Context: Process context.
 */
void vkfd_gem_put(struct vkfd_gem *gem)
{
	drm_gem_object_put(&gem->base.base);
}
