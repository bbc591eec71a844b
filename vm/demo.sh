#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# `make demo`: boot Debian's stock kernel in qemu (vm/lanes/demo), load
# vkfd with its default parameters, show its topology and run `vkfdctl
# demo`: one process serves VKFD_DEMO_PROGRAMS guest programs (default 2);
# with one shared context program 2 copies program 1's secret with the
# GPU, with a context per program the same copy faults. Fails unless the
# story held. The guest's output is printed here; the logs are in
# build/demo/demo/.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/rocm.sh"
. "$(dirname "${BASH_SOURCE[0]}")/run.sh"

RUN_DIR=$BUILD/demo
out=$RUN_DIR/demo.txt
run_start
: >"$out"
msg "booting Debian's kernel under qemu (about 20 s)..."
run_lanes demo
rc=0
"$PYTHON" "$VM_DIR/report.py" --out "$out" "$RUN_DIR/demo" >"$RUN_DIR/verdict.txt" || rc=$?
sed -n 's/^kernel: /vkfd loaded with its default parameters on /p' "$out"
sed -e '1,/^kernel: /d' -e 's/^--- topology ---$/$ vkfdctl topology/' \
	-e "s/^--- demo ---$/$ vkfdctl demo ${VKFD_DEMO_PROGRAMS:-2}/" "$out"
if [ "$rc" != 0 ]; then
	cat "$RUN_DIR/verdict.txt" >&2
	die "the demo failed in the guest (logs: $RUN_DIR/demo/)"
fi
