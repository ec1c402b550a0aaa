#!/usr/bin/env python3
"""Turns make bench's raw results into the Markdown tables of
docs/benchmarks.md.

  report.py RESULTS_LOG READER_BENCH_JSON KVER
"""
import json
import os
import re
import statistics
import sys

ORDER = ["baseline", "netlog", "netlog-file", "netlog-journal", "netlog-raw",
         "netlog-kernel", "netlog-state", "netlog-ruled", "netlog-filtered",
         "execlog", "execlog-success",
         "auditd", "bpftrace", "bcc"]
# netlog with the reader writing to /dev/null, a file, the journal, or a
# binary capture (file).
SINKS = ["netlog", "netlog-file", "netlog-journal", "netlog-raw"]
# Events a complete recorder makes per operation, where it is one number:
# one exec record per exec (auditd: its SYSCALL record; bpftrace: its line).
EXPECTED = {"exec": {"execlog": 1, "execlog-success": 1, "auditd": 1,
                    "bpftrace": 1},
            # connect, connect_done, accept, and the two closes
            # (auditd: the connect, accept and two close syscalls;
            # bpftrace: connect's and accept's returns, two releases;
            # bcc: tcpconnect's connect, tcpaccept's accept, and
            # tcplife's line for each of the two sockets' lives)
            "tcp": {**{c: 5 for c in SINKS}, "netlog-kernel": 5,
                    "netlog-ruled": 5,
                    "auditd": 4, "bpftrace": 4, "bcc": 4},
            # bind, connect, close (bcc's TCP tools see none of them)
            "udp": {**{c: 3 for c in SINKS}, "netlog-kernel": 3,
                    "netlog-ruled": 3,
                    "auditd": 3, "bpftrace": 3, "bcc": 3}}


# Each workload's table title, and what one of its operations is.
TITLES = {"tcp": ("TCP loop", "operation"), "udp": ("UDP loop", "operation"),
          "udpsend": ("UDPSEND loop", "operation"),
          "exec": ("EXEC loop", "operation"),
          "http": ("HTTP: nginx-light serving 1 KiB to ab, a connection per "
                   "request", "request"),
          "dns": ("DNS: dnsperf to unbound, forwarding each new name to "
                  "dnsmasq", "query"),
          "build": ("Build: make -j of 16 C files and a link, again and again",
                    "file compiled")}


# What in a kernel log fails a run: tests/vm/lib.sh's kernel_bad, which
# bench/run.sh passes on.
KERNEL_BAD = re.compile(os.environ["NETLOG_KERNEL_BAD"])


def parse(path):
    """The VM's results, and whether it printed its last line, "=== end"."""
    runs, header, notes, profile, modsyms = [], "", [], {}, {}
    in_dmesg = ended = False
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if line == "=== end":
                ended = True
            elif in_dmesg:
                if KERNEL_BAD.search(line):
                    notes.append("kernel: " + line)
            elif line.startswith("=== bench"):
                header = line[4:]
            elif line.startswith("=== dmesg"):
                in_dmesg = True
            elif line.startswith("==="):
                notes.append(line[4:])
            elif line.startswith("result "):
                runs.append(dict(kv.split("=", 1) for kv in line.split()[1:]))
            elif line.startswith("modsym "):
                _, module, sym = line.split()
                modsyms[sym] = module
            elif line.startswith("profile "):
                which, rest = line[8:].split(":", 1)
                profile.setdefault(which, []).append(rest.strip())
    return runs, header, notes, profile, modsyms, ended


def profile_tables(profile):
    out = []
    for which, rows in profile.items():
        whose = "whole VM"
        if which.endswith(" reader"):  # init.sh: the reader's samples alone
            which, whose = which[:-len(" reader")], "netlog-reader's samples"
        config, _, workload = which.rpartition(" ")
        out.append(f"\n### Where the time goes: perf, {workload.upper()} loop, "
                   f"{config or 'netlog'} ({whose}, cpu-clock samples, % of "
                   "the VM's)\n")
        out.append("```")
        out += rows[:40]
        out.append("```")
    return out


# The kprobes core and ftrace: what any kprobe-based recorder pays per hit
# before its handler runs (and, for a return probe, on the way back).
MACHINERY = re.compile(r"kprobe|kretprobe|rethook|ftrace")


def rate_and_events(rs):
    """Median ops/s of some runs, and the events they recorded per op."""
    ops = sum(int(r["ops"]) for r in rs)
    events = sum(int(r["events"]) for r in rs)
    return (statistics.median(float(r["ops_per_s"]) for r in rs),
            events / ops if ops else 0)


def component_tables(profile, runs, modsyms):
    """Under icount a sample is a fixed number of instructions, so a
    component's share of a loop's samples, times the instructions of one
    operation, is that component's instructions per operation."""
    out = []
    for which, rows in profile.items():
        config, _, workload = which.rpartition(" ")
        rs = [r for r in runs
              if r["config"] == config and r["workload"] == workload]
        if config == "baseline" or not rs:
            continue
        rate, per_op = rate_and_events(rs)
        share = {"machinery": 0.0, "netlog": 0.0, "secure_log": 0.0}
        for row in rows:
            pct, _, name = row.partition("%")
            name = name.strip()
            if name.startswith("[k] "):
                sym = name[4:]
                if sym in modsyms:
                    share[modsyms[sym]] += float(pct)
                elif MACHINERY.search(sym):
                    share["machinery"] += float(pct)
            elif not name.startswith("[."):
                share[name] = float(pct)
        out.append(f"\n### Components of the {workload.upper()} loop under "
                   f"{config} (share of samples, instructions)\n")
        out.append("| component | samples | instr/op | instr/event |")
        out.append("|---|---:|---:|---:|")
        parts = [("kprobes core and ftrace", share["machinery"]),
                 ("netlog.ko", share["netlog"]),
                 ("secure_log.ko", share["secure_log"]),
                 ("netlog-reader (user space)",
                  share.get("netlog-reader", 0.0))]
        for name, pct in parts:
            instr = pct / 100 * 1e9 / rate
            each = f"{instr / per_op:,.0f}" if per_op >= 0.01 else "-"
            out.append(f"| {name} | {pct:.1f}% | {instr:,.0f} | {each} |")
    return out


