#include "control_format.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace netlog::ctl {
namespace {

// The modules netlogctl knows of, shown as not loaded when absent.
constexpr const char* kModules[] = {"netlog", "execlog"};

const Module* find(const Status& st, const std::string& name) {
  for (const auto& m : st.modules)
    if (m.name == name) return &m;
  return nullptr;
}

double percent(uint64_t part, uint64_t whole) {
  return whole ? 100.0 * static_cast<double>(part) / whole : 0.0;
}

nlohmann::json status_value(const Status& st) {
  nlohmann::json j = {
      {"version", st.version},
      {"abi", fmt::format("{}.{}", st.abi_major, st.abi_minor)},
      {"ring",
       {{"capacity", st.capacity},
        {"used", st.used},
        {"produced", st.produced},
        {"lost", st.lost}}},
      {"reader_attached", st.readers > 0},
      {"locked", st.locked},
      {"loginuid_immutable", st.loginuid_immutable
                                 ? nlohmann::json(*st.loginuid_immutable)
                                 : nlohmann::json(nullptr)},
      {"modules", nlohmann::json::object()}};
  for (const char* name : kModules) {
    const Module* m = find(st, name);
    j["modules"][name] =
        m ? nlohmann::json{{"loaded", true},
                           {"probes", fmt::format("{:#x}", m->probes)},
                           {"probes_all", fmt::format("{:#x}", m->probes_all)},
                           {"probes_default",
                            fmt::format("{:#x}", m->probes_default)},
                           {"whitelist_rules", m->rules}}
          : nlohmann::json{{"loaded", false}};
  }
  return j;
}

// A label value of the exposition format: \, " and newline escaped.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += {'\\', c};
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

// A metric name's part: [a-zA-Z0-9_] only.
std::string name_part(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) c = '_';
  return out;
}

struct Metric {
  std::string help;
  bool gauge = false;
  std::vector<std::string> samples;  // "{labels} value"
};

std::string page(const std::map<std::string, Metric>& metrics) {
  std::string out;
  for (const auto& [name, m] : metrics) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, m.help, name,
                       m.gauge ? "gauge" : "counter");
    for (const auto& s : m.samples) out += fmt::format("{}{}\n", name, s);
  }
  return out;
}

// The reader's page, its netlog_reader_* lines only (each family whole, as
// the reader writes them); netlog_reader_up 0 when there is none.
std::string reader_page(std::string_view reader) {
  constexpr std::string_view kPrefixes[] = {
      "netlog_reader_", "# HELP netlog_reader_", "# TYPE netlog_reader_"};
  std::string out;
  while (!reader.empty()) {
    const size_t end = std::min(reader.find('\n'), reader.size());
    const std::string_view line = reader.substr(0, end);
    reader.remove_prefix(std::min(end + 1, reader.size()));
    for (auto prefix : kPrefixes)
      if (line.starts_with(prefix)) {
        out.append(line) += '\n';
        break;
      }
  }
  if (out.empty())
    out =
        "# HELP netlog_reader_up 1 while netlog-reader runs (no page: none "
        "does).\n# TYPE netlog_reader_up gauge\nnetlog_reader_up 0\n";
  return out;
}

}  // namespace

std::string status_text(const Status& st) {
  std::string out = fmt::format(
      "netlog {}, record ABI {}.{}\n"
      "ring: {} bytes, {} used ({:.1f}%), {} records produced, {} lost\n"
      "reader: {}\n"
      "locked: {}\n"
      "login uid: {}\n",
      st.version, st.abi_major, st.abi_minor, st.capacity, st.used,
      percent(st.used, st.capacity), st.produced, st.lost,
      st.readers ? "attached" : "none (records wait in the ring)",
      st.locked ? "yes, until reboot" : "no",
      !st.loginuid_immutable ? "unknown (the audit socket did not say)"
      : *st.loginuid_immutable
          ? "immutable once set"
          : "set once by any process, then changed with CAP_AUDIT_CONTROL");
  for (const char* name : kModules) {
    const Module* m = find(st, name);
    if (m)
      out += fmt::format("{}: loaded, probes {:#x} of {:#x}, {} whitelist {}\n",
                         name, m->probes, m->probes_all, m->rules,
                         m->rules == 1 ? "rule" : "rules");
    else
      out += fmt::format("{}: not loaded\n", name);
  }
  return out;
}

std::string status_json(const Status& st) {
  return status_value(st).dump() + "\n";
}

std::string stats_text(const Stats& stats) {
  std::string out;
  for (const auto& [module, rows] : stats)
    for (const auto& row : rows) {
      out += fmt::format("{} {} {}", module, row.kind, row.name);
      for (const auto& v : row.values)
        out += fmt::format(" {}={}", v.key, v.value);
      out += '\n';
    }
  return out;
}

