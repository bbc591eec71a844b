// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The fuzzer's KFD operations on contexts, GPU memory and the query
 * ioctls, and ioctls of odd numbers, types and sizes. Each builds its
 * argument from the stream (valid from the pools most of the time,
 * else boundary values) and checks the call against the errnos
 * docs/uapi.rst documents for the command (fuzz_kfd_errnos()), plus
 * EFAULT only where the operation itself passed a bad pointer.
 */
#include "fuzz.h"

#define EB(e)		fuzz_eb(e)
#define NR(cmd)		fuzz_kfd_errnos(_IOC_NR(cmd))

/* GPU addresses of buffers: 256 slots of 1 MiB from 4 GiB, often shared */
#define FUZZ_VA_BASE	0x100000000ULL
#define FUZZ_VA_SLOTS	256

static uint64_t fuzz_va(struct fuzz *f)
{
	if (fuzz_chance(f, 1, 16))
		return fuzz_u64(f);
	return FUZZ_VA_BASE + (uint64_t)fuzz_below(f, FUZZ_VA_SLOTS) * 0x100000;
}

static void op_version(struct fuzz *f)
{
	struct kfd_ioctl_get_version_args a = { 0 };
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	if (!fuzz_kfd(f, ci, AMDKFD_IOC_GET_VERSION, &a, 0, "GET_VERSION") &&
	    a.major_version != 1)
		fuzz_fail(f, "GET_VERSION reported %u.%u", a.major_version,
			  a.minor_version);
}

static void op_clock(struct fuzz *f)
{
	struct kfd_ioctl_get_clock_counters_args a = { 0 };
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	a.gpu_id = fuzz_gpu_id(f);
	a.pad = fuzz_pad(f);
	fuzz_kfd(f, ci, AMDKFD_IOC_GET_CLOCK_COUNTERS, &a,
		 NR(AMDKFD_IOC_GET_CLOCK_COUNTERS), "GET_CLOCK_COUNTERS");
}

static void op_apertures(struct fuzz *f)
{
	struct kfd_ioctl_get_process_apertures_new_args a = { 0 };
	struct kfd_ioctl_get_process_apertures_args old;
	uint64_t allowed = NR(AMDKFD_IOC_GET_PROCESS_APERTURES_NEW);
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	if (fuzz_chance(f, 1, 4)) {
		memset(&old, 0, sizeof(old));
		fuzz_kfd(f, ci, AMDKFD_IOC_GET_PROCESS_APERTURES, &old, 0,
			 "GET_PROCESS_APERTURES");
		return;
	}
	a.num_of_nodes = fuzz_chance(f, 7, 8) ?
			 fuzz_below(f, (uint32_t)f->nodes + 3) :
			 (uint32_t)fuzz_rand(f);
	a.kfd_process_device_apertures_ptr = (uintptr_t)f->arg;
	if (fuzz_chance(f, 1, 8)) {
		a.kfd_process_device_apertures_ptr =
			fuzz_chance(f, 1, 2) ? 0 : (uintptr_t)f->bad;
		allowed |= EB(EFAULT);
	}
	a.pad = fuzz_pad(f);
	fuzz_kfd(f, ci, AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, &a, allowed,
		 "GET_PROCESS_APERTURES_NEW");
}

static void op_xnack(struct fuzz *f)
{
	static const int32_t v[] = { -1, 0, 1, INT32_MIN, INT32_MAX, 2 };
	struct kfd_ioctl_set_xnack_mode_args a;
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	a.xnack_enabled = v[fuzz_below(f, ARRAY_SIZE(v))];
	fuzz_kfd(f, ci, AMDKFD_IOC_SET_XNACK_MODE, &a,
		 NR(AMDKFD_IOC_SET_XNACK_MODE), "SET_XNACK_MODE");
}

