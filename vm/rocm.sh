# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Debian 12's ROCm 5.2.3 user space for the guests: sourced (after
# vm/lib.sh) by vm/check.sh for the rocm lane and by vm/bench.sh for the
# ROCm bench phase.
#
# The packages are downloaded with `apt-get download` and unpacked with
# `dpkg -x` into $VKFD_CACHE/rocm/<version>-<hash>/root, never installed on
# the host: hash = sha256 of the "package=version" list, so a new version
# of any package makes a fresh tree next to the old one. From that tree
# the host builds the project's ROCm programs (tests/rocm, bench/rocm:
# dynamic, against its headers and libraries) and stages into a guest only
# what runs there: the programs, rocminfo, rocm_agent_enumerator, rocm-smi
# with python 3.11 and the part of its standard library these import,
# procps's ps, dash as /bin/sh, libdrm's amdgpu.ids, and every library
# all of them need.

# What the guest runs and the host builds against. Their dependencies are
# followed into library packages only (lib*, zlib1g): the guest has no use
# for perl, pciutils or kmod, which rocminfo's and python3's own
# dependencies would pull in (busybox provides lsmod, grep and sh).
ROCM_PKGS=(
	libhsakmt1 libhsa-runtime64-1 rocminfo rocm-smi librocm-smi64-1
	libhsakmt-dev libhsa-runtime-dev
	libdrm-common
	python3.11-minimal libpython3.11-minimal libpython3.11-stdlib
	procps dash
)

# The packages and their library dependencies, one "name=version" a line,
# sorted: the versions apt would download now. Each apt-cache call reads
# every package list (seconds), so the answer is kept, keyed by the lists'
# names, sizes and times and by ROCM_PKGS.
rocm_package_list() {
	local memo
	memo=$VKFD_CACHE/rocm/lists-$( {
		echo "${ROCM_PKGS[*]}"
		ls -l --time-style=+%s /var/lib/apt/lists/ 2>/dev/null
	} | sha256sum | cut -c1-12)
	if [ ! -s "$memo" ]; then
		mkdir -p "$VKFD_CACHE/rocm"
		rm -f "$VKFD_CACHE/rocm"/lists-*
		rocm_resolve_packages >"$memo.tmp"
		mv "$memo.tmp" "$memo"
	fi
	cat "$memo"
}

rocm_resolve_packages() {
	local -A seen=()
	local todo=("${ROCM_PKGS[@]}") next dep p
	for p in "${todo[@]}"; do seen[$p]=1; done
	while [ ${#todo[@]} -gt 0 ]; do
		next=()
		for dep in $(apt-cache depends --no-recommends --no-suggests \
			--no-conflicts --no-breaks --no-replaces --no-enhances "${todo[@]}" |
			awk '$1 == "Depends:" || $1 == "PreDepends:" { print $2 }' |
			grep -v '^<' | sed 's/:any$//' | sort -u); do
			case $dep in lib* | zlib*) ;; *) continue ;; esac
			[ -z "${seen[$dep]:-}" ] || continue
			seen[$dep]=1
			next+=("$dep")
		done
		todo=("${next[@]}")
	done
	# shellcheck disable=SC2046 # one word per package
	apt-cache policy $(printf '%s\n' "${!seen[@]}" | sort) |
		awk '/^[^ ]/ { p = $1; sub(/:$/, "", p) }
		     $1 == "Candidate:" { print p "=" $2 }' | sort
}

