// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * One tenant cannot stop the SDMA engines for the others (issue 13):
 *
 *   blocked_tenant	a process whose MAP_MEMORY_TO_GPU is parked in a
 *			userfaultfd fault (holding its context's memory
 *			lock, with queues of its own waiting on both
 *			engines): another process's SDMA copy completes
 *			and the debugfs contexts file can be read.
 *
 * Waits are bounded (a hang is a failure), never judged by time.
 *
 * vkfd only: the amdkfd lane has no GPU.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "sdma_utils.h"

/* What the victim waits for at most: a bound, not an expectation */
#define T_VICTIM_MS	20000
/* Queues of the blocked tenant: both engines get some, twice */
#define T_QUEUES	4
/* The USERPTR buffer over the userfaultfd page */
#define T_USERPTR_VA	0x200000000ULL

/*
 * Linux before 6.5 pins long-term pages without letting a fault retry,
 * and userfaultfd answers such a fault with SIGBUS at once: MAP fails with
 * EFAULT and nothing can be parked (a FUSE server could; the guests have
 * no FUSE). The skip files of the lanes on such kernels allow this reason.
 */
#define T_NO_PARK	"the kernel's long-term GUP does not wait for userfaultfd (before 6.5)"

/* The victim's answers */
#define T_READY		1ULL
#define T_DONE		2ULL
#define T_TIMEOUT	3ULL
#define T_WRONG		4ULL
#define T_DEBUGFS_HUNG	5ULL

struct victim {
	const struct vkfd_env *env;
	uint32_t gpu_id;
};

/* Read the debugfs contexts file through. */
static void *read_contexts(void *arg)
{
	char path[PATH_MAX], buf[4096];
	int fd;

	vkfd_debugfs_path(path, sizeof(path), "/contexts");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	return arg;
}

/*
 * The victim, a process of its own: on "go", an SDMA copy of a page and a
 * fence after it, waited for at most T_VICTIM_MS, then a read of the
 * debugfs contexts file, waited for as long. Reports T_DONE, or what
 * went wrong; exits 0 unless it could not set up.
 */
static int victim(void *arg, int in, int out)
{
	struct victim *v = arg;
	uint32_t gpu = v->gpu_id, dw[32], n;
	struct timespec ts;
	struct vkfd_context c;
	struct vkfd_queue q;
	struct vkfd_bo bo;
	pthread_t reader;
	uint64_t msg;
	uint8_t *p;
	int render;

	if (vkfd_context_vm(v->env, false, gpu, &c, &render))
		return 10;
	if (vkfd_alloc(&c, gpu, S_BUF_VA, 3 * S_PAGE, S_GTT_RW, &bo) ||
	    vkfd_map(&c, &bo, &gpu, 1) ||
	    vkfd_bo_mmap(render, &bo, PROT_READ | PROT_WRITE, (void **)&p))
		return 11;
	if (vkfd_queue_create(&c, render, gpu, S_RING_VA, S_RING, &q))
		return 12;
	s_pattern(p, S_PAGE, 3);
	if (vkfd_msg_send(out, T_READY) || vkfd_msg_recv(in, &msg))
		return 13;

	n = vkfd_sdma_copy_linear(dw, S_BUF_VA + S_PAGE, S_BUF_VA, S_PAGE);
	n += vkfd_sdma_fence(dw + n, S_BUF_VA + 2 * S_PAGE, 1);
	if (vkfd_queue_submit(&q, dw, n))
		return 14;
	if (vkfd_queue_wait_idle(&q, T_VICTIM_MS))
		msg = T_TIMEOUT;
	else if (memcmp(p, p + S_PAGE, S_PAGE) || p[2 * S_PAGE] != 1)
		msg = T_WRONG;
	else
		msg = T_DONE;
	if (msg == T_DONE && vkfd_debugfs_present()) {
		if (pthread_create(&reader, NULL, read_contexts, NULL))
			return 15;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += T_VICTIM_MS / 1000;
		if (pthread_timedjoin_np(reader, NULL, &ts))
			msg = T_DEBUGFS_HUNG;
	}
	if (vkfd_msg_send(out, msg))
		return 16;
	/* A hung reader would keep this process from exiting: it may. */
	if (msg == T_DONE)
		vkfd_queue_destroy(&c, &q);
	return 0;
}

/* MAP_MEMORY_TO_GPU, in a thread of its own: it blocks. */
struct mapper {
	const struct vkfd_context *c;
	const struct vkfd_bo *bo;
	uint32_t gpu_id;
	int ret;
	bool done;
};

static void *map_thread(void *arg)
{
	struct mapper *m = arg;

	m->ret = vkfd_map(m->c, m->bo, &m->gpu_id, 1);
	__atomic_store_n(&m->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* A userfaultfd that handles faults of the kernel too (we are root). */
static int uffd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api)) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * Wait for the fault of @m's MAP on @uffd: true once it is there, false if
 * the MAP returned without one (or nothing came for S_WAIT_MS).
 */
