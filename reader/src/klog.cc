// The klog format: activity_klog's line layout, for existing log parsers.
//   p:PID s:SID pp:PPID u:UID g:GID eu:EUID eg:EGID t:TTY EXE PROTO SRC ACT DST
// with ACT "->" connect, "=>" connect_done, "~>" send (a datagram), "<-"
// accept, "<!>" close, "+>" peer (an address an SCTP peer offered); PROTO is
// TCP, MPTCP, UDP, UDPLITE, ICMP, ICMPV6, SCTP, RAW, L2TP, DCCP, SMC or RXRPC;
// bind and listen print "BIND SRC" and "LISTEN SRC", an unaudited socket
// "UNAUDITED FAMILY/TYPE/PROTOCOL". A failed call ends in " res:ERRNO". A
// change of configuration prints "CONFIG PARAM OLD -> NEW" (" refused" after
// it, if the lock refused it) after the same prefix. An exec (execlog's layout)
// prints
//   p:PID s:SID pp:PPID u:UID g:GID eu:EUID eg:EGID t:TTY FILENAME ARG...
// then " res:ERRNO" if it failed, " argv:cut" if its arguments were cut, and
// " env:NAME=VALUE" for each loader variable it was started with; an argument
// that starts with "res:", "argv:" or "env:" has its first byte escaped, so
// that none can pass for one of those. The exe of a process that may run more
// than it (NETLOG_F_PRELOAD) is prefixed "pre:", one whose exe was set
// "set:", one outside the host's view "ns:", and an exe or filename cut to
// its last bytes "cut:".
#include <fmt/format.h>

#include <cctype>
#include <iterator>
#include <string>

#include "escape.h"
#include "render.h"
#include "uapi/netlog.h"

namespace netlog {
namespace {

struct Endpoint {
  const Address& addr;
  uint16_t port;
};

}  // namespace
}  // namespace netlog

template <>
struct fmt::formatter<netlog::Endpoint> : fmt::formatter<std::string_view> {
  auto format(const netlog::Endpoint& e, format_context& ctx) const {
    if (e.addr.family == 6)
      return fmt::format_to(ctx.out(), "[{}]:{}", e.addr, e.port);
    return fmt::format_to(ctx.out(), "{}:{}", e.addr, e.port);
  }
};

