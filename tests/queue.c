// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * CREATE_QUEUE, DESTROY_QUEUE and UPDATE_QUEUE: every errno, ids and their
 * reuse, the 1024-queue limit, the doorbell_offset encoding, the sysfs
 * files of queues and VMs, contexts that cannot reach each other's
 * queues, and libvkfd's queue calls. The doorbell mmap is in
 * queue_mmap.c, lifetimes and races in queue_life.c, execution in
 * queue_exec.c.
 */
#include "kselftest_harness.h"
#include "queue_utils.h"

#define Q_LIB_VA	0x7e0000000000ULL	/* GPU and CPU address of libvkfd's rings */

/* A queue of each kind: ids in order, amdkfd's doorbell encoding, sysfs. */
TEST_F(queue, create_destroy)
{
	struct kfd_ioctl_create_queue_args a;
	int i;

	Q_NEED_GPUS(1);
	for (i = 0; i < 3; i++) {
		a = q_args(self->b.gpu[0], KFD_IOC_QUEUE_TYPE_SDMA, Q_RING << i);
		ASSERT_EQ(0, _test_create_queue(self->b.p.fd, &a));
		EXPECT_EQ((uint32_t)i, a.queue_id);
		/* The cookie, with the doorbell's byte offset in the low bits */
		EXPECT_EQ(q_doorbell_offset(self->b.gpu[0], i), a.doorbell_offset);
		/* Inputs are left as they were */
		EXPECT_EQ(Q_RING << i, a.ring_size);
		EXPECT_QUEUE_SYSFS(self->b.p.fd, (uint32_t)i, Q_RING << i,
				   Q_SYSFS_SDMA, self->b.gpu[0]);
	}
	EXPECT_QUEUES(self->b.p.fd, 3);

	/* A destroyed queue's id is the next one given, not before */
	ASSERT_EQ(0, _test_destroy_queue(self->b.p.fd, 1));
	EXPECT_FALSE(q_sysfs_exists(self, self->b.pid, VKFD_CTX_ID_PRIMARY, 1));
	EXPECT_QUEUES(self->b.p.fd, 2);
	EXPECT_EQ(-EINVAL, _test_destroy_queue(self->b.p.fd, 1));
	EXPECT_EQ(1, q_create(self->b.p.fd, self->b.gpu[0]));
	EXPECT_EQ(3, q_create(self->b.p.fd, self->b.gpu[0]));
	EXPECT_QUEUES(self->b.p.fd, 4);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, _test_destroy_queue(self->b.p.fd, i));
	EXPECT_QUEUES(self->b.p.fd, 0);
}

enum q_field {
	QF_NONE, QF_PCT, QF_PRIO, QF_SIZE, QF_RING, QF_RPTR, QF_WPTR, QF_EOP,
	QF_EOP_SIZE, QF_CTX, QF_CTX_SIZE, QF_TYPE, QF_GPU,
};

#define Q_GPU_UNUSED	(1ULL << 32)	/* QF_GPU: a gpu_id no node has */

static void q_set(struct kfd_ioctl_create_queue_args *a, enum q_field f,
		  uint64_t v)
{
	switch (f) {
	case QF_NONE: break;
	case QF_PCT: a->queue_percentage = v; break;
	case QF_PRIO: a->queue_priority = v; break;
	case QF_SIZE: a->ring_size = v; break;
	case QF_RING: a->ring_base_address = v; break;
	case QF_RPTR: a->read_pointer_address = v; break;
	case QF_WPTR: a->write_pointer_address = v; break;
	case QF_EOP: a->eop_buffer_address = v; break;
	case QF_EOP_SIZE: a->eop_buffer_size = v; break;
	case QF_CTX: a->ctx_save_restore_address = v; break;
	case QF_CTX_SIZE: a->ctx_save_restore_size = v; break;
	case QF_TYPE: a->queue_type = v; break;
	case QF_GPU: a->gpu_id = v; break;
	}
}

/*
 * Bad CREATE_QUEUE arguments. "shared": amdkfd checks the same before it
 * looks at gpu_id, so the answer is the same there (its access_ok() on
 * what it takes for CPU addresses rejects everything at or above 2^47).
 */
