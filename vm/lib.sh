# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Shared code of the qemu harness: sourced by vm/check.sh, vm/demo.sh,
# vm/bench.sh and vm/lint.sh. It knows where things are cached, how to get
# each lane's kernel, how to build the module and the tests for it, how to
# pack an initramfs and how to boot it.
#
# Everything that is downloaded or built outside the work tree lives in
# $VKFD_CACHE under a directory named after what it was made from (package
# version, config hash, script hash), so a second run finds it and a change
# of any input makes a fresh one next to the old.
#
# Environment knobs (all optional; vm/README.md has the full list):
#   VKFD_LANES      lanes check.sh runs (default "distro debug amdkfd rocm")
#   VKFD_PARALLEL   0 = run the lanes one after the other (default 1)
#   VKFD_TEST_TIMEOUT  seconds one test binary may run (default 300)
#   VKFD_CACHE      cache directory (default ~/.cache/vkfd)
#   VKFD_SRC        tree whose Makefile builds the module and the tests
#                   (default: this repo; point it at a scratch tree to test
#                   the harness itself)
#   VKFD_KVM=1      use KVM instead of TCG (never the default: see design.md)
#   VKFD_QEMU_MEM   guest memory (default 2G, enough for KASAN)
#   VKFD_TIMEOUT    hard limit for one guest, in seconds (default 600)
#   VKFD_CHECK_PARAMS  vkfd.ko parameters in the distro and debug lanes
#                   (default "num_gpus=2 vram_mb=512")
#   VKFD_CHECK_MODNAME  the module the distro and debug lanes load: vkfd
#                   (default) or amdgpu (the same driver as amdgpu.ko; the
#                   debug lane then runs no KUnit)

# shellcheck disable=SC2034 # some variables are for the sourcing scripts
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/.." && pwd)
VKFD_CACHE=${VKFD_CACHE:-${HOME:-/root}/.cache/vkfd}
VKFD_SRC=$(cd "${VKFD_SRC:-$REPO}" && pwd)
BUILD=$VKFD_SRC/build
export VKFD_CACHE

# The parameters vkfd is loaded with in the distro and debug lanes.
VKFD_CHECK_PARAMS=${VKFD_CHECK_PARAMS:-num_gpus=2 vram_mb=512}

msg() { printf 'vkfd: %s\n' "$*" >&2; }
die() { printf 'vkfd: error: %s\n' "$*" >&2; exit 1; }

# Seconds since the epoch, for the timing lines.
now() { date +%s; }

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

# Version of the source package the debug kernel is built from.
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

# --- distro lane kernel ----------------------------------------------------

