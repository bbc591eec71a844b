// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the sysfs directory of a context.
 *
 * A primary is /sys/class/<name>/<name>/proc/<pid>, a secondary is
 * proc/<pid>/context_<id> below its primary (as upstream amdkfd, where
 * AMD-SMI looks for them). Both hold the files amdkfd publishes there and
 * tools such as rocm-smi read:
 *
 *   pasid         PASID of the context's VM on the first GPU, 0 until
 *                 it has one (amdkfd 6.1 prints its per-process PASID here)
 *   vram_<gpuid>  bytes of VRAM the context allocated on that GPU
 *   queues/<qid>/ one directory per user queue: size (ring bytes), type
 *                 (amdkfd's internal queue type) and gpuid
 *
 * and vkfd's own:
 *
 *   queues/<qid>/cu_mask  the CUs SET_CU_MASK left the queue, a bitmap
 *                 in hex (vkfd_queue_cu.c)
 *   limits/       <res>_limit and <res>_usage for each resource of the
 *                 context's limits (vkfd_limits.c): vram, gtt and userptr
 *                 in bytes, buffers, queues and events in objects; a
 *                 limit of none reads "max", as in cgroup v2
 *
 * and, once the context has a VM on a GPU (not before: an idle secondary
 * must stay small):
 *
 *   sdma_<gpuid>            bytes the VM's SDMA queues moved
 *   counters_<gpuid>/faults GPU page faults of the VM's queues
 *
 * A primary has sdma_<gpuid> of every GPU from the start (0 without a
 * VM), as amdkfd's processes do: rocm-smi --showpids reads vram_<gpuid>
 * and sdma_<gpuid> of every GPU for every process, and shows nothing
 * for a process that lacks one.
 *
 * The directory is a separate object from the context: kobject_del()
 * waits for every show() in progress, so once vkfd_ctx_sysfs_remove() has
 * returned no show() can reach the context, nor its VMs or queues, whose
 * files are below it. The callers serialise adding and removing with the
 * fs_lock of the context's primary; the files of VMs and queues are added
 * and removed under it too (vkfd_ctx_sysfs_vm_add(),
 * vkfd_ctx_sysfs_queue_add()). A queue's directory is an object of its
 * own as well, which can outlive the removal of the context's directory
 * (the address space of a primary goes before its queues are freed): it
 * keeps its parents allocated, out of sysfs, until it is put.
 */
#include <linux/kernfs.h>
#include <linux/kfd_ioctl.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_queue.h"
#include "vkfd_vm.h"

/**
 * struct vkfd_ctx_sysfs - sysfs directory of a context
 * @kobj: the directory
 * @queues: its queues/ sub-directory
 * @ctx: the context; valid while @kobj is in sysfs
 */
struct vkfd_ctx_sysfs {
	struct kobject kobj;
	struct kobject *queues;
	struct vkfd_ctx *ctx;
};

static ssize_t pasid_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct vkfd_ctx_sysfs *s = container_of(kobj, struct vkfd_ctx_sysfs,
						kobj);

	return sysfs_emit(buf, "%u\n", vkfd_ctx_pasid(s->ctx, 0));
}

static struct kobj_attribute vkfd_ctx_attr_pasid = __ATTR_RO(pasid);

/* vram_<gpuid>: one attribute per GPU, named at module load. */
static char vkfd_vram_names[VKFD_MAX_GPUS][16];
static struct kobj_attribute vkfd_vram_attrs[VKFD_MAX_GPUS];

static ssize_t vram_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	struct vkfd_ctx_sysfs *s = container_of(kobj, struct vkfd_ctx_sysfs,
						kobj);
	const struct vkfd_vm *vm = vkfd_ctx_vm(s->ctx, attr - vkfd_vram_attrs);

	return sysfs_emit(buf, "%llu\n", vm ? READ_ONCE(vm->vram) : 0);
}

/* sdma_<gpuid> and counters_<gpuid>/faults, per GPU, named at load. */
static char vkfd_sdma_names[VKFD_MAX_GPUS][16];
static struct kobj_attribute vkfd_sdma_attrs[VKFD_MAX_GPUS];
static char vkfd_counters_names[VKFD_MAX_GPUS][24];
static struct kobj_attribute vkfd_faults_attrs[VKFD_MAX_GPUS];
static struct attribute *vkfd_counters_attrs[VKFD_MAX_GPUS][2];
static struct attribute_group vkfd_counters_groups[VKFD_MAX_GPUS];

