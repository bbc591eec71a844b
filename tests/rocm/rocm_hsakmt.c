// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rocm_hsakmt - Debian's unmodified libhsakmt 5.2.3 (ROCm's thunk) on the
 * lane's /dev/kfd, every call's result checked.
 *
 * Open, version, system and node properties (CPU node plus num_gpus
 * gfx900 nodes with a render node and a VRAM bank of vram_mb), signal
 * events (in dGPU mode libhsakmt puts the events page in a GTT buffer of
 * the first GPU), VRAM and user-pointer memory, an SDMA queue whose ring
 * the program fills by hand (FENCE into registered user memory through
 * its GPU address, FENCE into VRAM, COPY_LINEAR from system memory into
 * VRAM), and close. Prints TAP (rocm_tap.h).
 *
 *   rocm_hsakmt            the checks
 *   rocm_hsakmt -H FILE    hold mode, for rocm-smi --showpids: allocate
 *                          64 MiB of VRAM on the first GPU and an SDMA
 *                          queue, write the pid to FILE, and wait until
 *                          FILE is removed (at most 10 minutes)
 */
#include <errno.h>
#include <hsakmt.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rocm_tap.h"

#define RING_SIZE	4096u
#define SDMA_OP_COPY	1u
#define SDMA_OP_FENCE	5u
#define HOLD_VRAM	(64ull << 20)
/* Seconds an SDMA packet may take before the check fails. */
#define SDMA_TIMEOUT	30.0

/**
 * struct kmt - the state of a run
 * @t: the checks
 * @e: the lane's module parameters
 * @sys: hsaKmtAcquireSystemProperties()
 * @gpu: node id of the first GPU
 */
struct kmt {
	struct tap t;
	struct rocm_expect e;
	HsaSystemProperties sys;
	uint32_t gpu;
};

/**
 * struct sdma - an SDMA queue of libhsakmt with a ring filled by hand
 * @ring: the ring, system memory mapped to the GPU
 * @res: what hsaKmtCreateQueue() returned: queue id, read and write
 *       pointers and doorbell (64-bit byte offsets on gfx9)
 * @wptr: bytes written so far
 */
struct sdma {
	uint32_t *ring;
	HsaQueueResource res;
	uint64_t wptr;
};

static bool ok_status(struct tap *t, HSAKMT_STATUS st, const char *what)
{
	return tap_check(t, st == HSAKMT_STATUS_SUCCESS, "%s (status %d)", what, st);
}

static HsaMemFlags sys_flags(void)
{
	HsaMemFlags f = { 0 };

	f.ui32.HostAccess = 1;
	f.ui32.PageSize = HSA_PAGE_SIZE_4KB;
	f.ui32.ExecuteAccess = 1;
	return f;
}

static HsaMemFlags vram_flags(void)
{
	HsaMemFlags f = { 0 };

	f.ui32.NonPaged = 1;
	f.ui32.HostAccess = 1;
	f.ui32.NoSubstitute = 1;
	f.ui32.PageSize = HSA_PAGE_SIZE_4KB;
	return f;
}

/* Allocate and map to the GPU; NULL on failure (with the status in *st). */
static void *alloc_mapped(uint32_t node, uint32_t gpu, uint64_t size, HsaMemFlags f,
			  HSAKMT_STATUS *st)
{
	HsaMemMapFlags mf = { 0 };
	void *p = NULL;

	*st = hsaKmtAllocMemory(node, size, f, &p);
	if (*st != HSAKMT_STATUS_SUCCESS)
		return NULL;
	*st = hsaKmtMapMemoryToGPUNodes(p, size, NULL, mf, 1, &gpu);
	if (*st != HSAKMT_STATUS_SUCCESS) {
		hsaKmtFreeMemory(p, size);
		return NULL;
	}
	return p;
}

static void free_mapped(void *p, uint64_t size)
{
	if (!p)
		return;
	hsaKmtUnmapMemoryToGPU(p);
	hsaKmtFreeMemory(p, size);
}

static void sdma_emit(struct sdma *q, const uint32_t *dw, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		q->ring[(q->wptr / 4) % (RING_SIZE / 4)] = dw[i];
		q->wptr += 4;
	}
	/* The ring's contents before the write pointer, that before the doorbell. */
	atomic_thread_fence(memory_order_release);
	__atomic_store_n(q->res.Queue_write_ptr_aql, q->wptr, __ATOMIC_RELEASE);
	__atomic_store_n(q->res.Queue_DoorBell_aql, q->wptr, __ATOMIC_RELEASE);
}

