#include "rebuild.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctime>

#include "fields.h"
#include "number.h"
#include "uapi/netlog.h"

namespace netlog {
namespace {

// Reads the fields of one record; the first failure is kept in `error`
// and later reads return defaults, so a rebuild reads as straight code.
class Reader {
 public:
  Reader(const FieldMap& fields, Entry& e) : fields_(fields), e_(e) {}

  bool has(const char* key) const { return fields_.count(key) != 0; }
  const FieldValue* get(const char* key) {
    const auto it = fields_.find(key);
    if (it != fields_.end()) return &it->second;
    fail(key, "missing");
    return nullptr;
  }
  template <typename T>
  T num(const char* key) {
    const FieldValue* v = get(key);
    if (!v) return T{};
    if (auto n = parse_number<T>(v->text)) return *n;
    fail(key, "not a number");
    return T{};
  }
  template <typename T>
  std::optional<T> opt_num(const char* key) {
    if (!has(key)) return std::nullopt;
    return num<T>(key);
  }
  bool flag(const char* key) {
    const auto it = fields_.find(key);
    return it != fields_.end() && it->second.text != "0";
  }
  std::string_view str(const char* key) {
    const FieldValue* v = get(key);
    return v ? e_.keep(v->text) : std::string_view();
  }
  std::string_view opt_str(const char* key) {
    return has(key) ? str(key) : std::string_view();
  }
  // Items each followed by a NUL, as the kernel sends argv and env.
  std::string_view list(const char* key) {
    const FieldValue* v = get(key);
    if (!v) return {};
    std::string joined;
    for (const auto& item : v->items) {
      joined += item;
      joined += '\0';
    }
    return e_.keep(std::move(joined));
  }
  Address addr(const char* key, uint8_t family) {
    Address a;
    a.family = family;
    const FieldValue* v = get(key);
    if (v && inet_pton(family == 6 ? AF_INET6 : AF_INET, v->text.c_str(),
                       a.bytes.data()) != 1)
      fail(key, "not an address of the record's family");
    return a;
  }
  void fail(std::string_view key, std::string_view why) {
    if (!error_) error_ = Error{fmt::format("{}: {}", key, why)};
  }
  const std::optional<Error>& error() const { return error_; }

