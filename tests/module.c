// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd.ko itself: module parameters, load failures, unload while contexts
 * exist, load/unload cycles, and coexistence with amdgpu (amdkfd lane).
 *
 * Needs VKFD_MODULE (path of vkfd.ko). Every test leaves the module as the
 * lane had it: loaded with VKFD_MODULE_PARAMS in vkfd lanes, not loaded in
 * the amdkfd lane. Setup and teardown both restore that state, so a test
 * killed by the harness timeout does not break the next one.
 *
 * The test process never opens the device itself: a context lives as long
 * as its process, and teardown must be able to unload. Children do.
 */
#include "kselftest_harness.h"
#include "module_utils.h"

#define CYCLES			50

/* ------------------------------------------------------------------------
 * Fixture
 */

FIXTURE(module) {
	struct vkfd_base b;		/* without a device: the module comes and goes */
	char name[32];		/* vkfd's device name in this lane */
	char params[256];	/* scratch */
	char scratch[64];
};

FIXTURE_SETUP(module)
{
	lane_fixture_setup(_metadata, &self->b, self->name, sizeof(self->name));
}

FIXTURE_TEARDOWN(module)
{
	lane_fixture_teardown(_metadata, &self->b);
}

#define MODULE_REQUIRED() do {						\
	if (!self->b.env.module)						\
		SKIP(return, "VKFD_MODULE is not set");			\
} while (0)

/* (Re)loads vkfd as "name=<lane name> @extra". */
#define LOAD_NAMED(extra) do {						\
	ASSERT_EQ(0, unload_if_loaded());				\
	snprintf(self->params, sizeof(self->params), "name=%s %s",	\
		 self->name, extra);					\
	ASSERT_EQ(0, vkfd_module_load(self->b.env.module, self->params))	\
		TH_LOG("params '%s'", self->params);			\
} while (0)

/* Makes sure vkfd is loaded: as the lane has it, or as "name=vkfd" in the amdkfd lane. */
#define USE_MODULE() do {						\
	if (self->b.env.amdkfd)						\
		LOAD_NAMED("");						\
	ASSERT_TRUE(vkfd_module_loaded());				\
} while (0)

/* Checks the loaded instance's topology: @gpus GPU nodes with @vram_mb of VRAM each. */
static void check_shape(struct __test_metadata *_metadata, const char *name,
			uint64_t gpus, uint64_t vram_mb, struct vkfd_topo *topo)
{
	struct vkfd_props *props = malloc(sizeof(*props));
	char topology[256], path[PATH_MAX];
	uint64_t v;
	int g, i, count, good;

	ASSERT_NE(NULL, props);
	ASSERT_EQ(0, vkfd_module_param_u64("num_gpus", &v));
	EXPECT_EQ(gpus, v);
	ASSERT_EQ(0, vkfd_module_param_u64("vram_mb", &v));
	EXPECT_EQ(vram_mb, v);

	topology_path(name, topology, sizeof(topology));
	ASSERT_EQ(0, vkfd_topo_load(topology, topo));
	EXPECT_EQ(gpus, (uint64_t)topo->num_gpus);
	for (g = 0; g < topo->num_gpus; g++) {
		snprintf(path, sizeof(path), "%s/nodes/%d/mem_banks", topology,
			 topo->gpu_node[g]);
		count = vkfd_count_indexed(path);
		good = 0;
		for (i = 0; i < count; i++) {
			snprintf(path, sizeof(path), "%s/nodes/%d/mem_banks/%d/properties",
				 topology, topo->gpu_node[g], i);
			if (vkfd_props_read(path, props, 0))
				continue;
			v = vkfd_prop_val(props, "heap_type");
			if ((v == 1 || v == 2) &&
			    vkfd_prop_val(props, "size_in_bytes") == vram_mb << 20)
				good++;
		}
		EXPECT_EQ(1, good) TH_LOG("node %d", topo->gpu_node[g]);
	}
	free(props);
}

/* ------------------------------------------------------------------------
 * Parameters
 */

