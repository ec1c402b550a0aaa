#!/usr/bin/env bash
# The reader as installed, under systemd, into journald: boots the bench's
# Debian bookworm root (bench/root.sh) with systemd as PID 1 on Debian's 6.1
# kernel (QEMU, TCG), with the modules, the reader, its unit, the udev rule
# and the module configuration put there by `make install`. The guest
# (tests/journal/check.sh) makes at least 100,000 records as uid 1000 and
# checks that every record the kernel made is in the journal, in sequence.
# Ends with "N passed, M failed".
#
# JOURNAL_RECORDS (100000), VM_TIMEOUT seconds (900).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/journal
stage=$out/overlay
"$top/scripts/deps.sh"
eval "$("$top/scripts/kernel.sh" 6.1)"
root_cpio=$("$top/bench/root.sh")

rm -rf "$stage" "$out/kmod"
mkdir -p "$stage/usr/local/bin" "$stage/etc/systemd/system/multi-user.target.wants"

# What the packages install, from the Makefile's own install targets. The
# root has a merged /usr (/lib is a link, which a directory of ours in the
# cpio would replace): everything goes under /usr.
cp -r "$top/kmod" "$out/kmod"
make -s -C "$out/kmod" KDIR="$KDIR" modules
make -s -C "$out/kmod" KDIR="$KDIR" KERNELRELEASE="$KVER" \
	INSTALL_MOD_PATH="$stage/usr" DEPMOD=true install
# Our two modules only: depmod's warnings about the kernel's own lists are
# noise here.
depmod -b "$stage/usr" "$KVER" 2>/dev/null
make -s -C "$top" install-reader DESTDIR="$stage" PREFIX=/usr \
	UNITDIR=/usr/lib/systemd/system UDEVDIR=/usr/lib/udev/rules.d >/dev/null
# The reader's libraries the Debian root does not have.
ldd "$stage/usr/sbin/netlog-reader" "$stage/usr/sbin/netlogctl" | awk '/=> \// { print $3 }' | sort -u |
	grep -E 'libfmt|libnl|libsystemd' | while read -r lib; do
	dest=$stage/usr${lib#/usr}
	mkdir -p "$(dirname "$dest")"
	cp -L "$lib" "$dest"
done
gcc -O2 -Wall -Wextra -Werror -o "$stage/usr/local/bin/netloop" "$top/bench/netloop.c"
install -m 0755 "$top/tests/journal/check.sh" "$stage/usr/local/bin/netlog-journal-check"

# The test's own settings: the packages' default output (the journal's
# native protocol, NETLOG_* fields), a ring that
# holds the whole run (so that only the reader and journald are tested),
# and a journal in memory large enough for it. journald's rate limit is
# left as Debian ships it: the unit's own limits are tested.
echo 'options secure_log capacity=134217728' >"$stage/etc/modprobe.d/netlog-test.conf"
mkdir -p "$stage/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=1G\nRuntimeMaxFileSize=256M\n' \
	>"$stage/etc/systemd/journald.conf.d/netlog-test.conf"
cat >"$stage/etc/systemd/system/netlog-journal-check.service" <<'UNIT'
[Unit]
Description=netlog: 100,000 records through journald
After=netlog-reader.service
Wants=netlog-reader.service
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
	"$stage/etc/systemd/system/multi-user.target.wants/"
for u in netlog-reader netlog-whitelist; do
	ln -sf /usr/lib/systemd/system/$u.service "$stage/etc/systemd/system/multi-user.target.wants/"
done
# A whitelist for the boot to apply, that the test's traffic does not meet.
printf '# the test'"'"'s\n/usr/sbin/ntpd|p<123>\n' >>"$stage/etc/netlog/whitelist.conf"
echo netlog-journal >"$stage/etc/hostname"

# The root first, our files over it (the kernel unpacks concatenated cpios).
(cd "$stage" && find . | cpio -o -H newc --quiet) >"$out/overlay.cpio"
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

bad='BUG:|WARNING:|Oops|Call Trace|KASAN:|UBSAN:|kernel panic|Kernel panic'
tr -d '\r' <"$results" | tee "$results.txt" | sed 's/^/guest: /'
fail=0
[ "$rc" = 0 ] || { echo "journal: FAIL: vm exited with $rc (124 = timed out)"; fail=1; }
grep -q '^journal: ok' "$results.txt" || { echo "journal: FAIL: no ok from the guest"; fail=1; }
if grep -Eq "$bad" "$console"; then
	echo "journal: FAIL: kernel log has complaints:"
	grep -Eh -A3 "$bad" "$console" | head -40
	fail=1
fi
echo "journal: logs in $out"
echo "$((1 - fail)) passed, $fail failed"
exit $fail
