// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of vkfd's topology tables and their text format, against
 * what ROCm userspace requires of amdkfd's sysfs topology.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../vkfd_compat.h"
#include "../vkfd_topology.h"

static const struct vkfd_topology_desc test_desc = {
	.num_cpus = 2,
	.ram_size = 2ULL << 30,
	.cpu_mhz = 3000,
	.num_gpus = VKFD_MAX_GPUS,
	.vram_size = 512ULL << 20,
	.render_minor = { 128, 129, 130, 131, 132, 133, 134, 135 },
};

static unsigned int prop_count(const struct vkfd_prop *p, unsigned int n,
			       const char *key)
{
	unsigned int i, count = 0;

	for (i = 0; i < n; i++)
		count += !strcmp(p[i].key, key);
	return count;
}

/* The value of @key, which must be present exactly once. */
static u64 prop_get(struct kunit *test, const struct vkfd_prop *p,
		    unsigned int n, const char *key)
{
	unsigned int i;

	KUNIT_ASSERT_EQ_MSG(test, prop_count(p, n, key), 1, "key %s", key);
	for (i = 0; i < n; i++)
		if (!strcmp(p[i].key, key))
			return p[i].value;
	return 0;
}

/*
 * A property table of the largest size, from the heap: on the stack,
 * 768 bytes each plus KASAN's redzones overflow the debug kernel's frame
 * limit.
 */
static struct vkfd_prop *props_alloc(struct kunit *test)
{
	struct vkfd_prop *p;

	p = kunit_kcalloc(test, VKFD_TOPOLOGY_MAX_PROPS, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

/* No key appears twice: libhsakmt would take the last one silently. */
static void expect_unique_keys(struct kunit *test, const struct vkfd_prop *p,
			       unsigned int n)
{
	unsigned int i;

	KUNIT_EXPECT_LE(test, n, VKFD_TOPOLOGY_MAX_PROPS);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, prop_count(p, n, p[i].key), 1,
				    "duplicate key %s", p[i].key);
}

static void vkfd_topology_test_format_lines(struct kunit *test)
{
	const struct vkfd_prop props[] = {
		{ "a", 1 },
		{ "long_key_name", U64_MAX },
	};
	char buf[64];

	/* Every property is one "key <unsigned decimal>" line */
	KUNIT_EXPECT_EQ(test, vkfd_topology_format(buf, sizeof(buf), props, 2),
			(int)strlen("a 1\nlong_key_name 18446744073709551615\n"));
	KUNIT_EXPECT_STREQ(test, buf, "a 1\nlong_key_name 18446744073709551615\n");

	/* No properties: an empty file */
	KUNIT_EXPECT_EQ(test, vkfd_topology_format(buf, sizeof(buf), props, 0), 0);
	KUNIT_EXPECT_STREQ(test, buf, "");
}

static void vkfd_topology_test_format_no_truncation(struct kunit *test)
{
	const struct vkfd_prop props[] = { { "key", 12345 }, { "other", 6 } };
	const char *text = "key 12345\nother 6\n";
	size_t len = strlen(text);
	char buf[32];

	/* Exactly enough room, NUL included */
	KUNIT_EXPECT_EQ(test, vkfd_topology_format(buf, len + 1, props, 2),
			(int)len);
	KUNIT_EXPECT_STREQ(test, buf, text);

	/* One byte short: nothing rather than a truncated last line */
	KUNIT_EXPECT_EQ(test, vkfd_topology_format(buf, len, props, 2), -E2BIG);
	KUNIT_EXPECT_STREQ(test, buf, "");

	/* No buffer at all */
	KUNIT_EXPECT_EQ(test, vkfd_topology_format(buf, 0, props, 2), -E2BIG);
}

static void vkfd_topology_test_sibling_map(struct kunit *test)
{
	char buf[32];

	/* amdkfd's format: comma-separated bits, one line */
	KUNIT_EXPECT_EQ(test,
			vkfd_topology_format_sibling_map(buf, sizeof(buf), 4, 2),
			(int)strlen("sibling_map 1,1,0,0\n"));
	KUNIT_EXPECT_STREQ(test, buf, "sibling_map 1,1,0,0\n");

	/* A map of one */
	vkfd_topology_format_sibling_map(buf, sizeof(buf), 1, 1);
	KUNIT_EXPECT_STREQ(test, buf, "sibling_map 1\n");

	/* Empty map or no room: an error, never half a line */
	KUNIT_EXPECT_EQ(test,
			vkfd_topology_format_sibling_map(buf, sizeof(buf), 0, 0),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, vkfd_topology_format_sibling_map(buf, 16, 8, 8),
			-E2BIG);
	KUNIT_EXPECT_STREQ(test, buf, "");
}

static void vkfd_topology_test_cpu_node(struct kunit *test)
{
	struct vkfd_prop *p = props_alloc(test);
	unsigned int n = vkfd_topology_cpu_props(&test_desc, p);

	expect_unique_keys(test, p, n);
	/* A CPU agent for ROCr: cores, no SIMDs */
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "cpu_cores_count"), 2);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "simd_count"), 0);
	/* The counts match the sub-directories vkfd_topology.c creates */
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "mem_banks_count"), 1);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "caches_count"),
			VKFD_CPU_CACHES);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "io_links_count"),
			VKFD_MAX_GPUS);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "max_engine_clk_ccompute"),
			3000);
}

