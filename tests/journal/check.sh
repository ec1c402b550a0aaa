#!/bin/bash
# Inside the journal VM (tests/journal/run.sh), run by a oneshot unit at
# boot. As an admin would: dpkg -i the reader's package, a whitelist rule in
# /etc/netlog/whitelist.conf, the modules loaded by the package's
# modules-load.d file, the package's units started. Then uid 1000 makes at
# least netlog.records=N records (UDP bind, connect, close), then every
# record the kernel made must be in the journal namespace netlog, as
# entries with the reader's NETLOG_* fields (--output journal): seq 0 to
# the last, each once, no LOST record, as many socket records as netlog
# emitted, execlog's records of the execs made here, and journald
# suppressed nothing; root reads them there, a member of adm and
# systemd-journal cannot, and the system journal has none. The counters for
# node_exporter; rsyslog; the reader's own file rotated by logrotate under
# load; the page once secure_log is gone. Prints "journal: ok ..." or
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

# netlog's probes as at load, as the module says (never a literal mask).
default_probes() {
	netlogctl status --json |
		sed -n 's/.*"netlog":{[^}]*"probes_default":"\(0x[0-9a-f]*\)".*/\1/p'
}

# Whether the reader runs within $1 seconds (the device starts it).
reader_starts() {
	for _ in $(seq "$1"); do
		systemctl is-active --quiet netlog-reader.service && return 0
		sleep 1
	done
	systemctl is-active --quiet netlog-reader.service
}

dpkg -i /root/netlog-reader.deb >/tmp/dpkg.log 2>&1 || fail "dpkg -i: $(tail -n 5 /tmp/dpkg.log)"
# A whitelist for the boot to apply, that the test's traffic does not meet.
printf '# the test'"'"'s\n/usr/sbin/ntpd|p<123>\n' >>/etc/netlog/whitelist.conf
systemctl restart systemd-modules-load.service || fail "modules did not load"
# The device's appearance starts the reader: the package enabled it for
# dev-secure_log.device, which the udev rule makes.
reader_starts 60 ||
	fail "/dev/secure_log did not start the reader: $(systemctl status dev-secure_log.device netlog-reader.service 2>&1 | tail -n 12)"
systemctl start netlog-whitelist.service netlog-reader.service ||
	fail "units: $(systemctl status netlog-whitelist.service netlog-reader.service 2>&1 | tail -n 12)"
systemctl is-enabled --quiet netlog-reader.service netlog-whitelist.service ||
	fail "the package did not enable its units"
# node_exporter's timer is the admin's to enable.
! systemctl is-enabled --quiet netlog-metrics.timer || fail "the package enabled netlog-metrics.timer"
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
default_probes >/sys/module/netlog/parameters/probes || fail "cannot write probes"
made=$(($(date +%s) - start))

# Until the config record is in the journal, or 10 minutes.
fields=NETLOG_SEQ,NETLOG_EVENT,NETLOG_PROTO,NETLOG_UID,NETLOG_PARAM,NETLOG_NEW,NETLOG_FILENAME,NETLOG_COMM,NETLOG_ARGC,NETLOG_ARGV,PRIORITY,MESSAGE
for _ in $(seq 600); do
	journalctl --namespace=netlog -t netlog -o json --all --output-fields=$fields --no-pager 2>/dev/null |
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
# journald's own messages, of both instances.
journalctl --namespace='*' _TRANSPORT=driver -o cat --no-pager >/tmp/journald
grep -E 'Suppressed|[Rr]otat|[Vv]acuum' /tmp/journald | head -n 5
suppressed=$(grep -c Suppressed /tmp/journald)
# The first gap, if any.
awk 'NR == 1 { e = $1 } $1 != e { print "journal: first gap: " e " to " $1 - 1; exit } { e = $1 + 1 }' /tmp/seqs
journalctl --namespace=netlog --disk-usage
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

# netlog-search, as an admin asks: uid 1000's connects from the journal
# namespace. As many as journalctl's own match finds; each printed as the
# text line the reader wrote (MESSAGE), rebuilt from the NETLOG_* fields;
# the same records again from the JSON it printed; and counted by user.
journalctl --namespace=netlog NETLOG_UID=1000 NETLOG_EVENT=connect -o cat --no-pager |
	grep '^seq=' >/tmp/jconnects
