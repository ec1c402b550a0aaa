#include "render.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "container.h"
#include "line.h"
#include "record.h"
#include "records.h"

namespace netlog {
namespace {

using test::render;
using test::test_context;

// A docker container's id: 64 hex digits.
constexpr std::string_view kId =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(RenderText, ConnectV4EveryField) {
  test::SockSpec s;
  s.task.cgroup_id = 4242;
  s.strings[3] = fmt::format("/system.slice/docker-{}.scope", kId);
  EXPECT_EQ(render(Format::kText, test::sock_record(s)),
            "seq=7 time=2025-11-21T18:40:00.123456789Z event=connect "
            "proto=tcp family=ipv4 laddr=127.0.0.1 lport=40000 "
            "raddr=127.0.0.1 rport=8080 result=0 owner_uid=1000 owner_pid=100 "
            "pid=100 "
            "tid=101 ppid=1 "
            "sid=1 auid=1000 ses=3 uid=1000 gid=1001 euid=1002 egid=1003 "
            "user=\"alice\" auid_user=\"alice\" "
            "tty=\"pts/0\" comm=\"curl\" exe=\"/usr/bin/curl\" "
            "cgroup=\"/system.slice/docker-" +
                std::string(kId) + ".scope\" cgroup_id=4242 container_id=" +
                std::string(kId) + " netns=4026531840 host=\"vm1\"\n");
}

TEST(RenderJson, ConnectV6EveryField) {
  test::SockSpec s;
  s.family = 6;
  s.laddr = std::vector<uint8_t>(16, 0);
  s.laddr[15] = 1;
  s.raddr = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  s.result = -111;
  s.task.uid = 0;
  s.task.auid = NETLOG_UID_NONE;  // no login: a daemon's
  EXPECT_EQ(render(Format::kJson, test::sock_record(s)),
            R"({"seq":7,"time":"2025-11-21T18:40:00.123456789Z",)"
            R"("event":"connect","proto":"tcp","family":"ipv6",)"
            R"("laddr":"::1","lport":40000,"raddr":"fd00::2","rport":8080,)"
            R"("result":-111,"owner_uid":1000,"owner_pid":100,"pid":100,)"
            R"("tid":101,"ppid":1,)"
            R"("sid":1,)"
            R"("auid":4294967295,"ses":3,"uid":0,)"
            R"("gid":1001,"euid":1002,"egid":1003,"user":"0",)"
            R"("auid_user":"","tty":"pts/0",)"
            R"("comm":"curl","exe":"/usr/bin/curl","cgroup":"","cgroup_id":0,)"
            R"("netns":4026531840,"host":"vm1"})"
            "\n");
}

// Before minor 2 the task's last 8 bytes were reserved: no auid, no ses.
// One renderer keeps the rendered attribution of recent tasks
// (who_cache.h): every line of a stream through it must be the line a fresh
// renderer makes, whichever field of the task or its strings changed, and
// under another Context (other user names) too.
TEST(Render, KeptAttributionIsTheFreshOne) {
  std::vector<test::SockSpec> specs(8);
  specs[2].strings[2] = "/usr/bin/wget";  // exe
  specs[3].task.tid = 102;
  specs[4].task.uid = 1001;  // user name too
  specs[5].strings[1] = "";  // tty
  specs[6].strings[3] = "/user.slice";
  specs[7].task.netns = 4026532000ULL;
  for (Format f : {Format::kText, Format::kJson}) {
    auto kept = make_renderer(f);
    auto ctx = test_context();
    Context other("vm1", [](uint32_t uid) { return fmt::format("u{}", uid); });
    for (int pass = 0; pass < 2; pass++) {
      for (size_t i = 0; i < specs.size(); i++) {
        const auto bytes = test::sock_record(specs[i]);
        auto rec = decode(bytes);
        ASSERT_TRUE(rec);
        Context& c = pass ? other : ctx;
        fmt::memory_buffer got, fresh;
        kept->render(*rec, c, got);
        make_renderer(f)->render(*rec, c, fresh);
        EXPECT_EQ(fmt::to_string(got), fmt::to_string(fresh))
            << "pass " << pass << " record " << i;
        // the same record again: from the kept text
        got.clear();
        kept->render(*rec, c, got);
        EXPECT_EQ(fmt::to_string(got), fmt::to_string(fresh));
      }
    }
  }
}

// who_cache.h keys on the task's bytes; the minor says whether its last 8
// bytes are auid and ses, so the same bytes of minor 1 and 2 render apart.
TEST(Render, KeptAttributionKnowsTheMinor) {
  const auto two = test::sock_record({});
  auto one = two;
  one[1] = std::byte{1};
  for (Format f : {Format::kText, Format::kJson}) {
    auto kept = make_renderer(f);
    auto ctx = test_context();
    for (const auto& bytes : {two, one, two}) {
      auto rec = decode(bytes);
      ASSERT_TRUE(rec);
      fmt::memory_buffer got, fresh;
      kept->render(*rec, ctx, got);
      make_renderer(f)->render(*rec, ctx, fresh);
      EXPECT_EQ(fmt::to_string(got), fmt::to_string(fresh));
    }
  }
}

// The line's bound leaves the attribution out (WhoCache::put extends it):
// user names of any length, each byte escaped, must still fit, rendered
// afresh and from the kept text, in socket, exec and config records.
TEST(Render, LongUserNamesFit) {
  const std::string name(3000, '\x01');
  Context ctx("vm1", [&](uint32_t) { return name; });
  const std::vector<std::vector<std::byte>> records = {
      test::sock_record({}), test::exec_record({}),
      test::config_record("whitelist", "", "tcp")};
  for (Format f : {Format::kText, Format::kJson}) {
    const std::string escaped = f == Format::kJson ? "\\\\x01" : "\\x01";
    auto r = make_renderer(f);
    for (const auto& bytes : records) {
      auto rec = decode(bytes);
      ASSERT_TRUE(rec);
      for (int again = 0; again < 2; again++) {
        fmt::memory_buffer out;
        r->render(*rec, ctx, out);
        const std::string line = fmt::to_string(out);
        size_t n = 0;
        for (size_t at = line.find(escaped); at != std::string::npos;
             at = line.find(escaped, at + escaped.size()))
          n++;
        EXPECT_EQ(n, 2 * name.size()) << "user and auid_user";
        EXPECT_EQ(line.back(), '\n');
      }
    }
  }
}

// The host name is quoted once per Context (quoted_host()); a name with a
// quote, a backslash and a control byte still comes out escaped.
TEST(Render, HostNameIsEscaped) {
  Context ctx("a\"b\\c\nd", [](uint32_t) { return std::string("u"); });
  const auto rec = decode(test::sock_record({}));
  ASSERT_TRUE(rec);
  fmt::memory_buffer text, json;
  make_renderer(Format::kText)->render(*rec, ctx, text);
  make_renderer(Format::kJson)->render(*rec, ctx, json);
  EXPECT_TRUE(fmt::to_string(text).ends_with(R"( host="a\"b\\c\x0ad")"
                                             "\n"))
      << fmt::to_string(text);
  EXPECT_TRUE(fmt::to_string(json).ends_with(R"("host":"a\"b\\\\c\\x0ad"})"
                                             "\n"))
      << fmt::to_string(json);
}