static void vkfd_topology_test_gpu_node(struct kunit *test)
{
	const unsigned int *gpu = test->param_value;
	struct vkfd_prop *p = props_alloc(test);
	unsigned int n = vkfd_topology_gpu_props(&test_desc, *gpu, p);
	u64 minor;

	expect_unique_keys(test, p, n);
	/* A dGPU: SIMDs and no CPU cores */
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "cpu_cores_count"), 0);
	KUNIT_EXPECT_GT(test, prop_get(test, p, n, "simd_count"), 0);
	/* gfx900, in libhsakmt's device table */
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "gfx_target_version"), 90000);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "vendor_id"), 0x1002);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "device_id"), 0x6860);
	/* Divisors in libhsakmt and ROCr must not be 0 */
	KUNIT_EXPECT_NE(test, prop_get(test, p, n, "simd_per_cu"), 0);
	KUNIT_EXPECT_NE(test, prop_get(test, p, n, "array_count"), 0);
	KUNIT_EXPECT_NE(test, prop_get(test, p, n, "simd_arrays_per_engine"), 0);
	KUNIT_EXPECT_NE(test, prop_get(test, p, n, "max_waves_per_simd"), 0);
	KUNIT_EXPECT_NE(test, prop_get(test, p, n, "cu_per_simd_array"), 0);
	/* Keys rocm-smi requires on GPU nodes */
	prop_get(test, p, n, "hive_id");
	/*
	 * The GPU's PCI-style address, which its device's sysfs name spells:
	 * rocm-smi matches the two (domain << 32 | location_id).
	 */
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "location_id"),
			(*gpu + 1) << 8);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "domain"), 0xfffe);
	/* libhsakmt refuses render minors outside 128..255 */
	minor = prop_get(test, p, n, "drm_render_minor");
	KUNIT_EXPECT_GE(test, minor, 128);
	KUNIT_EXPECT_LE(test, minor, 255);
	/* DoorbellType 2: 64-bit doorbells of gfx9 */
	KUNIT_EXPECT_EQ(test,
			(prop_get(test, p, n, "capability") >> 12) & 3, 2);
	KUNIT_EXPECT_NE(test, prop_get(test, p, n, "fw_version"), 0);
	KUNIT_EXPECT_NE(test, prop_get(test, p, n, "sdma_fw_version"), 0);
	KUNIT_EXPECT_NE(test, prop_get(test, p, n, "unique_id"), 0);
	/* One cache, one bank and one link to the CPU, as published */
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "mem_banks_count"), 1);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "caches_count"), 1);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "io_links_count"), 1);
}

static void gpu_index_desc(const unsigned int *gpu, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "gpu%u", *gpu);
}

