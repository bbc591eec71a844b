// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * kfd_probe - a dynamically linked program that opens the KFD device the
 * way ordinary programs do, for tests/preload.c to run under
 * `vkfdctl run --secondary` (static programs load no LD_PRELOAD library).
 * Not a test by itself.
 *
 *   kfd_probe WORD...
 *
 * runs the words in order and reports one line each on stdout:
 *
 *   open|open64|creat|creat64|fopen|fopen64|freopen   the device by its path
 *   openat|openat64        the device's name relative to its directory's fd
 *   fortify|fortify_at     open() and openat() with flags the compiler
 *                          cannot see: with -D_FORTIFY_SOURCE=2 -O2 glibc's
 *                          header makes them calls of __open_2 and
 *                          __openat_2 (the Makefile checks that they are)
 *   open64_2|openat64_2    the other fortify entries, called directly
 *                          (what -D_FILE_OFFSET_BITS=64 would make)
 *   symlink                through a symlink kfd-link in the current directory
 *   opath                  open(O_PATH): a path fd, which reaches no driver
 *       -> "open <word> fd <fd> ctx <id>" (the VKFD_IOC_CTX_INFO id, or
 *          -errno) or "open <word> err <errno>"
 *   vram     on the last fd: its VM on the first GPU, 1 MiB of VRAM mapped
 *   event    on the last fd: a signal event
 *   queue    on the last fd: an SDMA queue (after vram)
 *       -> "<word> ok" or "<word> err <errno>"
 *   fds      every fd of the device this process holds:
 *            "kfdfd <fd> ctx <id> cloexec <0|1>" ..., then "fds end"
 *   close    close the last fd: "closed <fd>"
 *   threads  PROBE_THREADS threads open the device at once, each once:
 *            "open thread fd <fd> ctx <id>" or "open thread err <errno>"
 *   fill     open until an open fails (fd limit raised first; the fds are
 *            closed again): "fill <opened> err <errno>"
 *   fork     the child runs the remaining words ("child pid <pid>" first),
 *            the parent waits for it: "child exit <status>"
 *   wait     "ready pid <pid>", then block until stdin reaches EOF
 *   env      "env HSA_USERPTR_FOR_PAGED_MEM=<value or (unset)>"
 *
 * The device is $VKFD_DEV (default /dev/kfd), the topology $VKFD_TOPOLOGY.
 */
#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/vkfd_ioctl.h>

#include "libvkfd.h"

#define PROBE_MAX_FDS	70000
#define PROBE_VRAM_VA	0x100000000ULL
#define PROBE_RING_VA	0x200000000ULL
#define PROBE_THREADS	8

struct probe {
	const char *dev;
	const char *topology;
	int last_fd;
	int render;
	uint32_t gpu;
	struct vkfd_queue q;
	/* not constant, so that the fortified open() cannot see it */
	volatile int flags;
};

static long probe_ctx_id(int fd)
{
	struct vkfd_ioctl_ctx_info info = { .ctx_id = VKFD_CTX_ID_SELF };

	if (ioctl(fd, VKFD_IOC_CTX_INFO, &info))
		return -errno;
	return info.ctx_id;
}

/* A fd of the device's directory, for the openat words; -1 on failure. */
static int probe_dir_fd(const struct probe *p, char *name, size_t n)
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof(copy), "%s", p->dev);
	snprintf(name, n, "%s", basename(copy));
	snprintf(copy, sizeof(copy), "%s", p->dev);
	return open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/*
 * The stream words: the stream's fd (the stream is never closed), or -1.
 * The stream "leaks" by design: the probe holds its fd until it exits,
 * which gcc's analyzer cannot know.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-file-leak"
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
static int probe_open_stream(const struct probe *p, const char *w)
{
	FILE *f = NULL;

	if (!strcmp(w, "fopen")) {
		f = fopen(p->dev, "r+e");
	} else if (!strcmp(w, "fopen64")) {
		f = fopen64(p->dev, "r+e");
	} else if (!strcmp(w, "freopen")) {
		f = fopen("/proc/self/cmdline", "re");
		if (f)
			f = freopen(p->dev, "r+e", f);
	} else {
		errno = EINVAL;
	}
	return f ? fileno(f) : -1;
}
#pragma GCC diagnostic pop

/* The words relative to the device's directory: the fd, or -1. */
static int probe_open_at(const struct probe *p, const char *w)
{
	char name[PATH_MAX];
	int fd = -1, dir, e;

	dir = probe_dir_fd(p, name, sizeof(name));
	if (dir < 0)
		return -1;
	if (!strcmp(w, "openat"))
		fd = openat(dir, name, O_RDWR | O_CLOEXEC);
	else if (!strcmp(w, "openat64"))
		fd = openat64(dir, name, O_RDWR | O_CLOEXEC);
	else if (!strcmp(w, "fortify_at"))
		fd = openat(dir, name, p->flags);
	else if (!strcmp(w, "openat64_2"))
		fd = __openat64_2(dir, name, O_RDWR | O_CLOEXEC);
	else
		errno = EINVAL;
	e = errno;
	close(dir);
	errno = e;
	return fd;
}

