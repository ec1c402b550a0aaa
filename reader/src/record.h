// The decoded form of one record of the netlog stream (kmod/uapi/netlog.h).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "result.h"
#include "uapi/netlog.h"

namespace netlog {

struct Header {
  uint8_t abi_major = 0;
  uint8_t abi_minor = 0;
  uint16_t type = 0;
  uint32_t len = 0;
  uint64_t seq = 0;
  uint64_t boot_ns = 0;
  uint64_t real_ns = 0;
  uint32_t cpu = 0;
};

struct Address {
  uint8_t family = 4;  // 4 or 6
  std::array<uint8_t, 16> bytes{};
};

struct Task {
  uint32_t pid = 0, tid = 0, ppid = 0, sid = 0;
  uint32_t uid = 0, gid = 0, euid = 0, egid = 0;
  uint64_t netns = 0;
  uint64_t cgroup_id = 0;
  // Login uid and audit session (minor 2; NETLOG_UID_NONE when unset).
  bool audit = false;  // the record has them
  uint32_t auid = NETLOG_UID_NONE, ses = NETLOG_UID_NONE;
  // When the process started (minor 9's START string): CLOCK_BOOTTIME ns,
  // the clock of the header's boot_ns; 0 when the record does not say.
  uint64_t start_ns = 0;
  bool operator==(const Task&) const = default;
};

// The close of an established TCP connection (minor 10): what it
// carried and how it ended (struct netlog_life).
struct Life {
  uint64_t bytes_sent = 0, bytes_received = 0;
  uint64_t duration_ns = 0;  // 0: not known
  uint32_t bytes_unacked = 0, segs_out = 0, segs_in = 0, retrans = 0;
  uint8_t state = 0;      // TCP_* (tcp_state_name())
  uint8_t end = 0;        // enum netlog_end (end_name())
  uint8_t old_state = 0;  // a state record's (minor 11): the state it left
};

struct SockEvent {
  uint16_t event = 0;
  uint8_t proto = 0;
  int32_t result = 0;
  uint32_t flags = 0;
  Address laddr, raddr;
  uint16_t lport = 0, rport = 0;
  // Minor 7 on: the pid of the task that made the socket (0: not known).
  uint32_t owner_pid = 0;
  Task task;
  // Untrusted bytes from the kernel: escape before printing. Views into
  // the bytes given to decode(), valid as long as those are.
  std::string_view comm, tty, exe, cgroup;
  // The task and those four strings as sent, from the task to the end of
  // cgroup: two records of one ABI minor with equal bytes here have the
  // same attribution (who_cache.h compares these instead of each field).
  std::string_view who_bytes;
  // With NETLOG_F_EXE_SET (minor 3): the exe exec loaded. Untrusted bytes.
  std::string_view exe_loaded;
  // A connect_done of minor 5 on: the seq of the connect it completes.
  std::optional<uint64_t> connect_seq;
  // Minor 5 on: the uid that made the socket, which may not be the task's.
  std::optional<uint32_t> owner_uid;
  // An unaudited socket (minor 6): what it is, as the kernel made it; its
  // proto, family, addresses and ports are then not a socket's endpoints.
  struct Unaudited {
    uint16_t family = 0;  // AF_*
    uint16_t type = 0;    // SOCK_*
    int32_t protocol = 0;
  };
  std::optional<Unaudited> unaudited;
  std::optional<Life> life;  // a TCP close's, minor 10; a state's, 11
  // Minor 11: where a connect_done's or close's connection really went,
  // when conntrack translated its destination (raddr, rport asked for).
  struct Nat {
    Address raddr;
    uint16_t rport = 0;
  };
  std::optional<Nat> nat;
  // Minor 12: what a datagram or raw socket carried, in its close (struct
  // netlog_dgram).
  struct Dgram {
    uint64_t bytes_sent = 0, bytes_received = 0, duration_ns = 0;
    uint32_t sent = 0, received = 0, destinations = 0;
    bool more_destinations = false;
  };
  std::optional<Dgram> dgram;
};

// Whether a task acted, so that the record names it: not when the peer did
// (NETLOG_F_BY_PEER) or TCP (a state record), whose task is zero.
inline bool task_acted(const SockEvent& ev) {
  return !(ev.flags & NETLOG_F_BY_PEER) && ev.event != NETLOG_EV_STATE;
}

struct LostEvent {
  uint64_t count = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  // Whose (minor 1): the uids that lost most, most first, and the rest.
  struct ByUid {
    uint32_t uid;
    uint64_t count;
  };
  std::array<ByUid, NETLOG_LOST_UIDS> by_uid{};
  size_t uids = 0;  // used entries of by_uid
  uint64_t other = 0;
};

// A change of netlog's configuration, and who made it.
struct ConfigEvent {
  uint32_t flags = 0;
  Task task;
  // Untrusted bytes, like SockEvent's; views into the decoded bytes.
  std::string_view comm, tty, exe, cgroup;
  std::string_view param, old_value, new_value;
  std::string_view who_bytes;  // as SockEvent's (param is inside)
};

// One execve/execveat (execlog), once it succeeded or failed.
struct ExecEvent {
  uint32_t flags = 0;
  int32_t result = 0;
  uint32_t argc = 0;
  Task task;
  // Untrusted bytes, like SockEvent's; views into the decoded bytes. argv is
  // the arguments each followed by a NUL (see for_each_arg()).
  std::string_view comm, tty, exe, cgroup;
  std::string_view filename, comm_before, cwd, argv;
  // The loader variables (minor 4), NAME=value each ended by a NUL, as argv.
  std::string_view env;
  std::string_view who_bytes;  // as SockEvent's
};

// Calls `fn` with each argument of an exec record's argv: those ended by a
// NUL, then a last one cut short of its NUL, if any.
template <typename Fn>
void for_each_arg(std::string_view argv, Fn&& fn) {
  while (!argv.empty()) {
    const auto nul = argv.find('\0');
    fn(argv.substr(0, nul));
    if (nul == std::string_view::npos) break;
    argv.remove_prefix(nul + 1);
  }
}

// Calls a probe could not follow: they left no record.
struct MissedEvent {
  uint64_t count = 0;
  std::string_view hook;  // from the kernel; escape before printing
};

// A record type this reader does not know (a newer minor ABI): skipped by
// length, rendered as such.
struct UnknownEvent {};

// One callable per body type, for std::visit(Overload{...}, rec.body): a
// body type that a format does not handle does not compile.
template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

#ifdef NETLOG_UNHANDLED_BODY_TEST
// reader/CMakeLists.txt's NewRecordType tests: one more body type, which
// no format handles, must make each format's source fail to compile.
struct UnhandledTestEvent {};
#define NETLOG_TEST_BODY , UnhandledTestEvent
#else
#define NETLOG_TEST_BODY
#endif

struct Record {
  Header hdr;
  std::variant<SockEvent, ConfigEvent, ExecEvent, LostEvent, MissedEvent,
               UnknownEvent NETLOG_TEST_BODY>
      body;

  // The last sequence number the record stands for: a LOST record stands
  // for the records it replaces.
  uint64_t last_seq() const {
    const auto* lost = std::get_if<LostEvent>(&body);
    return lost ? lost->last_seq : hdr.seq;
  }
};

// Length of the record at the start of `bytes`, after checking its header;
// an error when the header is corrupt or not of our major ABI version, and
// 0 when fewer than a header's bytes are there.
Result<size_t> record_length(std::span<const std::byte> bytes);

// Decodes exactly one whole record (`bytes.size()` == its length). The
// record's strings point into `bytes`: nothing is copied.
Result<Record> decode(std::span<const std::byte> bytes);
// The same into `rec`, reusing it (the reader's loop); on error `rec` is
// left partly written.
std::optional<Error> decode_into(std::span<const std::byte> bytes, Record& rec);

// Pure, as proto_name() and the other names of render.h: a walk (schema.h)
// whose emitter drops a name does not call for it.
[[gnu::pure]] std::string_view event_name(uint16_t event);

// The acting task of a socket, exec or config record; nullptr for the
// others.
const Task* task_of(const Record& rec);
// Its exe; empty for the others.
std::string_view exe_of(const Record& rec);

}  // namespace netlog