/* Wait until the engine's read pointer reaches ours. */
static bool sdma_wait_idle(struct sdma *q)
{
	double end = rocm_now() + SDMA_TIMEOUT;

	while (__atomic_load_n(q->res.Queue_read_ptr_aql, __ATOMIC_ACQUIRE) != q->wptr) {
		if (rocm_now() > end)
			return false;
		usleep(1000);
	}
	return true;
}

static bool wait_u32(volatile uint32_t *p, uint32_t v)
{
	double end = rocm_now() + SDMA_TIMEOUT;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != v) {
		if (rocm_now() > end)
			return false;
		usleep(1000);
	}
	return true;
}

static void sdma_fence(struct sdma *q, uint64_t va, uint32_t value)
{
	uint32_t dw[4] = { SDMA_OP_FENCE, (uint32_t)va, (uint32_t)(va >> 32), value };

	sdma_emit(q, dw, 4);
}

static void sdma_copy(struct sdma *q, uint64_t dst, uint64_t src, uint32_t bytes)
{
	uint32_t dw[7] = {
		SDMA_OP_COPY, bytes - 1, 0,
		(uint32_t)src, (uint32_t)(src >> 32), (uint32_t)dst, (uint32_t)(dst >> 32),
	};

	sdma_emit(q, dw, 7);
}

static bool sdma_create(struct kmt *k, struct sdma *q)
{
	HSAKMT_STATUS st;

	memset(q, 0, sizeof(*q));
	q->ring = alloc_mapped(0, k->gpu, RING_SIZE, sys_flags(), &st);
	if (!ok_status(&k->t, st, "SDMA ring: system memory allocated and mapped to the GPU"))
		return false;
	memset(q->ring, 0, RING_SIZE);
	st = hsaKmtCreateQueue(k->gpu, HSA_QUEUE_SDMA, 100, HSA_QUEUE_PRIORITY_NORMAL,
			       q->ring, RING_SIZE, NULL, &q->res);
	if (!ok_status(&k->t, st, "hsaKmtCreateQueue(SDMA)")) {
		free_mapped(q->ring, RING_SIZE);
		q->ring = NULL;
		return false;
	}
	tap_check(&k->t, q->res.Queue_read_ptr_aql && q->res.Queue_write_ptr_aql &&
		  q->res.Queue_DoorBell_aql,
		  "the queue has a read pointer, a write pointer and a doorbell");
	tap_check(&k->t, *q->res.Queue_read_ptr_aql == 0 && *q->res.Queue_write_ptr_aql == 0,
		  "a new queue's read and write pointers are 0");
	return true;
}

static void sdma_destroy(struct kmt *k, struct sdma *q)
{
	if (!q->ring)
		return;
	ok_status(&k->t, hsaKmtDestroyQueue(q->res.QueueId), "hsaKmtDestroyQueue");
	free_mapped(q->ring, RING_SIZE);
}

static void check_topology(struct kmt *k)
{
	HsaNodeProperties np;
	HsaMemoryProperties mem[8];
	uint32_t i, gpus = 0, cpus = 0;
	char path[64];

	for (i = 0; i < k->sys.NumNodes; i++) {
		HSAKMT_STATUS st = hsaKmtGetNodeProperties(i, &np);

		if (!ok_status(&k->t, st, "hsaKmtGetNodeProperties"))
			continue;
		if (np.NumCPUCores && !np.NumFComputeCores) {
			cpus++;
			continue;
		}
		if (!gpus)
			k->gpu = i;
		gpus++;
		tap_check(&k->t, np.NumFComputeCores && !np.NumCPUCores,
			  "node %u: a GPU (%u SIMDs, no CPU cores)", i, np.NumFComputeCores);
		tap_check(&k->t, np.EngineId.ui32.Major == 9 && np.EngineId.ui32.Minor == 0 &&
			  np.EngineId.ui32.Stepping == 0,
			  "node %u: gfx900 (is gfx%u%u%u)", i, np.EngineId.ui32.Major,
			  np.EngineId.ui32.Minor, np.EngineId.ui32.Stepping);
		snprintf(path, sizeof(path), "/dev/dri/renderD%d", np.DrmRenderMinor);
		tap_check(&k->t, np.DrmRenderMinor >= 128 && np.DrmRenderMinor <= 255 &&
			  access(path, R_OK | W_OK) == 0,
			  "node %u: render minor %d, %s opens", i, np.DrmRenderMinor, path);
		tap_check(&k->t, np.NumMemoryBanks >= 1 && np.NumMemoryBanks <= 8,
			  "node %u: %u memory banks", i, np.NumMemoryBanks);
		if (np.NumMemoryBanks < 1 || np.NumMemoryBanks > 8)
			continue;
		st = hsaKmtGetNodeMemoryProperties(i, np.NumMemoryBanks, mem);
		if (ok_status(&k->t, st, "hsaKmtGetNodeMemoryProperties")) {
			uint64_t vram = 0;
			uint32_t b;

			for (b = 0; b < np.NumMemoryBanks; b++)
				if (mem[b].HeapType == HSA_HEAPTYPE_FRAME_BUFFER_PUBLIC ||
				    mem[b].HeapType == HSA_HEAPTYPE_FRAME_BUFFER_PRIVATE)
					vram += mem[b].SizeInBytes;
			tap_check(&k->t, vram == (uint64_t)k->e.vram_mb << 20,
				  "node %u: %llu bytes of VRAM (vram_mb=%u)", i,
				  (unsigned long long)vram, k->e.vram_mb);
		}
	}
	tap_check(&k->t, cpus == 1, "one CPU node (%u)", cpus);
	tap_check(&k->t, gpus == k->e.num_gpus, "%u GPU nodes (num_gpus=%u)", gpus,
		  k->e.num_gpus);
}