static const struct q_bad {
	const char *what;
	enum q_field f1;
	uint64_t v1;
	enum q_field f2;
	uint64_t v2;
	int err;
	bool shared;
} q_bad_create[] = {
	{ "percentage 101", QF_PCT, 101, QF_NONE, 0, EINVAL, true },
	{ "percentage ~0", QF_PCT, UINT32_MAX, QF_NONE, 0, EINVAL, true },
	{ "priority 16", QF_PRIO, 16, QF_NONE, 0, EINVAL, true },
	{ "priority ~0", QF_PRIO, UINT32_MAX, QF_NONE, 0, EINVAL, true },
	{ "ring size 3", QF_SIZE, 3, QF_NONE, 0, EINVAL, true },
	{ "ring size 3 pages", QF_SIZE, 3 * Q_PAGE, QF_NONE, 0, EINVAL, true },
	{ "ring size 2^31 + 1", QF_SIZE, 0x80000001U, QF_NONE, 0, EINVAL, true },
	{ "ring at the VM's end", QF_RING, Q_VA_TOP, QF_NONE, 0, EFAULT, true },
	{ "ring a kernel address", QF_RING, 0xffff888000000000ULL, QF_NONE, 0,
	  EFAULT, true },
	{ "ring past the VM's end", QF_RING, Q_VA_TOP - 2048, QF_NONE, 0,
	  EFAULT, true },
	{ "ring size 0 counts as 1 KiB", QF_RING, Q_VA_TOP - 512, QF_SIZE, 0,
	  EFAULT, true },
	{ "ring size 2^31 wraps", QF_RING, 0xffffffff00000000ULL, QF_SIZE,
	  0x80000000U, EFAULT, true },
	{ "ring 8-byte aligned", QF_RING, Q_RING_VA + 8, QF_NONE, 0, EINVAL,
	  false },
	{ "ring 128-byte aligned", QF_RING, Q_RING_VA + 128, QF_NONE, 0,
	  EINVAL, false },
	{ "rptr at the VM's end", QF_RPTR, Q_VA_TOP, QF_NONE, 0, EFAULT, true },
	{ "rptr in the last 4 bytes", QF_RPTR, Q_VA_TOP - 4, QF_NONE, 0,
	  EFAULT, true },
	{ "rptr ~0", QF_RPTR, UINT64_MAX, QF_NONE, 0, EFAULT, true },
	{ "rptr 4-byte aligned", QF_RPTR, Q_PTR_VA + 4, QF_NONE, 0, EINVAL,
	  false },
	{ "wptr at the VM's end", QF_WPTR, Q_VA_TOP, QF_NONE, 0, EFAULT, true },
	{ "wptr 4-byte aligned", QF_WPTR, Q_PTR_VA + 12, QF_NONE, 0, EINVAL,
	  false },
	{ "eop at the VM's end", QF_EOP, Q_VA_TOP, QF_NONE, 0, EFAULT, true },
	{ "eop size wraps", QF_EOP, Q_PAGE, QF_EOP_SIZE, UINT64_MAX, EFAULT,
	  false },
	{ "ctx save at the VM's end", QF_CTX, Q_VA_TOP, QF_NONE, 0, EFAULT,
	  true },
	{ "ctx save past the VM's end", QF_CTX, Q_VA_TOP - Q_PAGE, QF_CTX_SIZE,
	  2 * Q_PAGE, EFAULT, true },
	{ "type 4", QF_TYPE, 4, QF_NONE, 0, Q_ENOTSUPP, true },
	{ "type ~0", QF_TYPE, UINT32_MAX, QF_NONE, 0, Q_ENOTSUPP, true },
	{ "type before gpu_id", QF_TYPE, 4, QF_GPU, Q_GPU_UNUSED, Q_ENOTSUPP,
	  true },
	{ "pointers before gpu_id", QF_RPTR, Q_VA_TOP, QF_GPU, Q_GPU_UNUSED,
	  EFAULT, true },
	{ "gpu_id 0 (the CPU)", QF_GPU, 0, QF_NONE, 0, EINVAL, true },
	{ "unknown gpu_id", QF_GPU, Q_GPU_UNUSED, QF_NONE, 0, EINVAL, true },
};

/* Each bad argument: its errno, the argument untouched, nothing made. */
TEST_F(queue, create_bad_arguments)
{
	struct kfd_ioctl_create_queue_args a, before;
	struct vkfd_topo topo;
	uint32_t gpu, unused;
	unsigned int i;

	if (!self->b.env.amdkfd && !self->b.ngpus)
		SKIP(return, "no GPU node in the topology");
	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	unused = vkfd_topo_unused_gpu_id(&topo);
	/* amdkfd: everything here is checked before the (missing) GPU */
	gpu = self->b.ngpus ? self->b.gpu[0] : unused;
	for (i = 0; i < sizeof(q_bad_create) / sizeof(q_bad_create[0]); i++) {
		const struct q_bad *c = &q_bad_create[i];

		if (self->b.env.amdkfd && !c->shared)
			continue;
		a = q_args(gpu, KFD_IOC_QUEUE_TYPE_SDMA, Q_RING);
		q_set(&a, c->f1, c->v1 == Q_GPU_UNUSED ? unused : c->v1);
		q_set(&a, c->f2, c->v2 == Q_GPU_UNUSED ? unused : c->v2);
		before = a;
		EXPECT_EQ(-c->err, _test_create_queue(self->b.p.fd, &a))
			TH_LOG("%s", c->what);
		if (self->b.env.amdkfd)
			continue;
		/* amdkfd would write a clamped ring_size back; vkfd writes nothing */
		EXPECT_EQ(0, memcmp(&before, &a, sizeof(a))) TH_LOG("%s", c->what);
		EXPECT_NOTHING_MADE(self->b.p.fd, 0, 0);
	}
}

