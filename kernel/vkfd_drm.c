// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the DRM render node of each virtual GPU.
 *
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
 * The device has no ioctls of its own beyond the DRM core's. Its files
 * hold the module (DRM takes a reference on the driver's fops owner), so
 * vkfd cannot be unloaded while a render file is open.
 */
#include <linux/platform_device.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

#include "vkfd_priv.h"

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

static const struct drm_driver vkfd_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	.open = vkfd_drm_open,
	.postclose = vkfd_drm_postclose,
	.fops = &vkfd_drm_fops,
	.gem_create_object = vkfd_gem_create_object,
	.name = "vkfd",
	.desc = "vkfd virtual GPU",
	.date = "20261121",
	.major = 1,
	.minor = 0,
};

/**
 * vkfd_drm_render_minor() - the minor of a GPU's render node
 * @gpu: the GPU
 *
 * Context: Any context, after vkfd_drm_init().
 * Return: the minor, 128..255.
 */
unsigned int vkfd_drm_render_minor(const struct vkfd_gpu *gpu)
{
	return gpu->drm->render->index;
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
	if (drm_file->minor->dev != gpu->drm ||
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

static void vkfd_drm_gpu_fini(struct vkfd_gpu *gpu)
{
	if (gpu->drm) {
		drm_dev_unregister(gpu->drm);
		drm_dev_put(gpu->drm);
		gpu->drm = NULL;
	}
	if (gpu->pdev) {
		platform_device_unregister(gpu->pdev);
		gpu->pdev = NULL;
	}
}

static int vkfd_drm_gpu_init(struct vkfd_gpu *gpu)
{
	struct drm_device *drm;
	int ret;

	/*
	 * DRM wants a parent device; it names the GPU in sysfs too. Named
	 * after the module, so that vkfd.ko and amdgpu.ko can coexist.
	 */
	gpu->pdev = platform_device_register_simple(KBUILD_MODNAME, gpu->index,
						    NULL, 0);
	if (IS_ERR(gpu->pdev)) {
		ret = PTR_ERR(gpu->pdev);
		gpu->pdev = NULL;
		return ret;
	}

	drm = drm_dev_alloc(&vkfd_drm_driver, &gpu->pdev->dev);
	if (IS_ERR(drm)) {
		ret = PTR_ERR(drm);
		goto err_fini;
	}
	ret = drm_dev_register(drm, 0);
	if (ret) {
		drm_dev_put(drm);
		goto err_fini;
	}
	gpu->drm = drm;
	return 0;

err_fini:
	vkfd_drm_gpu_fini(gpu);
	return ret;
}

/**
 * vkfd_drm_init() - register the DRM device of every GPU
 * @vdev: the device
 *
 * Context: Process context, module load.
 * Return: 0 or a negative errno; on failure nothing is left registered.
 */
int vkfd_drm_init(struct vkfd_device *vdev)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vdev->num_gpus; i++) {
		ret = vkfd_drm_gpu_init(&vdev->gpus[i]);
		if (ret) {
			vkfd_drm_fini(vdev);
			return ret;
		}
	}
	return 0;
}

/**
 * vkfd_drm_fini() - unregister the DRM devices
 * @vdev: the device
 *
 * Context: Process context, module unload (no render file is open: each
 * holds the module) or a failed load.
 */
void vkfd_drm_fini(struct vkfd_device *vdev)
{
	unsigned int i;

	for (i = 0; i < vdev->num_gpus; i++)
		vkfd_drm_gpu_fini(&vdev->gpus[i]);
}
