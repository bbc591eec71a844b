// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the ioctls that report properties of the device and its GPUs:
 * the uAPI version, clocks, apertures, free VRAM, tiling. They change
 * nothing.
 */
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/sizes.h>
#include <linux/ktime.h>
#include <linux/uaccess.h>
#include <linux/kfd_ioctl.h>
#include <linux/vkfd_ioctl.h>

#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_vm.h"

/*
 * Apertures of a gfx9 GPU (docs/uapi.rst): LDS and scratch in their own
 * 4 GiB windows above the 48-bit VA space, the GPU VM as vkfd_vm.h says
 * (VKFD_GPUVM_BASE..VKFD_GPUVM_LIMIT).
 */
#define VKFD_LDS_BASE		BIT_ULL(48)
#define VKFD_SCRATCH_BASE	BIT_ULL(49)
#define VKFD_APERTURE_SIZE	SZ_4G

/* GB_ADDR_CONFIG of a gfx900 (Vega10), what amdgpu reports for one. */
#define VKFD_GB_ADDR_CONFIG	0x2a114042

/**
 * vkfd_get_version_ioctl() - AMDKFD_IOC_GET_VERSION
 * @vfile: the file
 * @ctx: the caller's context
 * @data: &struct kfd_ioctl_get_version_args
 *
 * Reports the uAPI version vkfd implements, see <linux/vkfd_ioctl.h>.
 *
 * Context: Process context.
 * Return: 0.
 */
int vkfd_get_version_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *data)
{
	struct kfd_ioctl_get_version_args *args = data;

	args->major_version = VKFD_IOCTL_MAJOR_VERSION;
	args->minor_version = VKFD_IOCTL_MINOR_VERSION;
	return 0;
}

/**
 * vkfd_get_clock_counters_ioctl() - AMDKFD_IOC_GET_CLOCK_COUNTERS
 * @vfile: the file
 * @ctx: the caller's context
 * @data: &struct kfd_ioctl_get_clock_counters_args
 *
 * All counters run at 1 GHz (nanoseconds): the CPU counter is raw
 * monotonic time, the system counter boot time, and a virtual GPU's
 * counter is the raw monotonic time as well. gpu_id 0 names the CPU node,
 * whose GPU counter is 0, as amdkfd reports it.
 *
 * Context: Process context.
 * Return: 0, or -EINVAL if @pad is not 0 or gpu_id names no node.
 */
int vkfd_get_clock_counters_ioctl(struct vkfd_file *vfile,
				  struct vkfd_ctx *ctx, void *data)
{
	struct kfd_ioctl_get_clock_counters_args *args = data;

	if (args->pad)
		return -EINVAL;
	if (args->gpu_id && !vkfd_gpu_by_id(ctx->vdev, args->gpu_id))
		return -EINVAL;

	args->cpu_clock_counter = ktime_get_raw_ns();
	args->gpu_clock_counter = args->gpu_id ? args->cpu_clock_counter : 0;
	args->system_clock_counter = ktime_get_boottime_ns();
	args->system_clock_freq = NSEC_PER_SEC;
	return 0;
}

static void vkfd_apertures_fill(const struct vkfd_gpu *gpu,
				struct kfd_process_device_apertures *pa)
{
	memset(pa, 0, sizeof(*pa));
	pa->gpu_id = gpu->gpu_id;
	pa->lds_base = VKFD_LDS_BASE;
	pa->lds_limit = VKFD_LDS_BASE + VKFD_APERTURE_SIZE - 1;
	pa->scratch_base = VKFD_SCRATCH_BASE;
	pa->scratch_limit = VKFD_SCRATCH_BASE + VKFD_APERTURE_SIZE - 1;
	pa->gpuvm_base = VKFD_GPUVM_BASE;
	pa->gpuvm_limit = VKFD_GPUVM_LIMIT;
}

/**
 * vkfd_get_apertures_ioctl() - AMDKFD_IOC_GET_PROCESS_APERTURES
 * @vfile: the file
 * @ctx: the caller's context
 * @data: &struct kfd_ioctl_get_process_apertures_args
 *
 * The fixed-size legacy variant: at most NUM_OF_SUPPORTED_GPUS entries.
 *
 * Context: Process context.
 * Return: 0.
 */
int vkfd_get_apertures_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			     void *data)
{
	struct kfd_ioctl_get_process_apertures_args *args = data;
	struct vkfd_device *vdev = ctx->vdev;
	unsigned int i, n;

	n = min_t(unsigned int, vdev->num_gpus, NUM_OF_SUPPORTED_GPUS);
	for (i = 0; i < n; i++)
		vkfd_apertures_fill(vdev->gpus[i], &args->process_apertures[i]);
	args->num_of_nodes = n;
	return 0;
}

/**
 * vkfd_get_apertures_new_ioctl() - AMDKFD_IOC_GET_PROCESS_APERTURES_NEW
 * @vfile: the file
 * @ctx: the caller's context
 * @data: &struct kfd_ioctl_get_process_apertures_new_args
 *
 * With num_of_nodes 0, reports the number of GPUs and writes nothing
 * else. Otherwise writes one entry per GPU, at most num_of_nodes, to the
 * user array and reports how many it wrote. As amdkfd, num_of_nodes may
 * be at most the number of topology nodes (CPU included): that is what
 * libhsakmt passes.
 *
 * Context: Process context.
 * Return: 0; -EINVAL if @pad is not 0 or num_of_nodes exceeds the number
 * of topology nodes; -EFAULT if the array cannot be written.
 */
int vkfd_get_apertures_new_ioctl(struct vkfd_file *vfile,
				 struct vkfd_ctx *ctx, void *data)
{
	struct kfd_ioctl_get_process_apertures_new_args *args = data;
	struct kfd_process_device_apertures __user *upa;
	struct vkfd_device *vdev = ctx->vdev;
	struct kfd_process_device_apertures pa;
	unsigned int i, n;

	if (args->pad)
		return -EINVAL;
	if (!args->num_of_nodes) {
		args->num_of_nodes = vdev->num_gpus;
		return 0;
	}
	if (args->num_of_nodes > vdev->num_gpus + 1)
		return -EINVAL;

	upa = u64_to_user_ptr(args->kfd_process_device_apertures_ptr);
	n = min(args->num_of_nodes, vdev->num_gpus);
	for (i = 0; i < n; i++) {
		vkfd_apertures_fill(vdev->gpus[i], &pa);
		if (copy_to_user(&upa[i], &pa, sizeof(pa)))
			return -EFAULT;
	}
	args->num_of_nodes = n;
	return 0;
}

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
