// Every protocol of AF_INET/AF_INET6 a task can open, and the later outcome
// of TCP connects (connect_done), read back from the kernel.
#include <netinet/tcp.h>
#include <poll.h>

#include "e2e.h"
// After netinet/in.h (e2e.h), whose definitions they then leave alone.
#include <linux/l2tp.h>
#include <linux/rxrpc.h>

#include <tuple>

namespace e2e {
namespace {

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
constexpr int kIpprotoL2tp = 115;  // linux/in.h; glibc has no name for it

// A listener of `proto` on 127.0.0.1 (IPPROTO_TCP or IPPROTO_MPTCP).
struct ProtoListener {
  int fd = -1;
  uint16_t port = 0;
  ProtoListener(int proto, int backlog = 128) {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, proto);
    EXPECT_GE(fd, 0) << strerror(errno);
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", 0, &len);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&ss), len), 0);
    EXPECT_EQ(listen(fd, backlog), 0);
    port = local_of(fd).port;
  }
  ~ProtoListener() { close(fd); }
};

// In a child as uid 1000 named `comm`: `fn` returns the local port it used
// (or < 0 on failure). Returns the child's pid and that port.
ChildResult as_user(const std::string& comm,
                    const std::function<int64_t()>& fn) {
  return in_child([&]() -> int64_t {
    drop_to_user();
    prctl(PR_SET_NAME, comm.c_str());
    return fn();
  });
}

Expect user_expect(pid_t child, const std::string& comm) {
  Expect e;
  e.pid = e.tid = child;
  e.ppid = getpid();
  e.uid = e.gid = kUser;
  e.user = "user";
  e.comm = comm;
  return e;
}

// This process's listen on 127.0.0.1:`port` and its accept, by thread
// `tid` named `comm`, of a connection from 127.0.0.1:`peer`.
void expect_listen_and_accept(const std::vector<Rec>& recs,
                              const std::string& proto, uint16_t port,
                              int64_t peer, pid_t tid,
                              const std::string& comm) {
  Expect e;
  e.proto = proto;
  e.event = "listen";
  e.laddr = "127.0.0.1";
  e.lport = port;
  e.raddr = "0.0.0.0";
  e.rport = 0;
  e.tid = getpid();
  e.comm = "netlog-e2e";
  expect_record(one(recs, getpid(), "listen", proto), e);
  e.event = "accept";
  e.raddr = "127.0.0.1";
  e.rport = peer;
  e.tid = tid;
  e.comm = comm;
  expect_record(one(recs, getpid(), "accept", proto, port), e);
}

// The pending error of a non-blocking connect, once it has one (or -1).
int wait_connect(int fd, int timeout_ms) {
  pollfd p{fd, POLLOUT, 0};
  if (poll(&p, 1, timeout_ms) != 1) return -1;
  int err = 0;
  socklen_t len = sizeof(err);
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  return err;
}

// ---- MPTCP ----------------------------------------------------------------

TEST_F(E2E, MptcpConnectToATcpServerAsUser) {
  ProtoListener l(IPPROTO_TCP);
  const auto [child, lport] = as_user("nl-mptcp", [&]() -> int64_t {
    int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
    if (fd < 0) return -2;
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", l.port, &len);
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -1;
    const int64_t lp = local_of(fd).port;
    close(fd);
    return lp;
  });
  ASSERT_GT(lport, 0);
  Expect e = user_expect(child, "nl-mptcp");
  e.proto = "mptcp";
  e.laddr = e.raddr = "127.0.0.1";
  e.lport = lport;
  e.rport = l.port;
  e.result = kInProgress;
  auto recs = read_all().recs;
  expect_record(one(recs, child, "connect", "mptcp"), e);
  expect_record(one(recs, child, "connect_done", "mptcp"), done_of(e, 0));
  e.event = "close";
  e.result = 0;
  e.established = 1;
  expect_record(one(recs, child, "close", "mptcp"), e);
  // The kernel's subflow is not a second connection of the user.
  EXPECT_EQ(find(recs, child, "connect", "tcp").size(), 0u);
  EXPECT_EQ(find(recs, child, "close", "tcp").size(), 0u);
}

TEST_F(E2E, MptcpAcceptIsRecorded) {
  ProtoListener l(IPPROTO_MPTCP);
  const auto [child, lport] = as_user("nl-mptcp-c", [&]() -> int64_t {
    int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", l.port, &len);
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -1;
    return local_of(fd).port;
  });
  ASSERT_GT(lport, 0);
  const pid_t tid = in_thread("nl-mptcp-acc", [&] {
    int fd = accept(l.fd, nullptr, nullptr);
    EXPECT_GE(fd, 0);
    close(fd);
  });
  auto recs = read_all().recs;
  Expect e;
  e.event = "accept";
  e.proto = "mptcp";
  e.laddr = e.raddr = "127.0.0.1";
  e.lport = l.port;
  e.rport = lport;
  e.tid = tid;
  e.comm = "nl-mptcp-acc";
  expect_record(one(recs, getpid(), "accept", "mptcp"), e);
  EXPECT_EQ(find(recs, getpid(), "accept", "tcp").size(), 0u);
}

// ---- ping, UDP-Lite, raw --------------------------------------------------

class Ping : public E2E, public ::testing::WithParamInterface<int> {};

TEST_P(Ping, PingSocketAsUser) {
  const int fam = GetParam();
  ASSERT_TRUE(
      write_file("/proc/sys/net/ipv4/ping_group_range", "0 2147483647"));
  const auto [child, ident] = as_user("nl-ping", [&]() -> int64_t {
    int fd = socket(fam, SOCK_DGRAM,
                    fam == AF_INET ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6});
    if (fd < 0) return -2;
    socklen_t len;
    auto ss = make_addr(fam, loopback(fam), 0, &len);
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -1;
    const int64_t id = local_of(fd).port;
    close(fd);
    return id;
  });
  ASSERT_TRUE(write_file("/proc/sys/net/ipv4/ping_group_range", "1 0"));
  ASSERT_GT(ident, 0);
  const std::string proto = fam == AF_INET ? "icmp" : "icmpv6";
  Expect e = user_expect(child, "nl-ping");
  e.proto = proto;
  e.family = family_name(fam);
  e.laddr = e.raddr = loopback(fam);
  e.lport = ident;
  e.rport = 0;
  auto recs = read_all().recs;
  expect_record(one(recs, child, "connect", proto), e);
  e.event = "close";
  e.established = 0;
  expect_record(one(recs, child, "close", proto), e);
}

