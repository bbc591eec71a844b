// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libvkfd-secondary.so - give an unmodified program a secondary KFD context.
 *
 * Loaded with LD_PRELOAD (`vkfdctl run --secondary -- PROGRAM`), it turns
 * every fd of the KFD device the program opens into a *secondary* context
 * (AMDKFD_IOC_CREATE_PROCESS) of a primary context that the library itself
 * holds in the process, as a hypervisor holds the primary and hands each
 * guest a secondary. The program sees an ordinary /dev/kfd fd; its GPU
 * memory, events and queues live in the secondary's own GPU VMs, never in
 * the primary.
 *
 * Which opens: open, open64, openat, openat64, creat, creat64, their
 * fortify variants (__open_2, __open64_2, __openat_2, __openat64_2),
 * fopen, fopen64, freopen and freopen64 are interposed (dlsym(RTLD_NEXT)).
 * Each calls the real function first, then looks at what was opened: a
 * character device whose device number is that of /dev/kfd, or of
 * $VKFD_DEV when vkfd runs under another name, is the KFD device, however
 * the program named it (relative path, symlink, /proc/self/fd/N). Costs:
 * one fstat() per successful open, and a stat() of the device paths per
 * character device opened. O_PATH opens are left alone (they reach no
 * driver and make no context). Opens that bypass libc's exported entries
 * (raw syscalls, openat2(), libc-internal opens) are not seen.
 *
 * What each open gets: every open of the device by the program becomes a
 * secondary of its own, destroyed when its last fd is closed — the rule
 * the kernel applies to fds, and what libhsakmt expects: it opens
 * /dev/kfd once per process (rocminfo opens it once more to probe, closes
 * it, then hsa_init() opens it again: two secondaries, one after the
 * other). dup()s of that fd are the same secondary.
 *
 * The primary: at the first matching open of a process, before the
 * program's fd is converted, the library opens the device itself
 * (O_RDWR | O_CLOEXEC) and keeps that fd, moved to the lowest free number
 * from VKFD_PRELOAD_FD_BASE (F_DUPFD_CLOEXEC) so that the program's own fd
 * numbering is what it would be without the library; if the fd limit is
 * too low for that, the fd stays where open() put it.
 *
 * Failure: if the primary cannot be opened or CREATE_PROCESS fails (a
 * kernel without secondary contexts: ENOTTY on Linux 6.1's amdkfd; ENOSPC
 * when the primary has 65535 secondaries), the program's fd is closed and
 * its open fails with that errno, after one line on stderr starting with
 * "vkfd-secondary:". A program that asked for isolation never silently
 * shares the primary.
 *
 * Limits: if VKFD_SECONDARY_LIMITS is set ("RES=N,...", RES one of vram,
 * gtt, userptr, buffers, queues, events, N a decimal number of bytes or
 * objects; `vkfdctl run --limit` sets it), the library sets those limits
 * on each secondary through its primary (VKFD_IOC_CTX_LIMITS) before the
 * open returns; beyond them the program's calls fail with EDQUOT. A
 * malformed variable, or limits the kernel refuses, fail the open as
 * above: a program that was to be limited never runs without its limits.
 *
 * fork(): the child has another address space, in which the parent's fds
 * are useless (the kernel answers EBADF). A pthread_atfork() handler
 * closes the child's copy of the primary's fd and forgets it, so that the
 * child's first open makes the child's own primary and secondary; the
 * program's fds are not touched. A child made without the handlers
 * running (a raw clone()) is recognised by its pid and forgets the
 * primary too, without closing anything. exec(): the primary's fd is
 * O_CLOEXEC; LD_PRELOAD is inherited, so the children a program starts
 * (through a shell script too) get secondaries of their own; a statically
 * linked program loads no preload at all.
 *
 * The library depends on libc (and libdl before glibc 2.34) only.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/vkfd_ioctl.h>

#define VKFD_PRELOAD_EXPORT	__attribute__((visibility("default")))

/* The primary's fd goes at or above this number (below: the program's). */
#define VKFD_PRELOAD_FD_BASE	512

/* The device paths: /dev/kfd and $VKFD_DEV. */
#define VKFD_PRELOAD_DEVS	2

