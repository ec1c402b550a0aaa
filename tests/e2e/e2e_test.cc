// End-to-end tests, run as root inside the test VM with secure_log.ko and
// netlog.ko loaded: make real sockets, read the records back through
// `netlog-reader --format json --once`, assert every field.
//
// Environment: NETLOG_MODULES (directory of the .ko files, for reloads),
// NETLOG_READER (reader binary, default netlog-reader from PATH).
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "uapi/netlog.h"

namespace {

constexpr const char* kDevice = "/dev/secure_log";
constexpr uid_t kUser = 1000;

std::string env_or(const char* name, const char* dflt) {
  const char* v = std::getenv(name);
  return v && *v ? v : dflt;
}

// ---- processes ----------------------------------------------------------

struct Proc {
  int code = -1;
  std::string out, err;
};

std::string slurp_fd(int fd) {
  std::string s;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) s.append(buf, n);
  return s;
}

void drop_to_user() {
  if (setgroups(0, nullptr) || setgid(kUser) || setuid(kUser)) _exit(120);
}

// Runs argv, optionally as uid/gid 1000, stdout to `out_file` if given.
Proc run(const std::vector<std::string>& argv, bool as_user = false,
         const std::string& out_file = "") {
  int out[2], err[2];
  if (pipe(out) || pipe(err)) return {};
  pid_t pid = fork();
  if (pid == 0) {
    if (as_user) drop_to_user();
    int o = out[1];
    if (!out_file.empty())
      o = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(o, 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  Proc p;
  std::thread t([&] { p.err = slurp_fd(err[0]); });
  p.out = slurp_fd(out[0]);
  t.join();
  close(out[0]);
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  p.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return p;
}

// Forks; the child runs `fn` and exits with its return value.
pid_t spawn(const std::function<int()>& fn) {
  pid_t pid = fork();
  if (pid == 0) _exit(fn());
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// ---- records ------------------------------------------------------------

using Value = std::variant<int64_t, std::string>;
using Rec = std::map<std::string, Value>;

// A flat JSON object as netlog-reader writes it: string and integer values.
std::optional<Rec> parse_json_line(const std::string& s) {
  Rec rec;
  size_t i = 0;
  auto ws = [&] {
    while (i < s.size() && s[i] == ' ') i++;
  };
  auto str = [&]() -> std::optional<std::string> {
    if (i >= s.size() || s[i] != '"') return {};
    std::string out;
    for (i++; i < s.size() && s[i] != '"'; i++) {
      if (s[i] == '\\') {
        if (++i >= s.size()) return {};
        if (s[i] != '"' && s[i] != '\\') return {};
      }
      out += s[i];
    }
    if (i >= s.size()) return {};
    i++;
    return out;
  };
  ws();
  if (i >= s.size() || s[i++] != '{') return {};
  for (;;) {
    ws();
    auto key = str();
    if (!key || i >= s.size() || s[i++] != ':') return {};
    if (s[i] == '"') {
      auto v = str();
      if (!v) return {};
      rec[*key] = *v;
    } else {
      size_t end = i;
      while (end < s.size() &&
             (s[end] == '-' || isdigit((unsigned char)s[end])))
        end++;
      if (end == i) return {};
      rec[*key] = std::stoll(s.substr(i, end - i));
      i = end;
    }
    if (i < s.size() && s[i] == ',') {
      i++;
      continue;
    }
    if (i < s.size() && s[i] == '}') return rec;
    return {};
  }
}

int64_t num(const Rec& r, const std::string& k) {
  auto it = r.find(k);
  if (it == r.end() || !std::holds_alternative<int64_t>(it->second)) {
    ADD_FAILURE() << "no integer field " << k;
    return -1;
  }
  return std::get<int64_t>(it->second);
}

std::string str(const Rec& r, const std::string& k) {
  auto it = r.find(k);
  if (it == r.end() || !std::holds_alternative<std::string>(it->second)) {
    ADD_FAILURE() << "no string field " << k;
    return {};
  }
  return std::get<std::string>(it->second);
}

std::string reader() { return env_or("NETLOG_READER", "netlog-reader"); }

struct Drain {
  std::vector<Rec> recs;
  Proc proc;
};

// Everything buffered in the device, through the reader.
Drain read_all() {
  Drain d;
  d.proc = run({reader(), "--format", "json", "--once"});
  EXPECT_EQ(d.proc.code, 0) << d.proc.err;
  size_t start = 0;
  while (start < d.proc.out.size()) {
    size_t nl = d.proc.out.find('\n', start);
    EXPECT_NE(nl, std::string::npos) << "unterminated line";
    if (nl == std::string::npos) break;
    auto line = d.proc.out.substr(start, nl - start);
    auto rec = parse_json_line(line);
    EXPECT_TRUE(rec) << "bad JSON line: " << line;
    if (rec) d.recs.push_back(*rec);
    start = nl + 1;
  }
  return d;
}

std::vector<Rec> records_of(pid_t pid, const std::string& event) {
  std::vector<Rec> out;
  for (auto& r : read_all().recs)
    if (str(r, "event") == event && num(r, "pid") == pid) out.push_back(r);
  return out;
}

// ---- sockets ------------------------------------------------------------

struct Endpoint {
  int family;
  std::string addr;
  uint16_t port;
};

sockaddr_storage make_addr(int family, const std::string& addr, uint16_t port,
                           socklen_t* len) {
  sockaddr_storage ss{};
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    inet_pton(AF_INET, addr.c_str(), &in->sin_addr);
    *len = sizeof(*in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    inet_pton(AF_INET6, addr.c_str(), &in6->sin6_addr);
    *len = sizeof(*in6);
  }
  return ss;
}

Endpoint local_of(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  char buf[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
    return {AF_INET, buf, ntohs(in->sin_port)};
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
  return {AF_INET6, buf, ntohs(in6->sin6_port)};
}

// A TCP listener on an ephemeral port.
struct Listener {
  int fd = -1;
  uint16_t port = 0;
  Listener(int family, const std::string& addr) {
    fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    socklen_t len;
    auto ss = make_addr(family, addr, 0, &len);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&ss), len), 0);
    EXPECT_EQ(listen(fd, 128), 0);
    port = local_of(fd).port;
  }
  ~Listener() { close(fd); }
};

// A port nobody listens on: bound, then released.
uint16_t closed_port(int family, const std::string& addr) {
  int fd = socket(family, SOCK_STREAM, 0);
  socklen_t len;
  auto ss = make_addr(family, addr, 0, &len);
  bind(fd, reinterpret_cast<sockaddr*>(&ss), len);
  uint16_t port = local_of(fd).port;
  close(fd);
  return port;
}

struct Outcome {
  int result;      // 0 or -errno, as the kernel returned it
  Endpoint local;  // getsockname() after the call
  pid_t tid;
};

// connect() from a thread named `comm`, so that tid != pid and comm is ours.
Outcome connect_from_thread(int family, const std::string& addr, uint16_t port,
                            const std::string& comm, bool nonblock = false) {
  Outcome o{};
  std::thread t([&] {
    prctl(PR_SET_NAME, comm.c_str());
    o.tid = gettid();
    int fd = socket(family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
    socklen_t len;
    auto ss = make_addr(family, addr, port, &len);
    o.result = connect(fd, reinterpret_cast<sockaddr*>(&ss), len) ? -errno : 0;
    o.local = local_of(fd);
    close(fd);
  });
  t.join();
  return o;
}

// ---- what the record must say -------------------------------------------

std::string self_exe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf));
  return n > 0 ? std::string(buf, n) : "";
}