static void op_svm(struct fuzz *f)
{
	struct kfd_ioctl_svm_args a;
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	a.start_addr = fuzz_u64(f);
	a.size = fuzz_size(f);
	a.op = fuzz_below(f, 4);
	a.nattr = fuzz_below(f, 3);
	fuzz_kfd(f, ci, AMDKFD_IOC_SVM, &a, NR(AMDKFD_IOC_SVM), "SVM");
}

static void op_ctx_info(struct fuzz *f)
{
	static const uint32_t ids[] = {
		VKFD_CTX_ID_SELF, 0, 1, 2, 3, 0xfffe, 0xffff, 0x10000,
	};
	struct vkfd_ioctl_ctx_info a = { 0 };
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	a.ctx_id = fuzz_chance(f, 1, 16) ? (uint32_t)fuzz_rand(f) :
		   ids[fuzz_below(f, ARRAY_SIZE(ids))];
	a.flags = fuzz_pad(f);
	a.pad = fuzz_pad(f);
	fuzz_kfd(f, ci, VKFD_IOC_CTX_INFO, &a, NR(VKFD_IOC_CTX_INFO),
		 "CTX_INFO");
}

static void op_acquire_vm(struct fuzz *f)
{
	struct kfd_ioctl_acquire_vm_args a = { 0 };
	int ci = fuzz_ctx_pick(f), g = fuzz_gpu_index(f), other;

	if (ci < 0 || !f->ngpus)
		return;
	a.gpu_id = f->gpu[g];
	a.drm_fd = fuzz_render_fd(f, g);
	switch (fuzz_below(f, 12)) {
	case 0:
		a.gpu_id = fuzz_gpu_id(f);
		break;
	case 1:
		other = (g + 1) % f->ngpus;
		a.drm_fd = fuzz_render_fd(f, other);
		break;
	case 2:
		a.drm_fd = f->ctx[ci].fd;
		break;
	case 3:
		a.drm_fd = fuzz_chance(f, 1, 2) ? UINT32_MAX :
			   (uint32_t)fuzz_pool_pick(f, &f->stale, 1000);
		break;
	}
	if (f->failed)
		return;
	if (!fuzz_kfd(f, ci, AMDKFD_IOC_ACQUIRE_VM, &a,
		      NR(AMDKFD_IOC_ACQUIRE_VM), "ACQUIRE_VM") &&
	    a.gpu_id == f->gpu[g]) {
		f->ctx[ci].vm_mask |= 1u << g;
		f->ctx[ci].vm_render[g] = (int)a.drm_fd;
		if (!f->ctx[ci].secondary)
			f->primary_render[g] = (int)a.drm_fd;
	}
}

static uint32_t fuzz_alloc_flags(struct fuzz *f)
{
	static const uint32_t domain[] = {
		KFD_IOC_ALLOC_MEM_FLAGS_VRAM, KFD_IOC_ALLOC_MEM_FLAGS_VRAM,
		KFD_IOC_ALLOC_MEM_FLAGS_GTT, KFD_IOC_ALLOC_MEM_FLAGS_GTT,
		KFD_IOC_ALLOC_MEM_FLAGS_USERPTR,
		KFD_IOC_ALLOC_MEM_FLAGS_DOORBELL,
		KFD_IOC_ALLOC_MEM_FLAGS_MMIO_REMAP,
	};
	uint32_t attrs = 0xfe000000;	/* WRITABLE .. UNCACHED */

	switch (fuzz_below(f, 16)) {
	case 0:
		return (uint32_t)fuzz_rand(f);
	case 1:
		return 0xffffffff;
	case 2:
		return KFD_IOC_ALLOC_MEM_FLAGS_VRAM | KFD_IOC_ALLOC_MEM_FLAGS_GTT;
	case 3:
		return 0;
	case 4:
		return domain[fuzz_below(f, ARRAY_SIZE(domain))] |
		       (1u << (5 + fuzz_below(f, 20)));
	default:
		return domain[fuzz_below(f, ARRAY_SIZE(domain))] |
		       ((uint32_t)fuzz_rand(f) & attrs) |
		       (fuzz_chance(f, 3, 4) ? KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE : 0);
	}
}