/* One of the open words: the fd, or -1 with errno set. */
static int probe_open_word(struct probe *p, const char *w)
{
	if (!strcmp(w, "open"))
		return open(p->dev, O_RDWR | O_CLOEXEC);
	if (!strcmp(w, "open64"))
		return open64(p->dev, O_RDWR | O_CLOEXEC);
	if (!strcmp(w, "creat"))
		return creat(p->dev, 0600);
	if (!strcmp(w, "creat64"))
		return creat64(p->dev, 0600);
	if (!strcmp(w, "fortify"))
		return open(p->dev, p->flags);
	if (!strcmp(w, "open64_2"))
		return __open64_2(p->dev, O_RDWR | O_CLOEXEC);
	if (!strcmp(w, "opath"))
		return open(p->dev, O_PATH | O_CLOEXEC);
	if (!strcmp(w, "symlink")) {
		unlink("kfd-link");
		if (symlink(p->dev, "kfd-link"))
			return -1;
		return open("kfd-link", O_RDWR | O_CLOEXEC);
	}
	if (!strncmp(w, "fopen", 5) || !strcmp(w, "freopen"))
		return probe_open_stream(p, w);
	return probe_open_at(p, w);
}

static bool probe_is_open_word(const char *w)
{
	static const char *const words[] = {
		"open", "open64", "creat", "creat64", "fortify", "open64_2",
		"fopen", "fopen64", "freopen", "symlink", "opath", "openat",
		"openat64", "fortify_at", "openat64_2",
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(w, words[i]))
			return true;
	return false;
}

static void probe_result(const char *w, int ret)
{
	if (ret)
		printf("%s err %d\n", w, -ret);
	else
		printf("%s ok\n", w);
}

static int probe_vram(struct probe *p)
{
	struct vkfd_context c = { .fd = p->last_fd };
	struct vkfd_bo bo;
	int ret;

	ret = vkfd_gpu_ids(p->topology, &p->gpu, 1);
	if (ret <= 0)
		return ret ? ret : -ENODEV;
	ret = vkfd_open_vm(&c, p->topology, p->gpu, &p->render);
	if (ret)
		return ret;
	ret = vkfd_alloc(&c, p->gpu, PROBE_VRAM_VA, 1 << 20,
			 KFD_IOC_ALLOC_MEM_FLAGS_VRAM |
			 KFD_IOC_ALLOC_MEM_FLAGS_WRITABLE, &bo);
	if (ret)
		return ret;
	return vkfd_map(&c, &bo, &p->gpu, 1);
}

static int probe_event(struct probe *p)
{
	struct vkfd_context c = { .fd = p->last_fd };
	struct vkfd_event ev;

	return vkfd_event_create(&c, KFD_IOC_EVENT_SIGNAL, false, 0, &ev);
}

static int probe_queue(struct probe *p)
{
	struct vkfd_context c = { .fd = p->last_fd };

	if (p->render < 0)
		return -EINVAL;
	return vkfd_queue_create(&c, p->render, p->gpu, PROBE_RING_VA, 4096,
				 &p->q);
}

/* Every fd of this process that is the device. */
static void probe_fds(const struct probe *p)
{
	struct stat dev, st;
	struct dirent *de;
	DIR *d;
	int fd;

	d = stat(p->dev, &dev) ? NULL : opendir("/proc/self/fd");
	if (!d) {
		printf("fds err %d\n", errno);
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fstat(fd, &st) || !S_ISCHR(st.st_mode) ||
		    st.st_rdev != dev.st_rdev)
			continue;
		printf("kfdfd %d ctx %ld cloexec %d\n", fd, probe_ctx_id(fd),
		       !!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
	}
	closedir(d);
	printf("fds end\n");
}

