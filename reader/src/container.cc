#include "container.h"

#include <algorithm>

namespace netlog {
namespace {

constexpr size_t kIdLen = 64;

bool is_id(std::string_view s) {
  return s.size() == kIdLen && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// A directory systemd delegates to a user: user@UID.service.
bool delegated_to_user(std::string_view dir) {
  return dir.starts_with("user@") && dir.ends_with(".service");
}

// The id a runtime put in one directory's name, or empty.
std::string_view id_in(std::string_view dir) {
  constexpr std::string_view kPrefixes[] = {"docker-", "cri-containerd-",
                                            "crio-", "libpod-"};
  if (dir.ends_with(".scope")) {
    dir.remove_suffix(6);
    for (auto prefix : kPrefixes)
      if (dir.starts_with(prefix)) {
        dir.remove_prefix(prefix.size());
        return is_id(dir) ? dir : std::string_view();
      }
    return {};
  }
  return is_id(dir) ? dir : std::string_view();
}

}  // namespace

std::string_view container_id(std::string_view cgroup) {
  std::string_view found;
  while (!cgroup.empty()) {
    const size_t slash = cgroup.find('/');
    const std::string_view dir = cgroup.substr(0, slash);
    if (delegated_to_user(dir)) return {};
    if (auto id = id_in(dir); !id.empty()) found = id;
    cgroup.remove_prefix(slash == cgroup.npos ? cgroup.size() : slash + 1);
  }
  return found;
}

}  // namespace netlog
