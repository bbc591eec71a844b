# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Shared code of the qemu harness: sourced by vm/check.sh, vm/demo.sh,
# vm/bench.sh, vm/lint.sh and the kernel providers (vm/kernels/*.sh). It
# knows where things are cached, how to get Debian's kernels, how to build
# the module and the tests, how to pack an initramfs and how to boot it.
# vm/run.sh runs the lanes (vm/lanes/*) with it.
#
# Everything that is downloaded or built outside the work tree lives in
# $VKFD_CACHE under a directory named after what it was made from (package
# version, config hash, script hash), so a second run finds it and a change
# of any input makes a fresh one next to the old.
#
# Environment knobs (all optional; vm/README.md has the full list):
#   VKFD_LANES      lanes check.sh runs (default: every test lane)
#   VKFD_PARALLEL   0 = run the lanes one after the other (default 1)
#   VKFD_TEST_TIMEOUT  seconds one test binary may run (default 300)
#   VKFD_CACHE      cache directory (default ~/.cache/vkfd)
#   VKFD_SRC        tree whose Makefile builds the module and the tests
#                   (default: this repo; point it at a scratch tree to test
#                   the harness itself)
#   VKFD_KVM=1      use KVM instead of TCG (never the default: docs/testing.rst)
#   VKFD_QEMU_MEM   guest memory (default: the lane's, 2G)
#   VKFD_TIMEOUT    hard limit for one guest, in seconds (default: the lane's)
#   VKFD_BOOT_LIMIT seconds a guest may take to send its first item before
#                   it is booted again, once (default 240)
#   VKFD_CHECK_PARAMS  vkfd.ko parameters of the test lanes that do not set
#                   their own (default "num_gpus=2 vram_mb=512")
#   VKFD_CHECK_MODNAME  the module the vkfd test lanes load: vkfd
#                   (default) or amdgpu (the same driver as amdgpu.ko; the
#                   debug lane then runs no KUnit)

# shellcheck disable=SC2034 # some variables are for the sourcing scripts
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/.." && pwd)
VKFD_CACHE=${VKFD_CACHE:-${HOME:-/root}/.cache/vkfd}
VKFD_SRC=$(cd "${VKFD_SRC:-$REPO}" && pwd)
BUILD=$VKFD_SRC/build
export VKFD_CACHE

# The host's compilations (modules by kbuild and DKMS, user space) go
# through ccache, by the names of its directory of compiler links first in
# PATH, with its cache among the others: a clean clone's warm run compiles
# only what changed. (The unstable chroot has its own compiler and PATH;
# vm/debug-kernel.sh turns ccache off.) In depend mode: ccache takes the
# headers a file read from the compiler's dependency file (kbuild's
# -Wp,-MMD) instead of running the preprocessor once more to hash its
# output. A kernel file's preprocessing is much of its compilation: a cold
# build of vkfd.ko for the debug kernel took 39 CPU-s without ccache, 69
# through it, 54 in depend mode (measured 2026-12-07); user space, which
# writes no dependency files, is compiled as before.
export CCACHE_DIR=$VKFD_CACHE/ccache
export CCACHE_DEPEND=1
[ ! -d /usr/lib/ccache ] || export PATH=/usr/lib/ccache:$PATH

# The parameters vkfd is loaded with in the distro and debug lanes.
VKFD_CHECK_PARAMS=${VKFD_CHECK_PARAMS:-num_gpus=2 vram_mb=512}

# Messages; within a run (vm/run.sh's run_start sets VKFD_T0) each says
# when, in seconds since the run's start.
msg() {
	if [ -n "${VKFD_T0:-}" ]; then
		printf 'vkfd: [%4ds] %s\n' "$((EPOCHSECONDS - VKFD_T0))" "$*" >&2
	else
		printf 'vkfd: %s\n' "$*" >&2
	fi
}
die() { printf 'vkfd: error: %s\n' "$*" >&2; exit 1; }

# Seconds since the epoch, for the timing lines.
now() { echo "$EPOCHSECONDS"; }

# Debian's python3 (make deps installs it) rather than the first in PATH,
# which may be a version manager's shim: pyenv's costs a dozen processes
# a call.
PYTHON=/usr/bin/python3

