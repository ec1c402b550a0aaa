// The rfc5424 and ecs formats of records a real kernel made: one capture
// rendered in each, every field checked against the JSON format's.
#include <nlohmann/json.hpp>
#include <regex>

#include "e2e.h"

namespace e2e {
namespace {

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> render(const std::string& capture,
                                const std::string& format) {
  auto p = run({reader(), "--input", capture, "--format", format});
  EXPECT_EQ(p.code, 0) << p.err;
  return lines_of(p.out);
}

// An RFC 5424 line's PRI, MSGID and SD-PARAMs (unescaped), or a failure.
struct Syslog {
  int pri = -1;
  std::string msgid;
  std::map<std::string, std::string> params;
};

Syslog parse_rfc5424(const std::string& line) {
  Syslog s;
  std::smatch m;
  static const std::regex head(
      R"(<(\d+)>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (\S+) netlog - (\S+) \[netlog@32473 )");
  if (!std::regex_search(line, m, head) || m.position(0) != 0) {
    ADD_FAILURE() << "not an RFC 5424 line of ours: " << line;
    return s;
  }
  s.pri = std::stoi(m[1]);
  s.msgid = m[3];
  size_t at = m.length(0);
  while (at < line.size() && line[at] != ']') {
    const size_t eq = line.find("=\"", at);
    const std::string key = line.substr(at, eq - at);
    std::string value;
    size_t i = eq + 2;
    for (; i < line.size() && line[i] != '"'; i++) {
      if (line[i] == '\\') i++;
      value += line[i];
    }
    s.params[key] = value;
    at = i + 1 + (line[i + 1] == ' ');
  }
  return s;
}

// A JSON format value as the structured data writes it.
std::string sd_form(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
  return v.dump();
}

class Formats : public E2E {};

TEST_F(Formats, Rfc5424AndEcsCarryWhatJsonDoes) {
  const uint16_t closed = closed_port(AF_INET, "127.0.0.1");
  ASSERT_EQ(in_child([&] {
              drop_to_user();
              connect_from_thread(AF_INET, "127.0.0.1", closed, "nl-fmt\"]");
              Listener l(AF_INET, "127.0.0.1");
              connect_from_thread(AF_INET, "127.0.0.1", l.port, "nl-fmt-nb",
                                  true);
              int s = socket(AF_INET6, SOCK_DGRAM, 0);
              socklen_t len;
              auto ss = make_addr(AF_INET6, "::1", 53, &len);
              connect(s, reinterpret_cast<sockaddr*>(&ss), len);
              close(s);
              return int64_t(0);
            }).value,
            0);
  const std::string capture = "/tmp/nl-formats.raw";
  auto p = run({reader(), "--raw", "--once"}, false, capture);
  ASSERT_EQ(p.code, 0) << p.err;

  const auto json = render(capture, "json");
  const auto syslog = render(capture, "rfc5424");
  const auto ecs = render(capture, "ecs");
  ASSERT_GE(json.size(), 4u);
  ASSERT_EQ(syslog.size(), json.size());
  ASSERT_EQ(ecs.size(), json.size());
  int checked = 0, pendings = 0;
  for (size_t i = 0; i < json.size(); i++) {
    const auto j = nlohmann::json::parse(json[i]);
    const auto s = parse_rfc5424(syslog[i]);
    const auto e = nlohmann::json::parse(ecs[i]);
    const std::string event = j["event"];
    EXPECT_EQ(s.msgid, event);
    // Every field but the time (the header's) and argv (arg0...).
    for (const auto& [key, v] : j.items()) {
      if (key == "time") continue;
      ASSERT_TRUE(s.params.count(key)) << key << " in " << syslog[i];
      EXPECT_EQ(s.params.at(key), sd_form(v)) << key << " in " << syslog[i];
    }
    EXPECT_EQ(s.params.size(), j.size() - 1) << syslog[i];
    EXPECT_EQ(e["@timestamp"], j["time"]);
    EXPECT_EQ(e["event"]["sequence"], j["seq"]);
    EXPECT_EQ(e["event"]["action"], event);
    EXPECT_EQ(e["host"]["hostname"], j["host"]);
    EXPECT_EQ(e["host"]["name"], j["host"]);
    // Only an end that is set: a listen has no peer.
    if (event == "listen") {
      EXPECT_FALSE(e.contains("source")) << ecs[i];
    }
    if (!j.contains("proto")) continue;
    // authpriv, info or (a failed call) notice; a connect in progress is
    // neither success nor failure: its connect_done says.
    const int result = j["result"];
    const bool pending = event == "connect" && result == kInProgress;
    pendings += pending;
    EXPECT_EQ(s.pri, 80 + (result < 0 && !pending ? 5 : 6)) << syslog[i];
    EXPECT_EQ(e["event"]["outcome"], pending      ? "unknown"
                                     : result < 0 ? "failure"
                                                  : "success")
        << ecs[i];
    EXPECT_EQ(e["network"]["transport"], j["proto"]);
    EXPECT_EQ(e["network"]["type"], j["family"]);
    EXPECT_EQ(e["process"]["pid"], j["pid"]);
    EXPECT_EQ(e["process"]["thread"]["id"], j["tid"]);
    EXPECT_EQ(e["process"]["name"], j["comm"]);
    EXPECT_EQ(e["process"]["executable"], j["exe"]);
    EXPECT_EQ(e["user"]["id"], std::to_string(j["uid"].get<int>()));
    EXPECT_EQ(e["user"]["name"], j["user"]);
    EXPECT_EQ(e["netlog"]["cgroup"], j["cgroup"]);
    EXPECT_EQ(e["netlog"]["netns"], j["netns"]);
    if (event == "connect") {
      EXPECT_EQ(e["network"]["direction"], "egress");
      EXPECT_EQ(e["source"]["ip"], j["laddr"]);
      EXPECT_EQ(e["source"]["port"], j["lport"]);
      EXPECT_EQ(e["destination"]["ip"], j["raddr"]);
      EXPECT_EQ(e["destination"]["port"], j["rport"]);
      checked++;
    }
  }
  EXPECT_GE(checked, 3);  // the two TCP connects and the UDP one
  // A TCP connect's outcome is its connect_done's, blocking or not.
  EXPECT_EQ(pendings, 2);
  // The thread's name, which tries to end the SD-ELEMENT, did not.
  EXPECT_NE(std::find_if(syslog.begin(), syslog.end(),
                         [](const std::string& l) {
                           return l.find(R"(comm="nl-fmt\"\]")") !=
                                  std::string::npos;
                         }),
            syslog.end());
}

}  // namespace
}  // namespace e2e
