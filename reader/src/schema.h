// The one schema of the records: every field of every record type, with
// its key (docs/format.md), its kind and its place, written once, in walk().
// A format is an emitter: an object with one member per kind, each taking
// the key as a compile-time constant ("pid"_k), so that the text and JSON
// formats write a key and its separators as one constant copy, with no
// format string and no key built at run time.
//
// The kinds, and what a record's field of that kind is:
//   num(k, v)         a number (any integer type);
//   name(k, s)        a name from netlog's own tables or a container id:
//                     never needs escaping (text writes it bare, JSON in
//                     quotes);
//   text(k, s)        bytes from the kernel or the host, untrusted: escaped;
//   list(k, items)    an exec's argv or env (for_each_arg());
//   addr(k, a)        an IP address;
//   boolean(k, b)     true or false, always written;
//   flag(k)           a flag that is set (the walk leaves out one that is
//                     not);
//   time(k, real_ns)  a time on the real clock, RFC 3339;
//   stamp(k, real_ns) the record's own time, which the syslog and journal
//                     sinks carry in their own header instead;
//   uids(k, lost, ctx) a LOST record's uids and counts;
//   host(k, ctx)      the host's name, the last field of every record;
//   who(ctx, ev, f)   the attribution block: f(emitter) walks it
//                     (walk_who()), or the emitter writes what it kept from
//                     the same bytes before (WhoCache).
// A record type walk() does not handle does not compile (std::visit), in
// every format at once.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "container.h"
#include "fields.h"
#include "record.h"
#include "render.h"
#include "uapi/netlog.h"