INSTANTIATE_TEST_SUITE_P(Families, Ping, ::testing::Values(AF_INET, AF_INET6));

TEST_F(E2E, UdpLiteBindAndConnectAsUser) {
  const auto [child, port] = as_user("nl-udplite", [&]() -> int64_t {
    int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
    if (fd < 0) return -2;
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", 0, &len);
    if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -1;
    ss = make_addr(AF_INET, "127.0.0.1", 9, &len);
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -1;
    return local_of(fd).port;
  });
  ASSERT_GT(port, 0);
  Expect e = user_expect(child, "nl-udplite");
  e.proto = "udplite";
  e.event = "bind";
  e.laddr = "127.0.0.1";
  e.raddr = "0.0.0.0";
  e.lport = port;
  e.rport = 0;
  auto recs = read_all().recs;
  expect_record(one(recs, child, "bind", "udplite"), e);
  e.event = "connect";
  e.raddr = "127.0.0.1";
  e.rport = 9;
  expect_record(one(recs, child, "connect", "udplite"), e);
}

TEST_F(E2E, RawSocketCarriesItsProtocol) {
  for (int fam : {AF_INET, AF_INET6}) {
    SCOPED_TRACE(fam);
    const int proto = fam == AF_INET ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6};
    uint16_t lport = 0;
    const pid_t tid = in_thread("nl-raw", [&] {
      int fd = socket(fam, SOCK_RAW, proto);
      ASSERT_GE(fd, 0);
      socklen_t len;
      auto ss = make_addr(fam, loopback(fam), 0, &len);
      ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&ss), len), 0);
      lport = local_of(fd).port;
      close(fd);
    });
    auto recs = read_all().recs;
    auto r = one(recs, getpid(), "connect", "raw");
    Expect e;
    e.proto = "raw";
    e.family = family_name(fam);
    e.laddr = e.raddr = loopback(fam);
    e.lport = lport;
    e.rport = 0;
    e.tid = tid;
    e.comm = "nl-raw";
    expect_record(r, e);
    EXPECT_EQ(num(r, "ipproto"), proto);
    EXPECT_EQ(num(one(recs, getpid(), "close", "raw"), "ipproto"), proto);
  }
}

// ---- connect_done: the outcome of a handshake ---------------------------

// A non-blocking connect whose outcome comes after the call: refused.
TEST_F(E2E, NonblockingConnectRefusedAsUser) {
  const uint16_t port = closed_port(AF_INET, "127.0.0.1");
  const auto [child, lport] = as_user("nl-nb-ref", [&]() -> int64_t {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", port, &len);
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 ||
        errno != EINPROGRESS)
      return -1;
    const int64_t lp = local_of(fd).port;
    return wait_connect(fd, 5000) == ECONNREFUSED ? lp : -2;
  });
  ASSERT_GT(lport, 0);
  Expect e = user_expect(child, "nl-nb-ref");
  e.laddr = e.raddr = "127.0.0.1";
  e.lport = lport;
  e.rport = port;
  e.result = kInProgress;
  expect_connect_and_done(e, -ECONNREFUSED, child);
}

