#!/usr/bin/env bash
# Builds and tests netlog's packages. Everything goes to build/pkg.
#
#   scripts/packages.sh build          .deb and .rpm of netlog-dkms and netlog-reader
#   scripts/packages.sh build-deb      the .debs only
#   scripts/packages.sh dkms           dkms add/build/install/remove for 6.1 and 6.12 (amd64, arm64)
#   scripts/packages.sh rpm            rpmbuild -bs/-bb, and rpm -qpl lists what it should
#   scripts/packages.sh deb            dpkg -i both on this host: DKMS built, reader runs
#   scripts/packages.sh install        make install/uninstall into a DESTDIR
#   scripts/packages.sh intree         kmod/ built inside a linux-source-6.1 tree
#
# The version of every package is the tree's VERSION file.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
version=$(cat VERSION)
out=$top/build/pkg
kernel() { "$top/scripts/kernel.sh" "$1" | sed -n "s/^$2=//p"; }

# The tracked files of the tree (working copy) under the given paths, or
# all of them, as the directory $1.
export_tree() {
	local dir=$1
	shift
	rm -rf "$dir" && mkdir -p "$dir"
	# Deleted but not yet committed files are skipped.
	git -C "$top" ls-files -z --cached --others --exclude-standard -- "$@" |
		(cd "$top" && while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"
		done) |
		(cd "$top" && xargs -0 cp --parents -t "$dir")
}

# What DKMS builds from: the same files in the tree, in the packages, and in
# /usr/src/netlog-<version>.
dkms_payload=(dkms.conf VERSION kmod)

# The .debs, by debhelper and dh-dkms (debian/) from an export of the tree,
# as dpkg-buildpackage builds them from a checkout; debian/changelog's
# version is VERSION's.
build_deb() {
	local src=$out/deb/netlog-$version
	local changelog
	changelog=$(dpkg-parsechangelog -l debian/changelog -S Version)
	if [ "$changelog" != "$version" ]; then
		echo "debian/changelog says $changelog, VERSION $version"
		return 1
	fi
	rm -rf "$out/deb" && mkdir -p "$out/deb"
	export_tree "$src"
	(cd "$src" && dpkg-buildpackage -b -us -uc >"$out/deb/build.log" 2>&1) ||
		{ tail -40 "$out/deb/build.log"; return 1; }
	mv "$out/deb/netlog-dkms_${version}_all.deb" \
		"$out/deb/netlog-reader_${version}_$(dpkg --print-architecture).deb" "$out/"
	rm -rf "$out/deb"
}

build_rpm() {
	local topdir=$out/rpmbuild
	rm -rf "$topdir" && mkdir -p "$topdir/SOURCES"
	export_tree "$topdir/netlog-$version"
	tar -C "$topdir" -czf "$topdir/SOURCES/netlog-$version.tar.gz" "netlog-$version"
	rm -rf "${topdir:?}/netlog-$version"
	cp VERSION "$topdir/SOURCES/"
	rpmbuild --define "_topdir $topdir" --nodeps -bs rpm/netlog.spec >/dev/null
	rpmbuild --define "_topdir $topdir" --nodeps -bb rpm/netlog.spec >"$topdir/build.log" 2>&1 ||
		{ tail -n 30 "$topdir/build.log"; return 1; }
	cp "$topdir"/SRPMS/*.rpm "$topdir"/RPMS/*/*.rpm "$out/"
}

# Fails unless the listing ($1) holds every path that follows.
expect_paths() {
	local list=$1 path rc=0
	shift
	for path in "$@"; do
		grep -qxF "$path" <<<"$list" || { echo "missing: $path"; rc=1; }
	done
	return $rc
}

