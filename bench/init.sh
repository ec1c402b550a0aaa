#!/bin/bash
# /init of the bench VM (a Debian bookworm root with auditd, bpftrace and
# bcc's tools).
# Runs every configuration in turn, round after round, and prints one line
# per measurement on the second serial port:
#   result config=C workload=W round=R ops=N seconds=S ops_per_s=X
#          events=E lost=L
# events is what the configuration recorded of the run, lost what it said it
# dropped. Then, with bench.profile=1, "profile CONFIG WORKLOAD: <perf
# report line>" for each socket workload (the TCP and UDP loops, HTTP,
# DNS) with no recorder and under netlog. Kernel command line: bench.seconds,
# bench.rounds, bench.procs, bench.configs and bench.workloads (comma
# separated), bench.profile.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
ip link set lo up
hostname netlog-bench
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
exec >/dev/ttyS1 2>&1

seconds=1 rounds=3 procs=2 profile=1
configs=baseline,netlog,netlog-file,netlog-journal,netlog-raw,netlog-kernel,netlog-state,netlog-filtered,execlog,execlog-success,auditd,bpftrace,bcc
workloads=tcp,udp,udpsend,exec,http,dns,build
# shellcheck disable=SC2013 # the command line is words
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	bench.seconds=*) seconds=${arg#*=} ;;
	bench.rounds=*) rounds=${arg#*=} ;;
	bench.procs=*) procs=${arg#*=} ;;
	bench.configs=*) configs=${arg#*=} ;;
	bench.workloads=*) workloads=${arg#*=} ;;
	bench.profile=*) profile=${arg#*=} ;;
	esac
done
IFS=, read -r -a configs <<<"$configs"
IFS=, read -r -a workloads <<<"$workloads"

stats=/sys/module/netlog/parameters/stats
# Sum of one counter over all of netlog's probes.
netlog_sum() {
	grep -o " $1=[0-9]*" "$stats" | awk -F= '{ n += $2 } END { print n + 0 }'
}

exec_stats=/sys/module/execlog/parameters/stats
execlog_count() {
	grep -o " $1=[0-9]*" "$exec_stats" | cut -d= -f2
}

audit_log=/var/log/audit/audit.log
audit_lost() {
	auditctl -s | awk '$1 == "lost" { print $2 }'
}

bt_out=/tmp/bpftrace.out
bcc_tools="tcpconnect tcpaccept tcplife"

# Lines bcc's tools printed (their headers not counted), and what they said
# they lost ("Possibly lost N samples").
bcc_events() {
	local n=0 tool
	for tool in $bcc_tools; do
		n=$((n + $(grep -cv '^PID\|^TIME\|^Tracing\|lost\|^ *$' "/tmp/$tool.out")))
	done
	echo "$n"
}
bcc_lost() {
	cat /tmp/tcp*.out | grep -o 'lost [0-9]* samples' |
		awk '{ n += $2 } END { print n + 0 }'
}

# systemd-journald without systemd (this VM's init is this script), with
# the settings of dist/journald@netlog.conf: persistent, no rate limit.
journald_start() {
	mkdir -p /etc/systemd/journald.conf.d /var/log/journal /run/systemd/journal
	printf '[Journal]\nStorage=persistent\nRateLimitIntervalSec=0\nForwardToSyslog=no\n' \
		>/etc/systemd/journald.conf.d/bench.conf
	/lib/systemd/systemd-journald &
	journald=$!
	for _ in $(seq 100); do
		[ -S /run/systemd/journal/socket ] && return 0
		sleep 0.2
	done
	echo "=== systemd-journald did not start"
	return 1
}

# What the configuration has recorded and lost so far: "EVENTS LOST".
counts() {
	case "$1" in
	netlog | netlog-file | netlog-journal | netlog-raw | netlog-kernel | \
		netlog-state | netlog-ruled)
		echo "$(netlog_sum emitted) $(netlog_sum dropped)" ;;
	netlog-filtered) echo "$(netlog_sum filtered) $(netlog_sum dropped)" ;;
	execlog*) echo "$(execlog_count emitted) $(execlog_count dropped)" ;;
	auditd) echo "$(grep -c '^type=SYSCALL' "$audit_log") $(audit_lost)" ;;
	bcc) echo "$(bcc_events) $(bcc_lost)" ;;
	bpftrace) echo "$(grep -c '^kretprobe\|^kprobe\|^tracepoint' "$bt_out")" \
		"$(grep -o 'Lost [0-9]* events' "$bt_out" |
			awk '{ n += $2 } END { print n + 0 }')" ;;
	*) echo "0 0" ;;
	esac
}

