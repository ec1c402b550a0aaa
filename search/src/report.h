// netlog-search --report: records counted by one key, most first, as
// aureport's summaries are.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "record.h"
#include "render.h"

namespace netlog {

enum class ReportKind { kUser, kExe, kDest, kEvent };
std::optional<ReportKind> report_kind(std::string_view name);

class Report {
 public:
  explicit Report(ReportKind kind) : kind_(kind) {}
  // Counts `rec` under its key; a record without one (a lost record in a
  // user report, a listen in a destination report) is not counted.
  void add(const Record& rec, Context& ctx);
  // The table: a header, then "COUNT KEY" lines, the largest count first
  // and equal counts by key.
  std::string table() const;

 private:
  ReportKind kind_;
  std::map<std::string, uint64_t> counts_;
};

}  // namespace netlog
