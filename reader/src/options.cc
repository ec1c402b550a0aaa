// netlog-reader's command line: getopt_long over the options, checked
// together; usage errors are values (exit code 2).
#include "options.h"

#include <getopt.h>
#include <sys/un.h>

#include <algorithm>
#include <iterator>
#include <string_view>
#include <utility>

#include "argv.h"

namespace netlog {

std::string usage() {
  return R"(usage: netlog-reader [--format text|json|klog|rfc5424|ecs]
                     [--output stdout|journal|unix:PATH|file:PATH]
                     [--fsync] [--once] [--device PATH] [--input FILE|-]
                     [--raw] [--sd-id NAME@NUMBER] [--metrics PATH]
                     [--version] [--help]

Reads netlog audit records from /dev/secure_log (root only) and prints
one line per record. Follows until SIGINT/SIGTERM unless --once.

  --format F          text (default), json, klog (activity_klog lines),
                      rfc5424 (syslog lines with structured data), or ecs
                      (Elastic Common Schema JSON)
  --output O          stdout (default); journal: each record a journal
                      entry with NETLOG_* fields (--format is then unused);
                      unix:PATH: each record's line one datagram to the
                      Unix socket PATH (a syslog daemon's input);
                      file:PATH: appended to PATH (created 0600), one
                      write per batch, reopened on SIGHUP (logrotate)
  --fsync             with file:PATH, each batch on disk before the next
                      read
  --once              print what is buffered, then exit
  --device PATH       read PATH instead of /dev/secure_log
  --input FILE|-      replay a captured binary stream (- = stdin)
  --raw               write the binary stream unchanged (capture), to
                      standard output or file:PATH
  --sd-id NAME@NUMBER the rfc5424 structured data's SD-ID, with your
                      private enterprise number (default netlog@32473:
                      RFC 5612's number for documentation)
  --metrics PATH      the reader's counters as a Prometheus text page at
                      PATH, replaced whole at most once a second and as
                      the reader stops (netlogctl stats --prometheus
                      includes it)

Exit status: 0 ok, 1 runtime error, 2 usage error, 3 /dev/secure_log
absent (module secure_log not loaded).
)";
}

Result<Options> parse_args(const std::vector<std::string>& args) {
  static const option longopts[] = {
      {"format", required_argument, nullptr, 'f'},
      {"output", required_argument, nullptr, 'o'},
      {"device", required_argument, nullptr, 'd'},
      {"input", required_argument, nullptr, 'i'},
      {"once", no_argument, nullptr, '1'},
      {"fsync", no_argument, nullptr, 'y'},
      {"sd-id", required_argument, nullptr, 's'},
      {"raw", no_argument, nullptr, 'r'},
      {"metrics", required_argument, nullptr, 'm'},
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
      {nullptr, 0, nullptr, 0}};
  Argv argv("netlog-reader", args);

  Options o;
  opterr = 0;
  optind = 0;  // glibc: start over (parse_args may be called again)
  int c;
  while ((c = getopt_long(argv.argc(), argv.argv(), ":h", longopts, nullptr)) !=
         -1) {
    switch (c) {
      case 'f': {
        auto f = parse_format(optarg);
        if (!f) return f.error();
        o.format = *f;
        break;
      }
      case 'o': {
        const std::string_view arg = optarg;
        if (arg == "stdout") {
          o.output = Output::kStdout;
        } else if (arg == "journal") {
#if !NETLOG_HAVE_SYSTEMD
          return Error{
              "--output journal: this netlog-reader was built without "
              "libsystemd"};
#endif
          o.output = Output::kJournal;
        } else if (arg.starts_with("unix:") && arg.size() > 5 &&
                   arg.size() - 5 < sizeof(sockaddr_un{}.sun_path)) {
          o.output = Output::kUnix;
          o.path = arg.substr(5);
        } else if (arg.starts_with("file:") && arg.size() > 5) {
          o.output = Output::kFile;
          o.path = arg.substr(5);
        } else {
          return Error{fmt::format(
              "unknown output '{}' (stdout, journal, unix:PATH or file:PATH)",
              optarg)};
        }
        break;
      }
      case 'd':
        o.device = optarg;
        break;
      case 's':
        if (!valid_sd_id(optarg))
          return Error{fmt::format(
              "bad SD-ID '{}' (NAME@NUMBER, at most 32 bytes, e.g. {})", optarg,
              kDefaultSdId)};
        o.sd_id = optarg;
        break;
      case 'i':
        o.input = optarg;
        break;
      case 'm':
        o.metrics = optarg;
        break;
      case '1':
        o.once = true;
        break;
      case 'y':
        o.fsync = true;
        break;
      case 'r':
        o.raw = true;
        break;
      case 'h':
        o.help = true;
        break;
      case 'V':
        o.version = true;
        break;
      case ':':
        return Error{fmt::format("option {} needs a value", argv[optind - 1])};
      default:
        return Error{
            fmt::format("unknown or malformed option '{}'", argv[optind - 1])};
    }
  }
  if (optind < argv.argc())
    return Error{fmt::format("unknown argument '{}'", argv[optind])};
  if (o.raw && o.output != Output::kStdout && o.output != Output::kFile)
    return Error{"--raw writes the binary stream to standard output or a file"};
  if (o.fsync && o.output != Output::kFile)
    return Error{"--fsync needs --output file:PATH"};
  if (o.metrics && (o.metrics->empty() || o.input))
    return Error{"--metrics takes a PATH, and is for reading the device"};
  return o;
}

}  // namespace netlog
