// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ptrace(PTRACE_PEEKDATA/POKEDATA) and /proc/<pid>/mem on CPU mappings of
 * buffers: what a debugger does to a GPU program's memory. The mappings
 * are VM_PFNMAP, out of get_user_pages()' reach, and go through the
 * buffer's vm_operations_struct.access (docs/uapi.rst, "CPU mappings of
 * buffers").
 *
 * The tracee is a fork child of the test: it inherits the test's
 * MAP_SHARED mappings of the buffers, so that what the tracer writes into
 * the child is checked in the test's own mapping and in the GPU's page
 * table, and the other way round.
 *
 * vkfd only, like every mem_*.c: the fixture (mem_utils.h) skips on
 * amdkfd, which has no GPU to allocate on.
 */
#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mem_utils.h"

/* The tracee: stops for its parent, then waits to be told to exit. */
static int tracee_fn(void *arg, int in, int out)
{
	uint64_t v;

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		return 1;
	raise(SIGSTOP);
	return vkfd_msg_recv(in, &v) ? 2 : 0;
}

/* Fork the tracee (the fixture's child) and wait for it to stop. */
static pid_t tracee_start(struct __test_metadata *_metadata,
			  FIXTURE_DATA(mem) *self)
{
	int st;

	ASSERT_EQ(0, vkfd_child_start(&self->b.child, tracee_fn, NULL));
	ASSERT_EQ(self->b.child.pid, waitpid(self->b.child.pid, &st, 0));
	ASSERT_TRUE(WIFSTOPPED(st)) TH_LOG("status 0x%x", st);
	return self->b.child.pid;
}

/* Let the tracee go and reap it: it exits 0. */
static void tracee_end(struct __test_metadata *_metadata,
		       FIXTURE_DATA(mem) *self)
{
	ASSERT_EQ(0, ptrace(PTRACE_DETACH, self->b.child.pid, NULL, NULL));
	ASSERT_EQ(0, vkfd_msg_send(self->b.child.to_child, 1));
	ASSERT_EQ(0, vkfd_child_wait(&self->b.child));
}

/* PEEKDATA of @pid at @addr: 0 and the word in *@v, or the errno. */
static int peek(pid_t pid, const void *addr, uint64_t *v)
{
	long w;

	errno = 0;
	w = ptrace(PTRACE_PEEKDATA, pid, addr, NULL);
	if (errno)
		return errno;
	*v = (uint64_t)w;
	return 0;
}

static int poke(pid_t pid, void *addr, uint64_t v)
{
	return ptrace(PTRACE_POKEDATA, pid, addr, (void *)v) ? errno : 0;
}

/* pread/pwrite of /proc/@pid/mem: the count, or -errno. */
static ssize_t proc_mem_rw(pid_t pid, bool write, void *addr, void *buf,
			   size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write ? pwrite(fd, buf, len, (off_t)(uintptr_t)addr) :
		    pread(fd, buf, len, (off_t)(uintptr_t)addr);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

/*
 * Map @len bytes of @bo with @prot at an address whose next page is
 * mapped by nothing: what lies past the mapping is no memory at all.
 */
static uint8_t *map_before_hole(struct __test_metadata *_metadata, int fd,
				const struct vkfd_bo *bo, size_t len, int prot)
{
	uint8_t *p, *q;

	p = mmap(NULL, len + PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + len, PAGE));
	q = mmap(p, len, prot, MAP_SHARED | MAP_FIXED, fd, bo->mmap_offset);
	ASSERT_EQ(p, q) TH_LOG("%s", strerror(errno));
	return q;
}

