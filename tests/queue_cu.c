// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * AMDKFD_IOC_SET_CU_MASK: its errnos, in amdkfd's order, and the mask it
 * leaves each queue, in sysfs queues/<qid>/cu_mask (docs/uapi.rst).
 *
 * The checks before the queue lookup, and the answer to an unknown queue,
 * run on amdkfd too; the rest needs a queue, hence a GPU, and skips there.
 */
#include "kselftest_harness.h"
#include "queue_utils.h"

/* SET_CU_MASK of queue @id: @bits bits at @mask. 0 or -errno. */
static int _test_set_cu_mask(int fd, uint32_t id, uint32_t bits,
			     const void *mask)
{
	struct kfd_ioctl_set_cu_mask_args a = {
		.queue_id = id,
		.num_cu_mask = bits,
		.cu_mask_ptr = (uintptr_t)mask,
	};

	return vkfd_ioctl(fd, AMDKFD_IOC_SET_CU_MASK, &a);
}

/* queues/<qid>/cu_mask of @fd's context, without its newline; "" if unreadable. */
static const char *q_cu_mask(FIXTURE_DATA(queue) *self, int fd, uint32_t qid,
			     char *buf, size_t n)
{
	char file[48], path[PATH_MAX];
	ssize_t len;

	snprintf(file, sizeof(file), "queues/%u/cu_mask", qid);
	q_sysfs_path(self, self->b.pid, vkfd_ctx_id_of_fd(fd), file, path,
		     sizeof(path));
	len = vkfd_read_text(path, buf, n);
	if (len < 1 || buf[len - 1] != '\n')
		return "";
	buf[len - 1] = '\0';
	return buf;
}

#define EXPECT_CU_MASK(fd, qid, want) do {				\
	char __b[64];							\
	EXPECT_STREQ((want), q_cu_mask(self, (fd), (qid), __b, sizeof(__b))) \
		TH_LOG("queue %u", (qid));				\
} while (0)

/*
 * @len bytes readable at the returned address, the page after them
 * mapped by nothing.
 */
static uint8_t *before_hole(struct __test_metadata *_metadata, size_t len)
{
	uint8_t *p = mmap(NULL, 2 * Q_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + Q_PAGE, Q_PAGE));
	memset(p, 0xff, Q_PAGE);
	return p + Q_PAGE - len;
}

/*
 * In amdkfd's order, before the queue is looked up: a count of 0 or not
 * a multiple of 32 is EINVAL, a mask that cannot be read EFAULT; then an
 * unknown queue is EFAULT.
 */
TEST_F(queue, cu_mask_errnos)
{
	static const uint32_t bad_counts[] = { 0, 1, 31, 33, 1000, 0xffffffff };
	uint32_t mask[4] = { 0xf, 0, 0, 0 };
	uint8_t *edge = before_hole(_metadata, 4);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_counts); i++) {
		EXPECT_EQ(-EINVAL, _test_set_cu_mask(self->b.p.fd, 0, bad_counts[i], mask))
			TH_LOG("%u bits", bad_counts[i]);
		/* the count is checked before the pointer */
		EXPECT_EQ(-EINVAL, _test_set_cu_mask(self->b.p.fd, 0, bad_counts[i], NULL))
			TH_LOG("%u bits", bad_counts[i]);
	}
	EXPECT_EQ(-EFAULT, _test_set_cu_mask(self->b.p.fd, 0, 32, NULL));
	EXPECT_EQ(-EFAULT, _test_set_cu_mask(self->b.p.fd, 0, 32,
					     (void *)0xffff888000000000ULL));
	/* 64 bits where only 32 can be read */
	EXPECT_EQ(-EFAULT, _test_set_cu_mask(self->b.p.fd, 0, 64, edge));
	/* readable, but no queue 0, nor 1023, 1024, ~0 */
	EXPECT_EQ(-EFAULT, _test_set_cu_mask(self->b.p.fd, 0, 32, edge));
	EXPECT_EQ(-EFAULT, _test_set_cu_mask(self->b.p.fd, 1023, 128, mask));
	EXPECT_EQ(-EFAULT, _test_set_cu_mask(self->b.p.fd, 1024, 32, mask));
	EXPECT_EQ(-EFAULT, _test_set_cu_mask(self->b.p.fd, 0xffffffff, 32, mask));
	EXPECT_EQ(0, munmap(edge + 4 - Q_PAGE, Q_PAGE));
}

/*
 * A new queue has all 4 CUs; a mask keeps its first 4 bits, an empty one
 * is accepted, a failed call changes nothing, and the mask goes with the
 * queue.
 */
