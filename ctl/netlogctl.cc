// netlogctl: the control plane's command line (see netlogctl(8)).
#include <fmt/format.h>
#include <getopt.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "control.h"
#include "control_format.h"
#include "replace_file.h"

#ifndef NETLOG_VERSION
#define NETLOG_VERSION "unknown"
#endif

namespace {

using netlog::Error;
using netlog::Result;
namespace ctl = netlog::ctl;

constexpr const char* kUsage = R"(Usage: netlogctl [OPTION]... COMMAND
Control netlog's kernel modules (secure_log, netlog, execlog) over
generic netlink. Root only (CAP_NET_ADMIN; CAP_SYS_ADMIN for a change).

Commands:
  status                 version, ring, reader, the modules loaded
  stats                  every counter of every module loaded
  whitelist show         the rules in force, one per line
  whitelist load FILE    replace the rules by FILE's ('-': standard input;
                         one rule per line, '#' lines are comments);
                         all or nothing: a refused rule changes nothing
  whitelist clear        no rules
  probes show            the probes, on and off
  probes set PROBES      a mask (0x101), names joined by ',', all, default
                         (as at load) or none
  lock                   until reboot: no module can be unloaded and every
                         change is refused (and recorded as refused)

Options:
  -m, --module NAME      netlog (default) or execlog: whose whitelist,
                         probes or stats
  -j, --json             status and stats as one JSON object
  -p, --prometheus       stats in the Prometheus text format, with
                         netlog_up 0 when secure_log cannot be reached, and
                         the reader's own page (--reader-metrics)
      --reader-metrics FILE
                         the page netlog-reader --metrics writes
                         (default /run/netlog-reader/metrics.prom)
  -o, --output FILE      status or stats to FILE, replaced whole (written
                         beside it, then renamed): for node_exporter's
                         textfile directory
  -h, --help             this text
  -V, --version          netlogctl's version
)";

struct Args {
  std::string module;
  bool json = false, prometheus = false;
  std::string reader_metrics = "/run/netlog-reader/metrics.prom";
  std::string output;  // empty: standard output
  std::vector<std::string> words;
};

[[noreturn]] void usage_error(const std::string& what) {
  fmt::print(stderr, "netlogctl: {}\nTry 'netlogctl --help' for more.\n", what);
  std::exit(2);
}

Args parse(int argc, char** argv) {
  static const option longopts[] = {
      {"module", required_argument, nullptr, 'm'},
      {"json", no_argument, nullptr, 'j'},
      {"prometheus", no_argument, nullptr, 'p'},
      {"reader-metrics", required_argument, nullptr, 'r'},
      {"output", required_argument, nullptr, 'o'},
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
      {nullptr, 0, nullptr, 0}};
  Args a;
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "m:jpo:hV", longopts, nullptr)) != -1) {
    switch (c) {
      case 'm':
        a.module = optarg;
        break;
      case 'j':
        a.json = true;
        break;
      case 'p':
        a.prometheus = true;
        break;
      case 'r':
        a.reader_metrics = optarg;
        break;
      case 'o':
        a.output = optarg;
        break;
      case 'h':
        fmt::print("{}", kUsage);
        std::exit(0);
      case 'V':
        fmt::print("netlogctl {}\n", NETLOG_VERSION);
        std::exit(0);
      default:
        usage_error(optopt ? fmt::format("bad option '-{}'", char(optopt))
                           : fmt::format("bad option '{}'", argv[optind - 1]));
    }
  }
  a.words.assign(argv + optind, argv + argc);
  if (a.words.empty()) usage_error("no command");
  if (a.json && a.prometheus) usage_error("--json or --prometheus, not both");
  if (!a.module.empty() && a.module != "netlog" && a.module != "execlog")
    usage_error(fmt::format("no module \"{}\" (netlog or execlog)", a.module));
  return a;
}

template <typename T>
T check(Result<T> r) {
  if (!r) throw netlog::Fatal(r.error().message);
  return std::move(*r);
}

Result<std::string> read_file(const std::string& path) {
  if (path == "-")
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("cannot read {}", path)};
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return Error{fmt::format("cannot read {}", path)};
  return s.str();
}

