// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the test-only ioctl, VKFD_IOC_TEST.
 *
 * DOC: test hooks
 *
 * The selftests check what the KFD uAPI does not show - how many buffers
 * and events a context holds, how much page table its VMs have, that a
 * GPU address of one context does not lead to another's page - through
 * one typed ioctl, as iommufd's selftests use its mock ioctl. It exists
 * only in a module built with ``VKFD_TEST=y`` (the harness builds so);
 * a module for users has neither the ioctl nor this file, and answers
 * its number with ENOTTY. <linux/vkfd_test.h> is its (unstable) uAPI and
 * lists the errnos.
 *
 * Contexts are looked up by pid and context id in the device's list,
 * O(contexts): fine for tests, and the reason this is not a user API.
 */
#include <linux/capability.h>
#include <linux/highmem.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <linux/vkfd_test.h>

#include "vkfd_doorbell.h"
#include "vkfd_event.h"
#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_pt.h"
#include "vkfd_queue.h"
#include "vkfd_test_ioctl.h"
#include "vkfd_vm.h"

/*
 * The context (@pid, @id) with a reference, and whether its process has
 * exited; NULL if there is none.
 */
static struct vkfd_ctx *vkfd_test_ctx_get(struct vkfd_device *vdev,
					  pid_t pid, u32 id, bool *exited)
{
	struct vkfd_ctx *ctx, *found = NULL;

	mutex_lock(&vdev->ctx_lock);
	list_for_each_entry(ctx, &vdev->contexts, node) {
		if (ctx->pid == pid && ctx->id == id &&
		    kref_get_unless_zero(&ctx->ref)) {
			*exited = hlist_unhashed(&vkfd_ctx_family(ctx)->mm_node);
			found = ctx;
			break;
		}
	}
	mutex_unlock(&vdev->ctx_lock);
	return found;
}

static int vkfd_test_ctx_query(struct vkfd_device *vdev,
			       struct vkfd_test_ctx_query *args)
{
	struct vkfd_test_ctx_query out = {
		.pid = args->pid,
		.ctx_id = args->ctx_id,
		.num_gpus = vdev->num_gpus,
	};
	unsigned long qid;
	struct vkfd_ctx *ctx;
	struct vkfd_queue *q;
	struct vkfd_vm *vm;
	unsigned int i;
	bool exited;

	if (args->pid <= 0 || args->ctx_id > VKFD_CTX_ID_PRIMARY)
		return -EINVAL;
	ctx = vkfd_test_ctx_get(vdev, args->pid, args->ctx_id, &exited);
	if (!ctx)
		return -ENOENT;
	out.flags = exited ? VKFD_TEST_CTX_EXITED : 0;
	/* Less the reference this call holds. */
	out.refs = kref_read(&ctx->ref) - 1;

	mutex_lock(&ctx->mem_lock);
	for (i = 0; i < vdev->num_gpus; i++) {
		vm = ctx->vm[i];
		if (!vm)
			continue;
		out.pasids[i] = vm->pasid;
		out.vram += vm->vram;
		out.pt += vm->pt.bytes;
	}
	out.nr_bos = ctx->nr_mem;
	out.nr_events = vkfd_event_count(ctx);
	out.nr_waiters = vkfd_event_waiter_count(ctx);
	mutex_unlock(&ctx->mem_lock);

	mutex_lock(&ctx->queue_lock);
	xa_for_each(&ctx->queues, qid, q)
		out.nr_queues++;
	mutex_unlock(&ctx->queue_lock);

	vkfd_ctx_put(ctx);
	*args = out;
	return 0;
}

static int vkfd_test_ctx_count(struct vkfd_device *vdev,
			       struct vkfd_test_ctx_count *args)
{
	u32 contexts = 0, exited = 0;
	struct vkfd_ctx *ctx;

	if (args->pid <= 0 || args->pad)
		return -EINVAL;
	mutex_lock(&vdev->ctx_lock);
	list_for_each_entry(ctx, &vdev->contexts, node) {
		if (ctx->pid != args->pid)
			continue;
		contexts++;
		exited += hlist_unhashed(&vkfd_ctx_family(ctx)->mm_node);
	}
	mutex_unlock(&vdev->ctx_lock);
	args->contexts = contexts;
	args->exited = exited;
	return 0;
}

