// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the DRM render node of each virtual GPU.
 */

/**
 * DOC: render nodes
 *
 * As amdgpu, every GPU has a DRM device whose render node
 * (/dev/dri/renderD<minor>, the minor the topology publishes) userspace
 * opens, once per GPU and context, for two things:
 *
 * - AMDKFD_IOC_ACQUIRE_VM binds a context's GPU VM on that GPU to one
 *   render file. A render file carries at most one VM; the binding ends
 *   only with the VM (the VM holds a reference on the file).
 * - CPU mappings of VRAM and GTT buffers are mmap()s of the render file
 *   bound to the VM the buffer was allocated in, at the offset
 *   AMDKFD_IOC_ALLOC_MEMORY_OF_GPU returned (see vkfd_gem.c).
 *
 * Beyond the DRM core's ioctls, the render node answers amdgpu's
 * DRM_IOCTL_AMDGPU_INFO for the queries libdrm_amdgpu makes when
 * amdgpu_device_initialize() opens a GPU (vkfd_drm_info.c), which
 * libhsakmt does for every GPU to learn its marketing name. For that the
 * driver reports amdgpu's version, 3.49 (KMS_DRIVER_MAJOR and _MINOR of
 * Linux 6.1's amdgpu): libdrm_amdgpu refuses any major but 3, and the
 * minor tells userspace which amdgpu features the kernel has, so vkfd
 * claims those of the amdgpu whose AMDGPU_INFO it answers like. The
 * driver's name stays "vkfd": libdrm_amdgpu never looks at it, while
 * Mesa's loader picks its driver by it and would load radeonsi for a
 * device named "amdgpu".
 *
 * The DRM device is allocated with the GPU (it is embedded in struct
 * vkfd_gpu) and its parent is the GPU's device (vkfd_gpu.c). Its files
 * hold the module (DRM takes a reference on the driver's fops owner), so
 * vkfd cannot be unloaded while a render file is open; each also holds
 * a reference on the DRM device, and so on the GPU.
 */
#include <drm/amdgpu_drm.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

#include "vkfd_gem.h"
#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_vm.h"

/**
 * struct vkfd_render_file - vkfd's state of an open render node
 * @vm: the VM bound to the file, or NULL; set once with cmpxchg(), so of
 *	two contexts racing to acquire one file exactly one wins, and
 *	cleared when that VM is destroyed
 */
struct vkfd_render_file {
	struct vkfd_vm *vm;
};

static int vkfd_drm_open(struct drm_device *drm, struct drm_file *file)
{
	struct vkfd_render_file *rfile;

	rfile = kzalloc(sizeof(*rfile), GFP_KERNEL_ACCOUNT);
	if (!rfile)
		return -ENOMEM;
	file->driver_priv = rfile;
	return 0;
}

static void vkfd_drm_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct vkfd_render_file *rfile = file->driver_priv;

	/* A bound VM holds the file: it cannot be closed before the VM. */
	WARN_ON(rfile->vm);
	kfree(rfile);
}

DEFINE_DRM_GEM_FOPS(vkfd_drm_fops);

static const struct drm_ioctl_desc vkfd_drm_ioctls[] = {
	DRM_IOCTL_DEF_DRV(AMDGPU_INFO, vkfd_drm_info_ioctl, DRM_RENDER_ALLOW),
};

/* The driver of every GPU's DRM device (vkfd_gpu.c allocates them). */
const struct drm_driver vkfd_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	.open = vkfd_drm_open,
	.postclose = vkfd_drm_postclose,
	.fops = &vkfd_drm_fops,
	.gem_create_object = vkfd_gem_create_object,
	.ioctls = vkfd_drm_ioctls,
	.num_ioctls = ARRAY_SIZE(vkfd_drm_ioctls),
	.name = "vkfd",
	.desc = "vkfd virtual GPU",
	VKFD_DRM_DATE("20261121")
	/* amdgpu's KMS_DRIVER_MAJOR and _MINOR in Linux 6.1, see the DOC */
	.major = 3,
	.minor = 49,
};

/**
 * vkfd_drm_gpu() - the GPU of a DRM device
 * @drm: one of vkfd's DRM devices
 *
 * Context: Any context.
 * Return: the GPU.
 */
struct vkfd_gpu *vkfd_drm_gpu(struct drm_device *drm)
{
	return container_of(drm, struct vkfd_gpu, drm);
}

/**
 * vkfd_drm_render_minor() - the minor of a GPU's render node
 * @gpu: the GPU
 *
 * Context: Any context.
 * Return: the minor, 128..255.
 */
unsigned int vkfd_drm_render_minor(const struct vkfd_gpu *gpu)
{
	return gpu->drm.render->index;
}

/**
 * vkfd_drm_render_file() - the DRM file of @gpu's render node behind @file
 * @gpu: the GPU
 * @file: a file the caller holds a reference on
 *
 * Context: Any context.
 * Return: the DRM file, or NULL if @file is not an open render node of
 * @gpu (another GPU's, a card node, another driver's, any other file).
 */
struct drm_file *vkfd_drm_render_file(struct vkfd_gpu *gpu, struct file *file)
{
	struct drm_file *drm_file;

	/* DRM's open() installs the driver's fops on the file. */
	if (file->f_op != &vkfd_drm_fops)
		return NULL;
	drm_file = file->private_data;
	if (drm_file->minor->dev != &gpu->drm ||
	    drm_file->minor->type != DRM_MINOR_RENDER)
		return NULL;
	return drm_file;
}

/**
 * vkfd_drm_bind() - bind a VM to a render file
 * @drm_file: a render file of the VM's GPU
 * @vm: the VM, which holds a reference on the file
 *
 * Context: Any context.
 * Return: 0, or -EINVAL if the file is bound to another VM already.
 */
int vkfd_drm_bind(struct drm_file *drm_file, struct vkfd_vm *vm)
{
	struct vkfd_render_file *rfile = drm_file->driver_priv;

	return cmpxchg(&rfile->vm, NULL, vm) ? -EINVAL : 0;
}

/**
 * vkfd_drm_unbind() - undo vkfd_drm_bind()
 * @drm_file: the render file
 * @vm: the VM bound to it
 *
 * The file may be bound again afterwards.
 *
 * Context: Any context.
 */
void vkfd_drm_unbind(struct drm_file *drm_file, struct vkfd_vm *vm)
{
	struct vkfd_render_file *rfile = drm_file->driver_priv;

	WARN_ON(cmpxchg(&rfile->vm, vm, NULL) != vm);
}

static void vkfd_drm_unregister(void *drm)
{
	drm_dev_unregister(drm);
}

/**
 * vkfd_drm_register() - register a GPU's DRM device: its card and render
 *	node
 * @gpu: the GPU, its device in sysfs
 *
 * The DRM device is unregistered by the GPU device's devres, when the GPU
 * is destroyed (vkfd_gpu.c).
 *
 * Context: Process context, GPU creation.
 * Return: 0 or a negative errno; on failure the DRM device is not
 * registered.
 */
int vkfd_drm_register(struct vkfd_gpu *gpu)
{
	int ret;

	ret = drm_dev_register(&gpu->drm, 0);
	if (ret)
		return ret;
	return devm_add_action_or_reset(gpu->dev, vkfd_drm_unregister,
					&gpu->drm);
}
