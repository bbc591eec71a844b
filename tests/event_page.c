// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The signal page: mmap through /dev/kfd at the offset CREATE_EVENT
 * returns (sizes, offsets, flags: docs/adversarial.rst row 3), its slots, what a
 * mapping's size does to the slot limit, fork and fd passing, isolation
 * between contexts (docs/adversarial.rst row 10); and a GTT buffer adopted as the
 * page by handle, as libhsakmt does on dGPUs.
 */
#include "kselftest_harness.h"
#include "event_utils.h"

#define KIB		1024UL
#define PAGE		(4 * KIB)
#define GTT_VA		0x40000000ULL

TEST_F(event, mmap_without_page)
{
	struct vkfd_event ev;

	/* No event, then only events without slots: no page to map */
	EXPECT_EQ(EINVAL, ev_page_map_err(self->b.p.fd, EV_PAGE_SIZE, MAP_SHARED,
					  EV_PAGE_OFFSET));
	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_MEMORY, false, 0, &ev));
	EXPECT_EQ(0ULL, ev.page_offset);
	EXPECT_EQ(EINVAL, ev_page_map_err(self->b.p.fd, EV_PAGE_SIZE, MAP_SHARED,
					  EV_PAGE_OFFSET));
	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	EXPECT_EQ(0, ev_page_map_err(self->b.p.fd, EV_PAGE_SIZE, MAP_SHARED,
				     EV_PAGE_OFFSET));
}

/* 4 KiB to 32 KiB map (libhsakmt maps 32, and falls back to 4); more does not. */
TEST_F(event, mmap_sizes)
{
	size_t size;

	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	for (size = PAGE; size <= EV_PAGE_SIZE; size += PAGE)
		EXPECT_EQ(0, ev_page_map_err(self->b.p.fd, size, MAP_SHARED,
					     EV_PAGE_OFFSET)) TH_LOG("%zu bytes", size);
	EXPECT_EQ(EINVAL, ev_page_map_err(self->b.p.fd, EV_PAGE_SIZE + PAGE,
					  MAP_SHARED, EV_PAGE_OFFSET));
	EXPECT_EQ(EINVAL, ev_page_map_err(self->b.p.fd, 2 * EV_PAGE_SIZE,
					  MAP_SHARED, EV_PAGE_OFFSET));
	EXPECT_EQ(EINVAL, ev_page_map_err(self->b.p.fd, 1024 * EV_PAGE_SIZE,
					  MAP_SHARED, EV_PAGE_OFFSET));
}

/* An offset a page below is another mmap type: refused by both drivers. */
TEST_F(event, mmap_offset_below)
{
	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	/* amdkfd: the RESERVED_MEM type, of a GPU it does not have */
	EXPECT_EQ(self->b.env.amdkfd ? ENODEV : EINVAL,
		  ev_page_map_err(self->b.p.fd, PAGE, MAP_SHARED, EV_PAGE_OFFSET - PAGE));
}

/* vkfd wants the offset CREATE_EVENT returned, exactly; amdkfd ignores the low bits. */
TEST_F(event, mmap_wrong_offset)
{
	VKFD_ONLY(&self->b.env, "maps the page at any offset of the EVENTS type");
	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	EXPECT_EQ(EINVAL, ev_page_map_err(self->b.p.fd, PAGE, MAP_SHARED,
					  EV_PAGE_OFFSET + PAGE));
	EXPECT_EQ(EINVAL, ev_page_map_err(self->b.p.fd, PAGE, MAP_SHARED,
					  EV_PAGE_OFFSET + 7 * PAGE));
	EXPECT_EQ(EINVAL, ev_page_map_err(self->b.p.fd, PAGE, MAP_SHARED,
					  EV_PAGE_OFFSET | (1ULL << 46)));
	EXPECT_EQ(0, ev_page_map_err(self->b.p.fd, PAGE, MAP_SHARED, EV_PAGE_OFFSET));
}

