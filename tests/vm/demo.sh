#!/bin/sh
# Runs inside the VM for `make demo`: real clients against local servers,
# with netlog-reader printing the audit trail live.
step() { printf '\n\033[1m# %s\033[0m\n' "$*"; sleep 1; }

# A server up before netlog: the snapshot at load names it.
mkdir -p /tmp/www && echo "hello from netlog-vm" >/tmp/www/index.html
httpd -p 8080 -h /tmp/www

insmod /lib/netlog/secure_log.ko && insmod /lib/netlog/netlog.ko || exit 1
insmod /lib/netlog/execlog.ko || exit 1
echo "netlog demo on $(uname -r): secure_log, netlog and execlog loaded"
ls -l /dev/secure_log

netlog-reader --format text &
reader=$!
sleep 1

nc -l -p 9000 >/dev/null &

step "root fetches a page with wget"
wget -q -O - http://127.0.0.1:8080/
sleep 1

step "user 1000 fetches it too"
su -s /bin/sh user -c 'wget -q -O /dev/null http://127.0.0.1:8080/'

step "nc sends a line to a listening nc"
echo hi | nc -w 1 127.0.0.1 9000

step "user 1000 asks a DNS server that is not there; root pings twice"
su -s /bin/sh user -c 'nslookup netlog.example 127.0.0.1 >/dev/null 2>&1'
ping -c 2 -i 0.2 127.0.0.1 >/dev/null

step "with the tcp_state probe on, each state change of a connection"
echo Y >/sys/module/netlog/parameters/probe_tcp_state
wget -q -O /dev/null http://127.0.0.1:8080/
echo N >/sys/module/netlog/parameters/probe_tcp_state

step "user 1000 runs a script, and a program that is not there"
printf '#!/bin/sh\necho "a script ran with: $*"\n' >/tmp/hello.sh
chmod 755 /tmp/hello.sh
su -s /bin/sh user -c '/tmp/hello.sh "two words" x; /nonexistent/tool --flag'

step "a connect to a closed port (refused), and wget over IPv6 (::1)"
nc -w 1 127.0.0.1 9999 </dev/null
wget -q -O /dev/null 'http://[::1]:8080/'

sleep 2
step "the same as JSON (netlog-reader --format json --once)"
kill -INT $reader
wait $reader 2>/dev/null
echo "(the follow-mode reader above exited on SIGINT)"
wget -q -O /dev/null http://127.0.0.1:8080/
netlog-reader --format json --once

step "the control plane (netlogctl status; stats --prometheus, some of it)"
netlogctl status
netlogctl stats --prometheus | grep -E '^netlog_(records|probe_emitted_total\{module="netlog",probe="tcp_)'
step "RFC 5424 and ECS (netlog-reader --format rfc5424|ecs --once)"
wget -q -O /dev/null http://127.0.0.1:8080/
netlog-reader --format rfc5424 --once >/tmp/rfc5424 && head -n 2 /tmp/rfc5424
wget -q -O /dev/null http://127.0.0.1:8080/
netlog-reader --format ecs --once >/tmp/ecs && head -n 1 /tmp/ecs
