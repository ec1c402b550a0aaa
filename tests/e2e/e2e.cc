// The e2e tests' helpers (e2e.h): processes, records read back through
// netlog-reader, sockets, expectations, modules.
#include "e2e.h"

#include <linux/userfaultfd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

namespace e2e {

std::string env_or(const char* name, const char* dflt) {
  const char* v = std::getenv(name);
  return v && *v ? v : dflt;
}

std::string slurp_fd(int fd) {
  std::string s;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) s.append(buf, n);
  return s;
}

void drop_to_user() {
  if (setgroups(0, nullptr) || setgid(kUser) || setuid(kUser)) _exit(120);
}

bool user_namespace(int flags) {
  drop_to_user();
  // setuid() made us undumpable, and /proc/self root's: undo that, as a
  // process started by uid 1000 would be.
  prctl(PR_SET_DUMPABLE, 1);
  if (unshare(CLONE_NEWUSER | flags)) return false;
  return write_file("/proc/self/setgroups", "deny") &&
         write_file("/proc/self/uid_map", "0 1000 1") &&
         write_file("/proc/self/gid_map", "0 1000 1");
}

bool loopback_up() {
  const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  const bool up = ioctl(s, SIOCGIFFLAGS, &ifr) == 0 &&
                  (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
  close(s);
  return up;
}

Proc run(const std::vector<std::string>& argv, bool as_user,
         const std::string& out_file) {
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

pid_t spawn(const std::function<int()>& fn) {
  pid_t pid = fork();
  if (pid == 0) {
    // Nothing may leave the child but its exit: an exception would go on
    // to run the rest of the suite in it.
    try {
      _exit(fn());
    } catch (...) {
      _exit(125);
    }
  }
  return pid;
}

pid_t spawn_held(const std::function<int()>& setup) {
  int ready[2];
  if (pipe(ready)) {
    ADD_FAILURE() << "pipe: " << strerror(errno);
    return -1;
  }
  const pid_t pid = spawn([&] {
    close(ready[0]);
    if (const int rc = setup()) return rc;
    const char c = 1;
    if (write(ready[1], &c, 1) != 1) return 126;
    pause();
    return 0;
  });
  close(ready[1]);
  char c = 0;
  const bool up = read(ready[0], &c, 1) == 1;
  close(ready[0]);
  if (up) return pid;
  ADD_FAILURE() << "held child failed: " << wait_exit(pid);
  return -1;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

ChildResult in_child(const std::function<int64_t()>& fn) {
  int pipefd[2];
  if (pipe(pipefd)) return {-1, -1};
  pid_t pid = spawn([&] {
    const int64_t v = fn();
    return write(pipefd[1], &v, sizeof(v)) == sizeof(v) ? 0 : 1;
  });
  close(pipefd[1]);
  int64_t v = -1;
  if (read(pipefd[0], &v, sizeof(v)) != sizeof(v)) v = -1;
  close(pipefd[0]);
  if (wait_exit(pid) != 0) v = -1;
  return {pid, v};
}

std::optional<Rec> parse_json_line(const std::string& s) {
  const auto j = nlohmann::json::parse(s, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return {};
  Rec rec;
  for (const auto& [k, v] : j.items()) {
    if (v.is_string())
      rec[k] = v.get<std::string>();
    else if (v.is_boolean())
      rec[k] = int64_t{v.get<bool>()};
    else if (v.is_number_integer())
      rec[k] = v.get<int64_t>();
    else
      rec[k] = v.dump();
  }
  return rec;
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

std::map<int64_t, int64_t> lost_by_uid(const Rec& r) {
  std::map<int64_t, int64_t> out;
  const auto uids = nlohmann::json::parse(str(r, "uids"), nullptr, false);
  EXPECT_TRUE(uids.is_array()) << str(r, "uids");
  if (!uids.is_array()) return out;
  for (const auto& u : uids)
    out[u.at("uid").get<int64_t>()] += u.at("count").get<int64_t>();
  return out;
}

std::string reader() { return env_or("NETLOG_READER", "netlog-reader"); }

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

Endpoint endpoint_of(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
    return {AF_INET, buf, ntohs(in->sin_port)};
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
  inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
  return {AF_INET6, buf, ntohs(in6->sin6_port)};
}

ssize_t send_with(int fd, const void* to, socklen_t to_len, int level, int type,
                  const void* data, size_t len) {
  char x = 'x';
  iovec iov{&x, 1};
  std::vector<char> control(CMSG_SPACE(len));
  msghdr msg{};
  msg.msg_name = const_cast<void*>(to);
  msg.msg_namelen = to_len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = level;
  c->cmsg_type = type;
  c->cmsg_len = CMSG_LEN(len);
  std::memcpy(CMSG_DATA(c), data, len);
  return sendmsg(fd, &msg, 0);
}

int bind_to(int fd, int family, const std::string& addr, uint16_t port) {
  socklen_t len;
  auto ss = make_addr(family, addr, port, &len);
  return bind(fd, reinterpret_cast<sockaddr*>(&ss), len) ? -errno : 0;
}

Endpoint local_of(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  return endpoint_of(ss);
}

Endpoint peer_of(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  return endpoint_of(ss);
}

uint16_t closed_port(int family, const std::string& addr) {
  int fd = socket(family, SOCK_STREAM, 0);
  socklen_t len;
  auto ss = make_addr(family, addr, 0, &len);
  bind(fd, reinterpret_cast<sockaddr*>(&ss), len);
  uint16_t port = local_of(fd).port;
  close(fd);
  return port;
}

void connect_loop(uint16_t port, long count) {
  for (long n = 0; count < 0 || n < count; n++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t len;
    auto ss = make_addr(AF_INET, "127.0.0.1", port, &len);
    connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
    close(fd);
  }
}

void udp_loop(uint16_t port) {
  for (;;) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    socklen_t len;
    auto any = make_addr(AF_INET, "127.0.0.1", 0, &len);
    bind(fd, reinterpret_cast<sockaddr*>(&any), len);
    auto ss = make_addr(AF_INET, "127.0.0.1", port, &len);
    connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
    close(fd);
  }
}

bool holds_device(pid_t pid) {
  const std::string dir = fmt::format("/proc/{}/fd", pid);
  DIR* d = opendir(dir.c_str());
  if (!d) return false;
  bool found = false;
  while (dirent* e = readdir(d)) {
    char target[64] = "";
    const auto link = dir + "/" + e->d_name;
    if (readlink(link.c_str(), target, sizeof(target) - 1) > 0 &&
        std::string(target) == kDevice)
      found = true;
  }
  closedir(d);
  return found;
}

Outcome connect_from_thread(int family, const std::string& addr, uint16_t port,
                            const std::string& comm, bool nonblock) {
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

std::string self_cgroup() {
  std::ifstream f("/proc/self/cgroup");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  return "";
}

std::string hostname() {
  char buf[256] = "";
  gethostname(buf, sizeof(buf) - 1);
  return buf;
}

int64_t self_audit(const char* file) {
  std::ifstream f(std::string("/proc/self/") + file);
  int64_t v = -1;
  f >> v;
  return v;
}

// The suite's start: every record a test reads was made after it.
static const time_t suite_start = time(nullptr);

void expect_record(const Rec& r, const Expect& e) {
  EXPECT_GE(num(r, "seq"), 0);
  // time: RFC 3339 UTC with nanoseconds, since the suite began and not
  // in the future (a test on the debug kernel may read minutes later)
  const auto t = str(r, "time");
  ASSERT_EQ(t.size(), 30u) << t;
  EXPECT_EQ(t.back(), 'Z');
  struct tm tm {};
  ASSERT_NE(strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm), nullptr) << t;
  const auto secs = timegm(&tm);
  EXPECT_GE(secs, suite_start) << t;
  EXPECT_LE(secs, time(nullptr) + 1) << t;  // time() is the coarse clock
  EXPECT_EQ(str(r, "event"), e.event);
  EXPECT_EQ(str(r, "proto"), e.proto);
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
  EXPECT_EQ(num(r, "auid"), e.auid);
  EXPECT_EQ(num(r, "ses"), e.ses);
  EXPECT_EQ(num(r, "uid"), e.uid);
  EXPECT_EQ(num(r, "euid"), e.uid);
  EXPECT_EQ(num(r, "owner_uid"), e.owner_uid >= 0 ? e.owner_uid : e.uid);
  if (e.owner_pid) {
    EXPECT_EQ(num(r, "owner_pid"), e.owner_pid > 0 ? e.owner_pid : e.pid);
  } else {
    EXPECT_EQ(r.count("owner_pid"), 0u);
  }
  EXPECT_EQ(num(r, "gid"), e.gid);
  EXPECT_EQ(num(r, "egid"), e.gid);
  EXPECT_EQ(str(r, "user"), e.user);
  EXPECT_EQ(str(r, "tty"), e.tty);
  EXPECT_EQ(str(r, "comm"), e.comm);
  EXPECT_EQ(str(r, "exe"), e.exe);
  EXPECT_EQ(r.count("exe_ns"), e.exe_ns ? 1u : 0u);
  EXPECT_EQ(r.count("exe_set"), e.exe_loaded.empty() ? 0u : 1u);
  EXPECT_EQ(r.count("preload"), e.preload ? 1u : 0u);
  if (e.exe_loaded.empty()) {
    EXPECT_EQ(r.count("exe_loaded"), 0u);
  } else {
    EXPECT_EQ(str(r, "exe_loaded"), e.exe_loaded);
  }
  EXPECT_EQ(str(r, "cgroup"), e.cgroup);
  EXPECT_EQ(num(r, "netns"), e.netns);
  if (e.established >= 0) {
    EXPECT_EQ(num(r, "established"), e.established);
  } else {
    EXPECT_EQ(r.count("established"), 0u);
  }
  // The close of an established TCP connection says what it carried (ABI
  // minor 10): at least the handshake's segments each way.
  const bool life =
      e.event == "close" && e.proto == "tcp" && e.established == 1;
  const bool dgram =
      e.event == "close" && e.counted &&
      (e.proto == "udp" || e.proto == "udplite" || e.proto == "icmp" ||
       e.proto == "icmpv6" || e.proto == "raw" || e.proto == "l2tp");
  EXPECT_EQ(r.count("bytes_sent"), life || dgram ? 1u : 0u);
  if (life) {
    for (const char* key : {"bytes_received", "retrans", "state", "end"})
      EXPECT_EQ(r.count(key), 1u) << key;
    EXPECT_GT(num(r, "segs_out"), 0);
    EXPECT_GT(num(r, "segs_in"), 0);
  }
  EXPECT_EQ(r.count("datagrams_sent"), dgram ? 1u : 0u);
  if (dgram) {
    for (const char* key :
         {"bytes_received", "datagrams_received", "destinations"})
      EXPECT_EQ(r.count(key), 1u) << key;
    EXPECT_GT(num(r, "duration_ns"), 0);
    EXPECT_EQ(r.count("state"), 0u);
  }
  EXPECT_EQ(str(r, "host"), hostname());
  EXPECT_EQ(r.count("truncated"), 0u);
}

Rec only_event(const std::string& event, pid_t pid) {
  auto recs = records_of(pid, event);
  EXPECT_EQ(recs.size(), 1u) << event;
  return recs.empty() ? Rec{} : recs[0];
}

Rec only_connect(pid_t pid) { return only_event("connect", pid); }

Expect done_of(Expect e, int64_t result) {
  e.event = "connect_done";
  e.result = result;
  return e;
}

void expect_connect_and_done(const Expect& e, int64_t result, pid_t pid) {
  std::vector<Rec> mine;
  for (auto& r : read_all().recs)
    if (num(r, "pid") == pid &&
        (str(r, "event") == "connect" || str(r, "event") == "connect_done"))
      mine.push_back(r);
  ASSERT_EQ(mine.size(), 2u);
  expect_record(mine[0], e);
  expect_record(mine[1], done_of(e, result));
  EXPECT_GT(num(mine[1], "seq"), num(mine[0], "seq"));
  EXPECT_EQ(num(mine[1], "connect_seq"), num(mine[0], "seq"));
  EXPECT_EQ(mine[0].count("connect_seq"), 0u);
}

std::vector<Rec> find(const std::vector<Rec>& recs, pid_t pid,
                      const std::string& event, const std::string& proto,
                      int lport) {
  std::vector<Rec> out;
  for (const auto& r : recs)  // (lost and missed records have no pid)
    if (r.count("pid") && num(r, "pid") == pid && str(r, "event") == event &&
        str(r, "proto") == proto && (lport < 0 || num(r, "lport") == lport))
      out.push_back(r);
  return out;
}

Rec one(const std::vector<Rec>& recs, pid_t pid, const std::string& event,
        const std::string& proto, int lport) {
  auto found = find(recs, pid, event, proto, lport);
  EXPECT_EQ(found.size(), 1u) << event << " " << proto << " lport " << lport;
  return found.empty() ? Rec{} : found[0];
}

bool have_protocol(const std::string& group, int family, int type,
                   int protocol) {
  std::ifstream order("/lib/" + group + "/order");
  for (std::string ko; std::getline(order, ko);) run({"insmod", ko});
  const int fd = socket(family, type, protocol);
  if (fd < 0) return false;
  close(fd);
  return true;
}

std::string any_addr(int family) {
  return family == AF_INET ? "0.0.0.0" : "::";
}

std::string family_name(int family) {
  return family == AF_INET ? "ipv4" : "ipv6";
}

std::string loopback(int family) {
  return family == AF_INET ? "127.0.0.1" : "::1";
}

pid_t in_thread(const std::string& comm, const std::function<void()>& fn) {
  pid_t tid = 0;
  std::thread t([&] {
    prctl(PR_SET_NAME, comm.c_str());
    tid = gettid();
    fn();
  });
  t.join();
  return tid;
}

std::string module(const char* name) {
  return env_or("NETLOG_MODULES", "/lib/netlog") + "/" + name + ".ko";
}

void reload(const std::string& secure_log_args,
            const std::string& netlog_args) {
  ASSERT_EQ(run({"rmmod", "netlog"}).code, 0);
  ASSERT_EQ(run({"rmmod", "secure_log"}).code, 0);
  std::vector<std::string> ins = {"insmod", module("secure_log")};
  if (!secure_log_args.empty()) ins.push_back(secure_log_args);
  auto p = run(ins);
  ASSERT_EQ(p.code, 0) << p.err;
  ins = {"insmod", module("netlog")};
  if (!netlog_args.empty()) ins.push_back(netlog_args);
  p = run(ins);
  ASSERT_EQ(p.code, 0) << p.err;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

bool write_file(const std::string& path, const std::string& value) {
  int fd = open(path.c_str(), O_WRONLY);
  if (fd < 0) return false;
  bool ok = write(fd, value.data(), value.size()) == ssize_t(value.size());
  close(fd);
  return ok;
}

namespace {

// One byte and room for one fd: a message for sendmsg() or recvmsg().
struct FdMessage {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  FdMessage() {
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl;
    msg.msg_controllen = sizeof(ctl);
  }
  FdMessage(const FdMessage&) = delete;
};

}  // namespace

int pass_fd(int sock, int fd) {
  FdMessage m;
  cmsghdr* c = CMSG_FIRSTHDR(&m.msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  return sendmsg(sock, &m.msg, 0) == 1 ? 0 : -1;
}

int take_fd(int sock) {
  FdMessage m;
  if (recvmsg(sock, &m.msg, 0) != 1) return -1;
  const cmsghdr* c = CMSG_FIRSTHDR(&m.msg);
  int fd = -1;
  if (c && c->cmsg_type == SCM_RIGHTS)
    std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return fd;
}

int64_t probe_count(const std::string& probe, const std::string& counter) {
  const auto stats = read_file("/sys/module/netlog/parameters/stats");
  const auto at = stats.find(probe + " on=");
  const auto f = stats.find(" " + counter + "=", at);
  if (at == std::string::npos || f == std::string::npos) return -1;
  return std::stoll(stats.substr(f + counter.size() + 2));
}

std::string ctl() { return env_or("NETLOGCTL", "netlogctl"); }

nlohmann::json ctl_json(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {ctl()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = run(argv);
  EXPECT_EQ(p.code, 0) << p.err;
  auto j = nlohmann::json::parse(p.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << p.out;
  return j;
}

// A mask of netlogctl's status: "probes_all" or "probes_default".
static std::string status_mask(const std::string& module,
                               const std::string& key) {
  auto j = ctl_json({"status", "--json"});
  nlohmann::json mask;
  if (j.is_object()) mask = j["modules"][module][key];
  if (!mask.is_string()) {
    ADD_FAILURE() << "no " << key << " for " << module << ": " << j.dump();
    return "";
  }
  return mask.get<std::string>();
}

std::string all_probes(const std::string& module) {
  return status_mask(module, "probes_all");
}

std::string default_probes(const std::string& module) {
  return status_mask(module, "probes_default");
}

int kretprobe_instances() {
  const auto possible = read_file("/sys/devices/system/cpu/possible");
  const auto dash = possible.find('-');
  const int cpus =
      dash == std::string::npos ? 1 : std::stoi(possible.substr(dash + 1)) + 1;
  return std::max(128, 16 * cpus);
}

namespace {
constexpr const char* kUffdKnob = "/proc/sys/vm/unprivileged_userfaultfd";
}

UffdKnob::UffdKnob() : was_(read_file(kUffdKnob)) {
  if (present()) {
    EXPECT_TRUE(write_file(kUffdKnob, "1"));
  }
}

UffdKnob::~UffdKnob() {
  if (present()) write_file(kUffdKnob, was_);
}

void* unserved_page(int* uffd) {
  *uffd = static_cast<int>(syscall(__NR_userfaultfd, O_CLOEXEC));
  uffdio_api api{};
  api.api = UFFD_API;
  if (*uffd < 0 || ioctl(*uffd, UFFDIO_API, &api)) return nullptr;
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  uffdio_register reg{};
  reg.range = {reinterpret_cast<uintptr_t>(page), 4096};
  reg.mode = UFFDIO_REGISTER_MODE_MISSING;
  if (page == MAP_FAILED || ioctl(*uffd, UFFDIO_REGISTER, &reg)) return nullptr;
  return page;
}

int64_t all_hooks_missed(const std::string& module) {
  std::istringstream in(
      read_file("/sys/module/" + module + "/parameters/stats"));
  int64_t sum = 0;
  for (std::string line; std::getline(in, line);) {
    const auto m = line.find("missed=");
    if (m != std::string::npos) sum += std::stoll(line.substr(m + 7));
  }
  return sum;
}

std::vector<Rec> nc_run(const std::function<int()>& start) {
  // The exec closes `execd` (or the child's end does): the setup, and the
  // exec, may take seconds on the debug kernel under load.
  const int64_t seen = probe_count("tcp_connect", "hits");
  int execd[2];
  EXPECT_EQ(pipe2(execd, O_CLOEXEC), 0);
  pid_t child = spawn([&] {
    close(execd[0]);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    return start();
  });
  close(execd[1]);
  pollfd p{execd[0], POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 120 * 1000), 1) << "no exec in two minutes";
  close(execd[0]);
  // Then its connect, recorded or silenced: the probe has seen one more.
  for (int t = 0; t < 600 && probe_count("tcp_connect", "hits") <= seen; t++)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  kill(child, SIGKILL);
  EXPECT_EQ(wait_exit(child), 128 + SIGKILL) << "setup or exec failed";
  return records_of(child, "connect");
}

}  // namespace e2e
