// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of vkfd's context core (vkfd_ctx.c): secondary context ids
 * (allocation, reuse, the 65535 limit), lookups (by id, by file, of
 * contexts whose process is gone) and lifetimes (what holds a reference,
 * in which order a family is torn down).
 *
 * Each case runs on a device of its own, without GPUs and without
 * debugfs, whose contexts' sysfs directories go below a KUnit device;
 * the test thread plays the process: it attaches an address space of its
 * own (mm_alloc() + kthread_use_mm()), "opens" the device as open() does
 * (vkfd_ctx_open_primary() and a &struct vkfd_file bound to the result),
 * "closes" it as the last fput() does (vkfd_ctx_put()), converts a file
 * as CREATE_PROCESS does (build, then publish or abort) and "exits" by
 * dropping its address space (mmput(), which runs the primary's MMU
 * notifier release as process exit does). No struct file is involved:
 * the context core knows files only as &struct vkfd_file.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/sched/mm.h>

#include "../vkfd_priv.h"

/**
 * struct vkfd_ctx_test - one case's device and "process"
 * @vdev: a device without GPUs: the context table, the release workqueue
 *	and a parent for the contexts' sysfs directories
 * @mm: the address space the test thread runs in, NULL between processes
 */
struct vkfd_ctx_test {
	struct vkfd_device vdev;
	struct mm_struct *mm;
};

/* The test thread becomes a process: an address space of its own. */
static void ctx_test_enter(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;

	KUNIT_ASSERT_NULL(test, t->mm);
	t->mm = mm_alloc();
	KUNIT_ASSERT_NOT_NULL(test, t->mm);
	kthread_use_mm(t->mm);
}

/*
 * The process exits: its address space goes, which runs the release
 * callback of its primary's MMU notifier; then wait for the notifier's
 * reference to be dropped (an SRCU callback, then the release workqueue).
 */
static void ctx_test_exit(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;

	kthread_unuse_mm(t->mm);
	mmput(t->mm);
	t->mm = NULL;
	mmu_notifier_synchronize();
	flush_workqueue(t->vdev.wq);
}

/* open() of the device: a file bound to the caller's primary. */
static struct vkfd_file *ctx_test_open(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;
	struct vkfd_file *vfile;
	struct vkfd_ctx *ctx;

	vfile = kunit_kzalloc(test, sizeof(*vfile), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vfile);
	ctx = vkfd_ctx_open_primary(&t->vdev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx);
	rcu_assign_pointer(vfile->ctx, ctx);
	return vfile;
}

/* The context a file is bound to, whoever asks (as release() sees it). */
static struct vkfd_ctx *ctx_test_bound(struct vkfd_file *vfile)
{
	return rcu_dereference_protected(vfile->ctx, true);
}

/* The last close() of a file. */
static void ctx_test_close(struct vkfd_file *vfile)
{
	vkfd_ctx_put(ctx_test_bound(vfile));
	RCU_INIT_POINTER(vfile->ctx, NULL);
}

/* CREATE_PROCESS on a file of the primary, reply written: the secondary. */
static struct vkfd_ctx *ctx_test_convert(struct kunit *test,
					 struct vkfd_file *vfile)
{
	struct vkfd_ctx *sec;

	sec = vkfd_ctx_build_secondary(vfile, ctx_test_bound(vfile));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sec);
	vkfd_ctx_publish_secondary(vfile, sec);
	return sec;
}

/* A new file of the caller's primary, converted: the secondary's file. */
static struct vkfd_file *ctx_test_open_secondary(struct kunit *test)
{
	struct vkfd_file *vfile = ctx_test_open(test);

	ctx_test_convert(test, vfile);
	return vfile;
}

static unsigned int ctx_test_refs(struct vkfd_ctx *ctx)
{
	return kref_read(&ctx->ref);
}

/* Is @ctx on the device's list of published contexts? */
static bool ctx_test_listed(struct vkfd_device *vdev, struct vkfd_ctx *ctx)
{
	struct vkfd_ctx *pos;
	bool found = false;

	mutex_lock(&vdev->ctx_lock);
	list_for_each_entry(pos, &vdev->contexts, node)
		found |= pos == ctx;
	mutex_unlock(&vdev->ctx_lock);
	return found;
}

