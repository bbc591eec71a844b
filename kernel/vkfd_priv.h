/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vkfd - private definitions shared by the files of the module.
 *
 * Lock order (outermost first):
 *
 *   vkfd_device.ctx_lock -> vkfd_ctx.fs_lock (of a primary)
 *   vkfd_device.ctx_lock -> mm->mmap_lock (taken by mmu_notifier_register())
 *
 * Nothing in vkfd takes ctx_lock while holding another vkfd lock.
 */
#ifndef _VKFD_PRIV_H_
#define _VKFD_PRIV_H_

#include <linux/cdev.h>
#include <linux/hashtable.h>
#include <linux/kobject.h>
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

#include "vkfd_topology.h"

#define VKFD_NAME_MAX		31

/* Secondary context ids are 0..VKFD_CTX_ID_MAX, below the primary's. */
#define VKFD_CTX_ID_MAX		(VKFD_CTX_ID_PRIMARY - 1)

struct vkfd_topology;

/**
 * struct vkfd_gpu - one virtual GPU
 * @index: position in &vkfd_device.gpus; topology node @index + 1
 * @gpu_id: the KFD gpu_id userspace names this GPU with; non-zero, unique
 * @vram_size: VRAM budget in bytes
 *
 * Immutable after module load.
 */
struct vkfd_gpu {
	unsigned int index;
	u32 gpu_id;
	u64 vram_size;
};

/**
 * struct vkfd_device - the single vkfd instance (one device node)
 * @name: device, class and devnode name (module parameter @name)
 * @devt: device number of the device node
 * @cdev: the character device; added last at load, removed first at unload
 * @class: the device class, /sys/class/<name>
 * @dev: the class device, /sys/devices/virtual/<name>/<name>
 * @num_gpus: number of entries in @gpus
 * @gpus: the virtual GPUs, immutable after load
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
	unsigned int num_gpus;
	struct vkfd_gpu gpus[VKFD_MAX_GPUS];
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
 * @pasid: one PASID per GPU, allocated at creation
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
	u32 pasid[VKFD_MAX_GPUS];
	struct vkfd_ctx_sysfs *sysfs;
	struct dentry *debugfs;
	struct work_struct release_work;
	struct rcu_head rcu;
};

/**
 * struct vkfd_file - per open file state
 * @ctx: the context the fd is bound to. Written only under
 *	&vkfd_device.ctx_lock, read under RCU; the fd owns one reference
 *	on the context it points to.
 */
struct vkfd_file {
	struct vkfd_ctx __rcu *ctx;
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

/* The primary of @ctx's family: @ctx itself, or the primary it holds. */
static inline struct vkfd_ctx *vkfd_ctx_family(struct vkfd_ctx *ctx)
{
	return ctx->primary ?: ctx;
}

/* vkfd_ctx.c */
struct vkfd_ctx *vkfd_ctx_open_primary(struct vkfd_device *vdev);
int vkfd_ctx_create_secondary(struct vkfd_file *vfile,
			      struct vkfd_ctx *primary);
struct vkfd_ctx *vkfd_ctx_lookup_secondary(struct vkfd_ctx *primary, u16 id);
void vkfd_ctx_put(struct vkfd_ctx *ctx);
void vkfd_ctx_table_init(struct vkfd_device *vdev);
void vkfd_ctx_table_fini(struct vkfd_device *vdev);
int vkfd_ctx_cache_init(void);
void vkfd_ctx_cache_fini(void);

/* vkfd_ctx_ioctl.c */
int vkfd_create_process_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			      void *data);
int vkfd_ctx_info_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			void *data);

/* vkfd_ctx_sysfs.c */
int vkfd_ctx_sysfs_add(struct vkfd_ctx *ctx);
void vkfd_ctx_sysfs_remove(struct vkfd_ctx *ctx);

/* vkfd_debugfs.c */
void vkfd_debugfs_init(struct vkfd_device *vdev);
void vkfd_debugfs_fini(struct vkfd_device *vdev);
void vkfd_debugfs_ctx_add(struct vkfd_ctx *ctx);
void vkfd_debugfs_ctx_remove(struct vkfd_ctx *ctx);

/* vkfd_pasid.c */
int vkfd_pasid_alloc(u32 *pasid);
void vkfd_pasid_publish(u32 pasid, void *owner);
void vkfd_pasid_unpublish(u32 pasid);
void vkfd_pasid_free(u32 pasid);
void *vkfd_pasid_lookup(u32 pasid);
void vkfd_pasid_fini(void);

/* vkfd_ioctl.c */
long vkfd_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);

/* vkfd_query.c: ioctl handlers that report device and context properties */
int vkfd_get_version_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			   void *data);
int vkfd_get_clock_counters_ioctl(struct vkfd_file *vfile,
				  struct vkfd_ctx *ctx, void *data);
int vkfd_get_apertures_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			     void *data);
int vkfd_get_apertures_new_ioctl(struct vkfd_file *vfile,
				 struct vkfd_ctx *ctx, void *data);
int vkfd_set_xnack_mode_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx,
			      void *data);

/* vkfd_topology.c */
int vkfd_topology_init(struct vkfd_device *vdev);
void vkfd_topology_fini(struct vkfd_device *vdev);
const struct vkfd_gpu *vkfd_gpu_by_id(const struct vkfd_device *vdev,
				      u32 gpu_id);

#endif /* _VKFD_PRIV_H_ */
