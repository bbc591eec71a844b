// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The render nodes speak enough amdgpu for libdrm_amdgpu's
 * amdgpu_device_initialize(): DRM version 3.x with the name "vkfd", the
 * sysfs link libdrm takes for "a render node", and DRM_IOCTL_AMDGPU_INFO
 * with answers consistent with the KFD topology, every bad argument and
 * every unanswered query with amdgpu's errno. vkfd only: the amdkfd lane
 * has no GPU, and its render nodes would be amdgpu's.
 */
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "drm_utils.h"

FIXTURE(drm) {
	struct vkfd_base b;
	struct drm_gpu gpu[VKFD_MAX_GPUS];
	int fd[VKFD_MAX_GPUS];		/* a render file of each GPU, kept */
};

FIXTURE_SETUP(drm)
{
	int i;

	vkfd_base_setup(&self->b, 0);
	if (self->b.env.amdkfd)
		return;
	for (i = 0; i < self->b.ngpus; i++) {
		ASSERT_EQ(0, drm_gpu_load(&self->b, i, &self->gpu[i]));
		self->fd[i] = vkfd_keep(&self->b,
					vkfd_render_open(self->b.env.topology,
							 self->gpu[i].gpu_id));
	}
}

FIXTURE_TEARDOWN(drm)
{
	vkfd_base_teardown(&self->b);
}

#define NEED_GPU() DRM_NEED_GPU("vkfd's render nodes")

/*
 * The u32 of DEV_INFO right after @field: 6.1's _pad and _pad1 follow
 * num_hw_gfx_contexts and max_gs_waves_per_vgt; newer headers name them
 * pcie_gen and pcie_num_lanes (0 for a GPU without a PCIe link).
 */
static uint32_t dev_info_u32_after(const struct drm_amdgpu_info_device *d,
				   size_t offset, size_t size)
{
	uint32_t v;

	memcpy(&v, (const char *)d + offset + size, sizeof(v));
	return v;
}

#define DEV_INFO_U32_AFTER(d, field)					\
	dev_info_u32_after(&(d), offsetof(struct drm_amdgpu_info_device,	\
					   field), sizeof((d).field))

/* amdgpu's version (3.49 in Linux 6.1), vkfd's name. */
TEST_F(drm, version)
{
	char name[64], date[64], desc[64];
	struct drm_version v;
	int i;

	NEED_GPU();
	for (i = 0; i < self->b.ngpus; i++) {
		memset(name, 0, sizeof(name));
		v = (struct drm_version){
			.name = name, .name_len = sizeof(name) - 1,
			.date = date, .date_len = sizeof(date) - 1,
			.desc = desc, .desc_len = sizeof(desc) - 1,
		};
		test_ioctl(self->fd[i], DRM_IOCTL_VERSION, &v);
		EXPECT_EQ(3, v.version_major);
		EXPECT_EQ(49, v.version_minor);
		EXPECT_EQ(0, v.version_patchlevel);
		EXPECT_EQ(4U, v.name_len);
		EXPECT_STREQ("vkfd", name);
	}
}

/*
 * libdrm's drmGetNodeTypeFromFd() takes a character device with
 * /sys/dev/char/<maj>:<min>/device/drm for a DRM node, and then asks no
 * DRM_IOCTL_GET_CLIENT, which a render node refuses (EACCES, as amdgpu's).
 * The card node of the same GPU answers it.
 */
TEST_F(drm, node_type_and_get_client)
{
	char path[PATH_MAX], card[PATH_MAX + 16];
	struct drm_client client;
	struct dirent *de;
	struct stat st;
	int i, fd;
	DIR *d;

	NEED_GPU();
	for (i = 0; i < self->b.ngpus; i++) {
		ASSERT_EQ(0, fstat(self->fd[i], &st));
		ASSERT_TRUE(S_ISCHR(st.st_mode));
		EXPECT_EQ(self->gpu[i].render_minor, minor(st.st_rdev));
		snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/drm",
			 major(st.st_rdev), minor(st.st_rdev));
		EXPECT_TRUE(vkfd_is_dir(path)) TH_LOG("%s", path);

		client = (struct drm_client){ .idx = 0 };
		EXPECT_EQ(-EACCES, _test_ioctl(self->fd[i], DRM_IOCTL_GET_CLIENT,
					       &client));

		/* The card node: /dev/dri/cardN, N from the device's drm/ */
		card[0] = '\0';
		d = opendir(path);
		ASSERT_NE(NULL, d);
		while ((de = readdir(d)))
			if (!strncmp(de->d_name, "card", 4))
				snprintf(card, sizeof(card), "/dev/dri/%s",
					 de->d_name);
		closedir(d);
		ASSERT_NE('\0', card[0]);
		fd = open(card, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", card, strerror(errno));
		client = (struct drm_client){ .idx = 0 };
		EXPECT_EQ(0, _test_ioctl(fd, DRM_IOCTL_GET_CLIENT, &client));
		EXPECT_EQ((unsigned long)getpid(), client.pid);
		client = (struct drm_client){ .idx = 1000 };
		EXPECT_EQ(-EINVAL, _test_ioctl(fd, DRM_IOCTL_GET_CLIENT, &client));
		close(fd);
	}
}

