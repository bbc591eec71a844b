# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# vkfd.ko built by DKMS, as users get it (`make dkms`, dkms.conf), for a
# lane to load instead of the `make module` one. Sourced after vm/lib.sh.
#
# The build happens in a private DKMS tree, $VKFD_CACHE/kbuild/dkms-<kernel>:
# the host's /var/lib/dkms and /usr/src are neither read nor written, and
# nothing needs `make dkms` to have run. dkms 3.0 signs modules where it
# finds the kernel's sign-file, with a key it makes in /var/lib/dkms unless
# told otherwise: here a key is made in each private tree (the guests'
# kernels do not enforce signatures, so an unknown key loads as an
# unsigned module does).

# Build vkfd.ko with `dkms build` for one kernel and copy it (uncompressed)
# into MODDIR.
#   $1 KABI    the kernel's release (uname -r)
#   $2 KDIR    its build directory (headers)
#   $3 MODDIR  where vkfd.ko goes (created)
#   $4 LOG     all output
# Returns non-zero (the log says why) if dkms fails, or skips the kernel
# (dkms.conf's BUILD_EXCLUSIVE_*), or makes no vkfd.ko.
dkms_build_module() {
	local kabi=$1 kdir=$2 moddir=$3 log=$4
	local version tree src out ko key kept
	local -a opts

	version=$(cat "$VKFD_SRC/VERSION")
	# A path the same for every clone, so that ccache recognises the
	# compiler's command lines (see kbuild_stage in vm/lib.sh); the lock
	# keeps another work tree's run out while this one builds. Called in
	# a subshell of its own (vm/run.sh's once), which releases it.
	tree=$VKFD_CACHE/kbuild/dkms-$kabi
	mkdir -p "$tree"
	exec 7>"$VKFD_CACHE/kbuild/dkms-$kabi.lock"
	flock 7
	opts=(--dkmstree "$tree/dkms" --sourcetree "$tree/src"
	      --installtree "$tree/install")
	mkdir -p "$(dirname "$log")" "$moddir"
	: >"$log"
	command -v dkms >/dev/null || {
		echo "dkms is not installed (vm/setup-host.sh installs it)" >>"$log"
		return 1
	}
	rm -rf "$tree"
	mkdir -p "$tree/dkms" "$tree/src" "$tree/install"
	src=$("$VKFD_SRC/dist/dkms.sh" stage "$tree/src" 2>>"$log") || return 1
	key=$(dkms_build_key "$src" "$kabi" "$kdir")
	kept=$VKFD_CACHE/kbuild/dkms-$kabi.built/$key
	if [ -s "$kept/vkfd.ko" ]; then
		{
			echo "dkms built these sources (key $key) for $kabi with this dkms"
			echo "before: $kept/build.log; its vkfd.ko is taken"
		} >>"$log"
		cp "$kept/vkfd.ko" "$moddir/vkfd.ko"
		touch "$kept"	# recently used, for dkms_build_keep
		echo "vkfd.ko: $moddir/vkfd.ko" >>"$log"
		return 0
	fi
	(
		set -e
		# -Werror as in every build of the harness (kernel/Kbuild reads
		# VKFD_WERROR from the environment); a user's DKMS build warns
		export VKFD_WERROR=y VKFD_TEST=y
		export sign_file=$kdir/scripts/sign-file
		export mok_signing_key=$tree/mok.key mok_certificate=$tree/mok.pub
		echo "dkms add/build vkfd/$version from $src for $kabi ($kdir)"
		dkms add -m vkfd -v "$version" "${opts[@]}"
		dkms build -m vkfd -v "$version" -k "$kabi" --kernelsourcedir "$kdir" \
			"${opts[@]}"
	) >>"$log" 2>&1 || {
		# dkms leaves the compiler's output in the build directory
		[ ! -f "$tree/dkms/vkfd/$version/build/make.log" ] ||
			cat "$tree/dkms/vkfd/$version/build/make.log" >>"$log"
		return 1
	}

	# <dkms tree>/vkfd/<version>/<kernel>/<arch>/module/vkfd.ko, compressed
	# as the kernel's own modules are on this host, if it has them.
	out=$tree/dkms/vkfd/$version/$kabi/$(uname -m)/module
	rm -f "$moddir/vkfd.ko"
	for ko in "$out"/vkfd.ko "$out"/vkfd.ko.xz "$out"/vkfd.ko.gz "$out"/vkfd.ko.zst; do
		[ -f "$ko" ] || continue
		case $ko in
		*.ko) cp "$ko" "$moddir/vkfd.ko" ;;
		*.xz) xz -dc "$ko" >"$moddir/vkfd.ko" ;;
		*.gz) gzip -dc "$ko" >"$moddir/vkfd.ko" ;;
		*.zst) zstd -qdc "$ko" >"$moddir/vkfd.ko" ;;
		esac
		break
	done
	if [ ! -s "$moddir/vkfd.ko" ]; then
		echo "dkms build made no vkfd.ko in $out" >>"$log"
		rm -f "$moddir/vkfd.ko"
		return 1
	fi
	dkms_build_keep "$kept" "$moddir/vkfd.ko" "$log"
	echo "vkfd.ko: $moddir/vkfd.ko" >>"$log"
}

# The key of a DKMS build: everything its vkfd.ko depends on. The staged
# source tree ($1) byte by byte, the kernel's release ($2), configuration
# and symbol versions ($3 = its headers), dkms's version and the harness's
# flags. Another build with the same key would make the same module.
dkms_build_key() {
	{
		(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
		echo "$2"
		sha256sum "$3/.config" "$3/Module.symvers" 2>&1
		dpkg-query -W -f='${Version}\n' dkms 2>&1
		echo VKFD_WERROR=y VKFD_TEST=y
	} | sha256sum | cut -c1-16
}

# Keep the vkfd.ko of a successful build ($2, log $3) under its key's
# directory $1, for the next run with the same key (a clean clone's warm
# `make check` then skips the dkms build it has done already); the three
# most recently used keys of a kernel stay.
dkms_build_keep() {
	local kept=$1 top old
	top=$(dirname "$kept")
	rm -rf "$kept.tmp"
	mkdir -p "$kept.tmp"
	cp "$2" "$kept.tmp/vkfd.ko"
	cp "$3" "$kept.tmp/build.log"
	rm -rf "$kept"
	mv "$kept.tmp" "$kept"
	# shellcheck disable=SC2012 # our names: hex keys
	for old in $(ls -t "$top" | tail -n +4); do
		rm -rf "${top:?}/$old"
	done
}