/* The parameters read back as the lane loaded them (defaults kfd, 1, 1024). */
TEST_F(module, params_match_lane)
{
	char name[64];
	uint64_t v;

	MODULE_REQUIRED();
	VKFD_ONLY(&self->b.env, "vkfd is not loaded in the amdkfd lane");
	ASSERT_EQ(0, vkfd_module_param("name", name, sizeof(name)));
	EXPECT_STREQ(self->name, name);
	ASSERT_EQ(0, vkfd_module_param_u64("num_gpus", &v));
	EXPECT_EQ(lane_u64(&self->b.env, "num_gpus", DEFAULT_NUM_GPUS), v);
	ASSERT_EQ(0, vkfd_module_param_u64("vram_mb", &v));
	EXPECT_EQ(lane_u64(&self->b.env, "vram_mb", DEFAULT_VRAM_MB), v);
}

/* The parameters are 0444: opening them for writing fails and the values stay. */
TEST_F(module, params_read_only)
{
	static const char * const params[] = { "name", "num_gpus", "vram_mb" };
	char path[PATH_MAX], rel[64], before[64], after[64];
	struct stat st;
	int i, fd;

	MODULE_REQUIRED();
	USE_MODULE();
	for (i = 0; i < (int)ARRAY_SIZE(params); i++) {
		snprintf(rel, sizeof(rel), "parameters/%s", params[i]);
		vkfd_mod_path(vkfd_modname(), rel, path, sizeof(path));
		ASSERT_EQ(0, vkfd_module_param(params[i], before, sizeof(before)));
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0444U, st.st_mode & 07777) TH_LOG("%s", path);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			EXPECT_EQ(-1, write(fd, "2\n", 2));
			close(fd);
		}
		EXPECT_EQ(-1, fd) TH_LOG("%s", path);
		EXPECT_EQ(EACCES, errno);
		ASSERT_EQ(0, vkfd_module_param(params[i], after, sizeof(after)));
		EXPECT_STREQ(before, after);
	}
}

/* Without parameters: name kfd (or the lane's), one GPU, 1024 MiB of VRAM. */
TEST_F(module, default_params)
{
	struct vkfd_topo topo;
	char name[64];

	MODULE_REQUIRED();
	ASSERT_EQ(0, unload_if_loaded());
	/* no parameter at all, unless the lane's name is not the default */
	if (strcmp(self->name, DEFAULT_NAME))
		snprintf(self->params, sizeof(self->params), "name=%s", self->name);
	else
		self->params[0] = '\0';
	ASSERT_EQ(0, vkfd_module_load(self->b.env.module, self->params));
	ASSERT_EQ(0, vkfd_module_param("name", name, sizeof(name)));
	EXPECT_STREQ(self->name, name);
	check_shape(_metadata, self->name, DEFAULT_NUM_GPUS, DEFAULT_VRAM_MB, &topo);
	EXPECT_EQ(0, use_once(self->name, &topo));
}

/* Reloaded with num_gpus=3 vram_mb=64, the topology and the apertures show 3 GPUs of 64 MiB. */
TEST_F(module, reload_three_gpus)
{
	struct vkfd_topo topo;

	MODULE_REQUIRED();
	LOAD_NAMED("num_gpus=3 vram_mb=64");
	check_shape(_metadata, self->name, 3, 64, &topo);
	EXPECT_EQ(0, use_once(self->name, &topo));
}

/* The limits themselves are accepted: 8 GPUs (7 in the old apertures ioctl), 16 and 65536 MiB. */
TEST_F(module, param_limits_accepted)
{
	struct vkfd_topo topo;

	MODULE_REQUIRED();
	LOAD_NAMED("num_gpus=8 vram_mb=16");
	check_shape(_metadata, self->name, 8, 16, &topo);
	EXPECT_EQ(0, use_once(self->name, &topo));
	LOAD_NAMED("num_gpus=1 vram_mb=65536");
	check_shape(_metadata, self->name, 1, 65536, &topo);
	EXPECT_EQ(0, use_once(self->name, &topo));
}

