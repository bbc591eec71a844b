/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libvkfd - a small C library over the KFD uAPI with multiple contexts.
 *
 * Works against vkfd and against amdkfd. A context is one fd of the KFD
 * device: the primary (shared by every plain open() of a process) or a
 * secondary (its own GPU address spaces, gone when closed). Compare
 * libhsakmt's hsaKmtOpenKFD(), hsaKmtOpenSecondaryKFDCtx() and
 * hsaKmtCloseSecondaryKFDCtx(). The library keeps no global state: every
 * call works on the struct vkfd_context it is given.
 *
 * GPU memory follows libhsakmt's hsaKmtAllocMemory()/hsaKmtMapMemoryToGPU()
 * at the level of the ioctls: a context gets a GPU VM on a GPU by binding a
 * file of that GPU's DRM render node to it (vkfd_open_vm(), or
 * vkfd_render_open() and vkfd_acquire_vm()); buffers are allocated for a
 * GPU address, mapped into the VMs of one or more GPUs, and VRAM and GTT
 * buffers are CPU-mapped through the render file bound to the VM. Where
 * the render node of a GPU is comes from the topology directory, which
 * the caller names (NULL: VKFD_DEFAULT_TOPOLOGY).
 *
 * Functions return 0 or a negative errno.
 */
#ifndef LIBVKFD_H
#define LIBVKFD_H

#include <stdbool.h>
#include <stdint.h>

#define VKFD_DEFAULT_DEV	"/dev/kfd"
#define VKFD_DEFAULT_TOPOLOGY	"/sys/devices/virtual/kfd/kfd/topology"
#define VKFD_DRI_DIR		"/dev/dri"
#define VKFD_LIB_MAX_GPUS	8

/**
 * struct vkfd_context - an open KFD context
 * @fd: the fd of the KFD device bound to the context, -1 once closed
 * @primary: whether it is the process's primary context
 */
struct vkfd_context {
	int fd;
	bool primary;
};

/**
 * struct vkfd_context_info - what vkfd_query() reports
 * @major: KFD uAPI major version
 * @minor: KFD uAPI minor version
 * @ctx_id: context id: 0xffff for the primary, 0..0xfffe for a secondary
 * @num_gpus: entries in @gpu_ids and @pasids; 0 if the driver does not
 *	describe contexts (amdkfd)
 * @gpu_ids: gpu_id of each GPU
 * @pasids: the context's PASID on each GPU
 */
struct vkfd_context_info {
	uint32_t major;
	uint32_t minor;
	uint32_t ctx_id;
	uint32_t num_gpus;
	uint32_t gpu_ids[VKFD_LIB_MAX_GPUS];
	uint32_t pasids[VKFD_LIB_MAX_GPUS];
};

/* ioctl() on a KFD fd: 0 or -errno; retried while interrupted (EINTR). */
int vkfd_ioctl(int fd, unsigned long cmd, void *arg);

/* Open the process's primary context on @dev (NULL: /dev/kfd). */
int vkfd_open_primary(const char *dev, struct vkfd_context *ctx);

/*
 * Open a new secondary context on @dev (NULL: /dev/kfd). -EOPNOTSUPP if the
 * driver has no secondary contexts (Linux before 7.0); on any failure
 * nothing stays open.
 */
int vkfd_open_secondary(const char *dev, struct vkfd_context *ctx);

/* Close a context; a secondary is destroyed, a primary lives on. */
int vkfd_close(struct vkfd_context *ctx);

/* Describe a context. */
int vkfd_query(const struct vkfd_context *ctx, struct vkfd_context_info *info);

/* ------------------------------------------------------------------------
 * Limits of contexts, vkfd only (lib/libvkfd_limits.c): a primary sets
 * them for its secondaries, any context reads its own. The entries of the
 * arrays are indexed by enum vkfd_limit of <linux/vkfd_ioctl.h>:
 * VKFD_LIMIT_VRAM, _GTT, _USERPTR (bytes), _BUFFERS, _QUEUES, _EVENTS
 * (objects). A limit of VKFD_LIB_LIMIT_UNLIMITED bounds nothing.
 */