# nap SECONDS: sleep(1) without a process, for the harness's loops that
# poll for minutes (a process per poll is dear: see guest_slot_take). A
# read of a FIFO that no one writes times out in the shell; the FIFO is
# made once per shell (and inherited by its subshells).
nap() {
	local _
	if [ -z "${NAP_FD:-}" ]; then
		local fifo
		fifo=$(mktemp -u "${TMPDIR:-/tmp}/vkfd-nap.XXXXXX")
		mkfifo -m 600 "$fifo"
		exec {NAP_FD}<>"$fifo"
		rm -f "$fifo"
	fi
	read -r -t "$1" -u "$NAP_FD" _ || true
}

# --- Debian's kernel: ABI and package versions -----------------------------

# The ABI of the installed headers, e.g. 6.1.0-56-amd64. The metapackage
# linux-headers-amd64 depends on exactly one linux-headers-<abi>.
distro_abi() {
	local dep
	dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null) ||
		die "linux-headers-amd64 is not installed (run vm/setup-host.sh)"
	sed -n 's/.*linux-headers-\([0-9][^ ,]*-amd64\).*/\1/p' <<<"$dep"
}

distro_headers() { echo "/usr/src/linux-headers-$(distro_abi)"; }

# Version of linux-source-6.1, checkpatch's source (debug-kernel.sh has 6.12's).
linux_source_version() {
	dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null ||
		die "linux-source-6.1 is not installed (run vm/setup-host.sh)"
}

LINUX_SOURCE_TAR=/usr/src/linux-source-6.1.tar.xz

# `apt-get download` into directory $1. apt drops root to the _apt user for
# downloads, so the directory must be writable by it; and on a machine whose
# package lists were cleaned (or are stale), one `apt-get update` is needed.
# (Under /root it cannot be: apt then downloads as root and warns, which
# is harmless and kept out of sight in apt.log.)
apt_download() {
	local dir=$1 sudo=
	shift
	chmod 0777 "$dir"
	(cd "$dir" && apt-get download -qq "$@") >"$dir/apt.log" 2>&1 && return 0
	msg "apt-get download $* failed; updating the package lists"
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq >/dev/null
	if ! (cd "$dir" && apt-get download -qq "$@") >"$dir/apt.log" 2>&1; then
		grep -v 'unsandboxed' "$dir/apt.log" >&2
		die "apt-get download $* failed; if the archive has moved on to a newer kernel ABI, upgrade linux-headers-amd64 (vm/setup-host.sh installs it) and retry"
	fi
}

# --- Debian's kernels ------------------------------------------------------

# One provider output line (vm/run.sh): NAME=value, quoted for eval.
kv() { printf '%s=%q\n' "$1" "$2"; }

# The ABI of Debian 12's 6.12 headers, e.g. 6.12.118+deb12-amd64: the
# metapackage linux-headers-6.12-amd64 depends on the newest one.
debian_6_12_abi() {
	local dep
	dep=$(dpkg-query -W -f='${Depends}' linux-headers-6.12-amd64 2>/dev/null) ||
		die "linux-headers-6.12-amd64 is not installed (run vm/setup-host.sh)"
	sed -n 's/.*linux-headers-\(6\.12[^ ,]*-amd64\).*/\1/p' <<<"$dep"
}

# A Debian kernel whose headers the host has: the linux-image of the same
# version, unpacked into $VKFD_CACHE/distro-kernel/<abi>-<version> with a
# depmod index so `modprobe -d` can resolve module dependencies on the
# host. $1 = description, $2 = ABI, $3 = version; prints the provider's
# K_* lines (vm/run.sh).
debian_kernel() {
	local name=$1 abi=$2 ver=$3 root tmp deb
	root=$VKFD_CACHE/distro-kernel/$abi-$ver
	if [ ! -e "$root/.done" ]; then
		msg "fetching linux-image-$abi ($ver)"
		rm -rf "$root"
		mkdir -p "$VKFD_CACHE/distro-kernel"
		tmp=$(mktemp -d "$VKFD_CACHE/distro-kernel/.dl.XXXXXX")
		apt_download "$tmp" "linux-image-$abi=$ver"
		deb=$(echo "$tmp"/linux-image-*.deb)
		[ -f "$deb" ] || die "no linux-image-$abi package downloaded"
		mkdir -p "$tmp/root"
		dpkg -x "$deb" "$tmp/root"
		depmod -b "$tmp/root" "$abi"
		touch "$tmp/root/.done"
		mv "$tmp/root" "$root"
		rm -rf "$tmp"
	fi
	kv K_NAME "$name"
	kv K_ABI "$abi"
	kv K_IMAGE "$root/boot/vmlinuz-$abi"
	kv K_MODROOT "$root"
	kv K_KDIR "/usr/src/linux-headers-$abi"
	kv K_UAPI ""
}

