#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# `make bench`: measure vkfd's context operations, GPU memory, SDMA
# engine and events in one qemu guest and print the tables
# (bench/ctxbench.c, bench/membench.c and bench/sdmabench.c say what is
# measured and how).
#
# The guest runs Debian's stock kernel (the distro lane's) with Debian's
# own amdgpu.ko and its dependencies (the amdkfd lane's: the real amdkfd,
# /dev/kfd, with a CPU-only topology) and vkfd loaded with
# "name=vkfd num_gpus=1 vram_mb=4096" (/dev/vkfd, /dev/dri/renderD128)
# side by side, in 3 GiB of guest memory (membench maps 1 GiB). Its /init
# is vm/bench-init; the output comes back over ttyS1.
#
# A second guest then runs the ROCm phase: the same kernel with vkfd
# built as amdgpu.ko ("num_gpus=2 vram_mb=1024"; ROCm looks for that
# name, and the real amdgpu cannot be loaded next to it) and Debian 12's
# ROCm 5.2.3 user space (vm/rocm.sh); its /init is vm/bench-rocm-init
# and it runs bench/rocm/rocm_bench: hsa_init + hsa_shut_down, and ROCr's
# async copies against memcpy.
#
# The tables are printed as they come and saved, with the guests'
# descriptions, in build/bench/results.txt; logs are in build/bench/guest/
# and build/bench/guest-rocm/.
# This is not a test: it fails only if the guest or the bench breaks
# (a module does not load, a bench fails, a kernel splat, a timeout),
# never because something is slow.
#
# Knobs (and those of vm/lib.sh: VKFD_CACHE, VKFD_KVM, VKFD_TIMEOUT, ...):
#   VKFD_BENCH_ARGS    extra ctxbench arguments, e.g. "-s 0.2" for a quick
#                      run or "-n 1,1000,30000 -m 5000"
#   VKFD_MEMBENCH_ARGS extra membench arguments, e.g. "-s 0.2 -g 256"
#   VKFD_SDMABENCH_ARGS extra sdmabench arguments, e.g. "-t copy -r 9"
#   VKFD_BENCH_PARAMS  vkfd's parameters (default "name=vkfd num_gpus=1
#                      vram_mb=4096")
#   VKFD_BENCH_PHASES  the phases (guests) to run: "main rocm" (default)
#   VKFD_ROCM_BENCH_ARGS    extra rocm_bench arguments, e.g. "-r 3 -i 3"
#   VKFD_ROCM_BENCH_PARAMS  amdgpu.ko's parameters in the ROCm phase
#                      (default "num_gpus=2 vram_mb=1024")
#   VKFD_QEMU_MEM      guest memory (default here 3G, for membench)
#   VKFD_TIMEOUT       seconds the guest may run (default here 900)
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/rocm.sh"

BENCH_PARAMS=${VKFD_BENCH_PARAMS:-name=vkfd num_gpus=1 vram_mb=4096}
ROCM_BENCH_PARAMS=${VKFD_ROCM_BENCH_PARAMS:-num_gpus=2 vram_mb=1024}
PHASES=${VKFD_BENCH_PHASES:-main rocm}
has_phase() { [[ " $PHASES " == *" $1 "* ]]; }
# membench maps 1 GiB of buffers (512 MiB if MemAvailable is short).
export VKFD_QEMU_MEM=${VKFD_QEMU_MEM:-3G}
# The run takes 2.5 to 3.5 minutes; leave room for a slow (shared) host.
export VKFD_TIMEOUT=${VKFD_TIMEOUT:-900}
# A cache per kind of object, so the per-cache breakdown can name them.
BENCH_APPEND="$BASE_APPEND slab_nomerge"

dir=$BUILD/bench
guest=$dir/guest
results=$dir/results.txt
log=$dir/build.log
t0=$(now)
mkdir -p "$dir"

ABI=$(distro_abi)
root=$(ensure_distro_kernel)
moddir=$(build_module bench "$(distro_headers)")
fail=()
{
	echo "vkfd benches, $(date -u '+%Y-%m-%d %H:%M UTC')," \
		"tree $(git -C "$VKFD_SRC" describe --always --dirty 2>/dev/null || echo '?')"
	echo "host: $(nproc) CPU(s), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
		"qemu $([ "${VKFD_KVM:-0}" = 1 ] && echo KVM || echo TCG)"
} >"$results"

