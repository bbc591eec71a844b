#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# `make check`: run vkfd's selftests (and KUnit, and the leak scan) in qemu
# guests, one per lane, and print the verdict (design.md §5):
#
#   distro  Debian's stock kernel, vkfd.ko num_gpus=2 vram_mb=512
#   debug   tinyconfig + KASAN/lockdep/kmemleak/KFENCE/KUnit kernel built
#           from linux-source, same vkfd parameters, plus vkfd_test.ko
#   amdkfd  Debian's stock kernel with its own amdgpu.ko: the real
#           /dev/kfd with a CPU-only topology; vkfd is not loaded
#   rocm    Debian's stock kernel with vkfd built as amdgpu.ko (same
#           parameters) running Debian 12's unmodified ROCm 5.2.3 user
#           space: the programs of tests/rocm, rocminfo, rocm-smi
#
# VKFD_LANES selects lanes (default "distro debug amdkfd rocm"), VKFD_TESTS test
# binaries (default all; e.g. VKFD_TESTS="event queue"). Logs stay in
# build/check/<lane>/. See vm/lib.sh for the other knobs.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/rocm.sh"

LANES=${VKFD_LANES:-distro debug amdkfd rocm}
for lane in $LANES; do
	case $lane in
	distro | debug | amdkfd | rocm) ;;
	*) die "unknown lane '$lane' in VKFD_LANES (known: distro debug amdkfd rocm)" ;;
	esac
done
has_lane() { [[ " $LANES " == *" $1 "* ]]; }

t0=$(now)
CHECK=$BUILD/check
mkdir -p "$CHECK"

# --- build what the lanes need ---------------------------------------------
build_userspace
ntests=$( (find "$BUILD/tests" -maxdepth 1 -type f -perm -u+x 2>/dev/null || true) | wc -l)
msg "$ntests test binaries$([ -x "$BUILD/tools/vkfdctl" ] && echo ", vkfdctl" || echo ", no vkfdctl")"

if has_lane distro || has_lane amdkfd || has_lane rocm; then
	ABI=$(distro_abi)
	DISTRO_ROOT=$(ensure_distro_kernel)
	DISTRO_MODDIR=$(build_module distro "$(distro_headers)")
fi
if has_lane rocm; then
	ROCM_ROOT=$(ensure_rocm_userspace)
	build_rocm_programs "$ROCM_ROOT"
fi
if has_lane debug; then
	DEBUG_KDIR=$(ensure_debug_kernel)
	DEBUG_MODDIR=$(build_module debug "$DEBUG_KDIR")
	[ -f "$DEBUG_MODDIR/vkfd_test.ko" ] ||
		msg "no vkfd_test.ko for the debug kernel: KUnit suites will not run"
fi

# --- prepare one lane: kernel, initramfs, command line ----------------------
# Sets LANE_KERNEL, LANE_APPEND and writes $CHECK/<lane>/initramfs.cpio.
prepare_lane() {
	local lane=$1 dir=$CHECK/$1 env moddir preload=""
	rm -rf "$dir"
	mkdir -p "$dir"
	case $lane in
	distro)
		LANE_KERNEL=$DISTRO_ROOT/boot/vmlinuz-$ABI
		LANE_APPEND=$BASE_APPEND
		moddir=$DISTRO_MODDIR
		preload=$dir/preload.list
		# shellcheck disable=SC2046 # one word per module
		resolve_modules "$DISTRO_ROOT" "$ABI" $(vkfd_deps "$moddir/vkfd.ko") >"$preload"
		env=$(lane_env distro vkfd 1 0 "$VKFD_CHECK_PARAMS")
		;;
	debug)
		LANE_KERNEL=$DEBUG_KDIR/arch/x86/boot/bzImage
		# Report every KASAN error, not only the first one; print real
		# addresses (kmemleak's backtraces are otherwise unreadable).
		LANE_APPEND="$BASE_APPEND kasan_multi_shot no_hash_pointers"
		moddir=$DEBUG_MODDIR
		env=$(lane_env debug vkfd 1 1 "$VKFD_CHECK_PARAMS")
		;;
	amdkfd)
		LANE_KERNEL=$DISTRO_ROOT/boot/vmlinuz-$ABI
		LANE_APPEND=$BASE_APPEND
		# vkfd.ko is in the image but not loaded: tests insmod it to see
		# that it fails cleanly while amdgpu owns "kfd". Its dependencies
		# are loaded so that such an insmod fails for that reason only.
		moddir=$DISTRO_MODDIR
		preload=$dir/preload.list
		# shellcheck disable=SC2046
		resolve_modules "$DISTRO_ROOT" "$ABI" amdgpu $(vkfd_deps "$moddir/vkfd.ko") >"$preload"
		env=$(lane_env amdkfd amdkfd 0 0 "")
		;;
	rocm)
		LANE_KERNEL=$DISTRO_ROOT/boot/vmlinuz-$ABI
		LANE_APPEND=$BASE_APPEND
		preload=$dir/preload.list
		# shellcheck disable=SC2046 # one word per module
		resolve_modules "$DISTRO_ROOT" "$ABI" $(vkfd_deps "$DISTRO_MODDIR/vkfd.ko") >"$preload"
		# vkfd as amdgpu, whatever VKFD_CHECK_MODNAME says for the others
		env=$(VKFD_CHECK_MODNAME=amdgpu lane_env rocm vkfd 1 0 "$VKFD_CHECK_PARAMS")
		stage_rocm_lane "$dir/initramfs" "$env" "$preload"
		pack_initramfs "$dir/initramfs" "$dir/initramfs.cpio"
		return
		;;
	esac
	make_initramfs "$dir/initramfs.cpio" "$dir/initramfs" "$env" "$moddir" "$preload"
}