#define VKFD_LIB_LIMIT_SLOTS		8
#define VKFD_LIB_LIMIT_UNLIMITED	UINT64_MAX

/**
 * struct vkfd_ctx_limits - a context's limits and what it holds
 * @known: bit i set: entry i of @limit and @usage is valid
 * @limit: the limits; VKFD_LIB_LIMIT_UNLIMITED for none
 * @usage: what the context holds of each resource
 */
struct vkfd_ctx_limits {
	uint32_t known;
	uint64_t limit[VKFD_LIB_LIMIT_SLOTS];
	uint64_t usage[VKFD_LIB_LIMIT_SLOTS];
};

/*
 * The limits of the context @ctx_id (0xffffffff, VKFD_CTX_ID_SELF: @ctx's
 * own; otherwise a secondary of the primary @ctx). -ENOTTY on amdkfd;
 * -EPERM on a secondary asking about another context; -ENOENT: no such
 * secondary.
 */
int vkfd_ctx_get_limits(const struct vkfd_context *ctx, uint32_t ctx_id,
			struct vkfd_ctx_limits *out);

/*
 * Set the limits of the secondary @ctx_id of the primary @primary: entry
 * i of @limit for each bit i of @mask (not 0). Below the usage is allowed:
 * nothing is freed, new charges fail with -EDQUOT. If @out is not NULL,
 * it gets the limits and usage after the call. -EINVAL for an unknown
 * bit in @mask; -EPERM if @primary is a secondary; -ENOENT: no such
 * secondary.
 */
int vkfd_ctx_set_limits(const struct vkfd_context *primary, uint32_t ctx_id,
			uint32_t mask, const uint64_t *limit,
			struct vkfd_ctx_limits *out);

/*
 * The name of limit @i ("vram", "gtt", "userptr", "buffers", "queues",
 * "events": those of sysfs's limits/<name>_limit), NULL if unknown.
 */
const char *vkfd_limit_name(unsigned int i);

/* The index of the limit called @name, or -EINVAL. */
int vkfd_limit_index(const char *name);

/* ------------------------------------------------------------------------
 * GPUs and GPU VMs
 */

/*
 * The gpu_ids of the GPU nodes of @topology (NULL: the default), in node
 * order: up to @max of them are stored in @gpu_ids. Returns how many GPUs
 * there are (0 on a CPU-only topology) or -errno.
 */
int vkfd_gpu_ids(const char *topology, uint32_t *gpu_ids, unsigned int max);

/* The DRM render minor of GPU @gpu_id; -ENOENT if no node has that gpu_id. */
int vkfd_render_minor(const char *topology, uint32_t gpu_id, uint32_t *minor);

/*
 * Open the render node of GPU @gpu_id (VKFD_DRI_DIR/renderD<minor>),
 * O_RDWR | O_CLOEXEC. Returns the fd or -errno. Each call opens a new
 * render file; a GPU VM is bound to one of them.
 */
int vkfd_render_open(const char *topology, uint32_t gpu_id);

/*
 * AMDKFD_IOC_ACQUIRE_VM: make @ctx's GPU VM on @gpu_id, bound to the render
 * file @render_fd (of that GPU). The context keeps the render file alive;
 * the caller keeps @render_fd to CPU-map buffers (vkfd_bo_mmap()) and may
 * close it when it no longer needs to.
 */
int vkfd_acquire_vm(const struct vkfd_context *ctx, uint32_t gpu_id,
		    int render_fd);

/*
 * vkfd_render_open() and vkfd_acquire_vm() in one: on success *@render_fd
 * is the caller's, on failure nothing stays open.
 */
int vkfd_open_vm(const struct vkfd_context *ctx, const char *topology,
		 uint32_t gpu_id, int *render_fd);

/* AMDKFD_IOC_AVAILABLE_MEMORY: VRAM of @gpu_id no context has allocated. */
int vkfd_available_memory(const struct vkfd_context *ctx, uint32_t gpu_id,
			  uint64_t *bytes);

/* ------------------------------------------------------------------------
 * Buffers
 */

