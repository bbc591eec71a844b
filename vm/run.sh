# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# The one runner of the qemu harness, sourced (after vm/lib.sh and
# vm/rocm.sh) by vm/check.sh, vm/bench.sh and vm/demo.sh.
#
# A lane (vm/lanes/<lane>) names a kernel provider (vm/kernels/<name>.sh),
# how vkfd's module is built for it, what the guest loads and runs, and
# which skip reasons it allows. run_lanes runs each lane as one job:
#
#   kernel   the provider's kernel_prepare, once per provider and run
#   module   the provider's kernel_build_module (and DKMS's build where the
#            lane asks for it), once per provider and run
#   stage    the guest's initramfs: busybox, /init (vm/init), the modules,
#            what the lane runs (/vkfd/items), lane.env
#   boot     qemu, until the guest powers off or the lane's timeout
#
# The jobs run side by side: a lane boots as soon as its own kernel and
# module are ready, while other lanes still download or build theirs.
# Everything a lane leaves is in $RUN_DIR/<lane>/: meta (for report.py),
# initramfs.cpio, console.log (ttyS0, the kernel), results.log (ttyS1, the
# guest's framed items), and the logs of its steps.

# shellcheck disable=SC2153 # the L_<FIELD> variables come from eval "$(lane_load ...)"
# The fields of a lane file, in the order vm/README.md describes them.
LANE_FIELDS=(DESC KERNEL IMPL MODULE LOAD PRELOAD PARAMS MODE TESTS EXCLUDE KUNIT
	     KMEMLEAK SCALE APPEND CPUS MEM TIMEOUT TEST_TIMEOUT GUEST_ENV SKIPS_FILE
	     PRIORITY)

# Print the fields of lane $1 as L_<FIELD>=<value> lines for eval, with
# the defaults of a vkfd lane running the selftests.
lane_load() {
	local file=$VM_DIR/lanes/$1
	[ -f "$file" ] || die "unknown lane '$1' (known: $(lane_names))"
	(
		# shellcheck disable=SC2034 # read through ${!f} below
		{
			DESC=$1 KERNEL='' IMPL=vkfd MODULE=kbuild LOAD=vkfd PRELOAD=vkfd
			PARAMS=$VKFD_CHECK_PARAMS MODE=tests TESTS='*' EXCLUDE='' KUNIT=1
			KMEMLEAK=0 SCALE=1 APPEND='' CPUS=2
			MEM=2G TIMEOUT=1200 TEST_TIMEOUT=300 GUEST_ENV='' SKIPS_FILE=none
			PRIORITY=normal
		}
		# shellcheck source=/dev/null
		. "$file"
		[ -n "$KERNEL" ] || die "lane $1: no KERNEL"
		[ -f "$VM_DIR/kernels/$KERNEL.sh" ] || die "lane $1: no kernel provider vm/kernels/$KERNEL.sh"
		[ -f "$VM_DIR/lanes/skips/$SKIPS_FILE" ] || die "lane $1: no vm/lanes/skips/$SKIPS_FILE"
		case $MODULE in kbuild | dkms) ;; *) die "lane $1: MODULE=$MODULE (kbuild or dkms)" ;; esac
		case $LOAD in vkfd | amdgpu | none) ;; *) die "lane $1: LOAD=$LOAD (vkfd, amdgpu or none)" ;; esac
		case $MODE in tests | rocm | udev | bench | bench-rocm | demo) ;; *) die "lane $1: MODE=$MODE" ;; esac
		case $KUNIT in 0 | 1) ;; *) die "lane $1: KUNIT=$KUNIT (0 or 1)" ;; esac
		case $PRIORITY in high | normal) ;; *) die "lane $1: PRIORITY=$PRIORITY (high or normal)" ;; esac
		# The developer's knobs win over the lane's own values.
		if [ "$LOAD" = vkfd ] && [ "$MODE" = tests ]; then
			case ${VKFD_CHECK_MODNAME:-vkfd} in
			vkfd | amdgpu) LOAD=${VKFD_CHECK_MODNAME:-vkfd} ;;
			*) die "VKFD_CHECK_MODNAME=$VKFD_CHECK_MODNAME: vkfd or amdgpu" ;;
			esac
		fi
		MEM=${VKFD_QEMU_MEM:-$MEM}
		TIMEOUT=${VKFD_TIMEOUT:-$TIMEOUT}
		TEST_TIMEOUT=${VKFD_TEST_TIMEOUT:-$TEST_TIMEOUT}
		for f in "${LANE_FIELDS[@]}"; do
			kv "L_$f" "${!f}"
		done
	)
}