static bool ctx_test_none_left(struct vkfd_device *vdev)
{
	bool empty;

	mutex_lock(&vdev->ctx_lock);
	empty = list_empty(&vdev->contexts) && hash_empty(vdev->primaries);
	mutex_unlock(&vdev->ctx_lock);
	return empty;
}

/* The first open() creates the primary, later ones share it. */
static void vkfd_ctx_test_primary_shared(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;
	struct vkfd_file *a, *b;
	struct vkfd_ctx *p;

	ctx_test_enter(test);
	a = ctx_test_open(test);
	p = ctx_test_bound(a);
	KUNIT_EXPECT_EQ(test, p->id, VKFD_CTX_ID_PRIMARY);
	KUNIT_EXPECT_TRUE(test, vkfd_ctx_is_primary(p));
	KUNIT_EXPECT_NULL(test, p->primary);
	KUNIT_EXPECT_PTR_EQ(test, p->mm, t->mm);
	KUNIT_EXPECT_EQ(test, p->pid, task_tgid_nr(current));
	KUNIT_EXPECT_NOT_NULL(test, p->sysfs);
	KUNIT_EXPECT_TRUE(test, ctx_test_listed(&t->vdev, p));
	/* The file's reference and the MMU notifier's */
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), 2U);

	b = ctx_test_open(test);
	KUNIT_EXPECT_PTR_EQ(test, ctx_test_bound(b), p);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), 3U);

	/* Closing every file leaves the primary to its address space. */
	ctx_test_close(a);
	ctx_test_close(b);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), 1U);
	a = ctx_test_open(test);
	KUNIT_EXPECT_PTR_EQ(test, ctx_test_bound(a), p);
	ctx_test_close(a);

	ctx_test_exit(test);
	KUNIT_EXPECT_TRUE(test, ctx_test_none_left(&t->vdev));
}

