// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - contexts and their lifetime.
 */

/**
 * DOC: contexts
 *
 * A context is what an fd of vkfd is bound to: per GPU, a GPU address space
 * (VM) with its own PASID, made by AMDKFD_IOC_ACQUIRE_VM (vkfd_vm.c), and
 * the buffers mapped there (vkfd_mem.c).
 *
 * The first open() of a process creates its *primary* context (id 0xffff);
 * every later open() in the same process (same mm) binds the new fd to the
 * same primary. The primary lives as long as the address space: an MMU
 * notifier's release callback, run when the mm is torn down (exit, exec),
 * unpublishes it and removes its directories. Closing fds only drops
 * references.
 *
 * AMDKFD_IOC_CREATE_PROCESS on an fd bound to a primary creates a
 * *secondary* context and rebinds that fd to it, once the reply has been
 * written (vkfd_ioctl.c, "object lifecycle"): until then the fd stays
 * bound to the primary, and a failed reply leaves it so. A secondary gets an id
 * (0..0xfffe) from its primary, holds a reference on its primary, and dies
 * with the last close of its fd.
 *
 * References on a context (&vkfd_ctx.ref):
 *
 * - one per fd bound to it (&vkfd_file.ctx);
 * - one held by the MMU notifier of a primary, from registration until the
 *   notifier's free callback (after an SRCU grace period);
 * - one held by each secondary on its primary.
 *
 * The ioctl dispatcher takes none: see vkfd_file_ctx().
 *
 * The last put tears the context down at once, so that closing the last
 * fd of a secondary has removed its directories and freed its id by the
 * time close() returns; only the notifier's free callback, which runs in
 * atomic context, defers the teardown to &vkfd_device.wq.
 *
 * vkfd cannot be unloaded while a context exists: an open fd holds the
 * module (file_operations.owner) - every secondary is bound to one - and
 * a live primary holds a module reference from its publication until its
 * address space is torn down, so that unloading is refused even after a
 * process closed all its fds. What is left after that (the notifier's
 * free callback, the release work) the module's exit path waits for.
 */
#include <kunit/visibility.h>
#include <linux/hash.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "vkfd_event.h"
#include "vkfd_mem.h"
#include "vkfd_priv.h"
#include "vkfd_queue.h"
#include "vkfd_vm.h"

static const struct mmu_notifier_ops vkfd_primary_mn_ops;

/*
 * Contexts come from their own cache: a process may hold tens of
 * thousands, and a kmalloc bucket would round each up to 512 bytes.
 */
static struct kmem_cache *vkfd_ctx_cache;

/*
 * Stop the queues, free the events, the buffers, then the VMs of a
 * context nobody can use any more:
 * a primary whose address space is gone, or a context being destroyed.
 * Idempotent.
 */
static void vkfd_ctx_mem_release(struct vkfd_ctx *ctx)
{
	unsigned int i;

	/* The engines first: they read the buffers and signal events. */
	vkfd_queue_release(ctx);
	vkfd_event_release(ctx);

	mutex_lock(&ctx->mem_lock);
	vkfd_mem_release_locked(ctx);
	for (i = 0; i < ctx->vdev->num_gpus; i++) {
		if (ctx->vm[i]) {
			vkfd_vm_destroy(ctx->vm[i]);
			WRITE_ONCE(ctx->vm[i], NULL);
		}
	}
	mutex_unlock(&ctx->mem_lock);
}

/* Create the sysfs and debugfs directories of a context. */
static int vkfd_ctx_fs_add(struct vkfd_ctx *ctx)
{
	struct vkfd_ctx *family = vkfd_ctx_family(ctx);
	int ret = 0;

	mutex_lock(&family->fs_lock);
	/* Nothing below the directories of a primary that is gone. */
	if (!family->fs_dead) {
		ret = vkfd_ctx_sysfs_add(ctx);
		if (!ret)
			vkfd_debugfs_ctx_add(ctx);
	}
	mutex_unlock(&family->fs_lock);
	return ret;
}

/*
 * Remove the directories of a context, then return its id: both under
 * the family's fs_lock, so that vkfd_ctx_fs_remove_family() never sees a
 * secondary that is being freed, and so that no new context_<id> can
 * appear before the old one is gone.
 */
static void vkfd_ctx_unlink(struct vkfd_ctx *ctx)
{
	struct vkfd_ctx *family = vkfd_ctx_family(ctx);

	mutex_lock(&family->fs_lock);
	vkfd_debugfs_ctx_remove(ctx);
	vkfd_ctx_sysfs_remove(ctx);
	if (ctx->id_reserved)
		xa_erase(&family->secondaries, ctx->id);
	mutex_unlock(&family->fs_lock);
}