/* What open(2) would need a mode argument for (glibc's __OPEN_NEEDS_MODE). */
#define VKFD_OPEN_NEEDS_MODE(flags) \
	(((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE)

/**
 * struct vkfd_preload_real - the interposed functions' next definitions
 *
 * Resolved once (vkfd_preload_init()), read-only afterwards.
 */
struct vkfd_preload_real {
	int (*open)(const char *path, int flags, ...);
	int (*open64)(const char *path, int flags, ...);
	int (*openat)(int dirfd, const char *path, int flags, ...);
	int (*openat64)(int dirfd, const char *path, int flags, ...);
	int (*creat)(const char *path, mode_t mode);
	int (*creat64)(const char *path, mode_t mode);
	int (*open_2)(const char *path, int flags);
	int (*open64_2)(const char *path, int flags);
	int (*openat_2)(int dirfd, const char *path, int flags);
	int (*openat64_2)(int dirfd, const char *path, int flags);
	FILE *(*fopen)(const char *path, const char *mode);
	FILE *(*fopen64)(const char *path, const char *mode);
	FILE *(*freopen)(const char *path, const char *mode, FILE *stream);
	FILE *(*freopen64)(const char *path, const char *mode, FILE *stream);
};

/**
 * struct vkfd_preload_limits - what VKFD_SECONDARY_LIMITS asks for
 * @bad: the variable is malformed: every open fails
 * @mask: VKFD_LIMIT_BIT() of each limit to set, 0 for none
 * @limit: by enum vkfd_limit, the value of each
 */
struct vkfd_preload_limits {
	bool bad;
	__u32 mask;
	__u64 limit[VKFD_LIMIT_SLOTS];
};

/**
 * struct vkfd_preload - the library's state in a process
 * @once: vkfd_preload_init() runs once
 * @real: the next definitions of the interposed functions
 * @limits: the limits of each secondary, read once (vkfd_preload_init())
 * @devs: the device paths that name the KFD device ("" unused)
 * @lock: protects @pid and @primary_fd
 * @pid: the process @primary_fd belongs to
 * @primary_fd: per entry of @devs, the fd of the primary context the
 *	library holds, -1 until the first open of that device
 */
struct vkfd_preload {
	pthread_once_t once;
	struct vkfd_preload_real real;
	struct vkfd_preload_limits limits;
	char devs[VKFD_PRELOAD_DEVS][256];
	pthread_mutex_t lock;
	pid_t pid;
	int primary_fd[VKFD_PRELOAD_DEVS];
};

static struct vkfd_preload vkfd_preload = {
	.once = PTHREAD_ONCE_INIT,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.primary_fd = { -1, -1 },
};

/* fork(): no other thread may be converting an fd while the child is made. */
static void vkfd_preload_prepare(void)
{
	pthread_mutex_lock(&vkfd_preload.lock);
}

static void vkfd_preload_parent(void)
{
	pthread_mutex_unlock(&vkfd_preload.lock);
}

/*
 * The child's copies of the primaries' fds belong to the parent's address
 * space, where they are the only thing that could use them: close them,
 * so that the child holds none of the parent's contexts alive, and make
 * the child's own primary at its first open.
 */
static void vkfd_preload_child(void)
{
	struct vkfd_preload *p = &vkfd_preload;
	int i;

	for (i = 0; i < VKFD_PRELOAD_DEVS; i++) {
		if (p->primary_fd[i] >= 0)
			close(p->primary_fd[i]);
		p->primary_fd[i] = -1;
	}
	p->pid = 0;
	pthread_mutex_unlock(&p->lock);
}

/* The names of VKFD_SECONDARY_LIMITS, by enum vkfd_limit. */
static const char *const vkfd_preload_limit_names[VKFD_LIMIT_NR] = {
	[VKFD_LIMIT_VRAM] = "vram",
	[VKFD_LIMIT_GTT] = "gtt",
	[VKFD_LIMIT_USERPTR] = "userptr",
	[VKFD_LIMIT_BUFFERS] = "buffers",
	[VKFD_LIMIT_QUEUES] = "queues",
	[VKFD_LIMIT_EVENTS] = "events",
};

/* One "RES=N" of VKFD_SECONDARY_LIMITS, @len bytes at @s, into @l. */
static bool vkfd_preload_limit_parse(const char *s, size_t len,
				     struct vkfd_preload_limits *l)
{
	const char *eq = memchr(s, '=', len);
	unsigned long long v = 0;
	const char *d;
	int i;

	if (!eq || eq + 1 == s + len)
		return false;
	for (d = eq + 1; d < s + len; d++) {
		if (*d < '0' || *d > '9' ||
		    v > (~0ULL - (unsigned int)(*d - '0')) / 10)
			return false;
		v = v * 10 + (unsigned int)(*d - '0');
	}
	for (i = 0; i < VKFD_LIMIT_NR; i++) {
		if (strlen(vkfd_preload_limit_names[i]) == (size_t)(eq - s) &&
		    !memcmp(s, vkfd_preload_limit_names[i], eq - s)) {
			l->mask |= VKFD_LIMIT_BIT(i);
			l->limit[i] = v;
			return true;
		}
	}
	return false;
}

/* VKFD_SECONDARY_LIMITS into @l: unset or empty, no limit is set. */
static void vkfd_preload_limits_init(struct vkfd_preload_limits *l)
{
	const char *s = getenv("VKFD_SECONDARY_LIMITS"), *end;

	if (!s)
		return;
	for (; *s; s = *end ? end + 1 : end) {
		end = strchrnul(s, ',');
		if (!vkfd_preload_limit_parse(s, end - s, l)) {
			l->bad = true;
			return;
		}
	}
}

#define VKFD_REAL(name, sym) \
	(*(void **)&vkfd_preload.real.name = dlsym(RTLD_NEXT, sym))

static void vkfd_preload_init(void)
{
	struct vkfd_preload *p = &vkfd_preload;
	const char *dev = getenv("VKFD_DEV");

	VKFD_REAL(open, "open");
	VKFD_REAL(open64, "open64");
	VKFD_REAL(openat, "openat");
	VKFD_REAL(openat64, "openat64");
	VKFD_REAL(creat, "creat");
	VKFD_REAL(creat64, "creat64");
	VKFD_REAL(open_2, "__open_2");
	VKFD_REAL(open64_2, "__open64_2");
	VKFD_REAL(openat_2, "__openat_2");
	VKFD_REAL(openat64_2, "__openat64_2");
	VKFD_REAL(fopen, "fopen");
	VKFD_REAL(fopen64, "fopen64");
	VKFD_REAL(freopen, "freopen");
	VKFD_REAL(freopen64, "freopen64");

	vkfd_preload_limits_init(&p->limits);
	snprintf(p->devs[0], sizeof(p->devs[0]), "/dev/kfd");
	if (dev && *dev && strcmp(dev, p->devs[0]) &&
	    strlen(dev) < sizeof(p->devs[1]))
		snprintf(p->devs[1], sizeof(p->devs[1]), "%s", dev);
	pthread_atfork(vkfd_preload_prepare, vkfd_preload_parent,
		       vkfd_preload_child);
}

static struct vkfd_preload_real *vkfd_preload_get(void)
{
	pthread_once(&vkfd_preload.once, vkfd_preload_init);
	return &vkfd_preload.real;
}

/* The next definition is missing: fail as a libc without it would. */
static int vkfd_preload_nosys(void)
{
	errno = ENOSYS;
	return -1;
}

/* One "vkfd-secondary: ..." line on stderr, without stdio's buffers. */
__attribute__((format(printf, 1, 2)))
static void vkfd_preload_say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "vkfd-secondary: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return;		/* nowhere to say it */
}

/* Which device path names the character device @rdev: its index, or -1. */
static int vkfd_preload_match(dev_t rdev)
{
	struct stat st;
	int i;

	for (i = 0; i < VKFD_PRELOAD_DEVS; i++) {
		if (!vkfd_preload.devs[i][0])
			continue;
		if (!stat(vkfd_preload.devs[i], &st) && S_ISCHR(st.st_mode) &&
		    st.st_rdev == rdev)
			return i;
	}
	return -1;
}

/*
 * The primary of device @i in this process, opened on first use: its fd,
 * or -errno. Called with the lock held.
 */
static int vkfd_preload_primary_locked(int i)
{
	struct vkfd_preload *p = &vkfd_preload;
	pid_t pid = getpid();
	int fd, high, j;

	if (p->pid != pid) {
		/*
		 * A child the fork handlers did not see (a raw clone()): the
		 * fds are the parent's, perhaps in a table it shares. Forget
		 * them; close nothing.
		 */
		for (j = 0; j < VKFD_PRELOAD_DEVS; j++)
			p->primary_fd[j] = -1;
		p->pid = pid;
	}
	if (p->primary_fd[i] >= 0)
		return p->primary_fd[i];

	fd = p->real.open ? p->real.open(p->devs[i], O_RDWR | O_CLOEXEC) :
			    vkfd_preload_nosys();
	if (fd < 0)
		return -errno;
	high = fcntl(fd, F_DUPFD_CLOEXEC, VKFD_PRELOAD_FD_BASE);
	if (high >= 0) {
		close(fd);
		fd = high;
	}
	p->primary_fd[i] = fd;
	return fd;
}

/* Set the limits asked for on the secondary @fd of the primary @pfd. */
static int vkfd_preload_limit(int fd, int pfd)
{
	const struct vkfd_preload_limits *l = &vkfd_preload.limits;
	struct vkfd_ioctl_ctx_limits args = {
		.op = VKFD_LIMITS_OP_SET,
		.mask = l->mask,
	};
	struct vkfd_ioctl_ctx_info info = { .ctx_id = VKFD_CTX_ID_SELF };
	int ret;

	if (l->bad)
		return -EINVAL;
	if (!l->mask)
		return 0;
	if (ioctl(fd, VKFD_IOC_CTX_INFO, &info))
		return -errno;
	args.ctx_id = info.ctx_id;
	memcpy(args.limit, l->limit, sizeof(args.limit));
	do {
		ret = ioctl(pfd, VKFD_IOC_CTX_LIMITS, &args);
	} while (ret == -1 && errno == EINTR);
	return ret ? -errno : 0;
}

/*
 * If @fd, just opened by the program with @flags, is the KFD device, make
 * it a secondary. Returns 0 if it is one now or is not the device, or
 * -errno (said on stderr) if it is the device and is not a secondary. The
 * fd stays open either way; errno is not changed.
 */
static int vkfd_preload_convert(int fd, int flags)
{
	struct vkfd_preload *p = &vkfd_preload;
	int saved = errno, i, ret, pfd;
	struct stat st;

	if (flags & O_PATH)
		return 0;
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode))
		goto out;
	i = vkfd_preload_match(st.st_rdev);
	if (i < 0)
		goto out;

	pthread_mutex_lock(&p->lock);
	ret = vkfd_preload_primary_locked(i);
	pthread_mutex_unlock(&p->lock);
	if (ret < 0) {
		vkfd_preload_say("%s: cannot open the primary context: %s; the open fails",
				 p->devs[i], strerror(-ret));
		errno = saved;
		return ret;
	}
	pfd = ret;
	do {
		ret = ioctl(fd, VKFD_IOC_CREATE_PROCESS);
	} while (ret == -1 && errno == EINTR);
	if (ret) {
		ret = -errno;
		vkfd_preload_say("%s: AMDKFD_IOC_CREATE_PROCESS: %s; no secondary context, the open fails",
				 p->devs[i], strerror(-ret));
		errno = saved;
		return ret;
	}
	ret = vkfd_preload_limit(fd, pfd);
	if (ret) {
		vkfd_preload_say("%s: VKFD_SECONDARY_LIMITS: %s; the secondary cannot be limited, the open fails",
				 p->devs[i], p->limits.bad ? "malformed" :
				 strerror(-ret));
		errno = saved;
		return ret;
	}
