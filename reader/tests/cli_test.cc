#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "drain.h"
#include "options.h"
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

TEST(Cli, VersionAndHelp) {
  auto r = run_on({}, {"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("netlog-reader ", 0), 0u);
  r = run_on({}, {"--help"});
  EXPECT_NE(r.out.find("usage: netlog-reader"), std::string::npos);
}

}  // namespace
}  // namespace netlog

namespace netlog {
namespace {

// --output unix:PATH: one datagram per record, its line without the newline
// (a syslog daemon's socket); no socket there is a clear error.
TEST(Cli, UnixOutputSendsOneDatagramPerRecord) {
  const std::string path = "/tmp/netlog-cli-syslog.sock";
  unlink(path.c_str());
  int rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(rx, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  ASSERT_EQ(bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
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

}  // namespace
}  // namespace netlog