namespace netlog {

// A key, as a template argument: "pid"_k.
template <size_t N>
struct Key {
  char chars[N]{};  // with its NUL
  consteval Key(const char (&s)[N]) { std::copy_n(s, N, chars); }
  constexpr std::string_view view() const { return {chars, N - 1}; }
};

template <Key K>
struct KeyOf {
  static constexpr std::string_view view() { return K.view(); }
};

inline namespace key_literal {
template <Key K>
constexpr KeyOf<K> operator""_k() {
  return {};
}
}  // namespace key_literal

// Pieces of text joined at compile time: Join<" ", K, "=">::view is " pid="
// for K "pid", one constant for the emitter to copy.
template <Key... Parts>
struct Join {
  static constexpr size_t kSize = (Parts.view().size() + ... + 0);
  static constexpr std::array<char, kSize> kChars = [] {
    std::array<char, kSize> a{};
    size_t at = 0;
    ((std::copy_n(Parts.view().data(), Parts.view().size(), a.data() + at),
      at += Parts.view().size()),
     ...);
    return a;
  }();
  static constexpr std::string_view view{kChars.data(), kSize};
};

// Every record's first field: a format may open the record with it.
inline constexpr std::string_view kFirstKey = "seq";

template <typename E, typename Event>
void walk_who(E& e, Context& ctx, const Event& ev) {
  const Task& t = ev.task;
  e.num("pid"_k, t.pid);
  e.num("tid"_k, t.tid);
  e.num("ppid"_k, t.ppid);
  e.num("sid"_k, t.sid);
  if (t.audit) {
    e.num("auid"_k, t.auid);
    e.num("ses"_k, t.ses);
  }
  e.num("uid"_k, t.uid);
  e.num("gid"_k, t.gid);
  e.num("euid"_k, t.euid);
  e.num("egid"_k, t.egid);
  e.text("user"_k, ctx.user(t.uid));
  if (t.audit) e.text("auid_user"_k, auid_user(ctx, t));
  e.text("tty"_k, ev.tty);
  e.text("comm"_k, ev.comm);
  e.text("exe"_k, ev.exe);
  e.text("cgroup"_k, ev.cgroup);
  e.num("cgroup_id"_k, t.cgroup_id);
  if (auto id = container_id(ev.cgroup); !id.empty())
    e.name("container_id"_k, id);
  e.num("netns"_k, t.netns);
}

// The attribution, then the process's start, which is outside it: a reused
// pid can bring the same attribution with another start.
template <typename E, typename Event>
void walk_task(E& e, Context& ctx, const Header& hdr, const Event& ev) {
  e.who(ctx, ev, [&](E& w) { walk_who(w, ctx, ev); });
  if (const Task& t = ev.task; t.start_ns) {
    e.num("start_ns"_k, t.start_ns);
    e.time("start"_k, start_real_ns(hdr, t));
  }
}

// The flags of the attribution's strings: almost every record has none.
template <typename E>
void walk_who_flags(E& e, uint32_t flags) {
  if (!(flags & kWhoFlags)) return;
  if (flags & NETLOG_F_EXE_NS) e.flag("exe_ns"_k);
  if (flags & NETLOG_F_EXE_SET) e.flag("exe_set"_k);
  if (flags & NETLOG_F_PRELOAD) e.flag("preload"_k);
  if (flags & NETLOG_F_REFUSED) e.flag("refused"_k);
  if (flags & NETLOG_F_ARGC_PARTIAL) e.flag("argc_partial"_k);
  if (flags & NETLOG_F_UNFOLLOWED) e.flag("unfollowed"_k);
  if (flags & kTruncFlags) e.name("truncated"_k, truncated_names(flags));
}

// A close's or a state record's LIFE: duration_ns only when known;
// old_state in a state record; end in a close, and elsewhere only when
// known (a state record's into close).
template <typename E>
void walk_life(E& e, const SockEvent& ev) {
  const Life& life = *ev.life;
  e.num("bytes_sent"_k, life.bytes_sent);
  e.num("bytes_received"_k, life.bytes_received);
  e.num("bytes_unacked"_k, life.bytes_unacked);
  e.num("segs_out"_k, life.segs_out);
  e.num("segs_in"_k, life.segs_in);
  e.num("retrans"_k, life.retrans);
  if (life.duration_ns) e.num("duration_ns"_k, life.duration_ns);
  if (life.old_state) e.name("old_state"_k, tcp_state_name(life.old_state));
  e.name("state"_k, tcp_state_name(life.state));
  if (life.end || ev.event == NETLOG_EV_CLOSE)
    e.name("end"_k, end_name(life.end));
}

// A datagram socket's close: more_destinations only when set.
template <typename E>
void walk_dgram(E& e, const SockEvent::Dgram& d) {
  e.num("bytes_sent"_k, d.bytes_sent);
  e.num("bytes_received"_k, d.bytes_received);
  e.num("datagrams_sent"_k, d.sent);
  e.num("datagrams_received"_k, d.received);
  e.num("destinations"_k, d.destinations);
  if (d.more_destinations) e.flag("more_destinations"_k);
  e.num("duration_ns"_k, d.duration_ns);
}

template <typename E>
void walk_sock(E& e, Context& ctx, const Header& hdr, const SockEvent& ev) {
  e.name("event"_k, event_name(ev.event));
  if (const auto& u = ev.unaudited) {
    e.name("sock_family"_k, sock_family_name(u->family));
    e.name("sock_type"_k, sock_type_name(u->type));
    e.num("protocol"_k, u->protocol);
  } else {
    e.name("proto"_k, proto_name(ev));
    e.name("family"_k, family_name(ev.laddr.family));
    e.addr("laddr"_k, ev.laddr);
    e.num("lport"_k, ev.lport);
    e.addr("raddr"_k, ev.raddr);
    e.num("rport"_k, ev.rport);
    e.num("result"_k, ev.result);
  }
  if (ev.connect_seq) e.num("connect_seq"_k, *ev.connect_seq);
  if (ev.owner_uid) e.num("owner_uid"_k, *ev.owner_uid);
  if (ev.owner_pid) e.num("owner_pid"_k, ev.owner_pid);
  walk_task(e, ctx, hdr, ev);
  if (ev.event == NETLOG_EV_CLOSE)
    e.boolean("established"_k, ev.flags & NETLOG_F_ESTABLISHED);
  if (ev.life) walk_life(e, ev);
  if (const auto& d = ev.dgram) walk_dgram(e, *d);
  if (const auto& nat = ev.nat) {
    e.addr("nat_raddr"_k, nat->raddr);
    e.num("nat_rport"_k, nat->rport);
  }
  if (ev.flags & NETLOG_F_RAW) e.num("ipproto"_k, ev.proto);
  if (ev.flags & NETLOG_F_SRCROUTE) e.flag("srcroute"_k);
  if (ev.flags & NETLOG_F_BY_PEER) e.flag("by_peer"_k);
  walk_who_flags(e, ev.flags);
  if (ev.flags & NETLOG_F_EXE_SET) e.text("exe_loaded"_k, ev.exe_loaded);
}

// Every field of `rec`, in the order of docs/format.md: "seq" first, "host"
// last.
template <typename E>
void walk(E& e, const Record& rec, Context& ctx) {
  e.num("seq"_k, rec.hdr.seq);
  e.stamp("time"_k, rec.hdr.real_ns);
  std::visit(
      Overload{[&](const SockEvent& ev) { walk_sock(e, ctx, rec.hdr, ev); },
               [&](const ConfigEvent& cfg) {
                 e.name("event"_k, record_event(rec));
                 e.text("param"_k, cfg.param);
                 e.text("old"_k, cfg.old_value);
                 e.text("new"_k, cfg.new_value);
                 walk_task(e, ctx, rec.hdr, cfg);
                 walk_who_flags(e, cfg.flags);
               },
               [&](const ExecEvent& ex) {
                 e.name("event"_k, record_event(rec));
                 e.num("result"_k, ex.result);
                 e.text("filename"_k, ex.filename);
                 e.num("argc"_k, ex.argc);
                 e.list("argv"_k, ex.argv);
                 e.text("comm_before"_k, ex.comm_before);
                 e.text("cwd"_k, ex.cwd);
                 if (!ex.env.empty()) e.list("env"_k, ex.env);
                 walk_task(e, ctx, rec.hdr, ex);
                 walk_who_flags(e, ex.flags);
               },
               [&](const MissedEvent& missed) {
                 e.name("event"_k, record_event(rec));
                 e.text("hook"_k, missed.hook);
                 e.num("count"_k, missed.count);
               },
               [&](const LostEvent& lost) {
                 e.name("event"_k, record_event(rec));
                 e.num("count"_k, lost.count);
                 e.num("first_seq"_k, lost.first_seq);
                 e.num("last_seq"_k, lost.last_seq);
                 e.uids("uids"_k, lost, ctx);
                 e.num("other"_k, lost.other);
               },
               [&](const UnknownEvent&) {
                 e.name("event"_k, record_event(rec));
                 e.num("type"_k, rec.hdr.type);
                 e.num("len"_k, rec.hdr.len);
               }},
      rec.body);
  e.host("host"_k, ctx);
}

}  // namespace netlog
