// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The fuzzer's render node operations (docs/render.rst) and mmap() of
 * both devices: the render file's buffer offsets, and /dev/kfd's
 * doorbell, MMIO and event page cookies, with lengths, protections and
 * flags around the valid ones. A mapping that succeeds is touched, and
 * kept for a while (fuzz_map_add()), so that unmaps come at random
 * points too.
 */
#include <drm/drm.h>
#include <drm/amdgpu_drm.h>

#include "fuzz.h"

#define EB(e)		fuzz_eb(e)

/*
 * The DRM core's own ioctls, other than VERSION and GET_CLIENT, answer
 * for the core (docs/render.rst does not list them): any errno, EFAULT
 * included, since the fuzzer's zeroes and small numbers are pointers in
 * some of them.
 */
#define DRM_CORE_ERRNOS	(~0ULL)

static int fuzz_render_pick(struct fuzz *f)
{
	return fuzz_render_fd(f, fuzz_gpu_index(f));
}

static void op_drm_version(struct fuzz *f)
{
	struct drm_version v = { 0 };
	struct drm_client client = { 0 };
	char name[64], date[64], desc[64];
	int fd = fuzz_render_pick(f);

	if (fd < 0)
		return;
	if (fuzz_chance(f, 1, 4)) {
		fuzz_ioctl(f, fd, DRM_IOCTL_GET_CLIENT, &client, EB(EACCES),
			   "DRM_IOCTL_GET_CLIENT");
		return;
	}
	v.name = name;
	v.name_len = fuzz_below(f, sizeof(name) + 1);
	v.date = date;
	v.date_len = fuzz_below(f, sizeof(date) + 1);
	v.desc = desc;
	v.desc_len = fuzz_below(f, sizeof(desc) + 1);
	if (!fuzz_ioctl(f, fd, DRM_IOCTL_VERSION, &v, 0, "DRM_IOCTL_VERSION") &&
	    v.version_major != 3)
		fuzz_fail(f, "DRM_IOCTL_VERSION reported %d.%d",
			  v.version_major, v.version_minor);
}

