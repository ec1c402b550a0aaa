#include "render.h"

#include <gtest/gtest.h>

#include "record.h"
#include "records.h"

namespace netlog {
namespace {

Context test_context() {
  return Context("vm1", [](uint32_t uid) -> std::string {
    return uid == 1000 ? "alice" : "";
  });
}

std::string render(Format f, const std::vector<std::byte>& bytes) {
  auto rec = decode(bytes);
  EXPECT_TRUE(rec) << rec.error().message;
  auto ctx = test_context();
  fmt::memory_buffer out;
  make_renderer(f)->render(*rec, ctx, out);
  return fmt::to_string(out);
}

TEST(RenderText, ConnectV4EveryField) {
  EXPECT_EQ(render(Format::kText, test::sock_record({})),
            "seq=7 time=2025-11-21T18:40:00.123456789Z event=connect "
            "proto=tcp family=ipv4 laddr=127.0.0.1 lport=40000 "
            "raddr=127.0.0.1 rport=8080 result=0 pid=100 tid=101 ppid=1 "
            "sid=1 uid=1000 gid=1001 euid=1002 egid=1003 user=\"alice\" "
            "tty=\"pts/0\" comm=\"curl\" exe=\"/usr/bin/curl\" cgroup=\"\" "
            "netns=4026531840 host=\"vm1\"\n");
}

TEST(RenderJson, ConnectV6EveryField) {
  test::SockSpec s;
  s.family = 6;
  s.laddr = std::vector<uint8_t>(16, 0);
  s.laddr[15] = 1;
  s.raddr = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  s.result = -111;
  s.task.uid = 0;
  EXPECT_EQ(render(Format::kJson, test::sock_record(s)),
            R"({"seq":7,"time":"2025-11-21T18:40:00.123456789Z",)"
            R"("event":"connect","proto":"tcp","family":"ipv6",)"
            R"("laddr":"::1","lport":40000,"raddr":"fd00::2","rport":8080,)"
            R"("result":-111,"pid":100,"tid":101,"ppid":1,"sid":1,"uid":0,)"
            R"("gid":1001,"euid":1002,"egid":1003,"user":"0","tty":"pts/0",)"
            R"("comm":"curl","exe":"/usr/bin/curl","cgroup":"",)"
            R"("netns":4026531840,"host":"vm1"})"
            "\n");
}

TEST(RenderJson, Lost) {
  EXPECT_EQ(render(Format::kJson, test::lost_record(100, 50)),
            R"({"seq":100,"time":"2025-11-21T18:40:00.000000000Z",)"
            R"("event":"lost","count":50,"first_seq":100,"last_seq":149,)"
            R"("host":"vm1"})"
            "\n");
}

TEST(RenderText, Lost) {
  EXPECT_EQ(render(Format::kText, test::lost_record(3, 1)),
            "seq=3 time=2025-11-21T18:40:00.000000000Z event=lost count=1 "
            "first_seq=3 last_seq=3 host=\"vm1\"\n");
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