std::string stats_json(const Status& st, const Stats& stats) {
  nlohmann::json j = status_value(st);
  for (const auto& [module, rows] : stats) {
    auto& m = j["modules"][module]["stats"];
    m = nlohmann::json::object();
    for (const auto& row : rows)
      for (const auto& v : row.values) m[row.kind][row.name][v.key] = v.value;
  }
  return j.dump() + "\n";
}

std::string stats_prometheus(const std::optional<Status>& up,
                             const Stats& stats, std::string_view reader,
                             std::string_view version) {
  std::map<std::string, Metric> metrics;
  auto sample = [&](const std::string& name, const std::string& help,
                    bool gauge, const std::string& labels,
                    const std::string& value) {
    auto& m = metrics[name];
    if (m.help.empty()) m = {help, gauge, {}};
    m.samples.push_back(fmt::format("{} {}", labels, value));
  };
  auto add = [&](const std::string& name, const std::string& help, bool gauge,
                 const std::string& labels, uint64_t value) {
    sample(name, help, gauge, labels, fmt::format("{}", value));
  };
  add("netlog_up",
      "1 when secure_log answered (generic netlink loads it on demand).", true,
      "", up.has_value());
  add("netlog_build_info",
      "Always 1: netlogctl's version, and the modules' when loaded.", true,
      up ? fmt::format("{{version=\"{}\",module_version=\"{}\"}}",
                       label(std::string(version)), label(up->version))
         : fmt::format("{{version=\"{}\"}}", label(std::string(version))),
      1);
  std::string out = reader_page(reader);
  if (!up) return page(metrics) + out;
  const Status& st = *up;
  add("netlog_ring_capacity_bytes", "Size of the secure_log ring.", true, "",
      st.capacity);
  add("netlog_ring_used_bytes", "Bytes in the ring not yet read.", true, "",
      st.used);
  add("netlog_records_produced_total",
      "Records produced since secure_log loaded.", false, "", st.produced);
  add("netlog_records_lost_total", "Records dropped because the ring was full.",
      false, "", st.lost);
  add("netlog_reader_attached", "1 while a reader has /dev/secure_log open.",
      true, "", st.readers);
  for (const char* name : kModules)
    add("netlog_module_loaded", "1 while the module is loaded.", true,
        fmt::format("{{module=\"{}\"}}", name), find(st, name) ? 1 : 0);
  for (const auto& [module, rows] : stats)
    for (const auto& row : rows)
      for (const auto& v : row.values) {
        const std::string kind = name_part(row.kind);
        // A time in ns ("ns", "..._ns") is in seconds, Prometheus' unit.
        const bool ns = v.key == "ns" || v.key.ends_with("_ns");
        const std::string key =
            ns ? v.key.substr(0, v.key.size() - 2) + "seconds" : v.key;
        const std::string name = fmt::format(
            "netlog_{}_{}{}", kind, name_part(key), v.gauge ? "" : "_total");
        const std::string help =
            fmt::format("netlog {} {} {}: {} (netlogctl stats).", kind,
                        v.gauge ? "gauge" : "counter", key,
                        v.gauge ? "a level now" : "a count since load");
        const std::string labels =
            fmt::format("{{module=\"{}\",{}=\"{}\"}}", label(module), kind,
                        label(row.name));
        if (ns)
          sample(name, help, v.gauge, labels,
                 fmt::format("{}", double(v.value) / 1e9));
        else
          add(name, help, v.gauge, labels, v.value);
      }
  return page(metrics) + out;
}

std::string probes_text(const Probes& p) {
  std::string out = fmt::format("{:#x}\n", p.mask);
  for (size_t i = 0; i < p.names.size(); i++)
    out += fmt::format("  {:#06x} {:<12} {}\n", uint64_t{1} << i, p.names[i],
                       p.mask >> i & 1 ? "on" : "off");
  return out;
}

Result<uint64_t> parse_probes(const std::string& arg, const Probes& known) {
  if (!arg.empty() && std::isdigit(static_cast<unsigned char>(arg[0]))) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(arg.c_str(), &end, 0);
    if (errno || *end) return Error{fmt::format("\"{}\" is not a number", arg)};
    return uint64_t{v};
  }
  if (arg == "all") return known.all;
  if (arg == "default") return known.on_at_load;
  if (arg == "none") return uint64_t{0};
  uint64_t mask = 0;
  size_t pos = 0;
  while (pos <= arg.size()) {
    const size_t comma = std::min(arg.find(',', pos), arg.size());
    const std::string name = arg.substr(pos, comma - pos);
    size_t bit = 0;
    while (bit < known.names.size() && known.names[bit] != name) bit++;
    if (bit == known.names.size())
      return Error{fmt::format("no probe \"{}\" (probes: {})", name,
                               fmt::join(known.names, ", "))};
    mask |= uint64_t{1} << bit;
    pos = comma + 1;
  }
  return mask;
}

}  // namespace netlog::ctl