out:
	errno = saved;
	return 0;
}

/* An open's result @fd, or -1 with errno set and @fd closed. */
static int vkfd_preload_adopt(int fd, int flags)
{
	int ret;

	if (fd < 0)
		return fd;
	ret = vkfd_preload_convert(fd, flags);
	if (!ret)
		return fd;
	close(fd);
	errno = -ret;
	return -1;
}

/* The same for a stream: NULL with errno set and @f closed on failure. */
static FILE *vkfd_preload_adopt_stream(FILE *f)
{
	int ret;

	if (!f)
		return f;
	ret = vkfd_preload_convert(fileno(f), 0);
	if (!ret)
		return f;
	fclose(f);
	errno = -ret;
	return NULL;
}

#define VKFD_MODE_ARG(flags, mode) do {					\
	va_list ap;							\
									\
	if (VKFD_OPEN_NEEDS_MODE(flags)) {				\
		va_start(ap, flags);					\
		mode = va_arg(ap, mode_t);				\
		va_end(ap);						\
	}								\
} while (0)

VKFD_PRELOAD_EXPORT int open(const char *path, int flags, ...)
{
	struct vkfd_preload_real *r = vkfd_preload_get();
	mode_t mode = 0;

	VKFD_MODE_ARG(flags, mode);
	if (!r->open)
		return vkfd_preload_nosys();
	return vkfd_preload_adopt(r->open(path, flags, mode), flags);
}