/* The user address of a USERPTR: mostly inside the fuzzer's own memory. */
static uint64_t fuzz_userptr(struct fuzz *f, uint64_t size)
{
	uint64_t pages = FUZZ_USER_SIZE / 4096, first;

	switch (fuzz_below(f, 10)) {
	case 0:
		return 0;
	case 1:
		return 0xffff800000000000ULL;
	case 2:
		return (uintptr_t)f->bad;
	case 3:
		return (uintptr_t)f->user + 1 + fuzz_below(f, 4095);
	case 4:
		return fuzz_u64(f);
	default:
		first = size / 4096 < pages ?
			fuzz_below(f, (uint32_t)(pages - size / 4096 + 1)) : 0;
		return (uintptr_t)f->user + first * 4096;
	}
}

static void op_alloc(struct fuzz *f)
{
	struct kfd_ioctl_alloc_memory_of_gpu_args a = { 0 };
	struct kfd_ioctl_free_memory_of_gpu_args fr = { 0 };
	uint64_t allowed = NR(AMDKFD_IOC_ALLOC_MEMORY_OF_GPU);
	struct fuzz_buf b = { .render = -1 };
	int ci = fuzz_ctx_pick(f), g;

	if (ci < 0)
		return;
	a.gpu_id = fuzz_gpu_id(f);
	a.va_addr = fuzz_va(f);
	a.size = fuzz_size(f);
	a.flags = fuzz_alloc_flags(f);
	if (a.flags & KFD_IOC_ALLOC_MEM_FLAGS_DOORBELL && fuzz_chance(f, 3, 4))
		a.size = 8192;
	if (a.flags & KFD_IOC_ALLOC_MEM_FLAGS_MMIO_REMAP && fuzz_chance(f, 3, 4))
		a.size = 4096;
	if (a.flags & KFD_IOC_ALLOC_MEM_FLAGS_USERPTR) {
		a.mmap_offset = fuzz_userptr(f, a.size);
		/* its pages are pinned at the first MAP, which may fail so */
		allowed |= EB(EFAULT);
	}
	if (fuzz_kfd(f, ci, AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, &a, allowed,
		     "ALLOC_MEMORY_OF_GPU"))
		return;
	fuzz_pool_add(&f->handles, a.handle);
	for (g = 0; g < f->ngpus; g++)
		if (f->gpu[g] == a.gpu_id)
			b.render = f->ctx[ci].secondary ? f->ctx[ci].vm_render[g] :
				   f->primary_render[g];
	b.handle = a.handle;
	b.offset = a.mmap_offset;
	b.ctx = ci;
	fuzz_buf_add(f, &b);
	if (a.flags & KFD_IOC_ALLOC_MEM_FLAGS_USERPTR)
		f->userptr = true;
	else
		fuzz_pool_add(&f->offsets, a.mmap_offset);
	if (a.size <= FUZZ_KEEP_MAX)
		return;
	/* Too large to map: see FUZZ_KEEP_MAX. Freeing a new buffer works. */
	fr.handle = a.handle;
	fuzz_kfd(f, ci, AMDKFD_IOC_FREE_MEMORY_OF_GPU, &fr, 0,
		 "FREE_MEMORY_OF_GPU (large)");
}

/*
 * A handle, and the KFD slot to use it through: mostly a buffer of the
 * pool through the slot it was allocated through (if that is open).
 */
static uint64_t fuzz_handle(struct fuzz *f, int *ci)
{
	const struct fuzz_buf *b = fuzz_buf_pick(f);

	if (b && fuzz_chance(f, 3, 4) && f->ctx[b->ctx].fd >= 0) {
		*ci = b->ctx;
		return b->handle;
	}
	switch (fuzz_below(f, 16)) {
	case 0:
		return fuzz_u64(f);
	case 1:
		return (uint64_t)fuzz_gpu_id(f) << 32 | fuzz_below(f, 4);
	default:
		return fuzz_pool_pick(f, &f->handles, 0);
	}
}

