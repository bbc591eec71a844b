// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * One object lifecycle (kernel/vkfd_ioctl.c, "object lifecycle"): an
 * ioctl that creates an object and cannot write its reply fails with
 * EFAULT and leaves nothing behind - no handle, no VRAM, no directory, no
 * conversion - and the id it would have given is the next creation's.
 * While the reply is being written, the id answers to nothing.
 *
 * The argument straddles two anonymous pages, write-protected through
 * userfaultfd. A monitor thread sees each write to them as a fault: it
 * lets the first k - 1 copies out to the argument through and, at the
 * k-th, looks the object's id up (it must answer to nothing), then unmaps
 * both pages and wakes the caller, whose copy fails. Each test sweeps k
 * from 1 until the call succeeds, so that whichever copy is the reply, it
 * is the one that fails at some k. Without userfaultfd's write protection
 * (a kernel built without it) the pages are made read-only instead: only
 * the last copy out can fail then, and nothing is looked up while it does.
 *
 * vkfd only: the amdkfd lane skips (its GPUs are not there, and
 * introspection is vkfd's sysfs and test hooks).
 */
#include "kselftest_harness.h"
#include "vkfd_utils.h"

#include <poll.h>
#include <pthread.h>
#include <linux/userfaultfd.h>

#define VA		0x100000000ULL
#define LC_MAX_COPIES	4
/* /dev/kfd mmap offset of the signal page (kernel's VKFD_MMAP_TYPE_EVENTS) */
#define LC_MMAP_EVENTS	(2ULL << 62)
#define LC_SIGNAL_PAGE	(4096 * 8)

FIXTURE(lifecycle) {
	struct vkfd_base b;		/* its primary, with a VM, makes the objects */
	struct vkfd_context conv;	/* another primary fd, to convert */
	struct vkfd_bo page_bo;		/* GTT buffer for the signal page */
	void *user;			/* memory for USERPTR */
	size_t page;
	uint32_t flags;			/* the variant's */
	uint32_t event_type;		/* the variant's */
	bool adopt;			/* the variant's */
};

struct lc_state {
	long objs;		/* objects of the kind, by introspection */
	long published;		/* secondaries: published contexts (hooks) */
	uint64_t vram;		/* the context's VRAM (hooks) */
	uint64_t available;	/* AVAILABLE_MEMORY of the GPU */
	bool signal_page;	/* the signal page can be mapped */
	uint32_t conv_id;	/* context id of the fd CREATE_PROCESS converts */
};

/**
 * struct lc_kind - a creating ioctl, as this test drives it
 * @cmd: the command
 * @size: its argument's size
 * @fill: write a valid argument to @arg
 * @fd: the fd to issue it on
 * @first: the id the first object of the kind gets
 * @id_of: the id a successful reply names
 * @lookup: use id @id: 0 if something answers to it, else -errno
 * @destroy: destroy what a successful call made, named by @arg
 * @state: what introspection says about objects of the kind
 * @dir_while_pending: @state counts the object's sysfs directory, which
 *	exists while the reply is written (the id answers to nothing then)
 */
struct lc_kind {
	unsigned long cmd;
	size_t size;
	void (*fill)(FIXTURE_DATA(lifecycle) *self, void *arg);
	int (*fd)(FIXTURE_DATA(lifecycle) *self);
	uint64_t (*first)(FIXTURE_DATA(lifecycle) *self);
	uint64_t (*id_of)(FIXTURE_DATA(lifecycle) *self, const void *arg);
	int (*lookup)(FIXTURE_DATA(lifecycle) *self, uint64_t id);
	int (*destroy)(FIXTURE_DATA(lifecycle) *self, const void *arg);
	void (*state)(FIXTURE_DATA(lifecycle) *self, struct lc_state *st);
	bool dir_while_pending;
};

FIXTURE_VARIANT(lifecycle) {
	const struct lc_kind *kind;
	uint32_t flags;		/* buffers: the allocation's flags */
	uint32_t event_type;	/* events: the type */
	bool adopt;		/* events: hand a buffer over as signal page */
};

/* ------------------------------------------------------------------------
 * Introspection
 */

static void lc_row(FIXTURE_DATA(lifecycle) *self, struct vkfd_ctx_row *row)
{
	memset(row, 0xff, sizeof(*row));
	vkfd_ctx_row(getpid(), VKFD_CTX_ID_PRIMARY, row);
}

/* Entries of proc/<pid>/@sub in sysfs named @prefix*, or -errno. */
static long lc_sysfs_count(FIXTURE_DATA(lifecycle) *self, const char *sub,
			   const char *prefix)
{
	char path[PATH_MAX];
	struct dirent *de;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/proc/%d/%s", self->b.env.sysfs,
		 getpid(), sub);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' &&
		    !strncmp(de->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

static void lc_common_state(FIXTURE_DATA(lifecycle) *self,
			    struct lc_state *st)
{
	long conv_id = vkfd_ctx_id_of_fd(self->conv.fd);
	struct vkfd_ctx_row row;
	void *p;

	lc_row(self, &row);
	st->vram = row.vram;
	st->available = vkfd_ctx_available(self->b.p.fd, self->b.gpu[0]);
	p = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->b.p.fd,
		 LC_MMAP_EVENTS);
	st->signal_page = p != MAP_FAILED;
	if (p != MAP_FAILED)
		munmap(p, self->page);
	st->conv_id = conv_id < 0 ? ~0U : (uint32_t)conv_id;
}

/* ------------------------------------------------------------------------
 * Buffers: ALLOC_MEMORY_OF_GPU
 */

static void mem_fill(FIXTURE_DATA(lifecycle) *self, void *arg)
{
	struct kfd_ioctl_alloc_memory_of_gpu_args a = {
		.va_addr = VA, .size = 0x10000, .gpu_id = self->b.gpu[0],
		.flags = self->flags,
	};

	if (a.flags & KFD_IOC_ALLOC_MEM_FLAGS_DOORBELL)
		a.size = 2 * self->page;
	else if (a.flags & KFD_IOC_ALLOC_MEM_FLAGS_MMIO_REMAP)
		a.size = self->page;
	else if (a.flags & KFD_IOC_ALLOC_MEM_FLAGS_USERPTR)
		a.mmap_offset = (uintptr_t)self->user;
	memcpy(arg, &a, sizeof(a));
}

static int ctx_fd(FIXTURE_DATA(lifecycle) *self)
{
	return self->b.p.fd;
}

static uint64_t mem_first(FIXTURE_DATA(lifecycle) *self)
{
	return (uint64_t)self->b.gpu[0] << 32;
}

static uint64_t mem_id_of(FIXTURE_DATA(lifecycle) *self, const void *arg)
{
	struct kfd_ioctl_alloc_memory_of_gpu_args a;

	memcpy(&a, arg, sizeof(a));
	return a.handle;
}

static int mem_lookup(FIXTURE_DATA(lifecycle) *self, uint64_t id)
{
	return _test_free_memory(self->b.p.fd, id);
}

static int mem_destroy(FIXTURE_DATA(lifecycle) *self, const void *arg)
{
	return mem_lookup(self, mem_id_of(self, arg));
}

static void mem_state(FIXTURE_DATA(lifecycle) *self, struct lc_state *st)
{
	struct vkfd_ctx_row row;

	lc_row(self, &row);
	st->objs = row.bos;
}

static const struct lc_kind lc_mem = {
	.cmd = AMDKFD_IOC_ALLOC_MEMORY_OF_GPU,
	.size = sizeof(struct kfd_ioctl_alloc_memory_of_gpu_args),
	.fill = mem_fill, .fd = ctx_fd, .first = mem_first,
	.id_of = mem_id_of, .lookup = mem_lookup, .destroy = mem_destroy,
	.state = mem_state,
};

/* ------------------------------------------------------------------------
 * Queues: CREATE_QUEUE
 */

static void queue_fill(FIXTURE_DATA(lifecycle) *self, void *arg)
{
	/* No ring: a queue that never runs, which is all this needs. */
	struct kfd_ioctl_create_queue_args a = {
		.gpu_id = self->b.gpu[0], .queue_type = KFD_IOC_QUEUE_TYPE_SDMA,
	};

	memcpy(arg, &a, sizeof(a));
}

static uint64_t zero_first(FIXTURE_DATA(lifecycle) *self)
{
	return 0;
}

static uint64_t queue_id_of(FIXTURE_DATA(lifecycle) *self, const void *arg)
{
	struct kfd_ioctl_create_queue_args a;

	memcpy(&a, arg, sizeof(a));
	return a.queue_id;
}

static int queue_lookup(FIXTURE_DATA(lifecycle) *self, uint64_t id)
{
	return _test_destroy_queue(self->b.p.fd, id);
}

static int queue_destroy(FIXTURE_DATA(lifecycle) *self, const void *arg)
{
	return queue_lookup(self, queue_id_of(self, arg));
}

static void queue_state(FIXTURE_DATA(lifecycle) *self, struct lc_state *st)
{
	st->objs = lc_sysfs_count(self, "queues", "");
}

static const struct lc_kind lc_queue = {
	.cmd = AMDKFD_IOC_CREATE_QUEUE,
	.size = sizeof(struct kfd_ioctl_create_queue_args),
	.fill = queue_fill, .fd = ctx_fd, .first = zero_first,
	.id_of = queue_id_of, .lookup = queue_lookup,
	.destroy = queue_destroy, .state = queue_state,
	.dir_while_pending = true,
};

/* ------------------------------------------------------------------------
 * Events: CREATE_EVENT
 */

static void event_fill(FIXTURE_DATA(lifecycle) *self, void *arg)
{
	struct kfd_ioctl_create_event_args a = {
		.event_type = self->event_type,
	};

	if (self->adopt)
		a.event_page_offset = self->page_bo.handle;
	memcpy(arg, &a, sizeof(a));
}

static uint64_t event_first(FIXTURE_DATA(lifecycle) *self)
{
	/* amdkfd's ids: slots from 1, the other types from 2^30 */
	if (self->event_type == KFD_IOC_EVENT_SIGNAL)
		return 1;
	return (INT_MAX >> 1) + 1;
}

static uint64_t event_id_of(FIXTURE_DATA(lifecycle) *self, const void *arg)
{
	struct kfd_ioctl_create_event_args a;

	memcpy(&a, arg, sizeof(a));
	return a.event_id;
}

static int event_lookup(FIXTURE_DATA(lifecycle) *self, uint64_t id)
{
	struct kfd_ioctl_destroy_event_args a = { .event_id = id };

	return _test_ioctl(self->b.p.fd, AMDKFD_IOC_DESTROY_EVENT, &a);
}

static int event_destroy(FIXTURE_DATA(lifecycle) *self, const void *arg)
{
	return event_lookup(self, event_id_of(self, arg));
}

static void event_state(FIXTURE_DATA(lifecycle) *self, struct lc_state *st)
{
	struct vkfd_ctx_row row;

	lc_row(self, &row);
	st->objs = row.events;
}

static const struct lc_kind lc_event = {
	.cmd = AMDKFD_IOC_CREATE_EVENT,
	.size = sizeof(struct kfd_ioctl_create_event_args),
	.fill = event_fill, .fd = ctx_fd, .first = event_first,
	.id_of = event_id_of, .lookup = event_lookup,
	.destroy = event_destroy, .state = event_state,
};

/* ------------------------------------------------------------------------
 * Secondaries: CREATE_PROCESS (ROCm's read-write encoding: it has a reply)
 */

static void process_fill(FIXTURE_DATA(lifecycle) *self, void *arg)
{
	memset(arg, 0, sizeof(struct vkfd_ioctl_create_process_args));
}

static int conv_fd(FIXTURE_DATA(lifecycle) *self)
{
	return self->conv.fd;
}

/* The reply names nothing: the converted fd says its id. */
static uint64_t process_id_of(FIXTURE_DATA(lifecycle) *self, const void *arg)
{
	long ctx_id = vkfd_ctx_id_of_fd(self->conv.fd);

	return ctx_id < 0 ? ~0ULL : (uint64_t)ctx_id;
}

static int process_lookup(FIXTURE_DATA(lifecycle) *self, uint64_t id)
{
	struct vkfd_ioctl_ctx_info a = { .ctx_id = id };

	return _test_ioctl(self->b.p.fd, VKFD_IOC_CTX_INFO, &a);
}

/* Close the secondary; the fixture's fd to convert is a primary again. */
static int process_destroy(FIXTURE_DATA(lifecycle) *self, const void *arg)
{
	int ret = vkfd_close(&self->conv);

	return ret ?: vkfd_open_primary(self->b.env.dev, &self->conv);
}

static void process_state(FIXTURE_DATA(lifecycle) *self, struct lc_state *st)
{
	int rows = vkfd_ctx_rows(getpid());

	/* directories; the test hooks count published contexts only */
	st->objs = lc_sysfs_count(self, "", "context_");
	st->published = rows < 1 ? -1 : rows - 1;
}

static const struct lc_kind lc_process = {
	.cmd = VKFD_IOC_CREATE_PROCESS_ROCM,
	.size = sizeof(struct vkfd_ioctl_create_process_args),
	.fill = process_fill, .fd = conv_fd, .first = zero_first,
	.id_of = process_id_of, .lookup = process_lookup,
	.destroy = process_destroy, .state = process_state,
	.dir_while_pending = true,
};

/* ------------------------------------------------------------------------
 * The trap: an argument whose k-th copy out fails
 */

/**
 * struct lc_trap - the argument's pages and the thread that watches them
 * @base: two pages; NULL once the monitor unmapped them
 * @arg: the argument, straddling the two pages
 * @uffd: the userfaultfd, -1 in the read-only fallback
 * @stop: the main thread writes to stop[1] to end the monitor
 * @fail_fault: the fault at which the copy out fails: 2k - 1 (the first
 *	fault of a copy; a copy let through faults once on each page)
 * @faults: write faults seen so far
 * @hit: the failing fault was seen
 * @during_lookup: what looking the first id up answered at that moment
 * @during: introspection at that moment
 */
struct lc_trap {
	FIXTURE_DATA(lifecycle) *self;
	const struct lc_kind *kind;
	char *base;
	void *arg;
	size_t page;
	int uffd;
	int stop[2];
	int fail_fault;
	int faults;
	bool hit;
	int during_lookup;
	struct lc_state during;
	pthread_t thread;
};

static int lc_wp(struct lc_trap *t, char *addr, size_t len, bool protect)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = (uintptr_t)addr, .len = len },
		.mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	return ioctl(t->uffd, UFFDIO_WRITEPROTECT, &wp) ? -errno : 0;
}

