// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * `vkfdctl run --secondary` and libvkfd-secondary.so (lib/vkfd_preload.c):
 * an unmodified, dynamically linked program (build/tests-dyn/kfd_probe)
 * whose opens of the device each become a secondary context of a primary
 * the library holds in its process. The program reports what it sees
 * (its contexts' ids, its fds of the device) and waits on its stdin while
 * the test reads sysfs and the test hooks; then everything must be gone.
 *
 * Linux 6.1's amdkfd has no secondary contexts: there the program's open
 * must fail with the kernel's errno and a "vkfd-secondary:" line, never
 * hand out the primary (unsupported_open_fails); the rest skips.
 */
#include "kselftest_harness.h"
#include "ctx_utils.h"

#define PROBE_TEXT	(1 << 16)
#define PROBE_MAX_WORDS	24
#define PROBE_MAX_FDS	32
#define PROBE_FD_BASE	512	/* where the library puts the primary's fd */
#define PROBE_MAX_SECONDARIES	65535
#define PROBE_THREADS	8	/* kfd_probe's "threads" */

/* A run of vkfdctl run --secondary -- PROGRAM WORDS... */
struct probe_run {
	pid_t pid;		/* vkfdctl, then the program: exec keeps it */
	int in;			/* the program's stdin: EOF ends its "wait" */
	int out;		/* its stdout */
	int err;		/* its stderr */
	size_t len;
	char text[PROBE_TEXT];	/* what it printed so far */
	char errtext[4096];	/* its stderr, once it ended */
};

/* A "kfdfd <fd> ctx <id> cloexec <0|1>" line of the "fds" word */
struct probe_fd {
	int fd;
	long ctx;
	int cloexec;
};

FIXTURE(preload) {
	struct vkfd_base b;
	const char *tool;
	char probe[PATH_MAX];
	int create_ret;		/* CREATE_PROCESS on a fresh fd: 0 or -errno */
	struct probe_run run;
};

FIXTURE_SETUP(preload)
{
	const char *dyn = getenv("VKFD_TESTS_DYN");
	char exe[PATH_MAX - 32], *slash;
	ssize_t n;
	int fd;

	vkfd_base_setup(&self->b, 0);
	self->run.pid = 0;
	self->run.in = self->run.out = self->run.err = -1;
	self->tool = getenv("VKFD_VKFDCTL");
	if (!self->tool || access(self->tool, X_OK)) {
		ASSERT_FALSE(vkfd_in_lane()) TH_LOG("vkfdctl is not staged");
		VKFD_SETUP_SKIP("no vkfdctl (VKFD_VKFDCTL)");
	}
	/* build/tests-dyn next to build/tests; /vkfd/tests-dyn in a guest */
	if (dyn && *dyn) {
		snprintf(self->probe, sizeof(self->probe), "%s/kfd_probe", dyn);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		ASSERT_LT(0, n);
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		ASSERT_NE(NULL, slash);
		*slash = '\0';
		snprintf(self->probe, sizeof(self->probe),
			 "%s/../tests-dyn/kfd_probe", exe);
	}
	if (access(self->probe, X_OK)) {
		ASSERT_FALSE(vkfd_in_lane()) TH_LOG("kfd_probe is not staged");
		VKFD_SETUP_SKIP("no %.200s (VKFD_TESTS_DYN)", self->probe);
	}
	/* Does the driver have secondary contexts? */
	fd = vkfd_open_dev(&self->b.env);
	ASSERT_LE(0, fd);
	self->create_ret = _test_create_process(fd);
	close(fd);
}

FIXTURE_TEARDOWN(preload)
{
	struct probe_run *r = &self->run;

	if (r->in >= 0)
		close(r->in);
	if (r->out >= 0)
		close(r->out);
	if (r->err >= 0)
		close(r->err);
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	vkfd_base_teardown(&self->b);
}

/* The tests that need secondary contexts skip without them, saying why. */
#define NEED_SECONDARIES() do {						\
	if (self->create_ret)						\
		SKIP(return, "no AMDKFD_IOC_CREATE_PROCESS (%s): "	\
		     "unsupported_open_fails tests this driver",	\
		     strerror(-self->create_ret));			\
} while (0)