lane_names() {
	# shellcheck disable=SC2010 # our names: no spaces
	ls "$VM_DIR/lanes" | grep -v -e README -e skips | tr '\n' ' '
}

# once KEY CMD...: run CMD (output to a file) once per run for KEY; every
# caller, the first included, waits for it and gets its output and status.
# So the lanes of one kernel share its download and module build. CMD
# runs at nice LANE_NICE (lane_job) if set.
once() {
	local key=$1 dir=$RUN_DIR/.once
	shift
	mkdir -p "$dir"
	(
		flock 9
		[ -e "$dir/$key.status" ] && exit 0
		rc=0 t=$(now)
		(
			lane_yield
			"$@"
		) >"$dir/$key.out" || rc=$?
		echo "$rc" >"$dir/$key.status"
		# This subshell's only children are the step's: its CPU time.
		children_cpu cpu "$dir/$key.times"
		msg "$key: $([ "$rc" = 0 ] && echo ready || echo failed) after $(($(now) - t)) s, $cpu CPU-s"
	) 9>"$dir/$key.lock"
	cat "$dir/$key.out"
	return "$(cat "$dir/$key.status")"
}

# In a subshell about to prepare a normal lane's guest beside a
# high-priority lane: yield the CPUs (nice LANE_NICE, if set).
lane_yield() {
	[ "${LANE_NICE:-0}" = 0 ] || renice -n "$LANE_NICE" -p "$BASHPID" >/dev/null
}

# A new run in RUN_DIR: forget what `once` did in the previous one.
run_start() {
	export VKFD_T0
	VKFD_T0=$(now)
	nap 0 # its FIFO, for every lane's subshell
	rm -rf "$RUN_DIR/.once"
	mkdir -p "$RUN_DIR/logs"
}

# The provider's kernel_prepare in a subshell of its own: K_* lines.
kernel_env() {
	(
		# shellcheck source=/dev/null
		. "$VM_DIR/kernels/$1.sh"
		kernel_prepare
	) 2>>"$RUN_DIR/logs/kernel-$1.log"
}

# kbuild's modules of provider $1 (its K_* in the environment) in
# $BUILD/module-$1: amdgpu.ko where a lane of the run on this kernel needs
# it, vkfd.ko unless every such lane takes DKMS's (run_lanes writes
# $RUN_DIR/.once/kbuild-<provider>), with vkfd_test.ko where the kernel
# has KUnit; nothing at all if neither. Prints the directory.
kernel_modules() {
	local prov=$1 moddir=$BUILD/module-$1 log=$RUN_DIR/logs/module-$1.log m
	local want
	want=$(tr "\n" " " <"$RUN_DIR/.once/kbuild-$prov")
	rm -rf "$moddir"
	mkdir -p "$moddir"
	# Every lane on this kernel takes DKMS's vkfd.ko and none amdgpu.ko.
	if [ -z "$want" ]; then
		echo "$moddir"
		return
	fi
	(
		# shellcheck source=/dev/null
		. "$VM_DIR/kernels/$prov.sh"
		VKFD_MODULES=$want kernel_build_module "$moddir" "$log"
	) || { tail -n 40 "$log" >&2; die "module build for kernel $prov failed (log: $log)"; }
	for m in $want; do
		[ -f "$moddir/$m.ko" ] || die "module build for $prov made no $m.ko (log: $log)"
	done
	echo "$moddir"
}

