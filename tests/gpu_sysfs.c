// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The GPUs' devices in sysfs, as rocm-smi finds and reads them: each DRM
 * card's device is named after the PCI-style address the topology
 * publishes (domain << 32 | location_id), is on no bus, and carries
 * vendor, device, vbios_version, the VRAM counters and gpu_busy_percent;
 * the per-process files rocm-smi --showpids reads exist for every GPU.
 * vkfd only: the amdkfd lane has no GPU.
 */
#include <libgen.h>

#include "kselftest_harness.h"
#include "drm_utils.h"

FIXTURE(gpu) {
	struct vkfd_base b;
	struct drm_gpu gpu[VKFD_MAX_GPUS];
};

FIXTURE_SETUP(gpu)
{
	int i;

	vkfd_base_setup(&self->b, 0);
	if (self->b.env.amdkfd)
		return;
	for (i = 0; i < self->b.ngpus; i++)
		ASSERT_EQ(0, drm_gpu_load(&self->b, i, &self->gpu[i]));
}

FIXTURE_TEARDOWN(gpu)
{
	vkfd_base_teardown(&self->b);
}

#define NEED_GPU() DRM_NEED_GPU("vkfd's GPU devices")

/*
 * rocm-smi's ConstructBDFID(): the last element of @path of the form
 * "dddd:bb:dd.f" (hex), as domain << 32 | bus << 8 | dev << 3 | fn.
 */
static bool bdfid_of_path(const char *path, uint64_t *bdfid)
{
	const char *end = path + strlen(path), *start;
	unsigned int dom, bus, dev, fn;
	char elem[16];
	int len;

	while (end > path) {
		start = end;
		while (start > path && start[-1] != '/')
			start--;
		len = end - start;
		if (len == 12) {
			memcpy(elem, start, 12);
			elem[12] = '\0';
			if (sscanf(elem, "%4x:%2x:%2x.%1x", &dom, &bus, &dev,
				   &fn) == 4 && elem[4] == ':' &&
			    elem[7] == ':' && elem[10] == '.') {
				*bdfid = (uint64_t)dom << 32 | bus << 8 |
					 (dev & 0x1f) << 3 | (fn & 7);
				return true;
			}
		}
		end = start > path ? start - 1 : path;
	}
	return false;
}

/* The first text line of the GPU's device's @file, or "" */
static void dev_text(const struct drm_gpu *g, const char *file, char *buf,
		     size_t n)
{
	char path[PATH_MAX + 64];
	ssize_t len;

	snprintf(path, sizeof(path), "%s/%s", g->dev, file);
	len = vkfd_read_text(path, buf, n);
	if (len < 0)
		len = 0;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/*
 * The card of each GPU: its device below /sys/devices/<module name>
 * (vkfd or amdgpu), named by BDF.
 */
TEST_F(gpu, layout)
{
	char path[PATH_MAX], link[PATH_MAX], want[PATH_MAX], name[32];
	struct dirent *de;
	uint64_t bdfid;
	int i, cards;
	ssize_t len;
	DIR *d;

	NEED_GPU();
	for (i = 0; i < self->b.ngpus; i++) {
		const struct drm_gpu *g = &self->gpu[i];
		uint64_t dom = drm_gpu_prop(g, "domain");
		uint64_t loc = drm_gpu_prop(g, "location_id");

		snprintf(name, sizeof(name), "%04x:%02x:%02x.%x",
			 (unsigned int)dom, (unsigned int)(loc >> 8),
			 (unsigned int)(loc >> 3) & 0x1f,
			 (unsigned int)loc & 7);
		snprintf(want, sizeof(want), "/sys/devices/%s/%s",
			 vkfd_modname(), name);
		EXPECT_STREQ(want, g->dev);
		/* Not a PCI device: no bus, no driver, not in /sys/bus/pci */
		snprintf(path, sizeof(path), "%s/subsystem", g->dev);
		EXPECT_FALSE(vkfd_exists(path));
		snprintf(path, sizeof(path), "%s/driver", g->dev);
		EXPECT_FALSE(vkfd_exists(path));
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", name);
		EXPECT_FALSE(vkfd_exists(path));

		/* Exactly one card below it, whose sysfs link rocm-smi parses */
		snprintf(path, sizeof(path), "%s/drm", g->dev);
		d = opendir(path);
		ASSERT_NE(NULL, d);
		cards = 0;
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, "card", 4))
				continue;
			cards++;
			snprintf(path, sizeof(path), "/sys/class/drm/%s",
				 de->d_name);
			len = readlink(path, link, sizeof(link) - 1);
			ASSERT_LT(0, len);
			link[len] = '\0';
			ASSERT_TRUE(bdfid_of_path(link, &bdfid)) TH_LOG("%s", link);
			EXPECT_EQ(dom << 32 | loc, bdfid);
		}
		closedir(d);
		EXPECT_EQ(1, cards);
	}
}

