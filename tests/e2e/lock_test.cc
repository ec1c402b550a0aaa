// The lock, as auditctl -e 2 is auditd's: once root runs `netlogctl lock`,
// no module of netlog can be unloaded and every change of configuration,
// through sysfs or the control plane, is refused with EPERM and is a
// config record flagged refused, naming who tried. Nothing can be unloaded
// after it, so it runs in a stage of its own at the end of the VM run
// (tests/vm/init.sh sets NETLOG_LOCK_STAGE); elsewhere it is skipped.
#include "e2e.h"

namespace e2e {
namespace {

std::vector<Rec> configs_of(const std::vector<Rec>& recs) {
  std::vector<Rec> out;
  for (const auto& r : recs)
    if (str(r, "event") == "config") out.push_back(r);
  return out;
}

TEST(Lock, PinsTheModulesAndRefusesEveryChangeInTheTrail) {
  if (!std::getenv("NETLOG_LOCK_STAGE"))
    GTEST_SKIP() << "run by the VM's lock stage, last";
  const std::string sys = "/sys/module/";
  const std::string probes = read_file(sys + "netlog/parameters/probes");
  const std::string rules_file = "/tmp/nl-lock-rules";
  std::ofstream(rules_file) << "/usr/bin/y|p<1>\n";
  read_all();

  auto locked = run({"netlogctl", "lock"});
  ASSERT_EQ(locked.code, 0) << locked.err;
  EXPECT_NE(run({"netlogctl", "status"}).out.find("locked: yes"),
            std::string::npos);
  EXPECT_EQ(read_file(sys + "secure_log/parameters/lock"), "Y\n");
  EXPECT_EQ(run({"netlogctl", "lock"}).code, 0);  // again: nothing new

  for (const char* m : {"execlog", "netlog", "secure_log"}) {
    EXPECT_NE(run({"rmmod", m}).code, 0) << m;
    EXPECT_EQ(read_file(sys + m + "/initstate"), "live\n") << m;
  }
  // Each change, refused with EPERM, and what it asked for.
  const std::vector<std::pair<std::string, std::string>> writes = {
      {"netlog/parameters/whitelist", "/usr/bin/x"},
      {"netlog/parameters/probes", "0x1"},
      {"netlog/parameters/probe_tcp_connect", "N"},
      {"execlog/parameters/whitelist", "/usr/bin/x"},
      {"execlog/parameters/probes", "0x1"},
  };
  for (const auto& [param, value] : writes) {
    const int fd = open((sys + param).c_str(), O_WRONLY);
    ASSERT_GE(fd, 0) << param;
    EXPECT_EQ(write(fd, value.data(), value.size()), -1) << param;
    EXPECT_EQ(errno, EPERM) << param;
    close(fd);
  }
  auto load = run({"netlogctl", "whitelist", "load", rules_file});
  EXPECT_NE(load.code, 0);
  EXPECT_NE(load.err.find("locked until reboot"), std::string::npos)
      << load.err;
  EXPECT_NE(run({"netlogctl", "probes", "set", "0x1"}).code, 0);
  EXPECT_EQ(read_file(sys + "netlog/parameters/probes"), probes);
  EXPECT_EQ(read_file(sys + "netlog/parameters/whitelist"), "");

  // Recording goes on.
  Listener l(AF_INET, "127.0.0.1");
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  socklen_t len;
  auto ss = make_addr(AF_INET, "127.0.0.1", l.port, &len);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&ss), len), 0);
  close(fd);

  const auto recs = read_all().recs;
  EXPECT_FALSE(find(recs, getpid(), "connect", "tcp").empty());
  const auto cfg = configs_of(recs);
  int locks = 0;
  std::vector<std::pair<std::string, std::string>> refused;
  for (const auto& r : cfg) {
    EXPECT_EQ(num(r, "uid"), 0);
    if (str(r, "param") == "lock") {
      locks++;
      EXPECT_EQ(str(r, "comm"), "netlogctl");
      EXPECT_EQ(str(r, "old"), "N");
      EXPECT_EQ(str(r, "new"), "Y");
      EXPECT_EQ(r.count("refused"), 0u);
      continue;
    }
    EXPECT_EQ(num(r, "refused"), 1) << str(r, "param");
    EXPECT_EQ(str(r, "old"), "");
    refused.emplace_back(str(r, "param") + " " + str(r, "comm"), str(r, "new"));
    if (str(r, "comm") == "netlog-e2e") {
      EXPECT_EQ(num(r, "pid"), getpid());
    }
  }
  EXPECT_EQ(locks, 2);  // netlog's and execlog's, the first time only
  const std::vector<std::pair<std::string, std::string>> want = {
      {"whitelist netlog-e2e", "/usr/bin/x"},
      {"probes netlog-e2e", "0x1"},
      {"probe_tcp_connect netlog-e2e", "N"},
      {"whitelist netlog-e2e", "/usr/bin/x"},
      {"probes netlog-e2e", "0x1"},
      {"whitelist netlogctl", "/usr/bin/y|p<1>"},
      {"probes netlogctl", "0x1"},
  };
  EXPECT_EQ(refused, want);
}

}  // namespace
}  // namespace e2e
