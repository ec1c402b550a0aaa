#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>

#include "record.h"
#include "records.h"
#include "stream.h"

namespace netlog {
namespace {

using test::SockSpec;

TEST(Decode, SockRecordAllFields) {
  SockSpec s;
  s.flags = NETLOG_F_TRUNC_EXE;
  auto bytes = test::sock_record(s);
  auto rec = decode(bytes);
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(rec->hdr.seq, 7u);
  EXPECT_EQ(rec->hdr.real_ns, s.real_ns);
  EXPECT_EQ(rec->hdr.len, bytes.size());
  const auto& ev = std::get<SockEvent>(rec->body);
  EXPECT_EQ(ev.event, NETLOG_EV_CONNECT);
  EXPECT_EQ(ev.proto, 6);
  EXPECT_EQ(ev.laddr.family, 4);
  EXPECT_EQ(ev.lport, 40000);
  EXPECT_EQ(ev.rport, 8080);
  EXPECT_EQ(ev.flags, NETLOG_F_TRUNC_EXE);
  EXPECT_EQ(ev.task.pid, 100u);
  EXPECT_EQ(ev.task.tid, 101u);
  EXPECT_EQ(ev.task.egid, 1003u);
  EXPECT_EQ(ev.task.netns, 4026531840ULL);
  EXPECT_EQ(ev.comm, "curl");
  EXPECT_EQ(ev.tty, "pts/0");
  EXPECT_EQ(ev.exe, "/usr/bin/curl");
  EXPECT_EQ(ev.cgroup, "");
}

TEST(Decode, ExtraTrailingStringsFromNewerMinorAreSkipped) {
  SockSpec s;
  s.later.push_back("future");
  const auto bytes = test::sock_record(s);
  auto rec = decode(bytes);
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(std::get<SockEvent>(rec->body).exe, "/usr/bin/curl");
}

TEST(Decode, OwnerPidIsFourBytesOrNone) {
  SockSpec s;
  s.owner_pid = 4242;
  auto rec = decode(test::sock_record(s));
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(std::get<SockEvent>(rec->body).owner_pid, 4242u);
  // Not known: an empty string.
  s.owner_pid.reset();
  rec = decode(test::sock_record(s));
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(std::get<SockEvent>(rec->body).owner_pid, 0u);
  // A minor-6 record has no such string: what follows is not read.
  s.owner_pid = 4242;
  auto old = test::sock_record(s);
  old[offsetof(netlog_hdr, abi_minor)] = std::byte{6};
  rec = decode(old);
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(std::get<SockEvent>(rec->body).owner_pid, 0u);
}

TEST(Decode, ConnectSeqIsEightBytesOrNone) {
  SockSpec s;
  s.event = NETLOG_EV_CONNECT_DONE;
  s.connect_seq = 41;
  auto rec = decode(test::sock_record(s));
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(std::get<SockEvent>(rec->body).connect_seq, 41u);
  // A minor-4 record has no such string: what follows is not read.
  auto old = test::sock_record(s);
  old[offsetof(netlog_hdr, abi_minor)] = std::byte{4};
  rec = decode(old);
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_FALSE(std::get<SockEvent>(rec->body).connect_seq);
  // Of another size, it is corrupt, not read as some number.
  s.connect_seq.reset();
  s.exe_loaded = "";
  auto bytes = test::sock_record(s);
  size_t at = sizeof(netlog_sock);  // the sixth string's length
  for (const auto& str : s.strings) at += sizeof(uint16_t) + str.size();
  at += sizeof(uint16_t);           // exe_loaded's, empty
  ASSERT_LE(at + 4, bytes.size());  // what padding follows holds zeros
  auto* seq_len = reinterpret_cast<uint16_t*>(bytes.data() + at);
  ASSERT_EQ(*seq_len, 0u);
  *seq_len = 2;
  rec = decode(bytes);
  ASSERT_FALSE(rec);
  EXPECT_NE(rec.error().message.find("connect_seq of 2 bytes"),
            std::string::npos)
      << rec.error().message;
}

TEST(Decode, LostRecord) {
  auto rec = decode(test::lost_record(100, 50));
  ASSERT_TRUE(rec) << rec.error().message;
  const auto& lost = std::get<LostEvent>(rec->body);
  EXPECT_EQ(lost.count, 50u);
  EXPECT_EQ(lost.first_seq, 100u);
  EXPECT_EQ(lost.last_seq, 149u);
}

TEST(Decode, LostRecordWithInconsistentRangeIsCorrupt) {
  auto bytes = test::lost_record(100, 50);
  uint64_t bad = 10;
  std::memcpy(bytes.data() + offsetof(netlog_lost, count), &bad, sizeof(bad));
  EXPECT_FALSE(decode(bytes));
}

TEST(Decode, UnknownTypeIsKeptAsUnknown) {
  auto bytes = test::lost_record(1, 1);
  uint16_t type = 99;
  std::memcpy(bytes.data() + offsetof(netlog_hdr, type), &type, sizeof(type));
  auto rec = decode(bytes);
  ASSERT_TRUE(rec);
  EXPECT_TRUE(std::holds_alternative<UnknownEvent>(rec->body));
}

TEST(Decode, OtherMajorVersionIsRefused) {
  auto bytes = test::sock_record({});
  bytes[0] = std::byte{2};
  auto rec = decode(bytes);
  ASSERT_FALSE(rec);
  EXPECT_NE(rec.error().message.find(fmt::format(
                "ABI version 2.{} is not supported", NETLOG_ABI_MINOR)),
            std::string::npos);
}

TEST(Decode, OlderMinorVersionIsRead) {
  auto bytes = test::sock_record({});
  bytes[1] = std::byte{0};  // minor 0: no MISSED records, no connect_done
  auto rec = decode(bytes);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->hdr.abi_minor, 0);
  EXPECT_TRUE(std::holds_alternative<SockEvent>(rec->body));
}

TEST(Decode, MissedRecord) {
  std::vector<std::byte> bytes(sizeof(netlog_missed));
  netlog_missed m{};
  m.hdr.abi_major = NETLOG_ABI_MAJOR;
  m.hdr.abi_minor = NETLOG_ABI_MINOR;
  m.hdr.type = NETLOG_REC_MISSED;
  m.hdr.len = sizeof(m);
  m.hdr.seq = 7;
  m.count = 42;
  std::memcpy(m.hook, "inet_bind", 9);
  std::memcpy(bytes.data(), &m, sizeof(m));
  auto rec = decode(bytes);
  ASSERT_TRUE(rec);
  const auto* missed = std::get_if<MissedEvent>(&rec->body);
  ASSERT_NE(missed, nullptr);
  EXPECT_EQ(missed->count, 42u);
  EXPECT_EQ(missed->hook, "inet_bind");
  // A hook name that fills its field has no NUL: it stops at the field.
  std::memset(bytes.data() + offsetof(netlog_missed, hook), 'x',
              NETLOG_HOOK_NAME_MAX);
  rec = decode(bytes);
  ASSERT_TRUE(rec);
  EXPECT_EQ(std::get<MissedEvent>(rec->body).hook.size(),
            size_t{NETLOG_HOOK_NAME_MAX});
}

TEST(Decode, CorruptLengths) {
  for (uint32_t len : {0u, 8u, 41u, 4096u}) {
    auto bytes = test::sock_record({});
    std::memcpy(bytes.data() + offsetof(netlog_hdr, len), &len, sizeof(len));
    EXPECT_FALSE(decode(bytes)) << len;
  }
}

TEST(Decode, TruncatedRecord) {
  auto bytes = test::sock_record({});
  for (size_t n : {size_t{0}, size_t{10}, size_t{40}, bytes.size() - 8})
    EXPECT_FALSE(decode(std::span(bytes.data(), n))) << n;
}

TEST(Decode, StringOverrunningRecordIsCorrupt) {
  auto bytes = test::sock_record({});
  uint16_t n = 500;  // comm claims more than its bound and the record
  std::memcpy(bytes.data() + sizeof(netlog_sock), &n, sizeof(n));
  EXPECT_FALSE(decode(bytes));
}

TEST(Decode, BadFamilyIsCorrupt) {
  SockSpec s;
  s.family = 9;
  EXPECT_FALSE(decode(test::sock_record(s)));
}

TEST(Framer, SplitsArbitraryChunksIntoRecords) {
  SockSpec a, b;
  b.seq = 8;
  auto stream = test::concat(
      {test::sock_record(a), test::lost_record(8, 2), test::sock_record(b)});
  Framer framer;
  std::vector<size_t> lens;
  for (size_t i = 0; i < stream.size(); i += 13) {
    auto chunk =
        std::span(stream).subspan(i, std::min<size_t>(13, stream.size() - i));
    ASSERT_TRUE(framer.feed(chunk, [&](auto r) { lens.push_back(r.size()); }));
  }
  EXPECT_EQ(framer.pending(), 0u);
  ASSERT_EQ(lens.size(), 3u);
  EXPECT_EQ(lens[1], sizeof(netlog_lost));
  EXPECT_EQ(framer.offset(), stream.size());
}

TEST(Framer, CorruptHeaderStopsWithOffset) {
  auto stream = test::concat({test::sock_record({}), test::sock_record({})});
  const size_t second = test::sock_record({}).size();
  stream[second + 4] = std::byte{3};  // length 3: not a multiple of 8
  stream[second + 5] = std::byte{0};
  Framer framer;
  int n = 0;
  auto ok = framer.feed(stream, [&](auto) { n++; });
  ASSERT_FALSE(ok);
  EXPECT_EQ(n, 1);
  EXPECT_EQ(framer.offset(), second);
  EXPECT_NE(ok.error().message.find("offset"), std::string::npos);
}

}  // namespace
}  // namespace netlog
