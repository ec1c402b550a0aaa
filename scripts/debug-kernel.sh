#!/usr/bin/env bash
# Builds the debug kernel (KASAN, lockdep, kmemleak, UBSAN, object and list
# debugging, KUnit) from Debian's linux-source-6.1: allnoconfig with what the
# test VM needs (tests/debug/vm.config) and the debug options
# (tests/debug/debug.config), once: the tree is cached outside the work tree,
# keyed by the source package version and the fragments' hash, and other keys
# are removed once it is built. Prints KVER=, VMLINUZ=, KDIR= like kernel.sh.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${NETLOG_CACHE:-/var/cache/netlog}/debug-kernel
fragments=("$top/tests/debug/vm.config" "$top/tests/debug/debug.config")

version=$(apt-cache policy linux-source-6.1 2>/dev/null | sed -n 's/ *Candidate: //p')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
	apt-get update -q >&2
	version=$(apt-cache policy linux-source-6.1 | sed -n 's/ *Candidate: //p')
fi
key=$version-$(cat "${fragments[@]}" | sha256sum | cut -c1-12)
tree=$cache/$key/linux

if [ ! -e "$cache/$key/.complete" ]; then
	echo "debug-kernel: building $key (about 12 minutes on 2 cores)" >&2
	rm -rf "${cache:?}/$key"
	mkdir -p "$cache/$key"
	(cd "$cache/$key" && apt-get download "linux-source-6.1=$version" >&2)
	dpkg-deb --fsys-tarfile "$cache/$key"/linux-source-6.1_*.deb |
		tar -x -O --wildcards './usr/src/linux-source-6.1.tar.xz' |
		tar -xJ -C "$cache/$key"
	rm -f "$cache/$key"/*.deb
	mv "$cache/$key"/linux-source-6.1 "$tree"
	(
		cd "$tree"
		scripts/kconfig/merge_config.sh -n "${fragments[@]}" >&2
		# Every option of the fragments must have survived.
		while IFS= read -r line; do
			case "$line" in CONFIG_*=y)
				grep -qx "$line" .config ||
					{ echo "debug-kernel: $line did not take" >&2; exit 1; } ;;
			esac
		done < <(cat "${fragments[@]}")
		make -j"$(nproc)" >&2
	)
	touch "$cache/$key/.complete"
	find "$cache" -mindepth 1 -maxdepth 1 ! -name "$key" -exec rm -rf {} +
fi

echo "KVER=$(make -s -C "$tree" kernelrelease)"
echo "VMLINUZ=$tree/arch/x86/boot/bzImage"
echo "KDIR=$tree"
