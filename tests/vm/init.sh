#!/bin/busybox sh
# /init of the test VM. Mode from the kernel command line: netlog.mode=check|demo
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
hostname netlog-vm
ip link set lo up
export PATH=/usr/bin:/bin:/sbin:/usr/sbin NETLOG_MODULES=/lib/netlog HOME=/tmp

mode=check filter='*' out=/dev/ttyS1
# shellcheck disable=SC2013 # the command line is words
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	netlog.mode=*) mode=${arg#netlog.mode=} ;;
	netlog.filter=*) filter=${arg#netlog.filter=} ;;
	netlog.rounds=*) export NETLOG_SWITCH_ROUNDS="${arg#netlog.rounds=}" ;;
	netlog.reloads=*) export NETLOG_RELOADS="${arg#netlog.reloads=}" ;;
	netlog.out=*) out=${arg#netlog.out=} ;;
	esac
done

load() {
	insmod /lib/netlog/secure_log.ko && insmod /lib/netlog/netlog.ko
}

case "$mode" in
check)
	# Results go to the second serial port; the console keeps the kernel log.
	# (arm64's virt machine has one: the kernel log stays quiet there, and
	# the dmesg printed at the end is checked.)
	exec >"$out" 2>&1
	echo "=== netlog-vm $(uname -r)"
	if load; then
		netlog-e2e --gtest_color=no --gtest_filter="$filter"
		echo "=== e2e exit $?"
		rmmod netlog && rmmod secure_log && echo "=== unload ok"
		if [ -e /lib/netlog/netlog_kunit.ko ]; then
			# KUnit runs the suite at load and reports KTAP in the log.
			insmod /lib/netlog/netlog_kunit.ko && rmmod netlog_kunit
			echo "=== kunit"
			dmesg | sed -n 's/^\[[ 0-9.]*\] //p' | grep -E '^ *(not )?ok [0-9]+ '
			echo "=== kunit end"
		fi
		if [ -e /sys/kernel/debug/kmemleak ] ||
			mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null &&
			[ -e /sys/kernel/debug/kmemleak ]; then
			# Twice: an object is reported only once it stayed unreferenced
			# for a full scan.
			echo scan >/sys/kernel/debug/kmemleak
			sleep 5
			echo scan >/sys/kernel/debug/kmemleak
			echo "=== kmemleak"
			cat /sys/kernel/debug/kmemleak
			echo "=== kmemleak end"
		fi
		case "$filter" in
		'*' | *Lock*)
			# Last: nothing can be unloaded once locked.
			echo "=== lock"
			load && insmod /lib/netlog/execlog.ko &&
				NETLOG_LOCK_STAGE=1 netlog-e2e --gtest_color=no \
					--gtest_filter='Lock.*'
			echo "=== lock exit $?"
			;;
		esac
	else
		echo "=== load failed"
	fi
	echo "=== dmesg"
	dmesg
	echo "=== end"
	;;
demo)
	exec >/dev/console 2>&1
	sh /demo.sh
	;;
esac
sync
# QEMU runs with -no-reboot: a reset ends it, with or without ACPI.
reboot -f
