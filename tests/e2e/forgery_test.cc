// uid 1000 trying to make the trail lie, or to make netlog itself the tool
// of a kernel memory bug: a forged exe (prctl PR_SET_MM_MAP from a CLONE_VM
// child in a user namespace of its own), exe switches racing exits, and a
// raw socket of protocol TCP. On the debug kernel KASAN and lockdep watch
// every one of them (the VM's verdict fails on any report).
#include <linux/prctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <atomic>
#include <cctype>

#include "e2e.h"

namespace e2e {
namespace {

const std::string kWhitelist = "/sys/module/netlog/parameters/whitelist";
// Files a forger points its exe at: copies of busybox, root's, mode 0755.
const std::string kForged = "/nl-forged";
const std::string kForged2 = "/nl-forged2";

// Maps every mapping of this process's exe anew, from a memfd copy of its
// bytes: replace_mm_exe_file() refuses to change an exe that is still
// mapped. Single-threaded callers (the copy must not change under us).
bool unmap_exe() {
  struct Map {
    uintptr_t start, end;
    int prot;
  };
  const std::string exe = self_exe();
  std::vector<Map> maps;
  std::ifstream in("/proc/self/maps");
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    std::string range, perms, off, dev, inode, path;
    l >> range >> perms >> off >> dev >> inode;
    std::getline(l >> std::ws, path);
    if (path != exe) continue;
    const auto dash = range.find('-');
    maps.push_back({std::stoull(range.substr(0, dash), nullptr, 16),
                    std::stoull(range.substr(dash + 1), nullptr, 16),
                    (perms[0] == 'r' ? PROT_READ : 0) |
                        (perms[1] == 'w' ? PROT_WRITE : 0) |
                        (perms[2] == 'x' ? PROT_EXEC : 0)});
  }
  if (maps.empty()) return false;
  for (const auto& m : maps) {
    const size_t len = m.end - m.start;
    void* at = reinterpret_cast<void*>(m.start);
    const int fd = memfd_create("nl-copy", 0);
    if (fd < 0) return false;
    const bool filled = m.prot & PROT_READ
                            ? write(fd, at, len) == static_cast<ssize_t>(len)
                            : ftruncate(fd, static_cast<off_t>(len)) == 0;
    const bool mapped =
        filled && mmap(at, len, m.prot, MAP_PRIVATE | MAP_FIXED, fd, 0) == at;
    close(fd);
    if (!mapped) return false;
  }
  return true;
}

// The mm's own layout, as PR_SET_MM_MAP must be given it (from
// /proc/self/stat, whose fields after the comm are 3 on).
bool current_map(prctl_mm_map* map) {
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  std::istringstream f(stat.substr(stat.rfind(')') + 2));
  std::vector<uint64_t> v(3, 0);  // fields 1 and 2, and 0 for none
  for (std::string s; f >> s;)    // state (field 3) is a letter
    v.push_back(std::isdigit(static_cast<unsigned char>(s[0])) ? std::stoull(s)
                                                               : 0);
  if (v.size() < 52) return false;
  *map = {};
  map->start_code = v[26];
  map->end_code = v[27];
  map->start_stack = v[28];
  map->start_data = v[45];
  map->end_data = v[46];
  map->start_brk = v[47];
  map->brk = static_cast<uint64_t>(syscall(SYS_brk, 0));
  map->arg_start = v[48];
  map->arg_end = v[49];
  map->env_start = v[50];
  map->env_end = v[51];
  map->exe_fd = static_cast<uint32_t>(-1);
  return true;
}

// What a CLONE_VM child in a new user namespace, root there, does to the
// mm it shares with its parent: points its exe at each file, in turn,
// `times` times, opening and closing it each time (so that the mm holds
// the only reference, which the next switch drops).
struct Switcher {
  prctl_mm_map map;
  std::vector<std::string> files;
  int times = 1;
  std::atomic<int> done{0};
  std::atomic<int> error{0};
};

int switch_exe(void* arg) {
  auto* s = static_cast<Switcher*>(arg);
  for (int i = 0; i < s->times; i++) {
    prctl_mm_map map = s->map;
    const int fd = static_cast<int>(
        syscall(SYS_openat, AT_FDCWD, s->files[i % s->files.size()].c_str(),
                O_RDONLY | O_CLOEXEC));
    map.exe_fd = static_cast<uint32_t>(fd);
    const long r =
        syscall(SYS_prctl, PR_SET_MM, PR_SET_MM_MAP, &map, sizeof(map), 0);
    syscall(SYS_close, fd);
    if (r && !s->error) s->error = errno;
    s->done++;
  }
  return 0;
}

// A task sharing our mm: its own stack, freed once it has been waited for.
struct VmChild {
  static constexpr size_t kStack = 256 * 1024;
  void* stack = nullptr;
  pid_t pid = -1;
  VmChild(int (*fn)(void*), void* arg, int flags) {
    stack = mmap(nullptr, kStack, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack != MAP_FAILED)
      pid = clone(fn, static_cast<char*>(stack) + kStack, flags | SIGCHLD, arg);
  }
  int wait() {
    int status = 0;
    if (pid > 0) waitpid(pid, &status, __WALL);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  }
  ~VmChild() {
    if (stack != MAP_FAILED) munmap(stack, kStack);
  }
  VmChild(const VmChild&) = delete;
};

constexpr int kShare = CLONE_VM | CLONE_NEWUSER;

// The forger's setup, as uid 1000 in the host's namespaces: its exe file
// unmapped, and a child of another user namespace sharing its mm that
// points its exe at `files`, `times` times. 0, or the step that failed.
int forge(Switcher& s, const std::vector<std::string>& files, int times) {
  drop_to_user();
  prctl(PR_SET_DUMPABLE, 1);
  prctl(PR_SET_NAME, "nl-forge");
  if (!unmap_exe()) return 101;
  if (!current_map(&s.map)) return 102;
  s.files = files;
  s.times = times;
  VmChild child(switch_exe, &s, kShare);
  if (child.pid < 0) return 103;
  if (child.wait() != 0) return 104;
  return s.error ? 105 : 0;
}

class Forgery : public E2E {
 protected:
  void SetUp() override {
    E2E::SetUp();
    ASSERT_EQ(run({"cp", "/bin/busybox", kForged}).code, 0);
    ASSERT_EQ(run({"cp", "/bin/busybox", kForged2}).code, 0);
  }
  void TearDown() override {
    EXPECT_TRUE(write_file(kWhitelist, "\n"));
    run({"rm", "-f", kForged, kForged2});
  }
};

// The attack: uid 1000 forges its exe to a path a rule names, and
// connects. The kernel now says the forged path (/proc/self/exe reads it),
// but the record is flagged, carries the binary exec loaded, and the rule
// does not apply; without a rule, the same.
TEST_F(Forgery, ForgedExeIsFlaggedAndNeverWhitelisted) {
  const std::string loaded = self_exe();
  for (bool rule : {true, false}) {
    SCOPED_TRACE(rule ? "with a rule for the forged path" : "no rule");
    ASSERT_TRUE(write_file(kWhitelist, rule ? kForged : "\n"));
    Listener l(AF_INET, "127.0.0.1");
    const uint16_t port = l.port;
    auto c = in_child([&]() -> int64_t {
      Switcher s;
      if (int err = forge(s, {kForged}, 1)) return -err;
      if (self_exe() != kForged) return -110;
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      socklen_t len;
      auto ss = make_addr(AF_INET, "127.0.0.1", port, &len);
      if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -111;
      const int64_t lport = local_of(fd).port;
      close(fd);
      return lport;
    });
    ASSERT_GT(c.value, 0) << "setup step " << -c.value << " failed";
    auto recs = read_all().recs;
    auto r = one(recs, c.pid, "connect", "tcp");
    Expect e;
    e.pid = e.tid = c.pid;
    e.ppid = getpid();
    e.uid = e.gid = kUser;
    e.user = "user";
    e.comm = "nl-forge";
    e.exe = kForged;
    e.exe_loaded = loaded;
    e.laddr = e.raddr = "127.0.0.1";
    e.lport = c.value;
    e.rport = port;
    e.result = kInProgress;
    expect_record(r, e);
    // Its close too, made by the exiting process from its kept exe.
    e.event = "close";
    e.result = 0;
    e.established = 1;
    expect_record(one(recs, c.pid, "close", "tcp"), e);
  }
}

// A child of the forger's that merely shares its mm from another user
// namespace, and changes nothing, is enough: its root could.
TEST_F(Forgery, AnMmSharedWithAnotherUserNamespaceIsFlagged) {
  const std::string loaded = self_exe();
  auto c = in_child([&]() -> int64_t {
    drop_to_user();
    prctl(PR_SET_NAME, "nl-share");
    VmChild child([](void*) { return 0; }, nullptr, kShare);
    if (child.pid < 0 || child.wait() != 0) return -1;
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", 0, &len);
    if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -2;
    const int64_t lport = local_of(fd).port;
    close(fd);
    return lport;
  });
  ASSERT_GT(c.value, 0);
  auto recs = read_all().recs;
  auto r = one(recs, c.pid, "bind", "udp");
  EXPECT_EQ(str(r, "exe"), loaded);
  EXPECT_EQ(num(r, "exe_set"), 1);
  EXPECT_EQ(str(r, "exe_loaded"), loaded);
  EXPECT_EQ(num(r, "uid"), kUser);
  EXPECT_EQ(num(r, "lport"), c.value);
}

// Siblings of one mm exit while CLONE_VM children of another user namespace
// switch its exe between two files whose fds they close: each switch drops
// the last reference to the file before, while an exiting sibling takes
// one for its close records. A fixed number of rounds; every sibling's
// close is recorded, flagged, with a file that still existed, and on the
// debug kernel KASAN sees no use after free.
TEST_F(Forgery, ExeSwitchesRacingExitsFreeNothingInUse) {
  constexpr int kRounds = 20, kSiblings = 16, kSwitches = 400;
  const std::string loaded = self_exe();
  auto c = in_child([&]() -> int64_t {
    Switcher first;
    if (int err = forge(first, {kForged}, 1)) return -err;
    Switcher s;
    s.map = first.map;
    s.files = {kForged2, kForged};
    s.times = kSwitches;
    VmChild a(switch_exe, &s, kShare), b(switch_exe, &s, kShare);
    if (a.pid < 0 || b.pid < 0) return -120;
    int64_t exited = 0;
    for (int round = 0; round < kRounds; round++) {
      std::vector<std::unique_ptr<VmChild>> sibs;
      for (int i = 0; i < kSiblings; i++) {
        sibs.push_back(std::make_unique<VmChild>(
            [](void*) {
              const int fd =
                  static_cast<int>(syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0));
              sockaddr_in in{};
              in.sin_family = AF_INET;
              in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
              return syscall(SYS_bind, fd, &in, sizeof(in)) ? 1 : 0;
            },
            nullptr, CLONE_VM));
      }
      for (auto& sib : sibs) exited += sib->wait() == 0;
    }
    if (a.wait() || b.wait() || s.error) return -121;
    return s.done == 2 * kSwitches ? exited : -122;
  });
  ASSERT_EQ(c.value, kRounds * kSiblings);
  int closes = 0;
  for (const auto& r : read_all().recs) {
    if (str(r, "event") != "close" || str(r, "comm") != "nl-forge") continue;
    closes++;
    EXPECT_EQ(num(r, "uid"), kUser);
    EXPECT_EQ(num(r, "exe_set"), 1);
    EXPECT_EQ(str(r, "exe_loaded"), loaded);
    const auto exe = str(r, "exe");
    EXPECT_TRUE(exe == kForged || exe == kForged2) << exe;
  }
  EXPECT_EQ(closes, kRounds * kSiblings);
}

