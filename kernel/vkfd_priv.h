/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - the device, its contexts, the files bound to them and the object
 * lifecycle of the ioctls that create something; the lock order. Each
 * object has a header of its own: vkfd_gpu.h, vkfd_vm.h, vkfd_mem.h,
 * vkfd_gem.h, vkfd_queue.h, vkfd_sdma.h, vkfd_event.h.
 *
 * Lock order (outermost first):
 *
 *   vkfd_device.ctx_lock -> vkfd_ctx.fs_lock (of a primary)
 *   vkfd_ctx.mem_lock -> a buffer's shmem lock (pinning, unpinning and
 *	freeing it; the lock is drm_gem_shmem_object.pages_lock on 6.1 and
 *	the object's reservation lock, dma_resv, on 6.12)
 *   vkfd_events.lock -> a buffer's shmem lock (pinning the signal page)
 *   mm->mmap_lock -> a buffer's shmem lock (a CPU fault on it)
 *   vkfd_ctx.mem_lock -> mm->mmap_lock (pinning USERPTR pages)
 *
 * The debugfs contexts file only tries each mem_lock under ctx_lock.
 *
 *   vkfd_ctx.queue_lock -> vkfd_ctx.mem_lock
 *   vkfd_ctx.queue_lock -> vkfd_ctx.fs_lock (of the family's primary:
 *	a queue's sysfs directory)
 *   vkfd_ctx.mem_lock -> the events' signal lock (engines signal events
 *	while they hold the mem_lock of the queue's context)
 *   vkfd_events.lock -> vkfd_ctx.mem_lock (adopting a buffer as the
 *	signal page) -> the events' signal lock
 *   mm->mmap_lock -> the events' signal lock (mmap of the signal page)
 *
 * An SDMA engine tries (mutex_trylock()) the mem_lock of the context whose
 * queue it runs, and holds it for a bounded amount of work at a time; it
 * never waits for it. vkfd_sdma_queue_stop() waits for that work to
 * finish. Lockdep sees that wait as the pseudo-lock "vkfd_sdma_slice",
 * held by an engine around each slice of work and taken (then released)
 * by vkfd_sdma_queue_stop():
 *
 *   vkfd_ctx.queue_lock -> vkfd_sdma_slice -> the events' signal lock
 *
 * vkfd_sdma_engine.lock (a spinlock: an engine's ready list, its queue
 * groups and the queue it is serving) is innermost: nothing is taken under
 * it. A doorbell fault takes it under mmap_lock (ringing the slice); an
 * engine arming a slice takes the device node's i_mmap_rwsem with no vkfd
 * lock held. So is
 * vkfd_busy.lock (a spinlock: a GPU's busy-time samples), taken by the
 * engines between slices, with no lock held, and by sysfs.
 *
 * mmap of /dev/kfd runs under mmap_lock, which is taken under mem_lock:
 * the mmap handlers take neither mem_lock nor queue_lock.
 *
 * Nothing in vkfd takes ctx_lock while holding another vkfd lock, and
 * nothing takes mem_lock while holding fs_lock. Nothing waits for a
 * process's mmap_lock while holding ctx_lock: open() registers its MMU
 * notifier first (vkfd_ctx_open_primary()).
 */
#ifndef _VKFD_PRIV_H_
#define _VKFD_PRIV_H_

#include <linux/bits.h>
#include <linux/cdev.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <linux/vkfd_ioctl.h>

#include "vkfd_compat.h"
#include "vkfd_limits.h"

#define VKFD_NAME_MAX		31

/* Secondary context ids are 0..VKFD_CTX_ID_MAX, below the primary's. */
#define VKFD_CTX_ID_MAX		(VKFD_CTX_ID_PRIMARY - 1)

struct file;
struct vkfd_events;
struct vkfd_gpu;
struct vkfd_queue;
struct vkfd_topology;
struct vkfd_vm;
struct vm_area_struct;

/**
 * struct vkfd_device - the single vkfd instance (one device node)
 * @name: device, class and devnode name (module parameter @name)
 * @devt: device number of the device node
 * @cdev: the character device; added last at load, removed first at unload
 * @class: the device class, /sys/class/<name>
 * @dev: the class device, /sys/devices/virtual/<name>/<name>
 * @gpu_root: /sys/devices/<module name>, parent of the GPUs' devices;
 *	its devres owns the GPUs (vkfd_gpu.c)
 * @num_gpus: number of entries in @gpus
 * @gpus: the virtual GPUs, created at load, destroyed at unload
 * @topology: the topology sysfs tree
 * @proc_kobj: /sys/class/<name>/<name>/proc, parent of the context dirs
 * @wq: runs the deferred release of contexts
 * @debugfs: <debugfs>/vkfd
 * @debugfs_proc: <debugfs>/vkfd/proc, parent of the per-process dirs
 * @ctx_lock: protects @primaries, @contexts and the binding of fds to
 *	contexts (&vkfd_file.ctx)
 * @primaries: primary contexts keyed by mm; holds primaries only, so a
 *	lookup costs O(1) whatever the number of secondary contexts
 * @contexts: every published context, for debugfs
 */
struct vkfd_device {
	const char *name;
	dev_t devt;
	struct cdev cdev;
	struct class *class;
	struct device *dev;
	struct device *gpu_root;
	unsigned int num_gpus;
	struct vkfd_gpu *gpus[VKFD_MAX_GPUS];
	struct vkfd_topology *topology;
	struct kobject *proc_kobj;
	struct workqueue_struct *wq;
	struct dentry *debugfs;
	struct dentry *debugfs_proc;

	struct mutex ctx_lock;	/* protects @primaries, @contexts, fd binding */
	DECLARE_HASHTABLE(primaries, 8);
	struct list_head contexts;
};

struct vkfd_ctx_sysfs;

/**
 * struct vkfd_ctx - a KFD context: one GPU address space per GPU
 * @ref: references: one per fd bound to the context, one held by the MMU
 *	notifier of a primary, one held by each secondary on its primary
 * @vdev: the device; outlives every context (each holds a module reference)
 * @id: %VKFD_CTX_ID_PRIMARY or a secondary id; immutable, read locklessly
 * @mm: the address space the context belongs to. Pinned with mmgrab() for
 *	the context's lifetime so that comparing it with current->mm is
 *	reliable; never used to access memory after release.
 * @lead_thread: group leader of the opening process; pinned with
 *	get_task_struct(); only that process may use the context's fds
 * @pid: tgid of @lead_thread in the initial pid namespace, names proc/<pid>
 * @id_reserved: @id was allocated from the primary's @secondaries and must
 *	be returned, exactly once
 * @primary: of a secondary, its primary; the secondary holds a reference
 *	on it, so it is never re-derived from the mm. NULL for a primary.
 * @mm_node: entry in &vkfd_device.primaries, protected by
 *	&vkfd_device.ctx_lock; unhashed once the address space is gone
 * @node: entry in &vkfd_device.contexts, protected by
 *	&vkfd_device.ctx_lock
 * @mn: MMU notifier of a primary: its release callback tears the primary
 *	down with the address space
 * @secondaries: of a primary: context id -> secondary. Ids are allocated
 *	here, reserved (NULL) until the secondary is published, and erased
 *	under @fs_lock; lookups are O(1) and lockless (the xarray's own lock
 *	serialises updates).
 * @fs_lock: of a primary: protects @sysfs, @debugfs and @fs_dead of the
 *	primary and of all its secondaries, and the removal of entries from
 *	@secondaries
 * @fs_dead: of a primary: its directories are gone with its address
 *	space; no directory is created below them any more
 * @mem_lock: protects @vm, @mem, @nr_mem and the GPU mappings of every
 *	buffer of the context
 * @vm: GPU VM per GPU index, NULL until AMDKFD_IOC_ACQUIRE_VM; set once,
 *	freed when nobody can use the context any more (a primary's when its
 *	address space goes, a secondary's at its destruction). Published
 *	with a release store; readers hold @mem_lock, or use vkfd_ctx_vm()
 *	and know the VM cannot be freed meanwhile (an ioctl or mmap of the
 *	context's owner, a show() of its sysfs directory).
 * @mem: buffer handles: id -> &struct vkfd_mem
 * @nr_mem: number of entries in @mem
 * @queue_lock: protects @queues and serialises changes of the queues.
 *	Each VM's doorbell and MMIO pages are published without it, with
 *	cmpxchg (the mmap handlers may not take it).
 * @queues: queue id -> &struct vkfd_queue, ids 0..VKFD_QUEUES_MAX - 1
 * @events: the context's events and signal page, allocated on first use
 *	(vkfd_event.c); NULL until then, freed by vkfd_event_release().
 *	Published and unpublished under @mem_lock, so that the engines,
 *	which hold it, may use it; ioctls read it with an acquire load.
 * @limits: what the context may hold and holds of each resource; atomic,
 *	no lock (vkfd_limits.h)
 * @sysfs: the context's sysfs directory, NULL if there is none
 * @debugfs: the context's debugfs directory, NULL if there is none
 * @release_work: deferred teardown (the last reference can be dropped in
 *	atomic context, from an SRCU callback)
 * @rcu: the dispatcher looks contexts up under RCU, so they are freed
 *	after a grace period
 */
struct vkfd_ctx {
	struct kref ref;
	struct vkfd_device *vdev;
	u16 id;
	bool id_reserved;
	struct vkfd_ctx *primary;
	struct mm_struct *mm;
	struct task_struct *lead_thread;
	pid_t pid;
	struct hlist_node mm_node;
	struct list_head node;
	struct mmu_notifier mn;
	struct xarray secondaries;
	struct mutex fs_lock;	/* of a primary: protects the family's fs handles */
	bool fs_dead;
	struct mutex mem_lock;	/* protects @vm, @mem, @nr_mem, GPU mappings */
	struct vkfd_vm *vm[VKFD_MAX_GPUS];
	struct xarray mem;
	unsigned int nr_mem;
	struct mutex queue_lock;	/* @queues; serialises queue changes */
	struct xarray queues;
	struct vkfd_events *events;
	struct vkfd_limits limits;
	struct vkfd_ctx_sysfs *sysfs;
	struct dentry *debugfs;
	struct work_struct release_work;
	struct rcu_head rcu;
};

/* /dev/kfd mmap offsets, as amdkfd's (kfd_priv.h) */
#define VKFD_MMAP_TYPE_SHIFT	62
#define VKFD_MMAP_TYPE_MASK	(0x3ULL << VKFD_MMAP_TYPE_SHIFT)
#define VKFD_MMAP_TYPE_DOORBELL	(0x3ULL << VKFD_MMAP_TYPE_SHIFT)
#define VKFD_MMAP_TYPE_EVENTS	(0x2ULL << VKFD_MMAP_TYPE_SHIFT)
#define VKFD_MMAP_TYPE_MMIO	(0x0ULL << VKFD_MMAP_TYPE_SHIFT)
#define VKFD_MMAP_GPU_ID_SHIFT	46
#define VKFD_MMAP_GPU_ID_MASK	GENMASK_ULL(61, VKFD_MMAP_GPU_ID_SHIFT)
#define VKFD_MMAP_GPU_ID(gpu_id) \
	(((u64)(gpu_id) << VKFD_MMAP_GPU_ID_SHIFT) & VKFD_MMAP_GPU_ID_MASK)

/**
 * struct vkfd_file - per open file state
 * @ctx: the context the fd is bound to. Written only under
 *	&vkfd_device.ctx_lock, read under RCU; the fd owns one reference
 *	on the context it points to.
 * @converting: a CREATE_PROCESS has built a secondary for this fd and is
 *	writing its reply: no other conversion of the fd may start. Under
 *	&vkfd_device.ctx_lock.
 */
struct vkfd_file {
	struct vkfd_ctx __rcu *ctx;
	bool converting;
};

/**
 * struct vkfd_create_ops - an ioctl that creates an object, in two phases
 *	(vkfd_ioctl.c, "object lifecycle")
 * @build: check the argument in @data, reserve an id no lookup can see,
 *	build the object and write the reply into @data. Returns the object,
 *	or an ERR_PTR() with nothing changed. Process context, no vkfd lock
 *	held.
 * @publish: the reply reached the caller: make @obj visible under its id.
 *	Cannot fail. Process context, no vkfd lock held.
 * @abort: the reply could not be written: undo @build, free @obj and
 *	release its id. Process context, no vkfd lock held.
 *
 * @vfile and @ctx are those the dispatcher passed to @build.
 */
struct vkfd_create_ops {
	void *(*build)(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
		       void *data);
	void (*publish)(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			void *obj);
	void (*abort)(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
		      void *obj);
};

static inline bool vkfd_ctx_is_primary(const struct vkfd_ctx *ctx)
{
	return ctx->id == VKFD_CTX_ID_PRIMARY;
}

/**
 * vkfd_ctx_owned_by_current() - may the calling process use @ctx?
 * @ctx: the context an fd is bound to
 *
 * Only the process that created a context may use it: not a fork child
 * that inherited the fd, not a process that received it over a unix
 * socket, and not the same process after exec() (new address space).
 * Inline: the ioctl dispatcher asks on every call.
 *
 * Context: Process context.
 * Return: true if the caller belongs to the creating process and still
 * runs in the address space the context was created for.
 */
static inline bool vkfd_ctx_owned_by_current(const struct vkfd_ctx *ctx)
{
	return ctx->lead_thread == current->group_leader &&
	       ctx->mm == current->mm;
}

/*
 * The VM of @ctx on GPU @i, NULL if it has none, for a reader that does
 * not hold &vkfd_ctx.mem_lock: pairs with the release store that
 * publishes the VM, so that its fields are seen initialised.
 */
static inline struct vkfd_vm *vkfd_ctx_vm(const struct vkfd_ctx *ctx,
					  unsigned int i)
{
	/* Pairs with smp_store_release() in vkfd_acquire_vm_ioctl(). */
	return smp_load_acquire(&ctx->vm[i]);
}

/* The primary of @ctx's family: @ctx itself, or the primary it holds. */
static inline struct vkfd_ctx *vkfd_ctx_family(struct vkfd_ctx *ctx)
{
	return ctx->primary ?: ctx;
}

/* vkfd_ioctl.c */
struct vkfd_ctx *vkfd_file_ctx(struct vkfd_file *vfile);

/* vkfd_mmap.c */
int vkfd_mmap(struct file *filp, struct vm_area_struct *vma);

/* vkfd_ctx.c */
struct vkfd_ctx *vkfd_ctx_open_primary(struct vkfd_device *vdev);
struct vkfd_ctx *vkfd_ctx_build_secondary(struct vkfd_file *vfile,
					  struct vkfd_ctx *primary);
void vkfd_ctx_publish_secondary(struct vkfd_file *vfile, struct vkfd_ctx *ctx);
void vkfd_ctx_abort_secondary(struct vkfd_file *vfile, struct vkfd_ctx *ctx);
struct vkfd_ctx *vkfd_ctx_lookup_secondary(struct vkfd_ctx *primary, u16 id);
void vkfd_ctx_put(struct vkfd_ctx *ctx);
void vkfd_ctx_table_init(struct vkfd_device *vdev);
void vkfd_ctx_table_fini(struct vkfd_device *vdev);
int vkfd_ctx_cache_init(void);
void vkfd_ctx_cache_fini(void);

/* vkfd_ctx_ioctl.c */
extern const struct vkfd_create_ops vkfd_ctx_create_ops;
int vkfd_ctx_info_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			void *data);
int vkfd_svm_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx, void *data);
int vkfd_set_xnack_mode_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			      void *data);

/* vkfd_ctx_sysfs.c */
void vkfd_ctx_sysfs_init(struct vkfd_device *vdev);
int vkfd_ctx_sysfs_add(struct vkfd_ctx *ctx);
void vkfd_ctx_sysfs_remove(struct vkfd_ctx *ctx);
void vkfd_ctx_sysfs_vm_add(struct vkfd_vm *vm);
int vkfd_ctx_sysfs_queue_add(struct vkfd_queue *q);
void vkfd_ctx_sysfs_queue_remove(struct vkfd_queue *q);

/* vkfd_debugfs.c */
void vkfd_debugfs_init(struct vkfd_device *vdev);
void vkfd_debugfs_fini(struct vkfd_device *vdev);
void vkfd_debugfs_ctx_add(struct vkfd_ctx *ctx);
void vkfd_debugfs_ctx_remove(struct vkfd_ctx *ctx);
void vkfd_debugfs_vm_add(struct vkfd_vm *vm);

/* vkfd_ioctl.c */
long vkfd_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);

/* vkfd_topology.c */
int vkfd_topology_init(struct vkfd_device *vdev);
void vkfd_topology_fini(struct vkfd_device *vdev);

#endif /* _VKFD_PRIV_H_ */
