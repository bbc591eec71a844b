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
# The tables are printed as they come and saved, with the guest's
# description, in build/bench/results.txt; logs are in build/bench/guest/.
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
#   VKFD_QEMU_MEM      guest memory (default here 3G, for membench)
#   VKFD_TIMEOUT       seconds the guest may run (default here 900)
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_PARAMS=${VKFD_BENCH_PARAMS:-name=vkfd num_gpus=1 vram_mb=4096}
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

# --- build: the benches, vkfd.ko for Debian's kernel, the kernel itself ----
if ! make -C "$VKFD_SRC" BUILD="$BUILD" "$dir/ctxbench" "$dir/membench" \
	"$dir/sdmabench" >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	die "building the benches failed (log: $log)"
fi
ABI=$(distro_abi)
root=$(ensure_distro_kernel)
moddir=$(build_module bench "$(distro_headers)")

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
# The items of the results channel shown live (a line as soon as it
# arrives): system, ctxbench, ctxbench-nodebugfs, membench, sdmabench.
show_live() {
	local line item=
	while IFS= read -r line; do
		case $line in
		"@@VKFD-BEGIN bench "*) item=${line#@@VKFD-BEGIN bench } ;;
		"@@VKFD-"*) item= ;;
		*)
			case $item in
			system | ctxbench | ctxbench-nodebugfs | membench | sdmabench) printf '%s\n' "$line" ;;
			esac
			;;
		esac
	done
}

msg "booting Debian's $ABI kernel with amdgpu and vkfd under qemu;" \
	"the run takes about 2.5 minutes under TCG (logs: $guest/)"
: >"$guest/results.log"
rc=0
run_qemu "$root/boot/vmlinuz-$ABI" "$guest/initramfs.cpio" "$BENCH_APPEND" \
	"$guest/console.log" "$guest/results.log" &
qemu=$!
tail -n +1 -f --pid="$qemu" "$guest/results.log" | show_live
wait "$qemu" || rc=$?

# --- verdict: did the guest and the bench work? --------------------------------
# One framed item of the results channel, without the markers.
item() {
	sed -n "/^@@VKFD-BEGIN bench $1\$/,/^@@VKFD-END $1 /{/^@@VKFD-/d;p}" "$guest/results.log"
}
status() {
	sed -n "s/^@@VKFD-END $1 \([0-9]*\)$/\1/p" "$guest/results.log"
}

{
	echo "vkfd ctxbench, membench and sdmabench, $(date -u '+%Y-%m-%d %H:%M UTC')," \
		"tree $(git -C "$VKFD_SRC" describe --always --dirty 2>/dev/null || echo '?')"
	echo "host: $(nproc) CPU(s), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
		"qemu $([ "${VKFD_KVM:-0}" = 1 ] && echo KVM || echo TCG)"
	item system
	echo
	item ctxbench
	echo "--- the memory phase again, debugfs not mounted ---"
	item ctxbench-nodebugfs
	echo
	item membench
	echo
	item sdmabench
} >"$results"

fail=()
[ "$rc" = 0 ] || fail+=("qemu exited with status $rc$([ "$rc" = 124 ] && echo " (timeout after $VKFD_TIMEOUT s)")")
grep -q '^@@VKFD-DONE bench$' "$guest/results.log" || fail+=("the guest did not finish")
if [ "$(status modules)" != 0 ]; then
	item modules | grep -v '^ok ' >&2 || true
	fail+=("amdgpu or vkfd did not load")
fi
[ "$(status ctxbench)" = 0 ] || fail+=("ctxbench failed (status '$(status ctxbench)')")
[ "$(status ctxbench-nodebugfs)" = 0 ] || fail+=("ctxbench without debugfs failed")
[ "$(status membench)" = 0 ] || fail+=("membench failed (status '$(status membench)')")
[ "$(status sdmabench)" = 0 ] || fail+=("sdmabench failed (status '$(status sdmabench)')")
# The kernel must not have complained while the bench ran.
if grep -qE 'BUG:|WARNING:|Oops|KASAN:|Call Trace:|general protection' \
	"$guest/console.log" <(item dmesg); then
	fail+=("kernel splat in the guest (see $guest/console.log)")
fi

msg "tables saved in $results ($(($(now) - t0)) s in all)"
if [ ${#fail[@]} -gt 0 ]; then
	for f in "${fail[@]}"; do msg "error: $f"; done
	exit 1
fi
