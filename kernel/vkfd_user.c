// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - bounds per user on the resources every process shares.
 */

/**
 * DOC: bounds per user
 *
 * Some resources of vkfd are shared by every process of the machine, and
 * the memory cgroup does not bound them because they are not memory:
 *
 * - the 65535 PASIDs (vkfd_pasid.c), one per GPU VM;
 * - the GTT of each GPU: the bytes of GTT buffers allocated on it. A GTT
 *   buffer's pages are allocated (and charged to the memory cgroup) only
 *   when first used, but its size is taken at once out of the GPU's DRM
 *   mmap-offset space (about 1 TiB per DRM device, for every process).
 *
 * Each GPU has a GTT budget, module parameter ``gtt_mb``: by default the
 * larger of 3 GiB and three quarters of the system's RAM, as amdgpu sizes
 * its GTT (``amdgpu.gttsize``), and never more than 256 GiB, so that the
 * GTT and VRAM budgets together fit in the mmap-offset space. An
 * allocation beyond it fails with ENOMEM, as one beyond the VRAM budget.
 *
 * On top of that, one user (real uid) may hold at most:
 *
 * - ``max_pasids_per_user`` PASIDs (default 8192, an eighth of the
 *   space): ACQUIRE_VM fails with ENOSPC beyond it, as when all PASIDs
 *   are taken;
 * - ``gtt_user_percent`` percent of each GPU's GTT budget (default 50):
 *   ALLOC_MEMORY_OF_GPU fails with ENOMEM beyond it.
 *
 * so that another user still finds PASIDs and GTT. Tasks with
 * CAP_SYS_RESOURCE are not held to the per-user bounds (as RLIMIT_NPROC
 * does not hold them), only to the GTT budget. Both per-user parameters
 * may be changed at run time by root; a lower value applies to the next
 * allocation, nothing held is taken back.
 *
 * Each PASID and each GTT buffer keeps a reference to the user it was
 * charged to, so it is returned to that user, whoever frees it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "vkfd_user.h"

static unsigned int vkfd_max_pasids_per_user = 8192;
module_param_named(max_pasids_per_user, vkfd_max_pasids_per_user, uint, 0644);
MODULE_PARM_DESC(max_pasids_per_user,
		 "PASIDs (GPU VMs) one user may hold, without CAP_SYS_RESOURCE (default: 8192)");

static unsigned int vkfd_gtt_user_percent = 50;
module_param_named(gtt_user_percent, vkfd_gtt_user_percent, uint, 0644);
MODULE_PARM_DESC(gtt_user_percent,
		 "Percent of a GPU's GTT budget one user may hold, without CAP_SYS_RESOURCE (default: 50)");

static unsigned int vkfd_gtt_mb;
module_param_named(gtt_mb, vkfd_gtt_mb, uint, 0444);
MODULE_PARM_DESC(gtt_mb,
		 "GTT budget of each virtual GPU in MiB, 1..262144 (default: max(3 GiB, 3/4 of RAM); reads back the budget in use)");

#define VKFD_GTT_MB_MIN		(3 * 1024)
#define VKFD_GTT_MB_MAX		(256 * 1024)

/**
 * struct vkfd_user - what one user holds of the shared resources
 * @uid: the user, a real uid
 * @ref: references: one per charged PASID and GTT buffer, and one per
 *	caller of vkfd_user_get() until it charges or puts
 * @pasids: PASIDs charged to the user
 * @gtt: GTT bytes charged to the user, per GPU index
 */
struct vkfd_user {
	kuid_t uid;
	refcount_t ref;
	atomic_t pasids;
	atomic64_t gtt[VKFD_USER_MAX_GPUS];
};

/* Serialises the insertion and removal of users in vkfd_users. */
static DEFINE_MUTEX(vkfd_users_lock);
/* uid -> struct vkfd_user, for the users that hold something. */
static DEFINE_XARRAY(vkfd_users);

/**
 * vkfd_user_init() - compute the GTT budget of every GPU
 *
 * Context: Process context, module load.
 * Return: 0, or -EINVAL for a ``gtt_mb`` out of range.
 */
int vkfd_user_init(void)
{
	u64 mb;

	if (vkfd_gtt_mb > VKFD_GTT_MB_MAX) {
		pr_err("gtt_mb=%u: must be 1..%d\n", vkfd_gtt_mb,
		       VKFD_GTT_MB_MAX);
		return -EINVAL;
	}
	if (!vkfd_gtt_mb) {
		/* amdgpu's default: max(3 GiB, 3/4 of RAM). */
		mb = (u64)totalram_pages() * 3 / 4 >> (20 - PAGE_SHIFT);
		vkfd_gtt_mb = clamp_t(u64, mb, VKFD_GTT_MB_MIN,
				      VKFD_GTT_MB_MAX);
	}
	return 0;
}

