#!/usr/bin/env bash
# Prints the path of a static busybox for arm64 (Debian's busybox-static),
# unpacked once next to the kernels. Needs dpkg's arm64 architecture
# (scripts/deps-arm64.sh).
set -euo pipefail

bb=${NETLOG_CACHE:-/var/cache/netlog}/busybox-arm64
if [ ! -x "$bb/bin/busybox" ]; then
	rm -rf "$bb" && mkdir -p "$bb"
	(cd "$bb" && apt-get download busybox-static:arm64 >&2)
	dpkg-deb -x "$bb"/busybox-static_*.deb "$bb"
fi
echo "$bb/bin/busybox"
