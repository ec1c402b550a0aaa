// The whitelist grammar, canonical form and matcher (kmod/core/wl_rules.c),
// built for the host from the same source as the module.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>

#include "kernel_types.h"
extern "C" {
#include "wl_rules.h"
}

namespace {

struct Parsed {
  int ret;
  std::unique_ptr<nlwl_set> set;
  nlwl_error err;  // points into *input
  std::string canonical;
  std::unique_ptr<std::string> input;
};

Parsed parse(const std::string& text) {
  Parsed p{0,
           std::make_unique<nlwl_set>(),
           {},
           {},
           std::make_unique<std::string>(text)};
  p.ret = nlwl_parse(p.input->data(), p.input->size(), p.set.get(), &p.err);
  std::string buf(NLWL_TEXT_MAX + 1, '\0');
  int n = nlwl_format(p.set.get(), buf.data(), buf.size());
  EXPECT_GE(n, 0);
  p.canonical = buf.substr(0, n);
  return p;
}

struct Canon {
  const char* input;
  const char* canonical;
};

// Every grammar form, and what it reads back as.
const Canon kForms[] = {
    {"", ""},
    {",\n , ", ""},
    {"/usr/sbin/sshd", "/usr/sbin/sshd\n"},
    {"  /usr/sbin/sshd  \n", "/usr/sbin/sshd\n"},
    {"/a|i<10.0.0.1>", "/a|i<10.0.0.1>\n"},
    {"/a|i10.0.0.1", "/a|i<10.0.0.1>\n"},
    {"/a|i<10.0.0.0/8>", "/a|i<10.0.0.0/8>\n"},
    {"/a|i<0.0.0.0/0>", "/a|i<0.0.0.0/0>\n"},
    {"/a|i<10.1.2.3/32>", "/a|i<10.1.2.3>\n"},
    {"/a|i<::1>", "/a|i<::1>\n"},
    {"/a|i<FD00:0:0:0:0:0:0:0/8>", "/a|i<fd00::/8>\n"},
    {"/a|i<2001:db8:0:0:1:0:0:1>", "/a|i<2001:db8::1:0:0:1>\n"},
    {"/a|i<1:0:0:0:0:0:0:0>", "/a|i<1::>\n"},
    {"/a|i<::ffff:127.0.0.1>", "/a|i<127.0.0.1>\n"},
    {"/a|i<::ffff:10.0.0.0/104>", "/a|i<10.0.0.0/8>\n"},
    {"/a|p<22>", "/a|p<22>\n"},
    {"/a|p22", "/a|p<22>\n"},
    {"/a|r<53>", "/a|p<53>\n"},
    {"/a|p<1024-2048>", "/a|p<1024-2048>\n"},
    {"/a|p<5-5>", "/a|p<5>\n"},
    {"/a|l<22>", "/a|l<22>\n"},
    {"/a|l<0-65535>", "/a|l<0-65535>\n"},
    {"/a|l<8080>|p<80>|i<10.0.0.0/8>", "/a|i<10.0.0.0/8>|p<80>|l<8080>\n"},
    {"/a,/b\n/c", "/a\n/b\n/c\n"},
    {"/usr/bin/my prog|p<1>", "/usr/bin/my prog|p<1>\n"},
    {"/a|u0", "/a|u<0>\n"},
    {"/a|u<1000-1999>|p<53>", "/a|p<53>|u<1000-1999>\n"},
    {"/a|u<4294967294>", "/a|u<4294967294>\n"},
    {"/a|apreload", "/a|a<preload>\n"},
    {"/a|a<preload>|u<5>|p<1>", "/a|p<1>|u<5>|a<preload>\n"},
};

TEST(Whitelist, EveryFormAndItsCanonicalForm) {
  for (const auto& c : kForms) {
    auto p = parse(c.input);
    EXPECT_EQ(p.ret, 0) << c.input << ": " << (p.err.why ? p.err.why : "");
    EXPECT_EQ(p.err.why, nullptr) << c.input;
    EXPECT_EQ(p.canonical, c.canonical) << c.input;
    // The canonical form reads back as the same set.
    auto again = parse(p.canonical);
    EXPECT_EQ(again.ret, 0);
    EXPECT_EQ(again.canonical, p.canonical);
  }
}

struct Bad {
  const char* input;
  unsigned int entry;  // 1-based; 0 = the list as a whole
  const char* why;
};

const Bad kErrors[] = {
    {"usr/bin/x", 1, "executable path must be absolute"},
    {"/ok,|p<22>", 2, "executable path must be absolute"},
    {"/a|x<1>", 1, "unknown field (i, p, r, l, u or a)"},
    {"/a|", 1, "unknown field (i, p, r, l, u or a)"},
    {"/a|a<PRELOAD>", 1, "bad allowance (preload)"},
    {"/a|a<preloaded>", 1, "bad allowance (preload)"},
    {"/a|a<>", 1, "empty field"},
    {"/a|a<preload>|apreload", 1, "field given twice"},
    {"/a|u<4294967295>", 1, "bad uid (0-4294967294, or a range lo-hi)"},
    {"/a|u<99999999999>", 1, "bad uid (0-4294967294, or a range lo-hi)"},
    {"/a|u<x>", 1, "bad uid (0-4294967294, or a range lo-hi)"},
    {"/a|u<2-1>", 1, "range is reversed"},
    {"/a|u1|u2", 1, "field given twice"},
    {"/a|p<70000>", 1, "bad port (0-65535, or a range lo-hi)"},
    {"/a|p<-1>", 1, "bad port (0-65535, or a range lo-hi)"},
    {"/a|p<1-2-3>", 1, "bad port (0-65535, or a range lo-hi)"},
    {"/a|p<+5>", 1, "bad port (0-65535, or a range lo-hi)"},
    {"/a|p<5-1>", 1, "range is reversed"},
    {"/a|p<22", 1, "unbalanced '<'"},
    {"/a|p<>", 1, "empty field"},
    {"/a|p", 1, "empty field"},
    {"/a|p<1>|r<2>", 1, "field given twice"},
    {"/a|i<1.2.3>", 1, "bad address (IPv4 or IPv6, optional /prefix)"},
    {"/a|i<1.2.3.256>", 1, "bad address (IPv4 or IPv6, optional /prefix)"},
    {"/a|i<1.2.3.4.5>", 1, "bad address (IPv4 or IPv6, optional /prefix)"},
    {"/a|i<::1::2>", 1, "bad address (IPv4 or IPv6, optional /prefix)"},
    {"/a|i<1:2:3:4:5:6:7:8:9>", 1,
     "bad address (IPv4 or IPv6, optional /prefix)"},
    {"/a|i<12345::>", 1, "bad address (IPv4 or IPv6, optional /prefix)"},
    {"/a|i<1:2>", 1, "bad address (IPv4 or IPv6, optional /prefix)"},
    {"/a|i<g::1>", 1, "bad address (IPv4 or IPv6, optional /prefix)"},
    {"/a|i<10.0.0.0/33>", 1, "bad prefix length"},
    {"/a|i<::/129>", 1, "bad prefix length"},
    {"/a|i<10.0.0.0/>", 1, "bad prefix length"},
    {"/a|i<10.0.0.1/8>", 1, "address has bits set beyond its prefix"},
    {"/a|i<fd00::1/8>", 1, "address has bits set beyond its prefix"},
    {"/a\x01|p<1>", 1, "executable path has a control character"},
};

TEST(Whitelist, EveryErrorNamesTheEntryAndLeavesNothing) {
  for (const auto& b : kErrors) {
    auto p = parse(b.input);
    EXPECT_EQ(p.ret, -1) << b.input;
    EXPECT_EQ(p.set->count, 0u) << b.input;
    EXPECT_EQ(p.err.entry, b.entry) << b.input;
    ASSERT_NE(p.err.why, nullptr) << b.input;
    EXPECT_STREQ(p.err.why, b.why) << b.input;
  }
}

TEST(Whitelist, ErrorPointsAtTheBadEntryText) {
  auto p = parse("/ok|p<1>,  /bad|p<x>  ,/fine");
  ASSERT_EQ(p.ret, -1);
  EXPECT_EQ(p.err.entry, 2u);
  EXPECT_EQ(std::string(p.err.text, p.err.len), "/bad|p<x>");
}

TEST(Whitelist, Limits) {
  std::string list;
  for (int i = 0; i < NLWL_MAX_RULES; i++)
    list += "/r" + std::to_string(i) + ",";
  EXPECT_EQ(parse(list).ret, 0);
  EXPECT_EQ(parse(list).set->count, unsigned(NLWL_MAX_RULES));
  auto p = parse(list + "/one-more");
  EXPECT_EQ(p.ret, -1);
  EXPECT_STREQ(p.err.why, "more than 128 entries");
  EXPECT_EQ(p.err.entry, unsigned(NLWL_MAX_RULES + 1));

  // A path of "/" and n bytes. (Not "/" + std::string(n, 'x'): GCC 12
  // warns of an overlap in that insert at -O2, falsely: its bug 105329.)
  auto path = [](size_t n) { return std::string("/").append(n, 'x'); };
  EXPECT_EQ(parse(path(254)).ret, 0);
  p = parse(path(255));
  EXPECT_STREQ(p.err.why, "executable path longer than 255 bytes");

  p = parse(std::string(NLWL_TEXT_MAX + 1, ','));
  EXPECT_STREQ(p.err.why, "whitelist longer than 4095 bytes");
  EXPECT_EQ(p.err.entry, 0u);

  // Input that fits, whose canonical form (brackets added) would not.
  std::string grows;
  for (int i = 0; i < NLWL_MAX_RULES; i++)
    grows += "/xxxxxxxxxxxxx|i1.2.3.4|p1|l1,";
  ASSERT_LE(grows.size(), size_t(NLWL_TEXT_MAX));
  p = parse(grows);
  EXPECT_STREQ(p.err.why, "whitelist longer than 4095 bytes in canonical form");
}

TEST(Whitelist, ANulEndsTheText) {
  const char text[] = "/a\0/b";
  nlwl_set set;
  nlwl_error err;
  ASSERT_EQ(nlwl_parse(text, sizeof(text) - 1, &set, &err), 0);
  EXPECT_EQ(set.count, 1u);
}

struct Conn {
  std::string exe;
  std::string raddr;
  uint16_t rport, lport;
  uint32_t uid = 0;
  bool preload = false;
  bool lport_unknown = false;
};

nlwl_standing standing(const std::string& rules, const std::string& exe) {
  auto p = parse(rules);
  EXPECT_EQ(p.ret, 0) << rules;
  return nlwl_exe_standing(p.set.get(), exe.data(), exe.size(), 0);
}

bool matches(const std::string& rules, const Conn& c) {
  auto p = parse(rules);
  EXPECT_EQ(p.ret, 0) << rules;
  std::array<uint8_t, 16> addr{};
  const bool v6 = c.raddr.find(':') != std::string::npos;
  EXPECT_EQ(inet_pton(v6 ? AF_INET6 : AF_INET, c.raddr.c_str(), addr.data()),
            1);
  // Once with the exe's hash to compute, once given (the process cache's):
  // the same answer.
  nlwl_conn conn{.family = uint8_t(v6 ? 6 : 4),
                 .raddr = addr.data(),
                 .rport = c.rport,
                 .lport = c.lport,
                 .uid = c.uid,
                 .preload = c.preload,
                 .exe_hash = 0,
                 .lport_unknown = c.lport_unknown};
  const bool hit = nlwl_match(p.set.get(), c.exe.data(), c.exe.size(), &conn);
  conn.exe_hash = nlwl_hash(c.exe.data(), c.exe.size());
  EXPECT_EQ(nlwl_match(p.set.get(), c.exe.data(), c.exe.size(), &conn), hit)
      << rules << " " << c.exe;
  // The exe's standing, which netlog may decide by alone, never disagrees.
  switch (standing(rules, c.exe)) {
    case NLWL_NONE:
      EXPECT_FALSE(hit) << rules << " " << c.exe;
      break;
    case NLWL_ANY:
      EXPECT_TRUE(hit || c.preload) << rules << " " << c.exe;
      break;
    case NLWL_ANY_PRELOAD:
      EXPECT_TRUE(hit) << rules << " " << c.exe;
      break;
    case NLWL_SOME:
      break;
    default:
      ADD_FAILURE() << "no standing for " << c.exe;
  }
  return hit;
}

TEST(Whitelist, MatchesExeExactly) {
  EXPECT_TRUE(matches("/usr/bin/rsync", {"/usr/bin/rsync", "1.2.3.4", 873, 5}));
  EXPECT_FALSE(matches("/usr/bin/rsync", {"/usr/bin/rsyn", "1.2.3.4", 873, 5}));
  EXPECT_FALSE(
      matches("/usr/bin/rsync", {"/usr/bin/rsync2", "1.2.3.4", 873, 5}));
  EXPECT_FALSE(matches("", {"/usr/bin/rsync", "1.2.3.4", 873, 5}));
}

TEST(Whitelist, CidrEdges) {
  const std::string r = "/b|i<10.0.0.0/8>";
  EXPECT_TRUE(matches(r, {"/b", "10.0.0.0", 1, 1}));
  EXPECT_TRUE(matches(r, {"/b", "10.255.255.255", 1, 1}));
  EXPECT_FALSE(matches(r, {"/b", "11.0.0.0", 1, 1}));
  EXPECT_FALSE(matches(r, {"/b", "9.255.255.255", 1, 1}));
  EXPECT_TRUE(matches("/b|i<10.0.0.128/25>", {"/b", "10.0.0.255", 1, 1}));
  EXPECT_FALSE(matches("/b|i<10.0.0.128/25>", {"/b", "10.0.0.127", 1, 1}));
  EXPECT_TRUE(matches("/b|i<fd00::/8>", {"/b", "fdff::1", 1, 1}));
  EXPECT_FALSE(matches("/b|i<fd00::/8>", {"/b", "fe00::1", 1, 1}));
  // Families never match each other; mapped rules are IPv4 rules.
  EXPECT_FALSE(matches("/b|i<::/0>", {"/b", "1.2.3.4", 1, 1}));
  EXPECT_FALSE(matches("/b|i<0.0.0.0/0>", {"/b", "::1", 1, 1}));
  EXPECT_TRUE(matches("/b|i<::ffff:1.2.3.4>", {"/b", "1.2.3.4", 1, 1}));
}

TEST(Whitelist, PortRangeEdgesLocalAndRemote) {
  const std::string r = "/b|p<1024-2048>";
  EXPECT_FALSE(matches(r, {"/b", "1.1.1.1", 1023, 1}));
  EXPECT_TRUE(matches(r, {"/b", "1.1.1.1", 1024, 1}));
  EXPECT_TRUE(matches(r, {"/b", "1.1.1.1", 2048, 1}));
  EXPECT_FALSE(matches(r, {"/b", "1.1.1.1", 2049, 1}));
  EXPECT_TRUE(matches("/sshd|l<22>", {"/sshd", "9.9.9.9", 50000, 22}));
  EXPECT_FALSE(matches("/sshd|l<22>", {"/sshd", "9.9.9.9", 22, 50000}));
  EXPECT_TRUE(matches("/b|i<10.0.0.0/8>|p<53>|l<1000-2000>",
                      {"/b", "10.1.1.1", 53, 1500}));
  EXPECT_FALSE(matches("/b|i<10.0.0.0/8>|p<53>|l<1000-2000>",
                       {"/b", "10.1.1.1", 54, 1500}));
}

TEST(Whitelist, UidAndUidRangeEdges) {
  EXPECT_TRUE(matches("/b|u<0>", {"/b", "1.1.1.1", 1, 1, 0}));
  EXPECT_FALSE(matches("/b|u<0>", {"/b", "1.1.1.1", 1, 1, 1000}));
  const std::string r = "/b|u<1000-1999>";
  EXPECT_FALSE(matches(r, {"/b", "1.1.1.1", 1, 1, 999}));
  EXPECT_TRUE(matches(r, {"/b", "1.1.1.1", 1, 1, 1000}));
  EXPECT_TRUE(matches(r, {"/b", "1.1.1.1", 1, 1, 1999}));
  EXPECT_FALSE(matches(r, {"/b", "1.1.1.1", 1, 1, 2000}));
  EXPECT_FALSE(
      matches("/b|u<4294967294>", {"/b", "1.1.1.1", 1, 1, 4294967295U}));
}

// A process that may run more than its exe (NETLOG_F_PRELOAD) is whitelisted
// only by a rule that says it may be.
TEST(Whitelist, PreloadNeedsARuleThatAllowsIt) {
  EXPECT_TRUE(matches("/b", {"/b", "1.1.1.1", 1, 1, 0, false}));
  EXPECT_FALSE(matches("/b", {"/b", "1.1.1.1", 1, 1, 0, true}));
  EXPECT_TRUE(matches("/b|a<preload>", {"/b", "1.1.1.1", 1, 1, 0, true}));
  EXPECT_TRUE(matches("/b|a<preload>", {"/b", "1.1.1.1", 1, 1, 0, false}));
  EXPECT_FALSE(matches("/b|a<preload>|u<1>", {"/b", "1.1.1.1", 1, 1, 0, true}));
  EXPECT_TRUE(matches("/b,/b|a<preload>", {"/b", "1.1.1.1", 1, 1, 0, true}));
}

// At a call's entry the local port may not be chosen yet: no l<> rule
// decides there, and the others do as they would later.
TEST(Whitelist, ALocalPortRuleWaitsForThePort) {
  EXPECT_TRUE(matches("/b|l<22>", {"/b", "1.1.1.1", 1, 22}));
  EXPECT_FALSE(matches("/b|l<22>", {"/b", "1.1.1.1", 1, 22, 0, false, true}));
  EXPECT_TRUE(matches("/b|p<53>", {"/b", "1.1.1.1", 53, 0, 0, false, true}));
  EXPECT_TRUE(matches("/b|l<22>,/b", {"/b", "1.1.1.1", 1, 0, 0, false, true}));
}

// What the rules say of an exe alone: the most any rule for it says.
TEST(Whitelist, StandingOfAnExe) {
  EXPECT_EQ(standing("", "/b"), NLWL_NONE);
  EXPECT_EQ(standing("/x,/b2", "/b"), NLWL_NONE);
  EXPECT_EQ(standing("/b", "/b"), NLWL_ANY);
  EXPECT_EQ(standing("/b|a<preload>", "/b"), NLWL_ANY_PRELOAD);
  for (const char* field : {"i<10.0.0.0/8>", "p<53>", "l<22>", "u<1000>"}) {
    EXPECT_EQ(standing(std::string("/b|") + field, "/b"), NLWL_SOME) << field;
    EXPECT_EQ(standing(std::string("/b|a<preload>|") + field, "/b"), NLWL_SOME)
        << field;
  }
  EXPECT_EQ(standing("/b|p<53>,/b", "/b"), NLWL_ANY);
  EXPECT_EQ(standing("/b,/b|a<preload>,/b|p<1>", "/b"), NLWL_ANY_PRELOAD);
}

TEST(Whitelist, AnyRuleOfTheListMatches) {
  const std::string list = "/x|p<1>\n/b|p<2>,/b|p<3>";
  EXPECT_TRUE(matches(list, {"/b", "1.1.1.1", 3, 0}));
  EXPECT_FALSE(matches(list, {"/b", "1.1.1.1", 1, 0}));
}

}  // namespace
