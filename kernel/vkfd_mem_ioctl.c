// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - memory ioctls that allocate nothing: they report or record
 * properties of a GPU or of a context's VM on it.
 */
#include <linux/kfd_ioctl.h>

#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_vm.h"

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

static bool vkfd_cache_policy_valid(u32 policy)
{
	return policy == KFD_IOC_CACHE_POLICY_COHERENT ||
	       policy == KFD_IOC_CACHE_POLICY_NONCOHERENT;
}

/**
 * vkfd_set_memory_policy_ioctl() - AMDKFD_IOC_SET_MEMORY_POLICY
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_set_memory_policy_args
 *
 * The software GPU is cache coherent: the policies are only recorded.
 *
 * Context: Process context; takes &vkfd_ctx.mem_lock.
 * Return: 0; -EINVAL for a bad policy, an unknown GPU or a non-zero pad
 * (misc_process_flag in newer headers);
 * -ESRCH if the context has no VM on the GPU (as amdkfd).
 */
int vkfd_set_memory_policy_ioctl(struct vkfd_file *vfile,
				 struct vkfd_ctx *ctx, void *data)
{
	struct kfd_ioctl_set_memory_policy_args *args = data;
	struct vkfd_gpu *gpu;
	struct vkfd_vm *vm;

	if (!vkfd_cache_policy_valid(args->default_policy) ||
	    !vkfd_cache_policy_valid(args->alternate_policy) ||
	    args->VKFD_MEMORY_POLICY_PAD)
		return -EINVAL;
	gpu = vkfd_gpu_by_id(ctx->vdev, args->gpu_id);
	if (!gpu)
		return -EINVAL;

	mutex_lock(&ctx->mem_lock);
	vm = ctx->vm[gpu->index];
	if (vm) {
		WRITE_ONCE(vm->default_policy, args->default_policy);
		WRITE_ONCE(vm->alt_policy, args->alternate_policy);
	}
	mutex_unlock(&ctx->mem_lock);
	return vm ? 0 : -ESRCH;
}

/**
 * vkfd_set_scratch_backing_va_ioctl() - AMDKFD_IOC_SET_SCRATCH_BACKING_VA
 * @vfile: the fd
 * @ctx: its context
 * @data: struct kfd_ioctl_set_scratch_backing_va_args
 *
 * Recorded for the VM; no engine uses scratch memory yet.
 *
 * Context: Process context; takes &vkfd_ctx.mem_lock.
 * Return: 0, or -EINVAL for an unknown GPU, a GPU without VM or a
 * non-zero pad.
 */
int vkfd_set_scratch_backing_va_ioctl(struct vkfd_file *vfile,
				      struct vkfd_ctx *ctx, void *data)
{
	struct kfd_ioctl_set_scratch_backing_va_args *args = data;
	struct vkfd_gpu *gpu;
	struct vkfd_vm *vm;

	gpu = vkfd_gpu_by_id(ctx->vdev, args->gpu_id);
	if (!gpu || args->pad)
		return -EINVAL;

	mutex_lock(&ctx->mem_lock);
	vm = ctx->vm[gpu->index];
	if (vm)
		WRITE_ONCE(vm->scratch_va, args->va_addr);
	mutex_unlock(&ctx->mem_lock);
	return vm ? 0 : -EINVAL;
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
