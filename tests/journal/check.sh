#!/bin/bash
# Inside the journal VM (tests/journal/run.sh), run by a oneshot unit at
# boot. As an admin would: dpkg -i the reader's package, a whitelist rule in
# /etc/netlog/whitelist.conf, the modules loaded by the package's
# modules-load.d file, the package's units started. Then uid 1000 makes at least netlog.records=N
# records (UDP bind, connect, close), then every record the kernel made
# must be in the journal, as entries with the reader's NETLOG_* fields
# (--output journal): seq 0 to the last, each once, no LOST record, as
# many socket records as netlog emitted, execlog's records of the execs
# made here, and journald suppressed nothing. Prints "journal: ok ..." or
# "journal: FAIL".
set -u
stats=/sys/module/netlog/parameters/stats
want=$(sed -n 's/.*netlog\.records=\([0-9]*\).*/\1/p' /proc/cmdline)
want=${want:-100000}

fail() {
	echo "journal: FAIL: $*"
	exit 1
}

# One counter summed over netlog's probes.
sum() {
	grep -o " $1=[0-9]*" "$stats" | awk -F= '{ n += $2 } END { print n + 0 }'
}

# Every probe of netlog, as the module says (never a literal mask).
all_probes() {
	netlogctl status | sed -n 's/^netlog: loaded, probes 0x[0-9a-f]* of \(0x[0-9a-f]*\),.*/\1/p'
}

dpkg -i /root/netlog-reader.deb >/tmp/dpkg.log 2>&1 || fail "dpkg -i: $(tail -n 5 /tmp/dpkg.log)"
# A whitelist for the boot to apply, that the test's traffic does not meet.
printf '# the test'"'"'s\n/usr/sbin/ntpd|p<123>\n' >>/etc/netlog/whitelist.conf
systemctl restart systemd-modules-load.service || fail "modules did not load"
# The device's appearance starts the reader: the package enabled it for
# dev-secure_log.device, which the udev rule makes.
for _ in $(seq 60); do
	systemctl is-active --quiet netlog-reader.service && break
	sleep 1
done
systemctl is-active --quiet netlog-reader.service ||
	fail "/dev/secure_log did not start the reader: $(systemctl status dev-secure_log.device netlog-reader.service 2>&1 | tail -n 12)"
systemctl start netlog-whitelist.service netlog-reader.service ||
	fail "units: $(systemctl status netlog-whitelist.service netlog-reader.service 2>&1 | tail -n 12)"
systemctl is-enabled --quiet netlog-reader.service netlog-whitelist.service ||
	fail "the package did not enable its units"
systemctl is-active --quiet netlog-reader.service ||
	fail "netlog-reader.service is not running: $(systemctl status netlog-reader.service 2>&1 | tail -n 8)"

start=$(date +%s)
while [ "$(sum emitted)" -lt "$want" ]; do
	setpriv --reuid=1000 --regid=1000 --clear-groups \
		/usr/local/bin/netloop udp 1 2 >/dev/null || fail "netloop failed"
done
emitted=$(sum emitted) dropped=$(sum dropped)
# Execs with 1,100 and 10,000 arguments: journald ignores an entry of more
# than 1,024 fields without a word, so the argument vector is one field.
for n in 1100 10000; do
	# shellcheck disable=SC2046 # one argument per number
	setpriv --reuid=1000 --regid=1000 --clear-groups /bin/true $(seq "$n") ||
		fail "exec with $n arguments"
done
# The last record: a config record, written as root.
all_probes >/sys/module/netlog/parameters/probes || fail "cannot write probes"
made=$(($(date +%s) - start))

# Until the config record is in the journal, or 10 minutes.
fields=NETLOG_SEQ,NETLOG_EVENT,NETLOG_PROTO,NETLOG_UID,NETLOG_PARAM,NETLOG_NEW,NETLOG_FILENAME,NETLOG_COMM,NETLOG_ARGC,NETLOG_ARGV,PRIORITY,MESSAGE
for _ in $(seq 600); do
	journalctl -t netlog -o json --all --output-fields=$fields --no-pager 2>/dev/null |
		grep '"NETLOG_SEQ"' >/tmp/recs
	grep -q '"NETLOG_PARAM":"probes"' /tmp/recs && break
	sleep 1
done
grep -q '"NETLOG_PARAM":"probes"' /tmp/recs || fail "the last record never reached the journal"