test_rpm() {
	build_rpm
	local dkms reader
	dkms=$(rpm -qpl "$out/netlog-dkms-$version"-1*.noarch.rpm)
	reader=$(rpm -qpl "$out/netlog-reader-$version"-1*.rpm)
	[ "$(rpm -qp --qf '%{ARCH}' "$out/netlog-dkms-$version"-1*.noarch.rpm)" = noarch ]
	rpm -qp --scripts "$out/netlog-dkms-$version"-1*.noarch.rpm | grep -q 'dkms remove.*--rpm_safe_upgrade'
	# Both units enabled by preset on install, the reader restarted on upgrade.
	rpm -qp --scripts "$out/netlog-reader-$version"-1*.rpm >"$out/scripts.txt"
	grep -q 'preset netlog-reader.service netlog-whitelist.service' "$out/scripts.txt"
	grep -q 'try-restart netlog-reader.service' "$out/scripts.txt"
	expect_paths "$dkms" "/usr/src/netlog-$version/dkms.conf" \
		"/usr/src/netlog-$version/VERSION" \
		"/usr/src/netlog-$version/kmod/netlog/sock.c" \
		"/usr/src/netlog-$version/kmod/uapi/netlog.h" &&
		expect_paths "$reader" /usr/sbin/netlog-reader /usr/sbin/netlogctl \
			/usr/sbin/netlog-search /usr/share/man/man8/netlog-search.8.gz \
			/usr/lib/systemd/system/netlog-reader.service \
			/usr/lib/systemd/system/netlog-whitelist.service \
			/usr/lib/systemd/system/netlog-metrics.timer \
			/etc/netlog/whitelist.conf /usr/share/man/man8/netlogctl.8.gz \
			/usr/lib/udev/rules.d/60-secure_log.rules \
			/etc/sysconfig/netlog-reader /usr/lib/modules-load.d/netlog.conf \
			/usr/lib/systemd/system-preset/90-netlog.preset \
			/etc/modprobe.d/netlog.conf /etc/logrotate.d/netlog \
			/usr/lib/systemd/journald@netlog.conf.d/netlog.conf \
			/usr/lib/tmpfiles.d/netlog.conf \
			/usr/lib/systemd/system/systemd-journald@netlog.service.d/netlog.conf \
			/usr/share/man/man8/netlog-reader.8.gz /usr/share/man/man4/netlog.4.gz \
			/usr/share/man/man4/execlog.4.gz /usr/share/man/man5/whitelist.conf.5.gz
}

# dkms add/build/install/remove in private trees, for the 6.1 and 6.12
# headers, amd64 and arm64 (cross-built: ARCH and CROSS_COMPILE in dkms's
# environment reach the make it runs).
test_dkms() {
	local tmp k kver kdir env machine ko rc=0
	tmp=$(mktemp -d)
	export_tree "$tmp/tree" "${dkms_payload[@]}"
	local dkms=(dkms --dkmstree "$tmp/dkms" --sourcetree "$tmp/src"
		--installtree "$tmp/root/lib/modules")
	mkdir -p "$tmp/dkms" "$tmp/src"
	"${dkms[@]}" add "$tmp/tree" >/dev/null
	for k in 6.1 6.12 6.1-arm64 6.12-arm64; do
		kver=$(kernel "$k" KVER)
		kdir=$(kernel "$k" KDIR)
		env=() machine=3e # ELF e_machine: x86-64
		if [ "$(kernel "$k" KARCH)" = arm64 ]; then
			env=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) machine=b7 # AArch64
		fi
		mkdir -p "$tmp/root/lib/modules/$kver"
		if ! env "${env[@]}" "${dkms[@]}" build -m netlog -v "$version" -k "$kver" \
			--kernelsourcedir "$kdir" >"$tmp/build.log" 2>&1 ||
			! env "${env[@]}" "${dkms[@]}" install -m netlog -v "$version" -k "$kver" \
				--kernelsourcedir "$kdir" --no-depmod >/dev/null 2>&1 ||
			! depmod -b "$tmp/root" "$kver" 2>/dev/null ||
			! grep -q 'netlog.ko:.*secure_log.ko' "$tmp/root/lib/modules/$kver/modules.dep" ||
			! grep -q 'execlog.ko:.*secure_log.ko' "$tmp/root/lib/modules/$kver/modules.dep" ||
			! "${dkms[@]}" status -m netlog -k "$kver" | grep -q ": installed"; then
			echo "dkms: $k ($kver) failed"
			cat "$tmp/build.log"
			rc=1
			continue
		fi
		# Built for the kernel's architecture (dkms may have compressed it).
		ko=$(find "$tmp/root/lib/modules/$kver" -name 'netlog.ko*' | head -n 1)
		if [ "$(xz -dcf "$ko" | od -An -tx1 -j18 -N1 | tr -d ' ')" != "$machine" ]; then
			echo "dkms: $k ($kver): $ko is not for its architecture"
			rc=1
		fi
	done
	# A kernel older than 6.1 is refused by name, before any build.
	mkdir -p "$tmp/root/lib/modules/5.10.0-30-amd64"
	if "${dkms[@]}" build -m netlog -v "$version" -k 5.10.0-30-amd64 \
		--kernelsourcedir "$(kernel 6.1 KDIR)" >"$tmp/old.log" 2>&1 ||
		! grep -q BUILD_EXCLUSIVE "$tmp/old.log"; then
		echo "dkms: 5.10 was not refused:"
		cat "$tmp/old.log"
		rc=1
	fi
	"${dkms[@]}" remove -m netlog -v "$version" --all >/dev/null
	# Nothing left behind: no module, no dkms state.
	if find "$tmp/root" "$tmp/dkms" -name '*.ko*' | grep -q . ||
		[ -e "$tmp/dkms/netlog" ]; then
		echo "dkms: remove left files behind"
		rc=1
	fi
	rm -rf "$tmp"
	return $rc
}

