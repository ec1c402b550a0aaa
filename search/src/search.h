// netlog-search: its command line and its run, apart from main() so the
// tests can drive them.
#pragma once

#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "query.h"
#include "render.h"
#include "report.h"
#include "result.h"
#include "source.h"

namespace netlog {

struct SearchOptions {
  std::vector<std::string> inputs;  // files of either kind; "-" = stdin
  bool journal = false;             // also the journal (the default source)
  JournalSource journal_src;
  Query query;
  Format format = Format::kText;
  std::string sd_id{kDefaultSdId};
  std::optional<ReportKind> report;
  bool help = false, version = false;
};

// Usage errors come back as an Error (exit status 2). Relative times are
// taken from `now`.
Result<SearchOptions> parse_search_args(const std::vector<std::string>& args,
                                        time_t now);
std::string search_usage();

// Exit statuses: a record matched, none did, usage, and a source that could
// not be read whole (the records read from it were still searched).
inline constexpr int kSearchMatched = 0, kSearchNone = 1, kSearchUsage = 2,
                     kSearchBadSource = 3;

// Reads every source, prints what matches (or the report) to `out` and
// what went wrong to `err`; returns the exit status.
int run_search(const SearchOptions& o, Context& local, FILE* out, FILE* err);

}  // namespace netlog