# vkfd.ko built by `dkms build` for provider $1, with kbuild's amdgpu.ko and
# vkfd_test.ko beside it where built, in $BUILD/module-$1-dkms. Prints the directory.
kernel_modules_dkms() {
	local prov=$1 kbuild=$2 moddir=$BUILD/module-$1-dkms log=$RUN_DIR/logs/dkms-$1.log ko
	rm -rf "$moddir"
	mkdir -p "$moddir"
	dkms_build_module "$K_ABI" "$K_KDIR" "$moddir" "$log" ||
		{ tail -n 40 "$log" >&2; die "dkms build for kernel $prov failed (log: $log)"; }
	[ -f "$moddir/vkfd.ko" ] || die "dkms build for $prov made no vkfd.ko (log: $log)"
	for ko in amdgpu vkfd_test; do
		[ ! -f "$kbuild/$ko.ko" ] || cp "$kbuild/$ko.ko" "$moddir/"
	done
	echo "$moddir"
}

# The userspace a lane stages: $BUILD (tests, tools, preload library),
# or, for a kernel with its own <linux/kfd_ioctl.h> ($1), the same built
# against it in $BUILD/uapi-<provider> ($2).
lane_userspace() {
	local uapi=$1 prov=$2 out
	if [ -z "$uapi" ]; then
		once userspace build_userspace "$BUILD" "" >/dev/null || exit 1
		echo "$BUILD"
		return
	fi
	out=$BUILD/uapi-$prov
	once "userspace-$prov" build_userspace "$out" "$uapi" >/dev/null || exit 1
	echo "$out"
}

# The items the guest runs (/vkfd/items, see vm/init): "<name> <timeout
# in s, 0 = none> <command...>", one a line. $1 = mode, $2 = staging dir.
lane_items() {
	local mode=$1 stage=$2 t
	case $mode in
	tests | rocm | udev)
		# shellcheck disable=SC2012 # our names
		for t in $(ls "$stage/vkfd/tests" | sort); do
			# the lane's TESTS less its EXCLUDE (shell patterns),
			# then the developer's VKFD_TESTS (names)
			lane_wants "$t" "$L_TESTS" || continue
			! lane_wants "$t" "$L_EXCLUDE" || continue
			if [ -n "${VKFD_TESTS:-}" ] && [[ " $VKFD_TESTS " != *" $t "* ]]; then
				continue
			fi
			echo "$t $L_TEST_TIMEOUT /vkfd/tests/$t"
		done
		;;
	bench)
		echo "system 0 /vkfd/guest/system.sh"
		# VKFD_BENCHES (vm/bench.sh): the benches to run, in this order
		for t in "${MAIN_BENCHES[@]}"; do
			! bench_wanted "$t" || bench_items "$t"
		done
		;;
	bench-rocm)
		echo "system 0 /vkfd/guest/system.sh"
		echo "rocm_bench 0 /vkfd/guest/stderr-last.sh /vkfd/rocm/rocm_bench ${VKFD_ROCM_BENCH_ARGS:-}"
		;;
	demo)
		echo "topology 60 /vkfd/tools/vkfdctl topology"
		echo "demo 300 /vkfd/tools/vkfdctl demo ${VKFD_DEMO_PROGRAMS:-2}"
		;;
	esac
}

# The main bench lane's benches, bench/<name>.c, in the order they run:
# the one list that the lane's items, the staging, the build (vm/bench.sh)
# and VKFD_BENCHES's default come from.
MAIN_BENCHES=(ctxbench membench sdmabench nnbench)