netlog-search --journal -u 1000 -e connect >/tmp/sconnects ||
	fail "netlog-search --journal: exit status $?"
netlog-search --journal -u 1000 -e connect -f json >/tmp/sconnects.json ||
	fail "netlog-search --journal -f json: exit status $?"
found=$(wc -l </tmp/sconnects)
{ [ "$found" -gt 0 ] && [ "$found" = "$(wc -l </tmp/jconnects)" ]; } ||
	fail "netlog-search found $found connects of uid 1000, journalctl $(wc -l </tmp/jconnects)"
cmp -s /tmp/sconnects /tmp/jconnects ||
	fail "netlog-search's text is not the reader's: $(diff /tmp/sconnects /tmp/jconnects | head -n 4)"
netlog-search -i /tmp/sconnects.json -f json >/tmp/sagain.json
cmp -s /tmp/sagain.json /tmp/sconnects.json ||
	fail "netlog-search from its own JSON: $(diff /tmp/sagain.json /tmp/sconnects.json | head -n 4)"
netlog-search --journal -u 1000 -e connect -r user >/tmp/sreport
name=$(head -n 1 /tmp/sconnects.json | grep -o '"user":"[^"]*"' | cut -d '"' -f 4)
grep -qx " *$found 1000 $name" /tmp/sreport || fail "netlog-search --report user: $(cat /tmp/sreport)"
netlog-search --journal -u 4242 >/dev/null
[ $? = 1 ] || fail "netlog-search: no match is not exit status 1"
echo "journal: ok: netlog-search: $found connects of uid 1000, as journalctl and the reader's lines have them"

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
	grep -q "^netlog: loaded, probes $(default_probes) of 0x[0-9a-f]*, 1 whitelist rule$" /tmp/status; } ||
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

# The counters, as node_exporter would get them: the reader's own page
# (--metrics, from its unit, in a directory only root reads) and
# netlog-metrics.service, which its timer runs, writing netlogctl's page
# with it into node_exporter's textfile directory. The reader says it wrote
# as many records as the journal holds up to the page's last seq; the page
# goes to the host, whose promtool lints it (run.sh).
[ "$(stat -c '%a %U' /run/netlog-reader)" = "700 root" ] ||
	fail "/run/netlog-reader: $(stat -c '%a %U' /run/netlog-reader): not root's alone"
textfile=/var/lib/prometheus/node-exporter
mkdir -p $textfile
systemctl start netlog-metrics.service ||
	fail "netlog-metrics.service: $(systemctl status netlog-metrics.service 2>&1 | tail -n 8)"
prom=$textfile/netlog.prom
value() {
	awk -v m="$1" '$1 == m { print $2 }' "$prom"
}
pwritten=$(value netlog_reader_records_written_total)
pseq=$(value netlog_reader_last_seq)
journal_upto() {
	journalctl --namespace=netlog -t netlog -o json --output-fields=NETLOG_SEQ --no-pager |
		grep -o '"NETLOG_SEQ":"[0-9]*"' | tr -dc '0-9\n' | awk -v s="$1" '$1 <= s' | sort -un | wc -l
}
for _ in $(seq 60); do
	[ "$(journal_upto "$pseq")" -gt "$pseq" ] && break
	sleep 1
done
jupto=$(journal_upto "$pseq")
{ [ "$(value netlog_up)" = 1 ] && [ "$(value netlog_reader_up)" = 1 ] &&
	[ "$(value netlog_reader_write_errors_total)" = 0 ] &&
	[ "$(value netlog_reader_records_lost_total)" = 0 ] &&
	grep -q '^netlog_build_info{version="[0-9.]*",module_version="[0-9.]*"} 1$' "$prom"; } ||
	fail "netlog.prom: $(grep -v '^#' "$prom" | head -n 12)"
{ [ -n "$pwritten" ] && [ "$pwritten" = "$jupto" ]; } ||
	fail "the reader's page says $pwritten written up to seq $pseq, the journal has $jupto"
