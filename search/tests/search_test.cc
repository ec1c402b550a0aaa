// netlog-search: records rebuilt from JSON lines and journal fields render
// as the binary record did, in every format; the filters, times, reports
// and sources.
#include "search.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <sstream>

#include "journal.h"
#include "records.h"

namespace netlog {
namespace {

using test::SockSpec;

constexpr Format kFormats[] = {Format::kText, Format::kJson, Format::kKlog,
                               Format::kRfc5424, Format::kEcs};

std::vector<std::byte> sock(void (*change)(SockSpec&)) {
  SockSpec s;
  change(s);
  return test::sock_record(s);
}

// Records of every type, protocol and flag the formats tell apart.
std::vector<std::vector<std::byte>> fixtures() {
  test::ExecSpec cut;
  cut.result = -2;
  cut.argc = 3;
  cut.flags = NETLOG_F_TRUNC_ARGV;
  cut.args = {"a", "", "c\td"};
  cut.cut = true;
  cut.env = {"LD_PRELOAD=/tmp/e.so"};

  std::vector<std::vector<std::byte>> all = {
      sock([](SockSpec&) {}),
      sock([](SockSpec& s) { s.start = 5000000000ULL; }),
      sock([](SockSpec& s) {
        s.flags = NETLOG_F_MPTCP;
        s.result = -115;
      }),
      sock([](SockSpec& s) {
        s.event = NETLOG_EV_CONNECT_DONE;
        s.connect_seq = 6;
        s.result = -111;
      }),
      sock([](SockSpec& s) {
        s.event = NETLOG_EV_CLOSE;
        s.flags = NETLOG_F_ESTABLISHED;
        s.owner_pid.reset();
      }),
      sock([](SockSpec& s) {
        s.event = NETLOG_EV_SEND;
        s.proto = 17;
        s.family = 6;
        s.laddr = std::vector<uint8_t>(16, 0);
        s.raddr = {0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
        s.flags = NETLOG_F_SRCROUTE;
      }),
      sock([](SockSpec& s) {
        s.event = NETLOG_EV_SEND;
        s.proto = 1;
        s.flags = NETLOG_F_RAW;
        s.rport = 0;
      }),
      sock([](SockSpec& s) { s.flags = NETLOG_F_SMC; }),
      sock([](SockSpec& s) {
        s.event = NETLOG_EV_SEND;
        s.proto = 17;
        s.flags = NETLOG_F_RXRPC;
      }),
      sock([](SockSpec& s) { s.proto = 115; }),
      sock([](SockSpec& s) {
        s.event = NETLOG_EV_ACCEPT;
        s.proto = 132;
        s.flags = NETLOG_F_BY_PEER;
      }),
      sock([](SockSpec& s) {
        s.event = NETLOG_EV_LISTEN;
        s.flags = NETLOG_F_EXE_SET | NETLOG_F_PRELOAD | NETLOG_F_EXE_NS |
                  NETLOG_F_TRUNC_COMM | NETLOG_F_TRUNC_EXE_LOADED |
                  NETLOG_F_UNFOLLOWED;
        s.strings = {"a\"b\\c\x01\xff", "", "/tmp/x y", "/user.slice"};
        s.exe_loaded = "/usr/bin/python3\n";
      }),
      sock([](SockSpec& s) {
        s.task.auid = NETLOG_UID_NONE;
        s.task.ses = NETLOG_UID_NONE;
        s.strings[3] =
            "/system.slice/docker-" + std::string(64, 'a') + ".scope";
      }),
      test::sock_record(test::unaudited_spec()),
      test::config_record("whitelist", "", "/usr/bin/x|i10.0.0.1"),
      test::exec_record({}),
      test::exec_record(cut),
      test::lost_record(10, 5),
      test::lost_record(10, 6, {{1000, 3}, {0, 2}}, 1),
  };

  return all;
}

std::string render_entry(Format f, const Entry& e) {
  auto local = test::test_context();
  auto ctx = entry_context(e, local);
  fmt::memory_buffer out;
  make_renderer(f)->render(e.rec, ctx, out);
  return fmt::to_string(out);
}

TEST(Rebuild, FromJsonEveryFormatAsFromTheRecord) {
  for (const auto& bytes : fixtures()) {
    const std::string json = test::render(Format::kJson, bytes);
    auto fields = json_fields(json);
    ASSERT_TRUE(fields) << fields.error().message << "\n" << json;
    auto e = rebuild(*fields);
    ASSERT_TRUE(e) << e.error().message << "\n" << json;
    for (Format f : kFormats)
      EXPECT_EQ(render_entry(f, *e), test::render(f, bytes)) << json;
  }
}

TEST(Rebuild, FromJournalFieldsEveryFormatAsFromTheRecord) {
  for (const auto& bytes : fixtures()) {
    auto rec = decode(bytes);
    ASSERT_TRUE(rec);
    auto ctx = test::test_context();
    JournalBatch batch;
    batch.add(*rec, ctx);
    std::vector<std::string_view> items;
    std::string_view all = batch.fields(0);
    while (!all.empty()) {
      const auto nul = all.find('\0');
      items.push_back(all.substr(0, nul));
      all.remove_prefix(nul + 1);
    }
    auto fields = journal_fields(items);
    ASSERT_TRUE(fields) << fields.error().message;
    auto e = rebuild(*fields);
    ASSERT_TRUE(e) << e.error().message << "\n"
                   << test::render(Format::kJson, bytes);
    // The journal names no lost uid's user: only those records differ.
    if (std::holds_alternative<LostEvent>(rec->body)) continue;
    for (Format f : kFormats)
      EXPECT_EQ(render_entry(f, *e), test::render(f, bytes))
          << test::render(Format::kJson, bytes);
  }
}

TEST(Rebuild, NamesWhatIsMissingOrMalformed) {
  auto missing = json_fields(R"({"seq":1,"time":"2025-11-21T18:40:00Z"})");
  ASSERT_TRUE(missing);
  auto e = rebuild(*missing);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "event: missing");
  const std::string good = test::render(Format::kJson, sock([](SockSpec&) {}));
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{
           {R"("raddr":"127.0.0.1")", R"("raddr":"::1")"},
           {R"("proto":"tcp")", R"("proto":"tcpx")"},
           {R"("pid":100)", R"("pid":"x")"},
           {R"("time":"2025-11-21T18:40:00.123456789Z")", R"("time":"now")"}}) {
    std::string bad = good;
    ASSERT_NE(bad.find(from), std::string::npos) << from;
    bad.replace(bad.find(from), from.size(), to);
    auto f = json_fields(bad);
    EXPECT_FALSE(f && rebuild(*f)) << bad;
  }
  EXPECT_FALSE(json_fields("not json"));
  EXPECT_FALSE(json_fields(R"({"comm":"\u00ff"})"));  // not escape_bytes()'s
}

// The record's strings view `bytes`, kept here for the test's run.
Record record_of(std::vector<std::byte> bytes) {
  static std::deque<std::vector<std::byte>> kept;
  auto rec = decode(kept.emplace_back(std::move(bytes)));
  EXPECT_TRUE(rec);
  return *rec;
}

TEST(Query, EachCriterion) {
  const Record tcp = record_of(sock([](SockSpec&) {}));
  const Record v6 = record_of(sock([](SockSpec& s) {
    s.event = NETLOG_EV_SEND;
    s.family = 6;
    s.laddr = std::vector<uint8_t>(16, 0);
    s.raddr = {0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
    s.rport = 53;
  }));
  const Record refused = record_of(sock([](SockSpec& s) {
    s.event = NETLOG_EV_CONNECT_DONE;
    s.result = -111;
  }));
  const Record pending = record_of(sock([](SockSpec& s) { s.result = -115; }));
  const Record listen =
      record_of(sock([](SockSpec& s) { s.event = NETLOG_EV_LISTEN; }));
  test::ExecSpec denied;
  denied.result = -13;
  const Record exec = record_of(test::exec_record(denied));
  const Record lost = record_of(test::lost_record(1, 2));
  Query q;
  EXPECT_TRUE(q.matches(tcp));
  EXPECT_TRUE(q.matches(lost));
  q.uid = 1000;
  EXPECT_TRUE(q.matches(tcp));
  EXPECT_FALSE(q.matches(lost));
  q.uid = 0;
  EXPECT_FALSE(q.matches(tcp));
  q = {};
  q.auid = 1000;  // the fixture's login uid
  EXPECT_TRUE(q.matches(tcp));
  q.auid = 1001;
  EXPECT_FALSE(q.matches(tcp));
  q = {};
  q.exe = "/usr/bin/curl";
  EXPECT_TRUE(q.matches(tcp));
  q.exe = "/usr/bin/cur";
  EXPECT_FALSE(q.matches(tcp));
  q = {};
  q.events = {"send", "exec"};
  EXPECT_FALSE(q.matches(tcp));
  EXPECT_TRUE(q.matches(v6));
  EXPECT_TRUE(q.matches(exec));
  q = {};
  q.raddr = *parse_cidr("127.0.0.0/8");
  EXPECT_TRUE(q.matches(tcp));
  EXPECT_FALSE(q.matches(v6));
  EXPECT_FALSE(q.matches(listen));  // no remote end
  q.raddr = *parse_cidr("2001:db8::/32");
  EXPECT_TRUE(q.matches(v6));
  EXPECT_FALSE(q.matches(tcp));
  q.raddr = *parse_cidr("2001:db8::a/127");
  EXPECT_FALSE(q.matches(v6));
  q.raddr = *parse_cidr("2001:db8::9");
  EXPECT_TRUE(q.matches(v6));
  q = {};
  q.rport = 53;
  EXPECT_TRUE(q.matches(v6));
  EXPECT_FALSE(q.matches(tcp));
  q = {};
  q.failed = true;
  EXPECT_TRUE(q.matches(refused));
  EXPECT_TRUE(q.matches(exec));
  EXPECT_FALSE(q.matches(pending));  // its connect_done will say
  EXPECT_FALSE(q.matches(tcp));
  q = {};
  q.since_ns = tcp.hdr.real_ns;
  q.until_ns = tcp.hdr.real_ns + 1;
  EXPECT_TRUE(q.matches(tcp));
  q.since_ns = tcp.hdr.real_ns + 1;
  q.until_ns.reset();
  EXPECT_FALSE(q.matches(tcp));
  q.since_ns.reset();
  q.until_ns = tcp.hdr.real_ns;
  EXPECT_FALSE(q.matches(tcp));
}

TEST(Query, Cidr) {
  EXPECT_FALSE(parse_cidr("10.0.0.0/33"));
  EXPECT_FALSE(parse_cidr("10.0.0/8"));
  EXPECT_FALSE(parse_cidr("::/129"));
  EXPECT_FALSE(parse_cidr("10.0.0.0/x"));
  auto c = parse_cidr("10.1.2.3/20");
  ASSERT_TRUE(c);
  Address a;
  a.bytes = {10, 1, 15, 255};
  EXPECT_TRUE(c->contains(a));
  a.bytes = {10, 1, 16, 0};
  EXPECT_FALSE(c->contains(a));
  EXPECT_TRUE(parse_cidr("0.0.0.0/0")->contains(a));
}

TEST(Query, Times) {
  setenv("TZ", "UTC", 1);
  tzset();
  const time_t now = 1764756000;  // 2025-12-03T10:00:00Z
  const auto at = [&](const char* s) {
    auto t = parse_time(s, now);
    return t ? int64_t(*t / 1000000000) : -1;
  };
  EXPECT_EQ(at("now"), now);
  EXPECT_EQ(at("today"), 1764720000);
  EXPECT_EQ(at("yesterday"), 1764720000 - 86400);
  EXPECT_EQ(at("tomorrow"), 1764720000 + 86400);
  EXPECT_EQ(at("-2h"), now - 7200);
  EXPECT_EQ(at("+30min"), now + 1800);
  EXPECT_EQ(at("3 days ago"), now - 3 * 86400);
  EXPECT_EQ(at("1h 30min ago"), now - 5400);
  EXPECT_EQ(at("2025-12-01"), 1764547200);
  EXPECT_EQ(at("2025-12-01 08:30"), 1764547200 + 8 * 3600 + 1800);
  EXPECT_EQ(at("2025-12-01 08:30:15"), 1764547200 + 8 * 3600 + 1815);
  EXPECT_EQ(at("2025-12-01T08:30:15Z"), 1764547200 + 8 * 3600 + 1815);
  EXPECT_EQ(at("2025-12-01T09:30:15+01:00"), 1764547200 + 8 * 3600 + 1815);
  EXPECT_EQ(*parse_time("2025-12-01T08:30:15.25Z", now) % 1000000000,
            250000000u);
  for (const char* bad : {"", "soon", "2025-13-01", "-2 fortnights",
                          "2025-12-01T08:30:15", "2025-12-01T08:30:15+1"})
    EXPECT_FALSE(parse_time(bad, now)) << bad;
  EXPECT_EQ(*parse_rfc3339_ns("2025-11-21T18:40:00.123456789Z"),
            1763750400123456789ULL);
}

TEST(Report, CountsMostFirst) {
  auto ctx = test::test_context();
  Report users(ReportKind::kUser), dests(ReportKind::kDest),
      events(ReportKind::kEvent), exes(ReportKind::kExe);
  const std::vector<Record> recs = {
      record_of(sock([](SockSpec&) {})), record_of(sock([](SockSpec&) {})),
      record_of(sock([](SockSpec& s) {
        s.task.uid = 0;
        s.event = NETLOG_EV_SEND;
        s.proto = 17;
        s.rport = 53;
      })),
      record_of(sock([](SockSpec& s) { s.event = NETLOG_EV_LISTEN; })),
      record_of(test::lost_record(1, 2))};
  for (const auto& r : recs) {
    users.add(r, ctx);
    dests.add(r, ctx);
    events.add(r, ctx);
    exes.add(r, ctx);
  }
  EXPECT_EQ(users.table(),
            "     count uid user\n"
            "         3 1000 alice\n"
            "         1 0 0\n");
  EXPECT_EQ(dests.table(),
            "     count proto destination\n"
            "         2 tcp 127.0.0.1:8080\n"
            "         1 udp 127.0.0.1:53\n");
  EXPECT_EQ(events.table(),
            "     count event\n"
            "         2 connect\n"
            "         1 listen\n"
            "         1 lost\n"
            "         1 send\n");
  EXPECT_EQ(exes.table(),
            "     count exe\n"
            "         4 /usr/bin/curl\n");
}

// A file in a fresh temporary directory, removed with it.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/search_test.XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  std::string write(const std::string& name, const std::string& bytes) {
    std::ofstream(path_ + "/" + name, std::ios::binary) << bytes;
    return path_ + "/" + name;
  }

