// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The KFD ioctl dispatcher: sizes, directions, unknown numbers and the
 * opener-only rule. The query ioctls (GET_CLOCK_COUNTERS,
 * GET_PROCESS_APERTURES(_NEW), SET_XNACK_MODE) are in ioctl_query.c, the
 * GPU memory ioctls in mem_*.c. Shared tests run against vkfd and amdkfd;
 * vkfd-only ones say why they skip on amdkfd.
 *
 * The command itself (its number, size and direction) is what is under
 * test here: the calls are _test_ioctl() of commands made by hand
 * (VKFD_IOC_RESIZE(), _IOWR(), ...), never a typed helper, which would
 * always issue the right command.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "ioctl_utils.h"

/* amdkfd in Linux 6.1 reports uAPI 1.11; vkfd 1.5 (see docs/uapi.rst). */
#define TEST_AMDKFD61_MINOR		11
#define VKFD_MINOR		5
/*
 * One past 6.1's last command (its AMDKFD_COMMAND_END): the numbers whose
 * fate unimplemented_nr_enotty lists. A newer <linux/kfd_ioctl.h> has a
 * larger AMDKFD_COMMAND_END; unknown_nrs covers the numbers above.
 */
#define TEST_AMDKFD61_COMMAND_END	0x24

/* ------------------------------------------------------------------------
 * GET_VERSION and the size/direction handling of the dispatcher
 */

/* GET_VERSION reports major 1; vkfd exactly 1.5, amdkfd 6.1 1.11. */
TEST_F(ioctl, get_version)
{
	struct kfd_ioctl_get_version_args args;

	vkfd_fill(&args, sizeof(args));
	test_ioctl(self->fd, AMDKFD_IOC_GET_VERSION, &args);
	EXPECT_EQ(1U, args.major_version);
	EXPECT_EQ(self->b.env.amdkfd ? TEST_AMDKFD61_MINOR : VKFD_MINOR,
		  (int)args.minor_version);
}

/* A size-0 command word (_IO) succeeds and writes nothing, not even through NULL. */
TEST_F(ioctl, get_version_size_zero)
{
	unsigned char buf[16];

	vkfd_fill(buf, sizeof(buf));
	test_ioctl(self->fd, _IO(AMDKFD_IOCTL_BASE, 0x01), buf);
	EXPECT_TRUE(vkfd_untouched(buf, sizeof(buf)));
	test_ioctl(self->fd, _IO(AMDKFD_IOCTL_BASE, 0x01), NULL);
}

/* A short user struct gets only its prefix: size 4 writes major, not minor. */
TEST_F(ioctl, get_version_short_size)
{
	unsigned char buf[16];
	__u32 major;

	vkfd_fill(buf, sizeof(buf));
	test_ioctl(self->fd, VKFD_IOC_RESIZE(AMDKFD_IOC_GET_VERSION, _IOC_READ, 4), buf);
	memcpy(&major, buf, sizeof(major));
	EXPECT_EQ(1U, major);
	EXPECT_TRUE(vkfd_untouched(buf + 4, sizeof(buf) - 4));
}

/* A long user struct keeps its bytes past the kernel struct (read-only command). */
TEST_F(ioctl, get_version_long_size)
{
	unsigned char buf[64];
	struct kfd_ioctl_get_version_args args;

	VKFD_ONLY(&self->b.env, "amdkfd zero-fills the whole user buffer of an _IOR command");
	vkfd_fill(buf, sizeof(buf));
	test_ioctl(self->fd, VKFD_IOC_RESIZE(AMDKFD_IOC_GET_VERSION, _IOC_READ, sizeof(buf)),
		   buf);
	memcpy(&args, buf, sizeof(args));
	EXPECT_EQ(1U, args.major_version);
	EXPECT_EQ((__u32)VKFD_MINOR, args.minor_version);
	EXPECT_TRUE(vkfd_untouched(buf + sizeof(args), sizeof(buf) - sizeof(args)));
}

/* The kernel's own command word decides the direction, not the caller's. */
TEST_F(ioctl, direction_from_table)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	struct kfd_ioctl_get_version_args args;
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(dirs); i++) {
		vkfd_fill(&args, sizeof(args));
		test_ioctl(self->fd, VKFD_IOC_RESIZE(AMDKFD_IOC_GET_VERSION, dirs[i],
						     sizeof(args)), &args);
		EXPECT_EQ(1U, args.major_version);
	}
}