static void probe_fill(const struct probe *p)
{
	struct rlimit rl = { PROBE_MAX_FDS, PROBE_MAX_FDS };
	int *fds = malloc(PROBE_MAX_FDS * sizeof(*fds));
	int n = 0, e = 0;

	if (!fds || setrlimit(RLIMIT_NOFILE, &rl)) {
		printf("fill err %d\n", errno);
		free(fds);
		return;
	}
	while (n < PROBE_MAX_FDS) {
		fds[n] = open(p->dev, O_RDWR | O_CLOEXEC);
		if (fds[n] < 0) {
			e = errno;
			break;
		}
		n++;
	}
	printf("fill %d err %d\n", n, e);
	while (n--)
		close(fds[n]);
	free(fds);
}

struct probe_thread {
	const char *dev;
	pthread_barrier_t *start;
	int fd;
	int err;
};

static void *probe_thread_open(void *arg)
{
	struct probe_thread *t = arg;

	pthread_barrier_wait(t->start);
	t->fd = open(t->dev, O_RDWR | O_CLOEXEC);
	t->err = t->fd < 0 ? errno : 0;
	return NULL;
}

/* PROBE_THREADS first opens at once: the library makes one primary. */
static void probe_threads(const struct probe *p)
{
	struct probe_thread t[PROBE_THREADS];
	pthread_t tid[PROBE_THREADS];
	pthread_barrier_t start;
	int i, n;

	pthread_barrier_init(&start, NULL, PROBE_THREADS);
	for (n = 0; n < PROBE_THREADS; n++) {
		t[n] = (struct probe_thread){ .dev = p->dev, .start = &start };
		if (pthread_create(&tid[n], NULL, probe_thread_open, &t[n]))
			break;
	}
	if (n < PROBE_THREADS) {
		/* the barrier would never open: a broken run, say so and end */
		printf("threads err %d\n", EAGAIN);
		exit(1);
	}
	for (i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
		if (t[i].fd < 0)
			printf("open thread err %d\n", t[i].err);
		else
			printf("open thread fd %d ctx %ld\n", t[i].fd,
			       probe_ctx_id(t[i].fd));
	}
	pthread_barrier_destroy(&start);
}

static void probe_wait(void)
{
	char buf[64];

	printf("ready pid %d\n", (int)getpid());
	fflush(stdout);
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
}

int main(int argc, char **argv)
{
	const char *dev = getenv("VKFD_DEV"), *topo = getenv("VKFD_TOPOLOGY");
	struct probe p = {
		.dev = dev && *dev ? dev : VKFD_DEFAULT_DEV,
		.topology = topo && *topo ? topo : NULL,
		.last_fd = -1,
		.render = -1,
		.flags = O_RDWR | O_CLOEXEC,
	};
	int i, fd, status;
	pid_t child;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (probe_is_open_word(w)) {
			fd = probe_open_word(&p, w);
			if (fd < 0) {
				printf("open %s err %d\n", w, errno);
				continue;
			}
			p.last_fd = fd;
			printf("open %s fd %d ctx %ld\n", w, fd, probe_ctx_id(fd));
		} else if (!strcmp(w, "vram")) {
			probe_result(w, probe_vram(&p));
		} else if (!strcmp(w, "event")) {
			probe_result(w, probe_event(&p));
		} else if (!strcmp(w, "queue")) {
			probe_result(w, probe_queue(&p));
		} else if (!strcmp(w, "fds")) {
			probe_fds(&p);
		} else if (!strcmp(w, "close")) {
			printf("closed %d\n", p.last_fd);
			close(p.last_fd);
			p.last_fd = -1;
		} else if (!strcmp(w, "threads")) {
			probe_threads(&p);
		} else if (!strcmp(w, "fill")) {
			probe_fill(&p);
		} else if (!strcmp(w, "fork")) {
			fflush(stdout);
			child = fork();
			if (child < 0) {
				printf("fork err %d\n", errno);
				return 1;
			}
			if (!child) {
				printf("child pid %d\n", (int)getpid());
				continue;
			}
			if (waitpid(child, &status, 0) != child)
				status = -1;
			printf("child exit %d\n", WIFEXITED(status) ?
			       WEXITSTATUS(status) : 128 + WTERMSIG(status));
			return 0;
		} else if (!strcmp(w, "wait")) {
			probe_wait();
		} else if (!strcmp(w, "env")) {
			dev = getenv("HSA_USERPTR_FOR_PAGED_MEM");
			printf("env HSA_USERPTR_FOR_PAGED_MEM=%s\n",
			       dev ? dev : "(unset)");
		} else {
			fprintf(stderr, "kfd_probe: unknown word '%s'\n", w);
			return 2;
		}
	}
	return 0;
}
