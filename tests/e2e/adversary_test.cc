// An unprivileged user trying to blind the trail: calls that never return,
// and calls the probes could not follow, which must show in the stream.
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <sstream>

#include "e2e.h"

namespace e2e {
namespace {

// The `missed=` count of one hook in the stats.
int64_t hook_missed(const std::string& hook) {
  const auto stats = read_file("/sys/module/netlog/parameters/stats");
  const auto at = stats.find("hook " + hook + " ");
  if (at == std::string::npos) return -1;
  const auto m = stats.find("missed=", at);
  return std::stoll(stats.substr(m + 7));
}

// One count of a table's line in the stats ("<name> pending=N ...").
int64_t table_stat(const std::string& table, const std::string& key) {
  const auto stats = "\n" + read_file("/sys/module/netlog/parameters/stats");
  const auto at = stats.find("\n" + table + " pending=");
  if (at == std::string::npos) return -1;
  const auto m = stats.find(" " + key + "=", at);
  if (m == std::string::npos || m > stats.find('\n', at + 1)) return -1;
  return std::stoll(stats.substr(m + key.size() + 2));
}

// Threads of a uid-1000 process parked in accept() on its own listener and
// in connect() to a listener whose accept queue is full (their SYNs are
// dropped, so they wait for minutes): more than any kretprobe pool holds.
// And more non-blocking connects left in SYN_SENT there than the table of
// connects awaiting their outcome holds. Root's connect (and its
// connect_done) and accept meanwhile are recorded, and no hook misses: the
// only calls not followed are uid 1000's own connects past its share.
TEST_F(E2E, ThreadsParkedInAcceptAndConnectBlindNobody) {
  constexpr int kAccepters = 8000, kConnecters = 2000, kPending = 5000;
  constexpr int kShare = 4096 / 4;  // NL_TABLE_SHARE of its 4,096 slots
  // As many accepters as leave half the system's threads to others (the
  // debug kernel's KASAN stacks halve threads-max there).
  const int accepters = std::clamp(
      std::stoi(read_file("/proc/sys/kernel/threads-max")) / 2 - kConnecters,
      1000, kAccepters);
  Listener full(AF_INET, "127.0.0.1");  // never accepts
  ASSERT_EQ(listen(full.fd, 0), 0);
  int queued = socket(AF_INET, SOCK_STREAM, 0);
  socklen_t len;
  auto full_addr = make_addr(AF_INET, "127.0.0.1", full.port, &len);
  ASSERT_EQ(connect(queued, reinterpret_cast<sockaddr*>(&full_addr), len), 0);

  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const rlimit many{RLIM_INFINITY, RLIM_INFINITY};
  ASSERT_EQ(setrlimit(RLIMIT_NPROC, &many), 0);
  const int64_t missed_before = table_stat("connect_done", "missed");
  const int64_t refused_before = table_stat("connect_done", "over_share");
  pid_t parker = spawn([&] {
    // a socket per connecter thread and per pending connect, and room
    const rlimit fds{65536, 65536};
    if (setrlimit(RLIMIT_NOFILE, &fds)) return 3;
    drop_to_user();
    prctl(PR_SET_NAME, "nl-parker");
    Listener mine(AF_INET, "127.0.0.1");
    std::atomic<int> started{0};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    struct Arg {
      int fd;
      sockaddr_storage addr;
      socklen_t len;
      std::atomic<int>* started;
    };
    static Arg accept_arg, connect_arg;
    accept_arg = {mine.fd, {}, 0, &started};
    connect_arg = {-1, full_addr, len, &started};
    auto parked_accept = [](void* p) -> void* {
      auto* a = static_cast<Arg*>(p);
      a->started->fetch_add(1);
      accept(a->fd, nullptr, nullptr);
      return nullptr;
    };
    // The listener drops every SYN, so a connect waits for its retries:
    // as many as TCP allows, that no slot frees while the debug kernel
    // (minutes for this test under KASAN) is still filling the table.
    static auto syn_sent = [](int flags) {
      int fd = socket(AF_INET, SOCK_STREAM | flags, 0);
      const int retries = 127;
      if (fd >= 0)
        setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &retries, sizeof(retries));
      return fd;
    };
    auto parked_connect = [](void* p) -> void* {
      auto* a = static_cast<Arg*>(p);
      int fd = syn_sent(0);
      a->started->fetch_add(1);
      connect(fd, reinterpret_cast<sockaddr*>(&a->addr), a->len);
      return nullptr;
    };
    const int threads = kConnecters + accepters;
    for (int i = 0; i < threads; i++) {
      pthread_t t;
      const bool acc = i >= kConnecters;
      if (pthread_create(&t, &attr, acc ? +parked_accept : +parked_connect,
                         acc ? &accept_arg : &connect_arg))
        return 1;
    }
    while (started.load() < threads) usleep(10000);
    for (int i = 0; i < kPending; i++) {
      int fd = syn_sent(SOCK_NONBLOCK);
      if (fd < 0 ||
          (connect(fd, reinterpret_cast<sockaddr*>(&full_addr), len) &&
           errno != EINPROGRESS))
        return 100 + errno;
    }
    char c = 1;
    if (write(ready[1], &c, 1) != 1) return 2;
    pause();
    return 0;
  });
  close(ready[1]);  // so that a parker that failed is an end of file
  struct Reap {     // whatever fails below, the parker's threads go
    pid_t pid;
    ~Reap() {
      if (pid <= 0) return;
      kill(pid, SIGKILL);
      wait_exit(pid);
    }
  } reap{parker};
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1) << "parker failed";
  // Let the last of them reach their wait.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  read_all();
  // uid 1000 holds its share of the table, no more, and pays for the rest.
  EXPECT_EQ(table_stat("connect_done", "pending"), kShare);
  const int64_t refused =
      table_stat("connect_done", "over_share") - refused_before;
  EXPECT_EQ(refused, kConnecters + kPending - kShare);

