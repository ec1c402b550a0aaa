#!/usr/bin/env bash
# Builds (once) the bench VM's root: a debootstrap of Debian bookworm with
# auditd, bpftrace and perf, and systemd, rsyslog, logrotate and the
# reader's libraries (tests/journal boots it as PID 1 and installs the
# reader's .deb),
# packed as an uncompressed cpio that the bench puts in front of its own
# files. Cached in /var/cache/netlog/bench-root/<hash of
# this script and the flavour>; prints the cpio's path. debootstrap comes
# from scripts/deps.sh.
#
# root.sh bcc: the same with bcc's tools (bpfcc-tools) for make bench, in a
# root of its own: they bring LLVM, which the systemd VM test need not boot;
# and with the servers and tools of the bench's workloads (bench/work.sh).
set -euo pipefail

packages=auditd,bpftrace,iproute2,kmod,linux-perf,logrotate,procps,systemd,systemd-sysv,udev,rsyslog,libfmt9,libnl-3-200,libnl-genl-3-200
flavour=${1:-}
case "$flavour" in
"") ;;
bcc) packages+=,bpfcc-tools,python3-netaddr,nginx-light,apache2-utils,unbound,dnsmasq-base,dnsperf,gcc,libc6-dev,make ;;
*)
	echo "bench/root.sh: unknown flavour $flavour" >&2
	exit 2
	;;
esac
# The mirror is the one this machine's apt uses for bookworm's main
# (DEBIAN_MIRROR overrides): the project names no package host.
# shellcheck disable=SC2016 # $(SITE) and the like are apt's, not the shell's
mirror=${DEBIAN_MIRROR:-$(apt-get indextargets --format '$(SITE) $(RELEASE) $(COMPONENT)' |
	awk '$2 == "bookworm" && $3 == "main" { print $1; exit }')}
if [ -z "$mirror" ]; then
	echo "bench/root.sh: apt has no bookworm main source (or needs apt-get update); set DEBIAN_MIRROR" >&2
	exit 1
fi
cache=/var/cache/netlog/bench-root/$( (cat "$0" && echo "$flavour") | sha256sum | cut -c1-12)
cpio=$cache/root.cpio

# One builder at a time: two benches at once (two worktrees) would remove
# each other's half-built root.
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
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