start() {
	case "$1" in
	netlog | netlog-file | netlog-journal | netlog-raw | netlog-filtered)
		insmod /usr/local/lib/netlog/secure_log.ko || return 1
		insmod /usr/local/lib/netlog/netlog.ko || return 1
		if [ "$1" = netlog-filtered ]; then
			echo /usr/local/bin/netloop >/sys/module/netlog/parameters/whitelist
		fi
		# The sinks an admin uses: text to a file (as logrotate keeps
		# it), the journal (journald as the packaged namespace sets it
		# up, no rate limit), a binary capture; netlog: text to
		# /dev/null, the reader's own cost alone.
		case "$1" in
		netlog-file) netlog-reader --output file:/var/log/netlog.log & ;;
		netlog-raw) netlog-reader --raw --output file:/var/log/netlog.raw & ;;
		netlog-journal)
			journald_start || return 1
			netlog-reader --output journal &
			;;
		*) netlog-reader >/dev/null & ;;
		esac
		reader=$!
		;;
	netlog-kernel | netlog-state | netlog-ruled)
		# The modules' share alone: no reader while a loop runs (drain()
		# empties the ring between runs), and a ring that holds a whole
		# run of one uid. netlog-state: with a record per TCP state
		# change too (tcp_state, off at load). netlog-ruled: with rules
		# in force for other programs, as a host has them.
		insmod /usr/local/lib/netlog/secure_log.ko capacity=268435456 \
			uid_share=100 || return 1
		insmod /usr/local/lib/netlog/netlog.ko || return 1
		[ "$1" != netlog-state ] ||
			echo Y >/sys/module/netlog/parameters/probe_tcp_state
		[ "$1" != netlog-ruled ] ||
			printf '%s\n' '/usr/sbin/sshd|l<22>' '/usr/bin/rsync|p<873>' \
				/usr/sbin/chronyd /usr/bin/ssh \
				>/sys/module/netlog/parameters/whitelist
		;;
	execlog | execlog-success)
		insmod /usr/local/lib/netlog/secure_log.ko || return 1
		# execlog-success: successful execs only (no exec-call probes)
		probes=0x3
		[ "$1" = execlog ] || probes=0x1
		insmod /usr/local/lib/netlog/execlog.ko probes=$probes || return 1
		netlog-reader >/dev/null &
		reader=$!
		;;
	auditd)
		# auditd rotates audit.log at 8 MB by default, and a count of its
		# lines then goes back (even below zero): keep one file, so that
		# the count is of every record it wrote.
		sed -i 's/^max_log_file_action.*/max_log_file_action = ignore/' \
			/etc/audit/auditd.conf
		auditd || return 1
		auditctl -D >/dev/null
		auditctl -b 8192 >/dev/null
		auditctl -a always,exit -F arch=b64 \
			-S connect,accept,accept4,bind,listen,close >/dev/null
		auditctl -a always,exit -F arch=b64 -S execve,execveat >/dev/null
		;;
	bcc)
		# bcc's tools, as an admin runs them for the same coverage: each
		# compiles its program when it starts (minutes under TCG).
		tracers=()
		for tool in $bcc_tools; do
			PYTHONUNBUFFERED=1 "$tool-bpfcc" >"/tmp/$tool.out" 2>&1 &
			tracers+=($!)
		done
		for tool in $bcc_tools; do
			for _ in $(seq 1200); do
				grep -q '^PID\|^TIME' "/tmp/$tool.out" && break
				sleep 0.5
			done
			grep -q '^PID\|^TIME' "/tmp/$tool.out" ||
				{ cat "/tmp/$tool.out"; return 1; }
		done
		sleep 1
		;;
	bpftrace)
		: >"$bt_out"
		bpftrace /bench/netlog.bt >"$bt_out" 2>&1 &
		tracer=$!
		# Compiling the script takes a while under TCG.
		for _ in $(seq 600); do
			grep -q '^Attaching' "$bt_out" && break
			kill -0 "$tracer" 2>/dev/null || break
			sleep 0.5
		done
		grep -q '^Attaching' "$bt_out" || { cat "$bt_out"; return 1; }
		sleep 1
		;;
	esac
}

