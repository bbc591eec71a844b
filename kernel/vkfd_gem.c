// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - buffer objects: GEM objects of the kernel's shmem helper.
 */

/**
 * DOC: buffer objects
 *
 * Every VRAM, GTT, DOORBELL and MMIO_REMAP buffer is a shmem GEM object of
 * its GPU's DRM device. Its pages are allocated on first use (a CPU mmap
 * or a GPU mapping), zeroed by shmem, charged to the memory cgroup of the
 * process that makes them, and pinned while mapped anywhere. A VRAM
 * buffer also counts against its GPU's VRAM budget for as long as the
 * object lives: until it is freed *and* no CPU mapping is left.
 *
 * CPU mappings go through the render file the buffer's VM is bound to:
 * only that file is allowed on the object's mmap offset, so another
 * context's render file gets EACCES from the DRM core.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>

#include "vkfd_gem.h"
#include "vkfd_gpu.h"
#include "vkfd_priv.h"

/**
 * struct vkfd_gem - a buffer object
 * @base: the shmem GEM object; first, the helper frees it with kfree()
 * @gpu: the GPU whose DRM device the object belongs to
 * @vram: bytes charged to @gpu's VRAM budget, returned when freed
 */
struct vkfd_gem {
	struct drm_gem_shmem_object base;
	struct vkfd_gpu *gpu;
	u64 vram;
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

static const struct drm_gem_object_funcs vkfd_gem_funcs = {
	.free = vkfd_gem_free,
	.mmap = vkfd_gem_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
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

/*
 * Take @size bytes of @gpu's VRAM budget. Never over budget, not even for
 * a moment: AVAILABLE_MEMORY reads the counter locklessly.
 */
static bool vkfd_gem_charge_vram(struct vkfd_gpu *gpu, u64 size)
{
	s64 used = atomic64_read(&gpu->vram_used);

	do {
		if (size > gpu->vram_size - used)
			return false;
	} while (!atomic64_try_cmpxchg(&gpu->vram_used, &used, used + size));
	return true;
}

/**
 * vkfd_gem_create() - create a buffer object
 * @gpu: its GPU
 * @size: its size, a multiple of PAGE_SIZE
 * @vram: charge it to @gpu's VRAM budget
 *
 * Context: Process context.
 * Return: the object, with one reference for the caller; -ENOMEM if
 * the VRAM budget or memory is exhausted.
 */
struct vkfd_gem *vkfd_gem_create(struct vkfd_gpu *gpu, u64 size, bool vram)
{
	struct drm_gem_shmem_object *shmem;
	struct vkfd_gem *gem;

	if (vram && !vkfd_gem_charge_vram(gpu, size))
		return ERR_PTR(-ENOMEM);

	shmem = drm_gem_shmem_create(&gpu->drm, size);
	if (IS_ERR(shmem)) {
		if (vram)
			atomic64_sub(size, &gpu->vram_used);
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