/* A private (copy-on-write) mapping is refused; amdkfd makes one. */
TEST_F(event, mmap_private)
{
	void *p;

	VKFD_ONLY(&self->b.env, "maps the page MAP_PRIVATE");
	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	EXPECT_EQ(EINVAL, ev_page_map_err(self->b.p.fd, EV_PAGE_SIZE, MAP_PRIVATE,
					  EV_PAGE_OFFSET));
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, self->b.p.fd, EV_PAGE_OFFSET);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

/* Every slot reads all ones; a new event's slot is made all ones again. */
TEST_F(event, slots_unsignaled)
{
	volatile uint64_t *slots;

	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	ASSERT_EQ(0, vkfd_event_page_mmap(&self->b.p, EV_PAGE_OFFSET, EV_PAGE_SIZE, &slots));
	EXPECT_TRUE(ev_slots_unsignaled(slots, KFD_SIGNAL_EVENT_LIMIT));
	slots[2] = 0;
	slots[3] = 2;
	ASSERT_EQ(2, ev_signal(&self->b.p, false));
	EXPECT_EQ(EV_UNSIGNALED, slots[2]);
	/* A value in a slot is not a SET: only an engine's interrupt signals */
	EXPECT_EQ(EV_TIMEOUT, ev_wait1(&self->b.p, 2, 0));
	EXPECT_EQ(2ULL, slots[3]);
	/* SET and RESET leave the slots alone */
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, 1));
	ASSERT_EQ(0, vkfd_event_reset(&self->b.p, 1));
	EXPECT_EQ(EV_UNSIGNALED, slots[1]);
	munmap((void *)slots, EV_PAGE_SIZE);
}

/* Two mappings are the same memory. */
TEST_F(event, mappings_shared)
{
	volatile uint64_t *a, *b;
	int fd2;

	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	ASSERT_EQ(0, vkfd_event_page_mmap(&self->b.p, EV_PAGE_OFFSET, EV_PAGE_SIZE, &a));
	/* and through another fd of the same primary */
	fd2 = vkfd_open_dev(&self->b.env);
	ASSERT_LE(0, fd2);
	b = ev_page_map(fd2, PAGE, MAP_SHARED, EV_PAGE_OFFSET);
	ASSERT_NE(MAP_FAILED, b);
	a[100] = 0x1234;
	EXPECT_EQ(0x1234ULL, b[100]);
	b[7] = 7;
	EXPECT_EQ(7ULL, a[7]);
	munmap((void *)b, PAGE);
	close(fd2);
	EXPECT_EQ(7ULL, a[7]);
	munmap((void *)a, EV_PAGE_SIZE);
}

/* The size of the last mapping limits the slots new events may use. */
TEST_F(event, mapped_size_limits_slots)
{
	struct vkfd_event ev;
	void *p;
	int64_t id;
	int n = 0;

	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	p = ev_page_map(self->b.p.fd, PAGE, MAP_SHARED, EV_PAGE_OFFSET);
	ASSERT_NE(MAP_FAILED, p);
	while ((id = ev_signal(&self->b.p, false)) > 0)
		n++;
	EXPECT_EQ(-ENOSPC, id);
	/* 4 KiB: 512 slots, ids 1..511 */
	EXPECT_EQ((int)(PAGE / 8) - 2, n);
	/* Debug events use the slots too */
	EXPECT_EQ(-ENOSPC, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_DEBUG_EVENT,
					     false, 0, &ev));
	munmap(p, PAGE);
}

/* A fork child does not inherit the mapping. */
static int child_touch(void *arg, int in, int out)
{
	volatile uint64_t *slots = arg;

	return slots[0] == EV_UNSIGNALED ? 1 : 2;
}

TEST_F(event, mapping_not_inherited)
{
	volatile uint64_t *slots;
	struct vkfd_child child = { 0 };

	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	ASSERT_EQ(0, vkfd_event_page_mmap(&self->b.p, EV_PAGE_OFFSET, EV_PAGE_SIZE, &slots));
	ASSERT_EQ(0, vkfd_child_start(&child, child_touch, (void *)slots));
	EXPECT_EQ(128 + SIGSEGV, vkfd_child_wait(&child));
	EXPECT_EQ(EV_UNSIGNALED, slots[0]);
	munmap((void *)slots, EV_PAGE_SIZE);
}