# The items of main bench $1: the bench with its VKFD_<NAME>_ARGS; for
# ctxbench VKFD_BENCH_ARGS, and its memory table again without debugfs.
bench_items() {
	local args=VKFD_${1^^}_ARGS
	case $1 in
	ctxbench)
		echo "ctxbench 0 /vkfd/bench/ctxbench ${VKFD_BENCH_ARGS:-}"
		echo "ctxbench-nodebugfs 0 /vkfd/guest/nodebugfs.sh /vkfd/bench/ctxbench ${VKFD_BENCH_ARGS:-} -t memory -a none"
		;;
	*) echo "$1 0 /vkfd/bench/$1 ${!args:-}" ;;
	esac
}

# Is bench $1 in VKFD_BENCHES (default: all of MAIN_BENCHES)?
bench_wanted() {
	[[ " ${VKFD_BENCHES:-${MAIN_BENCHES[*]}} " == *" $1 "* ]]
}

# Does the lane (L_* set) need vkfd built as amdgpu.ko: does it load it, or
# run its tests (module_amdgpu)? amdgpu.ko is vkfd.ko's sources under
# another name, a whole second build for each kernel: lanes of the kernels
# that ROCm does not run on exclude module_amdgpu.
lane_needs_amdgpu() {
	[ "$L_LOAD" = amdgpu ] && return 0
	[ "$L_MODE" = tests ] && lane_wants module_amdgpu "$L_TESTS" &&
		! lane_wants module_amdgpu "$L_EXCLUDE"
}

# Does test binary $1 match one of the shell patterns of $2?
lane_wants() {
	local p
	set -f
	for p in $2; do
		# shellcheck disable=SC2254 # a pattern
		case $1 in $p) set +f && return 0 ;; esac
	done
	set +f
	return 1
}

# lane.env of the guest (see vm/init).
lane_guest_env() {
	local kv
	printf "export VKFD_LANE='%s'\n" "$1"
	printf "export VKFD_MODE='%s'\n" "$L_MODE"
	printf "export VKFD_IMPL='%s'\n" "$L_IMPL"
	printf "export VKFD_LOAD='%s'\n" "$L_LOAD"
	printf "export VKFD_MODULE_PARAMS='%s'\n" "$L_PARAMS"
	printf "export VKFD_KMEMLEAK='%s'\n" "$L_KMEMLEAK"
	[ "$L_SCALE" = 1 ] || printf "export VKFD_TEST_SCALE='%s'\n" "$L_SCALE"
	[ "${VKFD_PROFILE:-0}" = 0 ] || printf "export VKFD_PROFILE=1\n"
	[[ " $L_PRELOAD " != *" amdgpu "* ]] || printf "export VKFD_EXPECT_AMDKFD=1\n"
	for kv in $L_GUEST_ENV; do
		printf "export %s='%s'\n" "${kv%%=*}" "${kv#*=}"
	done
}