TEST_F(drm, accel_working)
{
	uint8_t buf[8];
	int i;

	NEED_GPU();
	for (i = 0; i < self->b.ngpus; i++) {
		memset(buf, VKFD_SENTINEL, sizeof(buf));
		ASSERT_EQ(0, drm_amdgpu_info(self->fd[i],
					     AMDGPU_INFO_ACCEL_WORKING, buf, 4,
					     NULL));
		EXPECT_EQ(1U, *(uint32_t *)buf);
		EXPECT_TRUE(vkfd_untouched(buf + 4, 4));
		/* At most return_size bytes, and never more than the answer */
		memset(buf, VKFD_SENTINEL, sizeof(buf));
		ASSERT_EQ(0, drm_amdgpu_info(self->fd[i],
					     AMDGPU_INFO_ACCEL_WORKING, buf, 1,
					     NULL));
		EXPECT_EQ(1, buf[0]);
		EXPECT_TRUE(vkfd_untouched(buf + 1, 7));
		memset(buf, VKFD_SENTINEL, sizeof(buf));
		ASSERT_EQ(0, drm_amdgpu_info(self->fd[i],
					     AMDGPU_INFO_ACCEL_WORKING, buf, 8,
					     NULL));
		EXPECT_TRUE(vkfd_untouched(buf + 4, 4));
	}
}

/* The GPU VM range as GET_PROCESS_APERTURES_NEW reports it for @gpu_id. */
static void gpuvm_range(struct __test_metadata *_metadata,
			const struct vkfd_env *env, uint32_t gpu_id,
			uint64_t *base, uint64_t *limit)
{
	struct kfd_process_device_apertures pa[VKFD_MAX_NODES];
	struct kfd_ioctl_get_process_apertures_new_args args = { 0 };
	int fd = vkfd_open_dev(env);
	uint32_t i;

	ASSERT_LE(0, fd);
	/* How many, then them, as libhsakmt asks */
	test_ioctl(fd, AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, &args);
	ASSERT_GE((uint32_t)VKFD_MAX_NODES, args.num_of_nodes);
	args.kfd_process_device_apertures_ptr = (uintptr_t)pa;
	test_ioctl(fd, AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, &args);
	close(fd);
	for (i = 0; i < args.num_of_nodes; i++) {
		if (pa[i].gpu_id == gpu_id) {
			*base = pa[i].gpuvm_base;
			*limit = pa[i].gpuvm_limit;
			return;
		}
	}
	ASSERT_TRUE(false) TH_LOG("no apertures for gpu %u", gpu_id);
}

