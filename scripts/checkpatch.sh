#!/usr/bin/env bash
# Runs the kernel's checkpatch.pl (from Debian's linux-source-6.1, fetched
# and unpacked once into the cache) over kmod/.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${NETLOG_CACHE:-/var/cache/netlog}/checkpatch
cp_pl=$cache/scripts/checkpatch.pl

if [ ! -x "$cp_pl" ]; then
	rm -rf "$cache.tmp"
	mkdir -p "$cache.tmp"
	if ! (cd "$cache.tmp" && apt-get download linux-source-6.1 >/dev/null 2>&1); then
		apt-get update -q >&2
		(cd "$cache.tmp" && apt-get download linux-source-6.1 >&2)
	fi
	dpkg-deb --fsys-tarfile "$cache.tmp"/linux-source-6.1_*.deb |
		tar -x -O --wildcards './usr/src/linux-source-6.1.tar.xz' |
		tar -xJ -C "$cache.tmp" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' '*/.clang-format'
	rm -f "$cache.tmp"/*.deb
	rm -rf "$cache"
	mv "$cache.tmp" "$cache"
fi

cd "$top/kmod"
exec make -s style CHECKPATCH="$cp_pl"