/* name=vkfd creates /dev/vkfd and /sys/class/vkfd/vkfd/topology, and nothing under kfd. */
TEST_F(module, name_vkfd)
{
	struct user_args args = { .name = "vkfd",
				  .minor = VKFD_IOCTL_MINOR_VERSION };
	char path[PATH_MAX], name[64];
	struct stat a, b;
	uint64_t ack;

	MODULE_REQUIRED();
	ASSERT_EQ(0, unload_if_loaded());
	ASSERT_EQ(0, vkfd_module_load(self->b.env.module, "name=vkfd"));

	ASSERT_EQ(0, vkfd_module_param("name", name, sizeof(name)));
	EXPECT_STREQ("vkfd", name);
	ASSERT_EQ(0, stat("/dev/vkfd", &a));
	EXPECT_TRUE(S_ISCHR(a.st_mode));
	ASSERT_EQ(0, stat("/sys/class/vkfd/vkfd/topology", &a));
	ASSERT_EQ(0, stat("/sys/devices/virtual/vkfd/vkfd/topology", &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_TRUE(vkfd_is_dir("/sys/class/vkfd/vkfd/topology/nodes/1"));
	if (self->b.env.amdkfd)
		EXPECT_AMDKFD_INTACT();
	else
		EXPECT_FALSE(vkfd_exists("/dev/" DEFAULT_NAME));

	/* usable, with its per-process entries under the new class */
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, user_child, &args));
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &ack));
	EXPECT_EQ(0ULL, ack);
	snprintf(path, sizeof(path), "/sys/class/vkfd/vkfd/proc/%d", self->b.child.pid);
	EXPECT_TRUE(vkfd_is_dir(path));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));

	ASSERT_EQ(0, vkfd_module_unload());
	EXPECT_NOTHING_LEFT("vkfd");
	if (self->b.env.amdkfd)
		EXPECT_AMDKFD_INTACT();
}

/* A 31-character name of every allowed character class loads and unloads cleanly. */
TEST_F(module, name_31_chars)
{
	static const char name[] = "Aa0_-bcdefghijklmnopqrstuvwxyz9";
	char path[PATH_MAX];

	MODULE_REQUIRED();
	ASSERT_EQ(31, (int)strlen(name));
	ASSERT_EQ(0, unload_if_loaded());
	snprintf(self->params, sizeof(self->params), "name=%s", name);
	ASSERT_EQ(0, vkfd_module_load(self->b.env.module, self->params));
	dev_path(name, path, sizeof(path));
	EXPECT_TRUE(vkfd_exists(path));
	class_path(name, path, sizeof(path));
	EXPECT_TRUE(vkfd_is_dir(path));
	EXPECT_EQ(0, use_once(name, NULL));
	ASSERT_EQ(0, vkfd_module_unload());
	EXPECT_NOTHING_LEFT(name);
}

/* amdgpu owns class kfd: the default name fails with EEXIST, says name=vkfd, leaves nothing. */
TEST_F(module, default_name_taken_eexist)
{
	struct user_args amdkfd_user = { .name = "kfd", .minor = 11 };
	uint64_t ack;
	int before;

	MODULE_REQUIRED();
	if (!self->b.env.amdkfd)
		SKIP(return, "vkfd lane: no other driver owns the kfd class");
	EXPECT_AMDKFD_INTACT();
	before = klog_count("name=vkfd");
	ASSERT_LE(0, before);

	ASSERT_EQ(-EEXIST, vkfd_module_load(self->b.env.module, ""));
	EXPECT_NOTHING_LEFT("vkfd");
	EXPECT_AMDKFD_INTACT();
	EXPECT_LT(before, klog_count("name=vkfd"));

	/* amdgpu's /dev/kfd still works */
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, user_child, &amdkfd_user));
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &ack));
	EXPECT_EQ(0ULL, ack);
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));
}

/* ------------------------------------------------------------------------
 * Unload
 */