/* DEV_INFO: a gfx900 (family AI) configured as the topology says. */
TEST_F(drm, dev_info)
{
	struct drm_amdgpu_info_device d;
	uint64_t base, limit, cus;
	int i;

	NEED_GPU();
	for (i = 0; i < self->b.ngpus; i++) {
		const struct drm_gpu *g = &self->gpu[i];

		memset(&d, VKFD_SENTINEL, sizeof(d));
		ASSERT_EQ(0, drm_amdgpu_info(self->fd[i], AMDGPU_INFO_DEV_INFO,
					     &d, sizeof(d), NULL));
		EXPECT_EQ(drm_gpu_prop(g, "device_id"), d.device_id);
		EXPECT_EQ(0x6860U, d.device_id);
		EXPECT_EQ(0U, d.pci_rev);	/* amdgpu.ids: MI25 */
		EXPECT_EQ(0U, d.chip_rev);
		EXPECT_EQ(1U, d.external_rev);
		EXPECT_EQ((uint32_t)AMDGPU_FAMILY_AI, d.family);
		/* array_count shader arrays, simd_arrays_per_engine per engine */
		EXPECT_EQ(drm_gpu_prop(g, "array_count") /
			  drm_gpu_prop(g, "simd_arrays_per_engine"),
			  d.num_shader_engines);
		EXPECT_EQ(drm_gpu_prop(g, "simd_arrays_per_engine"),
			  d.num_shader_arrays_per_engine);
		EXPECT_EQ(drm_gpu_prop(g, "cu_per_simd_array"), d.num_cu_per_sh);
		cus = drm_gpu_prop(g, "simd_count") / drm_gpu_prop(g, "simd_per_cu");
		EXPECT_EQ(cus, d.cu_active_number);
		EXPECT_EQ((1U << cus) - 1, d.cu_bitmap[0][0]);
		EXPECT_EQ((1U << cus) - 1, d.cu_ao_bitmap[0][0]);
		EXPECT_EQ((1U << cus) - 1, d.cu_ao_mask);
		EXPECT_EQ(0U, d.cu_bitmap[0][1]);
		EXPECT_EQ(0U, d.cu_bitmap[1][0]);
		EXPECT_EQ(drm_gpu_prop(g, "wave_front_size"), d.wave_front_size);
		/* kHz; the topology says MHz. The GPU counter runs at 1 GHz. */
		EXPECT_EQ(drm_gpu_prop(g, "max_engine_clk_fcompute") * 1000,
			  d.max_engine_clock);
		EXPECT_EQ(0U, d.max_memory_clock);
		EXPECT_EQ(1000000U, d.gpu_counter_freq);
		/* Nothing of graphics */
		EXPECT_EQ(0U, d.num_rb_pipes);
		EXPECT_EQ(0U, d.enabled_rb_pipes_mask);
		EXPECT_EQ(0U, d.num_hw_gfx_contexts);
		EXPECT_EQ(0U, d.ids_flags);
		EXPECT_EQ(0U, DEV_INFO_U32_AFTER(d, num_hw_gfx_contexts));
		EXPECT_EQ(0U, DEV_INFO_U32_AFTER(d, max_gs_waves_per_vgt));
		EXPECT_EQ((uint32_t)AMDGPU_VRAM_TYPE_UNKNOWN, d.vram_type);
		EXPECT_EQ(1U, d.num_tcc_blocks);
		/*
		 * The VM range of the KFD apertures, and what libdrm's vamgr
		 * needs: offset below max, no high half (offset = max = 0).
		 */
		gpuvm_range(_metadata, &self->b.env, g->gpu_id, &base, &limit);
		EXPECT_EQ(base, d.virtual_address_offset);
		EXPECT_EQ(limit + 1, d.virtual_address_max);
		EXPECT_LT(d.virtual_address_offset, 0x100000000ULL);
		EXPECT_LT(0x100000000ULL, d.virtual_address_max);
		EXPECT_EQ(0ULL, d.high_va_offset);
		EXPECT_EQ(0ULL, d.high_va_max);
		EXPECT_EQ(4096U, d.virtual_address_alignment);
		EXPECT_EQ(4096U, d.pte_fragment_size);
		EXPECT_EQ(4096U, d.gart_page_size);
	}
}

/* A short return_size gets that much of DEV_INFO, a long one no more. */
TEST_F(drm, dev_info_sizes)
{
	struct {
		struct drm_amdgpu_info_device d;
		uint8_t after[64];
	} buf;
	uint32_t id = 0;

	NEED_GPU();
	memset(&buf, VKFD_SENTINEL, sizeof(buf));
	ASSERT_EQ(0, drm_amdgpu_info(self->fd[0], AMDGPU_INFO_DEV_INFO, &buf,
				     sizeof(buf), NULL));
	EXPECT_TRUE(vkfd_untouched(buf.after, sizeof(buf.after)));
	memset(&buf, VKFD_SENTINEL, sizeof(buf));
	ASSERT_EQ(0, drm_amdgpu_info(self->fd[0], AMDGPU_INFO_DEV_INFO, &buf,
				     2, NULL));
	memcpy(&id, &buf, 2);
	EXPECT_EQ(0x6860U, id);
	EXPECT_TRUE(vkfd_untouched((uint8_t *)&buf + 2, sizeof(buf) - 2));
}

/*
 * GB_ADDR_CONFIG, the one register libdrm reads of a family AI GPU: its
 * NUM_SHADER_ENGINES field (bits 19-20, log2) says the topology's number
 * of engines, whatever engine or array the instance selects.
 */
