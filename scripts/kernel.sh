#!/usr/bin/env bash
# Fetches a Debian kernel flavour (image, modules, headers) into a cache
# without touching /boot or dpkg's database, and prints shell assignments:
#   KVER=<uname -r>  VMLINUZ=<path>  KDIR=<headers build dir>
# Usage: scripts/kernel.sh 6.1|6.12|6.1-rt|6.12-rt
set -euo pipefail

flavour=${1:-6.1}
cache=${NETLOG_CACHE:-/var/cache/netlog}/kernels

case "$flavour" in
6.1) meta=linux-image-amd64 ;;
6.12) meta=linux-image-6.12-amd64 ;;
6.1-rt) meta=linux-image-rt-amd64 ;;
6.12-rt) meta=linux-image-6.12-rt-amd64 ;;
*)
	echo "kernel.sh: unknown flavour '$flavour' (6.1, 6.12, 6.1-rt, 6.12-rt)" >&2
	exit 2
	;;
esac

# First dependency of a package whose name matches a pattern.
dep() {
	apt-cache depends "$1" 2>/dev/null |
		awk -v pat="$2" '$1 ~ /Depends:/ && $2 ~ pat { print $2; exit }'
}

image=$(dep "$meta" '^linux-image-')
if [ -z "$image" ]; then
	apt-get update -q >&2
	image=$(dep "$meta" '^linux-image-')
fi
[ -n "$image" ] || { echo "kernel.sh: cannot resolve $meta" >&2; exit 1; }
image=${image%-unsigned}
kver=${image#linux-image-}
root=$cache/$kver

if [ ! -e "$root/.complete" ]; then
	headers=linux-headers-$kver
	common=$(dep "$headers" '^linux-headers-.*-common')
	kbuild=$(dep "$headers" '^linux-kbuild-')
	rm -rf "$root" "$root.debs"
	mkdir -p "$root.debs"
	(cd "$root.debs" && apt-get download "$image" "$headers" "$common" "$kbuild" >&2)
	for deb in "$root.debs"/*.deb; do dpkg-deb -x "$deb" "$root"; done
	rm -rf "$root.debs"
	# The headers' Makefile includes the -common tree by absolute path.
	sed -i "s|^include /usr/src/|include $root/usr/src/|" \
		"$root/usr/src/linux-headers-$kver/Makefile"
	touch "$root/.complete"
fi

echo "KVER=$kver"
echo "VMLINUZ=$root/boot/vmlinuz-$kver"
echo "KDIR=$root/usr/src/linux-headers-$kver"
