#include <ctime>
#include <string>
#include <vector>

#include "search.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto opts = netlog::parse_search_args(args, std::time(nullptr));
  if (!opts) {
    fmt::print(stderr,
               "netlog-search: {}\nTry 'netlog-search --help' for more.\n",
               opts.error().message);
    return netlog::kSearchUsage;
  }
  auto ctx = netlog::Context::system();
  return netlog::run_search(*opts, ctx, stdout, stderr);
}