lines=$(wc -l </tmp/recs)
grep -o '"NETLOG_SEQ":"[0-9]*"' /tmp/recs | tr -dc '0-9\n' | sort -n | uniq >/tmp/seqs
unique=$(wc -l </tmp/seqs)
first=$(head -n 1 /tmp/seqs)
last=$(tail -n 1 /tmp/seqs)
socks=$(grep -c '"NETLOG_PROTO":' /tmp/recs)
user=$(grep -c '"NETLOG_UID":"1000"' /tmp/recs)
lost=$(grep -c '"NETLOG_EVENT":"lost"' /tmp/recs)
# Each entry's MESSAGE is the text format's line; a connect is info (6).
grep -m 1 '"NETLOG_EVENT":"connect"' /tmp/recs >/tmp/one
{ grep -q '"PRIORITY":"6"' /tmp/one && grep -q '"MESSAGE":"seq=[0-9]* time=.* event=connect proto=udp ' /tmp/one &&
	grep -q '"NETLOG_COMM":"netloop"' /tmp/one; } ||
	fail "a connect entry lacks its MESSAGE, PRIORITY or fields: $(cat /tmp/one)"
# execlog, loaded at boot by modules-load.d as the packages set it up: the
# execs of this script (setpriv, netloop, ...) are in the journal too.
execs=$(grep -c '"NETLOG_EVENT":"exec"' /tmp/recs)
journalctl -o cat --no-pager | grep -E 'Suppressed|[Rr]otat|[Vv]acuum' | head -n 5
suppressed=$(journalctl -u systemd-journald -o cat --no-pager | grep -c Suppressed)
# The first gap, if any.
awk 'NR == 1 { e = $1 } $1 != e { print "journal: first gap: " e " to " $1 - 1; exit } { e = $1 + 1 }' /tmp/seqs
journalctl --disk-usage
echo "journal: kernel emitted $emitted socket records (dropped $dropped) in ${made}s;" \
	"journal has $lines records, seq $first-$last ($unique distinct)," \
	"$socks socket records ($user of uid 1000), $execs exec records, $lost lost," \
	"journald suppressed $suppressed times"

[ "$emitted" -ge "$want" ] || fail "only $emitted records made"
[ "$dropped" = 0 ] || fail "the ring dropped $dropped records"
[ "$lost" = 0 ] || fail "LOST records in the journal"
[ "$unique" = "$lines" ] || fail "a seq appears twice"
if [ "$first" != 0 ] || [ "$last" != $((lines - 1)) ]; then
	fail "seq is not 0 to $((lines - 1)) without a gap"
fi
[ "$socks" = "$emitted" ] || fail "$emitted socket records made, $socks in the journal"
[ "$user" -ge "$want" ] || fail "only $user records of uid 1000"
[ "$suppressed" = 0 ] || fail "journald suppressed messages"
[ -d /sys/module/execlog ] || fail "execlog was not loaded by the package's modules-load.d file"
grep '"NETLOG_EVENT":"exec"' /tmp/recs | grep -q '"NETLOG_FILENAME":"/usr/local/bin/netloop"' ||
	fail "no exec record of netloop in the journal ($execs exec records)"
for n in 1101 10001; do
	grep '"NETLOG_ARGC":"'$n'"' /tmp/recs | grep -q '"NETLOG_ARGV":"\[\\"/bin/true\\",\\"1\\",' ||
		fail "no exec record of /bin/true with argc $n and its argv in the journal"
done

# The control plane, as an admin uses it: the boot's whitelist (set by
# netlog-whitelist.service from /etc/netlog/whitelist.conf, a config record
# by netlogctl), the status, and the Prometheus page against the kernel's
# own counters.
grep '"NETLOG_PARAM":"whitelist"' /tmp/recs | grep '"NETLOG_COMM":"netlogctl"' |
	grep -q '"NETLOG_NEW":"/usr/sbin/ntpd|p<123>"' ||
	fail "no config record of the boot's whitelist: $(grep '"NETLOG_PARAM":"whitelist"' /tmp/recs)
$(systemctl status netlog-whitelist.service 2>&1 | tail -n 8)"
[ "$(netlogctl whitelist show)" = "/usr/sbin/ntpd|p<123>" ] ||
	fail "netlogctl whitelist show: $(netlogctl whitelist show 2>&1)"
netlogctl status >/tmp/status 2>&1 || fail "netlogctl status: $(cat /tmp/status)"
{ grep -qx 'reader: attached' /tmp/status && grep -q '^execlog: loaded' /tmp/status &&
	grep -q '^netlog: loaded, probes \(0x[0-9a-f]*\) of \1, 1 whitelist rule$' /tmp/status; } ||
	fail "netlogctl status: $(cat /tmp/status)"
netlogctl stats --prometheus >/tmp/prom 2>&1 || fail "netlogctl stats: $(cat /tmp/prom)"
prom_emitted=$(awk '/^netlog_probe_emitted_total\{module="netlog",/ { n += $2 } END { print n + 0 }' /tmp/prom)
produced=$(awk '/^netlog_records_produced_total / { print $2 }' /tmp/prom)
[ "$prom_emitted" = "$(sum emitted)" ] ||
	fail "Prometheus says $prom_emitted emitted, the stats parameter $(sum emitted)"
{ grep -qx 'netlog_records_lost_total 0' /tmp/prom && grep -qx 'netlog_reader_attached 1' /tmp/prom &&
	grep -qx 'netlog_module_loaded{module="execlog"} 1' /tmp/prom &&
	grep -qx '# TYPE netlog_probe_emitted_total counter' /tmp/prom; } ||
	fail "Prometheus page: $(head -n 20 /tmp/prom)"
