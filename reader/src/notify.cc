#include "notify.h"

#include <fmt/format.h>
#if NETLOG_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif
#include <time.h>

#include <algorithm>
#include <cstdlib>

#include "printer.h"

namespace netlog {
namespace {

constexpr uint64_t kStatusNs = 1'000'000'000;  // STATUS at most each second

#if !NETLOG_HAVE_SYSTEMD
// Never called: without libsystemd the notifier is never enabled.
int sd_notify(int, const char*) { return 0; }
#endif

}  // namespace

uint64_t Notifier::now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000 + uint64_t(ts.tv_nsec);
}

#if NETLOG_HAVE_SYSTEMD
Notifier::Notifier() : enabled_(std::getenv("NOTIFY_SOCKET") != nullptr) {
  uint64_t usec = 0;
  if (enabled_ && sd_watchdog_enabled(0, &usec) > 0 && usec) {
    ping_ns_ = usec * 1000 / 2;
    wait_ms_ = int(std::max<uint64_t>(usec / 2000, 1));
  }
}
#else
// Built without libsystemd: no service manager to tell anything.
Notifier::Notifier() = default;
#endif

void Notifier::ready(const std::string& device, const Counts& c) {
  if (!enabled_) return;
  status(c, fmt::format("READY=1\nSTATUS=reading {}, ", device).c_str(), now());
}

void Notifier::tick(const Counts& c, uint64_t now) {
  if (!enabled_) return;
  if (ping_ns_ && now >= next_ping_) {
    sd_notify(0, "WATCHDOG=1");
    next_ping_ = now + ping_ns_;
  }
  if (now >= next_status_) status(c, "STATUS=", now);
}

void Notifier::status(const Counts& c, const char* head, uint64_t now) {
  sd_notify(0, fmt::format("{}{} records written (last seq {}), {} lost", head,
                           c.written, c.last_seq, c.lost)
                   .c_str());
  next_status_ = now + kStatusNs;
}

}  // namespace netlog