/*
 * Start `vkfdctl run --secondary @opt -- @prog @words...` (@opt one
 * option or NULL, @words NULL-ended), its stdio on pipes. 0 or -errno.
 */
static int probe_start_opt(struct probe_run *r, const char *tool,
			   const char *opt, const char *prog,
			   const char *const *words)
{
	const char *argv[PROBE_MAX_WORDS + 7] = { tool, "run", "--secondary" };
	int in[2], out[2], err[2], i, n = 3;

	if (opt)
		argv[n++] = opt;
	argv[n++] = "--";
	argv[n++] = prog;
	for (i = 0; words && words[i]; i++) {
		if (i == PROBE_MAX_WORDS)
			return -E2BIG;
		argv[n + i] = words[i];
	}
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) ||
	    pipe2(err, O_CLOEXEC))
		return -errno;
	r->len = 0;
	r->text[0] = r->errtext[0] = '\0';
	fflush(stdout);
	fflush(stderr);
	r->pid = fork();
	if (r->pid < 0)
		return -errno;
	if (!r->pid) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		execv(tool, (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	r->in = in[1];
	r->out = out[0];
	r->err = err[0];
	return 0;
}

/* Read more of the program's stdout: false at EOF (or a full buffer). */
static bool probe_read(struct probe_run *r)
{
	ssize_t n;

	do {
		if (r->len >= sizeof(r->text) - 1)
			return false;
		n = read(r->out, r->text + r->len, sizeof(r->text) - 1 - r->len);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return false;
	r->len += n;
	r->text[r->len] = '\0';
	return true;
}

/* Read the program's stdout until @marker shows (true) or it ends (false). */
static bool probe_wait_for(struct probe_run *r, const char *marker)
{
	while (!strstr(r->text, marker))
		if (!probe_read(r))
			return false;
	return true;
}

/* End its "wait", read all it says, reap it: its exit status (128 + sig). */
static int probe_finish(struct probe_run *r)
{
	size_t elen = 0;
	int status;
	ssize_t n;

	close(r->in);
	r->in = -1;
	while (probe_read(r))
		;
	while (elen < sizeof(r->errtext) - 1 &&
	       (n = read(r->err, r->errtext + elen,
			 sizeof(r->errtext) - 1 - elen)) > 0)
		elen += n;
	r->errtext[elen] = '\0';
	close(r->out);
	close(r->err);
	r->out = r->err = -1;
	if (waitpid(r->pid, &status, 0) != r->pid)
		return -1;
	r->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* `vkfdctl run --secondary -- @prog @words...` */
static int probe_start(struct probe_run *r, const char *tool, const char *prog,
		       const char *const *words)
{
	return probe_start_opt(r, tool, NULL, prog, words);
}

/* After the @n-th (from 0) line of @text that starts with @prefix, or NULL. */
static const char *probe_line(const char *text, const char *prefix, int n)
{
	const char *line = text;
	size_t len = strlen(prefix);

	while (line && *line) {
		if (!strncmp(line, prefix, len) && !n--)
			return line + len;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

/*
 * The @n-th "open @word" line of @text: 0 with *@fd and *@ctx, the errno
 * the open failed with, or -1 if there is no such line.
 */
static int probe_open(const char *text, const char *word, int n, int *fd,
		      long *ctx)
{
	char prefix[64];
	const char *line;
	int e;

	snprintf(prefix, sizeof(prefix), "open %s ", word);
	line = probe_line(text, prefix, n);
	if (!line)
		return -1;
	if (sscanf(line, "fd %d ctx %ld", fd, ctx) == 2)
		return 0;
	if (sscanf(line, "err %d", &e) == 1)
		return e;
	return -1;
}

/* The pid the first "ready pid" line after @text names, or -1. */
static pid_t probe_ready_pid(const char *text)
{
	const char *line = probe_line(text, "ready pid ", 0);

	return line ? atoi(line) : -1;
}

/* The first "fds" report at or after @text: how many fds, or -1. */
static int probe_fds(const char *text, struct probe_fd *v, int max)
{
	const char *line = strstr(text, "kfdfd "), *end = strstr(text, "fds end");
	int n = 0;

	if (!end)
		return -1;
	while (line && line < end && n < max) {
		if (sscanf(line, "kfdfd %d ctx %ld cloexec %d", &v[n].fd,
			   &v[n].ctx, &v[n].cloexec) != 3)
			return -1;
		n++;
		line = strstr(line + 1, "kfdfd ");
	}
	return n;
}

/* Lines of @text that start with "vkfd-secondary: ". */
static int probe_said(const char *text)
{
	int n = 0;

	while (probe_line(text, "vkfd-secondary: ", n))
		n++;
	return n;
}

/* The GPU VMs of a context the test hooks describe: its PASIDs that are not 0. */
static int probe_vms(const struct vkfd_ctx_row *row)
{
	int i, n = 0;

	for (i = 0; i < row->num_pasids; i++)
		n += row->pasids[i] != 0;
	return n;
}

/*
 * Two opens, two secondaries (ids 0 and 1, each with its context_<id>
 * directory); the program's fds are numbered as without the library, the
 * primary's fd is the library's: at 512 or above, close-on-exec. All gone
 * once the program has exited.
 */
TEST_F(preload, each_open_is_a_secondary)
{
	static const char *const words[] = { "open", "open", "fds", "wait", NULL };
	struct probe_run *r = &self->run;
	struct probe_fd fds[PROBE_MAX_FDS];
	int fd0, fd1, n, i, primaries = 0;
	long ctx0, ctx1;
	pid_t pid;

	NEED_SECONDARIES();
	ASSERT_EQ(0, probe_start(r, self->tool, self->probe, words));
	ASSERT_TRUE(probe_wait_for(r, "ready pid ")) TH_LOG("%s", r->text);
	pid = probe_ready_pid(r->text);
	ASSERT_LT(0, pid);

	ASSERT_EQ(0, probe_open(r->text, "open", 0, &fd0, &ctx0)) TH_LOG("%s", r->text);
	ASSERT_EQ(0, probe_open(r->text, "open", 1, &fd1, &ctx1));
	EXPECT_EQ(0, ctx0);
	EXPECT_EQ(1, ctx1);
	/* the lowest free numbers, as without the library */
	EXPECT_GT(PROBE_FD_BASE, fd0);
	EXPECT_EQ(fd0 + 1, fd1);
	n = probe_fds(r->text, fds, PROBE_MAX_FDS);
	ASSERT_EQ(3, n) TH_LOG("%s", r->text);
	for (i = 0; i < n; i++) {
		if (fds[i].ctx != VKFD_CTX_ID_PRIMARY)
			continue;
		primaries++;
		EXPECT_LE(PROBE_FD_BASE, fds[i].fd);
		EXPECT_EQ(1, fds[i].cloexec);
	}
	EXPECT_EQ(1, primaries);

	/* sysfs: exactly the two secondaries */
	EXPECT_EQ(2, vkfd_ctx_dir_count(&self->b.env, pid));
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, pid, 0));
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, pid, 1));

	EXPECT_EQ(0, probe_finish(r));
	EXPECT_EQ(0, probe_said(r->errtext)) TH_LOG("%s", r->errtext);
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, pid));
	if (vkfd_debugfs_present())
		EXPECT_EQ(0, vkfd_ctx_rows(pid));
}

