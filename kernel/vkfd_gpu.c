// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - a virtual GPU: one device with a managed lifetime.
 */

/**
 * DOC: GPU lifetime
 *
 * A GPU is one struct device, below the root device /sys/devices/<module>
 * (vkfd, or amdgpu when the driver is built as amdgpu.ko) and named after
 * the PCI-style address the topology publishes ("fffe:01:00.0" for the
 * first GPU; vkfd_gpu_dev.c says what rocm-smi reads there). Everything
 * else the GPU has is a managed resource of that device, in one devres
 * group, so that destroying the GPU is releasing the group: devres undoes
 * the steps of vkfd_gpu_create() in reverse order, and a creation that
 * fails half way undoes what it did the same way. In creation order:
 *
 * 1. struct vkfd_gpu, allocated with its DRM device by
 *    devm_drm_dev_alloc(); devres drops the DRM device's reference, which
 *    frees both unless a render file still holds the DRM device.
 * 2. The SDMA engines (vkfd_sdma_init()); devres stops them.
 * 3. The device in sysfs, with its files (device_add()); devres removes it.
 *    It must come after the engines: its gpu_busy_percent reads their
 *    accounting.
 * 4. The hwmon device rocm-smi looks for
 *    (devm_hwmon_device_register_with_groups()).
 * 5. The DRM device's card and render node (vkfd_drm_register()); devres
 *    unregisters them. Last: from here on userspace may open the GPU.
 *
 * The device itself is not managed (devres lives in it): its memory is
 * freed by its release callback, when vkfd_gpu_root_destroy() drops the
 * last reference after releasing the group. The group must be released
 * explicitly: the DRM device holds a reference on its parent, so the
 * device's own final devres release would never come.
 *
 * The root device carries an open devres group too, in which every GPU's
 * destruction is a managed action (vkfd_gpu_create() adds it once the GPU
 * is complete): vkfd_gpu_root_destroy() destroys the GPUs, last created
 * first, then unregisters the root. Module load creates the GPUs one by
 * one and, if one fails, destroys the root and with it those it made; a
 * GPU that fails leaves nothing behind itself.
 *
 * Nothing here takes a lock: the GPUs are created at module load before
 * the character device is added, and destroyed at unload after it is
 * removed and every context is gone (each holds the module, as does every
 * open render file), so nothing else looks at &vkfd_device.gpus then.
 */
#include <drm/drm_drv.h>
#include <linux/device.h>
#include <linux/slab.h>

#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_sdma.h"
#include "vkfd_topology.h"

static void vkfd_gpu_dev_release(struct device *dev)
{
	kfree(dev);
}

/* The GPU's device, initialised and named, not yet in sysfs. */
static struct device *vkfd_gpu_dev_alloc(struct vkfd_device *vdev,
					 unsigned int index)
{
	u32 loc = vkfd_topology_location_id(index);
	struct device *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	device_initialize(dev);
	dev->parent = vdev->gpu_root;
	dev->release = vkfd_gpu_dev_release;
	dev->groups = vkfd_gpu_dev_groups;
	ret = dev_set_name(dev, "%04x:%02x:%02x.%x", VKFD_PCI_DOMAIN,
			   loc >> 8, (loc >> 3) & 0x1f, loc & 0x7);
	if (ret) {
		put_device(dev);
		return ERR_PTR(ret);
	}
	return dev;
}

static void vkfd_gpu_sdma_stop(void *gpu)
{
	vkfd_sdma_fini(gpu);
}

static void vkfd_gpu_dev_del(void *dev)
{
	device_del(dev);
}

/*
 * Steps 1 to 5 of the DOC, each managed by @dev's devres: on failure the
 * caller releases the group.
 */
static struct vkfd_gpu *vkfd_gpu_build(struct device *dev, unsigned int index,
				       u64 vram_size)
{
	struct vkfd_gpu *gpu;
	int ret;

	gpu = devm_drm_dev_alloc(dev, &vkfd_drm_driver, struct vkfd_gpu, drm);
	if (IS_ERR(gpu))
		return gpu;
	gpu->dev = dev;
	gpu->index = index;
	gpu->gpu_id = vkfd_topology_gpu_id(index);
	gpu->vram_size = vram_size;
	atomic64_set(&gpu->vram_used, 0);
	atomic64_set(&gpu->gtt_used, 0);
	dev_set_drvdata(dev, gpu);

	ret = vkfd_sdma_init(gpu);
	if (ret)
		return ERR_PTR(ret);
	ret = devm_add_action_or_reset(dev, vkfd_gpu_sdma_stop, gpu);
	if (ret)
		return ERR_PTR(ret);

	ret = device_add(dev);
	if (ret)
		return ERR_PTR(ret);
	ret = devm_add_action_or_reset(dev, vkfd_gpu_dev_del, dev);
	if (ret)
		return ERR_PTR(ret);

	vkfd_gpu_hwmon_add(gpu);

	ret = vkfd_drm_register(gpu);
	return ret ? ERR_PTR(ret) : gpu;
}