static bool uffd_parked(int uffd, const struct mapper *m)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	uint64_t end = vkfd_now_ms() + S_WAIT_MS;

	while (vkfd_now_ms() < end) {
		if (poll(&pfd, 1, 10) == 1)
			return true;
		if (__atomic_load_n(&m->done, __ATOMIC_ACQUIRE))
			return poll(&pfd, 1, 0) == 1;
	}
	return false;
}

/*
 * A MAP of a USERPTR over a page nobody has faulted in, registered with
 * userfaultfd: the pinning waits for the fault to be resolved, under the
 * context's memory lock. Meanwhile that context's queues have work on
 * both engines, and another process submits a copy: the engines must
 * serve it, leaving the blocked context's queues untouched (their work
 * needs the lock its ioctl holds); the debugfs contexts file must not
 * wait either. Then the fault is resolved: the MAP succeeds and the
 * blocked queues catch up.
 */
TEST_F_TIMEOUT(sdma, blocked_tenant, 120)
{
	struct victim v = { .env = &self->b.env, .gpu_id = self->b.gpu[0] };
	struct mapper m = { .c = &self->b.p, .gpu_id = self->b.gpu[0] };
	struct pollfd pfd = { .events = POLLIN };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_zeropage zero = { 0 };
	struct vkfd_queue q[T_QUEUES];
	struct uffd_msg msg;
	struct vkfd_bo ubo;
	pthread_t mapper;
	uint64_t answer;
	uint32_t dw[8];
	struct s_buf b;
	void *region;
	int uffd, i;

	S_NEED_GPU();
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, victim, &v));
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &answer));
	ASSERT_EQ(T_READY, answer);

	s_buf_new(_metadata, &self->b.p, self->b.render, self->b.gpu[0],
		  S_BUF_VA, S_PAGE, S_GTT_RW, &b);
	for (i = 0; i < T_QUEUES; i++)
		s_queue_new(_metadata, &self->b.p, self->b.render,
			    self->b.gpu[0], i, S_RING, &q[i]);

	uffd = uffd_open();
	ASSERT_LE(0, uffd) TH_LOG("userfaultfd: %s", strerror(-uffd));
	region = mmap(NULL, S_PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, region);
	reg.range.start = (uintptr_t)region;
	reg.range.len = S_PAGE;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	ASSERT_EQ(0, vkfd_alloc_userptr(&self->b.p, self->b.gpu[0],
					T_USERPTR_VA, region, S_PAGE,
					KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &ubo));
	m.bo = &ubo;
	ASSERT_EQ(0, pthread_create(&mapper, NULL, map_thread, &m));

	/* The MAP really is parked in the fault, under the memory lock. */
	if (!uffd_parked(uffd, &m)) {
		/* Linux before 6.5: a long-term pin never waits for it. */
		ASSERT_EQ(0, pthread_join(mapper, NULL));
		EXPECT_EQ(-EFAULT, m.ret);
		EXPECT_EQ(0, vkfd_free(&self->b.p, &ubo));
		SKIP(return, "%s", T_NO_PARK);
	}
	ASSERT_EQ((ssize_t)sizeof(msg), read(uffd, &msg, sizeof(msg)));
	EXPECT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);
	EXPECT_EQ((uintptr_t)region, msg.arg.pagefault.address & ~(S_PAGE - 1));
	EXPECT_FALSE(__atomic_load_n(&m.done, __ATOMIC_ACQUIRE));

	/* Work for the blocked context on every engine */
	for (i = 0; i < T_QUEUES; i++)
		S_SUBMIT(&q[i], dw, vkfd_sdma_fence(dw, S_BUF_VA + 4 * i, i + 1));

	/* The other process is served. */
	ASSERT_EQ(0, vkfd_msg_send(self->b.child.to_child, 1));
	pfd.fd = self->b.child.from_child;
	EXPECT_EQ(1, poll(&pfd, 1, 3 * T_VICTIM_MS));
	if (pfd.revents & POLLIN) {
		ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &answer));
		EXPECT_EQ(T_DONE, answer);
	}
	/* The blocked context's work waits for its own lock. */
	for (i = 0; i < T_QUEUES; i++)
		EXPECT_EQ(0U, *s_u32(&b, 4 * i));
	EXPECT_FALSE(__atomic_load_n(&m.done, __ATOMIC_ACQUIRE));

	/* Resolved: the MAP completes, the blocked queues catch up. */
	zero.range.start = (uintptr_t)region;
	zero.range.len = S_PAGE;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zero));
	ASSERT_EQ(0, pthread_join(mapper, NULL));
	EXPECT_EQ(0, m.ret);
	for (i = 0; i < T_QUEUES; i++) {
		S_IDLE(&q[i]);
		EXPECT_EQ((uint32_t)i + 1, *s_u32(&b, 4 * i));
		EXPECT_EQ(0, vkfd_queue_destroy(&self->b.p, &q[i]));
	}
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));
	EXPECT_EQ(0, vkfd_free(&self->b.p, &ubo));
	munmap(region, S_PAGE);
	close(uffd);
}

TEST_HARNESS_MAIN
