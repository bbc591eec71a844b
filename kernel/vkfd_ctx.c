// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - contexts and their lifetime.
 *
 * DOC: contexts
 *
 * A context is what an fd of vkfd is bound to: per GPU, a GPU address space
 * with its own PASID. The first open() of a process creates its *primary*
 * context; every later open() in the same process (same mm) binds the new
 * fd to the same primary.
 *
 * The primary lives as long as the address space: an MMU notifier's
 * release callback, run when the mm is torn down, unpublishes the primary
 * and removes its sysfs directory. Closing fds only drops references.
 *
 * References on a context (&vkfd_ctx.ref):
 *
 * - one per fd bound to it (&vkfd_file.ctx);
 * - one held by the MMU notifier of a primary, from registration until the
 *   notifier's free callback (after an SRCU grace period);
 * - a short one taken by the ioctl dispatcher for the duration of a call.
 *
 * The last put queues the teardown on &vkfd_device.wq, because it can
 * happen in atomic context (the notifier's free callback).
 *
 * vkfd cannot be unloaded while a context exists: an open fd holds the
 * module (file_operations.owner), and a live primary holds a module
 * reference from its publication until its address space is torn down,
 * so that unloading is refused even after a process closed all its fds.
 * What is left after that (the notifier's free callback, the release
 * work) the module's exit path waits for.
 */
#include <linux/hash.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "vkfd_priv.h"

static const struct mmu_notifier_ops vkfd_primary_mn_ops;

/* Free everything a context owns; the context must be unreachable. */
static void vkfd_ctx_destroy(struct vkfd_ctx *ctx)
{
	unsigned int i;

	vkfd_ctx_sysfs_remove(ctx);
	for (i = 0; i < ctx->vdev->num_gpus; i++)
		vkfd_pasid_free(ctx->pasid[i]);
	put_task_struct(ctx->lead_thread);
	mmdrop(ctx->mm);
	/* The ioctl dispatcher may still be looking at it under RCU. */
	kfree_rcu(ctx, rcu);
}

static void vkfd_ctx_release_work(struct work_struct *work)
{
	struct vkfd_ctx *ctx = container_of(work, struct vkfd_ctx,
					    release_work);

	vkfd_ctx_destroy(ctx);
}

static void vkfd_ctx_release(struct kref *ref)
{
	struct vkfd_ctx *ctx = container_of(ref, struct vkfd_ctx, ref);

	queue_work(ctx->vdev->wq, &ctx->release_work);
}

/**
 * vkfd_ctx_get() - take a reference on a context
 * @ctx: a context the caller already holds a reference on
 *
 * Context: Any context.
 */
void vkfd_ctx_get(struct vkfd_ctx *ctx)
{
	kref_get(&ctx->ref);
}

/**
 * vkfd_ctx_put() - drop a reference on a context
 * @ctx: the context
 *
 * The last reference queues the teardown; it does not run here.
 *
 * Context: Any context.
 */
void vkfd_ctx_put(struct vkfd_ctx *ctx)
{
	kref_put(&ctx->ref, vkfd_ctx_release);
}

/**
 * vkfd_ctx_owned_by_current() - may the calling process use @ctx?
 * @ctx: the context an fd is bound to
 *
 * Only the process that created a context may use it: not a fork child
 * that inherited the fd, not a process that received it over a unix
 * socket, and not the same process after exec() (new address space).
 *
 * Context: Process context.
 * Return: true if the caller belongs to the creating process and still
 * runs in the address space the context was created for.
 */
bool vkfd_ctx_owned_by_current(const struct vkfd_ctx *ctx)
{
	return ctx->lead_thread == current->group_leader &&
	       ctx->mm == current->mm;
}

/* Allocate a context for the calling process, unpublished. */
static struct vkfd_ctx *vkfd_ctx_alloc(struct vkfd_device *vdev, u16 id)
{
	struct vkfd_ctx *ctx;
	unsigned int i;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return ERR_PTR(-ENOMEM);

	kref_init(&ctx->ref);
	ctx->vdev = vdev;
	ctx->id = id;
	ctx->mm = current->mm;
	mmgrab(ctx->mm);
	ctx->lead_thread = current->group_leader;
	get_task_struct(ctx->lead_thread);
	ctx->pid = task_tgid_nr(current);
	INIT_HLIST_NODE(&ctx->mm_node);
	INIT_WORK(&ctx->release_work, vkfd_ctx_release_work);

	/*
	 * PASIDs are allocated eagerly, one per GPU: every context has its
	 * GPU address spaces from the start.
	 */
	for (i = 0; i < vdev->num_gpus; i++) {
		ret = vkfd_pasid_alloc(&ctx->pasid[i]);
		if (ret)
			goto err_destroy;
	}

	return ctx;

err_destroy:
	vkfd_ctx_destroy(ctx);
	return ERR_PTR(ret);
}

/* Make the context's PASIDs resolve to it. */
static void vkfd_ctx_publish_pasids(struct vkfd_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->vdev->num_gpus; i++)
		vkfd_pasid_publish(ctx->pasid[i], ctx);
}

static void vkfd_ctx_unpublish_pasids(struct vkfd_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->vdev->num_gpus; i++)
		vkfd_pasid_unpublish(ctx->pasid[i]);
}