// A connect_done says everything its connect said, but the outcome, and
// names it: blocking or not, IPv4 or IPv6, established or refused.
TEST_F(E2E, ConnectDoneCarriesItsConnectsWholeAttributionAsUser) {
  for (const int family : {AF_INET, AF_INET6}) {
    const std::string addr = family == AF_INET ? "127.0.0.1" : "::1";
    for (const bool nonblocking : {false, true}) {
      for (const bool refused : {false, true}) {
        SCOPED_TRACE(fmt::format("{} {} {}", addr,
                                 nonblocking ? "non-blocking" : "blocking",
                                 refused ? "refused" : "established"));
        Listener l(family, addr);
        const uint16_t port = refused ? closed_port(family, addr) : l.port;
        read_all();
        const auto [child, lport] = as_user("nl-done", [&]() -> int64_t {
          const int fd = socket(
              family, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
          socklen_t len;
          auto ss = make_addr(family, addr, port, &len);
          const int r = connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
          const int err = r ? errno : 0;
          const int64_t lp = local_of(fd).port;
          const int want = refused ? ECONNREFUSED : 0;
          if (nonblocking)
            return err == EINPROGRESS && wait_connect(fd, 5000) == want ? lp
                                                                        : -1;
          return err == want ? lp : -2;
        });
        ASSERT_GT(lport, 0);
        std::vector<Rec> mine;
        for (auto& r : read_all().recs)
          if (num(r, "pid") == child && (str(r, "event") == "connect" ||
                                         str(r, "event") == "connect_done"))
            mine.push_back(r);
        ASSERT_EQ(mine.size(), 2u);
        const Rec& connect = mine[0];
        const Rec& done = mine[1];
        EXPECT_EQ(str(connect, "event"), "connect");
        EXPECT_EQ(str(done, "event"), "connect_done");
        EXPECT_EQ(num(done, "result"), refused ? -ECONNREFUSED : 0);
        EXPECT_EQ(num(done, "connect_seq"), num(connect, "seq"));
        EXPECT_EQ(num(connect, "lport"), lport);
        // Every other key, with its value, and no more.
        for (const auto& [key, value] : connect)
          if (key != "seq" && key != "time" && key != "event" &&
              key != "result") {
            ASSERT_EQ(done.count(key), 1u) << key;
            EXPECT_EQ(done.at(key), value) << key;
          }
        EXPECT_EQ(done.size(), connect.size() + 1);  // connect_seq
        EXPECT_FALSE(str(done, "exe").empty());
        EXPECT_FALSE(str(done, "cgroup").empty());
      }
    }
  }
}

// A SYN that is never answered: the listener's accept queue is full, so
// its SYNs are dropped; one retry (TCP_SYNCNT) ends it in about 3 s.
TEST_F(E2E, ConnectTimedOutAsUser) {
  ProtoListener l(IPPROTO_TCP, 0);
  int first = socket(AF_INET, SOCK_STREAM, 0);
  socklen_t len;
  auto ss = make_addr(AF_INET, "127.0.0.1", l.port, &len);
  ASSERT_EQ(connect(first, reinterpret_cast<sockaddr*>(&ss), len), 0);
  read_all();
  const auto [child, lport] = as_user("nl-timeout", [&]() -> int64_t {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &one, sizeof(one));
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 ||
        errno != EINPROGRESS)
      return -1;
    const int64_t lp = local_of(fd).port;
    const int err = wait_connect(fd, 20000);
    return err == ETIMEDOUT ? lp : -1000 - err;
  });
  close(first);
  ASSERT_GT(lport, 0);
  Expect e = user_expect(child, "nl-timeout");
  e.laddr = e.raddr = "127.0.0.1";
  e.lport = lport;
  e.rport = l.port;
  e.result = kInProgress;
  expect_connect_and_done(e, -ETIMEDOUT, child);
}

// TCP Fast Open: sendto(MSG_FASTOPEN) connects, and TCP_FASTOPEN_CONNECT
// defers the SYN from connect() to the first write.
TEST_F(E2E, FastOpenConnectsAreRecorded) {
  for (bool sockopt : {false, true}) {
    SCOPED_TRACE(sockopt ? "TCP_FASTOPEN_CONNECT" : "MSG_FASTOPEN");
    ProtoListener l(IPPROTO_TCP);
    const auto [child, lport] = as_user("nl-tfo", [&]() -> int64_t {
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      socklen_t len;
      auto ss = make_addr(AF_INET, "127.0.0.1", l.port, &len);
      auto* sa = reinterpret_cast<sockaddr*>(&ss);
      if (sockopt) {
        int one = 1;
        if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one,
                       sizeof(one)) ||
            connect(fd, sa, len) || write(fd, "x", 1) != 1)
          return -1;
      } else if (sendto(fd, "x", 1, MSG_FASTOPEN, sa, len) != 1) {
        return -1;
      }
      return local_of(fd).port;
    });
    ASSERT_GT(lport, 0);
    Expect e = user_expect(child, "nl-tfo");
    e.laddr = e.raddr = "127.0.0.1";
    e.lport = lport;
    e.rport = l.port;
    e.result = kInProgress;
    expect_connect_and_done(e, 0, child);
  }
}

