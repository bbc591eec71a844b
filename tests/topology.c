// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The sysfs topology ($VKFD_TOPOLOGY) as libhsakmt, ROCR and rocm-smi parse
 * it: layout, file format, counts, the CPU node, and (vkfd only) the values
 * of vkfd's gfx900 GPU nodes.
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"

/* The base fixture, and the whole topology */
FIXTURE(topology) {
	struct vkfd_base b;
	struct vkfd_topo topo;
	struct vkfd_props props;	/* scratch */
};

FIXTURE_SETUP(topology)
{
	vkfd_base_setup(&self->b, 0);
	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &self->topo));
	ASSERT_LE(1, self->topo.num_nodes);
}

FIXTURE_TEARDOWN(topology)
{
	vkfd_base_teardown(&self->b);
}

/* Flags for parsing @kind ("mem_banks", "caches", "io_links") properties. */
static unsigned int props_flags(const struct vkfd_env *env, const char *kind)
{
	if (strcmp(kind, "caches"))
		return 0;
	return VKFD_PROPS_CACHE | (env->amdkfd ? VKFD_PROPS_EMPTY_MAP : 0);
}

/* nodes/<node>/<file>, and nodes/<node>/<kind>/<idx>/properties. */
static void node_path(const struct vkfd_env *env, int node, const char *file,
		      char *buf, size_t n)
{
	snprintf(buf, n, "%s/nodes/%d/%s", env->topology, node, file);
}

static void sub_path(const struct vkfd_env *env, int node, const char *kind,
		     int idx, char *buf, size_t n)
{
	snprintf(buf, n, "%s/nodes/%d/%s/%d/properties", env->topology, node,
		 kind, idx);
}

/* Parses nodes/<node>/properties into self->props or fails the test. */
#define READ_NODE_PROPS(node) do {					\
	char __p[PATH_MAX];						\
	node_path(&self->b.env, node, "properties", __p, sizeof(__p));	\
	ASSERT_EQ(0, vkfd_props_read(__p, &self->props, 0))		\
		TH_LOG("%s: %s", __p, self->props.err);			\
} while (0)

#define READ_SUB_PROPS(node, kind, idx) do {				\
	char __p[PATH_MAX];						\
	sub_path(&self->b.env, node, kind, idx, __p, sizeof(__p));	\
	ASSERT_EQ(0, vkfd_props_read(__p, &self->props,			\
				     props_flags(&self->b.env, kind)))	\
		TH_LOG("%s: %s", __p, self->props.err);			\
} while (0)

/* Number of entries of a node's mem_banks/, caches/ or io_links/ directory. */
static int sub_count(const struct vkfd_env *env, int node, const char *kind)
{
	char path[PATH_MAX];

	node_path(env, node, kind, path, sizeof(path));
	return vkfd_count_indexed(path);
}

#define GPU_PROP(key) vkfd_prop_val(&self->props, key)

/* ------------------------------------------------------------------------
 * Shared: layout and format
 */

/* $VKFD_TOPOLOGY and $VKFD_SYSFS/topology are the same directory. */
TEST_F(topology, reachable_from_class_dir)
{
	char path[PATH_MAX];
	struct stat a, b;

	snprintf(path, sizeof(path), "%s/topology", self->b.env.sysfs);
	ASSERT_EQ(0, stat(self->b.env.topology, &a));
	ASSERT_EQ(0, stat(path, &b));
	EXPECT_TRUE(S_ISDIR(a.st_mode));
	EXPECT_EQ(a.st_dev, b.st_dev);
	EXPECT_EQ(a.st_ino, b.st_ino);
}

/* generation_id is a single decimal. */
TEST_F(topology, generation_id)
{
	char path[PATH_MAX];
	uint64_t gen;

	snprintf(path, sizeof(path), "%s/generation_id", self->b.env.topology);
	EXPECT_EQ(0, vkfd_read_u64(path, &gen));
}

/* system_properties is non-empty "key <decimal>" lines with the platform keys. */
TEST_F(topology, system_properties)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/system_properties", self->b.env.topology);
	ASSERT_EQ(0, vkfd_props_read(path, &self->props, 0))
		TH_LOG("%s", self->props.err);
	EXPECT_TRUE(vkfd_prop(&self->props, "platform_oem", NULL));
	EXPECT_TRUE(vkfd_prop(&self->props, "platform_id", NULL));
	EXPECT_TRUE(vkfd_prop(&self->props, "platform_rev", NULL));
}