VKFD_PRELOAD_EXPORT int open64(const char *path, int flags, ...)
{
	struct vkfd_preload_real *r = vkfd_preload_get();
	mode_t mode = 0;

	VKFD_MODE_ARG(flags, mode);
	if (!r->open64)
		return vkfd_preload_nosys();
	return vkfd_preload_adopt(r->open64(path, flags, mode), flags);
}

VKFD_PRELOAD_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	struct vkfd_preload_real *r = vkfd_preload_get();
	mode_t mode = 0;

	VKFD_MODE_ARG(flags, mode);
	if (!r->openat)
		return vkfd_preload_nosys();
	return vkfd_preload_adopt(r->openat(dirfd, path, flags, mode), flags);
}

VKFD_PRELOAD_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	struct vkfd_preload_real *r = vkfd_preload_get();
	mode_t mode = 0;

	VKFD_MODE_ARG(flags, mode);
	if (!r->openat64)
		return vkfd_preload_nosys();
	return vkfd_preload_adopt(r->openat64(dirfd, path, flags, mode),
				  flags);
}

VKFD_PRELOAD_EXPORT int creat(const char *path, mode_t mode)
{
	struct vkfd_preload_real *r = vkfd_preload_get();

	if (!r->creat)
		return vkfd_preload_nosys();
	return vkfd_preload_adopt(r->creat(path, mode), O_WRONLY);
}