/* The VM on GPU @i of the context of directory @kobj. */
static const struct vkfd_vm *vkfd_ctx_sysfs_vm(struct kobject *kobj,
					       unsigned int i)
{
	struct vkfd_ctx_sysfs *s = container_of(kobj, struct vkfd_ctx_sysfs,
						kobj);

	return vkfd_ctx_vm(s->ctx, i);
}

static ssize_t sdma_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	const struct vkfd_vm *vm = vkfd_ctx_sysfs_vm(kobj,
						     attr - vkfd_sdma_attrs);

	return sysfs_emit(buf, "%llu\n",
			  vm ? (u64)atomic64_read(&vm->sdma_activity) : 0);
}

/* In the group directory counters_<gpuid>: @kobj is the context's. */
static ssize_t faults_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	const struct vkfd_vm *vm = vkfd_ctx_sysfs_vm(kobj,
						     attr - vkfd_faults_attrs);

	return sysfs_emit(buf, "%llu\n",
			  vm ? (u64)atomic64_read(&vm->faults) : 0);
}

/* pasid, vram_<gpuid> of each GPU, NULL */
static struct attribute *vkfd_ctx_attrs[2 + VKFD_MAX_GPUS] = {
	&vkfd_ctx_attr_pasid.attr,
};

static const struct attribute_group vkfd_ctx_group = {
	.attrs = vkfd_ctx_attrs,
};

/**
 * struct vkfd_limit_attr - a file of the limits/ directory
 * @attr: the file
 * @res: the resource (&enum vkfd_limit)
 * @usage: the file shows the usage, not the limit
 */
struct vkfd_limit_attr {
	struct kobj_attribute attr;
	u8 res;
	bool usage;
};

/* In the group directory limits/: @kobj is the context's. */
static ssize_t vkfd_limit_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct vkfd_ctx_sysfs *s = container_of(kobj, struct vkfd_ctx_sysfs,
						kobj);
	const struct vkfd_limit_attr *la =
		container_of(attr, struct vkfd_limit_attr, attr);

	return vkfd_limits_show(&s->ctx->limits, la->res, la->usage, buf);
}

#define VKFD_LIMIT_ATTR(_name, _res, _usage)				\
	static struct vkfd_limit_attr vkfd_limit_attr_##_name = {	\
		.attr = __ATTR(_name, 0444, vkfd_limit_show, NULL),	\
		.res = (_res),						\
		.usage = (_usage),					\
	}
VKFD_LIMIT_ATTR(vram_limit, VKFD_LIMIT_VRAM, false);
VKFD_LIMIT_ATTR(vram_usage, VKFD_LIMIT_VRAM, true);
VKFD_LIMIT_ATTR(gtt_limit, VKFD_LIMIT_GTT, false);
VKFD_LIMIT_ATTR(gtt_usage, VKFD_LIMIT_GTT, true);
VKFD_LIMIT_ATTR(userptr_limit, VKFD_LIMIT_USERPTR, false);
VKFD_LIMIT_ATTR(userptr_usage, VKFD_LIMIT_USERPTR, true);
VKFD_LIMIT_ATTR(buffers_limit, VKFD_LIMIT_BUFFERS, false);
VKFD_LIMIT_ATTR(buffers_usage, VKFD_LIMIT_BUFFERS, true);
VKFD_LIMIT_ATTR(queues_limit, VKFD_LIMIT_QUEUES, false);
VKFD_LIMIT_ATTR(queues_usage, VKFD_LIMIT_QUEUES, true);
VKFD_LIMIT_ATTR(events_limit, VKFD_LIMIT_EVENTS, false);
VKFD_LIMIT_ATTR(events_usage, VKFD_LIMIT_EVENTS, true);

static struct attribute *vkfd_limits_attrs[] = {
	&vkfd_limit_attr_vram_limit.attr.attr,
	&vkfd_limit_attr_vram_usage.attr.attr,
	&vkfd_limit_attr_gtt_limit.attr.attr,
	&vkfd_limit_attr_gtt_usage.attr.attr,
	&vkfd_limit_attr_userptr_limit.attr.attr,
	&vkfd_limit_attr_userptr_usage.attr.attr,
	&vkfd_limit_attr_buffers_limit.attr.attr,
	&vkfd_limit_attr_buffers_usage.attr.attr,
	&vkfd_limit_attr_queues_limit.attr.attr,
	&vkfd_limit_attr_queues_usage.attr.attr,
	&vkfd_limit_attr_events_limit.attr.attr,
	&vkfd_limit_attr_events_usage.attr.attr,
	NULL,
};