/* One write fault at @addr: let the copy through, or make it fail. */
static void lc_fault(struct lc_trap *t, char *addr)
{
	char *pg = (char *)((uintptr_t)addr & ~(uintptr_t)(t->page - 1));
	char *other = pg == t->base ? t->base + t->page : t->base;
	struct uffdio_range all = {
		.start = (uintptr_t)t->base, .len = 2 * t->page,
	};

	if (++t->faults == t->fail_fault) {
		/* Built, reply under way: the id must answer to nothing. */
		t->hit = true;
		t->during_lookup = t->kind->lookup(t->self,
						   t->kind->first(t->self));
		t->kind->state(t->self, &t->during);
		munmap(t->base, 2 * t->page);
		t->base = NULL;
		ioctl(t->uffd, UFFDIO_WAKE, &all);
		return;
	}
	/* A copy's second page: re-arm its first, which it is done with. */
	if (!(t->faults & 1))
		lc_wp(t, other, t->page, true);
	lc_wp(t, pg, t->page, false);
}

static void *lc_monitor(void *arg)
{
	struct lc_trap *t = arg;
	struct pollfd pfd[2] = {
		{ .fd = t->uffd, .events = POLLIN },
		{ .fd = t->stop[0], .events = POLLIN },
	};
	struct uffd_msg msg;

	while (poll(pfd, 2, -1) > 0 && !pfd[1].revents) {
		if (read(t->uffd, &msg, sizeof(msg)) != sizeof(msg))
			continue;
		if (msg.event == UFFD_EVENT_PAGEFAULT && t->base)
			lc_fault(t, (char *)(uintptr_t)msg.arg.pagefault.address);
	}
	return NULL;
}

