/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the module tests share (module.c, module_amdgpu.c): the module
 * state the lane wants and how to restore it, the paths of a vkfd
 * instance by name, children that use an instance, the kernel log.
 *
 * The lane's state: vkfd loaded with VKFD_MODULE_PARAMS under the name
 * VKFD_MODNAME in vkfd lanes, nothing of vkfd loaded in the amdkfd lane;
 * in either, vkfd's amdgpu.ko is not loaded unless it is the lane's module.
 */
#ifndef VKFD_SELFTEST_MODULE_UTILS_H
#define VKFD_SELFTEST_MODULE_UTILS_H

#include <sys/klog.h>

#include "vkfd_utils.h"

#define DEFAULT_NAME		"kfd"
#define DEFAULT_NUM_GPUS	1
#define DEFAULT_VRAM_MB		1024
#define UNLOAD_RETRY_MS		5000

/* ------------------------------------------------------------------------
 * Lane state
 */

/* The device name vkfd has (or gets) in this lane. */
static inline void lane_name(const struct vkfd_env *env, char *buf, size_t n)
{
	if (env->amdkfd)
		snprintf(buf, n, "vkfd");	/* "kfd" belongs to amdgpu */
	else if (!vkfd_params_get(env->module_params, "name", buf, n))
		snprintf(buf, n, DEFAULT_NAME);
}

static inline uint64_t lane_u64(const struct vkfd_env *env, const char *key,
			 uint64_t dflt)
{
	char buf[32];
	uint64_t v;

	if (!vkfd_params_get(env->module_params, key, buf, sizeof(buf)) ||
	    !vkfd_parse_u64(buf, strlen(buf), &v))
		return dflt;
	return v;
}

/* Is the module as the lane wants it? */
static inline bool lane_state_ok(const struct vkfd_env *env)
{
	char name[64], want[64];
	uint64_t v;

	/* vkfd's amdgpu.ko, unless it is the lane's module */
	if (strcmp(vkfd_modname(), "amdgpu") && vkfd_mod_is_vkfd("amdgpu"))
		return false;
	if (env->amdkfd)
		return !vkfd_module_loaded();
	if (!vkfd_module_loaded())
		return false;
	lane_name(env, want, sizeof(want));
	if (vkfd_module_param("name", name, sizeof(name)) || strcmp(name, want))
		return false;
	if (vkfd_module_param_u64("num_gpus", &v) ||
	    v != lane_u64(env, "num_gpus", DEFAULT_NUM_GPUS))
		return false;
	if (vkfd_module_param_u64("vram_mb", &v) ||
	    v != lane_u64(env, "vram_mb", DEFAULT_VRAM_MB))
		return false;
	return true;
}

/*
 * Unloads module @mod if it is loaded, waiting (bounded) for users to go
 * away. The debug lane's KUnit module imports vkfd's symbols and so pins
 * it; its results were collected at boot, so it goes first (below).
 */
static inline int unload_mod_if_loaded(const char *mod)
{
	int ret, waited = 0;

	if (!vkfd_mod_loaded(mod))
		return 0;
	while ((ret = vkfd_mod_unload(mod)) == -EWOULDBLOCK && waited < UNLOAD_RETRY_MS) {
		vkfd_sleep_ms(20);
		waited += 20;
	}
	return ret;
}

/*
 * Unloads vkfd if it is loaded, under either name (never AMD's amdgpu),
 * waiting (bounded) for users to go away.
 */
static inline int unload_if_loaded(void)
{
	int ret;

	if (vkfd_exists("/sys/module/vkfd_test") &&
	    syscall(SYS_delete_module, "vkfd_test", O_NONBLOCK))
		return -errno;
	if (vkfd_mod_is_vkfd("amdgpu")) {
		ret = unload_mod_if_loaded("amdgpu");
		if (ret)
			return ret;
	}
	return unload_mod_if_loaded(vkfd_modname());
}

/* Puts the module back into the lane's state. Returns 0 or -errno. */
static inline int lane_restore(const struct vkfd_env *env)
{
	int ret;

	if (lane_state_ok(env))
		return 0;
	ret = unload_if_loaded();
	if (ret || env->amdkfd)
		return ret;
	return vkfd_module_load(env->module, env->module_params);
}

/*
 * The module fixtures embed a base without a device (the module comes and
 * goes) and put the modules back into the lane's state in their setup
 * and their teardown, so that a test the harness killed does not break
 * the next one.
 */
static inline void lane_fixture_setup(struct __test_metadata *_metadata,
				      struct vkfd_base *b, char *name, size_t n)
{
	vkfd_base_setup(b, VKFD_BASE_NO_DEVICE);
	lane_name(&b->env, name, n);
	if (b->env.module)
		ASSERT_EQ(0, lane_restore(&b->env));
}

/* No ASSERT here: it would jump back into the harness. */
static inline void lane_fixture_teardown(struct __test_metadata *_metadata,
					 struct vkfd_base *b)
{
	vkfd_base_teardown(b);
	if (b->env.module) {
		EXPECT_EQ(0, lane_restore(&b->env));
		EXPECT_TRUE(lane_state_ok(&b->env));
	}
}

/* /sys/module/vkfd/refcnt, for failure messages: who still holds vkfd? */
static inline const char *refcnt(char *buf)
{
	char path[PATH_MAX];

	vkfd_mod_path(vkfd_modname(), "refcnt", path, sizeof(path));
	if (vkfd_read_text(path, buf, 64) <= 0)
		return "?";
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* ------------------------------------------------------------------------
 * Paths of a vkfd instance called @name
 */

static inline void dev_path(const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "/dev/%s", name);
}

