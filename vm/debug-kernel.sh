#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Build the debug lane's kernel, Linux 6.12 from Debian 12's
# linux-source-6.12: tinyconfig plus vm/debug.config (KASAN, lockdep,
# kmemleak, KFENCE, fault injection, KUnit, DRM with the shmem GEM helper,
# MMU notifiers, HMM). Prints the O= build directory, which holds
# arch/x86/boot/bzImage and is ready for out-of-tree module builds
# (`make -C <dir> M=...`).
#
# The result is cached under $VKFD_CACHE/debug-kernel/<key>, where the key
# is the linux-source-6.12 package version plus the sha256 of debug.config
# and of this script: changing either rebuilds, anything else reuses it.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FRAGMENT=$VM_DIR/debug.config
SRC_PKG=linux-source-6.12
SRC_TAR=/usr/src/$SRC_PKG.tar.xz

# Options the lane relies on, whatever the fragment says: vm/init's
# kmemleak scan and fault-injection knobs, vkfd_test.ko's KUnit suites
# (which run at load only with KUNIT_DEFAULT_ENABLED), the checkers whose
# splats fail a lane, and what vkfd.ko links against. Each must be =y in
# the final .config.
LANE_OPTIONS=(
	DEBUG_FS KASAN KASAN_GENERIC KASAN_VMALLOC KFENCE UBSAN UBSAN_BOUNDS
	PROVE_LOCKING LOCKDEP DEBUG_ATOMIC_SLEEP DEBUG_OBJECTS DEBUG_VM
	DEBUG_KMEMLEAK
	FAULT_INJECTION FAILSLAB FAIL_PAGE_ALLOC FAULT_INJECTION_DEBUG_FS
	KUNIT KUNIT_DEBUGFS KUNIT_DEFAULT_ENABLED
	DRM DRM_GEM_SHMEM_HELPER MMU_NOTIFIER HMM_MIRROR
	MODULES MODULE_UNLOAD BUG KALLSYMS
	SMP
)

srcver=$(dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null || true)
{ [ -n "$srcver" ] && [ -f "$SRC_TAR" ]; } ||
	die "$SRC_PKG is not installed (run vm/setup-host.sh)"
hash=$(cat "$FRAGMENT" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)
top=$VKFD_CACHE/debug-kernel
dir=$top/$srcver-$hash
out=$dir/out
log=$dir/build.log

# A kernel built before is taken at once: a run whose kernel is there
# must not wait for another work tree's build of another config. (touch
# marks it recently used, which keeps it from the pruning below.)
if [ -e "$dir/.done" ]; then
	touch "$dir/.done"
	echo "$out"
	exit 0
fi

# One build per key: a second run of the same config (another work tree,
# say) waits here and then finds the finished kernel instead of deleting
# a build in progress. Builds of two configs may run at once.
mkdir -p "$top"
exec 9>"$dir.lock"
flock 9
if [ -e "$dir/.done" ]; then
	touch "$dir/.done"
	echo "$out"
	exit 0
fi

