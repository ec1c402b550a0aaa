// netlog-reader's main loop: drains the device, or replays a capture,
// through a Printer (drain.cc).
#pragma once

#include <cstdio>

#include "options.h"
#include "render.h"

namespace netlog {

// The device is not there because secure_log is not loaded: exit status
// kExitNoDevice, which the service does not restart on (the device's
// appearance starts it again).
class NoDevice : public Fatal {
 public:
  using Fatal::Fatal;
};
inline constexpr int kExitNoDevice = 3;

// Runs the reader; returns the exit code. Throws Fatal on runtime errors,
// NoDevice among them.
int run(const Options& opts, Context& ctx, std::FILE* out, std::FILE* err);

// Makes SIGINT and SIGTERM end the follow loop cleanly.
void install_signal_handlers();

}  // namespace netlog