# Module names (as in `modinfo -F depends`: commas, '_' or '-') to .ko
# paths in insmod order, dependencies first, each once. $1 is the root of an
# unpacked image, $2 its ABI. Built-in modules produce no line.
resolve_modules() {
	local root=$1 abi=$2
	shift 2
	local m
	for m in "$@"; do
		modprobe -d "$root" -S "$abi" --show-depends "$m" ||
			die "cannot resolve module $m in $root"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

# --- module, tests and tools -----------------------------------------------

# sync_by_content SRC DST RSYNC-FILTER...: make DST/ a copy of the files
# of SRC/ the filters select, by content. A file whose bytes are unchanged
# keeps its old time (no -t: `rsync -a --checksum` would set it to the
# clone's), a changed one gets the current time: the objects a previous
# build left in DST stay valid, and make rebuilds only what changed, even
# from a fresh clone whose every file is new.
sync_by_content() {
	local src=$1 dst=$2
	shift 2
	mkdir -p "$dst"
	rsync -rlpD --checksum --delete "$@" "$src/" "$dst/"
}

# The module's sources, copied by content (sync_by_content) to
# $VKFD_CACHE/kbuild/<key>/src, a path that is the same for every clone:
# what a module build puts on the compiler's command line then is too, so
# ccache and make's own dependency tracking carry over from one clean
# clone to the next. A build holds the key's lock (another work tree may
# build the same key with other sources). Prints the directory; the
# caller holds "$dir/.lock" on fd 8.
kbuild_stage() {
	local dir=$VKFD_CACHE/kbuild/$1
	sync_by_content "$VKFD_SRC" "$dir/src" \
		--include='/kernel/***' --include='/include/***' --include='/dist/***' \
		--include='/Makefile' --include='/VERSION' --include='/dkms.conf' \
		--exclude='*'
	echo "$dir"
}

# Modules built before, kept by what they were built from: a run of the
# same sources for the same kernel (the warm `make check` of a clean
# clone, a second lane set) takes them instead of running kbuild, whose
# modpost and link steps alone cost seconds of CPU for every kernel.
#   ko_key SRCDIR WORDS...  the key: the sources' contents, the kernel's
#                           Module.symvers (K_KDIR), the compilers (those of
#                           K_CHROOT if set) and WORDS (ABI, modules)
#   ko_kept KEYDIR KEY MODDIR  copy the kept modules to MODDIR; false if none
#   ko_keep KEYDIR KEY MODDIR  keep MODDIR's modules under KEY (the last 4
#                              keys of KEYDIR stay)
ko_key() {
	local src=$1
	shift
	{
		(cd "$src" && find . -type f -print0 | LC_ALL=C sort -z |
			xargs -0 sha256sum)
		sha256sum "$K_KDIR/Module.symvers" 2>/dev/null || echo "no symvers"
		# the compiler the kernel's build picks (the chroot's for unstable)
		stat -L -c '%n %s %Y' "${K_CHROOT:-}"/usr/bin/gcc* 2>/dev/null
		echo "$*"
	} | sha256sum | cut -c1-16
}

ko_kept() {
	local kept=$1/$2 ko
	[ -e "$kept/.done" ] || return 1
	for ko in "$kept"/*.ko; do
		[ ! -f "$ko" ] || cp "$ko" "$3/" || return 1
	done
	touch "$kept/.done"
}

ko_keep() {
	local kept=$1/$2 old
	rm -rf "$kept"
	mkdir -p "$kept"
	cp "$3"/*.ko "$kept/" && touch "$kept/.done" || return 1
	# shellcheck disable=SC2012 # our names
	for old in $(ls -t "$1" | tail -n +5); do
		rm -rf "${1:?}/$old"
	done
}

# Build vkfd.ko, the same driver as amdgpu.ko, and vkfd_test.ko where the
# kernel has KUnit, against K_KDIR on the host (a provider's
# kernel_build_module), in the stable tree of kbuild_stage, and copy them
# to $1 (or the modules kept from an earlier build of the same sources,
# ko_kept). $2 = log; VKFD_MODULES (vm/run.sh) may leave one of vkfd and
# amdgpu out.
kbuild_module() {
	local moddir=$1 log=$2 dir ko key
	(
		dir=$VKFD_CACHE/kbuild/kbuild-$K_ABI
		mkdir -p "$dir"
		exec 8>"$dir/.lock"
		flock 8
		kbuild_stage "kbuild-$K_ABI" >/dev/null
		key=$(ko_key "$dir/src" "$K_ABI" "${VKFD_MODULES:-vkfd amdgpu}")
		if ko_kept "$dir/kept" "$key" "$moddir"; then
			echo "these sources were built for $K_ABI before (key $key): modules taken"
			exit 0
		fi
		rm -f "$dir"/module/*.ko
		make -C "$dir/src" -j"$(nproc)" module KDIR="$K_KDIR" MODDIR="$dir/module" \
			VKFD_MODULES="${VKFD_MODULES:-vkfd amdgpu}" VKFD_WERROR=y VKFD_TEST=y || exit 1
		for ko in "$dir"/module/*.ko; do
			[ ! -f "$ko" ] || cp "$ko" "$moddir/"
		done
		ko_keep "$dir/kept" "$key" "$moddir"
	) >"$log" 2>&1
}

# Build the static test binaries, the tools and the preload library into
# build directory $1; $2 = "" or a directory whose linux/kfd_ioctl.h (a
# kernel's own) comes before every other. Log: $1/userspace.log.
#
# The build happens in $VKFD_CACHE/userspace/<name of $1>/, on sources
# copied there by content (sync_by_content), with the build directory of
# the previous run: make rebuilds and relinks only what changed since, in
# this clone or another (under a lock: another work tree may build there
# too). The results are then copied to $1, as new files (newer than the
# clone's sources, for a make there).
build_userspace() {
	local out=$1 uapi=$2 log=$1/userspace.log dir sub
	dir=$VKFD_CACHE/userspace/$(basename "$out")
	mkdir -p "$out" "$dir"
	if ! (
		exec 6>"$dir/.lock"
		flock 6
		sync_by_content "$VKFD_SRC" "$dir/src" \
			--include='/lib/***' --include='/tests/***' --include='/tools/***' \
			--include='/bench/***' --include='/include/***' \
			--include='/Makefile' --include='/VERSION' --exclude='*'
		# A kernel's own uAPI header is copied too: make compares times.
		if [ -n "$uapi" ]; then
			sync_by_content "$uapi" "$dir/uapi"
		fi
		# -g0: the guests get the programs without their debug
		# information (pack_initramfs), which is a fifth of their
		# compile time.
		make -C "$dir/src" -j"$(nproc)" BUILD="$dir/build" VKFD_USER_CFLAGS=-g0 \
			${uapi:+VKFD_UAPI_OVERRIDE="$dir/uapi"} tests tools || exit 1
		for sub in tests tests-dyn lib tools; do
			rsync -rlpD --delete "$dir/build/$sub/" "$out/$sub/" || exit 1
		done
	) >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "building the tests and tools failed (log: $log)"
	fi
}

# vkfd's own module dependencies on Debian's modular kernel (drm, the
# shmem GEM helper, ...), from the .modinfo the build recorded.
vkfd_deps() {
	modinfo -F depends "$1" | tr ',' ' '
}

# --- initramfs -------------------------------------------------------------

# Stage one guest's initramfs (vm/run.sh's lane_stage completes it):
#   $1 staging directory (recreated)
#   $2 lane.env content
#   $3 directory with vkfd.ko / amdgpu.ko / vkfd_test.ko ("" = none)
#   $4 file listing .ko paths to insmod first, in order ("" = none)
#   $5 build directory of the userspace (tests, tools; default $BUILD)
# The guest finds: /init, busybox, /vkfd/{lane.env,vkfd.ko,amdgpu.ko,
# vkfd_test.ko,preload.list,lib/*.ko,lib/libvkfd-secondary.so,tests/*,
# tests-dyn/*,tools/vkfdctl,guest/*}, and glibc's loader and libraries for
# the dynamically linked ones.
stage_initramfs() {
	local stage=$1 env=$2 moddir=$3 preload=$4 us=${5:-$BUILD}
	local applet ko

	rm -rf "$stage"
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,vkfd/lib,vkfd/tests,vkfd/tools}
	cp /bin/busybox "$stage/bin/busybox"
	# One symlink per applet, at the path busybox itself names for it
	# (one process: a fork per applet costs seconds on a busy host).
	/bin/busybox --list-full | "$PYTHON" -c '
import os, sys
root = sys.argv[1]
for applet in sys.stdin.read().split():
    path = os.path.join(root, applet)
    if not os.path.lexists(path):
        os.symlink("/bin/busybox", path)
' "$stage"
	install -m 0755 "$VM_DIR/init" "$stage/init"
	cp -r "$VM_DIR/guest" "$stage/vkfd/guest"
	printf '%s\n' "$env" >"$stage/vkfd/lane.env"

	if [ -n "$moddir" ]; then
		cp "$moddir/vkfd.ko" "$stage/vkfd/"
		for ko in amdgpu vkfd_test; do
			[ ! -f "$moddir/$ko.ko" ] || cp "$moddir/$ko.ko" "$stage/vkfd/"
		done
	fi
	: >"$stage/vkfd/preload.list"
	if [ -n "$preload" ]; then
		while read -r ko; do
			stage_module "$ko" "$stage/vkfd/lib"
			echo "/vkfd/lib/$(basename "${ko%.[gx]z}" .zst)" >>"$stage/vkfd/preload.list"
		done <"$preload"
	fi
	if [ -d "$us/tests" ]; then
		find "$us/tests" -maxdepth 1 -type f -perm -u+x \
			-exec cp -t "$stage/vkfd/tests/" {} +
	fi
	[ ! -x "$us/tools/vkfdctl" ] || cp "$us/tools/vkfdctl" "$stage/vkfd/tools/"
	stage_dynamic "$stage" "$us"
}

# Copy module $1 into directory $2, decompressed: busybox's insmod reads
# the file into init_module(), which takes an ELF image only.
stage_module() {
	case $1 in
	*.ko.xz) xz -dc "$1" >"$2/$(basename "$1" .xz)" ;;
	*.ko.zst) zstd -qdc "$1" >"$2/$(basename "$1" .zst)" ;;
	*.ko.gz) gzip -dc "$1" >"$2/$(basename "$1" .gz)" ;;
	*) cp "$1" "$2/" ;;
	esac
}

# The dynamically linked part of a guest ($1 = staging directory, $2 =
# build directory of the userspace, default $BUILD):
# build/lib/libvkfd-secondary.so (into /vkfd/lib/, ../lib/ from vkfdctl,
# where `vkfdctl run --secondary` looks), build/tests-dyn/* (/vkfd/tests-dyn/,
# the programs tests/preload.c runs under it), and the host's loader and
# libraries they and the staged selftests need (glibc), at the paths ldd
# names, so that the guest's loader finds them in its default directories.
stage_dynamic() {
	local stage=$1 us=${2:-$BUILD} f lib
	local dyn=()
	if [ -f "$us/lib/libvkfd-secondary.so" ]; then
		cp "$us/lib/libvkfd-secondary.so" "$stage/vkfd/lib/"
		dyn+=("$us/lib/libvkfd-secondary.so")
	fi
	if [ -d "$us/tests-dyn" ]; then
		mkdir -p "$stage/vkfd/tests-dyn"
		for f in "$us"/tests-dyn/*; do
			{ [ -f "$f" ] && [ -x "$f" ]; } || continue
			cp "$f" "$stage/vkfd/tests-dyn/"
			dyn+=("$f")
		done
	fi
	# The selftests are dynamic too (the Makefile's TEST_LDFLAGS).
	for f in "$stage"/vkfd/tests/*; do
		[ ! -f "$f" ] || dyn+=("$f")
	done
	[ "${#dyn[@]}" -gt 0 ] || return 0
	stage_libs "$stage" "${dyn[@]}"
}

# Copy the host's loader and libraries that the dynamic programs $2...
# need into staging directory $1, at the paths ldd names, so that the
# guest's loader finds them in its default directories.
stage_libs() {
	local stage=$1 lib
	local one=()
	shift
	# ldd costs a loader run per program, seconds for sixty: ask it about
	# one program of each list of needed libraries (readelf -d, one
	# process), which all need the same. (readelf names each file only
	# when given several.)
	if [ "$#" -eq 1 ]; then
		one=("$1")
	else
		mapfile -t one < <(readelf -d "$@" 2>/dev/null | awk '
			/^File: / { if (f != "") print need "\t" f; f = $2; need = "" }
			/\(NEEDED\)/ { need = need " " $NF }
			END { if (f != "") print need "\t" f }' |
			awk -F'\t' '$1 != "" && !seen[$1]++ { print $2 }')
	fi
	[ "${#one[@]}" -gt 0 ] || return 0
	# Below each "file:" line, "\tlibc.so.6 => /lib/.../libc.so.6 (0x...)"
	# and "\t/lib64/ld-linux-x86-64.so.2 (0x...)".
	for lib in $(ldd "${one[@]}" |
		awk '/^\t/ && $2 == "=>" && $3 ~ /^\// { print $3 }
		     /^\t\// { print $1 }' | sort -u); do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
	# glibc loads libgcc_s at run time, which ldd does not name, to
	# unwind a thread's stack in pthread_exit() and cancellation.
	# (awk reads to the end: ldconfig must not die of a closed pipe.)
	lib=$(ldconfig -p | awk '$1 == "libgcc_s.so.1" && /x86-64/ && !n++ { print $NF }')
	if [ -n "$lib" ]; then
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	fi
}

# Pack staging directory $1 into the initramfs $2. vkfd's own programs
# and modules go in without their debug information (all copies): the
# guest has no debugger, its backtraces come from kallsyms, and every
# megabyte costs boot time (a debug kernel unpacks the initramfs at a few
# MB per second under TCG).
pack_initramfs() {
	# (strip leaves what is not ELF, the scripts, as it is.)
	find "$1/vkfd" -type f \( -name '*.ko' -o -perm -u+x \) \
		-exec strip --strip-debug {} + 2>/dev/null || true
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc --owner=0:0) >"$2"
}

# --- qemu ------------------------------------------------------------------

# Boot one guest and wait for it to power off (the guest ends with
# `reboot -f`, which -no-reboot turns into an exit).
#   $1 kernel image   $2 initramfs   $3 kernel command line
#   $4 file for ttyS0 (kernel console)
#   $5 file for ttyS1 (results channel), or "stdio"
#   $6 guest memory (default 2G)   $7 hard limit in seconds (default 600)
#   $8 virtual CPUs (default 2)
# Returns qemu's status; 124 means the hard limit hit.
run_qemu() {
	local kernel=$1 initrd=$2 append=$3 console=$4 results=$5
	local mem=${6:-2G} limit=${7:-600} cpus=${8:-2}
	local accel=(-accel tcg) ttys1
	if [ "${VKFD_KVM:-0}" = 1 ]; then
		accel=(-accel kvm -cpu host)
	fi
	if [ "$results" = stdio ]; then
		ttys1=(-serial stdio)
	else
		ttys1=(-serial "file:$results")
	fi
	timeout --kill-after=10 "$limit" \
		qemu-system-x86_64 "${accel[@]}" \
		-smp "$cpus" -m "$mem" \
		-nodefaults -nographic -no-reboot \
		-kernel "$kernel" -initrd "$initrd" -append "$append" \
		-serial "file:$console" "${ttys1[@]}" </dev/null
}

# Kernel command line common to every guest: console on ttyS0; a panic
# reboots at once (and so ends qemu) instead of waiting for the timeout;
# no speculation mitigations, which only cost time under emulation; no
# check that the timer interrupt arrives within a busy-wait at boot, which
# a virtual CPU the host does not run in time fails ("IO-APIC + timer
# doesn't work!", a panic seen on a host busy with every lane), and which
# KVM guests skip for the same reason.
BASE_APPEND="console=ttyS0 panic=-1 mitigations=off no_timer_check rdinit=/init"
