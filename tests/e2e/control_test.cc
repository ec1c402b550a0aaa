// The control plane: netlogctl over the generic netlink family, checked
// against the module parameters, the traffic made and the config records
// its changes leave; and who may not use it.
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "e2e.h"

#ifndef NETLOG_VERSION
#define NETLOG_VERSION "unknown"
#endif

namespace e2e {
namespace {

bool write_file_new(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc);
  f << text;
  return bool(f.flush());
}

std::vector<Rec> configs_of(const std::vector<Rec>& recs, pid_t pid = -1) {
  std::vector<Rec> out;
  for (const auto& r : recs)
    if (str(r, "event") == "config" && (pid < 0 || num(r, "pid") == pid))
      out.push_back(r);
  return out;
}

using Counters = std::map<std::string, std::map<std::string, int64_t>>;

// The stats parameter's "[hook |cache ]name key=value ..." lines, as name
// -> key -> value.
Counters param_stats(const std::string& module) {
  Counters out;
  std::istringstream lines(
      read_file("/sys/module/" + module + "/parameters/stats"));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string name, word;
    words >> name;
    if (name == "hook" || name == "cache" || name == "snapshot") words >> name;
    while (words >> word) {
      const auto eq = word.find('=');
      out[name][word.substr(0, eq)] = std::stoll(word.substr(eq + 1));
    }
  }
  return out;
}

// A Prometheus text page as "name{labels}" -> value; checks that every
// sample's metric has one HELP and one TYPE line before it.
std::map<std::string, double> prometheus(const std::string& page) {
  static const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([0-9.e+-]+))");
  static const std::regex meta(
      R"(# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
  std::map<std::string, double> out;
  std::map<std::string, int> help, type;
  std::istringstream lines(page);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, meta)) {
      (m[1] == "HELP" ? help : type)[m[2]]++;
      if (m[1] == "TYPE") {
        EXPECT_TRUE(line.ends_with(" counter") || line.ends_with(" gauge"))
            << line;
      }
    } else if (std::regex_match(line, m, sample)) {
      EXPECT_EQ(help[m[1]], 1) << line;
      EXPECT_EQ(type[m[1]], 1) << line;
      if (std::string(m[1]).ends_with("_total")) {
        EXPECT_NE(page.find("# TYPE " + std::string(m[1]) + " counter"),
                  std::string::npos);
      }
      out[std::string(m[1]) + std::string(m[2])] = std::stod(m[3]);
    } else {
      ADD_FAILURE() << "not exposition format: " << line;
    }
  }
  return out;
}

class Control : public E2E {
 protected:
  void TearDown() override {
    EXPECT_TRUE(write_file(kParams + "whitelist", "\n"));
    EXPECT_TRUE(write_file(kParams + "probes", default_probes()));
    run({"rmmod", "execlog"});
  }
};

// netlogctl stats --json's rows of one module, all kinds, as name -> key
// -> value.
Counters json_stats(const nlohmann::json& j, const std::string& module) {
  Counters out;
  for (const auto& [kind, rows] : j["modules"][module]["stats"].items())
    for (const auto& [name, values] : rows.items())
      for (const auto& [key, v] : values.items())
        out[name][key] = v.get<int64_t>();
  return out;
}