// ---- SCTP -----------------------------------------------------------------

bool have_sctp() {
  return have_protocol("sctp", AF_INET, SOCK_STREAM, IPPROTO_SCTP);
}

// An SCTP socket of `type` bound to 127.0.0.1 (port 0: any), or -errno.
int sctp_socket(int type, uint16_t port) {
  const int fd = socket(AF_INET, type | SOCK_CLOEXEC, IPPROTO_SCTP);
  if (fd < 0) return -errno;
  socklen_t len;
  auto ss = make_addr(AF_INET, "127.0.0.1", port, &len);
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -errno;
  return fd;
}

class Sctp : public E2E {
 protected:
  void SetUp() override {
    if (!have_sctp()) GTEST_SKIP() << "no SCTP in this kernel";
    E2E::SetUp();
  }
};

// One-to-one style: listen, connect as uid 1000, accept, close.
TEST_F(Sctp, ConnectListenAcceptAsUser) {
  const int l = sctp_socket(SOCK_STREAM, 0);
  ASSERT_GE(l, 0) << strerror(-l);
  ASSERT_EQ(listen(l, 16), 0);
  const uint16_t port = local_of(l).port;
  const auto [child, lport] = as_user("nl-sctp", [&]() -> int64_t {
    const int fd = sctp_socket(SOCK_STREAM, 0);
    if (fd < 0) return fd;
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", port, &len);
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -errno;
    const int64_t lp = local_of(fd).port;
    close(fd);
    return lp;
  });
  ASSERT_GT(lport, 0) << strerror(static_cast<int>(-lport));
  const pid_t tid = in_thread("nl-sctp-acc", [&] {
    const int fd = accept(l, nullptr, nullptr);
    EXPECT_GE(fd, 0);
    close(fd);
  });
  auto recs = read_all().recs;

  expect_listen_and_accept(recs, "sctp", port, lport, tid, "nl-sctp-acc");

  Expect u = user_expect(child, "nl-sctp");
  u.proto = "sctp";
  u.event = "bind";
  u.laddr = "127.0.0.1";
  u.lport = lport;
  u.raddr = "0.0.0.0";
  u.rport = 0;
  expect_record(one(recs, child, "bind", "sctp"), u);
  u.event = "connect";
  u.raddr = "127.0.0.1";
  u.rport = port;
  u.result = kInProgress;  // the INIT is sent; connect may then wait
  expect_record(one(recs, child, "connect", "sctp"), u);
  u.event = "close";
  u.result = 0;
  u.established = 1;
  expect_record(one(recs, child, "close", "sctp"), u);
  close(l);
}

// One-to-many style: a datagram to a new peer starts an association, and
// that is a connect, as uid 1000.
TEST_F(Sctp, SendToANewPeerIsAConnectAsUser) {
  const int l = sctp_socket(SOCK_SEQPACKET, 0);
  ASSERT_GE(l, 0) << strerror(-l);
  ASSERT_EQ(listen(l, 16), 0);
  const uint16_t port = local_of(l).port;
  const auto [child, lport] = as_user("nl-sctp-many", [&]() -> int64_t {
    const int fd = sctp_socket(SOCK_SEQPACKET, 0);
    if (fd < 0) return fd;
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", port, &len);
    if (sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr*>(&ss), len) != 1)
      return -errno;
    return local_of(fd).port;
  });
  ASSERT_GT(lport, 0) << strerror(static_cast<int>(-lport));
  Expect u = user_expect(child, "nl-sctp-many");
  u.proto = "sctp";
  u.laddr = u.raddr = "127.0.0.1";
  u.lport = lport;
  u.rport = port;
  u.result = kInProgress;
  expect_record(one(read_all().recs, child, "connect", "sctp"), u);
  close(l);
}