/* A GPU the context has no VM on: ESRCH, as amdkfd says for an unbound GPU. */
TEST_F(queue, create_without_vm_esrch)
{
	struct kfd_ioctl_create_queue_args a;
	int s;

	Q_NEED_GPUS(1);
	s = vkfd_keep_secondary(&self->b);
	a = q_args(self->b.gpu[0], KFD_IOC_QUEUE_TYPE_SDMA, Q_RING);
	EXPECT_EQ(-ESRCH, _test_create_queue(s, &a));
	EXPECT_QUEUES(s, 0);
	if (self->b.ngpus >= 2) {
		/* The primary has its VM on the first GPU only */
		a = q_args(self->b.gpu[1], KFD_IOC_QUEUE_TYPE_SDMA, Q_RING);
		EXPECT_EQ(-ESRCH, _test_create_queue(self->b.p.fd, &a));
		EXPECT_NOTHING_MADE(self->b.p.fd, 0, 0);
	}
	/* With its VM, the same call works */
	s = vkfd_keep_secondary_vm(&self->b, 0);
	a = q_args(self->b.gpu[0], KFD_IOC_QUEUE_TYPE_SDMA, Q_RING);
	EXPECT_EQ(0, _test_create_queue(s, &a));
	EXPECT_EQ(0U, a.queue_id);
	EXPECT_QUEUES(s, 1);
}

/*
 * Every type is accepted (SDMA and AQL ones execute): sysfs shows amdkfd's
 * internal type, in which AQL is COMPUTE. Compute queues come with the
 * EOP and context-save areas libhsakmt passes for a gfx900.
 */
TEST_F(queue, create_every_type)
{
	static const struct {
		uint32_t type, sysfs;
	} types[] = {
		{ KFD_IOC_QUEUE_TYPE_COMPUTE, Q_SYSFS_COMPUTE },
		{ KFD_IOC_QUEUE_TYPE_SDMA, Q_SYSFS_SDMA },
		{ KFD_IOC_QUEUE_TYPE_COMPUTE_AQL, Q_SYSFS_COMPUTE },
		{ KFD_IOC_QUEUE_TYPE_SDMA_XGMI, Q_SYSFS_SDMA_XGMI },
	};
	struct kfd_ioctl_create_queue_args a;
	unsigned int i;

	Q_NEED_GPUS(1);
	for (i = 0; i < 4; i++) {
		a = q_args(self->b.gpu[0], types[i].type, Q_RING);
		if (!(types[i].type & 1)) {
			a.eop_buffer_address = 0x60000000;
			a.eop_buffer_size = 4096;
			a.ctx_save_restore_address = 0x61000000;
			a.ctx_save_restore_size = 0x155000 + 0x1000;
			a.ctl_stack_size = 4096;
		}
		ASSERT_EQ(0, _test_create_queue(self->b.p.fd, &a)) TH_LOG("type %u", types[i].type);
		EXPECT_EQ(i, a.queue_id);
		EXPECT_EQ(q_doorbell_offset(self->b.gpu[0], i), a.doorbell_offset);
		EXPECT_QUEUE_SYSFS(self->b.p.fd, i, Q_RING, types[i].sysfs, self->b.gpu[0]);
	}
	EXPECT_QUEUES(self->b.p.fd, 4);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, q_update(self->b.p.fd, i, 0, 0, 0, 0));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, _test_destroy_queue(self->b.p.fd, i));
	EXPECT_QUEUES(self->b.p.fd, 0);
}

/* No ring, a ring below 1 KiB: accepted; the size counts as 1 KiB (amdkfd's clamp). */
TEST_F(queue, create_small_or_no_ring)
{
	struct kfd_ioctl_create_queue_args a;

	Q_NEED_GPUS(1);
	a = q_args(self->b.gpu[0], KFD_IOC_QUEUE_TYPE_SDMA, 0);
	a.ring_base_address = 0;
	ASSERT_EQ(0, _test_create_queue(self->b.p.fd, &a));
	EXPECT_EQ(0U, a.ring_size);
	EXPECT_QUEUE_SYSFS(self->b.p.fd, 0, 1024, Q_SYSFS_SDMA, self->b.gpu[0]);
	a = q_args(self->b.gpu[0], KFD_IOC_QUEUE_TYPE_SDMA, 256);
	ASSERT_EQ(0, _test_create_queue(self->b.p.fd, &a));
	EXPECT_EQ(256U, a.ring_size);
	EXPECT_QUEUE_SYSFS(self->b.p.fd, 1, 1024, Q_SYSFS_SDMA, self->b.gpu[0]);
	/* A 2 GiB ring that ends exactly at the top of the VM */
	a = q_args(self->b.gpu[0], KFD_IOC_QUEUE_TYPE_SDMA, 0x80000000U);
	a.ring_base_address = Q_VA_TOP - 0x80000000ULL;
	a.read_pointer_address = Q_VA_TOP - 16;
	a.write_pointer_address = Q_VA_TOP - 8;
	ASSERT_EQ(0, _test_create_queue(self->b.p.fd, &a));
	EXPECT_QUEUE_SYSFS(self->b.p.fd, 2, 0x80000000ULL, Q_SYSFS_SDMA, self->b.gpu[0]);
	/* Pointers at 0 are allowed, as amdkfd: the engine faults on them */
	a = q_args(self->b.gpu[0], KFD_IOC_QUEUE_TYPE_SDMA, Q_RING);
	a.read_pointer_address = 0;
	a.write_pointer_address = 0;
	ASSERT_EQ(0, _test_create_queue(self->b.p.fd, &a));
	EXPECT_QUEUES(self->b.p.fd, 4);
}