static struct vkfd_ctx *
vkfd_ctx_find_primary_locked(struct vkfd_device *vdev, struct mm_struct *mm)
{
	struct vkfd_ctx *ctx;

	lockdep_assert_held(&vdev->ctx_lock);

	hash_for_each_possible(vdev->primaries, ctx, mm_node, (unsigned long)mm)
		if (ctx->mm == mm)
			return ctx;
	return NULL;
}

/**
 * vkfd_ctx_open_primary() - the primary context of the calling process
 * @vdev: the device
 *
 * Returns the process's primary context, creating it on the first call:
 * the first open() of /dev/kfd in a process creates the primary, later
 * ones share it.
 *
 * Context: Process context; takes &vkfd_device.ctx_lock and the mmap lock.
 * Return: the primary with a new reference for the caller (the fd), or
 * -EINVAL if the caller has no address space of its own (a kernel thread,
 * or a CLONE_VM task outside the thread group), -ENOSPC if no PASID is
 * left, -ENOMEM.
 */
struct vkfd_ctx *vkfd_ctx_open_primary(struct vkfd_device *vdev)
{
	struct mm_struct *mm = current->mm;
	struct vkfd_ctx *ctx;
	int ret;

	if (!mm || mm != current->group_leader->mm)
		return ERR_PTR(-EINVAL);

	mutex_lock(&vdev->ctx_lock);
	ctx = vkfd_ctx_find_primary_locked(vdev, mm);
	if (ctx) {
		/* Hashed primaries hold the notifier's reference: not zero. */
		vkfd_ctx_get(ctx);
		goto out_unlock;
	}

	ctx = vkfd_ctx_alloc(vdev, VKFD_CTX_ID_PRIMARY);
	if (IS_ERR(ctx))
		goto out_unlock;

	ctx->mn.ops = &vkfd_primary_mn_ops;
	ret = mmu_notifier_register(&ctx->mn, mm);
	if (ret)
		goto err_put;
	/* The notifier's reference, dropped by vkfd_primary_mn_free(). */
	vkfd_ctx_get(ctx);

	ret = vkfd_ctx_sysfs_add(ctx);
	if (ret)
		goto err_notifier_put;

	hash_add(vdev->primaries, &ctx->mm_node, (unsigned long)mm);
	vkfd_ctx_publish_pasids(ctx);
	/*
	 * A live primary keeps the module; dropped in
	 * vkfd_primary_mm_release(). The caller holds the module through
	 * its open file meanwhile.
	 */
	__module_get(THIS_MODULE);
out_unlock:
	mutex_unlock(&vdev->ctx_lock);
	return ctx;

err_notifier_put:
	/* Never published: no release callback can have run. */
	mmu_notifier_put(&ctx->mn);
err_put:
	mutex_unlock(&vdev->ctx_lock);
	vkfd_ctx_put(ctx);
	return ERR_PTR(ret);
}

/*
 * The address space of a primary is going away (process exit or exec):
 * unpublish the primary so that no new open() finds it, and remove it from
 * sysfs now rather than when its last fd is closed. Fds that still refer
 * to it (inherited, passed to another process) keep it allocated but
 * cannot use it, see vkfd_ctx_owned_by_current().
 */
static void vkfd_primary_mm_release(struct mmu_notifier *mn,
				    struct mm_struct *mm)
{
	struct vkfd_ctx *ctx = container_of(mn, struct vkfd_ctx, mn);
	struct vkfd_device *vdev = ctx->vdev;

	mutex_lock(&vdev->ctx_lock);
	hash_del(&ctx->mm_node);
	mutex_unlock(&vdev->ctx_lock);

	vkfd_ctx_unpublish_pasids(ctx);
	vkfd_ctx_sysfs_remove(ctx);
	/* Allowed from the release callback; frees after a grace period. */
	mmu_notifier_put(&ctx->mn);
	/*
	 * The process may be gone now: unloading is allowed once this
	 * returns. Module exit runs mmu_notifier_synchronize(), which waits
	 * for the callback queued just above, which cannot run before this
	 * SRCU read-side section, the release callback, has returned.
	 */
	module_put(THIS_MODULE);
}

/* Called from an SRCU callback, in atomic context. */
static void vkfd_primary_mn_free(struct mmu_notifier *mn)
{
	vkfd_ctx_put(container_of(mn, struct vkfd_ctx, mn));
}

static const struct mmu_notifier_ops vkfd_primary_mn_ops = {
	.release = vkfd_primary_mm_release,
	.free_notifier = vkfd_primary_mn_free,
};

/**
 * vkfd_ctx_table_init() - set up the context bookkeeping of @vdev
 * @vdev: the device
 *
 * Context: Process context, module load.
 */
void vkfd_ctx_table_init(struct vkfd_device *vdev)
{
	mutex_init(&vdev->ctx_lock);
	hash_init(vdev->primaries);
}

/**
 * vkfd_ctx_table_fini() - wait for the last contexts to be torn down
 * @vdev: the device
 *
 * No fd is open and no primary is live any more (both hold the module);
 * this waits for the notifier callbacks and release work still in flight,
 * which free what is left.
 *
 * Context: Process context, module unload.
 */
void vkfd_ctx_table_fini(struct vkfd_device *vdev)
{
	mmu_notifier_synchronize();
	flush_workqueue(vdev->wq);
	WARN_ON(!hash_empty(vdev->primaries));
	mutex_destroy(&vdev->ctx_lock);
}