static void op_free(struct fuzz *f)
{
	struct kfd_ioctl_free_memory_of_gpu_args a = { 0 };
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	a.handle = fuzz_handle(f, &ci);
	fuzz_kfd(f, ci, AMDKFD_IOC_FREE_MEMORY_OF_GPU, &a,
		 NR(AMDKFD_IOC_FREE_MEMORY_OF_GPU), "FREE_MEMORY_OF_GPU");
}

static void fuzz_map_unmap(struct fuzz *f, bool map)
{
	struct kfd_ioctl_map_memory_to_gpu_args a = { 0 };
	unsigned long cmd = map ? AMDKFD_IOC_MAP_MEMORY_TO_GPU :
				  AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU;
	uint32_t *ids = (uint32_t *)f->arg;
	uint64_t allowed = NR(cmd);
	int ci = fuzz_ctx_pick(f);
	uint32_t i, in;

	if (ci < 0)
		return;
	a.handle = fuzz_handle(f, &ci);
	a.n_devices = f->ngpus ? 1 + fuzz_below(f, f->ngpus) : 1;
	if (fuzz_chance(f, 1, 16))
		a.n_devices = fuzz_chance(f, 1, 2) ? 0 : 1025;
	for (i = 0; i < a.n_devices && i < FUZZ_ARG_SIZE / 4; i++)
		ids[i] = fuzz_chance(f, 15, 16) && f->ngpus ?
			 f->gpu[(i + fuzz_below(f, 2)) % f->ngpus] :
			 fuzz_gpu_id(f);
	if (fuzz_chance(f, 1, 8))
		a.n_success = fuzz_below(f, a.n_devices + 2);
	a.device_ids_array_ptr = (uintptr_t)ids;
	if (fuzz_chance(f, 1, 16)) {
		a.device_ids_array_ptr = fuzz_chance(f, 1, 2) ? 0 :
					 (uintptr_t)f->bad;
		allowed |= EB(EFAULT);
	}
	/* A USERPTR's pages are pinned at its first MAP (uapi.rst) */
	if (map && (f->userptr || f->racing))
		allowed |= EB(EFAULT);
	in = a.n_success;
	fuzz_kfd(f, ci, cmd, &a, allowed,
		 map ? "MAP_MEMORY_TO_GPU" : "UNMAP_MEMORY_FROM_GPU");
	/* it only grows, and never past n_devices (or the input, if above) */
	if ((a.n_success < in || (in <= a.n_devices && a.n_success > a.n_devices)) &&
	    !f->failed &&
	    f->ctx[ci].owner == f->pid && !f->racing)
		fuzz_fail(f, "n_success %u -> %u of n_devices %u after %s",
			  in, a.n_success, a.n_devices, map ? "MAP" : "UNMAP");
}

static void op_map(struct fuzz *f)
{
	fuzz_map_unmap(f, true);
}

static void op_unmap(struct fuzz *f)
{
	fuzz_map_unmap(f, false);
}

static void op_available(struct fuzz *f)
{
	struct kfd_ioctl_get_available_memory_args a = { 0 };
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	a.gpu_id = fuzz_gpu_id(f);
	a.pad = fuzz_pad(f);
	fuzz_kfd(f, ci, AMDKFD_IOC_AVAILABLE_MEMORY, &a,
		 NR(AMDKFD_IOC_AVAILABLE_MEMORY), "AVAILABLE_MEMORY");
}