  Listener l(AF_INET, "127.0.0.1");
  auto o = connect_from_thread(AF_INET, "127.0.0.1", l.port, "nl-root");
  ASSERT_EQ(o.result, 0);
  const pid_t tid = in_thread("nl-root-acc", [&] {
    int fd = accept(l.fd, nullptr, nullptr);
    EXPECT_GE(fd, 0);
    close(fd);
  });
  auto recs = read_all().recs;
  kill(parker, SIGKILL);
  wait_exit(parker);
  reap.pid = 0;
  close(queued);

  Expect e;
  e.laddr = e.raddr = "127.0.0.1";
  e.lport = o.local.port;
  e.rport = l.port;
  e.tid = o.tid;
  e.comm = "nl-root";
  e.result = kInProgress;
  expect_record(one(recs, getpid(), "connect", "tcp", o.local.port), e);
  expect_record(one(recs, getpid(), "connect_done", "tcp", o.local.port),
                done_of(e, 0));
  e.event = "accept";
  e.result = 0;
  e.lport = l.port;
  e.rport = o.local.port;
  e.tid = tid;
  e.comm = "nl-root-acc";
  expect_record(one(recs, getpid(), "accept", "tcp", l.port), e);
  // (and, rarely, one of its own whose 16 slots its others filled)
  EXPECT_GE(table_stat("connect_done", "missed") - missed_before, refused);
  // The parker's thousands of threads, killed at once, may also hold more than
  // their share of the exiting tasks' table (on PREEMPT_RT many wait
  // between the two exit hooks): their own closes, never another's.
  const int64_t exit_missed = table_stat("exit_exe", "missed");
  EXPECT_EQ(table_stat("exit_exe", "over_share"), exit_missed);
  EXPECT_EQ(
      all_hooks_missed() - table_stat("connect_done", "missed") - exit_missed,
      0)
      << read_file("/sys/module/netlog/parameters/stats");
  int64_t missed_in_stream = 0;
  for (const auto& r : recs) {
    if (str(r, "event") != "missed") continue;
    EXPECT_EQ(str(r, "hook"), "connect_done");
    missed_in_stream += num(r, "count");
  }
  EXPECT_LE(missed_in_stream, refused);
}

