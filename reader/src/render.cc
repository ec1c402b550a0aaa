#include "render.h"

#include <netinet/in.h>
#include <pwd.h>
#include <unistd.h>

#include <array>
#include <climits>
#include <iterator>
#include <vector>

#include "line.h"
#include "uapi/netlog.h"

namespace netlog {

Context::Context(std::string host, UserLookup lookup)
    : host_(std::move(host)),
      host_text_(quote_text(host_)),
      host_json_(quote_json(host_)),
      lookup_(std::move(lookup)) {}

Context Context::system() {
  std::array<char, HOST_NAME_MAX + 1> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return Context(host.data(), [](uint32_t uid) -> std::string {
    std::vector<char> buf(4096);
    struct passwd pw, *found = nullptr;
    if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found)
      return pw.pw_name;
    return {};
  });
}

const std::string& Context::user(uint32_t uid) {
  if (last_ && last_->first == uid) return last_->second;
  auto it = users_.find(uid);
  if (it == users_.end()) {
    std::string name = lookup_ ? lookup_(uid) : std::string{};
    if (name.empty()) name = fmt::format("{}", uid);
    it = users_.emplace(uid, std::move(name)).first;
  }
  last_ = &*it;
  return it->second;
}

std::string_view auid_user(Context& ctx, const Task& t) {
  if (!t.audit || t.auid == NETLOG_UID_NONE) return {};
  return ctx.user(t.auid);
}

std::string rfc3339(uint64_t real_ns) {
  fmt::memory_buffer out;
  Line(out, 64).time(real_ns);
  return fmt::to_string(out);
}

Result<Format> parse_format(std::string_view name) {
  static constexpr std::pair<std::string_view, Format> kFormats[] = {
      {"text", Format::kText},
      {"json", Format::kJson},
      {"klog", Format::kKlog},
      {"rfc5424", Format::kRfc5424},
      {"ecs", Format::kEcs}};
  for (const auto& [n, f] : kFormats)
    if (n == name) return f;
  return Error{fmt::format(
      "unknown format '{}' (text, json, klog, rfc5424 or ecs)", name)};
}

std::string tcp_state_name(uint8_t state) {
  // linux/tcp_states.h, from TCP_ESTABLISHED (1)
  static constexpr std::string_view kNames[] = {
      "established", "syn_sent",  "syn_recv", "fin_wait1",
      "fin_wait2",   "time_wait", "close",    "close_wait",
      "last_ack",    "listen",    "closing",  "new_syn_recv"};
  if (state >= 1 && state <= std::size(kNames))
    return std::string(kNames[state - 1]);
  return std::to_string(state);
}

std::string_view end_name(uint8_t end) {
  switch (end) {
    case NETLOG_END_FIN:
      return "fin";
    case NETLOG_END_RST_SENT:
      return "rst_sent";
    case NETLOG_END_RST_RECEIVED:
      return "rst_received";
    case NETLOG_END_TIMEOUT:
      return "timeout";
    case NETLOG_END_ABORT:
      return "abort";
  }
  return "unknown";
}

std::string_view proto_name(const SockEvent& ev) {
  if (ev.flags & NETLOG_F_RAW) return "raw";
  if (ev.flags & NETLOG_F_SMC) return "smc";
  if (ev.flags & NETLOG_F_RXRPC) return "rxrpc";
  switch (ev.proto) {
    case IPPROTO_TCP:
      return ev.flags & NETLOG_F_MPTCP ? "mptcp" : "tcp";
    case IPPROTO_UDP:
      return "udp";
    case IPPROTO_UDPLITE:
      return "udplite";
    case IPPROTO_ICMP:
      return "icmp";
    case IPPROTO_ICMPV6:
      return "icmpv6";
    case IPPROTO_SCTP:
      return "sctp";
    case IPPROTO_DCCP:
      return "dccp";
    case kIpprotoL2tp:
      return "l2tp";
  }
  return "unknown";
}

std::string sock_family_name(uint16_t family) {
  // Indexed by AF_* (linux/socket.h); "" where the number has no family.
  static constexpr std::string_view kNames[] = {
      "unspec",     "unix",      "inet",     "ax25",  "ipx",     "appletalk",
      "netrom",     "bridge",    "atmpvc",   "x25",   "inet6",   "rose",
      "decnet",     "netbeui",   "security", "key",   "netlink", "packet",
      "ash",        "econet",    "atmsvc",   "rds",   "sna",     "irda",
      "pppox",      "wanpipe",   "llc",      "ib",    "mpls",    "can",
      "tipc",       "bluetooth", "iucv",     "rxrpc", "isdn",    "phonet",
      "ieee802154", "caif",      "alg",      "nfc",   "vsock",   "kcm",
      "qipcrtr",    "smc",       "xdp",      "mctp"};
  if (family < std::size(kNames) && !kNames[family].empty())
    return std::string(kNames[family]);
  return fmt::format("{}", family);
}

std::string sock_type_name(uint16_t type) {
  static constexpr std::string_view kNames[] = {
      "",     "stream", "dgram", "raw", "rdm",   "seqpacket",
      "dccp", "",       "",      "",    "packet"};
  if (type < std::size(kNames) && !kNames[type].empty())
    return std::string(kNames[type]);
  return fmt::format("{}", type);
}

std::string_view family_name(uint8_t family) {
  return family == 6 ? "ipv6" : "ipv4";
}

std::string lost_uids(const LostEvent& lost) {
  std::string out;
  for (size_t i = 0; i < lost.uids; i++)
    out += fmt::format("{}{}:{}", i ? "," : "", lost.by_uid[i].uid,
                       lost.by_uid[i].count);
  return out;
}

std::string truncated_names(uint32_t flags) {
  static constexpr std::pair<uint32_t, const char*> kNames[] = {
      {NETLOG_F_TRUNC_COMM, "comm"},
      {NETLOG_F_TRUNC_TTY, "tty"},
      {NETLOG_F_TRUNC_EXE, "exe"},
      {NETLOG_F_TRUNC_CGROUP, "cgroup"},
      {NETLOG_F_TRUNC_FILENAME, "filename"},
      {NETLOG_F_TRUNC_CWD, "cwd"},
      {NETLOG_F_TRUNC_ARGV, "argv"},
      {NETLOG_F_TRUNC_EXE_LOADED, "exe_loaded"},
      {NETLOG_F_TRUNC_ENV, "env"},
  };
  std::string out;
  if (!(flags & kTruncFlags)) return out;  // the common case, at once
  for (const auto& [bit, name] : kNames) {
    if (!(flags & bit)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

std::unique_ptr<Renderer> make_renderer(Format format, std::string_view sd_id) {
  switch (format) {
    case Format::kJson:
      return make_json_renderer();
    case Format::kKlog:
      return make_klog_renderer();
    case Format::kRfc5424:
      return make_rfc5424_renderer(sd_id);
    case Format::kEcs:
      return make_ecs_renderer();
    case Format::kText:
      break;
  }
  return make_text_renderer();
}

}  // namespace netlog

auto fmt::formatter<netlog::Address>::format(const netlog::Address& a,
                                             format_context& ctx) const
    -> decltype(ctx.out()) {
  fmt::memory_buffer buf;
  netlog::Line(buf, netlog::Line::kAddressRoom) << a;
  return fmt::formatter<std::string_view>::format(
      std::string_view(buf.data(), buf.size()), ctx);
}