// connectx() gives an association several peer addresses, any of which
// SCTP may send to: a connect record each, as uid 1000.
TEST_F(Sctp, ConnectxRecordsEveryPeerAddressAsUser) {
  constexpr int kSolSctp = 132, kSctpSockoptConnectx = 110;  // linux/sctp.h
  const int l = sctp_socket(SOCK_STREAM, 0);
  ASSERT_GE(l, 0) << strerror(-l);
  ASSERT_EQ(listen(l, 16), 0);
  const uint16_t port = local_of(l).port;
  const char* const peers[] = {"127.0.0.1", "127.0.0.2", "127.0.0.3"};
  const auto [child, lport] = as_user("nl-sctp-x", [&]() -> int64_t {
    const int fd = sctp_socket(SOCK_STREAM, 0);
    if (fd < 0) return fd;
    sockaddr_in addrs[3];
    for (int i = 0; i < 3; i++) {
      socklen_t len;
      auto ss = make_addr(AF_INET, peers[i], port, &len);
      std::memcpy(&addrs[i], &ss, sizeof(addrs[i]));
    }
    if (setsockopt(fd, kSolSctp, kSctpSockoptConnectx, addrs, sizeof(addrs)) <
        0)
      return -errno;
    return local_of(fd).port;
  });
  ASSERT_GT(lport, 0) << strerror(static_cast<int>(-lport));
  const auto recs = find(read_all().recs, child, "connect", "sctp");
  ASSERT_EQ(recs.size(), 3u);
  Expect u = user_expect(child, "nl-sctp-x");
  u.proto = "sctp";
  u.laddr = "127.0.0.1";
  u.lport = lport;
  u.rport = port;
  u.result = kInProgress;
  for (int i = 0; i < 3; i++) {
    u.raddr = peers[i];
    expect_record(recs[i], u);
  }
  close(l);
}

// Binds SCTP socket `fd` to `a` (port 0: any) and adds `b` with the same
// port (sctp_bindx): the port, or -errno.
int64_t sctp_bind_two(int fd, const char* a, const char* b) {
  constexpr int kSolSctp = 132, kSctpSockoptBindxAdd = 100;  // linux/sctp.h
  socklen_t len;
  auto ss = make_addr(AF_INET, a, 0, &len);
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -errno;
  const uint16_t port = local_of(fd).port;
  ss = make_addr(AF_INET, b, port, &len);
  if (setsockopt(fd, kSolSctp, kSctpSockoptBindxAdd, &ss, len)) return -errno;
  return port;
}

// What a peer does to an association, and no task: it starts one on a
// one-to-many socket, which has no accept() call, and it offers every
// address it is bound to (in its INIT and INIT-ACK), to which SCTP may then
// send. Both as uid 1000, each side bound to two addresses: the server's
// accept of the client's association and its peer record for the client's
// other address, the client's peer record for the server's other address;
// no task's, flagged by_peer, each naming its socket's maker as owner.
// Each side's second address, which sctp_bindx() adds, is a bind too.
TEST_F(Sctp, WhatThePeerDoesIsRecordedForTheOwnerAsUser) {
  int ready[2], done[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(done), 0);
  const pid_t server = spawn([&] {
    drop_to_user();
    prctl(PR_SET_NAME, "nl-sctp-srv");
    const int fd = socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);
    const int64_t port = sctp_bind_two(fd, "127.0.0.1", "127.0.0.2");
    if (port <= 0 || listen(fd, 16)) return 1;
    char c;
    return write(ready[1], &port, sizeof(port)) == sizeof(port) &&
                   read(done[0], &c, 1) == 1
               ? 0
               : 2;
  });
  close(ready[1]);
  close(done[0]);
  int64_t port = 0;
  ASSERT_EQ(read(ready[0], &port, sizeof(port)), ssize_t(sizeof(port)));
  close(ready[0]);
  const auto [client, lport] = as_user("nl-sctp-mh", [&]() -> int64_t {
    const int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
    const int64_t me = sctp_bind_two(fd, "127.0.0.3", "127.0.0.4");
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", uint16_t(port), &len);
    if (me <= 0 || connect(fd, reinterpret_cast<sockaddr*>(&ss), len))
      return me <= 0 ? me : -errno;
    return me;  // established: the server took the association in first
  });
  ASSERT_GT(lport, 0) << strerror(static_cast<int>(-lport));
  ASSERT_EQ(write(done[1], "x", 1), 1);
  close(done[1]);
  ASSERT_EQ(wait_exit(server), 0);

  const auto recs = read_all().recs;
  for (const auto& [pid, comm, a, b, p] :
       {std::tuple{server, "nl-sctp-srv", "127.0.0.1", "127.0.0.2", port},
        std::tuple{client, "nl-sctp-mh", "127.0.0.3", "127.0.0.4", lport}}) {
    const auto binds = find(recs, pid, "bind", "sctp");
    ASSERT_EQ(binds.size(), 2u) << comm;
    Expect u = user_expect(pid, comm);
    u.proto = "sctp";
    u.event = "bind";
    u.lport = p;
    u.raddr = "0.0.0.0";
    u.rport = 0;
    u.laddr = a;
    expect_record(binds[0], u);
    u.laddr = b;
    expect_record(binds[1], u);
  }
  std::vector<Rec> server_recs, client_recs;
  for (const auto& r : recs) {
    if (!r.count("by_peer")) continue;
    EXPECT_EQ(str(r, "proto"), "sctp");
    (num(r, "owner_pid") == server ? server_recs : client_recs).push_back(r);
  }
  Expect e;  // no task: zero ids, no strings, the socket's netns
  e.pid = e.tid = e.ppid = e.sid = 0;
  e.auid = e.ses = NETLOG_UID_NONE;
  e.exe = e.cgroup = "";
  e.owner_uid = kUser;
  e.proto = "sctp";
  // The server: an accept from where the INIT came from, a peer record for
  // the client's other address.
  ASSERT_EQ(server_recs.size(), 2u);
  e.owner_pid = server;
  e.event = "accept";
  e.laddr = "127.0.0.1";
  e.lport = port;
  e.rport = lport;
  const auto& acc = str(server_recs[0], "event") == "accept" ? server_recs[0]
                                                             : server_recs[1];
  const auto& offered =
      &acc == &server_recs[0] ? server_recs[1] : server_recs[0];
  e.raddr = str(acc, "raddr");
  EXPECT_TRUE(e.raddr == "127.0.0.3" || e.raddr == "127.0.0.4") << e.raddr;
  expect_record(acc, e);
  e.event = "peer";
  e.raddr = e.raddr == "127.0.0.3" ? "127.0.0.4" : "127.0.0.3";
  expect_record(offered, e);
  // The client: a peer record for the server's other address (its connect
  // is the task's, as in ConnectxRecordsEveryPeerAddressAsUser).
  ASSERT_EQ(client_recs.size(), 1u);
  e.owner_pid = client;
  e.laddr = "127.0.0.3";
  e.lport = lport;
  e.raddr = "127.0.0.2";
  e.rport = port;
  expect_record(client_recs[0], e);
}

