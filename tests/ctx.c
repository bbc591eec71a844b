// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Secondary contexts: AMDKFD_IOC_CREATE_PROCESS in both encodings, context
 * ids and PASIDs, conversions racing with each other and with ioctls,
 * primary-only commands, and the sysfs and debugfs entries of a context.
 * Their lifetimes across fork, exec, SCM_RIGHTS and exit are in ctx_life.c.
 *
 * Linux 6.1's amdkfd has no secondary contexts (nr 0x27 is ENOTTY): every
 * test here skips there, saying so.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "ctx_utils.h"

static int ctx_info(int fd, uint32_t id, struct vkfd_ioctl_ctx_info *info)
{
	memset(info, 0, sizeof(*info));
	info->ctx_id = id;
	return _test_ioctl(fd, VKFD_IOC_CTX_INFO, info);
}

/*
 * Give the context of @fd its GPU VM on every GPU, through render files
 * that are closed again (the context keeps them). PASIDs come with the
 * VMs. Returns 0 or -errno.
 */
static int ctx_vms(const struct vkfd_env *env, int fd)
{
	struct vkfd_context c = { .fd = fd };
	uint32_t gpu[VKFD_MAX_GPUS];
	int n, i, ret, render;

	n = vkfd_gpu_ids(env->topology, gpu, VKFD_MAX_GPUS);
	if (n < 0)
		return n;
	for (i = 0; i < n && i < VKFD_MAX_GPUS; i++) {
		ret = vkfd_open_vm(&c, env->topology, gpu[i], &render);
		if (ret)
			return ret;
		close(render);
	}
	return 0;
}

/* Upstream's encoding, _IO('K', 0x27): the fd becomes secondary 0 with its own directory. */
TEST_F(ctx, create_upstream_encoding)
{
	struct vkfd_ioctl_ctx_info pri, sec;
	int p = vkfd_keep_open(&self->b);
	int s = vkfd_keep_open(&self->b);
	char path[PATH_MAX];

	ASSERT_EQ(0, ctx_vms(&self->b.env, p));
	ASSERT_EQ(0, ctx_info(p, VKFD_CTX_ID_SELF, &pri));
	EXPECT_EQ((uint32_t)VKFD_CTX_ID_PRIMARY, pri.ctx_id);
	test_create_process(s);
	ASSERT_EQ(0, ctx_info(s, VKFD_CTX_ID_SELF, &sec));
	EXPECT_EQ(0U, sec.ctx_id);
	/* A new context has no GPU VM, hence no PASID */
	for (uint32_t i = 0; i < sec.num_gpus; i++)
		EXPECT_EQ(0U, sec.pasids[i]);
	/* ... and once it has its VMs, PASIDs of its own on every GPU */
	ASSERT_EQ(0, ctx_vms(&self->b.env, s));
	ASSERT_EQ(0, ctx_info(s, VKFD_CTX_ID_SELF, &sec));
	ASSERT_EQ(pri.num_gpus, sec.num_gpus);
	for (uint32_t i = 0; i < sec.num_gpus; i++) {
		EXPECT_NE(0U, sec.pasids[i]);
		EXPECT_NE(pri.pasids[i], sec.pasids[i]);
	}
	/* proc/<pid>/context_0 with the files of the primary */
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, getpid(), 0));
	ctx_dir(&self->b.env, getpid(), 0, path, sizeof(path));
	strcat(path, "/queues");
	EXPECT_TRUE(vkfd_is_dir(path));
	ctx_dir(&self->b.env, getpid(), 0, path, sizeof(path));
	strcat(path, "/pasid");
	{
		uint64_t pasid;

		ASSERT_EQ(0, vkfd_read_u64(path, &pasid));
		EXPECT_EQ(sec.pasids[0], pasid);
	}
	/* The other fd is still the primary */
	EXPECT_EQ(VKFD_CTX_ID_PRIMARY, vkfd_ctx_id_of_fd(p));
}

/* ROCm's encoding, _IOWR with {flags, pad} = 0, works and leaves the argument as it was. */
TEST_F(ctx, create_rocm_encoding)
{
	struct vkfd_ioctl_create_process_args args = { 0, 0 };
	int s = vkfd_keep_open(&self->b);

	test_ioctl(s, VKFD_IOC_CREATE_PROCESS_ROCM, &args);
	EXPECT_EQ(0U, args.flags);
	EXPECT_EQ(0U, args.pad);
	EXPECT_EQ(0, vkfd_ctx_id_of_fd(s));
}

