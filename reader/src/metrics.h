// --metrics PATH: the reader's own counters as a Prometheus text page,
// replaced atomically (written beside PATH, then renamed over it), at most
// once a second while they change and once more as the reader stops.
// netlogctl stats --prometheus adds the page to the kernel's counters
// (metrics.cc).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace netlog {

struct Counts;  // printer.h

class Metrics {
 public:
  // Nothing is written without a path. A page left at PATH by the reader
  // before this one gives its write errors, which carry on from there.
  // Failures to write the page are said on `err` and never stop the
  // reader: the trail comes first.
  Metrics(std::optional<std::string> path, std::FILE* err);

  // After a batch or a wait, at `now` (monotonic ns): the page, when
  // something changed and a second has passed since the last one.
  void tick(const Counts& c, uint64_t now);
  // As the reader stops: up 0, and one more write error if one stopped it.
  void stop(const Counts& c);

  // The page for `c`, as it is written.
  std::string page(const Counts& c, bool up) const;

 private:
  void write(const Counts& c, bool up);

  std::optional<std::string> path_;
  std::FILE* err_;
  uint64_t write_errors_ = 0;  // of the readers before this one
  uint64_t start_time_ = 0;    // seconds since the epoch
  uint64_t next_ = 0;
  std::optional<uint64_t> read_;  // counts.read in the last page
  bool failing_ = false;          // the last write failed (and said so)
};

}  // namespace netlog
