// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The test ioctl's own contract (VKFD_IOC_TEST, <linux/vkfd_test.h>): the
 * errno of every bad argument, the argument handed back unchanged on
 * failure, root only, and what it reports of a known context.
 *
 * The ioctl exists only in a module built with VKFD_TEST=y, which every
 * vkfd lane loads: without it these tests skip with a reason no vkfd
 * lane allows. AMD's amdkfd has no such ioctl: the amdkfd lane skips.
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"

/* A pid no process can have: above the kernel's PID_MAX_LIMIT (2^22). */
#define NO_SUCH_PID	0x7ffffff0

FIXTURE(test_ioctl) {
	struct vkfd_base b;
};

FIXTURE_SETUP(test_ioctl)
{
	int ret;

	vkfd_base_setup(&self->b, VKFD_BASE_PRIMARY);
	/* Linux 6.1's harness runs the body after a SKIP() in setup: longjmp */
	if (self->b.env.amdkfd)
		VKFD_SETUP_SKIP("amdkfd: no vkfd test ioctl");
	ret = vkfd_hooks_probe();
	if (ret == -ENOTTY)
		VKFD_SETUP_SKIP("no test hooks: the module was built without VKFD_TEST=y");
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(test_ioctl)
{
	vkfd_base_teardown(&self->b);
}

/* @cmd, a valid VKFD_TEST_OP_CTX_COUNT of the caller's own pid. */
static void ti_count_cmd(struct vkfd_test_cmd *cmd)
{
	*cmd = (struct vkfd_test_cmd){
		.size = sizeof(*cmd),
		.op = VKFD_TEST_OP_CTX_COUNT,
		.ctx_count.pid = getpid(),
	};
}

/*
 * @cmd on the primary must fail with @err and come back exactly as it
 * went in.
 */
#define TI_EXPECT_ERR(err, cmd) do {					\
	struct vkfd_test_cmd __in = *(cmd);				\
	EXPECT_EQ(-(err), _test_ioctl_vkfd_test(self->b.p.fd, (cmd)));	\
	EXPECT_EQ(0, memcmp(&__in, (cmd), sizeof(__in)));		\
} while (0)

/* The argument's size field must be the structure's size: EINVAL. */
TEST_F(test_ioctl, bad_size)
{
	static const uint32_t sizes[] = {
		0, 16, sizeof(struct vkfd_test_cmd) - 1,
		sizeof(struct vkfd_test_cmd) + 1, 4096, UINT32_MAX,
	};
	struct vkfd_test_cmd cmd;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ti_count_cmd(&cmd);
		cmd.size = sizes[i];
		TI_EXPECT_ERR(EINVAL, &cmd);
	}
	ti_count_cmd(&cmd);
	EXPECT_EQ(0, _test_ioctl_vkfd_test(self->b.p.fd, &cmd));
	EXPECT_EQ(1U, cmd.ctx_count.contexts);
}

/* flags and pad of the header must be 0: EINVAL, whatever the op. */
TEST_F(test_ioctl, bad_flags_and_pad)
{
	struct vkfd_test_cmd cmd;

	ti_count_cmd(&cmd);
	cmd.flags = 1;
	TI_EXPECT_ERR(EINVAL, &cmd);
	ti_count_cmd(&cmd);
	cmd.flags = 1U << 31;
	TI_EXPECT_ERR(EINVAL, &cmd);
	ti_count_cmd(&cmd);
	cmd.pad = 1;
	TI_EXPECT_ERR(EINVAL, &cmd);
	/* the header is checked before the op */
	ti_count_cmd(&cmd);
	cmd.op = 0;
	cmd.pad = 1;
	TI_EXPECT_ERR(EINVAL, &cmd);
}

/* An op the module does not know: EOPNOTSUPP. */
TEST_F(test_ioctl, bad_op)
{
	static const uint32_t ops[] = {
		0, VKFD_TEST_OP_SDMA_QUERY + 1, 0x100, UINT32_MAX,
	};
	struct vkfd_test_cmd cmd;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		ti_count_cmd(&cmd);
		cmd.op = ops[i];
		TI_EXPECT_ERR(EOPNOTSUPP, &cmd);
	}
}