stop() {
	case "$1" in
	netlog | netlog-file | netlog-journal | netlog-raw | netlog-filtered)
		kill "$reader"
		wait "$reader"
		rmmod netlog && rmmod secure_log
		[ "$1" != netlog-journal ] || halt TERM "$journald"
		# The sinks' files are in memory: not kept from run to run.
		rm -rf /var/log/netlog.log /var/log/netlog.raw /var/log/journal/*
		;;
	netlog-kernel | netlog-state | netlog-ruled)
		rmmod netlog && rmmod secure_log
		;;
	execlog | execlog-success)
		kill "$reader"
		wait "$reader"
		rmmod execlog && rmmod secure_log
		;;
	auditd)
		# Once audit has been enabled, every new task gets an audit
		# context and takes the slow syscall path, even after -e 0
		# (the next round's baseline ran 2.7% slower on TCP, 10.5% on
		# UDP): a "never" task rule keeps the configurations that follow
		# from paying for auditd.
		auditctl -D >/dev/null
		auditctl -a task,never >/dev/null
		kill "$(cat /run/auditd.pid)"
		while [ -e /run/auditd.pid ]; do sleep 0.2; done
		auditctl -e 0 >/dev/null
		;;
	bpftrace) halt INT "$tracer" ;;
	bcc) halt TERM "${tracers[@]}" ;;
	esac
}

# Whether any of the processes is still there.
running() {
	local pid
	for pid; do
		kill -0 "$pid" 2>/dev/null && return 0
	done
	return 1
}

# Stop tracers with SIG, then SIGKILL those still running a minute later.
# bcc's tools get SIGTERM: a command run with & from a script starts with
# SIGINT ignored, and Python then never raises KeyboardInterrupt (^C
# left all three running, and the next round waiting for them).
halt() {
	local sig=$1 pid
	shift
	kill "-$sig" "$@"
	for _ in $(seq 120); do
		running "$@" || break
		sleep 0.5
	done
	for pid; do
		if kill -0 "$pid" 2>/dev/null; then
			echo "=== pid $pid ignored SIG$sig, killed"
			kill -KILL "$pid"
		fi
	done
	wait "$@" 2>/dev/null || true
}

# netlog-kernel, netlog-state and netlog-ruled have no reader while a loop
# runs: empty their ring in between.
drain() {
	case "$1" in
	netlog-kernel | netlog-state | netlog-ruled)
		netlog-reader --once >/dev/null
		;;
	esac
}

# The servers of the http and dns workloads run through every
# configuration, as a host's servers would.
/bench/work.sh setup || echo "=== work.sh setup failed"

clock=wall
grep -q icount /proc/cmdline && clock=icount
echo "=== bench $(uname -r) cpus=$(nproc) clock=$clock seconds=$seconds rounds=$rounds procs=$procs"
for round in $(seq "$rounds"); do
	for config in "${configs[@]}"; do
		if ! start "$config"; then
			echo "=== $config failed to start"
			continue
		fi
		for workload in "${workloads[@]}"; do
			# Warm up: loading code and arming probes makes QEMU drop
			# translated code, which the first second pays for.
			/bench/work.sh run "$workload" 1 "$procs" >/dev/null
			sleep 1
			drain "$config"
			read -r ev0 lost0 <<<"$(counts "$config")"
			line=$(/bench/work.sh run "$workload" "$seconds" "$procs") ||
				echo "=== $workload failed under $config"
			# Let the recorder catch up before counting.
			sleep 1
			read -r ev1 lost1 <<<"$(counts "$config")"
			drain "$config"
			echo "result config=$config workload=$workload round=$round" \
				"$line events=$((ev1 - ev0)) lost=$((lost1 - lost0))"
		done
		stop "$config"
	done
done
# Where the time goes: a system-wide profile of the socket workloads (the
# TCP and UDP loops, HTTP, DNS) with no recorder and under netlog,
# recording and whitelisted (under icount, samples are instructions).
for config in baseline netlog netlog-filtered; do
	if [ "$profile" != 1 ] || ! start "$config"; then
		continue
	fi
	# perf names a module's functions as the kernel's: say whose they are.
	grep -E '\[(netlog|secure_log)\]$' /proc/kallsyms |
		awk '{ print "modsym", substr($4, 2, length($4) - 2), $3 }'
	for workload in "${workloads[@]}"; do
		case "$workload" in tcp | udp | http | dns) ;; *) continue ;; esac
		perf record -q -a -g -F 4999 -e cpu-clock -o /tmp/perf.data -- \
			/bench/work.sh run "$workload" "$seconds" "$procs" >/dev/null 2>&1
		# By component (kernel, modules, reader, workload), then by symbol.
		for sort in dso sym; do
			perf report -i /tmp/perf.data --stdio --no-children \
				--sort "$sort" -g none --percent-limit 0.05 2>/dev/null |
				grep '%' | sed "s/^/profile $config $workload: /"
		done
		# The reader's samples alone, kernel and user, by symbol.
		[ "$config" = netlog ] &&
			perf report -i /tmp/perf.data --stdio --no-children \
				--comms netlog-reader --sort dso,sym -g none \
				--percent-limit 0.05 2>/dev/null |
			grep '%' | sed "s/^/profile $config $workload reader: /"
	done
	stop "$config"
done

echo "=== dmesg"
dmesg
echo "=== end"
sync
echo o >/proc/sysrq-trigger