int64_t self_netns() {
  struct stat st {};
  stat("/proc/self/ns/net", &st);
  return st.st_ino;
}

std::string hostname() {
  char buf[256] = "";
  gethostname(buf, sizeof(buf) - 1);
  return buf;
}

struct Expect {
  std::string event = "connect";
  std::string family = "ipv4";
  std::string laddr, raddr;
  int64_t lport = -1, rport = -1;  // lport -1: not checked (see caller)
  int64_t result = 0;
  int64_t pid = getpid(), tid = -1, ppid = getppid(), sid = getsid(0);
  int64_t uid = 0, gid = 0;
  std::string user = "root";
  std::string tty;
  std::string comm;
  std::string exe = self_exe();
};

void expect_record(const Rec& r, const Expect& e) {
  EXPECT_GE(num(r, "seq"), 0);
  // time: RFC 3339 UTC with nanoseconds, within a minute of now
  const auto t = str(r, "time");
  ASSERT_EQ(t.size(), 30u) << t;
  EXPECT_EQ(t.back(), 'Z');
  struct tm tm {};
  ASSERT_NE(strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm), nullptr) << t;
  const auto secs = timegm(&tm);
  EXPECT_LT(std::abs(secs - time(nullptr)), 60) << t;
  EXPECT_EQ(str(r, "event"), e.event);
  EXPECT_EQ(str(r, "proto"), "tcp");
  EXPECT_EQ(str(r, "family"), e.family);
  EXPECT_EQ(str(r, "laddr"), e.laddr);
  if (e.lport >= 0) {
    EXPECT_EQ(num(r, "lport"), e.lport);
  }
  EXPECT_EQ(str(r, "raddr"), e.raddr);
  EXPECT_EQ(num(r, "rport"), e.rport);
  EXPECT_EQ(num(r, "result"), e.result);
  EXPECT_EQ(num(r, "pid"), e.pid);
  EXPECT_EQ(num(r, "tid"), e.tid);
  EXPECT_EQ(num(r, "ppid"), e.ppid);
  EXPECT_EQ(num(r, "sid"), e.sid);
  EXPECT_EQ(num(r, "uid"), e.uid);
  EXPECT_EQ(num(r, "euid"), e.uid);
  EXPECT_EQ(num(r, "gid"), e.gid);
  EXPECT_EQ(num(r, "egid"), e.gid);
  EXPECT_EQ(str(r, "user"), e.user);
  EXPECT_EQ(str(r, "tty"), e.tty);
  EXPECT_EQ(str(r, "comm"), e.comm);
  EXPECT_EQ(str(r, "exe"), e.exe);
  EXPECT_EQ(str(r, "cgroup"), "");
  EXPECT_EQ(num(r, "netns"), self_netns());
  EXPECT_EQ(str(r, "host"), hostname());
  EXPECT_EQ(r.count("truncated"), 0u);
}