/* Non-zero flags or pad in ROCm's encoding: EINVAL, and the fd stays the primary's. */
TEST_F(ctx, create_rocm_bad_args_einval)
{
	struct vkfd_ioctl_create_process_args args = { 1, 0 };
	int s = vkfd_keep_open(&self->b);

	test_err_ioctl(EINVAL, s, VKFD_IOC_CREATE_PROCESS_ROCM, &args);
	args.flags = 0;
	args.pad = 1;
	test_err_ioctl(EINVAL, s, VKFD_IOC_CREATE_PROCESS_ROCM, &args);
	EXPECT_EQ(VKFD_CTX_ID_PRIMARY, vkfd_ctx_id_of_fd(s));
	EXPECT_EQ(0, vkfd_ctx_dir_count(&self->b.env, getpid()));
	/* Nothing was consumed: the next secondary is still id 0 */
	ASSERT_EQ(0, _test_create_process(s));
	EXPECT_EQ(0, vkfd_ctx_id_of_fd(s));
}

/* A secondary cannot be converted again (no nesting): EINVAL, nothing changes. */
TEST_F(ctx, create_on_secondary_einval)
{
	int s = vkfd_keep_open(&self->b);

	ASSERT_EQ(0, _test_create_process(s));
	EXPECT_EQ(-EINVAL, _test_create_process(s));
	EXPECT_EQ(0, vkfd_ctx_id_of_fd(s));
	EXPECT_EQ(1, vkfd_ctx_dir_count(&self->b.env, getpid()));
}

/* Converting the only fd keeps the primary; a new open() finds the same one. */
TEST_F(ctx, convert_only_fd_keeps_primary)
{
	struct vkfd_ioctl_ctx_info before, after, sec;
	int s = vkfd_keep_open(&self->b);
	int p;

	/* The primary's VMs (and PASIDs), made through this fd, stay its own */
	ASSERT_EQ(0, ctx_vms(&self->b.env, s));
	ASSERT_EQ(0, ctx_info(s, VKFD_CTX_ID_SELF, &before));
	ASSERT_EQ(0, _test_create_process(s));
	EXPECT_TRUE(vkfd_proc_exists(&self->b.env, getpid()));
	ASSERT_EQ(0, ctx_info(s, VKFD_CTX_ID_SELF, &sec));
	for (uint32_t i = 0; i < sec.num_gpus; i++)
		EXPECT_EQ(0U, sec.pasids[i]);
	p = vkfd_keep_open(&self->b);
	ASSERT_EQ(0, ctx_info(p, VKFD_CTX_ID_SELF, &after));
	EXPECT_EQ((uint32_t)VKFD_CTX_ID_PRIMARY, after.ctx_id);
	EXPECT_EQ(0, memcmp(before.pasids, after.pasids, sizeof(after.pasids)));
	if (after.num_gpus)
		EXPECT_NE(0U, after.pasids[0]);
}

/* Ids are the lowest free ones, unique while live, and reused only after release. */
TEST_F(ctx, ids_reused_only_after_release)
{
	int fd[3], i;

	for (i = 0; i < 3; i++) {
		fd[i] = vkfd_keep_open(&self->b);
		ASSERT_EQ(0, _test_create_process(fd[i]));
		EXPECT_EQ(i, vkfd_ctx_id_of_fd(fd[i]));
	}
	/* Releasing id 1 removes context_1 before close() returns */
	vkfd_cleanup_close(&self->b.cl, fd[1]);
	EXPECT_FALSE(ctx_dir_exists(&self->b.env, getpid(), 1));
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, getpid(), 0));
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, getpid(), 2));
	fd[1] = vkfd_keep_open(&self->b);
	ASSERT_EQ(0, _test_create_process(fd[1]));
	EXPECT_EQ(1, vkfd_ctx_id_of_fd(fd[1]));
	EXPECT_EQ(0, vkfd_ctx_id_of_fd(fd[0]));
	EXPECT_EQ(2, vkfd_ctx_id_of_fd(fd[2]));
}

/* Child: create one secondary, report its id, wait for the parent. */
static int one_secondary_child(void *arg, int in, int out)
{
	int fd = vkfd_open_dev(arg);
	uint64_t v;

	if (fd < 0 || _test_create_process(fd))
		return 1;
	if (vkfd_msg_send(out, vkfd_ctx_id_of_fd(fd)))
		return 2;
	vkfd_msg_recv(in, &v);
	return 0;
}