/*
 * 1024 queues per context, over all GPUs: the next is ENOSPC and makes
 * nothing; a destroyed id is the next given. The limit is the point, so
 * it cannot be scaled down: where VKFD_TEST_EXHAUSTIVE=0 (the debug lane
 * would spend 13 s on it) distro-6.1 runs it.
 */
TEST_F_TIMEOUT(queue, limit_1024, 300)
{
	struct kfd_ioctl_create_queue_args a;
	int i, g, ngpus, render;

	Q_NEED_GPUS(1);
	if (!vkfd_exhaustive())
		SKIP(return, "VKFD_TEST_EXHAUSTIVE=0: distro-6.1 runs the 1,024 queues");
	ngpus = self->b.ngpus < 2 ? 1 : 2;
	if (ngpus == 2) {
		ASSERT_EQ(0, vkfd_open_vm(&self->b.p, self->b.env.topology,
					  self->b.gpu[1], &render));
		vkfd_keep(&self->b, render);
	}
	for (i = 0; i < Q_MAX; i++) {
		g = i % ngpus;
		a = q_args(self->b.gpu[g], KFD_IOC_QUEUE_TYPE_SDMA, Q_RING);
		ASSERT_EQ(0, _test_create_queue(self->b.p.fd, &a)) TH_LOG("queue %d", i);
		ASSERT_EQ((uint32_t)i, a.queue_id);
		ASSERT_EQ(q_doorbell_offset(self->b.gpu[g], i), a.doorbell_offset);
	}
	EXPECT_QUEUES(self->b.p.fd, Q_MAX);
	for (g = 0; g < ngpus; g++) {
		a = q_args(self->b.gpu[g], KFD_IOC_QUEUE_TYPE_COMPUTE, Q_RING);
		EXPECT_EQ(-ENOSPC, _test_create_queue(self->b.p.fd, &a));
		EXPECT_QUEUES(self->b.p.fd, Q_MAX);
	}
	EXPECT_QUEUE_SYSFS(self->b.p.fd, Q_MAX - 1, Q_RING, Q_SYSFS_SDMA,
			   self->b.gpu[(Q_MAX - 1) % ngpus]);
	/* Another context has its own 1024 */
	EXPECT_EQ(0, q_create(vkfd_keep_secondary_vm(&self->b, 0), self->b.gpu[0]));

	ASSERT_EQ(0, _test_destroy_queue(self->b.p.fd, 517));
	a = q_args(self->b.gpu[0], KFD_IOC_QUEUE_TYPE_SDMA, Q_RING);
	ASSERT_EQ(0, _test_create_queue(self->b.p.fd, &a));
	EXPECT_EQ(517U, a.queue_id);
	EXPECT_EQ(q_doorbell_offset(self->b.gpu[0], 517), a.doorbell_offset);
	EXPECT_EQ(-ENOSPC, q_create(self->b.p.fd, self->b.gpu[0]));
	for (i = 0; i < Q_MAX; i++)
		ASSERT_EQ(0, _test_destroy_queue(self->b.p.fd, i)) TH_LOG("queue %d", i);
	EXPECT_QUEUES(self->b.p.fd, 0);
}

/* Ids no queue has: DESTROY says EINVAL, UPDATE EFAULT, as amdkfd. */
TEST_F(queue, unknown_ids)
{
	static const uint32_t ids[] = {
		0, 1, Q_MAX - 1, Q_MAX, INT32_MAX, (uint32_t)INT32_MAX + 1,
		UINT32_MAX,
	};
	struct kfd_ioctl_destroy_queue_args d;
	unsigned int i;
	int id = -1;

	if (!self->b.env.amdkfd) {
		Q_NEED_GPUS(1);
		/* Queue 0 exists: every other id is unknown */
		id = q_create(self->b.p.fd, self->b.gpu[0]);
		ASSERT_EQ(0, id);
	}
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if ((int)ids[i] == id)
			continue;
		EXPECT_EQ(-EINVAL, _test_destroy_queue(self->b.p.fd, ids[i])) TH_LOG("id %u", ids[i]);
		EXPECT_EQ(-EFAULT, q_update(self->b.p.fd, ids[i], Q_RING_VA,
					    Q_RING, 100, Q_PRIO_NORMAL))
			TH_LOG("id %u", ids[i]);
	}
	if (self->b.env.amdkfd)
		return;
	/* A non-zero pad is refused before the id is looked at (amdkfd ignores it) */
	d = (struct kfd_ioctl_destroy_queue_args){ .queue_id = 0, .pad = 1 };
	test_err_ioctl(EINVAL, self->b.p.fd, AMDKFD_IOC_DESTROY_QUEUE, &d);
	EXPECT_QUEUE_SYSFS(self->b.p.fd, 0, Q_RING, Q_SYSFS_SDMA, self->b.gpu[0]);
	EXPECT_NOTHING_MADE(self->b.p.fd, 1, 1);
	EXPECT_EQ(0, _test_destroy_queue(self->b.p.fd, 0));
	EXPECT_EQ(-EINVAL, _test_destroy_queue(self->b.p.fd, 0));
	EXPECT_EQ(-EFAULT, q_update(self->b.p.fd, 0, Q_RING_VA, Q_RING, 100, 0));
}