[ "$(stat -c '%a %U' $prom)" = "644 root" ] || fail "$prom: $(stat -c '%a %U' $prom)"
sed 's/^/journal: prom: /' "$prom"
echo "journal: ok: metrics: the reader wrote $pwritten records up to seq $pseq, the journal has $jupto"

# Who reads them: root, in the namespace's files (a directory 0700 root, by
# the package's drop-in for the namespace's journald). Not the groups that
# Debian lets read the system journal, and not the system journal.
mid=$(cat /etc/machine-id)
dir=/var/log/journal/$mid.netlog
[ "$(stat -c '%a %U' "$dir")" = "700 root" ] ||
	fail "$dir: $(stat -c '%a %U %G' "$dir"): not root's alone"
ls "$dir"/*.journal >/dev/null || fail "no journal file in $dir"
as_adm() {
	setpriv --reuid=1000 --regid=1000 --groups=adm,systemd-journal "$@"
}
adm=$(as_adm journalctl --namespace=netlog -o cat --no-pager 2>/dev/null | grep -c '^seq=')
sys=$(journalctl -o cat --no-pager | grep -c '^seq=')
# The same member reads the system journal: the check above can fail.
as_adm journalctl -o cat --no-pager -n 10 2>/dev/null | grep -q . ||
	fail "a member of adm and systemd-journal cannot read the system journal either"
[ "$adm" = 0 ] || fail "uid 1000 in groups adm and systemd-journal reads $adm records"
[ "$sys" = 0 ] || fail "$sys records in the system journal"
echo "journal: ok: root alone reads them ($dir is 0700 root; uid 1000 in adm and systemd-journal reads 0; the system journal has 0)"

# The service as systemd sees it: READY (Type=notify), a STATUS that counts
# what the reader wrote, a watchdog, and a sandbox.
for _ in $(seq 30); do
	st=$(systemctl show -P StatusText netlog-reader.service)
	[ "${st%% *}" -ge "$lines" ] 2>/dev/null && break
	sleep 1
done
echo "$st" | grep -Eq '^[0-9]+ records written \(last seq [0-9]+\), 0 lost$' ||
	fail "the reader's status is '$st'"
[ "${st%% *}" -ge "$lines" ] || fail "the status says ${st%% *} written, the journal has $lines"
[ "$(systemctl show -P Type netlog-reader.service)" = notify ] || fail "not Type=notify"
[ "$(systemctl show -P WatchdogUSec netlog-reader.service)" = 30s ] || fail "no watchdog"
exposure=$(systemd-analyze security netlog-reader.service --no-pager 2>/dev/null |
	sed -n 's/.*Overall exposure level for netlog-reader.service: \([0-9.]*\) .*/\1/p')
echo "journal: systemd-analyze security: exposure $exposure"
awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 1.5) }' ||
	fail "exposure '$exposure' is above 1.5: $(systemd-analyze security netlog-reader.service --no-pager 2>&1 | grep -v '^  ✓' | head -n 30)"

# systemctl reload applies /etc/netlog's whitelists again (a config record
# by netlogctl); so does a module loaded after boot, by the udev rule.
wl_records() {
	journalctl --namespace=netlog NETLOG_PARAM=whitelist NETLOG_COMM=netlogctl -o cat --no-pager | grep -c .
}
n=$(wl_records)
systemctl reload netlog-reader.service || fail "systemctl reload: $(systemctl status netlog-reader 2>&1 | tail -n 5)"
for _ in $(seq 30); do
	[ "$(wl_records)" -gt "$n" ] && break
	sleep 1
done
[ "$(wl_records)" -gt "$n" ] || fail "systemctl reload applied no whitelist"
rmmod execlog netlog || fail "rmmod execlog netlog"
modprobe -a netlog execlog || fail "modprobe netlog execlog"
for _ in $(seq 30); do
	[ "$(netlogctl whitelist show 2>/dev/null)" = "/usr/sbin/ntpd|p<123>" ] && break
	sleep 1
done
[ "$(netlogctl whitelist show)" = "/usr/sbin/ntpd|p<123>" ] ||
	fail "netlog loaded after boot has whitelist '$(netlogctl whitelist show 2>&1)': $(systemctl status netlog-whitelist.service 2>&1 | tail -n 5)"