/*
 * The primary's address space is gone: remove the directories of the
 * whole family, children first, by object rather than by name, and let
 * no new ones appear. Secondaries that live on (their fds are held
 * elsewhere) stay allocated but invisible until their last close.
 */
static void vkfd_ctx_fs_remove_family(struct vkfd_ctx *primary)
{
	struct vkfd_ctx *sec;
	unsigned long id;

	mutex_lock(&primary->fs_lock);
	primary->fs_dead = true;
	/*
	 * A secondary leaves @secondaries under @fs_lock (vkfd_ctx_unlink()),
	 * and is freed only after that: every entry seen here is valid.
	 */
	xa_for_each(&primary->secondaries, id, sec) {
		vkfd_debugfs_ctx_remove(sec);
		vkfd_ctx_sysfs_remove(sec);
	}
	vkfd_debugfs_ctx_remove(primary);
	vkfd_ctx_sysfs_remove(primary);
	mutex_unlock(&primary->fs_lock);
}

static void vkfd_ctx_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(vkfd_ctx_cache, container_of(head, struct vkfd_ctx,
						     rcu));
}

/* Free everything a context owns; the context must be unreachable. */
static void vkfd_ctx_destroy(struct vkfd_ctx *ctx)
{
	struct vkfd_device *vdev = ctx->vdev;

	mutex_lock(&vdev->ctx_lock);
	list_del_init(&ctx->node);
	mutex_unlock(&vdev->ctx_lock);

	vkfd_ctx_unlink(ctx);
	vkfd_ctx_mem_release(ctx);
	vkfd_limits_fini(&ctx->limits);
	xa_destroy(&ctx->mem);
	mutex_destroy(&ctx->mem_lock);
	xa_destroy(&ctx->queues);
	mutex_destroy(&ctx->queue_lock);

	if (ctx->primary) {
		vkfd_ctx_put(ctx->primary);
	} else {
		/* Every secondary holds a reference on its primary. */
		WARN_ON(!xa_empty(&ctx->secondaries));
		xa_destroy(&ctx->secondaries);
		mutex_destroy(&ctx->fs_lock);
	}
	put_task_struct(ctx->lead_thread);
	mmdrop(ctx->mm);
	/*
	 * The ioctl dispatcher may still be looking at it under RCU. Not
	 * kfree_rcu(): its batches are not flushed by rcu_barrier() on 6.1,
	 * and module exit must know every context is freed.
	 */
	call_rcu(&ctx->rcu, vkfd_ctx_free_rcu);
}

static void vkfd_ctx_release_work(struct work_struct *work)
{
	vkfd_ctx_destroy(container_of(work, struct vkfd_ctx, release_work));
}

static void vkfd_ctx_release(struct kref *ref)
{
	vkfd_ctx_destroy(container_of(ref, struct vkfd_ctx, ref));
}

static void vkfd_ctx_release_deferred(struct kref *ref)
{
	struct vkfd_ctx *ctx = container_of(ref, struct vkfd_ctx, ref);

	queue_work(ctx->vdev->wq, &ctx->release_work);
}

/* Take a reference on a context the caller already holds one on. */
static void vkfd_ctx_get(struct vkfd_ctx *ctx)
{
	kref_get(&ctx->ref);
}

/**
 * vkfd_ctx_put() - drop a reference on a context
 * @ctx: the context
 *
 * The last reference tears the context down before returning.
 *
 * Context: Process context; no vkfd lock held.
 */
void vkfd_ctx_put(struct vkfd_ctx *ctx)
{
	might_sleep();
	kref_put(&ctx->ref, vkfd_ctx_release);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_ctx_put);

/* From atomic context: the teardown of a last reference is deferred. */
static void vkfd_ctx_put_deferred(struct vkfd_ctx *ctx)
{
	kref_put(&ctx->ref, vkfd_ctx_release_deferred);
}

/*
 * Allocate a context for the calling process, unpublished: a primary if
 * @primary is NULL, else a secondary of @primary with a new id.
 */
static struct vkfd_ctx *vkfd_ctx_alloc(struct vkfd_device *vdev,
				       struct vkfd_ctx *primary)
{
	struct vkfd_ctx *ctx;
	u32 id;
	int ret;