def rate(x):
    """Operations per second: a build's few files keep a decimal."""
    return f"{x:,.1f}" if x < 100 else f"{x:,.0f}"


def vm_tables(runs):
    out = []
    for workload, (title, unit) in TITLES.items():
        rows = {}
        for r in runs:
            if r["workload"] == workload and "ops_per_s" in r:
                rows.setdefault(r["config"], []).append(r)
        if "baseline" not in rows:
            continue
        base = statistics.median(float(r["ops_per_s"]) for r in rows["baseline"])
        out.append(f"\n### {title}\n")
        if unit != "operation":
            out.append(f"(an operation is a {unit})\n")
        # Under icount, 10^9 / (ops/s) is instructions per operation.
        out.append("| configuration | runs | ops/s median | spread (min-max) "
                   "| vs baseline | slowdown | instr/op | added instr/event "
                   "| events/op | recorded | lost |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        slow, added_per_event, added_per_op, events = {}, {}, {}, {}
        for config in ORDER:
            if config not in rows:
                continue
            rs = rows[config]
            rates = [float(r["ops_per_s"]) for r in rs]
            med, per_op = rate_and_events(rs)
            lost = sum(int(r["lost"]) for r in rs)
            slow[config] = 1 - med / base
            share = "-"
            expected = EXPECTED.get(workload, {}).get(config)
            if expected:
                share = f"{100 * per_op / expected:.1f}%"
                if per_op < 0.99 * expected:
                    share += " (under 99%)"
            added = (1e9 / med - 1e9 / base)
            per_event = f"{added / per_op:,.0f}" if per_op >= 0.01 else "-"
            added_per_op[config], events[config] = added, per_op
            if per_op >= 0.01:
                added_per_event[config] = added / per_op
            out.append(
                f"| {config} | {len(rs)} | {rate(med)} | {rate(min(rates))}-"
                f"{rate(max(rates))} | {med / base:.3f} | "
                f"{100 * slow[config]:+.1f}% | {1e9 / med:,.0f} | "
                f"{per_event} | {per_op:.2f} | {share} | {lost} |")
        kernel = added_per_event.get("netlog-kernel")
        sinks = [c for c in SINKS if c in added_per_event]
        if kernel is not None and sinks:
            # What the reader and its sink add to a recorded event.
            out.append("\nThe reader and its sink, per record (added "
                       "instructions per event less netlog-kernel's): " +
                       ", ".join(f"{c} {added_per_event[c] - kernel:,.0f}"
                                 for c in sinks) + ".")
        if {"netlog-kernel", "netlog-state"} <= added_per_op.keys():
            # What a state record costs: the difference of the two, per
            # record more.
            more = events["netlog-state"] - events["netlog-kernel"]
            if more >= 0.01:
                cost = (added_per_op["netlog-state"] -
                        added_per_op["netlog-kernel"]) / more
                out.append(f"\nThe tcp_state probe: {more:.2f} state records "
                           f"per {unit}, {cost:,.0f} instructions each "
                           "(netlog-state less netlog-kernel).")
        ours = "execlog" if workload == "exec" else "netlog"
        for peer in ("auditd", "bpftrace", "bcc"):
            # (a ratio to a peer's noise, under 0.5%, says nothing)
            if ours in slow and peer in slow and slow[peer] >= 0.005:
                out.append(f"\n{ours}'s slowdown is "
                           f"{slow[ours] / slow[peer]:.2f} of {peer}'s.")
    return out


def reader_table(path):
    with open(path) as f:
        data = json.load(f)
    out = ["\n### netlog-reader on one host core (Google Benchmark, "
           "median of 5 repetitions)\n",
           "| format | records/s | target |", "|---|---:|---:|"]
    targets = {"BM_Text": "5,000,000", "BM_Json": "3,000,000", "BM_Klog": "-"}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"]
        out.append(f"| {name[3:].lower()} | {b['items_per_second']:,.0f} | "
                   f"{targets.get(name, '-')} |")
    return out


def main():
    results, reader_json, kver = sys.argv[1:4]
    vm_rc = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    runs, header, notes, profile, modsyms, ended = parse(results)
    lines = [f"## make bench: {kver}, QEMU TCG ({header})"]
    if not runs:
        lines.append("\nNo measurement: the VM printed no result (see "
                     "build/bench/console.log).")
    elif vm_rc or not ended:
        why = ("ran past its time limit" if vm_rc == 124 else
               f"exited with {vm_rc}" if vm_rc else "did not reach its end")
        last = runs[-1]
        n = len(runs)
        lines.append(f"\n**Incomplete run:** the VM {why} after {n} "
                     f"measurement{'s' if n > 1 else ''} (the last: "
                     f"{last.get('config')} {last.get('workload')}, round "
                     f"{last.get('round')}); the tables hold what it "
                     "measured.")
    lines += vm_tables(runs)
    for n in notes:
        lines.append(f"\nnote: {n}")
    lines += component_tables(profile, runs, modsyms)
    lines += profile_tables(profile)
    lines += reader_table(reader_json)
    print("\n".join(lines))
    return 0 if runs else 1


if __name__ == "__main__":
    sys.exit(main())