// uid 1000 holds more TCP sockets that connected (refused, and kept open)
// than its quarter of the table of connections' starts: its extra closes
// lose their duration, each counted, and root's connection meanwhile
// closes with its duration on both sides.
TEST_F(E2E, ConnectionsHeldOpenTakeOnlyTheirShareOfLives) {
  constexpr int kShare = 32768 / 4, kHeld = kShare + 100;
  const uint16_t closed = closed_port(AF_INET, "127.0.0.1");
  const int64_t missed_before = table_stat("close_life", "missed");
  const int64_t refused_before = table_stat("close_life", "over_share");
  HeldChild holder([&] {
    const rlimit fds{kHeld + 64, kHeld + 64};
    if (setrlimit(RLIMIT_NOFILE, &fds)) return 3;
    drop_to_user();
    prctl(PR_SET_NAME, "nl-holder");
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", closed, &len);
    for (int i = 0; i < kHeld; i++) {
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      if (fd < 0 || (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) &&
                     errno != EINPROGRESS))
        return 100 + errno;
    }
    return 0;
  });
  ASSERT_GT(holder.pid, 0);
  EXPECT_EQ(table_stat("close_life", "pending"), kShare);
  const int64_t refused =
      table_stat("close_life", "over_share") - refused_before;
  EXPECT_EQ(refused, kHeld - kShare);
  EXPECT_EQ(table_stat("close_life", "missed") - missed_before, refused);

  const auto before = read_all().recs;
  Listener l(AF_INET, "127.0.0.1");
  auto o = connect_from_thread(AF_INET, "127.0.0.1", l.port, "nl-root");
  ASSERT_EQ(o.result, 0);
  const int fd = accept(l.fd, nullptr, nullptr);
  ASSERT_GE(fd, 0);
  close(fd);
  const auto recs = read_all().recs;
  const auto mine = one(recs, getpid(), "close", "tcp", o.local.port);
  EXPECT_GT(num(mine, "duration_ns"), 0);
  const auto accepted = find(recs, getpid(), "close", "tcp", l.port);
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_GT(num(accepted[0], "duration_ns"), 0);

  holder.stop();
  // Its sockets' entries go with them; the misses are in the stream, within
  // a second.
  EXPECT_EQ(table_stat("close_life", "pending"), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  int64_t missed_in_stream = 0;
  const auto after = read_all().recs;
  for (const auto* part : {&before, &recs, &after})
    for (const auto& r : *part) {
      if (str(r, "event") != "missed") continue;
      EXPECT_EQ(str(r, "hook"), "close_life");
      missed_in_stream += num(r, "count");
    }
  EXPECT_EQ(missed_in_stream, refused);
}

