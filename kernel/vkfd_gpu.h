/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - a virtual GPU: one device with a managed lifetime (vkfd_gpu.c).
 */
#ifndef _VKFD_GPU_H_
#define _VKFD_GPU_H_

#include <drm/drm_device.h>
#include <linux/atomic.h>
#include <linux/types.h>

#include "vkfd_busy.h"

/* SDMA engines per GPU: the topology's num_sdma_engines. */
#define VKFD_SDMA_ENGINES	2

struct attribute_group;
struct device;
struct drm_file;
struct file;
struct vkfd_ctx;
struct vkfd_device;
struct vkfd_file;
struct vkfd_sdma_engine;
struct vkfd_vm;

/**
 * struct vkfd_gpu - one virtual GPU
 * @drm: the GPU's DRM device, with a render node. vkfd_gpu is allocated
 *	with it (devm_drm_dev_alloc()) and freed with it, when its last
 *	reference goes: at the latest when vkfd_gpu_root_destroy() releases
 *	the GPU's device, later only if a render file is still open then.
 * @dev: the GPU's device, /sys/devices/<module>/<domain:bus:dev.fn>
 *	(vkfd_gpu.c, its files in vkfd_gpu_dev.c); parent of @drm and of
 *	the hwmon device. Everything the GPU owns is a managed resource of
 *	this device, released in reverse order by vkfd_gpu_root_destroy().
 * @index: position in &vkfd_device.gpus; topology node @index + 1
 * @gpu_id: the KFD gpu_id userspace names this GPU with; non-zero, unique
 * @vram_size: VRAM budget in bytes
 * @vram_used: VRAM allocated by all contexts, bytes; never above
 *	@vram_size
 * @gtt_used: GTT (every buffer not in VRAM) allocated by all contexts,
 *	bytes; never above vkfd_user_gtt_budget()
 * @sdma: its SDMA engines (vkfd_sdma.c), started when the GPU is created,
 *	stopped when it is destroyed
 * @sdma_next: round-robin cursor that spreads new queues over @sdma
 * @busy: how long @sdma were busy (vkfd_busy.c)
 *
 * Immutable once created, but for @vram_used, @gtt_used, @sdma_next and @busy.
 */
struct vkfd_gpu {
	struct drm_device drm;
	struct device *dev;
	unsigned int index;
	u32 gpu_id;
	u64 vram_size;
	atomic64_t vram_used;
	atomic64_t gtt_used;
	struct vkfd_sdma_engine *sdma[VKFD_SDMA_ENGINES];
	atomic_t sdma_next;
	struct vkfd_busy busy;
};

/* vkfd_gpu.c */
int vkfd_gpu_root_create(struct vkfd_device *vdev);
void vkfd_gpu_root_destroy(struct vkfd_device *vdev);
int vkfd_gpu_create(struct vkfd_device *vdev, u64 vram_size);
struct vkfd_gpu *vkfd_gpu_by_id(struct vkfd_device *vdev, u32 gpu_id);

/* vkfd_gpu_dev.c: the files of the GPU's device */
extern const struct attribute_group *vkfd_gpu_dev_groups[];
void vkfd_gpu_hwmon_add(struct vkfd_gpu *gpu);

/* vkfd_drm.c: the GPU's DRM device */
extern const struct drm_driver vkfd_drm_driver;
int vkfd_drm_register(struct vkfd_gpu *gpu);
struct vkfd_gpu *vkfd_drm_gpu(struct drm_device *drm);
unsigned int vkfd_drm_render_minor(const struct vkfd_gpu *gpu);
struct drm_file *vkfd_drm_render_file(struct vkfd_gpu *gpu,
				      struct file *file);
int vkfd_drm_bind(struct drm_file *drm_file, struct vkfd_vm *vm);
void vkfd_drm_unbind(struct drm_file *drm_file, struct vkfd_vm *vm);

/* vkfd_drm_info.c: the render node's amdgpu ioctls */
int vkfd_drm_info_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file);

/* vkfd_gpu_ioctl.c: what the device and its GPUs report */
int vkfd_get_version_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *data);
int vkfd_get_clock_counters_ioctl(struct vkfd_file *vfile,
				  struct vkfd_ctx *ctx, void *data);
int vkfd_get_apertures_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			     void *data);
int vkfd_get_apertures_new_ioctl(struct vkfd_file *vfile,
				 struct vkfd_ctx *ctx, void *data);
int vkfd_available_memory_ioctl(struct vkfd_file *vfile,
				struct vkfd_ctx *ctx, void *data);
int vkfd_get_tile_config_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			       void *data);

#endif /* _VKFD_GPU_H_ */
