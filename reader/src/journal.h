// --output journal: each record an entry of the systemd journal, through
// the native protocol (libsystemd's sd_journal_sendv): MESSAGE is the text
// format's line, PRIORITY the record's severity, and every field of the
// JSON format is NETLOG_<KEY> (escape_bytes()'d, as in the other formats),
// with NETLOG_TIME the record's own time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "render.h"

namespace netlog {

class JournalBatch {
 public:
  // Builds the entry of `rec` and keeps it for send().
  void add(const Record& rec, Context& ctx);
  size_t size() const { return entries_.size(); }
  // Sends the entries in order. Returns how many went out; on an error,
  // `err` is its errno and the rest are kept for the caller to report.
  size_t send(int& err);
  void clear();
  // The sequence numbers the entry at `i` covers (a LOST record's range).
  uint64_t last_seq(size_t i) const { return entries_[i].last_seq; }
  uint64_t first_seq(size_t i) const { return entries_[i].first_seq; }
  // The fields of the entry at `i`, each "KEY=value" followed by a NUL.
  std::string_view fields(size_t i) const { return entries_[i].fields; }

 private:
  struct Entry {
    uint64_t first_seq, last_seq;
    std::string fields;  // each "KEY=value" followed by a NUL
  };
  std::vector<Entry> entries_;
  std::unique_ptr<Renderer> text_ = make_text_renderer();
  fmt::memory_buffer line_;
};

}  // namespace netlog