/* Ids are per process: two processes both get context 0, in their own directories. */
TEST_F(ctx, ids_per_process)
{
	int s = vkfd_keep_open(&self->b);
	uint64_t id;

	ASSERT_EQ(0, _test_create_process(s));
	EXPECT_EQ(0, vkfd_ctx_id_of_fd(s));
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, one_secondary_child,
				      &self->b.env));
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &id));
	EXPECT_EQ(0U, id);
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, self->b.child.pid, 0));
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, getpid(), 0));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, getpid(), 0));
}

/*
 * Every GPU VM has its own PASID: none shared between the VMs of a
 * primary and 16 secondaries; before its VMs a context has none.
 */
TEST_F(ctx, pasids_distinct)
{
	uint32_t seen[17 * VKFD_MAX_GPUS];
	struct vkfd_ioctl_ctx_info info;
	int n = 0, i, j, fd;

	for (i = 0; i < 17; i++) {
		fd = vkfd_keep_open(&self->b);
		if (i)
			ASSERT_EQ(0, _test_create_process(fd));
		ASSERT_EQ(0, ctx_info(fd, VKFD_CTX_ID_SELF, &info));
		for (j = 0; j < (int)info.num_gpus; j++)
			ASSERT_EQ(0U, info.pasids[j]);
		ASSERT_EQ(0, ctx_vms(&self->b.env, fd));
		ASSERT_EQ(0, ctx_info(fd, VKFD_CTX_ID_SELF, &info));
		ASSERT_LT(0U, info.num_gpus);
		for (j = 0; j < (int)info.num_gpus; j++) {
			ASSERT_NE(0U, info.pasids[j]);
			seen[n++] = info.pasids[j];
		}
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			EXPECT_NE(seen[i], seen[j]);
}

/*
 * 3,000 cycles of: a secondary, its VM on each GPU (through a render
 * file), record the PASIDs, close both. PASIDs are not reused immediately
 * (cyclic allocation): an allocator that hands back the id just freed
 * fails at the second cycle, and every cycle must free its context. The
 * lanes that leave the exhaustive tests to distro-6.1
 * (VKFD_TEST_EXHAUSTIVE=0) run 1,000, scaled as always: their kernels
 * run the same allocator, which the KUnit case
 * vkfd_pasid_test_no_immediate_reuse takes through 1,000 too.
 */
TEST_F_TIMEOUT(ctx, pasids_not_reused_in_cycles, 900)
{
	static uint8_t seen[65536];
	struct vkfd_ioctl_ctx_info info;
	int cycles = vkfd_scaled(vkfd_exhaustive() ? 3000 : 1000);
	int cycle, fd, dup = 0, ngpus, g;
	uint32_t gpu[VKFD_MAX_GPUS];
	struct vkfd_context c;
	int render[VKFD_MAX_GPUS];
	uint32_t i;

	ngpus = vkfd_gpu_ids(self->b.env.topology, gpu, VKFD_MAX_GPUS);
	ASSERT_LT(0, ngpus);
	ASSERT_GE(VKFD_MAX_GPUS, ngpus);
	TH_LOG("%d cycles, %d GPUs", cycles, ngpus);
	for (cycle = 0; cycle < cycles; cycle++) {
		fd = vkfd_open_dev(&self->b.env);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, _test_create_process(fd));
		c = (struct vkfd_context){ .fd = fd };
		for (g = 0; g < ngpus; g++) {
			render[g] = vkfd_render_open(self->b.env.topology, gpu[g]);
			ASSERT_LE(0, render[g]);
			ASSERT_EQ(0, vkfd_acquire_vm(&c, gpu[g], render[g]));
		}
		ASSERT_EQ(0, ctx_info(fd, VKFD_CTX_ID_SELF, &info));
		ASSERT_EQ((uint32_t)ngpus, info.num_gpus);
		/* 3,000 x GPUs < 65535: no PASID may come back */
		for (i = 0; i < info.num_gpus; i++) {
			ASSERT_NE(0U, info.pasids[i]);
			dup += seen[info.pasids[i]]++ != 0;
		}
		for (g = 0; g < ngpus; g++)
			ASSERT_EQ(0, close(render[g]));
		ASSERT_EQ(0, close(fd));
	}
	EXPECT_EQ(0, dup);
	/* ... and every cycle freed its id */
	EXPECT_EQ(0, vkfd_ctx_dir_count(&self->b.env, getpid()));
}