TEST_F(drm, read_gb_addr_config)
{
	static const uint32_t instances[] = {
		DRM_MMR_BROADCAST, 0, 0x0100, 0x0003, 0xff00, 0x01ff,
	};
	uint32_t val[2], se;
	unsigned int k;
	int i;

	NEED_GPU();
	for (i = 0; i < self->b.ngpus; i++) {
		se = drm_gpu_prop(&self->gpu[i], "array_count") /
		     drm_gpu_prop(&self->gpu[i], "simd_arrays_per_engine");
		for (k = 0; k < sizeof(instances) / sizeof(instances[0]); k++) {
			val[0] = 0;
			val[1] = 0xa5a5a5a5;
			ASSERT_EQ(0, drm_read_mmr(self->fd[i],
						  DRM_MMR_GB_ADDR_CONFIG, 1,
						  instances[k], 0, val,
						  sizeof(val)));
			EXPECT_EQ(se, 1U << ((val[0] >> 19) & 3));
			EXPECT_EQ(2U, val[0] & 7);	/* 4 pipes, as Vega10 */
			/* Vega10's value (0x2a114042) with 1 engine, 1 RB */
			EXPECT_EQ(0x22014042U, val[0]);
			EXPECT_EQ(0xa5a5a5a5U, val[1]);
		}
	}
}

/* Zero registers: nothing read, nothing written, success (as amdgpu). */
TEST_F(drm, read_mmr_zero_count)
{
	uint32_t val = 0xa5a5a5a5;

	NEED_GPU();
	EXPECT_EQ(0, drm_read_mmr(self->fd[0], DRM_MMR_GB_ADDR_CONFIG, 0,
				  DRM_MMR_BROADCAST, 0, &val, sizeof(val)));
	EXPECT_EQ(0xa5a5a5a5U, val);
	EXPECT_EQ(0, drm_read_mmr(self->fd[0], 0x1234, 0, DRM_MMR_BROADCAST,
				  0, &val, sizeof(val)));
	EXPECT_EQ(0xa5a5a5a5U, val);
}

/*
 * amdgpu's errnos: an index out of range or more than 128 registers
 * EINVAL; a register outside the list EFAULT (whatever else the range
 * holds); vkfd also refuses flags (none is defined) with EINVAL. Nothing
 * is written on failure.
 */
TEST_F(drm, read_mmr_errors)
{
	static const struct {
		uint32_t reg, count, instance, flags;
		int err;
	} bad[] = {
		{ 0x263d, 1, DRM_MMR_BROADCAST, 0, -EFAULT },	/* CC_RB_BACKEND_DISABLE */
		{ 0xa0d4, 1, DRM_MMR_BROADCAST, 0, -EFAULT },	/* PA_SC_RASTER_CONFIG */
		{ 0x2644, 1, DRM_MMR_BROADCAST, 0, -EFAULT },	/* GB_TILE_MODE0 */
		{ 0x9d8, 1, DRM_MMR_BROADCAST, 0, -EFAULT },	/* MC_ARB_RAMCFG */
		{ 0x263d, 2, DRM_MMR_BROADCAST, 0, -EFAULT },	/* ends on it */
		{ 0x263e, 2, DRM_MMR_BROADCAST, 0, -EFAULT },	/* starts on it */
		{ 0xffffffff, 2, DRM_MMR_BROADCAST, 0, -EFAULT },	/* no wrap */
		{ 0x263e, 129, DRM_MMR_BROADCAST, 0, -EINVAL },
		{ 0x263e, 0xffffffff, DRM_MMR_BROADCAST, 0, -EINVAL },
		{ 0x263e, 1, 0xffffff04, 0, -EINVAL },	/* SE 4 */
		{ 0x263e, 1, 0xfffffffe, 0, -EINVAL },	/* SE 254 */
		{ 0x263e, 1, 0xffff02ff, 0, -EINVAL },	/* SH 2 */
		{ 0x263e, 1, DRM_MMR_BROADCAST, 1, -EINVAL },
		{ 0x263e, 1, DRM_MMR_BROADCAST, 0x80000000, -EINVAL },
	};
	uint32_t val[256];
	unsigned int k;

	NEED_GPU();
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		memset(val, VKFD_SENTINEL, sizeof(val));
		EXPECT_EQ(bad[k].err,
			  drm_read_mmr(self->fd[0], bad[k].reg, bad[k].count,
				       bad[k].instance, bad[k].flags, val,
				       sizeof(val))) TH_LOG("case %u", k);
		EXPECT_TRUE(vkfd_untouched(val, sizeof(val)));
	}
}