/*
 * Every libc entry that opens a file: each open is a secondary of its own
 * (ids 0..13 in order), through a relative name (openat*) and a symlink
 * too: the library knows the device by its number, not its name.
 */
TEST_F(preload, every_libc_entry)
{
	static const char *const words[] = {
		"open", "open64", "creat", "creat64", "fortify", "fortify_at",
		"openat", "openat64", "open64_2", "openat64_2", "fopen",
		"fopen64", "freopen", "symlink", "wait", NULL,
	};
	struct probe_run *r = &self->run;
	int i, fd, nwords = ARRAY_SIZE(words) - 2;
	long ctx;
	pid_t pid;

	NEED_SECONDARIES();
	ASSERT_EQ(0, probe_start(r, self->tool, self->probe, words));
	ASSERT_TRUE(probe_wait_for(r, "ready pid ")) TH_LOG("%s", r->text);
	pid = probe_ready_pid(r->text);
	for (i = 0; i < nwords; i++) {
		EXPECT_EQ(0, probe_open(r->text, words[i], 0, &fd, &ctx))
			TH_LOG("%s: %s", words[i], r->text);
		EXPECT_EQ(i, ctx) TH_LOG("%s", words[i]);
		EXPECT_TRUE(ctx_dir_exists(&self->b.env, pid, i));
	}
	EXPECT_EQ(nwords, vkfd_ctx_dir_count(&self->b.env, pid));
	EXPECT_EQ(0, probe_finish(r));
	EXPECT_EQ(0, probe_said(r->errtext)) TH_LOG("%s", r->errtext);
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, pid));
	unlink("kfd-link");
}

