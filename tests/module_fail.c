// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd.ko's load under fault injection (the debug lane's kernel): a
 * VKFD_FAIL_NTH() sweep over finit_module(). Whichever allocation of the
 * load fails, the load either succeeds, and the module works and unloads,
 * or fails with ENOMEM and leaves nothing: no module, no device node, no
 * class, and no leak (the debug lane scans kmemleak after the tests).
 *
 * What is swept: every page allocation of the load, the module loader's
 * and vkfd's (vmalloc()ed module memory and file buffer, page tables,
 * large kmalloc()s, per-CPU chunks), with num_gpus=2 so that a failing
 * GPU unwinds beside a complete one.
 *
 * What is not: slab allocations. 6.12's own failure paths for two of the
 * slab allocations a load makes are broken, and vkfd cannot avoid them:
 *
 * - DRM core: when drm_sysfs_minor_alloc() fails (the minor's struct
 *   device or its name), drm_minor_alloc() has already registered
 *   drm_minor_alloc_release(), which then calls put_device() on the
 *   ERR_PTR() left in minor->kdev: an oops in drm_dev_init()'s unwind,
 *   which every devm_drm_dev_alloc() goes through.
 * - SLUB: when sysfs_slab_add() fails after kobject_init_and_add() named
 *   the cache's kobject (a kernfs node of the directory or of one of its
 *   ~30 files), it never calls kobject_put(), and the name leaks: one
 *   kmemleak report per such fault in kmem_cache_create() of vkfd's
 *   context cache (upstream fixed it in 2420baa8e046, "mm/slab: Allow
 *   cache creation to proceed even if sysfs registration fails").
 *   A sweep of kernfs node allocations alone (failslab's cache filter
 *   with only kernfs_node_cache marked) showed it: of its 192 faults,
 *   all failing the load with ENOMEM, 29 leaked the 16-byte name
 *   "vkfd_ctx" from sysfs_slab_add(), and nothing else leaked.
 *
 * Both are slab allocations only: SLUB retries a failed page allocation
 * for a new slab at the cache's minimum order, and fail-nth fails one
 * call only, so a page fault never fails a slab allocation. A slab sweep
 * would have to leave both sites out, and the fault-injection stack
 * filter (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER, not in the debug
 * kernel) rejects one address range per fault type: one site at most.
 * Here failslab counts nothing during the sweep: its cache filter is on
 * and no cache is marked for it.
 *
 * The module is loaded with init_module() from a copy in memory, as
 * busybox's insmod does, not with finit_module(): finit_module() reads the
 * file into a buffer it vmalloc()s without __GFP_NOWARN, so a fault there
 * prints the allocator's warning with a stack trace, which fails the lane
 * as a splat; init_module()'s copy is made with __GFP_NOWARN. Past the
 * copy both load the same way.
 *
 * The test process never opens the device itself (as module.c): children
 * do, so that nothing keeps the module once they exited.
 */
#include "kselftest_harness.h"
#include "module_utils.h"

#define FAILSLAB_CACHE_FILTER	"/sys/kernel/debug/failslab/cache-filter"

/* Reads a debugfs boolean (Y/N) into @val; 0 or -errno. */
static int knob_read(const char *path, char *val)
{
	char buf[8];

	if (vkfd_read_text(path, buf, sizeof(buf)) <= 0)
		return -errno;
	*val = buf[0];
	return 0;
}

static int knob_write(const char *path, char val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, &val, 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

/* Reads the file @path into a new buffer *@image; its size, or -errno. */
static ssize_t image_read(const char *path, void **image)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len = -EIO, done = 0, n;
	struct stat st;
	char *buf;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size <= 0)
		goto out;
	buf = malloc(st.st_size);
	if (!buf) {
		len = -ENOMEM;
		goto out;
	}
	while (done < st.st_size &&
	       (n = read(fd, buf + done, st.st_size - done)) > 0)
		done += n;
	if (done != st.st_size) {
		free(buf);
		goto out;
	}
	*image = buf;
	len = done;
out:
	close(fd);
	return len;
}

/* init_module() of @image with @params: 0 or -errno. */
static int image_load(const void *image, size_t len, const char *params)
{
	return syscall(SYS_init_module, image, len, params) ? -errno : 0;
}

FIXTURE(module_fail) {
	struct vkfd_base b;	/* without a device: the module comes and goes */
	char name[32];		/* vkfd's device name in this lane */
	char params[256];
	void *image;		/* vkfd.ko */
	ssize_t image_len;
	char cache_filter;	/* failslab's, to restore; 0 if none */
};

FIXTURE_SETUP(module_fail)
{
	lane_fixture_setup(_metadata, &self->b, self->name, sizeof(self->name));
	if (!self->b.env.module)
		VKFD_SETUP_SKIP("VKFD_MODULE is not set");
	snprintf(self->params, sizeof(self->params),
		 "name=%s num_gpus=2 vram_mb=64", self->name);
	self->image_len = image_read(self->b.env.module, &self->image);
	ASSERT_LT(0, self->image_len) TH_LOG("%s", self->b.env.module);
	/* Kernels without fault injection: VKFD_FAIL_NTH() skips */
	if (knob_read(FAILSLAB_CACHE_FILTER, &self->cache_filter)) {
		self->cache_filter = 0;
		return;
	}
	ASSERT_EQ(0, knob_write(FAILSLAB_CACHE_FILTER, 'Y'));
}

FIXTURE_TEARDOWN(module_fail)
{
	free(self->image);
	if (self->cache_filter)
		EXPECT_EQ(0, knob_write(FAILSLAB_CACHE_FILTER,
					self->cache_filter));
	lane_fixture_teardown(_metadata, &self->b);
}

/*
 * Page allocation n of the load fails: the load succeeds with a usable
 * device that unloads, or fails with ENOMEM; nothing is left either way.
 */
VKFD_FAIL_NTH(module_fail, load_page_faults)
{
	int ret;

	ASSERT_EQ(0, unload_if_loaded());

	ret = fail_nth_call(image_load(self->image, self->image_len,
				       self->params));
	if (!ret) {
		ASSERT_TRUE(vkfd_module_loaded()) TH_LOG("fault %d", fail_nth_n());
		EXPECT_EQ(0, use_once(self->name, NULL))
			TH_LOG("fault %d", fail_nth_n());
		ASSERT_EQ(0, vkfd_module_unload()) TH_LOG("fault %d", fail_nth_n());
	} else {
		ASSERT_EQ(-ENOMEM, ret) TH_LOG("fault %d", fail_nth_n());
	}
	EXPECT_NOTHING_LEFT(self->name);
}

TEST_HARNESS_MAIN
