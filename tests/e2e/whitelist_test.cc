// The whitelist parameter, proved by traffic: what it silences, what it
// does not, bad writes that keep the old rules, and rewrites under load.
#include <sys/mount.h>
#include <sys/syscall.h>

#include "e2e.h"

namespace e2e {
namespace {

const std::string kWhitelist = "/sys/module/netlog/parameters/whitelist";

class Whitelist : public E2E {
 protected:
  void TearDown() override {
    EXPECT_TRUE(write_file(kWhitelist, "\n"));
    EXPECT_TRUE(
        write_file("/sys/module/netlog/parameters/probes", default_probes()));
  }
};

// A listener on a fixed port of 0.0.0.0, so 127.0.0.x all reach it.
struct PortListener {
  int fd;
  PortListener(uint16_t port) {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    socklen_t len;
    auto ss = make_addr(AF_INET, "0.0.0.0", port, &len);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&ss), len), 0);
    EXPECT_EQ(listen(fd, 128), 0);
  }
  ~PortListener() { close(fd); }
};

// Connects; returns the number of connect records of ours to addr:port.
int recorded(const std::string& addr, uint16_t port) {
  EXPECT_EQ(connect_from_thread(AF_INET, addr, port, "nl-wl").result, 0);
  int n = 0;
  for (const auto& r : records_of(getpid(), "connect"))
    n += str(r, "raddr") == addr && num(r, "rport") == port;
  return n;
}

int64_t filtered_connects() { return probe_count("tcp_connect", "filtered"); }

TEST_F(Whitelist, SilencesOnlyWhatMatches) {
  PortListener a(20000), b(20001);
  const int64_t before = filtered_connects();
  ASSERT_TRUE(write_file(kWhitelist, self_exe() + "|i<127.0.0.1>|p<20000>"));
  EXPECT_EQ(recorded("127.0.0.1", 20000), 0);
  EXPECT_EQ(filtered_connects(), before + 1);
  EXPECT_EQ(recorded("127.0.0.1", 20001), 1);  // other port
  EXPECT_EQ(recorded("127.0.0.2", 20000), 1);  // other address
  // Another executable to the same place is recorded.
  auto recs = nc_run([] {
    execl("/bin/busybox", "nc", "127.0.0.1", "20000", nullptr);
    return 127;
  });
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(str(recs[0], "exe"), "/bin/busybox");
  EXPECT_EQ(num(recs[0], "rport"), 20000);
}

TEST_F(Whitelist, CidrAndPortRangeEdges) {
  PortListener a(20000), b(20001), c(20002), d(20003);
  ASSERT_TRUE(write_file(kWhitelist, self_exe() + "|i<127.0.0.0/31>"));
  EXPECT_EQ(recorded("127.0.0.1", 20000), 0);
  EXPECT_EQ(recorded("127.0.0.2", 20000), 1);
  ASSERT_TRUE(write_file(kWhitelist, self_exe() + "|p<20001-20002>"));
  EXPECT_EQ(recorded("127.0.0.1", 20000), 1);
  EXPECT_EQ(recorded("127.0.0.1", 20001), 0);
  EXPECT_EQ(recorded("127.0.0.1", 20002), 0);
  EXPECT_EQ(recorded("127.0.0.1", 20003), 1);
}

TEST_F(Whitelist, LocalPortRuleSilencesAServersAccepts) {
  ASSERT_TRUE(write_file(kWhitelist, self_exe() + "|l<20010>"));
  PortListener l(20010);
  Endpoint client;
  pid_t tid = 0;
  std::thread t([&] {
    tid = gettid();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", 20010, &len);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&ss), len), 0);
    client = local_of(fd);
    close(fd);
  });
  t.join();
  close(accept(l.fd, nullptr, nullptr));
  auto recs = read_all().recs;
  int accepts = 0, listens = 0, connects = 0;
  for (const auto& r : recs) {
    if (num(r, "pid") != getpid()) continue;
    accepts += str(r, "event") == "accept";
    listens += str(r, "event") == "listen";
    connects += str(r, "event") == "connect" && num(r, "tid") == tid &&
                num(r, "lport") == client.port;
  }
  EXPECT_EQ(accepts, 0);
  EXPECT_EQ(listens, 0);
  EXPECT_EQ(connects, 1);  // the client side has port 20010 as remote
}

