#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "drain.h"
#include "options.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto opts = netlog::parse_args(args);
  if (!opts) {
    fmt::print(stderr,
               "netlog-reader: {}\nTry 'netlog-reader --help' for more.\n",
               opts.error().message);
    return 2;
  }
  try {
    netlog::install_signal_handlers();
    auto ctx = netlog::Context::system();
    return netlog::run(*opts, ctx, stdout, stderr);
  } catch (const netlog::Fatal& e) {
    std::fflush(stdout);
    fmt::print(stderr, "netlog-reader: {}\n", e.what());
    return dynamic_cast<const netlog::NoDevice*>(&e) ? netlog::kExitNoDevice
                                                     : 1;
  }
}
