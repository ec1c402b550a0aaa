// A library that uid 1000 preloads (LD_PRELOAD) into a program a whitelist
// rule names, to run its own code under that rule: at load it connects to
// 127.0.0.1:$NL_PRELOAD_PORT, before the program's main runs.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

namespace {

__attribute__((constructor)) void connect_at_load() {
  const char* port = std::getenv("NL_PRELOAD_PORT");
  if (!port) return;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(std::atoi(port)));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) _exit(3);
  close(fd);
}

}  // namespace