/* nodes/ holds exactly the directories 0 .. N-1, nothing else. */
TEST_F(topology, nodes_contiguous)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/nodes", self->b.env.topology);
	EXPECT_EQ(self->topo.num_nodes, vkfd_count_entries(path));
	EXPECT_EQ(self->topo.num_nodes, vkfd_count_indexed(path));
	snprintf(path, sizeof(path), "%s/nodes/%d", self->b.env.topology,
		 self->topo.num_nodes);
	EXPECT_FALSE(vkfd_exists(path));
}

/* Every node has gpu_id, name, properties and mem_banks/, caches/, io_links/ directories. */
TEST_F(topology, node_layout)
{
	static const char * const files[] = { "gpu_id", "name", "properties" };
	static const char * const dirs[] = { "mem_banks", "caches", "io_links" };
	char path[PATH_MAX];
	struct stat st;
	int n, i;

	for (n = 0; n < self->topo.num_nodes; n++) {
		for (i = 0; i < (int)ARRAY_SIZE(files); i++) {
			node_path(&self->b.env, n, files[i], path, sizeof(path));
			ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
			EXPECT_TRUE(S_ISREG(st.st_mode)) TH_LOG("%s", path);
		}
		for (i = 0; i < (int)ARRAY_SIZE(dirs); i++) {
			node_path(&self->b.env, n, dirs[i], path, sizeof(path));
			EXPECT_TRUE(vkfd_is_dir(path)) TH_LOG("%s", path);
		}
	}
}

/* Every node's properties file is unique "key <unsigned decimal>" lines. */
TEST_F(topology, node_properties_format)
{
	int n;

	for (n = 0; n < self->topo.num_nodes; n++) {
		READ_NODE_PROPS(n);
		EXPECT_LT(0, self->props.count);
	}
}

/* Every mem bank, cache and io link has a well-formed properties file (+ caches' sibling_map). */
TEST_F(topology, sub_properties_format)
{
	static const char * const kinds[] = { "mem_banks", "caches", "io_links" };
	int n, k, i, count;

	for (n = 0; n < self->topo.num_nodes; n++) {
		for (k = 0; k < (int)ARRAY_SIZE(kinds); k++) {
			count = sub_count(&self->b.env, n, kinds[k]);
			ASSERT_LE(0, count) TH_LOG("node %d %s", n, kinds[k]);
			for (i = 0; i < count; i++)
				READ_SUB_PROPS(n, kinds[k], i);
		}
	}
}

/* mem_banks_count, caches_count and io_links_count equal the number of entries. */
TEST_F(topology, counts_match_entries)
{
	static const char * const kinds[] = { "mem_banks", "caches", "io_links" };
	char key[32];
	int n, k;

	for (n = 0; n < self->topo.num_nodes; n++) {
		READ_NODE_PROPS(n);
		for (k = 0; k < (int)ARRAY_SIZE(kinds); k++) {
			snprintf(key, sizeof(key), "%s_count", kinds[k]);
			EXPECT_EQ((uint64_t)sub_count(&self->b.env, n, kinds[k]),
				  GPU_PROP(key))
				TH_LOG("node %d %s", n, key);
		}
	}
}

/* Node 0 is the CPU: gpu_id 0, CPU cores, no SIMDs, a non-empty system-memory bank. */
TEST_F(topology, cpu_node)
{
	int i, count, system_banks = 0;

	EXPECT_EQ(0U, self->topo.node_gpu_id[0]);
	READ_NODE_PROPS(0);
	EXPECT_LT(0ULL, GPU_PROP("cpu_cores_count"));
	EXPECT_EQ(0ULL, GPU_PROP("simd_count"));

	count = sub_count(&self->b.env, 0, "mem_banks");
	ASSERT_LT(0, count);
	for (i = 0; i < count; i++) {
		READ_SUB_PROPS(0, "mem_banks", i);
		if (GPU_PROP("heap_type") == 0 && GPU_PROP("size_in_bytes") > 0)
			system_banks++;
	}
	EXPECT_LT(0, system_banks);
}

/* GPU nodes' gpu_ids are distinct. */
TEST_F(topology, gpu_ids_unique)
{
	int i, j;

	for (i = 0; i < self->topo.num_gpus; i++)
		for (j = i + 1; j < self->topo.num_gpus; j++)
			EXPECT_NE(self->topo.gpu_id[i], self->topo.gpu_id[j]);
}

