#!/bin/bash
# The bench's workloads built from Debian's servers and tools, on loopback,
# as a server would see them rather than as the cheapest loop can:
#
#   work.sh setup              start the servers (once, at boot)
#   work.sh run WORKLOAD SECONDS PROCS
#
# where WORKLOAD is one of netloop's loops (tcp, udp, udpsend, exec), run
# by netloop, or one of these:
#   http:  nginx-light serving a 1 KiB file on 127.0.0.1:8080, loaded by ab
#          with PROCS concurrent clients and one connection per request;
#   dns:   unbound on 127.0.0.1 forwarding the zone bench.lan to dnsmasq
#          on 127.0.0.2, loaded by dnsperf with PROCS clients and names
#          never asked before, so that every query is a fresh upstream
#          one (unbound sends each from a new UDP socket);
#   build: make -j PROCS of a small C tree (16 files and a link), again
#          until SECONDS have passed: exec-heavy.
#
# Prints "ops=N seconds=S ops_per_s=R" as netloop does (requests, queries,
# or files compiled), and fails if the tool reports an error, so that a
# bench never times failures.
set -euo pipefail

www=/tmp/bench-www
tree=/tmp/bench-tree
names=/tmp/bench-names

setup() {
	mkdir -p "$www" /tmp/nginx
	head -c 1024 /dev/zero | tr '\0' x >"$www/1k"
	cat >/tmp/nginx.conf <<EOF
worker_processes 1;
pid /tmp/nginx/nginx.pid;
error_log /tmp/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path /tmp/nginx;
	server {
		listen 127.0.0.1:8080 backlog=4096;
		root $www;
	}
}
EOF
	nginx -c /tmp/nginx.conf

	ip addr add 127.0.0.2/8 dev lo 2>/dev/null || true
	dnsmasq --listen-address=127.0.0.2 --bind-interfaces --port=53 \
		--no-resolv --no-hosts --cache-size=0 --user=root \
		--pid-file=/tmp/dnsmasq.pid --address=/bench.lan/127.0.0.9
	cat >/tmp/unbound.conf <<EOF
server:
	interface: 127.0.0.1
	port: 53
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	module-config: "iterator"
	username: ""
	chroot: ""
	directory: "/tmp"
	pidfile: "/tmp/unbound.pid"
	use-syslog: no
	num-threads: 1
forward-zone:
	name: "bench.lan."
	forward-addr: 127.0.0.2
EOF
	unbound -c /tmp/unbound.conf
	# Names never asked: enough for any run at these rates.
	seq 1 400000 | sed 's/.*/n&.bench.lan A/' >"$names"

	mkdir -p "$tree"
	for i in $(seq 1 16); do
		cat >"$tree/f$i.c" <<EOF
int f$i(int x)
{
	int s = 0;

	for (int i = 0; i < x; i++)
		s += i * $i;
	return s;
}
EOF
	done
	cat >"$tree/Makefile" <<'EOF'
OBJS := $(patsubst %.c,%.o,$(wildcard f*.c))
all: libbench.so
libbench.so: $(OBJS)
	gcc -shared -o $@ $^
%.o: %.c
	gcc -O2 -fPIC -c -o $@ $<
clean:
	rm -f *.o libbench.so
EOF
	# Wait for the servers to answer.
	for _ in $(seq 100); do
		if ab -q -n 1 http://127.0.0.1:8080/1k >/dev/null 2>&1 &&
			echo warm.bench.lan A | dnsperf -s 127.0.0.1 -n 1 -t 5 \
				2>/dev/null | grep -q 'Queries completed: *1 '; then
			return 0
		fi
		sleep 0.5
	done
	echo "work.sh: the servers did not answer" >&2
	return 1
}

now() {
	date +%s.%N
}

# The result line of N operations done in SECONDS.
result() {
	awk -v n="$1" -v t="$2" \
		'BEGIN { printf "ops=%d seconds=%.6f ops_per_s=%.3f\n", n, t, n / t }'
}

http() {
	local out
	out=$(ab -q -c "$2" -t "$1" -n 10000000 http://127.0.0.1:8080/1k) ||
		{ echo "$out" >&2; return 1; }
	if ! grep -q '^Failed requests: *0$' <<<"$out" ||
		grep -q '^Non-2xx' <<<"$out"; then
		echo "$out" >&2
		return 1
	fi
	result "$(awk '/^Complete requests:/ { print $3 }' <<<"$out")" \
		"$(awk '/^Time taken for tests:/ { print $5 }' <<<"$out")"
}

# Each run asks names of its own (a name asked before is in unbound's
# cache): the next run starts after the last one this one sent.
dns() {
	local out first sent
	first=$(cat /tmp/bench-names.next 2>/dev/null || echo 1)
	tail -n "+$first" "$names" >/tmp/bench-queries
	out=$(dnsperf -s 127.0.0.1 -d /tmp/bench-queries -l "$1" -c "$2" \
		-T "$2" -q 64 -t 5) || { echo "$out" >&2; return 1; }
	sent=$(awk '/Queries sent:/ { print $3 }' <<<"$out")
	echo $((first + ${sent:-0})) >/tmp/bench-names.next
	if grep -q 'SERVFAIL\|REFUSED\|NXDOMAIN' <<<"$out" ||
		! grep -q 'Queries completed: *[1-9]' <<<"$out"; then
		echo "$out" >&2
		return 1
	fi
	result "$(awk '/Queries completed:/ { print $3 }' <<<"$out")" \
		"$(awk '/Run time \(s\):/ { print $4 }' <<<"$out")"
}

build() {
	local files t0 n=0
	files=$(find "$tree" -name 'f*.c' | wc -l)
	t0=$(now)
	while awk -v t0="$t0" -v t="$(now)" -v s="$1" 'BEGIN { exit !(t - t0 < s) }'; do
		make -s -C "$tree" clean
		make -s -C "$tree" -j "$2" all
		n=$((n + files))
	done
	result "$n" "$(awk -v t0="$t0" -v t1="$(now)" 'BEGIN { print t1 - t0 }')"
}

case "${1:-} ${2:-}" in
"setup ") setup ;;
"run http" | "run dns" | "run build") "$2" "$3" "$4" ;;
"run "*) netloop "$2" "$3" "$4" ;;
*)
	echo "usage: work.sh setup | work.sh run WORKLOAD SECONDS PROCS" >&2
	exit 2
	;;
esac