/* Fill @out from the PTE of @out->va in @vm; the caller holds mem_lock. */
static void vkfd_test_translate_locked(struct vkfd_ctx *ctx,
				       struct vkfd_vm *vm,
				       struct vkfd_test_translate *out)
{
	void *vaddr;
	u64 pte;

	lockdep_assert_held(&ctx->mem_lock);

	out->pasid = vm->pasid;
	pte = vkfd_pt_lookup(&vm->pt, out->va);
	if (!(pte & VKFD_PTE_VALID))
		return;
	out->pte = pte;
	out->pfn = PHYS_PFN(pte & VKFD_PTE_ADDR_MASK);
	out->flags = VKFD_TEST_PTE_PRESENT;
	if (pte & VKFD_PTE_READABLE)
		out->flags |= VKFD_TEST_PTE_READABLE;
	if (pte & VKFD_PTE_WRITEABLE)
		out->flags |= VKFD_TEST_PTE_WRITEABLE;
	/* Mapped pages stay pinned while mem_lock keeps unmap out. */
	vaddr = kmap_local_page(pfn_to_page(out->pfn));
	memcpy(out->data, vaddr + ALIGN_DOWN(offset_in_page(out->va),
					     sizeof(out->data)),
	       sizeof(out->data));
	kunmap_local(vaddr);
}

static int vkfd_test_translate(struct vkfd_device *vdev,
			       struct vkfd_test_translate *args)
{
	struct vkfd_test_translate out = {
		.pid = args->pid,
		.ctx_id = args->ctx_id,
		.gpu_id = args->gpu_id,
		.va = args->va,
	};
	const struct vkfd_gpu *gpu;
	struct vkfd_ctx *ctx;
	struct vkfd_vm *vm;
	bool exited;
	int ret = 0;

	if (args->pid <= 0 || args->ctx_id > VKFD_CTX_ID_PRIMARY || args->pad)
		return -EINVAL;
	gpu = vkfd_gpu_by_id(vdev, args->gpu_id);
	if (!gpu)
		return -ENOENT;
	ctx = vkfd_test_ctx_get(vdev, args->pid, args->ctx_id, &exited);
	if (!ctx)
		return -ENOENT;

	mutex_lock(&ctx->mem_lock);
	vm = ctx->vm[gpu->index];
	if (vm)
		vkfd_test_translate_locked(ctx, vm, &out);
	else
		ret = -ENOENT;
	mutex_unlock(&ctx->mem_lock);
	vkfd_ctx_put(ctx);
	if (!ret)
		*args = out;
	return ret;
}

/*
 * MMAP_HOLD sleeps here until MMAP_RELEASE bumps the generation. Module
 * state, not the device's: the hooks are for one test at a time.
 */
static DECLARE_WAIT_QUEUE_HEAD(vkfd_test_mmap_wq);
static atomic_t vkfd_test_mmap_gen = ATOMIC_INIT(0);
/* MMAP_HOLD calls that hold a lock now, for MMAP_HOLDERS. */
static atomic_t vkfd_test_mmap_holders = ATOMIC_INIT(0);

#define VKFD_TEST_MMAP_HOLD_MAX		(30 * HZ)

static int vkfd_test_mmap_hold(struct vkfd_test_mmap_hold *args)
{
	int gen = atomic_read(&vkfd_test_mmap_gen);
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;
	long left;

	if (args->pid <= 0 || args->holders)
		return -EINVAL;
	pid = find_get_pid(args->pid);
	task = get_pid_task(pid, PIDTYPE_TGID);
	put_pid(pid);
	if (!task)
		return -ENOENT;
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm)
		return -ENOENT;

	mmap_read_lock(mm);
	atomic_inc(&vkfd_test_mmap_holders);
	left = wait_event_killable_timeout(vkfd_test_mmap_wq,
					   atomic_read(&vkfd_test_mmap_gen) != gen,
					   VKFD_TEST_MMAP_HOLD_MAX);
	atomic_dec(&vkfd_test_mmap_holders);
	mmap_read_unlock(mm);
	mmput(mm);
	if (left < 0)
		return -EINTR;
	return left ? 0 : -ETIMEDOUT;
}

static int vkfd_test_mmap_holders_get(struct vkfd_test_mmap_hold *args)
{
	if (args->pid)
		return -EINVAL;
	args->holders = atomic_read(&vkfd_test_mmap_holders);
	return 0;
}

