// The reader as a systemd service (Type=notify, WatchdogSec=): READY once
// the device is open, STATUS with what it has written and lost, and
// watchdog pings while it drains, so that a reader stopped or stuck in a
// write is restarted (notify.cc). Without $NOTIFY_SOCKET, nothing is sent.
#pragma once

#include <cstdint>
#include <string>

namespace netlog {

struct Counts;  // printer.h

class Notifier {
 public:
  Notifier();

  void ready(const std::string& device, const Counts& c);
  // How long a wait for records may last before the next ping, in ms
  // (-1: no watchdog, wait as long as it takes).
  int wait_ms() const { return wait_ms_; }
  // After a batch or a wait, at `now` (monotonic ns): the watchdog's ping,
  // and STATUS, each when it is due.
  void tick(const Counts& c, uint64_t now);
  static uint64_t now();

 private:
  void status(const Counts& c, const char* head, uint64_t now);

  bool enabled_ = false;
  int wait_ms_ = -1;
  uint64_t ping_ns_ = 0;  // half the watchdog's period
  uint64_t next_ping_ = 0, next_status_ = 0;
};

}  // namespace netlog
