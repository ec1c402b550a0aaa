// netlogctl's output: text for people, JSON for scripts, and the
// Prometheus text exposition format (node_exporter's textfile collector).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control.h"

namespace netlog::ctl {

// Each loaded module's counter rows, by module name.
using Stats = std::map<std::string, std::vector<Row>>;

std::string status_text(const Status& st);
std::string status_json(const Status& st);
std::string stats_text(const Stats& stats);
std::string stats_json(const Status& st, const Stats& stats);
// Every metric once, with HELP and TYPE: netlog_up (0 when secure_log
// cannot be reached: `up` empty), netlog_build_info, the ring's, each
// module's loaded state, netlog_<kind>_<key>[_total]{module,<kind>} per
// value, and the reader's own page (netlog-reader --metrics; `reader`
// empty when no reader wrote one: netlog_reader_up 0), of which only
// netlog_reader_* lines are taken.
std::string stats_prometheus(const std::optional<Status>& up,
                             const Stats& stats, std::string_view reader,
                             std::string_view version);
std::string probes_text(const Probes& p);

// A probes argument: a number (0x101), or probe names joined by ',' ("all"
// and "none" too). An unknown name is an error that names it.
Result<uint64_t> parse_probes(const std::string& arg, const Probes& known);

}  // namespace netlog::ctl
