// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - topology property tables and their text format.
 *
 * Pure functions, no sysfs: vkfd_topology.c publishes what these produce,
 * and KUnit checks it against what ROCm userspace requires (see
 * docs/topology.rst). libhsakmt parses every properties file line by line
 * as "<key> <unsigned decimal>" and stops at the first line that does not
 * match, so every value here is an unsigned decimal and nothing else.
 */
#include <kunit/visibility.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/sizes.h>

#include "vkfd_topology.h"

#define PROP(_key, _value) \
	((struct vkfd_prop){ .key = (_key), .value = (_value) })

/**
 * vkfd_topology_cpu_props() - properties of the CPU node (node 0)
 * @d: what the topology describes
 * @p: output, at least %VKFD_TOPOLOGY_MAX_PROPS entries
 *
 * The CPU node links to every GPU node and has one system memory bank and
 * %VKFD_CPU_CACHES caches.
 *
 * Context: Any context.
 * Return: the number of entries written to @p.
 */
unsigned int
vkfd_topology_cpu_props(const struct vkfd_topology_desc *d, struct vkfd_prop *p)
{
	unsigned int n = 0;

	p[n++] = PROP("cpu_cores_count", d->num_cpus);
	p[n++] = PROP("simd_count", 0);
	p[n++] = PROP("mem_banks_count", 1);
	p[n++] = PROP("caches_count", VKFD_CPU_CACHES);
	p[n++] = PROP("io_links_count", d->num_gpus);
	p[n++] = PROP("cpu_core_id_base", 0);
	p[n++] = PROP("simd_id_base", 0);
	p[n++] = PROP("max_waves_per_simd", 0);
	p[n++] = PROP("lds_size_in_kb", 0);
	p[n++] = PROP("gds_size_in_kb", 0);
	p[n++] = PROP("num_gws", 0);
	p[n++] = PROP("wave_front_size", 0);
	p[n++] = PROP("array_count", 0);
	p[n++] = PROP("simd_arrays_per_engine", 0);
	p[n++] = PROP("cu_per_simd_array", 0);
	p[n++] = PROP("simd_per_cu", 0);
	p[n++] = PROP("max_slots_scratch_cu", 0);
	p[n++] = PROP("gfx_target_version", 0);
	p[n++] = PROP("vendor_id", 0);
	p[n++] = PROP("device_id", 0);
	p[n++] = PROP("location_id", 0);
	p[n++] = PROP("domain", 0);
	p[n++] = PROP("drm_render_minor", 0);
	p[n++] = PROP("hive_id", 0);
	p[n++] = PROP("num_sdma_engines", 0);
	p[n++] = PROP("num_sdma_xgmi_engines", 0);
	p[n++] = PROP("num_sdma_queues_per_engine", 0);
	p[n++] = PROP("num_cp_queues", 0);
	p[n++] = PROP("max_engine_clk_ccompute", d->cpu_mhz);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_topology_cpu_props);

/**
 * vkfd_topology_gpu_props() - properties of a GPU node
 * @d: what the topology describes
 * @gpu: index of the GPU, below @d->num_gpus
 * @p: output, at least %VKFD_TOPOLOGY_MAX_PROPS entries
 *
 * A gfx900-like dGPU (docs/topology.rst, "GPU nodes"): the divisors ROCm uses
 * (simd_per_cu, array_count, simd_arrays_per_engine, max_waves_per_simd)
 * are non-zero, DoorbellType is 2, and the keys rocm-smi insists on
 * (hive_id, location_id, domain, cu_per_simd_array) are present.
 * There is no p2p_links_count key, so libhsakmt synthesises GPU-to-GPU
 * links through the CPU node.
 *
 * Context: Any context.
 * Return: the number of entries written to @p.
 */
unsigned int
vkfd_topology_gpu_props(const struct vkfd_topology_desc *d, unsigned int gpu,
			struct vkfd_prop *p)
{
	unsigned int n = 0;