struct race {
	pthread_barrier_t barrier;
	int fds[8];
	int ret[8];
	int index;
	pthread_mutex_t lock;
};

static void *race_thread(void *arg)
{
	struct race *r = arg;
	int i;

	pthread_mutex_lock(&r->lock);
	i = r->index++;
	pthread_mutex_unlock(&r->lock);
	pthread_barrier_wait(&r->barrier);
	r->ret[i] = _test_create_process(r->fds[i]);
	return NULL;
}

static void race_run(struct race *r)
{
	pthread_t t[8];
	int i;

	pthread_barrier_init(&r->barrier, NULL, 8);
	pthread_mutex_init(&r->lock, NULL);
	r->index = 0;
	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, race_thread, r);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&r->barrier);
	pthread_mutex_destroy(&r->lock);
}

/* Eight threads convert one fd at once: exactly one wins, the others get EINVAL. */
TEST_F_TIMEOUT(ctx, race_create_same_fd, 300)
{
	struct race r;
	int i, won = 0, lost = 0, round;
	long id;

	for (round = 0; round < 20; round++) {
		int fd = vkfd_open_dev(&self->b.env);

		ASSERT_LE(0, fd);
		for (i = 0; i < 8; i++)
			r.fds[i] = fd;
		race_run(&r);
		for (i = 0; i < 8; i++) {
			won += r.ret[i] == 0;
			lost += r.ret[i] == -EINVAL;
		}
		EXPECT_EQ(round + 1, won);
		/* A loser may have held id 0 for a moment: any id, one directory */
		id = vkfd_ctx_id_of_fd(fd);
		EXPECT_LE(0, id);
		EXPECT_TRUE(ctx_dir_exists(&self->b.env, getpid(), id));
		EXPECT_EQ(1, vkfd_ctx_dir_count(&self->b.env, getpid()));
		close(fd);
		/* The losers' ids are all back: the next one is 0 again */
		EXPECT_EQ(0, vkfd_ctx_dir_count(&self->b.env, getpid()));
	}
	EXPECT_EQ(20 * 7, lost);
}

/* Eight threads convert eight fds at once: all succeed with distinct ids. */
TEST_F(ctx, race_create_different_fds)
{
	struct race r;
	long ids[8];
	int i, j;

	for (i = 0; i < 8; i++)
		r.fds[i] = vkfd_keep_open(&self->b);
	race_run(&r);
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(0, r.ret[i]);
		ids[i] = vkfd_ctx_id_of_fd(r.fds[i]);
		EXPECT_LE(0, ids[i]);
		EXPECT_GT(8, ids[i]);
		for (j = 0; j < i; j++)
			EXPECT_NE(ids[j], ids[i]);
	}
	EXPECT_EQ(8, vkfd_ctx_dir_count(&self->b.env, getpid()));
}

struct query_race {
	int fd;
	volatile bool stop;
	volatile long primary_seen, secondary_seen, other;
};

static void *query_thread(void *arg)
{
	struct query_race *q = arg;
	long id;

	while (!q->stop) {
		id = vkfd_ctx_id_of_fd(q->fd);
		if (id == VKFD_CTX_ID_PRIMARY)
			q->primary_seen++;
		else if (id == 0)
			q->secondary_seen++;
		else
			q->other++;
	}
	return NULL;
}

/*
 * Ioctls racing with the conversion of their fd run against the context
 * the fd was bound to when they started: before, the primary; after, the
 * secondary; never anything else.
 */
TEST_F(ctx, ioctls_racing_with_create)
{
	struct query_race q = { .fd = vkfd_keep_open(&self->b) };
	pthread_t t[2];
	int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, query_thread, &q));
	while (!q.primary_seen)
		sched_yield();
	ASSERT_EQ(0, _test_create_process(q.fd));
	q.secondary_seen = 0;
	while (!q.secondary_seen)
		sched_yield();
	q.stop = true;
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, q.other);
	EXPECT_EQ(0, vkfd_ctx_id_of_fd(q.fd));
}