// The hooks are in the sctp module: registered when netlog loads after it,
// as when it loaded after netlog (SetUp).
TEST_F(Sctp, HooksFollowTheModule) {
  auto stats = read_file("/sys/module/netlog/parameters/stats");
  EXPECT_NE(stats.find("hook sctp_primitive_ASSOCIATE registered=1 ftrace=1"),
            std::string::npos);
  reload();
  stats = read_file("/sys/module/netlog/parameters/stats");
  EXPECT_NE(stats.find("hook sctp_primitive_ASSOCIATE registered=1 ftrace=1"),
            std::string::npos);
  EXPECT_NE(stats.find("hook sctp_inet_listen registered=1"),
            std::string::npos);
}

// ---- L2TP over IP ---------------------------------------------------------

// Any user may send L2TP/IP datagrams to any host (l2tp_ip, l2tp_ip6 load
// on demand on Debian). Its sockaddr has no port: the field a port takes
// is unused, and the caller writes a lie there (4242) that no record
// shows. AF_UNSPEC is AF_INET to l2tp_ip, AF_INET6 to l2tp_ip6.
TEST_F(E2E, L2tpOverIpSendsAreRecordedAsUser) {
  if (!have_protocol("l2tp", AF_INET, SOCK_DGRAM, kIpprotoL2tp) ||
      !have_protocol("l2tp", AF_INET6, SOCK_DGRAM, kIpprotoL2tp))
    GTEST_SKIP() << "no L2TP over IP in this kernel";
  const auto [child, ok] = as_user("nl-l2tp", [&]() -> int64_t {
    auto send4 = [](int fd, const char* addr, sa_family_t family) {
      sockaddr_l2tpip to{};
      to.l2tp_family = family;
      to.l2tp_unused = htons(4242);
      inet_pton(AF_INET, addr, &to.l2tp_addr);
      to.l2tp_conn_id = 7;
      return sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr*>(&to),
                    sizeof(to));
    };
    const int v4 = socket(AF_INET, SOCK_DGRAM, kIpprotoL2tp);
    if (send4(v4, "127.0.0.1", AF_INET) != 1 ||
        send4(v4, "127.0.0.2", AF_UNSPEC) != 1)
      return -1;
    sockaddr_l2tpip6 to6{};
    to6.l2tp_family = AF_UNSPEC;
    to6.l2tp_unused = htons(4242);
    to6.l2tp_addr = in6addr_loopback;
    to6.l2tp_conn_id = 7;
    const int v6 = socket(AF_INET6, SOCK_DGRAM, kIpprotoL2tp);
    if (sendto(v6, "x", 1, 0, reinterpret_cast<sockaddr*>(&to6), sizeof(to6)) !=
        1)
      return -2;
    close(v4);
    close(v6);
    return 1;
  });
  ASSERT_EQ(ok, 1);
  const auto recs = read_all().recs;
  const auto sends = find(recs, child, "send", "l2tp");
  ASSERT_EQ(sends.size(), 3u);
  Expect e = user_expect(child, "nl-l2tp");
  e.event = "send";
  e.proto = "l2tp";
  e.laddr = "0.0.0.0";
  e.lport = 0;
  e.rport = 0;
  for (const char* to : {"127.0.0.1", "127.0.0.2"}) {
    SCOPED_TRACE(to);
    e.raddr = to;
    expect_record(sends[to[8] - '1'], e);
  }
  e.family = "ipv6";
  e.laddr = "::";
  e.raddr = "::1";
  expect_record(sends[2], e);
  // Both close, though neither had a port.
  const auto closes = find(recs, child, "close", "l2tp");
  ASSERT_EQ(closes.size(), 2u);
  e.event = "close";
  e.established = 0;
  e.raddr = "::";
  expect_record(closes[1], e);
  e.family = "ipv4";
  e.laddr = e.raddr = "0.0.0.0";
  expect_record(closes[0], e);
}