/*
 * An O_PATH fd reaches no driver and makes no context: the library leaves
 * it alone and opens no primary for it; the next real open is converted.
 */
TEST_F(preload, o_path_left_alone)
{
	static const char *const words[] = { "opath", "fds", "open", "wait", NULL };
	struct probe_run *r = &self->run;
	struct probe_fd fds[PROBE_MAX_FDS];
	int fd, pathfd;
	long ctx;
	pid_t pid;

	NEED_SECONDARIES();
	ASSERT_EQ(0, probe_start(r, self->tool, self->probe, words));
	ASSERT_TRUE(probe_wait_for(r, "ready pid ")) TH_LOG("%s", r->text);
	pid = probe_ready_pid(r->text);
	ASSERT_EQ(0, probe_open(r->text, "opath", 0, &pathfd, &ctx));
	EXPECT_EQ(-EBADF, ctx);		/* no ioctl on a path fd */
	ASSERT_EQ(1, probe_fds(r->text, fds, PROBE_MAX_FDS)) TH_LOG("%s", r->text);
	EXPECT_EQ(pathfd, fds[0].fd);
	ASSERT_EQ(0, probe_open(r->text, "open", 0, &fd, &ctx));
	EXPECT_EQ(0, ctx);
	EXPECT_EQ(1, vkfd_ctx_dir_count(&self->b.env, pid));
	EXPECT_EQ(0, probe_finish(r));
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, pid));
}

/*
 * Threads whose first opens of the device race: each gets a secondary of
 * its own, and the library opens one primary, not one per thread.
 */
TEST_F(preload, racing_first_opens)
{
	static const char *const words[] = { "threads", "fds", "wait", NULL };
	struct probe_run *r = &self->run;
	struct probe_fd fds[PROBE_MAX_FDS];
	bool seen[PROBE_THREADS] = { false };
	int i, n, fd, primaries = 0;
	long ctx;
	pid_t pid;

	NEED_SECONDARIES();
	ASSERT_EQ(0, probe_start(r, self->tool, self->probe, words));
	ASSERT_TRUE(probe_wait_for(r, "ready pid ")) TH_LOG("%s", r->text);
	pid = probe_ready_pid(r->text);
	for (i = 0; i < PROBE_THREADS; i++) {
		ASSERT_EQ(0, probe_open(r->text, "thread", i, &fd, &ctx))
			TH_LOG("%s", r->text);
		ASSERT_LE(0, ctx);
		ASSERT_GT(PROBE_THREADS, ctx);
		EXPECT_FALSE(seen[ctx]) TH_LOG("id %ld twice", ctx);
		seen[ctx] = true;
	}
	n = probe_fds(r->text, fds, PROBE_MAX_FDS);
	ASSERT_EQ(PROBE_THREADS + 1, n) TH_LOG("%s", r->text);
	for (i = 0; i < n; i++)
		primaries += fds[i].ctx == VKFD_CTX_ID_PRIMARY;
	EXPECT_EQ(1, primaries);
	EXPECT_EQ(PROBE_THREADS, vkfd_ctx_dir_count(&self->b.env, pid));
	EXPECT_EQ(0, probe_finish(r));
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, pid));
}

/*
 * What the program makes is the secondary's: 1 MiB of VRAM, a queue and an
 * event show in context_<id> and in the test hooks; the primary the
 * library holds has none of them.
 */
