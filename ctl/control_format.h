// netlogctl's output: text for people, JSON for scripts, and the
// Prometheus text exposition format (node_exporter's textfile collector).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "control.h"

namespace netlog::ctl {

// Each loaded module's counter rows, by module name.
using Stats = std::map<std::string, std::vector<Row>>;

std::string status_text(const Status& st);
std::string status_json(const Status& st);
std::string stats_text(const Stats& stats);
std::string stats_json(const Status& st, const Stats& stats);
// Every metric once, with HELP and TYPE: the ring's, each module's
// loaded state, and netlog_<kind>_<key>[_total]{module,<kind>} per value.
std::string stats_prometheus(const Status& st, const Stats& stats);
std::string probes_text(const Probes& p);

// A probes argument: a number (0x101), or probe names joined by ',' ("all"
// and "none" too). An unknown name is an error that names it.
Result<uint64_t> parse_probes(const std::string& arg, const Probes& known);

}  // namespace netlog::ctl
