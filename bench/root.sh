#!/usr/bin/env bash
# Builds (once) the bench VM's root: a debootstrap of Debian bookworm with
# auditd, bpftrace and perf, packed as an uncompressed cpio that the bench puts in
# front of its own files. Cached in /var/cache/netlog/bench-root/<hash of
# this script>; prints the cpio's path. debootstrap comes from scripts/deps.sh.
set -euo pipefail

packages=auditd,bpftrace,iproute2,kmod,linux-perf,procps
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=/var/cache/netlog/bench-root/$(sha256sum "$0" | cut -c1-12)
cpio=$cache/root.cpio

if [ ! -s "$cpio" ]; then
	rm -rf "$cache"
	mkdir -p "$cache"
	debootstrap --variant=minbase --include="$packages" bookworm \
		"$cache/root" "$mirror" >&2
	# What a VM that lives for minutes never reads.
	rm -rf "$cache"/root/usr/share/{doc,man,info,locale} \
		"$cache"/root/var/cache/apt/* "$cache"/root/var/lib/apt/lists/*
	(cd "$cache/root" && find . | cpio -o -H newc --quiet) >"$cpio.tmp"
	mv "$cpio.tmp" "$cpio"
	rm -rf "$cache/root"
fi
echo "$cpio"
