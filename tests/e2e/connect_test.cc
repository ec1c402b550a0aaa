// TCP connect records: every field, every family, every outcome.
#include "e2e.h"

namespace e2e {
namespace {

// ---- connect ------------------------------------------------------------

TEST_F(E2E, ConnectIpv4EveryField) {
  Listener l(AF_INET, "127.0.0.1");
  auto o = connect_from_thread(AF_INET, "127.0.0.1", l.port, "nl-v4");
  ASSERT_EQ(o.result, 0);
  ASSERT_NE(o.tid, getpid());
  Expect e;
  e.laddr = e.raddr = "127.0.0.1";
  e.lport = o.local.port;
  e.rport = l.port;
  e.tid = o.tid;
  e.comm = "nl-v4";
  e.result = kInProgress;
  expect_connect_and_done(e, 0);
}

TEST_F(E2E, ConnectAsUnprivilegedUser) {
  Listener l(AF_INET, "127.0.0.1");
  const auto [child, lport] = in_child([&]() -> int64_t {
    drop_to_user();
    prctl(PR_SET_NAME, "nl-user");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", l.port, &len);
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -1;
    return local_of(fd).port;
  });
  ASSERT_GT(lport, 0);
  Expect e;
  e.laddr = e.raddr = "127.0.0.1";
  e.lport = lport;
  e.rport = l.port;
  e.pid = e.tid = child;
  e.ppid = getpid();
  e.uid = e.gid = kUser;
  e.user = "user";
  e.comm = "nl-user";
  e.result = kInProgress;
  expect_connect_and_done(e, 0, child);
}

TEST_F(E2E, ConnectRefused) {
  uint16_t port = closed_port(AF_INET, "127.0.0.1");
  auto o = connect_from_thread(AF_INET, "127.0.0.1", port, "nl-refused");
  ASSERT_EQ(o.result, -ECONNREFUSED);
  Expect e;
  // Both records are made before tcp_disconnect() resets the source
  // address, which the caller then no longer sees.
  e.laddr = e.raddr = "127.0.0.1";
  e.rport = port;
  e.result = kInProgress;
  e.tid = o.tid;
  e.comm = "nl-refused";
  expect_connect_and_done(e, -ECONNREFUSED);
  auto r = read_all();  // drained: the records are gone
  EXPECT_EQ(r.recs.size(), 0u);
}

TEST_F(E2E, ConnectRefusedSourcePortIsTheAttempts) {
  uint16_t port = closed_port(AF_INET, "127.0.0.1");
  ASSERT_EQ(connect_from_thread(AF_INET, "127.0.0.1", port, "nl-ref2").result,
            -ECONNREFUSED);
  auto recs = read_all().recs;
  std::vector<int64_t> lports;
  for (const auto& r : recs)
    if (num(r, "pid") == getpid() && str(r, "event").starts_with("connect"))
      lports.push_back(num(r, "lport"));
  ASSERT_EQ(lports.size(), 2u);
  EXPECT_GT(lports[0], 0);
  EXPECT_NE(lports[0], port);
  EXPECT_EQ(lports[0], lports[1]);
}

TEST_F(E2E, ConnectNonblockingInProgress) {
  Listener l(AF_INET, "127.0.0.1");
  auto o =
      connect_from_thread(AF_INET, "127.0.0.1", l.port, "nl-nonblock", true);
  ASSERT_EQ(o.result, -EINPROGRESS);
  Expect e;
  e.laddr = e.raddr = "127.0.0.1";
  e.lport = o.local.port;
  e.rport = l.port;
  e.result = kInProgress;
  e.tid = o.tid;
  e.comm = "nl-nonblock";
  expect_connect_and_done(e, 0);
}

TEST_F(E2E, ConnectIpv6Loopback) {
  Listener l(AF_INET6, "::1");
  auto o = connect_from_thread(AF_INET6, "::1", l.port, "nl-v6");
  ASSERT_EQ(o.result, 0);
  Expect e;
  e.family = "ipv6";
  e.laddr = e.raddr = "::1";
  e.lport = o.local.port;
  e.rport = l.port;
  e.tid = o.tid;
  e.comm = "nl-v6";
  e.result = kInProgress;
  expect_connect_and_done(e, 0);
}

TEST_F(E2E, ConnectIpv4MappedIsReportedAsIpv4) {
  Listener l(AF_INET, "127.0.0.1");
  auto o =
      connect_from_thread(AF_INET6, "::ffff:127.0.0.1", l.port, "nl-mapped");
  ASSERT_EQ(o.result, 0);
  ASSERT_EQ(o.local.addr, "::ffff:127.0.0.1");
  Expect e;
  e.laddr = e.raddr = "127.0.0.1";
  e.lport = o.local.port;
  e.rport = l.port;
  e.tid = o.tid;
  e.comm = "nl-mapped";
  e.result = kInProgress;
  expect_connect_and_done(e, 0);
}

TEST_F(E2E, ControllingTtyIsRecorded) {
  Listener l(AF_INET, "127.0.0.1");
  int master = -1;
  char name[64] = "";
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  // forkpty(): the child is a session leader with the pty as its tty.
  pid_t child = forkpty(&master, name, nullptr, nullptr);
  ASSERT_GE(child, 0);
  if (child == 0) {
    prctl(PR_SET_NAME, "nl-tty");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", l.port, &len);
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len)) _exit(1);
    uint16_t lport = local_of(fd).port;
    _exit(write(pipefd[1], &lport, sizeof(lport)) == sizeof(lport) ? 0 : 2);
  }
  ASSERT_EQ(wait_exit(child), 0);
  uint16_t lport = 0;
  ASSERT_EQ(read(pipefd[0], &lport, sizeof(lport)), ssize_t(sizeof(lport)));
  close(pipefd[0]);
  close(pipefd[1]);
  close(master);
  std::string dev = name;  // /dev/pts/N; the kernel names it ptsN
  ASSERT_EQ(dev.rfind("/dev/pts/", 0), 0u) << dev;
  Expect e;
  e.laddr = e.raddr = "127.0.0.1";
  e.lport = lport;
  e.rport = l.port;
  e.pid = e.tid = e.sid = child;
  e.ppid = getpid();
  e.tty = "pts" + dev.substr(9);
  e.comm = "nl-tty";
  e.result = kInProgress;
  expect_record(only_connect(child), e);
}

}  // namespace
}  // namespace e2e
