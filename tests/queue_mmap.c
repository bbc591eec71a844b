// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The doorbell and MMIO remap pages through mmap of /dev/kfd: amdkfd's
 * rules and docs/adversarial.rst rows 3 (wrong size, offset, length +- 1 page,
 * MAP_PRIVATE, another GPU, another process's fd) and 10 (a secondary's
 * fd maps the secondary's doorbells, never the primary's or a
 * sibling's); the pages' lifetime against the mappings; fork.
 *
 * vkfd only: the amdkfd lane has no GPU, hence no doorbell to map.
 */
#include "kselftest_harness.h"
#include "queue_utils.h"

/* mmap that must fail with @err, and map nothing. */
#define EXPECT_MMAP_FAILS(err, fd, off, len, flags) do {		\
	void *__p = q_mmap((fd), (off), (len),				\
			   PROT_READ | PROT_WRITE, (flags));		\
	EXPECT_EQ(MAP_FAILED, __p) TH_LOG("offset 0x%llx len %zu",	\
		(unsigned long long)(off), (size_t)(len));		\
	if (__p == MAP_FAILED) {					\
		EXPECT_EQ((err), errno) TH_LOG("offset 0x%llx len %zu",	\
			(unsigned long long)(off), (size_t)(len));	\
	} else {							\
		munmap(__p, (len));					\
	}								\
} while (0)

static uint64_t q_mmio_cookie(uint32_t gpu_id)
{
	return Q_MMAP_MMIO | Q_MMAP_GPU(gpu_id);
}

/* Row 3: only exactly the slice, at exactly the cookie, shared, of a GPU with a VM. */
TEST_F(queue, doorbell_mmap_rules)
{
	const int sh = MAP_SHARED, priv = MAP_PRIVATE;
	uint64_t cookie, mmio;
	struct vkfd_topo topo;
	uint64_t *db;
	uint32_t unused;
	int s;

	Q_NEED_GPUS(1);
	ASSERT_EQ(0, vkfd_topo_load(self->b.env.topology, &topo));
	unused = vkfd_topo_unused_gpu_id(&topo);
	ASSERT_EQ(0, q_create(self->b.p.fd, self->b.gpu[0]));
	cookie = q_cookie(self->b.gpu[0]);
	mmio = q_mmio_cookie(self->b.gpu[0]);

	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, cookie, Q_DOORBELL_SIZE - Q_PAGE, sh);
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, cookie, Q_DOORBELL_SIZE + Q_PAGE, sh);
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, cookie, 2 * Q_DOORBELL_SIZE, sh);
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, cookie + Q_PAGE, Q_DOORBELL_SIZE, sh);
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, cookie + Q_PAGE, Q_PAGE, sh);
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, cookie + Q_DOORBELL_SIZE,
			  Q_DOORBELL_SIZE, sh);
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, cookie | (1ULL << 32),
			  Q_DOORBELL_SIZE, sh);
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, cookie + 8, Q_DOORBELL_SIZE, sh);
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, cookie, Q_DOORBELL_SIZE, priv);
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, q_cookie(0), Q_DOORBELL_SIZE, sh);
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, q_cookie(unused), Q_DOORBELL_SIZE, sh);
	/* amdkfd's reserved-memory type, which vkfd has not */
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, (1ULL << 62) | Q_MMAP_GPU(self->b.gpu[0]),
			  Q_PAGE, sh);

	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, mmio, 2 * Q_PAGE, sh);
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, mmio + Q_PAGE, Q_PAGE, sh);
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, mmio, Q_PAGE, priv);
	EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, q_mmio_cookie(unused), Q_PAGE, sh);

	/* A context without a VM on the GPU has neither page */
	s = vkfd_keep_secondary(&self->b);
	EXPECT_MMAP_FAILS(EINVAL, s, cookie, Q_DOORBELL_SIZE, sh);
	EXPECT_MMAP_FAILS(EINVAL, s, mmio, Q_PAGE, sh);
	if (self->b.ngpus >= 2) {
		/* Nor does the primary on a GPU it has no VM on */
		EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, q_cookie(self->b.gpu[1]),
				  Q_DOORBELL_SIZE, sh);
		EXPECT_MMAP_FAILS(EINVAL, self->b.p.fd, q_mmio_cookie(self->b.gpu[1]),
				  Q_PAGE, sh);
	}

	/* What is right works, read-only too */
	db = q_mmap(self->b.p.fd, cookie, Q_DOORBELL_SIZE, PROT_READ | PROT_WRITE, sh);
	ASSERT_NE(MAP_FAILED, db);
	EXPECT_EQ(0ULL, db[0]);
	db[0] = 42;
	EXPECT_EQ(0, munmap(db, Q_DOORBELL_SIZE));
	db = q_mmap(self->b.p.fd, cookie, Q_DOORBELL_SIZE, PROT_READ, sh);
	ASSERT_NE(MAP_FAILED, db);
	EXPECT_EQ(42ULL, db[0]);
	EXPECT_EQ(0, munmap(db, Q_DOORBELL_SIZE));
	db = q_mmap(self->b.p.fd, mmio, Q_PAGE, PROT_READ | PROT_WRITE, sh);
	ASSERT_NE(MAP_FAILED, db);
	db[0] = 1;	/* HDP flush: nothing reads it */
	EXPECT_EQ(0, munmap(db, Q_PAGE));
}