static inline void class_path(const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "/sys/class/%s/%s", name, name);
}

static inline void topology_path(const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "/sys/devices/virtual/%s/%s/topology", name, name);
}

/* Nothing of vkfd, nor of an instance called @name, is left. */
#define EXPECT_NOTHING_LEFT(name) do {					\
	char __p[PATH_MAX];						\
	EXPECT_FALSE(vkfd_module_loaded());				\
	dev_path(name, __p, sizeof(__p));				\
	EXPECT_FALSE(vkfd_exists(__p)) TH_LOG("%s", __p);		\
	snprintf(__p, sizeof(__p), "/sys/class/%s", name);		\
	EXPECT_FALSE(vkfd_exists(__p)) TH_LOG("%s", __p);		\
	snprintf(__p, sizeof(__p), "/sys/devices/virtual/%s", name);	\
	EXPECT_FALSE(vkfd_exists(__p)) TH_LOG("%s", __p);		\
} while (0)

/* amdgpu's own kfd (amdkfd lane) is still there and untouched. */
#define EXPECT_AMDKFD_INTACT() do {					\
	struct stat __st;						\
	EXPECT_EQ(0, stat("/dev/kfd", &__st));				\
	EXPECT_TRUE(S_ISCHR(__st.st_mode));				\
	EXPECT_TRUE(vkfd_is_dir("/sys/class/kfd/kfd/topology/nodes"));	\
} while (0)

/* ------------------------------------------------------------------------
 * Child processes that use an instance
 */

enum { CMD_IOCTL = 1, CMD_CLOSE = 2 };

struct user_args {
	const char *name;
	uint32_t minor;			/* expected GET_VERSION minor */
	const struct vkfd_topo *topo;	/* if set: check the apertures against it */
};

/*
 * Opens /dev/<name>, checks GET_VERSION (and the apertures), replies 0,
 * then serves CMD_IOCTL / CMD_CLOSE until EOF.
 */
static inline int user_child(void *arg, int in, int out)
{
	const struct user_args *a = arg;
	struct kfd_ioctl_get_version_args ver = { 0 };
	struct kfd_process_device_apertures ap[VKFD_MAX_NODES];
	struct kfd_ioctl_get_process_apertures_new_args apn = { 0 };
	struct kfd_ioctl_get_process_apertures_args old;
	char path[PATH_MAX];
	uint64_t cmd;
	int fd, i;

	dev_path(a->name, path, sizeof(path));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 10;
	if (_test_ioctl(fd, AMDKFD_IOC_GET_VERSION, &ver) ||
	    ver.major_version != 1 || ver.minor_version != a->minor)
		return 11;
	if (a->topo) {
		apn.kfd_process_device_apertures_ptr = (uintptr_t)ap;
		apn.num_of_nodes = a->topo->num_nodes;
		if (_test_ioctl(fd, AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, &apn) ||
		    apn.num_of_nodes != (uint32_t)a->topo->num_gpus)
			return 12;
		for (i = 0; i < (int)apn.num_of_nodes; i++)
			if (!vkfd_topo_has_gpu(a->topo, ap[i].gpu_id))
				return 13;
		/* the old ioctl has room for 7 GPUs only */
		memset(&old, 0, sizeof(old));
		if (_test_ioctl(fd, AMDKFD_IOC_GET_PROCESS_APERTURES, &old) ||
		    old.num_of_nodes != (uint32_t)(a->topo->num_gpus < NUM_OF_SUPPORTED_GPUS ?
						    a->topo->num_gpus : NUM_OF_SUPPORTED_GPUS))
			return 16;
	}
	if (vkfd_msg_send(out, 0))
		return 14;
	while (!vkfd_msg_recv(in, &cmd)) {
		uint64_t res = 0;

		if (cmd == CMD_IOCTL)
			res = _test_ioctl(fd, AMDKFD_IOC_GET_VERSION, &ver) ? 1 : 0;
		else if (cmd == CMD_CLOSE)
			res = close(fd) ? 1 : 0;
		if (vkfd_msg_send(out, res))
			return 15;
	}
	return 0;
}

/* Sends @cmd to the user child and returns its answer (or -1). */
static inline int64_t user_cmd(struct vkfd_child *c, uint64_t cmd)
{
	uint64_t res;

	if (vkfd_msg_send(c->to_child, cmd) || vkfd_msg_recv(c->from_child, &res))
		return -1;
	return res;
}

/* Runs a child that opens /dev/<name>, checks it, closes and exits. Returns its exit code. */
static inline int use_once(const char *name, const struct vkfd_topo *topo)
{
	struct user_args args = { .name = name, .minor = VKFD_IOCTL_MINOR_VERSION,
				  .topo = topo };
	struct vkfd_child c;
	uint64_t ack;
	int ret;

	ret = vkfd_child_start(&c, user_child, &args);
	if (ret)
		return ret;
	if (vkfd_msg_recv(c.from_child, &ack))
		ack = 1;
	ret = vkfd_child_wait(&c);
	return ret ? ret : (int)ack;
}


/* Occurrences of @needle in the kernel log. */
static inline int klog_count(const char *needle)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), len, n = 0;
	char *buf, *p;

	if (size <= 0)
		return -1;
	buf = malloc(size + 1);
	if (!buf)
		return -1;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (len < 0) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	for (p = buf; (p = strstr(p, needle)); p++)
		n++;
	free(buf);
	return n;
}

#endif /* VKFD_SELFTEST_MODULE_UTILS_H */
