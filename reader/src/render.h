// Renderers: one value model (Record), one line of output per record.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "escape.h"
#include "record.h"
#include "result.h"

namespace netlog {

// Enrichment that the kernel does not send: host name and user names.
class Context {
 public:
  using UserLookup = std::function<std::string(uint32_t)>;
  Context(std::string host, UserLookup lookup);
  // The system's: gethostname() and the passwd database.
  static Context system();

  const std::string& host() const { return host_; }
  // The host name escaped and quoted for the text or JSON format
  // (quote_text(), quote_json(): what Line::quoted() writes), done once,
  // not per line.
  std::string_view quoted_host(Quote q) const {
    return q == Quote::kJson ? host_json_ : host_text_;
  }
  // The user's name, or the decimal uid when there is none.
  const std::string& user(uint32_t uid);

 private:
  std::string host_, host_text_, host_json_;
  UserLookup lookup_;
  std::unordered_map<uint32_t, std::string> users_;
  // The last one looked up: a trail is mostly one user after another.
  const std::pair<const uint32_t, std::string>* last_ = nullptr;
};

class Renderer {
 public:
  virtual ~Renderer() = default;
  // Appends one line, newline included.
  virtual void render(const Record& rec, Context& ctx,
                      fmt::memory_buffer& out) = 0;
};

enum class Format { kText, kJson, kKlog, kRfc5424, kEcs };
// A format by its name on the command line ("text", "json", "klog",
// "rfc5424", "ecs"); an error names the choices.
Result<Format> parse_format(std::string_view name);

std::unique_ptr<Renderer> make_text_renderer();
std::unique_ptr<Renderer> make_json_renderer();
std::unique_ptr<Renderer> make_klog_renderer();
// RFC 5424's SD-ID for the structured data: NAME@ENTERPRISE_NUMBER. The
// default's number, 32473, is RFC 5612's for documentation: a site with a
// private enterprise number of its own gives it (--sd-id).
inline constexpr std::string_view kDefaultSdId = "netlog@32473";
// Whether `id` is an SD-ID of that form: 1 to 32 printable ASCII bytes
// without '=', ' ', ']' or '"', a name, '@', and a number with dotted
// sub-identifiers.
bool valid_sd_id(std::string_view id);

std::unique_ptr<Renderer> make_rfc5424_renderer(std::string_view sd_id);
std::unique_ptr<Renderer> make_ecs_renderer();
std::unique_ptr<Renderer> make_renderer(Format format,
                                        std::string_view sd_id = kDefaultSdId);

// Shared by the renderers.
std::string rfc3339(uint64_t real_ns);
// When the process of `t` started, on the real clock: the record's real
// time less its boot time, plus the start (Task::start_ns, which is set).
inline uint64_t start_real_ns(const Header& hdr, const Task& t) {
  return hdr.real_ns - hdr.boot_ns + t.start_ns;
}
// The login user's name; empty when unset or the record has none.
std::string_view auid_user(Context& ctx, const Task& t);
// L2TP over IP (linux/in.h; netinet/in.h has no name for it).
inline constexpr uint8_t kIpprotoL2tp = 115;
// The names of docs/format.md: tcp, mptcp, udp, udplite, icmp, icmpv6, sctp,
// raw, l2tp, dccp, smc, rxrpc.
[[gnu::pure]] std::string_view proto_name(const SockEvent& ev);
[[gnu::pure]] std::string_view family_name(uint8_t family);
// A close's LIFE: the TCP state, as the kernel names it without TCP_ and
// in lower case ("established", "close_wait"), or the number; how it ended
// (enum netlog_end: fin, rst_sent, rst_received, timeout, abort, unknown).
std::string tcp_state_name(uint8_t state);
[[gnu::pure]] std::string_view end_name(uint8_t end);

// An unaudited socket's address family and type: the kernel's names
// without AF_/SOCK_, lower case ("smc", "stream"), or the number.
std::string sock_family_name(uint16_t family);
std::string sock_type_name(uint16_t type);
// Whose records a LOST record dropped: "1000:5,0:2" (uid:count, most first),
// empty when it names nobody (minor 0).
std::string lost_uids(const LostEvent& lost);
// Names of the truncated strings, comma separated; empty when none.
std::string truncated_names(uint32_t flags);
// The flags of the strings that were cut.
inline constexpr uint32_t kTruncFlags =
    NETLOG_F_TRUNC_COMM | NETLOG_F_TRUNC_TTY | NETLOG_F_TRUNC_EXE |
    NETLOG_F_TRUNC_CGROUP | NETLOG_F_TRUNC_FILENAME | NETLOG_F_TRUNC_CWD |
    NETLOG_F_TRUNC_ARGV | NETLOG_F_TRUNC_EXE_LOADED | NETLOG_F_TRUNC_ENV;
// The flags that the text and JSON formats print after the attribution:
// almost every record has none of them.
inline constexpr uint32_t kWhoFlags = NETLOG_F_EXE_NS | NETLOG_F_EXE_SET |
                                      NETLOG_F_PRELOAD | NETLOG_F_ARGC_PARTIAL |
                                      NETLOG_F_REFUSED | NETLOG_F_UNFOLLOWED |
                                      kTruncFlags;

}  // namespace netlog

template <>
struct fmt::formatter<netlog::Address> : fmt::formatter<std::string_view> {
  auto format(const netlog::Address& a, format_context& ctx) const
      -> decltype(ctx.out());
};