static const struct attribute_group vkfd_limits_group = {
	.name = "limits",
	.attrs = vkfd_limits_attrs,
};

static const struct attribute_group *vkfd_ctx_groups[] = {
	&vkfd_ctx_group,
	&vkfd_limits_group,
	NULL,
};

/**
 * vkfd_ctx_sysfs_init() - name the per-GPU files of context directories
 * @vdev: the device
 *
 * Context: Process context, module load, before any context exists.
 */
void vkfd_ctx_sysfs_init(struct vkfd_device *vdev)
{
	unsigned int i;

	for (i = 0; i < vdev->num_gpus; i++) {
		snprintf(vkfd_vram_names[i], sizeof(vkfd_vram_names[i]),
			 "vram_%u", vdev->gpus[i]->gpu_id);
		vkfd_vram_attrs[i].attr.name = vkfd_vram_names[i];
		vkfd_vram_attrs[i].attr.mode = 0444;
		vkfd_vram_attrs[i].show = vram_show;
		vkfd_ctx_attrs[1 + i] = &vkfd_vram_attrs[i].attr;

		snprintf(vkfd_sdma_names[i], sizeof(vkfd_sdma_names[i]),
			 "sdma_%u", vdev->gpus[i]->gpu_id);
		sysfs_attr_init(&vkfd_sdma_attrs[i].attr);
		vkfd_sdma_attrs[i].attr.name = vkfd_sdma_names[i];
		vkfd_sdma_attrs[i].attr.mode = 0444;
		vkfd_sdma_attrs[i].show = sdma_show;

		snprintf(vkfd_counters_names[i], sizeof(vkfd_counters_names[i]),
			 "counters_%u", vdev->gpus[i]->gpu_id);
		sysfs_attr_init(&vkfd_faults_attrs[i].attr);
		vkfd_faults_attrs[i].attr.name = "faults";
		vkfd_faults_attrs[i].attr.mode = 0444;
		vkfd_faults_attrs[i].show = faults_show;
		vkfd_counters_attrs[i][0] = &vkfd_faults_attrs[i].attr;
		vkfd_counters_groups[i].name = vkfd_counters_names[i];
		vkfd_counters_groups[i].attrs = vkfd_counters_attrs[i];
	}
}

static void vkfd_ctx_sysfs_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct vkfd_ctx_sysfs, kobj));
}

static const struct kobj_type vkfd_ctx_ktype = {
	.sysfs_ops = &kobj_sysfs_ops,
	.release = vkfd_ctx_sysfs_release,
	.default_groups = vkfd_ctx_groups,
};

/*
 * Is there already an entry @name below @parent? Adding a duplicate would
 * make sysfs dump a stack trace. It happens only if a process's address
 * space outlives the process (someone else held it) until its pid is
 * reused by a new vkfd user.
 */
static bool vkfd_sysfs_exists(struct kobject *parent, const char *name)
{
	struct kernfs_node *kn = kernfs_find_and_get(parent->sd, name);

	if (!kn)
		return false;
	kernfs_put(kn);
	return true;
}