TEST(Render, MinorOneRecordHasNoAuid) {
  auto bytes = test::sock_record({});
  bytes[1] = std::byte{1};
  const auto json = render(Format::kJson, bytes);
  EXPECT_EQ(json.find("auid"), std::string::npos) << json;
  EXPECT_EQ(json.find("\"ses\""), std::string::npos) << json;
  EXPECT_NE(json.find(R"("sid":1,"uid":1000,)"), std::string::npos) << json;
}

TEST(RenderJson, ExecEveryField) {
  EXPECT_EQ(render(Format::kJson, test::exec_record({})),
            R"({"seq":7,"time":"2025-11-21T18:40:00.123456789Z",)"
            R"("event":"exec","result":0,"filename":"/bin/ls","argc":2,)"
            R"("argv":["ls","-l"],"comm_before":"bash","cwd":"/home/alice",)"
            R"("pid":100,"tid":101,"ppid":1,"sid":1,"auid":1000,"ses":3,)"
            R"("uid":1000,"gid":1001,"euid":1002,"egid":1003,)"
            R"("user":"alice","auid_user":"alice","tty":"pts/0",)"
            R"("comm":"curl","exe":"/usr/bin/curl","cgroup":"","cgroup_id":0,)"
            R"("netns":4026531840,"host":"vm1"})"
            "\n");
}

TEST(RenderText, ExecFailedAndCut) {
  test::ExecSpec e;
  e.result = -2;
  e.argc = 3;
  e.args = {"a b", "c\"d", "ef"};
  e.cut = true;
  e.flags = NETLOG_F_TRUNC_ARGV | NETLOG_F_ARGC_PARTIAL;
  const auto text = render(Format::kText, test::exec_record(e));
  EXPECT_NE(text.find(R"( event=exec result=-2 filename="/bin/ls" argc=3 )"
                      R"(argv=["a b","c\"d","ef"] comm_before="bash" )"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(" argc_partial=1 truncated=argv host="),
            std::string::npos)
      << text;
}

// No argument can add a line, a JSON key or a klog column.
TEST(Render, ExecArgumentsCannotForge) {
  test::ExecSpec e;
  e.args = {"x\n{\"event\":\"connect\"}",
            "q\",\"uid\":0,\"",
            "\x01\x7f\xff",
            "res:0",
            "argv:cut",
            "two words",
            ""};
  e.argc = static_cast<uint32_t>(e.args.size());
  const auto rec = test::exec_record(e);
  for (auto f : {Format::kText, Format::kJson, Format::kKlog}) {
    const auto line = render(f, rec);
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
    EXPECT_EQ(line.back(), '\n');
  }
  const auto json = render(Format::kJson, rec);
  EXPECT_NE(json.find(R"("argv":["x\\x0a{\"event\":\"connect\"}",)"
                      R"("q\",\"uid\":0,\"","\\x01\\x7f\\xff",)"
                      R"("res:0","argv:cut","two words",""])"),
            std::string::npos)
      << json;
  EXPECT_EQ(render(Format::kKlog, rec),
            "p:100 s:1 pp:1 u:1000 g:1001 eu:1002 eg:1003 t:pts/0 /bin/ls "
            "x\\x0a{\"event\":\"connect\"} q\",\"uid\":0,\" "
            "\\x01\\x7f\\xff \\x72es:0 \\x61rgv:cut two\\x20words -\n");
}

TEST(RenderKlog, ExecFailedAndCutInActivityKlogLayout) {
  test::ExecSpec e;
  e.result = -13;
  e.cut = true;
  e.flags = NETLOG_F_TRUNC_ARGV;
  EXPECT_EQ(render(Format::kKlog, test::exec_record(e)),
            "p:100 s:1 pp:1 u:1000 g:1001 eu:1002 eg:1003 t:pts/0 /bin/ls ls "
            "-l res:-13 argv:cut\n");
}

TEST(RenderJson, Lost) {
  EXPECT_EQ(render(Format::kJson, test::lost_record(100, 50)),
            R"({"seq":100,"time":"2025-11-21T18:40:00.000000000Z",)"
            R"("event":"lost","count":50,"first_seq":100,"last_seq":149,)"
            R"("uids":[],"other":50,"host":"vm1"})"
            "\n");
}

// Whose records were dropped (minor 1), in every format.
TEST(Render, LostByUid) {
  const auto rec = test::lost_record(100, 50, {{1000, 40}, {0, 6}}, 4);
  EXPECT_EQ(render(Format::kJson, rec),
            R"({"seq":100,"time":"2025-11-21T18:40:00.000000000Z",)"
            R"("event":"lost","count":50,"first_seq":100,"last_seq":149,)"
            R"("uids":[{"uid":1000,"user":"alice","count":40},)"
            R"({"uid":0,"user":"0","count":6}],"other":4,"host":"vm1"})"
            "\n");
  EXPECT_NE(render(Format::kText, rec).find(" uids=1000:40,0:6 other=4 "),
            std::string::npos);
  EXPECT_EQ(render(Format::kKlog, rec),
            "LOST 50 records (seq 100-149) uids 1000:40,0:6 other 4\n");
  // Counts that do not add up are a corrupt record.
  EXPECT_FALSE(decode(test::lost_record(100, 50, {{1000, 40}}, 4)));
}