// One connect record of this process, or a failure.
Rec only_connect(pid_t pid = getpid()) {
  auto recs = records_of(pid, "connect");
  EXPECT_EQ(recs.size(), 1u);
  return recs.empty() ? Rec{} : recs[0];
}

// ---- modules ------------------------------------------------------------

std::string module(const char* name) {
  return env_or("NETLOG_MODULES", "/lib/netlog") + "/" + name + ".ko";
}

void reload(const std::string& secure_log_args = "") {
  ASSERT_EQ(run({"rmmod", "netlog"}).code, 0);
  ASSERT_EQ(run({"rmmod", "secure_log"}).code, 0);
  std::vector<std::string> ins = {"insmod", module("secure_log")};
  if (!secure_log_args.empty()) ins.push_back(secure_log_args);
  auto p = run(ins);
  ASSERT_EQ(p.code, 0) << p.err;
  p = run({"insmod", module("netlog")});
  ASSERT_EQ(p.code, 0) << p.err;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

class E2E : public ::testing::Test {
 protected:
  void SetUp() override { read_all(); }  // start from an empty ring
};

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
  expect_record(only_connect(), e);
}

TEST_F(E2E, ConnectAsUnprivilegedUser) {
  Listener l(AF_INET, "127.0.0.1");
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  pid_t child = spawn([&] {
    drop_to_user();
    prctl(PR_SET_NAME, "nl-user");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", l.port, &len);
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len)) return 1;
    uint16_t lport = local_of(fd).port;
    return write(pipefd[1], &lport, sizeof(lport)) == sizeof(lport) ? 0 : 2;
  });
  ASSERT_EQ(wait_exit(child), 0);
  uint16_t lport = 0;
  ASSERT_EQ(read(pipefd[0], &lport, sizeof(lport)), ssize_t(sizeof(lport)));
  close(pipefd[0]);
  close(pipefd[1]);
  Expect e;
  e.laddr = e.raddr = "127.0.0.1";
  e.lport = lport;
  e.rport = l.port;
  e.pid = e.tid = child;
  e.ppid = getpid();
  e.uid = e.gid = kUser;
  e.user = "user";
  e.comm = "nl-user";
  expect_record(only_connect(child), e);
}

TEST_F(E2E, ConnectRefused) {
  uint16_t port = closed_port(AF_INET, "127.0.0.1");
  auto o = connect_from_thread(AF_INET, "127.0.0.1", port, "nl-refused");
  ASSERT_EQ(o.result, -ECONNREFUSED);
  Expect e;
  // A failed connect is followed by tcp_disconnect(), which resets the
  // source address before the call returns; the source port used for the
  // attempt is still there.
  e.laddr = "0.0.0.0";
  e.raddr = "127.0.0.1";
  e.rport = port;
  e.result = -111;
  e.tid = o.tid;
  e.comm = "nl-refused";
  auto r = only_connect();
  expect_record(r, e);
  EXPECT_GT(num(r, "lport"), 0);
  EXPECT_NE(num(r, "lport"), port);
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
  e.result = -115;
  e.tid = o.tid;
  e.comm = "nl-nonblock";
  expect_record(only_connect(), e);
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
  expect_record(only_connect(), e);
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
  expect_record(only_connect(), e);
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
  expect_record(only_connect(child), e);
}