/* UPDATE_QUEUE: its argument checks (before the id, as amdkfd), then the change. */
TEST_F(queue, update)
{
	static const struct {
		const char *what;
		uint64_t base;
		uint32_t size, pct, prio;
		int err;
		bool shared;
	} bad[] = {
		{ "percentage 101", Q_RING_VA, Q_RING, 101, 0, EINVAL, true },
		{ "priority 16", Q_RING_VA, Q_RING, 100, 16, EINVAL, true },
		{ "ring size 3", Q_RING_VA, 3, 100, 0, EINVAL, true },
		{ "ring a kernel address", 0xffff888000000000ULL, Q_RING, 100, 0,
		  EFAULT, true },
		{ "ring past the VM's end", Q_VA_TOP - 2048, Q_RING, 100, 0,
		  EFAULT, true },
		{ "ring 8-byte aligned", Q_RING_VA + 8, Q_RING, 100, 0, EINVAL,
		  false },
	};
	unsigned int i;
	uint32_t id = 0;

	if (!self->b.env.amdkfd) {
		Q_NEED_GPUS(1);
		ASSERT_EQ(0, q_create(self->b.p.fd, self->b.gpu[0]));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (self->b.env.amdkfd && !bad[i].shared)
			continue;
		/* amdkfd: checked before the (unknown) id */
		EXPECT_EQ(-bad[i].err, q_update(self->b.p.fd, id, bad[i].base,
						bad[i].size, bad[i].pct,
						bad[i].prio))
			TH_LOG("%s", bad[i].what);
		if (!self->b.env.amdkfd)
			EXPECT_QUEUE_SYSFS(self->b.p.fd, id, Q_RING, Q_SYSFS_SDMA,
					   self->b.gpu[0]);
	}
	if (self->b.env.amdkfd)
		return;

	/* A new ring; then disabled (no ring, no share), then back */
	EXPECT_EQ(0, q_update(self->b.p.fd, id, Q_RING_VA + 0x100000, 2 * Q_RING,
			      50, 15));
	EXPECT_QUEUE_SYSFS(self->b.p.fd, id, 2 * Q_RING, Q_SYSFS_SDMA, self->b.gpu[0]);
	EXPECT_EQ(0, q_update(self->b.p.fd, id, 0, 0, 0, 0));
	EXPECT_QUEUE_SYSFS(self->b.p.fd, id, 1024, Q_SYSFS_SDMA, self->b.gpu[0]);
	EXPECT_EQ(0, q_update(self->b.p.fd, id, Q_RING_VA, Q_RING, 0, 0));
	EXPECT_EQ(0, q_update(self->b.p.fd, id, Q_RING_VA, 256, 100, 0));
	EXPECT_QUEUE_SYSFS(self->b.p.fd, id, 1024, Q_SYSFS_SDMA, self->b.gpu[0]);
	EXPECT_EQ(0, q_update(self->b.p.fd, id, Q_RING_VA, Q_RING, 100, 7));
	EXPECT_QUEUE_SYSFS(self->b.p.fd, id, Q_RING, Q_SYSFS_SDMA, self->b.gpu[0]);
	EXPECT_NOTHING_MADE(self->b.p.fd, 1, 1);
}

/*
 * Queue ids are per context: a primary's, two secondaries' queue 0 are
 * three queues, and none of them can be destroyed or changed through
 * another context's fd.
 */
TEST_F(queue, ids_per_context)
{
	int fd[3], i, j;

	Q_NEED_GPUS(1);
	q_three_contexts(_metadata, self, fd);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, q_create(fd[i], self->b.gpu[0]));
		EXPECT_QUEUE_SYSFS(fd[i], 0, Q_RING, Q_SYSFS_SDMA, self->b.gpu[0]);
	}
	/* Queue 1 of context i only */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, q_create(fd[i], self->b.gpu[0]));
		for (j = 0; j < 3; j++) {
			if (j == i)
				continue;
			EXPECT_EQ(-EINVAL, _test_destroy_queue(fd[j], 1)) TH_LOG("%d via %d", i, j);
			EXPECT_EQ(-EFAULT, q_update(fd[j], 1, 0, 0, 0, 0));
		}
		EXPECT_QUEUE_SYSFS(fd[i], 1, Q_RING, Q_SYSFS_SDMA, self->b.gpu[0]);
		ASSERT_EQ(0, _test_destroy_queue(fd[i], 1));
	}
	EXPECT_QUEUES(fd[0], 1);
	EXPECT_QUEUES(fd[1], 1);
	EXPECT_QUEUES(fd[2], 1);
	/* A context's queues go with it, the others' stay */
	vkfd_cleanup_close(&self->b.cl, fd[1]);
	EXPECT_QUEUES(fd[0], 1);
	EXPECT_QUEUES(fd[2], 1);
	EXPECT_EQ(0, _test_destroy_queue(fd[2], 0));
	EXPECT_QUEUES(fd[0], 1);
}