TEST_F(preload, objects_are_in_the_secondary)
{
	static const char *const words[] = {
		"open", "vram", "event", "queue", "wait", NULL,
	};
	struct probe_run *r = &self->run;
	struct vkfd_ctx_row row;
	char file[32], path[PATH_MAX];
	uint64_t v;
	uint32_t gpu;
	long ctx;
	pid_t pid;
	int fd;

	NEED_SECONDARIES();
	VKFD_ONLY(&self->b.env, "CPU-only, no GPU to allocate on");
	ASSERT_LT(0, vkfd_gpu_ids(self->b.env.topology, &gpu, 1));
	ASSERT_EQ(0, probe_start(r, self->tool, self->probe, words));
	ASSERT_TRUE(probe_wait_for(r, "ready pid ")) TH_LOG("%s", r->text);
	pid = probe_ready_pid(r->text);
	ASSERT_EQ(0, probe_open(r->text, "open", 0, &fd, &ctx));
	ASSERT_EQ(0, ctx);
	ASSERT_NE(NULL, strstr(r->text, "vram ok\n")) TH_LOG("%s", r->text);
	ASSERT_NE(NULL, strstr(r->text, "event ok\n")) TH_LOG("%s", r->text);
	ASSERT_NE(NULL, strstr(r->text, "queue ok\n")) TH_LOG("%s", r->text);

	snprintf(file, sizeof(file), "vram_%u", gpu);
	ASSERT_EQ(0, vkfd_ctx_sysfs_u64(&self->b.env, pid, 0, file, &v));
	EXPECT_EQ(1ULL << 20, v);
	vkfd_ctx_sysfs_path(&self->b.env, pid, 0, "queues", path, sizeof(path));
	EXPECT_EQ(1, vkfd_count_entries(path));
	/* the primary: nothing */
	ASSERT_EQ(0, vkfd_ctx_sysfs_u64(&self->b.env, pid, VKFD_CTX_ID_PRIMARY,
					file, &v));
	EXPECT_EQ(0ULL, v);
	vkfd_ctx_sysfs_path(&self->b.env, pid, VKFD_CTX_ID_PRIMARY, "queues",
			    path, sizeof(path));
	EXPECT_EQ(0, vkfd_count_entries(path));
	if (vkfd_debugfs_present()) {
		ASSERT_EQ(0, vkfd_ctx_row(pid, 0, &row));
		EXPECT_EQ(1ULL, row.events);
		EXPECT_EQ(1ULL << 20, row.vram);
		EXPECT_EQ(1, probe_vms(&row));
		ASSERT_EQ(0, vkfd_ctx_row(pid, VKFD_CTX_ID_PRIMARY, &row));
		EXPECT_EQ(0ULL, row.events);
		EXPECT_EQ(0ULL, row.bos);
		EXPECT_EQ(0ULL, row.vram);
		EXPECT_EQ(0, probe_vms(&row));
	}

	EXPECT_EQ(0, probe_finish(r));
	EXPECT_EQ(0, probe_said(r->errtext)) TH_LOG("%s", r->errtext);
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, pid));
	if (vkfd_debugfs_present())
		EXPECT_EQ(0, vkfd_ctx_rows(pid));
}

/*
 * --limit: each secondary gets the limit before the program's open
 * returns (one event: the second is EDQUOT); a bad --limit runs nothing;
 * a malformed VKFD_SECONDARY_LIMITS fails every open, saying why.
 */