TEST_F(Control, StatusIsTheRingAndTheModules) {
  read_all();
  auto st = ctl_json({"status", "--json"});
  EXPECT_EQ(st["version"], NETLOG_VERSION);
  EXPECT_EQ(st["abi"],
            fmt::format("{}.{}", NETLOG_ABI_MAJOR, NETLOG_ABI_MINOR));
  EXPECT_EQ(
      st["ring"]["capacity"].get<int64_t>(),
      std::stoll(read_file("/sys/module/secure_log/parameters/capacity")));
  EXPECT_EQ(st["ring"]["used"], 0);
  EXPECT_EQ(st["ring"]["lost"], 0);
  EXPECT_EQ(st["reader_attached"], false);
  EXPECT_EQ(st["modules"]["netlog"]["loaded"], true);
  // Every probe the stats list, one bit each, and all of them on but
  // tcp_state, a record per TCP state change, which is the admin's choice.
  const auto stats = read_file(kParams + "stats");
  int probes = 0, state_bit = -1;
  for (size_t at = 0; (at = stats.find(" on=", at)) != std::string::npos;
       at++) {
    if (stats.rfind("tcp_state", at) == at - 9) state_bit = probes;
    probes++;
  }
  ASSERT_GT(probes, 0) << stats;
  ASSERT_GE(state_bit, 0) << stats;
  const uint64_t all_mask = (uint64_t{1} << probes) - 1;
  const auto all = fmt::format("{:#x}", all_mask);
  const auto on = fmt::format("{:#x}", all_mask & ~(uint64_t{1} << state_bit));
  EXPECT_EQ(st["modules"]["netlog"]["probes_all"], all);
  EXPECT_EQ(st["modules"]["netlog"]["probes_default"], on);
  EXPECT_EQ(st["modules"]["netlog"]["probes"], on);
  EXPECT_EQ(st["modules"]["netlog"]["whitelist_rules"], 0);
  EXPECT_EQ(st["modules"]["execlog"]["loaded"], false);

  // Produced is every sequence number used: the next record gets it.
  const uint16_t port = closed_port(AF_INET, "127.0.0.1");
  connect_from_thread(AF_INET, "127.0.0.1", port, "nl-status");
  const int64_t produced = st["ring"]["produced"];
  auto recs = read_all().recs;
  ASSERT_FALSE(recs.empty());
  EXPECT_EQ(num(recs.front(), "seq"), produced);
  st = ctl_json({"status", "--json"});
  EXPECT_EQ(st["ring"]["produced"].get<int64_t>(), num(recs.back(), "seq") + 1);
  EXPECT_EQ(st["ring"]["used"], 0);

  // Records waiting are bytes used; a reader holding the device is seen.
  connect_from_thread(AF_INET, "127.0.0.1", port, "nl-status");
  st = ctl_json({"status", "--json"});
  EXPECT_GT(st["ring"]["used"].get<int64_t>(), 0);
  pid_t follower = spawn([] {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execlp(reader().c_str(), "netlog-reader", nullptr);
    return 127;
  });
  for (int t = 0; t < 300 && !holds_device(follower); t++)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  st = ctl_json({"status", "--json"});
  EXPECT_EQ(st["reader_attached"], true);
  kill(follower, SIGTERM);
  EXPECT_EQ(wait_exit(follower), 0);

  ASSERT_EQ(run({"insmod", module("execlog")}).code, 0);
  auto text = run({ctl(), "status"});
  EXPECT_EQ(text.code, 0);
  const auto exec_all = all_probes("execlog");
  EXPECT_NE(text.out.find(fmt::format(
                "\nnetlog: loaded, probes {0} of {2}, 0 whitelist rules\n"
                "execlog: loaded, probes {1} of {1}, 0 whitelist rules\n",
                default_probes(), exec_all, all_probes())),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("reader: none"), std::string::npos) << text.out;
}