/*
 * The slice is one page pair per context and GPU: every mapping and the
 * DOORBELL buffer's cookie reach it; a queue's doorbell starts at 0 even
 * if its id's previous queue left a value there. It cannot grow.
 */
TEST_F(queue, doorbell_page_shared_and_zeroed)
{
	struct vkfd_bo dbo, mbo;
	uint64_t *a, *b, *c;
	uint32_t *m;

	Q_NEED_GPUS(1);
	/* Mapped before any queue exists: allocated by the mmap */
	a = q_doorbells_map(self->b.p.fd, self->b.gpu[0]);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_EQ(0, vkfd_alloc(&self->b.p, self->b.gpu[0], 0x70000000, Q_DOORBELL_SIZE,
				KFD_IOC_ALLOC_MEM_FLAGS_DOORBELL |
				KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &dbo));
	EXPECT_EQ(q_cookie(self->b.gpu[0]), dbo.mmap_offset);
	b = q_mmap(self->b.p.fd, dbo.mmap_offset, Q_DOORBELL_SIZE,
		   PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(0, q_create(self->b.p.fd, self->b.gpu[0]));
	ASSERT_EQ(1, q_create(self->b.p.fd, self->b.gpu[0]));
	c = q_doorbells_map(self->b.p.fd, self->b.gpu[0]);
	ASSERT_NE(MAP_FAILED, c);

	/* Both pages of the slice are the same in every mapping */
	a[1] = 0x1111;
	a[1023] = 0x2222;
	EXPECT_EQ(0x1111ULL, b[1]);
	EXPECT_EQ(0x1111ULL, c[1]);
	EXPECT_EQ(0x2222ULL, b[1023]);
	EXPECT_EQ(0x2222ULL, c[1023]);

	/* Queue 1 again: its doorbell is reset; queue 0's is left alone */
	c[0] = 0x3333;
	ASSERT_EQ(0, _test_destroy_queue(self->b.p.fd, 1));
	EXPECT_EQ(0x1111ULL, a[1]);
	ASSERT_EQ(1, q_create(self->b.p.fd, self->b.gpu[0]));
	EXPECT_EQ(0ULL, a[1]);
	EXPECT_EQ(0x3333ULL, a[0]);

	/* The MMIO remap buffer's cookie maps the MMIO page */
	ASSERT_EQ(0, vkfd_alloc(&self->b.p, self->b.gpu[0], 0x70100000, Q_PAGE,
				KFD_IOC_ALLOC_MEM_FLAGS_MMIO_REMAP |
				KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &mbo));
	EXPECT_EQ(q_mmio_cookie(self->b.gpu[0]), mbo.mmap_offset);
	m = q_mmap(self->b.p.fd, mbo.mmap_offset, Q_PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED);
	ASSERT_NE(MAP_FAILED, m);
	m[0] = 1;
	EXPECT_EQ(0, munmap(m, Q_PAGE));

	/* Not expandable */
	EXPECT_EQ(MAP_FAILED, mremap(a, Q_DOORBELL_SIZE, 2 * Q_DOORBELL_SIZE, 0));
	EXPECT_EQ(MAP_FAILED, mremap(a, Q_DOORBELL_SIZE, 2 * Q_DOORBELL_SIZE,
				     MREMAP_MAYMOVE));
	EXPECT_EQ(0x2222ULL, a[1023]);
	EXPECT_EQ(0, vkfd_free(&self->b.p, &dbo));
	EXPECT_EQ(0, vkfd_free(&self->b.p, &mbo));
	/* Freeing the buffer changes nothing of the slice */
	EXPECT_EQ(0x2222ULL, c[1023]);
	munmap(a, Q_DOORBELL_SIZE);
	munmap(b, Q_DOORBELL_SIZE);
	munmap(c, Q_DOORBELL_SIZE);
}

/*
 * Row 10: the same cookie through a primary's fd and two secondaries'
 * maps three different slices, each the fd's own context's. Each also
 * has its own slice per GPU.
 */
TEST_F(queue, doorbell_mmap_is_the_fds_context)
{
	uint64_t *db[3], *again;
	int fd[3], i, j, render;

	Q_NEED_GPUS(1);
	q_three_contexts(_metadata, self, fd);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, q_create(fd[i], self->b.gpu[0]));
		db[i] = q_doorbells_map(fd[i], self->b.gpu[0]);
		ASSERT_NE(MAP_FAILED, db[i]);
	}
	for (i = 0; i < 3; i++)
		db[i][0] = 0x100 + i;
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0x100ULL + i, db[i][0]) TH_LOG("context %d", i);
		/* A new mapping through the same fd sees the same slice */
		again = q_mmap(fd[i], q_cookie(self->b.gpu[0]), Q_DOORBELL_SIZE,
			       PROT_READ, MAP_SHARED);
		ASSERT_NE(MAP_FAILED, again);
		EXPECT_EQ(0x100ULL + i, again[0]) TH_LOG("context %d", i);
		munmap(again, Q_DOORBELL_SIZE);
	}
	/* A secondary's new queue resets its doorbell only */
	ASSERT_EQ(0, _test_destroy_queue(fd[1], 0));
	ASSERT_EQ(0, q_create(fd[1], self->b.gpu[0]));
	EXPECT_EQ(0x100ULL, db[0][0]);
	EXPECT_EQ(0ULL, db[1][0]);
	EXPECT_EQ(0x102ULL, db[2][0]);

	if (self->b.ngpus >= 2) {
		uint64_t *other;

		ASSERT_EQ(0, vkfd_open_vm(&self->b.p, self->b.env.topology,
					  self->b.gpu[1], &render));
		vkfd_keep(&self->b, render);
		other = q_doorbells_map(fd[0], self->b.gpu[1]);
		ASSERT_NE(MAP_FAILED, other);
		EXPECT_EQ(0ULL, other[0]);
		other[0] = 7;
		EXPECT_EQ(0x100ULL, db[0][0]);
		munmap(other, Q_DOORBELL_SIZE);
	}
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			if (i != j)
				EXPECT_NE(db[i], db[j]);
	for (i = 0; i < 3; i++)
		munmap(db[i], Q_DOORBELL_SIZE);
}

