// Datagrams sent without connect(): the first of a process to each
// destination is a send record, whatever call sent it.
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>

#include <set>

#include "e2e.h"

namespace e2e {
namespace {

struct Dest {
  std::string addr;
  uint16_t port;
};

sockaddr_storage dest_addr(int family, const Dest& d, socklen_t* len) {
  return make_addr(family, d.addr, d.port, len);
}

int send_to(int fd, int family, const Dest& d) {
  socklen_t len;
  auto ss = dest_addr(family, d, &len);
  return sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr*>(&ss), len);
}

int sendmsg_to(int fd, int family, const Dest& d) {
  socklen_t len;
  auto ss = dest_addr(family, d, &len);
  char byte = 'x';
  iovec iov{&byte, 1};
  msghdr msg{};
  msg.msg_name = &ss;
  msg.msg_namelen = len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  return sendmsg(fd, &msg, 0);
}

// One sendmmsg() call, a datagram to each of `dests`.
int sendmmsg_to(int fd, int family, const std::vector<Dest>& dests) {
  std::vector<sockaddr_storage> addrs(dests.size());
  std::vector<mmsghdr> msgs(dests.size());
  char byte = 'x';
  iovec iov{&byte, 1};
  for (size_t i = 0; i < dests.size(); i++) {
    socklen_t len;
    addrs[i] = dest_addr(family, dests[i], &len);
    msgs[i] = {};
    msgs[i].msg_hdr.msg_name = &addrs[i];
    msgs[i].msg_hdr.msg_namelen = len;
    msgs[i].msg_hdr.msg_iov = &iov;
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  return sendmmsg(fd, msgs.data(), msgs.size(), 0);
}

struct SendCase {
  int family;            // of the socket
  std::string to;        // as the program writes the address
  std::string recorded;  // as the record says it
};

class Send : public E2E, public ::testing::WithParamInterface<SendCase> {};

// sendto, sendmsg and sendmmsg, each destination several times, as uid
// 1000: one record per destination.
TEST_P(Send, FirstDatagramToEachDestinationAsUser) {
  const auto& c = GetParam();
  const std::vector<Dest> d = {{c.to, 9}, {c.to, 10}, {c.to, 11}};
  const auto [child, lport] = in_child([&]() -> int64_t {
    drop_to_user();
    prctl(PR_SET_NAME, "nl-send");
    int fd = socket(c.family, SOCK_DGRAM, 0);
    for (int i = 0; i < 3; i++)
      if (send_to(fd, c.family, d[0]) != 1) return -1;
    for (int i = 0; i < 2; i++)
      if (sendmsg_to(fd, c.family, d[1]) != 1) return -2;
    if (sendmmsg_to(fd, c.family, {d[0], d[2], d[2], d[1]}) != 4) return -3;
    const int64_t port = local_of(fd).port;
    close(fd);
    return port;
  });
  ASSERT_GT(lport, 0);
  auto recs = find(read_all().recs, child, "send", "udp");
  ASSERT_EQ(recs.size(), 3u);
  for (size_t i = 0; i < 3; i++) {
    Expect e;
    e.event = "send";
    e.proto = "udp";
    e.family = c.recorded.find(':') == std::string::npos ? "ipv4" : "ipv6";
    e.laddr = e.family == "ipv4" ? "0.0.0.0" : "::";
    e.lport = lport;
    e.raddr = c.recorded;
    e.rport = d[i].port;
    e.pid = e.tid = child;
    e.ppid = getpid();
    e.uid = e.gid = kUser;
    e.user = "user";
    e.comm = "nl-send";
    expect_record(recs[i], e);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Families, Send,
    ::testing::Values(SendCase{AF_INET, "127.0.0.1", "127.0.0.1"},
                      SendCase{AF_INET6, "::1", "::1"},
                      SendCase{AF_INET6, "::ffff:127.0.0.1", "127.0.0.1"}));

// A datagram socket's close says what it carried (DGRAM, ABI minor 12), as
// uid 1000: datagrams and bytes each way, however sent (sendto, sendmsg, a
// connected send, which goes to the peer), and the distinct destinations,
// exact up to six and flagged past that. An IPv6 socket sending to an
// IPv4-mapped address passes through both UDP sendmsg functions and is
// counted once.
TEST_P(Send, CloseCountsWhatTheSocketCarriedAsUser) {
  const auto& c = GetParam();
  const int peer_family =
      c.recorded.find(':') == std::string::npos ? AF_INET : AF_INET6;
  int r1 = socket(peer_family, SOCK_DGRAM, 0);
  int r2 = socket(peer_family, SOCK_DGRAM, 0);
  ASSERT_EQ(bind_to(r1, peer_family, c.recorded, 0), 0);
  ASSERT_EQ(bind_to(r2, peer_family, c.recorded, 0), 0);
  const Dest d1{c.to, local_of(r1).port}, d2{c.to, local_of(r2).port};
  const auto [child, lport] = in_child([&]() -> int64_t {
    drop_to_user();
    int fd = socket(c.family, SOCK_DGRAM, 0);
    const std::string a(100, 'a'), b(50, 'b'), r(30, 'r'), k(40, 'k');
    socklen_t len;
    auto to1 = dest_addr(c.family, d1, &len);
    auto* sa1 = reinterpret_cast<sockaddr*>(&to1);
    for (int i = 0; i < 2; i++)
      if (sendto(fd, a.data(), a.size(), 0, sa1, len) != 100) return -1;
    auto to2 = dest_addr(c.family, d2, &len);
    iovec iov{const_cast<char*>(b.data()), b.size()};
    msghdr msg{};
    msg.msg_name = &to2;
    msg.msg_namelen = len;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (sendmsg(fd, &msg, 0) != 50) return -2;
    // Two datagrams for it, from another socket, read before the close.
    const Dest self{c.to, static_cast<uint16_t>(local_of(fd).port)};
    int other = socket(c.family, SOCK_DGRAM, 0);
    auto back = dest_addr(c.family, self, &len);
    for (int i = 0; i < 2; i++)
      if (sendto(other, r.data(), r.size(), 0,
                 reinterpret_cast<sockaddr*>(&back), len) != 30)
        return -3;
    char buf[64];
    for (int i = 0; i < 2; i++)
      if (recv(fd, buf, sizeof(buf), 0) != 30) return -4;
    close(other);
    // Connected to the first destination: no new one.
    to1 = dest_addr(c.family, d1, &len);
    if (connect(fd, sa1, len) || send(fd, k.data(), k.size(), 0) != 40)
      return -5;
    const int64_t port = local_of(fd).port;
    close(fd);
    return port;
  });
  close(r1);
  close(r2);
  ASSERT_GT(lport, 0);
  auto recs = read_all().recs;
  const auto r = one(recs, child, "close", "udp", lport);
  EXPECT_EQ(num(r, "uid"), kUser);
  EXPECT_EQ(num(r, "owner_uid"), kUser);
  EXPECT_EQ(num(r, "datagrams_sent"), 4);
  EXPECT_EQ(num(r, "bytes_sent"), 2 * 100 + 50 + 40);
  EXPECT_EQ(num(r, "datagrams_received"), 2);
  EXPECT_EQ(num(r, "bytes_received"), 2 * 30);
  EXPECT_EQ(num(r, "destinations"), 2);
  EXPECT_EQ(r.count("more_destinations"), 0u);
  EXPECT_GT(num(r, "duration_ns"), 0);

  // Eight destinations: six told apart, and the rest said to be more.
  const auto [many, mport] = in_child([&]() -> int64_t {
    drop_to_user();
    int fd = socket(c.family, SOCK_DGRAM, 0);
    for (uint16_t port = 9; port < 17; port++)
      for (int i = 0; i < 2; i++)
        if (send_to(fd, c.family, {c.to, port}) != 1) return -1;
    const int64_t port = local_of(fd).port;
    close(fd);
    return port;
  });
  ASSERT_GT(mport, 0);
  const auto m = one(read_all().recs, many, "close", "udp", mport);
  EXPECT_EQ(num(m, "datagrams_sent"), 16);
  EXPECT_EQ(num(m, "bytes_sent"), 16);
  EXPECT_EQ(num(m, "destinations"), NETLOG_DGRAM_DESTS);
  EXPECT_EQ(num(m, "more_destinations"), 1);

  // With udp_count off, the close is there and counts nothing.
  ASSERT_TRUE(write_file(kParams + "probe_udp_count", "N"));
  const auto [quiet, qport] = in_child([&]() -> int64_t {
    drop_to_user();
    int fd = socket(c.family, SOCK_DGRAM, 0);
    if (send_to(fd, c.family, d1) != 1) return -1;
    const int64_t port = local_of(fd).port;
    close(fd);
    return port;
  });
  ASSERT_TRUE(write_file(kParams + "probe_udp_count", "Y"));
  ASSERT_GT(qport, 0);
  const auto q = one(read_all().recs, quiet, "close", "udp", qport);
  EXPECT_EQ(q.count("datagrams_sent"), 0u);
  EXPECT_EQ(q.count("bytes_sent"), 0u);
}

// More destinations than the cache of what was recorded holds, twice over:
// every destination is itemised, some more than once, none lost.
TEST_F(E2E, SendBeyondTheDedupCacheItemisesEveryDestination) {
  reload("capacity=16777216");
  constexpr int kDests = 20000;  // the cache has 16,384 slots
  const auto [child, ok] = in_child([&]() -> int64_t {
    drop_to_user();
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    for (int round = 0; round < 2; round++)
      for (int p = 1; p <= kDests; p++)
        if (send_to(fd, AF_INET, {"127.0.0.2", uint16_t(p)}) != 1) return -p;
    close(fd);
    return 1;
  });
  ASSERT_EQ(ok, 1);
  auto d = read_all();
  std::set<int64_t> ports;
  int64_t sends = 0;
  for (const auto& r : d.recs) {
    ASSERT_NE(str(r, "event"), "lost");
    if (str(r, "event") != "send") continue;
    EXPECT_EQ(num(r, "pid"), child);
    ports.insert(num(r, "rport"));
    sends++;
  }
  EXPECT_EQ(ports.size(), size_t(kDests));
  EXPECT_GE(sends, kDests);
  EXPECT_LT(sends, 2 * kDests);  // the cache did dedup the second round
  fmt::print("send: {} destinations twice: {} records\n", kDests, sends);
  reload();
}

// A destination the whitelist silenced is recorded once the rule is gone,
// and each process sharing a socket has its own first send.
TEST_F(E2E, SendAfterWhitelistChangeAndFromAnotherProcess) {
  const std::string wl = "/sys/module/netlog/parameters/whitelist";
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_TRUE(write_file(wl, self_exe() + "|i127.0.0.1|p9"));
  ASSERT_EQ(send_to(fd, AF_INET, {"127.0.0.1", 9}), 1);
  EXPECT_EQ(records_of(getpid(), "send").size(), 0u);
  ASSERT_TRUE(write_file(wl, "\n"));
  ASSERT_EQ(send_to(fd, AF_INET, {"127.0.0.1", 9}), 1);
  ASSERT_EQ(send_to(fd, AF_INET, {"127.0.0.1", 9}), 1);
  EXPECT_EQ(records_of(getpid(), "send").size(), 1u);
  pid_t child = spawn([&] {
    return send_to(fd, AF_INET, {"127.0.0.1", 9}) != 1;
  });
  ASSERT_EQ(wait_exit(child), 0);
  EXPECT_EQ(records_of(child, "send").size(), 1u);
  close(fd);
}

// sendto() with sin_family AF_UNSPEC (0): udp_sendmsg() and raw_sendmsg()
// take it for AF_INET, rawv6_sendmsg() for AF_INET6, and deliver. One send
// record each, with the destination the kernel used: UDP and UDP-Lite as
// uid 1000, raw as root of its own user and network namespace.
TEST_F(E2E, SendToAfUnspecIsRecordedWithItsDestinationAsUser) {
  struct Case {
    int family, type, proto;
    std::string proto_name;
  };
  for (const Case& c : {Case{AF_INET, SOCK_DGRAM, 0, "udp"},
                        Case{AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE, "udplite"},
                        Case{AF_INET, SOCK_RAW, IPPROTO_UDP, "raw"},
                        Case{AF_INET6, SOCK_RAW, IPPROTO_UDP, "raw"}}) {
    SCOPED_TRACE(c.proto_name + " " + family_name(c.family));
    const bool raw = c.type == SOCK_RAW;
    // A raw IPv6 socket reads the port as its protocol: 0, its own.
    const uint16_t port = raw ? 0 : 9;
    const auto [child, ok] = in_child([&]() -> int64_t {
      if (raw ? !user_namespace(CLONE_NEWNET) || !loopback_up()
              : (drop_to_user(), false))
        return -1;
      prctl(PR_SET_NAME, "nl-unspec");
      const int fd = socket(c.family, c.type, c.proto);
      socklen_t len;
      auto ss = make_addr(c.family, loopback(c.family), port, &len);
      ss.ss_family = AF_UNSPEC;
      return sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr*>(&ss), len) == 1
                 ? 1
                 : -2;
    });
    ASSERT_EQ(ok, 1);
    auto recs = find(read_all().recs, child, "send", c.proto_name);
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(str(recs[0], "family"), family_name(c.family));
    EXPECT_EQ(str(recs[0], "raddr"), loopback(c.family));
    EXPECT_EQ(num(recs[0], "rport"), port);
    EXPECT_EQ(num(recs[0], "uid"), kUser);
    EXPECT_EQ(str(recs[0], "comm"), "nl-unspec");
  }
}

// IPv4 options with a loose source route through 127.0.0.2, set on the
// socket (IP_OPTIONS) or given with a datagram (IP_RETOPTS). Since the
// stable fix of 2026 (6.1.0-57 has it) that takes CAP_NET_RAW in the
// socket's network namespace: uid 1000 has it in one of its own.
const uint8_t kLsrr[8] = {IPOPT_NOOP, IPOPT_LSRR, 7, 4, 127, 0, 0, 2};

// A packet routed by its source goes first to another host than the one
// the record names: every record of such a socket, and every such
// datagram, says so, even to a destination already recorded.
TEST_F(E2E, SourceRoutedTrafficIsFlaggedAsUser) {
  const auto [child, ok] = in_child([&]() -> int64_t {
    if (!user_namespace(CLONE_NEWNET) || !loopback_up()) return -10;
    prctl(PR_SET_NAME, "nl-srcroute");
    Listener l(AF_INET, "127.0.0.1");
    // A datagram to a destination, then the same with a route.
    const int plain = socket(AF_INET, SOCK_DGRAM, 0);
    if (send_to(plain, AF_INET, {"127.0.0.1", 9}) != 1) return -1;
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", 9, &len);
    if (send_with(plain, &ss, len, SOL_IP, IP_RETOPTS, kLsrr, sizeof(kLsrr)) !=
        1)
      return -100 - errno;
    // A socket that keeps the route: its send, and a TCP connect.
    const int routed = socket(AF_INET, SOCK_DGRAM, 0);
    if (setsockopt(routed, SOL_IP, IP_OPTIONS, kLsrr, sizeof(kLsrr)) ||
        send_to(routed, AF_INET, {"127.0.0.1", 9}) != 1)
      return -3;
    const int tcp = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    auto to = make_addr(AF_INET, "127.0.0.1", l.port, &len);
    if (setsockopt(tcp, SOL_IP, IP_OPTIONS, kLsrr, sizeof(kLsrr)) ||
        (connect(tcp, reinterpret_cast<sockaddr*>(&to), len) &&
         errno != EINPROGRESS))
      return -4;
    return l.port;
  });
  ASSERT_GT(ok, 0);
  const auto recs = read_all().recs;
  auto sends = find(recs, child, "send", "udp");
  ASSERT_EQ(sends.size(), 3u);
  EXPECT_EQ(sends[0].count("srcroute"), 0u);
  for (size_t i = 1; i < 3; i++) {
    EXPECT_EQ(num(sends[i], "srcroute"), 1) << i;
    EXPECT_EQ(str(sends[i], "raddr"), "127.0.0.1");  // the destination
    EXPECT_EQ(num(sends[i], "rport"), 9);
  }
  EXPECT_EQ(num(sends[1], "lport"), num(sends[0], "lport"));  // one socket
  const auto connect = one(recs, child, "connect", "tcp");
  EXPECT_EQ(num(connect, "srcroute"), 1);
  EXPECT_EQ(num(connect, "rport"), ok);
  EXPECT_EQ(num(connect, "uid"), kUser);
  for (const auto& r : find(recs, child, "close", "udp"))
    EXPECT_EQ(r.count("srcroute"),
              num(r, "lport") == num(sends[0], "lport") ? 0u : 1u);
}

// A program started by exec on an inherited socket is not the one that sent
// before: its first datagram to the same destination is a record too.
TEST_F(E2E, SendAfterExecOnAnInheritedSocketIsRecordedAsUser) {
  const std::string exe = self_exe();
  const pid_t child = spawn([&] {
    drop_to_user();
    prctl(PR_SET_NAME, "nl-preexec");
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (send_to(fd, AF_INET, {"127.0.0.1", 9}) != 1) return 1;
    execl(exe.c_str(), "nl-postexec", "--send-on-fd",
          std::to_string(fd).c_str(), "9", nullptr);
    return 2;
  });
  ASSERT_EQ(wait_exit(child), 0);
  auto recs = find(read_all().recs, child, "send", "udp");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(str(recs[0], "comm"), "nl-preexec");
  EXPECT_EQ(str(recs[1], "comm"), "netlog-e2e");
  for (const auto& r : recs) {
    EXPECT_EQ(str(r, "raddr"), "127.0.0.1");
    EXPECT_EQ(num(r, "rport"), 9);
    EXPECT_EQ(num(r, "lport"), num(recs[0], "lport"));
  }
}

// An ICMP echo request from a ping socket, to an address given with it.
TEST_F(E2E, PingSendtoAsUser) {
  ASSERT_TRUE(
      write_file("/proc/sys/net/ipv4/ping_group_range", "0 2147483647"));
  const auto [child, ok] = in_child([]() -> int64_t {
    drop_to_user();
    int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    icmphdr echo{};
    echo.type = ICMP_ECHO;
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", 0, &len);
    if (sendto(fd, &echo, sizeof(echo), 0, reinterpret_cast<sockaddr*>(&ss),
               len) != sizeof(echo))
      return -1;
    char reply[64];
    if (recv(fd, reply, sizeof(reply), 0) != sizeof(echo)) return -2;
    close(fd);
    return 1;
  });
  ASSERT_TRUE(write_file("/proc/sys/net/ipv4/ping_group_range", "1 0"));
  ASSERT_EQ(ok, 1);
  const auto recs = read_all().recs;
  auto r = one(recs, child, "send", "icmp");
  EXPECT_EQ(str(r, "raddr"), "127.0.0.1");
  EXPECT_EQ(num(r, "uid"), kUser);
  // Its close counts the echo and its reply (sock_queue_rcv_skb_reason).
  const auto c = one(recs, child, "close", "icmp");
  EXPECT_EQ(num(c, "datagrams_sent"), 1);
  EXPECT_EQ(num(c, "bytes_sent"), sizeof(icmphdr));
  EXPECT_EQ(num(c, "datagrams_received"), 1);
  EXPECT_EQ(num(c, "bytes_received"), sizeof(icmphdr));
  EXPECT_EQ(num(c, "destinations"), 1);
}

}  // namespace
}  // namespace e2e