VKFD_PRELOAD_EXPORT int creat64(const char *path, mode_t mode)
{
	struct vkfd_preload_real *r = vkfd_preload_get();

	if (!r->creat64)
		return vkfd_preload_nosys();
	return vkfd_preload_adopt(r->creat64(path, mode), O_WRONLY);
}

/* The fortify variants: the real ones keep their checks (O_CREAT, ...). */
VKFD_PRELOAD_EXPORT int __open_2(const char *path, int flags)
{
	struct vkfd_preload_real *r = vkfd_preload_get();

	if (!r->open_2)
		return vkfd_preload_nosys();
	return vkfd_preload_adopt(r->open_2(path, flags), flags);
}

VKFD_PRELOAD_EXPORT int __open64_2(const char *path, int flags)
{
	struct vkfd_preload_real *r = vkfd_preload_get();

	if (!r->open64_2)
		return vkfd_preload_nosys();
	return vkfd_preload_adopt(r->open64_2(path, flags), flags);
}

VKFD_PRELOAD_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	struct vkfd_preload_real *r = vkfd_preload_get();

	if (!r->openat_2)
		return vkfd_preload_nosys();
	return vkfd_preload_adopt(r->openat_2(dirfd, path, flags), flags);
}

VKFD_PRELOAD_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	struct vkfd_preload_real *r = vkfd_preload_get();

	if (!r->openat64_2)
		return vkfd_preload_nosys();
	return vkfd_preload_adopt(r->openat64_2(dirfd, path, flags), flags);
}

VKFD_PRELOAD_EXPORT FILE *fopen(const char *path, const char *mode)
{
	struct vkfd_preload_real *r = vkfd_preload_get();

	if (!r->fopen) {
		vkfd_preload_nosys();
		return NULL;
	}
	return vkfd_preload_adopt_stream(r->fopen(path, mode));
}

VKFD_PRELOAD_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	struct vkfd_preload_real *r = vkfd_preload_get();

	if (!r->fopen64) {
		vkfd_preload_nosys();
		return NULL;
	}
	return vkfd_preload_adopt_stream(r->fopen64(path, mode));
}

VKFD_PRELOAD_EXPORT FILE *freopen(const char *path, const char *mode,
				  FILE *stream)
{
	struct vkfd_preload_real *r = vkfd_preload_get();

	if (!r->freopen) {
		vkfd_preload_nosys();
		return NULL;
	}
	return vkfd_preload_adopt_stream(r->freopen(path, mode, stream));
}

VKFD_PRELOAD_EXPORT FILE *freopen64(const char *path, const char *mode,
				    FILE *stream)
{
	struct vkfd_preload_real *r = vkfd_preload_get();

	if (!r->freopen64) {
		vkfd_preload_nosys();
		return NULL;
	}
	return vkfd_preload_adopt_stream(r->freopen64(path, mode, stream));
}