/**
 * struct vkfd_bo - a buffer of a context
 * @handle: the context's handle for it, gpu_id << 32 | n; 0 once freed
 * @va: its GPU virtual address, the same in the VM of every GPU
 * @size: bytes, a multiple of 4 KiB
 * @mmap_offset: VRAM and GTT: where the render file bound to the VM maps
 *	it; USERPTR: the user address it uses; DOORBELL and MMIO_REMAP: the
 *	mmap cookie of the KFD device
 * @gpu_id: the GPU it was allocated on
 * @flags: KFD_IOC_ALLOC_MEM_FLAGS_*
 */
struct vkfd_bo {
	uint64_t handle;
	uint64_t va;
	uint64_t size;
	uint64_t mmap_offset;
	uint32_t gpu_id;
	uint32_t flags;
};

/*
 * AMDKFD_IOC_ALLOC_MEMORY_OF_GPU: @size bytes for GPU address @va on
 * @gpu_id, where @ctx has a VM. @flags: one domain (VRAM, GTT, DOORBELL,
 * MMIO_REMAP; USERPTR through vkfd_alloc_userptr()) and any attributes.
 * Not mapped anywhere yet.
 */
int vkfd_alloc(const struct vkfd_context *ctx, uint32_t gpu_id, uint64_t va,
	       uint64_t size, uint32_t flags, struct vkfd_bo *bo);

/*
 * A USERPTR buffer over the caller's memory at @addr (page aligned),
 * primary contexts only. @flags gets KFD_IOC_ALLOC_MEM_FLAGS_USERPTR added.
 * The pages are pinned while the buffer is mapped on some GPU.
 */
int vkfd_alloc_userptr(const struct vkfd_context *ctx, uint32_t gpu_id,
		       uint64_t va, void *addr, uint64_t size, uint32_t flags,
		       struct vkfd_bo *bo);

/*
 * AMDKFD_IOC_FREE_MEMORY_OF_GPU: unmaps @bo from every GPU and frees it;
 * on success @bo is zeroed. CPU mappings keep their pages until unmapped.
 */
int vkfd_free(const struct vkfd_context *ctx, struct vkfd_bo *bo);

/*
 * AMDKFD_IOC_MAP_MEMORY_TO_GPU / _UNMAP_MEMORY_FROM_GPU on the @n GPUs of
 * @gpu_ids (1..1024). A GPU it is already mapped on counts as done. On
 * failure the GPUs before the failing one stay (un)mapped, as with the
 * ioctl.
 */
int vkfd_map(const struct vkfd_context *ctx, const struct vkfd_bo *bo,
	     const uint32_t *gpu_ids, uint32_t n);
int vkfd_unmap(const struct vkfd_context *ctx, const struct vkfd_bo *bo,
	       const uint32_t *gpu_ids, uint32_t n);

/*
 * CPU-map a VRAM or GTT buffer through @render_fd, the render file bound
 * to the VM of the GPU it was allocated on: MAP_SHARED, @prot any of
 * PROT_READ | PROT_WRITE, or PROT_NONE. On success *@addr is the mapping
 * (vkfd_bo_munmap() it); on failure -errno (EACCES: another render file).
 */
int vkfd_bo_mmap(int render_fd, const struct vkfd_bo *bo, int prot,
		 void **addr);
int vkfd_bo_munmap(const struct vkfd_bo *bo, void *addr);

/* ------------------------------------------------------------------------
 * Events (lib/libvkfd_event.c)
 */

/**
 * struct vkfd_event - an event of a context, as CREATE_EVENT returned it
 * @id: event_id
 * @type: KFD_IOC_EVENT_* (SIGNAL 0, ... MEMORY 8)
 * @slot: event_slot_index: the event's u64 slot in the signal page
 * @trigger: event_trigger_data, the value a packet signals it with (its id)
 * @page_offset: event_page_offset: non-zero for every signal event
 */
struct vkfd_event {
	uint32_t id;
	uint32_t type;
	uint32_t slot;
	uint32_t trigger;
	uint64_t page_offset;
};