systemctl is-active --quiet netlog-reader.service || fail "the reader stopped with the modules' reload"
echo "journal: ok: service: status '$st', exposure $exposure, reload and a late modprobe apply the whitelist"

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
	fail "reader into rsyslog: $(journalctl --namespace=netlog -u netlog-reader -n 5 --no-pager)"
setpriv --reuid=1000 --regid=1000 --clear-groups /usr/local/bin/netloop udp 2 1 >/dev/null ||
	fail "netloop failed"
default_probes >/sys/module/netlog/parameters/probes || fail "cannot write probes"
for _ in $(seq 120); do
	grep -qs 'event="config" param="probes"' /var/log/netlog.log &&
		grep -qs 'event="config" param="probes"' /var/log/central/netlog.log && break
	sleep 1
done
grep -qs 'event="config" param="probes"' /var/log/central/netlog.log ||
	fail "the last record never reached the central rsyslogd: $(tail -n 2 /var/log/netlog.log /var/log/central/netlog.log 2>&1)"
sleep 1
# The first reader's last entry: the one before rsyslog's first.
journalctl --namespace=netlog -t netlog -o json --output-fields=NETLOG_SEQ --no-pager |
	grep -o '"NETLOG_SEQ":"[0-9]*"' | tr -dc '0-9\n' | sort -n | tail -n 1 >/tmp/jlast
jlast=$(cat /tmp/jlast)
host=$(hostname)
bad=$(grep -cvE "^<8[456]>1 [0-9T:.+-]+ $host netlog - [a-z_]+ \[netlog@32473 seq=\"[0-9]+\" event=\"[a-z_]+\" .*\] event=" /var/log/netlog.log)
[ "$bad" = 0 ] || fail "$bad lines rsyslog did not parse as ours: $(grep -vE '^<8[456]>1 ' /var/log/netlog.log | head -n 2)"
# The seqs in rsyslog's file, in order.
rsyslog_seqs() {
	sed -n 's/^[^[]* \[netlog@32473 seq="\([0-9]*\)".*/\1/p' /var/log/netlog.log
}
rsyslog_seqs >/tmp/rseqs
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

# The reader's own file, as dist/logrotate.conf rotates it: uid 1000 makes
# 50,000 records while logrotate -f runs five times, each waited for until
# the reader says it reopened the file. The files together hold every
# record from the switch on exactly once, each file 0600 root; then the
# reader is killed (SIGKILL) and restarted by systemd, and the gap, if
# any, is the one its successor's first message names.
log=/var/log/netlog/netlog.log
# The reader's own messages (its standard error), not its records.
reader_messages() {
	journalctl --namespace=netlog _SYSTEMD_UNIT=netlog-reader.service _TRANSPORT=stdout -o cat --no-pager
}
reader_says() {
	reader_messages | grep -c "$1"
}
# The seqs of the whole lines (a text line ends with the host) of all
# files. (grep and cut: sed's backtracking over 100,000 lines takes minutes
# under TCG.)
all_seqs() {
	for f in "$log"*; do zcat -f "$f"; done | grep -a ' host="[^"]*"$' |
		cut -d ' ' -f 1 | cut -c 5- | sort -n
}
echo 'NETLOG_READER_ARGS="--output file:/var/log/netlog/netlog.log"' >/etc/default/netlog-reader
systemctl restart netlog-reader.service
sleep 2
systemctl is-active --quiet netlog-reader.service ||
	fail "reader into $log: $(journalctl --namespace=netlog -u netlog-reader -n 5 --no-pager)"
# The last record rsyslog's reader wrote (the execs of the checks above
# came after rlast).
prev=$(rsyslog_seqs | tail -n 1)
# uid 1000 makes records in the background until /tmp/producing is gone.
producing() {
	touch /tmp/producing
	(
		while [ -e /tmp/producing ]; do
			setpriv --reuid=1000 --regid=1000 --clear-groups \
				/usr/local/bin/netloop udp 1 1 >/dev/null || exit 1
		done
	) &
	producer=$!
}
base=$(sum emitted)
producing
# Until the kernel has emitted $1 socket records (the producer must live).
until_emitted() {
	while [ "$(sum emitted)" -lt "$1" ]; do
		kill -0 "$producer" 2>/dev/null || fail "netloop stopped"
		sleep 0.2
	done
}
for i in 1 2 3 4 5; do
	until_emitted $((base + i * 10000 - 5000))
	logrotate -f /etc/logrotate.d/netlog || fail "logrotate -f failed"
	for _ in $(seq 60); do
		[ "$(reader_says "^netlog-reader: reopened $log\$")" -ge "$i" ] && break
		sleep 1
	done
	[ "$(reader_says "^netlog-reader: reopened $log\$")" -ge "$i" ] ||
		fail "the reader did not reopen $log after rotation $i"
	echo "journal: file: rotation $i at $(sum emitted) records, ${SECONDS}s"