# Download and unpack the packages (once per set of versions); prints the
# root of the unpacked tree. Its .packages file lists "name=version".
ensure_rocm_userspace() {
	local list key ver dir tmp deb
	list=$(rocm_package_list)
	if grep -q '=(none)$' <<<"$list"; then
		msg "no candidate for: $(grep '=(none)$' <<<"$list" | tr '\n' ' '); updating the package lists"
		if [ "$(id -u)" -eq 0 ]; then
			apt-get update -qq >/dev/null
		else
			sudo apt-get update -qq >/dev/null
		fi
		list=$(rocm_package_list)
		! grep -q '=(none)$' <<<"$list" || die "Debian's ROCm packages are not in the archive: $(grep '=(none)$' <<<"$list" | tr '\n' ' ')"
	fi
	ver=$(sed -n 's/^libhsa-runtime64-1=\([0-9.]*\).*/\1/p' <<<"$list")
	key=$(sha256sum <<<"$list" | cut -c1-12)
	dir=$VKFD_CACHE/rocm/$ver-$key
	if [ ! -e "$dir/.done" ]; then
		msg "fetching Debian's ROCm $ver user space ($(wc -l <<<"$list") packages)"
		rm -rf "$dir"
		mkdir -p "$VKFD_CACHE/rocm"
		tmp=$(mktemp -d "$VKFD_CACHE/rocm/.dl.XXXXXX")
		# shellcheck disable=SC2046 # one word per package
		apt_download "$tmp" $(cat <<<"$list")
		mkdir -p "$tmp/root"
		for deb in "$tmp"/*.deb; do
			dpkg -x "$deb" "$tmp/root"
		done
		printf '%s\n' "$list" >"$tmp/root/.packages"
		touch "$tmp/root/.done"
		mv "$tmp/root" "$dir"
		rm -rf "$tmp"
	fi
	echo "$dir"
}

# Build the ROCm programs (tests/rocm/*.c, bench/rocm/*.c) against the
# tree $1 into $BUILD/rocm.
build_rocm_programs() {
	local root=$1 log=$BUILD/check/logs/rocm.log
	mkdir -p "$(dirname "$log")"
	if ! make -C "$VKFD_SRC" rocm ROCM_ROOT="$root" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "building the ROCm programs failed (log: $log)"
	fi
}

# Python's standard library, minus what neither rocm-smi nor
# rocm_agent_enumerator imports (tests, GUI, network and mail, packaging,
# ...): 15 MiB become about 5.
ROCM_PY_PRUNE=(
	test idlelib tkinter turtledemo turtle.py lib2to3 ensurepip distutils
	pydoc_data pydoc.py asyncio email http xmlrpc wsgiref html xml
	multiprocessing sqlite3 curses dbm venv unittest concurrent
	config-3.11-x86_64-linux-gnu site-packages dist-packages __phello__
	_pydecimal.py tomllib zoneinfo idlelib
)
# Extension modules left out: tests, and those that would pull in large
# libraries nothing here uses (OpenSSL, sqlite, readline, ncurses, dbm).
ROCM_PY_DYNLOAD_PRUNE='_test|_ctypes_test|xxlimited|_xxtestfuzz|_ssl|_hashlib|_sqlite3|_dbm|_gdbm|readline|_curses|_codecs_|nis|ossaudiodev|audioop|_decimal'

# Stage ROCm into the guest tree $2 from the unpacked tree $1; $3... are
# host programs to place in the guest's /vkfd/rocm (with their libraries).
stage_rocm() {
	local root=$1 stage=$2 py=usr/lib/python3.11 f p progs=()
	shift 2
	mkdir -p "$stage/vkfd/rocm" "$stage/$py" "$stage/usr/bin" "$stage/bin" \
		"$stage/usr/libexec" "$stage/usr/share/libdrm"
	for p in "$@"; do
		install -m 0755 "$p" "$stage/vkfd/rocm/"
		progs+=("$stage/vkfd/rocm/$(basename "$p")")
	done
	# Scripts and data.
	cp -a "$root/usr/bin/rocm_agent_enumerator" "$root/usr/bin/rocm-smi" "$stage/usr/bin/"
	cp -a "$root/usr/libexec/rocm_smi" "$stage/usr/libexec/"
	cp -a "$root/usr/share/libdrm/amdgpu.ids" "$stage/usr/share/libdrm/"
	# Their "#!/usr/bin/env python3" (env is busybox's).
	ln -sf python3.11 "$stage/usr/bin/python3"
	# procps's ps: rocm-smi names a process with "ps -p PID -o comm=",
	# which busybox's ps does not take. It runs that through /bin/sh, and
	# busybox's sh prefers its own applets to anything in PATH: /bin/sh
	# is Debian's, dash, as on a Debian system (the guest's /init runs
	# busybox's sh by name).
	rm -f "$stage/bin/ps" "$stage/bin/sh"
	ln -s dash "$stage/bin/sh"
	(cd "$root/$py" && find . -mindepth 1 -maxdepth 1) | sed 's|^\./||' | while read -r f; do
		case " ${ROCM_PY_PRUNE[*]} " in *" $f "*) continue ;; esac
		cp -a "$root/$py/$f" "$stage/$py/"
	done
	rm -rf "$stage/$py/lib-dynload"
	mkdir -p "$stage/$py/lib-dynload"
	set --
	for f in "$root/$py/lib-dynload/"*.so; do
		f=${f#"$root/"}
		if ! grep -qE "/($ROCM_PY_DYNLOAD_PRUNE)[^/]*\.so$" <<<"/${f##*/}"; then
			set -- "$@" "$f"
		fi
	done
	# The programs and every library they need, from the unpacked tree.
	"$PYTHON" "$VM_DIR/rocm-stage.py" "$root" "$stage" \
		usr/bin/rocminfo usr/bin/python3.11 bin/ps bin/dash usr/lib/librocm_smi64.so.1 \
		usr/lib/x86_64-linux-gnu/libhsa-runtime64.so.1 "$@" \
		"${progs[@]}" ||
		die "staging ROCm's libraries failed"
	# Byte-compile the library once here, with the guest's own python run
	# through the guest's own dynamic linker (its libc may be newer than
	# the host's), so the guest does not compile it on every run under
	# emulation. The recorded file names are the guest's.
	"$stage/lib64/ld-linux-x86-64.so.2" \
		--library-path "$stage/lib/x86_64-linux-gnu:$stage/usr/lib/x86_64-linux-gnu" \
		"$stage/usr/bin/python3.11" -E -m compileall -q \
		-s "$stage" -p / "$stage/$py" "$stage/usr/libexec/rocm_smi" >/dev/null ||
		msg "warning: byte-compiling python's library for the guest failed"
}