/* PEEKDATA reads what the CPU and the GPU see; POKEDATA writes where both see it. */
TEST_F(mem, ptrace_peek_poke_vram_gtt)
{
	static const uint32_t doms[] = { F_VRAM, F_GTT };
	static const size_t offs[] = { 0, 3 * PAGE, 3 * PAGE + 8, 16 * PAGE - 8 };
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->b.gpu[0];
	struct vkfd_xlate x;
	struct vkfd_bo bo;
	uint8_t *map, want_pat[16];
	uint64_t v, want;
	pid_t pid;
	int d, i;

	mem_vm(_metadata, self, c, 0);
	for (d = 0; d < 2; d++) {
		ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, 16 * PAGE, doms[d] | F_W, &bo));
		ASSERT_EQ(0, vkfd_map(&c->k, &bo, &gpu, 1));
		map = bo_map(_metadata, c->render[0], &bo, PROT_READ | PROT_WRITE);
		for (i = 0; i < 16; i++)
			pattern(map + i * PAGE, d * 100 + i);
		memset(map + 16 * PAGE - 8, 0x5a, 8);
		pid = tracee_start(_metadata, self);

		for (i = 0; i < (int)ARRAY_SIZE(offs); i++) {
			memcpy(&want, map + offs[i], 8);
			ASSERT_EQ(0, peek(pid, map + offs[i], &v)) TH_LOG("offset %zu", offs[i]);
			EXPECT_EQ(want, v) TH_LOG("offset %zu", offs[i]);
		}
		for (i = 0; i < (int)ARRAY_SIZE(offs); i++) {
			want = 0x0123456789abcdefULL ^ (offs[i] * 0x10001) ^ d;
			ASSERT_EQ(0, poke(pid, map + offs[i], want)) TH_LOG("offset %zu", offs[i]);
			memcpy(&v, map + offs[i], 8);
			EXPECT_EQ(want, v) TH_LOG("offset %zu", offs[i]);
		}
		/* the GPU sees the poked word at the start of page 3 */
		want = 0x0123456789abcdefULL ^ (3 * PAGE * 0x10001) ^ d;
		ASSERT_MAPPED(c, 0, MEM_VA + 3 * PAGE, &x);
		EXPECT_EQ(0, memcmp(x.data, &want, 8)) TH_LOG("%s", x.text);
		/* the bytes around a poke are untouched */
		pattern(want_pat, d * 100);
		EXPECT_EQ(0, memcmp(map + 8, want_pat + 8, 8));
		EXPECT_TRUE(has_pattern(map + 2 * PAGE, d * 100 + 2));
		EXPECT_TRUE(has_pattern(map + 4 * PAGE, d * 100 + 4));

		tracee_end(_metadata, self);
		EXPECT_EQ(0, vkfd_bo_munmap(&bo, map));
		ASSERT_EQ(0, vkfd_free(&c->k, &bo));
	}
	EXPECT_BUDGET_FREE();
}

/* /proc/<pid>/mem reads and writes across page boundaries, the tracee's and the test's own. */
TEST_F(mem, proc_mem_pread_pwrite)
{
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->b.gpu[0];
	uint8_t buf[3 * PAGE], *map;
	struct vkfd_xlate x;
	struct vkfd_bo bo;
	pid_t pids[2];
	int p, i;

	mem_vm(_metadata, self, c, 0);
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, 8 * PAGE, F_VRAM | F_W, &bo));
	ASSERT_EQ(0, vkfd_map(&c->k, &bo, &gpu, 1));
	map = bo_map(_metadata, c->render[0], &bo, PROT_READ | PROT_WRITE);
	for (i = 0; i < (int)(8 * PAGE); i++)
		map[i] = (uint8_t)(i * 7 + (i >> 12));
	pids[0] = tracee_start(_metadata, self);
	pids[1] = getpid();

	for (p = 0; p < 2; p++) {
		/* 3 pages from 100 bytes in: four pages touched */
		memset(buf, 0, sizeof(buf));
		ASSERT_EQ((ssize_t)sizeof(buf),
			  proc_mem_rw(pids[p], false, map + 100, buf, sizeof(buf)));
		EXPECT_EQ(0, memcmp(buf, map + 100, sizeof(buf))) TH_LOG("pid %d", pids[p]);

		for (i = 0; i < (int)sizeof(buf); i++)
			buf[i] = (uint8_t)(0xc3 ^ i ^ p);
		ASSERT_EQ((ssize_t)sizeof(buf),
			  proc_mem_rw(pids[p], true, map + 4 * PAGE + 4000, buf,
				      sizeof(buf)));
		EXPECT_EQ(0, memcmp(buf, map + 4 * PAGE + 4000, sizeof(buf)))
			TH_LOG("pid %d", pids[p]);
		/* the byte before the write is untouched */
		EXPECT_EQ((uint8_t)((4 * PAGE + 3999) * 7 + 4), map[4 * PAGE + 3999]);
		/* the GPU sees the first bytes of page 5 as written */
		ASSERT_MAPPED(c, 0, MEM_VA + 5 * PAGE, &x);
		EXPECT_EQ(0, memcmp(x.data, buf + PAGE - 4000, 16)) TH_LOG("%s", x.text);
	}
	tracee_end(_metadata, self);
	EXPECT_EQ(0, vkfd_bo_munmap(&bo, map));
	ASSERT_EQ(0, vkfd_free(&c->k, &bo));
	EXPECT_BUDGET_FREE();
}

