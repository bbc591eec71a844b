// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd as amdgpu.ko: the same driver under the module name ROCm's tools
 * look for (rocminfo greps lsmod for amdgpu, rocm-smi reads
 * /sys/module/amdgpu/initstate), and vkfdctl load / unload, which refuse
 * where AMD's own amdgpu is loaded.
 *
 * Needs VKFD_MODULE (the lane's module), VKFD_AMDGPU_MODULE (amdgpu.ko)
 * and VKFD_VKFDCTL. Every test leaves the modules as the lane had them
 * (module_utils.h), in setup and in teardown.
 */
#include "kselftest_harness.h"
#include "module_utils.h"

#define REAL_AMDGPU_MSG \
	"vkfdctl: the real amdgpu driver is loaded; unload it (modprobe -r amdgpu) or load vkfd.ko name=vkfd"

FIXTURE(amdgpu) {
	struct vkfd_base b;		/* without a device: the module comes and goes */
	char name[32];			/* vkfd's device name in this lane */
	const char *ko;			/* VKFD_AMDGPU_MODULE */
	const char *tool;		/* VKFD_VKFDCTL */
	char out[4096];
};

FIXTURE_SETUP(amdgpu)
{
	vkfd_base_setup(&self->b, VKFD_BASE_NO_DEVICE);
	lane_name(&self->b.env, self->name, sizeof(self->name));
	self->ko = getenv("VKFD_AMDGPU_MODULE");
	self->tool = getenv("VKFD_VKFDCTL");
	if (!self->b.env.module || !self->ko || access(self->ko, R_OK)) {
		ASSERT_FALSE(vkfd_in_lane()) TH_LOG("the modules are not staged");
		VKFD_SETUP_SKIP("VKFD_MODULE or VKFD_AMDGPU_MODULE is not set");
	}
	ASSERT_EQ(0, lane_restore(&self->b.env));
}

FIXTURE_TEARDOWN(amdgpu)
{
	lane_fixture_teardown(_metadata, &self->b);
}

#define TOOL_REQUIRED() do {						\
	if (!self->tool || access(self->tool, X_OK)) {			\
		ASSERT_FALSE(vkfd_in_lane())				\
			TH_LOG("vkfdctl is not staged");		\
		SKIP(return, "no vkfdctl (VKFD_VKFDCTL)");		\
	}								\
} while (0)

/*
 * "vkfdctl load [--as-amdgpu] --module @ko @params..." (@params: words
 * separated by spaces), stdout and stderr into @out. Returns the exit
 * status.
 */
static int run_load(const char *tool, bool as_amdgpu, const char *ko,
		    const char *params, char *out, size_t size)
{
	char *argv[16] = { (char *)tool, "load" }, words[256], *w, *save = NULL;
	int n = 2;

	if (as_amdgpu)
		argv[n++] = "--as-amdgpu";
	argv[n++] = "--module";
	argv[n++] = (char *)ko;
	snprintf(words, sizeof(words), "%s", params);
	for (w = strtok_r(words, " ", &save); w && n < 15; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n] = NULL;
	return vkfd_run(argv, true, out, size);
}

/* "vkfdctl unload"; output into @out. */
static int run_unload(const char *tool, char *out, size_t size)
{
	char *argv[] = { (char *)tool, "unload", NULL };

	return vkfd_run(argv, true, out, size);
}

#define LOAD(as_amdgpu, ko, params)					\
	run_load(self->tool, as_amdgpu, ko, params, self->out, sizeof(self->out))
#define UNLOAD() run_unload(self->tool, self->out, sizeof(self->out))

/* Does /proc/modules (what lsmod prints) list a module called @mod? */
static bool proc_modules_lists(const char *mod)
{
	char text[16384], *line, *save = NULL;
	size_t len = strlen(mod);

	if (vkfd_read_text("/proc/modules", text, sizeof(text)) <= 0)
		return false;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, mod, len) && line[len] == ' ')
			return true;
	return false;
}