/* sdma_<gpuid> of every GPU in a primary's directory @s */
static int vkfd_ctx_sysfs_add_sdma(struct vkfd_device *vdev,
				   struct vkfd_ctx_sysfs *s)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vdev->num_gpus; i++) {
		ret = sysfs_create_file(&s->kobj, &vkfd_sdma_attrs[i].attr);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * vkfd_ctx_sysfs_add() - create the sysfs directory of a context
 * @ctx: a context, not yet published
 *
 * If proc/<pid> is still taken by a dead context whose address space
 * outlived its process, the new primary goes without a directory, and so
 * do its secondaries. A secondary's directory is named after its id,
 * which is not reused before the directory is gone.
 *
 * Context: Process context; the caller holds the fs_lock of the
 * context's primary.
 * Return: 0 or -ENOMEM.
 */
int vkfd_ctx_sysfs_add(struct vkfd_ctx *ctx)
{
	struct kobject *parent;
	struct vkfd_ctx_sysfs *s;
	char name[24];
	int ret;

	lockdep_assert_held(&vkfd_ctx_family(ctx)->fs_lock);

	if (ctx->primary) {
		if (!ctx->primary->sysfs)
			return 0;
		parent = &ctx->primary->sysfs->kobj;
		snprintf(name, sizeof(name), "context_%u", ctx->id);
	} else {
		parent = ctx->vdev->proc_kobj;
		snprintf(name, sizeof(name), "%d", ctx->pid);
		if (vkfd_sysfs_exists(parent, name))
			return 0;
	}

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	s->ctx = ctx;
	ret = kobject_init_and_add(&s->kobj, &vkfd_ctx_ktype, parent, "%s",
				   name);
	if (ret)
		goto err_put;

	s->queues = kobject_create_and_add("queues", &s->kobj);
	if (!s->queues) {
		ret = -ENOMEM;
		goto err_del;
	}
	if (vkfd_ctx_is_primary(ctx)) {
		ret = vkfd_ctx_sysfs_add_sdma(ctx->vdev, s);
		if (ret)
			goto err_put_queues;
	}
	ctx->sysfs = s;
	return 0;

err_put_queues:
	kobject_put(s->queues);
err_del:
	kobject_del(&s->kobj);
err_put:
	kobject_put(&s->kobj);
	return ret;
}

/**
 * vkfd_ctx_sysfs_remove() - remove the sysfs directory of a context
 * @ctx: the context
 *
 * Idempotent. A primary's directory is removed only after those of its
 * secondaries.
 *
 * Context: Process context; the caller holds the fs_lock of the
 * context's primary.
 */
void vkfd_ctx_sysfs_remove(struct vkfd_ctx *ctx)
{
	struct vkfd_ctx_sysfs *s = ctx->sysfs;

	lockdep_assert_held(&vkfd_ctx_family(ctx)->fs_lock);

	if (!s)
		return;
	ctx->sysfs = NULL;
	kobject_put(s->queues);
	kobject_del(&s->kobj);
	kobject_put(&s->kobj);
}

/**
 * vkfd_ctx_sysfs_vm_add() - create the files of a new VM
 * @vm: the VM, published in its context
 *
 * counters_<gpuid>/faults in the context's directory, if it has one, and
 * sdma_<gpuid> in a secondary's (a primary has it already). They go with
 * the directory, before the VM is freed. As for debugfs, failing to
 * create them is not an error: the VM works without.
 *
 * Context: Process context; takes the fs_lock of the context's primary.
 */
void vkfd_ctx_sysfs_vm_add(struct vkfd_vm *vm)
{
	struct vkfd_ctx *family = vkfd_ctx_family(vm->ctx);
	bool secondary = !vkfd_ctx_is_primary(vm->ctx);
	unsigned int i = vm->gpu->index;
	struct vkfd_ctx_sysfs *s;

	mutex_lock(&family->fs_lock);
	s = vm->ctx->sysfs;
	if (!s || (secondary &&
		   sysfs_create_file(&s->kobj, &vkfd_sdma_attrs[i].attr)))
		goto out_unlock;
	if (sysfs_create_group(&s->kobj, &vkfd_counters_groups[i]) &&
	    secondary)
		sysfs_remove_file(&s->kobj, &vkfd_sdma_attrs[i].attr);
out_unlock:
	mutex_unlock(&family->fs_lock);
}

/**
 * struct vkfd_queue_sysfs - the sysfs directory queues/<qid> of a queue
 * @kobj: the directory
 * @q: the queue; valid while @kobj is in sysfs
 */
struct vkfd_queue_sysfs {
	struct kobject kobj;
	struct vkfd_queue *q;
};

/* The type file shows amdkfd's enum kfd_queue_type: AQL is COMPUTE. */
#define VKFD_SYSFS_QUEUE_COMPUTE	0
#define VKFD_SYSFS_QUEUE_SDMA		1
#define VKFD_SYSFS_QUEUE_SDMA_XGMI	4

static const struct vkfd_queue *vkfd_queue_sysfs_queue(struct kobject *kobj)
{
	return container_of(kobj, struct vkfd_queue_sysfs, kobj)->q;
}

static ssize_t vkfd_queue_size_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(vkfd_queue_sysfs_queue(kobj)->ring_size));
}