/* SET_MEMORY_POLICY, SET_SCRATCH_BACKING_VA, SET_TRAP_HANDLER, GET_TILE_CONFIG */
static void op_gpu_misc(struct fuzz *f)
{
	union {
		struct kfd_ioctl_set_memory_policy_args pol;
		struct kfd_ioctl_set_scratch_backing_va_args scratch;
		struct kfd_ioctl_set_trap_handler_args trap;
		struct kfd_ioctl_get_tile_config_args tile;
	} a;
	uint64_t allowed;
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	memset(&a, 0, sizeof(a));
	switch (fuzz_below(f, 4)) {
	case 0:
		a.pol.gpu_id = fuzz_gpu_id(f);
		a.pol.default_policy = fuzz_chance(f, 7, 8) ? fuzz_below(f, 2) :
				       (uint32_t)fuzz_u64(f);
		a.pol.alternate_policy = fuzz_chance(f, 7, 8) ?
					 fuzz_below(f, 2) : fuzz_pad(f);
		a.pol.alternate_aperture_base = fuzz_u64(f);
		a.pol.alternate_aperture_size = fuzz_size(f);
		a.pol.VKFD_MEMORY_POLICY_PAD = fuzz_pad(f);
		fuzz_kfd(f, ci, AMDKFD_IOC_SET_MEMORY_POLICY, &a.pol,
			 NR(AMDKFD_IOC_SET_MEMORY_POLICY), "SET_MEMORY_POLICY");
		break;
	case 1:
		a.scratch.gpu_id = fuzz_gpu_id(f);
		a.scratch.va_addr = fuzz_u64(f);
		a.scratch.pad = fuzz_pad(f);
		fuzz_kfd(f, ci, AMDKFD_IOC_SET_SCRATCH_BACKING_VA, &a.scratch,
			 NR(AMDKFD_IOC_SET_SCRATCH_BACKING_VA),
			 "SET_SCRATCH_BACKING_VA");
		break;
	case 2:
		a.trap.gpu_id = fuzz_gpu_id(f);
		a.trap.tba_addr = fuzz_u64(f);
		a.trap.tma_addr = fuzz_u64(f);
		a.trap.pad = fuzz_pad(f);
		fuzz_kfd(f, ci, AMDKFD_IOC_SET_TRAP_HANDLER, &a.trap,
			 NR(AMDKFD_IOC_SET_TRAP_HANDLER), "SET_TRAP_HANDLER");
		break;
	default:
		allowed = NR(AMDKFD_IOC_GET_TILE_CONFIG);
		a.tile.gpu_id = fuzz_gpu_id(f);
		a.tile.tile_config_ptr = (uintptr_t)f->arg;
		a.tile.macro_tile_config_ptr = (uintptr_t)f->arg + 2048;
		a.tile.num_tile_configs = fuzz_below(f, 64);
		a.tile.num_macro_tile_configs = fuzz_below(f, 64);
		if (fuzz_chance(f, 1, 8)) {
			a.tile.tile_config_ptr = (uintptr_t)f->bad;
			a.tile.num_tile_configs = (uint32_t)fuzz_u64(f);
			allowed |= EB(EFAULT);
		}
		fuzz_kfd(f, ci, AMDKFD_IOC_GET_TILE_CONFIG, &a.tile, allowed,
			 "GET_TILE_CONFIG");
		break;
	}
}

static void op_create_process(struct fuzz *f)
{
	struct vkfd_ioctl_create_process_args a = { 0 };
	uint64_t allowed = NR(VKFD_IOC_CREATE_PROCESS);
	int ci = fuzz_ctx_pick(f), ret;

	if (ci < 0)
		return;
	if (fuzz_chance(f, 1, 2)) {
		ret = fuzz_kfd(f, ci, VKFD_IOC_CREATE_PROCESS, NULL, allowed,
			       "CREATE_PROCESS");
	} else {
		a.flags = fuzz_pad(f);
		a.pad = fuzz_pad(f);
		ret = fuzz_kfd(f, ci, VKFD_IOC_CREATE_PROCESS_ROCM, &a, allowed,
			       "CREATE_PROCESS (ROCm)");
	}
	if (!ret) {
		f->ctx[ci].secondary = true;
		f->ctx[ci].vm_mask = 0;
	}
}

static void op_open(struct fuzz *f)
{
	fuzz_ctx_open(f);
}

static void op_close(struct fuzz *f)
{
	int ci = fuzz_ctx_pick(f);

	if (ci >= 0)
		fuzz_ctx_close(f, ci);
}