/*
 * Past the mapping there is nothing: EIO, or a short count up to its end
 * as the mm core reports it. A mapping of the first page of a larger
 * buffer ends there too.
 */
TEST_F(mem, ptrace_past_the_end_eio)
{
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->b.gpu[0];
	struct vkfd_bo bo;
	uint8_t *map, buf[16];
	size_t lens[] = { 4 * PAGE, PAGE };
	uint64_t v;
	pid_t pid;
	int l;

	mem_vm(_metadata, self, c, 0);
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, 4 * PAGE, F_GTT | F_W, &bo));
	for (l = 0; l < 2; l++) {
		map = map_before_hole(_metadata, c->render[0], &bo, lens[l],
				      PROT_READ | PROT_WRITE);
		memset(map, 0x11, lens[l]);
		pid = tracee_start(_metadata, self);

		ASSERT_EQ(0, peek(pid, map + lens[l] - 8, &v));
		EXPECT_EQ(0x1111111111111111ULL, v);
		EXPECT_EQ(EIO, peek(pid, map + lens[l], &v));
		EXPECT_EQ(EIO, poke(pid, map + lens[l], 1));
		/* a read and a write that cross the end stop there */
		memset(buf, 0, sizeof(buf));
		EXPECT_EQ(8, proc_mem_rw(pid, false, map + lens[l] - 8, buf, 16));
		EXPECT_EQ(0x11, buf[0]);
		EXPECT_EQ(0, buf[8]);
		memset(buf, 0x22, sizeof(buf));
		EXPECT_EQ(8, proc_mem_rw(pid, true, map + lens[l] - 8, buf, 16));
		EXPECT_EQ(0x22, map[lens[l] - 1]);
		EXPECT_EQ(0x11, map[lens[l] - 9]);
		EXPECT_EQ(-EIO, proc_mem_rw(pid, false, map + lens[l], buf, 16));

		tracee_end(_metadata, self);
		EXPECT_EQ(0, munmap(map, lens[l]));
	}
	ASSERT_EQ(0, vkfd_free(&c->k, &bo));
	EXPECT_BUDGET_FREE();
}

/*
 * The mm core's rules for a forced access: a read-only or PROT_NONE
 * mapping can be read, not written (EIO, nothing changes).
 */
TEST_F(mem, ptrace_readonly_prot_none)
{
	static const int prots[] = { PROT_READ, PROT_NONE };
	struct mem_ctx *c = &self->ctx[0];
	uint32_t gpu = self->b.gpu[0];
	uint8_t *rw, *ro, buf[8];
	struct vkfd_bo bo;
	uint64_t v;
	pid_t pid;
	int i;

	mem_vm(_metadata, self, c, 0);
	ASSERT_EQ(0, vkfd_alloc(&c->k, gpu, MEM_VA, 2 * PAGE, F_VRAM | F_W, &bo));
	rw = bo_map(_metadata, c->render[0], &bo, PROT_READ | PROT_WRITE);
	memset(rw, 0x33, 2 * PAGE);
	for (i = 0; i < (int)ARRAY_SIZE(prots); i++) {
		ro = bo_map(_metadata, c->render[0], &bo, prots[i]);
		pid = tracee_start(_metadata, self);

		ASSERT_EQ(0, peek(pid, ro + PAGE, &v)) TH_LOG("prot %d", prots[i]);
		EXPECT_EQ(0x3333333333333333ULL, v);
		EXPECT_EQ(EIO, poke(pid, ro + PAGE, 0)) TH_LOG("prot %d", prots[i]);
		memset(buf, 0, sizeof(buf));
		EXPECT_EQ(-EIO, proc_mem_rw(pid, true, ro, buf, sizeof(buf)));
		EXPECT_EQ(-EIO, proc_mem_rw(getpid(), true, ro, buf, sizeof(buf)));
		EXPECT_EQ(0x33, rw[0]);
		EXPECT_EQ(0x33, rw[PAGE]);

		tracee_end(_metadata, self);
		EXPECT_EQ(0, vkfd_bo_munmap(&bo, ro));
	}
	EXPECT_EQ(0, vkfd_bo_munmap(&bo, rw));
	ASSERT_EQ(0, vkfd_free(&c->k, &bo));
	EXPECT_BUDGET_FREE();
}

TEST_HARNESS_MAIN
