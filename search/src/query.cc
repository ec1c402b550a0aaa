#include "query.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cstring>

#include "fields.h"
#include "number.h"

namespace netlog {
namespace {

// A socket record with a remote end (not an unaudited socket, a bind or a
// listen).
const SockEvent* remote_of(const Record& rec) {
  const auto* ev = std::get_if<SockEvent>(&rec.body);
  if (!ev || ev->unaudited || ev->event == NETLOG_EV_BIND ||
      ev->event == NETLOG_EV_LISTEN)
    return nullptr;
  return ev;
}

bool failed(const Record& rec) {
  return std::visit(
      Overload{
          [](const SockEvent& ev) {
            return !ev.unaudited && outcome(ev) == Outcome::kFailure;
          },
          [](const ExecEvent& ex) { return outcome(ex) == Outcome::kFailure; },
          [](const ConfigEvent& c) {
            return (c.flags & NETLOG_F_REFUSED) != 0;
          },
          [](const auto&) { return false; }},
      rec.body);
}

// Seconds in a journalctl time unit (systemd.time(7)), 0 when unknown.
long unit_seconds(std::string_view u) {
  static constexpr std::pair<std::string_view, long> kUnits[] = {
      {"s", 1},         {"sec", 1},        {"second", 1},   {"seconds", 1},
      {"m", 60},        {"min", 60},       {"minute", 60},  {"minutes", 60},
      {"h", 3600},      {"hr", 3600},      {"hour", 3600},  {"hours", 3600},
      {"d", 86400},     {"day", 86400},    {"days", 86400}, {"w", 604800},
      {"week", 604800}, {"weeks", 604800},
  };
  for (const auto& [name, s] : kUnits)
    if (name == u) return s;
  return 0;
}

// "-2h", "+30min", "3 days ago", "1h30min ago": seconds, signed.
std::optional<long> relative(std::string_view s) {
  int sign = 0;
  if (s.starts_with('-') || s.starts_with('+')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  if (s.ends_with(" ago")) {
    if (sign) return std::nullopt;
    sign = -1;
    s.remove_suffix(4);
  }
  if (!sign || s.empty()) return std::nullopt;
  long total = 0;
  while (!s.empty()) {
    while (s.starts_with(' ')) s.remove_prefix(1);
    size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') digits++;
    const auto n = parse_number<long>(s.substr(0, digits));
    s.remove_prefix(digits);
    while (s.starts_with(' ')) s.remove_prefix(1);
    size_t letters = 0;
    while (letters < s.size() && s[letters] >= 'a' && s[letters] <= 'z')
      letters++;
    const long unit = unit_seconds(s.substr(0, letters));
    if (!n || !unit) return std::nullopt;
    total += *n * unit;
    s.remove_prefix(letters);
  }
  return sign * total;
}

}  // namespace

bool Cidr::contains(const Address& a) const {
  if (a.family != net.family) return false;
  const unsigned full = bits / 8, rest = bits % 8;
  if (std::memcmp(a.bytes.data(), net.bytes.data(), full) != 0) return false;
  if (!rest) return true;
  const uint8_t mask = uint8_t(0xff << (8 - rest));
  return (a.bytes[full] & mask) == (net.bytes[full] & mask);
}

Result<Cidr> parse_cidr(std::string_view s) {
  Cidr c;
  const auto slash = s.find('/');
  const std::string host(s.substr(0, slash));
  if (inet_pton(AF_INET, host.c_str(), c.net.bytes.data()) == 1)
    c.net.family = 4;
  else if (inet_pton(AF_INET6, host.c_str(), c.net.bytes.data()) == 1)
    c.net.family = 6;
  else
    return Error{fmt::format("not an address or block: {}", s)};
  const unsigned max = c.net.family == 4 ? 32 : 128;
  c.bits = max;
  if (slash != std::string_view::npos) {
    const auto bits = parse_number<long>(s.substr(slash + 1));
    if (!bits || *bits < 0 || *bits > long(max))
      return Error{fmt::format("not a prefix length of 0 to {}: {}", max, s)};
    c.bits = unsigned(*bits);
  }
  return c;
}

bool Query::matches(const Record& rec) const {
  if (since_ns && rec.hdr.real_ns < *since_ns) return false;
  if (until_ns && rec.hdr.real_ns >= *until_ns) return false;
  if (!events.empty() && !events.count(record_event(rec))) return false;
  if (uid || auid) {
    const Task* t = task_of(rec);
    if (!t || (uid && t->uid != *uid) ||
        (auid && (!t->audit || t->auid != *auid)))
      return false;
  }
  if (exe && exe_of(rec) != *exe) return false;
  if (raddr || rport) {
    const SockEvent* ev = remote_of(rec);
    if (!ev || (raddr && !raddr->contains(ev->raddr)) ||
        (rport && ev->rport != *rport))
      return false;
  }
  return !failed || netlog::failed(rec);
}

Result<uint64_t> parse_time(std::string_view s, time_t now) {
  const auto bad = [&] {
    return Error{fmt::format(
        "not a time: {} (RFC 3339, \"YYYY-MM-DD [HH:MM[:SS]]\", today, "
        "yesterday, now, -2h, \"3 days ago\")",
        s)};
  };
  const auto ns = [](time_t t) -> Result<uint64_t> {
    if (t < 0) return Error{"a time before 1970"};
    return uint64_t(t) * 1000000000;
  };
  if (s == "now") return ns(now);
  if (auto rel = relative(s)) return ns(now + *rel);
  std::tm tm{};
  localtime_r(&now, &tm);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  if (s == "today" || s == "yesterday" || s == "tomorrow") {
    tm.tm_mday += s == "today" ? 0 : s == "yesterday" ? -1 : 1;
    return ns(mktime(&tm));
  }
  // RFC 3339: a 'T' and a zone.
  if (s.size() >= 20 && s[10] == 'T') {
    std::tm utc{};
    const std::string str(s);
    const char* end = strptime(str.c_str(), "%Y-%m-%dT%H:%M:%S", &utc);
    if (!end) return bad();
    uint64_t frac = 0;
    if (*end == '.') {
      int digits = 0;
      for (end++; *end >= '0' && *end <= '9'; end++, digits++)
        if (digits < 9) frac = frac * 10 + uint64_t(*end - '0');
      for (; digits < 9; digits++) frac *= 10;
    }
    long offset = 0;
    if (*end == '+' || *end == '-') {
      const int sign = *end == '-' ? -1 : 1;
      int hh = 0, mm = 0;
      if (std::sscanf(end + 1, "%2d:%2d", &hh, &mm) != 2 ||
          std::strlen(end) != 6)
        return bad();
      offset = sign * (hh * 3600L + mm * 60L);
    } else if (std::strcmp(end, "Z") != 0 && std::strcmp(end, "z") != 0) {
      return bad();
    }
    auto t = ns(timegm(&utc) - offset);
    if (!t) return t;
    return *t + frac;
  }
  // journalctl's "YYYY-MM-DD [HH:MM[:SS]]", local time.
  std::tm local{};
  const std::string str(s);
  for (const char* f : {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"}) {
    local = {};
    const char* end = strptime(str.c_str(), f, &local);
    if (end && !*end) {
      local.tm_isdst = -1;
      return ns(mktime(&local));
    }
  }
  return bad();
}

}  // namespace netlog
