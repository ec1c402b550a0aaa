// execlog.ko: every execve and execveat, successful or not, with its
// arguments, as uid 1000 where it matters; and auid/ses on every record.
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <nlohmann/json.hpp>

#include "e2e.h"

namespace e2e {
namespace {

constexpr const char* kBusybox = "/bin/busybox";

class ExecLog : public E2E {
 protected:
  void SetUp() override {
    if (read_file("/sys/module/execlog/initstate").empty()) {
      auto p = run({"insmod", module("execlog")});
      ASSERT_EQ(p.code, 0) << p.err;
    }
    read_all();
  }
  void TearDown() override { EXPECT_EQ(run({"rmmod", "execlog"}).code, 0); }
};

std::vector<std::string> args_of(const Rec& r) {
  const auto j = nlohmann::json::parse(str(r, "argv"), nullptr, false);
  EXPECT_TRUE(j.is_array()) << str(r, "argv");
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& a : j) out.push_back(a.get<std::string>());
  return out;
}

// The config records among `recs` (read_all()'s own exec of the reader is
// recorded too).
std::vector<Rec> configs(const std::vector<Rec>& recs) {
  std::vector<Rec> out;
  for (const auto& r : recs)
    if (str(r, "event") == "config") out.push_back(r);
  return out;
}

std::vector<Rec> execs_of(const std::vector<Rec>& recs, pid_t pid) {
  std::vector<Rec> out;
  for (const auto& r : recs)
    if (str(r, "event") == "exec" && num(r, "pid") == pid) out.push_back(r);
  return out;
}

Rec one_exec(const std::vector<Rec>& recs, pid_t pid) {
  auto found = execs_of(recs, pid);
  EXPECT_EQ(found.size(), 1u) << "exec records of " << pid;
  return found.empty() ? Rec{} : found[0];
}

std::string real(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? buf : path;
}

// What every exec record says of who made it; the caller sets the rest.
struct ExecExpect {
  int64_t result = 0;
  std::string filename;
  std::vector<std::string> argv;
  int64_t argc = -1;  // -1: argv.size()
  // /etc, on the root file system: the lock-free path walker of PREEMPT_RT
  // kernels stops at a mount's top (/tmp is one in the VM).
  std::string comm, comm_before, exe, cwd = "/etc";
  int64_t pid = 0, tid = -1, ppid = getpid(), uid = kUser;
  std::string user = "user";
  int64_t auid = self_audit("loginuid"), ses = self_audit("sessionid");
  std::vector<std::string> env;  // loader variables, NAME=value
};

// A successful exec of "busybox true" by `pid`, named `comm_before` before.
ExecExpect busybox_true(pid_t pid, const std::string& comm_before) {
  ExecExpect e;
  e.filename = kBusybox;
  e.argv = {"busybox", "true"};
  e.comm = "busybox";
  e.comm_before = comm_before;
  e.exe = real(kBusybox);
  e.pid = pid;
  return e;
}

void expect_exec(const Rec& r, const ExecExpect& e) {
  EXPECT_EQ(str(r, "event"), "exec");
  EXPECT_EQ(num(r, "result"), e.result);
  EXPECT_EQ(str(r, "filename"), e.filename);
  EXPECT_EQ(num(r, "argc"),
            e.argc >= 0 ? e.argc : static_cast<int64_t>(e.argv.size()));
  EXPECT_EQ(args_of(r), e.argv);
  EXPECT_EQ(str(r, "comm"), e.comm);
  EXPECT_EQ(str(r, "comm_before"), e.comm_before);
  EXPECT_EQ(str(r, "exe"), e.exe);
  EXPECT_EQ(str(r, "cwd"), e.cwd);
  EXPECT_EQ(num(r, "pid"), e.pid);
  EXPECT_EQ(num(r, "tid"), e.tid >= 0 ? e.tid : e.pid);
  EXPECT_EQ(num(r, "ppid"), e.ppid);
  EXPECT_EQ(num(r, "sid"), getsid(0));
  EXPECT_EQ(num(r, "uid"), e.uid);
  EXPECT_EQ(num(r, "euid"), e.uid);
  EXPECT_EQ(num(r, "gid"), e.uid);
  EXPECT_EQ(num(r, "egid"), e.uid);
  EXPECT_EQ(str(r, "user"), e.user);
  EXPECT_EQ(num(r, "auid"), e.auid);
  EXPECT_EQ(num(r, "ses"), e.ses);
  EXPECT_EQ(str(r, "auid_user"), e.auid == NETLOG_UID_NONE ? ""
                                 : e.auid == kUser         ? "user"
                                                   : std::to_string(e.auid));
  EXPECT_EQ(str(r, "tty"), "");
  EXPECT_EQ(str(r, "cgroup"), self_cgroup());
  EXPECT_EQ(num(r, "netns"), self_netns());
  EXPECT_EQ(r.count("exe_ns"), 0u);
  EXPECT_EQ(str(r, "host"), hostname());
  EXPECT_EQ(r.count("preload"), e.env.empty() ? 0u : 1u);
  if (e.env.empty()) {
    EXPECT_EQ(r.count("env"), 0u);
  } else {
    const auto j = nlohmann::json::parse(str(r, "env"), nullptr, false);
    EXPECT_EQ(j, nlohmann::json(e.env)) << str(r, "env");
  }
}

// An argument as the reader prints it (escape.h), once JSON is decoded:
// printable ASCII as is, a backslash doubled, any other byte as \xNN.
std::string escaped(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c >= 0x20 && c < 0x7f)
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

std::vector<char*> c_args(std::vector<std::string>& args) {
  std::vector<char*> out;
  for (auto& a : args) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

// A child that drops to uid 1000 (unless `as_root`), names itself
// `comm`, goes to /etc and runs `fn`, which execs; exits 0 if it came back
// with the errno it expected, 99 otherwise.
pid_t exec_child(const std::string& comm, const std::function<int()>& fn,
                 bool as_root = false) {
  return spawn([&] {
    if (chdir("/etc")) return 98;
    if (!as_root) drop_to_user();
    prctl(PR_SET_NAME, comm.c_str());
    return fn();
  });
}

// execve() of `path` with `args`; the child's exit code is 0 when it failed
// with `expect_errno` (0: it must not have returned).
pid_t execve_child(const std::string& path, std::vector<std::string> args,
                   int expect_errno, bool as_root = false) {
  return exec_child(
      "nl-exec",
      [&] {
        auto argv = c_args(args);
        char* envp[] = {nullptr};
        // A failed exec's arguments are read without faulting; a page this
        // child has not touched since fork may not be mapped young in it
        // yet (arm64 without hardware access flags), and would be cut.
        volatile char sum = 0;
        for (const char* a : argv)
          for (const char* p = a; p && *p; p++) sum = sum + *p;
        execve(path.c_str(), argv.data(), envp);
        return errno == expect_errno && expect_errno ? 0 : 99;
      },
      as_root);
}

TEST_F(ExecLog, ExecAsUserWithSpacesAndQuotes) {
  const std::vector<std::string> args = {"busybox", "true", "a b",
                                         "c\"d",    "it's", ""};
  const pid_t pid = execve_child(kBusybox, args, 0);
  ASSERT_EQ(wait_exit(pid), 0);
  const auto r = one_exec(read_all().recs, pid);
  ExecExpect e;
  e.filename = kBusybox;
  e.argv = args;
  e.comm = "busybox";
  e.comm_before = "nl-exec";
  e.exe = real(kBusybox);
  e.pid = pid;
  expect_exec(r, e);
}

TEST_F(ExecLog, FailedExecsAreRecordedAsUser) {
  const pid_t missing =
      execve_child("/nonexistent/nl-x", {"nl-x", "1"}, ENOENT);
  ASSERT_EQ(wait_exit(missing), 0);
  const std::string plain = "/tmp/nl-not-executable";
  { std::ofstream(plain) << "data\n"; }
  ASSERT_EQ(chmod(plain.c_str(), 0644), 0);
  const pid_t denied = execve_child(plain, {"nl-y"}, EACCES);
  ASSERT_EQ(wait_exit(denied), 0);

  const auto recs = read_all().recs;
  ExecExpect e;
  e.result = -ENOENT;
  e.filename = "/nonexistent/nl-x";
  e.argv = {"nl-x", "1"};
  e.comm = e.comm_before = "nl-exec";
  e.exe = self_exe();  // the program that tried
  e.pid = missing;
  expect_exec(one_exec(recs, missing), e);
  e.result = -EACCES;
  e.filename = plain;
  e.argv = {"nl-y"};
  e.pid = denied;
  expect_exec(one_exec(recs, denied), e);
  unlink(plain.c_str());
}

// Threads of a uid-1000 process parked inside execve(), in the fault of a
// filename on a page userfaultfd never serves (as a file on a FUSE mount
// whose daemon never answers would hold them): twice the return probes'
// instances. uid 1000 holds a quarter of them; its other execs are recorded
// as they begin (unfollowed), and root's failed and successful execs
// meanwhile are recorded whole: no exec call is missed.
TEST_F(ExecLog, ExecsParkedInAFaultBlindNobody) {
  const int parked = 2 * kretprobe_instances();
  const int share = kretprobe_instances() / 4;
  // The debug kernel's small config has no userfaultfd (Debian's have).
  const UffdKnob knob;
  if (!knob.present()) GTEST_SKIP() << "no userfaultfd in this kernel";
  const rlimit many{RLIM_INFINITY, RLIM_INFINITY};
  ASSERT_EQ(setrlimit(RLIMIT_NPROC, &many), 0);
  const int64_t missed_before = all_hooks_missed("execlog");
  const pid_t holder = spawn_held([&] {
    drop_to_user();
    prctl(PR_SET_NAME, "nl-parker");
    int uffd;
    static const char* path;
    path = static_cast<const char*>(unserved_page(&uffd));
    if (!path) return 2;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    static std::atomic<int> started{0};
    for (int i = 0; i < parked; i++) {
      pthread_t t;
      if (pthread_create(
              &t, &attr,
              [](void*) -> void* {
                static char name[] = "nl-parked";
                char* argv[] = {name, nullptr};
                char* envp[] = {nullptr};
                started++;
                execve(path, argv, envp);
                return nullptr;
              },
              nullptr))
        return 3;
    }
    while (started.load() < parked) usleep(10000);
    return 0;
  });
  ASSERT_GT(holder, 0);
  // Until the last of them is in (a minute at most).
  int unfollowed = 0;
  for (int t = 0; t < 600 && unfollowed < parked - share; t++) {
    for (const auto& r : execs_of(read_all().recs, holder)) {
      EXPECT_EQ(r.count("unfollowed"), 1u);
      EXPECT_EQ(num(r, "uid"), kUser);
      EXPECT_EQ(num(r, "result"), 0);
      EXPECT_EQ(str(r, "filename"), "");  // on the page nobody serves
      EXPECT_EQ(args_of(r), std::vector<std::string>{"nl-parked"});
      EXPECT_EQ(str(r, "comm"), "nl-parker");
      EXPECT_EQ(str(r, "comm_before"), "nl-parker");
      EXPECT_EQ(str(r, "exe"), self_exe());
      unfollowed++;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(unfollowed, parked - share);

  const pid_t failed =
      execve_child("/nonexistent/nl-root", {"nl-root"}, ENOENT, true);
  ASSERT_EQ(wait_exit(failed), 0);
  const pid_t ok = execve_child(kBusybox, {"busybox", "true"}, 0, true);
  ASSERT_EQ(wait_exit(ok), 0);
  const auto recs = read_all().recs;
  const int64_t missed = all_hooks_missed("execlog") - missed_before;
  kill(holder, SIGKILL);
  wait_exit(holder);

  ExecExpect e;
  e.result = -ENOENT;
  e.filename = "/nonexistent/nl-root";
  e.argv = {"nl-root"};
  e.comm = e.comm_before = "nl-exec";
  e.exe = self_exe();
  e.pid = failed;
  e.uid = 0;
  e.user = "root";
  const auto r = one_exec(recs, failed);
  expect_exec(r, e);
  EXPECT_EQ(r.count("unfollowed"), 0u);
  e = busybox_true(ok, "nl-exec");
  e.uid = 0;
  e.user = "root";
  expect_exec(one_exec(recs, ok), e);
  EXPECT_EQ(missed, 0);
}

TEST_F(ExecLog, AShebangScriptShowsTheInterpreterAndTheScript) {
  const std::string script = "/tmp/nl-script.sh";
  { std::ofstream(script) << "#!/bin/sh\nexit 0\n"; }
  ASSERT_EQ(chmod(script.c_str(), 0755), 0);
  const pid_t pid = execve_child(script, {"nl-script.sh", "arg 1"}, 0);
  ASSERT_EQ(wait_exit(pid), 0);
  ExecExpect e;
  e.filename = script;
  e.argv = {"/bin/sh", script, "arg 1"};
  e.comm = "nl-script.sh";
  e.comm_before = "nl-exec";
  e.exe = real("/bin/sh");
  e.pid = pid;
  expect_exec(one_exec(read_all().recs, pid), e);
  unlink(script.c_str());
}

TEST_F(ExecLog, ExecveatByDescriptorAndFromADirectory) {
  const pid_t by_fd = exec_child("nl-exec", [] {
    const int fd = open(kBusybox, O_PATH | O_CLOEXEC);
    if (fd != 7 && dup2(fd, 7) != 7) return 97;
    std::vector<std::string> args = {"busybox", "true"};
    auto argv = c_args(args);
    char* envp[] = {nullptr};
    syscall(SYS_execveat, 7, "", argv.data(), envp, AT_EMPTY_PATH);
    return 99;
  });
  ASSERT_EQ(wait_exit(by_fd), 0);
  const pid_t in_dir = exec_child("nl-exec", [] {
    const int dir = open("/tmp", O_DIRECTORY | O_RDONLY);
    if (dup2(dir, 8) != 8) return 97;
    std::vector<std::string> args = {"nl-missing"};
    auto argv = c_args(args);
    char* envp[] = {nullptr};
    syscall(SYS_execveat, 8, "nl-missing", argv.data(), envp, 0);
    return errno == ENOENT ? 0 : 99;
  });
  ASSERT_EQ(wait_exit(in_dir), 0);

  const auto recs = read_all().recs;
  ExecExpect e;
  e.filename = "/dev/fd/7";
  e.argv = {"busybox", "true"};
  const auto fd_rec = one_exec(recs, by_fd);
  // The new comm is the end of the filename ("7"), or, on kernels that
  // name an fd's program after its file, "busybox".
  e.comm = str(fd_rec, "comm");
  EXPECT_TRUE(e.comm == "7" || e.comm == "busybox") << e.comm;
  e.comm_before = "nl-exec";
  e.exe = real(kBusybox);
  e.pid = by_fd;
  expect_exec(fd_rec, e);
  e.result = -ENOENT;
  e.filename = "/dev/fd/8/nl-missing";
  e.argv = {"nl-missing"};
  e.comm = "nl-exec";
  e.exe = self_exe();
  e.pid = in_dir;
  expect_exec(one_exec(recs, in_dir), e);
}

TEST_F(ExecLog, ExecFromAThreadThatIsNotTheLeader) {
  int tid_pipe[2];
  ASSERT_EQ(pipe(tid_pipe), 0);
  const pid_t pid = exec_child("nl-exec", [&] {
    std::thread t([&] {
      prctl(PR_SET_NAME, "nl-thread");
      const pid_t tid = gettid();
      if (write(tid_pipe[1], &tid, sizeof(tid)) != sizeof(tid)) _exit(96);
      std::vector<std::string> args = {"busybox", "true"};
      auto argv = c_args(args);
      char* envp[] = {nullptr};
      execve(kBusybox, argv.data(), envp);
      _exit(99);
    });
    t.join();
    return 98;
  });
  close(tid_pipe[1]);
  pid_t tid = 0;
  ASSERT_EQ(read(tid_pipe[0], &tid, sizeof(tid)), ssize_t(sizeof(tid)));
  close(tid_pipe[0]);
  ASSERT_EQ(wait_exit(pid), 0);
  ASSERT_NE(tid, pid);
  ExecExpect e = busybox_true(pid, "nl-thread");
  e.tid = tid;
  expect_exec(one_exec(read_all().recs, pid), e);
}

// 10,000 arguments, 100 KiB with newlines, quotes and control bytes: argc
// is exact, argv is cut at NETLOG_ARGV_MAX and flagged, and every line
// stays one line of valid JSON (read_all() parses each).
TEST_F(ExecLog, AHugeArgvIsCutAndFlaggedAndArgcIsExact) {
  std::vector<std::string> args = {"busybox", "true"};
  for (int i = 0; args.size() < 10000; i++)
    args.push_back(fmt::format("{:05}\n\"\x01\x1b[2J", i));
  size_t bytes = 0;
  for (const auto& a : args) bytes += a.size() + 1;
  ASSERT_GT(bytes, 100000u);
  const pid_t ok = execve_child(kBusybox, args, 0);
  ASSERT_EQ(wait_exit(ok), 0);
  const pid_t failed = execve_child("/nonexistent/nl-big", args, ENOENT);
  ASSERT_EQ(wait_exit(failed), 0);

  const auto d = read_all();
  for (pid_t pid : {ok, failed}) {
    const auto r = one_exec(d.recs, pid);
    EXPECT_EQ(num(r, "argc"), 10000);
    EXPECT_EQ(str(r, "truncated"), "argv");
    const auto got = args_of(r);
    ASSERT_GT(got.size(), 100u);
    ASSERT_LT(got.size(), args.size());
    size_t kept = 0;  // the arguments' bytes, NULs included
    for (size_t i = 0; i < got.size(); i++) {
      kept += args[i].size() + 1;
      if (i + 1 < got.size())
        EXPECT_EQ(got[i], escaped(args[i])) << i;
      else  // the last one kept: all of it, or its start
        EXPECT_EQ(escaped(args[i]).rfind(got[i], 0), 0u) << got[i];
    }
    EXPECT_GE(kept, size_t{NETLOG_ARGV_MAX});
    EXPECT_LE(kept, size_t{NETLOG_ARGV_MAX} + args[got.size() - 1].size());
  }
  // Nothing of the arguments forged a record or a line.
  for (const auto& r : d.recs) EXPECT_NE(str(r, "event"), "");
  EXPECT_EQ(std::count(d.proc.out.begin(), d.proc.out.end(), '\n'),
            static_cast<long>(d.recs.size()));
}

// root sets its login uid, then becomes uid 1000: auid and ses stay, on the
// exec record and on a socket record of netlog alike.
TEST_F(ExecLog, AuidSurvivesAUidChange) {
  int ses_pipe[2];
  ASSERT_EQ(pipe(ses_pipe), 0);
  const pid_t pid = exec_child(
      "nl-login",
      [&] {
        if (!write_file("/proc/self/loginuid", "4242")) return 91;
        const int64_t ses = self_audit("sessionid");
        if (write(ses_pipe[1], &ses, sizeof(ses)) != sizeof(ses)) return 92;
        drop_to_user();
        const int fd = socket(AF_INET, SOCK_DGRAM, 0);
        socklen_t len;
        auto to = make_addr(AF_INET, "127.0.0.1", 9, &len);
        if (connect(fd, reinterpret_cast<sockaddr*>(&to), len)) return 93;
        close(fd);
        std::vector<std::string> args = {"busybox", "true"};
        auto argv = c_args(args);
        char* envp[] = {nullptr};
        execve(kBusybox, argv.data(), envp);
        return 99;
      },
      true);
  close(ses_pipe[1]);
  int64_t ses = -1;
  ASSERT_EQ(read(ses_pipe[0], &ses, sizeof(ses)), ssize_t(sizeof(ses)));
  close(ses_pipe[0]);
  ASSERT_EQ(wait_exit(pid), 0);
  ASSERT_NE(ses, self_audit("sessionid"));

  const auto recs = read_all().recs;
  ExecExpect e = busybox_true(pid, "nl-login");
  e.auid = 4242;
  e.ses = ses;
  expect_exec(one_exec(recs, pid), e);
  const auto c = one(recs, pid, "connect", "udp");
  EXPECT_EQ(num(c, "uid"), kUser);
  EXPECT_EQ(num(c, "auid"), 4242);
  EXPECT_EQ(num(c, "ses"), ses);
  EXPECT_EQ(str(c, "auid_user"), "4242");
}

TEST_F(ExecLog, WhitelistByProgramAndUid) {
  const std::string param = "/sys/module/execlog/parameters/whitelist";
  const std::string rule = real(kBusybox) + "|u<1000>";
  ASSERT_TRUE(write_file(param, rule));
  EXPECT_EQ(read_file(param), real(kBusybox) + "|u<1000>\n");
  // Rules with endpoints are netlog's: refused, and the old rules stay.
  EXPECT_FALSE(write_file(param, "/bin/x|p<22>"));
  EXPECT_FALSE(write_file(param, "/bin/y,relative"));
  EXPECT_EQ(read_file(param), real(kBusybox) + "|u<1000>\n");

  const pid_t user = execve_child(kBusybox, {"busybox", "true"}, 0);
  ASSERT_EQ(wait_exit(user), 0);
  const pid_t root = execve_child(kBusybox, {"busybox", "true"}, 0, true);
  ASSERT_EQ(wait_exit(root), 0);
  // A failed exec is never whitelisted.
  const pid_t failed =
      execve_child(real(kBusybox) + "/nope", {"busybox"}, ENOTDIR);
  ASSERT_EQ(wait_exit(failed), 0);

  const auto recs = read_all().recs;
  EXPECT_TRUE(execs_of(recs, user).empty());
  EXPECT_EQ(num(one_exec(recs, root), "uid"), 0);
  EXPECT_EQ(num(one_exec(recs, failed), "result"), -ENOTDIR);
  EXPECT_NE(
      read_file("/sys/module/execlog/parameters/stats").find(" filtered=1 "),
      std::string::npos);

  ASSERT_TRUE(write_file(param, "\n"));  // (an empty write never reaches it)
  const auto cfg = configs(read_all().recs);
  ASSERT_EQ(cfg.size(), 1u);
  EXPECT_EQ(str(cfg[0], "event"), "config");
  EXPECT_EQ(str(cfg[0], "param"), "whitelist");
  EXPECT_EQ(str(cfg[0], "old"), real(kBusybox) + "|u<1000>");
  EXPECT_EQ(str(cfg[0], "new"), "");
}

// uid 1000 runs a program that both whitelists name, with a library of its
// own preloaded, which connects before the program's main: the exec, the
// library's connect and the program's are all recorded and flagged
// preload, and the exec shows LD_PRELOAD. Every entry of the environment is
// looked at (loader variables behind 128 KiB of others are found), and an
// empty LD_PRELOAD= or a name that only looks like one is none. Without a
// loader variable both rules apply; a rule that allows it (a<preload>) too.
TEST_F(ExecLog, LoaderVariablesAreRecordedAndNeverWhitelistedAsUser) {
  const std::string netlog_wl = "/sys/module/netlog/parameters/whitelist";
  const std::string exec_wl = "/sys/module/execlog/parameters/whitelist";
  struct Clear {
    std::string param;
    ~Clear() { write_file(param, "\n"); }
  } clear{netlog_wl};
  const std::string prog = self_exe();
  const std::string lib = "/usr/lib/netlog-e2e-preload.so";
  Listener l(AF_INET, "127.0.0.1");
  const std::string port = std::to_string(l.port);
  const std::vector<std::string> args = {"netlog-e2e", "--connect", port};
  std::vector<std::string> padding;
  for (char c : {'a', 'b', 'c', 'd'})
    padding.push_back(std::string("NL_PAD_") + c + "=" +
                      std::string(32 * 1024, c));

  struct Case {
    const char* name;
    std::vector<std::string> env;  // besides the padding
    std::vector<std::string> loader;
    int connects;  // the library's and the program's
    bool allowed;  // the rules say a<preload>
  };
  const std::vector<Case> cases = {
      {"none",
       {"LD_PRELOAD=", "LD_PRELOADX=" + lib, "X=LD_AUDIT=y"},
       {},
       1,
       false},
      {"LD_PRELOAD",
       {"NL_PRELOAD_PORT=" + port, "LD_PRELOAD=" + lib},
       {"LD_PRELOAD=" + lib},
       2,
       false},
      {"LD_AUDIT and LD_LIBRARY_PATH",
       {"LD_AUDIT=/nl-none.so", "LD_PRELOAD=", "LD_LIBRARY_PATH=/nl-none"},
       {"LD_AUDIT=/nl-none.so", "LD_LIBRARY_PATH=/nl-none"},
       1,
       false},
      {"allowed",
       {"NL_PRELOAD_PORT=" + port, "LD_PRELOAD=" + lib},
       {},
       0,
       true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string allow = c.allowed ? "|a<preload>" : "";
    ASSERT_TRUE(write_file(netlog_wl, prog + "|p<" + port + ">" + allow));
    ASSERT_TRUE(write_file(exec_wl, prog + allow));
    read_all();
    const pid_t pid = exec_child("nl-preload", [&] {
      std::vector<std::string> env = padding;
      env.insert(env.end(), c.env.begin(), c.env.end());
      auto argv_copy = args;
      auto argv = c_args(argv_copy);
      auto envp = c_args(env);
      execve(prog.c_str(), argv.data(), envp.data());
      return 99;
    });
    ASSERT_EQ(wait_exit(pid), 0);
    const auto recs = read_all().recs;
    if (c.loader.empty()) {
      EXPECT_TRUE(execs_of(recs, pid).empty());
      EXPECT_TRUE(find(recs, pid, "connect", "tcp").empty());
      continue;
    }
    ExecExpect e;
    e.filename = prog;
    e.argv = args;
    e.comm = "netlog-e2e";
    e.comm_before = "nl-preload";
    e.exe = prog;
    e.pid = pid;
    e.env = c.loader;
    expect_exec(one_exec(recs, pid), e);
    const auto connects = find(recs, pid, "connect", "tcp");
    ASSERT_EQ(connects.size(), static_cast<size_t>(c.connects));
    for (const auto& r : connects) {
      Expect s;
      s.pid = s.tid = pid;
      s.ppid = getpid();
      s.uid = s.gid = kUser;
      s.user = "user";
      s.comm = "netlog-e2e";
      s.exe = prog;
      s.laddr = s.raddr = "127.0.0.1";
      s.rport = l.port;
      s.result = kInProgress;
      s.preload = true;
      expect_record(r, s);
    }
  }
  ASSERT_TRUE(write_file(exec_wl, "\n"));
}

// Each probe alone, then none; every switch is a config record, and a bad
// mask changes nothing.
TEST_F(ExecLog, ProbesSwitchSuccessesAndFailures) {
  const std::string param = "/sys/module/execlog/parameters/probes";
  const std::string all = all_probes("execlog");
  EXPECT_EQ(read_file(param), all + "\n");
  struct Step {
    const char* mask;
    bool success, failure;
  };
  for (const Step& step : {Step{"0x1", true, false}, Step{"2", false, true},
                           Step{"0", false, false}, Step{"0x3", true, true}}) {
    ASSERT_TRUE(write_file(param, step.mask)) << step.mask;
    const pid_t ok = execve_child(kBusybox, {"busybox", "true"}, 0);
    ASSERT_EQ(wait_exit(ok), 0);
    const pid_t failed = execve_child("/nonexistent/nl-p", {"nl-p"}, ENOENT);
    ASSERT_EQ(wait_exit(failed), 0);
    const auto all = read_all().recs;
    EXPECT_EQ(execs_of(all, ok).size(), step.success ? 1u : 0u) << step.mask;
    EXPECT_EQ(execs_of(all, failed).size(), step.failure ? 1u : 0u)
        << step.mask;
    // Without exec_failed's entry probe, comm_before is not known.
    if (step.success && !step.failure) {
      const auto r = one_exec(all, ok);
      EXPECT_EQ(str(r, "comm_before"), "");
      EXPECT_EQ(str(r, "comm"), "busybox");
    }
    const auto cfg = configs(all);
    ASSERT_EQ(cfg.size(), 1u) << step.mask;
    EXPECT_EQ(str(cfg[0], "param"), "probes");
  }
  // the first bit past the last probe
  EXPECT_FALSE(write_file(
      param, fmt::format("{:#x}", std::stoull(all, nullptr, 16) + 1)));
  EXPECT_FALSE(write_file(param, "all"));
  EXPECT_EQ(read_file(param), all + "\n");
  EXPECT_TRUE(configs(read_all().recs).empty());
}

// Loaded and unloaded while a user execs in a loop: no handler outlives
// the module, no exec in between is recorded twice, and the kernel log
// stays clean (the run's verdict).
TEST_F(ExecLog, LoadAndUnloadUnderAnExecLoop) {
  const pid_t loop = spawn([] {
    drop_to_user();
    for (;;) {
      const pid_t c = fork();
      if (c == 0) {
        char* argv[] = {const_cast<char*>("busybox"), const_cast<char*>("true"),
                        nullptr};
        char* envp[] = {nullptr};
        execve(kBusybox, argv, envp);
        _exit(99);
      }
      if (c < 0) continue;
      waitpid(c, nullptr, 0);
      // a failed exec too, for the return probe
      char* argv[] = {const_cast<char*>("x"), nullptr};
      char* envp[] = {nullptr};
      execve("/nonexistent/nl-loop", argv, envp);
    }
    return 0;
  });
  // At most 30 cycles: the debug kernel's run asks netlog for 100.
  const int rounds = std::min(std::stoi(env_or("NETLOG_RELOADS", "10")), 30);
  for (int i = 0; i < rounds; i++) {
    ASSERT_EQ(run({"rmmod", "execlog"}).code, 0) << "round " << i;
    ASSERT_EQ(run({"insmod", module("execlog")}).code, 0) << "round " << i;
  }
  kill(loop, SIGKILL);
  wait_exit(loop);
  std::map<int64_t, int> per_pid;
  int64_t failed = 0;
  for (const auto& r : read_all().recs) {
    if (str(r, "event") != "exec") continue;
    if (num(r, "result") == 0)
      per_pid[num(r, "pid")]++;
    else
      failed++;
  }
  EXPECT_GT(per_pid.size(), 0u);
  EXPECT_GT(failed, 0);
  for (const auto& [pid, n] : per_pid) EXPECT_EQ(n, 1) << pid;
}

}  // namespace
}  // namespace e2e