 private:
  const FieldMap& fields_;
  Entry& e_;
  std::optional<Error> error_;
};

// Reverses a name function over a small range of codes.
template <typename Fn>
std::optional<uint16_t> code_of(std::string_view name, unsigned limit, Fn fn) {
  for (unsigned c = 0; c < limit; c++)
    if (fn(uint16_t(c)) == name) return uint16_t(c);
  return parse_number<uint16_t>(name);
}

void read_task(Reader& r, Entry& e, Task& t) {
  t.pid = r.num<uint32_t>("pid");
  t.tid = r.num<uint32_t>("tid");
  t.ppid = r.num<uint32_t>("ppid");
  t.sid = r.num<uint32_t>("sid");
  t.audit = r.has("auid");
  if (t.audit) {
    t.auid = r.num<uint32_t>("auid");
    t.ses = r.num<uint32_t>("ses");
  }
  t.uid = r.num<uint32_t>("uid");
  t.gid = r.num<uint32_t>("gid");
  t.euid = r.num<uint32_t>("euid");
  t.egid = r.num<uint32_t>("egid");
  t.cgroup_id = r.num<uint64_t>("cgroup_id");
  t.netns = r.num<uint64_t>("netns");
  t.start_ns = r.opt_num<uint64_t>("start_ns").value_or(0);
  if (r.has("user")) e.users.emplace(t.uid, r.str("user"));
  if (t.audit && r.has("auid_user") && t.auid != NETLOG_UID_NONE)
    e.users.emplace(t.auid, r.str("auid_user"));
}

// The flags that the formats write as their own keys.
uint32_t read_flags(Reader& r) {
  static constexpr std::pair<const char*, uint32_t> kKeys[] = {
      {"exe_ns", NETLOG_F_EXE_NS},
      {"exe_set", NETLOG_F_EXE_SET},
      {"preload", NETLOG_F_PRELOAD},
      {"refused", NETLOG_F_REFUSED},
      {"argc_partial", NETLOG_F_ARGC_PARTIAL},
      {"unfollowed", NETLOG_F_UNFOLLOWED},
      {"srcroute", NETLOG_F_SRCROUTE},
      {"by_peer", NETLOG_F_BY_PEER},
      {"established", NETLOG_F_ESTABLISHED},
  };
  uint32_t flags = 0;
  for (const auto& [key, bit] : kKeys)
    if (r.flag(key)) flags |= bit;
  if (r.has("truncated")) {
    // "comm,exe": truncated_names() of each flag.
    std::string_view names = r.str("truncated");
    while (!names.empty()) {
      const auto comma = names.find(',');
      const auto name = names.substr(0, comma);
      for (uint32_t bit = 1; bit; bit <<= 1)
        if ((kTruncFlags & bit) && truncated_names(bit) == name) flags |= bit;
      names = comma == std::string_view::npos ? std::string_view()
                                              : names.substr(comma + 1);
    }
  }
  return flags;
}

template <typename Event>
void read_who(Reader& r, Entry& e, Event& ev) {
  read_task(r, e, ev.task);
  ev.tty = r.str("tty");
  ev.comm = r.str("comm");
  ev.exe = r.str("exe");
  ev.cgroup = r.str("cgroup");
}

void read_proto(Reader& r, SockEvent& ev, std::string_view name) {
  static constexpr std::tuple<std::string_view, uint8_t, uint32_t> kProtos[] = {
      {"tcp", IPPROTO_TCP, 0},
      {"mptcp", IPPROTO_TCP, NETLOG_F_MPTCP},
      {"udp", IPPROTO_UDP, 0},
      {"udplite", IPPROTO_UDPLITE, 0},
      {"icmp", IPPROTO_ICMP, 0},
      {"icmpv6", IPPROTO_ICMPV6, 0},
      {"sctp", IPPROTO_SCTP, 0},
      {"dccp", IPPROTO_DCCP, 0},
      {"l2tp", kIpprotoL2tp, 0},
      {"smc", IPPROTO_TCP, NETLOG_F_SMC},
      {"rxrpc", IPPROTO_UDP, NETLOG_F_RXRPC},
  };
  if (name == "raw") {
    ev.flags |= NETLOG_F_RAW;
    ev.proto = r.num<uint8_t>("ipproto");
    return;
  }
  for (const auto& [n, proto, flag] : kProtos)
    if (n == name) {
      ev.proto = proto;
      ev.flags |= flag;
      return;
    }
  r.fail("proto", "unknown");
}

SockEvent read_sock(Reader& r, Entry& e, std::string_view event) {
  SockEvent ev;
  if (auto code = code_of(event, 64, event_name);
      code && event_name(*code) == event)
    ev.event = *code;
  else
    r.fail("event", "unknown");
  ev.flags = read_flags(r);
  if (r.has("sock_family")) {
    SockEvent::Unaudited u;
    const auto family = code_of(r.str("sock_family"), 64, sock_family_name);
    const auto type = code_of(r.str("sock_type"), 16, sock_type_name);
    if (!family || !type) r.fail("sock_family", "unknown family or type");
    u.family = family.value_or(0);
    u.type = type.value_or(0);
    u.protocol = r.num<int32_t>("protocol");
    ev.unaudited = u;
  } else {
    read_proto(r, ev, r.str("proto"));
    const std::string_view family = r.str("family");
    const uint8_t f = family == "ipv6" ? 6 : 4;
    if (family != "ipv4" && family != "ipv6") r.fail("family", "unknown");
    ev.laddr = r.addr("laddr", f);
    ev.raddr = r.addr("raddr", f);
    ev.lport = r.num<uint16_t>("lport");
    ev.rport = r.num<uint16_t>("rport");
    ev.result = r.num<int32_t>("result");
  }
  ev.connect_seq = r.opt_num<uint64_t>("connect_seq");
  ev.owner_uid = r.opt_num<uint32_t>("owner_uid");
  ev.owner_pid = r.opt_num<uint32_t>("owner_pid").value_or(0);
  read_who(r, e, ev);
  if (ev.flags & NETLOG_F_EXE_SET) ev.exe_loaded = r.str("exe_loaded");
  return ev;
}

ExecEvent read_exec(Reader& r, Entry& e) {
  ExecEvent ex;
  ex.flags = read_flags(r);
  ex.result = r.num<int32_t>("result");
  ex.filename = r.str("filename");
  ex.argc = r.num<uint32_t>("argc");
  ex.argv = r.list("argv");
  ex.comm_before = r.str("comm_before");
  ex.cwd = r.str("cwd");
  if (r.has("env")) ex.env = r.list("env");
  read_who(r, e, ex);
  return ex;
}

ConfigEvent read_config(Reader& r, Entry& e) {
  ConfigEvent cfg;
  cfg.flags = read_flags(r);
  cfg.param = r.str("param");
  cfg.old_value = r.str("old");
  cfg.new_value = r.str("new");
  read_who(r, e, cfg);
  return cfg;
}

// "1000:5,0:2", as lost_uids() writes it.
LostEvent read_lost(Reader& r) {
  LostEvent lost;
  lost.count = r.num<uint64_t>("count");
  lost.first_seq = r.num<uint64_t>("first_seq");
  lost.last_seq = r.num<uint64_t>("last_seq");
  lost.other = r.num<uint64_t>("other");
  std::string_view uids = r.opt_str("uids");
  while (!uids.empty() && lost.uids < lost.by_uid.size()) {
    const auto comma = uids.find(',');
    const auto pair = uids.substr(0, comma);
    const auto colon = pair.find(':');
    const auto uid = parse_number<uint32_t>(pair.substr(0, colon));
    const auto count = colon == std::string_view::npos
                           ? std::nullopt
                           : parse_number<uint64_t>(pair.substr(colon + 1));
    if (!uid || !count) {
      r.fail("uids", "not uid:count pairs");
      break;
    }
    lost.by_uid[lost.uids++] = {*uid, *count};
    uids = comma == std::string_view::npos ? "" : uids.substr(comma + 1);
  }
  return lost;
}

}  // namespace

Result<uint64_t> parse_rfc3339_ns(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  std::tm tm{};
  const auto field = [&](size_t at, size_t len) {
    return parse_number<int>(s.substr(at, len));
  };
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
      s[13] != ':' || s[16] != ':' || s.back() != 'Z')
    return Error{fmt::format("not an RFC 3339 UTC time: {}", s)};
  const auto y = field(0, 4), mo = field(5, 2), d = field(8, 2),
             h = field(11, 2), mi = field(14, 2), sec = field(17, 2);
  if (!y || !mo || !d || !h || !mi || !sec)
    return Error{fmt::format("not an RFC 3339 UTC time: {}", s)};
  tm.tm_year = *y - 1900;
  tm.tm_mon = *mo - 1;
  tm.tm_mday = *d;
  tm.tm_hour = *h;
  tm.tm_min = *mi;
  tm.tm_sec = *sec;
  uint64_t ns = 0;
  std::string_view frac = s.substr(19, s.size() - 20);
  if (!frac.empty()) {
    if (frac[0] != '.' || frac.size() < 2 || frac.size() > 10)
      return Error{fmt::format("not an RFC 3339 UTC time: {}", s)};
    frac.remove_prefix(1);
    const auto n = parse_number<uint64_t>(frac);
    if (!n) return Error{fmt::format("not an RFC 3339 UTC time: {}", s)};
    ns = *n;
    for (size_t i = frac.size(); i < 9; i++) ns *= 10;
  }
  const time_t t = timegm(&tm);
  if (t < 0) return Error{fmt::format("before 1970: {}", s)};
  return uint64_t(t) * 1000000000 + ns;
}

