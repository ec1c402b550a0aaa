#include "source.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "escape.h"
#include "stream.h"

#if NETLOG_HAVE_SYSTEMD
#include <systemd/sd-journal.h>
#endif

namespace netlog {
namespace {

using Json = nlohmann::json;

// The journal fields netlog-reader writes for a record's keys.
constexpr std::string_view kPrefix = "NETLOG_";

Result<std::string> unescaped(std::string_view key, std::string_view s) {
  if (auto bytes = unescape_bytes(s)) return std::move(*bytes);
  return Error{fmt::format("{}: not as netlog-reader escapes text", key)};
}

// An exec's argv or env: a JSON array of escaped strings.
std::optional<Error> put_items(FieldValue& v, std::string_view key,
                               const Json& array) {
  if (!array.is_array()) return Error{fmt::format("{}: not an array", key)};
  for (const auto& item : array) {
    if (!item.is_string()) return Error{fmt::format("{}: not strings", key)};
    auto bytes = unescaped(key, item.get_ref<const std::string&>());
    if (!bytes) return bytes.error();
    v.items.push_back(std::move(*bytes));
  }
  return std::nullopt;
}

// A lost record's uids: [{"uid","user","count"}] to "uid:count,..." with
// the names as items.
std::optional<Error> put_uids(FieldValue& v, const Json& array) {
  if (!array.is_array()) return Error{"uids: not an array"};
  for (const auto& u : array) {
    if (!u.is_object() || !u.contains("uid") || !u.contains("count") ||
        !u["uid"].is_number_unsigned() || !u["count"].is_number_unsigned())
      return Error{"uids: not {\"uid\",\"user\",\"count\"} objects"};
    if (!v.text.empty()) v.text += ',';
    v.text += fmt::format("{}:{}", u["uid"].get<uint64_t>(),
                          u["count"].get<uint64_t>());
    std::string name;
    if (u.contains("user") && u["user"].is_string()) {
      auto bytes = unescaped("uids", u["user"].get_ref<const std::string&>());
      if (!bytes) return bytes.error();
      name = std::move(*bytes);
    }
    v.items.push_back(std::move(name));
  }
  return std::nullopt;
}

bool is_blank(std::string_view s) {
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  return true;
}

void report(FILE* err, const std::string& name, uint64_t at, const char* what,
            const Error& e) {
  fmt::print(err, "netlog-search: {}: {} {}: {}\n", name, what, at, e.message);
}

// Rebuilds `fields` into an entry and hands it on; counts it either way.
void deliver(Result<FieldMap> fields, const std::string& name, uint64_t at,
             const char* what, const EntryFn& fn, SourceCount& n, FILE* err) {
  Result<Entry> e = fields ? rebuild(*fields) : Result<Entry>(fields.error());
  if (!e) {
    report(err, name, at, what, e.error());
    n.bad++;
    return;
  }
  n.read++;
  fn(*e);
}

Result<SourceCount> read_json_lines(std::istream& in, std::string first,
                                    const std::string& name, const EntryFn& fn,
                                    FILE* err) {
  SourceCount n;
  uint64_t lineno = 0;
  std::string line;
  // `first` holds what was read to tell the kind: the start of line 1.
  while (std::getline(in, line) || !first.empty()) {
    if (!first.empty()) {
      line.insert(0, first);
      first.clear();
    }
    lineno++;
    if (is_blank(line)) continue;
    deliver(json_fields(line), name, lineno, "line", fn, n, err);
  }
  if (in.bad()) return Error{fmt::format("{}: {}", name, std::strerror(errno))};
  return n;
}

Result<SourceCount> read_capture(std::istream& in, std::string first,
                                 const std::string& name, const EntryFn& fn,
                                 FILE* err) {
  SourceCount n;
  Framer framer;
  const Framer::Sink sink = [&](std::span<const std::byte> bytes) {
    Entry e;
    const std::string_view copy = e.keep(
        std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    auto rec = decode(std::as_bytes(std::span(copy.data(), copy.size())));
    if (!rec) {
      report(err, name, framer.offset(), "record at byte", rec.error());
      n.bad++;
      return;
    }
    e.rec = std::move(*rec);
    n.read++;
    fn(e);
  };
  std::vector<char> buf(1 << 16);
  std::span<const char> chunk(first.data(), first.size());
  for (;;) {
    if (auto fed = framer.feed(std::as_bytes(chunk), sink); !fed)
      return Error{fmt::format("{}: corrupt at byte {}: {}", name,
                               framer.offset(), fed.error().message)};
    if (!in) break;
    in.read(buf.data(), std::streamsize(buf.size()));
    chunk = std::span<const char>(buf.data(), size_t(in.gcount()));
  }
  if (in.bad()) return Error{fmt::format("{}: {}", name, std::strerror(errno))};
  if (framer.pending())
    return Error{
        fmt::format("{}: cut off: the last {} bytes are part of a "
                    "record",
                    name, framer.pending())};
  return n;
}

}  // namespace

Result<FieldMap> json_fields(std::string_view line) {
  const Json obj = Json::parse(line, nullptr, false);
  if (obj.is_discarded() || !obj.is_object())
    return Error{"not a JSON object (netlog-reader --format json)"};
  FieldMap fields;
  for (const auto& [key, value] : obj.items()) {
    FieldValue& v = fields[key];
    if (value.is_string()) {
      auto bytes = unescaped(key, value.get_ref<const std::string&>());
      if (!bytes) return bytes.error();
      v.text = std::move(*bytes);
    } else if (value.is_boolean()) {
      v.text.assign(1, value.get<bool>() ? '1' : '0');
    } else if (value.is_number_integer()) {
      v.text = value.dump();
    } else if (key == "uids") {
      if (auto err = put_uids(v, value)) return *err;
    } else if (value.is_array()) {
      if (auto err = put_items(v, key, value)) return *err;
    } else {
      return Error{fmt::format("{}: not a value netlog-reader writes", key)};
    }
  }
  return fields;
}

Result<FieldMap> journal_fields(const std::vector<std::string_view>& items) {
  FieldMap fields;
  for (const std::string_view item : items) {
    const auto eq = item.find('=');
    if (!item.starts_with(kPrefix) || eq == std::string_view::npos) continue;
    std::string key(item.substr(kPrefix.size(), eq - kPrefix.size()));
    for (char& c : key) c = char(std::tolower(static_cast<unsigned char>(c)));
    const std::string_view value = item.substr(eq + 1);
    FieldValue& v = fields[key];
    if (key == "argv" || key == "env") {
      if (auto err = put_items(v, key, Json::parse(value, nullptr, false)))
        return *err;
    } else {
      auto bytes = unescaped(key, value);
      if (!bytes) return bytes.error();
      v.text = std::move(*bytes);
    }
  }
  return fields;
}

Result<SourceCount> read_stream(std::istream& in, const std::string& name,
                                const EntryFn& fn, FILE* err) {
  // A JSON line starts with '{' (after blanks); a capture with its ABI
  // major, a small number.
  std::string first;
  char c;
  while (in.get(c)) {
    first += c;
    if (!std::isspace(static_cast<unsigned char>(c))) break;
  }
  if (first.empty() || first.back() == '{' ||
      std::isspace(static_cast<unsigned char>(first.back())))
    return read_json_lines(in, std::move(first), name, fn, err);
  return read_capture(in, std::move(first), name, fn, err);
}

Result<SourceCount> read_file(const std::string& path, const EntryFn& fn,
                              FILE* err) {
  if (path == "-") return read_stream(std::cin, "standard input", fn, err);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("{}: {}", path, std::strerror(errno))};
  return read_stream(in, path, fn, err);
}

#if NETLOG_HAVE_SYSTEMD
namespace {

struct JournalClose {
  void operator()(sd_journal* j) const { sd_journal_close(j); }
};
using Journal = std::unique_ptr<sd_journal, JournalClose>;

Result<Journal> open_journal(const JournalSource& src) {
  sd_journal* j = nullptr;
  int r;
  if (!src.files.empty()) {
    std::vector<const char*> paths;
    for (const auto& f : src.files) paths.push_back(f.c_str());
    paths.push_back(nullptr);
    r = sd_journal_open_files(&j, paths.data(), 0);
  } else if (src.ns.empty()) {
    r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
  } else {
    r = sd_journal_open_namespace(&j, src.ns.c_str(), SD_JOURNAL_LOCAL_ONLY);
  }
  if (r < 0)
    return Error{fmt::format("cannot open the journal: {}", std::strerror(-r))};
  Journal journal(j);
  // Whole fields: an exec's NETLOG_ARGV can pass the default 64 KiB.
  r = sd_journal_set_data_threshold(j, 0);
  if (r >= 0) r = sd_journal_add_match(j, "SYSLOG_IDENTIFIER=netlog", 0);
  if (r >= 0 && src.since_ns)
    r = sd_journal_seek_realtime_usec(j, *src.since_ns / 1000);
  if (r < 0)
    return Error{fmt::format("cannot read the journal: {}", std::strerror(-r))};
  return journal;
}

}  // namespace

Result<SourceCount> read_journal(const JournalSource& src, const EntryFn& fn,
                                 FILE* err) {
  auto journal = open_journal(src);
  if (!journal) return journal.error();
  sd_journal* j = journal->get();
  SourceCount n;
  int r;
  // Copies: what sd_journal_enumerate_data() returns is valid until its
  // next call (a compressed field's buffer is reused).
  std::vector<std::string> copies;
  std::vector<std::string_view> items;
  while ((r = sd_journal_next(j)) > 0) {
    copies.clear();
    const void* data;
    size_t len;
    SD_JOURNAL_FOREACH_DATA(j, data, len) {
      if (len > kPrefix.size() &&
          std::memcmp(data, kPrefix.data(), kPrefix.size()) == 0)
        copies.emplace_back(static_cast<const char*>(data), len);
    }
    items.assign(copies.begin(), copies.end());
    deliver(journal_fields(items), "journal", n.read + n.bad + 1, "entry", fn,
            n, err);
  }
  if (r < 0)
    return Error{fmt::format("cannot read the journal: {}", std::strerror(-r))};
  return n;
}
#else
Result<SourceCount> read_journal(const JournalSource&, const EntryFn&, FILE*) {
  return Error{"built without libsystemd: no --journal"};
}
#endif

}  // namespace netlog