/* Unload is refused (EWOULDBLOCK) while a context exists, even with its fds closed; then clean. */
TEST_F(module, unload_refused_while_context_exists)
{
	struct user_args args = { .name = self->name,
				  .minor = VKFD_IOCTL_MINOR_VERSION };
	char dev[PATH_MAX], proc[PATH_MAX];
	uint64_t ack;

	MODULE_REQUIRED();
	USE_MODULE();
	dev_path(self->name, dev, sizeof(dev));
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, user_child, &args));
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &ack));
	ASSERT_EQ(0ULL, ack);
	class_path(self->name, proc, sizeof(proc));
	snprintf(proc + strlen(proc), sizeof(proc) - strlen(proc), "/proc/%d",
		 self->b.child.pid);
	ASSERT_TRUE(vkfd_is_dir(proc));

	/* fd open */
	ASSERT_EQ(-EWOULDBLOCK, vkfd_module_unload());
	EXPECT_TRUE(vkfd_module_loaded());
	EXPECT_TRUE(vkfd_exists(dev));
	EXPECT_EQ(0, user_cmd(&self->b.child, CMD_IOCTL));

	/* fd closed, opener alive: the context (and the refusal) remains */
	ASSERT_EQ(0, user_cmd(&self->b.child, CMD_CLOSE));
	ASSERT_EQ(-EWOULDBLOCK, vkfd_module_unload());
	EXPECT_TRUE(vkfd_module_loaded());
	EXPECT_TRUE(vkfd_exists(dev));
	EXPECT_TRUE(vkfd_is_dir(proc));

	/* opener gone: unload succeeds at once */
	ASSERT_EQ(0, vkfd_child_wait(&self->b.child));
	ASSERT_EQ(0, vkfd_module_unload()) TH_LOG("refcnt %s", refcnt(self->scratch));
	EXPECT_NOTHING_LEFT(self->name);
}

/* After the last user exits, unload succeeds at once and removes the node, class and module. */
TEST_F(module, unload_after_exit)
{
	MODULE_REQUIRED();
	USE_MODULE();
	ASSERT_EQ(0, use_once(self->name, NULL));
	ASSERT_EQ(0, vkfd_module_unload()) TH_LOG("refcnt %s", refcnt(self->scratch));
	EXPECT_NOTHING_LEFT(self->name);
}

/*
 * Child: a GPU VM on the first GPU of /dev/<name>, a mapped VRAM buffer
 * with a CPU mapping, and exit with all of it still open.
 */
static int gpu_user_child(void *arg, int in, int out)
{
	const char *name = arg;
	char dev[PATH_MAX], topology[PATH_MAX];
	struct vkfd_context ctx;
	struct vkfd_bo bo;
	uint32_t gpu;
	int r;
	void *p;

	class_path(name, topology, sizeof(topology));
	strncat(topology, "/topology", sizeof(topology) - strlen(topology) - 1);
	dev_path(name, dev, sizeof(dev));
	if (vkfd_gpu_ids(topology, &gpu, 1) < 1)
		return 10;
	if (vkfd_open_primary(dev, &ctx) ||
	    vkfd_open_vm(&ctx, topology, gpu, &r))
		return 12;
	if (vkfd_alloc(&ctx, gpu, 0x40000000, 0x10000,
		       KFD_IOC_ALLOC_MEM_FLAGS_VRAM |
		       KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &bo))
		return 13;
	if (vkfd_map(&ctx, &bo, &gpu, 1))
		return 14;
	if (vkfd_bo_mmap(r, &bo, PROT_READ | PROT_WRITE, &p))
		return 15;
	*(char *)p = 1;
	return 0;
}

/*
 * A process that exits with a GPU VM, mapped GPU memory and a CPU mapping
 * of the render node: unload succeeds at once, the render files included.
 */
TEST_F(module, unload_after_exit_with_gpu_memory)
{
	MODULE_REQUIRED();
	USE_MODULE();
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, gpu_user_child,
				      (void *)self->name));
	ASSERT_EQ(0, vkfd_child_wait(&self->b.child));
	ASSERT_EQ(0, vkfd_module_unload()) TH_LOG("refcnt %s", refcnt(self->scratch));
	EXPECT_NOTHING_LEFT(self->name);
}