/* What rocm-smi's isAMDGPU() and the device id readers see. */
TEST_F(gpu, ids)
{
	char buf[256], want[32];
	uint64_t id;
	int i;

	NEED_GPU();
	for (i = 0; i < self->b.ngpus; i++) {
		dev_text(&self->gpu[i], "vendor", buf, sizeof(buf));
		EXPECT_STREQ("0x1002", buf);
		id = strtoull(buf, NULL, 16);
		EXPECT_EQ(drm_gpu_prop(&self->gpu[i], "vendor_id"), id);
		dev_text(&self->gpu[i], "device", buf, sizeof(buf));
		EXPECT_STREQ("0x6860", buf);
		id = strtoull(buf, NULL, 16);
		EXPECT_EQ(drm_gpu_prop(&self->gpu[i], "device_id"), id);
		dev_text(&self->gpu[i], "revision", buf, sizeof(buf));
		EXPECT_STREQ("0x00", buf);
		dev_text(&self->gpu[i], "vbios_version", buf, sizeof(buf));
		snprintf(want, sizeof(want), "vkfd-1.%d",
			 VKFD_IOCTL_MINOR_VERSION);
		EXPECT_STREQ(want, buf);
	}
}

/*
 * rocm-smi needs an "amdgpu" hwmon device with in0_label (it crashes on a
 * card without one); nothing else is there. Kernels without hwmon (the
 * debug lane's) have none.
 */
TEST_F(gpu, hwmon)
{
	char path[PATH_MAX + 64], buf[64], listing[512];
	struct dirent *de;
	int i, n;
	DIR *d;

	NEED_GPU();
	if (!vkfd_is_dir("/sys/class/hwmon"))
		SKIP(return, "kernel without hwmon");
	for (i = 0; i < self->b.ngpus; i++) {
		snprintf(path, sizeof(path), "%s/hwmon", self->gpu[i].dev);
		d = opendir(path);
		ASSERT_NE(NULL, d);
		n = 0;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			n++;
			snprintf(path, sizeof(path), "%s/hwmon/%s/name",
				 self->gpu[i].dev, de->d_name);
			ASSERT_LT(0, vkfd_read_text(path, buf, sizeof(buf)));
			EXPECT_STREQ("amdgpu\n", buf);
			snprintf(path, sizeof(path), "%s/hwmon/%s/in0_label",
				 self->gpu[i].dev, de->d_name);
			ASSERT_LT(0, vkfd_read_text(path, buf, sizeof(buf)));
			EXPECT_STREQ("vddgfx\n", buf);
			/* No sensor: no *_input file at all */
			snprintf(path, sizeof(path), "%s/hwmon/%s",
				 self->gpu[i].dev, de->d_name);
			listing[0] = '\0';
			{
				struct dirent *f;
				DIR *h = opendir(path);

				ASSERT_NE(NULL, h);
				while ((f = readdir(h)))
					if (strstr(f->d_name, "_input"))
						snprintf(listing, sizeof(listing),
							 "%s", f->d_name);
				closedir(h);
			}
			EXPECT_STREQ("", listing);
		}
		closedir(d);
		EXPECT_EQ(1, n);
	}
}