/* A process that did not open the fd maps nothing through it. */
static int child_map(void *arg, int in, int out)
{
	const int *a = arg;	/* fd, expected errno */

	return ev_page_map_err(a[0], PAGE, MAP_SHARED, EV_PAGE_OFFSET) == a[1] ? 0 : 1;
}

static int child_recv_map(void *arg, int in, int out)
{
	const int *a = arg;	/* socket, expected errno */
	int b[2] = { vkfd_recv_fd(a[0]), a[1] };

	return b[0] < 0 ? 10 : child_map(b, in, out);
}

TEST_F(event, mmap_other_process)
{
	struct vkfd_child child = { 0 };
	int a[2], sv[2];

	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	/* amdkfd looks the context up by the caller, who has none: EINVAL */
	a[0] = self->b.p.fd;
	a[1] = self->b.env.amdkfd ? EINVAL : EBADF;
	ASSERT_EQ(0, vkfd_child_start(&child, child_map, a));
	EXPECT_EQ(0, vkfd_child_wait(&child));

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	a[0] = sv[1];
	ASSERT_EQ(0, vkfd_child_start(&child, child_recv_map, a));
	ASSERT_EQ(0, vkfd_send_fd(sv[0], self->b.p.fd));
	EXPECT_EQ(0, vkfd_child_wait(&child));
	close(sv[0]);
	close(sv[1]);
}

/*
 * Through a secondary's fd, the secondary's page: writes land in that
 * context's page only, never in the primary's or a sibling's.
 */
TEST_F(event, mmap_isolation)
{
	volatile uint64_t *p, *s1, *s2;
	struct vkfd_context sec1, sec2;

	EV_SECONDARY(&sec1);
	EV_SECONDARY(&sec2);
	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	/* A secondary without signal events has no page, whatever the primary has */
	EXPECT_EQ(EINVAL, ev_page_map_err(sec1.fd, PAGE, MAP_SHARED, EV_PAGE_OFFSET));
	ASSERT_EQ(1, ev_signal(&sec1, false));
	ASSERT_EQ(1, ev_signal(&sec2, false));
	ASSERT_EQ(0, vkfd_event_page_mmap(&self->b.p, EV_PAGE_OFFSET, EV_PAGE_SIZE, &p));
	ASSERT_EQ(0, vkfd_event_page_mmap(&sec1, EV_PAGE_OFFSET, EV_PAGE_SIZE, &s1));
	ASSERT_EQ(0, vkfd_event_page_mmap(&sec2, EV_PAGE_OFFSET, EV_PAGE_SIZE, &s2));
	p[5] = 0x50;
	s1[5] = 0x51;
	s2[6] = 0x62;
	EXPECT_EQ(0x50ULL, p[5]);
	EXPECT_EQ(0x51ULL, s1[5]);
	EXPECT_EQ(EV_UNSIGNALED, s2[5]);
	EXPECT_EQ(EV_UNSIGNALED, p[6]);
	EXPECT_EQ(EV_UNSIGNALED, s1[6]);
	/* Events made in one context reset their slots in that page only */
	ASSERT_EQ(2, ev_signal(&sec1, false));
	p[2] = s2[2] = 0;
	ASSERT_EQ(3, ev_signal(&sec1, false));
	ASSERT_EQ(2, ev_signal(&sec2, false));
	EXPECT_EQ(EV_UNSIGNALED, s2[2]);
	EXPECT_EQ(0ULL, p[2]);
	munmap((void *)p, EV_PAGE_SIZE);
	munmap((void *)s1, EV_PAGE_SIZE);
	munmap((void *)s2, EV_PAGE_SIZE);
	vkfd_close(&sec1);
	vkfd_close(&sec2);
}