/* Names of the entries of a directory, sorted, comma-separated. */
static void q_listing(const char *path, char *buf, size_t n)
{
	struct dirent **names;
	int i, k;

	buf[0] = '\0';
	k = scandir(path, &names, NULL, alphasort);
	for (i = 0; i < k; i++) {
		if (names[i]->d_name[0] != '.')
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%s",
				 buf[0] ? "," : "", names[i]->d_name);
		free(names[i]);
	}
	if (k >= 0)
		free(names);
}

/*
 * sdma_<gpuid> and counters_<gpuid>/faults come with a VM, not before:
 * an idle secondary's directory stays as small as it was (limits/, its
 * quotas, it has from the start). A primary has
 * sdma_<gpuid> of every GPU from the start: rocm-smi --showpids reads it
 * for every process and GPU.
 */
TEST_F(queue, vm_sysfs_files)
{
	char dir[PATH_MAX], want[512], got[512], file[64];
	struct vkfd_context s;
	uint64_t v = 0;
	uint32_t id;
	int g, render;

	Q_NEED_GPUS(1);
	s.fd = vkfd_keep_secondary(&self->b);
	id = vkfd_ctx_id_of_fd(s.fd);
	vkfd_ctx_sysfs_path(&self->b.env, self->b.pid, id, "", dir, sizeof(dir));
	want[0] = '\0';
	snprintf(want, sizeof(want), "limits,pasid,queues");
	for (g = 0; g < self->b.ngpus; g++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
			 ",vram_%u", self->b.gpu[g]);
	q_listing(dir, got, sizeof(got));
	EXPECT_STREQ(want, got);

	ASSERT_EQ(0, vkfd_open_vm(&s, self->b.env.topology, self->b.gpu[0], &render));
	vkfd_keep(&self->b, render);
	snprintf(want, sizeof(want), "counters_%u,limits,pasid,queues,sdma_%u",
		 self->b.gpu[0], self->b.gpu[0]);
	for (g = 0; g < self->b.ngpus; g++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
			 ",vram_%u", self->b.gpu[g]);
	q_listing(dir, got, sizeof(got));
	EXPECT_STREQ(want, got);
	snprintf(file, sizeof(file), "counters_%u", self->b.gpu[0]);
	vkfd_ctx_sysfs_path(&self->b.env, self->b.pid, id, file, dir, sizeof(dir));
	q_listing(dir, got, sizeof(got));
	EXPECT_STREQ("faults", got);
	snprintf(file, sizeof(file), "counters_%u/faults", self->b.gpu[0]);
	EXPECT_EQ(0, vkfd_ctx_sysfs_u64(&self->b.env, self->b.pid, id, file, &v));
	EXPECT_EQ(0ULL, v);
	snprintf(file, sizeof(file), "sdma_%u", self->b.gpu[0]);
	EXPECT_EQ(0, vkfd_ctx_sysfs_u64(&self->b.env, self->b.pid, id, file, &v));
	EXPECT_EQ(0ULL, v);

	/* The primary: sdma_ of every GPU, its VM on the first GPU only */
	for (g = 0; g < self->b.ngpus; g++) {
		snprintf(file, sizeof(file), "sdma_%u", self->b.gpu[g]);
		v = UINT64_MAX;
		EXPECT_EQ(0, vkfd_ctx_sysfs_u64(&self->b.env, self->b.pid,
						VKFD_CTX_ID_PRIMARY, file, &v));
		if (g)
			EXPECT_EQ(0ULL, v);
		snprintf(file, sizeof(file), "counters_%u/faults", self->b.gpu[g]);
		EXPECT_EQ(g ? -ENOENT : 0,
			  vkfd_ctx_sysfs_u64(&self->b.env, self->b.pid,
					     VKFD_CTX_ID_PRIMARY, file, &v));
	}
}

/* A libvkfd queue of @c's at Q_LIB_VA + @off with a ring of @size bytes. */
#define Q_LIB_CREATE(c, render, off, size, q)				\
	ASSERT_EQ(0, vkfd_queue_create(c, render, self->b.gpu[0],	\
				       Q_LIB_VA + (off), size, q))