/*
 * Any command word: a random number, type, direction and size, over a
 * scratch argument of random bytes. The number's errnos apply, and
 * EFAULT where the bytes are pointers or the size runs past the scratch
 * page. Commands that make something unbounded or change what an fd is
 * (ALLOC, CREATE_PROCESS) and the test ioctl are left to their own
 * operations.
 */
static void op_any_cmd(struct fuzz *f)
{
	static const uint64_t ptr_nrs = 1ULL << 0x0c | 1ULL << 0x12 |
					1ULL << 0x14 | 1ULL << 0x18 |
					1ULL << 0x19;
	unsigned int nr, type = 'K', dir, size, i;
	uint64_t allowed;
	int ci = fuzz_ctx_pick(f);

	if (ci < 0)
		return;
	do {
		nr = fuzz_chance(f, 3, 4) ? fuzz_below(f, 0x30) :
					    fuzz_below(f, 256);
	} while (nr == 0x16 || nr == 0x27 || nr == 0xff);
	/*
	 * Another type: ENOTTY, unless the VFS answers the command itself
	 * before the driver (do_vfs_ioctl(): FIGETBSZ, the 'T' FIO* ones,
	 * FIFREEZE, the 'f' FS_IOC_* ones, FICLONE and FICLONERANGE,
	 * FS_IOC_GETFSUUID), with its own errnos: never those types.
	 */
	if (fuzz_chance(f, 1, 16))
		do {
			type = fuzz_below(f, 256);
		} while (type == 0 || type == 'T' || type == 'X' ||
			 type == 'f' || type == 0x94 || type == 0x15);
	dir = fuzz_below(f, 4);
	size = fuzz_chance(f, 7, 8) ? fuzz_below(f, 256) :
				      fuzz_below(f, _IOC_SIZEMASK + 1);
	for (i = 0; i < 256; i += 8)
		*(uint64_t *)(f->arg + i) = fuzz_chance(f, 1, 2) ? 0 :
					    fuzz_u64(f);
	if (nr == 0x0c)	/* WAIT_EVENTS: never a real wait (timeout at 16) */
		memset(f->arg + 16, 0, 4);
	allowed = type == 'K' ? fuzz_kfd_errnos(nr) : EB(ENOTTY);
	if (type == 'K' && (size > FUZZ_ARG_SIZE ||
			    (nr < 64 && ptr_nrs & 1ULL << nr)))
		allowed |= EB(EFAULT);
	fuzz_kfd(f, ci, _IOC(dir, type, nr, size), f->arg, allowed,
		 "any command");
}

/* An fd number the fuzzer closed, maybe reused since by any file. */
static void op_stale_fd(struct fuzz *f)
{
	struct kfd_ioctl_get_version_args a = { 0 };
	int fd = (int)fuzz_pool_pick(f, &f->stale, 1000);

	f->loose = true;
	fuzz_ioctl(f, fd, AMDKFD_IOC_GET_VERSION, &a, 0, "stale fd");
	f->loose = false;
}

const struct fuzz_op fuzz_kfd_ops[] = {
	{ "version", 80, true, op_version },
	{ "clock", 60, true, op_clock },
	{ "apertures", 15, true, op_apertures },
	{ "xnack", 40, true, op_xnack },
	{ "svm", 30, true, op_svm },
	{ "ctx_info", 30, true, op_ctx_info },
	{ "acquire_vm", 4, false, op_acquire_vm },
	{ "alloc", 8, true, op_alloc },
	{ "free", 8, true, op_free },
	{ "map", 8, true, op_map },
	{ "unmap", 8, true, op_unmap },
	{ "available", 80, true, op_available },
	{ "gpu_misc", 20, true, op_gpu_misc },
	{ "create_process", 1, true, op_create_process },
	{ "open", 1, false, op_open },
	{ "close", 1, false, op_close },
	{ "any_cmd", 150, true, op_any_cmd },
	{ "stale_fd", 5, false, op_stale_fd },
};
const unsigned int fuzz_kfd_nops = ARRAY_SIZE(fuzz_kfd_ops);