# Unpack Debian's linux-image matching the headers into the cache, with a
# depmod index so `modprobe -d` can resolve module dependencies on the host.
# Prints the unpacked root; the kernel is <root>/boot/vmlinuz-<abi> and the
# modules are under <root>/lib/modules/<abi>.
ensure_distro_kernel() {
	local abi ver root tmp deb
	abi=$(distro_abi)
	ver=$(dpkg-query -W -f='${Version}' "linux-headers-$abi")
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
	echo "$root"
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

# --- debug lane kernel -----------------------------------------------------

# Build (or find) the debug kernel; prints its O= build directory, which
# holds arch/x86/boot/bzImage and is ready for `make -C <dir> M=...`.
ensure_debug_kernel() {
	"$VM_DIR/debug-kernel.sh"
}

# --- module, tests and tools -----------------------------------------------

# Build vkfd.ko, the same driver as amdgpu.ko, and vkfd_test.ko where the
# kernel has KUnit, for one lane through the top-level Makefile. $1 = lane name, $2 = KDIR. The build log
# goes to $BUILD/check/logs/module-<lane>.log; prints the module directory.
build_module() {
	local lane=$1 kdir=$2
	local moddir=$BUILD/module-$lane log=$BUILD/check/logs/module-$lane.log
	mkdir -p "$(dirname "$log")"
	if ! make -C "$VKFD_SRC" module KDIR="$kdir" MODDIR="$moddir" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "module build for the $lane lane failed (log: $log)"
	fi
	[ -f "$moddir/vkfd.ko" ] || die "module build for $lane made no vkfd.ko"
	[ -f "$moddir/amdgpu.ko" ] || die "module build for $lane made no amdgpu.ko"
	echo "$moddir"
}

# Build the static test binaries and tools (once for all lanes). A missing
# vkfdctl is fine while tools/ is empty: the tests must still run.
build_userspace() {
	local log=$BUILD/check/logs/userspace.log
	mkdir -p "$(dirname "$log")"
	if ! make -C "$VKFD_SRC" tests >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "building the tests failed (log: $log)"
	fi
	if [ -n "$(ls "$VKFD_SRC"/tools/*.c 2>/dev/null)" ]; then
		if ! make -C "$VKFD_SRC" tools >>"$log" 2>&1; then
			tail -n 40 "$log" >&2
			die "building the tools failed (log: $log)"
		fi
	fi
}

# vkfd's own module dependencies on Debian's modular kernel (drm, the
# shmem GEM helper, ...), from the .modinfo the build recorded.
vkfd_deps() {
	modinfo -F depends "$1" | tr ',' ' '
}

# The guest's /vkfd/lane.env (see vm/init): lane, VKFD_IMPL, load vkfd?,
# kmemleak scan?, vkfd's module parameters; the module name vkfd is
# loaded as follows from VKFD_IMPL and VKFD_CHECK_MODNAME.
lane_env() {
	printf "export VKFD_LANE='%s'\n" "$1"
	printf "export VKFD_IMPL='%s'\n" "$2"
	printf "export VKFD_LOAD_VKFD='%s'\n" "$3"
	printf "export VKFD_KMEMLEAK='%s'\n" "$4"
	printf "export VKFD_MODULE_PARAMS='%s'\n" "$5"
	# AMD's amdgpu owns that name in the amdkfd lane
	if [ "$2" = vkfd ]; then
		case ${VKFD_CHECK_MODNAME:-vkfd} in
		vkfd | amdgpu) ;;
		*) die "VKFD_CHECK_MODNAME=$VKFD_CHECK_MODNAME: vkfd or amdgpu" ;;
		esac
		printf "export VKFD_MODNAME='%s'\n" "${VKFD_CHECK_MODNAME:-vkfd}"
	else
		printf "export VKFD_MODNAME='vkfd'\n"
	fi
	printf "export VKFD_TEST_TIMEOUT='%s'\n" "${VKFD_TEST_TIMEOUT:-300}"
	printf "export VKFD_DEMO='%s'\n" "${VKFD_DEMO:-0}"
	printf "export VKFD_TESTS='%s'\n" "${VKFD_TESTS:-}"
}

# --- initramfs -------------------------------------------------------------

# Stage and pack one guest's initramfs (cpio newc, uncompressed: every
# kernel reads that, and packing stays quick).
#   $1 output .cpio     $2 staging directory (recreated)
#   $3 lane.env content
#   $4 directory with vkfd.ko / amdgpu.ko / vkfd_test.ko ("" = none)
#   $5 file listing .ko paths to insmod first, in order ("" = none)
# The guest finds: /init, busybox, /vkfd/{lane.env,vkfd.ko,amdgpu.ko,
# vkfd_test.ko,preload.list,lib/*.ko,lib/libvkfd-secondary.so,tests/*,
# tests-dyn/*,tools/vkfdctl}, and glibc's loader and libraries for the
# dynamically linked ones.
make_initramfs() {
	stage_initramfs "$2" "$3" "$4" "$5"
	pack_initramfs "$2" "$1"
}

