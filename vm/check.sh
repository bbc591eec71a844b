#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# `make check`: vkfd's selftests (and KUnit, and the leak scan) in qemu
# guests, one per lane (vm/lanes/<lane>), side by side, then the verdict
# (vm/report.py). The test lanes:
#
#   distro-6.1       Debian 12's 6.1 kernel, vkfd.ko built by DKMS
#   distro-6.12      Debian 12's 6.12 kernel, vkfd.ko built by DKMS
#   distro-unstable  Debian unstable's current kernel (7.x), vkfd.ko built
#                    in an unstable chroot, tests built against its
#                    <linux/kfd_ioctl.h>
#   debug, debug-2   a 6.12 kernel with KASAN, lockdep, kmemleak, KFENCE,
#                    fault injection and KUnit; two guests, each running
#                    half of the selftests
#   amdkfd           Debian 12's 6.1 kernel with AMD's amdgpu.ko: the real
#                    /dev/kfd, CPU-only; vkfd is not loaded (the oracle)
#   rocm             Debian 12's ROCm 5.2.3 user space on vkfd as amdgpu.ko
#   udev             dist/udev/70-vkfd.rules under Debian 12's udevadm
#
# Before the guests, host-side checks: the harness's verdict on made-up
# runs (vm/test_report.py) and `make install` into a scratch root
# (vm/install-test.sh), as the pseudo-lane "host".
#
# VKFD_LANES selects lanes (default: all of the above), VKFD_TESTS test
# binaries (default all; e.g. VKFD_TESTS="event queue"). Logs stay in
# build/check/<lane>/. vm/lib.sh and vm/run.sh list the other knobs.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/rocm.sh"
[ ! -f "$VM_DIR/dkms.sh" ] || . "$VM_DIR/dkms.sh"
. "$(dirname "${BASH_SOURCE[0]}")/udev.sh"
. "$(dirname "${BASH_SOURCE[0]}")/run.sh"

# Their guests start in this order, after the PRIORITY=high debug lanes:
# distro-6.12, whose guest needs both CPUs of the build machine, when the
# debug guests are done, then the others, the longest first.
DEFAULT_LANES="distro-6.12 distro-6.1 distro-unstable debug debug-2 amdkfd rocm udev"
read -ra lanes <<<"${VKFD_LANES:-$DEFAULT_LANES}"
for lane in "${lanes[@]}"; do
	lane_load "$lane" >/dev/null
done

# The pseudo-lane "host": checks that need no guest, framed as a guest
# frames its items so that report.py judges them with the rest.
host_lane() {
	local dir=$RUN_DIR/host t rc
	# Beside the debug guests, the longest path of a warm run, as the
	# lanes' preparations do (run.sh's RUN_NICE).
	renice -n "$RUN_NICE" -p "$BASHPID" >/dev/null
	rm -rf "$dir"
	mkdir -p "$dir"
	printf 'lane=host\ndesc=host-side checks\nmode=tests\nskips=%s\n' \
		"$VM_DIR/lanes/skips/none" >"$dir/meta"
	: >"$dir/console.log"
	for t in test_report.py install-test.sh; do
		[ -x "$VM_DIR/$t" ] || continue
		echo "@@VKFD-BEGIN host $t"
		rc=0
		case $t in
		*.py) "$PYTHON" "$VM_DIR/$t" 2>&1 || rc=$? ;;
		*) "$VM_DIR/$t" 2>&1 || rc=$? ;;
		esac
		echo "@@VKFD-END $t $rc"
	done >"$dir/results.log"
	echo "@@VKFD-DONE host" >>"$dir/results.log"
}

t0=$(now)
RUN_DIR=$BUILD/check
run_start
msg "lanes: host ${lanes[*]} (logs: $RUN_DIR/<lane>/)"
# The host's checks run beside the guests' preparations; the headers
# both build against are unpacked first.
make -s -C "$VKFD_SRC" headers >/dev/null || die "unpacking the user space's headers failed"
host_lane &
host=$!
run_lanes "${lanes[@]}"
wait "$host"

# --- verdict -----------------------------------------------------------------
# report.py's totals line must be the last line of the run (CI reads it),
# so everything else is said first.
msg "guests done $(($(now) - t0)) s after the start; full logs: $RUN_DIR/<lane>/ (console.log = kernel, results.log = tests)"
dirs=("$RUN_DIR/host")
for lane in "${lanes[@]}"; do dirs+=("$RUN_DIR/$lane"); done
exec "$PYTHON" "$VM_DIR/report.py" "${dirs[@]}"