[ "$produced" -gt "$last" ] || fail "$produced records produced, but seq $last is in the journal"
echo "journal: netlogctl: $(grep -c '^netlog_' /tmp/prom) samples, $produced records produced, $prom_emitted socket records emitted"
echo "journal: ok: $lines records, all in the journal"

# RFC 5424 through rsyslog: the reader into the system rsyslogd's socket
# (dist/rsyslog-netlog.conf), which writes /var/log/netlog.log and
# forwards over TCP to a second rsyslogd, the central collector. Every
# record from the switch on must be in both files, as RFC 5424 lines
# rsyslog parsed (its own template writes PRI, HOSTNAME, APP-NAME, MSGID
# and the structured data back from what it parsed).
mkdir -p /var/spool/rsyslog-central
rsyslogd -f /etc/netlog-central.conf -i /run/rsyslog-central.pid ||
	fail "the central rsyslogd did not start"
systemctl is-active --quiet rsyslog.service || fail "rsyslog: $(systemctl status rsyslog 2>&1 | tail -n 8)"
echo 'NETLOG_READER_ARGS="--format rfc5424 --output unix:/run/netlog/syslog.sock"' >/etc/default/netlog-reader
systemctl restart netlog-reader.service
sleep 2
systemctl is-active --quiet netlog-reader.service ||
	fail "reader into rsyslog: $(journalctl -u netlog-reader -n 5 --no-pager)"
setpriv --reuid=1000 --regid=1000 --clear-groups /usr/local/bin/netloop udp 2 1 >/dev/null ||
	fail "netloop failed"
all_probes >/sys/module/netlog/parameters/probes || fail "cannot write probes"
for _ in $(seq 120); do
	grep -qs 'event="config" param="probes"' /var/log/netlog.log &&
		grep -qs 'event="config" param="probes"' /var/log/central/netlog.log && break
	sleep 1
done
grep -qs 'event="config" param="probes"' /var/log/central/netlog.log ||
	fail "the last record never reached the central rsyslogd: $(tail -n 2 /var/log/netlog.log /var/log/central/netlog.log 2>&1)"
sleep 1
# The first reader's last entry: the one before rsyslog's first.
journalctl -t netlog -o json --output-fields=NETLOG_SEQ --no-pager |
	grep -o '"NETLOG_SEQ":"[0-9]*"' | tr -dc '0-9\n' | sort -n | tail -n 1 >/tmp/jlast
jlast=$(cat /tmp/jlast)
host=$(hostname)
bad=$(grep -cvE "^<8[456]>1 [0-9T:.+-]+ $host netlog - [a-z_]+ \[netlog@32473 seq=\"[0-9]+\" event=\"[a-z_]+\" .*\] event=" /var/log/netlog.log)
[ "$bad" = 0 ] || fail "$bad lines rsyslog did not parse as ours: $(grep -vE '^<8[456]>1 ' /var/log/netlog.log | head -n 2)"
sed -n 's/^[^[]* \[netlog@32473 seq="\([0-9]*\)".*/\1/p' /var/log/netlog.log >/tmp/rseqs
rfirst=$(head -n 1 /tmp/rseqs)
rlast=$(tail -n 1 /tmp/rseqs)
rlines=$(wc -l </tmp/rseqs)
[ "$rfirst" = $((jlast + 1)) ] || fail "rsyslog's first seq is $rfirst, the journal's last $jlast"
{ [ "$rlines" = $((rlast - rfirst + 1)) ] && [ "$(sort -un /tmp/rseqs | wc -l)" = "$rlines" ]; } ||
	fail "rsyslog has $rlines records for seq $rfirst-$rlast"
# The lines, in and out of rsyslog: msgid, severity and uid 1000's connects.
connects=$(grep -c '^<86>1 .* netlog - connect \[netlog@32473 .* uid="1000" ' /var/log/netlog.log)
[ "$connects" -ge 100 ] || fail "only $connects connects of uid 1000 in rsyslog's file"
cmp -s /var/log/netlog.log /var/log/central/netlog.log ||
	fail "the central collector's file differs: $(diff /var/log/netlog.log /var/log/central/netlog.log | head -n 4)"
[ "$(stat -c %a /var/log/netlog.log)" = 600 ] || fail "/var/log/netlog.log is not 0600"
echo "journal: rsyslog: $rlines RFC 5424 records (seq $rfirst-$rlast, $connects connects of uid 1000) in /var/log/netlog.log and at the central rsyslogd over TCP"
echo "journal: ok: rsyslog"