# The .debs on this host. This host has no kernel of its own in /lib/modules,
# so the test lends DKMS the cached 6.1 headers there for the duration.
test_deb() {
	local kver kdir made=
	build_deb
	# As a distribution would take them: lintian without an error or a
	# warning (debian/*.lintian-overrides say why for each one left).
	if ! lintian --fail-on error,warning "$out/netlog-dkms_${version}_all.deb" \
		"$out/netlog-reader_${version}_$(dpkg --print-architecture).deb" >"$out/lintian.log" 2>&1; then
		echo "deb: lintian:"
		cat "$out/lintian.log"
		return 1
	fi
	kver=$(kernel 6.1 KVER)
	kdir=$(kernel 6.1 KDIR)
	if [ ! -e "/lib/modules/$kver" ]; then
		made=/lib/modules/$kver
		[ -e /lib/modules ] || made=/lib/modules
		mkdir -p "/lib/modules/$kver" && ln -s "$kdir" "/lib/modules/$kver/build"
	fi
	local rc=0
	dpkg -i "$out/netlog-dkms_${version}_all.deb" \
		"$out/netlog-reader_${version}_$(dpkg --print-architecture).deb" >"$out/dpkg.log" 2>&1 ||
		{ cat "$out/dpkg.log"; rc=1; }
	dkms status -m netlog -v "$version" -k "$kver" | grep -q ": installed" ||
		{ echo "deb: dkms did not build for $kver"; rc=1; }
	for m in secure_log netlog execlog; do
		find "/lib/modules/$kver/updates/dkms" -name "$m.ko*" | grep -q . ||
			{ echo "deb: $m.ko not installed"; rc=1; }
	done
	[ "$(/usr/sbin/netlog-reader --version)" = "netlog-reader $version" ] ||
		{ echo "deb: netlog-reader --version: $(/usr/sbin/netlog-reader --version)"; rc=1; }
	dpkg --purge netlog-reader netlog-dkms >>"$out/dpkg.log" 2>&1 || rc=1
	if [ -e /usr/sbin/netlog-reader ] || [ -e "/usr/src/netlog-$version" ] ||
		[ -e /var/lib/dkms/netlog ]; then
		echo "deb: purge left files behind"
		rc=1
	fi
	[ -z "$made" ] || rm -rf "$made"
	return $rc
}

# From a copy of the tree, as make install builds in place.
test_install() {
	local tmp kver kdir left
	tmp=$(mktemp -d)
	kver=$(kernel 6.1 KVER)
	kdir=$(kernel 6.1 KDIR)
	export_tree "$tmp/src"
	make -s -C "$tmp/src" install DESTDIR="$tmp/root" PREFIX=/usr KDIR="$kdir" \
		KVER="$kver" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; return 1; }
	rm -rf "$tmp/src"
	expect_paths "$(cd "$tmp/root" && find . -type f | sed 's|^\.||')" \
		"/lib/modules/$kver/extra/netlog/netlog.ko" \
		"/lib/modules/$kver/extra/secure_log/secure_log.ko" \
		"/lib/modules/$kver/extra/execlog/execlog.ko" \
		/usr/sbin/netlog-reader /lib/systemd/system/netlog-reader.service \
		/usr/sbin/netlogctl /lib/systemd/system/netlog-whitelist.service \
		/usr/sbin/netlog-search /usr/share/man/man8/netlog-search.8.gz \
		/lib/systemd/system/netlog-metrics.service /lib/systemd/system/netlog-metrics.timer \
		/etc/netlog/whitelist.conf /usr/share/man/man8/netlogctl.8.gz \
		/usr/share/doc/netlog-reader/examples/rsyslog-netlog.conf \
		/lib/udev/rules.d/60-secure_log.rules /etc/default/netlog-reader \
		/etc/modules-load.d/netlog.conf /etc/modprobe.d/netlog.conf \
		/usr/lib/systemd/journald@netlog.conf.d/netlog.conf \
		/usr/lib/tmpfiles.d/netlog.conf /etc/logrotate.d/netlog \
		/lib/systemd/system/systemd-journald@netlog.service.d/netlog.conf \
		/usr/share/man/man8/netlog-reader.8.gz /usr/share/man/man4/netlog.4.gz \
		/usr/share/man/man4/execlog.4.gz /usr/share/man/man5/whitelist.conf.5.gz || return 1
	# A reader that stops for any reason is restarted. (That journald keeps
	# every line of it is tests/journal's test, under systemd.)
	local unit=$tmp/root/lib/systemd/system/netlog-reader.service
	if ! grep -qx 'Restart=always' "$unit"; then
		echo "install: unit lacks Restart=always"
		return 1
	fi
	make -s uninstall DESTDIR="$tmp/root" PREFIX=/usr KVER="$kver"
	left=$(find "$tmp/root" -type f)
	rm -rf "$tmp"
	[ -z "$left" ] || { echo "uninstall left: $left"; return 1; }
}