// ---- the device ---------------------------------------------------------

TEST_F(E2E, DeviceIsRootOnly) {
  struct stat st {};
  ASSERT_EQ(stat(kDevice, &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0400u);
  EXPECT_EQ(st.st_uid, 0u);
  // Even a world-readable node does not let a user in.
  ASSERT_EQ(chmod(kDevice, 0666), 0);
  pid_t child = spawn([] {
    drop_to_user();
    int fd = open(kDevice, O_RDONLY);
    return fd < 0 && errno == EPERM ? 0 : 1;
  });
  EXPECT_EQ(wait_exit(child), 0);
  auto p = run({reader(), "--once"}, true);
  EXPECT_EQ(p.code, 1);
  EXPECT_EQ(p.err,
            "netlog-reader: cannot open /dev/secure_log: permission denied "
            "(needs root: CAP_SYS_ADMIN or CAP_SYSLOG)\n");
  ASSERT_EQ(chmod(kDevice, 0400), 0);
}

TEST_F(E2E, DeviceRefusesWritersAndSecondReader) {
  EXPECT_EQ(open(kDevice, O_WRONLY), -1);
  int fd = open(kDevice, O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(open(kDevice, O_RDONLY), -1);
  EXPECT_EQ(errno, EBUSY);
  auto p = run({reader(), "--once"});
  EXPECT_EQ(p.code, 1);
  EXPECT_EQ(p.err,
            "netlog-reader: cannot open /dev/secure_log: another reader has it "
            "open\n");
  close(fd);
}

TEST_F(E2E, ShortReadBufferConsumesNothing) {
  Listener l(AF_INET, "127.0.0.1");
  ASSERT_EQ(
      connect_from_thread(AF_INET, "127.0.0.1", l.port, "nl-short").result, 0);
  int fd = open(kDevice, O_RDONLY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  char small[sizeof(netlog_hdr)];
  EXPECT_EQ(read(fd, small, sizeof(small)), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(read(fd, small, sizeof(small)), -1);
  EXPECT_EQ(errno, EINVAL);
  close(fd);
  auto r = only_connect();
  EXPECT_EQ(str(r, "comm"), "nl-short");
  EXPECT_EQ(num(r, "rport"), l.port);
}

TEST_F(E2E, NonblockingReadAndPoll) {
  int fd = open(kDevice, O_RDONLY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  char buf[NETLOG_REC_MAX];
  EXPECT_EQ(read(fd, buf, sizeof(buf)), -1);
  EXPECT_EQ(errno, EAGAIN);
  pollfd pfd{fd, POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 0);
  Listener l(AF_INET, "127.0.0.1");
  ASSERT_EQ(connect_from_thread(AF_INET, "127.0.0.1", l.port, "nl-poll").result,
            0);
  EXPECT_EQ(poll(&pfd, 1, 10000), 1);
  EXPECT_TRUE(pfd.revents & POLLIN);
  ssize_t n = read(fd, buf, sizeof(buf));
  ASSERT_GT(n, ssize_t(sizeof(netlog_sock)));
  netlog_sock rec;
  memcpy(&rec, buf, sizeof(rec));
  EXPECT_EQ(rec.hdr.len, n);
  EXPECT_EQ(rec.hdr.type, NETLOG_REC_SOCK);
  EXPECT_EQ(rec.task.pid, uint32_t(getpid()));
  close(fd);
}

TEST_F(E2E, BlockingReadWakesOnRecord) {
  int fd = open(kDevice, O_RDONLY);
  ASSERT_GE(fd, 0);
  ssize_t n = 0;
  std::thread t([&] {
    char buf[NETLOG_REC_MAX];
    n = read(fd, buf, sizeof(buf));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Listener l(AF_INET, "127.0.0.1");
  ASSERT_EQ(connect_from_thread(AF_INET, "127.0.0.1", l.port, "nl-wake").result,
            0);
  t.join();
  EXPECT_GT(n, 0);
  close(fd);
}

TEST_F(E2E, RawCaptureReplaysIdentically) {
  Listener l(AF_INET, "127.0.0.1");
  ASSERT_EQ(connect_from_thread(AF_INET, "127.0.0.1", l.port, "nl-raw").result,
            0);
  auto cap = run({reader(), "--raw", "--once"}, false, "/tmp/capture.bin");
  ASSERT_EQ(cap.code, 0) << cap.err;
  auto replay =
      run({reader(), "--input", "/tmp/capture.bin", "--format", "json"});
  ASSERT_EQ(replay.code, 0) << replay.err;
  auto rec = parse_json_line(replay.out.substr(0, replay.out.find('\n')));
  ASSERT_TRUE(rec);
  EXPECT_EQ(str(*rec, "comm"), "nl-raw");
  EXPECT_EQ(num(*rec, "rport"), l.port);
  EXPECT_EQ(num(*rec, "pid"), getpid());
}

// ---- loss ---------------------------------------------------------------

TEST_F(E2E, LostRecordsAreCountedExactly) {
  reload("capacity=4096");
  ASSERT_EQ(read_file("/sys/module/secure_log/parameters/capacity"), "4096\n");
  constexpr int kBurst = 300;
  uint16_t port = closed_port(AF_INET, "127.0.0.1");
  for (int i = 0; i < kBurst; i++)
    ASSERT_EQ(
        connect_from_thread(AF_INET, "127.0.0.1", port, "nl-burst").result,
        -ECONNREFUSED);

  auto d = read_all();
  int delivered = 0, lost_records = 0;
  int64_t lost = 0, expect_seq = 0;
  for (const auto& r : d.recs) {
    EXPECT_EQ(num(r, "seq"), expect_seq) << "sequence gap";
    if (str(r, "event") == "lost") {
      lost_records++;
      lost += num(r, "count");
      EXPECT_EQ(num(r, "first_seq"), num(r, "seq"));
      EXPECT_EQ(num(r, "last_seq"), num(r, "seq") + num(r, "count") - 1);
      expect_seq += num(r, "count");
    } else {
      EXPECT_EQ(num(r, "pid"), getpid());
      EXPECT_EQ(num(r, "result"), -111);
      delivered++;
      expect_seq++;
    }
  }
  EXPECT_GT(delivered, 0);
  EXPECT_GE(lost_records, 1);
  EXPECT_EQ(delivered + lost, kBurst);
  EXPECT_EQ(expect_seq, kBurst);
  EXPECT_NE(
      d.proc.err.find(fmt::format("netlog-reader: lost {} records", lost)),
      std::string::npos)
      << d.proc.err;
  EXPECT_EQ(read_file("/sys/module/netlog/parameters/stats"),
            fmt::format("tcp_connect hits={} emitted={} dropped={} missed=0\n",
                        kBurst, delivered, lost));

  // After the loss the stream goes on, numbered on.
  Listener l(AF_INET, "127.0.0.1");
  ASSERT_EQ(
      connect_from_thread(AF_INET, "127.0.0.1", l.port, "nl-after").result, 0);
  auto after = only_connect();
  EXPECT_EQ(num(after, "seq"), kBurst);
  EXPECT_EQ(str(after, "comm"), "nl-after");
  reload();
}

// ---- unload under traffic -----------------------------------------------

TEST_F(E2E, UnloadWhileConnecting) {
  Listener l(AF_INET, "127.0.0.1");
  uint16_t refused = closed_port(AF_INET, "127.0.0.1");
  std::vector<pid_t> loops;
  for (uint16_t port : {l.port, refused, l.port}) {
    loops.push_back(spawn([port] {
      for (;;) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        socklen_t len;
        auto ss = make_addr(AF_INET, "127.0.0.1", port, &len);
        connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
        close(fd);
      }
      return 0;
    }));
  }
  // The listener's queue is drained by a helper so connects keep succeeding.
  pid_t acceptor = spawn([&] {
    for (;;) close(accept(l.fd, nullptr, nullptr));
    return 0;
  });
  for (int i = 0; i < 5; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    reload();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (pid_t p : loops) kill(p, SIGKILL);
  kill(acceptor, SIGKILL);
  for (pid_t p : loops) wait_exit(p);
  wait_exit(acceptor);
  // Still recording after all that.
  read_all();
  ASSERT_EQ(
      connect_from_thread(AF_INET, "127.0.0.1", l.port, "nl-reload").result, 0);
  EXPECT_EQ(str(only_connect(), "comm"), "nl-reload");
}

}  // namespace
