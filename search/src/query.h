// What netlog-search looks for: every given criterion must hold.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "record.h"
#include "result.h"

namespace netlog {

// An address block, "10.1.2.0/24", "2001:db8::/32", or one address.
struct Cidr {
  Address net;
  unsigned bits = 0;
  bool contains(const Address& a) const;
};
Result<Cidr> parse_cidr(std::string_view s);

struct Query {
  std::optional<uint32_t> uid, auid;
  std::optional<std::string> exe;
  std::set<std::string, std::less<>> events;  // empty: any
  std::optional<Cidr> raddr;
  std::optional<uint16_t> rport;
  bool failed = false;
  std::optional<uint64_t> since_ns, until_ns;  // [since, until)

  bool matches(const Record& rec) const;
};

// A time as an admin types it, to ns since the epoch: RFC 3339
// ("2026-12-03T10:00:00Z", "...+01:00", with a fraction), or as journalctl
// takes it: "YYYY-MM-DD [HH:MM[:SS]]" in local time, "now", "today",
// "yesterday", "tomorrow", "-2h" / "+30min" / "3 days ago" relative to
// `now`.
Result<uint64_t> parse_time(std::string_view s, time_t now);

}  // namespace netlog
