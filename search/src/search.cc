#include "search.h"

#include <fmt/format.h>
#include <getopt.h>
#include <pwd.h>

#include <algorithm>

#include "argv.h"
#include "fields.h"
#include "number.h"

namespace netlog {
namespace {

// A uid as a number or a user name of this host.
Result<uint32_t> parse_uid(const char* opt, std::string_view arg) {
  if (auto n = parse_number<uint32_t>(arg)) return *n;
  std::vector<char> buf(4096);
  struct passwd pw, *found = nullptr;
  const std::string name(arg);
  if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) == 0 &&
      found)
    return uint32_t(pw.pw_uid);
  return Error{
      fmt::format("{} {}: not a uid or a user of this host", opt, arg)};
}

// The names --event takes: every event docs/format.md lists.
bool known_event(std::string_view name) {
  for (unsigned c = 0; c < 64; c++)
    if (event_name(uint16_t(c)) == name && name != "unknown") return true;
  return name == "exec" || name == "config" || name == "lost" ||
         name == "missed" || name == "unknown";
}

}  // namespace

std::string search_usage() {
  return R"(Usage: netlog-search [SOURCE...] [FILTER...] [--format FMT | --report KEY]
Finds records of the netlog trail, as ausearch and aureport do for auditd.

Sources (the journal when none is given):
  -i, --input FILE      a capture (netlog-reader --raw) or JSON lines
                        (netlog-reader --format json), told apart by the
                        first byte; - is standard input; repeatable
  -j, --journal         the journal netlog-reader.service writes (its
                        namespace, netlog)
      --namespace NS    that journal namespace instead ("" the default one)
      --journal-file F  a journal file (journalctl --file); repeatable

Filters (all must hold):
  -u, --uid UID         the acting uid (a number or a user name)
  -a, --auid UID        the login uid
  -x, --exe PATH        the executable, exactly
  -e, --event NAME      connect, connect_done, accept, bind, listen, send,
                        close, unaudited, peer, exec, config, lost, missed;
                        repeatable: any of them
      --raddr CIDR      the remote address is in this block (10.1.2.0/24,
                        2001:db8::/32, or one address)
      --rport PORT      the remote port
      --failed          the call failed (a refused configuration change too)
      --since TIME      at or after TIME; --until TIME: before it. RFC 3339,
      --until TIME      "YYYY-MM-DD [HH:MM[:SS]]" (local), today, yesterday,
                        now, -2h, "3 days ago"

Output:
  -f, --format FMT      text (default), json, klog, rfc5424 or ecs, as
                        netlog-reader writes them
      --sd-id ID        rfc5424's SD-ID (default netlog@32473)
  -r, --report KEY      instead, the matching records counted by user, exe,
                        dest (where connects and sends went) or event
  -h, --help, --version

Exit status: 0 records matched, 1 none did, 2 usage error, 3 a source could
not be read whole (what was read of it was searched).
)";
}