// Socket locks held for as long as uid 1000 likes: a send on a TCP socket
// and a corked one on a UDP socket, each copying from a page whose fault
// userfaultfd never serves (as a FUSE file's would hang, whose daemon never
// answers). Behind them, twice the return probes' instances of bind,
// listen and UDP connect. uid 1000 holds a quarter of each hook's
// instances; its other calls are recorded as they begin (unfollowed), and
// root's bind, listen and connect meanwhile are recorded whole: no hook
// misses a call.
TEST_F(E2E, CallsParkedBehindAHeldSocketLockBlindNobody) {
  const int parked = 2 * kretprobe_instances(),
            share = kretprobe_instances() / 4;
  // The debug kernel's small config has no userfaultfd (Debian's have).
  const UffdKnob knob;
  if (!knob.present()) GTEST_SKIP() << "no userfaultfd in this kernel";
  const rlimit many{RLIM_INFINITY, RLIM_INFINITY};
  ASSERT_EQ(setrlimit(RLIMIT_NPROC, &many), 0);
  const int64_t missed_before = all_hooks_missed();
  const pid_t holder = spawn_held([&] {
    drop_to_user();
    prctl(PR_SET_NAME, "nl-holder");
    int uffd;
    void* page = unserved_page(&uffd);
    if (!page) return 2;
    static Listener server(AF_INET, "127.0.0.1");
    static int tcp, udp;
    static void* from;
    static sockaddr_storage to;
    static socklen_t to_len;
    from = page;
    tcp = socket(AF_INET, SOCK_STREAM, 0);
    to = make_addr(AF_INET, "127.0.0.1", server.port, &to_len);
    if (connect(tcp, reinterpret_cast<sockaddr*>(&to), to_len)) return 3;
    udp = socket(AF_INET, SOCK_DGRAM, 0);
    const int one = 1;
    if (setsockopt(udp, IPPROTO_UDP, UDP_CORK, &one, sizeof(one))) return 4;
    to = make_addr(AF_INET, "127.0.0.1", 9, &to_len);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    auto start = [&](void* (*fn)(void*)) {
      pthread_t t;
      return pthread_create(&t, &attr, fn, nullptr) == 0;
    };
    // The holders: each sleeps in the fault, its socket locked.
    if (!start([](void*) -> void* {
          send(tcp, from, 64, 0);
          return nullptr;
        }) ||
        !start([](void*) -> void* {
          sendto(udp, from, 64, 0, reinterpret_cast<sockaddr*>(&to), to_len);
          return nullptr;
        }))
      return 5;
    for (int faults = 0; faults < 2; faults++) {
      uffd_msg msg;
      if (read(uffd, &msg, sizeof(msg)) != sizeof(msg)) return 6;
    }
    static std::atomic<int> started{0};
    for (int i = 0; i < parked; i++) {
      const bool ok = start([](void*) -> void* {
                        started++;
                        socklen_t any_len;
                        auto any = make_addr(AF_INET, "127.0.0.1", 0, &any_len);
                        bind(tcp, reinterpret_cast<sockaddr*>(&any), any_len);
                        return nullptr;
                      }) &&
                      start([](void*) -> void* {
                        started++;
                        listen(tcp, 1);
                        return nullptr;
                      }) &&
                      start([](void*) -> void* {
                        started++;
                        connect(udp, reinterpret_cast<sockaddr*>(&to), to_len);
                        return nullptr;
                      });
      if (!ok) return 7;
    }
    while (started.load() < 3 * parked) usleep(10000);
    return 0;
  });
  ASSERT_GT(holder, 0);
  // Until the last of them reached the lock (a minute at most).
  std::map<std::string, int> unfollowed;
  for (int t = 0; t < 600; t++) {
    for (const auto& r : read_all().recs)
      if (num(r, "pid") == holder && r.count("unfollowed")) {
        EXPECT_EQ(num(r, "uid"), kUser);
        EXPECT_EQ(num(r, "result"), 0);
        unfollowed[str(r, "event")]++;
      }
    if (unfollowed["bind"] >= parked - share &&
        unfollowed["connect"] >= parked - share)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  // Root's calls, each from a thread of its own name.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  socklen_t len;
  auto any = make_addr(AF_INET, "127.0.0.1", 0, &len);
  const pid_t bind_tid = in_thread("nl-root-bind", [&] {
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&any), len), 0);
  });
  const uint16_t port = local_of(fd).port;
  const pid_t listen_tid =
      in_thread("nl-root-listen", [&] { EXPECT_EQ(listen(fd, 1), 0); });
  const int udp = socket(AF_INET, SOCK_DGRAM, 0);
  auto nine = make_addr(AF_INET, "127.0.0.1", 9, &len);
  const pid_t connect_tid = in_thread("nl-root-conn", [&] {
    EXPECT_EQ(connect(udp, reinterpret_cast<sockaddr*>(&nine), len), 0);
  });
  const uint16_t udp_port = local_of(udp).port;
  const auto recs = read_all().recs;
  const int64_t missed = all_hooks_missed() - missed_before;
  kill(holder, SIGKILL);
  wait_exit(holder);
  close(fd);
  close(udp);

  Expect e;
  e.event = "bind";
  e.laddr = "127.0.0.1";
  e.lport = port;
  e.raddr = "0.0.0.0";
  e.rport = 0;
  e.tid = bind_tid;
  e.comm = "nl-root-bind";
  expect_record(one(recs, getpid(), "bind", "tcp", port), e);
  e.event = "listen";
  e.tid = listen_tid;
  e.comm = "nl-root-listen";
  expect_record(one(recs, getpid(), "listen", "tcp", port), e);
  e.event = "connect";
  e.proto = "udp";
  e.lport = udp_port;
  e.raddr = "127.0.0.1";
  e.rport = 9;
  e.tid = connect_tid;
  e.comm = "nl-root-conn";
  expect_record(one(recs, getpid(), "connect", "udp", udp_port), e);
  EXPECT_EQ(missed, 0) << read_file("/sys/module/netlog/parameters/stats");

  // uid 1000's calls past its quarter, as they began.
  EXPECT_EQ(unfollowed["bind"], parked - share);
  // Parked listens wait for the lock before inet_listen() takes an
  // instance on this kernel: they hold none, and none is unfollowed.
  EXPECT_LE(unfollowed["listen"], parked - share);
  EXPECT_EQ(unfollowed["connect"], parked - share);
}