/* mem_info_*: the topology's VRAM bank, all of it CPU-visible. */
TEST_F(gpu, vram_total)
{
	char path[PATH_MAX];
	struct vkfd_props bank;
	uint64_t total, vis, used, vis_used;
	int i;

	NEED_GPU();
	for (i = 0; i < self->b.ngpus; i++) {
		snprintf(path, sizeof(path), "%s/nodes/%d/mem_banks/0/properties",
			 self->b.env.topology, self->gpu[i].node);
		ASSERT_EQ(0, vkfd_props_read(path, &bank, 0));
		ASSERT_EQ(0, drm_gpu_dev_u64(&self->gpu[i],
					     "mem_info_vram_total", &total));
		EXPECT_EQ(vkfd_prop_val(&bank, "size_in_bytes"), total);
		ASSERT_EQ(0, drm_gpu_dev_u64(&self->gpu[i],
					     "mem_info_vis_vram_total", &vis));
		EXPECT_EQ(total, vis);
		ASSERT_EQ(0, drm_gpu_dev_u64(&self->gpu[i],
					     "mem_info_vram_used", &used));
		ASSERT_EQ(0, drm_gpu_dev_u64(&self->gpu[i],
					     "mem_info_vis_vram_used", &vis_used));
		EXPECT_EQ(used, vis_used);
		EXPECT_LE(used, total);
	}
}

/*
 * mem_info_vram_used counts every context's VRAM: it grows by exactly
 * what the primary and a secondary allocate, on that GPU only, and goes
 * back at free and when the secondary is destroyed with its buffers.
 */
TEST_F(gpu, vram_used)
{
	uint64_t base[VKFD_MAX_GPUS], v, a = 1 << 20, b = 5 << 20;
	struct vkfd_context p, s;
	struct vkfd_bo bo_p, bo_s;
	int i, j, rp, rs;

	NEED_GPU();
	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &p));
	ASSERT_EQ(0, vkfd_open_secondary(self->b.env.dev, &s));
	for (j = 0; j < self->b.ngpus; j++)
		ASSERT_EQ(0, drm_gpu_dev_u64(&self->gpu[j], "mem_info_vram_used",
					     &base[j]));
	for (i = 0; i < self->b.ngpus; i++) {
		uint32_t id = self->gpu[i].gpu_id;

		ASSERT_EQ(0, vkfd_open_vm(&p, self->b.env.topology, id, &rp));
		ASSERT_EQ(0, vkfd_open_vm(&s, self->b.env.topology, id, &rs));
		ASSERT_EQ(0, vkfd_alloc(&p, id, 0x100000000ULL, a,
					KFD_IOC_ALLOC_MEM_FLAGS_VRAM, &bo_p));
		ASSERT_EQ(0, vkfd_alloc(&s, id, 0x100000000ULL, b,
					KFD_IOC_ALLOC_MEM_FLAGS_VRAM, &bo_s));
		/* GPUs before i still hold the secondary's buffer */
		for (j = 0; j < self->b.ngpus; j++) {
			uint64_t want = base[j] + (j == i ? a + b : j < i ? b : 0);

			ASSERT_EQ(0, drm_gpu_dev_u64(&self->gpu[j],
						     "mem_info_vram_used", &v));
			EXPECT_EQ(want, v) TH_LOG("gpu %d, allocated on %d", j, i);
			ASSERT_EQ(0, drm_gpu_dev_u64(&self->gpu[j],
						     "mem_info_vis_vram_used",
						     &v));
			EXPECT_EQ(want, v);
		}
		ASSERT_EQ(0, vkfd_free(&p, &bo_p));
		ASSERT_EQ(0, drm_gpu_dev_u64(&self->gpu[i], "mem_info_vram_used",
					     &v));
		EXPECT_EQ(base[i] + b, v);
		close(rp);
		close(rs);
	}
	/* The secondary goes with its last buffer on every GPU. */
	ASSERT_EQ(0, vkfd_close(&s));
	for (i = 0; i < self->b.ngpus; i++) {
		ASSERT_EQ(0, drm_gpu_dev_u64(&self->gpu[i], "mem_info_vram_used",
					     &v));
		EXPECT_EQ(base[i], v)
			TH_LOG("gpu %d", i);
	}
	vkfd_close(&p);
}

