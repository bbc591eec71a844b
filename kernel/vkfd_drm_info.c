// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - DRM_IOCTL_AMDGPU_INFO on the render nodes.
 */

/**
 * DOC: AMDGPU_INFO
 *
 * libdrm_amdgpu's amdgpu_device_initialize(), which libhsakmt calls on
 * every GPU's render node to learn its marketing name, asks the kernel
 * ACCEL_WORKING, DEV_INFO and, for a gfx9 (family AI), the register
 * GB_ADDR_CONFIG through READ_MMR_REG; it then looks the device id and
 * PCI revision up in its amdgpu.ids ("AMD Radeon Instinct MI25"). vkfd
 * answers those, and a few queries about memory and time that cost
 * nothing, as Linux 6.1's amdgpu_info_ioctl() does for a gfx900 with
 * vkfd's configuration: the numbers the topology publishes (1 shader
 * engine with 1 shader array of 4 CUs, the VRAM size), the GPU VM range
 * the KFD apertures report, the 1 GHz GPU clock of GET_CLOCK_COUNTERS,
 * the VRAM budget and its use.
 * Everything a software GPU does not have is 0: no render backends, no
 * graphics contexts, no clocks or sensors (SENSOR fails with ENOENT, as
 * amdgpu's without power management).
 *
 * The argument is checked as amdgpu checks it: return_pointer and
 * return_size must be non-zero (EINVAL); at most return_size bytes of the
 * answer are written (EFAULT if that fails). The other fields are those of
 * the query; amdgpu ignores whatever a query does not use, and so does
 * vkfd, but for READ_MMR_REG's flags (no flag is defined: EINVAL where
 * amdgpu ignores them). Every other query, unknown to amdgpu or not,
 * fails with EINVAL, amdgpu's answer to an unknown query.
 */
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/amdgpu_drm.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>

#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_pt.h"
#include "vkfd_topology.h"
#include "vkfd_vm.h"

/* Vega10 is family AI; its external revision is rev_id + 1 (soc15.c). */
#define VKFD_CHIP_REV			0
#define VKFD_EXTERNAL_REV		(VKFD_CHIP_REV + 1)

/* The shader configuration the topology publishes. */
#define VKFD_SHADER_ENGINES		1
#define VKFD_SH_PER_SE			1
#define VKFD_CU_PER_SH			4
#define VKFD_CU_MASK			GENMASK(VKFD_CU_PER_SH - 1, 0)

/* Clocks in kHz: the GPU counter and the compute clock run at 1 GHz. */
#define VKFD_GPU_COUNTER_KHZ		1000000
#define VKFD_ENGINE_CLOCK_KHZ		1000000

/* amdgpu's limits of READ_MMR_REG (amdgpu_gfx.h, amdgpu_kms.c) */
#define VKFD_MMR_MAX_SE			4
#define VKFD_MMR_MAX_SH_PER_SE		2
#define VKFD_MMR_MAX_COUNT		128

/*
 * GB_ADDR_CONFIG (gc_9_0: dword 0x263e), Vega10's value (golden
 * 0x2a114042) for vkfd's single shader engine: NUM_PIPES 2 (4 pipes),
 * MAX_COMPRESSED_FRAGS 1, NUM_BANKS 4 (16 banks), SHADER_ENGINE_TILE_SIZE
 * 1, NUM_SHADER_ENGINES 0 (1 engine), MULTI_GPU_TILE_SIZE 2,
 * NUM_RB_PER_SE 0 (the field's least, 1: vkfd has none), ROW_SIZE 2. It
 * is the only register vkfd reads back; amdgpu fails every register
 * outside its list with EFAULT, and vkfd every other one.
 */
#define VKFD_MMR_GB_ADDR_CONFIG		0x263e
#define VKFD_GB_ADDR_CONFIG		(2u << 0 | 1u << 6 | 4u << 12 | \
					 1u << 16 | 0u << 19 | 2u << 24 | \
					 0u << 26 | 2u << 28)

