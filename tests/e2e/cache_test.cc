// The process cache (kmod/netlog/proc_cache.c): a process's exe and cgroup
// paths are kept between its records, and each change that makes them
// stale is seen by the very next record: an exec into another program, a
// rename of the program or of a directory above it, its deletion, a move to
// another cgroup. One process (a copy of this
// binary, run as uid 1000 with --connect-per-line, see main.cc) connects
// once per step, so that every record after the first can come from the
// cache; the cache's hit counter proves that they did.
#include <regex>

#include "e2e.h"

namespace e2e {
namespace {

const std::string kStats = "/sys/module/netlog/parameters/stats";

// The process cache's hits so far.
int64_t cache_hits() {
  const std::string s = read_file(kStats);
  std::smatch m;
  static const std::regex re("cache proc [^\n]* hits=([0-9]+)");
  return std::regex_search(s, m, re) ? std::stoll(m[1]) : -1;
}

// A copy of this binary at `exe`, running as uid 1000, that connects to
// `port` once per step().
class Helper {
 public:
  Helper(const std::string& exe, uint16_t port) {
    int in[2], out[2];
    if (pipe(in) || pipe(out)) return;
    pid = fork();
    if (pid == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
      drop_to_user();
      execl(exe.c_str(), "nl-helper", "--connect-per-line",
            std::to_string(port).c_str(), nullptr);
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to = fdopen(in[1], "w");
    from = fdopen(out[0], "r");
  }
  ~Helper() {
    if (to) fclose(to);
    if (from) fclose(from);
    if (pid > 0) {
      kill(pid, SIGKILL);
      wait_exit(pid);
    }
  }
  bool step(const char* line = "connect\n") {
    char answer[16] = "";
    return fputs(line, to) >= 0 && fflush(to) == 0 &&
           fgets(answer, sizeof(answer), from) && std::string(answer) == "ok\n";
  }
  void exec_nc() {
    fputs("exec\n", to);
    fflush(to);
  }
  pid_t pid = -1;

 private:
  FILE* to = nullptr;
  FILE* from = nullptr;
};

class Cache : public E2E {
 protected:
  void SetUp() override {
    E2E::SetUp();
    ASSERT_GE(cache_hits(), 0) << "no process cache in " << kStats;
    ASSERT_TRUE(mkdir(kDir.c_str(), 0755) == 0 || errno == EEXIST);
    ASSERT_EQ(run({"cp", self_exe(), kDir + "/prog"}).code, 0);
  }
  void TearDown() override {
    run({"rm", "-rf", kDir, kDir + "-moved"});
    E2E::TearDown();
  }
  // The exe of each of the helper's connect records, in order.
  static std::vector<std::string> exes(pid_t pid) {
    std::vector<std::string> out;
    for (const auto& r : records_of(pid, "connect"))
      out.push_back(str(r, "exe"));
    return out;
  }
  const std::string kDir = "/nl-cache";
  Listener l{AF_INET, "127.0.0.1"};
};

TEST_F(Cache, RenameAndDeletionOfTheProgramAreSeen) {
  const int64_t hits0 = cache_hits();
  Helper h(kDir + "/prog", l.port);
  ASSERT_TRUE(h.step());
  ASSERT_TRUE(h.step());  // from the cache
  ASSERT_EQ(rename((kDir + "/prog").c_str(), (kDir + "/renamed").c_str()), 0);
  ASSERT_TRUE(h.step());
  ASSERT_TRUE(h.step());  // from the cache
  ASSERT_EQ(rename(kDir.c_str(), (kDir + "-moved").c_str()), 0);
  ASSERT_TRUE(h.step());
  ASSERT_EQ(unlink((kDir + "-moved/renamed").c_str()), 0);
  ASSERT_TRUE(h.step());
  const pid_t pid = h.pid;
  const int64_t hits = cache_hits() - hits0;
  EXPECT_EQ(exes(pid), (std::vector<std::string>{
                           kDir + "/prog", kDir + "/prog", kDir + "/renamed",
                           kDir + "/renamed", kDir + "-moved/renamed",
                           kDir + "-moved/renamed (deleted)"}));
  // At least the two steps with nothing changed came from the cache (the
  // other tasks of the VM may add hits of their own).
  EXPECT_GE(hits, 2);
}

TEST_F(Cache, ExecIntoAnotherProgramIsSeen) {
  Helper h(kDir + "/prog", l.port);
  ASSERT_TRUE(h.step());
  ASSERT_TRUE(h.step());
  h.exec_nc();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_EQ(exes(h.pid), (std::vector<std::string>{
                             kDir + "/prog", kDir + "/prog", "/bin/busybox"}));
}

// A move to another cgroup is seen. (A cgroup v2 directory cannot be
// renamed: only cgroup v1 has rename, and records carry the v2 path.)
TEST_F(Cache, CgroupMovesAreSeen) {
  const std::string a = "/sys/fs/cgroup/nl-cache-a";
  const std::string b = "/sys/fs/cgroup/nl-cache-b";
  for (const auto& d : {a, b})
    ASSERT_TRUE(mkdir(d.c_str(), 0755) == 0 || errno == EEXIST);
  EXPECT_NE(rename(a.c_str(), (a + "-renamed").c_str()), 0);
  const std::string start = self_cgroup();
  {
    Helper h(kDir + "/prog", l.port);
    ASSERT_TRUE(h.step());
    ASSERT_TRUE(h.step());
    ASSERT_TRUE(write_file(a + "/cgroup.procs", std::to_string(h.pid)));
    ASSERT_TRUE(h.step());
    ASSERT_TRUE(h.step());
    ASSERT_TRUE(write_file(b + "/cgroup.procs", std::to_string(h.pid)));
    ASSERT_TRUE(h.step());
    std::vector<std::string> cgroups;
    for (const auto& r : records_of(h.pid, "connect"))
      cgroups.push_back(str(r, "cgroup"));
    EXPECT_EQ(cgroups,
              (std::vector<std::string>{start, start, "/nl-cache-a",
                                        "/nl-cache-a", "/nl-cache-b"}));
  }
  for (const auto& d : {a, b}) EXPECT_EQ(rmdir(d.c_str()), 0) << d;
}

// Which container: a cgroup named as docker's systemd driver names one
// gives the container's id, and the cgroup's id is its directory's inode;
// the same name under a user's delegated subtree (where uid 1000 could make
// it, and name it after a real container) gives none.
TEST_F(Cache, ContainerIdFromTheRuntimesCgroupAlone) {
  const std::string id(64, 'c');
  const std::string docker = "/system.slice/docker-" + id + ".scope";
  const std::string forged =
      "/user.slice/user-1000.slice/user@1000.service/app.slice/docker-" + id +
      ".scope";
  for (const auto& d : {docker, forged})
    ASSERT_EQ(run({"mkdir", "-p", "/sys/fs/cgroup" + d}).code, 0) << d;
  struct stat st {};
  ASSERT_EQ(stat(("/sys/fs/cgroup" + docker).c_str(), &st), 0);
  {
    Helper h(kDir + "/prog", l.port);
    ASSERT_TRUE(h.step());
    ASSERT_TRUE(write_file("/sys/fs/cgroup" + docker + "/cgroup.procs",
                           std::to_string(h.pid)));
    ASSERT_TRUE(h.step());
    ASSERT_TRUE(write_file("/sys/fs/cgroup" + forged + "/cgroup.procs",
                           std::to_string(h.pid)));
    ASSERT_TRUE(h.step());
    ASSERT_TRUE(
        write_file("/sys/fs/cgroup/cgroup.procs", std::to_string(h.pid)));
    const auto recs = records_of(h.pid, "connect");
    ASSERT_EQ(recs.size(), 3u);
    EXPECT_FALSE(recs[0].contains("container_id")) << str(recs[0], "cgroup");
    EXPECT_EQ(str(recs[1], "cgroup"), docker);
    EXPECT_EQ(num(recs[1], "cgroup_id"), int64_t(st.st_ino));
    EXPECT_EQ(str(recs[1], "container_id"), id);
    EXPECT_EQ(str(recs[2], "cgroup"), forged);
    EXPECT_FALSE(recs[2].contains("container_id"));
    EXPECT_NE(num(recs[2], "cgroup_id"), num(recs[1], "cgroup_id"));
  }
  // Each level made above, deepest first (user.slice's may stay).
  for (const auto& d : {forged, docker})
    for (std::string p = d; p.size() > 1; p.resize(p.rfind('/')))
      rmdir(("/sys/fs/cgroup" + p).c_str());
}

// Every record of one process carries its start (START, ABI minor 9):
// the same in each, and in text and JSON the real time it comes to; a
// process that is given the same pid later (ns_last_pid, as CRIU sets it)
// has another start, so pid and start_ns name one process.
TEST_F(Cache, StartNamesTheProcessAcrossPidReuse) {
  const auto first = in_child([&] {
    connect_loop(l.port, 2);
    return int64_t{1};
  });
  ASSERT_EQ(first.value, 1);
  ChildResult again{-1, -1};
  for (int i = 0; i < 5 && again.pid != first.pid; i++) {
    ASSERT_TRUE(write_file("/proc/sys/kernel/ns_last_pid",
                           std::to_string(first.pid - 1)));
    again = in_child([&] {
      connect_loop(l.port, 1);
      return int64_t{1};
    });
  }
  ASSERT_EQ(again.pid, first.pid) << "the pid was not given again";
  const auto recs = records_of(first.pid, "connect");
  ASSERT_EQ(recs.size(), 3u);
  const int64_t start = num(recs[0], "start_ns");
  EXPECT_GT(start, 0);
  EXPECT_EQ(num(recs[1], "start_ns"), start);
  EXPECT_GT(num(recs[2], "start_ns"), start);
  // The start as a real time: 30 bytes of RFC 3339, within the seconds
  // before the record (the child started in this test).
  for (const auto& r : recs) {
    const auto t = str(r, "start");
    ASSERT_EQ(t.size(), 30u) << t;
    struct tm tm {};
    ASSERT_NE(strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm), nullptr) << t;
    EXPECT_LE(str(r, "start"), str(r, "time"));
    EXPECT_GE(timegm(&tm), time(nullptr) - 120) << t;
  }
  for (const auto& r : records_of(first.pid, "close"))
    EXPECT_TRUE(num(r, "start_ns") == start ||
                num(r, "start_ns") == num(recs[2], "start_ns"));
}

// A process's slots go with it: new processes, which may get the address
// of an exited one's signal_struct (the cache's key), never get its paths.
TEST_F(Cache, ShortProcessesEachGetTheirOwnExe) {
  ASSERT_EQ(run({"cp", self_exe(), kDir + "/other"}).code, 0);
  std::vector<pid_t> pids;
  for (int i = 0; i < 20; i++) {
    Helper h(kDir + (i % 2 ? "/other" : "/prog"), l.port);
    ASSERT_TRUE(h.step());
    ASSERT_TRUE(h.step());
    pids.push_back(h.pid);
  }
  const auto recs = read_all().recs;
  for (size_t i = 0; i < pids.size(); i++) {
    const std::string exe = kDir + (i % 2 ? "/other" : "/prog");
    std::vector<std::string> got;
    for (const auto& r : recs)
      if (num(r, "pid") == pids[i] && str(r, "event") == "connect")
        got.push_back(str(r, "exe"));
    EXPECT_EQ(got, (std::vector<std::string>{exe, exe})) << i;
  }
}

}  // namespace
}  // namespace e2e