// A datagram socket's bind and connect that a rule silences whatever they
// return are decided at their entry, and not followed: still filtered and
// counted, and the socket's DGRAM count still begins there, so its close,
// recorded once the rule is gone, says what it carried. A rule on the local
// port waits for the call's return; a disconnect (AF_UNSPEC) too, for the
// peer it leaves.
TEST_F(Whitelist, DatagramCallsAreDecidedAtTheirEntry) {
  const int64_t binds = probe_count("udp_bind", "filtered");
  const int64_t connects = probe_count("udp_connect", "filtered");
  ASSERT_TRUE(write_file(
      kWhitelist, self_exe() + "|i<127.0.0.1>\n" + self_exe() + "|l<20020>"));
  socklen_t len;
  auto peer = make_addr(AF_INET, "127.0.0.1", 9, &len);
  const auto to_peer = [&](int fd) {
    return connect(fd, reinterpret_cast<sockaddr*>(&peer), len);
  };
  // Silenced at the entry: its only call, so its DGRAM begins there.
  int entry = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(to_peer(entry), 0);
  // Silenced at the return, by the port it gets.
  int at_return = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(bind_to(at_return, AF_INET, "127.0.0.1", 20020), 0);
  // Recorded: another port, and a disconnect.
  int other = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(bind_to(other, AF_INET, "127.0.0.1", 20021), 0);
  ASSERT_EQ(to_peer(other), 0);
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  ASSERT_EQ(connect(other, &unspec, sizeof(unspec)), 0);
  ASSERT_TRUE(write_file(kWhitelist, "\n"));
  for (int fd : {entry, at_return, other}) close(fd);

  EXPECT_EQ(probe_count("udp_bind", "filtered"), binds + 1);
  EXPECT_EQ(probe_count("udp_connect", "filtered"), connects + 2);
  int bound = 0, disconnected = 0, closed = 0;
  for (const auto& r : read_all().recs) {
    if (num(r, "pid") != getpid() || !r.count("proto") ||
        str(r, "proto") != "udp")
      continue;  // (the whitelist's config records)
    const auto event = str(r, "event");
    if (event == "bind") {
      ++bound;
      EXPECT_EQ(num(r, "lport"), 20021);
    } else if (event == "connect") {
      ++disconnected;
      EXPECT_EQ(num(r, "rport"), 0);
      EXPECT_EQ(num(r, "lport"), 20021);
    } else if (event == "close") {
      ++closed;
      EXPECT_EQ(num(r, "datagrams_sent"), 0) << num(r, "lport");
      EXPECT_GT(num(r, "duration_ns"), 0) << num(r, "lport");
    }
  }
  EXPECT_EQ(bound, 1);
  EXPECT_EQ(disconnected, 1);
  EXPECT_EQ(closed, 3);
}

// The process cache keeps what the rules say of an exe alone (a rule for it
// and nothing else, or none): a change of the rules reaches a process it
// knows at its next call, either way.
TEST_F(Whitelist, ARulesChangeReachesACachedProcessAtOnce) {
  socklen_t len;
  auto peer = make_addr(AF_INET, "127.0.0.1", 9, &len);
  const auto connects = [&] {
    for (int i = 0; i < 3; i++) {
      const int fd = socket(AF_INET, SOCK_DGRAM, 0);
      EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&peer), len), 0);
      close(fd);
    }
    int n = 0;
    for (const auto& r : records_of(getpid(), "connect"))
      n += num(r, "rport") == 9;
    return n;
  };
  const std::string bare = self_exe();
  for (const auto& [rules, recorded] :
       std::vector<std::pair<std::string, int>>{{bare, 0},
                                                {bare + "|p<1>", 3},
                                                {bare, 0},
                                                {"/nonexistent", 3},
                                                {bare, 0}}) {
    ASSERT_TRUE(write_file(kWhitelist, rules));
    EXPECT_EQ(connects(), recorded) << rules;
  }
}