/* The primary has @bos buffers (libvkfd's rings), by the test hooks. */
#define EXPECT_PRIMARY_BOS(n) do {					\
	struct vkfd_ctx_row __row;					\
	ASSERT_EQ(0, vkfd_ctx_row(self->b.pid, VKFD_CTX_ID_PRIMARY,	\
				  &__row));				\
	EXPECT_EQ((uint64_t)(n), __row.bos);				\
} while (0)

/*
 * libvkfd: the ring is one buffer the CPU and the GPU see at the same
 * address; destroying the queue frees the buffer and the CPU range.
 */
TEST_F(queue, lib_create_destroy)
{
	struct vkfd_queue q;
	struct vkfd_xlate x;
	unsigned char vec;
	int i;

	Q_NEED_GPUS(1);
	Q_LIB_CREATE(&self->b.p, self->b.render, 0, Q_RING, &q);
	EXPECT_EQ(0U, q.id);
	EXPECT_EQ(self->b.gpu[0], q.gpu_id);
	EXPECT_EQ(self->b.p.fd, q.ctx_fd);
	EXPECT_EQ((void *)(uintptr_t)Q_LIB_VA, (void *)q.ring);
	EXPECT_EQ(Q_RING, q.ring_size);
	EXPECT_EQ(Q_RING + Q_PAGE, q.bo.size);
	EXPECT_EQ((volatile uint64_t *)((char *)q.ring + Q_RING), q.rptr);
	EXPECT_EQ(0ULL, *q.rptr);
	EXPECT_EQ(0ULL, q.wptr);
	EXPECT_EQ(q_doorbell_offset(self->b.gpu[0], 0), q.doorbell_offset);
	EXPECT_EQ((volatile uint64_t *)q.doorbell_page, q.doorbell);
	EXPECT_QUEUE_SYSFS(self->b.p.fd, 0, Q_RING, Q_SYSFS_SDMA,
			   self->b.gpu[0]);
	EXPECT_PRIMARY_BOS(1);

	/* What the CPU writes to the ring is what the GPU VM has there */
	for (i = 0; i < 4; i++)
		q.ring[i] = 0x5a5a0000 + i;
	ASSERT_EQ(0, vkfd_translate(self->b.pid, VKFD_CTX_ID_PRIMARY,
				    self->b.gpu[0], Q_LIB_VA, &x));
	ASSERT_TRUE(x.mapped) TH_LOG("%s", x.text);
	EXPECT_STREQ("rw", x.perm);
	EXPECT_EQ(0, memcmp(x.data, q.ring, 16));

	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	EXPECT_QUEUES(self->b.p.fd, 0);
	EXPECT_PRIMARY_BOS(0);
	/* The CPU range is free again */
	EXPECT_EQ(-1, mincore((void *)(uintptr_t)Q_LIB_VA, 4096, &vec));
	EXPECT_EQ(ENOMEM, errno);
}

/* A second queue: id 1, the same doorbell page, the next doorbell. */
TEST_F(queue, lib_second_queue_next_doorbell)
{
	struct vkfd_queue q, q2;
	uint64_t *page;

	Q_NEED_GPUS(1);
	Q_LIB_CREATE(&self->b.p, self->b.render, 0, Q_RING, &q);
	Q_LIB_CREATE(&self->b.p, self->b.render, 0x100000, Q_RING, &q2);
	EXPECT_EQ(1U, q2.id);
	EXPECT_EQ((volatile uint64_t *)((char *)q2.doorbell_page + 8),
		  q2.doorbell);
	page = q.doorbell_page;
	page[1] = 0x1234;
	EXPECT_EQ(0x1234ULL, *q2.doorbell);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q2));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	EXPECT_QUEUES(self->b.p.fd, 0);
	EXPECT_PRIMARY_BOS(0);
}