// A fork copies the forged exe with the rest of the mm: the child's records
// are flagged and name the loaded exe too.
TEST_F(Forgery, AForkOfAForgedProcessIsFlaggedToo) {
  const std::string loaded = self_exe();
  ASSERT_TRUE(write_file(kWhitelist, kForged));
  auto c = in_child([&]() -> int64_t {
    Switcher s;
    if (int err = forge(s, {kForged}, 1)) return -err;
    const pid_t kid = spawn([] {
      const int fd = socket(AF_INET, SOCK_DGRAM, 0);
      sockaddr_in in{};
      in.sin_family = AF_INET;
      in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      return bind(fd, reinterpret_cast<sockaddr*>(&in), sizeof(in)) ? 1 : 0;
    });
    return wait_exit(kid) == 0 ? kid : -120;
  });
  ASSERT_GT(c.value, 0) << "setup step " << -c.value << " failed";
  auto r = one(read_all().recs, static_cast<pid_t>(c.value), "bind", "udp");
  EXPECT_EQ(str(r, "exe"), kForged);
  EXPECT_EQ(num(r, "exe_set"), 1);
  EXPECT_EQ(str(r, "exe_loaded"), loaded);
  EXPECT_EQ(num(r, "ppid"), c.pid);
  EXPECT_EQ(num(r, "uid"), kUser);
}

