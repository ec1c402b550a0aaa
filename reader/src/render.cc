#include "render.h"

#include <arpa/inet.h>
#include <pwd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <climits>
#include <vector>

#include "uapi/netlog.h"

namespace netlog {

Context::Context(std::string host, UserLookup lookup)
    : host_(std::move(host)), lookup_(std::move(lookup)) {}

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
  auto it = users_.find(uid);
  if (it == users_.end()) {
    std::string name = lookup_ ? lookup_(uid) : std::string{};
    if (name.empty()) name = fmt::format("{}", uid);
    it = users_.emplace(uid, std::move(name)).first;
  }
  return it->second;
}

std::string rfc3339(uint64_t real_ns) {
  const time_t secs = static_cast<time_t>(real_ns / 1000000000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, real_ns % 1000000000);
}

const char* proto_name(uint8_t proto) {
  switch (proto) {
    case 6:
      return "tcp";
    case 17:
      return "udp";
  }
  return "unknown";
}

const char* family_name(uint8_t family) {
  return family == 6 ? "ipv6" : "ipv4";
}

std::string truncated_names(uint32_t flags) {
  static constexpr std::pair<uint32_t, const char*> kNames[] = {
      {NETLOG_F_TRUNC_COMM, "comm"},
      {NETLOG_F_TRUNC_TTY, "tty"},
      {NETLOG_F_TRUNC_EXE, "exe"},
      {NETLOG_F_TRUNC_CGROUP, "cgroup"},
  };
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if (!(flags & bit)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

std::unique_ptr<Renderer> make_renderer(Format format) {
  switch (format) {
    case Format::kJson:
      return make_json_renderer();
    case Format::kKlog:
      return make_klog_renderer();
    case Format::kText:
      break;
  }
  return make_text_renderer();
}

}  // namespace netlog

auto fmt::formatter<netlog::Address>::format(const netlog::Address& a,
                                             format_context& ctx) const
    -> decltype(ctx.out()) {
  char buf[INET6_ADDRSTRLEN] = "";
  inet_ntop(a.family == 6 ? AF_INET6 : AF_INET, a.bytes.data(), buf,
            sizeof(buf));
  return fmt::formatter<std::string_view>::format(buf, ctx);
}