/* Every io link starts at its own node and ends at an existing node. */
TEST_F(topology, io_links_endpoints)
{
	int n, i, count;

	for (n = 0; n < self->topo.num_nodes; n++) {
		count = sub_count(&self->b.env, n, "io_links");
		ASSERT_LE(0, count);
		for (i = 0; i < count; i++) {
			READ_SUB_PROPS(n, "io_links", i);
			EXPECT_EQ((uint64_t)n, GPU_PROP("node_from"));
			EXPECT_GT((uint64_t)self->topo.num_nodes, GPU_PROP("node_to"));
		}
	}
}

/* Topology files are read-only: opening them for writing fails with EACCES. */
TEST_F(topology, files_read_only)
{
	static const char * const kinds[] = { "mem_banks", "caches", "io_links" };
	static const char * const files[] = { "gpu_id", "name", "properties" };
	char path[PATH_MAX];
	int n, k, i, fd;

#define EXPECT_NOT_WRITABLE(p) do {					\
	fd = open(p, O_WRONLY | O_CLOEXEC);				\
	if (fd >= 0)							\
		close(fd);						\
	EXPECT_EQ(-1, fd) TH_LOG("%s", p);				\
	EXPECT_EQ(EACCES, errno) TH_LOG("%s", p);			\
} while (0)

	snprintf(path, sizeof(path), "%s/generation_id", self->b.env.topology);
	EXPECT_NOT_WRITABLE(path);
	snprintf(path, sizeof(path), "%s/system_properties", self->b.env.topology);
	EXPECT_NOT_WRITABLE(path);
	for (n = 0; n < self->topo.num_nodes; n++) {
		for (i = 0; i < (int)ARRAY_SIZE(files); i++) {
			node_path(&self->b.env, n, files[i], path, sizeof(path));
			EXPECT_NOT_WRITABLE(path);
		}
		for (k = 0; k < (int)ARRAY_SIZE(kinds); k++) {
			int count = sub_count(&self->b.env, n, kinds[k]);

			for (i = 0; i < count; i++) {
				sub_path(&self->b.env, n, kinds[k], i, path, sizeof(path));
				EXPECT_NOT_WRITABLE(path);
			}
		}
	}
#undef EXPECT_NOT_WRITABLE
}

/* ------------------------------------------------------------------------
 * vkfd only: the GPU nodes
 */

/* There are exactly num_gpus GPU nodes, with unique non-zero 16-bit gpu_ids. */
TEST_F(topology, gpu_node_count)
{
	uint64_t num_gpus;
	int i;

	VKFD_ONLY(&self->b.env, "amdkfd 6.1 has no vkfd module parameters");
	ASSERT_EQ(0, vkfd_module_param_u64("num_gpus", &num_gpus));
	EXPECT_EQ(num_gpus, (uint64_t)self->topo.num_gpus);
	for (i = 0; i < self->topo.num_gpus; i++) {
		EXPECT_NE(0U, self->topo.gpu_id[i]);
		EXPECT_GE(0xffffU, self->topo.gpu_id[i]);
		/* GPU nodes follow the CPU node */
		EXPECT_LT(0, self->topo.gpu_node[i]);
	}
}

/* GPU nodes carry the gfx900 properties ROCR, the thunk and rocm-smi depend on. */
TEST_F(topology, gpu_node_properties)
{
	static const char * const nonzero[] = {
		"simd_count", "simd_per_cu", "array_count",
		"simd_arrays_per_engine", "max_waves_per_simd",
		"cu_per_simd_array", "fw_version", "sdma_fw_version",
		"unique_id",
	};
	static const char * const present[] = { "hive_id", "location_id", "domain" };
	int g, i;

	VKFD_ONLY(&self->b.env, "CPU-only amdkfd has no GPU nodes");
	ASSERT_LT(0, self->topo.num_gpus);
	for (g = 0; g < self->topo.num_gpus; g++) {
		READ_NODE_PROPS(self->topo.gpu_node[g]);
		EXPECT_EQ(0ULL, GPU_PROP("cpu_cores_count"));
		EXPECT_EQ(90000ULL, GPU_PROP("gfx_target_version"));
		EXPECT_EQ(4098ULL, GPU_PROP("vendor_id"));
		EXPECT_EQ(26720ULL, GPU_PROP("device_id"));
		for (i = 0; i < (int)ARRAY_SIZE(nonzero); i++) {
			EXPECT_NE(0ULL, GPU_PROP(nonzero[i]))
				TH_LOG("node %d: %s", self->topo.gpu_node[g], nonzero[i]);
			EXPECT_NE(UINT64_MAX, GPU_PROP(nonzero[i]))
				TH_LOG("node %d: %s missing", self->topo.gpu_node[g], nonzero[i]);
		}
		for (i = 0; i < (int)ARRAY_SIZE(present); i++) {
			if (!vkfd_prop(&self->props, present[i], NULL)) {
				TH_LOG("node %d: %s missing", self->topo.gpu_node[g],
				       present[i]);
				EXPECT_TRUE(false);
			}
		}
		/* DoorbellType 2 (64-bit doorbells, gfx9+) */
		EXPECT_EQ(2ULL, (GPU_PROP("capability") >> 12) & 3);
		/* no SVMAPISupported (bit 27): AMDKFD_IOC_SVM is EPERM */
		EXPECT_EQ(0ULL, GPU_PROP("capability") & (1ULL << 27));
		/* no SRAM EDC (bit 26, KFD 1.4): a gfx900 without it */
		EXPECT_EQ(0ULL, GPU_PROP("capability") & (1ULL << 26));
		EXPECT_LE(128ULL, GPU_PROP("drm_render_minor"));
		EXPECT_GE(255ULL, GPU_PROP("drm_render_minor"));
	}
}