namespace netlog {
namespace {

// One space-separated column: escaped (escape.h), with its spaces escaped
// too, and "-" when empty, so that no name can add, hide or shift a column.
// A real exe path starts with '/', so "-" is never one, nor is "ns:...",
// the exe path of a task outside the host's mount namespace or root.
std::string column(std::string_view s) {
  if (s.empty()) return "-";
  std::string out;
  for (char c : escape_bytes(s)) {
    if (c == ' ')
      out += "\\x20";
    else
      out += c;
  }
  return out;
}

// An exec's argument as a column: never one that reads as a marker.
std::string arg_column(std::string_view s) {
  std::string out = column(s);
  if (out.starts_with("res:") || out.starts_with("argv:") ||
      out.starts_with("env:"))
    out.replace(0, 1, fmt::format("\\x{:02x}", out[0]));
  return out;
}

// "p:PID ... t:TTY " of any record of a task's action.
void ids(fmt::memory_buffer& out, const Task& t, std::string_view tty) {
  fmt::format_to(std::back_inserter(out),
                 "p:{} s:{} pp:{} u:{} g:{} eu:{} eg:{} t:{} ", t.pid, t.sid,
                 t.ppid, t.uid, t.gid, t.euid, t.egid,
                 tty.empty() ? "" : column(tty));
}

// "p:PID ... t:TTY EXE " of a socket or config record.
template <typename Event>
void who(fmt::memory_buffer& out, const Event& ev) {
  ids(out, ev.task, ev.tty);
  fmt::format_to(std::back_inserter(out), "{}{}{}{}{} ",
                 ev.flags & NETLOG_F_EXE_NS ? "ns:" : "",
                 ev.flags & NETLOG_F_EXE_SET ? "set:" : "",
                 ev.flags & NETLOG_F_PRELOAD ? "pre:" : "",
                 ev.flags & NETLOG_F_TRUNC_EXE ? "cut:" : "", column(ev.exe));
}

class KlogRenderer : public Renderer {
 public:
  void render(const Record& rec, Context&, fmt::memory_buffer& out) override {
    auto it = std::back_inserter(out);
    std::visit(
        Overload{
            [&](const SockEvent& ev) {
              who(out, ev);
              const Endpoint local{ev.laddr, ev.lport};
              const Endpoint remote{ev.raddr, ev.rport};
              std::string proto(proto_name(ev));
              for (auto& c : proto) c = static_cast<char>(std::toupper(c));
              switch (ev.event) {
                case NETLOG_EV_UNAUDITED:
                  fmt::format_to(it, "UNAUDITED {}/{}/{}",
                                 sock_family_name(ev.unaudited->family),
                                 sock_type_name(ev.unaudited->type),
                                 ev.unaudited->protocol);
                  break;
                case NETLOG_EV_BIND:
                  fmt::format_to(it, "{} BIND {}", proto, local);
                  break;
                case NETLOG_EV_LISTEN:
                  fmt::format_to(it, "{} LISTEN {}", proto, local);
                  break;
                case NETLOG_EV_ACCEPT:
                  fmt::format_to(it, "{} {} <- {}", proto, local, remote);
                  break;
                case NETLOG_EV_CLOSE:
                  fmt::format_to(it, "{} {} <!> {}", proto, local, remote);
                  break;
                case NETLOG_EV_CONNECT_DONE:
                  fmt::format_to(it, "{} {} => {}", proto, local, remote);
                  break;
                case NETLOG_EV_SEND:
                  fmt::format_to(it, "{} {} ~> {}", proto, local, remote);
                  break;
                case NETLOG_EV_PEER:
                  fmt::format_to(it, "{} {} +> {}", proto, local, remote);
                  break;
                case NETLOG_EV_STATE:
                  fmt::format_to(it, "{} {} -- {}", proto, local, remote);
                  break;
                case NETLOG_EV_SNAPSHOT:
                  fmt::format_to(it, "{} {} == {}", proto, local, remote);
                  break;
                default:
                  fmt::format_to(it, "{} {} -> {}", proto, local, remote);
              }
              if (ev.result) fmt::format_to(it, " res:{}", ev.result);
              if (const auto& nat = ev.nat)
                fmt::format_to(it, " nat:{}", Endpoint{nat->raddr, nat->rport});
              if (const auto& life = ev.life; life && life->old_state)
                fmt::format_to(it, " state:{}>{}",
                               tcp_state_name(life->old_state),
                               tcp_state_name(life->state));
              else if (life && ev.event == NETLOG_EV_SNAPSHOT)
                fmt::format_to(it, " state:{}", tcp_state_name(life->state));
              else if (life)
                fmt::format_to(it, " sent:{} recv:{} end:{}", life->bytes_sent,
                               life->bytes_received, end_name(life->end));
              if (const auto& d = ev.dgram)
                fmt::format_to(it, " sent:{} recv:{} dgrams:{}/{} dests:{}{}",
                               d->bytes_sent, d->bytes_received, d->sent,
                               d->received, d->destinations,
                               d->more_destinations ? "+" : "");
            },
            [&](const ConfigEvent& cfg) {
              who(out, cfg);
              fmt::format_to(it, "CONFIG {} {} -> {}{}", column(cfg.param),
                             column(cfg.old_value), column(cfg.new_value),
                             cfg.flags & NETLOG_F_REFUSED ? " refused" : "");
            },
            [&](const ExecEvent& ex) {
              ids(out, ex.task, ex.tty);
              fmt::format_to(it, "{}{}",
                             ex.flags & NETLOG_F_TRUNC_FILENAME ? "cut:" : "",
                             column(ex.filename));
              for_each_arg(ex.argv, [&](std::string_view arg) {
                fmt::format_to(it, " {}", arg_column(arg));
              });
              if (ex.result) fmt::format_to(it, " res:{}", ex.result);
              if (ex.flags & NETLOG_F_TRUNC_ARGV)
                fmt::format_to(it, " argv:cut");
              for_each_arg(ex.env, [&](std::string_view var) {
                fmt::format_to(it, " env:{}", column(var));
              });
            },
            [&](const MissedEvent& missed) {
              fmt::format_to(it, "MISSED {} calls of {} (seq {})", missed.count,
                             escape_bytes(missed.hook), rec.hdr.seq);
            },
            [&](const LostEvent& lost) {
              fmt::format_to(it, "LOST {} records (seq {}-{})", lost.count,
                             lost.first_seq, lost.last_seq);
              if (lost.uids)
                fmt::format_to(it, " uids {} other {}", lost_uids(lost),
                               lost.other);
            },
            [&](const UnknownEvent&) {
              fmt::format_to(it, "UNKNOWN record type {} (seq {})",
                             rec.hdr.type, rec.hdr.seq);
            }},
        rec.body);
    out.push_back('\n');
  }
};

}  // namespace

std::unique_ptr<Renderer> make_klog_renderer() {
  return std::make_unique<KlogRenderer>();
}

}  // namespace netlog