static void check_events(struct kmt *k)
{
	HsaEventDescriptor d = { 0 };
	HsaEvent *ev = NULL;
	HSAKMT_STATUS st;

	d.EventType = HSA_EVENTTYPE_SIGNAL;
	d.NodeId = 0;
	d.SyncVar.SyncVar.UserData = NULL;
	st = hsaKmtCreateEvent(&d, true, false, &ev);
	if (!ok_status(&k->t, st, "hsaKmtCreateEvent(SIGNAL, manual reset)"))
		return;
	/* HWData2 points at the event's slot of the events page; libhsakmt
	 * sets it only when the kernel adopted the page (a GTT buffer). */
	tap_check(&k->t, ev->EventData.HWData2 != 0,
		  "the event has a slot in the events page (HWData2 %#llx)",
		  (unsigned long long)ev->EventData.HWData2);
	st = hsaKmtWaitOnEvent(ev, 0);
	tap_check(&k->t, st == HSAKMT_STATUS_WAIT_TIMEOUT,
		  "a new event is not signaled: a wait times out (status %d)", st);
	ok_status(&k->t, hsaKmtSetEvent(ev), "hsaKmtSetEvent");
	ok_status(&k->t, hsaKmtWaitOnEvent(ev, 1000), "hsaKmtWaitOnEvent returns the set event");
	ok_status(&k->t, hsaKmtWaitOnEvent(ev, 1000),
		  "a manual-reset event stays signaled");
	ok_status(&k->t, hsaKmtResetEvent(ev), "hsaKmtResetEvent");
	st = hsaKmtWaitOnEvent(ev, 10);
	tap_check(&k->t, st == HSAKMT_STATUS_WAIT_TIMEOUT,
		  "after the reset, a wait times out (status %d)", st);
	ok_status(&k->t, hsaKmtDestroyEvent(ev), "hsaKmtDestroyEvent");
}

/* VRAM, user memory and an SDMA queue that writes into both. */
static void check_memory_and_sdma(struct kmt *k)
{
	const uint64_t size = 1 << 20;
	HsaMemMapFlags mf = { 0 };
	uint64_t alt = 0;
	uint8_t *vram, *src = NULL;
	uint32_t *user = NULL;
	HSAKMT_STATUS st;
	struct sdma q;
	long bad;

	vram = alloc_mapped(k->gpu, k->gpu, size, vram_flags(), &st);
	if (!ok_status(&k->t, st, "1 MiB of VRAM allocated and mapped to the GPU"))
		return;
	rocm_fill(vram, size, 1);
	src = malloc(size);
	if (src)
		rocm_fill(src, size, 1);
	bad = src ? rocm_cmp(vram, src, size) : 0;
	tap_check(&k->t, src && bad < 0, "the CPU reads back what it wrote into VRAM");

	if (posix_memalign((void **)&user, 4096, 65536))
		user = NULL;
	if (user)
		memset(user, 0, 65536);
	st = user ? hsaKmtRegisterMemoryToNodes(user, 65536, 1, &k->gpu) : HSAKMT_STATUS_NO_MEMORY;
	if (ok_status(&k->t, st, "hsaKmtRegisterMemoryToNodes(64 KiB of malloc memory)")) {
		st = hsaKmtMapMemoryToGPUNodes(user, 65536, &alt, mf, 1, &k->gpu);
		ok_status(&k->t, st, "the user memory mapped to the GPU");
		tap_check(&k->t, alt != 0, "it has a GPU address (%#llx)", (unsigned long long)alt);
	}

	if (sdma_create(k, &q)) {
		if (alt) {
			sdma_fence(&q, alt + 64, 0xcafe0001);
			tap_check(&k->t, wait_u32(&user[16], 0xcafe0001),
				  "SDMA FENCE into user memory through its GPU address");
		}
		sdma_fence(&q, (uint64_t)(uintptr_t)vram + 8, 0xcafe0002);
		tap_check(&k->t, wait_u32((uint32_t *)(vram + 8), 0xcafe0002),
			  "SDMA FENCE into VRAM, read by the CPU");
		tap_check(&k->t, sdma_wait_idle(&q) &&
			  *q.res.Queue_read_ptr_aql == q.wptr,
			  "the read pointer reaches the write pointer (%llu bytes)",
			  (unsigned long long)q.wptr);
		if (alt) {
			/* user memory (64 KiB) -> VRAM at offset 128 KiB */
			rocm_fill(user, 65536, 7);
			sdma_copy(&q, (uint64_t)(uintptr_t)vram + 131072, alt, 65536);
			sdma_fence(&q, (uint64_t)(uintptr_t)vram, 0xcafe0003);
			tap_check(&k->t, wait_u32((uint32_t *)vram, 0xcafe0003) &&
				  rocm_cmp(vram + 131072, user, 65536) < 0,
				  "SDMA COPY_LINEAR of 64 KiB from user memory into VRAM");
		}
		sdma_destroy(k, &q);
	}

	if (alt) {
		ok_status(&k->t, hsaKmtUnmapMemoryToGPU(user), "user memory unmapped");
		ok_status(&k->t, hsaKmtDeregisterMemory(user), "hsaKmtDeregisterMemory");
	}
	free(user);
	free(src);
	ok_status(&k->t, hsaKmtUnmapMemoryToGPU(vram), "VRAM unmapped");
	ok_status(&k->t, hsaKmtFreeMemory(vram, size), "VRAM freed");
}