done
until_emitted $((base + 50000))
rm /tmp/producing
wait $producer || fail "netloop failed"
default_probes >/sys/module/netlog/parameters/probes || fail "cannot write probes"
for _ in $(seq 120); do
	grep -qs 'event=config param=probes' "$log" && break
	sleep 1
done
grep -qs 'event=config param=probes' "$log" || fail "the last record never reached $log"
files=$(find "${log%/*}" -name "${log##*/}*" | wc -l)
[ "$files" = 6 ] || fail "$files files after five rotations: $(ls -l "$log"*)"
for f in "$log"*; do
	[ "$(stat -c '%a %U %G' "$f")" = "600 root root" ] || fail "$(ls -l "$f"): not 0600 root"
done
all_seqs >/tmp/fseqs
ffirst=$(head -n 1 /tmp/fseqs)
flast=$(tail -n 1 /tmp/fseqs)
flines=$(wc -l </tmp/fseqs)
[ "$ffirst" = $((prev + 1)) ] || fail "the file's first seq is $ffirst, rsyslog's last $prev"
{ [ "$flines" = $((flast - ffirst + 1)) ] && [ -z "$(uniq -d /tmp/fseqs)" ]; } ||
	fail "$flines records in $files files for seq $ffirst-$flast"
fuser=$(for f in "$log"*; do zcat -f "$f"; done | grep -c ' event=connect proto=udp ')
[ "$((flast - ffirst))" -ge 50000 ] || fail "only seq $ffirst-$flast in the files"
echo "journal: ok: file: seq $ffirst-$flast ($flines records, $fuser UDP connects) in $files files, five rotations, each 0600 root"

# The reader dies while uid 1000 makes records, killed (SIGKILL) or
# stopped (SIGSTOP, until the watchdog has systemd kill it): systemd starts
# it again, and each new reader names what the one before read and never
# wrote. Every seq from the file's first on is in the files once, or in a
# gap a new reader named: delivered + named == produced.
# (Rotations are over: the reader writes to $log alone.)
configs() {
	grep -c 'event=config param=probes' "$log"
}
for how in KILL STOP; do
	pid=$(systemctl show -P MainPID netlog-reader.service)
	producing
	sleep 2
	kill -"$how" "$pid"
	t0=$(date +%s)
	sleep 1
	rm /tmp/producing
	wait $producer || fail "netloop failed"
	# WatchdogSec=30s, TimeoutAbortSec=5s, RestartSec=2s: back within 60s.
	for _ in $(seq 90); do
		new=$(systemctl show -P MainPID netlog-reader.service)
		[ "$new" != "$pid" ] && [ "$new" != 0 ] &&
			systemctl is-active --quiet netlog-reader.service && break
		sleep 1
	done
	back=$(($(date +%s) - t0))
	if [ "$new" = "$pid" ] || [ "$new" = 0 ]; then
		fail "the reader was not restarted after SIG$how"
	fi
	[ "$how" = KILL ] || [ "$back" -le 60 ] || fail "the stopped reader was restarted after ${back}s"
	before=$(configs)
	default_probes >/sys/module/netlog/parameters/probes || fail "cannot write probes"
	for _ in $(seq 120); do
		[ "$(configs)" -gt "$before" ] && break
		sleep 1
	done
	[ "$(configs)" -gt "$before" ] || fail "the last record after SIG$how never reached $log"
	said=$(reader_messages |
		grep "^netlog-reader: $log ends at seq" | tail -n 1)
	echo "journal: file: SIG$how: a new reader after ${back}s; it said: $said"
