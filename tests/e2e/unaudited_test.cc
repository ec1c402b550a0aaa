// A socket of a family or protocol that netlog does not follow is itself a
// record (unaudited), so that no traffic is silent: read back from the
// kernel as the user that made it.
#include <linux/if_ether.h>

#include "e2e.h"

namespace e2e {
namespace {

// The unaudited records of `pid`.
std::vector<Rec> unaudited_of(const std::vector<Rec>& recs, pid_t pid) {
  std::vector<Rec> out;
  for (const auto& r : recs)
    if (num(r, "pid") == pid && str(r, "event") == "unaudited")
      out.push_back(r);
  return out;
}

// As uid 1000, root of its own user and network namespace (where it may
// make a packet socket), named nl-unaudited: a packet socket, and sockets
// netlog follows (UDP, a Unix socket), which are no such record. Returns
// the child's pid and its network namespace's inode, or < 0.
ChildResult make_sockets() {
  return in_child([]() -> int64_t {
    if (!user_namespace(CLONE_NEWNET)) return -1;
    prctl(PR_SET_NAME, "nl-unaudited");
    const int packet = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
    const int udp = socket(AF_INET, SOCK_DGRAM, 0);
    const int local = socket(AF_UNIX, SOCK_STREAM, 0);
    if (packet < 0 || udp < 0 || local < 0) return -2;
    return self_netns();
  });
}

TEST_F(E2E, SocketsNetlogDoesNotFollowAreRecordedAsUser) {
  // A rule for this very program: it does not silence them.
  ASSERT_TRUE(write_file(kParams + "whitelist", self_exe()));
  const auto [child, netns] = make_sockets();
  ASSERT_TRUE(write_file(kParams + "whitelist", "\n"));
  ASSERT_GT(netns, 0);
  const auto recs = unaudited_of(read_all().recs, child);
  ASSERT_EQ(recs.size(), 1u);
  const Rec& r = recs[0];
  EXPECT_EQ(str(r, "sock_family"), "packet");
  EXPECT_EQ(str(r, "sock_type"), "dgram");
  EXPECT_EQ(num(r, "protocol"), htons(ETH_P_IP));  // as socket() took it
  EXPECT_EQ(r.count("proto"), 0u);
  EXPECT_EQ(r.count("laddr"), 0u);
  EXPECT_EQ(num(r, "pid"), child);
  EXPECT_EQ(num(r, "tid"), child);
  EXPECT_EQ(num(r, "ppid"), getpid());
  EXPECT_EQ(num(r, "uid"), kUser);
  EXPECT_EQ(num(r, "euid"), kUser);
  EXPECT_EQ(num(r, "owner_uid"), kUser);
  EXPECT_EQ(str(r, "user"), "user");
  EXPECT_EQ(str(r, "comm"), "nl-unaudited");
  EXPECT_EQ(str(r, "exe"), self_exe());
  EXPECT_EQ(str(r, "cgroup"), self_cgroup());
  EXPECT_EQ(num(r, "netns"), netns);
  EXPECT_NE(netns, self_netns());
  EXPECT_EQ(str(r, "host"), hostname());

  // Its probe switches it, as any other.
  ASSERT_TRUE(write_file(kParams + "probe_unaudited", "N"));
  const auto [quiet, quiet_ns] = make_sockets();
  ASSERT_TRUE(write_file(kParams + "probe_unaudited", "Y"));
  ASSERT_GT(quiet_ns, 0);
  EXPECT_TRUE(unaudited_of(read_all().recs, quiet).empty());
}

}  // namespace
}  // namespace e2e