struct q_fork_args {
	int fd;
	uint64_t cookie;
	void *db;
};

/* Child: the parent's doorbell mapping is not here; its fd maps nothing. */
static int q_fork_child(void *arg, int in, int out)
{
	const struct q_fork_args *a = arg;
	struct kfd_ioctl_create_queue_args c;
	unsigned char vec;
	void *p;

	if (mincore(a->db, Q_PAGE, &vec) == 0 || errno != ENOMEM)
		return 1;
	p = q_mmap(a->fd, a->cookie, Q_DOORBELL_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED);
	if (p != MAP_FAILED || errno != EBADF)
		return 2;
	p = q_mmap(a->fd, a->cookie & ~(3ULL << 62), Q_PAGE,
		   PROT_READ | PROT_WRITE, MAP_SHARED);
	if (p != MAP_FAILED || errno != EBADF)
		return 3;
	c = q_args((uint32_t)((a->cookie & ~(3ULL << 62)) >> 46),
		   KFD_IOC_QUEUE_TYPE_SDMA, Q_RING);
	if (_test_create_queue(a->fd, &c) != -EBADF || _test_destroy_queue(a->fd, 0) != -EBADF ||
	    q_update(a->fd, 0, 0, 0, 0, 0) != -EBADF)
		return 4;
	return 0;
}

/*
 * Row 3, another process's fd: a fork child can neither map nor use the
 * parent's context, and does not inherit its doorbell mapping.
 */