/* The page outlives the primary's address space: a child maps it and exits. */
static int child_map_exit(void *arg, int in, int out)
{
	const struct vkfd_env *env = arg;
	volatile uint64_t *slots;
	struct vkfd_context c;

	if (vkfd_open_primary(env->dev, &c) || ev_signal(&c, false) != 1)
		return 1;
	if (vkfd_event_page_mmap(&c, EV_PAGE_OFFSET, EV_PAGE_SIZE, &slots))
		return 2;
	slots[1] = 1;
	/* exit with the mapping and the fd: the events go at the address space's release */
	return 0;
}

TEST_F(event, exit_with_mapping)
{
	struct vkfd_child child = { 0 };
	pid_t pid;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, vkfd_child_start(&child, child_map_exit, &self->b.env));
		pid = child.pid;
		EXPECT_EQ(0, vkfd_child_wait(&child));
		EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, pid));
	}
}

/* ------------------------------------------------------------------------
 * A GTT buffer adopted as the signal page
 */

/* An unknown handle: EINVAL, and the page is still to be made (amdkfd too). */
TEST_F(event, adopt_unknown_handle)
{
	struct kfd_ioctl_create_event_args a = {
		.event_type = KFD_IOC_EVENT_SIGNAL,
		.event_page_offset = 0x1234,
	};

	EXPECT_EQ(-EINVAL, _test_create_event(self->b.p.fd, &a));
	a.event_page_offset = (1ULL << 32) | 1;
	EXPECT_EQ(-EINVAL, _test_create_event(self->b.p.fd, &a));
	a.event_page_offset = UINT64_MAX;
	EXPECT_EQ(-EINVAL, _test_create_event(self->b.p.fd, &a));
	EXPECT_EQ(EINVAL, ev_page_map_err(self->b.p.fd, PAGE, MAP_SHARED, EV_PAGE_OFFSET));
	EXPECT_EQ(1, ev_signal(&self->b.p, false));
	EXPECT_EQ(0, ev_page_map_err(self->b.p.fd, PAGE, MAP_SHARED, EV_PAGE_OFFSET));
}

struct gtt {
	uint32_t gpu;
	int render;
	struct vkfd_bo bo;
	volatile uint64_t *cpu;
};

/* The first GPU into *@id, or SKIP. */
#define NEED_GPU(id) do {						\
	VKFD_ONLY_GPUS(&self->b, 1, "no GPU to allocate a buffer on");	\
	*(id) = self->b.gpu[0];						\
} while (0)

/* A VM on @gpu for @ctx, a buffer of @flags and @size there, CPU-mapped if GTT/VRAM. */
static void gtt_new(struct __test_metadata *_metadata, const struct vkfd_context *ctx,
		    const struct vkfd_env *env, uint32_t gpu, uint32_t flags,
		    uint64_t size, struct gtt *g)
{
	void *cpu = NULL;

	g->gpu = gpu;
	g->cpu = NULL;
	ASSERT_EQ(0, vkfd_open_vm(ctx, env->topology, gpu, &g->render));
	ASSERT_EQ(0, vkfd_alloc(ctx, gpu, GTT_VA, size,
				flags | KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &g->bo));
	if (flags & (KFD_IOC_ALLOC_MEM_FLAGS_GTT | KFD_IOC_ALLOC_MEM_FLAGS_VRAM)) {
		ASSERT_EQ(0, vkfd_bo_mmap(g->render, &g->bo, PROT_READ | PROT_WRITE, &cpu));
		memset(cpu, 0x11, size);
		g->cpu = cpu;
	}
}

static void gtt_done(struct gtt *g)
{
	if (g->cpu)
		vkfd_bo_munmap(&g->bo, (void *)g->cpu);
	close(g->render);
}

/*
 * A GTT buffer of the page's size on @gpu, handed over as the page with
 * the primary's first CREATE_EVENT, of @type; the argument as it came
 * back in *@a.
 */
static void gtt_adopt(struct __test_metadata *_metadata,
		      FIXTURE_DATA(event) *self, uint32_t gpu, uint32_t type,
		      struct gtt *g, struct kfd_ioctl_create_event_args *a)
{
	gtt_new(_metadata, &self->b.p, &self->b.env, gpu, KFD_IOC_ALLOC_MEM_FLAGS_GTT,
		EV_PAGE_SIZE, g);
	*a = (struct kfd_ioctl_create_event_args){
		.event_type = type,
		.event_page_offset = g->bo.handle,
	};
	ASSERT_EQ(0, _test_create_event(self->b.p.fd, a));
}