/* return_pointer and return_size must be set; the answer must be writable. */
TEST_F(drm, info_bad_args)
{
	static const uint32_t queries[] = {
		AMDGPU_INFO_ACCEL_WORKING, AMDGPU_INFO_DEV_INFO,
		AMDGPU_INFO_READ_MMR_REG, AMDGPU_INFO_VRAM_USAGE, 0xdead,
	};
	struct drm_amdgpu_info in = {
		.read_mmr_reg = { .dword_offset = DRM_MMR_GB_ADDR_CONFIG,
				  .count = 1, .instance = DRM_MMR_BROADCAST },
	};
	void *unmapped = vkfd_unmapped_page();
	uint64_t val = 0;
	unsigned int k;

	NEED_GPU();
	ASSERT_NE(NULL, unmapped);
	for (k = 0; k < sizeof(queries) / sizeof(queries[0]); k++) {
		EXPECT_EQ(-EINVAL, drm_amdgpu_info(self->fd[0], queries[k],
						   NULL, 8, &in));
		EXPECT_EQ(-EINVAL, drm_amdgpu_info(self->fd[0], queries[k],
						   &val, 0, &in));
		EXPECT_EQ(0ULL, val);
		EXPECT_EQ(queries[k] == 0xdead ? -EINVAL : -EFAULT,
			  drm_amdgpu_info(self->fd[0], queries[k], unmapped, 8,
					  &in));
	}
}

/*
 * Queries vkfd does not answer fail as amdgpu fails an unknown query,
 * EINVAL; SENSOR fails with ENOENT, as on amdgpu without power
 * management. Nothing is written.
 */
TEST_F(drm, info_unanswered)
{
	static const uint32_t queries[] = {
		AMDGPU_INFO_CRTC_FROM_ID, AMDGPU_INFO_HW_IP_INFO,
		AMDGPU_INFO_HW_IP_COUNT, AMDGPU_INFO_FW_VERSION,
		AMDGPU_INFO_NUM_BYTES_MOVED, AMDGPU_INFO_GTT_USAGE,
		AMDGPU_INFO_GDS_CONFIG,
		AMDGPU_INFO_VCE_CLOCK_TABLE, AMDGPU_INFO_VBIOS,
		AMDGPU_INFO_NUM_HANDLES, AMDGPU_INFO_MEMORY,
		AMDGPU_INFO_RAS_ENABLED_FEATURES, AMDGPU_INFO_VIDEO_CAPS,
		0x21, 0x100, 0xffffffff,
	};
	struct drm_amdgpu_info in = { .sensor_info = { .type = 1 } };
	uint8_t buf[512];
	unsigned int k;

	NEED_GPU();
	for (k = 0; k < sizeof(queries) / sizeof(queries[0]); k++) {
		memset(buf, VKFD_SENTINEL, sizeof(buf));
		EXPECT_EQ(-EINVAL, drm_amdgpu_info(self->fd[0], queries[k], buf,
						   sizeof(buf), NULL))
			TH_LOG("query 0x%x", queries[k]);
		EXPECT_TRUE(vkfd_untouched(buf, sizeof(buf)));
	}
	for (in.sensor_info.type = 0; in.sensor_info.type < 12;
	     in.sensor_info.type++) {
		memset(buf, VKFD_SENTINEL, sizeof(buf));
		EXPECT_EQ(-ENOENT, drm_amdgpu_info(self->fd[0],
						   AMDGPU_INFO_SENSOR, buf, 4,
						   &in));
		EXPECT_TRUE(vkfd_untouched(buf, sizeof(buf)));
	}
}

/* Other driver ioctl numbers: the DRM core's EINVAL. */
TEST_F(drm, unknown_driver_ioctl)
{
	union drm_amdgpu_gem_create create = { 0 };

	NEED_GPU();
	EXPECT_EQ(-EINVAL, _test_ioctl(self->fd[0], DRM_IOCTL_AMDGPU_GEM_CREATE,
				       &create));
}