static int vkfd_test_mmap_release(void)
{
	atomic_inc(&vkfd_test_mmap_gen);
	wake_up_all(&vkfd_test_mmap_wq);
	return 0;
}

/*
 * The groups of the context's doorbell slices, how many of them are ready,
 * the engines' visits of its queues and the longest wait of a group. Read
 * without the engines' locks: the test looks once things have settled.
 */
static int vkfd_test_sdma_query(struct vkfd_device *vdev,
				struct vkfd_test_sdma_query *args)
{
	struct vkfd_test_sdma_query out = {
		.pid = args->pid,
		.ctx_id = args->ctx_id,
	};
	struct vkfd_doorbells *db;
	unsigned long qid;
	struct vkfd_ctx *ctx;
	struct vkfd_queue *q;
	struct vkfd_vm *vm;
	unsigned int i, e;
	bool exited;

	if (args->pid <= 0 || args->ctx_id > VKFD_CTX_ID_PRIMARY)
		return -EINVAL;
	ctx = vkfd_test_ctx_get(vdev, args->pid, args->ctx_id, &exited);
	if (!ctx)
		return -ENOENT;

	mutex_lock(&ctx->queue_lock);
	xa_for_each(&ctx->queues, qid, q) {
		out.visits += READ_ONCE(q->sdma.visits);
		out.slice_traps = max(out.slice_traps,
				      READ_ONCE(q->sdma.slice_traps));
	}
	for (i = 0; i < vdev->num_gpus; i++) {
		vm = vkfd_ctx_vm(ctx, i);
		/* Published before any queue of the VM started */
		db = vm ? smp_load_acquire(&vm->doorbells) : NULL;
		for (e = 0; db && e < VKFD_SDMA_ENGINES; e++) {
			if (!READ_ONCE(db->group[e].nr_queues))
				continue;
			out.groups++;
			out.max_wait = max(out.max_wait,
					   READ_ONCE(db->group[e].max_wait));
			if (!list_empty_careful(&db->group[e].ready_node))
				out.ready++;
		}
	}
	mutex_unlock(&ctx->queue_lock);
	vkfd_ctx_put(ctx);
	*args = out;
	return 0;
}

/**
 * vkfd_test_ioctl() - VKFD_IOC_TEST: the test hooks
 * @vfile: the file; unused, any fd of /dev/kfd will do
 * @ctx: the caller's context; only its device is used
 * @data: &struct vkfd_test_cmd
 *
 * Checks the common header, then runs the op. An op writes its member of
 * the union only on success, so that a failed call hands the caller's
 * argument back unchanged.
 *
 * Context: Process context; takes &vkfd_device.ctx_lock, then (not
 * nested) the mem_lock and queue_lock of the context looked at.
 * Return: 0 or a negative errno of <linux/vkfd_test.h>'s list.
 */
int vkfd_test_ioctl(struct vkfd_file *vfile, struct vkfd_ctx *ctx, void *data)
{
	struct vkfd_device *vdev = ctx->vdev;
	struct vkfd_test_cmd *cmd = data;

	/* Any process's contexts and memory: as much as debugfs gives root. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (cmd->size != sizeof(*cmd) || cmd->flags || cmd->pad)
		return -EINVAL;

	switch (cmd->op) {
	case VKFD_TEST_OP_CTX_QUERY:
		return vkfd_test_ctx_query(vdev, &cmd->ctx_query);
	case VKFD_TEST_OP_CTX_COUNT:
		return vkfd_test_ctx_count(vdev, &cmd->ctx_count);
	case VKFD_TEST_OP_TRANSLATE:
		return vkfd_test_translate(vdev, &cmd->translate);
	case VKFD_TEST_OP_MMAP_HOLD:
		return vkfd_test_mmap_hold(&cmd->mmap_hold);
	case VKFD_TEST_OP_MMAP_RELEASE:
		return vkfd_test_mmap_release();
	case VKFD_TEST_OP_MMAP_HOLDERS:
		return vkfd_test_mmap_holders_get(&cmd->mmap_hold);
	case VKFD_TEST_OP_SDMA_QUERY:
		return vkfd_test_sdma_query(vdev, &cmd->sdma_query);
	default:
		return -EOPNOTSUPP;
	}
}