/* Without an address space of its own (a kernel thread), no context. */
static void vkfd_ctx_test_primary_needs_mm(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;

	KUNIT_ASSERT_NULL(test, current->mm);
	KUNIT_EXPECT_PTR_EQ(test, vkfd_ctx_open_primary(&t->vdev),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_TRUE(test, ctx_test_none_left(&t->vdev));
}

/* Each process has its own primary; an exited one is never found again. */
static void vkfd_ctx_test_primary_per_process(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;
	struct vkfd_file *a, *b;
	struct vkfd_ctx *old;

	ctx_test_enter(test);
	a = ctx_test_open(test);
	old = ctx_test_bound(a);
	ctx_test_exit(test);
	/* The file still holds the exited primary: it is allocated, not found. */
	KUNIT_EXPECT_EQ(test, ctx_test_refs(old), 1U);
	KUNIT_EXPECT_TRUE(test, old->fs_dead);
	KUNIT_EXPECT_NULL(test, old->sysfs);

	ctx_test_enter(test);
	b = ctx_test_open(test);
	KUNIT_EXPECT_PTR_NE(test, ctx_test_bound(b), old);
	KUNIT_EXPECT_PTR_EQ(test, ctx_test_bound(b)->mm, t->mm);
	ctx_test_close(b);
	ctx_test_exit(test);

	ctx_test_close(a);
	KUNIT_EXPECT_TRUE(test, ctx_test_none_left(&t->vdev));
}

/* Secondary ids are handed out from 0, lowest free first. */
static void vkfd_ctx_test_ids_lowest_free(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;
	struct vkfd_file *f[4], *pf;
	struct vkfd_ctx *p;
	int i;

	ctx_test_enter(test);
	pf = ctx_test_open(test);
	p = ctx_test_bound(pf);
	for (i = 0; i < 3; i++) {
		f[i] = ctx_test_open_secondary(test);
		KUNIT_EXPECT_EQ(test, ctx_test_bound(f[i])->id, i);
		KUNIT_EXPECT_PTR_EQ(test, ctx_test_bound(f[i])->primary, p);
		KUNIT_EXPECT_FALSE(test, vkfd_ctx_is_primary(ctx_test_bound(f[i])));
	}

	/* A closed secondary's id is free again at once, and reused first. */
	ctx_test_close(f[1]);
	KUNIT_EXPECT_NULL(test, xa_load(&p->secondaries, 1));
	f[1] = ctx_test_open_secondary(test);
	KUNIT_EXPECT_EQ(test, ctx_test_bound(f[1])->id, 1);
	f[3] = ctx_test_open_secondary(test);
	KUNIT_EXPECT_EQ(test, ctx_test_bound(f[3])->id, 3);

	for (i = 0; i < 4; i++)
		ctx_test_close(f[i]);
	ctx_test_close(pf);
	ctx_test_exit(test);
	KUNIT_EXPECT_TRUE(test, ctx_test_none_left(&t->vdev));
}

/*
 * Building reserves an id nobody can look up; aborting frees it and
 * leaves the file bound to the primary; a file can be claimed once.
 */
static void vkfd_ctx_test_build_abort(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;
	struct vkfd_file *pf, *f;
	struct vkfd_ctx *p, *sec;
	unsigned int refs;

	ctx_test_enter(test);
	pf = ctx_test_open(test);
	p = ctx_test_bound(pf);
	f = ctx_test_open(test);
	refs = ctx_test_refs(p);

	sec = vkfd_ctx_build_secondary(f, p);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sec);
	KUNIT_EXPECT_EQ(test, sec->id, 0);
	KUNIT_EXPECT_TRUE(test, f->converting);
	KUNIT_EXPECT_PTR_EQ(test, ctx_test_bound(f), p);
	/* Reserved, not published: neither lookups nor the list see it */
	KUNIT_EXPECT_NULL(test, xa_load(&p->secondaries, 0));
	KUNIT_EXPECT_NULL(test, vkfd_ctx_lookup_secondary(p, 0));
	KUNIT_EXPECT_FALSE(test, ctx_test_listed(&t->vdev, sec));
	/* The secondary's reference on the primary */
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), refs + 1);
	/* A second conversion of the claimed file fails, changing nothing */
	KUNIT_EXPECT_PTR_EQ(test, vkfd_ctx_build_secondary(f, p),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_TRUE(test, f->converting);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), refs + 1);

	vkfd_ctx_abort_secondary(f, sec);
	KUNIT_EXPECT_FALSE(test, f->converting);
	KUNIT_EXPECT_PTR_EQ(test, ctx_test_bound(f), p);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), refs);
	KUNIT_EXPECT_TRUE(test, xa_empty(&p->secondaries));

	/* The id the aborted one had is the next one's */
	sec = ctx_test_convert(test, f);
	KUNIT_EXPECT_EQ(test, sec->id, 0);
	KUNIT_EXPECT_FALSE(test, f->converting);
	/* The file's reference moved from the primary to the secondary */
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), refs);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(sec), 1U);
	KUNIT_EXPECT_TRUE(test, ctx_test_listed(&t->vdev, sec));

	/* A file bound to a secondary converts no more, whatever it names */
	KUNIT_EXPECT_PTR_EQ(test, vkfd_ctx_build_secondary(f, p),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_PTR_EQ(test, ctx_test_bound(f), sec);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), refs);
	KUNIT_EXPECT_NULL(test, xa_load(&p->secondaries, 1));

	ctx_test_close(f);
	ctx_test_close(pf);
	ctx_test_exit(test);
	KUNIT_EXPECT_TRUE(test, ctx_test_none_left(&t->vdev));
}

/*
 * 65535 secondaries (ids 0..0xfffe) per primary: the next one fails with
 * -ENOSPC and changes nothing; freeing any id makes room for exactly one.
 * The ids are held by reservations made directly in the primary's table
 * (what a built secondary holds), not by 65535 contexts.
 */
