#pragma once

// Helpers of the end-to-end tests, run as root inside the test VM with
// secure_log.ko and netlog.ko loaded (execlog.ko by its tests): make real
// sockets, read the records back through `netlog-reader --format json --once`,
// assert every field.
//
// Environment: NETLOG_MODULES (directory of the .ko files, for reloads),
// NETLOG_READER (reader binary, default netlog-reader from PATH).
#include <arpa/inet.h>
#include <dirent.h>
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
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "uapi/netlog.h"

namespace e2e {

inline constexpr const char* kDevice = "/dev/secure_log";
inline constexpr uid_t kUser = 1000;
// netlog's module parameters
inline const std::string kParams = "/sys/module/netlog/parameters/";

std::string env_or(const char* name, const char* dflt);

// ---- processes ----------------------------------------------------------

struct Proc {
  int code = -1;
  std::string out, err;
};

std::string slurp_fd(int fd);

void drop_to_user();

// uid 1000 becomes root of its own user namespace (and, with CLONE_NEWNS
// or CLONE_NEWNET, of a mount or network namespace it owns).
bool user_namespace(int flags);

// Brings up lo in a network namespace of our own.
bool loopback_up();

// Runs argv, optionally as uid/gid 1000, stdout to `out_file` if given.
Proc run(const std::vector<std::string>& argv, bool as_user = false,
         const std::string& out_file = "");

// Forks; the child runs `fn` and exits with its return value.
pid_t spawn(const std::function<int()>& fn);

// spawn() for a child that sets something up and then stays until it is
// killed: `setup` returns 0 once it is set up, and this returns then, with
// the child's pid. If `setup` fails or the child exits before, the test
// fails with its exit code and this returns -1.
pid_t spawn_held(const std::function<int()>& setup);

int wait_exit(pid_t pid);

// A spawn_held() child, killed and reaped when this goes (or by stop()).
struct HeldChild {
  pid_t pid;
  explicit HeldChild(const std::function<int()>& setup)
      : pid(spawn_held(setup)) {}
  HeldChild(const HeldChild&) = delete;
  HeldChild& operator=(const HeldChild&) = delete;
  ~HeldChild() { stop(); }
  void stop() {
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    wait_exit(pid);
    pid = -1;
  }
};

// Runs `fn` in a child process and returns its pid and what `fn` returned
// (-1 if the child could not tell), once the child has exited.
struct ChildResult {
  pid_t pid;
  int64_t value;
};

ChildResult in_child(const std::function<int64_t()>& fn);

// ---- records ------------------------------------------------------------

using Value = std::variant<int64_t, std::string>;
using Rec = std::map<std::string, Value>;

// One line of netlog-reader's JSON, by a real parser: anything that is not
// one valid JSON object fails. Strings and integers are kept as such
// (true/false as 1/0); arrays and objects as their JSON text (see
// lost_by_uid()).
std::optional<Rec> parse_json_line(const std::string& s);

int64_t num(const Rec& r, const std::string& k);

std::string str(const Rec& r, const std::string& k);

// The uids a LOST record names, with their counts.
std::map<int64_t, int64_t> lost_by_uid(const Rec& r);

std::string reader();

struct Drain {
  std::vector<Rec> recs;
  Proc proc;
};

// Everything buffered in the device, through the reader.
Drain read_all();

std::vector<Rec> records_of(pid_t pid, const std::string& event);

// ---- sockets ------------------------------------------------------------

struct Endpoint {
  int family;
  std::string addr;
  uint16_t port;
};

sockaddr_storage make_addr(int family, const std::string& addr, uint16_t port,
                           socklen_t* len);

Endpoint endpoint_of(const sockaddr_storage& ss);

// sendmsg(2) of one byte to `to`, with one control message: its result.
ssize_t send_with(int fd, const void* to, socklen_t to_len, int level, int type,
                  const void* data, size_t len);

// bind(2) to addr:port: 0 or -errno.
int bind_to(int fd, int family, const std::string& addr, uint16_t port);

Endpoint local_of(int fd);

Endpoint peer_of(int fd);

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
uint16_t closed_port(int family, const std::string& addr);

// connect() + close() to 127.0.0.1:port, `count` times (forever if < 0).
void connect_loop(uint16_t port, long count);

// ---- traffic ------------------------------------------------------------

// bind() + connect() + close() of a UDP socket to 127.0.0.1:port, forever.
void udp_loop(uint16_t port);

// Processes that make sockets in a loop until stopped: one connecting to a
// listener and one accepting there; with `more`, two more connecting (to a
// closed port and to the listener); with `udp`, one doing UDP bind +
// connect.
class Traffic {
 public:
  explicit Traffic(bool more = true, bool udp = false)
      : l_(AF_INET, "127.0.0.1") {
    std::vector<uint16_t> ports = {l_.port};
    if (more) {
      ports.push_back(closed_port(AF_INET, "127.0.0.1"));
      ports.push_back(l_.port);
    }
    for (uint16_t port : ports) {
      pids_.push_back(spawn([port] {
        connect_loop(port, -1);
        return 0;
      }));
    }
    if (udp) {
      const uint16_t port = closed_port(AF_INET, "127.0.0.1");
      pids_.push_back(spawn([port] {
        udp_loop(port);
        return 0;
      }));
    }
    // The listener's queue is drained so that connects keep succeeding.
    const int lfd = l_.fd;
    pids_.push_back(spawn([lfd] {
      for (;;) close(accept(lfd, nullptr, nullptr));
      return 0;
    }));
  }
  ~Traffic() { stop(); }
  void stop() {
    for (pid_t p : pids_) kill(p, SIGKILL);
    for (pid_t p : pids_) wait_exit(p);
    pids_.clear();
  }
  uint16_t port() const { return l_.port; }
  const std::vector<pid_t>& pids() const { return pids_; }