/* Undo vkfd_gpu_create(): a managed action of the root device. */
static void vkfd_gpu_destroy(void *data)
{
	struct device *dev = data;

	devres_release_group(dev, dev);
	put_device(dev);
}

/**
 * vkfd_gpu_create() - create the next GPU of @vdev
 * @vdev: the device, with its root device (vkfd_gpu_root_create())
 * @vram_size: the GPU's VRAM budget, bytes
 *
 * Creates GPU number &vkfd_device.num_gpus (below %VKFD_MAX_GPUS) as the
 * DOC says and counts it in; vkfd_gpu_root_destroy() destroys it.
 *
 * Context: Process context, module load, before the character device is
 * added.
 * Return: 0 or a negative errno; on failure nothing of the GPU is left.
 */
int vkfd_gpu_create(struct vkfd_device *vdev, u64 vram_size)
{
	unsigned int index = vdev->num_gpus;
	struct vkfd_gpu *gpu;
	struct device *dev;
	int ret;

	dev = vkfd_gpu_dev_alloc(vdev, index);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	/* The device is its group's id: one group per device. */
	if (!devres_open_group(dev, dev, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto err_put_dev;
	}
	gpu = vkfd_gpu_build(dev, index, vram_size);
	if (IS_ERR(gpu)) {
		ret = PTR_ERR(gpu);
		goto err_release_group;
	}
	devres_close_group(dev, dev);

	/* From here on the root's group owns the GPU. */
	ret = devm_add_action_or_reset(vdev->gpu_root, vkfd_gpu_destroy, dev);
	if (ret)
		return ret;
	vdev->gpus[index] = gpu;
	vdev->num_gpus++;
	return 0;

err_release_group:
	devres_release_group(dev, dev);
err_put_dev:
	put_device(dev);
	return ret;
}

/**
 * vkfd_gpu_root_create() - register the parent of the GPUs' devices
 * @vdev: the device, without GPUs
 *
 * Registers /sys/devices/<module name> and opens the devres group that
 * will own the GPUs.
 *
 * Context: Process context, module load.
 * Return: 0 or a negative errno (-EEXIST if /sys/devices/<module name>
 * exists); on failure nothing is left registered.
 */
int vkfd_gpu_root_create(struct vkfd_device *vdev)
{
	struct device *root;

	root = root_device_register(KBUILD_MODNAME);
	if (IS_ERR(root))
		return PTR_ERR(root);
	/* Open until vkfd_gpu_root_destroy(): each GPU joins it. */
	if (!devres_open_group(root, root, GFP_KERNEL)) {
		root_device_unregister(root);
		return -ENOMEM;
	}
	vdev->gpu_root = root;
	return 0;
}

/**
 * vkfd_gpu_root_destroy() - destroy every GPU, then their root device
 * @vdev: the device; no context exists and no render file is open (both
 *	hold the module), unless module load is failing
 *
 * Once this returns no show() of a GPU's files runs any more, and the
 * GPUs are freed.
 *
 * Context: Process context, module unload or a failed load.
 */
void vkfd_gpu_root_destroy(struct vkfd_device *vdev)
{
	struct device *root = vdev->gpu_root;

	devres_release_group(root, root);
	memset(vdev->gpus, 0, sizeof(vdev->gpus));
	vdev->num_gpus = 0;
	root_device_unregister(root);
	vdev->gpu_root = NULL;
}

/**
 * vkfd_gpu_by_id() - find a GPU by its KFD gpu_id
 * @vdev: the device
 * @gpu_id: the gpu_id userspace passed
 *
 * Context: Any context.
 * Return: the GPU, or NULL if no GPU has that id (0, the CPU node's id,
 * included).
 */
struct vkfd_gpu *vkfd_gpu_by_id(struct vkfd_device *vdev, u32 gpu_id)
{
	u32 index = gpu_id - VKFD_GPU_ID_BASE;

	if (gpu_id < VKFD_GPU_ID_BASE || index >= vdev->num_gpus)
		return NULL;
	return vdev->gpus[index];
}
