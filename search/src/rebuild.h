// A record rebuilt from its named fields (a JSON line of netlog-reader, a
// journal entry it wrote), so that every format renders it as the reader
// did from the binary record.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "record.h"
#include "render.h"
#include "result.h"

namespace netlog {

// One field's value as the formats carry it: a number in decimal, a bool
// as "1" or "0", a string as its original bytes (unescaped), an exec's
// argv or env as items.
struct FieldValue {
  std::string text;
  std::vector<std::string> items;
};
using FieldMap = std::unordered_map<std::string, FieldValue>;

// A record with the bytes its strings view, and what the source said of
// the host and of user names (which a binary record does not carry).
struct Entry {
  Record rec;
  std::string host;  // empty: the searching host's
  std::unordered_map<uint32_t, std::string> users;
  std::deque<std::string> bytes;  // stable: the record's views point here
  bool rebuilt = false;  // from fields (rebuild()), not a binary record

  std::string_view keep(std::string s) {
    return bytes.emplace_back(std::move(s));
  }
};

// The record `fields` describe, keyed as in docs/format.md ("seq", "time",
// "event", ...). An error names the first field missing or malformed.
Result<Entry> rebuild(const FieldMap& fields);

// A Context that names the entry's host and users as its source did, and
// falls back to `local` for what it did not name.
Context entry_context(const Entry& e, Context& local);

// RFC 3339 with nanoseconds, as rfc3339() writes it, to ns since the epoch.
Result<uint64_t> parse_rfc3339_ns(std::string_view s);

}  // namespace netlog