/* A CPU range in use is not replaced: EEXIST, nothing is made. */
TEST_F(queue, lib_create_cpu_range_in_use)
{
	struct vkfd_queue q;
	void *p;

	Q_NEED_GPUS(1);
	p = mmap((void *)(uintptr_t)Q_LIB_VA, 4096, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ((void *)(uintptr_t)Q_LIB_VA, p);
	EXPECT_EQ(-EEXIST, vkfd_queue_create(&self->b.p, self->b.render,
					     self->b.gpu[0], Q_LIB_VA, Q_RING,
					     &q));
	EXPECT_EQ(-1, q.ctx_fd);
	EXPECT_QUEUES(self->b.p.fd, 0);
	EXPECT_PRIMARY_BOS(0);
	munmap(p, 4096);
}

/* The smallest ring, 1 KiB, shares its page with the pointers. */
TEST_F(queue, lib_create_smallest_ring)
{
	struct vkfd_queue q;

	Q_NEED_GPUS(1);
	Q_LIB_CREATE(&self->b.p, self->b.render, 0, 1024, &q);
	EXPECT_EQ(2 * Q_PAGE, q.bo.size);
	EXPECT_EQ((volatile uint64_t *)((char *)q.ring + 1024), q.rptr);
	EXPECT_QUEUE_SYSFS(self->b.p.fd, 0, 1024, Q_SYSFS_SDMA,
			   self->b.gpu[0]);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
	EXPECT_QUEUES(self->b.p.fd, 0);
}

/*
 * Ring sizes the library refuses, making nothing: not a power of two;
 * below 1 KiB, where the kernel would run a 1 KiB ring over the pointers
 * the library puts right after the ring.
 */
TEST_F(queue, lib_create_bad_ring_size)
{
	struct vkfd_queue q;

	Q_NEED_GPUS(1);
	EXPECT_EQ(-EINVAL, vkfd_queue_create(&self->b.p, self->b.render,
					     self->b.gpu[0], Q_LIB_VA, 3000,
					     &q));
	EXPECT_QUEUES(self->b.p.fd, 0);
	EXPECT_EQ(-EINVAL, vkfd_queue_create(&self->b.p, self->b.render,
					     self->b.gpu[0], Q_LIB_VA, 512,
					     &q));
	EXPECT_EQ(-1, q.ctx_fd);
	EXPECT_QUEUES(self->b.p.fd, 0);
	EXPECT_PRIMARY_BOS(0);
}

/*
 * A secondary's queue: its own id 0, its own doorbell slice; the
 * primary, whose queue 0 exists too, cannot destroy it.
 */
TEST_F(queue, lib_secondary_queue)
{
	struct vkfd_context s;
	struct vkfd_queue q, q2;
	int r;

	Q_NEED_GPUS(1);
	ASSERT_EQ(0, vkfd_secondary_vm(&self->b.env, self->b.gpu[0], &s, &r));
	vkfd_keep(&self->b, r);
	vkfd_keep(&self->b, s.fd);
	Q_LIB_CREATE(&s, r, 0, Q_RING, &q);
	EXPECT_EQ(0U, q.id);
	EXPECT_EQ(0ULL, *q.doorbell);
	EXPECT_QUEUE_SYSFS(s.fd, 0, Q_RING, Q_SYSFS_SDMA, self->b.gpu[0]);
	/*
	 * Through the primary, whose queue 0 exists too, the secondary's
	 * queue is not destroyed, and neither is the primary's
	 */
	Q_LIB_CREATE(&self->b.p, self->b.render, 0x100000, Q_RING, &q2);
	ASSERT_EQ(0U, q2.id);
	EXPECT_EQ(-EINVAL, vkfd_queue_destroy(&self->b.p, &q));
	EXPECT_QUEUES(self->b.p.fd, 1);
	EXPECT_QUEUES(s.fd, 1);
	EXPECT_EQ(0U, q.id);
	EXPECT_EQ(s.fd, q.ctx_fd);
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q2));
	EXPECT_EQ(0, vkfd_queue_destroy(&s, &q));
	EXPECT_QUEUES(s.fd, 0);
	/* A queue destroyed already: nothing to do */
	EXPECT_EQ(-EINVAL, vkfd_queue_destroy(&s, &q));
}

/*
 * vkfd_queue_submit() on a disabled queue, which nothing consumes: the
 * packets wrap into the ring, the doorbell gets the write pointer, and a
 * full ring says ENOSPC (more than the ring: EINVAL).
 */
TEST_F(queue, lib_submit_fills_ring)
{
	uint32_t dw[Q_RING / 4 + 1];
	struct vkfd_queue q;
	unsigned int i;

	Q_NEED_GPUS(1);
	ASSERT_EQ(0, vkfd_queue_create(&self->b.p, self->b.render, self->b.gpu[0],
				       Q_LIB_VA, Q_RING, &q));
	ASSERT_EQ(0, q_update(self->b.p.fd, q.id, Q_LIB_VA, Q_RING, 0, Q_PRIO_NORMAL));
	for (i = 0; i < Q_RING / 4 + 1; i++)
		dw[i] = 0xc0de0000 + i;
	EXPECT_EQ(-EINVAL, vkfd_queue_submit(&q, dw, Q_RING / 4 + 1));
	EXPECT_EQ(0ULL, q.wptr);
	ASSERT_EQ(0, vkfd_queue_submit(&q, dw, 3));
	EXPECT_EQ(12ULL, q.wptr);
	EXPECT_EQ(12ULL, *q.doorbell);
	EXPECT_EQ(12ULL, q.rptr[1]);	/* the write pointer in memory */
	ASSERT_EQ(0, vkfd_queue_submit(&q, dw + 3, Q_RING / 4 - 3));
	EXPECT_EQ((uint64_t)Q_RING, *q.doorbell);
	for (i = 0; i < Q_RING / 4; i++)
		ASSERT_EQ(dw[i], q.ring[i]) TH_LOG("dword %u", i);
	EXPECT_EQ(-ENOSPC, vkfd_queue_submit(&q, dw, 1));
	EXPECT_EQ((uint64_t)Q_RING, q.wptr);
	EXPECT_EQ((uint64_t)Q_RING, *q.doorbell);
	/* Nothing was read: idle never comes (a bounded wait) */
	EXPECT_EQ(-ETIMEDOUT, vkfd_queue_wait_idle(&q, 10));
	EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q));
}

TEST_HARNESS_MAIN