TEST(RenderText, Lost) {
  EXPECT_EQ(render(Format::kText, test::lost_record(3, 1)),
            "seq=3 time=2025-11-21T18:40:00.000000000Z event=lost count=1 "
            "first_seq=3 last_seq=3 other=1 host=\"vm1\"\n");
}

TEST(Render, TruncationIsShown) {
  test::SockSpec s;
  s.flags = NETLOG_F_TRUNC_EXE | NETLOG_F_TRUNC_TTY;
  EXPECT_NE(
      render(Format::kText, test::sock_record(s)).find(" truncated=tty,exe "),
      std::string::npos);
  EXPECT_NE(render(Format::kJson, test::sock_record(s))
                .find(R"("truncated":"tty,exe")"),
            std::string::npos);
}

TEST(Render, HostileProcessNameStaysOnOneLineAndOneKey) {
  test::SockSpec s;
  s.strings = {"x\"\n{\"uid\":0", "", "/tmp/a b\nseq=1 uid=0", ""};
  const auto text = render(Format::kText, test::sock_record(s));
  EXPECT_EQ(text.find('\n'), text.size() - 1);
  EXPECT_NE(text.find(R"(comm="x\"\x0a{\"uid\":0")"), std::string::npos);
  EXPECT_NE(text.find(R"(exe="/tmp/a b\x0aseq=1 uid=0")"), std::string::npos);
  const auto json = render(Format::kJson, test::sock_record(s));
  EXPECT_EQ(json.find('\n'), json.size() - 1);
  EXPECT_NE(json.find(R"("comm":"x\"\\x0a{\"uid\":0")"), std::string::npos);
}

TEST(Render, UnknownType) {
  auto bytes = test::lost_record(1, 1);
  uint16_t type = 42;
  std::memcpy(bytes.data() + offsetof(netlog_hdr, type), &type, sizeof(type));
  EXPECT_EQ(render(Format::kJson, bytes),
            R"({"seq":1,"time":"2025-11-21T18:40:00.000000000Z",)"
            R"("event":"unknown","type":42,"len":64,"host":"vm1"})"
            "\n");
}

// The runtimes' cgroup names, innermost first; none under a user's own
// delegated subtree, where the user names the cgroups.
TEST(ContainerId, FromTheRuntimesCgroupNames) {
  const std::string id(kId);
  const std::string other(64, 'e');
  EXPECT_EQ(container_id("/system.slice/docker-" + id + ".scope"), id);
  EXPECT_EQ(container_id("/docker/" + id), id);
  EXPECT_EQ(container_id("/kubepods.slice/kubepods-besteffort.slice/"
                         "kubepods-besteffort-pod1234.slice/cri-containerd-" +
                         id + ".scope"),
            id);
  EXPECT_EQ(container_id("/kubepods/besteffort/pod1234/" + id), id);
  EXPECT_EQ(container_id("/machine.slice/libpod-" + id + ".scope/container"),
            id);
  EXPECT_EQ(container_id("/system.slice/crio-" + id + ".scope"), id);
  EXPECT_EQ(container_id("/docker/" + other + "/docker/" + id), id);
  // Not a container: no id, a short one, upper case, conmon's own cgroup.
  EXPECT_EQ(container_id(""), "");
  EXPECT_EQ(container_id("/user.slice/user-1000.slice/session-2.scope"), "");
  EXPECT_EQ(container_id("/system.slice/docker-" + id.substr(1) + ".scope"),
            "");
  EXPECT_EQ(container_id("/docker/" + std::string(64, 'E')), "");
  EXPECT_EQ(container_id("/machine.slice/libpod-conmon-" + id + ".scope"), "");
  // A user's own names: rootless podman, or a forged docker scope.
  EXPECT_EQ(container_id("/user.slice/user-1000.slice/user@1000.service/"
                         "user.slice/libpod-" +
                         id + ".scope/container"),
            "");
  EXPECT_EQ(container_id("/user.slice/user-1000.slice/user@1000.service/"
                         "app.slice/docker-" +
                         id + ".scope"),
            "");
}

}  // namespace
}  // namespace netlog

