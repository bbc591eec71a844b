#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# `make lint`, every check below; any finding fails, and the sections all
# run so that one call shows every finding:
#
#   checkpatch  checkpatch.pl --strict on the module's sources
#   kernel-doc  scripts/kernel-doc -none -Wall on the module's sources and
#               the uAPI headers (every comment in kernel-doc form)
#   docs        docs/*.rst parsed by docutils, their kernel-doc directives
#               expanded (vm/doccheck.py)
#   shell       shellcheck on the shell scripts of vm/, dist/ and tests/
#   python      pyflakes on every Python script
#   user space  gcc's static analyzer on lib/, tools/, tests/ and bench/
#   sparse      sparse (C=2) on builds against Debian's 6.1 and 6.12 headers
#
# checkpatch.pl and the two data files it reads come from Debian's
# linux-source-6.1 tarball, kernel-doc from linux-source-6.12's (the one
# whose output the docs' directives expect), each unpacked once into the
# cache. The other tools are Debian 12's packages (vm/setup-host.sh).
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
# One is expected: kernel/vkfd_compat.h is the one place that tests the
# kernel's version (LINUX_VERSION_CODE), which in-tree code never needs
# and an out-of-tree module that builds for several kernels must.
sed -i -E '/(^|\/)kernel\/vkfd_compat\.h:[0-9]+: WARNING:LINUX_VERSION_CODE:/d' "$out"
n=$(grep -cE ': (ERROR|WARNING|CHECK):' "$out" || true)
if [ "$n" -ne 0 ]; then
	grep -E ': (ERROR|WARNING|CHECK):' "$out"
	msg "checkpatch: $n finding(s) in ${#files[@]} files"
	rc=1
else
	msg "checkpatch --strict: ${#files[@]} files clean"
fi

# --- kernel-doc --------------------------------------------------------------
kd_ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
	die "linux-source-6.12 is not installed (run vm/setup-host.sh)"
kd_dir=$VKFD_CACHE/kernel-doc/$kd_ver
if [ ! -e "$kd_dir/.done" ]; then
	msg "unpacking kernel-doc from /usr/src/linux-source-6.12.tar.xz"
	rm -rf "$kd_dir"
	mkdir -p "$kd_dir"
	tar -xf /usr/src/linux-source-6.12.tar.xz -C "$kd_dir" --strip-components=1 \
		linux-source-6.12/scripts/kernel-doc
	touch "$kd_dir/.done"
fi
kernel_doc=$kd_dir/scripts/kernel-doc
kd_files=("${files[@]}" include/uapi/linux/*.h)
out=$BUILD/lint/kernel-doc.log
perl "$kernel_doc" -none -Wall "${kd_files[@]}" >"$out" 2>&1 || true
if [ -s "$out" ]; then
	cat "$out"
	msg "kernel-doc: $(grep -c . "$out") finding(s) in ${#kd_files[@]} files"
	rc=1
else
	msg "kernel-doc -Wall: ${#kd_files[@]} files clean"
fi

# --- docs: docutils, with the kernel-doc directive -------------------------
# Debian's python3 and python3-docutils, whatever python3 is first in PATH.
docs=(docs/*.rst)
if ! /usr/bin/python3 "$VM_DIR/doccheck.py" "$kernel_doc" "$VKFD_SRC" "${docs[@]}"; then
	msg "docs: findings in docs/*.rst"
	rc=1
else
	msg "docs: ${#docs[@]} files parse clean"
fi

# --- shell scripts: shellcheck ---------------------------------------------
# -x follows what a script sources (vm/lib.sh and the others, named by
# their own directory: SCRIPTDIR). A file without a "#!" line is a
# library: checked as bash (what vm/ sources it from) unless it names its
# shell with a "# shellcheck shell=" line; "#!/bin/busybox sh" (the
# guest's) is checked as dash, the nearest dialect shellcheck has.
sh_files=(vm/*.sh vm/init vm/guest/*.sh vm/kernels/*.sh dist/*.sh tests/*/*.sh)
sh_bad=0
for f in "${sh_files[@]}"; do
	case $(head -n1 "$f") in
	'#!/bin/busybox sh') sh_args=(-s dash) ;;
	'#!'*) sh_args=() ;;
	*) if grep -q '^# shellcheck shell=' "$f"; then sh_args=(); else sh_args=(-s bash); fi ;;
	esac
	shellcheck -f gcc -x -P SCRIPTDIR "${sh_args[@]}" "$f" || sh_bad=$((sh_bad + 1))
