#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "drain.h"
#include "log_file.h"
#include "metrics.h"
#include "notify.h"
#include "options.h"
#include "printer.h"
#include "records.h"

namespace netlog {
namespace {

TEST(ParseArgs, Defaults) {
  auto o = parse_args({});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->format, Format::kText);
  EXPECT_FALSE(o->once);
  EXPECT_EQ(o->device, "/dev/secure_log");
  EXPECT_FALSE(o->input);
}

TEST(ParseArgs, AllOptions) {
  auto o = parse_args({"--format", "json", "--once", "--device=/dev/x",
                       "--input", "-", "--raw"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->format, Format::kJson);
  EXPECT_TRUE(o->once);
  EXPECT_TRUE(o->raw);
  EXPECT_EQ(o->device, "/dev/x");
  EXPECT_EQ(*o->input, "-");
}

TEST(ParseArgs, UsageErrors) {
  EXPECT_FALSE(parse_args({"--format", "xml"}));
  EXPECT_EQ(parse_args({"--format", "klog"})->format, Format::kKlog);
  EXPECT_FALSE(parse_args({"--format"}));
  EXPECT_FALSE(parse_args({"--bogus"}));
  EXPECT_FALSE(parse_args({"--once=yes"}));
  EXPECT_FALSE(parse_args({"stray"}));
}

// Runs the reader on a captured stream; returns {exit, stdout, stderr} or
// the Fatal message as stderr with exit 1, as main() would.
struct Run {
  int code;
  std::string out, err;
};

Run run_on(const std::vector<std::byte>& stream,
           std::vector<std::string> args) {
  char path[] = "/tmp/netlog-cli-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, stream.data(), stream.size()), ssize_t(stream.size()));
  close(fd);
  args.push_back("--input");
  args.push_back(path);
  auto opts = parse_args(args);
  EXPECT_TRUE(opts);
  Context ctx("h", {});
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  Run r;
  try {
    r.code = run(*opts, ctx, out, err);
  } catch (const Fatal& e) {
    r.code = 1;
    fmt::print(err, "{}", e.what());
  }
  auto slurp = [](std::FILE* f) {
    std::string s;
    std::rewind(f);
    for (int c; (c = std::fgetc(f)) != EOF;) s += char(c);
    std::fclose(f);
    return s;
  };
  r.out = slurp(out);
  r.err = slurp(err);
  unlink(path);
  return r;
}

TEST(Cli, ReplaysCapturedStreamAsJson) {
  test::SockSpec b;
  b.seq = 10;
  auto r = run_on(test::concat({test::sock_record({}), test::lost_record(8, 2),
                                test::sock_record(b)}),
                  {"--format", "json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3);
  EXPECT_NE(r.out.find(R"("event":"lost","count":2)"), std::string::npos);
  EXPECT_EQ(r.err, "netlog-reader: lost 2 records (seq 8-9)\n");
}

// A site's own enterprise number in the RFC 5424 SD-ID; a malformed one is
// a usage error, and the default stays RFC 5612's documentation number.
TEST(Cli, SdIdIsTheSitesOwn) {
  auto r = run_on(test::sock_record({}),
                  {"--format", "rfc5424", "--sd-id", "audit@12345.1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(" connect [audit@12345.1 seq=\"7\" "), std::string::npos)
      << r.out;
  EXPECT_EQ(parse_args({})->sd_id, "netlog@32473");
  for (const char* bad :
       {"netlog", "@1", "a@", "a b@1", "a=b@1", "a]@1", "a\"@1", "a@1.", "a@.1",
        "a@1..2", "a@1x", "abcdefghijklmnopqrstuvwxyz@1234567"})
    EXPECT_FALSE(parse_args({"--sd-id", bad})) << bad;
  EXPECT_TRUE(parse_args({"--sd-id", "abcdefghijklmnopqrstuvwxyz@12345"}));
}

TEST(Cli, RawRoundTripIsByteExact) {
  auto stream = test::concat({test::sock_record({}), test::lost_record(8, 2)});
  auto r = run_on(stream, {"--raw"});
  EXPECT_EQ(r.code, 0);
  ASSERT_EQ(r.out.size(), stream.size());
  EXPECT_EQ(std::memcmp(r.out.data(), stream.data(), stream.size()), 0);
}

TEST(Cli, TruncatedInputPrintsWholeRecordsThenFails) {
  auto stream = test::concat({test::sock_record({}), test::sock_record({})});
  stream.resize(stream.size() - 16);
  auto r = run_on(stream, {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
  EXPECT_NE(r.err.find("truncated record at end of"), std::string::npos);
}

TEST(Cli, CorruptRecordFailsWithOffset) {
  auto good = test::sock_record({});
  auto bad = test::sock_record({});
  bad[0] = std::byte{9};  // unknown major ABI
  auto r = run_on(test::concat({good, bad}), {});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
  EXPECT_NE(r.err.find(fmt::format("at stream offset {}", good.size())),
            std::string::npos);
  EXPECT_NE(r.err.find("ABI version 9"), std::string::npos);
}

// `netlog-reader | logger` after logger exited: the batch already taken from
// the device cannot be written, and the error names it by sequence number.
TEST(Cli, ClosedOutputNamesTheRecordsNotWritten) {
  signal(SIGPIPE, SIG_IGN);  // as install_signal_handlers() does
  test::SockSpec b;
  b.seq = 10;
  const auto stream = test::concat(
      {test::sock_record({}), test::lost_record(8, 2), test::sock_record(b)});
  char path[] = "/tmp/netlog-cli-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, stream.data(), stream.size()), ssize_t(stream.size()));
  close(fd);
  auto opts = parse_args({"--input", path, "--format", "json"});
  ASSERT_TRUE(opts);
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  close(pipefd[0]);
  std::FILE* out = fdopen(pipefd[1], "w");
  Context ctx("h", {});
  try {
    run(*opts, ctx, out, stderr);
    ADD_FAILURE() << "no error";
  } catch (const Fatal& e) {
    EXPECT_STREQ(e.what(),
                 "write error: Broken pipe; records seq 7-10 were read from "
                 "the device and not written");
  }
  std::fclose(out);
  unlink(path);
}

TEST(Cli, MissingDeviceIsAOneLineError) {
  auto opts = parse_args({"--device", "/nonexistent/secure_log", "--once"});
  ASSERT_TRUE(opts);
  Context ctx("h", {});
  try {
    run(*opts, ctx, stdout, stderr);
    FAIL() << "no error";
  } catch (const Fatal& e) {
    EXPECT_STREQ(
        e.what(),
        "cannot open /nonexistent/secure_log: No such file or directory");
  }
}

// The service's device, absent because secure_log is not loaded: its own
// error, which the unit does not restart on (exit status 3 in main).
TEST(Cli, NoSecureLogIsNoDevice) {
  struct stat st;
  if (stat("/sys/module/secure_log", &st) == 0)
    GTEST_SKIP() << "secure_log is loaded here";
  auto opts = parse_args({"--once"});
  ASSERT_TRUE(opts);
  Context ctx("h", {});
  try {
    run(*opts, ctx, stdout, stderr);
    FAIL() << "no error";
  } catch (const NoDevice& e) {
    EXPECT_STREQ(e.what(),
                 "cannot open /dev/secure_log: module secure_log not loaded");
  }
}

TEST(Cli, VersionAndHelp) {
  auto r = run_on({}, {"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("netlog-reader ", 0), 0u);
  r = run_on({}, {"--help"});
  EXPECT_NE(r.out.find("usage: netlog-reader"), std::string::npos);
}

// A Unix datagram socket bound at `path` (a syslog daemon's, systemd's
// notification socket), or -1.
int bound_datagram_socket(const std::string& path) {
  unlink(path.c_str());
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (fd >= 0 &&
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0)
    return fd;
  if (fd >= 0) close(fd);
  return -1;
}

// --output unix:PATH: one datagram per record, its line without the newline
// (a syslog daemon's socket); no socket there is a clear error.
TEST(Cli, UnixOutputSendsOneDatagramPerRecord) {
  const std::string path = "/tmp/netlog-cli-syslog.sock";
  const int rx = bound_datagram_socket(path);
  ASSERT_GE(rx, 0);
  test::SockSpec b;
  b.seq = 10;
  auto r = run_on(test::concat({test::sock_record({}), test::lost_record(8, 2),
                                test::sock_record(b)}),
                  {"--format", "rfc5424", "--output", "unix:" + path});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::vector<std::string> got;
  char buf[65536];
  for (ssize_t n; (n = recv(rx, buf, sizeof(buf), MSG_DONTWAIT)) > 0;)
    got.emplace_back(buf, size_t(n));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].substr(0, 6), "<86>1 ");
  EXPECT_NE(got[1].find(" lost [netlog@32473 seq=\"8\""), std::string::npos);
  EXPECT_NE(got[2].find(" seq=\"10\""), std::string::npos);
  for (const auto& g : got) EXPECT_EQ(g.find('\n'), std::string::npos) << g;
  close(rx);
  unlink(path.c_str());

  r = run_on(test::sock_record({}), {"--output", "unix:" + path});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot connect to " + path), std::string::npos);
  EXPECT_FALSE(parse_args({"--output", "unix:"}));
  EXPECT_FALSE(parse_args({"--output", "tcp:1.2.3.4"}));
  EXPECT_FALSE(parse_args({"--raw", "--output", "journal"}));
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// --output file:PATH: created 0600, appended to, and after logrotate's
// rename and SIGHUP the next batch goes to a new file at PATH, each record
// in exactly one of them.
TEST(Cli, FileOutputAppendsAndReopens) {
  char dir[] = "/tmp/netlog-cli-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir));
  const std::string path = std::string(dir) + "/netlog.log";
  { std::ofstream(path) << "kept\n"; }
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  auto opts = parse_args({"--output", "file:" + path, "--fsync"});
  ASSERT_TRUE(opts) << opts.error().message;
  EXPECT_EQ(opts->path, path);
  Context ctx("h", {});
  auto file = LogFile::open(path);
  ASSERT_TRUE(file) << file.error().message;
  Printer printer(*opts, ctx, stdout, stderr, {}, std::move(*file));
  test::SockSpec a, b;
  a.seq = 1;
  b.seq = 2;
  printer.consume(test::sock_record(a));
  ASSERT_EQ(rename(path.c_str(), (path + ".1").c_str()), 0);
  printer.consume(test::sock_record(b));  // still the renamed file
  printer.reopen();
  a.seq = 3;
  printer.consume(test::sock_record(a));
  const std::string old = slurp(path + ".1"), now = slurp(path);
  EXPECT_EQ(old.rfind("kept\nseq=1 ", 0), 0u) << old;
  EXPECT_NE(old.find("\nseq=2 "), std::string::npos) << old;
  EXPECT_EQ(std::count(old.begin(), old.end(), '\n'), 3);
  EXPECT_EQ(now.rfind("seq=3 ", 0), 0u) << now;
  EXPECT_EQ(std::count(now.begin(), now.end(), '\n'), 1);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  // A path that cannot be opened again keeps the old file in use.
  ASSERT_EQ(rename(path.c_str(), (path + ".2").c_str()), 0);
  ASSERT_EQ(mkdir(path.c_str(), 0700), 0);
  printer.reopen();
  b.seq = 4;
  printer.consume(test::sock_record(b));
  EXPECT_NE(slurp(path + ".2").find("\nseq=4 "), std::string::npos);
  rmdir(path.c_str());
  for (const char* s : {".1", ".2"}) unlink((path + s).c_str());

  // Never through a symbolic link, never a FIFO: a clear error.
  ASSERT_EQ(symlink("/etc/passwd", path.c_str()), 0);
  auto r = run_on(test::sock_record({}), {"--output", "file:" + path});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot open " + path), std::string::npos) << r.err;
  unlink(path.c_str());
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  auto fifo = LogFile::open(path);  // refused at once: no reader is waited for
  ASSERT_FALSE(fifo);
  EXPECT_EQ(fifo.error().message, path + " is not a regular file");
  unlink(path.c_str());
  rmdir(dir);
  EXPECT_FALSE(parse_args({"--fsync"}));
  EXPECT_FALSE(parse_args({"--output", "file:"}));
  EXPECT_TRUE(parse_args({"--raw", "--output", "file:/x"}));
}

// A reader started on a file that another filled says where that one
// stopped and which records it took from the device without writing them
// (it was killed): from the last whole text or JSON line, a LOST record's
// range included.
TEST(Cli, FileOutputNamesWhatTheReaderBeforeDidNotWrite) {
  char dir[] = "/tmp/netlog-cli-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir));
  const std::string path = std::string(dir) + "/netlog.log";
  test::SockSpec s;
  s.seq = 50;
  const auto run_after = [&](const std::string& lines,
                             std::vector<std::string> args) {
    std::ofstream(path, std::ios::trunc) << lines;
    args.insert(args.end(), {"--output", "file:" + path});
    return run_on(test::sock_record(s), args).err;
  };
  const std::string msg = "netlog-reader: " + path +
                          " ends at seq 41, this reader starts at seq 50: "
                          "records seq 42-49 were read from the device and "
                          "not written here (by a reader killed before it "
                          "wrote them, or another reader)\n";
  EXPECT_EQ(run_after("seq=40 time=x event=bind\nseq=41 time=2025-11-21T18:"
                      "40:00.123456789Z event=exec argv=[\"seq=99\"]\nseq=4",
                      {}),
            msg);
  EXPECT_EQ(run_after(R"({"seq":38,"time":"2025-11-21T18:40:00.123456789Z",)"
                      R"("event":"lost","count":4,"first_seq":38,)"
                      R"("last_seq":41,"uids":[]})"
                      "\n",
                      {"--format", "json"}),
            msg);
  EXPECT_EQ(run_after("seq=49 time=t event=lost count=1 first_seq=49 "
                      "last_seq=49 other=1\n",
                      {}),
            "netlog-reader: " + path +
                " ends at seq 49, this reader starts at seq 50\n");
  EXPECT_EQ(run_after("seq=70 time=t event=close\n", {}),
            "netlog-reader: " + path +
                " ends at seq 70, this reader starts at seq 50: the modules "
                "were loaded again\n");
  // Nothing said where no line says a seq: an empty file, a line cut short,
  // RFC 5424, a binary capture.
  EXPECT_EQ(run_after("", {}), "");
  EXPECT_EQ(run_after("seq=41 time=t event=close", {}), "");
  EXPECT_EQ(slurp(path).rfind("seq=41 time=t event=close\nseq=50 ", 0), 0u);
  EXPECT_EQ(
      run_after("<86>1 t h netlog - close [netlog@32473 seq=\"41\"]\n", {}),
      "");
  EXPECT_EQ(run_after("\nseq=41 time=t event=close\n", {"--raw"}), "");
  unlink(path.c_str());
  rmdir(dir);
}

#if NETLOG_HAVE_SYSTEMD
// Under systemd (Type=notify, WatchdogSec=): READY with the device and the
// counts, then STATUS at most each second and a WATCHDOG ping each half
// period, through libsystemd to $NOTIFY_SOCKET as systemd would read them.
TEST(Notify, ReadyStatusAndWatchdogAsSystemdSeesThem) {
  const std::string path = "/tmp/netlog-cli-notify.sock";
  const int rx = bound_datagram_socket(path);
  ASSERT_GE(rx, 0);
  const auto next = [&] {
    char buf[4096];
    const ssize_t n = recv(rx, buf, sizeof(buf), MSG_DONTWAIT);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
  };
  {
    Notifier off;  // no $NOTIFY_SOCKET: nothing sent, no watchdog
    EXPECT_EQ(off.wait_ms(), -1);
  }
  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  setenv("WATCHDOG_USEC", "400000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  Notifier n;
  EXPECT_EQ(n.wait_ms(), 200);
  Counts c{.written = 2, .lost = 5, .last_seq = 41};
  const uint64_t t = Notifier::now();
  n.ready("/dev/secure_log", c);
  EXPECT_EQ(next(),
            "READY=1\nSTATUS=reading /dev/secure_log, 2 records written "
            "(last seq 41), 5 lost");
  n.tick(c, t);  // the first ping at once; the status was just sent
  EXPECT_EQ(next(), "WATCHDOG=1");
  EXPECT_EQ(next(), "");
  n.tick(c, t + 199'000'000);  // neither is due
  EXPECT_EQ(next(), "");
  n.tick(c, t + 200'000'000);
  EXPECT_EQ(next(), "WATCHDOG=1");
  EXPECT_EQ(next(), "");
  c.written = 3;
  n.tick(c, t + 1'100'000'000);
  EXPECT_EQ(next(), "WATCHDOG=1");
  EXPECT_EQ(next(), "STATUS=3 records written (last seq 41), 5 lost");
  for (const char* v : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"})
    unsetenv(v);
  close(rx);
  unlink(path.c_str());
}
#else
// Built without libsystemd: --output journal is refused by name.
TEST(ParseArgs, NoJournalWithoutLibsystemd) {
  auto o = parse_args({"--output", "journal"});
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().message,
            "--output journal: this netlog-reader was built without "
            "libsystemd");
}
#endif

// --metrics: the page a reader leaves says what it read, wrote and lost and
// that it stopped; a write error that stops a reader counts in its page and
// in the pages of the readers after it (systemd restarts them).
TEST(Metrics, PageSaysWhatEachReaderDidAndCarriesWriteErrors) {
  signal(SIGPIPE, SIG_IGN);
  test::SockSpec b;
  b.seq = 10;
  const auto stream = test::concat(
      {test::sock_record({}), test::lost_record(8, 2), test::sock_record(b)});
  const std::string device = "/tmp/netlog-cli-metrics.dev";
  const std::string page = "/tmp/netlog-cli-metrics.prom";
  {
    std::ofstream(device, std::ios::binary)
        .write(reinterpret_cast<const char*>(stream.data()),
               std::streamsize(stream.size()));
  }
  unlink(page.c_str());
  const auto read_page = [&] {
    std::ifstream in(page);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const auto reader = [&](bool closed_output) {
    auto opts = parse_args(
        {"--device", device, "--once", "--format", "json", "--metrics", page});
    EXPECT_TRUE(opts);
    int pipefd[2];
    EXPECT_EQ(pipe(pipefd), 0);
    if (closed_output) close(pipefd[0]);
    std::FILE* out = fdopen(pipefd[1], "w");
    Context ctx("h", {});
    bool failed = false;
    try {
      run(*opts, ctx, out, stderr);
    } catch (const Fatal&) {
      failed = true;
    }
    std::fclose(out);
    if (!closed_output) close(pipefd[0]);
    return failed;
  };
  const auto has = [&](const std::string& line) {
    return read_page().find("\n" + line + "\n") != std::string::npos;
  };
  ASSERT_FALSE(reader(false));
  EXPECT_TRUE(has("netlog_reader_up 0"));
  EXPECT_TRUE(has("netlog_reader_records_read_total 3"));
  EXPECT_TRUE(has("netlog_reader_records_written_total 3"));
  EXPECT_TRUE(has("netlog_reader_records_lost_total 2"));
  EXPECT_TRUE(has("netlog_reader_last_seq 10"));
  EXPECT_TRUE(has("netlog_reader_write_errors_total 0"));
  EXPECT_TRUE(has("# TYPE netlog_reader_records_written_total counter"));
  EXPECT_TRUE(has("# TYPE netlog_reader_last_seq gauge"));
  ASSERT_TRUE(reader(true));
  EXPECT_TRUE(has("netlog_reader_records_read_total 3"));
  EXPECT_TRUE(has("netlog_reader_records_written_total 0"));
  EXPECT_TRUE(has("netlog_reader_write_errors_total 1"));
  ASSERT_TRUE(reader(true));
  EXPECT_TRUE(has("netlog_reader_write_errors_total 2"));
  ASSERT_FALSE(reader(false));
  EXPECT_TRUE(has("netlog_reader_write_errors_total 2"));
  EXPECT_TRUE(has("netlog_reader_records_written_total 3"));
  unlink(device.c_str());
  unlink(page.c_str());
}

// While the reader runs: a page at once, then at most one a second, and
// only when it has read something since the last.
TEST(Metrics, PageIsReplacedAtMostOnceASecondWhenItChanges) {
  const std::string page = "/tmp/netlog-cli-metrics-tick.prom";
  unlink(page.c_str());
  const auto exists = [&] { return access(page.c_str(), F_OK) == 0; };
  Metrics m(page, stderr);
  Counts c{.read = 1, .written = 1, .last_seq = 5};
  const uint64_t t = Notifier::now();
  m.tick(c, t);
  ASSERT_TRUE(exists());
  std::ifstream in(page);
  const std::string first(std::istreambuf_iterator<char>(in), {});
  EXPECT_NE(first.find("\nnetlog_reader_up 1\n"), std::string::npos);
  unlink(page.c_str());
  c.read = 2;
  m.tick(c, t + 999'000'000);
  EXPECT_FALSE(exists());
  m.tick(c, t + 1'000'000'000);
  EXPECT_TRUE(exists());
  unlink(page.c_str());
  m.tick(c, t + 5'000'000'000);  // nothing new read
  EXPECT_FALSE(exists());
  m.stop(c);
  EXPECT_TRUE(exists());
  unlink(page.c_str());
}

}  // namespace
}  // namespace netlog