// A return probe with one instance (maxactive=1) and four processes binding
// at once: calls go unfollowed, and each one is in the stream as a MISSED
// record, counted exactly as the stats count it, and warned about.
TEST_F(E2E, UnfollowedCallsBecomeMissedRecords) {
  reload("", "maxactive=1");
  // Whitelisted, the binds leave no record, so the ring holds only what
  // the misses produce and cannot overflow. By a rule on the local port,
  // which only a bind's return can decide: so each bind is followed.
  ASSERT_TRUE(write_file("/sys/module/netlog/parameters/whitelist",
                         self_exe() + "|l<1-65535>"));
  std::vector<pid_t> loops;
  for (int i = 0; i < 4; i++)
    loops.push_back(spawn([] {
      for (;;) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        socklen_t len;
        auto ss = make_addr(AF_INET, "127.0.0.1", 0, &len);
        bind(fd, reinterpret_cast<sockaddr*>(&ss), len);
        close(fd);
      }
      return 0;
    }));
  for (int i = 0; i < 100 && hook_missed("inet_bind") <= 0; i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (pid_t p : loops) kill(p, SIGKILL);
  for (pid_t p : loops) wait_exit(p);
  const int64_t missed = hook_missed("inet_bind");
  ASSERT_GT(missed, 0) << "no call went unfollowed in 10 s";
  // The worker reports within a second.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));

  auto d = read_all();
  int64_t in_stream = 0;
  for (const auto& r : d.recs) {
    if (str(r, "event") != "missed") continue;
    EXPECT_EQ(str(r, "hook"), "inet_bind");
    EXPECT_GT(num(r, "count"), 0);
    in_stream += num(r, "count");
    EXPECT_NE(d.proc.err.find(fmt::format(
                  "netlog-reader: inet_bind {} calls left no record (seq {})",
                  num(r, "count"), num(r, "seq"))),
              std::string::npos)
        << d.proc.err;
  }
  EXPECT_EQ(in_stream, missed);
  EXPECT_EQ(hook_missed("inet_bind"), missed);  // the loops are gone
  reload();
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

// No blind start: a listener and an established connection uid 1000 made
// before netlog loaded are snapshot records after the load record, with
// the holder's attribution, state and endpoints.
TEST_F(E2E, SocketsOpenBeforeLoadAreInTheSnapshotAsUser) {
  ASSERT_EQ(run({"rmmod", "netlog"}).code, 0);
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  HeldChild holder([&] {
    drop_to_user();
    prctl(PR_SET_NAME, "nl-before");
    static Listener l(AF_INET, "127.0.0.1");
    const int c = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", l.port, &len);
    if (connect(c, reinterpret_cast<sockaddr*>(&ss), len)) return 1;
    if (accept(l.fd, nullptr, nullptr) < 0) return 2;
    const int64_t ports = int64_t{local_of(c).port} << 16 | l.port;
    return write(report[1], &ports, sizeof(ports)) == sizeof(ports) ? 0 : 3;
  });
  close(report[1]);
  int64_t ports = 0;
  const bool held =
      read(report[0], &ports, sizeof(ports)) == ssize_t(sizeof(ports));
  close(report[0]);
  ASSERT_EQ(run({"insmod", module("netlog")}).code, 0);
  const auto recs = read_all().recs;
  const pid_t pid = holder.pid;
  holder.stop();
  ASSERT_TRUE(held);

  const int64_t client = ports >> 16, server = ports & 0xffff;
  int64_t load_seq = -1;
  std::map<std::pair<int64_t, int64_t>, Rec> snaps;
  for (const auto& r : recs) {
    if (str(r, "event") == "config" && str(r, "param") == "load")
      load_seq = num(r, "seq");
    if (str(r, "event") == "snapshot" && num(r, "pid") == pid)
      snaps[{num(r, "lport"), num(r, "rport")}] = r;
  }
  ASSERT_GE(load_seq, 0);
  const std::tuple<int64_t, int64_t, const char*> expected[] = {
      {server, 0, "listen"},
      {client, server, "established"},
      {server, client, "established"}};
  for (const auto& [lport, rport, state] : expected) {
    SCOPED_TRACE(fmt::format("{} -> {}", lport, rport));
    ASSERT_EQ(snaps.count({lport, rport}), 1u);
    const auto& r = snaps[{lport, rport}];
    EXPECT_GT(num(r, "seq"), load_seq);
    EXPECT_EQ(str(r, "proto"), "tcp");
    EXPECT_EQ(str(r, "laddr"), "127.0.0.1");
    EXPECT_EQ(num(r, "tid"), pid);
    EXPECT_EQ(num(r, "ppid"), getpid());
    EXPECT_EQ(num(r, "uid"), kUser);
    EXPECT_EQ(num(r, "euid"), kUser);
    EXPECT_EQ(num(r, "gid"), kUser);
    EXPECT_EQ(str(r, "comm"), "nl-before");
    EXPECT_EQ(str(r, "exe"), self_exe());
    EXPECT_EQ(str(r, "cgroup"), self_cgroup());
    EXPECT_EQ(num(r, "owner_uid"), kUser);
    EXPECT_EQ(str(r, "state"), state);
    EXPECT_EQ(r.count("end"), 0u);
    EXPECT_EQ(r.count("established"), 0u);  // (a close's key)
    EXPECT_EQ(num(r, "result"), 0);
  }
  EXPECT_EQ(snaps.size(), 3u);
}

// 20,000 sockets open at load: each is counted in the snapshot, in the ring
// or as lost to it, and insmod returns (the time is printed, not judged).
TEST_F(E2E, TwentyThousandSocketsAreSnapshotAtLoad) {
  constexpr int kSockets = 20000;
  ASSERT_EQ(run({"rmmod", "netlog"}).code, 0);
  HeldChild holder([&] {
    const rlimit fds{kSockets + 64, kSockets + 64};
    if (setrlimit(RLIMIT_NOFILE, &fds)) return 1;
    prctl(PR_SET_NAME, "nl-many");
    for (int i = 0; i < kSockets; i++) {
      const int fd = socket(AF_INET, SOCK_DGRAM, 0);
      if (fd < 0 || bind_to(fd, AF_INET, "127.0.0.1", 0)) return 2;
    }
    return 0;
  });
  const bool held = holder.pid > 0;
  const auto t0 = std::chrono::steady_clock::now();
  const int loaded = run({"insmod", module("netlog")}).code;
  const auto took = std::chrono::steady_clock::now() - t0;
  const auto stats = read_file("/sys/module/netlog/parameters/stats");
  const auto recs = read_all().recs;
  const pid_t pid = holder.pid;
  holder.stop();
  ASSERT_TRUE(held);
  ASSERT_EQ(loaded, 0);
  const auto at = stats.find("snapshot load ");
  ASSERT_NE(at, std::string::npos) << stats;
  const auto value = [&](const std::string& key) {
    return std::stoll(
        stats.substr(stats.find(" " + key + "=", at) + key.size() + 2));
  };
  int64_t mine = 0, snapshots = 0;
  for (const auto& r : recs) {
    if (str(r, "event") != "snapshot") continue;
    snapshots++;
    if (num(r, "pid") == pid) mine++;
  }
  EXPECT_GE(value("sockets"), kSockets);
  EXPECT_EQ(value("skipped"), 0);
  EXPECT_EQ(snapshots + value("ring_full"), value("sockets"));
  EXPECT_GT(mine, 0);
  fmt::print(
      "snapshot: {} sockets in {} ms (insmod {} ms), {} in the ring\n",
      value("sockets"), value("ns") / 1000000,
      std::chrono::duration_cast<std::chrono::milliseconds>(took).count(),
      snapshots);
}

// Every change of what netlog records is itself in the trail, with who made
// it: root cannot silence the trail without a trace in it.
TEST_F(E2E, ConfigurationChangesAreRecords) {
  reload();
  auto recs = read_all().recs;
  ASSERT_GE(recs.size(), 1u);
  EXPECT_EQ(num(recs[0], "seq"), 0);
  EXPECT_EQ(str(recs[0], "event"), "config");
  EXPECT_EQ(str(recs[0], "param"), "load");
  EXPECT_EQ(str(recs[0], "old"), "");
  EXPECT_EQ(str(recs[0], "new"),
            fmt::format("probes={} whitelist_entries=0", default_probes()));
  EXPECT_EQ(str(recs[0], "comm"), "insmod");
  EXPECT_EQ(num(recs[0], "uid"), 0);

  const std::string wl = "/sys/module/netlog/parameters/whitelist";
  ASSERT_TRUE(write_file(wl, "/usr/bin/x|p22, /usr/sbin/y|i10.0.0.0/8"));
  std::string canonical = read_file(wl);
  while (!canonical.empty() && canonical.back() == '\n') canonical.pop_back();
  std::replace(canonical.begin(), canonical.end(), '\n', ',');
  auto r = only_event("config");
  EXPECT_EQ(str(r, "param"), "whitelist");
  EXPECT_EQ(str(r, "old"), "");
  EXPECT_EQ(str(r, "new"), canonical);
  EXPECT_EQ(num(r, "tid"), gettid());
  EXPECT_EQ(str(r, "exe"), self_exe());
  EXPECT_EQ(str(r, "cgroup"), self_cgroup());

  // A rule set too long for the record is given by its fingerprint.
  std::string many;
  for (int i = 0; i < 40; i++) many += fmt::format("/opt/tool{}|p{},", i, i);
  ASSERT_TRUE(write_file(wl, many));
  r = only_event("config");
  EXPECT_EQ(str(r, "old"), canonical);
  EXPECT_EQ(str(r, "new").rfind("fnv1a64:", 0), 0u) << str(r, "new");
  EXPECT_NE(str(r, "new").find(" entries=40 bytes="), std::string::npos);
  // A refused write changes nothing, and says nothing.
  EXPECT_FALSE(write_file(wl, "not-a-path"));
  EXPECT_EQ(records_of(getpid(), "config").size(), 0u);
  ASSERT_TRUE(write_file(wl, "\n"));
  EXPECT_EQ(str(only_event("config"), "new"), "");

  // The unload, seen by a reader that follows the device across it.
  pid_t follower = spawn([] {
    int fd = open("/tmp/follow.json", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    execlp(reader().c_str(), "netlog-reader", "--format", "json", nullptr);
    return 127;
  });
  for (int t = 0; t < 300 && !holds_device(follower); t++)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(run({"rmmod", "netlog"}).code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(follower, SIGTERM);
  EXPECT_EQ(wait_exit(follower), 0);
  ASSERT_EQ(run({"insmod", module("netlog")}).code, 0);
  std::optional<Rec> unload;
  std::istringstream lines(read_file("/tmp/follow.json"));
  for (std::string line; std::getline(lines, line);)
    if (auto rec = parse_json_line(line); rec && str(*rec, "event") == "config")
      unload = rec;
  ASSERT_TRUE(unload);
  EXPECT_EQ(str(*unload, "param"), "unload");
  EXPECT_EQ(str(*unload, "old"),
            fmt::format("probes={} whitelist_entries=0", default_probes()));
  EXPECT_EQ(str(*unload, "new"), "");
  EXPECT_EQ(str(*unload, "comm"), "rmmod");
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

// Three processes of uid 1000 flood a small ring that nobody reads, while
// root and uid 1001 go about their business: only uid 1000 loses records,
// the LOST records say so, and every record is delivered or counted lost.
TEST_F(E2E, FloodingUidLosesOnlyItsOwnRecords) {
  // The flooder may hold half of it; root's and uid 1001's 100 records
  // (about 30 KiB) fit in the other half with room to spare.
  reload("capacity=131072");
  const uint16_t closed = closed_port(AF_INET, "127.0.0.1");
  std::vector<pid_t> flood;
  for (int i = 0; i < 3; i++)
    flood.push_back(spawn([] {
      drop_to_user();
      prctl(PR_SET_NAME, "nl-flood");
      udp_loop(9);
      return 0;
    }));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  constexpr int kRoot = 20, kOther = 20;
  for (int i = 0; i < kRoot; i++)
    ASSERT_EQ(
        connect_from_thread(AF_INET, "127.0.0.1", closed, "nl-root").result,
        -ECONNREFUSED);
  const auto [other, ok] = in_child([]() -> int64_t {
    if (setgid(1001) || setuid(1001)) return -1;
    for (int i = 0; i < kOther; i++) {
      int fd = socket(AF_INET, SOCK_DGRAM, 0);
      socklen_t len;
      auto ss = make_addr(AF_INET, "127.0.0.1", 0, &len);
      if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -1;
      close(fd);
    }
    return 1;
  });
  ASSERT_EQ(ok, 1);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (pid_t p : flood) kill(p, SIGKILL);
  for (pid_t p : flood) wait_exit(p);

  auto d = read_all();
  int64_t expect_seq = 0, lost = 0, lost_1000 = 0, lost_records = 0;
  std::map<int64_t, int64_t> delivered;  // per uid
  int root_recs = 0, other_recs = 0;
  for (const auto& r : d.recs) {
    EXPECT_EQ(num(r, "seq"), expect_seq) << "sequence gap";
    if (str(r, "event") == "lost") {
      lost_records++;
      lost += num(r, "count");
      expect_seq += num(r, "count");
      EXPECT_EQ(num(r, "other"), 0) << "a drop charged to nobody";
      for (const auto& [uid, n] : lost_by_uid(r)) {
        EXPECT_EQ(uid, 1000) << "uid " << uid << " lost " << n;
        lost_1000 += uid == 1000 ? n : 0;
      }
      continue;
    }
    expect_seq++;
    delivered[num(r, "uid")]++;
    root_recs += num(r, "pid") == getpid() && str(r, "comm") == "nl-root";
    other_recs += num(r, "pid") == other;
  }
  EXPECT_GT(lost_records, 0) << "the flood never filled its share";
  EXPECT_EQ(lost_1000, lost);
  EXPECT_EQ(root_recs, 3 * kRoot);    // connect, connect_done, close each
  EXPECT_EQ(other_recs, 2 * kOther);  // bind, close each
  int64_t produced = 0;
  for (const auto& [uid, n] : delivered) produced += n;
  produced += lost;
  EXPECT_EQ(produced, expect_seq);
  fmt::print(
      "flood: uid 1000 delivered {} lost {} in {} LOST records; root {} "
      "and uid 1001 {} records, all delivered\n",
      delivered[1000], lost_1000, lost_records, root_recs, other_recs);
  reload();
}

// A rootless container: root maps 65,536 subordinate uids into a user
// namespace that uid 1000 made (as newuidmap does), and 64 processes in it,
// each as its own uid, flood connects. Together they are their user's one
// share of the ring: root's connects are all recorded, every drop is
// charged to uid 1000 and named so, and the records that fit keep the uids
// the processes had (100001 to 100064).
TEST_F(E2E, RootlessContainerFloodIsChargedToItsUser) {
  constexpr int kBox = 64, kRoot = 20;
  constexpr uid_t kBase = 100000;
  reload("capacity=65536");
  const uint16_t closed = closed_port(AF_INET, "127.0.0.1");
  int ready[2], go[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(go), 0);
  const pid_t box = spawn([&] {
    setpgid(0, 0);
    drop_to_user();
    char b = 'u';
    if (unshare(CLONE_NEWUSER) || write(ready[1], &b, 1) != 1) return 1;
    if (read(go[0], &b, 1) != 1) return 2;  // root has written the maps
    if (setresgid(0, 0, 0) || setresuid(0, 0, 0)) return 3;
    std::vector<pid_t> kids;
    for (uid_t i = 1; i <= kBox; i++)
      kids.push_back(spawn([i, closed] {
        if (setresgid(i, i, i) || setresuid(i, i, i)) return 1;
        prctl(PR_SET_NAME, "nl-box");
        connect_loop(closed, -1);
        return 0;
      }));
    for (pid_t k : kids) wait_exit(k);
    return 0;
  });
  char b;
  ASSERT_EQ(read(ready[0], &b, 1), 1);
  const std::string map = fmt::format("0 {} 65536\n", kBase);
  ASSERT_TRUE(write_file(fmt::format("/proc/{}/uid_map", box), map));
  ASSERT_TRUE(write_file(fmt::format("/proc/{}/gid_map", box), map));
  ASSERT_EQ(write(go[1], &b, 1), 1);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  for (int i = 0; i < kRoot; i++)
    ASSERT_EQ(
        connect_from_thread(AF_INET, "127.0.0.1", closed, "nl-root").result,
        -ECONNREFUSED);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  kill(-box, SIGKILL);
  wait_exit(box);

  int64_t lost = 0, lost_1000 = 0, root_recs = 0;
  std::set<int64_t> box_uids;
  for (const auto& r : read_all().recs) {
    if (str(r, "event") == "lost") {
      lost += num(r, "count");
      EXPECT_EQ(num(r, "other"), 0) << "a drop charged to no user";
      for (const auto& [uid, n] : lost_by_uid(r)) {
        EXPECT_EQ(uid, 1000) << "uid " << uid << " lost " << n;
        lost_1000 += uid == 1000 ? n : 0;
      }
      continue;
    }
    root_recs += num(r, "pid") == getpid() && str(r, "comm") == "nl-root";
    if (str(r, "comm") == "nl-box") box_uids.insert(num(r, "uid"));
  }
  EXPECT_GT(lost, 0) << "the flood never filled its share";
  EXPECT_EQ(lost_1000, lost);
  EXPECT_EQ(root_recs, 3 * kRoot);  // connect, connect_done, close each
  // Their one share holds few records: those of the first few uids.
  EXPECT_FALSE(box_uids.empty());
  for (int64_t uid : box_uids) {
    EXPECT_GT(uid, kBase);
    EXPECT_LE(uid, kBase + kBox);
  }
  fmt::print(
      "rootless flood: {} uids recorded, {} records lost, all uid 1000's; "
      "root {} records\n",
      box_uids.size(), lost, root_recs);
  reload();
}

}  // namespace
}  // namespace e2e