static int vkfd_drm_info_copy(const struct drm_amdgpu_info *info,
			      const void *val, size_t size)
{
	void __user *out = u64_to_user_ptr(info->return_pointer);

	if (copy_to_user(out, val, min_t(size_t, info->return_size, size)))
		return -EFAULT;
	return 0;
}

static int vkfd_drm_info_u32(const struct drm_amdgpu_info *info, u32 val)
{
	return vkfd_drm_info_copy(info, &val, sizeof(val));
}

static int vkfd_drm_info_u64(const struct drm_amdgpu_info *info, u64 val)
{
	return vkfd_drm_info_copy(info, &val, sizeof(val));
}

/* What amdgpu's DEV_INFO says of a gfx900 configured as vkfd's GPUs. */
static void vkfd_drm_dev_info(struct drm_amdgpu_info_device *d)
{
	d->device_id = VKFD_DEVICE_ID;
	d->chip_rev = VKFD_CHIP_REV;
	d->external_rev = VKFD_EXTERNAL_REV;
	d->pci_rev = VKFD_PCI_REVISION;
	d->family = AMDGPU_FAMILY_AI;
	d->num_shader_engines = VKFD_SHADER_ENGINES;
	d->num_shader_arrays_per_engine = VKFD_SH_PER_SE;
	d->gpu_counter_freq = VKFD_GPU_COUNTER_KHZ;
	d->max_engine_clock = VKFD_ENGINE_CLOCK_KHZ;
	d->max_memory_clock = 0;
	d->cu_active_number = VKFD_SHADER_ENGINES * VKFD_SH_PER_SE *
			      VKFD_CU_PER_SH;
	/* A dGPU's CUs are all "always on" (gfx_v9_0_get_cu_info()). */
	d->cu_ao_mask = VKFD_CU_MASK;
	d->cu_bitmap[0][0] = VKFD_CU_MASK;
	d->cu_ao_bitmap[0][0] = VKFD_CU_MASK;
	/* The GPU VM as the KFD apertures report it; no high half. */
	d->virtual_address_offset = VKFD_GPUVM_BASE;
	d->virtual_address_max = VKFD_GPUVM_LIMIT + 1;
	d->virtual_address_alignment = max_t(u32, PAGE_SIZE,
					     VKFD_GPU_PAGE_SIZE);
	/* vkfd's page tables map 4 KiB pages, no bigger fragments. */
	d->pte_fragment_size = VKFD_GPU_PAGE_SIZE;
	d->gart_page_size = max_t(u32, PAGE_SIZE, VKFD_GPU_PAGE_SIZE);
	d->vram_type = AMDGPU_VRAM_TYPE_UNKNOWN;
	/* The width of the topology's VRAM bank */
	d->vram_bit_width = 64;
	d->wave_front_size = 64;
	d->num_shader_visible_vgprs = 256;
	d->num_cu_per_sh = VKFD_CU_PER_SH;
	/* The topology's one L2 cache */
	d->num_tcc_blocks = 1;
}

/*
 * DEV_INFO as amdgpu's DRM 3.49 (Linux 6.1) answers it, up to
 * tcc_disabled_mask: vkfd says it is 3.49 whatever kernel it is built
 * for, and newer kernels' struct drm_amdgpu_info_device has grown fields
 * (shadow and CSA sizes, cache sizes, ...) that a 3.49 driver does not
 * have. A caller asking for more gets the rest of its buffer untouched.
 */
#define VKFD_DEV_INFO_SIZE \
	offsetofend(struct drm_amdgpu_info_device, tcc_disabled_mask)

static int vkfd_drm_info_dev_info(const struct drm_amdgpu_info *info)
{
	struct drm_amdgpu_info_device *d;
	int ret;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	vkfd_drm_dev_info(d);
	ret = vkfd_drm_info_copy(info, d, VKFD_DEV_INFO_SIZE);
	kfree(d);
	return ret;
}