# The items of the results channel shown live (a line as soon as it
# arrives): $1... are the items' names.
show_live() {
	local line item=
	while IFS= read -r line; do
		case $line in
		"@@VKFD-BEGIN bench "*) item=${line#@@VKFD-BEGIN bench } ;;
		"@@VKFD-"*) item= ;;
		*)
			case " $* " in
			*" $item "*) printf '%s\n' "$line" ;;
			esac
			;;
		esac
	done
}

# One framed item of guest $1's results channel, without the markers.
item() {
	sed -n "/^@@VKFD-BEGIN bench $2\$/,/^@@VKFD-END $2 /{/^@@VKFD-/d;p}" "$1/results.log"
}
status() {
	sed -n "s/^@@VKFD-END $2 \([0-9]*\)$/\1/p" "$1/results.log"
}

# Boot guest directory $1 (initramfs.cpio in it), showing items $2...
boot_guest() {
	local g=$1 qemu
	shift
	: >"$g/results.log"
	run_qemu "$root/boot/vmlinuz-$ABI" "$g/initramfs.cpio" "$BENCH_APPEND" \
		"$g/console.log" "$g/results.log" &
	qemu=$!
	tail -n +1 -f --pid="$qemu" "$g/results.log" | show_live "$@"
	wait "$qemu"
}

# The kernel must not have complained while a bench ran.
check_splats() {
	if grep -qE 'BUG:|WARNING:|Oops|KASAN:|Call Trace:|general protection' \
		"$1/console.log" <(item "$1" dmesg); then
		fail+=("kernel splat in the guest (see $1/console.log)")
	fi
}

phase_main() {
	local env stage rc=0
	# --- build: the benches, vkfd.ko for Debian's kernel, the kernel itself ----
	if ! make -C "$VKFD_SRC" BUILD="$BUILD" "$dir/ctxbench" "$dir/membench" \
		"$dir/sdmabench" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "building the benches failed (log: $log)"
	fi

	# --- the guest's initramfs -----------------------------------------------------
	rm -rf "$guest"
	mkdir -p "$guest"
	# shellcheck disable=SC2046 # one word per module
	resolve_modules "$root" "$ABI" amdgpu $(vkfd_deps "$moddir/vkfd.ko") >"$guest/preload.list"
	env=$(printf "export VKFD_LANE=bench\nexport VKFD_MODULE_PARAMS='%s'\nexport VKFD_BENCH_ARGS='%s'\nexport VKFD_MEMBENCH_ARGS='%s'\nexport VKFD_SDMABENCH_ARGS='%s'\n" \
		"$BENCH_PARAMS" "${VKFD_BENCH_ARGS:-}" "${VKFD_MEMBENCH_ARGS:-}" "${VKFD_SDMABENCH_ARGS:-}")
	stage=$guest/initramfs
	stage_initramfs "$stage" "$env" "$moddir" "$guest/preload.list"
	# The bench guest runs the benches, not the tests.
	rm -rf "$stage/vkfd/tests" "$stage/vkfd/tools" "$stage/vkfd/vkfd_test.ko"
	install -m 0755 "$VM_DIR/bench-init" "$stage/init"
	install -D -m 0755 "$dir/ctxbench" "$stage/vkfd/bench/ctxbench"
	install -D -m 0755 "$dir/membench" "$stage/vkfd/bench/membench"
	install -D -m 0755 "$dir/sdmabench" "$stage/vkfd/bench/sdmabench"
	pack_initramfs "$stage" "$guest/initramfs.cpio"

	# --- run it, showing the tables as they come -----------------------------------

	msg "booting Debian's $ABI kernel with amdgpu and vkfd under qemu;" \
		"the run takes about 2.5 minutes under TCG (logs: $guest/)"
	rc=0
	boot_guest "$guest" system ctxbench ctxbench-nodebugfs membench sdmabench || rc=$?

	# --- verdict: did the guest and the bench work? --------------------------------
	{
		echo
		echo "=== ctxbench, membench, sdmabench (amdgpu and vkfd side by side)"
		item "$guest" system
		echo
		item "$guest" ctxbench
		echo "--- the memory phase again, debugfs not mounted ---"
		item "$guest" ctxbench-nodebugfs
		echo
		item "$guest" membench
		echo
		item "$guest" sdmabench
	} >>"$results"

	[ "$rc" = 0 ] || fail+=("qemu exited with status $rc$([ "$rc" = 124 ] && echo " (timeout after $VKFD_TIMEOUT s)")")
	grep -q '^@@VKFD-DONE bench$' "$guest/results.log" || fail+=("the guest did not finish")
	if [ "$(status "$guest" modules)" != 0 ]; then
		item "$guest" modules | grep -v '^ok ' >&2 || true
		fail+=("amdgpu or vkfd did not load")
	fi
	[ "$(status "$guest" ctxbench)" = 0 ] || fail+=("ctxbench failed (status '$(status "$guest" ctxbench)')")
	[ "$(status "$guest" ctxbench-nodebugfs)" = 0 ] || fail+=("ctxbench without debugfs failed")
	[ "$(status "$guest" membench)" = 0 ] || fail+=("membench failed (status '$(status "$guest" membench)')")
	[ "$(status "$guest" sdmabench)" = 0 ] || fail+=("sdmabench failed (status '$(status "$guest" sdmabench)')")
	check_splats "$guest"
}