TEST_F(preload, limits_on_each_secondary)
{
	static const char *const words[] = {
		"open", "event", "event", "open", "event", "wait", NULL,
	};
	static const char *const one[] = { "open", NULL };
	struct probe_run *r = &self->run;
	char path[PATH_MAX], text[32];
	long ctx;
	pid_t pid;
	int fd;

	NEED_SECONDARIES();
	ASSERT_EQ(0, probe_start_opt(r, self->tool, "--limit=events=1",
				     self->probe, words));
	ASSERT_TRUE(probe_wait_for(r, "ready pid ")) TH_LOG("%s", r->text);
	pid = probe_ready_pid(r->text);
	ASSERT_EQ(0, probe_open(r->text, "open", 0, &fd, &ctx));
	ASSERT_EQ(0, ctx);
	ASSERT_EQ(0, probe_open(r->text, "open", 1, &fd, &ctx));
	ASSERT_EQ(1, ctx);
	snprintf(text, sizeof(text), "event err %d\n", EDQUOT);
	EXPECT_NE(NULL, strstr(r->text, "event ok\nevent err ")) TH_LOG("%s", r->text);
	EXPECT_NE(NULL, strstr(r->text, text)) TH_LOG("%s", r->text);
	for (ctx = 0; ctx < 2; ctx++) {
		vkfd_ctx_sysfs_path(&self->b.env, pid, ctx,
				    "limits/events_limit", path, sizeof(path));
		EXPECT_EQ(2, vkfd_read_text(path, text, sizeof(text)));
		EXPECT_STREQ("1\n", text);
		vkfd_ctx_sysfs_path(&self->b.env, pid, ctx,
				    "limits/events_usage", path, sizeof(path));
		EXPECT_EQ(2, vkfd_read_text(path, text, sizeof(text)));
		EXPECT_STREQ("1\n", text);
	}
	/* The primary the library holds keeps the module's defaults */
	vkfd_ctx_sysfs_path(&self->b.env, pid, VKFD_CTX_ID_PRIMARY,
			    "limits/events_usage", path, sizeof(path));
	EXPECT_EQ(2, vkfd_read_text(path, text, sizeof(text)));
	EXPECT_EQ(0, probe_finish(r));
	EXPECT_EQ(0, probe_said(r->errtext)) TH_LOG("%s", r->errtext);

	ASSERT_EQ(0, probe_start_opt(r, self->tool, "--limit=events=lots",
				     self->probe, one));
	EXPECT_EQ(2, probe_finish(r));
	EXPECT_EQ(0UL, r->len) TH_LOG("%s", r->text);
	EXPECT_NE(NULL, strstr(r->errtext, "--limit events=lots"))
		TH_LOG("%s", r->errtext);

	setenv("VKFD_SECONDARY_LIMITS", "events=1,bogus=2", 1);
	ASSERT_EQ(0, probe_start(r, self->tool, self->probe, one));
	unsetenv("VKFD_SECONDARY_LIMITS");
	EXPECT_EQ(0, probe_finish(r));
	EXPECT_EQ(EINVAL, probe_open(r->text, "open", 0, &fd, &ctx))
		TH_LOG("%s", r->text);
	EXPECT_EQ(1, probe_said(r->errtext)) TH_LOG("%s", r->errtext);
	EXPECT_NE(NULL, strstr(r->errtext, "VKFD_SECONDARY_LIMITS: malformed"))
		TH_LOG("%s", r->errtext);
}

/*
 * fork(): the child's first open makes the child's own primary and
 * secondary (context 0 of the child); the parent's primary fd is gone
 * from the child (closed by the fork handler), the program's inherited
 * fd is the parent's secondary, useless there (EBADF). The parent's
 * secondary is untouched.
 */
TEST_F(preload, fork_child_gets_its_own)
{
	static const char *const words[] = {
		"open", "fork", "fds", "open", "fds", "wait", NULL,
	};
	struct probe_run *r = &self->run;
	struct probe_fd fds[PROBE_MAX_FDS];
	const char *child_text;
	int pfd, cfd, n, i, primaries = 0;
	long pctx, cctx;
	pid_t parent, child;

	NEED_SECONDARIES();
	ASSERT_EQ(0, probe_start(r, self->tool, self->probe, words));
	ASSERT_TRUE(probe_wait_for(r, "ready pid ")) TH_LOG("%s", r->text);
	parent = r->pid;
	child = probe_ready_pid(r->text);
	ASSERT_LT(0, child);
	ASSERT_NE(parent, child);
	child_text = strstr(r->text, "child pid ");
	ASSERT_NE(NULL, child_text);

	ASSERT_EQ(0, probe_open(r->text, "open", 0, &pfd, &pctx));
	EXPECT_EQ(0, pctx);
	/* before its own open: only the program's inherited fd, unusable */
	n = probe_fds(child_text, fds, PROBE_MAX_FDS);
	ASSERT_EQ(1, n) TH_LOG("%s", r->text);
	EXPECT_EQ(pfd, fds[0].fd);
	EXPECT_EQ(-EBADF, fds[0].ctx);
	/* its own open: context 0 of its own primary, which it now holds */
	ASSERT_EQ(0, probe_open(child_text, "open", 0, &cfd, &cctx));
	EXPECT_EQ(0, cctx);
	n = probe_fds(strstr(child_text, "fds end") + 1, fds, PROBE_MAX_FDS);
	ASSERT_EQ(3, n) TH_LOG("%s", r->text);
	for (i = 0; i < n; i++) {
		if (fds[i].ctx != VKFD_CTX_ID_PRIMARY)
			continue;
		primaries++;
		EXPECT_LE(PROBE_FD_BASE, fds[i].fd);
	}
	EXPECT_EQ(1, primaries);

	EXPECT_EQ(1, vkfd_ctx_dir_count(&self->b.env, parent));
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, parent, 0));
	EXPECT_EQ(1, vkfd_ctx_dir_count(&self->b.env, child));
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, child, 0));

	EXPECT_EQ(0, probe_finish(r));
	EXPECT_NE(NULL, strstr(r->text, "child exit 0\n")) TH_LOG("%s", r->text);
	EXPECT_EQ(0, probe_said(r->errtext)) TH_LOG("%s", r->errtext);
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, child));
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, parent));
}

