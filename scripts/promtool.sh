#!/usr/bin/env bash
# Prints the path of promtool (Debian's prometheus package), taken out of
# the package once into the cache: the tests lint netlog's Prometheus page
# with it, and installing the package would start a Prometheus server.
set -euo pipefail

if command -v promtool >/dev/null; then
	command -v promtool
	exit 0
fi
dir=${NETLOG_CACHE:-/var/cache/netlog}/promtool
if [ ! -x "$dir/usr/bin/promtool" ]; then
	rm -rf "$dir" "$dir.deb"
	mkdir -p "$dir.deb"
	(cd "$dir.deb" && { apt-get download prometheus >&2 ||
		{ apt-get update -q >&2 && apt-get download prometheus >&2; }; })
	dpkg-deb -x "$dir.deb"/prometheus_*.deb "$dir"
	rm -rf "$dir.deb"
fi
echo "$dir/usr/bin/promtool"
