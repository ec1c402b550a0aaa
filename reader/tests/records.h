// Builders of binary records, laid out by the uapi header, for tests.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "render.h"
#include "uapi/netlog.h"

namespace netlog::test {

struct SockSpec {
  uint64_t seq = 7;
  uint64_t real_ns = 1763750400123456789ULL;  // 2025-11-21T18:40:00.123456789Z
  uint16_t event = NETLOG_EV_CONNECT;
  uint8_t proto = 6;
  uint8_t family = 4;
  int32_t result = 0;
  std::vector<uint8_t> laddr = {127, 0, 0, 1};
  std::vector<uint8_t> raddr = {127, 0, 0, 1};
  uint16_t lport = 40000, rport = 8080;
  uint32_t flags = 0;
  netlog_task task{100,  101,           1, 1,    1000, 1001, 1002,
                   1003, 4026531840ULL, 0, 1000, 3};
  std::vector<std::string> strings = {"curl", "pts/0", "/usr/bin/curl", ""};
  std::string exe_loaded;  // a socket record's fifth string (minor 3)
  // The sixth (minor 5): a connect_done's connect seq, else empty.
  std::optional<uint64_t> connect_seq;
  // The seventh (minor 5): the socket's owner, if any is to be written.
  std::optional<uint32_t> owner_uid = 1000;
  // The eighth (minor 7): the pid that made it, if known.
  std::optional<uint32_t> owner_pid = 100;
  // The ninth (minor 9): the process's start, CLOCK_BOOTTIME ns; none
  // (empty) unless given.
  std::optional<uint64_t> start;
  // The tenth (minor 10): a close's LIFE, empty unless given.
  std::optional<netlog_life> life;
  // The eleventh (minor 11): a connection's translated destination.
  std::optional<netlog_nat> nat;
  // The twelfth (minor 12): a datagram socket's close's DGRAM.
  std::optional<netlog_dgram> dgram;
  std::vector<std::string> later;  // strings of a later minor, after those
};

std::vector<std::byte> sock_record(const SockSpec& s);
// The strings of sock_record(s) before its LIFE: comm to START.
std::vector<std::string> sock_strings(const SockSpec& s);
// An unaudited socket's record (NETLOG_EV_UNAUDITED): an SMC stream socket,
// its protocol 768 in the result, no endpoints.
SockSpec unaudited_spec();
// Minor 0's LOST record; with `by_uid` (and `other`), minor 1's.
std::vector<std::byte> lost_record(
    uint64_t first, uint64_t count,
    const std::vector<std::pair<uint32_t, uint64_t>>& by_uid = {},
    uint64_t other = 0);
// A NETLOG_REC_CONFIG by SockSpec{}'s task.
std::vector<std::byte> config_record(const std::string& param,
                                     const std::string& old_value,
                                     const std::string& new_value);
// A NETLOG_REC_EXEC by SockSpec{}'s task: `args` joined as the kernel
// writes them (each followed by a NUL; `cut` leaves the last one's off).
struct ExecSpec {
  int32_t result = 0;
  uint32_t argc = 2;
  uint32_t flags = 0;
  std::string filename = "/bin/ls";
  std::vector<std::string> args = {"ls", "-l"};
  bool cut = false;
  std::string comm_before = "bash";
  std::string cwd = "/home/alice";
  std::vector<std::string> env;   // loader variables, NAME=value (minor 4)
  std::optional<uint64_t> start;  // minor 9, as SockSpec's
};
std::vector<std::byte> exec_record(const ExecSpec& e);
std::vector<std::byte> concat(const std::vector<std::vector<std::byte>>& parts);

// The renderers' tests' host "vm1", where uid 1000 is "alice" and others
// have no name; and one record rendered in `f` with it.
Context test_context();
std::string render(Format f, const std::vector<std::byte>& bytes);

}  // namespace netlog::test
