// Which container a task ran in, from its cgroup v2 path (container.cc).
#pragma once

#include <string_view>

namespace netlog {

// The 64-hex-digit id of the innermost container in `cgroup`, as the
// runtimes name their cgroups: docker-ID.scope, cri-containerd-ID.scope,
// crio-ID.scope, libpod-ID.scope (systemd's driver), or a directory named
// ID alone (docker's and kubepods' cgroupfs driver). Empty when none, and
// under a user's delegated subtree (.../user@UID.service/...), where the
// user names the cgroups: a rootless container's id is its user's claim,
// never printed as a container's (its path still is, as cgroup).
std::string_view container_id(std::string_view cgroup);

}  // namespace netlog