/* A long read-write struct: the kernel part is answered, the tail is left alone. */
TEST_F(ioctl, clock_counters_long_size)
{
	struct {
		struct kfd_ioctl_get_clock_counters_args args;
		unsigned char tail[32];
	} buf;

	vkfd_fill(&buf, sizeof(buf));
	buf.args.gpu_id = 0;
	buf.args.pad = 0;
	test_ioctl(self->fd, VKFD_IOC_RESIZE(AMDKFD_IOC_GET_CLOCK_COUNTERS,
					     _IOC_READ | _IOC_WRITE, sizeof(buf)), &buf);
	EXPECT_EQ(1000000000ULL, buf.args.system_clock_freq);
	EXPECT_EQ(0ULL, buf.args.gpu_clock_counter);
	EXPECT_TRUE(vkfd_untouched(buf.tail, sizeof(buf.tail)));
}

/* A short read-write struct is zero-extended on the way in and only its prefix is written. */
TEST_F(ioctl, clock_counters_short_size)
{
	struct kfd_ioctl_get_clock_counters_args args;

	/* gpu_id and pad lie past the 8 bytes passed: they must read as 0 (CPU) */
	vkfd_fill(&args, sizeof(args));
	test_ioctl(self->fd, VKFD_IOC_RESIZE(AMDKFD_IOC_GET_CLOCK_COUNTERS,
					     _IOC_READ | _IOC_WRITE, 8), &args);
	EXPECT_EQ(0ULL, args.gpu_clock_counter);
	EXPECT_TRUE(vkfd_untouched((char *)&args + 8, sizeof(args) - 8));
}

/* Every implemented ioctl given NULL or an unmapped argument fails with EFAULT. */
TEST_F(ioctl, bad_argument_pointer_efault)
{
	static const unsigned long cmds[] = {
		AMDKFD_IOC_GET_VERSION,
		AMDKFD_IOC_GET_CLOCK_COUNTERS,
		AMDKFD_IOC_GET_PROCESS_APERTURES,
		AMDKFD_IOC_GET_PROCESS_APERTURES_NEW,
		AMDKFD_IOC_SET_XNACK_MODE,
		AMDKFD_IOC_SET_MEMORY_POLICY,
		AMDKFD_IOC_SET_SCRATCH_BACKING_VA,
		AMDKFD_IOC_GET_TILE_CONFIG,
		AMDKFD_IOC_SET_TRAP_HANDLER,
		AMDKFD_IOC_ACQUIRE_VM,
		AMDKFD_IOC_ALLOC_MEMORY_OF_GPU,
		AMDKFD_IOC_FREE_MEMORY_OF_GPU,
		AMDKFD_IOC_MAP_MEMORY_TO_GPU,
		AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU,
		AMDKFD_IOC_AVAILABLE_MEMORY,
		AMDKFD_IOC_SVM,
		/* queues (queue.c, queue_cu.c) */
		AMDKFD_IOC_CREATE_QUEUE, AMDKFD_IOC_DESTROY_QUEUE,
		AMDKFD_IOC_UPDATE_QUEUE, AMDKFD_IOC_SET_CU_MASK,
	};
	void *unmapped = vkfd_unmapped_page();
	int i, xnack = xnack_state(self->fd);

	ASSERT_NE(NULL, unmapped);
	for (i = 0; i < (int)ARRAY_SIZE(cmds); i++) {
		test_err_ioctl(EFAULT, self->fd, cmds[i], NULL)
			TH_LOG("nr 0x%02x", (unsigned int)_IOC_NR(cmds[i]));
		test_err_ioctl(EFAULT, self->fd, cmds[i], unmapped)
			TH_LOG("nr 0x%02x", (unsigned int)_IOC_NR(cmds[i]));
	}
	EXPECT_EQ(xnack, xnack_state(self->fd));
}

/* A struct that runs off the end of a mapping fails with EFAULT too. */
TEST_F(ioctl, straddling_argument_efault)
{
	long psz = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + psz, psz, PROT_NONE));
	memset(map, 0, psz);
	/* 40-byte clock struct with only 16 bytes mapped: gpu_id lies in the hole */
	test_err_ioctl(EFAULT, self->fd, AMDKFD_IOC_GET_CLOCK_COUNTERS, map + psz - 16);
	/* 8-byte version struct with 4 bytes mapped */
	test_err_ioctl(EFAULT, self->fd, AMDKFD_IOC_GET_VERSION, map + psz - 4);
	munmap(map, 2 * psz);
}