/* VRAM_GTT: the topology's VRAM bank and system memory bank. */
TEST_F(drm, vram_gtt)
{
	struct {
		struct drm_amdgpu_info_vram_gtt vg;
		uint8_t after[16];
	} buf;
	char path[PATH_MAX];
	struct vkfd_props bank;
	uint64_t vram, ram;
	int i;

	NEED_GPU();
	snprintf(path, sizeof(path), "%s/nodes/0/mem_banks/0/properties",
		 self->b.env.topology);
	ASSERT_EQ(0, vkfd_props_read(path, &bank, 0));
	ram = vkfd_prop_val(&bank, "size_in_bytes");
	for (i = 0; i < self->b.ngpus; i++) {
		snprintf(path, sizeof(path), "%s/nodes/%d/mem_banks/0/properties",
			 self->b.env.topology, self->gpu[i].node);
		ASSERT_EQ(0, vkfd_props_read(path, &bank, 0));
		vram = vkfd_prop_val(&bank, "size_in_bytes");
		memset(&buf, VKFD_SENTINEL, sizeof(buf));
		ASSERT_EQ(0, drm_amdgpu_info(self->fd[i], AMDGPU_INFO_VRAM_GTT,
					     &buf, sizeof(buf), NULL));
		EXPECT_EQ(vram, buf.vg.vram_size);
		EXPECT_EQ(vram, buf.vg.vram_cpu_accessible_size);
		EXPECT_EQ(ram, buf.vg.gtt_size);
		EXPECT_TRUE(vkfd_untouched(buf.after, sizeof(buf.after)));
	}
}

/* VRAM_LOST_COUNTER 0; TIMESTAMP the 1 GHz GPU counter, monotonic. */
TEST_F(drm, counters)
{
	struct kfd_ioctl_get_clock_counters_args clk = {
		.gpu_id = self->gpu[0].gpu_id,
	};
	uint64_t t0 = 0, t1 = 0;
	uint32_t lost = 0xa5a5a5a5;
	int fd;

	NEED_GPU();
	EXPECT_EQ(0, drm_amdgpu_info(self->fd[0], AMDGPU_INFO_VRAM_LOST_COUNTER,
				     &lost, sizeof(lost), NULL));
	EXPECT_EQ(0U, lost);
	fd = vkfd_open_dev(&self->b.env);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, drm_amdgpu_info(self->fd[0], AMDGPU_INFO_TIMESTAMP, &t0,
				     sizeof(t0), NULL));
	test_ioctl(fd, AMDKFD_IOC_GET_CLOCK_COUNTERS, &clk);
	ASSERT_EQ(0, drm_amdgpu_info(self->fd[0], AMDGPU_INFO_TIMESTAMP, &t1,
				     sizeof(t1), NULL));
	close(fd);
	EXPECT_LE(t0, clk.gpu_clock_counter);
	EXPECT_LE(clk.gpu_clock_counter, t1);
}

/*
 * VRAM_USAGE and VIS_VRAM_USAGE: the GPU's mem_info_vram_used, which
 * grows by exactly what a context allocates and shrinks back at free.
 */
TEST_F(drm, vram_usage)
{
	uint64_t base, vis, sys, after, size = 3 << 20;
	struct vkfd_context ctx;
	struct vkfd_bo bo;
	int render, i;

	NEED_GPU();
	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &ctx));
	for (i = 0; i < self->b.ngpus; i++) {
		ASSERT_EQ(0, drm_amdgpu_info(self->fd[i], AMDGPU_INFO_VRAM_USAGE,
					     &base, sizeof(base), NULL));
		ASSERT_EQ(0, drm_amdgpu_info(self->fd[i],
					     AMDGPU_INFO_VIS_VRAM_USAGE, &vis,
					     sizeof(vis), NULL));
		EXPECT_EQ(base, vis);
		ASSERT_EQ(0, drm_gpu_dev_u64(&self->gpu[i], "mem_info_vram_used",
					     &sys));
		EXPECT_EQ(base, sys);

		ASSERT_EQ(0, vkfd_open_vm(&ctx, self->b.env.topology,
					  self->gpu[i].gpu_id, &render));
		ASSERT_EQ(0, vkfd_alloc(&ctx, self->gpu[i].gpu_id,
					0x100000000ULL, size,
					KFD_IOC_ALLOC_MEM_FLAGS_VRAM |
					KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &bo));
		ASSERT_EQ(0, drm_amdgpu_info(self->fd[i], AMDGPU_INFO_VRAM_USAGE,
					     &after, sizeof(after), NULL));
		EXPECT_EQ(base + size, after);
		ASSERT_EQ(0, vkfd_free(&ctx, &bo));
		ASSERT_EQ(0, drm_amdgpu_info(self->fd[i], AMDGPU_INFO_VRAM_USAGE,
					     &after, sizeof(after), NULL));
		EXPECT_EQ(base, after);
		close(render);
	}
	vkfd_close(&ctx);
}

TEST_HARNESS_MAIN