static void vkfd_ctx_test_ids_limit(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;
	struct vkfd_file *pf, *f;
	struct vkfd_ctx *p, *sec;
	unsigned int refs, n = 0;
	u32 id;

	ctx_test_enter(test);
	pf = ctx_test_open(test);
	p = ctx_test_bound(pf);
	f = ctx_test_open(test);
	refs = ctx_test_refs(p);

	while (!xa_alloc(&p->secondaries, &id, NULL,
			 XA_LIMIT(0, VKFD_CTX_ID_MAX), GFP_KERNEL)) {
		KUNIT_ASSERT_EQ(test, id, n);
		n++;
	}
	KUNIT_ASSERT_EQ(test, n, VKFD_CTX_ID_MAX + 1);

	KUNIT_EXPECT_PTR_EQ(test, vkfd_ctx_build_secondary(f, p),
			    ERR_PTR(-ENOSPC));
	KUNIT_EXPECT_FALSE(test, f->converting);
	KUNIT_EXPECT_PTR_EQ(test, ctx_test_bound(f), p);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), refs);

	xa_erase(&p->secondaries, 4242);
	sec = ctx_test_convert(test, f);
	KUNIT_EXPECT_EQ(test, sec->id, 4242);
	/* the primary's own id is never a secondary's */
	KUNIT_EXPECT_PTR_EQ(test, vkfd_ctx_build_secondary(pf, p),
			    ERR_PTR(-ENOSPC));

	ctx_test_close(f);
	for (id = 0; id <= VKFD_CTX_ID_MAX; id++)
		xa_erase(&p->secondaries, id);
	ctx_test_close(pf);
	ctx_test_exit(test);
	KUNIT_EXPECT_TRUE(test, ctx_test_none_left(&t->vdev));
}

/* Lookups by id find published secondaries only, with a reference. */
static void vkfd_ctx_test_lookup_by_id(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;
	struct vkfd_file *pf, *f;
	struct vkfd_ctx *p, *sec, *found;

	ctx_test_enter(test);
	pf = ctx_test_open(test);
	p = ctx_test_bound(pf);
	f = ctx_test_open_secondary(test);
	sec = ctx_test_bound(f);

	found = vkfd_ctx_lookup_secondary(p, sec->id);
	KUNIT_EXPECT_PTR_EQ(test, found, sec);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(sec), 2U);
	vkfd_ctx_put(found);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(sec), 1U);

	KUNIT_EXPECT_NULL(test, vkfd_ctx_lookup_secondary(p, sec->id + 1));
	KUNIT_EXPECT_NULL(test, vkfd_ctx_lookup_secondary(p, VKFD_CTX_ID_MAX));
	/* The primary is not its own secondary */
	KUNIT_EXPECT_NULL(test, vkfd_ctx_lookup_secondary(p,
							  VKFD_CTX_ID_PRIMARY));

	/* Closed: gone from lookups, its directory removed */
	ctx_test_close(f);
	KUNIT_EXPECT_NULL(test, vkfd_ctx_lookup_secondary(p, 0));
	KUNIT_EXPECT_TRUE(test, xa_empty(&p->secondaries));

	ctx_test_close(pf);
	ctx_test_exit(test);
	KUNIT_EXPECT_TRUE(test, ctx_test_none_left(&t->vdev));
}