// What another process of the same user may write into one: its tracer's
// requests, process_vm_writev() and /proc/PID/mem. uid 1000 does each to a
// child of its own that then connects under a rule for its exe: recorded,
// every field, flagged preload. An untouched child is whitelisted.
char g_target_byte;

TEST_F(Forgery, AProcessAnotherWroteToIsNeverWhitelistedAsUser) {
  Listener l(AF_INET, "127.0.0.1");
  const uint16_t port = l.port;
  ASSERT_TRUE(
      write_file(kWhitelist, self_exe() + "|p<" + std::to_string(port) + ">"));
  for (const std::string how :
       {"untouched", "ptrace", "process_vm_writev", "/proc/PID/mem"}) {
    SCOPED_TRACE(how);
    read_all();
    auto c = in_child([&]() -> int64_t {
      drop_to_user();
      prctl(PR_SET_DUMPABLE, 1);  // as a user's login shell is
      int go[2];
      if (pipe(go)) return -1;
      const pid_t target = spawn([&] {
        prctl(PR_SET_NAME, "nl-target");
        char b;
        if (read(go[0], &b, 1) != 1) return 2;
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        socklen_t len;
        auto ss = make_addr(AF_INET, "127.0.0.1", port, &len);
        return connect(fd, reinterpret_cast<sockaddr*>(&ss), len) ? 3 : 0;
      });
      char b = 'x';
      void* at = &g_target_byte;
      int status = 0;
      if (how == "ptrace") {
        if (ptrace(PTRACE_SEIZE, target, nullptr, nullptr) ||
            ptrace(PTRACE_INTERRUPT, target, nullptr, nullptr) ||
            waitpid(target, &status, __WALL) != target)
          return -2;
        errno = 0;
        ptrace(PTRACE_PEEKDATA, target, at, nullptr);
        if (errno || ptrace(PTRACE_DETACH, target, nullptr, nullptr)) return -3;
      } else if (how == "process_vm_writev") {
        iovec local{&b, 1}, remote{at, 1};
        if (process_vm_writev(target, &local, 1, &remote, 1, 0) != 1) return -4;
      } else if (how == "/proc/PID/mem") {
        const std::string mem = fmt::format("/proc/{}/mem", target);
        const int fd = open(mem.c_str(), O_RDWR | O_CLOEXEC);
        const bool wrote =
            fd >= 0 && pwrite(fd, &b, 1, reinterpret_cast<off_t>(at)) == 1;
        if (fd >= 0) close(fd);
        if (!wrote) return -5;
      }
      if (write(go[1], &b, 1) != 1) return -6;
      return wait_exit(target) == 0 ? target : -7;
    });
    ASSERT_GT(c.value, 0) << "step " << -c.value << " failed";
    const auto recs = read_all().recs;
    const auto target = static_cast<pid_t>(c.value);
    if (how == "untouched") {
      EXPECT_TRUE(find(recs, target, "connect", "tcp").empty());
      continue;
    }
    Expect e;
    e.pid = e.tid = target;
    e.ppid = c.pid;
    e.uid = e.gid = kUser;
    e.user = "user";
    e.comm = "nl-target";
    e.laddr = e.raddr = "127.0.0.1";
    e.rport = port;
    e.result = kInProgress;
    e.preload = true;
    expect_record(one(recs, target, "connect", "tcp"), e);
  }
}