/* The userfaultfd, or -1 if the kernel has none for write protection. */
static int lc_uffd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_API, &api) ||
	    !(api.ioctls & (1ULL << _UFFDIO_REGISTER))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Put a valid argument in place; arm the pages so that the @k-th copy out
 * fails. 0, or -errno; uffd mode falls back to read-only pages if the
 * kernel cannot write-protect through userfaultfd.
 */
static int lc_trap_arm(struct lc_trap *t, int k)
{
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_WP };

	t->base = mmap(NULL, 2 * t->page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->base == MAP_FAILED)
		return -errno;
	memset(t->base, 0, 2 * t->page);
	/* 4 bytes in the first page, the rest in the second */
	t->arg = t->base + t->page - 4;
	t->kind->fill(t->self, t->arg);
	t->fail_fault = 2 * k - 1;
	t->faults = 0;
	t->hit = false;

	reg.range.start = (uintptr_t)t->base;
	reg.range.len = 2 * t->page;
	if (t->uffd >= 0 && ioctl(t->uffd, UFFDIO_REGISTER, &reg)) {
		close(t->uffd);
		t->uffd = -1;
	}
	if (t->uffd < 0)
		return mprotect(t->base, 2 * t->page, PROT_READ) ? -errno : 0;
	if (lc_wp(t, t->base, 2 * t->page, true))
		return -EIO;
	if (pipe(t->stop))
		return -errno;
	if (pthread_create(&t->thread, NULL, lc_monitor, t)) {
		close(t->stop[0]);
		close(t->stop[1]);
		return -EAGAIN;
	}
	return 0;
}

