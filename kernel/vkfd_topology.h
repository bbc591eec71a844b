/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - topology description, independent of sysfs so KUnit can test it.
 */
#ifndef _VKFD_TOPOLOGY_H_
#define _VKFD_TOPOLOGY_H_

#include <linux/types.h>
#include <linux/vkfd_ioctl.h>

/* Upper bound of the properties of any topology object. */
#define VKFD_TOPOLOGY_MAX_PROPS		48

/* Caches published for the CPU node (a guest may have no cacheinfo). */
#define VKFD_CPU_CACHES			2

/* HSA heap types (hsakmttypes.h HSA_HEAPTYPE_*) */
#define VKFD_HEAP_SYSTEM		0
#define VKFD_HEAP_FB_PUBLIC		1

/* HSA cache type bits (hsakmttypes.h HsaCacheType) */
#define VKFD_CACHE_DATA			BIT(0)
#define VKFD_CACHE_CPU			BIT(2)
#define VKFD_CACHE_HSACU		BIT(3)

/* HSA io link type (hsakmttypes.h HSA_IOLINKTYPE_PCIEXPRESS) */
#define VKFD_IOLINK_PCIE		2

/* HSA_CAPABILITY: DoorbellType 2 (gfx9 64-bit doorbells), bits 12-13 */
#define VKFD_CAP_DOORBELL_TYPE_2	(2u << 12)

/* What vkfd's GPUs present themselves as: a gfx900 (Vega10) dGPU. */
#define VKFD_GFX_TARGET_VERSION		90000
#define VKFD_VENDOR_ID			0x1002
#define VKFD_DEVICE_ID			0x6860
/* PCI revision: libdrm's amdgpu.ids names 6860 rev 00 "AMD Radeon Instinct MI25" */
#define VKFD_PCI_REVISION		0x00

/*
 * The PCI-style address of GPU i, which the topology's domain and
 * location_id publish and its device's sysfs name spells
 * ("fffe:<i + 1>:00.0", vkfd_gpu_dev.c): bus i + 1, device 0, function 0
 * in domain 0xfffe. vkfd's GPUs are not PCI devices; the address only
 * lets tools that match KFD nodes with DRM cards by PCI address (rocm-smi)
 * find them. A domain at the top of the 16-bit range is one no machine
 * numbers its PCI segments up to (ACPI numbers them from 0; VMD's start
 * at 0x10000), and not 0xffff, which some tools take for "any".
 */
#define VKFD_PCI_DOMAIN			0xfffe

/* gpu_id of GPU i is VKFD_GPU_ID_BASE + i: non-zero and below 0x10000. */
#define VKFD_GPU_ID_BASE		0x9001

/**
 * struct vkfd_prop - one "key value" line of a topology properties file
 * @key: the key, a static string
 * @value: the value, printed as an unsigned decimal
 */
struct vkfd_prop {
	const char *key;
	u64 value;
};

/**
 * struct vkfd_topology_desc - what the topology describes
 * @num_cpus: CPU cores of the CPU node
 * @ram_size: system memory of the CPU node, bytes
 * @cpu_mhz: maximum CPU clock, MHz (0 if unknown)
 * @num_gpus: number of GPU nodes
 * @vram_size: VRAM of every GPU, bytes
 * @render_minor: minor of each GPU's DRM render node (128..255)
 */
struct vkfd_topology_desc {
	unsigned int num_cpus;
	u64 ram_size;
	unsigned int cpu_mhz;
	unsigned int num_gpus;
	u64 vram_size;
	unsigned int render_minor[VKFD_MAX_GPUS];
};

static inline u32 vkfd_topology_gpu_id(unsigned int gpu)
{
	return VKFD_GPU_ID_BASE + gpu;
}

/* location_id of GPU @gpu: bus << 8 | device << 3 | function */
static inline u32 vkfd_topology_location_id(unsigned int gpu)
{
	return (gpu + 1) << 8;
}

unsigned int vkfd_topology_cpu_props(const struct vkfd_topology_desc *d,
				     struct vkfd_prop *p);
unsigned int vkfd_topology_gpu_props(const struct vkfd_topology_desc *d,
				     unsigned int gpu, struct vkfd_prop *p);
unsigned int vkfd_topology_mem_props(u32 heap_type, u64 size,
				     struct vkfd_prop *p);
unsigned int vkfd_topology_cpu_cache_props(unsigned int cache,
					   struct vkfd_prop *p);
unsigned int vkfd_topology_gpu_cache_props(unsigned int gpu,
					   struct vkfd_prop *p);
unsigned int vkfd_topology_iolink_props(unsigned int from, unsigned int to,
					struct vkfd_prop *p);
unsigned int vkfd_topology_system_props(struct vkfd_prop *p);
int vkfd_topology_format(char *buf, size_t size,
			 const struct vkfd_prop *props, unsigned int n);
int vkfd_topology_format_sibling_map(char *buf, size_t size,
				     unsigned int nbits, unsigned int nset);

#endif /* _VKFD_TOPOLOGY_H_ */