# The staging half of make_initramfs ($1 = its $2, and so on), for a
# caller that changes the tree before packing it (vm/bench.sh).
stage_initramfs() {
	local stage=$1 env=$2 moddir=$3 preload=$4
	local applet ko

	rm -rf "$stage"
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,vkfd/lib,vkfd/tests,vkfd/tools}
	cp /bin/busybox "$stage/bin/busybox"
	# One symlink per applet, at the path busybox itself names for it.
	for applet in $(/bin/busybox --list-full); do
		[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
	done
	install -m 0755 "$VM_DIR/init" "$stage/init"
	printf '%s\n' "$env" >"$stage/vkfd/lane.env"

	if [ -n "$moddir" ]; then
		cp "$moddir/vkfd.ko" "$moddir/amdgpu.ko" "$stage/vkfd/"
		[ ! -f "$moddir/vkfd_test.ko" ] || cp "$moddir/vkfd_test.ko" "$stage/vkfd/"
	fi
	: >"$stage/vkfd/preload.list"
	if [ -n "$preload" ]; then
		while read -r ko; do
			cp "$ko" "$stage/vkfd/lib/"
			echo "/vkfd/lib/$(basename "$ko")" >>"$stage/vkfd/preload.list"
		done <"$preload"
	fi
	if [ -d "$BUILD/tests" ]; then
		find "$BUILD/tests" -maxdepth 1 -type f -perm -u+x \
			-exec cp {} "$stage/vkfd/tests/" \;
	fi
	[ ! -x "$BUILD/tools/vkfdctl" ] || cp "$BUILD/tools/vkfdctl" "$stage/vkfd/tools/"
	stage_dynamic "$stage"
}

# The dynamically linked part of a guest ($1 = staging directory):
# build/lib/libvkfd-secondary.so (into /vkfd/lib/, ../lib/ from vkfdctl,
# where `vkfdctl run --secondary` looks), build/tests-dyn/* (/vkfd/tests-dyn/,
# the programs tests/preload.c runs under it), and the host's loader and
# libraries they need (glibc), at the paths ldd names, so that the guest's
# loader finds them in its default directories.
stage_dynamic() {
	local stage=$1 f lib
	local dyn=()
	if [ -f "$BUILD/lib/libvkfd-secondary.so" ]; then
		cp "$BUILD/lib/libvkfd-secondary.so" "$stage/vkfd/lib/"
		dyn+=("$BUILD/lib/libvkfd-secondary.so")
	fi
	if [ -d "$BUILD/tests-dyn" ]; then
		mkdir -p "$stage/vkfd/tests-dyn"
		for f in "$BUILD"/tests-dyn/*; do
			{ [ -f "$f" ] && [ -x "$f" ]; } || continue
			cp "$f" "$stage/vkfd/tests-dyn/"
			dyn+=("$f")
		done
	fi
	[ "${#dyn[@]}" -gt 0 ] || return 0
	# Below each "file:" line, "\tlibc.so.6 => /lib/.../libc.so.6 (0x...)"
	# and "\t/lib64/ld-linux-x86-64.so.2 (0x...)".
	for lib in $(ldd "${dyn[@]}" |
		awk '/^\t/ && $2 == "=>" && $3 ~ /^\// { print $3 }
		     /^\t\// { print $1 }' | sort -u); do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}

# Pack staging directory $1 into the initramfs $2.
pack_initramfs() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc --owner=0:0) >"$2"
}

# --- qemu ------------------------------------------------------------------

# Boot one guest and wait for it to power off (the guest ends with
# `reboot -f`, which -no-reboot turns into an exit).
#   $1 kernel image   $2 initramfs   $3 kernel command line
#   $4 file for ttyS0 (kernel console)
#   $5 file for ttyS1 (results channel), or "stdio"
# Returns qemu's status; 124 means the hard timeout hit.
run_qemu() {
	local kernel=$1 initrd=$2 append=$3 console=$4 results=$5
	local accel=(-accel tcg) ttys1
	if [ "${VKFD_KVM:-0}" = 1 ]; then
		accel=(-accel kvm -cpu host)
	fi
	if [ "$results" = stdio ]; then
		ttys1=(-serial stdio)
	else
		ttys1=(-serial "file:$results")
	fi
	timeout --kill-after=10 "${VKFD_TIMEOUT:-600}" \
		qemu-system-x86_64 "${accel[@]}" \
		-smp 2 -m "${VKFD_QEMU_MEM:-2G}" \
		-nodefaults -nographic -no-reboot \
		-kernel "$kernel" -initrd "$initrd" -append "$append" \
		-serial "file:$console" "${ttys1[@]}" </dev/null
}

# Kernel command line common to every guest: console on ttyS0; a panic
# reboots at once (and so ends qemu) instead of waiting for the timeout;
# no speculation mitigations, which only cost time under emulation.
BASE_APPEND="console=ttyS0 panic=-1 mitigations=off rdinit=/init"