/* Stop the monitor; the argument stays readable if it was not unmapped. */
static void lc_trap_disarm(struct lc_trap *t)
{
	if (t->uffd < 0)
		return;
	if (write(t->stop[1], "", 1) != 1)
		abort();
	pthread_join(t->thread, NULL);
	close(t->stop[0]);
	close(t->stop[1]);
}

static void lc_trap_free(struct lc_trap *t)
{
	if (t->base)
		munmap(t->base, 2 * t->page);
	t->base = NULL;
}

/* ------------------------------------------------------------------------
 * The fixture
 */

FIXTURE_SETUP(lifecycle)
{
	self->flags = variant->flags;
	self->event_type = variant->event_type;
	self->adopt = variant->adopt;
	self->page = sysconf(_SC_PAGESIZE);
	self->conv.fd = -1;
	vkfd_base_setup(&self->b, VKFD_BASE_VM);
	if (self->b.env.amdkfd)
		VKFD_SETUP_SKIP("amdkfd: needs a GPU and vkfd's introspection");
	ASSERT_TRUE(vkfd_debugfs_present()) TH_LOG("no %s", vkfd_debugfs_root());
	ASSERT_LE(1, self->b.ngpus);
	ASSERT_LE(0, self->b.render);
	ASSERT_EQ(0, vkfd_open_primary(self->b.env.dev, &self->conv));
	self->user = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->user);
	if (variant->adopt)
		ASSERT_EQ(0, vkfd_alloc(&self->b.p, self->b.gpu[0], VA + (1 << 30),
					LC_SIGNAL_PAGE,
					KFD_IOC_ALLOC_MEM_FLAGS_GTT |
					KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE,
					&self->page_bo));
}

