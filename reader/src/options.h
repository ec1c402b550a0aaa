// netlog-reader's command line (options.cc).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "render.h"
#include "result.h"

namespace netlog {

inline constexpr const char* kDefaultDevice = "/dev/secure_log";

// Where records go: standard output, the journal, a Unix datagram socket
// (a syslog daemon's), one datagram per record, or a file.
enum class Output { kStdout, kJournal, kUnix, kFile };

struct Options {
  Format format = Format::kText;
  Output output = Output::kStdout;
  std::string path;                 // kUnix's socket, kFile's file
  bool fsync = false;               // kFile: each batch on disk
  std::string sd_id{kDefaultSdId};  // --format rfc5424's
  bool once = false;
  bool raw = false;
  bool help = false;
  bool version = false;
  std::string device = kDefaultDevice;
  std::optional<std::string> input;    // "-" is standard input
  std::optional<std::string> metrics;  // the reader's counters (Prometheus)
};

// Usage errors come back as an Error (exit code 2).
Result<Options> parse_args(const std::vector<std::string>& args);

std::string usage();

}  // namespace netlog