/* A file answers only to the process that opened it, in its address space. */
static void vkfd_ctx_test_lookup_by_file(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;
	struct vkfd_file *pf, *f;
	struct mm_struct *mm;
	struct vkfd_ctx *p;

	ctx_test_enter(test);
	pf = ctx_test_open(test);
	p = ctx_test_bound(pf);
	f = ctx_test_open(test);
	KUNIT_EXPECT_PTR_EQ(test, vkfd_file_ctx(pf), p);
	KUNIT_EXPECT_PTR_EQ(test, vkfd_file_ctx(f), p);

	/* Converted: the file is the secondary's, the other one stays */
	ctx_test_convert(test, f);
	KUNIT_EXPECT_PTR_EQ(test, vkfd_file_ctx(f), ctx_test_bound(f));
	KUNIT_EXPECT_PTR_NE(test, vkfd_file_ctx(f), p);
	KUNIT_EXPECT_PTR_EQ(test, vkfd_file_ctx(pf), p);

	/* Another address space (exec, or a CLONE_VM sibling): nothing */
	mm = t->mm;
	kthread_unuse_mm(mm);
	t->mm = NULL;
	ctx_test_enter(test);
	KUNIT_EXPECT_NULL(test, vkfd_file_ctx(pf));
	KUNIT_EXPECT_NULL(test, vkfd_file_ctx(f));
	ctx_test_exit(test);
	/* Back in its own: found again */
	t->mm = mm;
	kthread_use_mm(mm);
	KUNIT_EXPECT_PTR_EQ(test, vkfd_file_ctx(pf), p);

	/* After the process exited: nothing, for the secondary too */
	ctx_test_exit(test);
	KUNIT_EXPECT_NULL(test, vkfd_file_ctx(pf));
	KUNIT_EXPECT_NULL(test, vkfd_file_ctx(f));

	ctx_test_close(f);
	ctx_test_close(pf);
	KUNIT_EXPECT_TRUE(test, ctx_test_none_left(&t->vdev));
}

/* A reference taken by a lookup outlives the file of the secondary. */
static void vkfd_ctx_test_ref_outlives_file(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;
	struct vkfd_file *pf, *f;
	struct vkfd_ctx *p, *sec, *ref;
	unsigned int prefs;

	ctx_test_enter(test);
	pf = ctx_test_open(test);
	p = ctx_test_bound(pf);
	f = ctx_test_open_secondary(test);
	sec = ctx_test_bound(f);
	prefs = ctx_test_refs(p);

	ref = vkfd_ctx_lookup_secondary(p, sec->id);
	KUNIT_ASSERT_PTR_EQ(test, ref, sec);
	ctx_test_close(f);
	/* Still whole: its id, its directory, its hold on the primary */
	KUNIT_EXPECT_EQ(test, ctx_test_refs(sec), 1U);
	KUNIT_EXPECT_EQ(test, sec->id, 0);
	KUNIT_EXPECT_NOT_NULL(test, sec->sysfs);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), prefs);
	KUNIT_EXPECT_TRUE(test, ctx_test_listed(&t->vdev, sec));

	/* The last reference tears it down before returning */
	vkfd_ctx_put(ref);
	KUNIT_EXPECT_NULL(test, vkfd_ctx_lookup_secondary(p, 0));
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), prefs - 1);
	KUNIT_EXPECT_TRUE(test, xa_empty(&p->secondaries));

	ctx_test_close(pf);
	ctx_test_exit(test);
	KUNIT_EXPECT_TRUE(test, ctx_test_none_left(&t->vdev));
}

/*
 * Each secondary holds its primary. The primary's process exits first:
 * the family's directories go with the address space, the primary stays
 * allocated, unfindable, until its last secondary's file is closed.
 */
static void vkfd_ctx_test_primary_exits_first(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;
	struct vkfd_file *pf, *f[2];
	struct vkfd_ctx *p, *sec[2];
	int i;

	ctx_test_enter(test);
	pf = ctx_test_open(test);
	p = ctx_test_bound(pf);
	for (i = 0; i < 2; i++) {
		f[i] = ctx_test_open_secondary(test);
		sec[i] = ctx_test_bound(f[i]);
		KUNIT_EXPECT_NOT_NULL(test, sec[i]->sysfs);
	}
	/* The file's, the notifier's, one per secondary */
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), 4U);
	ctx_test_close(pf);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), 3U);

	ctx_test_exit(test);
	/* The notifier's reference is gone, the secondaries' are not */
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), 2U);
	KUNIT_EXPECT_TRUE(test, p->fs_dead);
	KUNIT_EXPECT_NULL(test, p->sysfs);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_NULL(test, sec[i]->sysfs);
		KUNIT_EXPECT_EQ(test, ctx_test_refs(sec[i]), 1U);
		KUNIT_EXPECT_TRUE(test, ctx_test_listed(&t->vdev, sec[i]));
	}
	KUNIT_EXPECT_TRUE(test, ctx_test_listed(&t->vdev, p));

	ctx_test_close(f[0]);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), 1U);
	KUNIT_EXPECT_FALSE(test, ctx_test_listed(&t->vdev, sec[0]));
	KUNIT_EXPECT_TRUE(test, ctx_test_listed(&t->vdev, p));
	/* The last secondary takes the primary with it */
	ctx_test_close(f[1]);
	KUNIT_EXPECT_TRUE(test, ctx_test_none_left(&t->vdev));
}