FIXTURE_TEARDOWN(lifecycle)
{
	if (self->conv.fd >= 0)
		vkfd_close(&self->conv);
	vkfd_base_teardown(&self->b);
}

FIXTURE_VARIANT_ADD(lifecycle, vram) {
	.kind = &lc_mem,
	.flags = KFD_IOC_ALLOC_MEM_FLAGS_VRAM | KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE,
};

FIXTURE_VARIANT_ADD(lifecycle, gtt) {
	.kind = &lc_mem,
	.flags = KFD_IOC_ALLOC_MEM_FLAGS_GTT | KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE,
};

FIXTURE_VARIANT_ADD(lifecycle, userptr) {
	.kind = &lc_mem,
	.flags = KFD_IOC_ALLOC_MEM_FLAGS_USERPTR |
		 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE,
};

FIXTURE_VARIANT_ADD(lifecycle, doorbell) {
	.kind = &lc_mem,
	.flags = KFD_IOC_ALLOC_MEM_FLAGS_DOORBELL |
		 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE,
};

FIXTURE_VARIANT_ADD(lifecycle, mmio) {
	.kind = &lc_mem,
	.flags = KFD_IOC_ALLOC_MEM_FLAGS_MMIO_REMAP |
		 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE,
};

FIXTURE_VARIANT_ADD(lifecycle, queue) {
	.kind = &lc_queue,
};

/* The context's first signal event: it sets the signal page up. */
FIXTURE_VARIANT_ADD(lifecycle, signal_event) {
	.kind = &lc_event,
	.event_type = KFD_IOC_EVENT_SIGNAL,
};

/* A signal event that makes a buffer of the caller's the signal page. */
FIXTURE_VARIANT_ADD(lifecycle, signal_event_adopting) {
	.kind = &lc_event,
	.event_type = KFD_IOC_EVENT_SIGNAL,
	.adopt = true,
};

FIXTURE_VARIANT_ADD(lifecycle, memory_event) {
	.kind = &lc_event,
	.event_type = KFD_IOC_EVENT_MEMORY,
};

FIXTURE_VARIANT_ADD(lifecycle, secondary) {
	.kind = &lc_process,
};

/*
 * Fail the reply of one creation, the k-th copy out to its argument for
 * each k until the call succeeds: every failed call must leave the state
 * as it was, with the id free; the call that succeeds gets the id the
 * first object of its kind gets.
 */