/*
 * AMDKFD_IOC_CREATE_EVENT of @type (KFD_IOC_EVENT_*). @page_handle: 0, or
 * the handle of a GTT buffer that becomes the signal page (first signal
 * event only, as libhsakmt does on dGPUs).
 */
int vkfd_event_create(const struct vkfd_context *ctx, uint32_t type,
		      bool auto_reset, uint64_t page_handle,
		      struct vkfd_event *ev);
int vkfd_event_destroy(const struct vkfd_context *ctx, uint32_t id);
int vkfd_event_set(const struct vkfd_context *ctx, uint32_t id);
int vkfd_event_reset(const struct vkfd_context *ctx, uint32_t id);

/*
 * AMDKFD_IOC_WAIT_EVENTS on the @n events @ids: any of them, or all if
 * @all; @timeout_ms as the ioctl (0xffffffff: forever). 0 with *@result
 * KFD_IOC_WAIT_RESULT_COMPLETE or _TIMEOUT, or -errno. Not retried when
 * interrupted: -EINTR reaches the caller.
 */
int vkfd_event_wait(const struct vkfd_context *ctx, const uint32_t *ids,
		    uint32_t n, bool all, uint32_t timeout_ms,
		    uint32_t *result);

/**
 * struct vkfd_memory_fault - what a memory-exception event reports
 * @va: the faulting GPU address (page aligned, as amdkfd reports it)
 * @gpu_id: the GPU
 * @not_present: nothing was mapped there
 * @read_only: the page was mapped, but not writable
 */
struct vkfd_memory_fault {
	uint64_t va;
	uint32_t gpu_id;
	bool not_present;
	bool read_only;
};

/*
 * Wait for the MEMORY event @id and return the fault it reports: 0 with
 * *@result as vkfd_event_wait(), and @fault filled if COMPLETE.
 */
int vkfd_event_wait_fault(const struct vkfd_context *ctx, uint32_t id,
			  uint32_t timeout_ms, uint32_t *result,
			  struct vkfd_memory_fault *fault);

/*
 * Map the signal page the kernel allocated (no page handle given):
 * @size bytes (32 KiB, or 4 KiB as libhsakmt's fallback) of the
 * @page_offset a signal event returned. *@slots: u64 per event slot.
 */
int vkfd_event_page_mmap(const struct vkfd_context *ctx, uint64_t page_offset,
			 uint64_t size, volatile uint64_t **slots);

/* ------------------------------------------------------------------------
 * Queues (lib/libvkfd_queue.c)
 */

/**
 * struct vkfd_queue - an SDMA queue and its ring, as libhsakmt builds one
 * @ctx_fd: the KFD fd of the context
 * @id: queue_id
 * @gpu_id: its GPU
 * @bo: one GTT buffer: the ring, then the read pointer (right after the
 *	ring) and the write pointer (8 bytes further)
 * @ring: CPU address of the ring (the buffer mapped at @bo.va: the GPU
 *	and the CPU see it at the same address, as libhsakmt arranges)
 * @ring_size: bytes, a power of two
 * @rptr: CPU address of the read pointer the engine writes back (bytes)
 * @wptr: the write pointer, bytes, never reduced modulo @ring_size
 * @doorbell: CPU address of the queue's doorbell in the context's
 *	doorbell page
 * @doorbell_page: that mapping, VKFD_DOORBELL_PAGE_SIZE bytes
 * @doorbell_offset: as CREATE_QUEUE returned it
 */
struct vkfd_queue {
	int ctx_fd;
	uint32_t id;
	uint32_t gpu_id;
	struct vkfd_bo bo;
	uint32_t *ring;
	uint64_t ring_size;
	volatile uint64_t *rptr;
	uint64_t wptr;
	volatile uint64_t *doorbell;
	void *doorbell_page;
	uint64_t doorbell_offset;
};

#define VKFD_DOORBELL_PAGE_SIZE	8192

struct kfd_ioctl_create_queue_args;

/*
 * Fill *@args (zeroed first) for CREATE_QUEUE of @type on @gpu_id: a ring
 * of @ring_size bytes at GPU address @va, the read pointer right after it
 * and the write pointer 8 bytes further, as libhsakmt lays them out (and
 * vkfd_queue_create() does), queue_percentage 100, priority 7 (normal).
 * The caller maps the ring and the pointers' bytes.
 */
