// The e2e binary's main: the tests, or, as `netlog-e2e --connect-per-line
// PORT`, a helper that tests run (from a copy they rename, as another
// program after exec) to make one process act again and again: for each
// line on stdin it connects to 127.0.0.1:PORT and answers "ok" on stdout;
// the line "exec" makes it exec `busybox nc 127.0.0.1 PORT` instead. As
// `netlog-e2e --send-on-fd FD PORT` it sends one datagram on an inherited
// socket; as `netlog-e2e --connect PORT` it connects once (exit 0 if it
// could).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

bool connect_once(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
  close(fd);
  return ok;
}

int connect_per_line(const char* port_arg) {
  const auto port = static_cast<uint16_t>(std::atoi(port_arg));
  char line[64];
  while (std::fgets(line, sizeof(line), stdin)) {
    if (std::strcmp(line, "exec\n") == 0) {
      execl("/bin/busybox", "nc", "127.0.0.1", port_arg, nullptr);
      return 127;
    }
    std::printf("%s\n", connect_once(port) ? "ok" : "failed");
    std::fflush(stdout);
  }
  return 0;
}

// One datagram on the inherited socket `fd_arg` to 127.0.0.1:PORT.
int send_on_fd(const char* fd_arg, const char* port_arg) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(std::atoi(port_arg)));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sendto(std::atoi(fd_arg), "x", 1, 0, reinterpret_cast<sockaddr*>(&sa),
                sizeof(sa)) == 1
             ? 0
             : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--connect-per-line")
    return connect_per_line(argv[2]);
  if (argc == 4 && std::string(argv[1]) == "--send-on-fd")
    return send_on_fd(argv[2], argv[3]);
  if (argc == 3 && std::string(argv[1]) == "--connect")
    return connect_once(static_cast<uint16_t>(std::atoi(argv[2]))) ? 0 : 1;
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