/* Each op's own inputs: pids, context ids and pads out of range: EINVAL. */
TEST_F(test_ioctl, bad_op_args)
{
	static const int32_t pids[] = { 0, -1, INT32_MIN };
	struct vkfd_test_cmd cmd;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pids); i++) {
		ti_count_cmd(&cmd);
		cmd.ctx_count.pid = pids[i];
		TI_EXPECT_ERR(EINVAL, &cmd);

		ti_count_cmd(&cmd);
		cmd.op = VKFD_TEST_OP_CTX_QUERY;
		cmd.ctx_query.pid = pids[i];
		cmd.ctx_query.ctx_id = VKFD_CTX_ID_PRIMARY;
		TI_EXPECT_ERR(EINVAL, &cmd);
	}
	ti_count_cmd(&cmd);
	cmd.ctx_count.pad = 1;
	TI_EXPECT_ERR(EINVAL, &cmd);

	ti_count_cmd(&cmd);
	cmd.op = VKFD_TEST_OP_CTX_QUERY;
	cmd.ctx_query.ctx_id = VKFD_CTX_ID_PRIMARY + 1;
	TI_EXPECT_ERR(EINVAL, &cmd);
	cmd.ctx_query.ctx_id = UINT32_MAX;
	TI_EXPECT_ERR(EINVAL, &cmd);

	ti_count_cmd(&cmd);
	cmd.op = VKFD_TEST_OP_TRANSLATE;
	cmd.translate = (struct vkfd_test_translate){
		.pid = getpid(), .ctx_id = VKFD_CTX_ID_PRIMARY + 1,
		.gpu_id = self->b.ngpus ? self->b.gpu[0] : 1,
	};
	TI_EXPECT_ERR(EINVAL, &cmd);
	cmd.translate.ctx_id = VKFD_CTX_ID_PRIMARY;
	cmd.translate.pad = 1;
	TI_EXPECT_ERR(EINVAL, &cmd);

	/* MMAP_HOLD: a pid > 0 and holders 0; MMAP_HOLDERS: pid 0 */
	for (i = 0; i < ARRAY_SIZE(pids); i++) {
		ti_count_cmd(&cmd);
		cmd.op = VKFD_TEST_OP_MMAP_HOLD;
		cmd.mmap_hold = (struct vkfd_test_mmap_hold){ .pid = pids[i] };
		TI_EXPECT_ERR(EINVAL, &cmd);
	}
	cmd.mmap_hold = (struct vkfd_test_mmap_hold){
		.pid = getpid(), .holders = 1,
	};
	TI_EXPECT_ERR(EINVAL, &cmd);
	cmd.op = VKFD_TEST_OP_MMAP_HOLDERS;
	cmd.mmap_hold = (struct vkfd_test_mmap_hold){ .pid = getpid() };
	TI_EXPECT_ERR(EINVAL, &cmd);

	ti_count_cmd(&cmd);
	cmd.op = VKFD_TEST_OP_SDMA_QUERY;
	cmd.sdma_query = (struct vkfd_test_sdma_query){
		.pid = 0, .ctx_id = VKFD_CTX_ID_PRIMARY,
	};
	TI_EXPECT_ERR(EINVAL, &cmd);
	cmd.sdma_query.pid = getpid();
	cmd.sdma_query.ctx_id = VKFD_CTX_ID_PRIMARY + 1;
	TI_EXPECT_ERR(EINVAL, &cmd);
}

/* No such process, context, GPU or VM: ENOENT; a process without contexts counts 0. */
TEST_F(test_ioctl, unknown_context)
{
	struct vkfd_test_cmd cmd;

	ti_count_cmd(&cmd);
	cmd.ctx_count.pid = NO_SUCH_PID;
	EXPECT_EQ(0, _test_ioctl_vkfd_test(self->b.p.fd, &cmd));
	EXPECT_EQ(0U, cmd.ctx_count.contexts);
	EXPECT_EQ(0U, cmd.ctx_count.exited);

	ti_count_cmd(&cmd);
	cmd.op = VKFD_TEST_OP_CTX_QUERY;
	cmd.ctx_query.pid = NO_SUCH_PID;
	cmd.ctx_query.ctx_id = VKFD_CTX_ID_PRIMARY;
	TI_EXPECT_ERR(ENOENT, &cmd);
	/* the caller's process, a secondary it does not have */
	cmd.ctx_query.pid = getpid();
	cmd.ctx_query.ctx_id = 0;
	TI_EXPECT_ERR(ENOENT, &cmd);
	cmd.ctx_query.ctx_id = VKFD_CTX_ID_PRIMARY - 1;
	TI_EXPECT_ERR(ENOENT, &cmd);

	ti_count_cmd(&cmd);
	cmd.op = VKFD_TEST_OP_TRANSLATE;
	cmd.translate = (struct vkfd_test_translate){
		.pid = getpid(), .ctx_id = VKFD_CTX_ID_PRIMARY, .gpu_id = 0,
	};
	/* no GPU has id 0 */
	TI_EXPECT_ERR(ENOENT, &cmd);
	if (self->b.ngpus) {
		/* the primary has no VM */
		cmd.translate.gpu_id = self->b.gpu[0];
		TI_EXPECT_ERR(ENOENT, &cmd);
		cmd.translate.pid = NO_SUCH_PID;
		TI_EXPECT_ERR(ENOENT, &cmd);
	}

	/* No such process to hold the mmap lock of */
	ti_count_cmd(&cmd);
	cmd.op = VKFD_TEST_OP_MMAP_HOLD;
	cmd.mmap_hold = (struct vkfd_test_mmap_hold){ .pid = NO_SUCH_PID };
	TI_EXPECT_ERR(ENOENT, &cmd);

	ti_count_cmd(&cmd);
	cmd.op = VKFD_TEST_OP_SDMA_QUERY;
	cmd.sdma_query = (struct vkfd_test_sdma_query){
		.pid = NO_SUCH_PID, .ctx_id = VKFD_CTX_ID_PRIMARY,
	};
	TI_EXPECT_ERR(ENOENT, &cmd);
	cmd.sdma_query.pid = getpid();
	cmd.sdma_query.ctx_id = 0;
	TI_EXPECT_ERR(ENOENT, &cmd);
}