/*
 * Secondaries closed first: each dies with its file, its directory and
 * id gone at once, while the primary and its other secondaries live on.
 */
static void vkfd_ctx_test_secondary_closes_first(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;
	struct vkfd_file *pf, *f[2];
	struct vkfd_ctx *p, *other;

	ctx_test_enter(test);
	pf = ctx_test_open(test);
	p = ctx_test_bound(pf);
	f[0] = ctx_test_open_secondary(test);
	f[1] = ctx_test_open_secondary(test);
	other = ctx_test_bound(f[1]);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), 4U);

	ctx_test_close(f[0]);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), 3U);
	KUNIT_EXPECT_NULL(test, vkfd_ctx_lookup_secondary(p, 0));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&p->secondaries, 1), other);
	KUNIT_EXPECT_NOT_NULL(test, other->sysfs);
	KUNIT_EXPECT_NOT_NULL(test, p->sysfs);
	KUNIT_EXPECT_FALSE(test, p->fs_dead);

	ctx_test_close(f[1]);
	KUNIT_EXPECT_EQ(test, ctx_test_refs(p), 2U);
	KUNIT_EXPECT_TRUE(test, xa_empty(&p->secondaries));
	KUNIT_EXPECT_TRUE(test, ctx_test_listed(&t->vdev, p));

	ctx_test_close(pf);
	ctx_test_exit(test);
	KUNIT_EXPECT_TRUE(test, ctx_test_none_left(&t->vdev));
}

static int vkfd_ctx_test_init(struct kunit *test)
{
	struct vkfd_ctx_test *t;
	struct device *dev;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	dev = kunit_device_register(test, "vkfd-ctx-test");
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	t->vdev.name = "vkfd-ctx-test";
	t->vdev.proc_kobj = &dev->kobj;
	t->vdev.wq = alloc_workqueue("vkfd_ctx_test", WQ_UNBOUND, 0);
	if (!t->vdev.wq)
		return -ENOMEM;
	vkfd_ctx_table_init(&t->vdev);
	test->priv = t;
	return 0;
}

static void vkfd_ctx_test_exit(struct kunit *test)
{
	struct vkfd_ctx_test *t = test->priv;

	/* Warns if a case left a context behind */
	vkfd_ctx_table_fini(&t->vdev);
	destroy_workqueue(t->vdev.wq);
}

static struct kunit_case vkfd_ctx_test_cases[] = {
	KUNIT_CASE(vkfd_ctx_test_primary_shared),
	KUNIT_CASE(vkfd_ctx_test_primary_needs_mm),
	KUNIT_CASE(vkfd_ctx_test_primary_per_process),
	KUNIT_CASE(vkfd_ctx_test_ids_lowest_free),
	KUNIT_CASE(vkfd_ctx_test_build_abort),
	KUNIT_CASE(vkfd_ctx_test_ids_limit),
	KUNIT_CASE(vkfd_ctx_test_lookup_by_id),
	KUNIT_CASE(vkfd_ctx_test_lookup_by_file),
	KUNIT_CASE(vkfd_ctx_test_ref_outlives_file),
	KUNIT_CASE(vkfd_ctx_test_primary_exits_first),
	KUNIT_CASE(vkfd_ctx_test_secondary_closes_first),
	{}
};

static struct kunit_suite vkfd_ctx_test_suite = {
	.name = "vkfd-ctx",
	.init = vkfd_ctx_test_init,
	.exit = vkfd_ctx_test_exit,
	.test_cases = vkfd_ctx_test_cases,
};

kunit_test_suite(vkfd_ctx_test_suite);