done
journalctl -u netlog-reader.service -o cat --no-pager | grep -i watchdog | tail -n 2
journalctl -u netlog-reader.service -o cat --no-pager | grep -qi 'watchdog timeout' ||
	fail "systemd's journal has no watchdog timeout of the stopped reader"
all_seqs >/tmp/fseqs
[ -z "$(uniq -d /tmp/fseqs)" ] || fail "a seq twice in the files after the restarts"
reader_messages |
	sed -n "s|^netlog-reader: $log ends at seq \([0-9]*\), this reader starts at seq \([0-9]*\).*|\1 \2|p" \
		>/tmp/restarts
[ "$(wc -l </tmp/restarts)" = 2 ] || fail "$(wc -l </tmp/restarts) restart messages: $(cat /tmp/restarts)"
read -r missing contra named last <<<"$(awk -v first="$ffirst" '
	FNR == NR { for (s = $1 + 1; s < $2; s++) gap[s] = 1; next }
	{ have[$1] = 1; if ($1 > last) last = $1 }
	END {
		for (s = first; s <= last; s++)
			if (have[s] && gap[s]) contra++
			else if (gap[s]) named++
			else if (!have[s]) missing++
		print missing + 0, contra + 0, named + 0, last
	}' /tmp/restarts /tmp/fseqs)"
[ "$missing" = 0 ] || fail "$missing records from seq $ffirst to $last are in no file and no named gap"
[ "$contra" = 0 ] || fail "$contra records in a named gap are in the files"
echo "journal: ok: file: restarts: seq $ffirst-$last in the files but for $named records the new readers named"

# secure_log gone and not loadable (as for a kernel DKMS did not build
# for; netlogctl's request would load it otherwise, by its generic netlink
# family's alias): the page says so (netlog_up 0) and names no reader,
# where netlogctl would fail.
systemctl stop netlog-reader.service
rmmod execlog netlog secure_log || fail "rmmod: $(lsmod | grep -E 'netlog|secure_log')"
echo 'install secure_log /bin/false' >/etc/modprobe.d/netlog-test-gone.conf
systemctl start netlog-metrics.service ||
	fail "netlog-metrics.service without secure_log: $(systemctl status netlog-metrics.service 2>&1 | tail -n 8)"
{ [ "$(value netlog_up)" = 0 ] && [ "$(value netlog_reader_up)" = 0 ] &&
	grep -q '^netlog_build_info{version="[0-9.]*"} 1$' "$prom"; } ||
	fail "netlog.prom without secure_log: $(grep -v '^#' "$prom")"
[ ! -e /sys/module/secure_log ] || fail "secure_log was loaded again"
sed 's/^/journal: prom-down: /' "$prom"
echo "journal: ok: metrics: secure_log gone, netlog_up 0"

# The reader started without the device: it fails at once (exit status 3,
# its cause in its journal), and systemd does not restart it; the device's
# appearance does.
restarts=$(systemctl show -P NRestarts netlog-reader.service)
t0=$(date +%s)
systemctl start netlog-reader.service && fail "the reader started without /dev/secure_log"
took=$(($(date +%s) - t0))
sleep 5
{ [ "$(systemctl show -P ActiveState netlog-reader.service)" = failed ] &&
	[ "$(systemctl show -P ExecMainStatus netlog-reader.service)" = 3 ] &&
	[ "$(systemctl show -P NRestarts netlog-reader.service)" = "$restarts" ]; } ||
	fail "the reader without its device: $(systemctl status netlog-reader.service 2>&1 | tail -n 8)"
[ "$took" -le 10 ] || fail "the reader without its device took ${took}s to fail"
journalctl --namespace=netlog -u netlog-reader.service -o cat --no-pager |
	grep -q 'cannot open /dev/secure_log: module secure_log not loaded' ||
	fail "the reader did not say why it failed"
rm /etc/modprobe.d/netlog-test-gone.conf
modprobe secure_log || fail "modprobe secure_log"
reader_starts 30 ||
	fail "the device's appearance did not start the failed reader: $(systemctl status netlog-reader.service 2>&1 | tail -n 8)"
echo "journal: ok: no device: the unit failed in ${took}s with status 3, not restarted; modprobe started it"