// Sets the audit feature LOGINUID_IMMUTABLE on or off, as auditctl
// --loginuid-immutable does (without locking it), through the audit
// netlink socket; 0 or -errno.
int set_loginuid_immutable(bool on) {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return -errno;
  struct {
    nlmsghdr h;
    audit_features f;
  } req{};
  req.h.nlmsg_len = sizeof(req);
  req.h.nlmsg_type = AUDIT_SET_FEATURE;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  req.f.vers = AUDIT_FEATURE_VERSION;
  req.f.mask = AUDIT_FEATURE_TO_MASK(AUDIT_FEATURE_LOGINUID_IMMUTABLE);
  req.f.features = on ? req.f.mask : 0;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  int ret = sendto(fd, &req, sizeof(req), 0,
                   reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0
                ? -errno
                : 0;
  struct {
    nlmsghdr h;
    nlmsgerr e;
  } ack{};
  if (!ret && recv(fd, &ack, sizeof(ack), 0) < 0) ret = -errno;
  if (!ret && ack.h.nlmsg_type == NLMSG_ERROR) ret = ack.e.error;
  close(fd);
  return ret;
}

// Whether a login uid can change once set is the kernel's audit feature,
// which no module can read: the control plane asks the audit socket.
TEST_F(Control, StatusSaysWhetherTheLoginUidIsImmutable) {
  auto st = ctl_json({"status", "--json"});
  ASSERT_EQ(st["loginuid_immutable"], false) << st.dump();
  EXPECT_NE(
      run({ctl(), "status"})
          .out.find("\nlogin uid: set once by any process, then changed with "
                    "CAP_AUDIT_CONTROL\n"),
      std::string::npos);
  ASSERT_EQ(set_loginuid_immutable(true), 0);
  st = ctl_json({"status", "--json"});
  const auto text = run({ctl(), "status"}).out;
  ASSERT_EQ(set_loginuid_immutable(false), 0);
  EXPECT_EQ(st["loginuid_immutable"], true) << st.dump();
  EXPECT_NE(text.find("\nlogin uid: immutable once set\n"), std::string::npos)
      << text;
  EXPECT_EQ(ctl_json({"status", "--json"})["loginuid_immutable"], false);
}

// The counters are the stats parameter's, and move with the traffic.
TEST_F(Control, StatsAreTheParameterAndTheTraffic) {
  ASSERT_EQ(run({"insmod", module("execlog")}).code, 0);
  const Counters before = json_stats(ctl_json({"stats", "--json"}), "netlog");
  const uint16_t port = closed_port(AF_INET, "127.0.0.1");
  constexpr int kConnects = 5;
  for (int i = 0; i < kConnects; i++)
    ASSERT_EQ(in_child([&] {
                drop_to_user();
                return int64_t(
                    connect_from_thread(AF_INET, "127.0.0.1", port, "nl-stats")
                        .result);
              }).value,
              -ECONNREFUSED);
  int64_t made = 0;
  for (const auto& r : read_all().recs)
    made += str(r, "comm") == "nl-stats" &&
            (str(r, "event") == "connect" || str(r, "event") == "connect_done");
  EXPECT_GE(made, kConnects);

  // Quiet now: the parameter and the family give the same numbers (the
  // parameter read last: netlogctl's own exec is an execlog count).
  const auto after_json = ctl_json({"stats", "--json"});
  const Counters after = json_stats(after_json, "netlog");
  // Tables' and execs' levels move with any task that exits or execs, and
  // the process cache's counts with any task's socket call or exit.
  auto counts = [](Counters c) {
    for (auto& [name, values] : c) {
      values.erase("pending");
      values.erase("starting");
    }
    c.erase("proc");
    return c;
  };
  EXPECT_EQ(counts(after), counts(param_stats("netlog")));
  EXPECT_EQ(counts(json_stats(after_json, "execlog")),
            counts(param_stats("execlog")));
  EXPECT_EQ(after.at("tcp_connect").at("emitted") -
                before.at("tcp_connect").at("emitted"),
            made);
  EXPECT_EQ(after.at("tcp_v4_connect").at("registered"), 1);
  EXPECT_EQ(after.at("connect_done").count("pending"), 1u);

  // The same in the Prometheus format, and the ring's totals.
  auto page = run({ctl(), "stats", "--prometheus"});
  ASSERT_EQ(page.code, 0) << page.err;
  auto m = prometheus(page.out);
  EXPECT_EQ(
      m["netlog_probe_emitted_total{module=\"netlog\",probe=\"tcp_connect\"}"],
      after.at("tcp_connect").at("emitted"));
  EXPECT_EQ(m["netlog_probe_on{module=\"netlog\",probe=\"udp_send\"}"], 1);
  EXPECT_EQ(m["netlog_probe_emitted_total{module=\"execlog\",probe=\"exec\"}"],
            param_stats("execlog")["exec"]["emitted"]);
  EXPECT_EQ(m["netlog_module_loaded{module=\"execlog\"}"], 1);
  EXPECT_EQ(m["netlog_reader_attached"], 0);
  EXPECT_EQ(m["netlog_up"], 1);
  EXPECT_EQ(m["netlog_reader_up"], 0);  // no reader's page in this VM
  EXPECT_EQ(m["netlog_build_info{version=\"" NETLOG_VERSION
              "\",module_version=\"" NETLOG_VERSION "\"}"],
            1)
      << page.out;
  EXPECT_EQ(m["netlog_records_lost_total"], 0);
  auto st = ctl_json({"status", "--json"});
  // One record between the two: execlog's of the second netlogctl.
  EXPECT_EQ(m["netlog_records_produced_total"] + 1,
            st["ring"]["produced"].get<double>());
  EXPECT_EQ(m["netlog_ring_capacity_bytes"],
            st["ring"]["capacity"].get<double>());
  EXPECT_EQ(m.count("netlog_hook_missed_total{module=\"netlog\",hook="
                    "\"tcp_v4_connect\"}"),
            1u);
  EXPECT_EQ(m.count("netlog_table_pending{module=\"netlog\",table="
                    "\"connect_done\"}"),
            1u);
}

TEST_F(Control, WhitelistLoadShowClearAreTheParameter) {
  const std::string file = "/tmp/nl-whitelist.conf";
  ASSERT_TRUE(write_file_new(file,
                             "# netlog's rules\n"
                             "\n"
                             "  /usr/bin/ssh|p22  \n"
                             "# the resolver\n"
                             "/usr/sbin/unbound|i<10.0.0.0/8>|p<53>\n"));
  auto p = run({ctl(), "whitelist", "load", file});
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(p.out + p.err, "");
  const std::string shown = run({ctl(), "whitelist", "show"}).out;
  EXPECT_EQ(shown, read_file(kParams + "whitelist"));
  EXPECT_EQ(std::count(shown.begin(), shown.end(), '\n'), 2) << shown;
  auto cfg = configs_of(read_all().recs);
  ASSERT_EQ(cfg.size(), 1u);
  EXPECT_EQ(str(cfg[0], "param"), "whitelist");
  EXPECT_EQ(str(cfg[0], "comm"), "netlogctl");
  EXPECT_EQ(str(cfg[0], "old"), "");
  std::string one_line = shown.substr(0, shown.size() - 1);
  std::replace(one_line.begin(), one_line.end(), '\n', ',');
  EXPECT_EQ(str(cfg[0], "new"), one_line);

  // A refused rule names itself and changes nothing, not even the trail.
  ASSERT_TRUE(write_file_new(file, "/usr/bin/ok|p1\nrelative/path|p2\n"));
  p = run({ctl(), "whitelist", "load", file});
  EXPECT_EQ(p.code, 1);
  EXPECT_NE(p.err.find("rules refused, none changed: entry 2 "
                       "\"relative/path|p2\""),
            std::string::npos)
      << p.err;
  EXPECT_EQ(read_file(kParams + "whitelist"), shown);
  EXPECT_TRUE(configs_of(read_all().recs).empty());
  p = run({ctl(), "whitelist", "load", "/nonexistent"});
  EXPECT_EQ(p.code, 1);
  EXPECT_NE(p.err.find("cannot read /nonexistent"), std::string::npos);

  p = run({ctl(), "whitelist", "clear"});
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(read_file(kParams + "whitelist"), "");
  cfg = configs_of(read_all().recs);
  ASSERT_EQ(cfg.size(), 1u);
  EXPECT_EQ(str(cfg[0], "old"), one_line);
  EXPECT_EQ(str(cfg[0], "new"), "");

  // execlog's whitelist, with its own grammar.
  ASSERT_EQ(run({"insmod", module("execlog")}).code, 0);
  ASSERT_TRUE(write_file_new(file, "/bin/busybox|u<1000>\n"));
  p = run({ctl(), "-m", "execlog", "whitelist", "load", file});
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(read_file("/sys/module/execlog/parameters/whitelist"),
            "/bin/busybox|u<1000>\n");
  EXPECT_EQ(read_file(kParams + "whitelist"), "");
  ASSERT_TRUE(write_file_new(file, "/bin/busybox|p22\n"));
  p = run({ctl(), "--module", "execlog", "whitelist", "load", file});
  EXPECT_EQ(p.code, 1);
  EXPECT_NE(p.err.find("execlog rules take a path, u and a only"),
            std::string::npos)
      << p.err;
  EXPECT_EQ(run({ctl(), "-m", "execlog", "whitelist", "clear"}).code, 0);
}

TEST_F(Control, ProbesShowAndSetAreTheParameter) {
  const std::string all = all_probes();
  const std::string on = default_probes();
  auto p = run({ctl(), "probes", "show"});
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(p.out.substr(0, on.size() + 1), on + "\n");
  EXPECT_NE(p.out.find(" tcp_connect  on\n"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("0x0100 udp_send     on\n"), std::string::npos);
  EXPECT_NE(p.out.find("0x0400 tcp_state    off\n"), std::string::npos);

  read_all();
  ASSERT_EQ(run({ctl(), "probes", "set", "tcp_connect,udp_send"}).code, 0);
  EXPECT_EQ(read_file(kParams + "probes"), "0x101\n");
  auto cfg = configs_of(read_all().recs);
  ASSERT_EQ(cfg.size(), 1u);
  EXPECT_EQ(str(cfg[0], "param"), "probes");
  EXPECT_EQ(str(cfg[0], "comm"), "netlogctl");
  EXPECT_EQ(str(cfg[0], "old"), on);
  EXPECT_EQ(str(cfg[0], "new"), "0x101");

  // the first bit past the last probe
  const auto past = std::stoull(all, nullptr, 16) + 1;
  p = run({ctl(), "probes", "set", fmt::format("{:#x}", past)});
  EXPECT_EQ(p.code, 1);
  EXPECT_NE(p.err.find("only bits " + all + " exist"), std::string::npos)
      << p.err;
  p = run({ctl(), "probes", "set", "tcp_conect"});
  EXPECT_EQ(p.code, 2);
  EXPECT_NE(p.err.find("no probe \"tcp_conect\""), std::string::npos);
  EXPECT_EQ(read_file(kParams + "probes"), "0x101\n");
  EXPECT_TRUE(configs_of(read_all().recs).empty());
  ASSERT_EQ(run({ctl(), "probes", "set", "all"}).code, 0);
  EXPECT_EQ(read_file(kParams + "probes"), all + "\n");
  ASSERT_EQ(run({ctl(), "probes", "set", "default"}).code, 0);
  EXPECT_EQ(read_file(kParams + "probes"), on + "\n");

  p = run({ctl(), "-m", "execlog", "probes", "show"});
  EXPECT_EQ(p.code, 1);
  EXPECT_EQ(p.err, "netlogctl: module execlog is not loaded\n");
  ASSERT_EQ(run({"insmod", module("execlog")}).code, 0);
  ASSERT_EQ(run({ctl(), "-m", "execlog", "probes", "set", "exec"}).code, 0);
  EXPECT_EQ(read_file("/sys/module/execlog/parameters/probes"), "0x1\n");
  ASSERT_EQ(run({ctl(), "-m", "execlog", "probes", "set", "3"}).code, 0);
  EXPECT_EQ(read_file("/sys/module/execlog/parameters/probes"), "0x3\n");
}

// Drops `cap` from the bounding set, then runs argv as root: root's
// capabilities after exec are the bounding set's.
Proc run_without(int cap, const std::vector<std::string>& argv) {
  const std::string out = "/tmp/nl-ctl-out", err = "/tmp/nl-ctl-err";
  pid_t pid = spawn([&] {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) return 126;
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    return 127;
  });
  Proc p;
  p.code = wait_exit(pid);
  p.out = read_file(out);
  p.err = read_file(err);
  return p;
}

// Not for users: not uid 1000, not root of its own user and network
// namespace, and root without CAP_SYS_ADMIN may look but not change.
TEST_F(Control, OnlyRootMayLookAndChange) {
  const std::string file = "/tmp/nl-whitelist.conf";
  ASSERT_TRUE(write_file_new(file, "/usr/bin/ssh|p22\n"));
  chmod(file.c_str(), 0644);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {ctl(), "status"},
           {ctl(), "stats"},
           {ctl(), "whitelist", "show"},
           {ctl(), "whitelist", "load", file},
           {ctl(), "probes", "set", "none"}}) {
    auto p = run(args, true);
    EXPECT_EQ(p.code, 1) << args[1];
    EXPECT_NE(p.err.find("permission denied"), std::string::npos) << p.err;
  }
  // In its own namespaces the family is not there at all.
  auto p = run({"unshare", "-Urn", ctl(), "whitelist", "load", file}, true);
  EXPECT_EQ(p.code, 1);
  EXPECT_NE(p.err.find("no generic netlink family"), std::string::npos)
      << p.err;

  p = run_without(CAP_SYS_ADMIN, {ctl(), "status"});
  EXPECT_EQ(p.code, 0) << p.err;
  p = run_without(CAP_SYS_ADMIN, {ctl(), "whitelist", "load", file});
  EXPECT_EQ(p.code, 1);
  EXPECT_NE(p.err.find("permission denied"), std::string::npos) << p.err;
  p = run_without(CAP_NET_ADMIN, {ctl(), "status"});
  EXPECT_EQ(p.code, 1);
  EXPECT_NE(p.err.find("permission denied"), std::string::npos) << p.err;

  EXPECT_EQ(read_file(kParams + "whitelist"), "");
  EXPECT_EQ(read_file(kParams + "probes"), default_probes() + "\n");
  EXPECT_TRUE(configs_of(read_all().recs).empty());
}

