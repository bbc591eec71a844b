// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The environment a test runs in (set by the guest's init in vm/'s
 * lanes), and the small helpers every topic needs.
 */
#include "vkfd_test.h"

void vkfd_env_str(char *dst, size_t n, const char *var, const char *dflt)
{
	const char *v = getenv(var);

	snprintf(dst, n, "%s", v && *v ? v : dflt);
}

bool vkfd_in_lane(void)
{
	return getenv("VKFD_LANE") != NULL;
}

void vkfd_env_init(struct vkfd_env *env)
{
	const char *impl = getenv("VKFD_IMPL");
	const char *mod = getenv("VKFD_MODULE");
	const char *params = getenv("VKFD_MODULE_PARAMS");
	const char *modname = getenv("VKFD_MODNAME");
	char path[PATH_MAX];

	vkfd_env_str(env->dev, sizeof(env->dev), "VKFD_DEV", "/dev/kfd");
	vkfd_env_str(env->sysfs, sizeof(env->sysfs), "VKFD_SYSFS",
		     "/sys/class/kfd/kfd");
	vkfd_env_str(env->topology, sizeof(env->topology), "VKFD_TOPOLOGY",
		     "/sys/devices/virtual/kfd/kfd/topology");
	if (impl && *impl) {
		env->amdkfd = !strcmp(impl, "amdkfd");
	} else {
		/* vkfd.ko, or amdgpu.ko if VKFD_MODNAME says so */
		snprintf(path, sizeof(path), "/sys/module/%s",
			 modname && *modname ? modname : "vkfd");
		env->amdkfd = access(path, F_OK) != 0;
	}
	env->module = mod && *mod ? mod : NULL;
	env->module_params = params ? params : "";
}

int vkfd_scaled(int n)
{
	const char *s = getenv("VKFD_TEST_SCALE");
	int div = s ? atoi(s) : 1;

	return div > 1 ? (n / div ?: 1) : n;
}

bool vkfd_exhaustive(void)
{
	const char *s = getenv("VKFD_TEST_EXHAUSTIVE");

	return !s || strcmp(s, "0") != 0;
}

int vkfd_open_dev(const struct vkfd_env *env)
{
	return open(env->dev, O_RDWR | O_CLOEXEC);
}

void vkfd_fill(void *buf, size_t len)
{
	memset(buf, VKFD_SENTINEL, len);
}

bool vkfd_untouched(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != VKFD_SENTINEL)
			return false;
	return true;
}

void *vkfd_unmapped_page(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, psz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, psz);
	return p;
}

void vkfd_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

uint64_t vkfd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