static ssize_t vkfd_queue_type_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	u32 type;

	switch (vkfd_queue_sysfs_queue(kobj)->type) {
	case KFD_IOC_QUEUE_TYPE_SDMA:
		type = VKFD_SYSFS_QUEUE_SDMA;
		break;
	case KFD_IOC_QUEUE_TYPE_SDMA_XGMI:
		type = VKFD_SYSFS_QUEUE_SDMA_XGMI;
		break;
	default:
		type = VKFD_SYSFS_QUEUE_COMPUTE;
		break;
	}
	return sysfs_emit(buf, "%u\n", type);
}

static ssize_t vkfd_queue_gpuid_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", vkfd_queue_sysfs_queue(kobj)->gpu->gpu_id);
}

/* The CU mask SET_CU_MASK gave, bit n for CU n (vkfd_queue_cu.c). */
static ssize_t vkfd_queue_cu_mask_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	unsigned long mask = READ_ONCE(vkfd_queue_sysfs_queue(kobj)->cu_mask);

	return sysfs_emit(buf, "%*pb\n", VKFD_QUEUE_CUS, &mask);
}

static struct kobj_attribute vkfd_queue_attr_size =
	__ATTR(size, 0444, vkfd_queue_size_show, NULL);
static struct kobj_attribute vkfd_queue_attr_type =
	__ATTR(type, 0444, vkfd_queue_type_show, NULL);
static struct kobj_attribute vkfd_queue_attr_gpuid =
	__ATTR(gpuid, 0444, vkfd_queue_gpuid_show, NULL);
static struct kobj_attribute vkfd_queue_attr_cu_mask =
	__ATTR(cu_mask, 0444, vkfd_queue_cu_mask_show, NULL);

static struct attribute *vkfd_queue_attrs[] = {
	&vkfd_queue_attr_size.attr,
	&vkfd_queue_attr_type.attr,
	&vkfd_queue_attr_gpuid.attr,
	&vkfd_queue_attr_cu_mask.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vkfd_queue);

static void vkfd_queue_sysfs_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct vkfd_queue_sysfs, kobj));
}

static const struct kobj_type vkfd_queue_ktype = {
	.sysfs_ops = &kobj_sysfs_ops,
	.release = vkfd_queue_sysfs_release,
	.default_groups = vkfd_queue_groups,
};

/**
 * vkfd_ctx_sysfs_queue_add() - create the directory queues/<qid> of a queue
 * @q: the queue, complete but for @q->kobj, not yet published
 *
 * Nothing is created if the context has no directory.
 *
 * Context: Process context; takes the fs_lock of the context's primary.
 * Return: 0 or -ENOMEM.
 */
int vkfd_ctx_sysfs_queue_add(struct vkfd_queue *q)
{
	struct vkfd_ctx *family = vkfd_ctx_family(q->ctx);
	struct vkfd_queue_sysfs *qs;
	int ret = 0;

	mutex_lock(&family->fs_lock);
	if (!q->ctx->sysfs)
		goto out_unlock;
	qs = kzalloc(sizeof(*qs), GFP_KERNEL_ACCOUNT);
	if (!qs) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	qs->q = q;
	ret = kobject_init_and_add(&qs->kobj, &vkfd_queue_ktype,
				   q->ctx->sysfs->queues, "%u", q->id);
	if (ret) {
		kobject_put(&qs->kobj);
		goto out_unlock;
	}
	q->kobj = &qs->kobj;
out_unlock:
	mutex_unlock(&family->fs_lock);
	return ret;
}

/**
 * vkfd_ctx_sysfs_queue_remove() - remove the directory of a queue
 * @q: the queue
 *
 * Once this returns no show() can reach @q. Idempotent.
 *
 * Context: Process context; takes the fs_lock of the context's primary.
 */
void vkfd_ctx_sysfs_queue_remove(struct vkfd_queue *q)
{
	struct vkfd_ctx *family = vkfd_ctx_family(q->ctx);
	struct kobject *kobj = q->kobj;

	if (!kobj)
		return;
	/* Gone from sysfs already if the context's directory is. */
	mutex_lock(&family->fs_lock);
	kobject_del(kobj);
	mutex_unlock(&family->fs_lock);
	q->kobj = NULL;
	kobject_put(kobj);
}
