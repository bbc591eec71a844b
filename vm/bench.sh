#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# `make bench`: measure vkfd's context operations, GPU memory, SDMA
# engine and events, and ROCm on vkfd, in qemu guests and print the
# tables (bench/ctxbench.c, bench/membench.c, bench/sdmabench.c and
# bench/rocm/rocm_bench.c say what is measured and how).
#
# Two lanes, one after the other (side by side they would measure each
# other): vm/lanes/bench (Debian's amdgpu.ko, the real amdkfd with a
# CPU-only topology, and vkfd as /dev/vkfd side by side; ctxbench,
# membench, sdmabench, nnbench) and vm/lanes/bench-rocm (vkfd as amdgpu.ko and
# Debian 12's ROCm 5.2.3; rocm_bench). The guests are the test lanes'
# (vm/init, vm/run.sh); the verdict is vm/report.py's.
#
# The tables are printed as they come and saved, with the lanes'
# descriptions, in build/bench/results.txt; logs are in build/bench/<lane>/.
# This is not a test: it fails only if a guest or a bench breaks (a module
# does not load, a bench fails, a kernel splat, a timeout), never because
# something is slow.
#
# Knobs (and those of vm/lib.sh: VKFD_CACHE, VKFD_KVM, VKFD_TIMEOUT, ...):
#   VKFD_BENCH_ARGS    extra ctxbench arguments, e.g. "-s 0.2" for a quick
#                      run or "-n 1,1000,30000 -m 5000"
#   VKFD_MEMBENCH_ARGS extra membench arguments, e.g. "-s 0.2 -g 256"
#   VKFD_SDMABENCH_ARGS extra sdmabench arguments, e.g. "-t copy -r 9"
#   VKFD_NNBENCH_ARGS  extra nnbench arguments, e.g. "-s 0.2 -t queue,idle"
#   VKFD_BENCHES       the main lane's benches: MAIN_BENCHES of vm/run.sh,
#                      "ctxbench membench sdmabench nnbench" (default), or
#                      some of them, e.g. "nnbench"
#   VKFD_BENCH_PHASES  the lanes to run: "main rocm" (default)
#   VKFD_ROCM_BENCH_ARGS    extra rocm_bench arguments, e.g. "-r 3 -i 3"
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/rocm.sh"
. "$(dirname "${BASH_SOURCE[0]}")/run.sh"

lanes=()
for phase in ${VKFD_BENCH_PHASES:-main rocm}; do
	case $phase in
	main) lanes+=(bench) ;;
	rocm) lanes+=(bench-rocm) ;;
	*) die "VKFD_BENCH_PHASES: unknown phase '$phase' (main, rocm)" ;;
	esac
done

RUN_DIR=$BUILD/bench
results=$RUN_DIR/results.txt
t0=$(now)
run_start
if [[ " ${lanes[*]} " == *" bench "* ]]; then
	log=$RUN_DIR/build.log
	if ! make -C "$VKFD_SRC" BUILD="$BUILD" "${MAIN_BENCHES[@]/#/$BUILD/bench/}" \
		>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "building the benches failed (log: $log)"
	fi
fi
{
	echo "vkfd benches, $(date -u '+%Y-%m-%d %H:%M UTC')," \
		"tree $(git -C "$VKFD_SRC" describe --always --dirty 2>/dev/null || echo '?')"
	echo "host: $(nproc) CPU(s), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
		"qemu $([ "${VKFD_KVM:-0}" = 1 ] && echo KVM || echo TCG)"
} >"$results"

# The items' output as it arrives, without the frames and the module
# list (which the verdict shows when something failed).
show_live() {
	local line item=
	while IFS= read -r line; do
		case $line in
		"@@VKFD-BEGIN "*) item=${line##* } ;;
		"@@VKFD-"*) item= ;;
		*)
			case $item in
			"" | modules | unload | dmesg) ;;
			*) printf '%s\n' "$line" ;;
			esac
			;;
		esac
	done
}

for lane in "${lanes[@]}"; do
	msg "$lane: the run takes about 3 minutes under TCG (logs: $RUN_DIR/$lane/)"
	mkdir -p "$RUN_DIR/$lane"
	: >"$RUN_DIR/$lane/results.log"
	VKFD_PARALLEL=0 run_lanes "$lane" &
	job=$!
	tail -n +1 -F --pid="$job" "$RUN_DIR/$lane/results.log" 2>/dev/null | show_live
	wait "$job"
done

dirs=()
for lane in "${lanes[@]}"; do dirs+=("$RUN_DIR/$lane"); done
msg "tables saved in $results ($(($(now) - t0)) s in all)"
exec "$PYTHON" "$VM_DIR/report.py" --out "$results" "${dirs[@]}"