	ctx = kmem_cache_zalloc(vkfd_ctx_cache, GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return ERR_PTR(-ENOMEM);

	/* Everything vkfd_ctx_destroy() looks at, before any failure. */
	kref_init(&ctx->ref);
	ctx->vdev = vdev;
	ctx->id = VKFD_CTX_ID_PRIMARY;
	ctx->mm = current->mm;
	mmgrab(ctx->mm);
	ctx->lead_thread = current->group_leader;
	get_task_struct(ctx->lead_thread);
	ctx->pid = task_tgid_nr(current);
	INIT_HLIST_NODE(&ctx->mm_node);
	INIT_LIST_HEAD(&ctx->node);
	INIT_WORK(&ctx->release_work, vkfd_ctx_release_work);
	mutex_init(&ctx->mem_lock);
	xa_init_flags(&ctx->mem, XA_FLAGS_ALLOC);
	mutex_init(&ctx->queue_lock);
	xa_init_flags(&ctx->queues, XA_FLAGS_ALLOC);
	vkfd_limits_init(&ctx->limits);
	if (!primary) {
		xa_init_flags(&ctx->secondaries, XA_FLAGS_ALLOC);
		mutex_init(&ctx->fs_lock);
	} else {
		vkfd_ctx_get(primary);
		ctx->primary = primary;
		/* Reserved, not yet visible: the entry stays NULL. */
		ret = xa_alloc(&primary->secondaries, &id, NULL,
			       XA_LIMIT(0, VKFD_CTX_ID_MAX),
			       GFP_KERNEL_ACCOUNT);
		if (ret) {
			ret = ret == -EBUSY ? -ENOSPC : ret;
			goto err_destroy;
		}
		ctx->id = id;
		ctx->id_reserved = true;
	}
	/* No VM and no PASID yet: AMDKFD_IOC_ACQUIRE_VM makes them. */
	return ctx;

err_destroy:
	vkfd_ctx_destroy(ctx);
	return ERR_PTR(ret);
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

/* Make a built context visible: lookups and the debugfs listing. */
static void vkfd_ctx_publish_locked(struct vkfd_ctx *ctx)
{
	struct vkfd_device *vdev = ctx->vdev;

	lockdep_assert_held(&vdev->ctx_lock);

	if (ctx->primary)
		xa_store(&ctx->primary->secondaries, ctx->id, ctx, GFP_KERNEL);
	else
		hash_add(vdev->primaries, &ctx->mm_node, (unsigned long)ctx->mm);
	list_add_tail(&ctx->node, &vdev->contexts);
}

/*
 * May the calling task open a primary for its address space? Not a
 * kernel thread without one, and not a vfork() child, which borrows its
 * parent's address space until it execs or exits: the primary of an
 * address space belongs to the process that owns it. Any thread of that
 * process may open, also once the thread-group leader has exited. A
 * kernel thread's vfork_done is its exit completion, not a vfork(): one
 * that borrows an address space (kthread_use_mm()) may open.
 */
static bool vkfd_ctx_may_open(struct mm_struct *mm)
{
	return mm && (!current->vfork_done || (current->flags & PF_KTHREAD));
}

/*
 * The published primary of @mm, referenced for the caller; NULL if there
 * is none, -EINVAL if it belongs to another process sharing @mm
 * (clone(CLONE_VM) without CLONE_THREAD): the first process to open owns
 * it, and only that process could use it.
 */
static struct vkfd_ctx *vkfd_ctx_get_primary_locked(struct vkfd_device *vdev,
						    struct mm_struct *mm)
{
	struct vkfd_ctx *ctx;

	lockdep_assert_held(&vdev->ctx_lock);

	ctx = vkfd_ctx_find_primary_locked(vdev, mm);
	if (!ctx)
		return NULL;
	if (ctx->lead_thread != current->group_leader)
		return ERR_PTR(-EINVAL);
	/* Hashed primaries hold the notifier's reference: not zero. */
	vkfd_ctx_get(ctx);
	return ctx;
}

/**
 * vkfd_ctx_open_primary() - the primary context of the calling process
 * @vdev: the device
 *
 * Returns the process's primary context, creating it on the first call:
 * the first open() of /dev/kfd in a process creates the primary, later
 * ones share it.
 *
 * The MMU notifier is registered before &vkfd_device.ctx_lock is taken:
 * registering takes the process's mmap lock for writing, which another
 * thread of the process may hold for a long time (a page fault served by
 * user space), and every other process's open and close needs ctx_lock.
 * Of two threads that open at once, both may build a primary; the first
 * to publish wins and the other drops its own.
 *
 * Context: Process context; takes the mmap lock, then
 * &vkfd_device.ctx_lock.
 * Return: the primary with a new reference for the caller (the fd), or
 * -EINVAL if the caller has no address space of its own (a kernel thread,
 * a vfork() child), or shares it with another process that opened first;
 * -ENOMEM.
 */
struct vkfd_ctx *vkfd_ctx_open_primary(struct vkfd_device *vdev)
{
	struct mm_struct *mm = current->mm;
	struct vkfd_ctx *ctx, *found;
	int ret;

	if (!vkfd_ctx_may_open(mm))
		return ERR_PTR(-EINVAL);

	mutex_lock(&vdev->ctx_lock);
	found = vkfd_ctx_get_primary_locked(vdev, mm);
	mutex_unlock(&vdev->ctx_lock);
	if (found)
		return found;

	ctx = vkfd_ctx_alloc(vdev, NULL);
	if (IS_ERR(ctx))
		return ctx;

	/* Outside ctx_lock: takes the mmap lock. */
	ctx->mn.ops = &vkfd_primary_mn_ops;
	ret = mmu_notifier_register(&ctx->mn, mm);
	if (ret)
		goto err_put;
	/* The notifier's reference, dropped by vkfd_primary_mn_free(). */
	vkfd_ctx_get(ctx);

	mutex_lock(&vdev->ctx_lock);
	/* Another thread of the process published one meanwhile. */
	found = vkfd_ctx_get_primary_locked(vdev, mm);
	if (found) {
		ret = 0;
		goto err_notifier_put;
	}
	ret = vkfd_ctx_fs_add(ctx);
	if (ret)
		goto err_notifier_put;

	vkfd_ctx_publish_locked(ctx);
	/*
	 * A live primary keeps the module; dropped in
	 * vkfd_primary_mm_release(). The caller holds the module through
	 * its open file meanwhile.
	 */
	__module_get(THIS_MODULE);
	mutex_unlock(&vdev->ctx_lock);
	return ctx;

err_notifier_put:
	mutex_unlock(&vdev->ctx_lock);
	/*
	 * Never published: no release callback can have run, since the
	 * caller's own use of the mm keeps it alive.
	 */
	mmu_notifier_put(&ctx->mn);
err_put:
	vkfd_ctx_put(ctx);
	return found ?: ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_ctx_open_primary);

/**
 * vkfd_ctx_build_secondary() - build a secondary for an fd of a primary
 * @vfile: the fd, bound to @primary when the caller looked
 * @primary: the caller's primary, alive for the call
 *
 * Builds a secondary context completely (a reserved id, directories),
 * then, under &vkfd_device.ctx_lock, checks that @vfile is still bound to
 * @primary and that no other conversion of it is in progress, and claims
 * the fd: of several threads converting one fd, exactly one gets this
 * far. The fd stays bound to @primary until vkfd_ctx_publish_secondary();
 * vkfd_ctx_abort_secondary() undoes everything.
 *
 * Context: Process context; takes &vkfd_device.ctx_lock.
 * Return: the secondary; -EINVAL if another thread converted the fd, or
 * is converting it; -ENOSPC if the primary has 65535 secondaries;
 * -ENOMEM. On failure nothing changed.
 */
struct vkfd_ctx *vkfd_ctx_build_secondary(struct vkfd_file *vfile,
					  struct vkfd_ctx *primary)
{
	struct vkfd_device *vdev = primary->vdev;
	struct vkfd_ctx *ctx;
	int ret;

	ctx = vkfd_ctx_alloc(vdev, primary);
	if (IS_ERR(ctx))
		return ctx;

	/* Outside the global lock: sysfs may sleep on readers. */
	ret = vkfd_ctx_fs_add(ctx);
	if (ret)
		goto err_put;

	mutex_lock(&vdev->ctx_lock);
	if (rcu_access_pointer(vfile->ctx) != primary || vfile->converting) {
		mutex_unlock(&vdev->ctx_lock);
		ret = -EINVAL;
		goto err_put;
	}
	vfile->converting = true;
	mutex_unlock(&vdev->ctx_lock);
	return ctx;

err_put:
	vkfd_ctx_put(ctx);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_ctx_build_secondary);

/**
 * vkfd_ctx_publish_secondary() - rebind an fd to the secondary built for it
 * @vfile: the fd, claimed by vkfd_ctx_build_secondary()
 * @ctx: the secondary
 *
 * Publishes @ctx under its id and swaps the fd's binding; the fd's
 * reference on the primary is dropped.
 *
 * Context: Process context; takes &vkfd_device.ctx_lock.
 */
void vkfd_ctx_publish_secondary(struct vkfd_file *vfile, struct vkfd_ctx *ctx)
{
	struct vkfd_device *vdev = ctx->vdev;

	mutex_lock(&vdev->ctx_lock);
	vkfd_ctx_publish_locked(ctx);
	rcu_assign_pointer(vfile->ctx, ctx);
	vfile->converting = false;
	mutex_unlock(&vdev->ctx_lock);

	/* The fd's reference on the primary: the fd now owns @ctx's. */
	vkfd_ctx_put(ctx->primary);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_ctx_publish_secondary);

/**
 * vkfd_ctx_abort_secondary() - undo vkfd_ctx_build_secondary()
 * @vfile: the fd, claimed by vkfd_ctx_build_secondary()
 * @ctx: the secondary, never published
 *
 * The fd stays bound to its primary; the secondary's directories go and
 * its id is free again before this returns.
 *
 * Context: Process context; takes &vkfd_device.ctx_lock.
 */
void vkfd_ctx_abort_secondary(struct vkfd_file *vfile, struct vkfd_ctx *ctx)
{
	struct vkfd_device *vdev = ctx->vdev;

	mutex_lock(&vdev->ctx_lock);
	vfile->converting = false;
	mutex_unlock(&vdev->ctx_lock);
	/* The only reference: the context is torn down now. */
	vkfd_ctx_put(ctx);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_ctx_abort_secondary);

/**
 * vkfd_ctx_lookup_secondary() - find a secondary of @primary by id
 * @primary: a primary context
 * @id: the secondary's context id
 *
 * O(1) whatever the number of contexts.
 *
 * Context: Any context.
 * Return: the secondary with a new reference, or NULL if @primary has no
 * published secondary with that id.
 */
struct vkfd_ctx *vkfd_ctx_lookup_secondary(struct vkfd_ctx *primary, u16 id)
{
	struct vkfd_ctx *ctx;

	rcu_read_lock();
	ctx = xa_load(&primary->secondaries, id);
	if (ctx && !kref_get_unless_zero(&ctx->ref))
		ctx = NULL;
	rcu_read_unlock();
	return ctx;
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_ctx_lookup_secondary);

/*
 * The address space of a primary is going away (process exit or exec):
 * unpublish the primary so that no new open() finds it, and remove the
 * directories of its family now rather than when the last fd is closed.
 * Fds that still refer to it or to its secondaries (inherited, passed to
 * another process) keep them allocated but cannot use them, see
 * vkfd_ctx_owned_by_current().
 */
static void vkfd_primary_mm_release(struct mmu_notifier *mn,
				    struct mm_struct *mm)
{
	struct vkfd_ctx *ctx = container_of(mn, struct vkfd_ctx, mn);
	struct vkfd_device *vdev = ctx->vdev;

	mutex_lock(&vdev->ctx_lock);
	hash_del(&ctx->mm_node);
	mutex_unlock(&vdev->ctx_lock);

	vkfd_ctx_fs_remove_family(ctx);
	/*
	 * Nobody can use the primary any more: its GPU memory goes now,
	 * with the render files its VMs hold, which hold the module. The
	 * exiting process closes them before its parent can see it exit.
	 */
	vkfd_ctx_mem_release(ctx);
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
	vkfd_ctx_put_deferred(container_of(mn, struct vkfd_ctx, mn));
}

static const struct mmu_notifier_ops vkfd_primary_mn_ops = {
	.release = vkfd_primary_mm_release,
	.free_notifier = vkfd_primary_mn_free,
};

/**
 * vkfd_ctx_cache_init() - create the slab cache of contexts
 *
 * Context: Process context, module load.
 * Return: 0 or -ENOMEM.
 */
int vkfd_ctx_cache_init(void)
{
	vkfd_ctx_cache = KMEM_CACHE(vkfd_ctx, SLAB_ACCOUNT);
	return vkfd_ctx_cache ? 0 : -ENOMEM;
}

/**
 * vkfd_ctx_cache_fini() - destroy the slab cache of contexts
 *
 * Waits for the RCU callbacks freeing the last contexts first.
 *
 * Context: Process context, module unload.
 */
void vkfd_ctx_cache_fini(void)
{
	rcu_barrier();
	kmem_cache_destroy(vkfd_ctx_cache);
}

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
	INIT_LIST_HEAD(&vdev->contexts);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_ctx_table_init);

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
	WARN_ON(!list_empty(&vdev->contexts));
	mutex_destroy(&vdev->ctx_lock);
}
EXPORT_SYMBOL_IF_KUNIT(vkfd_ctx_table_fini);