// The reader's page, or "" when it has written none (or is not running).
std::string reader_page(const Args& a) {
  auto page = read_file(a.reader_metrics);
  return page ? *page : std::string();
}

// `text` to standard output, or to --output's file, replaced whole: a
// reader of the file (node_exporter) sees the old text or the new one.
void emit(const Args& a, const std::string& text) {
  if (a.output.empty()) {
    fmt::print("{}", text);
    return;
  }
  if (auto err = netlog::replace_file(a.output, text))
    throw netlog::Fatal(*err);
}

// One word count per command: "whitelist load" takes a FILE.
void want(const Args& a, size_t n) {
  if (a.words.size() != n)
    usage_error(fmt::format("'{}' takes {} argument{}", a.words[0], n - 1,
                            n == 2 ? "" : "s"));
}

int run(const Args& a) {
  const std::string& cmd = a.words[0];
  const std::string sub = a.words.size() > 1 ? a.words[1] : "";
  const std::string module = a.module.empty() ? "netlog" : a.module;
  if (cmd != "status" && cmd != "stats" && cmd != "whitelist" &&
      cmd != "probes" && cmd != "lock")
    usage_error(fmt::format("no command \"{}\"", cmd));
  if ((a.json || a.prometheus || !a.output.empty()) && cmd != "status" &&
      cmd != "stats")
    usage_error("--json, --prometheus and --output are for status and stats");
  if (a.prometheus && cmd == "status") usage_error("--prometheus is for stats");

  auto opened = ctl::Control::open();
  // Not loaded is what the Prometheus page says (netlog_up 0), not an error.
  if (!opened && opened.error().code == ENOENT && a.prometheus) {
    want(a, 1);
    emit(a, ctl::stats_prometheus(std::nullopt, {}, reader_page(a),
                                  NETLOG_VERSION));
    return 0;
  }
  auto c = check(std::move(opened));
  if (cmd == "lock") {
    want(a, 1);
    check(c.lock());
  } else if (cmd == "status") {
    want(a, 1);
    auto st = check(c.status());
    emit(a, a.json ? ctl::status_json(st) : ctl::status_text(st));
  } else if (cmd == "stats") {
    want(a, 1);
    auto st = check(c.status());
    ctl::Stats stats;
    for (const auto& m : st.modules) {
      if (!a.module.empty() && m.name != a.module) continue;
      auto rows = c.stats(m.name);
      // Gone since the status: as if it had not been loaded.
      if (!rows && rows.error().code == ENOENT && a.module.empty()) continue;
      stats[m.name] = check(std::move(rows));
    }
    if (!a.module.empty() && stats.empty())
      throw netlog::Fatal(fmt::format("module {} is not loaded", a.module));
    emit(a, a.prometheus ? ctl::stats_prometheus(st, stats, reader_page(a),
                                                 NETLOG_VERSION)
            : a.json     ? ctl::stats_json(st, stats)
                         : ctl::stats_text(stats));
  } else if (cmd == "whitelist" && sub == "show") {
    want(a, 2);
    fmt::print("{}", check(c.whitelist(module)));
  } else if (cmd == "whitelist" && sub == "load") {
    want(a, 3);
    auto rules = ctl::whitelist_from_file(check(read_file(a.words[2])));
    if (auto r = c.set_whitelist(module, rules); !r)
      throw netlog::Fatal(fmt::format("{}: rules refused, none changed: {}",
                                      a.words[2], r.error().message));
  } else if (cmd == "whitelist" && sub == "clear") {
    want(a, 2);
    check(c.set_whitelist(module, ""));
  } else if (cmd == "probes" && sub == "show") {
    want(a, 2);
    fmt::print("{}", ctl::probes_text(check(c.probes(module))));
  } else if (cmd == "probes" && sub == "set") {
    want(a, 3);
    auto mask = ctl::parse_probes(a.words[2], check(c.probes(module)));
    if (!mask) usage_error(mask.error().message);
    check(c.set_probes(module, *mask));
  } else {
    usage_error(fmt::format("no command \"{} {}\"", cmd, sub));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  try {
    return run(args);
  } catch (const netlog::Fatal& e) {
    std::fflush(stdout);
    fmt::print(stderr, "netlogctl: {}\n", e.what());
    return 1;
  }
}