namespace netlog {
namespace {

test::SockSpec event_spec(uint16_t event, uint8_t proto = 6) {
  test::SockSpec s;
  s.event = event;
  s.proto = proto;
  return s;
}

TEST(RenderKlog, EveryEventType) {
  const std::string who =
      "p:100 s:1 pp:1 u:1000 g:1001 eu:1002 eg:1003 t:pts/0 /usr/bin/curl ";
  EXPECT_EQ(
      render(Format::kKlog, test::sock_record(event_spec(NETLOG_EV_CONNECT))),
      who + "TCP 127.0.0.1:40000 -> 127.0.0.1:8080\n");
  EXPECT_EQ(
      render(Format::kKlog, test::sock_record(event_spec(NETLOG_EV_ACCEPT))),
      who + "TCP 127.0.0.1:40000 <- 127.0.0.1:8080\n");
  EXPECT_EQ(
      render(Format::kKlog, test::sock_record(event_spec(NETLOG_EV_CLOSE))),
      who + "TCP 127.0.0.1:40000 <!> 127.0.0.1:8080\n");
  EXPECT_EQ(
      render(Format::kKlog, test::sock_record(event_spec(NETLOG_EV_BIND, 17))),
      who + "UDP BIND 127.0.0.1:40000\n");
  EXPECT_EQ(
      render(Format::kKlog, test::sock_record(event_spec(NETLOG_EV_LISTEN))),
      who + "TCP LISTEN 127.0.0.1:40000\n");
}

TEST(RenderKlog, Ipv6FailureAndHostileExe) {
  test::SockSpec s;
  s.family = 6;
  s.laddr = std::vector<uint8_t>(16, 0);
  s.laddr[15] = 1;
  s.raddr = s.laddr;
  s.result = -111;
  s.strings = {"x", "", "/tmp/a\nb", ""};
  EXPECT_EQ(render(Format::kKlog, test::sock_record(s)),
            "p:100 s:1 pp:1 u:1000 g:1001 eu:1002 eg:1003 t: /tmp/a\\x0ab "
            "TCP [::1]:40000 -> [::1]:8080 res:-111\n");
}

// A crafted exe name cannot add columns or forge an event, and an empty one
// does not shift the columns after it.
TEST(RenderKlog, ExeCannotForgeOrShiftColumns) {
  test::SockSpec s;
  s.strings = {"x", "", "/tmp/x TCP 10.0.0.1:1 -> 10.0.0.2:22", ""};
  EXPECT_EQ(render(Format::kKlog, test::sock_record(s)),
            "p:100 s:1 pp:1 u:1000 g:1001 eu:1002 eg:1003 t: "
            "/tmp/x\\x20TCP\\x2010.0.0.1:1\\x20->\\x2010.0.0.2:22 "
            "TCP 127.0.0.1:40000 -> 127.0.0.1:8080\n");
  s.strings = {"x", "", "", ""};
  EXPECT_EQ(render(Format::kKlog, test::sock_record(s)),
            "p:100 s:1 pp:1 u:1000 g:1001 eu:1002 eg:1003 t: - "
            "TCP 127.0.0.1:40000 -> 127.0.0.1:8080\n");
}

// A path cut to its last bytes is marked in klog, whose columns have no
// other place for it: "cut:" before the exe, or before an exec's filename.
TEST(RenderKlog, ACutPathIsMarked) {
  test::SockSpec s;
  s.flags = NETLOG_F_TRUNC_EXE | NETLOG_F_EXE_NS;
  EXPECT_NE(render(Format::kKlog, test::sock_record(s))
                .find(" t:pts/0 ns:cut:/usr/bin/curl TCP "),
            std::string::npos)
      << render(Format::kKlog, test::sock_record(s));
  test::ExecSpec e;
  e.flags = NETLOG_F_TRUNC_FILENAME;
  EXPECT_NE(render(Format::kKlog, test::exec_record(e)).find(" cut:/bin/ls ls"),
            std::string::npos)
      << render(Format::kKlog, test::exec_record(e));
  s.flags = e.flags = 0;
  EXPECT_EQ(render(Format::kKlog, test::sock_record(s)).find("cut:"),
            std::string::npos);
  EXPECT_EQ(render(Format::kKlog, test::exec_record(e)).find("cut:"),
            std::string::npos);
}

// An exe path from another mount namespace or root says so in every format.
TEST(Render, ExeOutsideTheHostViewIsFlagged) {
  test::SockSpec s;
  s.flags = NETLOG_F_EXE_NS;
  EXPECT_NE(render(Format::kKlog, test::sock_record(s))
                .find(" t:pts/0 ns:/usr/bin/curl TCP "),
            std::string::npos);
  EXPECT_NE(render(Format::kJson, test::sock_record(s))
                .find(R"("netns":4026531840,"exe_ns":true,)"),
            std::string::npos)
      << render(Format::kJson, test::sock_record(s));
  EXPECT_NE(render(Format::kText, test::sock_record(s)).find(" exe_ns=1"),
            std::string::npos);
  s.flags = 0;
  EXPECT_EQ(render(Format::kJson, test::sock_record(s)).find("exe_ns"),
            std::string::npos);
}

TEST(RenderKlog, ProtocolsConnectDoneAndMissed) {
  const std::string who =
      "p:100 s:1 pp:1 u:1000 g:1001 eu:1002 eg:1003 t:pts/0 /usr/bin/curl ";
  auto s = event_spec(NETLOG_EV_CONNECT_DONE);
  s.flags = NETLOG_F_MPTCP;
  s.result = -111;
  EXPECT_EQ(render(Format::kKlog, test::sock_record(s)),
            who + "MPTCP 127.0.0.1:40000 => 127.0.0.1:8080 res:-111\n");
  s = event_spec(NETLOG_EV_CONNECT, IPPROTO_ICMP);
  s.flags = NETLOG_F_RAW;
  EXPECT_EQ(render(Format::kKlog, test::sock_record(s)),
            who + "RAW 127.0.0.1:40000 -> 127.0.0.1:8080\n");
  const std::pair<uint8_t, std::string> kProtos[] = {
      {IPPROTO_UDPLITE, "UDPLITE"},
      {IPPROTO_ICMP, "ICMP"},
      {IPPROTO_ICMPV6, "ICMPV6"},
      {IPPROTO_SCTP, "SCTP"}};
  for (const auto& [proto, name] : kProtos)
    EXPECT_EQ(render(Format::kKlog,
                     test::sock_record(event_spec(NETLOG_EV_BIND, proto))),
              who + name + " BIND 127.0.0.1:40000\n");
}

TEST(RenderJson, RawCarriesItsProtocolNumber) {
  auto s = event_spec(NETLOG_EV_CONNECT, 255);
  s.flags = NETLOG_F_RAW;
  const auto line = render(Format::kJson, test::sock_record(s));
  EXPECT_NE(line.find(R"("proto":"raw")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("ipproto":255,)"), std::string::npos) << line;
  s = event_spec(NETLOG_EV_CONNECT_DONE);
  s.flags = NETLOG_F_MPTCP;
  const auto done = render(Format::kJson, test::sock_record(s));
  EXPECT_NE(done.find(R"("event":"connect_done","proto":"mptcp")"),
            std::string::npos)
      << done;
  EXPECT_EQ(done.find("ipproto"), std::string::npos);
}

// A change of configuration, by whom, in every format; its values are
// untrusted text like any other.
TEST(Render, ConfigRecord) {
  const auto rec = test::config_record("whitelist", "", "/x|p22,/y\nz");
  EXPECT_EQ(render(Format::kKlog, rec),
            "p:100 s:1 pp:1 u:1000 g:1001 eu:1002 eg:1003 t:pts/0 "
            "/usr/bin/curl CONFIG whitelist - -> /x|p22,/y\\x0az\n");
  const auto json = render(Format::kJson, rec);
  EXPECT_NE(json.find(R"("event":"config","param":"whitelist","old":"",)"
                      R"("new":"/x|p22,/y\\x0az","pid":100,)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("exe":"/usr/bin/curl")"), std::string::npos);
  const auto text = render(Format::kText, rec);
  EXPECT_NE(text.find(" event=config param=\"whitelist\" old=\"\" "
                      "new=\"/x|p22,/y\\x0az\" pid=100 "),
            std::string::npos)
      << text;
}

TEST(RenderKlog, Lost) {
  EXPECT_EQ(render(Format::kKlog, test::lost_record(10, 5)),
            "LOST 5 records (seq 10-14)\n");
}

TEST(Render, CloseSaysWhetherEstablished) {
  auto s = event_spec(NETLOG_EV_CLOSE);
  s.flags = NETLOG_F_ESTABLISHED;
  EXPECT_NE(
      render(Format::kJson, test::sock_record(s)).find(R"("event":"close",)"),
      std::string::npos);
  EXPECT_NE(render(Format::kJson, test::sock_record(s))
                .find(R"("established":true,)"),
            std::string::npos);
  EXPECT_NE(render(Format::kText, test::sock_record(s)).find(" established=1 "),
            std::string::npos);
  s.flags = 0;
  EXPECT_NE(render(Format::kJson, test::sock_record(s))
                .find(R"("established":false,)"),
            std::string::npos);
  // Other events carry no such key.
  EXPECT_EQ(render(Format::kJson, test::sock_record(event_spec(NETLOG_EV_BIND)))
                .find("established"),
            std::string::npos);
}

TEST(Render, EveryEventNameAndUdp) {
  const std::pair<uint16_t, const char*> events[] = {
      {NETLOG_EV_CONNECT, "connect"}, {NETLOG_EV_ACCEPT, "accept"},
      {NETLOG_EV_BIND, "bind"},       {NETLOG_EV_LISTEN, "listen"},
      {NETLOG_EV_CLOSE, "close"},
  };
  for (const auto& [ev, name] : events) {
    auto json = render(Format::kJson, test::sock_record(event_spec(ev, 17)));
    EXPECT_NE(json.find(fmt::format(R"("event":"{}","proto":"udp")", name)),
              std::string::npos)
        << json;
    auto text = render(Format::kText, test::sock_record(event_spec(ev, 17)));
    EXPECT_NE(text.find(fmt::format("event={} proto=udp", name)),
              std::string::npos)
        << text;
  }
}

}  // namespace
}  // namespace netlog