# Stage lane $1's initramfs into $RUN_DIR/$1 (K_*, L_* set; $2 = module
# directory, $3 = userspace build directory).
lane_stage() {
	local lane=$1 moddir=$2 us=$3 dir=$RUN_DIR/$1 stage=$RUN_DIR/$1/initramfs
	local mods=() m deps
	for m in $L_PRELOAD; do
		case $m in
		vkfd) read -ra deps <<<"$(vkfd_deps "$moddir/vkfd.ko")" && mods+=("${deps[@]}") ;;
		*) mods+=("$m") ;;
		esac
	done
	: >"$dir/preload.list"
	if [ -n "$K_MODROOT" ] && [ ${#mods[@]} -gt 0 ]; then
		resolve_modules "$K_MODROOT" "$K_ABI" "${mods[@]}" >"$dir/preload.list"
	fi
	stage_initramfs "$stage" "$(lane_guest_env "$lane")" "$moddir" "$dir/preload.list" "$us"
	# vm/init loads vkfd_test.ko, and so runs its KUnit suites, when the
	# initramfs has it.
	[ "$L_KUNIT" = 1 ] || rm -f "$stage/vkfd/vkfd_test.ko"
	case $L_MODE in
	tests) ;;
	rocm)
		rm -f "$stage"/vkfd/tests/*
		stage_rocm_tests "$stage" "$ROCM_ROOT"
		;;
	udev)
		stage_udev "$stage"
		;;
	bench)
		rm -rf "$stage/vkfd/tests" "$stage/vkfd/tools" "$stage/vkfd/vkfd_test.ko"
		for m in "${MAIN_BENCHES[@]}"; do
			install -D -m 0755 "$BUILD/bench/$m" "$stage/vkfd/bench/$m"
		done
		;;
	bench-rocm)
		rm -rf "$stage/vkfd/tests" "$stage/vkfd/tools" "$stage/vkfd/vkfd_test.ko"
		stage_rocm "$ROCM_ROOT" "$stage" "$BUILD/rocm/rocm_bench"
		;;
	demo)
		rm -rf "$stage/vkfd/tests"
		;;
	esac
	lane_items "$L_MODE" "$stage" >"$stage/vkfd/items"
	pack_initramfs "$stage" "$dir/initramfs.cpio"
}

# The ROCm lane's tests: the ROCm programs and the scripts of tests/rocm.
stage_rocm_tests() {
	local stage=$1 root=$2 f name progs=(rocm_hsakmt rocm_copy rocm_aql)
	stage_rocm "$root" "$stage" "${progs[@]/#/$BUILD/rocm/}"
	install -m 0644 "$VKFD_SRC/tests/rocm/rocm_lib.sh" "$stage/vkfd/rocm/"
	for name in "${progs[@]}"; do
		ln -s "/vkfd/rocm/$name" "$stage/vkfd/tests/$name"
	done
	for f in "$VKFD_SRC"/tests/rocm/rocm_*.sh; do
		name=$(basename "$f" .sh)
		[ "$name" = rocm_lib ] || install -m 0755 "$f" "$stage/vkfd/tests/$name"
	done
}

# meta of lane $1 for report.py; $2... extra key=value lines.
lane_meta() {
	local lane=$1
	shift
	{
		echo "lane=$lane"
		echo "desc=$L_DESC"
		echo "mode=$L_MODE"
		echo "impl=$L_IMPL"
		echo "skips=$VM_DIR/lanes/skips/$L_SKIPS_FILE"
		echo "timeout_seconds=$L_TIMEOUT"
		printf '%s\n' "$@"
	} >"$RUN_DIR/$lane/meta"
}

# One lane, from its kernel to the powered-off guest. Runs in a subshell.
lane_job() {
	local lane=$1 place=$2 dir=$RUN_DIR/$1 kenv moddir us start rc=0 cpu0 cpu
	rm -rf "$dir"
	mkdir -p "$dir"
	eval "$(lane_load "$lane")"
	# Beside a high-priority lane, a normal one's builds yield (once()).
	if [ "$L_PRIORITY" = normal ] && [ "${RUN_HIGH:-0}" = 1 ]; then
		LANE_NICE=$RUN_NICE
	fi
	if ! kenv=$(once "kernel-$L_KERNEL" kernel_env "$L_KERNEL"); then
		lane_meta "$lane" "error=kernel $L_KERNEL: preparation failed (log: $RUN_DIR/logs/kernel-$L_KERNEL.log)"
		msg "$lane: kernel $L_KERNEL could not be prepared (log: $RUN_DIR/logs/kernel-$L_KERNEL.log)"
		return
	fi
	eval "$kenv"
	[ "$L_PRIORITY" = normal ] || guest_queue_join "$place"
	if [ -n "${K_SKIP:-}" ]; then
		lane_meta "$lane" "skipped=$K_SKIP"
		msg "$lane: skipped: $K_SKIP"
		return
	fi
	if ! moddir=$(once "module-$L_KERNEL" kernel_modules "$L_KERNEL"); then
		lane_meta "$lane" "error=module build for $K_NAME failed (logs: $RUN_DIR/logs/)"
		return
	fi
	if [ "$L_MODULE" = dkms ] &&
		! moddir=$(once "dkms-$L_KERNEL" kernel_modules_dkms "$L_KERNEL" "$moddir"); then
		lane_meta "$lane" "error=dkms build for $K_NAME failed (log: $RUN_DIR/logs/dkms-$L_KERNEL.log)"
		return
	fi
	if ! us=$(lane_userspace "$K_UAPI" "$L_KERNEL"); then
		lane_meta "$lane" "error=userspace build failed (logs: $RUN_DIR/logs/)"
		return
	fi
	case $L_MODE in
	rocm | bench-rocm)
		if ! ROCM_ROOT=$(once rocm rocm_prepare); then
			lane_meta "$lane" "error=ROCm user space: download or build failed (logs: $RUN_DIR/logs/)"
			return
		fi
		;;
	esac
	# (staging too yields; the guest boots at the lane's own nice)
	(
		lane_yield
		lane_stage "$lane" "$moddir" "$us"
	) || exit
	guest_slot_take "$place" "$L_CPUS"
	msg "$lane: booting $K_NAME"
	start=$(now)
	children_cpu cpu0 "$dir/.times"
	lane_boot "$lane" || rc=$?
	if [ "$rc" = 125 ] || [ "$rc" = 126 ]; then
		# TCG has been seen to stall a guest in early boot on a host
		# busy with other guests, and to crash a two-CPU guest's kernel
		# while it patches its own code at boot (an int3 left in
		# sched_clock_cpu, 6.12): before /init, so before vkfd. Once is
		# not a verdict.
		if [ "$rc" = 125 ]; then
			msg "$lane: the guest stalled in early boot (its kernel silent for ${VKFD_BOOT_SILENCE:-90} s, or no /init in ${VKFD_BOOT_LIMIT:-240} s): booting it again"
		else
			msg "$lane: the guest's kernel died in early boot, before /init (console-first-boot.log): booting it again"
		fi
		mv "$dir/console.log" "$dir/console-first-boot.log"
		retried=1
		rc=0
		lane_boot "$lane" || rc=$?
	fi
	guest_slot_give
	children_cpu cpu "$dir/.times"
	cpu=$((cpu - cpu0))
	rm -f "$dir/.times"
	lane_meta "$lane" "kernel=$K_NAME" "qemu_status=$rc" "seconds=$(($(now) - start))" \
		"cpu_seconds=$cpu" \
		"timeout=$({ [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && echo 1 || echo 0)" \
		"retried=${retried:-0}"
	msg "$lane: guest ran $(($(now) - start)) s, $cpu CPU-s$([ "$rc" = 0 ] || echo " (qemu status $rc)")"
}

# The niceness of a normal lane's builds (its once() steps) and staging,
# and of the host lane's checks, beside a high-priority lane: nice 5
# weighs a third of nice 0, so that the debug kernel's build gets three
# quarters of the CPUs while the others prepare beside it. (Guests are
# not niced: one that waits for a CPU costs more.)
RUN_NICE=5

# Guests run side by side on at most VKFD_GUEST_CPUS virtual CPUs
# (default: the host's CPUs), and a ready guest waits for its turn and its
# CPUS: the high-priority lanes' first, then the others, each in the order
# of the run's lanes (check.sh says why this one). More virtual CPUs than
# host CPUs would fill the gaps a guest leaves (it waits for a child, a
# sleep, vkfd's engine threads), but under TCG a guest that shares a host
# CPU costs far more for the same work: measured 2026-12-07 on two cores,
# the debug guests cost 101 and 105 CPU-s side by side alone, 161 and 170
# beside a third guest and module builds; all eight guests of make check
# at once cost 684 CPU-s, 463 when each ran alone.
#
# A lane joins the queue when its guest is ready; a high-priority one as
# soon as its kernel is: warm, no other guest starts before it, while its
# module is taken or built; cold, the other guests run while its kernel
# is built, rather than all after it.
# $1 = the lane's place in the queue.
guest_queue_join() {
	: >"$RUN_DIR/.once/wait-$1-$BASHPID"
}

# Wait for the lane's turn (joining the queue if it has not) and for its
# CPUs; $1 = its place, $2 = its CPUs. The slots taken (one per virtual
# CPU) stay in GUEST_SLOT_FDS. Every waiting lane polls once a second for
# minutes, with the shell's builtins only: a process or two per poll were
# a tenth of the host's CPU while the debug guests ran (a fork is dear on
# a host whose page tables are virtualised). flock(1) runs once the
# slots look free: run-<pid>-<slots> names a lane that holds slots.
guest_slot_take() {
	local me=wait-$1-$BASHPID want=$2 n=${VKFD_GUEST_CPUS:-$(nproc)} i fd head busy
	[ "$want" -le "$n" ] || want=$n
	[ -e "$RUN_DIR/.once/$me" ] || guest_queue_join "$1"
	while :; do
		GUEST_SLOT_FDS=()
		guest_queue_head head
		guest_slots_busy busy
		if [ "$head" = "$me" ] && [ "$busy" -le $((n - want)) ]; then
			for ((i = 0; i < n && ${#GUEST_SLOT_FDS[@]} < want; i++)); do
				exec {fd}>"$RUN_DIR/.once/slot-$i"
				if flock -n "$fd"; then
					GUEST_SLOT_FDS+=("$fd")
				else
					exec {fd}>&-
				fi
			done
			if [ "${#GUEST_SLOT_FDS[@]}" -eq "$want" ]; then
				: >"$RUN_DIR/.once/run-$BASHPID-$want"
				rm -f "$RUN_DIR/.once/$me"
				return 0
			fi
			guest_slot_give
		fi
		nap 1
	done
}

# Into variable $1, the first of the waiting guests whose lane job still
# lives: the lowest place of the wait-<place>-<pid> files.
guest_queue_head() {
	local -n _head=$1
	local f name place best=
	_head=
	for f in "$RUN_DIR"/.once/wait-*; do
		[ -e "$f" ] || continue
		name=${f##*/}
		place=${name#wait-}
		place=${place%-*}
		if ! kill -0 "${name##*-}" 2>/dev/null; then
			rm -f "$f"
		elif [ -z "$best" ] || [ "$place" -lt "$best" ]; then
			best=$place
			_head=$name
		fi
	done
}