Result<SearchOptions> parse_search_args(const std::vector<std::string>& args,
                                        time_t now) {
  enum : int {
    kNamespace = 256,
    kJournalFile,
    kRaddr,
    kRport,
    kFailed,
    kSince,
    kUntil,
    kSdId,
    kVersion,
  };
  static const option longopts[] = {
      {"input", required_argument, nullptr, 'i'},
      {"journal", no_argument, nullptr, 'j'},
      {"namespace", required_argument, nullptr, kNamespace},
      {"journal-file", required_argument, nullptr, kJournalFile},
      {"uid", required_argument, nullptr, 'u'},
      {"auid", required_argument, nullptr, 'a'},
      {"exe", required_argument, nullptr, 'x'},
      {"event", required_argument, nullptr, 'e'},
      {"raddr", required_argument, nullptr, kRaddr},
      {"rport", required_argument, nullptr, kRport},
      {"failed", no_argument, nullptr, kFailed},
      {"since", required_argument, nullptr, kSince},
      {"until", required_argument, nullptr, kUntil},
      {"format", required_argument, nullptr, 'f'},
      {"sd-id", required_argument, nullptr, kSdId},
      {"report", required_argument, nullptr, 'r'},
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, kVersion},
      {nullptr, 0, nullptr, 0}};
  Argv argv("netlog-search", args);

  SearchOptions o;
  Query& q = o.query;
  opterr = 0;
  optind = 0;  // glibc: start over
  int c;
  while ((c = getopt_long(argv.argc(), argv.argv(), ":i:ju:a:x:e:f:r:h",
                          longopts, nullptr)) != -1) {
    const std::string_view arg = optarg ? optarg : "";
    switch (c) {
      case 'i':
        o.inputs.emplace_back(arg);
        break;
      case 'j':
        o.journal = true;
        break;
      case kNamespace:
        o.journal = true;
        o.journal_src.ns = arg;
        break;
      case kJournalFile:
        o.journal = true;
        o.journal_src.files.emplace_back(arg);
        break;
      case 'u':
      case 'a': {
        auto uid = parse_uid(c == 'u' ? "--uid" : "--auid", arg);
        if (!uid) return uid.error();
        (c == 'u' ? q.uid : q.auid) = *uid;
        break;
      }
      case 'x':
        q.exe = arg;
        break;
      case 'e':
        if (!known_event(arg))
          return Error{fmt::format("--event {}: no such event", arg)};
        q.events.emplace(arg);
        break;
      case kRaddr: {
        auto cidr = parse_cidr(arg);
        if (!cidr)
          return Error{fmt::format("--raddr: {}", cidr.error().message)};
        q.raddr = *cidr;
        break;
      }
      case kRport:
        q.rport = parse_number<uint16_t>(arg);
        if (!q.rport)
          return Error{fmt::format("--rport {}: not a port number", arg)};
        break;
      case kFailed:
        q.failed = true;
        break;
      case kSince:
      case kUntil: {
        auto t = parse_time(arg, now);
        if (!t)
          return Error{fmt::format("{}: {}",
                                   c == kSince ? "--since" : "--until",
                                   t.error().message)};
        (c == kSince ? q.since_ns : q.until_ns) = *t;
        break;
      }
      case 'f': {
        auto f = parse_format(arg);
        if (!f) return f.error();
        o.format = *f;
        break;
      }
      case kSdId:
        if (!valid_sd_id(arg))
          return Error{fmt::format("bad SD-ID '{}' (NAME@NUMBER)", arg)};
        o.sd_id = arg;
        break;
      case 'r':
        o.report = report_kind(arg);
        if (!o.report)
          return Error{fmt::format(
              "unknown report '{}' (user, exe, dest or event)", arg)};
        break;
      case 'h':
        o.help = true;
        break;
      case kVersion:
        o.version = true;
        break;
      case ':':
        return Error{
            fmt::format("option '{}' needs an argument", argv[optind - 1])};
      default:
        return Error{fmt::format("unknown option '{}'", argv[optind - 1])};
    }
  }
  if (optind < argv.argc())
    return Error{fmt::format("unexpected argument '{}'", argv[optind])};
  if (q.since_ns && q.until_ns && *q.until_ns <= *q.since_ns)
    return Error{"--until is not after --since"};
  if (o.inputs.empty()) o.journal = true;
  o.journal_src.since_ns = q.since_ns;
  return o;
}

int run_search(const SearchOptions& o, Context& local, FILE* out, FILE* err) {
  if (o.help) {
    fmt::print(out, "{}", search_usage());
    return kSearchMatched;
  }
  if (o.version) {
    fmt::print(out, "netlog-search {}\n", NETLOG_VERSION);
    return kSearchMatched;
  }
  auto renderer = make_renderer(o.format, o.sd_id);
  std::optional<Report> report;
  if (o.report) report.emplace(*o.report);
  uint64_t matched = 0;
  bool whole = true;
  fmt::memory_buffer buf;
  const EntryFn each = [&](Entry& e) {
    if (!o.query.matches(e.rec)) return;
    matched++;
    // A binary record names no host or user: the searching host's are.
    std::optional<Context> named;
    if (e.rebuilt) named.emplace(entry_context(e, local));
    Context& ctx = named ? *named : local;
    if (report) {
      report->add(e.rec, ctx);
      return;
    }
    buf.clear();
    renderer->render(e.rec, ctx, buf);
    std::fwrite(buf.data(), 1, buf.size(), out);
  };
  const auto count = [&](const Result<SourceCount>& n) {
    if (!n) {
      fmt::print(err, "netlog-search: {}\n", n.error().message);
      whole = false;
    } else if (n->bad) {
      whole = false;
    }
  };
  for (const auto& path : o.inputs) count(read_file(path, each, err));
  if (o.journal) count(read_journal(o.journal_src, each, err));
  if (report) fmt::print(out, "{}", report->table());
  if (std::fflush(out) != 0 || std::ferror(out)) {
    fmt::print(err, "netlog-search: cannot write the output\n");
    return kSearchBadSource;
  }
  if (!whole) return kSearchBadSource;
  return matched ? kSearchMatched : kSearchNone;
}

}  // namespace netlog