/* ------------------------------------------------------------------------
 * Unknown command numbers
 */

/*
 * 0x27 (CREATE_PROCESS) is unknown to 6.1's amdkfd but not to vkfd: see
 * ctx.c. 0x25 and 0x26 are upstream's RUNTIME_ENABLE and DBG_TRAP, which
 * neither driver implements. 0xff is the test hooks' VKFD_IOC_TEST in the
 * lanes' builds (include/uapi/linux/vkfd_test.h): 0xfe stands for the end
 * of the range.
 */
static const unsigned int unknown_nrs[] = {
	0x00, 0x24, 0x25, 0x26, 0x28, 0x80, 0x81, 0x82, 0x83, 0x84, 0xfe,
};

/* nr 0 and nr >= 0x24 (but 0x27) are ENOTTY whatever size/direction, and touch nothing. */
TEST_F(ioctl, unknown_nr_enotty)
{
	static const struct { unsigned int dir, size; } shapes[] = {
		{ _IOC_NONE, 0 },
		{ _IOC_READ, 8 },
		{ _IOC_WRITE, 16 },
		{ _IOC_READ | _IOC_WRITE, 64 },
		{ _IOC_READ | _IOC_WRITE, 400 },
	};
	struct kfd_ioctl_get_version_args ver;
	unsigned char buf[512];
	int i, j;

	for (i = 0; i < (int)ARRAY_SIZE(unknown_nrs); i++) {
		for (j = 0; j < (int)ARRAY_SIZE(shapes); j++) {
			unsigned long cmd = _IOC(shapes[j].dir, AMDKFD_IOCTL_BASE,
						 unknown_nrs[i], shapes[j].size);

			vkfd_fill(buf, sizeof(buf));
			test_err_ioctl(ENOTTY, self->fd, cmd, buf)
				TH_LOG("nr 0x%02x size %u", unknown_nrs[i], shapes[j].size);
			ASSERT_TRUE(vkfd_untouched(buf, sizeof(buf)))
				TH_LOG("nr 0x%02x size %u", unknown_nrs[i], shapes[j].size);
		}
	}
	/* and the fd still works */
	test_ioctl(self->fd, AMDKFD_IOC_GET_VERSION, &ver);
}