/* /sys/module/@mod/initstate, without the newline ("" if unreadable). */
static void mod_initstate(const char *mod, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t len;

	vkfd_mod_path(mod, "initstate", path, sizeof(path));
	len = vkfd_read_text(path, buf, size);
	if (len < 0)
		len = 0;
	if (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
}

/* Is debugfs mounted where the guest init mounts it? */
static bool debugfs_mounted(void)
{
	char text[8192];

	return vkfd_read_text("/proc/mounts", text, sizeof(text)) > 0 &&
	       strstr(text, " /sys/kernel/debug debugfs ");
}

/* Checks vkfd, loaded as amdgpu with the lane's parameters, as ROCm's tools look at it. */
static void check_as_amdgpu(struct __test_metadata *_metadata,
			    const struct vkfd_env *env, const char *name)
{
	char state[32], path[256], buf[64];
	struct vkfd_topo topo;
	uint64_t v;

	mod_initstate("amdgpu", state, sizeof(state));
	EXPECT_STREQ("live", state);
	EXPECT_TRUE(proc_modules_lists("amdgpu"));
	EXPECT_TRUE(vkfd_mod_is_vkfd("amdgpu"));
	/* the tests unloaded vkfd.ko first */
	EXPECT_FALSE(vkfd_mod_loaded("vkfd"));
	EXPECT_FALSE(proc_modules_lists("vkfd"));
	ASSERT_EQ(0, vkfd_mod_param("amdgpu", "name", buf, sizeof(buf)));
	EXPECT_STREQ(name, buf);
	ASSERT_EQ(0, vkfd_mod_param_u64("amdgpu", "num_gpus", &v));
	EXPECT_EQ(lane_u64(env, "num_gpus", DEFAULT_NUM_GPUS), v);

	/* the device works: topology, open, GET_VERSION, apertures */
	topology_path(name, path, sizeof(path));
	ASSERT_EQ(0, vkfd_topo_load(path, &topo));
	EXPECT_EQ(v, (uint64_t)topo.num_gpus);
	EXPECT_EQ(0, use_once(name, &topo));

	/* named after the module: debugfs */
	if (debugfs_mounted()) {
		EXPECT_TRUE(vkfd_exists("/sys/kernel/debug/amdgpu/contexts"));
		EXPECT_FALSE(vkfd_exists("/sys/kernel/debug/vkfd"));
	}
}

/*
 * amdgpu.ko with the lane's parameters: initstate "live", listed in
 * /proc/modules as amdgpu, /dev/<name> works; it unloads cleanly.
 */
TEST_F(amdgpu, loads_as_amdgpu)
{
	char dev[PATH_MAX];

	VKFD_ONLY(&self->b.env, "AMD's amdgpu is loaded: see real_amdgpu_refused");
	ASSERT_EQ(0, unload_if_loaded());
	ASSERT_FALSE(vkfd_mod_loaded("amdgpu"));
	ASSERT_EQ(0, vkfd_module_load(self->ko, self->b.env.module_params));
	check_as_amdgpu(_metadata, &self->b.env, self->name);

	ASSERT_EQ(0, vkfd_mod_unload("amdgpu"));
	EXPECT_FALSE(vkfd_mod_loaded("amdgpu"));
	EXPECT_FALSE(proc_modules_lists("amdgpu"));
	dev_path(self->name, dev, sizeof(dev));
	EXPECT_FALSE(vkfd_exists(dev));
}

/*
 * vkfdctl load --as-amdgpu loads it; a second load is refused (exit 1)
 * and changes nothing; vkfdctl unload unloads it, and says so (exit 1)
 * when nothing is left.
 */
TEST_F(amdgpu, vkfdctl_load_unload)
{
	TOOL_REQUIRED();
	VKFD_ONLY(&self->b.env, "AMD's amdgpu is loaded: see real_amdgpu_refused");
	ASSERT_EQ(0, unload_if_loaded());

	ASSERT_EQ(0, LOAD(true, self->ko, self->b.env.module_params))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "loaded as amdgpu")) TH_LOG("%s", self->out);
	check_as_amdgpu(_metadata, &self->b.env, self->name);

	EXPECT_EQ(1, LOAD(true, self->ko, self->b.env.module_params));
	EXPECT_NE(NULL, strstr(self->out, "vkfd is already loaded as amdgpu"))
		TH_LOG("%s", self->out);
	check_as_amdgpu(_metadata, &self->b.env, self->name);

	EXPECT_EQ(0, UNLOAD()) TH_LOG("%s", self->out);
	EXPECT_FALSE(vkfd_mod_loaded("amdgpu"));
	EXPECT_FALSE(vkfd_module_loaded());
	EXPECT_EQ(1, UNLOAD());
	EXPECT_NE(NULL, strstr(self->out, "vkfd is not loaded")) TH_LOG("%s", self->out);
}

/*
 * vkfd.ko owns /dev/kfd: vkfdctl load --as-amdgpu without name= is
 * refused before the kernel is asked (which would say only EEXIST), and
 * nothing changes.
 */
TEST_F(amdgpu, vkfdctl_refuses_taken_kfd)
{
	char buf[64];

	TOOL_REQUIRED();
	VKFD_ONLY(&self->b.env, "AMD's amdgpu is loaded: see real_amdgpu_refused");
	if (strcmp(self->name, "kfd") || strcmp(vkfd_modname(), "vkfd"))
		SKIP(return, "the lane's vkfd.ko is not named kfd");
	ASSERT_TRUE(vkfd_module_loaded());

	EXPECT_EQ(1, LOAD(true, self->ko, ""));
	EXPECT_NE(NULL, strstr(self->out, "/sys/class/kfd exists")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "name=vkfd")) TH_LOG("%s", self->out);
	EXPECT_FALSE(vkfd_mod_loaded("amdgpu"));
	ASSERT_EQ(0, vkfd_module_param("name", buf, sizeof(buf)));
	EXPECT_STREQ("kfd", buf);
	EXPECT_TRUE(lane_state_ok(&self->b.env));
}