TEST_F(lifecycle, unwritable_reply_leaves_nothing)
{
	const struct lc_kind *kind = variant->kind;
	struct lc_trap t = {
		.self = self, .kind = kind, .page = self->page,
		.uffd = lc_uffd_open(),
	};
	struct lc_state before = {}, after = {};
	int k, ret;

	kind->state(self, &before);
	lc_common_state(self, &before);
	ASSERT_LE(0, before.objs);

	for (k = 1; k <= LC_MAX_COPIES; k++) {
		ASSERT_EQ(0, lc_trap_arm(&t, k));
		if (t.uffd < 0)
			TH_LOG("no userfaultfd: a read-only argument");
		ret = _test_ioctl(kind->fd(self), kind->cmd, t.arg);
		lc_trap_disarm(&t);
		if (!ret)
			break;
		ASSERT_EQ(-EFAULT, ret) TH_LOG("copy %d", k);
		if (t.uffd >= 0) {
			ASSERT_TRUE(t.hit) TH_LOG("copy %d", k);
			/* nothing answered to the id while the reply was written */
			EXPECT_NE(0, t.during_lookup) TH_LOG("copy %d", k);
			EXPECT_EQ(before.objs + kind->dir_while_pending,
				  t.during.objs) TH_LOG("copy %d", k);
			EXPECT_EQ(before.published, t.during.published)
				TH_LOG("copy %d", k);
		}
		/* nothing left: no object, no VRAM, no page, no conversion */
		kind->state(self, &after);
		lc_common_state(self, &after);
		EXPECT_EQ(before.objs, after.objs) TH_LOG("copy %d", k);
		EXPECT_EQ(before.published, after.published)
			TH_LOG("copy %d", k);
		EXPECT_EQ(before.vram, after.vram) TH_LOG("copy %d", k);
		EXPECT_EQ(before.available, after.available) TH_LOG("copy %d", k);
		EXPECT_EQ(before.signal_page, after.signal_page)
			TH_LOG("copy %d", k);
		EXPECT_EQ(before.conv_id, after.conv_id) TH_LOG("copy %d", k);
		EXPECT_NE(0, kind->lookup(self, kind->first(self)))
			TH_LOG("copy %d", k);
		if (t.uffd < 0)
			break;
	}
	ASSERT_GT(LC_MAX_COPIES + 1, k);

	if (ret) {
		/* read-only fallback: now a reply that can be written */
		ASSERT_EQ(0, mprotect(t.base, 2 * t.page, PROT_READ | PROT_WRITE));
		kind->fill(self, t.arg);
		test_ioctl(kind->fd(self), kind->cmd, t.arg);
	}
	/* the id the failed calls would have given */
	EXPECT_EQ(kind->first(self), kind->id_of(self, t.arg));
	kind->state(self, &after);
	EXPECT_EQ(before.objs + 1, after.objs);
	EXPECT_EQ(0, kind->destroy(self, t.arg));
	lc_trap_free(&t);
	kind->state(self, &after);
	EXPECT_EQ(before.objs, after.objs);
	if (t.uffd >= 0)
		close(t.uffd);
}

/*
 * ACQUIRE_VM makes a VM but only reads its argument: a read-only one is
 * fine, there is no reply to lose.
 */
TEST(acquire_vm_has_no_reply)
{
	struct kfd_ioctl_acquire_vm_args *a;
	struct vkfd_context c;
	struct vkfd_env env;
	uint32_t gpu_id, pasid;
	int r;

	vkfd_env_init(&env);
	VKFD_ONLY(&env, "needs a GPU and vkfd's CTX_INFO");
	ASSERT_LE(1, vkfd_gpu_ids(env.topology, &gpu_id, 1));
	ASSERT_EQ(0, vkfd_open_primary(env.dev, &c));
	r = vkfd_render_open(env.topology, gpu_id);
	ASSERT_LE(0, r);
	a = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	a->drm_fd = r;
	a->gpu_id = gpu_id;
	ASSERT_EQ(0, mprotect(a, 4096, PROT_READ));
	EXPECT_EQ(0, _test_ioctl(c.fd, AMDKFD_IOC_ACQUIRE_VM, a));
	pasid = vkfd_ctx_pasid(c.fd, 0);
	ASSERT_NE(UINT32_MAX, pasid);
	EXPECT_NE(0U, pasid);
	munmap(a, 4096);
	close(r);
	vkfd_close(&c);
}

TEST_HARNESS_MAIN