/* An fd that was used before (queries, a failed conversion) converts like a fresh one. */
TEST_F(ctx, convert_used_fd)
{
	struct kfd_ioctl_set_xnack_mode_args xnack = { .xnack_enabled = -1 };
	struct vkfd_ioctl_create_process_args bad = { .flags = 1 };
	struct kfd_ioctl_get_version_args ver = { 0 };
	int p = vkfd_keep_open(&self->b);
	int s = vkfd_keep_open(&self->b);

	test_ioctl(s, AMDKFD_IOC_GET_VERSION, &ver);
	test_ioctl(s, AMDKFD_IOC_SET_XNACK_MODE, &xnack);
	test_err_ioctl(EINVAL, s, VKFD_IOC_CREATE_PROCESS_ROCM, &bad);
	ASSERT_EQ(0, _test_create_process(s));
	EXPECT_EQ(0, vkfd_ctx_id_of_fd(s));
	/* The primary, reached through the other fd, is untouched */
	EXPECT_EQ(VKFD_CTX_ID_PRIMARY, vkfd_ctx_id_of_fd(p));
	EXPECT_EQ(1, vkfd_ctx_dir_count(&self->b.env, getpid()));
}

/* SVM, the debugger and CRIU are primary-only: EOPNOTSUPP on a secondary, checked before anything else. */
TEST_F(ctx, primary_only_commands)
{
	static const unsigned int nrs[] = {
		_IOC_NR(AMDKFD_IOC_SVM), _IOC_NR(AMDKFD_IOC_CRIU_OP),
		VKFD_IOC_NR_DBG_TRAP,
	};
	struct kfd_ioctl_set_xnack_mode_args xnack = { .xnack_enabled = -1 };
	int p = vkfd_keep_open(&self->b);
	int s = vkfd_keep_open(&self->b);
	uint8_t buf[64];
	unsigned int i;

	ASSERT_EQ(0, _test_create_process(s));
	for (i = 0; i < ARRAY_SIZE(nrs); i++) {
		vkfd_fill(buf, sizeof(buf));
		EXPECT_EQ(-EOPNOTSUPP,
			  _test_ioctl(s, AMDKFD_IOWR(nrs[i], buf), buf));
		EXPECT_TRUE(vkfd_untouched(buf, sizeof(buf)));
		/* the primary: SVM is EPERM (no SVM), the others ENOTTY */
		EXPECT_EQ(nrs[i] == _IOC_NR(AMDKFD_IOC_SVM) ? -EPERM : -ENOTTY,
			  _test_ioctl(p, AMDKFD_IOWR(nrs[i], buf), buf));
	}
	/* Runtime enable is not restricted (not implemented: ENOTTY) */
	EXPECT_EQ(-ENOTTY, _test_ioctl(s, AMDKFD_IOWR(VKFD_IOC_NR_RUNTIME_ENABLE,
						       buf), buf));
	/* XNACK is off for every context; the query works on a secondary */
	test_ioctl(s, AMDKFD_IOC_SET_XNACK_MODE, &xnack);
	EXPECT_EQ(0, xnack.xnack_enabled);
}

/* The device-wide queries answer the same on a secondary as on the primary. */
TEST_F(ctx, queries_on_secondary)
{
	struct kfd_process_device_apertures pa[2][VKFD_MAX_GPUS];
	struct kfd_ioctl_get_process_apertures_new_args args;
	struct kfd_ioctl_get_version_args ver = { 0 };
	int fds[2], i;

	fds[0] = vkfd_keep_open(&self->b);
	fds[1] = vkfd_keep_open(&self->b);
	ASSERT_EQ(0, _test_create_process(fds[1]));
	test_ioctl(fds[1], AMDKFD_IOC_GET_VERSION, &ver);
	EXPECT_EQ(1U, ver.major_version);
	for (i = 0; i < 2; i++) {
		memset(pa[i], 0, sizeof(pa[i]));
		args = (struct kfd_ioctl_get_process_apertures_new_args) {
			.kfd_process_device_apertures_ptr = (uintptr_t)pa[i],
			.num_of_nodes = 1,
		};
		test_ioctl(fds[i], AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, &args);
		EXPECT_EQ(1U, args.num_of_nodes);
	}
	EXPECT_EQ(0, memcmp(pa[0], pa[1], sizeof(pa[0])));
}