/* 50 load / use / unload cycles (scaled) all succeed and each unload leaves nothing. */
TEST_F_TIMEOUT(module, load_unload_cycles, 600)
{
	const char *params = self->b.env.amdkfd ? "name=vkfd" : self->b.env.module_params;
	char dev[PATH_MAX], cls[PATH_MAX];
	int i;

	MODULE_REQUIRED();
	dev_path(self->name, dev, sizeof(dev));
	class_path(self->name, cls, sizeof(cls));
	ASSERT_EQ(0, unload_if_loaded());
	for (i = 0; i < vkfd_scaled(CYCLES); i++) {
		ASSERT_EQ(0, vkfd_module_load(self->b.env.module, params)) TH_LOG("cycle %d", i);
		ASSERT_TRUE(vkfd_exists(dev)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, use_once(self->name, NULL)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, vkfd_module_unload())
			TH_LOG("cycle %d: refcnt %s", i, refcnt(self->scratch));
		ASSERT_FALSE(vkfd_module_loaded()) TH_LOG("cycle %d", i);
		ASSERT_FALSE(vkfd_exists(dev)) TH_LOG("cycle %d", i);
		ASSERT_FALSE(vkfd_exists(cls)) TH_LOG("cycle %d", i);
	}
}

/* ------------------------------------------------------------------------
 * Invalid parameters: each load fails with EINVAL and leaves nothing.
 */

FIXTURE(bad_param) {
	struct vkfd_base b;		/* without a device: the module comes and goes */
	char name[32];
};

FIXTURE_VARIANT(bad_param) {
	const char *params;
	const char *bad_name;	/* the invalid name set, if a usable path component */
	bool sets_name;
};

FIXTURE_VARIANT_ADD(bad_param, name_empty) { .params = "name=", .sets_name = true };
FIXTURE_VARIANT_ADD(bad_param, name_32_chars) {
	.params = "name=abcdefghijklmnopqrstuvwxyz012345",
	.bad_name = "abcdefghijklmnopqrstuvwxyz012345", .sets_name = true,
};
FIXTURE_VARIANT_ADD(bad_param, name_slash) { .params = "name=k/fd", .sets_name = true };
FIXTURE_VARIANT_ADD(bad_param, name_dot) {
	.params = "name=kfd.0", .bad_name = "kfd.0", .sets_name = true,
};
FIXTURE_VARIANT_ADD(bad_param, name_space) { .params = "name=\"k fd\"", .sets_name = true };
FIXTURE_VARIANT_ADD(bad_param, name_colon) {
	.params = "name=kfd:1", .bad_name = "kfd:1", .sets_name = true,
};
FIXTURE_VARIANT_ADD(bad_param, num_gpus_0) { .params = "num_gpus=0" };
FIXTURE_VARIANT_ADD(bad_param, num_gpus_9) { .params = "num_gpus=9" };
FIXTURE_VARIANT_ADD(bad_param, num_gpus_negative) { .params = "num_gpus=-1" };
FIXTURE_VARIANT_ADD(bad_param, num_gpus_text) { .params = "num_gpus=two" };
FIXTURE_VARIANT_ADD(bad_param, vram_mb_0) { .params = "vram_mb=0" };
FIXTURE_VARIANT_ADD(bad_param, vram_mb_15) { .params = "vram_mb=15" };
FIXTURE_VARIANT_ADD(bad_param, vram_mb_65537) { .params = "vram_mb=65537" };

FIXTURE_SETUP(bad_param)
{
	lane_fixture_setup(_metadata, &self->b, self->name, sizeof(self->name));
}

FIXTURE_TEARDOWN(bad_param)
{
	lane_fixture_teardown(_metadata, &self->b);
}

/* The load fails with EINVAL; no module, device node or class directory remains. */
TEST_F(bad_param, load_einval_leaves_nothing)
{
	char params[256];

	MODULE_REQUIRED();
	ASSERT_EQ(0, unload_if_loaded());
	if (variant->sets_name)
		snprintf(params, sizeof(params), "%s", variant->params);
	else
		snprintf(params, sizeof(params), "%s name=%s", variant->params, self->name);

	ASSERT_EQ(-EINVAL, vkfd_module_load(self->b.env.module, params))
		TH_LOG("params '%s'", params);
	EXPECT_NOTHING_LEFT(self->name);
	if (variant->bad_name)
		EXPECT_NOTHING_LEFT(variant->bad_name);
	if (self->b.env.amdkfd)
		EXPECT_AMDKFD_INTACT();
}

TEST_HARNESS_MAIN
