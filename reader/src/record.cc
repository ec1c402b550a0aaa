#include "record.h"

#include <endian.h>
#include <fmt/format.h>

#include <cstddef>
#include <cstring>
#include <optional>

#include "uapi/netlog.h"

namespace netlog {
namespace {

template <typename T>
T load(std::span<const std::byte> bytes, size_t off = 0) {
  T v;
  std::memcpy(&v, bytes.data() + off, sizeof(T));
  return v;
}

// One field of a kernel struct at the start of `b`, by memcpy: the bytes
// may sit at any alignment.
#define NETLOG_FIELD(b, type, member) \
  load<decltype(type::member)>(b, offsetof(type, member))

// A task of a record of ABI minor `minor` (auid and ses from 2 on).
Task decode_task(std::span<const std::byte> task, uint8_t minor) {
  Task t{NETLOG_FIELD(task, netlog_task, pid),
         NETLOG_FIELD(task, netlog_task, tid),
         NETLOG_FIELD(task, netlog_task, ppid),
         NETLOG_FIELD(task, netlog_task, sid),
         NETLOG_FIELD(task, netlog_task, uid),
         NETLOG_FIELD(task, netlog_task, gid),
         NETLOG_FIELD(task, netlog_task, euid),
         NETLOG_FIELD(task, netlog_task, egid),
         NETLOG_FIELD(task, netlog_task, netns),
         NETLOG_FIELD(task, netlog_task, cgroup_id)};
  if (minor >= 2) {
    t.audit = true;
    t.auid = NETLOG_FIELD(task, netlog_task, auid);
    t.ses = NETLOG_FIELD(task, netlog_task, ses);
  }
  return t;
}

struct Field {
  std::string_view* out;
  size_t max;
};

// From the task at `task_off` to the end of `cgroup`, the last of the four
// strings every task record starts with.
std::string_view who_bytes(std::span<const std::byte> b, size_t task_off,
                           std::string_view cgroup) {
  const auto* start = reinterpret_cast<const char*>(b.data() + task_off);
  return std::string_view(start, cgroup.data() + cgroup.size() - start);
}

// The length-prefixed string at `off` into `f`, and `off` past it; false
// (and `off` where it was) when it overruns `b` or `f.max`. Inline, with
// the message left to string_error(): this runs for every string.
[[gnu::always_inline]] inline bool decode_string(std::span<const std::byte> b,
                                                 size_t& off, const Field& f) {
  if (off + sizeof(uint16_t) > b.size()) return false;
  const auto n = load<uint16_t>(b, off);
  const size_t at = off + sizeof(uint16_t);
  if (n > f.max || at + n > b.size()) return false;
  *f.out = std::string_view(reinterpret_cast<const char*>(b.data() + at), n);
  off = at + n;
  return true;
}

// Why decode_string() failed at `off`.
[[gnu::cold]] Error string_error(std::span<const std::byte> b, size_t off) {
  if (off + sizeof(uint16_t) > b.size())
    return Error{"record ends inside its strings"};
  return Error{fmt::format("record string of {} bytes overruns",
                           load<uint16_t>(b, off))};
}

// The length-prefixed strings from `off` on, in order; strings past the
// last field (a newer minor version's) are left alone.
// (A template on their number, so that the loop unrolls.)
template <size_t N>
std::optional<Error> decode_strings(std::span<const std::byte> b, size_t off,
                                    const Field (&fields)[N]) {
  for (const auto& f : fields)
    if (!decode_string(b, off, f)) return string_error(b, off);
  return std::nullopt;
}

// A string a later minor version appended: `since` that minor. One that
// holds a value (`value` names it) is empty or exactly `field.max` bytes.
struct Appended {
  Field field;
  uint8_t since;
  const char* value = nullptr;
};

// The strings later minors appended after `prev` (a view into `b`), in
// one pass: those of a minor newer than the record's are empty.
template <size_t N>
std::optional<Error> decode_appended(std::span<const std::byte> b,
                                     std::string_view prev,
                                     const Appended (&fields)[N]) {
  const uint8_t minor = NETLOG_FIELD(b, netlog_hdr, abi_minor);
  auto off = size_t(prev.data() + prev.size() -
                    reinterpret_cast<const char*>(b.data()));
  for (const auto& a : fields) {
    *a.field.out = {};
    if (minor < a.since) continue;
    if (!decode_string(b, off, a.field)) return string_error(b, off);
    const size_t n = a.field.out->size();
    if (a.value && n && n != a.field.max)
      return Error{fmt::format("{} of {} bytes", a.value, n)};
  }
  return std::nullopt;
}

// The value an appended string holds (Appended::value), or nothing when
// it is empty.
template <typename T>
std::optional<T> value(std::string_view s) {
  if (s.size() != sizeof(T)) return std::nullopt;
  return load<T>(std::as_bytes(std::span(s)));
}

// LIFE (minor 10), little-endian, when the string holds one.
void decode_life(std::string_view s, std::optional<Life>& life) {
  life.reset();
  if (s.size() != sizeof(netlog_life)) return;
  const auto b = std::as_bytes(std::span(s));
  auto& l = life.emplace();
  l.bytes_sent = le64toh(NETLOG_FIELD(b, netlog_life, bytes_sent));
  l.bytes_received = le64toh(NETLOG_FIELD(b, netlog_life, bytes_received));
  l.duration_ns = le64toh(NETLOG_FIELD(b, netlog_life, duration_ns));
  l.bytes_unacked = le32toh(NETLOG_FIELD(b, netlog_life, bytes_unacked));
  l.segs_out = le32toh(NETLOG_FIELD(b, netlog_life, segs_out));
  l.segs_in = le32toh(NETLOG_FIELD(b, netlog_life, segs_in));
  l.retrans = le32toh(NETLOG_FIELD(b, netlog_life, retrans));
  l.state = NETLOG_FIELD(b, netlog_life, state);
  l.end = NETLOG_FIELD(b, netlog_life, end);
  l.old_state = NETLOG_FIELD(b, netlog_life, old_state);
}

// DGRAM (minor 12), little-endian, when the string holds one.
void decode_dgram(std::string_view s, std::optional<SockEvent::Dgram>& dgram) {
  dgram.reset();
  if (s.size() != sizeof(netlog_dgram)) return;
  const auto b = std::as_bytes(std::span(s));
  // Built, then assigned: clang cannot default-construct a nested class
  // with member initializers inside std::optional's emplace().
  SockEvent::Dgram d;
  d.bytes_sent = le64toh(NETLOG_FIELD(b, netlog_dgram, bytes_sent));
  d.bytes_received = le64toh(NETLOG_FIELD(b, netlog_dgram, bytes_received));
  d.duration_ns = le64toh(NETLOG_FIELD(b, netlog_dgram, duration_ns));
  d.sent = le32toh(NETLOG_FIELD(b, netlog_dgram, sent));
  d.received = le32toh(NETLOG_FIELD(b, netlog_dgram, received));
  d.destinations = le32toh(NETLOG_FIELD(b, netlog_dgram, destinations));
  d.more_destinations =
      NETLOG_FIELD(b, netlog_dgram, flags) & NETLOG_DGRAM_MORE_DESTS;
  dgram = d;
}

std::optional<Error> decode_config(std::span<const std::byte> b,
                                   ConfigEvent& ev) {
  if (b.size() < sizeof(netlog_config))
    return Error{fmt::format("config record too short ({} bytes)", b.size())};
  ev.flags = NETLOG_FIELD(b, netlog_config, flags);
  ev.task = decode_task(b.subspan(offsetof(netlog_config, task)),
                        NETLOG_FIELD(b, netlog_hdr, abi_minor));
  const auto* name =
      reinterpret_cast<const char*>(b.data() + offsetof(netlog_config, param));
  ev.param = std::string_view(name, strnlen(name, NETLOG_PARAM_NAME_MAX));
  const Field fields[NETLOG_STR_CONFIG_START] = {
      {&ev.comm, NETLOG_COMM_MAX},       {&ev.tty, NETLOG_TTY_MAX},
      {&ev.exe, NETLOG_EXE_MAX},         {&ev.cgroup, NETLOG_CGROUP_MAX},
      {&ev.old_value, NETLOG_VALUE_MAX}, {&ev.new_value, NETLOG_VALUE_MAX},
  };
  if (auto err = decode_strings(b, sizeof(netlog_config), fields)) return err;
  std::string_view start;
  if (auto err = decode_appended(b, ev.new_value,
                                 {{{&start, sizeof(uint64_t)}, 9, "start"}}))
    return err;
  ev.task.start_ns = value<uint64_t>(start).value_or(0);
  ev.who_bytes = who_bytes(b, offsetof(netlog_config, task), ev.cgroup);
  return std::nullopt;
}

std::optional<Error> decode_sock(std::span<const std::byte> b, SockEvent& ev) {
  if (b.size() < sizeof(netlog_sock))
    return Error{fmt::format("socket record too short ({} bytes)", b.size())};
  const auto family = NETLOG_FIELD(b, netlog_sock, family);
  ev.event = NETLOG_FIELD(b, netlog_sock, event);
  const bool unaudited = ev.event == NETLOG_EV_UNAUDITED;
  if (family != 4 && family != 6 && !(unaudited && family == 0))
    return Error{fmt::format("socket record has family {}", family)};
  ev.proto = NETLOG_FIELD(b, netlog_sock, proto);
  ev.result = NETLOG_FIELD(b, netlog_sock, result);
  ev.flags = NETLOG_FIELD(b, netlog_sock, flags);
  ev.laddr.family = ev.raddr.family = family;
  std::memcpy(ev.laddr.bytes.data(), b.data() + offsetof(netlog_sock, laddr),
              16);
  std::memcpy(ev.raddr.bytes.data(), b.data() + offsetof(netlog_sock, raddr),
              16);
  ev.lport = NETLOG_FIELD(b, netlog_sock, lport);
  ev.rport = NETLOG_FIELD(b, netlog_sock, rport);
  ev.unaudited.reset();
  if (unaudited) {
    ev.unaudited = SockEvent::Unaudited{ev.lport, ev.rport, ev.result};
    ev.lport = ev.rport = 0;
    ev.result = 0;
  }
  ev.task = decode_task(b.subspan(offsetof(netlog_sock, task)),
                        NETLOG_FIELD(b, netlog_hdr, abi_minor));
  const Field fields[NETLOG_STR_COUNT] = {
      {&ev.comm, NETLOG_COMM_MAX},
      {&ev.tty, NETLOG_TTY_MAX},
      {&ev.exe, NETLOG_EXE_MAX},
      {&ev.cgroup, NETLOG_CGROUP_MAX},
  };
  if (auto err = decode_strings(b, sizeof(netlog_sock), fields))
    return Error{"socket " + err->message};
  std::string_view seq, owner, pid, start, life, nat, dgram;
  const Appended appended[] = {
      {{&ev.exe_loaded, NETLOG_EXE_MAX}, 3},
      {{&seq, sizeof(uint64_t)}, 5, "connect_seq"},
      {{&owner, sizeof(uint32_t)}, 5, "owner"},
      {{&pid, sizeof(uint32_t)}, 7, "owner_pid"},
      {{&start, sizeof(uint64_t)}, 9, "start"},
      {{&life, sizeof(netlog_life)}, 10, "life"},
      {{&nat, sizeof(netlog_nat)}, 11, "nat"},
      {{&dgram, sizeof(netlog_dgram)}, 12, "dgram"},
  };
  if (auto err = decode_appended(b, ev.cgroup, appended))
    return Error{"socket " + err->message};
  // Minor 5 on always has an owner: empty is corrupt too.
  if (owner.empty() && NETLOG_FIELD(b, netlog_hdr, abi_minor) >= 5)
    return Error{"socket owner of 0 bytes"};
  ev.connect_seq = value<uint64_t>(seq);
  ev.owner_uid = value<uint32_t>(owner);
  ev.owner_pid = value<uint32_t>(pid).value_or(0);
  ev.task.start_ns = value<uint64_t>(start).value_or(0);
  decode_life(life, ev.life);
  ev.nat.reset();
  if (nat.size() == sizeof(netlog_nat)) {
    const auto n = std::as_bytes(std::span(nat));
    SockEvent::Nat to;
    to.raddr.family = ev.raddr.family;
    std::memcpy(to.raddr.bytes.data(), n.data() + offsetof(netlog_nat, raddr),
                to.raddr.bytes.size());
    to.rport = le16toh(NETLOG_FIELD(n, netlog_nat, rport));
    ev.nat = to;
  }
  decode_dgram(dgram, ev.dgram);
  ev.who_bytes = who_bytes(b, offsetof(netlog_sock, task), ev.cgroup);
  return std::nullopt;
}

std::optional<Error> decode_exec(std::span<const std::byte> b, ExecEvent& ev) {
  if (b.size() < sizeof(netlog_exec))
    return Error{fmt::format("exec record too short ({} bytes)", b.size())};
  ev.flags = NETLOG_FIELD(b, netlog_exec, flags);
  ev.result = NETLOG_FIELD(b, netlog_exec, result);
  ev.argc = NETLOG_FIELD(b, netlog_exec, argc);
  ev.task = decode_task(b.subspan(offsetof(netlog_exec, task)),
                        NETLOG_FIELD(b, netlog_hdr, abi_minor));
  const Field fields[NETLOG_STR_ENV] = {
      {&ev.comm, NETLOG_COMM_MAX},         {&ev.tty, NETLOG_TTY_MAX},
      {&ev.exe, NETLOG_EXE_MAX},           {&ev.cgroup, NETLOG_CGROUP_MAX},
      {&ev.filename, NETLOG_FILENAME_MAX}, {&ev.comm_before, NETLOG_COMM_MAX},
      {&ev.cwd, NETLOG_CWD_MAX},           {&ev.argv, NETLOG_ARGV_MAX},
  };
  if (auto err = decode_strings(b, sizeof(netlog_exec), fields))
    return Error{"exec " + err->message};
  std::string_view start;
  const Appended appended[] = {{{&ev.env, NETLOG_ENV_MAX}, 4},
                               {{&start, sizeof(uint64_t)}, 9, "start"}};
  if (auto err = decode_appended(b, ev.argv, appended))
    return Error{"exec " + err->message};
  ev.task.start_ns = value<uint64_t>(start).value_or(0);
  ev.who_bytes = who_bytes(b, offsetof(netlog_exec, task), ev.cgroup);
  return std::nullopt;
}

Result<LostEvent> decode_lost(std::span<const std::byte> b, uint64_t seq) {
  if (b.size() < sizeof(netlog_lost))
    return Error{fmt::format("lost record too short ({} bytes)", b.size())};
  const auto r = load<netlog_lost>(b);
  if (r.count == 0 || r.last_seq - r.first_seq + 1 != r.count ||
      r.first_seq != seq)
    return Error{fmt::format("lost record inconsistent: count {} range {}-{}",
                             r.count, r.first_seq, r.last_seq)};
  LostEvent ev{r.count, r.first_seq, r.last_seq};
  if (b.size() < sizeof(netlog_lost_uids)) {  // minor 0: nobody named
    ev.other = r.count;
    return ev;
  }
  const auto u = load<netlog_lost_uids>(b);
  uint64_t sum = u.other;
  for (const auto& e : u.by_uid) {
    if (!e.count) continue;
    ev.by_uid[ev.uids++] = {e.uid, e.count};
    sum += e.count;
  }
  ev.other = u.other;
  if (sum != r.count)
    return Error{
        fmt::format("lost record inconsistent: {} by uid of {}", sum, r.count)};
  return ev;
}

Result<MissedEvent> decode_missed(std::span<const std::byte> b) {
  if (b.size() < sizeof(netlog_missed))
    return Error{fmt::format("missed record too short ({} bytes)", b.size())};
  const auto* name =
      reinterpret_cast<const char*>(b.data() + offsetof(netlog_missed, hook));
  return MissedEvent{
      NETLOG_FIELD(b, netlog_missed, count),
      std::string_view(name, strnlen(name, NETLOG_HOOK_NAME_MAX))};
}

// The checks of record_length() on a header already loaded: the test
// inline, the message only for a header that fails it.
bool header_ok(const netlog_hdr& h) {
  return h.abi_major == NETLOG_ABI_MAJOR && h.len >= sizeof(netlog_hdr) &&
         h.len <= NETLOG_REC_MAX && h.len % NETLOG_REC_ALIGN == 0;
}

[[gnu::cold]] Error header_error(const netlog_hdr& h) {
  if (h.abi_major != NETLOG_ABI_MAJOR)
    return Error{fmt::format(
        "record ABI version {}.{} is not supported (this reader knows {}.x)",
        h.abi_major, h.abi_minor, NETLOG_ABI_MAJOR)};
  return Error{fmt::format("corrupt record length {}", h.len)};
}

}  // namespace

Result<size_t> record_length(std::span<const std::byte> bytes) {
  if (bytes.size() < sizeof(netlog_hdr)) return size_t{0};
  const auto h = load<netlog_hdr>(bytes);
  if (!header_ok(h)) return header_error(h);
  return size_t{h.len};
}

std::optional<Error> decode_into(std::span<const std::byte> bytes,
                                 Record& rec) {
  if (bytes.size() < sizeof(netlog_hdr))
    return Error{fmt::format("truncated record ({} bytes)", bytes.size())};
  const auto h = load<netlog_hdr>(bytes);
  if (!header_ok(h)) return header_error(h);
  if (h.len != bytes.size())
    return Error{fmt::format("truncated record ({} bytes)", bytes.size())};
  rec.hdr = Header{h.abi_major, h.abi_minor, h.type,    h.len,
                   h.seq,       h.boot_ns,   h.real_ns, h.cpu};
  switch (h.type) {
    case NETLOG_REC_SOCK: {
      // Decoded in place: the record's event is reused, not rebuilt.
      auto* ev = std::get_if<SockEvent>(&rec.body);
      if (!ev) ev = &rec.body.emplace<SockEvent>();
      return decode_sock(bytes, *ev);
    }
    case NETLOG_REC_LOST: {
      auto ev = decode_lost(bytes, h.seq);
      if (!ev) return ev.error();
      rec.body = *ev;
      return std::nullopt;
    }
    case NETLOG_REC_CONFIG: {
      auto* ev = std::get_if<ConfigEvent>(&rec.body);
      if (!ev) ev = &rec.body.emplace<ConfigEvent>();
      return decode_config(bytes, *ev);
    }
    case NETLOG_REC_EXEC: {
      auto* ev = std::get_if<ExecEvent>(&rec.body);
      if (!ev) ev = &rec.body.emplace<ExecEvent>();
      return decode_exec(bytes, *ev);
    }
    case NETLOG_REC_MISSED: {
      auto ev = decode_missed(bytes);
      if (!ev) return ev.error();
      rec.body = *ev;
      return std::nullopt;
    }
    default:
      rec.body = UnknownEvent{};
  }
  return std::nullopt;
}

Result<Record> decode(std::span<const std::byte> bytes) {
  Record rec;
  if (auto err = decode_into(bytes, rec)) return std::move(*err);
  return rec;
}

std::string_view event_name(uint16_t event) {
  switch (event) {
    case NETLOG_EV_CONNECT:
      return "connect";
    case NETLOG_EV_ACCEPT:
      return "accept";
    case NETLOG_EV_BIND:
      return "bind";
    case NETLOG_EV_LISTEN:
      return "listen";
    case NETLOG_EV_CLOSE:
      return "close";
    case NETLOG_EV_CONNECT_DONE:
      return "connect_done";
    case NETLOG_EV_SEND:
      return "send";
    case NETLOG_EV_UNAUDITED:
      return "unaudited";
    case NETLOG_EV_PEER:
      return "peer";
    case NETLOG_EV_STATE:
      return "state";
    case NETLOG_EV_SNAPSHOT:
      return "snapshot";
  }
  return "unknown";
}

const Task* task_of(const Record& rec) {
  return std::visit(
      Overload{[](const SockEvent& ev) { return &ev.task; },
               [](const ExecEvent& ex) { return &ex.task; },
               [](const ConfigEvent& c) { return &c.task; },
               [](const LostEvent&) -> const Task* { return nullptr; },
               [](const MissedEvent&) -> const Task* { return nullptr; },
               [](const UnknownEvent&) -> const Task* { return nullptr; }},
      rec.body);
}

std::string_view exe_of(const Record& rec) {
  return std::visit(
      Overload{[](const SockEvent& ev) { return ev.exe; },
               [](const ExecEvent& ex) { return ex.exe; },
               [](const ConfigEvent& c) { return c.exe; },
               [](const LostEvent&) -> std::string_view { return {}; },
               [](const MissedEvent&) -> std::string_view { return {}; },
               [](const UnknownEvent&) -> std::string_view { return {}; }},
      rec.body);
}

}  // namespace netlog