// ---- DCCP -----------------------------------------------------------------

// Debian loads DCCP only when an admin does (its autoload is off); then any
// user may use it. uid 1000 connects to root's listener: as TCP.
TEST_F(E2E, DccpConnectListenAcceptAsUser) {
  if (!have_protocol("dccp", AF_INET, SOCK_DCCP, IPPROTO_DCCP))
    GTEST_SKIP() << "no DCCP in this kernel";
  const int l = socket(AF_INET, SOCK_DCCP | SOCK_CLOEXEC, IPPROTO_DCCP);
  socklen_t len;
  auto at = make_addr(AF_INET, "127.0.0.1", 0, &len);
  ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&at), len), 0);
  ASSERT_EQ(listen(l, 8), 0);
  const uint16_t port = local_of(l).port;
  const auto [child, lport] = as_user("nl-dccp", [&]() -> int64_t {
    const int fd = socket(AF_INET, SOCK_DCCP, IPPROTO_DCCP);
    socklen_t n;
    auto to = make_addr(AF_INET, "127.0.0.1", port, &n);
    if (connect(fd, reinterpret_cast<sockaddr*>(&to), n)) return -1;
    const int64_t lp = local_of(fd).port;
    close(fd);
    return lp;
  });
  ASSERT_GT(lport, 0);
  const pid_t tid = in_thread("nl-dccp-acc", [&] {
    const int fd = accept(l, nullptr, nullptr);
    EXPECT_GE(fd, 0);
    close(fd);
  });
  close(l);
  const auto recs = read_all().recs;
  Expect e = user_expect(child, "nl-dccp");
  e.proto = "dccp";
  e.laddr = e.raddr = "127.0.0.1";
  e.lport = lport;
  e.rport = port;
  e.result = kInProgress;
  const Rec connect = one(recs, child, "connect", "dccp");
  expect_record(connect, e);
  const Rec done = one(recs, child, "connect_done", "dccp");
  expect_record(done, done_of(e, 0));
  EXPECT_EQ(num(done, "connect_seq"), num(connect, "seq"));
  e.event = "close";
  e.result = 0;
  e.established = 1;
  expect_record(one(recs, child, "close", "dccp"), e);

  expect_listen_and_accept(recs, "dccp", port, lport, tid, "nl-dccp-acc");
}

// ---- RxRPC ----------------------------------------------------------------

// RxRPC (AF_RXRPC, loaded on demand for any user) sends a call's packets
// from a UDP socket of the kernel's, to the transport address the caller
// gives sendmsg(): as uid 1000, a call to a UDP port of 127.0.0.1 and one
// to ::1 (an IPv6 socket) are send records with that peer, proto rxrpc;
// the sockets themselves are unaudited records. (Plain UDP sockets take
// the packets, which a closed port would refuse, failing the calls.)
TEST_F(E2E, RxrpcCallsAreRecordedWithTheirPeerAsUser) {
  if (!have_protocol("rxrpc", AF_RXRPC, SOCK_DGRAM, PF_INET))
    GTEST_SKIP() << "no RxRPC in this kernel";
  std::map<int, int> sinks;  // family -> a bound UDP socket
  std::map<int, uint16_t> ports;
  for (const int family : {AF_INET, AF_INET6}) {
    sinks[family] = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_EQ(bind_to(sinks[family], family, loopback(family), 0), 0);
    ports[family] = local_of(sinks[family]).port;
  }
  const auto [child, ok] = as_user("nl-rxrpc", [&]() -> int64_t {
    for (const int family : {AF_INET, AF_INET6}) {
      const int fd = socket(AF_RXRPC, SOCK_DGRAM, family);
      sockaddr_rxrpc to{};
      to.srx_family = AF_RXRPC;
      to.srx_service = 1;
      to.transport_type = SOCK_DGRAM;
      socklen_t len;
      const auto peer =
          make_addr(family, loopback(family), ports[family], &len);
      to.transport_len = len;
      std::memcpy(&to.transport, &peer, len);
      const unsigned long call = 1;
      if (fd < 0 || send_with(fd, &to, sizeof(to), SOL_RXRPC,
                              RXRPC_USER_CALL_ID, &call, sizeof(call)) != 1)
        return -100 - errno;
    }
    return 1;
  });
  for (const auto& [family, fd] : sinks) close(fd);
  ASSERT_EQ(ok, 1);
  const auto recs = read_all().recs;
  const auto sends = find(recs, child, "send", "rxrpc");
  ASSERT_EQ(sends.size(), 2u);
  Expect e = user_expect(child, "nl-rxrpc");
  e.event = "send";
  e.proto = "rxrpc";
  e.laddr = "0.0.0.0";  // RxRPC's socket, not the task's: not known
  e.lport = 0;
  e.raddr = "127.0.0.1";
  e.rport = ports[AF_INET];
  expect_record(sends[0], e);
  e.family = "ipv6";
  e.laddr = "::";
  e.raddr = "::1";
  e.rport = ports[AF_INET6];
  expect_record(sends[1], e);
  int sockets = 0;
  for (const auto& r : recs)
    if (num(r, "pid") == child && str(r, "event") == "unaudited") {
      EXPECT_EQ(str(r, "sock_family"), "rxrpc");
      sockets++;
    }
  EXPECT_EQ(sockets, 2);
}