/* libhsakmt's dGPU path: the first CREATE_EVENT hands the page over. */
TEST_F(event, adopt_gtt)
{
	struct kfd_ioctl_create_event_args a;
	struct vkfd_event ev;
	struct gtt g;
	uint32_t gpu;

	NEED_GPU(&gpu);
	gtt_adopt(_metadata, self, gpu, KFD_IOC_EVENT_SIGNAL, &g, &a);
	EXPECT_EQ(1U, a.event_id);
	EXPECT_EQ(1U, a.event_slot_index);
	EXPECT_EQ(EV_PAGE_OFFSET, a.event_page_offset);
	/* The buffer is the page now: all ones */
	EXPECT_TRUE(ev_slots_unsignaled(g.cpu, KFD_SIGNAL_EVENT_LIMIT));
	/* Once only */
	a.event_page_offset = g.bo.handle;
	EXPECT_EQ(-EINVAL, _test_create_event(self->b.p.fd, &a));
	a.event_type = KFD_IOC_EVENT_MEMORY;
	a.event_page_offset = g.bo.handle;
	EXPECT_EQ(-EINVAL, _test_create_event(self->b.p.fd, &a));
	/* Later events without a handle use it, and all 4095 slots are open */
	g.cpu[2] = 0;
	ASSERT_EQ(0, vkfd_event_create(&self->b.p, KFD_IOC_EVENT_SIGNAL, true, 0, &ev));
	EXPECT_EQ(2U, ev.id);
	EXPECT_EQ(EV_PAGE_OFFSET, ev.page_offset);
	EXPECT_EQ(EV_UNSIGNALED, g.cpu[2]);
	while (ev_signal(&self->b.p, false) > 0)
		;
	EXPECT_EQ(-ENOSPC, ev_signal(&self->b.p, false));
	EXPECT_EQ(0, vkfd_event_destroy(&self->b.p, KFD_SIGNAL_EVENT_LIMIT - 1));
	/* It is mapped through the render node, not through /dev/kfd */
	EXPECT_EQ(EINVAL, ev_page_map_err(self->b.p.fd, PAGE, MAP_SHARED, EV_PAGE_OFFSET));
	gtt_done(&g);
}

