// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Reading what the kernel shows in files: sysfs helpers, "key <decimal>"
 * property files, and the pinned-page counters of /proc/vmstat.
 */
#include "vkfd_test.h"

bool vkfd_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool vkfd_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

ssize_t vkfd_read_text(const char *path, char *buf, size_t size)
{
	ssize_t len = 0, n;
	int fd;

	/* gcc 12's analyzer does not see read() fill @buf: zeroed first. */
	memset(buf, 0, size);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	return len;
}

bool vkfd_parse_u64(const char *s, size_t len, uint64_t *val)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - (s[i] - '0')) / 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*val = v;
	return true;
}

int vkfd_read_u64(const char *path, uint64_t *val)
{
	char buf[64];
	ssize_t len = vkfd_read_text(path, buf, sizeof(buf));

	if (len < 0)
		return len;
	if (len < 2 || buf[len - 1] != '\n')
		return -EINVAL;
	return vkfd_parse_u64(buf, len - 1, val) ? 0 : -EINVAL;
}

int vkfd_count_entries(const char *path)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(path);

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

int vkfd_count_indexed(const char *path)
{
	char sub[PATH_MAX + 16];
	int n = vkfd_count_entries(path), i;

	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s/%d", path, i);
		if (!vkfd_is_dir(sub))
			return -EINVAL;
	}
	return n;
}

static bool vkfd_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool vkfd_parse_list(const char *s, size_t len, bool empty_ok)
{
	size_t i, start = 0;
	uint64_t v;

	if (!len)
		return empty_ok;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == ',') {
			if (!vkfd_parse_u64(s + start, i - start, &v))
				return false;
			start = i + 1;
		}
	}
	return true;
}

int vkfd_props_parse(const char *text, struct vkfd_props *props,
		     unsigned int flags)
{
	const char *line = text, *nl, *sp;
	int i;

	props->count = 0;
	props->err[0] = '\0';
	if (!*text) {
		snprintf(props->err, sizeof(props->err), "empty file");
		return -EINVAL;
	}
	for (; *line; line = nl + 1) {
		struct vkfd_prop *p;
		size_t klen;

		nl = strchr(line, '\n');
		if (!nl) {
			snprintf(props->err, sizeof(props->err),
				 "last line not terminated: '%.40s'", line);
			return -EINVAL;
		}
		sp = memchr(line, ' ', nl - line);
		klen = sp ? (size_t)(sp - line) : (size_t)(nl - line);
		if ((flags & VKFD_PROPS_CACHE) && (flags & VKFD_PROPS_EMPTY_MAP) &&
		    !sp && klen == 11 && !strncmp(line, "sibling_map", 11))
			continue;	/* amdkfd prints a bare key for an empty map */
		if (!sp || !klen || klen >= sizeof(props->p[0].key)) {
			snprintf(props->err, sizeof(props->err),
				 "not 'key value': '%.*s'", (int)(nl - line), line);
			return -EINVAL;
		}
		for (i = 0; i < (int)klen; i++) {
			if (!vkfd_key_char(line[i])) {
				snprintf(props->err, sizeof(props->err),
					 "bad key: '%.*s'", (int)klen, line);
				return -EINVAL;
			}
		}
		for (i = 0; i < props->count; i++) {
			if (strlen(props->p[i].key) == klen &&
			    !strncmp(props->p[i].key, line, klen)) {
				snprintf(props->err, sizeof(props->err),
					 "duplicate key '%.*s'", (int)klen, line);
				return -EINVAL;
			}
		}
		if (props->count == VKFD_PROPS_MAX) {
			snprintf(props->err, sizeof(props->err), "too many keys");
			return -EINVAL;
		}
		p = &props->p[props->count];
		memcpy(p->key, line, klen);
		p->key[klen] = '\0';
		if ((flags & VKFD_PROPS_CACHE) && !strcmp(p->key, "sibling_map")) {
			if (!vkfd_parse_list(sp + 1, nl - sp - 1,
					     flags & VKFD_PROPS_EMPTY_MAP)) {
				snprintf(props->err, sizeof(props->err),
					 "bad sibling_map: '%.*s'",
					 (int)(nl - line), line);
				return -EINVAL;
			}
			p->val = 0;
		} else if (!vkfd_parse_u64(sp + 1, nl - sp - 1, &p->val)) {
			snprintf(props->err, sizeof(props->err),
				 "value not an unsigned decimal: '%.*s'",
				 (int)(nl - line), line);
			return -EINVAL;
		}
		props->count++;
	}
	return 0;
}

int vkfd_props_read(const char *path, struct vkfd_props *props,
		    unsigned int flags)
{
	char *text = calloc(1, VKFD_TEXT_MAX);
	ssize_t len;
	int ret;

	if (!text)
		return -ENOMEM;
	len = vkfd_read_text(path, text, VKFD_TEXT_MAX);
	if (len < 0) {
		props->count = 0;
		snprintf(props->err, sizeof(props->err), "cannot read: %s",
			 strerror(-len));
		free(text);
		return len;
	}
	ret = vkfd_props_parse(text, props, flags);
	free(text);
	return ret;
}

bool vkfd_prop(const struct vkfd_props *props, const char *key,
	       uint64_t *val)
{
	int i;

	for (i = 0; i < props->count; i++) {
		if (!strcmp(props->p[i].key, key)) {
			if (val)
				*val = props->p[i].val;
			return true;
		}
	}
	return false;
}

uint64_t vkfd_prop_val(const struct vkfd_props *props,
		       const char *key)
{
	uint64_t v;

	return vkfd_prop(props, key, &v) ? v : UINT64_MAX;
}

int64_t vkfd_pinned_pages(void)
{
	char text[16384], *p;
	long long acq, rel;
	int fd;

	fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return INT64_MIN;
	if (write(fd, "1", 1) != 1) {
		close(fd);
		return INT64_MIN;
	}
	close(fd);
	if (vkfd_read_text("/proc/vmstat", text, sizeof(text)) < 0)
		return INT64_MIN;
	p = strstr(text, "\nnr_foll_pin_acquired ");
	if (!p || sscanf(p, "\nnr_foll_pin_acquired %lld", &acq) != 1)
		return INT64_MIN;
	p = strstr(text, "\nnr_foll_pin_released ");
	if (!p || sscanf(p, "\nnr_foll_pin_released %lld", &rel) != 1)
		return INT64_MIN;
	return acq - rel;
}