void vkfd_queue_args(struct kfd_ioctl_create_queue_args *args,
		     uint32_t gpu_id, uint32_t type, uint64_t va,
		     uint32_t ring_size);

/*
 * An SDMA queue on @gpu_id of @ctx, whose VM is bound to @render_fd: a
 * GTT buffer of @ring_size + 4 KiB (rounded up to 4 KiB) at GPU (and CPU)
 * address @va, mapped, CREATE_QUEUE, and the doorbell page mapped through
 * the KFD fd. @ring_size is a power of two from 1 KiB (the kernel's
 * smallest ring) to 2 GiB, else -EINVAL. The CPU range at @va must be
 * free (-EEXIST otherwise: nothing is replaced). On failure nothing stays
 * allocated or mapped.
 */
int vkfd_queue_create(const struct vkfd_context *ctx, int render_fd,
		      uint32_t gpu_id, uint64_t va, uint64_t ring_size,
		      struct vkfd_queue *q);
/*
 * DESTROY_QUEUE, then unmap and free what vkfd_queue_create() made.
 * -EINVAL, and nothing done, if @ctx is not the context @q was made in.
 */
int vkfd_queue_destroy(const struct vkfd_context *ctx, struct vkfd_queue *q);

/*
 * Copy @n dwords of packets into the ring (wrapping at its end), advance
 * the write pointer and ring the doorbell. -ENOSPC if the ring has not
 * room for them now, -EINVAL if they are more than the whole ring.
 */
int vkfd_queue_submit(struct vkfd_queue *q, const uint32_t *dw, uint32_t n);

/*
 * Wait until the engine has read everything submitted (*rptr == wptr),
 * polling for at most @timeout_ms: 0 or -ETIMEDOUT.
 */
int vkfd_queue_wait_idle(const struct vkfd_queue *q, uint32_t timeout_ms);

/* ------------------------------------------------------------------------
 * SDMA v4 packets (lib/libvkfd_sdma.c): each writes one packet at @dw
 * and returns its length in dwords. Addresses are GPU VAs. ATOMIC,
 * COPY_LINEAR_RECT, register polls and dword fills: vkfd_sdma_pkt_*() of
 * <linux/vkfd_sdma.h>.
 */
#define VKFD_SDMA_COPY_MAX	(1u << 22)	/* bytes per COPY_LINEAR */

uint32_t vkfd_sdma_nop(uint32_t *dw);
uint32_t vkfd_sdma_copy_linear(uint32_t *dw, uint64_t dst, uint64_t src,
			       uint32_t bytes);
/* @n dwords from @data, written at @dst. */
uint32_t vkfd_sdma_write_linear(uint32_t *dw, uint64_t dst,
				const uint32_t *data, uint32_t n);
/* @bytes (a multiple of 4) of the dword @value at @dst. */
uint32_t vkfd_sdma_const_fill(uint32_t *dw, uint64_t dst, uint32_t value,
			      uint32_t bytes);
/* The dword @value at @dst, once everything before it is done. */
uint32_t vkfd_sdma_fence(uint32_t *dw, uint64_t dst, uint32_t value);
/*
 * An interrupt whose context id is @int_ctx: signals event @int_ctx (on
 * amdkfd only if its slot was written first, e.g. by a FENCE).
 */
uint32_t vkfd_sdma_trap(uint32_t *dw, uint32_t int_ctx);
/* The GPU clock (ns, as GET_CLOCK_COUNTERS' gpu_clock_counter) at @dst. */
uint32_t vkfd_sdma_timestamp(uint32_t *dw, uint64_t dst);
/*
 * Wait until (*@addr & @mask) == @ref (the "equal" function), re-reading
 * every @interval (x 10 clocks) at most @retries times (0xfff: forever).
 */
uint32_t vkfd_sdma_poll_regmem(uint32_t *dw, uint64_t addr, uint32_t ref,
			       uint32_t mask, uint16_t interval,
			       uint16_t retries);

#endif /* LIBVKFD_H */