// ---- sockets that are not what their protocol number says ---------------

// A SOCK_RAW socket of protocol IPPROTO_TCP is a raw_sock, far smaller
// than a tcp_sock: netlog must not read it as one (the MPTCP check did).
// uid 1000, root of its own user and network namespace, binds, connects
// and closes one: three raw records, and on the debug kernel KASAN silent.
TEST_F(E2E, RawSocketOfProtocolTcpIsNotReadAsTcpAsUser) {
  for (int fam : {AF_INET, AF_INET6}) {
    SCOPED_TRACE(fam);
    int64_t netns = 0;
    int pipefd[2];
    ASSERT_EQ(pipe(pipefd), 0);
    auto c = in_child([&]() -> int64_t {
      if (!user_namespace(CLONE_NEWNET) || !loopback_up()) return -1;
      prctl(PR_SET_NAME, "nl-rawtcp");
      const int64_t ns = self_netns();
      if (write(pipefd[1], &ns, sizeof(ns)) != sizeof(ns)) return -2;
      const int fd = socket(fam, SOCK_RAW, IPPROTO_TCP);
      if (fd < 0) return -3;
      socklen_t len;
      auto ss = make_addr(fam, loopback(fam), 0, &len);
      if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -4;
      if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len)) return -5;
      const int64_t lport = local_of(fd).port;
      close(fd);
      return lport;
    });
    close(pipefd[1]);
    ASSERT_EQ(read(pipefd[0], &netns, sizeof(netns)),
              static_cast<ssize_t>(sizeof(netns)));
    close(pipefd[0]);
    ASSERT_GE(c.value, 0) << "setup step " << -c.value << " failed";
    auto recs = read_all().recs;
    for (const char* event : {"bind", "connect", "close"}) {
      SCOPED_TRACE(event);
      auto r = one(recs, c.pid, event, "raw");
      Expect e;
      e.event = event;
      e.proto = "raw";
      e.family = family_name(fam);
      e.pid = e.tid = c.pid;
      e.ppid = getpid();
      e.uid = e.gid = kUser;
      e.user = "user";
      e.comm = "nl-rawtcp";
      e.exe_ns = true;  // a task of another user namespace
      e.netns = netns;
      e.laddr = loopback(fam);
      e.lport = c.value;
      e.raddr = std::string(event) == "bind" ? any_addr(fam) : loopback(fam);
      e.rport = 0;
      if (std::string(event) == "close") e.established = 0;
      expect_record(r, e);
      EXPECT_EQ(num(r, "ipproto"), IPPROTO_TCP);
    }
  }
}

}  // namespace
}  // namespace e2e