# An earlier attempt with this key is incomplete: start it over. Of the
# builds for other keys (a changed config or script; 2 GB each) keep the
# two used last, for work trees that are on another version. Unfinished
# builds of other keys are left by runs that died; one whose log is still
# being written is another key's build in progress: leave that one alone.
# The pruning holds the directory's lock, which older copies of this
# script held for their whole build.
rm -rf "$dir"
(
	flock 8
	# shellcheck disable=SC2012 # names are ours: <version>-<hash>
	stale=$(ls -t "$top"/*/.done 2>/dev/null | tail -n +3 || true)
	for done in $stale; do
		rm -rf "$(dirname "$done")" "$(dirname "$done").lock"
	done
	for other in "$top"/*/; do
		other=${other%/}
		if [ "$other" = "$dir" ] || [ -e "$other/.done" ]; then
			continue
		fi
		if [ -z "$(find "$other" "$other/build.log" -maxdepth 0 -mmin -30 2>/dev/null)" ]; then
			rm -rf "$other"
		fi
	done
) 8>"$top/.lock"
mkdir -p "$dir"
start=$(now)
msg "building the debug kernel ($SRC_PKG $srcver, config $hash; a cold build takes long, see vm/README.md; log: $log)"

fail() {
	echo "---- last lines of $log ----" >&2
	tail -n 30 "$log" >&2
	die "debug kernel build failed: $*"
}

tar -xf "$SRC_TAR" -C "$dir" >>"$log" 2>&1 || fail "cannot extract $SRC_TAR"
mv "$dir/$SRC_PKG" "$dir/src"
src=$dir/src

# MMU_NOTIFIER and HMM_MIRROR are hidden symbols (`bool` with no prompt):
# in-tree drivers `select` them, but an out-of-tree module cannot, and
# pulling in a driver (KVM, amdgpu, nouveau) just for its select would cost
# minutes of build time. Giving them a prompt makes them settable from the
# config fragment; nothing else about them changes.
for sym in MMU_NOTIFIER HMM_MIRROR; do
	sed -i "/^config $sym\$/,/^\$/ s/^\tbool\$/\tbool \"$sym (made selectable for vkfd)\"/" \
		"$src/mm/Kconfig"
	grep -q "bool \"$sym (made selectable" "$src/mm/Kconfig" ||
		fail "could not give $sym a prompt in mm/Kconfig"
done

# tinyconfig, then the fragment on top, then let Kconfig fill in the rest.
make -C "$src" O="$out" tinyconfig >>"$log" 2>&1 || fail "make tinyconfig"
(cd "$src" && ./scripts/kconfig/merge_config.sh -m -O "$out" "$out/.config" "$FRAGMENT") \
	>>"$log" 2>&1 || fail "merge_config.sh"
make -C "$src" O="$out" olddefconfig >>"$log" 2>&1 || fail "make olddefconfig"

# olddefconfig silently drops what has unmet dependencies: insist that
# every line of the fragment survived.
dropped=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF "$line" "$out/.config" || dropped+=("$line")
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		! grep -q "^$sym=" "$out/.config" || dropped+=("$line")
		;;
	esac
done <"$FRAGMENT"
if [ "${#dropped[@]}" -ne 0 ]; then
	for line in "${dropped[@]}"; do
		sym=${line#\# }
		sym=${sym%%[= ]*}
		echo "  wanted: $line   got: $(grep -E "^(# )?${sym}[= ]" "$out/.config" || echo absent)" >&2
	done
	die "debug kernel: ${#dropped[@]} option(s) of vm/debug.config did not survive olddefconfig"
fi
missing=()
for sym in "${LANE_OPTIONS[@]}"; do
	grep -qx "CONFIG_$sym=y" "$out/.config" || missing+=("$sym")
done
[ "${#missing[@]}" -eq 0 ] ||
	die "debug kernel: the lane needs CONFIG_{$(IFS=,; echo "${missing[*]}")}=y, which the .config lacks"

# Not through ccache (vm/lib.sh): every object includes the generated
# autoconf.h, so a kernel of another config (the only kind built again)
# could never hit, and a miss costs far more than the compilation alone
# (1596 CPU-s for this kernel through ccache, measured 2026-12-07).
export CCACHE_DISABLE=1

# bzImage for qemu; `modules` (nothing but vkfd is modular) writes
# Module.symvers, so modpost checks vkfd's symbols; modules_prepare makes
# the tree usable for M= builds.
make -C "$src" O="$out" -j"$(nproc)" bzImage modules >>"$log" 2>&1 || fail "make bzImage modules"
make -C "$src" O="$out" modules_prepare >>"$log" 2>&1 || fail "make modules_prepare"
[ -f "$out/arch/x86/boot/bzImage" ] || fail "no bzImage"
[ -f "$out/Module.symvers" ] || fail "no Module.symvers"

touch "$dir/.done"
msg "debug kernel built in $(($(now) - start)) s"
echo "$out"