/* vkfd answers ENOTTY for every number in range that it does not implement yet. */
TEST_F(ioctl, unimplemented_nr_enotty)
{
	static const unsigned long implemented[] = {
		AMDKFD_IOC_GET_VERSION, AMDKFD_IOC_GET_CLOCK_COUNTERS,
		AMDKFD_IOC_GET_PROCESS_APERTURES,
		AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, AMDKFD_IOC_SET_XNACK_MODE,
		/* GPU memory (mem_*.c) */
		AMDKFD_IOC_SET_MEMORY_POLICY, AMDKFD_IOC_SET_SCRATCH_BACKING_VA,
		AMDKFD_IOC_GET_TILE_CONFIG, AMDKFD_IOC_ACQUIRE_VM,
		AMDKFD_IOC_SET_TRAP_HANDLER,	/* trap.c */
		AMDKFD_IOC_ALLOC_MEMORY_OF_GPU, AMDKFD_IOC_FREE_MEMORY_OF_GPU,
		AMDKFD_IOC_MAP_MEMORY_TO_GPU, AMDKFD_IOC_UNMAP_MEMORY_FROM_GPU,
		AMDKFD_IOC_AVAILABLE_MEMORY,
		AMDKFD_IOC_SVM,			/* EPERM: ioctl_query.c */
		/* queues (queue*.c) */
		AMDKFD_IOC_CREATE_QUEUE, AMDKFD_IOC_DESTROY_QUEUE,
		AMDKFD_IOC_UPDATE_QUEUE, AMDKFD_IOC_SET_CU_MASK,
		/* events (event*.c) */
		AMDKFD_IOC_CREATE_EVENT, AMDKFD_IOC_DESTROY_EVENT,
		AMDKFD_IOC_SET_EVENT, AMDKFD_IOC_RESET_EVENT,
		AMDKFD_IOC_WAIT_EVENTS,
	};
	static const unsigned long cmds[] = {
		AMDKFD_IOC_DBG_REGISTER_DEPRECATED,
		AMDKFD_IOC_DBG_UNREGISTER_DEPRECATED,
		AMDKFD_IOC_DBG_ADDRESS_WATCH_DEPRECATED,
		AMDKFD_IOC_DBG_WAVE_CONTROL_DEPRECATED,
		AMDKFD_IOC_GET_QUEUE_WAVE_STATE,
		AMDKFD_IOC_GET_DMABUF_INFO, AMDKFD_IOC_IMPORT_DMABUF,
		AMDKFD_IOC_ALLOC_QUEUE_GWS, AMDKFD_IOC_SMI_EVENTS,
		AMDKFD_IOC_CRIU_OP,
	};
	bool seen[TEST_AMDKFD61_COMMAND_END] = { false };
	unsigned char buf[1024];
	int i;

	VKFD_ONLY(&self->b.env, "amdkfd implements these numbers (holes answer EINVAL)");
	/* the two lists cover 0x01 .. 0x23 exactly once */
	for (i = 0; i < (int)ARRAY_SIZE(implemented); i++)
		seen[_IOC_NR(implemented[i])] = true;
	for (i = 0; i < (int)ARRAY_SIZE(cmds); i++) {
		ASSERT_FALSE(seen[_IOC_NR(cmds[i])]);
		seen[_IOC_NR(cmds[i])] = true;
	}
	for (i = AMDKFD_COMMAND_START; i < TEST_AMDKFD61_COMMAND_END; i++)
		ASSERT_TRUE(seen[i]);

	for (i = 0; i < (int)ARRAY_SIZE(cmds); i++) {
		ASSERT_GE(sizeof(buf), _IOC_SIZE(cmds[i]));
		/* all-zero arguments: the most "valid" request possible */
		memset(buf, 0, sizeof(buf));
		test_err_ioctl(ENOTTY, self->fd, cmds[i], buf)
			TH_LOG("nr 0x%02x", (unsigned int)_IOC_NR(cmds[i]));
		vkfd_fill(buf, sizeof(buf));
		test_err_ioctl(ENOTTY, self->fd, cmds[i], buf)
			TH_LOG("nr 0x%02x", (unsigned int)_IOC_NR(cmds[i]));
		ASSERT_TRUE(vkfd_untouched(buf, sizeof(buf)))
			TH_LOG("nr 0x%02x", (unsigned int)_IOC_NR(cmds[i]));
	}
}

/* A command whose type byte is not 'K' is ENOTTY even with a valid number. */
TEST_F(ioctl, wrong_type_enotty)
{
	static const unsigned int types[] = { 0, 'J', 'k', 'L', 0xff };
	unsigned char buf[64];
	int i;

	VKFD_ONLY(&self->b.env, "amdkfd dispatches on the number alone, ignoring the type byte");
	for (i = 0; i < (int)ARRAY_SIZE(types); i++) {
		vkfd_fill(buf, sizeof(buf));
		test_err_ioctl(ENOTTY, self->fd,
			       _IOC(_IOC_READ, types[i], 0x01,
				    sizeof(struct kfd_ioctl_get_version_args)), buf);
		ASSERT_TRUE(vkfd_untouched(buf, sizeof(buf)));
	}
}

/* ------------------------------------------------------------------------
 * Only the opener may use the fd
 */

/*
 * Runs in a process that does not own @fd. Returns 0 if every ioctl was
 * refused as it must be and nothing was written, else the failing step.
 */