	p[n++] = PROP("cpu_cores_count", 0);
	p[n++] = PROP("simd_count", 16);
	p[n++] = PROP("mem_banks_count", 1);
	p[n++] = PROP("caches_count", 1);
	p[n++] = PROP("io_links_count", 1);
	p[n++] = PROP("cpu_core_id_base", 0);
	p[n++] = PROP("simd_id_base", 0x80001000u + 16 * gpu);
	p[n++] = PROP("max_waves_per_simd", 10);
	p[n++] = PROP("lds_size_in_kb", 64);
	p[n++] = PROP("gds_size_in_kb", 0);
	p[n++] = PROP("num_gws", 0);
	p[n++] = PROP("wave_front_size", 64);
	p[n++] = PROP("array_count", 1);
	p[n++] = PROP("simd_arrays_per_engine", 1);
	p[n++] = PROP("cu_per_simd_array", 4);
	p[n++] = PROP("simd_per_cu", 4);
	p[n++] = PROP("max_slots_scratch_cu", 32);
	p[n++] = PROP("gfx_target_version", VKFD_GFX_TARGET_VERSION);
	p[n++] = PROP("vendor_id", VKFD_VENDOR_ID);
	p[n++] = PROP("device_id", VKFD_DEVICE_ID);
	/* The GPU's PCI-style address, see VKFD_PCI_DOMAIN */
	p[n++] = PROP("location_id", vkfd_topology_location_id(gpu));
	p[n++] = PROP("domain", VKFD_PCI_DOMAIN);
	p[n++] = PROP("drm_render_minor", d->render_minor[gpu]);
	p[n++] = PROP("hive_id", 0);
	p[n++] = PROP("num_sdma_engines", 2);
	p[n++] = PROP("num_sdma_xgmi_engines", 0);
	p[n++] = PROP("num_sdma_queues_per_engine", 2);
	p[n++] = PROP("num_cp_queues", 8);
	p[n++] = PROP("max_engine_clk_fcompute", 1000);
	p[n++] = PROP("local_mem_size", 0);
	p[n++] = PROP("fw_version", 400);
	p[n++] = PROP("capability", VKFD_CAP_DOORBELL_TYPE_2);
	p[n++] = PROP("sdma_fw_version", 400);
	/* "vkfd" in the high half: a stable, non-zero UUID source */
	p[n++] = PROP("unique_id", 0x766b666400000000ull | (gpu + 1));
	p[n++] = PROP("max_engine_clk_ccompute", d->cpu_mhz);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_topology_gpu_props);

/**
 * vkfd_topology_mem_props() - properties of a memory bank
 * @heap_type: %VKFD_HEAP_SYSTEM or %VKFD_HEAP_FB_PUBLIC
 * @size: size of the bank in bytes
 * @p: output
 *
 * Context: Any context.
 * Return: the number of entries written to @p.
 */
unsigned int
vkfd_topology_mem_props(u32 heap_type, u64 size, struct vkfd_prop *p)
{
	unsigned int n = 0;

	p[n++] = PROP("heap_type", heap_type);
	p[n++] = PROP("size_in_bytes", size);
	p[n++] = PROP("flags", 0);
	p[n++] = PROP("width", 64);
	p[n++] = PROP("mem_clk_max", 0);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_topology_mem_props);

static unsigned int vkfd_topology_cache(u32 proc_id, u32 level, u32 size_kb,
					u32 assoc, u32 type, struct vkfd_prop *p)
{
	unsigned int n = 0;

	p[n++] = PROP("processor_id_low", proc_id);
	p[n++] = PROP("level", level);
	p[n++] = PROP("size", size_kb);
	p[n++] = PROP("cache_line_size", 64);
	p[n++] = PROP("cache_lines_per_tag", 1);
	p[n++] = PROP("association", assoc);
	p[n++] = PROP("latency", 0);
	p[n++] = PROP("type", type);
	return n;
}

/**
 * vkfd_topology_cpu_cache_props() - properties of a CPU node cache
 * @cache: 0 (L1 data) or 1 (L2), below %VKFD_CPU_CACHES
 * @p: output
 *
 * Nominal values: vkfd publishes CPU caches itself because a guest may
 * have no cacheinfo, and libhsakmt fails topology without any cache.
 * The "sibling_map" line follows, see vkfd_topology_format_sibling_map().
 *
 * Context: Any context.
 * Return: the number of entries written to @p.
 */
unsigned int
vkfd_topology_cpu_cache_props(unsigned int cache, struct vkfd_prop *p)
{
	if (cache == 0)
		return vkfd_topology_cache(0, 1, 32, 8,
					   VKFD_CACHE_DATA | VKFD_CACHE_CPU, p);
	return vkfd_topology_cache(0, 2, 1024, 16,
				   VKFD_CACHE_DATA | VKFD_CACHE_CPU, p);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_topology_cpu_cache_props);