static void op_amdgpu_info(struct fuzz *f)
{
	static const uint32_t queries[] = {
		AMDGPU_INFO_ACCEL_WORKING, AMDGPU_INFO_TIMESTAMP,
		AMDGPU_INFO_VRAM_GTT, AMDGPU_INFO_VRAM_USAGE,
		AMDGPU_INFO_VIS_VRAM_USAGE, AMDGPU_INFO_READ_MMR_REG,
		AMDGPU_INFO_DEV_INFO, AMDGPU_INFO_SENSOR,
		AMDGPU_INFO_VRAM_LOST_COUNTER, AMDGPU_INFO_HW_IP_INFO,
		AMDGPU_INFO_FW_VERSION, AMDGPU_INFO_MEMORY,
	};
	struct drm_amdgpu_info a;
	uint64_t allowed = EB(EINVAL);
	int fd = fuzz_render_pick(f);

	if (fd < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.query = fuzz_chance(f, 15, 16) ?
		  queries[fuzz_below(f, ARRAY_SIZE(queries))] :
		  fuzz_below(f, 0x40);
	a.return_pointer = (uintptr_t)f->arg;
	a.return_size = fuzz_chance(f, 3, 4) ? fuzz_below(f, 1024) :
					       FUZZ_ARG_SIZE;
	if (fuzz_chance(f, 1, 16)) {
		a.return_pointer = fuzz_chance(f, 1, 2) ? 0 : (uintptr_t)f->bad;
		allowed |= EB(EFAULT);
	}
	if (a.query == AMDGPU_INFO_SENSOR)
		allowed |= EB(ENOENT);
	if (a.query == AMDGPU_INFO_READ_MMR_REG) {
		a.read_mmr_reg.dword_offset = fuzz_chance(f, 3, 4) ? 0x263e :
					      (uint32_t)fuzz_u64(f);
		a.read_mmr_reg.count = fuzz_chance(f, 3, 4) ? fuzz_below(f, 2) :
				       fuzz_below(f, 256);
		a.read_mmr_reg.instance = fuzz_chance(f, 3, 4) ? 0xffffffff :
					  (uint32_t)fuzz_rand(f);
		a.read_mmr_reg.flags = fuzz_pad(f);
		/* amdgpu's answer for a register outside its list */
		allowed |= EB(EFAULT);
	}
	fuzz_ioctl(f, fd, DRM_IOCTL_AMDGPU_INFO, &a, allowed,
		   "DRM_IOCTL_AMDGPU_INFO");
}

/* Other DRM numbers: the core's (GEM, PRIME, caps, ...) and driver holes */
static void op_drm_any(struct fuzz *f)
{
	unsigned int nr = fuzz_below(f, 0x100), dir = fuzz_below(f, 4);
	unsigned int size = fuzz_below(f, 128), i;
	uint64_t allowed = DRM_CORE_ERRNOS;
	int fd = fuzz_render_pick(f);

	if (fd < 0)
		return;
	/* zeroes and small numbers: NULL pointers and sizes, handles, flags */
	for (i = 0; i < 128; i += 4)
		*(uint32_t *)(f->arg + i) = fuzz_chance(f, 3, 4) ? 0 :
					    fuzz_below(f, 16);
	if (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END &&
	    nr != DRM_COMMAND_BASE + DRM_AMDGPU_INFO)
		allowed = EB(EINVAL);	/* render.rst: the core's answer */
	if (nr == DRM_COMMAND_BASE + DRM_AMDGPU_INFO)
		return;			/* op_amdgpu_info's */
	fuzz_ioctl(f, fd, _IOC(dir, DRM_IOCTL_BASE, nr, size), f->arg, allowed,
		   "DRM ioctl");
}

/*
 * mmap() and, on success, touch and keep the mapping. Where it is
 * touched is drawn first: the stream must not depend on the result.
 */
static void fuzz_mmap(struct fuzz *f, int fd, uint64_t off, size_t len,
		      int prot, int flags, uint64_t allowed, bool kfd,
		      bool touch, const char *what)
{
	size_t at = fuzz_below(f, (uint32_t)(len / 4096 + 1)) * 4096 +
		    fuzz_below(f, 4096 / 8) * 8;
	bool write = fuzz_chance(f, 1, 2);
	uint8_t v = (uint8_t)fuzz_rand(f);
	volatile uint8_t *p;

	f->call = what;
	p = mmap(NULL, len, prot, flags, fd, (off_t)off);
	f->calls++;
	if (fuzz_check(f, what, p == MAP_FAILED ? -1 : 0, errno, allowed))
		return;
	if (touch && at < len) {
		if (prot & PROT_READ)
			(void)p[at];
		if (prot & PROT_WRITE && write)
			p[at] = v;
	}
	fuzz_map_add(f, (void *)p, len, kfd);
}

static int fuzz_prot(struct fuzz *f)
{
	static const int prot[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ,
		PROT_NONE, PROT_WRITE, PROT_READ | PROT_EXEC,
	};

	return prot[fuzz_below(f, ARRAY_SIZE(prot))];
}

static size_t fuzz_map_len(struct fuzz *f, size_t good)
{
	static const size_t len[] = { 0, 1, 4096, 8192, 32768, 65536 };

	return fuzz_chance(f, 3, 4) ? good : len[fuzz_below(f, ARRAY_SIZE(len))];
}

/*
 * A buffer through a render file: the offset ALLOC gave, with the
 * length of a small buffer. EACCES: another render file; EINVAL: a bad
 * offset or length, MAP_PRIVATE; ENOMEM: no such offset (DRM's answer).
 */
static void op_render_mmap(struct fuzz *f)
{
	const struct fuzz_buf *b = fuzz_buf_pick(f);
	uint64_t off = fuzz_pool_pick(f, &f->offsets, 0);
	int fd = fuzz_render_pick(f), prot = fuzz_prot(f);
	int flags = fuzz_chance(f, 7, 8) ? MAP_SHARED : MAP_PRIVATE;
	size_t len = fuzz_map_len(f, 4096);

	/* mostly a buffer through the render file its VM is bound to */
	if (b && b->render >= 0 && fuzz_chance(f, 3, 4)) {
		off = b->offset;
		fd = b->render;
	}
	if (fd < 0)
		return;
	if (fuzz_chance(f, 1, 8))
		off = fuzz_u64(f) & ~4095ULL;
	/*
	 * EBADF: the render fd the buffer's VM was bound to was closed
	 * since (the context keeps its file); ENODEV: its number is a
	 * socket's now. The mapping is touched within its first page only.
	 */
	fuzz_mmap(f, fd, off, len, prot, flags,
		  EB(EINVAL) | EB(EACCES) | EB(EPERM) | EB(EOVERFLOW) |
		  EB(ENODEV) | EB(EBADF), false, len == 4096 && flags == MAP_SHARED,
		  "mmap(render)");
}

/*
 * /dev/kfd's pages: doorbells (8 KiB), MMIO (4 KiB), the event page
 * (4 .. 32 KiB), at their cookies or near them (errors of mmap, uapi.rst).
 */
static void op_kfd_mmap(struct fuzz *f)
{
	int ci = fuzz_ctx_pick(f), prot = fuzz_prot(f);
	int flags = fuzz_chance(f, 7, 8) ? MAP_SHARED : MAP_PRIVATE;
	uint64_t gpu = fuzz_gpu_id(f), off, allowed = EB(EINVAL);
	size_t len;

	if (ci < 0)
		return;
	switch (fuzz_below(f, 4)) {
	case 0:
		off = 3ULL << 62 | gpu << 46;
		len = fuzz_map_len(f, 8192);
		break;
	case 1:
		off = gpu << 46;
		len = fuzz_map_len(f, 4096);
		break;
	case 2:
		off = 2ULL << 62;
		len = fuzz_map_len(f, fuzz_chance(f, 1, 2) ? 32768 : 4096);
		break;
	default:
		off = fuzz_pool_pick(f, &f->offsets, 0);
		if (fuzz_chance(f, 1, 4))
			off = fuzz_u64(f);
		len = fuzz_map_len(f, 8192);
		break;
	}
	off &= ~4095ULL;
	allowed |= EB(EOVERFLOW);	/* an offset past the end of off_t's pages */
	/* the mm core's checks (EOVERFLOW) come before vkfd's owner check */
	if (f->ctx[ci].owner != f->pid)
		allowed = EB(EBADF) | EB(EINVAL) | EB(EOVERFLOW);
	if (len == 0)
		allowed = EB(EINVAL);	/* mmap()'s own check comes first */
	/* touch only the doorbell and MMIO pages: never the event page's tail */
	fuzz_mmap(f, f->ctx[ci].fd, off, len, prot, flags, allowed, true,
		  len <= 8192 && off >> 62 != 2, "mmap(kfd)");
}

static void op_munmap(struct fuzz *f)
{
	int i = (int)fuzz_below(f, FUZZ_MAP_MAX);

	if (!f->map[i].addr)
		return;
	munmap(f->map[i].addr, f->map[i].len);
	f->calls++;
	f->map[i].addr = NULL;
}

static void op_render_open_close(struct fuzz *f)
{
	int i = (int)fuzz_below(f, FUZZ_RENDER_MAX);

	if (f->render[i].fd < 0) {
		fuzz_render_fd(f, fuzz_gpu_index(f));
		return;
	}
	close(f->render[i].fd);
	f->calls++;
	fuzz_pool_add(&f->stale, (uint64_t)f->render[i].fd);
	f->render[i].fd = -1;
}

const struct fuzz_op fuzz_drm_ops[] = {
	{ "drm_version", 5, false, op_drm_version },
	{ "amdgpu_info", 25, false, op_amdgpu_info },
	{ "drm_any", 10, false, op_drm_any },
	{ "render_mmap", 2, false, op_render_mmap },
	{ "kfd_mmap", 2, false, op_kfd_mmap },
	{ "munmap", 2, false, op_munmap },
	{ "render_open_close", 1, false, op_render_open_close },
};
const unsigned int fuzz_drm_nops = ARRAY_SIZE(fuzz_drm_ops);