// A module that leaves while netlogctl asks: a clear error, never a call
// into a module that is gone (KASAN and lockdep watch on the debug kernel).
TEST_F(Control, ModulesComeAndGoUnderRequests) {
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, gone{0}, other{0};
  std::thread asker([&] {
    while (!stop) {
      auto p = run({ctl(), "stats"});
      auto q = run({ctl(), "-m", "execlog", "whitelist", "show"});
      (p.code == 0 ? ok : other)++;
      if (q.code == 0)
        ok++;
      else if (q.err == "netlogctl: module execlog is not loaded\n")
        gone++;
      else
        other++;
    }
  });
  for (int i = 0; i < 10; i++) {
    ASSERT_EQ(run({"insmod", module("execlog")}).code, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ASSERT_EQ(run({"rmmod", "execlog"}).code, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  stop = true;
  asker.join();
  EXPECT_EQ(other, 0);
  EXPECT_GT(ok, 0);
  EXPECT_GT(gone, 0);

  ASSERT_EQ(run({"rmmod", "netlog"}).code, 0);
  auto p = run({ctl(), "whitelist", "show"});
  EXPECT_EQ(p.code, 1);
  EXPECT_EQ(p.err, "netlogctl: module netlog is not loaded\n");
  EXPECT_NE(run({ctl(), "status"}).out.find("\nnetlog: not loaded\n"),
            std::string::npos);
  ASSERT_EQ(run({"insmod", module("netlog")}).code, 0);
}

}  // namespace
}  // namespace e2e