done
# The lane files: bash fragments that set the fields run.sh reads
# (unused here, hence SC2034).
for f in vm/lanes/*; do
	if [ ! -f "$f" ] || [ "${f##*/}" = README ]; then
		continue
	fi
	sh_files+=("$f")
	shellcheck -f gcc -x -P vm/lanes -s bash -e SC2034 "$f" || sh_bad=$((sh_bad + 1))
done
if [ "$sh_bad" -ne 0 ]; then
	msg "shellcheck: findings in $sh_bad of ${#sh_files[@]} scripts"
	rc=1
else
	msg "shellcheck: ${#sh_files[@]} scripts clean"
fi

# --- Python: pyflakes ------------------------------------------------------
py_files=(vm/*.py tests/*/*.py bench/*/*.py)
if ! pyflakes3 "${py_files[@]}"; then
	msg "pyflakes: findings"
	rc=1
else
	msg "pyflakes: ${#py_files[@]} files clean"
fi

# --- user space: gcc's static analyzer -------------------------------------
# lib/, tools/, tests/ (tests/lib/ and tests/dyn/ included) and bench/
# (and the ROCm programs, if vm/rocm.sh has unpacked ROCm's headers into
# the cache) are built by the Makefile's own rules, with their own flags,
# plus -fanalyzer (gcc 12's interprocedural analysis: leaks of memory, fds
# and FILEs, use after free, double free, NULL dereferences, uses of
# uninitialised values) and -Wshift-overflow=2 (a shift into the sign
# bit, as uAPI macros did), in a build directory of their own made
# afresh each time: the analyzer costs about 15 minutes of CPU on a cold
# cache, and ccache (by the name the harness uses) serves every file that
# did not change on later runs, warnings included. -Wno-error lets every
# file report; any warning fails.
#
# Why not cppcheck or clang-tidy, both also in Debian 12: cppcheck took
# over 8 minutes on part of this tree, and most of its findings in the
# tests were misreadings of the kselftest harness's EXPECT/ASSERT macros,
# of functions it cannot see into (a noreturn die(), an ioctl() filling
# its argument) and printf checks of the harness's own header, while the
# real ones (a shift into the sign bit) gcc finds as well; clang-tidy's
# analyzer needs a compilation database and repeats what gcc's sees with
# the real flags. gcc 12's analyzer does not know that read() fills its
# buffer nor that errno is positive after a failure: the few places where
# that made it see an uninitialised value initialise it (tests/vkfd_sysfs.h,
# tests/mem_utils.h); a proven false positive is silenced where it
# occurs, with a comment saying why (tests/dyn/kfd_probe.c).
ubuild=$BUILD/lint/user
out=$BUILD/lint/analyzer.log
rm -rf "$ubuild"
bench_bins=()
for f in bench/*.c; do
	case $f in *_*) ;; *) bench_bins+=("$ubuild/bench/$(basename "$f" .c)") ;; esac
done
rocm_args=()
for r in "$VKFD_CACHE"/rocm/*/; do
	[ -f "$r/usr/include/hsakmt.h" ] && rocm_args=(rocm ROCM_ROOT="${r%/}") && break
done
[ "${#rocm_args[@]}" -ne 0 ] || msg "analyzer: no ROCm headers in the cache: tests/rocm and bench/rocm left out"
nice -n 10 make -k -C "$VKFD_SRC" -j"$(nproc)" BUILD="$ubuild" \
	VKFD_USER_CFLAGS="-fanalyzer -Wshift-overflow=2 -Wno-error" \
	lib tools tests "${bench_bins[@]}" "${rocm_args[@]}" >"$out" 2>&1 || true
# Wherever the location: a leak in a test is reported in the kselftest
# harness's macro that returned early.
findings=$(grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$out" |
	sort -u || true)
failed=$(grep -E '^make(\[[0-9]+\])?: \*\*\*' "$out" || true)
if [ -n "$findings" ] || [ -n "$failed" ]; then
	[ -z "$findings" ] || echo "$findings"
	[ -z "$failed" ] || { tail -n 40 "$out"; echo "$failed"; }
	msg "analyzer: $(grep -c . <<<"$findings") finding(s) (log: $out)"
	rc=1
else
	msg "analyzer: lib, tools, tests, bench clean"
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