 private:
  Listener l_;
  std::vector<pid_t> pids_;
};

// Whether `pid` has /dev/secure_log open (looked up without opening it).
bool holds_device(pid_t pid);

struct Outcome {
  int result;      // 0 or -errno, as the kernel returned it
  Endpoint local;  // getsockname() after the call
  pid_t tid;
};

// connect() from a thread named `comm`, so that tid != pid and comm is ours.
Outcome connect_from_thread(int family, const std::string& addr, uint16_t port,
                            const std::string& comm, bool nonblock = false);

// ---- what the record must say -------------------------------------------

std::string self_exe();

// /proc/self/loginuid or sessionid.
int64_t self_audit(const char* file);

int64_t self_netns();

// The cgroup v2 path of this process, as /proc/self/cgroup says ("0::PATH").
std::string self_cgroup();

std::string hostname();

struct Expect {
  std::string event = "connect";
  std::string proto = "tcp";
  std::string family = "ipv4";
  std::string laddr, raddr;
  int64_t lport = -1, rport = -1;  // lport -1: not checked (see caller)
  int64_t result = 0;
  int64_t pid = getpid(), tid = -1, ppid = getppid(), sid = getsid(0);
  int64_t uid = 0, gid = 0;
  // The login uid and audit session: inherited, so this process's.
  int64_t auid = self_audit("loginuid"), ses = self_audit("sessionid");
  std::string user = "root";
  std::string tty;
  std::string comm;
  std::string exe = self_exe();
  std::string cgroup = self_cgroup();
  int64_t netns = self_netns();
  int64_t established = -1;  // close only: 0 or 1
  bool exe_ns = false;       // the exe is not a path of the host's view
  std::string exe_loaded;    // set: the exe was forged (exe_set), and this
                             // is the one exec loaded
  bool preload = false;      // may run more than its exe (a loader variable,
                             // a tracer, a write to its memory)
  int64_t owner_uid = -1;    // the uid that made the socket; -1: uid's
  int64_t owner_pid = -1;    // the pid that made it; -1: pid's, 0: unknown
  // A datagram socket's close: its counts (DGRAM, ABI minor 12) are there,
  // as they are for every such socket a task bound, connected or sent on
  // while udp_close was on.
  bool counted = true;
};

void expect_record(const Rec& r, const Expect& e);

// A counter of netlog's stats for one probe ("hits", "filtered", ...).
int64_t probe_count(const std::string& probe, const std::string& counter);

// The netlogctl to run ($NETLOGCTL, or the one on PATH).
std::string ctl();

// netlogctl with `args`, which must succeed and print JSON.
nlohmann::json ctl_json(const std::vector<std::string>& args);

// The mask of every probe of a loaded module ("0x..."), as the module
// reports it (netlogctl status): tests never write the mask as a literal.
std::string all_probes(const std::string& module = "netlog");
// The probes on at load (all but those a record per packet or per state
// change would make a choice: netlog's tcp_state).
std::string default_probes(const std::string& module = "netlog");

// The return probes' instances per hook at maxactive=0: 16 per possible
// CPU, at least 128.
int kretprobe_instances();

// vm.unprivileged_userfaultfd=1 while it lives: uid 1000 may then hang its
// own calls in a kernel-mode fault, as it can on a FUSE file whose daemon
// never answers. present() is false on a kernel without userfaultfd.
class UffdKnob {
 public:
  UffdKnob();
  ~UffdKnob();
  UffdKnob(const UffdKnob&) = delete;
  UffdKnob& operator=(const UffdKnob&) = delete;
  bool present() const { return !was_.empty(); }