# Into variable $1, the slots held by lanes whose job still lives (the
# kernel frees a dead one's flocks with it).
guest_slots_busy() {
	local -n _busy=$1
	local f name
	_busy=0
	for f in "$RUN_DIR"/.once/run-*; do
		[ -e "$f" ] || continue
		name=${f##*/run-}
		if kill -0 "${name%-*}" 2>/dev/null; then
			_busy=$((_busy + ${name##*-}))
		else
			rm -f "$f"
		fi
	done
}

# The slots guest_slot_take() took, free for the next guest.
guest_slot_give() {
	local fd
	for fd in "${GUEST_SLOT_FDS[@]}"; do
		exec {fd}>&-
	done
	GUEST_SLOT_FDS=()
	rm -f "$RUN_DIR"/.once/run-"$BASHPID"-*
}

# CPU seconds (user + system) of this shell's waited-for children so far,
# into variable $1: around a guest's boot, what its qemu cost the host,
# whatever else ran beside it. `times` runs in this shell (in a command
# substitution it would count the subshell's children); $2 = scratch file.
children_cpu() {
	local -n _cpu=$1
	times >"$2"
	# line 2, the children's: "0m1.250s 0m0.340s"
	_cpu=$(awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); n += a[1] * 60 + a[2] } printf "%d\n", n + 0.5 }' "$2")
}

# Boot lane $1's guest; returns qemu's status, or 125 when the guest sent
# nothing at all within VKFD_BOOT_LIMIT seconds (default 240; a guest sends
# its first item a few seconds after the kernel starts /init), or its
# kernel printed nothing for VKFD_BOOT_SILENCE seconds before that
# (default 90: a booting kernel's longest silence, unpacking the
# initramfs, is about 15 s of its own time, a minute at most on a host
# shared by every lane); 126 when qemu ended before the guest sent
# anything (its kernel died before /init: panic=-1 ends qemu).
lane_boot() {
	local dir=$RUN_DIR/$1 qemu waited=0 limit=${VKFD_BOOT_LIMIT:-240}
	local silence=${VKFD_BOOT_SILENCE:-90} size last=-1 quiet=0
	: >"$dir/results.log"
	run_qemu "$K_IMAGE" "$dir/initramfs.cpio" "$BASE_APPEND ${K_APPEND:-} $L_APPEND" \
		"$dir/console.log" "$dir/results.log" "$L_MEM" "$L_TIMEOUT" "$L_CPUS" &
	qemu=$!
	while kill -0 "$qemu" 2>/dev/null && [ ! -s "$dir/results.log" ]; do
		size=$(stat -c %s "$dir/console.log" 2>/dev/null || echo 0)
		if [ "$size" = "$last" ]; then
			quiet=$((quiet + 2))
		else
			quiet=0
			last=$size
		fi
		if [ "$waited" -ge "$limit" ] || [ "$quiet" -ge "$silence" ]; then
			# timeout(1) passes the TERM on to qemu
			pkill -TERM -P "$qemu" 2>/dev/null
			wait "$qemu" 2>/dev/null
			return 125
		fi
		nap 2
		waited=$((waited + 2))
	done
	if [ ! -s "$dir/results.log" ]; then
		wait "$qemu" 2>/dev/null
		return 126
	fi
	wait "$qemu"
}

# Debian's ROCm 5.2.3 unpacked, and the ROCm programs built against it;
# prints its root.
rocm_prepare() {
	local root
	root=$(ensure_rocm_userspace) || exit 1
	build_rocm_programs "$root" || exit 1
	echo "$root"
}

# run_lanes LANE...: every lane's job, side by side (VKFD_PARALLEL=0: one
# after the other). RUN_DIR must be set; what `once` made in it is reused
# by a second call (bench.sh runs its lanes one at a time): a run starts
# with run_start.
run_lanes() {
	local lane pids=()
	mkdir -p "$RUN_DIR/logs" "$RUN_DIR/.once"
	# Each lane's place in the guests' queue (guest_slot_take): the
	# high-priority lanes first (0...), then the others (1000...), each
	# group in the run's order. And does a high-priority lane run
	# (RUN_HIGH, for lane_job)?
	local -A place
	local i=0
	RUN_HIGH=0
	for lane in "$@"; do
		eval "$(lane_load "$lane" | grep '^L_PRIORITY=')"
		if [ "$L_PRIORITY" = high ]; then
			RUN_HIGH=1
			place[$lane]=$i
		else
			place[$lane]=$((1000 + i))
		fi
		i=$((i + 1))
	done
	# What kbuild builds for each kernel: amdgpu.ko where a lane loads it
	# or tests it (lane_needs_amdgpu), vkfd.ko where a lane takes kbuild's
	# rather than DKMS's.
	for lane in "$@"; do
		(
			eval "$(lane_load "$lane")"
			f=$RUN_DIR/.once/kbuild-$L_KERNEL
			touch "$f"
			! lane_needs_amdgpu || grep -qx amdgpu "$f" || echo amdgpu >>"$f"
			[ "$L_MODULE" = dkms ] || grep -qx vkfd "$f" || echo vkfd >>"$f"
		)
	done
	if [ "${VKFD_PARALLEL:-1}" = 1 ]; then
		for lane in "$@"; do
			(lane_job "$lane" "${place[$lane]}") &
			pids+=($!)
		done
		wait "${pids[@]}" || true
	else
		for lane in "$@"; do
			(lane_job "$lane" "${place[$lane]}") || true
		done
	fi
}