/* The primary describes any of its secondaries; a secondary only itself. */
TEST_F(ctx, ctx_info_scope)
{
	struct vkfd_ioctl_ctx_info self_info, via_primary;
	int p = vkfd_keep_open(&self->b);
	int s0 = vkfd_keep_open(&self->b);
	int s1 = vkfd_keep_open(&self->b);

	ASSERT_EQ(0, _test_create_process(s0));
	ASSERT_EQ(0, _test_create_process(s1));
	ASSERT_EQ(0, ctx_info(s1, VKFD_CTX_ID_SELF, &self_info));
	ASSERT_EQ(0, ctx_info(p, 1, &via_primary));
	EXPECT_EQ(0, memcmp(&self_info, &via_primary, sizeof(self_info)));
	/* A secondary (a guest program) sees nothing of its siblings */
	EXPECT_EQ(-EPERM, ctx_info(s1, 0, &via_primary));
	EXPECT_EQ(-EPERM, ctx_info(s1, 1, &via_primary));
	/* No such secondary, or not a secondary id at all */
	EXPECT_EQ(-ENOENT, ctx_info(p, 2, &via_primary));
	EXPECT_EQ(-EINVAL, ctx_info(p, VKFD_CTX_ID_PRIMARY, &via_primary));
	/* Unknown flags and pad */
	memset(&via_primary, 0, sizeof(via_primary));
	via_primary.ctx_id = VKFD_CTX_ID_SELF;
	via_primary.flags = 1;
	test_err_ioctl(EINVAL, p, VKFD_IOC_CTX_INFO, &via_primary);
	via_primary.flags = 0;
	via_primary.pad = 1;
	test_err_ioctl(EINVAL, p, VKFD_IOC_CTX_INFO, &via_primary);
}

/*
 * debugfs shows the PASID of each GPU VM of a context, secondaries below
 * their primary; the files, and a secondary's directory, appear with the
 * VMs (an idle secondary costs no debugfs entry).
 */
TEST_F(ctx, debugfs_pasid_files)
{
	struct vkfd_ioctl_ctx_info info[2];
	char path[PATH_MAX];
	int fd[2], i, n;
	uint32_t gpu[VKFD_MAX_GPUS];
	uint64_t v;
	uint32_t g;

	if (!vkfd_debugfs_present())
		SKIP(return, "no debugfs at %s", vkfd_debugfs_root());
	n = vkfd_gpu_ids(self->b.env.topology, gpu, VKFD_MAX_GPUS);
	ASSERT_LT(0, n);
	fd[0] = vkfd_keep_open(&self->b);
	fd[1] = vkfd_keep_open(&self->b);
	ASSERT_EQ(0, _test_create_process(fd[1]));
	vkfd_debugfs_path(path, sizeof(path), "/proc/%d/context_0",
			  (int)getpid());
	EXPECT_FALSE(vkfd_exists(path));
	for (g = 0; g < (uint32_t)n; g++) {
		vkfd_debugfs_path(path, sizeof(path), "/proc/%d/pasid_%u",
				  (int)getpid(), gpu[g]);
		EXPECT_FALSE(vkfd_exists(path)) TH_LOG("%s", path);
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, ctx_vms(&self->b.env, fd[i]));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ctx_info(fd[i], VKFD_CTX_ID_SELF, &info[i]));
		for (g = 0; g < info[i].num_gpus; g++) {
			if (i)
				vkfd_debugfs_path(path, sizeof(path),
						  "/proc/%d/context_0/pasid_%u",
						  (int)getpid(), info[i].gpu_ids[g]);
			else
				vkfd_debugfs_path(path, sizeof(path),
						  "/proc/%d/pasid_%u",
						  (int)getpid(), info[i].gpu_ids[g]);
			ASSERT_EQ(0, vkfd_read_u64(path, &v)) TH_LOG("%s", path);
			EXPECT_NE(0U, info[i].pasids[g]);
			EXPECT_EQ(info[i].pasids[g], v);
		}
	}
	/* Closing the secondary removes its directory, not the primary's */
	vkfd_cleanup_close(&self->b.cl, fd[1]);
	vkfd_debugfs_path(path, sizeof(path), "/proc/%d/context_0",
			  (int)getpid());
	EXPECT_FALSE(vkfd_exists(path));
	vkfd_debugfs_path(path, sizeof(path), "/proc/%d/pasid_%u",
			  (int)getpid(), info[0].gpu_ids[0]);
	EXPECT_TRUE(vkfd_exists(path));
}

TEST_HARNESS_MAIN