 private:
  std::string was_;
};

// A page of the calling process whose faults userfaultfd takes and nobody
// serves: a call that reads it from the kernel waits until it is killed.
// `uffd` receives the fault messages. nullptr on failure.
void* unserved_page(int* uffd);

// The sum of every `missed=` count in a module's stats.
int64_t all_hooks_missed(const std::string& module = "netlog");

// Runs `start` in a child with stdin from /dev/null, which must exec a
// program that connects over TCP and then waits (busybox nc); once the
// connect was seen (recorded or whitelisted), kills it. Returns the
// child's connect records.
std::vector<Rec> nc_run(const std::function<int()>& start);

// SCM_RIGHTS over a unix socket: sends @fd (0, or -1 on failure), or takes
// one (the fd, or -1).
int pass_fd(int sock, int fd);
int take_fd(int sock);

// The one record of an event of this process, or a failure.
Rec only_event(const std::string& event, pid_t pid = getpid());

Rec only_connect(pid_t pid = getpid());

// A TCP connect is recorded when its SYN goes out, with -EINPROGRESS.
inline constexpr int64_t kInProgress = -EINPROGRESS;

// What connect_done says, given what its connect said: the outcome, and
// everything else as its connect said it.
Expect done_of(Expect e, int64_t result);

// One connect and one connect_done of `pid`, in this order, as `e` and
// done_of(e, result) say, the second naming the first's seq (connect_seq);
// both come from one drain of the device.
void expect_connect_and_done(const Expect& e, int64_t result,
                             pid_t pid = getpid());

// The records of `pid` for `event` and `proto`, optionally on local port.
std::vector<Rec> find(const std::vector<Rec>& recs, pid_t pid,
                      const std::string& event, const std::string& proto,
                      int lport = -1);

Rec one(const std::vector<Rec>& recs, pid_t pid, const std::string& event,
        const std::string& proto, int lport = -1);

std::string any_addr(int family);

std::string family_name(int family);

std::string loopback(int family);

// Runs `fn` in a thread named `comm`; returns the thread's tid.
pid_t in_thread(const std::string& comm, const std::function<void()>& fn);

// ---- modules ------------------------------------------------------------

// Whether a socket(family, type, protocol) can be made: its modules loaded
// now, after netlog, when the VM staged them in /lib/<group> (in load
// order), or built in. A module already loaded fails to load: harmless.
bool have_protocol(const std::string& group, int family, int type,
                   int protocol);

std::string module(const char* name);

void reload(const std::string& secure_log_args = "",
            const std::string& netlog_args = "");

std::string read_file(const std::string& path);

// One write(2) of `value`, as `echo value > path` does; false on error.
bool write_file(const std::string& path, const std::string& value);

class E2E : public ::testing::Test {
 protected:
  void SetUp() override { read_all(); }  // start from an empty ring
};

}  // namespace e2e