static int foreign_ioctls(int fd)
{
	struct kfd_ioctl_get_version_args ver;
	struct kfd_ioctl_get_clock_counters_args clk;
	struct kfd_ioctl_get_process_apertures_new_args apn;
	struct kfd_ioctl_get_process_apertures_args ap;
	struct kfd_ioctl_set_xnack_mode_args xn;
	unsigned char buf[64];

	vkfd_fill(&ver, sizeof(ver));
	if (_test_ioctl(fd, AMDKFD_IOC_GET_VERSION, &ver) != -EBADF ||
	    !vkfd_untouched(&ver, sizeof(ver)))
		return 20;
	vkfd_fill(&clk, sizeof(clk));
	clk.gpu_id = clk.pad = 0;
	if (_test_ioctl(fd, AMDKFD_IOC_GET_CLOCK_COUNTERS, &clk) != -EBADF ||
	    !vkfd_untouched(&clk, CLOCK_OUT_SIZE))
		return 21;
	vkfd_fill(&apn, sizeof(apn));
	apn.num_of_nodes = 0;
	apn.pad = 0;
	if (_test_ioctl(fd, AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, &apn) != -EBADF ||
	    apn.num_of_nodes != 0)
		return 22;
	vkfd_fill(&ap, sizeof(ap));
	if (_test_ioctl(fd, AMDKFD_IOC_GET_PROCESS_APERTURES, &ap) != -EBADF ||
	    !vkfd_untouched(&ap, sizeof(ap)))
		return 23;
	xn.xnack_enabled = -1;
	if (_test_ioctl(fd, AMDKFD_IOC_SET_XNACK_MODE, &xn) != -EBADF ||
	    xn.xnack_enabled != -1)
		return 24;
	/* a set attempt: the caller checks the owner's mode did not change */
	xn.xnack_enabled = 1;
	if (_test_ioctl(fd, AMDKFD_IOC_SET_XNACK_MODE, &xn) != -EBADF)
		return 25;
	xn.xnack_enabled = 0;
	if (_test_ioctl(fd, AMDKFD_IOC_SET_XNACK_MODE, &xn) != -EBADF)
		return 26;
	/* the number check comes first: unknown numbers stay ENOTTY */
	vkfd_fill(buf, sizeof(buf));
	if (_test_ioctl(fd, _IOWR(AMDKFD_IOCTL_BASE, 0xfe, buf), buf) != -ENOTTY ||
	    _test_ioctl(fd, _IO(AMDKFD_IOCTL_BASE, 0x00), buf) != -ENOTTY ||
	    _test_ioctl(fd, _IOR(AMDKFD_IOCTL_BASE, 0x28, __u64), buf) != -ENOTTY ||
	    !vkfd_untouched(buf, sizeof(buf)))
		return 27;
	return 0;
}

struct foreign_child_args {
	const struct vkfd_env *env;
	int fd;
	int sock;
};

/* Child: use the fd inherited through fork(); it must not get a context either. */
static int fork_child(void *arg, int in, int out)
{
	const struct foreign_child_args *a = arg;
	int ret = foreign_ioctls(a->fd);

	if (ret)
		return ret;
	if (vkfd_proc_exists(a->env, getpid()))
		return 30;
	return 0;
}

/* A fork child using the inherited fd gets EBADF (unknown numbers ENOTTY); nothing changes. */
TEST_F(ioctl, fork_child_ebadf)
{
	struct foreign_child_args args = { .env = &self->b.env, .fd = self->fd };
	struct kfd_ioctl_get_version_args ver;
	int xnack = xnack_state(self->fd);
	uint64_t pasid;

	ASSERT_EQ(0, vkfd_pasid_vm(&self->b.env, self->fd));
	pasid = vkfd_proc_pasid(&self->b.env, getpid());
	ASSERT_NE(0ULL, pasid);
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, fork_child, &args));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));

	EXPECT_EQ(xnack, xnack_state(self->fd));
	EXPECT_EQ(pasid, vkfd_proc_pasid(&self->b.env, getpid()));
	test_ioctl(self->fd, AMDKFD_IOC_GET_VERSION, &ver);
}

/* Child: open the device, pass the fd to the parent, then prove it still works for us. */
static int sender_child(void *arg, int in, int out)
{
	const struct foreign_child_args *a = arg;
	struct kfd_ioctl_get_version_args ver = { 0 };
	uint64_t step;
	int fd = vkfd_open_dev(a->env);

	if (fd < 0)
		return 10;
	if (vkfd_pasid_vm(a->env, fd))
		return 16;
	if (vkfd_send_fd(a->sock, fd))
		return 11;
	if (vkfd_msg_send(out, vkfd_proc_pasid(a->env, getpid())))
		return 12;
	/* the parent has tried (and failed) to use our fd */
	if (vkfd_msg_recv(in, &step))
		return 13;
	if (_test_ioctl(fd, AMDKFD_IOC_GET_VERSION, &ver) || ver.major_version != 1)
		return 14;
	if (vkfd_msg_send(out, 0))
		return 15;
	vkfd_msg_recv(in, &step);
	close(fd);
	return 0;
}