TEST_F(queue, doorbell_mmap_fork)
{
	struct q_fork_args a = { .cookie = q_cookie(self->b.gpu[0]) };
	uint64_t *db;
	int s;

	Q_NEED_GPUS(1);
	s = vkfd_keep_secondary_vm(&self->b, 0);
	for (int i = 0; i < 2; i++) {
		a.fd = i ? s : self->b.p.fd;
		ASSERT_EQ(0, q_create(a.fd, self->b.gpu[0]));
		db = q_mmap(a.fd, a.cookie, Q_DOORBELL_SIZE,
			    PROT_READ | PROT_WRITE, MAP_SHARED);
		ASSERT_NE(MAP_FAILED, db);
		db[0] = 5;
		a.db = db;
		ASSERT_EQ(0, vkfd_child_start(&self->b.child, q_fork_child, &a));
		EXPECT_EQ(0, vkfd_child_wait(&self->b.child)) TH_LOG("fd %d", i);
		/* The parent's mapping and queue are untouched */
		EXPECT_EQ(5ULL, db[0]);
		EXPECT_QUEUE_SYSFS(a.fd, 0, Q_RING, Q_SYSFS_SDMA, self->b.gpu[0]);
		munmap(db, Q_DOORBELL_SIZE);
	}
}

/*
 * A mapping holds its file, so a secondary whose fd is closed lives on
 * until its doorbell page is unmapped; the pages stay valid throughout.
 */
TEST_F(queue, doorbell_mapping_holds_the_context)
{
	uint64_t *db;
	uint32_t id;
	int s;

	Q_NEED_GPUS(1);
	s = vkfd_keep_secondary_vm(&self->b, 0);
	id = vkfd_ctx_id_of_fd(s);
	ASSERT_EQ(0, q_create(s, self->b.gpu[0]));
	db = q_doorbells_map(s, self->b.gpu[0]);
	ASSERT_NE(MAP_FAILED, db);
	db[0] = 9;
	vkfd_cleanup_close(&self->b.cl, s);
	EXPECT_EQ(1, q_sysfs_count(self, self->b.pid, id));
	EXPECT_EQ(9ULL, db[0]);
	db[1023] = 10;
	EXPECT_EQ(0, munmap(db, Q_DOORBELL_SIZE));
	/* The last reference: the context, its queue and its slice are gone */
	EXPECT_GT(0, q_sysfs_count(self, self->b.pid, id));
	EXPECT_EQ(-ENOENT, vkfd_ctx_row(self->b.pid, id, &(struct vkfd_ctx_row){ 0 }));
}

/*
 * A doorbell slice mapped through an fd of the primary stays the
 * primary's when CREATE_PROCESS turns that fd into a secondary (as
 * upstream); mapped again through the fd, it is the secondary's.
 */
TEST_F(queue, doorbell_mmap_before_conversion)
{
	struct vkfd_context s;
	uint64_t *before, *after, *prim;
	int render;

	Q_NEED_GPUS(1);
	s.fd = vkfd_keep(&self->b, vkfd_open_dev(&self->b.env));
	before = q_doorbells_map(s.fd, self->b.gpu[0]);
	ASSERT_NE(MAP_FAILED, before);
	before[5] = 0x55;
	test_create_process(s.fd);
	ASSERT_NE((uint32_t)VKFD_CTX_ID_PRIMARY, vkfd_ctx_id_of_fd(s.fd));
	ASSERT_EQ(0, vkfd_open_vm(&s, self->b.env.topology, self->b.gpu[0], &render));
	vkfd_keep(&self->b, render);
	after = q_doorbells_map(s.fd, self->b.gpu[0]);
	ASSERT_NE(MAP_FAILED, after);
	prim = q_doorbells_map(self->b.p.fd, self->b.gpu[0]);
	ASSERT_NE(MAP_FAILED, prim);
	EXPECT_EQ(0ULL, after[5]);
	EXPECT_EQ(0x55ULL, prim[5]);
	after[6] = 0x66;
	EXPECT_EQ(0ULL, before[6]);
	EXPECT_EQ(0ULL, prim[6]);
	munmap(before, Q_DOORBELL_SIZE);
	munmap(after, Q_DOORBELL_SIZE);
	munmap(prim, Q_DOORBELL_SIZE);
}

TEST_HARNESS_MAIN