/**
 * vkfd_user_gtt_budget() - the GTT budget of each GPU
 *
 * Context: Any context.
 * Return: the budget in bytes.
 */
u64 vkfd_user_gtt_budget(void)
{
	return (u64)vkfd_gtt_mb * SZ_1M;
}

/**
 * vkfd_user_get() - the calling task's user, for a charge
 *
 * Context: Process context; takes vkfd_users_lock.
 * Return: the user with a reference, or NULL (out of memory).
 */
struct vkfd_user *vkfd_user_get(void)
{
	kuid_t uid = current_uid();
	struct vkfd_user *user;

	mutex_lock(&vkfd_users_lock);
	user = xa_load(&vkfd_users, __kuid_val(uid));
	if (user) {
		refcount_inc(&user->ref);
		goto out_unlock;
	}
	user = kzalloc(sizeof(*user), GFP_KERNEL_ACCOUNT);
	if (!user)
		goto out_unlock;
	user->uid = uid;
	refcount_set(&user->ref, 1);
	if (xa_err(xa_store(&vkfd_users, __kuid_val(uid), user,
			    GFP_KERNEL_ACCOUNT))) {
		kfree(user);
		user = NULL;
	}
out_unlock:
	mutex_unlock(&vkfd_users_lock);
	return user;
}

/**
 * vkfd_user_put() - drop a reference on a user
 * @user: the user; NULL is ignored
 *
 * Context: Process context; takes vkfd_users_lock on the last reference.
 */
void vkfd_user_put(struct vkfd_user *user)
{
	if (!user || !refcount_dec_and_mutex_lock(&user->ref,
						  &vkfd_users_lock))
		return;
	xa_erase(&vkfd_users, __kuid_val(user->uid));
	mutex_unlock(&vkfd_users_lock);
	kfree(user);
}

/**
 * vkfd_user_charge_pasid() - charge one PASID to the caller's user
 * @user: from vkfd_user_get(); its reference goes to the charge
 *
 * Context: Process context.
 * Return: 0, or -ENOSPC if the user holds ``max_pasids_per_user``
 * already and the caller lacks CAP_SYS_RESOURCE; the reference is
 * dropped then.
 */
int vkfd_user_charge_pasid(struct vkfd_user *user)
{
	unsigned int n = atomic_inc_return(&user->pasids);

	if (n > READ_ONCE(vkfd_max_pasids_per_user) &&
	    !capable(CAP_SYS_RESOURCE)) {
		atomic_dec(&user->pasids);
		vkfd_user_put(user);
		return -ENOSPC;
	}
	return 0;
}

/**
 * vkfd_user_uncharge_pasid() - undo vkfd_user_charge_pasid()
 * @user: the user charged
 *
 * Context: Process context.
 */
void vkfd_user_uncharge_pasid(struct vkfd_user *user)
{
	atomic_dec(&user->pasids);
	vkfd_user_put(user);
}

/**
 * vkfd_user_charge_gtt() - charge a GTT buffer to the caller's user
 * @user: from vkfd_user_get(); its reference goes to the charge
 * @gpu: the GPU's index
 * @size: the buffer's size in bytes
 *
 * Only the user's share; the GPU's budget is its own (vkfd_gem.c).
 *
 * Context: Process context.
 * Return: 0, or -ENOMEM if the user would hold more than
 * ``gtt_user_percent`` of the budget and the caller lacks
 * CAP_SYS_RESOURCE; the reference is dropped then.
 */
int vkfd_user_charge_gtt(struct vkfd_user *user, unsigned int gpu, u64 size)
{
	u64 share = div_u64(vkfd_user_gtt_budget() *
			    min(READ_ONCE(vkfd_gtt_user_percent), 100U), 100);
	u64 held = atomic64_add_return(size, &user->gtt[gpu]);

	if (held > share && !capable(CAP_SYS_RESOURCE)) {
		atomic64_sub(size, &user->gtt[gpu]);
		vkfd_user_put(user);
		return -ENOMEM;
	}
	return 0;
}

/**
 * vkfd_user_uncharge_gtt() - undo vkfd_user_charge_gtt()
 * @user: the user charged
 * @gpu: the GPU's index
 * @size: the bytes charged
 *
 * Context: Process context.
 */
void vkfd_user_uncharge_gtt(struct vkfd_user *user, unsigned int gpu, u64 size)
{
	atomic64_sub(size, &user->gtt[gpu]);
	vkfd_user_put(user);
}

/**
 * vkfd_user_fini() - check that every charge was returned
 *
 * Context: Process context, module unload.
 */
void vkfd_user_fini(void)
{
	WARN_ON(!xa_empty(&vkfd_users));
}