 private:
  std::string path_;
};

std::string as_string(const std::vector<std::byte>& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

struct SearchRun {
  int status;
  std::string out, err;
};

SearchRun search(const std::vector<std::string>& args) {
  auto o = parse_search_args(args, 1764756000);
  if (!o) return {kSearchUsage, "", o.error().message};
  auto ctx = test::test_context();
  char* out_buf = nullptr;
  char* err_buf = nullptr;
  size_t out_len = 0, err_len = 0;
  FILE* out = open_memstream(&out_buf, &out_len);
  FILE* err = open_memstream(&err_buf, &err_len);
  const int status = run_search(*o, ctx, out, err);
  std::fclose(out);
  std::fclose(err);
  SearchRun r{status, std::string(out_buf, out_len),
              std::string(err_buf, err_len)};
  std::free(out_buf);
  std::free(err_buf);
  return r;
}

TEST(Search, TheSameRecordsFromACaptureAndFromJsonLines) {
  TempDir dir;
  std::string capture, json;
  for (const auto& bytes : fixtures()) {
    capture += as_string(bytes);
    json += test::render(Format::kJson, bytes);
  }
  const std::string raw_path = dir.write("capture", capture);
  const std::string json_path = dir.write("trail.json", json);
  for (const auto& query : std::vector<std::vector<std::string>>{
           {},
           {"--uid", "1000", "--event", "connect"},
           {"--failed"},
           {"--raddr", "2001:db8::/32"},
           {"--exe", "/usr/bin/curl", "--rport", "8080"}}) {
    for (const char* format : {"text", "json", "ecs"}) {
      auto args = query;
      args.insert(args.end(), {"--format", format, "--input"});
      auto from_raw = args, from_json = args;
      from_raw.push_back(raw_path);
      from_json.push_back(json_path);
      const SearchRun a = search(from_raw), b = search(from_json);
      EXPECT_EQ(a.status, b.status);
      EXPECT_EQ(a.err, "");
      EXPECT_EQ(b.err, "");
      EXPECT_EQ(a.out, b.out) << format;
    }
  }
  const SearchRun all = search({"--input", raw_path});
  EXPECT_EQ(all.status, kSearchMatched);
  EXPECT_EQ(std::count(all.out.begin(), all.out.end(), '\n'),
            long(fixtures().size()));
  const SearchRun none = search({"--input", json_path, "--uid", "4242"});
  EXPECT_EQ(none.status, kSearchNone);
  EXPECT_EQ(none.out, "");
  const SearchRun report = search({"--input", json_path, "--report", "event"});
  EXPECT_EQ(report.status, kSearchMatched);
  EXPECT_NE(report.out.find("         2 lost\n"), std::string::npos)
      << report.out;
}

TEST(Search, BadInputIsNamedAndTheRestStillSearched) {
  TempDir dir;
  const std::string one = test::render(Format::kJson, sock([](SockSpec&) {}));
  const std::string json = dir.write("t.json", one + "{\"seq\":\n" + one);
  const SearchRun r = search({"--input", json});
  EXPECT_EQ(r.status, kSearchBadSource);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2);
  EXPECT_NE(r.err.find("t.json: line 2: not a JSON object"), std::string::npos)
      << r.err;
  // A capture cut inside its last record: the whole ones are searched.
  const std::string whole = as_string(sock([](SockSpec&) {}));
  const std::string cut = dir.write("cut", whole + whole.substr(0, 50));
  const SearchRun c = search({"--input", cut});
  EXPECT_EQ(c.status, kSearchBadSource);
  EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), 1);
  EXPECT_NE(c.err.find("cut off: the last 50 bytes"), std::string::npos)
      << c.err;
  const SearchRun missing = search({"--input", "/nonexistent/x"});
  EXPECT_EQ(missing.status, kSearchBadSource);
  EXPECT_NE(missing.err.find("/nonexistent/x: No such file"),
            std::string::npos);
}

TEST(Search, UsageErrors) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--event", "conect"},
           {"--raddr", "10.0.0.0/40"},
           {"--rport", "70000"},
           {"--uid", "no-such-user-here"},
           {"--since", "soon"},
           {"--since", "today", "--until", "yesterday"},
           {"--format", "xml"},
           {"--report", "host"},
           {"--input"},
           {"stray"}}) {
    EXPECT_EQ(search(args).status, kSearchUsage) << args[0];
  }
  EXPECT_EQ(search({"--uid", "root", "--input", "/dev/null"}).status,
            kSearchNone);
}

}  // namespace
}  // namespace netlog
