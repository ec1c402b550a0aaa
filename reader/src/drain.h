// netlog-reader's main loop: drains the device, or replays a capture,
// through a Printer (drain.cc).
#pragma once

#include <cstdio>

#include "options.h"
#include "render.h"

namespace netlog {

// Runs the reader; returns the exit code. Throws Fatal on runtime errors.
int run(const Options& opts, Context& ctx, std::FILE* out, std::FILE* err);

// Makes SIGINT and SIGTERM end the follow loop cleanly.
void install_signal_handlers();

}  // namespace netlog
