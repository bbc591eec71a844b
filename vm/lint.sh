#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# `make lint`: checkpatch.pl --strict on the module's sources and sparse
# (C=2) on a build against Debian's headers. Any checkpatch ERROR,
# WARNING or CHECK, or any sparse warning in a vkfd file, fails.
#
# checkpatch.pl and the two data files it reads come from Debian's
# linux-source tarball, unpacked once into the cache.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cp_dir=$VKFD_CACHE/checkpatch/$(linux_source_version)
if [ ! -e "$cp_dir/.done" ]; then
	msg "unpacking checkpatch.pl from $LINUX_SOURCE_TAR"
	rm -rf "$cp_dir"
	mkdir -p "$cp_dir"
	tar -xf "$LINUX_SOURCE_TAR" -C "$cp_dir" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	touch "$cp_dir/.done"
fi

rc=0
cd "$VKFD_SRC"
shopt -s nullglob
files=(kernel/*.[ch] kernel/tests/*.[ch])
if [ "${#files[@]}" -eq 0 ]; then
	msg "no sources in kernel/: nothing to lint"
	exit 0
fi

# --- checkpatch ------------------------------------------------------------
# --no-tree: this is not a kernel tree; checkpatch then finds spelling.txt
# and const_structs.checkpatch next to itself.
out=$BUILD/lint/checkpatch.log
mkdir -p "$(dirname "$out")"
perl "$cp_dir/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	-f "${files[@]}" >"$out" 2>&1 || true
# --terse prints one "file:line: LEVEL:TYPE: message" line per finding.
n=$(grep -cE ': (ERROR|WARNING|CHECK):' "$out" || true)
if [ "$n" -ne 0 ]; then
	grep -E ': (ERROR|WARNING|CHECK):' "$out"
	msg "checkpatch: $n finding(s) in ${#files[@]} files"
	rc=1
else
	msg "checkpatch --strict: ${#files[@]} files clean"
fi

# --- sparse, -Werror, on every kernel whose headers the host has ----------
# C=2 runs sparse on every file, built or not; a separate MODDIR keeps
# these objects apart from the check lanes'. Debian 12's 6.1 and 6.12
# headers are the host's (setup-host.sh); unstable's need its chroot
# (the distro-unstable lane builds there with -Werror).
for kdir in "$(distro_headers)" "/usr/src/linux-headers-$(debian_6_12_abi)"; do
	kv=$(basename "$kdir")
	out=$BUILD/lint/sparse-$kv.log
	if ! make -C "$VKFD_SRC" module C=2 KDIR="$kdir" VKFD_WERROR=y \
		MODDIR="$BUILD/module-sparse-$kv" >"$out" 2>&1; then
		tail -n 40 "$out"
		msg "sparse ($kv): the module build failed (log: $out)"
		exit 1
	fi
	# Sparse reports as "path:line:col: warning|error: ..."; only vkfd's
	# files (the symlinked module tree, or headers elsewhere in the
	# repo) count, the kernel headers' own noise does not.
	findings=$(grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$out" |
		grep -E "^($BUILD/module-sparse-$kv|$VKFD_SRC)/" || true)
	if [ -n "$findings" ]; then
		echo "$findings"
		msg "sparse ($kv): $(wc -l <<<"$findings") warning(s)"
		rc=1
	else
		msg "sparse ($kv): clean"
	fi
done
exit "$rc"
