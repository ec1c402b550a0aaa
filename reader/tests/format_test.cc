// The rfc5424 and ecs formats, and the field list they and the journal
// share: every field, and values that try to break out of their syntax.
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cerrno>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <tuple>

#include "fields.h"
#include "record.h"
#include "records.h"
#include "render.h"

namespace netlog {
namespace {

using test::render;
using test::test_context;

// RFC 5424's SD-PARAMs of a line, unescaped (\" \\ \] only).
std::vector<std::pair<std::string, std::string>> sd_params(
    const std::string& line) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t at = line.find(" [netlog@32473 ");
  EXPECT_NE(at, std::string::npos) << line;
  at += 15;
  while (at < line.size() && line[at] != ']') {
    const size_t eq = line.find("=\"", at);
    std::string key = line.substr(at, eq - at), value;
    size_t i = eq + 2;
    for (; line[i] != '"'; i++) {
      if (line[i] == '\\') {
        EXPECT_TRUE(line[i + 1] == '"' || line[i + 1] == '\\' ||
                    line[i + 1] == ']')
            << line.substr(i);
        i++;
      }
      value += line[i];
    }
    out.emplace_back(key, value);
    at = i + 1;
    if (line[at] == ' ') at++;
  }
  return out;
}

// The fields of a record, in order, as every field-based format sees them.
std::vector<std::pair<std::string, std::string>> fields_of(
    const std::vector<std::byte>& bytes) {
  std::vector<std::pair<std::string, std::string>> out;
  auto rec = decode(bytes);
  EXPECT_TRUE(rec);
  auto ctx = test_context();
  if (rec)
    for_each_field(*rec, ctx,
                   [&](std::string_view k, std::string_view v, FieldKind) {
                     out.emplace_back(k, v);
                   });
  return out;
}

std::map<std::string, std::string> field_map(
    const std::vector<std::byte>& bytes) {
  auto f = fields_of(bytes);
  return {f.begin(), f.end()};
}

TEST(RenderRfc5424, ConnectHeaderAndEveryField) {
  test::SockSpec s;
  s.result = -111;
  const auto line = render(Format::kRfc5424, test::sock_record(s));
  // PRI: authpriv (10) * 8 + notice (5: a failed call).
  EXPECT_EQ(line.substr(0, 56),
            "<85>1 2025-11-21T18:40:00.123456Z vm1 netlog - connect [");
  const auto params = sd_params(line);
  const auto want = fields_of(test::sock_record(s));
  EXPECT_EQ(params, want);
  EXPECT_EQ(want.front().first, "seq");
  EXPECT_EQ(want.back(), (std::pair<std::string, std::string>("host", "vm1")));
  EXPECT_TRUE(line.ends_with(
      "] event=connect proto=tcp laddr=127.0.0.1 lport=40000 "
      "raddr=127.0.0.1 rport=8080 result=-111 uid=1000 comm=curl\n"))
      << line;
}

TEST(RenderRfc5424, ValuesCannotEndTheElementOrTheLine) {
  test::SockSpec s;
  s.strings = {"a\"] [x@1 y=\"z", "\n<13>1 -", "/bin/\\]", "\xff"};
  const auto line = render(Format::kRfc5424, test::sock_record(s));
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  EXPECT_EQ(line.back(), '\n');
  for (char c : line.substr(0, line.size() - 1))
    EXPECT_TRUE(c >= ' ' && c < 127) << int(c);
  std::map<std::string, std::string> p;
  for (const auto& [k, v] : sd_params(line)) p[k] = v;
  // escape_bytes()'s form, recovered from the SD escaping.
  EXPECT_EQ(p["comm"], "a\"] [x@1 y=\"z");
  EXPECT_EQ(p["tty"], "\\x0a<13>1 -");
  EXPECT_EQ(p["exe"], "/bin/\\\\]");
  EXPECT_EQ(p["cgroup"], "\\xff");
}

TEST(RenderRfc5424, SeverityByEvent) {
  EXPECT_EQ(render(Format::kRfc5424, test::sock_record({})).substr(0, 4),
            "<86>");  // info
  EXPECT_EQ(render(Format::kRfc5424, test::lost_record(3, 2)).substr(0, 4),
            "<84>");  // warning
  EXPECT_EQ(render(Format::kRfc5424, test::config_record("probes", "1", "2"))
                .substr(0, 4),
            "<85>");  // notice
  test::ExecSpec e;
  e.args = {"ls", "a b", ""};
  e.argc = 3;
  const auto line = render(Format::kRfc5424, test::exec_record(e));
  std::map<std::string, std::string> p;
  for (const auto& [k, v] : sd_params(line)) p[k] = v;
  EXPECT_EQ(p["arg0"], "ls");
  EXPECT_EQ(p["arg1"], "a b");
  EXPECT_EQ(p["arg2"], "");
  EXPECT_EQ(p.count("arg3"), 0u);
  EXPECT_EQ(p["argc"], "3");
}

TEST(RenderEcs, ConnectIsEgressWithEveryField) {
  test::SockSpec s;
  s.raddr = {10, 0, 0, 2};
  const auto j =
      nlohmann::json::parse(render(Format::kEcs, test::sock_record(s)));
  EXPECT_EQ(j["@timestamp"], "2025-11-21T18:40:00.123456789Z");
  EXPECT_EQ(j["event"]["action"], "connect");
  EXPECT_EQ(j["event"]["category"], nlohmann::json({"network"}));
  EXPECT_EQ(j["event"]["type"], nlohmann::json({"connection", "start"}));
  EXPECT_EQ(j["event"]["outcome"], "success");
  EXPECT_EQ(j["event"]["sequence"], 7);
  EXPECT_EQ(j["source"],
            nlohmann::json({{"ip", "127.0.0.1"}, {"port", 40000}}));
  EXPECT_EQ(j["destination"],
            nlohmann::json({{"ip", "10.0.0.2"}, {"port", 8080}}));
  EXPECT_EQ(j["network"]["transport"], "tcp");
  EXPECT_EQ(j["network"]["type"], "ipv4");
  EXPECT_EQ(j["network"]["direction"], "egress");
  EXPECT_EQ(j["process"]["pid"], 100);
  EXPECT_EQ(j["process"]["thread"]["id"], 101);
  EXPECT_EQ(j["process"]["parent"]["pid"], 1);
  EXPECT_EQ(j["process"]["name"], "curl");
  EXPECT_EQ(j["process"]["executable"], "/usr/bin/curl");
  EXPECT_EQ(j["user"]["id"], "1000");
  EXPECT_EQ(j["user"]["name"], "alice");
  EXPECT_EQ(j["user"]["group"]["id"], "1001");
  EXPECT_EQ(j["user"]["effective"]["id"], "1002");
  EXPECT_EQ(j["user"]["audit"],
            nlohmann::json({{"id", "1000"}, {"name", "alice"}}));
  EXPECT_EQ(j["netlog"].count("auid"), 0u);
  EXPECT_EQ(j["netlog"]["ses"], 3);
  EXPECT_EQ(j["netlog"]["tty"], "pts/0");
  EXPECT_EQ(j["process"].count("tty"), 0u);  // ECS's has numbers only
  EXPECT_EQ(j["netlog"]["proto"], "tcp");
  EXPECT_EQ(j["netlog"]["result"], 0);
  EXPECT_EQ(j["log"]["syslog"]["severity"]["code"], 6);
  EXPECT_EQ(j["event"].count("severity"), 0u);
  EXPECT_EQ(j["host"]["name"], "vm1");
  EXPECT_EQ(j["host"]["hostname"], "vm1");
}

// network.transport is the IANA keyword: MPTCP is TCP on the wire (and
// netlog.proto says MPTCP), ICMPv6 is ipv6-icmp, a raw socket has only its
// number. A listen's peer is not set, and is not written.
// ECS's "netlog" object is the record's own keys that ECS has no field
// for, with the JSON format's values: every JSON key is either one ECS
// places elsewhere (this list) or under "netlog", the same. A key added to
// the schema shows up under "netlog" without a change to ecs.cc.
TEST(RenderEcs, NetlogHoldsEveryKeyEcsHasNoFieldFor) {
  const std::set<std::string> placed = {
      "seq",      "time",         "event",     "host",    "pid",   "tid",
      "ppid",     "sid",          "uid",       "gid",     "euid",  "egid",
      "user",     "auid",         "auid_user", "comm",    "exe",   "start",
      "start_ns", "container_id", "family",    "laddr",   "lport", "raddr",
      "rport",    "nat_raddr",    "nat_rport", "ipproto", "argc",  "argv",
      "env",      "cwd"};
  test::SockSpec close;
  close.event = NETLOG_EV_CLOSE;
  close.flags = NETLOG_F_ESTABLISHED | NETLOG_F_EXE_SET | NETLOG_F_RAW |
                NETLOG_F_SRCROUTE | NETLOG_F_TRUNC_COMM;
  close.exe_loaded = "/tmp/x";
  close.connect_seq = 5;
  close.start = 77;
  close.life = netlog_life{1, 2, 3, 4, 5, 6, 7, 1, 2, 1, {}};
  close.nat = netlog_nat{{10, 0, 0, 9}, 53, {}};
  close.dgram = netlog_dgram{1, 2, 3, 4, 5, 6, NETLOG_DGRAM_MORE_DESTS, {}};
  test::ExecSpec exec;
  exec.env = {"LD_PRELOAD=/x.so"};
  const std::vector<std::vector<std::byte>> records = {
      test::sock_record(close), test::sock_record(test::unaudited_spec()),
      test::exec_record(exec), test::config_record("whitelist", "a", "b"),
      test::lost_record(3, 2, {{1000, 2}})};
  for (const auto& bytes : records) {
    const auto j = nlohmann::json::parse(render(Format::kJson, bytes));
    const auto e = nlohmann::json::parse(render(Format::kEcs, bytes));
    size_t under_netlog = 0;
    for (const auto& [key, value] : j.items()) {
      if (placed.count(key)) {
        EXPECT_FALSE(e["netlog"].contains(key)) << key;
        continue;
      }
      EXPECT_EQ(e["netlog"][key], value) << key;
      under_netlog++;
    }
    EXPECT_EQ(e["netlog"].size(), under_netlog) << e["netlog"];
  }
}

TEST(RenderEcs, TransportIsIanasAndNoEndIsInvented) {
  test::SockSpec s;
  s.flags = NETLOG_F_MPTCP;
  auto j = nlohmann::json::parse(render(Format::kEcs, test::sock_record(s)));
  EXPECT_EQ(j["network"]["transport"], "tcp");
  EXPECT_EQ(j["netlog"]["proto"], "mptcp");
  s.flags = 0;
  s.proto = IPPROTO_ICMPV6;
  s.family = 6;
  s.laddr = s.raddr = std::vector<uint8_t>(16, 0);
  s.laddr[15] = s.raddr[15] = 1;
  j = nlohmann::json::parse(render(Format::kEcs, test::sock_record(s)));
  EXPECT_EQ(j["network"]["transport"], "ipv6-icmp");
  s.flags = NETLOG_F_RAW;
  s.proto = 47;  // GRE
  j = nlohmann::json::parse(render(Format::kEcs, test::sock_record(s)));
  EXPECT_EQ(j["network"].count("transport"), 0u);
  EXPECT_EQ(j["network"]["iana_number"], "47");
  EXPECT_EQ(j["netlog"]["proto"], "raw");
  s = {};
  s.event = NETLOG_EV_LISTEN;
  s.raddr = {0, 0, 0, 0};
  s.rport = 0;
  j = nlohmann::json::parse(render(Format::kEcs, test::sock_record(s)));
  EXPECT_EQ(j.count("source"), 0u) << j;
  EXPECT_EQ(j["destination"],
            nlohmann::json({{"ip", "127.0.0.1"}, {"port", 40000}}));
  // A wildcard bound to a port is a real end.
  s.event = NETLOG_EV_BIND;
  s.laddr = {0, 0, 0, 0};
  j = nlohmann::json::parse(render(Format::kEcs, test::sock_record(s)));
  EXPECT_EQ(j["source"], nlohmann::json({{"ip", "0.0.0.0"}, {"port", 40000}}));
  EXPECT_EQ(j.count("destination"), 0u) << j;
}

// A forged exe (NETLOG_F_EXE_SET) says so in every format, beside the exe
// exec loaded, escaped like any string from the kernel.
TEST(Render, ForgedExeShowsTheLoadedOneInEveryFormat) {
  test::SockSpec s;
  s.flags = NETLOG_F_EXE_SET;
  s.strings[2] = "/usr/bin/rsync";
  s.exe_loaded = "/tmp/evil \"x\"";
  const auto bytes = test::sock_record(s);
  EXPECT_NE(render(Format::kText, bytes)
                .find(R"( exe_set=1 exe_loaded="/tmp/evil \"x\"")"),
            std::string::npos)
      << render(Format::kText, bytes);
  const auto j = nlohmann::json::parse(render(Format::kJson, bytes));
  EXPECT_EQ(j["exe"], "/usr/bin/rsync");
  EXPECT_EQ(j["exe_set"], true);
  EXPECT_EQ(j["exe_loaded"], "/tmp/evil \"x\"");
  const auto e = nlohmann::json::parse(render(Format::kEcs, bytes));
  EXPECT_EQ(e["process"]["executable"], "/usr/bin/rsync");
  EXPECT_EQ(e["netlog"]["exe_set"], true);
  EXPECT_EQ(e["netlog"]["exe_loaded"], "/tmp/evil \"x\"");
  EXPECT_NE(render(Format::kKlog, bytes).find(" set:/usr/bin/rsync "),
            std::string::npos)
      << render(Format::kKlog, bytes);
  auto fields = field_map(bytes);
  EXPECT_EQ(fields["exe_set"], "1");
  EXPECT_EQ(fields["exe_loaded"], "/tmp/evil \"x\"");
  // Without the flag, no such key; a cut one is named.
  s.flags = NETLOG_F_TRUNC_EXE_LOADED | NETLOG_F_EXE_SET;
  EXPECT_NE(
      render(Format::kText, test::sock_record(s)).find(" truncated=exe_loaded"),
      std::string::npos);
  s.flags = 0;
  EXPECT_EQ(render(Format::kJson, test::sock_record(s)).find("exe_"),
            std::string::npos);
}

TEST(Render, ConnectDoneNamesItsConnectInEveryFormat) {
  test::SockSpec s;
  s.event = NETLOG_EV_CONNECT_DONE;
  s.connect_seq = 18446744073709551000ULL;  // all 64 bits survive
  const auto bytes = test::sock_record(s);
  EXPECT_NE(
      render(Format::kText, bytes)
          .find(" result=0 connect_seq=18446744073709551000 owner_uid=1000 "
                "owner_pid=100 pid="),
      std::string::npos)
      << render(Format::kText, bytes);
  const auto j = nlohmann::json::parse(render(Format::kJson, bytes));
  EXPECT_EQ(j["connect_seq"], *s.connect_seq);
  const auto e = nlohmann::json::parse(render(Format::kEcs, bytes));
  EXPECT_EQ(e["netlog"]["connect_seq"], *s.connect_seq);
  EXPECT_EQ(field_map(bytes)["connect_seq"], "18446744073709551000");
  // A source-routed one says so.
  s.flags = NETLOG_F_SRCROUTE;
  EXPECT_NE(render(Format::kText, test::sock_record(s)).find(" srcroute=1"),
            std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(
                render(Format::kJson, test::sock_record(s)))["srcroute"],
            true);
  EXPECT_EQ(nlohmann::json::parse(render(
                Format::kEcs, test::sock_record(s)))["netlog"]["srcroute"],
            true);
  EXPECT_EQ(field_map(test::sock_record(s))["srcroute"], "1");
  // One recorded as it began: its result is not known.
  s.flags = NETLOG_F_UNFOLLOWED;
  EXPECT_NE(render(Format::kText, test::sock_record(s)).find(" unfollowed=1"),
            std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(
                render(Format::kJson, test::sock_record(s)))["unfollowed"],
            true);
  EXPECT_EQ(nlohmann::json::parse(render(
                Format::kEcs, test::sock_record(s)))["netlog"]["unfollowed"],
            true);
  EXPECT_EQ(field_map(test::sock_record(s))["unfollowed"], "1");
  EXPECT_EQ(nlohmann::json::parse(
                render(Format::kEcs, test::sock_record(s)))["event"]["outcome"],
            "unknown");
  // Any other record has none.
  s.flags = 0;
  s.connect_seq.reset();
  EXPECT_EQ(render(Format::kJson, test::sock_record(s)).find("connect_seq"),
            std::string::npos);
}

// A socket netlog does not follow: what it is, in place of endpoints.
TEST(Render, UnauditedSocketIsNamedInEveryFormat) {
  test::SockSpec s = test::unaudited_spec();
  const auto bytes = test::sock_record(s);
  EXPECT_NE(render(Format::kText, bytes)
                .find(" event=unaudited sock_family=smc sock_type=stream "
                      "protocol=768 owner_uid=1000 owner_pid=100 pid=100 "),
            std::string::npos)
      << render(Format::kText, bytes);
  const auto j = nlohmann::json::parse(render(Format::kJson, bytes));
  EXPECT_EQ(j["sock_family"], "smc");
  EXPECT_EQ(j["sock_type"], "stream");
  EXPECT_EQ(j["protocol"], 768);
  EXPECT_FALSE(j.contains("proto"));
  EXPECT_FALSE(j.contains("laddr"));
  EXPECT_FALSE(j.contains("result"));
  const auto e = nlohmann::json::parse(render(Format::kEcs, bytes));
  EXPECT_EQ(e["event"]["action"], "unaudited");
  EXPECT_FALSE(e.contains("source"));
  EXPECT_EQ(e["netlog"]["sock_family"], "smc");
  EXPECT_EQ(e["netlog"]["protocol"], 768);
  EXPECT_EQ(e["process"]["pid"], 100);
  auto f = field_map(bytes);
  EXPECT_EQ(f["sock_type"], "stream");
  EXPECT_EQ(f.count("lport"), 0u);
  EXPECT_NE(render(Format::kKlog, bytes).find(" UNAUDITED smc/stream/768\n"),
            std::string::npos)
      << render(Format::kKlog, bytes);
  // A family or type without a name is its number.
  s.lport = 200;
  s.rport = 77;
  EXPECT_NE(render(Format::kText, test::sock_record(s))
                .find(" sock_family=200 sock_type=77 "),
            std::string::npos);
  // Only an unaudited record may have no inet family.
  s.event = NETLOG_EV_CONNECT;
  EXPECT_NE(render(Format::kText, test::sock_record(s)).find("family 0"),
            std::string::npos);
}

// The protocols told by a flag or a number of their own.
TEST(Render, SmcRxrpcL2tpAndDccpNameTheirProtocol) {
  struct Case {
    uint8_t proto;
    uint32_t flags;
    std::string name;
  };
  for (const auto& c :
       {Case{6, NETLOG_F_SMC, "smc"}, Case{17, NETLOG_F_RXRPC, "rxrpc"},
        Case{115, 0, "l2tp"}, Case{33, 0, "dccp"}}) {
    test::SockSpec s;
    s.proto = c.proto;
    s.flags = c.flags;
    const auto bytes = test::sock_record(s);
    EXPECT_EQ(nlohmann::json::parse(render(Format::kJson, bytes))["proto"],
              c.name);
    EXPECT_EQ(field_map(bytes)["proto"], c.name);
  }
}

// What an SCTP peer did, and no task: a peer address it offered. Every
// format says so, names the owner, and ECS invents no process.
TEST(Render, PeerRecordsSayThePeerActedInEveryFormat) {
  test::SockSpec s;
  s.event = NETLOG_EV_PEER;
  s.proto = 132;
  s.flags = NETLOG_F_BY_PEER;
  s.task = netlog_task{};
  s.task.netns = 4026531840ULL;
  s.task.auid = s.task.ses = NETLOG_UID_NONE;
  s.strings = {"", "", "", ""};
  s.raddr = {127, 0, 0, 2};
  const auto bytes = test::sock_record(s);
  const auto text = render(Format::kText, bytes);
  EXPECT_NE(text.find(" event=peer proto=sctp "), std::string::npos) << text;
  EXPECT_NE(text.find(" by_peer=1"), std::string::npos) << text;
  const auto j = nlohmann::json::parse(render(Format::kJson, bytes));
  EXPECT_EQ(j["event"], "peer");
  EXPECT_EQ(j["by_peer"], true);
  EXPECT_EQ(j["owner_uid"], 1000);
  EXPECT_EQ(j["owner_pid"], 100);
  EXPECT_EQ(j["raddr"], "127.0.0.2");
  EXPECT_EQ(field_map(bytes)["by_peer"], "1");
  const auto ecs = nlohmann::json::parse(render(Format::kEcs, bytes));
  EXPECT_FALSE(ecs.contains("process")) << ecs;
  EXPECT_EQ(ecs["netlog"]["by_peer"], true);
  EXPECT_EQ(ecs["netlog"]["owner_pid"], 100);
  EXPECT_EQ(ecs["destination"]["ip"], "127.0.0.2");
  const auto klog = render(Format::kKlog, bytes);
  EXPECT_NE(klog.find(" SCTP 127.0.0.1:40000 +> 127.0.0.2:8080"),
            std::string::npos)
      << klog;
}

// An exec recorded as it began (its uid held its share of execlog's return
// probe): flagged in every format, its outcome not known.
TEST(Render, UnfollowedExecSaysItsResultIsNotKnown) {
  test::ExecSpec e;
  e.flags = NETLOG_F_UNFOLLOWED;
  const auto bytes = test::exec_record(e);
  EXPECT_NE(render(Format::kText, bytes).find(" unfollowed=1"),
            std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(render(Format::kJson, bytes))["unfollowed"],
            true);
  const auto ecs = nlohmann::json::parse(render(Format::kEcs, bytes));
  EXPECT_EQ(ecs["netlog"]["unfollowed"], true);
  EXPECT_EQ(ecs["event"]["outcome"], "unknown");
  EXPECT_EQ(field_map(bytes)["unfollowed"], "1");
  e.flags = 0;
  EXPECT_EQ(render(Format::kText, test::exec_record(e)).find("unfollowed"),
            std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(
                render(Format::kEcs, test::exec_record(e)))["event"]["outcome"],
            "success");
}

TEST(Render, PreloadedExecShowsItsLoaderVariablesInEveryFormat) {
  test::ExecSpec e;
  e.flags = NETLOG_F_PRELOAD;
  e.filename = "/usr/bin/rsync";
  e.env = {"LD_PRELOAD=/tmp/x y.so", "LD_AUDIT=/tmp/\"a\".so"};
  const auto bytes = test::exec_record(e);
  const auto text = render(Format::kText, bytes);
  EXPECT_NE(
      text.find(R"( env=["LD_PRELOAD=/tmp/x y.so","LD_AUDIT=/tmp/\"a\".so"])"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(" preload=1"), std::string::npos) << text;
  const auto j = nlohmann::json::parse(render(Format::kJson, bytes));
  EXPECT_EQ(j["preload"], true);
  EXPECT_EQ(j["env"], nlohmann::json::array({e.env[0], e.env[1]}));
  const auto ecs = nlohmann::json::parse(render(Format::kEcs, bytes));
  EXPECT_EQ(ecs["process"]["env_vars"],
            nlohmann::json::array({e.env[0], e.env[1]}));
  EXPECT_EQ(ecs["netlog"]["preload"], true);
  const auto klog = render(Format::kKlog, bytes);
  EXPECT_NE(klog.find(R"( env:LD_PRELOAD=/tmp/x\x20y.so env:LD_AUDIT=)"),
            std::string::npos)
      << klog;
  auto fields = field_map(bytes);
  EXPECT_EQ(fields["preload"], "1");
  EXPECT_EQ(fields["env"], e.env[0] + '\0' + e.env[1] + '\0');
  std::map<std::string, std::string> p;
  for (const auto& [k, v] : sd_params(render(Format::kRfc5424, bytes)))
    p[k] = v;
  EXPECT_EQ(p["env0"], e.env[0]);
  EXPECT_EQ(p["env1"], e.env[1]);
  // No loader variable, no key; an argument cannot pass for one in klog.
  e.flags = 0;
  e.env.clear();
  e.args = {"rsync", "env:LD_PRELOAD=x"};
  EXPECT_FALSE(
      nlohmann::json::parse(render(Format::kJson, test::exec_record(e)))
          .contains("env"));
  EXPECT_EQ(render(Format::kKlog, test::exec_record(e)).find(" env:"),
            std::string::npos);
  // A socket record of such a process is flagged, "pre:" in klog.
  test::SockSpec s;
  s.flags = NETLOG_F_PRELOAD;
  EXPECT_NE(
      render(Format::kKlog, test::sock_record(s)).find(" pre:/usr/bin/curl "),
      std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(
                render(Format::kJson, test::sock_record(s)))["preload"],
            true);
}

// A change the lock refused: flagged in every format, a failure in ECS.
TEST(Render, ARefusedChangeSaysSoInEveryFormat) {
  auto bytes = test::config_record("whitelist", "", "/usr/bin/x");
  auto* r = reinterpret_cast<netlog_config*>(bytes.data());
  r->flags = NETLOG_F_REFUSED;
  EXPECT_NE(render(Format::kText, bytes).find(" refused=1"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(render(Format::kJson, bytes))["refused"],
            true);
  const auto e = nlohmann::json::parse(render(Format::kEcs, bytes));
  EXPECT_EQ(e["event"]["outcome"], "failure");
  EXPECT_EQ(e["netlog"]["refused"], true);
  EXPECT_NE(render(Format::kKlog, bytes)
                .find("CONFIG whitelist - -> /usr/bin/x refused"),
            std::string::npos)
      << render(Format::kKlog, bytes);
  r->flags = 0;
  EXPECT_EQ(render(Format::kJson, bytes).find("refused"), std::string::npos);
  EXPECT_EQ(
      nlohmann::json::parse(render(Format::kEcs, bytes))["event"]["outcome"],
      "success");
}

TEST(RenderEcs, AcceptIsIngressAndAFailureIsAFailure) {
  test::SockSpec s;
  s.event = NETLOG_EV_ACCEPT;
  s.raddr = {10, 0, 0, 2};
  auto j = nlohmann::json::parse(render(Format::kEcs, test::sock_record(s)));
  EXPECT_EQ(j["network"]["direction"], "ingress");
  EXPECT_EQ(j["source"]["ip"], "10.0.0.2");
  EXPECT_EQ(j["destination"]["port"], 40000);
  test::ExecSpec e;
  e.result = -2;
  j = nlohmann::json::parse(render(Format::kEcs, test::exec_record(e)));
  EXPECT_EQ(j["event"]["outcome"], "failure");
  EXPECT_EQ(j["process"]["args"], nlohmann::json({"ls", "-l"}));
  EXPECT_EQ(j["process"]["working_directory"], "/home/alice");
  j = nlohmann::json::parse(render(Format::kEcs, test::lost_record(3, 2)));
  // Records netlog lost are its events, not a document that failed to be
  // ingested (pipeline_error).
  EXPECT_EQ(j["event"]["kind"], "event");
  EXPECT_EQ(j["log"]["syslog"]["severity"]["code"], 4);
  EXPECT_EQ(j["netlog"]["count"], 2);
}

}  // namespace
// A connect that returned -EINPROGRESS has no outcome yet: its connect_done
// has. Neither the connect nor a successful connect_done is a failure, in
// ECS, in the syslog severity (RFC 5424, journald's PRIORITY) or anywhere.
TEST(Render, AConnectInProgressIsNoFailureItsDoneSays) {
  test::SockSpec s;
  s.result = -EINPROGRESS;
  const auto pending = test::sock_record(s);
  EXPECT_EQ(
      nlohmann::json::parse(render(Format::kEcs, pending))["event"]["outcome"],
      "unknown");
  const auto ecs = nlohmann::json::parse(render(Format::kEcs, pending));
  EXPECT_EQ(ecs["log"]["syslog"]["severity"]["code"], 6);
  EXPECT_EQ(render(Format::kRfc5424, pending).substr(0, 4), "<86>");
  // The same result from any other call is its failure.
  s.event = NETLOG_EV_SEND;
  EXPECT_EQ(nlohmann::json::parse(
                render(Format::kEcs, test::sock_record(s)))["event"]["outcome"],
            "failure");
  EXPECT_EQ(render(Format::kRfc5424, test::sock_record(s)).substr(0, 4),
            "<85>");
  s.event = NETLOG_EV_CONNECT_DONE;
  s.connect_seq = 6;
  for (const auto& [result, outcome, pri] :
       {std::tuple{0, "success", "<86>"},
        std::tuple{-ECONNREFUSED, "failure", "<85>"}}) {
    s.result = result;
    const auto done = test::sock_record(s);
    EXPECT_EQ(
        nlohmann::json::parse(render(Format::kEcs, done))["event"]["outcome"],
        outcome);
    EXPECT_EQ(render(Format::kRfc5424, done).substr(0, 4), pri);
  }
}

}  // namespace netlog