TEST_F(Whitelist, CanonicalReadBackAndClear) {
  ASSERT_TRUE(
      write_file(kWhitelist,
                 "/usr/bin/backup|i10.0.0.0/8|r873 , /usr/sbin/sshd|l22\n"
                 "/x|i<FD00::/8>\n"));
  const std::string canonical =
      "/usr/bin/backup|i<10.0.0.0/8>|p<873>\n/usr/sbin/sshd|l<22>\n"
      "/x|i<fd00::/8>\n";
  EXPECT_EQ(read_file(kWhitelist), canonical);
  ASSERT_TRUE(write_file(kWhitelist, canonical));
  EXPECT_EQ(read_file(kWhitelist), canonical);
  ASSERT_TRUE(write_file(kWhitelist, "\n"));
  EXPECT_EQ(read_file(kWhitelist), "");
}

TEST_F(Whitelist, BadWriteKeepsTheOldRules) {
  PortListener a(20000);
  const std::string good = self_exe() + "|p<20000>";
  ASSERT_TRUE(write_file(kWhitelist, good));
  EXPECT_FALSE(write_file(kWhitelist, self_exe() + "|p<20000>,/x|p<99999>"));
  EXPECT_EQ(errno, EINVAL);
  EXPECT_FALSE(write_file(kWhitelist, "relative/path"));
  EXPECT_EQ(read_file(kWhitelist), good + "\n");
  EXPECT_EQ(recorded("127.0.0.1", 20000), 0);  // still in force
  const auto log = run({"dmesg"}).out;
  EXPECT_NE(log.find("netlog: whitelist entry 2 \"/x|p<99999>\": bad port "
                     "(0-65535, or a range lo-hi); rules unchanged"),
            std::string::npos);
  EXPECT_NE(log.find("netlog: whitelist entry 1 \"relative/path\": executable "
                     "path must be absolute; rules unchanged"),
            std::string::npos);
}

TEST_F(Whitelist, ParameterAtLoadTime) {
  ASSERT_EQ(run({"rmmod", "netlog"}).code, 0);
  auto p = run({"insmod", module("netlog"), "whitelist=/bin/x|p<1-2>"});
  EXPECT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(read_file(kWhitelist), "/bin/x|p<1-2>\n");
  ASSERT_EQ(run({"rmmod", "netlog"}).code, 0);
  p = run({"insmod", module("netlog"), "whitelist=bin/x"});
  EXPECT_NE(p.code, 0);
  EXPECT_NE(p.err.find("Invalid argument"), std::string::npos) << p.err;
  EXPECT_NE(access("/sys/module/netlog", F_OK), 0);
  p = run({"insmod", module("netlog")});
  ASSERT_EQ(p.code, 0) << p.err;
}