/* Bad command lines are usage errors (2) and change nothing. */
TEST_F(amdgpu, vkfdctl_usage_errors)
{
	static const char * const usage[][4] = {
		{ "load", "--bogus" }, { "load", "num_gpus" }, { "load", "=1" },
		{ "load", "--module" }, { "unload", "extra" },
	};
	char *argv[6];
	int i, j;

	TOOL_REQUIRED();
	for (i = 0; i < (int)ARRAY_SIZE(usage); i++) {
		argv[0] = (char *)self->tool;
		for (j = 0; usage[i][j]; j++)
			argv[j + 1] = (char *)usage[i][j];
		argv[j + 1] = NULL;
		EXPECT_EQ(2, vkfd_run(argv, true, self->out, sizeof(self->out)))
			TH_LOG("%s %s: %s", usage[i][0], usage[i][1], self->out);
		EXPECT_NE(NULL, strstr(self->out, "usage:")) TH_LOG("%s", self->out);
	}
	EXPECT_TRUE(lane_state_ok(&self->b.env));
}

/* A module that cannot be read, or is no ELF module, fails (1) and changes nothing. */
TEST_F(amdgpu, vkfdctl_bad_module)
{
	TOOL_REQUIRED();
	/* past the checks: a vkfd lane, where amdgpu is free */
	VKFD_ONLY(&self->b.env, "AMD's amdgpu is loaded: load --as-amdgpu stops earlier");
	EXPECT_EQ(1, LOAD(true, "/nonexistent/amdgpu.ko", "name=vkfdx"));
	EXPECT_NE(NULL, strstr(self->out, "No such file")) TH_LOG("%s", self->out);
	EXPECT_EQ(1, LOAD(true, "/proc/self/status", "name=vkfdx"));
	EXPECT_NE(NULL, strstr(self->out, "is not a kernel module")) TH_LOG("%s", self->out);
	EXPECT_FALSE(vkfd_mod_loaded("amdgpu"));
	EXPECT_TRUE(lane_state_ok(&self->b.env));
}

/*
 * AMD's amdgpu is loaded (amdkfd lane): the kernel refuses a second
 * amdgpu with a bare EEXIST; vkfdctl load --as-amdgpu exits 1 and says
 * why; neither changes anything. vkfdctl unload never touches it.
 */
TEST_F(amdgpu, real_amdgpu_refused)
{
	char before[32], after[32];

	TOOL_REQUIRED();
	if (!self->b.env.amdkfd)
		SKIP(return, "vkfd lane: AMD's amdgpu is not loaded");
	ASSERT_TRUE(vkfd_mod_loaded("amdgpu"));
	ASSERT_FALSE(vkfd_mod_is_vkfd("amdgpu"));
	mod_initstate("amdgpu", before, sizeof(before));
	EXPECT_STREQ("live", before);

	EXPECT_EQ(-EEXIST, vkfd_module_load(self->ko, ""));

	EXPECT_EQ(1, LOAD(true, self->ko, ""));
	EXPECT_NE(NULL, strstr(self->out, REAL_AMDGPU_MSG)) TH_LOG("%s", self->out);
	EXPECT_EQ(1, LOAD(true, self->ko, "name=vkfd"));
	EXPECT_NE(NULL, strstr(self->out, REAL_AMDGPU_MSG)) TH_LOG("%s", self->out);

	/* vkfd.ko without name=: amdkfd owns kfd */
	EXPECT_EQ(1, LOAD(false, self->b.env.module, ""));
	EXPECT_NE(NULL, strstr(self->out, "name=vkfd")) TH_LOG("%s", self->out);

	EXPECT_EQ(1, UNLOAD());
	EXPECT_NE(NULL, strstr(self->out, "vkfd is not loaded")) TH_LOG("%s", self->out);

	ASSERT_FALSE(vkfd_mod_is_vkfd("amdgpu"));
	mod_initstate("amdgpu", after, sizeof(after));
	EXPECT_STREQ(before, after);
	EXPECT_FALSE(vkfd_module_loaded());
	EXPECT_AMDKFD_INTACT();
}

/* Next to AMD's amdgpu, vkfdctl loads vkfd.ko name=vkfd and unloads it, amdgpu untouched. */
TEST_F(amdgpu, real_amdgpu_vkfd_beside)
{
	TOOL_REQUIRED();
	if (!self->b.env.amdkfd)
		SKIP(return, "vkfd lane: AMD's amdgpu is not loaded");
	ASSERT_EQ(0, LOAD(false, self->b.env.module, "name=vkfd")) TH_LOG("%s", self->out);
	EXPECT_TRUE(vkfd_module_loaded());
	EXPECT_TRUE(vkfd_exists("/dev/vkfd"));
	EXPECT_EQ(0, use_once("vkfd", NULL));
	EXPECT_AMDKFD_INTACT();

	EXPECT_EQ(0, UNLOAD()) TH_LOG("%s", self->out);
	EXPECT_FALSE(vkfd_module_loaded());
	EXPECT_TRUE(vkfd_mod_loaded("amdgpu"));
	EXPECT_FALSE(vkfd_mod_is_vkfd("amdgpu"));
	EXPECT_AMDKFD_INTACT();
}

TEST_HARNESS_MAIN
