// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - memory ioctls that allocate nothing: they report properties of
 * a GPU.
 */
#include <linux/kfd_ioctl.h>

#include "vkfd_gpu.h"
#include "vkfd_priv.h"

/* GB_ADDR_CONFIG of a gfx900 (Vega10), what amdgpu reports for one. */
#define VKFD_GB_ADDR_CONFIG	0x2a114042

/**
 * vkfd_available_memory_ioctl() - AMDKFD_IOC_AVAILABLE_MEMORY
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_get_available_memory_args
 *
 * Context: Process context.
 * Return: 0, or -EINVAL for an unknown GPU or a non-zero pad.
 */
int vkfd_available_memory_ioctl(struct vkfd_file *vfile,
				struct vkfd_ctx *ctx, void *data)
{
	struct kfd_ioctl_get_available_memory_args *args = data;
	struct vkfd_gpu *gpu;

	gpu = vkfd_gpu_by_id(ctx->vdev, args->gpu_id);
	if (!gpu || args->pad)
		return -EINVAL;
	args->available = gpu->vram_size - atomic64_read(&gpu->vram_used);
	return 0;
}

/**
 * vkfd_get_tile_config_ioctl() - AMDKFD_IOC_GET_TILE_CONFIG
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_get_tile_config_args
 *
 * A gfx9 part has no tile-mode tables: both arrays get 0 entries and are
 * not written.
 *
 * Context: Process context.
 * Return: 0, or -EINVAL for an unknown GPU.
 */
int vkfd_get_tile_config_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			       void *data)
{
	struct kfd_ioctl_get_tile_config_args *args = data;

	if (!vkfd_gpu_by_id(ctx->vdev, args->gpu_id))
		return -EINVAL;
	args->gb_addr_config = VKFD_GB_ADDR_CONFIG;
	args->num_banks = 0;
	args->num_ranks = 0;
	args->num_tile_configs = 0;
	args->num_macro_tile_configs = 0;
	return 0;
}
