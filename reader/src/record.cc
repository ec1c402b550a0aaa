#include "record.h"

#include <fmt/format.h>

#include <cstring>

#include "uapi/netlog.h"

namespace netlog {
namespace {

template <typename T>
T load(std::span<const std::byte> bytes, size_t off = 0) {
  T v;
  std::memcpy(&v, bytes.data() + off, sizeof(T));
  return v;
}

Result<SockEvent> decode_sock(std::span<const std::byte> b) {
  if (b.size() < sizeof(netlog_sock))
    return Error{fmt::format("socket record too short ({} bytes)", b.size())};
  const auto r = load<netlog_sock>(b);
  SockEvent ev;
  ev.event = r.event;
  ev.proto = r.proto;
  ev.result = r.result;
  ev.flags = r.flags;
  if (r.family != 4 && r.family != 6)
    return Error{fmt::format("socket record has family {}", r.family)};
  ev.laddr.family = ev.raddr.family = r.family;
  std::memcpy(ev.laddr.bytes.data(), r.laddr, 16);
  std::memcpy(ev.raddr.bytes.data(), r.raddr, 16);
  ev.lport = r.lport;
  ev.rport = r.rport;
  ev.task = Task{r.task.pid,   r.task.tid,      r.task.ppid, r.task.sid,
                 r.task.uid,   r.task.gid,      r.task.euid, r.task.egid,
                 r.task.netns, r.task.cgroup_id};

  struct Field {
    std::string* out;
    size_t max;
  };
  const Field fields[NETLOG_STR_COUNT] = {
      {&ev.comm, NETLOG_COMM_MAX},
      {&ev.tty, NETLOG_TTY_MAX},
      {&ev.exe, NETLOG_EXE_MAX},
      {&ev.cgroup, NETLOG_CGROUP_MAX},
  };
  size_t off = sizeof(netlog_sock);
  for (const auto& f : fields) {
    if (off + sizeof(uint16_t) > b.size())
      return Error{"socket record ends inside its strings"};
    const auto n = load<uint16_t>(b, off);
    off += sizeof(uint16_t);
    if (n > f.max || off + n > b.size())
      return Error{fmt::format("socket record string of {} bytes overruns", n)};
    f.out->assign(reinterpret_cast<const char*>(b.data() + off), n);
    off += n;
  }
  return ev;
}

Result<LostEvent> decode_lost(std::span<const std::byte> b, uint64_t seq) {
  if (b.size() < sizeof(netlog_lost))
    return Error{fmt::format("lost record too short ({} bytes)", b.size())};
  const auto r = load<netlog_lost>(b);
  if (r.count == 0 || r.last_seq - r.first_seq + 1 != r.count ||
      r.first_seq != seq)
    return Error{fmt::format("lost record inconsistent: count {} range {}-{}",
                             r.count, r.first_seq, r.last_seq)};
  return LostEvent{r.count, r.first_seq, r.last_seq};
}

}  // namespace

Result<size_t> record_length(std::span<const std::byte> bytes) {
  if (bytes.size() < sizeof(netlog_hdr)) return size_t{0};
  const auto h = load<netlog_hdr>(bytes);
  if (h.abi_major != NETLOG_ABI_MAJOR)
    return Error{fmt::format(
        "record ABI version {}.{} is not supported (this reader knows {}.x)",
        h.abi_major, h.abi_minor, NETLOG_ABI_MAJOR)};
  if (h.len < sizeof(netlog_hdr) || h.len > NETLOG_REC_MAX ||
      h.len % NETLOG_REC_ALIGN != 0)
    return Error{fmt::format("corrupt record length {}", h.len)};
  return size_t{h.len};
}

Result<Record> decode(std::span<const std::byte> bytes) {
  auto len = record_length(bytes);
  if (!len) return len.error();
  if (*len == 0 || *len != bytes.size())
    return Error{fmt::format("truncated record ({} bytes)", bytes.size())};

  const auto h = load<netlog_hdr>(bytes);
  Record rec;
  rec.hdr = Header{h.abi_major, h.abi_minor, h.type,    h.len,
                   h.seq,       h.boot_ns,   h.real_ns, h.cpu};
  switch (h.type) {
    case NETLOG_REC_SOCK: {
      auto ev = decode_sock(bytes);
      if (!ev) return ev.error();
      rec.body = std::move(*ev);
      break;
    }
    case NETLOG_REC_LOST: {
      auto ev = decode_lost(bytes, h.seq);
      if (!ev) return ev.error();
      rec.body = *ev;
      break;
    }
    default:
      rec.body = UnknownEvent{};
  }
  return rec;
}

const char* event_name(uint16_t event) {
  switch (event) {
    case NETLOG_EV_CONNECT:
      return "connect";
    case NETLOG_EV_ACCEPT:
      return "accept";
    case NETLOG_EV_BIND:
      return "bind";
    case NETLOG_EV_LISTEN:
      return "listen";
    case NETLOG_EV_CLOSE:
      return "close";
  }
  return "unknown";
}

}  // namespace netlog