TEST_F(queue, cu_mask_recorded)
{
	static const struct {
		uint32_t bits, mask[2];
		const char *want;
	} ok[] = {
		{ 32, { 0x5 }, "5" },
		{ 32, { 0xfffffff0 }, "0" },		/* no CU of the GPU */
		{ 64, { 0xfffffffa, 0xffffffff }, "a" },
		{ 32, { 0xffffffff }, "f" },
		{ 64, { 0x3, 0xffffffff }, "3" },
	};
	uint32_t mask = 0x1;
	unsigned int i;
	int id;

	Q_NEED_GPUS(1);
	id = q_create(self->b.p.fd, self->b.gpu[0]);
	ASSERT_EQ(0, id);
	EXPECT_CU_MASK(self->b.p.fd, 0, "f");
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		EXPECT_EQ(0, _test_set_cu_mask(self->b.p.fd, 0, ok[i].bits, ok[i].mask));
		EXPECT_CU_MASK(self->b.p.fd, 0, ok[i].want);
	}
	/* failures leave "3" */
	EXPECT_EQ(-EINVAL, _test_set_cu_mask(self->b.p.fd, 0, 16, &mask));
	EXPECT_EQ(-EINVAL, _test_set_cu_mask(self->b.p.fd, 0, 0, &mask));
	EXPECT_EQ(-EFAULT, _test_set_cu_mask(self->b.p.fd, 0, 32, NULL));
	EXPECT_EQ(-EFAULT, _test_set_cu_mask(self->b.p.fd, 1, 32, &mask));
	EXPECT_CU_MASK(self->b.p.fd, 0, "3");
	EXPECT_QUEUE_SYSFS(self->b.p.fd, 0, Q_RING, Q_SYSFS_SDMA, self->b.gpu[0]);

	/* destroyed: the id is unknown; a new queue 0 has all CUs again */
	ASSERT_EQ(0, _test_destroy_queue(self->b.p.fd, 0));
	EXPECT_EQ(-EFAULT, _test_set_cu_mask(self->b.p.fd, 0, 32, &mask));
	ASSERT_EQ(0, q_create(self->b.p.fd, self->b.gpu[0]));
	EXPECT_CU_MASK(self->b.p.fd, 0, "f");
}

/* More than 1024 bits: only the first 1024 are read (amdkfd's limit). */
TEST_F(queue, cu_mask_over_1024_bits_cut)
{
	static const uint32_t counts[] = { 1056, 2048, 0xffffffe0 };
	uint8_t *edge = before_hole(_metadata, 128);
	unsigned int i;

	Q_NEED_GPUS(1);
	ASSERT_EQ(0, q_create(self->b.p.fd, self->b.gpu[0]));
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		edge[0] = (uint8_t)(0x9 - i);
		EXPECT_EQ(0, _test_set_cu_mask(self->b.p.fd, 0, counts[i], edge))
			TH_LOG("%u bits", counts[i]);
	}
	EXPECT_CU_MASK(self->b.p.fd, 0, "7");
	/* 1024 bits of which 1023 are readable */
	EXPECT_EQ(-EFAULT, _test_set_cu_mask(self->b.p.fd, 0, 1024, edge + 4));
	EXPECT_CU_MASK(self->b.p.fd, 0, "7");
	EXPECT_EQ(0, munmap(edge + 128 - Q_PAGE, Q_PAGE));
}

/*
 * Queue ids are per context: a mask set through a secondary's fd is its
 * queue's, never the primary's queue of the same id; any queue type takes
 * one.
 */
TEST_F(queue, cu_mask_per_context_and_type)
{
	static const uint32_t types[] = { KFD_IOC_QUEUE_TYPE_COMPUTE,
					  KFD_IOC_QUEUE_TYPE_COMPUTE_AQL,
					  KFD_IOC_QUEUE_TYPE_SDMA };
	struct kfd_ioctl_create_queue_args a;
	uint32_t two = 0x2, four = 0x4;
	unsigned int i;
	int fd[3];

	Q_NEED_GPUS(1);
	q_three_contexts(_metadata, self, fd);
	for (i = 0; i < 3; i++) {
		a = q_args(self->b.gpu[0], types[i], Q_RING);
		ASSERT_EQ(0, _test_create_queue(fd[i], &a));
		ASSERT_EQ(0U, a.queue_id);
	}
	EXPECT_EQ(0, _test_set_cu_mask(fd[1], 0, 32, &two));
	EXPECT_EQ(0, _test_set_cu_mask(fd[2], 0, 32, &four));
	EXPECT_CU_MASK(fd[0], 0, "f");
	EXPECT_CU_MASK(fd[1], 0, "2");
	EXPECT_CU_MASK(fd[2], 0, "4");
	/* the secondary has no queue 1, though the primary gets one */
	ASSERT_EQ(1, q_create(fd[0], self->b.gpu[0]));
	EXPECT_EQ(-EFAULT, _test_set_cu_mask(fd[1], 1, 32, &two));
	EXPECT_CU_MASK(fd[0], 1, "f");
}

TEST_HARNESS_MAIN