static const unsigned int gpu_indexes[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
KUNIT_ARRAY_PARAM(gpu_index, gpu_indexes, gpu_index_desc);

static void vkfd_topology_test_gpu_ids_distinct(struct kunit *test)
{
	struct vkfd_prop *a = props_alloc(test), *b = props_alloc(test);
	unsigned int i, j, na, nb;

	for (i = 0; i < VKFD_MAX_GPUS; i++) {
		/* gpu_id: non-zero (0 is the CPU) and 16-bit, as amdkfd's */
		KUNIT_EXPECT_NE(test, vkfd_topology_gpu_id(i), 0);
		KUNIT_EXPECT_LE(test, vkfd_topology_gpu_id(i), 0xffff);
		for (j = i + 1; j < VKFD_MAX_GPUS; j++) {
			KUNIT_EXPECT_NE(test, vkfd_topology_gpu_id(i),
					vkfd_topology_gpu_id(j));
			/* Distinct UUIDs and render minors per GPU */
			na = vkfd_topology_gpu_props(&test_desc, i, a);
			nb = vkfd_topology_gpu_props(&test_desc, j, b);
			KUNIT_EXPECT_NE(test, prop_get(test, a, na, "unique_id"),
					prop_get(test, b, nb, "unique_id"));
			KUNIT_EXPECT_NE(test,
					prop_get(test, a, na, "drm_render_minor"),
					prop_get(test, b, nb, "drm_render_minor"));
		}
	}
}

static void vkfd_topology_test_gpu_cache(struct kunit *test)
{
	struct vkfd_prop *p = props_alloc(test);
	unsigned int n = vkfd_topology_gpu_cache_props(0, p);
	u64 type = prop_get(test, p, n, "type");
	u64 level = prop_get(test, p, n, "level");

	expect_unique_keys(test, p, n);
	/* ROCr keeps only HSACU, non-instruction caches of level 1..4 */
	KUNIT_EXPECT_TRUE(test, type & VKFD_CACHE_HSACU);
	KUNIT_EXPECT_FALSE(test, type & BIT(1));
	KUNIT_EXPECT_GE(test, level, 1);
	KUNIT_EXPECT_LE(test, level, 4);
	KUNIT_EXPECT_NE(test, prop_get(test, p, n, "size"), 0);
}

static void vkfd_topology_test_cpu_caches(struct kunit *test)
{
	struct vkfd_prop *p = props_alloc(test);
	unsigned int i, n;

	/* Published CPU caches are CPU data caches of increasing level */
	for (i = 0; i < VKFD_CPU_CACHES; i++) {
		n = vkfd_topology_cpu_cache_props(i, p);
		expect_unique_keys(test, p, n);
		KUNIT_EXPECT_TRUE(test, prop_get(test, p, n, "type") &
					VKFD_CACHE_CPU);
		KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "level"), i + 1);
	}
}

static void vkfd_topology_test_mem_and_links(struct kunit *test)
{
	struct vkfd_prop *p = props_alloc(test);
	unsigned int n;

	/* A VRAM bank reports its size in bytes */
	n = vkfd_topology_mem_props(VKFD_HEAP_FB_PUBLIC, 512ULL << 20, p);
	expect_unique_keys(test, p, n);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "heap_type"), 1);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "size_in_bytes"),
			512ULL << 20);

	/* An io link names both ends and is PCIe */
	n = vkfd_topology_iolink_props(3, 0, p);
	expect_unique_keys(test, p, n);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "node_from"), 3);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "node_to"), 0);
	KUNIT_EXPECT_EQ(test, prop_get(test, p, n, "type"), VKFD_IOLINK_PCIE);

	/* system_properties must not be empty for libhsakmt */
	n = vkfd_topology_system_props(p);
	KUNIT_EXPECT_GT(test, n, 0);
	expect_unique_keys(test, p, n);
}

static void vkfd_topology_test_node_fits_page(struct kunit *test)
{
	struct vkfd_prop *p = props_alloc(test);
	unsigned int n = vkfd_topology_gpu_props(&test_desc, 7, p);
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	char *line, *cursor;
	unsigned long long v;
	int len;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* The largest node fits a sysfs page */
	len = vkfd_topology_format(buf, PAGE_SIZE, p, n);
	KUNIT_ASSERT_GT(test, len, 0);

	/* ... and every line parses back as "key <decimal>" */
	cursor = buf;
	while ((line = strsep(&cursor, "\n")) && *line) {
		char *value = strchr(line, ' ');

		KUNIT_ASSERT_NOT_NULL(test, value);
		KUNIT_EXPECT_EQ_MSG(test, kstrtoull(value + 1, 10, &v), 0,
				    "line '%s'", line);
	}
}

static struct kunit_case vkfd_topology_test_cases[] = {
	KUNIT_CASE(vkfd_topology_test_format_lines),
	KUNIT_CASE(vkfd_topology_test_format_no_truncation),
	KUNIT_CASE(vkfd_topology_test_sibling_map),
	KUNIT_CASE(vkfd_topology_test_cpu_node),
	KUNIT_CASE_PARAM(vkfd_topology_test_gpu_node, gpu_index_gen_params),
	KUNIT_CASE(vkfd_topology_test_gpu_ids_distinct),
	KUNIT_CASE(vkfd_topology_test_gpu_cache),
	KUNIT_CASE(vkfd_topology_test_cpu_caches),
	KUNIT_CASE(vkfd_topology_test_mem_and_links),
	KUNIT_CASE(vkfd_topology_test_node_fits_page),
	{}
};

static struct kunit_suite vkfd_topology_test_suite = {
	.name = "vkfd-topology",
	.test_cases = vkfd_topology_test_cases,
};

kunit_test_suite(vkfd_topology_test_suite);

MODULE_DESCRIPTION("KUnit tests of the vkfd topology");
MODULE_LICENSE("Dual MIT/GPL");
VKFD_IMPORT_KUNIT_NS();