/**
 * vkfd_topology_gpu_cache_props() - properties of a GPU's L2 cache
 * @gpu: index of the GPU
 * @p: output
 *
 * A data cache with the HSACU type bit: ROCr keeps only such caches and
 * aborts ("GPU cache info missing") without one.
 *
 * Context: Any context.
 * Return: the number of entries written to @p.
 */
unsigned int
vkfd_topology_gpu_cache_props(unsigned int gpu, struct vkfd_prop *p)
{
	return vkfd_topology_cache(0x80001000u + 16 * gpu, 2, 4096, 16,
				   VKFD_CACHE_DATA | VKFD_CACHE_HSACU, p);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_topology_gpu_cache_props);

/**
 * vkfd_topology_iolink_props() - properties of an io link
 * @from: topology index of the node the link belongs to
 * @to: topology index of the other end
 * @p: output
 *
 * Context: Any context.
 * Return: the number of entries written to @p.
 */
unsigned int
vkfd_topology_iolink_props(unsigned int from, unsigned int to,
			   struct vkfd_prop *p)
{
	unsigned int n = 0;

	p[n++] = PROP("type", VKFD_IOLINK_PCIE);
	p[n++] = PROP("version_major", 0);
	p[n++] = PROP("version_minor", 0);
	p[n++] = PROP("node_from", from);
	p[n++] = PROP("node_to", to);
	p[n++] = PROP("weight", 20);
	p[n++] = PROP("min_latency", 0);
	p[n++] = PROP("max_latency", 0);
	p[n++] = PROP("min_bandwidth", 0);
	p[n++] = PROP("max_bandwidth", 0);
	p[n++] = PROP("recommended_transfer_size", 0);
	p[n++] = PROP("flags", 0);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_topology_iolink_props);

/**
 * vkfd_topology_system_props() - contents of topology/system_properties
 * @p: output
 *
 * libhsakmt requires the file to be non-empty.
 *
 * Context: Any context.
 * Return: the number of entries written to @p.
 */
unsigned int vkfd_topology_system_props(struct vkfd_prop *p)
{
	unsigned int n = 0;

	p[n++] = PROP("platform_oem", 0);
	p[n++] = PROP("platform_id", 0);
	p[n++] = PROP("platform_rev", 0);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_topology_system_props);

/**
 * vkfd_topology_format() - format properties as "key value" lines
 * @buf: output buffer
 * @size: size of @buf
 * @props: the properties
 * @n: number of entries in @props
 *
 * Either every line fits and @buf holds them all, NUL-terminated, or
 * nothing is reported: a truncated line would make libhsakmt stop parsing.
 *
 * Context: Any context.
 * Return: the length of the text (without the NUL), or -E2BIG if it does
 * not fit in @buf.
 */
int vkfd_topology_format(char *buf, size_t size,
			 const struct vkfd_prop *props, unsigned int n)
{
	size_t len = 0;
	unsigned int i;
	int ret;

	if (!size)
		return -E2BIG;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		ret = snprintf(buf + len, size - len, "%s %llu\n",
			       props[i].key, props[i].value);
		if ((size_t)ret >= size - len) {
			buf[0] = '\0';
			return -E2BIG;
		}
		len += ret;
	}
	return len;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_topology_format);

/**
 * vkfd_topology_format_sibling_map() - format a cache's "sibling_map" line
 * @buf: output buffer
 * @size: size of @buf
 * @nbits: number of entries in the map
 * @nset: the first @nset entries are 1, the others 0
 *
 * The format amdkfd uses: "sibling_map 1,1,0,0\n".
 *
 * Context: Any context.
 * Return: the length of the text, or -E2BIG if it does not fit or @nbits
 * is 0.
 */
int vkfd_topology_format_sibling_map(char *buf, size_t size,
				     unsigned int nbits, unsigned int nset)
{
	size_t len;
	unsigned int i;
	int ret;

	if (!nbits || size < sizeof("sibling_map "))
		return -E2BIG;
	len = scnprintf(buf, size, "sibling_map ");
	for (i = 0; i < nbits; i++) {
		ret = snprintf(buf + len, size - len, "%u%c", i < nset,
			       i + 1 < nbits ? ',' : '\n');
		if ((size_t)ret >= size - len) {
			buf[0] = '\0';
			return -E2BIG;
		}
		len += ret;
	}
	return len;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_topology_format_sibling_map);