# kmod/ as drivers/netlog of a linux-source-6.1 tree, enabled with
# scripts/config and built with make M= (after modules_prepare).
test_intree() {
	local src tree
	src=$(find "${NETLOG_CACHE:-/var/cache/netlog}/debug-kernel" -mindepth 2 -maxdepth 2 \
		-name linux -type d 2>/dev/null | head -n 1)
	tree=${NETLOG_CACHE:-/var/cache/netlog}/intree/linux
	# .prepared-3: the configuration has dynamic ftrace (the entry hooks).
	if [ ! -e "$tree/.prepared-3" ]; then
		[ -n "$src" ] || { echo "intree: no linux-source-6.1 (scripts/debug-kernel.sh)"; return 1; }
		rm -rf "$tree" && mkdir -p "$tree"
		# The pristine sources, without the debug build's objects.
		tar -C "$src" --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
			--exclude=vmlinux --exclude='*.a' -cf - . | tar -C "$tree" -xf -
		make -s -C "$tree" mrproper >/dev/null
		printf '\nsource "drivers/netlog/Kconfig"\n' >>"$tree/drivers/Kconfig"
		printf '\nobj-y += netlog/\n' >>"$tree/drivers/Makefile"
		cp -r kmod "$tree/drivers/netlog"
		make -s -C "$tree" x86_64_defconfig >/dev/null
		"$tree/scripts/config" --file "$tree/.config" -e MODULES -e KPROBES \
			-e KRETPROBES -e INET -e FTRACE -e FUNCTION_TRACER \
			-e DYNAMIC_FTRACE \
			-m SECURE_LOG -m NETLOG -m EXECLOG
		make -s -C "$tree" olddefconfig >/dev/null
		make -s -C "$tree" -j"$(nproc)" modules_prepare >/dev/null
		touch "$tree/.prepared-3"
	fi
	rm -rf "$tree/drivers/netlog" && cp -r kmod "$tree/drivers/netlog"
	if ! grep -qx 'CONFIG_NETLOG=m' "$tree/.config" ||
		! grep -qx 'CONFIG_EXECLOG=m' "$tree/.config" ||
		! grep -qx 'CONFIG_SECURE_LOG=m' "$tree/.config"; then
		echo "intree: Kconfig did not take CONFIG_NETLOG/EXECLOG/SECURE_LOG"
		return 1
	fi
	# modules_prepare has no Module.symvers: modpost's unresolved-symbol
	# warnings are expected there, so the log is shown only on failure.
	mkdir -p "$out"
	make -s -C "$tree" -j"$(nproc)" M=drivers/netlog modules >"$out/intree.log" 2>&1 ||
		{ cat "$out/intree.log"; return 1; }
	[ -e "$tree/drivers/netlog/netlog/netlog.ko" ] &&
		[ -e "$tree/drivers/netlog/execlog/execlog.ko" ] &&
		[ -e "$tree/drivers/netlog/secure_log/secure_log.ko" ]
}

case "${1:-}" in
build) build_deb && build_rpm && ls -1 "$out"/*.deb "$out"/*.rpm ;;
build-deb) build_deb && ls -1 "$out"/*.deb ;;
dkms) test_dkms ;;
rpm) test_rpm ;;
deb) test_deb ;;
install) test_install ;;
intree) test_intree ;;
*)
	sed -n '2,12p' "$0" >&2
	exit 2
	;;
esac
