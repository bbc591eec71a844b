// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Child processes driven over pipes, fds passed with SCM_RIGHTS, and
 * programs run for their output.
 */
#include "vkfd_test.h"

int vkfd_child_start(struct vkfd_child *c, vkfd_child_fn fn,
		     void *arg)
{
	int down[2], up[2];

	if (pipe2(down, O_CLOEXEC))
		return -errno;
	if (pipe2(up, O_CLOEXEC)) {
		close(down[0]);
		close(down[1]);
		return -errno;
	}
	fflush(stdout);
	fflush(stderr);
	c->pid = fork();
	if (c->pid < 0) {
		close(down[0]);
		close(down[1]);
		close(up[0]);
		close(up[1]);
		return -errno;
	}
	if (c->pid == 0) {
		/* a parent that stopped listening is an error code, not a signal */
		signal(SIGPIPE, SIG_IGN);
		close(down[1]);
		close(up[0]);
		_exit(fn(arg, down[0], up[1]));
	}
	close(down[0]);
	close(up[1]);
	c->to_child = down[1];
	c->from_child = up[0];
	return 0;
}

int vkfd_msg_send(int fd, uint64_t v)
{
	return write(fd, &v, sizeof(v)) == sizeof(v) ? 0 : -1;
}

int vkfd_msg_recv(int fd, uint64_t *v)
{
	ssize_t n;

	do {
		n = read(fd, v, sizeof(*v));
	} while (n < 0 && errno == EINTR);
	return n == sizeof(*v) ? 0 : -1;
}

int vkfd_child_wait(struct vkfd_child *c)
{
	int status;

	if (c->pid <= 0)
		return -1;
	if (c->to_child >= 0)
		close(c->to_child);
	if (c->from_child >= 0)
		close(c->from_child);
	c->to_child = c->from_child = -1;
	while (waitpid(c->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			c->pid = 0;
			return -1;
		}
	}
	c->pid = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

void vkfd_child_kill(struct vkfd_child *c)
{
	if (c->pid > 0)
		kill(c->pid, SIGKILL);
	vkfd_child_wait(c);
}

/* One byte of data carrying one fd in an SCM_RIGHTS control message. */
struct vkfd_fd_msg {
	char data;
	struct iovec iov;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg;
};

static void vkfd_fd_msg_init(struct vkfd_fd_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->data = 'F';
	m->iov.iov_base = &m->data;
	m->iov.iov_len = 1;
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->u.buf;
	m->msg.msg_controllen = sizeof(m->u.buf);
}

int vkfd_send_fd(int sock, int fd)
{
	struct vkfd_fd_msg m;
	struct cmsghdr *cmsg;

	vkfd_fd_msg_init(&m);
	cmsg = CMSG_FIRSTHDR(&m.msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &m.msg, 0) == 1 ? 0 : -1;
}

int vkfd_recv_fd(int sock)
{
	struct vkfd_fd_msg m;
	struct cmsghdr *cmsg;
	int fd;

	vkfd_fd_msg_init(&m);
	if (recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cmsg = CMSG_FIRSTHDR(&m.msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

int vkfd_run(char *const argv[], bool with_stderr, char *out,
	     size_t size)
{
	size_t len = 0;
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (!pid) {
		dup2(pipefd[1], STDOUT_FILENO);
		if (with_stderr)
			dup2(pipefd[1], STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (len < size - 1 &&
	       (n = read(pipefd[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}