static int vkfd_drm_info_read_mmr(const struct drm_amdgpu_info *info)
{
	u32 se = (info->read_mmr_reg.instance >>
		  AMDGPU_INFO_MMR_SE_INDEX_SHIFT) &
		 AMDGPU_INFO_MMR_SE_INDEX_MASK;
	u32 sh = (info->read_mmr_reg.instance >>
		  AMDGPU_INFO_MMR_SH_INDEX_SHIFT) &
		 AMDGPU_INFO_MMR_SH_INDEX_MASK;
	u32 count = info->read_mmr_reg.count;
	u32 val = VKFD_GB_ADDR_CONFIG;
	u32 i;

	/* All bits set selects every engine or array (broadcast). */
	if (se != AMDGPU_INFO_MMR_SE_INDEX_MASK && se >= VKFD_MMR_MAX_SE)
		return -EINVAL;
	if (sh != AMDGPU_INFO_MMR_SH_INDEX_MASK && sh >= VKFD_MMR_MAX_SH_PER_SE)
		return -EINVAL;
	if (count > VKFD_MMR_MAX_COUNT || info->read_mmr_reg.flags)
		return -EINVAL;

	/* So at most one register can be read, GB_ADDR_CONFIG. */
	for (i = 0; i < count; i++)
		if ((u64)info->read_mmr_reg.dword_offset + i !=
		    VKFD_MMR_GB_ADDR_CONFIG)
			return -EFAULT;
	return vkfd_drm_info_copy(info, &val, count * sizeof(val));
}

/**
 * vkfd_drm_info_ioctl() - DRM_IOCTL_AMDGPU_INFO
 * @drm: the GPU's DRM device
 * @data: &struct drm_amdgpu_info, in kernel memory
 * @file: the render file
 *
 * Answers what the DOC above lists, for the GPU of @drm.
 *
 * Context: Process context.
 * Return: 0; -EINVAL for a zero return_pointer or return_size, an
 * unanswered query, or READ_MMR_REG with an engine or array index out of
 * range, more than 128 registers or non-zero flags; -EFAULT for
 * READ_MMR_REG of another register than GB_ADDR_CONFIG, or if the answer
 * cannot be written; -ENOENT for SENSOR; -ENOMEM.
 */
int vkfd_drm_info_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	const struct drm_amdgpu_info *info = data;
	struct vkfd_gpu *gpu = vkfd_drm_gpu(drm);

	if (!info->return_size || !info->return_pointer)
		return -EINVAL;

	switch (info->query) {
	case AMDGPU_INFO_ACCEL_WORKING:
		return vkfd_drm_info_u32(info, 1);
	case AMDGPU_INFO_TIMESTAMP:
		/* The GPU counter of AMDKFD_IOC_GET_CLOCK_COUNTERS */
		return vkfd_drm_info_u64(info, ktime_get_raw_ns());
	case AMDGPU_INFO_VRAM_GTT: {
		/*
		 * VRAM is the GPU's budget, all of it CPU-visible; GTT
		 * buffers are system memory with no other limit, as the
		 * topology's system memory bank says.
		 */
		struct drm_amdgpu_info_vram_gtt vg = {
			.vram_size = gpu->vram_size,
			.vram_cpu_accessible_size = gpu->vram_size,
			.gtt_size = (u64)totalram_pages() << PAGE_SHIFT,
		};

		return vkfd_drm_info_copy(info, &vg, sizeof(vg));
	}
	case AMDGPU_INFO_VRAM_USAGE:
	case AMDGPU_INFO_VIS_VRAM_USAGE:
		/* All of vkfd's VRAM is CPU-visible. */
		return vkfd_drm_info_u64(info, atomic64_read(&gpu->vram_used));
	case AMDGPU_INFO_READ_MMR_REG:
		return vkfd_drm_info_read_mmr(info);
	case AMDGPU_INFO_DEV_INFO:
		return vkfd_drm_info_dev_info(info);
	case AMDGPU_INFO_SENSOR:
		/* amdgpu without power management: no sensor at all */
		return -ENOENT;
	case AMDGPU_INFO_VRAM_LOST_COUNTER:
		/* VRAM is never lost: there is no GPU reset. */
		return vkfd_drm_info_u32(info, 0);
	default:
		return -EINVAL;
	}
}