/*
 * A program started by a shell script (as rocm-smi and friends are
 * scripts): LD_PRELOAD is inherited, the program the script runs gets a
 * secondary; the script's status is the run's.
 */
TEST_F(preload, through_a_shell_script)
{
	struct probe_run *r = &self->run;
	char script[PATH_MAX];
	long ctx;
	pid_t pid;
	FILE *f;
	int fd;

	NEED_SECONDARIES();
	ASSERT_NE(NULL, getcwd(script, sizeof(script) - 16));
	strcat(script, "/probe.sh");
	f = fopen(script, "we");
	ASSERT_NE(NULL, f);
	fprintf(f, "#!/bin/sh\n'%s' open wait\necho script done\nexit 7\n",
		self->probe);
	ASSERT_EQ(0, fclose(f));
	ASSERT_EQ(0, chmod(script, 0755));

	ASSERT_EQ(0, probe_start(r, self->tool, script, NULL));
	ASSERT_TRUE(probe_wait_for(r, "ready pid ")) TH_LOG("%s", r->text);
	pid = probe_ready_pid(r->text);
	EXPECT_NE(r->pid, pid);		/* the script's child */
	ASSERT_EQ(0, probe_open(r->text, "open", 0, &fd, &ctx));
	EXPECT_EQ(0, ctx);
	EXPECT_TRUE(ctx_dir_exists(&self->b.env, pid, 0));
	EXPECT_EQ(7, probe_finish(r));
	EXPECT_NE(NULL, strstr(r->text, "script done\n"));
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, pid));
	unlink(script);
}

/*
 * libhsakmt makes paged system memory USERPTR buffers, which a secondary
 * cannot have, unless HSA_USERPTR_FOR_PAGED_MEM is 0: vkfdctl sets it to
 * 0, and leaves a value the user gave alone.
 */
TEST_F(preload, rocm_paged_memory_not_userptr)
{
	static const char *const words[] = { "env", NULL };
	struct probe_run *r = &self->run;
	const char *old = getenv("HSA_USERPTR_FOR_PAGED_MEM");
	char saved[64];	/* on the stack: a failed ASSERT returns at once */

	snprintf(saved, sizeof(saved), "%s", old ? old : "");

	unsetenv("HSA_USERPTR_FOR_PAGED_MEM");
	ASSERT_EQ(0, probe_start(r, self->tool, self->probe, words));
	EXPECT_EQ(0, probe_finish(r));
	EXPECT_NE(NULL, strstr(r->text, "env HSA_USERPTR_FOR_PAGED_MEM=0\n"))
		TH_LOG("%s", r->text);

	setenv("HSA_USERPTR_FOR_PAGED_MEM", "1", 1);
	ASSERT_EQ(0, probe_start(r, self->tool, self->probe, words));
	EXPECT_EQ(0, probe_finish(r));
	EXPECT_NE(NULL, strstr(r->text, "env HSA_USERPTR_FOR_PAGED_MEM=1\n"))
		TH_LOG("%s", r->text);
	if (old)
		setenv("HSA_USERPTR_FOR_PAGED_MEM", saved, 1);
	else
		unsetenv("HSA_USERPTR_FOR_PAGED_MEM");
}

/*
 * A statically linked program would never load the library and would use
 * the primary unawares: vkfdctl refuses it (126) and says why, before
 * anything runs.
 */
