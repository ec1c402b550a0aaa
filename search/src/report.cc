#include "report.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "escape.h"
#include "fields.h"

namespace netlog {

std::optional<ReportKind> report_kind(std::string_view name) {
  if (name == "user") return ReportKind::kUser;
  if (name == "exe") return ReportKind::kExe;
  if (name == "dest") return ReportKind::kDest;
  if (name == "event") return ReportKind::kEvent;
  return std::nullopt;
}

void Report::add(const Record& rec, Context& ctx) {
  std::optional<std::string> key;
  switch (kind_) {
    case ReportKind::kUser:
      if (const Task* t = task_of(rec))
        key = fmt::format("{} {}", t->uid, escape_bytes(ctx.user(t->uid)));
      break;
    case ReportKind::kExe:
      if (task_of(rec)) key = escape_bytes(exe_of(rec));
      break;
    case ReportKind::kDest:
      // Where connects and sends went.
      if (const auto* ev = std::get_if<SockEvent>(&rec.body);
          ev && !ev->unaudited &&
          (ev->event == NETLOG_EV_CONNECT || ev->event == NETLOG_EV_SEND))
        key = ev->raddr.family == 6 ? fmt::format("{} [{}]:{}", proto_name(*ev),
                                                  ev->raddr, ev->rport)
                                    : fmt::format("{} {}:{}", proto_name(*ev),
                                                  ev->raddr, ev->rport);
      break;
    case ReportKind::kEvent:
      key = std::string(record_event(rec));
      break;
  }
  if (key) counts_[*key]++;
}

std::string Report::table() const {
  static constexpr std::string_view kHeads[] = {"uid user", "exe",
                                                "proto destination", "event"};
  std::vector<std::pair<std::string_view, uint64_t>> rows(counts_.begin(),
                                                          counts_.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second > b.second;
  });
  std::string out =
      fmt::format("{:>10} {}\n", "count", kHeads[static_cast<int>(kind_)]);
  for (const auto& [key, count] : rows)
    out += fmt::format("{:>10} {}\n", count, key);
  return out;
}

}  // namespace netlog
