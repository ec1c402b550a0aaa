// Where netlog-search reads records from: binary captures (netlog-reader
// --raw), JSON lines (netlog-reader --format json), told apart by their
// first byte, and the journal netlog-reader --output journal wrote.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "rebuild.h"
#include "result.h"

namespace netlog {

// Called with each record read, in the source's order.
using EntryFn = std::function<void(Entry&)>;

// Records read and records that could not be, from one source. A bad
// record is reported on `err` (where, and why) and skipped; the rest are
// still read.
struct SourceCount {
  uint64_t read = 0, bad = 0;
};

// A file (or "-", standard input) of either kind. An error: the file
// cannot be opened or read, or a capture is cut off or corrupt (the
// records before it have been given to `fn`).
Result<SourceCount> read_file(const std::string& path, const EntryFn& fn,
                              FILE* err);
Result<SourceCount> read_stream(std::istream& in, const std::string& name,
                                const EntryFn& fn, FILE* err);

// The fields of one JSON line of netlog-reader, as rebuild() takes them.
Result<FieldMap> json_fields(std::string_view line);
// The same from a journal entry's "KEY=value" items: its NETLOG_* fields.
Result<FieldMap> journal_fields(const std::vector<std::string_view>& items);

struct JournalSource {
  // The namespace netlog-reader.service logs to (LogNamespace=netlog);
  // empty: the system's default one.
  std::string ns = "netlog";
  std::vector<std::string> files;    // instead: these journal files
  std::optional<uint64_t> since_ns;  // where to start reading
};
// The entries SYSLOG_IDENTIFIER=netlog whose fields netlog-reader wrote.
Result<SourceCount> read_journal(const JournalSource& src, const EntryFn& fn,
                                 FILE* err);

}  // namespace netlog