/* An fd received over SCM_RIGHTS from its opener gets EBADF; the opener keeps using it. */
TEST_F(ioctl, scm_rights_from_child_ebadf)
{
	struct foreign_child_args args = { .env = &self->b.env };
	uint64_t child_pasid, ack;
	int fd;

	IOCTL_SOCKETPAIR();
	args.sock = self->sock[1];
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, sender_child, &args));
	fd = vkfd_recv_fd(self->sock[0]);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &child_pasid));
	ASSERT_NE(0ULL, child_pasid);

	EXPECT_EQ(0, foreign_ioctls(fd));
	close(fd);
	EXPECT_EQ(child_pasid, vkfd_proc_pasid(&self->b.env, self->b.child.pid));

	ASSERT_EQ(0, vkfd_msg_send(self->b.child.to_child, 1));
	ASSERT_EQ(0, vkfd_msg_recv(self->b.child.from_child, &ack));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));
}

/* Child: receive the parent's fd and try to use it. */
static int receiver_child(void *arg, int in, int out)
{
	const struct foreign_child_args *a = arg;
	int fd = vkfd_recv_fd(a->sock), ret;

	if (fd < 0)
		return 10;
	ret = foreign_ioctls(fd);
	close(fd);
	if (ret)
		return ret;
	if (vkfd_proc_exists(a->env, getpid()))
		return 30;
	return 0;
}

/* An fd sent over SCM_RIGHTS to another process gets EBADF there; the opener is unaffected. */
TEST_F(ioctl, scm_rights_to_child_ebadf)
{
	struct foreign_child_args args = { .env = &self->b.env };
	struct kfd_ioctl_get_version_args ver;
	int xnack = xnack_state(self->fd);
	uint64_t pasid;

	ASSERT_EQ(0, vkfd_pasid_vm(&self->b.env, self->fd));
	pasid = vkfd_proc_pasid(&self->b.env, getpid());
	ASSERT_NE(0ULL, pasid);
	IOCTL_SOCKETPAIR();
	args.sock = self->sock[1];
	ASSERT_EQ(0, vkfd_child_start(&self->b.child, receiver_child, &args));
	ASSERT_EQ(0, vkfd_send_fd(self->sock[0], self->fd));
	EXPECT_EQ(0, vkfd_child_wait(&self->b.child));

	EXPECT_EQ(xnack, xnack_state(self->fd));
	EXPECT_EQ(pasid, vkfd_proc_pasid(&self->b.env, getpid()));
	test_ioctl(self->fd, AMDKFD_IOC_GET_VERSION, &ver);
}

struct thread_ioctl {
	int fd;
	int ret[3];
	__u32 major;
	__u64 freq;
	__u32 num_nodes;
};

static void *thread_ioctl_fn(void *arg)
{
	struct thread_ioctl *t = arg;
	struct kfd_ioctl_get_version_args ver = { 0 };
	struct kfd_ioctl_get_clock_counters_args clk = { 0 };
	struct kfd_ioctl_get_process_apertures_new_args apn = { 0 };

	t->ret[0] = _test_ioctl(t->fd, AMDKFD_IOC_GET_VERSION, &ver);
	t->ret[1] = _test_ioctl(t->fd, AMDKFD_IOC_GET_CLOCK_COUNTERS, &clk);
	t->ret[2] = _test_ioctl(t->fd, AMDKFD_IOC_GET_PROCESS_APERTURES_NEW, &apn);
	t->major = ver.major_version;
	t->freq = clk.system_clock_freq;
	t->num_nodes = apn.num_of_nodes;
	return NULL;
}

/* Other threads of the opener may use its fd. */
TEST_F(ioctl, other_thread_allowed)
{
	struct thread_ioctl t = { .fd = self->fd };
	pthread_t thread;

	ASSERT_EQ(0, pthread_create(&thread, NULL, thread_ioctl_fn, &t));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(0, t.ret[0]);
	EXPECT_EQ(0, t.ret[1]);
	EXPECT_EQ(0, t.ret[2]);
	EXPECT_EQ(1U, t.major);
	EXPECT_EQ(1000000000ULL, t.freq);
	EXPECT_EQ((__u32)self->topo.num_gpus, t.num_nodes);
}

TEST_HARNESS_MAIN
