# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=bash
#
# Kernel provider: Debian unstable's current kernel (linux-image-amd64's
# linux-image-<abi>), with vkfd built by unstable's own compiler in an
# unstable chroot. Sourced by the runner after vm/lib.sh; see vm/README.md
# ("The unstable kernel") for the cache layout and the skip rule.
#
# Nothing here reads or writes the host's /etc/apt or /var/lib/apt: apt runs
# with an APT_CONFIG of the harness's own, whose state, cache, sources and
# configuration parts all live under $VKFD_CACHE/unstable/apt.
#
# Knobs: VKFD_UNSTABLE_MIRROR (default http://deb.debian.org/debian).

UNSTABLE_MIRROR=${VKFD_UNSTABLE_MIRROR:-http://deb.debian.org/debian}
UNSTABLE_SUITE=unstable
# bookworm's debian-archive-keyring holds the trixie keys unstable is signed
# with today (stable updates of that package add each new release's keys).
UNSTABLE_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
UNSTABLE_DIR=$VKFD_CACHE/unstable
UNSTABLE_APT=$UNSTABLE_DIR/apt

# Write the apt configuration (idempotent) and print the APT_CONFIG file.
#
# Acquire::Check-Valid-Until is off: a mirror that is not refreshed (the
# archive snapshot this machine sees) serves a Release file past its
# Valid-Until, and apt would refuse it. The signature is still checked with
# the keyring above; an old Release can only give an older kernel, and
# K_NAME names the version that was used.
# APT::Sandbox::User is the harness's own user: every file apt writes is in
# the harness's cache (which apt's _apt user may not even reach, under
# /root), never the system's.
unstable_apt_config() {
	local d=$UNSTABLE_APT conf=$UNSTABLE_APT/apt.conf
	mkdir -p "$d/etc/apt.conf.d" "$d/etc/sources.list.d" \
		"$d/etc/preferences.d" "$d/etc/trusted.gpg.d" \
		"$d/state/lists/partial" "$d/cache/archives/partial"
	[ -e "$d/state/status" ] || : >"$d/state/status"
	printf 'deb [signed-by=%s] %s %s main\n' \
		"$UNSTABLE_KEYRING" "$UNSTABLE_MIRROR" "$UNSTABLE_SUITE" \
		>"$d/etc/sources.list"
	cat >"$conf.tmp" <<-EOF
		Dir::State "$d/state";
		Dir::State::status "$d/state/status";
		Dir::Cache "$d/cache";
		Dir::Cache::srcpkgcache "";
		Dir::Etc "$d/etc";
		Dir::Etc::main "$d/etc/apt.conf";
		Dir::Etc::Parts "$d/etc/apt.conf.d";
		Dir::Etc::SourceList "$d/etc/sources.list";
		Dir::Etc::SourceParts "$d/etc/sources.list.d";
		Dir::Etc::Preferences "$d/etc/preferences";
		Dir::Etc::PreferencesParts "$d/etc/preferences.d";
		Dir::Etc::Trusted "$d/etc/trusted.gpg";
		Dir::Etc::TrustedParts "$d/etc/trusted.gpg.d";
		APT::Architecture "amd64";
		APT::Architectures { "amd64"; };
		APT::Sandbox::User "$(id -un)";
		Acquire::Languages "none";
		Acquire::Check-Valid-Until "false";
		Acquire::Retries "3";
	EOF
	mv "$conf.tmp" "$conf"
	echo "$conf"
}

# apt-get/apt-cache through the harness's configuration.
unstable_apt() {
	APT_CONFIG=$UNSTABLE_APT/apt.conf "$@"
}

# A field of a package in unstable, e.g. unstable_field Depends
# linux-image-amd64; nothing for a package unstable does not have.
unstable_field() {
	local out
	out=$(unstable_apt apt-cache show --no-all-versions "$2" 2>/dev/null) || return 0
	awk -v f="$1: " 'index($0, f) == 1 { print substr($0, length(f) + 1); exit }' <<<"$out"
}

# Decompress the .ko.xz/.ko.zst modules under $1 in place: busybox's insmod
# in the guest reads plain ELF only, and resolve_modules should name files
# the harness can copy as they are. (Debian compresses modules since 6.x.)
unstable_decompress_modules() {
	local root=$1
	find "$root" -name '*.ko.xz' -print0 | xargs -0 -r -P 2 -n 64 xz -d
	find "$root" -name '*.ko.zst' -print0 | xargs -0 -r -P 2 -n 64 zstd -q -d --rm
	! find "$root" -name '*.ko.*' -print -quit | grep -q . ||
		die "compressed modules left in $root: $(find "$root" -name '*.ko.*' -print -quit)"
}

# The image in unpacked root $1 for ABI $2: <abi>/vmlinuz in the modules
# directory (split packages, 7.x), or boot/vmlinuz-<abi>. Prints nothing if
# there is none.
unstable_vmlinuz() {
	local f
	for f in "$1/usr/lib/modules/$2/vmlinuz" "$1/boot/vmlinuz-$2"; do
		[ ! -f "$f" ] || { echo "$f"; return 0; }
	done
}

# The kernel: the packages linux-image-<abi> depends on for that ABI
# (today linux-binary-<abi>: vmlinuz; linux-modules-<abi>; linux-base-<abi>:
# config, modules.builtin; all under usr/lib/modules/<abi>), unpacked into $VKFD_CACHE/unstable/kernel/<abi>-<ver>,
# modules decompressed, with a depmod index. Prints the root.
unstable_kernel() {
	local abi=$1 ver=$2 root tmp deps pkgs=() p deb
	root=$UNSTABLE_DIR/kernel/$abi-$ver
	if [ ! -e "$root/.done" ]; then
		msg "unstable: fetching linux-image-$abi ($ver)"
		mkdir -p "$UNSTABLE_DIR/kernel"
		tmp=$(mktemp -d "$UNSTABLE_DIR/kernel/.dl.XXXXXX")
		pkgs=("linux-image-$abi=$ver")
		deps=$(unstable_field Depends "linux-image-$abi")
		# Every linux-*-<abi> it depends on (a kernel that is not split
		# has only the image itself).
		while read -r p; do
			pkgs+=("$p=$ver")
		done < <(grep -o "linux-[a-z]*-$abi\\b" <<<"$deps" | sort -u)
		(cd "$tmp" && unstable_apt apt-get download -q "${pkgs[@]}") \
			>"$tmp/apt.log" 2>&1 ||
			{ cat "$tmp/apt.log" >&2; rm -rf "$tmp"; die "apt-get download ${pkgs[*]} failed"; }
		mkdir -p "$tmp/root"
		for deb in "$tmp"/*.deb; do
			dpkg -x "$deb" "$tmp/root"
		done
		# Merged /usr (the kernel under usr/lib/modules/<abi>/): the
		# host's kmod looks in <root>/lib/modules.
		if [ ! -e "$tmp/root/lib" ] && [ -d "$tmp/root/usr/lib/modules" ]; then
			ln -s usr/lib "$tmp/root/lib"
		fi
		[ -n "$(unstable_vmlinuz "$tmp/root" "$abi")" ] ||
			{ rm -rf "$tmp"; die "no vmlinuz for $abi in ${pkgs[*]}"; }
		unstable_decompress_modules "$tmp/root/lib/modules/$abi"
		depmod -b "$tmp/root" "$abi"
		touch "$tmp/root/.done"
		rm -rf "$root"
		mv "$tmp/root" "$root"
		rm -rf "$tmp"
	fi
	echo "$root"
}

# The build chroot: unstable's gcc, make, libc6-dev and linux-headers-<abi>
# (which pulls the compiler its kernel was built with, kbuild's tools,
# pahole), in $VKFD_CACHE/unstable/chroot/<abi>-<ver>. Prints its root.
unstable_chroot() {
	local abi=$1 ver=$2 root tmp
	root=$UNSTABLE_DIR/chroot/$abi-$ver
	if [ ! -e "$root/.done" ]; then
		msg "unstable: making the build chroot for linux-headers-$abi ($ver)"
		mkdir -p "$UNSTABLE_DIR/chroot"
		tmp=$(mktemp -d "$UNSTABLE_DIR/chroot/.mk.XXXXXX")
		if ! mmdebstrap --mode=root --variant=apt --format=directory \
			--keyring="$UNSTABLE_KEYRING" \
			--aptopt='Acquire::Check-Valid-Until "false"' \
			--aptopt='Acquire::Languages "none"' \
			--dpkgopt='path-exclude=/usr/share/{doc,man,locale,info}/*' \
			--include="gcc,make,libc6-dev,linux-headers-$abi=$ver" \
			"$UNSTABLE_SUITE" "$tmp/root" "$UNSTABLE_MIRROR" \
			>"$tmp/mmdebstrap.log" 2>&1; then
			tail -n 30 "$tmp/mmdebstrap.log" >&2
			rm -rf "$tmp"
			die "mmdebstrap of unstable with linux-headers-$abi failed"
		fi
		[ -d "$tmp/root/usr/src/linux-headers-$abi" ] ||
			{ rm -rf "$tmp"; die "no linux-headers-$abi in the chroot"; }
		cp "$tmp/mmdebstrap.log" "$tmp/root/.mmdebstrap.log"
		touch "$tmp/root/.done"
		rm -rf "$root"
		mv "$tmp/root" "$root"
		rm -rf "$tmp"
	fi
	echo "$root"
}

# This kernel's <linux/kfd_ioctl.h> alone, from linux-headers-<abi> (the
# very version of the image and of the module build; linux-libc-dev may lag
# behind or run ahead in the archive), cleaned as headers_install does, in
# $VKFD_CACHE/unstable/uapi/<abi>-<ver>/linux/. Userspace is built with -I
# on it first; its DRM headers stay 6.1's (the Makefile's), as vkfd answers
# with DRM 3.49's structures on every kernel, and it must not see the
# chroot's other headers (its glibc's would not match the host's
# libraries). Prints the directory.
unstable_uapi() {
	local abi=$1 ver=$2 chroot=$3 dir tmp inc="" d
	dir=$UNSTABLE_DIR/uapi/$abi-$ver
	if [ ! -e "$dir/.done" ]; then
		for d in "$chroot/usr/src/linux-headers-$abi" \
			"$chroot/usr/src/linux-headers-${abi%-amd64}-common"; do
			[ ! -f "$d/include/uapi/linux/kfd_ioctl.h" ] ||
				{ inc=$d/include/uapi; break; }
		done
		[ -n "$inc" ] || die "unstable: no include/uapi/linux/kfd_ioctl.h in linux-headers-$abi"
		mkdir -p "$UNSTABLE_DIR/uapi"
		tmp=$(mktemp -d "$UNSTABLE_DIR/uapi/.mk.XXXXXX")
		chmod 0755 "$tmp"
		mkdir -p "$tmp/linux"
		sed -E 's/([[:space:](])(__user|__force|__iomem)[[:space:]]/\1/g' \
			"$inc/linux/kfd_ioctl.h" >"$tmp/linux/kfd_ioctl.h"
		touch "$tmp/.done"
		rm -rf "$dir"
		mv "$tmp" "$dir"
	fi
	echo "$dir"
}

# Keep, of the <abi>-<version> entries of cache directory $1, the one
# named $2 and the one used last before it; unstable moves on every few
# weeks, and each version costs about 1 GiB (image and chroot).
unstable_prune() {
	local dir=$1 keep=$2 old n=0
	while read -r old; do
		[ "$old" != "$keep" ] || continue
		n=$((n + 1))
		[ "$n" -gt 1 ] || continue
		msg "unstable: dropping $dir/$old"
		rm -rf "${dir:?}/$old"
	done < <(
		# shellcheck disable=SC2012 # names are <abi>-<version>
		ls -1t "$dir"
	)
}

kernel_prepare() {
	local abi ver deps kroot chroot uapi
	command -v mmdebstrap >/dev/null ||
		die "mmdebstrap is not installed (run vm/setup-host.sh)"
	unstable_apt_config >/dev/null
	mkdir -p "$UNSTABLE_DIR/logs"
	if ! unstable_apt apt-get update -q >"$UNSTABLE_DIR/logs/apt-update.log" 2>&1 ||
		grep -q '^\(W\|E\): Failed to fetch' "$UNSTABLE_DIR/logs/apt-update.log"; then
		# Only a network failure is a skip; a bad signature or a broken
		# configuration is a failure.
		if grep -qE "Could not resolve|Failed to fetch|Temporary failure|Connection failed|Unable to connect|Network is unreachable|No route to host|Connection timed out" \
			"$UNSTABLE_DIR/logs/apt-update.log" &&
			! grep -q "NO_PUBKEY\|not signed\|BADSIG\|EXPKEYSIG" "$UNSTABLE_DIR/logs/apt-update.log"; then
			printf '%s=%q\n' K_SKIP "Debian's archive ($UNSTABLE_MIRROR $UNSTABLE_SUITE) cannot be reached: $(grep -m1 -E 'Could not|Failed|Temporary|Unable|unreachable|No route|timed out' "$UNSTABLE_DIR/logs/apt-update.log")"
			return 0
		fi
		cat "$UNSTABLE_DIR/logs/apt-update.log" >&2
		die "apt-get update of unstable failed (log: $UNSTABLE_DIR/logs/apt-update.log)"
	fi
	# linux-image-amd64 depends on exactly one linux-image-<abi>.
	deps=$(unstable_field Depends linux-image-amd64)
	abi=$(grep -o -m 1 'linux-image-[0-9][^ ,]*-amd64' <<<"$deps" || true)
	abi=${abi#linux-image-}
	[ -n "$abi" ] || die "unstable: linux-image-amd64 names no linux-image-<abi> (Depends: $deps)"
	ver=$(unstable_field Version "linux-image-$abi")
	[ -n "$ver" ] || die "unstable: no linux-image-$abi"
	[ "$(unstable_field Version "linux-headers-$abi")" = "$ver" ] ||
		die "unstable: linux-headers-$abi is not at $ver (the archive is between two uploads?)"

	kroot=$(unstable_kernel "$abi" "$ver")
	chroot=$(unstable_chroot "$abi" "$ver")
	uapi=$(unstable_uapi "$abi" "$ver" "$chroot")
	touch "$kroot" "$chroot" "$uapi"
	unstable_prune "$UNSTABLE_DIR/kernel" "$abi-$ver"
	unstable_prune "$UNSTABLE_DIR/chroot" "$abi-$ver"
	unstable_prune "$UNSTABLE_DIR/uapi" "$(basename "$uapi")"
	printf '%s=%q\n' K_NAME "Debian unstable $abi ($ver)"
	printf '%s=%q\n' K_ABI "$abi"
	printf '%s=%q\n' K_IMAGE "$(unstable_vmlinuz "$kroot" "$abi")"
	printf '%s=%q\n' K_MODROOT "$kroot"
	# The build directory inside the chroot (K_CHROOT), where
	# kernel_build_module runs kbuild.
	printf '%s=%q\n' K_KDIR "/usr/src/linux-headers-$abi"
	printf '%s=%q\n' K_CHROOT "$chroot"
	printf '%s=%q\n' K_UAPI "$uapi"
}

# Build vkfd.ko and amdgpu.ko with the chroot's compiler: copy the sources
# the module build needs into /build/vkfd in the chroot (by content, see
# sync_by_content in vm/lib.sh: a clean clone's warm build compiles only
# what changed), run the top Makefile's `module` target there, copy
# the .ko files out, or those kept from a build of the same sources
# (ko_kept in vm/lib.sh). One build at a time per chroot (a lock); the only
# mount (/proc) lives in a private mount namespace: nothing to undo on any
# path.
kernel_build_module() {
	local moddir=$1 log=$2 dir rc=0 ko key
	if [ -z "${K_CHROOT:-}" ] || [ ! -e "$K_CHROOT/.done" ]; then
		die "kernel_build_module: no unstable chroot (K_CHROOT=${K_CHROOT:-})"
	fi
	dir=$K_CHROOT/build/vkfd
	mkdir -p "$dir" "$moddir"
	exec 8>"$K_CHROOT/build/.lock"
	flock 8
	sync_by_content "$VKFD_SRC" "$dir/src" \
		--include='/kernel/***' --include='/include/***' --include='/Makefile' \
		--exclude='*' >"$log" 2>&1 || return 1
	key=$(K_KDIR=$K_CHROOT$K_KDIR ko_key "$dir/src" "$K_ABI" "${VKFD_MODULES:-vkfd amdgpu}")
	if ko_kept "$dir/kept" "$key" "$moddir"; then
		echo "these sources were built for $K_ABI before (key $key): modules taken" >>"$log"
		flock -u 8
		return 0
	fi
	rm -f "$dir"/module/*.ko
	# objtool reads /proc: mounted in a mount namespace of the build's
	# own, which takes the mount with it when the build ends, however.
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare --mount --propagation private -- /bin/sh -c \
		'mount -t proc proc "$1/proc" && exec chroot "$@"' sh \
		"$K_CHROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/tmp LC_ALL=C.UTF-8 \
		make -C /build/vkfd/src -j"$(nproc)" module KDIR="$K_KDIR" \
		MODDIR=/build/vkfd/module VKFD_WERROR=y VKFD_TEST=y \
		VKFD_MODULES="${VKFD_MODULES:-vkfd amdgpu}" \
		>>"$log" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ]; then
		for ko in vkfd.ko amdgpu.ko vkfd_test.ko; do
			[ ! -f "$dir/module/$ko" ] || cp "$dir/module/$ko" "$moddir/" || rc=$?
		done
		[ "$rc" -ne 0 ] || ko_keep "$dir/kept" "$key" "$moddir" >>"$log" 2>&1 || rc=$?
	fi
	flock -u 8
	return "$rc"
}