# --- the ROCm phase: vkfd as amdgpu.ko, Debian's ROCm, rocm_bench -----------------
phase_rocm() {
	local g=$dir/guest-rocm stage rocm rc=0 preload
	rocm=$(ensure_rocm_userspace)
	build_rocm_programs "$rocm"
	rm -rf "$g"
	mkdir -p "$g"
	preload=$g/preload.list
	# shellcheck disable=SC2046 # one word per module
	resolve_modules "$root" "$ABI" $(vkfd_deps "$moddir/vkfd.ko") >"$preload"
	stage=$g/initramfs
	stage_initramfs "$stage" "$(printf "export VKFD_LANE=bench\nexport VKFD_MODULE_PARAMS='%s'\nexport VKFD_ROCM_BENCH_ARGS='%s'\n" \
		"$ROCM_BENCH_PARAMS" "${VKFD_ROCM_BENCH_ARGS:-}")" "" "$preload"
	rm -rf "$stage/vkfd/tests" "$stage/vkfd/tools"
	cp "$moddir/amdgpu.ko" "$stage/vkfd/"
	install -m 0755 "$VM_DIR/bench-rocm-init" "$stage/init"
	stage_rocm "$rocm" "$stage" "$BUILD/rocm/rocm_bench"
	pack_initramfs "$stage" "$g/initramfs.cpio"

	msg "booting the ROCm guest: vkfd as amdgpu.ko, Debian's ROCm 5.2.3 (logs: $g/)"
	boot_guest "$g" system rocm_bench || rc=$?
	{
		echo
		echo "=== rocm_bench (vkfd as amdgpu.ko, Debian's ROCm 5.2.3)"
		item "$g" system
		item "$g" rocm_bench
	} >>"$results"
	[ "$rc" = 0 ] || fail+=("ROCm guest: qemu exited with status $rc$([ "$rc" = 124 ] && echo " (timeout after $VKFD_TIMEOUT s)")")
	grep -q '^@@VKFD-DONE bench$' "$g/results.log" || fail+=("the ROCm guest did not finish")
	if [ "$(status "$g" modules)" != 0 ]; then
		item "$g" modules | grep -v '^ok ' >&2 || true
		fail+=("vkfd as amdgpu.ko did not load")
	fi
	[ "$(status "$g" rocm_bench)" = 0 ] || fail+=("rocm_bench failed (status '$(status "$g" rocm_bench)')")
	check_splats "$g"
}

! has_phase main || phase_main
! has_phase rocm || phase_rocm

msg "tables saved in $results ($(($(now) - t0)) s in all)"
if [ ${#fail[@]} -gt 0 ]; then
	for f in "${fail[@]}"; do msg "error: $f"; done
	exit 1
fi