TEST_F(preload, static_program_refused)
{
	static const char *const words[] = { "--help", NULL };
	struct probe_run *r = &self->run;
	char self_exe[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	ASSERT_LT(0, n);
	self_exe[n] = '\0';	/* this test binary: static (STATIC_TESTS) */
	ASSERT_EQ(0, probe_start(r, self->tool, self_exe, words));
	EXPECT_EQ(126, probe_finish(r));
	EXPECT_EQ(0UL, r->len) TH_LOG("%s", r->text);
	EXPECT_NE(NULL, strstr(r->errtext, "is statically linked"))
		TH_LOG("%s", r->errtext);
}

/*
 * The primary's secondaries run out (65,535): the next open fails with
 * ENOSPC and one "vkfd-secondary:" line, and its fd is not left open
 * (the program then holds the library's primary alone). Not scaled down:
 * the limit is the point; skipped where VKFD_TEST_EXHAUSTIVE=0, as in
 * ctx_life.c.
 */
TEST_F_TIMEOUT(preload, enospc_fails_the_open, 1800)
{
	static const char *const words[] = { "fill", "fds", NULL };
	struct probe_run *r = &self->run;
	struct probe_fd fds[PROBE_MAX_FDS];
	char line[160];
	int opened, e;
	pid_t pid;

	NEED_SECONDARIES();
	if (!vkfd_exhaustive())
		SKIP(return, "VKFD_TEST_EXHAUSTIVE=0: distro-6.1 runs the 65,535");
	ASSERT_EQ(0, probe_start(r, self->tool, self->probe, words));
	pid = r->pid;
	EXPECT_EQ(0, probe_finish(r));
	ASSERT_NE(NULL, probe_line(r->text, "fill ", 0)) TH_LOG("%s", r->text);
	ASSERT_EQ(2, sscanf(probe_line(r->text, "fill ", 0), "%d err %d",
			    &opened, &e));
	EXPECT_EQ(PROBE_MAX_SECONDARIES, opened);
	EXPECT_EQ(ENOSPC, e);
	EXPECT_EQ(1, probe_said(r->errtext)) TH_LOG("%s", r->errtext);
	snprintf(line, sizeof(line), "AMDKFD_IOC_CREATE_PROCESS: %s",
		 strerror(ENOSPC));
	EXPECT_NE(NULL, strstr(r->errtext, line)) TH_LOG("%s", r->errtext);
	ASSERT_EQ(1, probe_fds(r->text, fds, PROBE_MAX_FDS)) TH_LOG("%s", r->text);
	EXPECT_EQ(VKFD_CTX_ID_PRIMARY, fds[0].ctx);
	EXPECT_LE(PROBE_FD_BASE, fds[0].fd);
	EXPECT_TRUE(vkfd_proc_gone_after_exit(&self->b.env, pid));
}

/*
 * A driver without secondary contexts (Linux 6.1's amdkfd): the open
 * fails with the errno CREATE_PROCESS gave (ENOTTY there) and one
 * "vkfd-secondary:" line; the program holds no fd of the device but the
 * library's primary. Never the primary handed out as if it were isolated.
 */
TEST_F(preload, unsupported_open_fails)
{
	static const char *const words[] = { "open", "openat", "fds", NULL };
	struct probe_run *r = &self->run;
	struct probe_fd fds[PROBE_MAX_FDS];
	char line[512];
	long ctx;
	int fd;

	if (!self->create_ret)
		SKIP(return, "the driver has secondary contexts: enospc_fails_the_open tests the failure");
	ASSERT_EQ(0, probe_start(r, self->tool, self->probe, words));
	EXPECT_EQ(0, probe_finish(r));
	EXPECT_EQ(-self->create_ret, probe_open(r->text, "open", 0, &fd, &ctx))
		TH_LOG("%s", r->text);
	EXPECT_EQ(-self->create_ret, probe_open(r->text, "openat", 0, &fd, &ctx));
	EXPECT_EQ(2, probe_said(r->errtext)) TH_LOG("%s", r->errtext);
	snprintf(line, sizeof(line), "vkfd-secondary: %s: AMDKFD_IOC_CREATE_PROCESS: %s",
		 self->b.env.dev, strerror(-self->create_ret));
	EXPECT_NE(NULL, strstr(r->errtext, line)) TH_LOG("%s", r->errtext);
	ASSERT_EQ(1, probe_fds(r->text, fds, PROBE_MAX_FDS)) TH_LOG("%s", r->text);
	EXPECT_LE(PROBE_FD_BASE, fds[0].fd);
	EXPECT_EQ(1, fds[0].cloexec);
}

TEST_HARNESS_MAIN
