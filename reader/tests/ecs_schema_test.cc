// Every field the ECS format writes, by name and type, against Elastic
// Common Schema 8.11's own definitions (tests/data/ecs, extracted from
// ecs_flat.yml): a field ECS does not define, a string where ECS wants a
// number, a value outside event.kind's, event.category's or
// event.outcome's allowed ones, or an event.type its category does not
// expect fails. Only netlog.* is ours, and user.audit.* (Auditbeat's name
// for the login uid, which ECS lacks).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "records.h"
#include "render.h"
#include "uapi/netlog.h"

namespace netlog {
namespace {

using nlohmann::json;

const json& schema() {
  static const json fields = [] {
    std::ifstream in(NETLOG_ECS_FIELDS);
    return json::parse(in)["fields"];
  }();
  return fields;
}

// `v` as ECS type `type` wants it.
bool of_type(const json& v, const std::string& type) {
  if (type == "keyword" || type == "wildcard" || type == "match_only_text" ||
      type == "constant_keyword" || type == "date")
    return v.is_string();
  if (type == "long" || type == "integer" || type == "short" ||
      type == "byte" || type == "unsigned_long")
    return v.is_number_integer();
  if (type == "float" || type == "double" || type == "scaled_float")
    return v.is_number();
  if (type == "boolean") return v.is_boolean();
  if (type == "ip") {
    if (!v.is_string()) return false;
    unsigned char buf[sizeof(in6_addr)];
    const auto s = v.get<std::string>();
    return inet_pton(AF_INET, s.c_str(), buf) == 1 ||
           inet_pton(AF_INET6, s.c_str(), buf) == 1;
  }
  return false;
}

// Each leaf of `doc` (an array is a leaf) under its dotted name.
void flatten(const json& doc, const std::string& prefix,
             std::vector<std::pair<std::string, json>>& out) {
  for (const auto& [k, v] : doc.items()) {
    const std::string name = prefix.empty() ? k : prefix + "." + k;
    if (v.is_object())
      flatten(v, name, out);
    else
      out.emplace_back(name, v);
  }
}

// The ECS line of `bytes` checked field by field; the names it has.
std::set<std::string> check(const std::vector<std::byte>& bytes) {
  const std::string line = test::render(Format::kEcs, bytes);
  const json doc = json::parse(line);
  std::vector<std::pair<std::string, json>> leaves;
  flatten(doc, "", leaves);
  std::set<std::string> names;
  for (const auto& [name, v] : leaves) {
    names.insert(name);
    if (name.starts_with("netlog.")) continue;
    if (name == "user.audit.id" || name == "user.audit.name") {
      EXPECT_TRUE(v.is_string()) << name << " in " << line;
      continue;
    }
    if (!schema().contains(name)) {
      ADD_FAILURE() << name << " is not an ECS 8.11 field, in " << line;
      continue;
    }
    const json& def = schema()[name];
    const std::string type = def["type"];
    const bool array = def.value("array", false);
    EXPECT_EQ(v.is_array(), array) << name << " in " << line;
    const json values = v.is_array() ? v : json::array({v});
    for (const auto& item : values) {
      EXPECT_TRUE(of_type(item, type))
          << name << " is " << type << ", not " << item << ", in " << line;
      if (def.contains("allowed")) {
        EXPECT_TRUE(def["allowed"].contains(item.get<std::string>()))
            << name << ": " << item << " is not an allowed value";
      }
    }
  }
  // Each event.type is one its categories expect.
  const json& allowed = schema()["event.category"]["allowed"];
  for (const auto& category : doc["event"]["category"])
    for (const auto& type : doc["event"]["type"]) {
      const auto& expected = allowed[category.get<std::string>()];
      EXPECT_NE(std::find(expected.begin(), expected.end(), type),
                expected.end())
          << category << " does not expect event.type " << type;
    }
  for (const char* always :
       {"@timestamp", "ecs.version", "event.kind", "event.action",
        "event.sequence", "host.name", "log.syslog.severity.code"})
    EXPECT_TRUE(names.count(always)) << always << " missing in " << line;
  return names;
}

TEST(EcsSchema, EverySocketEventAndFlag) {
  std::set<std::string> seen;
  for (uint16_t event :
       {NETLOG_EV_CONNECT, NETLOG_EV_ACCEPT, NETLOG_EV_BIND, NETLOG_EV_LISTEN,
        NETLOG_EV_CLOSE, NETLOG_EV_CONNECT_DONE, NETLOG_EV_SEND, NETLOG_EV_PEER,
        NETLOG_EV_STATE, NETLOG_EV_SNAPSHOT}) {
    for (uint32_t flags :
         {0u, NETLOG_F_MPTCP, NETLOG_F_SMC, NETLOG_F_RXRPC, NETLOG_F_RAW,
          NETLOG_F_EXE_SET | NETLOG_F_EXE_NS | NETLOG_F_PRELOAD,
          NETLOG_F_BY_PEER | NETLOG_F_ESTABLISHED, NETLOG_F_UNFOLLOWED}) {
      test::SockSpec s;
      s.event = event;
      s.flags = flags;
      s.result = event == NETLOG_EV_CONNECT ? -EINPROGRESS : 0;
      if (flags & NETLOG_F_RAW) s.proto = 47;
      if (flags & NETLOG_F_EXE_SET) s.exe_loaded = "/usr/bin/python3";
      if (event == NETLOG_EV_CONNECT_DONE) {
        s.connect_seq = 6;
        s.nat = netlog_nat{{10, 0, 0, 1}, 8080, {}};  // destination.nat.*
      }
      if (event == NETLOG_EV_CLOSE && flags == 0) {
        s.proto = IPPROTO_UDP;
        s.dgram =
            netlog_dgram{100, 200, 5, 1, 2, 7, NETLOG_DGRAM_MORE_DESTS, {}};
      }
      if (!(flags & NETLOG_F_BY_PEER)) s.start = 5000000000ULL;
      for (const auto& n : check(test::sock_record(s))) seen.insert(n);
    }
  }
  // IPv6 and ICMPv6, a failure, no login uid, no tty.
  test::SockSpec s;
  s.family = 6;
  s.proto = IPPROTO_ICMPV6;
  s.laddr = s.raddr = std::vector<uint8_t>(16, 0);
  s.laddr[15] = s.raddr[15] = 1;
  s.result = -ENETUNREACH;
  s.task.auid = NETLOG_UID_NONE;
  s.strings[1] = "";
  check(test::sock_record(s));
  // In a docker container.
  s.strings[3] = "/system.slice/docker-" + std::string(64, 'a') + ".scope";
  for (const auto& n : check(test::sock_record(s))) seen.insert(n);
  // What a connect fills, in ECS's names.
  for (const char* name :
       {"source.ip", "source.port", "destination.ip", "destination.port",
        "network.transport", "network.type", "network.direction", "process.pid",
        "process.executable", "user.id", "user.audit.id", "event.outcome",
        "container.id"})
    EXPECT_TRUE(seen.count(name)) << name;
}

TEST(EcsSchema, UnauditedConfigExecLostMissedUnknown) {
  check(test::sock_record(test::unaudited_spec()));
  check(test::config_record("whitelist", "", "/usr/bin/x"));
  test::ExecSpec e;
  e.env = {"LD_PRELOAD=/tmp/x.so"};
  const auto exec = check(test::exec_record(e));
  for (const char* name : {"process.args", "process.args_count",
                           "process.working_directory", "process.env_vars"})
    EXPECT_TRUE(exec.count(name)) << name;
  e.result = -ENOENT;
  check(test::exec_record(e));
  check(test::lost_record(3, 2, {{1000, 2}}, 0));

  netlog_missed m{};
  m.hdr.abi_major = NETLOG_ABI_MAJOR;
  m.hdr.abi_minor = NETLOG_ABI_MINOR;
  m.hdr.type = NETLOG_REC_MISSED;
  m.hdr.len = sizeof(m);
  m.count = 42;
  std::memcpy(m.hook, "inet_bind", 9);
  std::vector<std::byte> bytes(sizeof(m));
  std::memcpy(bytes.data(), &m, sizeof(m));
  check(bytes);

  netlog_hdr h{};
  h.abi_major = NETLOG_ABI_MAJOR;
  h.abi_minor = NETLOG_ABI_MINOR;
  h.type = 200;  // a type of a later minor
  h.len = sizeof(h);
  bytes.assign(sizeof(h), std::byte{0});
  std::memcpy(bytes.data(), &h, sizeof(h));
  check(bytes);
}

}  // namespace
}  // namespace netlog