/* A percentage, whatever the engines do (the accounting: KUnit vkfd-busy). */
TEST_F(gpu, busy_percent)
{
	uint64_t v;
	int i;

	NEED_GPU();
	for (i = 0; i < self->b.ngpus; i++) {
		ASSERT_EQ(0, drm_gpu_dev_u64(&self->gpu[i], "gpu_busy_percent",
					     &v));
		EXPECT_LE(v, 100ULL);
	}
}

/*
 * What rocm-smi --showpids reads of a process (rocm_smi_kfd.cc): a
 * numeric pasid, vram_<gpuid> and sdma_<gpuid> of every GPU, from the
 * first open on, and queues/<qid>/gpuid of its queues.
 */
TEST_F(gpu, showpids_files)
{
	char file[64], path[PATH_MAX];
	struct vkfd_context p;
	struct vkfd_queue q;
	uint64_t v, size = 2 << 20;
	struct vkfd_bo bo;
	int i, render;

	NEED_GPU();
	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &p));
	for (i = 0; i < self->b.ngpus; i++) {
		snprintf(file, sizeof(file), "vram_%u", self->gpu[i].gpu_id);
		EXPECT_EQ(0, vkfd_ctx_sysfs_u64(&self->b.env, getpid(),
						VKFD_CTX_ID_PRIMARY, file, &v));
		EXPECT_EQ(0ULL, v);
		snprintf(file, sizeof(file), "sdma_%u", self->gpu[i].gpu_id);
		EXPECT_EQ(0, vkfd_ctx_sysfs_u64(&self->b.env, getpid(),
						VKFD_CTX_ID_PRIMARY, file, &v));
		EXPECT_EQ(0ULL, v);
	}
	EXPECT_EQ(0, vkfd_ctx_sysfs_u64(&self->b.env, getpid(),
					VKFD_CTX_ID_PRIMARY, "pasid", &v));

	/* A buffer and a queue on the last GPU */
	i = self->b.ngpus - 1;
	ASSERT_EQ(0, vkfd_open_vm(&p, self->b.env.topology, self->gpu[i].gpu_id,
				  &render));
	ASSERT_EQ(0, vkfd_alloc(&p, self->gpu[i].gpu_id, 0x200000000ULL, size,
				KFD_IOC_ALLOC_MEM_FLAGS_VRAM |
				KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &bo));
	snprintf(file, sizeof(file), "vram_%u", self->gpu[i].gpu_id);
	EXPECT_EQ(0, vkfd_ctx_sysfs_u64(&self->b.env, getpid(),
					VKFD_CTX_ID_PRIMARY, file, &v));
	EXPECT_EQ(size, v);
	ASSERT_EQ(0, vkfd_queue_create(&p, render, self->gpu[i].gpu_id,
				       0x300000000ULL, 4096, &q));
	snprintf(file, sizeof(file), "queues/%u/gpuid", q.id);
	EXPECT_EQ(0, vkfd_ctx_sysfs_u64(&self->b.env, getpid(),
					VKFD_CTX_ID_PRIMARY, file, &v));
	EXPECT_EQ(self->gpu[i].gpu_id, v);
	vkfd_proc_path(&self->b.env, getpid(), "queues", path, sizeof(path));
	EXPECT_EQ(1, vkfd_count_entries(path));
	ASSERT_EQ(0, vkfd_queue_destroy(&p, &q));
	ASSERT_EQ(0, vkfd_free(&p, &bo));
	close(render);
	vkfd_close(&p);
}

TEST_HARNESS_MAIN