/* Only a caller with CAP_SYS_ADMIN may look: EPERM, on its own fd too. */
TEST_F(test_ioctl, needs_cap_sys_admin)
{
	struct vkfd_test_cmd cmd;
	int status, fd, ret;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* The fd is opened as root; then the capability goes. */
		fd = vkfd_open_dev(&self->b.env);
		if (fd < 0)
			_exit(100);
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(101);
		ti_count_cmd(&cmd);
		ret = _test_ioctl_vkfd_test(fd, &cmd);
		/* and nothing was written */
		if (cmd.ctx_count.contexts)
			_exit(102);
		_exit(ret == -EPERM ? 0 : 103);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* What the ioctl says of the caller's own contexts, asked on either fd. */
TEST_F(test_ioctl, query_known_contexts)
{
	struct vkfd_test_cmd cmd;
	int fd, sec_fd;
	long id;

	VKFD_NEED_GPUS(&self->b, 1);
	sec_fd = vkfd_keep_secondary_vm(&self->b, 0);
	id = vkfd_ctx_id_of_fd(sec_fd);
	ASSERT_LE(0, id);

	ti_count_cmd(&cmd);
	EXPECT_EQ(0, _test_ioctl_vkfd_test(sec_fd, &cmd));
	EXPECT_EQ(2U, cmd.ctx_count.contexts);
	EXPECT_EQ(0U, cmd.ctx_count.exited);
	EXPECT_EQ(0U, cmd.ctx_count.pad);

	/* The primary: no VM, nothing allocated */
	for (fd = self->b.p.fd; ; fd = sec_fd) {
		ti_count_cmd(&cmd);
		cmd.op = VKFD_TEST_OP_CTX_QUERY;
		cmd.ctx_query.ctx_id = VKFD_CTX_ID_PRIMARY;
		ASSERT_EQ(0, _test_ioctl_vkfd_test(fd, &cmd));
		EXPECT_EQ(getpid(), cmd.ctx_query.pid);
		EXPECT_EQ((uint32_t)VKFD_CTX_ID_PRIMARY, cmd.ctx_query.ctx_id);
		EXPECT_EQ(0U, cmd.ctx_query.flags);
		EXPECT_EQ((uint32_t)self->b.ngpus, cmd.ctx_query.num_gpus);
		EXPECT_EQ(0U, cmd.ctx_query.pasids[0]);
		EXPECT_EQ(0U, cmd.ctx_query.nr_bos);
		EXPECT_EQ(0U, cmd.ctx_query.nr_queues);
		EXPECT_EQ(0U, cmd.ctx_query.nr_events);
		EXPECT_EQ(0ULL, cmd.ctx_query.vram);
		EXPECT_EQ(0ULL, cmd.ctx_query.pt);
		/* the primary's fd and the secondary's reference, at least */
		EXPECT_LE(2U, cmd.ctx_query.refs);
		if (fd == sec_fd)
			break;
	}

	/* The secondary: a VM on GPU 0 with its PASID and a page-table root */
	ti_count_cmd(&cmd);
	cmd.op = VKFD_TEST_OP_CTX_QUERY;
	cmd.ctx_query.ctx_id = id;
	ASSERT_EQ(0, _test_ioctl_vkfd_test(self->b.p.fd, &cmd));
	EXPECT_NE(0U, cmd.ctx_query.pasids[0]);
	EXPECT_NE(0ULL, cmd.ctx_query.pt);
	EXPECT_EQ(0U, cmd.ctx_query.nr_bos);
	EXPECT_LE(1U, cmd.ctx_query.refs);

	/* Nothing mapped at 0: present in no way, the VM's PASID */
	ti_count_cmd(&cmd);
	cmd.op = VKFD_TEST_OP_TRANSLATE;
	cmd.translate = (struct vkfd_test_translate){
		.pid = getpid(), .ctx_id = id, .gpu_id = self->b.gpu[0],
		.va = 0x1234,
	};
	ASSERT_EQ(0, _test_ioctl_vkfd_test(self->b.p.fd, &cmd));
	EXPECT_EQ(0x1234ULL, cmd.translate.va);
	EXPECT_EQ(0U, cmd.translate.flags);
	EXPECT_NE(0U, cmd.translate.pasid);
	EXPECT_EQ(0ULL, cmd.translate.pte);
	EXPECT_EQ(0ULL, cmd.translate.pfn);
}

TEST_HARNESS_MAIN