// The address formatter writes what inet_ntop writes, for addresses with
// every pattern of zero groups (RFC 5952 "::" placement, ties, IPv4 tails).
TEST(Render, AddressesAsInetNtop) {
  auto check = [](const netlog::Address& a) {
    char want[INET6_ADDRSTRLEN] = "";
    inet_ntop(a.family == 6 ? AF_INET6 : AF_INET, a.bytes.data(), want,
              sizeof(want));
    fmt::memory_buffer got;
    // Room for a kept address's fixed-size copy, as a line's fixed room
    // (Line::kFixedBound) gives.
    netlog::Line(got, netlog::Line::kAddressRoom) << a;
    EXPECT_EQ(fmt::to_string(got), want);
  };
  netlog::Address a;
  a.family = 6;
  for (unsigned zeros = 0; zeros < 256; zeros++) {
    for (unsigned tail : {0x0001u, 0xffffu, 0x0a0bu}) {
      for (int g = 0; g < 8; g++) {
        const unsigned v = zeros & (1u << g) ? 0 : tail + g;
        a.bytes[2 * g] = static_cast<uint8_t>(v >> 8);
        a.bytes[2 * g + 1] = static_cast<uint8_t>(v);
      }
      check(a);
      // ::ffff:a.b.c.d and ::a.b.c.d
      if (zeros >= 0x1f) {
        a.bytes[10] = a.bytes[11] = zeros & 0x20 ? 0xff : 0;
        check(a);
      }
    }
  }
  a.family = 4;
  for (unsigned v : {0u, 1u, 9u, 10u, 99u, 100u, 199u, 255u}) {
    a.bytes = {static_cast<uint8_t>(v), 0, static_cast<uint8_t>(255 - v), 7};
    check(a);
  }
}

// Nanoseconds keep every digit and leading zeros; the date part is
// recomputed when the second changes.
TEST(Render, TimestampDigits) {
  const uint64_t base = 1763750400ULL * 1000000000ULL;  // 2025-11-21T18:40:00Z
  EXPECT_EQ(netlog::rfc3339(base + 1), "2025-11-21T18:40:00.000000001Z");
  EXPECT_EQ(netlog::rfc3339(base + 987654321),
            "2025-11-21T18:40:00.987654321Z");
  EXPECT_EQ(netlog::rfc3339(base + 1000000000),
            "2025-11-21T18:40:01.000000000Z");
  EXPECT_EQ(netlog::rfc3339(base + 86400000000000ULL + 50),
            "2025-11-22T18:40:00.000000050Z");
  EXPECT_EQ(netlog::rfc3339(base + 999999999),
            "2025-11-21T18:40:00.999999999Z");
}