TEST_F(Whitelist, WritableByRootOnly) {
  struct stat st {};
  ASSERT_EQ(stat(kWhitelist.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  pid_t child = spawn([] {
    drop_to_user();
    return open(kWhitelist.c_str(), O_WRONLY) < 0 && errno == EACCES ? 0 : 1;
  });
  EXPECT_EQ(wait_exit(child), 0);
}

// ---- a whitelisted path borrowed through a namespace or a chroot ----------

// On the root mount: on PREEMPT_RT an exe on another mount is only known by
// its path inside that mount, flagged as cut, and never whitelisted.
const std::string kAllowed = "/nl-allowed";

// `kAllowed nc 127.0.0.1 port`, after `setup`.
std::vector<Rec> nc_as(uint16_t port, const std::function<bool()>& setup) {
  return nc_run([&] {
    if (!setup()) return 126;
    execl(kAllowed.c_str(), "nc", "127.0.0.1", std::to_string(port).c_str(),
          nullptr);
    return 127;
  });
}

// The exe of a borrowed path's record: kAllowed, or, on PREEMPT_RT, cut
// where the lock-free walk stopped, at the root of the file's mount.
void expect_borrowed_exe(const Rec& r) {
  if (r.count("truncated")) {
    EXPECT_EQ(str(r, "truncated"), "exe");
  } else {
    EXPECT_EQ(str(r, "exe"), kAllowed);
  }
}

class BorrowedPath : public Whitelist {
 protected:
  void SetUp() override {
    Whitelist::SetUp();
    ASSERT_EQ(run({"cp", "/bin/busybox", kAllowed}).code, 0);
    ASSERT_EQ(run({"cp", "/bin/busybox", "/nl-evil"}).code, 0);
    ASSERT_EQ(run({"mkdir", "-p", "/nl-jail"}).code, 0);
    ASSERT_EQ(run({"cp", "/bin/busybox", "/nl-jail" + kAllowed}).code, 0);
    ASSERT_TRUE(write_file(kWhitelist, kAllowed));
  }
  void TearDown() override {
    run({"rm", "-rf", kAllowed, "/nl-evil", "/nl-jail"});
    Whitelist::TearDown();
  }
  PortListener l{20000};
};

// The rule works: the real file at that path, run on the host, is silenced.
TEST_F(BorrowedPath, TheHostsFileIsSilenced) {
  EXPECT_EQ(nc_as(20000, [] { return true; }).size(), 0u);
}

TEST_F(BorrowedPath, BindMountInAUserMountNamespaceIsRecordedAndFlagged) {
  auto recs = nc_as(20000, [] {
    return user_namespace(CLONE_NEWNS) &&
           mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
           mount("/nl-evil", kAllowed.c_str(), nullptr, MS_BIND, nullptr) == 0;
  });
  ASSERT_EQ(recs.size(), 1u);
  expect_borrowed_exe(recs[0]);
  EXPECT_EQ(num(recs[0], "exe_ns"), 1);
  EXPECT_EQ(num(recs[0], "uid"), kUser);
  EXPECT_EQ(num(recs[0], "rport"), 20000);
}

// A file on a mount the host's root cannot reach: uid 1000, root of its own
// user and mount namespace, makes a detached tmpfs (fsopen, fsmount) with
// busybox at kAllowed in it, and passes the file to its parent, still uid
// 1000 in the host's namespaces, which runs it by fd. d_path() names such a
// file from its own mount's root: the exe reads kAllowed, and only the
// reachability check keeps it from the rule.
// In a user and mount namespace of its own: a detached tmpfs with busybox
// at kAllowed, opened for exec. -1 on failure.
int file_on_a_detached_mount() {
  if (!user_namespace(CLONE_NEWNS)) return -1;
  int fs = fsopen("tmpfs", 0);
  if (fs < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0))
    return -1;
  int mnt = fsmount(fs, 0, 0);
  const std::string name = kAllowed.substr(1);
  int out = openat(mnt, name.c_str(), O_WRONLY | O_CREAT, 0755);
  int in = open("/bin/busybox", O_RDONLY);
  if (mnt < 0 || out < 0 || in < 0) return -1;
  char buf[65536];
  ssize_t n;
  while ((n = read(in, buf, sizeof(buf))) > 0)
    if (write(out, buf, n) != n) return -1;
  close(out);
  return openat(mnt, name.c_str(), O_RDONLY);
}

TEST_F(BorrowedPath, FileOnAMountTheHostCannotReachIsRecordedAndFlagged) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
  auto recs = nc_run([&] {
    pid_t maker = spawn([&] {
      int fd = file_on_a_detached_mount();
      return fd >= 0 && pass_fd(sv[1], fd) == 0 ? 0 : 1;
    });
    if (wait_exit(maker) != 0) return 125;
    int fd = take_fd(sv[0]);
    drop_to_user();
    const char* argv[] = {"nc", "127.0.0.1", "20000", nullptr};
    syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
    return 126;
  });
  ASSERT_EQ(recs.size(), 1u) << "the rule silenced a file of another mount";
  expect_borrowed_exe(recs[0]);
  // (PREEMPT_RT's walk flags the path cut instead.)
  if (!recs[0].count("truncated")) {
    EXPECT_EQ(num(recs[0], "exe_ns"), 1);
  }
  EXPECT_EQ(num(recs[0], "uid"), kUser);
  EXPECT_EQ(num(recs[0], "rport"), 20000);
}

