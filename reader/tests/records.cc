#include "records.h"

#include <algorithm>
#include <cstring>

#include "record.h"

namespace netlog::test {
namespace {

// The fixed part `r`, then each string with its length, padded; len set.
template <typename Fixed>
std::vector<std::byte> with_strings(Fixed r,
                                    const std::vector<std::string>& strings) {
  std::vector<std::byte> out(sizeof(r));
  for (const auto& str : strings) {
    const auto n = static_cast<uint16_t>(str.size());
    const auto* p = reinterpret_cast<const std::byte*>(&n);
    out.insert(out.end(), p, p + sizeof(n));
    const auto* q = reinterpret_cast<const std::byte*>(str.data());
    out.insert(out.end(), q, q + str.size());
  }
  out.resize((out.size() + NETLOG_REC_ALIGN - 1) / NETLOG_REC_ALIGN *
             NETLOG_REC_ALIGN);
  r.hdr.len = static_cast<uint32_t>(out.size());
  std::memcpy(out.data(), &r, sizeof(r));
  return out;
}

// The header of a record of `type` by `who`, at this ABI version.
netlog_hdr header(uint16_t type, const SockSpec& who) {
  netlog_hdr h{};
  h.abi_major = NETLOG_ABI_MAJOR;
  h.abi_minor = NETLOG_ABI_MINOR;
  h.type = type;
  h.seq = who.seq;
  h.real_ns = who.real_ns;
  return h;
}

// The START string: 8 bytes little-endian, or empty.
std::string start_string(const SockSpec& s) {
  std::string out;
  if (s.start) out.assign(reinterpret_cast<const char*>(&*s.start), 8);
  return out;
}

}  // namespace

SockSpec unaudited_spec() {
  SockSpec s;
  s.event = NETLOG_EV_UNAUDITED;
  s.family = 0;
  s.proto = 0;
  s.laddr = s.raddr = std::vector<uint8_t>(16, 0);
  s.lport = 43;  // AF_SMC
  s.rport = 1;   // SOCK_STREAM
  s.result = 768;
  return s;
}

std::vector<std::byte> sock_record(const SockSpec& s) {
  netlog_sock r{};
  r.hdr = header(NETLOG_REC_SOCK, s);
  r.hdr.boot_ns = 5;
  r.event = s.event;
  r.proto = s.proto;
  r.family = s.family;
  r.result = s.result;
  r.lport = s.lport;
  r.rport = s.rport;
  r.flags = s.flags;
  std::copy(s.laddr.begin(), s.laddr.end(), r.laddr);
  std::copy(s.raddr.begin(), s.raddr.end(), r.raddr);
  r.task = s.task;

  auto strings = sock_strings(s);
  strings.emplace_back();
  if (s.life)
    strings.back().assign(reinterpret_cast<const char*>(&*s.life),
                          sizeof(*s.life));
  strings.emplace_back();
  if (s.nat)
    strings.back().assign(reinterpret_cast<const char*>(&*s.nat),
                          sizeof(*s.nat));
  strings.emplace_back();
  if (s.dgram)
    strings.back().assign(reinterpret_cast<const char*>(&*s.dgram),
                          sizeof(*s.dgram));
  strings.insert(strings.end(), s.later.begin(), s.later.end());
  return with_strings(r, strings);
}

std::vector<std::string> sock_strings(const SockSpec& s) {
  auto strings = s.strings;
  strings.push_back(s.exe_loaded);
  strings.emplace_back();
  if (s.connect_seq) {
    const uint64_t le = *s.connect_seq;  // the hosts we build on are LE
    strings.back().assign(reinterpret_cast<const char*>(&le), sizeof(le));
  }
  strings.emplace_back();
  if (s.owner_uid)
    strings.back().assign(reinterpret_cast<const char*>(&*s.owner_uid),
                          sizeof(*s.owner_uid));
  strings.emplace_back();
  if (s.owner_pid)
    strings.back().assign(reinterpret_cast<const char*>(&*s.owner_pid),
                          sizeof(*s.owner_pid));
  strings.push_back(start_string(s));
  return strings;
}

std::vector<std::byte> config_record(const std::string& param,
                                     const std::string& old_value,
                                     const std::string& new_value) {
  const SockSpec who;
  netlog_config r{};
  r.hdr = header(NETLOG_REC_CONFIG, who);
  r.task = who.task;
  std::memcpy(r.param, param.data(), param.size());
  auto strings = who.strings;
  strings.push_back(old_value);
  strings.push_back(new_value);
  strings.push_back(start_string(who));
  return with_strings(r, strings);
}

std::vector<std::byte> exec_record(const ExecSpec& e) {
  SockSpec who;
  who.start = e.start;
  netlog_exec r{};
  r.hdr = header(NETLOG_REC_EXEC, who);
  r.flags = e.flags;
  r.result = e.result;
  r.argc = e.argc;
  r.task = who.task;
  std::string argv;
  for (const auto& a : e.args) argv += a + '\0';
  if (e.cut && !argv.empty()) argv.pop_back();
  auto strings = who.strings;
  std::string env;
  for (const auto& v : e.env) env += v + '\0';
  strings.insert(strings.end(), {e.filename, e.comm_before, e.cwd, argv, env,
                                 start_string(who)});
  return with_strings(r, strings);
}

std::vector<std::byte> lost_record(
    uint64_t first, uint64_t count,
    const std::vector<std::pair<uint32_t, uint64_t>>& by_uid, uint64_t other) {
  netlog_lost_uids u{};
  netlog_lost& r = u.lost;
  r.hdr.abi_major = NETLOG_ABI_MAJOR;
  r.hdr.type = NETLOG_REC_LOST;
  r.hdr.len = sizeof(r);
  r.hdr.seq = first;
  r.hdr.real_ns = 1763750400000000000ULL;
  r.count = count;
  r.first_seq = first;
  r.last_seq = first + count - 1;
  if (by_uid.empty() && !other) {
    std::vector<std::byte> out(sizeof(r));
    std::memcpy(out.data(), &r, sizeof(r));
    return out;
  }
  r.hdr.abi_minor = 1;
  r.hdr.len = sizeof(u);
  for (size_t i = 0; i < by_uid.size(); i++)
    u.by_uid[i] = {by_uid[i].first, 0, by_uid[i].second};
  u.other = other;
  std::vector<std::byte> out(sizeof(u));
  std::memcpy(out.data(), &u, sizeof(u));
  return out;
}

std::vector<std::byte> concat(
    const std::vector<std::vector<std::byte>>& parts) {
  std::vector<std::byte> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Context test_context() {
  return Context("vm1", [](uint32_t uid) -> std::string {
    return uid == 1000 ? "alice" : "";
  });
}

std::string render(Format f, const std::vector<std::byte>& bytes) {
  auto rec = decode(bytes);
  if (!rec) return "not a record: " + rec.error().message;
  auto ctx = test_context();
  fmt::memory_buffer out;
  make_renderer(f)->render(*rec, ctx, out);
  return fmt::to_string(out);
}

}  // namespace netlog::test