/* What cannot be the page: EINVAL, and nothing changes. */
TEST_F(event, adopt_errors)
{
	struct kfd_ioctl_create_event_args a = { .event_type = KFD_IOC_EVENT_SIGNAL };
	struct vkfd_context sec;
	struct gtt vram, small, other, ok;
	uint32_t gpu;

	NEED_GPU(&gpu);
	EV_SECONDARY(&sec);
	gtt_new(_metadata, &self->b.p, &self->b.env, gpu, KFD_IOC_ALLOC_MEM_FLAGS_VRAM,
		EV_PAGE_SIZE, &vram);
	/* Another VA in the same VM: a second render file is not needed */
	ASSERT_EQ(0, vkfd_alloc(&self->b.p, gpu, GTT_VA + 16 * EV_PAGE_SIZE, EV_PAGE_SIZE / 2,
				KFD_IOC_ALLOC_MEM_FLAGS_GTT, &small.bo));
	gtt_new(_metadata, &sec, &self->b.env, gpu, KFD_IOC_ALLOC_MEM_FLAGS_GTT,
		EV_PAGE_SIZE, &other);

	a.event_page_offset = vram.bo.handle;
	EXPECT_EQ(-EINVAL, _test_create_event(self->b.p.fd, &a));
	a.event_page_offset = small.bo.handle;
	EXPECT_EQ(-EINVAL, _test_create_event(self->b.p.fd, &a));
	/* The secondary's buffer, through the primary's fd */
	a.event_page_offset = other.bo.handle;
	EXPECT_EQ(-EINVAL, _test_create_event(self->b.p.fd, &a));
	/* A freed buffer */
	ASSERT_EQ(0, vkfd_alloc(&self->b.p, gpu, GTT_VA + 32 * EV_PAGE_SIZE, EV_PAGE_SIZE,
				KFD_IOC_ALLOC_MEM_FLAGS_GTT, &ok.bo));
	a.event_page_offset = ok.bo.handle;
	ASSERT_EQ(0, vkfd_free(&self->b.p, &ok.bo));
	EXPECT_EQ(-EINVAL, _test_create_event(self->b.p.fd, &a));
	/* None of them became a page: the secondary's buffer is as written */
	EXPECT_EQ(0x1111111111111111ULL, other.cpu[0]);

	/* Nothing changed: no event, no page; a good buffer is still taken */
	EXPECT_EQ(-EINVAL, vkfd_event_destroy(&self->b.p, 1));
	ASSERT_EQ(0, vkfd_alloc(&self->b.p, gpu, GTT_VA + 64 * EV_PAGE_SIZE, 2 * EV_PAGE_SIZE,
				KFD_IOC_ALLOC_MEM_FLAGS_GTT, &ok.bo));
	a.event_page_offset = ok.bo.handle;
	EXPECT_EQ(0, _test_create_event(self->b.p.fd, &a));
	EXPECT_EQ(1U, a.event_id);
	/* In the secondary, its own buffer works */
	a.event_page_offset = other.bo.handle;
	EXPECT_EQ(0, _test_create_event(sec.fd, &a));
	EXPECT_EQ(1U, a.event_id);
	EXPECT_TRUE(ev_slots_unsignaled(other.cpu, KFD_SIGNAL_EVENT_LIMIT));
	gtt_done(&vram);
	gtt_done(&other);
	vkfd_close(&sec);
}

/*
 * The page keeps its own reference: the buffer may be freed, and the
 * kernel still writes the page (a new event resets its slot).
 */
TEST_F(event, adopt_then_free)
{
	struct kfd_ioctl_create_event_args a;
	struct gtt g;
	uint32_t gpu;

	NEED_GPU(&gpu);
	gtt_adopt(_metadata, self, gpu, KFD_IOC_EVENT_SIGNAL, &g, &a);
	ASSERT_EQ(0, vkfd_free(&self->b.p, &g.bo));
	g.cpu[2] = 2;
	g.cpu[3] = 3;
	ASSERT_EQ(2, ev_signal(&self->b.p, true));
	EXPECT_EQ(EV_UNSIGNALED, g.cpu[2]);
	EXPECT_EQ(3ULL, g.cpu[3]);
	ASSERT_EQ(0, vkfd_event_set(&self->b.p, 2));
	EXPECT_EQ(EV_COMPLETE, ev_wait1(&self->b.p, 2, 0));
	gtt_done(&g);
	/* With the CPU mapping gone too, events still work */
	ASSERT_EQ(3, ev_signal(&self->b.p, true));
	ASSERT_EQ(0, vkfd_event_destroy(&self->b.p, 1));
}

/* A handle passed with an event of another type is adopted all the same (amdkfd). */
TEST_F(event, adopt_with_other_type)
{
	struct kfd_ioctl_create_event_args a;
	struct gtt g;
	uint32_t gpu;

	NEED_GPU(&gpu);
	gtt_adopt(_metadata, self, gpu, KFD_IOC_EVENT_MEMORY, &g, &a);
	EXPECT_EQ(EV_FIRST_OTHER_ID, a.event_id);
	EXPECT_EQ(0ULL, a.event_page_offset);
	EXPECT_TRUE(ev_slots_unsignaled(g.cpu, KFD_SIGNAL_EVENT_LIMIT));
	g.cpu[1] = 0;
	ASSERT_EQ(1, ev_signal(&self->b.p, false));
	EXPECT_EQ(EV_UNSIGNALED, g.cpu[1]);
	/* No page of vkfd's own was made */
	EXPECT_EQ(EINVAL, ev_page_map_err(self->b.p.fd, PAGE, MAP_SHARED, EV_PAGE_OFFSET));
	gtt_done(&g);
}

TEST_HARNESS_MAIN