// In a user namespace of its own, with the host's mounts and root, uid 1000
// runs the very file the rule names; but the root of that namespace could
// have pointed the process's exe at that file with prctl(PR_SET_MM_MAP) and
// run anything, so no task in it is whitelisted by its exe.
TEST_F(BorrowedPath, AUserNamespaceIsRecordedAndFlagged) {
  auto recs = nc_as(20000, [] { return user_namespace(0); });
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(str(recs[0], "exe"), kAllowed);
  EXPECT_EQ(num(recs[0], "exe_ns"), 1);
  EXPECT_EQ(num(recs[0], "uid"), kUser);
}

TEST_F(BorrowedPath, ChrootIsRecordedAndFlagged) {
  auto recs = nc_as(20000, [] {
    return user_namespace(0) && chroot("/nl-jail") == 0 && chdir("/") == 0;
  });
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(str(recs[0], "exe"), kAllowed);  // as the jailed task sees it
  EXPECT_EQ(num(recs[0], "exe_ns"), 1);
  EXPECT_EQ(num(recs[0], "uid"), kUser);
}

// Rule rewrites race with the probes' lock-free reads: nothing not
// whitelisted may go missing, and nothing may be lost.
TEST_F(Whitelist, ThousandRewritesWhileConnecting) {
  // 1,000 config records and 3,200 of the loops, all root's, unread until
  // the end: more than root's half of the default ring.
  reload("capacity=4194304");
  ASSERT_TRUE(write_file("/sys/module/netlog/parameters/probes", "1"));
  const uint16_t port = closed_port(AF_INET, "127.0.0.1");
  constexpr int kConnects = 800;
  std::vector<pid_t> loops;
  for (int i = 0; i < 2; i++) {
    loops.push_back(spawn([port] {
      connect_loop(port, kConnects);
      return 0;
    }));
  }
  for (int i = 0; i < 1000; i++) {
    const std::string rules =
        i % 2 ? "/nonexistent/a|p<" + std::to_string(i) + ">"
              : "/nonexistent/b|i<10.0.0.0/8>,/nonexistent/c|l<1-" +
                    std::to_string(i + 1) + ">";
    ASSERT_TRUE(write_file(kWhitelist, rules));
  }
  for (pid_t p : loops) EXPECT_EQ(wait_exit(p), 0);

  auto d = read_all();
  std::map<int64_t, int> per_pid;
  int64_t expect_seq = -1;
  for (const auto& r : d.recs) {
    ASSERT_NE(str(r, "event"), "lost");
    if (expect_seq >= 0) {
      EXPECT_EQ(num(r, "seq"), expect_seq);
    }
    expect_seq = num(r, "seq") + 1;
    per_pid[num(r, "pid")]++;
  }
  // A connect and its connect_done each.
  for (pid_t p : loops) EXPECT_EQ(per_pid[p], 2 * kConnects);
  EXPECT_EQ(d.proc.err, "");
  reload();
}

}  // namespace
}  // namespace e2e
