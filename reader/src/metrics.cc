#include "metrics.h"

#include <fmt/format.h>

#include <cstdlib>
#include <ctime>
#include <fstream>

#include "printer.h"
#include "replace_file.h"

namespace netlog {
namespace {

constexpr uint64_t kEveryNs = 1'000'000'000;
constexpr const char* kWriteErrors = "netlog_reader_write_errors_total";

// The write errors a page at `path` counts, or 0.
uint64_t write_errors_in(const std::string& path) {
  const std::string prefix = std::string(kWriteErrors) + ' ';
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(prefix))
      return std::strtoull(line.c_str() + prefix.size(), nullptr, 10);
  return 0;
}

void metric(std::string& out, const char* name, const char* type,
            const char* help, uint64_t value) {
  fmt::format_to(std::back_inserter(out),
                 "# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type,
                 value);
}

}  // namespace

Metrics::Metrics(std::optional<std::string> path, std::FILE* err)
    : path_(std::move(path)),
      err_(err),
      write_errors_(path_ ? write_errors_in(*path_) : 0),
      start_time_(uint64_t(std::time(nullptr))) {}

std::string Metrics::page(const Counts& c, bool up) const {
  std::string out;
  metric(out, "netlog_reader_up", "gauge",
         "1 while netlog-reader runs; 0 in the page it leaves as it stops.",
         up);
  metric(out, "netlog_reader_start_time_seconds", "gauge",
         "When this netlog-reader started, in seconds since the epoch.",
         start_time_);
  metric(out, "netlog_reader_records_read_total", "counter",
         "Records this reader took from /dev/secure_log.", c.read);
  metric(out, "netlog_reader_records_written_total", "counter",
         "Records this reader delivered to its output.", c.written);
  metric(out, "netlog_reader_records_lost_total", "counter",
         "Records the ring dropped, as its LOST records told this reader.",
         c.lost);
  metric(out, "netlog_reader_last_seq", "gauge",
         "Sequence number of the last record this reader took.", c.last_seq);
  metric(out, kWriteErrors, "counter",
         "Write errors that stopped a reader writing this page, this one "
         "and those before it.",
         write_errors_ + (!up && c.write_failed));
  return out;
}

void Metrics::tick(const Counts& c, uint64_t now) {
  if (!path_ || now < next_ || read_ == c.read) return;
  write(c, true);
  next_ = now + kEveryNs;
}

void Metrics::stop(const Counts& c) {
  if (path_) write(c, false);
}

void Metrics::write(const Counts& c, bool up) {
  read_ = c.read;
  auto err = replace_file(*path_, page(c, up));
  if (err && !failing_)
    fmt::print(err_, "netlog-reader: metrics not written: {}\n", *err);
  else if (!err && failing_)
    fmt::print(err_, "netlog-reader: metrics written again to {}\n", *path_);
  failing_ = err.has_value();
}

}  // namespace netlog
