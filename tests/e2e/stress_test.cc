// Under load: five processes making sockets at full speed on the VM's two
// CPUs while netlog-reader follows the device, once draining as fast as it
// can and once held back by a slow consumer of its output. In both runs
// every event is accounted for exactly (delivered + lost == produced, from
// the per-probe counters and the sequence numbers), every record is whole,
// and the stream goes on after each LOST record. Also epoll wake-ups.
#include <sys/epoll.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>

#include "e2e.h"

namespace e2e {
namespace {

// netlog-reader --format json following the device, its stdout consumed
// by a thread that takes `chunk` bytes at a time and sleeps `pause` between
// reads, and when `gated` reads nothing until open_gate(): a slow consumer
// blocks the reader in write(), as a stuck pipeline would.
class Follower {
 public:
  Follower(size_t chunk, std::chrono::microseconds pause, bool gated) {
    open_ = !gated;
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    pid_ = spawn([&] {
      dup2(out[1], 1);
      int err = open("/tmp/stress.err", O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(err, 2);
      close(out[0]);
      execlp(reader().c_str(), "netlog-reader", "--format", "json", nullptr);
      return 127;
    });
    close(out[1]);
    fd_ = out[0];
    thread_ = std::thread([this, chunk, pause] {
      std::vector<char> buf(chunk);
      while (!open_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      for (ssize_t n; (n = read(fd_, buf.data(), buf.size())) > 0;) {
        {
          std::lock_guard<std::mutex> g(mu_);
          out_.append(buf.data(), n);
        }
        if (pause.count()) std::this_thread::sleep_for(pause);
      }
    });
    for (int t = 0; t < 300 && !holds_device(pid_); t++)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(holds_device(pid_));
  }
  ~Follower() { stop(); }

  // A gated follower's output is not read at all until this.
  void open_gate() { open_ = true; }

  bool saw(const std::string& needle) {
    std::lock_guard<std::mutex> g(mu_);
    return out_.find(needle) != std::string::npos;
  }

  // SIGTERM, then everything it wrote; `code` is its exit status.
  std::string stop(int* code = nullptr) {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      const int c = wait_exit(pid_);
      if (code) *code = c;
      pid_ = -1;
      thread_.join();
      close(fd_);
    }
    return out_;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::thread thread_;
  std::mutex mu_;
  std::string out_;
  std::atomic<bool> open_;
};

struct Counters {
  int64_t hits = 0, emitted = 0, dropped = 0, filtered = 0, missed = 0;
};

// Sums of /sys/module/netlog/parameters/stats over all probes and hooks.
Counters sum_stats() {
  Counters c;
  std::istringstream in(read_file("/sys/module/netlog/parameters/stats"));
  auto field = [](const std::string& line, const std::string& key) {
    auto at = line.find(" " + key + "=");
    return at == std::string::npos
               ? int64_t{0}
               : std::stoll(line.substr(at + key.size() + 2));
  };
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("cache ", 0) == 0) continue;  // lookups, not events
    c.hits += field(line, "hits");
    c.emitted += field(line, "emitted");
    c.dropped += field(line, "dropped");
    c.filtered += field(line, "filtered");
    c.missed += field(line, "missed");
  }
  return c;
}

std::vector<Rec> parse_lines(const std::string& out) {
  std::vector<Rec> recs;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    auto r = parse_json_line(line);
    EXPECT_TRUE(r) << "torn or bad line: " << line;
    if (r) recs.push_back(*r);
  }
  return recs;
}

struct Tally {
  int64_t delivered = 0, lost = 0, lost_records = 0, after_last_lost = 0;
};

// Checks the whole stream since the modules were loaded: numbered from 0
// without a gap that no LOST record covers, every record one of ours.
Tally check_stream(const std::vector<Rec>& recs, const std::set<pid_t>& pids) {
  static const std::set<std::string> events = {
      "connect", "connect_done", "accept", "close", "bind", "listen"};
  Tally t;
  int64_t expect_seq = 0;
  for (const auto& r : recs) {
    EXPECT_EQ(num(r, "seq"), expect_seq) << "sequence gap or reorder";
    expect_seq = num(r, "seq");
    if (str(r, "event") == "lost") {
      EXPECT_GT(num(r, "count"), 0);
      EXPECT_EQ(num(r, "first_seq"), expect_seq);
      EXPECT_EQ(num(r, "last_seq"), expect_seq + num(r, "count") - 1);
      t.lost += num(r, "count");
      t.lost_records++;
      t.after_last_lost = 0;
      expect_seq += num(r, "count");
      continue;
    }
    if (str(r, "event") == "config") {  // netlog's load: not a probe's
      EXPECT_EQ(str(r, "param"), "load");
      expect_seq++;
      continue;
    }
    // A torn or interleaved record would not decode to one of these.
    EXPECT_TRUE(events.count(str(r, "event"))) << str(r, "event");
    EXPECT_TRUE(pids.count(num(r, "pid"))) << "pid " << num(r, "pid");
    EXPECT_EQ(num(r, "uid"), 0);
    EXPECT_EQ(str(r, "family"), "ipv4");
    t.delivered++;
    t.after_last_lost++;
    expect_seq++;
  }
  return t;
}

// Full-speed traffic for NETLOG_STRESS_SECONDS (5) into a ring of
// `capacity` bytes, followed by a reader whose output is consumed in
// `chunk`-byte reads `pause` apart. Returns what was delivered and lost.
Tally stress(size_t capacity, size_t chunk, std::chrono::microseconds pause,
             bool gated = false) {
  reload(fmt::format("capacity={}", capacity));
  const int seconds = std::atoi(env_or("NETLOG_STRESS_SECONDS", "5").c_str());
  Follower follower(chunk, pause, gated);
  std::set<pid_t> pids = {getpid()};
  {
    Traffic traffic(true, true);
    pids.insert(traffic.pids().begin(), traffic.pids().end());
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
  }
  follower.open_gate();
  // A last record once the traffic and its listener are gone. The ring may
  // still be full (the slow reader), so it is made again each second until
  // one arrives; the ones that did not are lost, and counted as such.
  const uint16_t closed = closed_port(AF_INET, "127.0.0.1");
  for (int t = 0; t < 120 && !follower.saw("\"nl-last\""); t++) {
    EXPECT_EQ(
        connect_from_thread(AF_INET, "127.0.0.1", closed, "nl-last").result,
        -ECONNREFUSED);
    for (int w = 0; w < 10 && !follower.saw("\"nl-last\""); w++)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  int code = -1;
  auto out = follower.stop(&code);
  EXPECT_EQ(code, 0);
  auto recs = parse_lines(out);
  // Whatever came after the follower stopped.
  auto rest = read_all().recs;
  recs.insert(recs.end(), rest.begin(), rest.end());

  const Tally t = check_stream(recs, pids);
  const Counters c = sum_stats();
  EXPECT_EQ(c.filtered, 0);
  EXPECT_EQ(c.missed, 0) << "calls the kprobes could not follow";
  EXPECT_EQ(c.hits, c.emitted + c.dropped);
  EXPECT_EQ(t.delivered, c.emitted);
  EXPECT_EQ(t.lost, c.dropped);
  EXPECT_EQ(t.delivered + t.lost, c.hits);
  EXPECT_TRUE(std::any_of(recs.begin(), recs.end(), [](const Rec& r) {
    return r.count("comm") && str(r, "comm") == "nl-last";
  })) << "the last record never arrived";

  // The reader said so on stderr, once per LOST record, with the count.
  std::istringstream err(read_file("/tmp/stress.err"));
  int64_t warned = 0, warnings = 0;
  for (std::string line; std::getline(err, line);) {
    long long n = 0;
    EXPECT_EQ(sscanf(line.c_str(), "netlog-reader: lost %lld records", &n), 1)
        << line;
    warned += n;
    warnings++;
  }
  // Records of the LOST kind read by read_all() above warn there, not here.
  EXPECT_LE(warned, t.lost);
  EXPECT_LE(warnings, t.lost_records);
  fmt::print(
      "stress: capacity {} produced {} delivered {} lost {} in {} "
      "LOST records over {} s\n",
      capacity, c.hits, t.delivered, t.lost, t.lost_records, seconds);
  return t;
}

TEST_F(E2E, StressFastReaderAccountsForEveryEvent) {
  const Tally t = stress(1 << 20, 1 << 16, std::chrono::microseconds(0));
  // The traffic ran (a debug kernel makes under a thousand in the 5 s).
  EXPECT_GT(t.delivered, 100);
  reload();
}

TEST_F(E2E, StressSlowReaderLosesVisiblyAndResumes) {
  // 16 KiB of ring, and the reader's output not read at all while the
  // traffic runs (the reader blocks on its full pipe), then 4 KiB every
  // 20 ms: loss is certain however slowly the kernel at hand produces (a
  // debug kernel makes a few hundred records in the 5 s).
  const Tally t = stress(1 << 14, 4096, std::chrono::microseconds(20000), true);
  EXPECT_GT(t.lost, 0);
  EXPECT_GT(t.lost_records, 0);
  // Records kept coming after the last loss (nl-last among them).
  EXPECT_GT(t.after_last_lost, 0);
  reload();
}

// ---- epoll --------------------------------------------------------------

class Epoll {
 public:
  explicit Epoll(uint32_t events) {
    fd_ = open(kDevice, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    EXPECT_GE(fd_, 0);
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = events;
    EXPECT_EQ(epoll_ctl(ep_, EPOLL_CTL_ADD, fd_, &ev), 0);
  }
  ~Epoll() {
    close(ep_);
    close(fd_);
  }
  int wait(int timeout_ms) {
    epoll_event ev{};
    return epoll_wait(ep_, &ev, 1, timeout_ms);
  }
  // Records read until EAGAIN.
  int drain() {
    int n = 0;
    char buf[1 << 16];
    for (ssize_t got; (got = read(fd_, buf, sizeof(buf))) > 0;) {
      for (ssize_t off = 0; off < got;) {
        netlog_hdr hdr;
        memcpy(&hdr, buf + off, sizeof(hdr));
        EXPECT_GE(hdr.len, sizeof(hdr));
        off += hdr.len;
        n++;
      }
    }
    EXPECT_EQ(errno, EAGAIN);
    return n;
  }

 private:
  int fd_ = -1, ep_ = -1;
};

// A reader blocked in epoll_wait is woken by the next record: one wake-up
// per record here, as each arrives alone (a UDP connect makes one record).
TEST_F(E2E, EpollWakesBlockedReaderForEachRecord) {
  ASSERT_TRUE(write_file("/sys/module/netlog/parameters/probes", "8"));
  read_all();  // the config record of that write
  Epoll ep(EPOLLIN);
  for (int i = 0; i < 20; i++) {
    ASSERT_EQ(ep.wait(0), 0) << "ready with nothing to read, round " << i;
    std::thread later([] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      int fd = socket(AF_INET, SOCK_DGRAM, 0);
      socklen_t len;
      auto ss = make_addr(AF_INET, "127.0.0.1", 9, &len);
      EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&ss), len), 0);
      close(fd);
    });
    EXPECT_EQ(ep.wait(10000), 1) << "no wake-up in 10 s, round " << i;
    later.join();
    EXPECT_EQ(ep.drain(), 1) << "round " << i;
  }
  ASSERT_TRUE(
      write_file("/sys/module/netlog/parameters/probes", default_probes()));
}