namespace netlog {
namespace {

// Minor 9's START: the process's start after the attribution in text and
// JSON, process.start and a process.entity_id in ECS that two records of
// one process share and a reused pid does not; none when the record has
// no START.
TEST(Render, ProcessStartAndEntityId) {
  test::SockSpec s;
  s.start = 5000000000ULL;  // 5 s after boot; the header's boot_ns is 5
  const auto rec = test::sock_record(s);
  EXPECT_NE(render(Format::kText, rec)
                .find(" netns=4026531840 start_ns=5000000000 "
                      "start=2025-11-21T18:40:05.123456784Z host="),
            std::string::npos)
      << render(Format::kText, rec);
  EXPECT_NE(render(Format::kJson, rec)
                .find(R"("netns":4026531840,"start_ns":5000000000,)"
                      R"("start":"2025-11-21T18:40:05.123456784Z","host")"),
            std::string::npos)
      << render(Format::kJson, rec);
  const auto ecs = nlohmann::json::parse(render(Format::kEcs, rec));
  EXPECT_EQ(ecs["process"]["start"], "2025-11-21T18:40:05.123456784Z");
  const std::string id = ecs["process"]["entity_id"];
  EXPECT_EQ(id.size(), 16u);

  s.event = NETLOG_EV_CLOSE;  // the same process, later
  s.seq = 9;
  const auto later =
      nlohmann::json::parse(render(Format::kEcs, test::sock_record(s)));
  EXPECT_EQ(later["process"]["entity_id"], id);
  test::ExecSpec e;
  e.start = 5000000000ULL;
  const auto exec =
      nlohmann::json::parse(render(Format::kEcs, test::exec_record(e)));
  EXPECT_EQ(exec["process"]["entity_id"], id);
  EXPECT_NE(render(Format::kText, test::exec_record(e))
                .find(" netns=4026531840 start_ns=5000000000 start="),
            std::string::npos);

  s.start = 7000000000ULL;  // pid 100 again, another process
  const auto reused =
      nlohmann::json::parse(render(Format::kEcs, test::sock_record(s)));
  EXPECT_NE(reused["process"]["entity_id"], id);

  s.start.reset();
  const auto none = test::sock_record(s);
  EXPECT_EQ(render(Format::kJson, none).find("start_ns"), std::string::npos);
  EXPECT_FALSE(
      nlohmann::json::parse(render(Format::kEcs, none))["process"].contains(
          "entity_id"));
}

// The attribution's text is cached by its bytes (WhoCache), which do not
// hold START: a reused pid with the same bytes still shows its own start.
TEST(Render, StartIsNotTakenFromTheCache) {
  auto ctx = test_context();
  auto text = make_renderer(Format::kText);
  for (uint64_t start : {5000000000ULL, 7000000000ULL}) {
    test::SockSpec s;
    s.start = start;
    const auto bytes = test::sock_record(s);
    const auto rec = decode(bytes);
    ASSERT_TRUE(rec);
    fmt::memory_buffer out;
    text->render(*rec, ctx, out);
    EXPECT_NE(fmt::to_string(out).find(fmt::format(" start_ns={} ", start)),
              std::string::npos)
        << fmt::to_string(out);
  }
}

// Minor 10's LIFE: a TCP close's summary, in every format under the names
// of docs/format.md; duration_ns only when known; none in other records.
netlog_life life_of(uint64_t duration_ns) {
  netlog_life l{};
  l.bytes_sent = 512;
  l.bytes_received = 102400;
  l.duration_ns = duration_ns;
  l.bytes_unacked = 3;
  l.segs_out = 7;
  l.segs_in = 80;
  l.retrans = 1;
  l.state = 8;  // TCP_CLOSE_WAIT
  l.end = NETLOG_END_FIN;
  return l;
}

TEST(Render, CloseCarriesTheConnectionsLife) {
  auto s = event_spec(NETLOG_EV_CLOSE);
  s.flags = NETLOG_F_ESTABLISHED;
  s.life = life_of(2500000);
  const auto rec = test::sock_record(s);
  EXPECT_NE(render(Format::kText, rec)
                .find(" established=1 bytes_sent=512 bytes_received=102400 "
                      "bytes_unacked=3 segs_out=7 segs_in=80 retrans=1 "
                      "duration_ns=2500000 state=close_wait end=fin"),
            std::string::npos)
      << render(Format::kText, rec);
  const auto json = nlohmann::json::parse(render(Format::kJson, rec));
  EXPECT_EQ(json["bytes_sent"], 512);
  EXPECT_EQ(json["bytes_received"], 102400);
  EXPECT_EQ(json["bytes_unacked"], 3);
  EXPECT_EQ(json["segs_out"], 7);
  EXPECT_EQ(json["segs_in"], 80);
  EXPECT_EQ(json["retrans"], 1);
  EXPECT_EQ(json["duration_ns"], 2500000);
  EXPECT_EQ(json["state"], "close_wait");
  EXPECT_EQ(json["end"], "fin");
  const auto ecs = nlohmann::json::parse(render(Format::kEcs, rec));
  EXPECT_EQ(ecs["network"]["bytes"], 102912);
  EXPECT_EQ(ecs["network"]["packets"], 87);
  EXPECT_EQ(ecs["netlog"]["bytes_received"], 102400);
  EXPECT_EQ(ecs["netlog"]["duration_ns"], 2500000);
  EXPECT_EQ(ecs["netlog"]["end"], "fin");
  EXPECT_NE(render(Format::kKlog, rec).find(" sent:512 recv:102400 end:fin"),
            std::string::npos)
      << render(Format::kKlog, rec);
  EXPECT_NE(render(Format::kRfc5424, rec).find(R"(bytes_received="102400")"),
            std::string::npos)
      << render(Format::kRfc5424, rec);

  // Every end by its name; an unknown duration and state are no lie.
  const std::pair<uint8_t, const char*> ends[] = {
      {NETLOG_END_RST_SENT, "rst_sent"},
      {NETLOG_END_RST_RECEIVED, "rst_received"},
      {NETLOG_END_TIMEOUT, "timeout"},
      {NETLOG_END_ABORT, "abort"},
      {0, "unknown"}};
  for (const auto& [end, name] : ends) {
    s.life = life_of(0);
    s.life->end = end;
    s.life->state = 200;
    const auto j =
        nlohmann::json::parse(render(Format::kJson, test::sock_record(s)));
    EXPECT_EQ(j["end"], name);
    EXPECT_EQ(j["state"], "200");
    EXPECT_FALSE(j.contains("duration_ns"));
  }

  s.life.reset();  // an empty LIFE: no keys
  EXPECT_EQ(render(Format::kJson, test::sock_record(s)).find("bytes_sent"),
            std::string::npos);
}

// Minor 11's state record: no task (ECS names no process), the states it
// left and entered, the counters so far, and an end only when known.
TEST(Render, StateChangeSaysFromWhatToWhat) {
  auto s = event_spec(NETLOG_EV_STATE);
  s.task = netlog_task{};
  s.task.netns = 4026531840ULL;
  s.strings = {"", "", "", ""};
  s.life = life_of(1500);
  s.life->old_state = 2;  // TCP_SYN_SENT
  s.life->state = 1;      // TCP_ESTABLISHED
  s.life->end = NETLOG_END_UNKNOWN;
  auto rec = test::sock_record(s);
  EXPECT_NE(render(Format::kText, rec)
                .find(" retrans=1 duration_ns=1500 old_state=syn_sent "
                      "state=established"),
            std::string::npos)
      << render(Format::kText, rec);
  auto j = nlohmann::json::parse(render(Format::kJson, rec));
  EXPECT_EQ(j["event"], "state");
  EXPECT_EQ(j["old_state"], "syn_sent");
  EXPECT_EQ(j["state"], "established");
  EXPECT_EQ(j["owner_uid"], 1000);
  EXPECT_EQ(j["owner_pid"], 100);
  EXPECT_FALSE(j.contains("end"));
  EXPECT_FALSE(j.contains("established"));
  const auto ecs = nlohmann::json::parse(render(Format::kEcs, rec));
  EXPECT_FALSE(ecs.contains("process"));
  EXPECT_EQ(ecs["event"]["type"], nlohmann::json({"connection", "info"}));
  EXPECT_EQ(ecs["netlog"]["old_state"], "syn_sent");
  EXPECT_NE(render(Format::kKlog, rec).find(" state:syn_sent>established"),
            std::string::npos)
      << render(Format::kKlog, rec);
  EXPECT_NE(render(Format::kRfc5424, rec).find(R"(old_state="syn_sent")"),
            std::string::npos)
      << render(Format::kRfc5424, rec);

  // Into CLOSE, the end is known: a reset.
  s.life->old_state = 1;
  s.life->state = 7;  // TCP_CLOSE
  s.life->end = NETLOG_END_RST_RECEIVED;
  j = nlohmann::json::parse(render(Format::kJson, test::sock_record(s)));
  EXPECT_EQ(j["state"], "close");
  EXPECT_EQ(j["end"], "rst_received");
}

// Minor 11's snapshot: a socket open at load, with its holder's
// attribution and, for TCP, its state and counters, but no end.
TEST(Render, SnapshotSaysWhatWasOpenAtLoad) {
  auto s = event_spec(NETLOG_EV_SNAPSHOT);
  s.life = life_of(0);
  s.life->state = 10;  // TCP_LISTEN
  s.life->end = NETLOG_END_UNKNOWN;
  const auto rec = test::sock_record(s);
  const auto j = nlohmann::json::parse(render(Format::kJson, rec));
  EXPECT_EQ(j["event"], "snapshot");
  EXPECT_EQ(j["state"], "listen");
  EXPECT_EQ(j["comm"], "curl");
  EXPECT_FALSE(j.contains("end"));
  EXPECT_FALSE(j.contains("old_state"));
  EXPECT_FALSE(j.contains("duration_ns"));
  const auto ecs = nlohmann::json::parse(render(Format::kEcs, rec));
  EXPECT_EQ(ecs["process"]["pid"], 100);
  EXPECT_NE(render(Format::kKlog, rec).find(" == 127.0.0.1:8080 state:listen"),
            std::string::npos)
      << render(Format::kKlog, rec);
}

// Minor 11's NAT: a connection conntrack sent elsewhere says both where it
// asked to go and where it went, in every format.
TEST(Render, NatSaysWhereTheConnectionWent) {
  auto s = event_spec(NETLOG_EV_CONNECT_DONE);
  s.connect_seq = 6;
  s.raddr = {127, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  s.rport = 80;
  netlog_nat nat{};
  nat.raddr[0] = 127;
  nat.raddr[3] = 1;
  nat.rport = 8080;
  s.nat = nat;
  const auto rec = test::sock_record(s);
  EXPECT_NE(
      render(Format::kText, rec).find(" nat_raddr=127.0.0.1 nat_rport=8080"),
      std::string::npos)
      << render(Format::kText, rec);
  const auto j = nlohmann::json::parse(render(Format::kJson, rec));
  EXPECT_EQ(j["raddr"], "127.0.0.5");
  EXPECT_EQ(j["rport"], 80);
  EXPECT_EQ(j["nat_raddr"], "127.0.0.1");
  EXPECT_EQ(j["nat_rport"], 8080);
  const auto ecs = nlohmann::json::parse(render(Format::kEcs, rec));
  EXPECT_EQ(ecs["destination"]["ip"], "127.0.0.5");
  EXPECT_EQ(ecs["destination"]["nat"]["ip"], "127.0.0.1");
  EXPECT_EQ(ecs["destination"]["nat"]["port"], 8080);
  EXPECT_NE(render(Format::kKlog, rec).find(" nat:127.0.0.1:8080"),
            std::string::npos)
      << render(Format::kKlog, rec);
  EXPECT_NE(render(Format::kRfc5424, rec).find(R"(nat_rport="8080")"),
            std::string::npos)
      << render(Format::kRfc5424, rec);
  s.nat.reset();  // none: no keys
  EXPECT_EQ(render(Format::kJson, test::sock_record(s)).find("nat_"),
            std::string::npos);
}

// Minor 12's DGRAM: a datagram socket's close says what it carried, in
// every format, and nothing when it has none.
TEST(Render, DgramSaysWhatADatagramSocketCarried) {
  auto s = event_spec(NETLOG_EV_CLOSE);
  s.proto = IPPROTO_UDP;
  s.dgram = netlog_dgram{300, 40, 9, 3, 2, 2, 0, {}};
  auto rec = test::sock_record(s);
  EXPECT_NE(render(Format::kText, rec)
                .find(" bytes_sent=300 bytes_received=40 datagrams_sent=3 "
                      "datagrams_received=2 destinations=2 duration_ns=9"),
            std::string::npos)
      << render(Format::kText, rec);
  auto j = nlohmann::json::parse(render(Format::kJson, rec));
  EXPECT_EQ(j["datagrams_sent"], 3);
  EXPECT_EQ(j["datagrams_received"], 2);
  EXPECT_EQ(j["bytes_sent"], 300);
  EXPECT_EQ(j["bytes_received"], 40);
  EXPECT_EQ(j["destinations"], 2);
  EXPECT_EQ(j["duration_ns"], 9);
  EXPECT_FALSE(j.contains("more_destinations"));
  EXPECT_FALSE(j.contains("state"));
  const auto ecs = nlohmann::json::parse(render(Format::kEcs, rec));
  EXPECT_EQ(ecs["network"]["bytes"], 340);
  EXPECT_EQ(ecs["network"]["packets"], 5);
  EXPECT_NE(render(Format::kKlog, rec)
                .find(" sent:300 recv:40 dgrams:3/2 "
                      "dests:2\n"),
            std::string::npos)
      << render(Format::kKlog, rec);
  EXPECT_NE(render(Format::kRfc5424, rec).find(R"(datagrams_sent="3")"),
            std::string::npos)
      << render(Format::kRfc5424, rec);
  s.dgram->destinations = NETLOG_DGRAM_DESTS;
  s.dgram->flags = NETLOG_DGRAM_MORE_DESTS;
  rec = test::sock_record(s);
  j = nlohmann::json::parse(render(Format::kJson, rec));
  EXPECT_EQ(j["more_destinations"], true);
  EXPECT_NE(render(Format::kText, rec).find(" more_destinations=1"),
            std::string::npos);
  EXPECT_NE(render(Format::kKlog, rec).find(" dests:6+"), std::string::npos);
  s.dgram.reset();
  EXPECT_EQ(render(Format::kJson, test::sock_record(s)).find("datagrams_"),
            std::string::npos);
}

// A text or JSON line makes room up front only for its fixed part (keys,
// numbers, addresses, names: Line::kFixedBound), and a WhoCache miss as
// much again for the attribution; each untrusted string makes its own. So
// the longest fixed part any record can have, every optional key present
// and every number at its widest, must fit in one kFixedBound.
TEST(Render, EveryFixedPartFitsItsRoom) {
  test::SockSpec s;
  s.event = NETLOG_EV_CLOSE;
  s.family = 6;
  s.laddr = std::vector<uint8_t>(16, 0xfe);
  s.raddr = s.laddr;
  s.lport = s.rport = UINT16_MAX;
  s.result = INT32_MIN;
  s.flags = ~uint32_t{0};
  s.seq = s.real_ns = UINT64_MAX / 2;
  s.task = {UINT32_MAX, UINT32_MAX, UINT32_MAX,     UINT32_MAX,
            UINT32_MAX, UINT32_MAX, UINT32_MAX,     UINT32_MAX,
            UINT64_MAX, UINT64_MAX, UINT32_MAX - 1, UINT32_MAX};
  s.strings = {"", "", "",
               std::string("/docker-") + std::string(kId) + ".scope"};
  s.connect_seq = UINT64_MAX;
  s.owner_uid = UINT32_MAX;
  s.owner_pid = UINT32_MAX;
  s.start = UINT64_MAX / 2;
  s.life = netlog_life{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT32_MAX,
                       UINT32_MAX, UINT32_MAX, UINT32_MAX, 12,
                       12,         6,          {}};
  s.nat = netlog_nat{};
  std::fill(std::begin(s.nat->raddr), std::end(s.nat->raddr), 0xfe);
  s.nat->rport = UINT16_MAX;
  s.dgram = netlog_dgram{UINT64_MAX,
                         UINT64_MAX,
                         UINT64_MAX,
                         UINT32_MAX,
                         UINT32_MAX,
                         UINT32_MAX,
                         NETLOG_DGRAM_MORE_DESTS,
                         {}};
  test::ExecSpec e;
  e.result = INT32_MIN;
  e.argc = UINT32_MAX;
  e.flags = ~uint32_t{0};
  e.args = {};
  e.filename = e.comm_before = e.cwd = "";
  e.start = UINT64_MAX / 2;
  std::vector<std::pair<uint32_t, uint64_t>> by_uid;
  for (uint32_t i = 0; i < NETLOG_LOST_UIDS; i++)
    by_uid.emplace_back(UINT32_MAX - 2 - i, UINT64_MAX / 16);
  const uint64_t lost = (NETLOG_LOST_UIDS + 1) * (UINT64_MAX / 16);
  const std::vector<std::vector<std::byte>> records = {
      test::sock_record(s), test::exec_record(e),
      test::lost_record(UINT64_MAX / 2, lost, by_uid, UINT64_MAX / 16),
      test::config_record("", "", "")};
  Context ctx("", [](uint32_t) { return std::string(); });
  for (Format f : {Format::kText, Format::kJson}) {
    for (const auto& bytes : records) {
      auto rec = decode(bytes);
      ASSERT_TRUE(rec) << rec.error().message;
      fmt::memory_buffer out;
      make_renderer(f)->render(*rec, ctx, out);
      const std::string line = fmt::to_string(out);
      // The attribution: from pid to the end of netns's number.
      const bool json = f == Format::kJson;
      const size_t who = line.find(json ? R"("pid":)" : " pid=");
      const size_t netns = line.find(json ? R"("netns":)" : " netns=");
      const size_t who_size =
          who == std::string::npos
              ? 0
              : line.find(json ? ',' : ' ', netns + 1) - who;
      EXPECT_LE(line.size() - who_size, Line::kFixedBound) << line;
      EXPECT_LE(who_size, Line::kFixedBound) << line;
    }
  }
}

TEST(Decode, LifeFromMinorTen) {
  auto s = event_spec(NETLOG_EV_CLOSE);
  s.life = life_of(1);
  auto bytes = test::sock_record(s);
  auto rec = decode(bytes);
  ASSERT_TRUE(rec);
  const auto& life = std::get<SockEvent>(rec->body).life;
  ASSERT_TRUE(life);
  EXPECT_EQ(life->bytes_received, 102400u);
  EXPECT_EQ(life->duration_ns, 1u);
  EXPECT_EQ(life->state, 8);
  bytes[1] = std::byte{9};  // a minor 9 record: the string is not LIFE
  rec = decode(bytes);
  ASSERT_TRUE(rec);
  EXPECT_FALSE(std::get<SockEvent>(rec->body).life);
  // Of another size, it is corrupt, not read as some numbers: an empty
  // LIFE made two bytes long (of the zeros the later string holds).
  s.life.reset();
  s.later = {std::string(8, '\0')};
  bytes = test::sock_record(s);
  size_t at = sizeof(netlog_sock);
  for (const auto& one : test::sock_strings(s)) at += 2 + one.size();
  auto* len = reinterpret_cast<uint16_t*>(bytes.data() + at);
  ASSERT_EQ(*len, 0u);
  *len = 2;
  rec = decode(bytes);
  ASSERT_FALSE(rec);
  EXPECT_NE(rec.error().message.find("life of 2 bytes"), std::string::npos)
      << rec.error().message;
}

TEST(Decode, StartFromMinorNine) {
  test::SockSpec s;
  s.start = 1;
  auto bytes = test::sock_record(s);
  auto rec = decode(bytes);
  ASSERT_TRUE(rec);
  EXPECT_EQ(std::get<SockEvent>(rec->body).task.start_ns, 1u);
  bytes[1] = std::byte{8};  // a minor 8 record: the string is not START
  rec = decode(bytes);
  ASSERT_TRUE(rec);
  EXPECT_EQ(std::get<SockEvent>(rec->body).task.start_ns, 0u);
}

}  // namespace
}  // namespace netlog