// ---- SMC ------------------------------------------------------------------

// SMC (AF_SMC, which any user may open) connects and listens over a TCP
// socket of its own, a kernel socket, and stays on it when the peer has no
// SMC (the fallback): to any host, as TCP. As uid 1000: a connect to a
// plain TCP listener and one to a closed port are recorded with their
// peer and outcome, a listen with its port, each flagged smc; and each SMC
// socket itself is an unaudited record.
TEST_F(E2E, SmcConnectsAndListensAreRecordedAsUser) {
  if (!have_protocol("smc", AF_SMC, SOCK_STREAM, 0))
    GTEST_SKIP() << "no SMC in this kernel";
  Listener l(AF_INET, "127.0.0.1");
  const uint16_t closed = closed_port(AF_INET, "127.0.0.1");
  // The listener's port, then the two connects', 16 bits each.
  const auto [child, ok] = as_user("nl-smc", [&]() -> int64_t {
    socklen_t len;
    uint16_t ports[2];
    for (int i = 0; i < 2; i++) {
      const int fd = socket(AF_SMC, SOCK_STREAM, 0);
      auto to = make_addr(AF_INET, "127.0.0.1", i ? closed : l.port, &len);
      const int ret = connect(fd, reinterpret_cast<sockaddr*>(&to), len);
      if (i ? ret == 0 || errno != ECONNREFUSED : ret != 0) return -1 - i;
      ports[i] = local_of(fd).port;
    }
    const int srv = socket(AF_SMC, SOCK_STREAM, 0);
    auto any = make_addr(AF_INET, "127.0.0.1", 0, &len);
    if (bind(srv, reinterpret_cast<sockaddr*>(&any), len) || listen(srv, 8))
      return -3;
    return (int64_t{local_of(srv).port} << 32) | (int64_t{ports[0]} << 16) |
           ports[1];
  });
  ASSERT_GT(ok, 0);
  const auto recs = read_all().recs;
  Expect e = user_expect(child, "nl-smc");
  e.proto = "smc";
  e.laddr = e.raddr = "127.0.0.1";
  e.result = kInProgress;
  const int64_t outcomes[2] = {0, -ECONNREFUSED};
  for (int i = 0; i < 2; i++) {
    SCOPED_TRACE(i);
    e.lport = (ok >> (16 * (1 - i))) & 0xffff;
    e.rport = i ? closed : l.port;
    const Rec connect = one(recs, child, "connect", "smc", e.lport);
    expect_record(connect, e);
    const Rec done = one(recs, child, "connect_done", "smc", e.lport);
    expect_record(done, done_of(e, outcomes[i]));
    EXPECT_EQ(num(done, "connect_seq"), num(connect, "seq"));
  }
  e.event = "listen";
  e.result = 0;
  e.lport = ok >> 32;
  e.raddr = "0.0.0.0";
  e.rport = 0;
  expect_record(one(recs, child, "listen", "smc"), e);
  int smc_sockets = 0;
  for (const auto& r : recs)
    if (num(r, "pid") == child && str(r, "event") == "unaudited") {
      EXPECT_EQ(str(r, "sock_family"), "smc");
      EXPECT_EQ(str(r, "sock_type"), "stream");
      smc_sockets++;
    }
  EXPECT_EQ(smc_sockets, 3);
}

}  // namespace
}  // namespace e2e
