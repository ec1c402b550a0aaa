#!/usr/bin/env bash
# The reader as a Debian admin installs it, under systemd: boots the bench's
# Debian bookworm root (bench/root.sh) with systemd as PID 1 on Debian's 6.1
# kernel (QEMU, TCG). The guest (tests/journal/check.sh) installs the
# netlog-reader .deb built by debhelper with dpkg -i, loads the modules
# through the package's modules-load.d file (the modules are prebuilt here:
# DKMS in a TCG guest would need the headers and a compiler in the root,
# and tests/packages' deb stage runs it on the host), makes at least
# 100,000 records as uid 1000 and checks that every record the kernel made
# is in the journal, in sequence; then netlogctl, and the RFC 5424 lines
# through rsyslog to a second rsyslogd over TCP.
# Ends with "N passed, M failed".
#
# JOURNAL_RECORDS (100000), VM_TIMEOUT seconds (900).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$top/tests/vm/lib.sh"
out=$top/build/journal
stage=$out/overlay
"$top/scripts/deps.sh"
eval "$("$top/scripts/kernel.sh" 6.1)"
root_cpio=$("$top/bench/root.sh")
promtool=$("$top/scripts/promtool.sh")

rm -rf "$stage"
mkdir -p "$stage/usr/local/bin" "$stage/etc/systemd/system/multi-user.target.wants"

# The modules, prebuilt, where DKMS would put them. The root has a merged
# /usr (/lib is a link, which a directory of ours in the cpio would
# replace): everything goes under /usr.
vm_modules "$top/kmod" "$out/kmod" "$KDIR"
make -s -C "$out/kmod" KDIR="$KDIR" KERNELRELEASE="$KVER" \
	INSTALL_MOD_PATH="$stage/usr" DEPMOD=true install
# Our two modules only: depmod's warnings about the kernel's own lists are
# noise here.
depmod -b "$stage/usr" "$KVER" 2>/dev/null
# The reader's .deb, for dpkg -i in the guest (its libraries are in the root).
# (Its unit tests run in make check's own stages.)
DEB_BUILD_OPTIONS=nocheck "$top/scripts/packages.sh" build-deb >/dev/null
mkdir -p "$stage/root"
cp "$top/build/pkg/netlog-reader_$(cat "$top/VERSION")_amd64.deb" "$stage/root/netlog-reader.deb"
gcc -O2 -Wall -Wextra -Werror -o "$stage/usr/local/bin/netloop" "$top/bench/netloop.c"
install -m 0755 "$top/tests/journal/check.sh" "$stage/usr/local/bin/netlog-journal-check"

# The test's own settings: the packages' default output (the journal's
# native protocol, NETLOG_* fields), a ring that
# holds the whole run (so that only the reader and journald are tested),
# and a journal in memory large enough for it. journald's rate limit is
# left as Debian ships it: the unit's own limits are tested.
mkdir -p "$stage/etc/modprobe.d"
echo 'options secure_log capacity=134217728' >"$stage/etc/modprobe.d/netlog-test.conf"
mkdir -p "$stage/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=1G\nRuntimeMaxFileSize=256M\n' \
	>"$stage/etc/systemd/journald.conf.d/netlog-test.conf"
# rsyslog: the system's instance with netlog's example file (forwarding on),
# and nothing else (the journal's lines stay out of it); the central
# collector's configuration, started by the check.
mkdir -p "$stage/etc/rsyslog.d"
printf '%s\n' 'global(maxMessageSize="64k" workDirectory="/var/spool/rsyslog")' \
	'module(load="imuxsock" sysSock.use="off")' 'include(file="/etc/rsyslog.d/*.conf")' \
	>"$stage/etc/rsyslog.conf"
sed 's/^\t#fwd /\t/' "$top/dist/rsyslog-netlog.conf" >"$stage/etc/rsyslog.d/netlog.conf"
cat >"$stage/etc/netlog-central.conf" <<'CONF'
global(maxMessageSize="64k" workDirectory="/var/spool/rsyslog-central")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="10514" ruleset="central")
ruleset(name="central") {
	action(type="omfile" file="/var/log/central/netlog.log" fileCreateMode="0600"
	       template="RSYSLOG_SyslogProtocol23Format")
}
CONF
cat >"$stage/etc/systemd/system/netlog-journal-check.service" <<'UNIT'
[Unit]
Description=netlog: the .deb installed, 100,000 records through journald, rsyslog
After=systemd-modules-load.service rsyslog.service
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=oneshot
ExecStart=/usr/local/bin/netlog-journal-check
StandardOutput=file:/dev/ttyS1
StandardError=file:/dev/ttyS1
UNIT
# Enabled as `systemctl enable` would.
ln -sf /etc/systemd/system/netlog-journal-check.service \
	/usr/lib/systemd/system/rsyslog.service "$stage/etc/systemd/system/multi-user.target.wants/"

# The test rotates the reader's file itself: no daily run in between.
ln -sf /dev/null "$stage/etc/systemd/system/logrotate.timer"

echo netlog-journal >"$stage/etc/hostname"

# The root first, our files over it (the kernel unpacks concatenated cpios).
vm_cpio "$stage" >"$out/overlay.cpio"
cat "$root_cpio" "$out/overlay.cpio" | gzip -1 >"$out/initramfs.gz"

console=$out/console.log
results=$out/results.log
rm -f "$console" "$results"
echo "journal: booting $KVER with systemd (TCG, up to ${VM_TIMEOUT:-900}s)"
rc=0
timeout "${VM_TIMEOUT:-900}" qemu-system-x86_64 -accel tcg,thread=single -M pc \
	-cpu max -smp 2 -m 4096 -kernel "$VMLINUZ" -initrd "$out/initramfs.gz" \
	-display none -no-reboot -serial "file:$console" -serial "file:$results" \
	-append "console=ttyS0 rdinit=/lib/systemd/systemd panic=-1 oops=panic netlog.records=${JOURNAL_RECORDS:-100000}" ||
	rc=$?

tr -d '\r' <"$results" | tee "$results.txt" | sed 's/^/guest: /'
fail=0
[ "$rc" = 0 ] || { echo "journal: FAIL: vm exited with $rc (124 = timed out)"; fail=1; }
if ! grep -q '^journal: ok: no device: ' "$results.txt" || grep -q '^journal: FAIL' "$results.txt"; then
	echo "journal: FAIL: no ok from the guest"
	fail=1
fi
# The two pages the guest's netlog-metrics.service wrote, as Prometheus'
# own linter reads them.
for page in prom prom-down; do
	sed -n "s/^journal: $page: //p" "$results.txt" >"$out/$page.txt"
	if [ ! -s "$out/$page.txt" ] || ! "$promtool" check metrics <"$out/$page.txt" >"$out/$page.lint" 2>&1; then
		echo "journal: FAIL: promtool check metrics ($page):"
		cat "$out/$page.lint" 2>/dev/null
		fail=1
	else
		echo "journal: promtool check metrics: $page: $(grep -c '^netlog' "$out/$page.txt") samples, clean"
	fi
done
if grep -aEq "$kernel_bad" "$console"; then
	echo "journal: FAIL: kernel log has complaints:"
	grep -aEh -A3 "$kernel_bad" "$console" | head -40
	fail=1
fi
echo "journal: logs in $out"
echo "$((1 - fail)) passed, $fail failed"
exit $fail