Result<Entry> rebuild(const FieldMap& fields) {
  Entry e;
  e.rebuilt = true;
  Reader r(fields, e);
  Record& rec = e.rec;
  rec.hdr.abi_major = NETLOG_ABI_MAJOR;
  rec.hdr.abi_minor = NETLOG_ABI_MINOR;
  rec.hdr.seq = r.num<uint64_t>("seq");
  if (const FieldValue* time = r.get("time")) {
    auto ns = parse_rfc3339_ns(time->text);
    if (!ns) return ns.error();
    rec.hdr.real_ns = *ns;
  }
  if (r.has("host")) e.host = r.str("host");
  const std::string_view event = r.str("event");
  if (event == "exec") {
    rec.hdr.type = NETLOG_REC_EXEC;
    rec.body = read_exec(r, e);
  } else if (event == "config") {
    rec.hdr.type = NETLOG_REC_CONFIG;
    rec.body = read_config(r, e);
  } else if (event == "lost") {
    rec.hdr.type = NETLOG_REC_LOST;
    rec.body = read_lost(r);
  } else if (event == "missed") {
    rec.hdr.type = NETLOG_REC_MISSED;
    rec.body = MissedEvent{r.num<uint64_t>("count"), r.str("hook")};
  } else if (event == "unknown") {
    rec.hdr.type = r.num<uint16_t>("type");
    rec.hdr.len = r.num<uint32_t>("len");
    rec.body = UnknownEvent{};
  } else {
    rec.hdr.type = NETLOG_REC_SOCK;
    rec.body = read_sock(r, e, event);
  }
  // The header's boot time, which the formats give only through the
  // process's start: its real time is the record's, less boot, plus start.
  if (const Task* t = task_of(rec); t && t->start_ns && r.has("start")) {
    auto start = parse_rfc3339_ns(r.str("start"));
    if (!start) return start.error();
    rec.hdr.boot_ns = rec.hdr.real_ns + t->start_ns - *start;
  }
  if (r.error()) return *r.error();
  return e;
}

Context entry_context(const Entry& e, Context& local) {
  return Context(e.host.empty() ? local.host() : e.host,
                 [&e, &local](uint32_t uid) -> std::string {
                   const auto it = e.users.find(uid);
                   return it != e.users.end() ? it->second : local.user(uid);
                 });
}

}  // namespace netlog