/* -H: hold VRAM and a queue until the file is removed. */
static int hold(struct kmt *k, const char *file)
{
	char tmp[512];
	double end;
	HSAKMT_STATUS st;
	struct sdma q;
	void *vram;
	FILE *f;

	vram = alloc_mapped(k->gpu, k->gpu, HOLD_VRAM, vram_flags(), &st);
	if (!vram || !sdma_create(k, &q))
		return 1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	f = fopen(tmp, "w");
	if (!f)
		return 1;
	fprintf(f, "%d\n", getpid());
	if (fclose(f) || rename(tmp, file))
		return 1;
	end = rocm_now() + 600;
	while (access(file, F_OK) == 0 && rocm_now() < end)
		usleep(20000);
	sdma_destroy(k, &q);
	free_mapped(vram, HOLD_VRAM);
	return 0;
}

int main(int argc, char **argv)
{
	struct kmt k = { 0 };
	HsaVersionInfo v;
	HSAKMT_STATUS st;
	const char *hold_file = NULL;
	int c, ret = 0;

	while ((c = getopt(argc, argv, "H:")) != -1) {
		if (c != 'H') {
			fprintf(stderr, "usage: %s [-H FILE]\n", argv[0]);
			return 2;
		}
		hold_file = optarg;
	}
	tap_init(&k.t);
	rocm_expect_get(&k.e);

	st = hsaKmtOpenKFD();
	if (!ok_status(&k.t, st, "hsaKmtOpenKFD"))
		return tap_done(&k.t);
	st = hsaKmtGetVersion(&v);
	if (ok_status(&k.t, st, "hsaKmtGetVersion"))
		tap_check(&k.t, v.KernelInterfaceMajorVersion == 1,
			  "KFD interface 1.x (%u.%u)", v.KernelInterfaceMajorVersion,
			  v.KernelInterfaceMinorVersion);
	st = hsaKmtAcquireSystemProperties(&k.sys);
	if (ok_status(&k.t, st, "hsaKmtAcquireSystemProperties")) {
		tap_check(&k.t, k.sys.NumNodes == 1 + k.e.num_gpus,
			  "%u nodes: the CPU and num_gpus=%u GPUs", k.sys.NumNodes, k.e.num_gpus);
		check_topology(&k);
		if (hold_file) {
			ret = hold(&k, hold_file);
		} else if (k.gpu) {
			check_events(&k);
			check_memory_and_sdma(&k);
		}
		ok_status(&k.t, hsaKmtReleaseSystemProperties(), "hsaKmtReleaseSystemProperties");
	}
	ok_status(&k.t, hsaKmtCloseKFD(), "hsaKmtCloseKFD");
	st = hsaKmtGetVersion(&v);
	tap_check(&k.t, st == HSAKMT_STATUS_KERNEL_IO_CHANNEL_NOT_OPENED,
		  "after the close, calls fail with KERNEL_IO_CHANNEL_NOT_OPENED (%d)", st);
	return tap_done(&k.t) | ret;
}
