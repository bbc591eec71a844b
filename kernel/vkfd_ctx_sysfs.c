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
 *   queues/       one directory per user queue (none yet)
 *
 * The directory is a separate object from the context: kobject_del()
 * waits for every show() in progress, so once vkfd_ctx_sysfs_remove() has
 * returned no show() can reach the context. The callers serialise adding
 * and removing with the fs_lock of the context's primary.
 */
#include <linux/kernfs.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "vkfd_priv.h"

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
	const struct vkfd_vm *vm = READ_ONCE(s->ctx->vm[attr - vkfd_vram_attrs]);

	return sysfs_emit(buf, "%llu\n", vm ? READ_ONCE(vm->vram) : 0);
}

/* pasid, vram_<gpuid> of each GPU, NULL */
static struct attribute *vkfd_ctx_attrs[2 + VKFD_MAX_GPUS] = {
	&vkfd_ctx_attr_pasid.attr,
};
ATTRIBUTE_GROUPS(vkfd_ctx);

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
			 "vram_%u", vdev->gpus[i].gpu_id);
		vkfd_vram_attrs[i].attr.name = vkfd_vram_names[i];
		vkfd_vram_attrs[i].attr.mode = 0444;
		vkfd_vram_attrs[i].show = vram_show;
		vkfd_ctx_attrs[1 + i] = &vkfd_vram_attrs[i].attr;
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
	ctx->sysfs = s;
	return 0;

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