/* Each GPU node publishes an HSACU data cache (type bit 8 set, bit 2 clear) of level 1..4. */
TEST_F(topology, gpu_hsacu_cache)
{
	int g, i, count, good;
	uint64_t type, level;

	VKFD_ONLY(&self->b.env, "CPU-only amdkfd has no GPU nodes");
	ASSERT_LT(0, self->topo.num_gpus);
	for (g = 0; g < self->topo.num_gpus; g++) {
		int node = self->topo.gpu_node[g];

		good = 0;
		count = sub_count(&self->b.env, node, "caches");
		ASSERT_LE(0, count);
		for (i = 0; i < count; i++) {
			READ_SUB_PROPS(node, "caches", i);
			type = GPU_PROP("type");
			level = GPU_PROP("level");
			if ((type & 8) && !(type & 2) && level >= 1 && level <= 4)
				good++;
		}
		EXPECT_LT(0, good) TH_LOG("node %d", node);
	}
}

/* Each GPU node has a VRAM bank (heap type 1 or 2) of exactly vram_mb MiB. */
TEST_F(topology, gpu_vram_bank)
{
	uint64_t vram_mb, heap;
	int g, i, count, good;

	VKFD_ONLY(&self->b.env, "amdkfd 6.1 has no vkfd module parameters");
	ASSERT_EQ(0, vkfd_module_param_u64("vram_mb", &vram_mb));
	ASSERT_LT(0, self->topo.num_gpus);
	for (g = 0; g < self->topo.num_gpus; g++) {
		int node = self->topo.gpu_node[g];

		good = 0;
		count = sub_count(&self->b.env, node, "mem_banks");
		ASSERT_LE(0, count);
		for (i = 0; i < count; i++) {
			READ_SUB_PROPS(node, "mem_banks", i);
			heap = GPU_PROP("heap_type");
			if ((heap == 1 || heap == 2) &&
			    GPU_PROP("size_in_bytes") == vram_mb << 20)
				good++;
		}
		EXPECT_LT(0, good) TH_LOG("node %d", node);
	}
}

/* Returns true if node @from has an io link to node @to. */
static bool has_link(FIXTURE_DATA(topology) *self, int from, int to)
{
	int i, count = sub_count(&self->b.env, from, "io_links");
	char path[PATH_MAX];

	for (i = 0; i < count; i++) {
		sub_path(&self->b.env, from, "io_links", i, path, sizeof(path));
		if (vkfd_props_read(path, &self->props, 0))
			return false;
		if (GPU_PROP("node_to") == (uint64_t)to)
			return true;
	}
	return false;
}

/* Each GPU node links to the CPU node and the CPU node links back to each GPU node. */
TEST_F(topology, gpu_io_links)
{
	int g;

	VKFD_ONLY(&self->b.env, "CPU-only amdkfd has no GPU nodes");
	ASSERT_LT(0, self->topo.num_gpus);
	for (g = 0; g < self->topo.num_gpus; g++) {
		int node = self->topo.gpu_node[g];

		EXPECT_TRUE(has_link(self, node, 0)) TH_LOG("%d -> 0", node);
		EXPECT_TRUE(has_link(self, 0, node)) TH_LOG("0 -> %d", node);
	}
}

TEST_HARNESS_MAIN