// Edge-triggered: a burst may be announced by fewer wake-ups than records
// (irq_work batches them), but never by none, and every record is read.
TEST_F(E2E, EpollEdgeTriggeredBurstIsReadWhole) {
  ASSERT_TRUE(write_file("/sys/module/netlog/parameters/probes", "1"));
  read_all();  // the config record of that write
  // 200 records: each refused connect makes a connect and a connect_done.
  constexpr int kBurst = 200;
  Epoll ep(EPOLLIN | EPOLLET);
  const uint16_t port = closed_port(AF_INET, "127.0.0.1");
  std::thread burst([port] { connect_loop(port, kBurst / 2); });
  int read_recs = 0, wakeups = 0;
  while (read_recs < kBurst) {
    int n = ep.wait(10000);
    ASSERT_EQ(n, 1) << "stalled after " << read_recs << " records";
    wakeups++;
    read_recs += ep.drain();
  }
  burst.join();
  EXPECT_EQ(read_recs, kBurst);
  EXPECT_GE(wakeups, 1);
  EXPECT_LE(wakeups, kBurst);
  fmt::print("epoll: {} records in {} edge-triggered wake-ups\n", read_recs,
             wakeups);
  ASSERT_TRUE(
      write_file("/sys/module/netlog/parameters/probes", default_probes()));
}

}  // namespace
}  // namespace e2e