# The rocm lane's tree: busybox, vkfd's dependencies, vkfd as amdgpu.ko
# (ROCm's tools look for a module of that name), ROCm (vm/rocm.sh), and as
# its tests the ROCm programs and the scripts of tests/rocm instead of the
# selftests.
stage_rocm_lane() {
	local stage=$1 env=$2 preload=$3 f name
	stage_initramfs "$stage" "$env" "" "$preload"
	cp "$DISTRO_MODDIR/amdgpu.ko" "$stage/vkfd/"
	rm -f "$stage"/vkfd/tests/*
	stage_rocm "$ROCM_ROOT" "$stage" "$BUILD"/rocm/rocm_hsakmt "$BUILD"/rocm/rocm_copy
	install -m 0644 "$VKFD_SRC/tests/rocm/rocm_lib.sh" "$stage/vkfd/rocm/"
	ln -s /vkfd/rocm/rocm_hsakmt "$stage/vkfd/tests/rocm_hsakmt"
	ln -s /vkfd/rocm/rocm_copy "$stage/vkfd/tests/rocm_copy"
	for f in "$VKFD_SRC"/tests/rocm/rocm_*.sh; do
		name=$(basename "$f" .sh)
		[ "$name" = rocm_lib ] || install -m 0755 "$f" "$stage/vkfd/tests/$name"
	done
}

# --- run one lane ----------------------------------------------------------
run_lane() {
	local lane=$1 dir=$CHECK/$1 start rc=0 seconds
	start=$(now)
	run_qemu "${KERNEL[$lane]}" "$dir/initramfs.cpio" "${APPEND[$lane]}" \
		"$dir/console.log" "$dir/results.log" || rc=$?
	seconds=$(($(now) - start))
	{
		echo "lane=$lane"
		echo "qemu_status=$rc"
		echo "seconds=$seconds"
		echo "timeout=$([ "$rc" = 124 ] || [ "$rc" = 137 ] && echo 1 || echo 0)"
		echo "timeout_seconds=${VKFD_TIMEOUT:-600}"
	} >"$dir/meta"
	msg "$lane lane: guest ran $seconds s$([ "$rc" = 0 ] || echo " (qemu status $rc)")"
}

declare -A KERNEL APPEND
for lane in $LANES; do
	prepare_lane "$lane"
	KERNEL[$lane]=$LANE_KERNEL
	APPEND[$lane]=$LANE_APPEND
done

# The guests run side by side by default. Each is mostly one busy vCPU
# (boot and the tests are largely serial), so on 2 cores three guests
# finish sooner together than one after the other. Measured with TCG on 2
# cores: one after the other 13 + 44 + 16 s = 73 s; side by side 49 s
# (each lane 10-30% slower). VKFD_PARALLEL=0 runs them in turn.
if [ "${VKFD_PARALLEL:-1}" = 1 ]; then
	msg "booting lanes side by side: $LANES (logs: $CHECK/<lane>/)"
	pids=()
	for lane in $LANES; do
		run_lane "$lane" &
		pids+=($!)
	done
	wait "${pids[@]}"
else
	for lane in $LANES; do
		msg "$lane lane: booting (logs: $CHECK/$lane/)"
		run_lane "$lane"
	done
fi

# --- verdict -----------------------------------------------------------------
# report.py's totals line must be the last line of the run (CI reads it),
# so everything else is said first.
msg "guests done $(($(now) - t0)) s after the start; full logs: $CHECK/<lane>/ (console.log = kernel, results.log = tests)"
dirs=()
for lane in $LANES; do dirs+=("$CHECK/$lane"); done
exec python3 "$VM_DIR/report.py" "${dirs[@]}"
