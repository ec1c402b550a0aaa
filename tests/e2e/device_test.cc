// /dev/secure_log: access, reads, wake-ups, loss, and unload under traffic.

#include "e2e.h"

namespace e2e {
namespace {

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
  // Whole records, back to back, all of them ours.
  ssize_t off = 0;
  int connects = 0;
  while (off < n) {
    netlog_sock rec;
    ASSERT_LE(off + ssize_t(sizeof(rec)), n);
    memcpy(&rec, buf + off, sizeof(rec));
    ASSERT_EQ(rec.hdr.type, NETLOG_REC_SOCK);
    ASSERT_EQ(rec.hdr.len % NETLOG_REC_ALIGN, 0u);
    EXPECT_EQ(rec.task.pid, uint32_t(getpid()));
    connects += rec.event == NETLOG_EV_CONNECT;
    off += rec.hdr.len;
  }
  EXPECT_EQ(off, n);
  EXPECT_EQ(connects, 1);
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
  std::optional<Rec> rec;
  std::istringstream lines(replay.out);
  for (std::string line; std::getline(lines, line);) {
    auto r = parse_json_line(line);
    ASSERT_TRUE(r) << line;
    if (str(*r, "event") == "connect") rec = r;
  }
  ASSERT_TRUE(rec) << replay.out;
  EXPECT_EQ(str(*rec, "comm"), "nl-raw");
  EXPECT_EQ(num(*rec, "rport"), l.port);
  EXPECT_EQ(num(*rec, "pid"), getpid());
}

// ---- loss ---------------------------------------------------------------

TEST_F(E2E, LostRecordsAreCountedExactly) {
  reload("capacity=4096");  // below the minimum: rounded up to it
  ASSERT_EQ(read_file("/sys/module/secure_log/parameters/capacity"), "16384\n");
  // Connects only, so that every produced record is one of ours: a
  // connect and its connect_done each.
  ASSERT_TRUE(write_file("/sys/module/netlog/parameters/probes", "1"));
  constexpr int kConnects = 400, kBurst = 2 * kConnects;
  uint16_t port = closed_port(AF_INET, "127.0.0.1");
  for (int i = 0; i < kConnects; i++)
    ASSERT_EQ(
        connect_from_thread(AF_INET, "127.0.0.1", port, "nl-burst").result,
        -ECONNREFUSED);

  auto d = read_all();
  int delivered = 0, lost_records = 0, configs = 0;
  int64_t lost = 0, expect_seq = 0;
  for (const auto& r : d.recs) {
    EXPECT_EQ(num(r, "seq"), expect_seq) << "sequence gap";
    if (str(r, "event") == "config") {  // the load, the probes write
      EXPECT_EQ(expect_seq, configs);
      configs++;
      expect_seq++;
    } else if (str(r, "event") == "lost") {
      lost_records++;
      lost += num(r, "count");
      EXPECT_EQ(num(r, "first_seq"), num(r, "seq"));
      EXPECT_EQ(num(r, "last_seq"), num(r, "seq") + num(r, "count") - 1);
      expect_seq += num(r, "count");
    } else {
      EXPECT_EQ(num(r, "pid"), getpid());
      EXPECT_EQ(num(r, "result"),
                str(r, "event") == "connect" ? kInProgress : -ECONNREFUSED);
      delivered++;
      expect_seq++;
    }
  }
  EXPECT_GT(delivered, 0);
  EXPECT_GE(lost_records, 1);
  EXPECT_EQ(configs, 2);
  EXPECT_EQ(delivered + lost, kBurst);
  EXPECT_EQ(expect_seq, configs + kBurst);
  EXPECT_NE(
      d.proc.err.find(fmt::format("netlog-reader: lost {} records", lost)),
      std::string::npos)
      << d.proc.err;
  const auto stats = read_file("/sys/module/netlog/parameters/stats");
  EXPECT_NE(stats.find(fmt::format(
                "tcp_connect on=1 hits={} emitted={} dropped={} filtered=0\n",
                kBurst, delivered, lost)),
            std::string::npos)
      << stats;
  EXPECT_NE(stats.find("hook tcp_v4_connect registered=1 ftrace=0 missed=0\n"),
            std::string::npos)
      << stats;

  // After the loss the stream goes on, numbered on.
  Listener l(AF_INET, "127.0.0.1");
  ASSERT_EQ(
      connect_from_thread(AF_INET, "127.0.0.1", l.port, "nl-after").result, 0);
  auto after = only_connect();
  EXPECT_EQ(num(after, "seq"), configs + kBurst);
  EXPECT_EQ(str(after, "comm"), "nl-after");
  reload();
}

// ---- unload under traffic -----------------------------------------------

// Load/unload cycles of both modules while one process connects and one
// accepts in a loop and a reader follows the device. netlog goes away while
// the reader is still draining; the reader is then stopped by SIGTERM, as
// the open device holds secure_log.
TEST_F(E2E, UnloadWhileConnecting) {
  const int cycles = std::atoi(env_or("NETLOG_RELOADS", "5").c_str());
  Traffic traffic(false);
  for (int i = 0; i < cycles; i++) {
    pid_t follower = spawn([] {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      execlp(reader().c_str(), "netlog-reader", "--format", "json", nullptr);
      return 127;
    });
    // The reader is up (its signal handlers too) once it has the device.
    for (int t = 0; t < 300 && !holds_device(follower); t++)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(holds_device(follower)) << "cycle " << i;
    ASSERT_EQ(run({"rmmod", "netlog"}).code, 0) << "cycle " << i;
    kill(follower, SIGTERM);
    ASSERT_EQ(wait_exit(follower), 0) << "cycle " << i;
    ASSERT_EQ(run({"rmmod", "secure_log"}).code, 0) << "cycle " << i;
    ASSERT_EQ(run({"insmod", module("secure_log")}).code, 0) << "cycle " << i;
    ASSERT_EQ(run({"insmod", module("netlog")}).code, 0) << "cycle " << i;
  }
  traffic.stop();
  // Still recording after all that.
  read_all();
  ASSERT_EQ(
      connect_from_thread(AF_INET, "127.0.0.1", traffic.port(), "nl-reload")
          .result,
      0);
  EXPECT_EQ(str(only_connect(), "comm"), "nl-reload");
}

TEST_F(E2E, ProbesSwitchUnderTraffic) {
  const std::string mask = "/sys/module/netlog/parameters/probes";
  const int rounds = std::atoi(env_or("NETLOG_SWITCH_ROUNDS", "10").c_str());
  const std::string all = all_probes();
  Traffic traffic;
  for (int i = 0; i < rounds; i++) {
    ASSERT_TRUE(write_file(mask, "0"));
    ASSERT_TRUE(write_file(mask, all));
  }
  traffic.stop();
  ASSERT_TRUE(write_file(mask, default_probes()));
  read_all();
  ASSERT_EQ(
      connect_from_thread(AF_INET, "127.0.0.1", traffic.port(), "nl-switched")
          .result,
      0);
  EXPECT_EQ(str(only_connect(), "comm"), "nl-switched");
}

}  // namespace
}  // namespace e2e
