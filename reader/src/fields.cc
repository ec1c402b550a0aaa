#include "fields.h"

#include <fmt/format.h>

#include <cerrno>

#include "container.h"
#include "uapi/netlog.h"

namespace netlog {
namespace {

class Fields {
 public:
  explicit Fields(const FieldFn& fn) : fn_(fn) {}

  void text(std::string_view key, std::string_view value) {
    fn_(key, value, FieldKind::kText);
  }
  void list(std::string_view key, std::string_view items) {
    fn_(key, items, FieldKind::kList);
  }
  template <typename T>
  void num(std::string_view key, T value) {
    const fmt::format_int f(value);
    fn_(key, std::string_view(f.data(), f.size()), FieldKind::kNumber);
  }
  void addr(std::string_view key, const Address& a) {
    char buf[64];
    const auto end = fmt::format_to_n(buf, sizeof(buf), "{}", a).out;
    fn_(key, std::string_view(buf, size_t(end - buf)), FieldKind::kText);
  }

  template <typename Event>
  void who(Context& ctx, const Header& hdr, const Event& ev) {
    const Task& t = ev.task;
    num("pid", t.pid);
    num("tid", t.tid);
    num("ppid", t.ppid);
    num("sid", t.sid);
    if (t.audit) {
      num("auid", t.auid);
      num("ses", t.ses);
    }
    num("uid", t.uid);
    num("gid", t.gid);
    num("euid", t.euid);
    num("egid", t.egid);
    text("user", ctx.user(t.uid));
    if (t.audit) text("auid_user", auid_user(ctx, t));
    text("tty", ev.tty);
    text("comm", ev.comm);
    text("exe", ev.exe);
    text("cgroup", ev.cgroup);
    num("cgroup_id", t.cgroup_id);
    if (auto id = container_id(ev.cgroup); !id.empty())
      text("container_id", id);
    num("netns", t.netns);
    if (t.start_ns) {
      num("start_ns", t.start_ns);
      text("start", rfc3339(start_real_ns(hdr, t)));
    }
  }

  void flags(uint32_t flags) {
    if (flags & NETLOG_F_EXE_NS) num("exe_ns", 1);
    if (flags & NETLOG_F_EXE_SET) num("exe_set", 1);
    if (flags & NETLOG_F_PRELOAD) num("preload", 1);
    if (flags & NETLOG_F_REFUSED) num("refused", 1);
    if (flags & NETLOG_F_ARGC_PARTIAL) num("argc_partial", 1);
    if (flags & NETLOG_F_UNFOLLOWED) num("unfollowed", 1);
    if (auto trunc = truncated_names(flags); !trunc.empty())
      text("truncated", trunc);
  }

 private:
  const FieldFn& fn_;
};

}  // namespace

std::string_view record_event(const Record& rec) {
  using Name = std::string_view;
  return std::visit(
      Overload{[](const SockEvent& ev) -> Name { return event_name(ev.event); },
               [](const ConfigEvent&) -> Name { return "config"; },
               [](const ExecEvent&) -> Name { return "exec"; },
               [](const MissedEvent&) -> Name { return "missed"; },
               [](const LostEvent&) -> Name { return "lost"; },
               [](const UnknownEvent&) -> Name { return "unknown"; }},
      rec.body);
}

Outcome outcome(const SockEvent& ev) {
  if (ev.flags & NETLOG_F_UNFOLLOWED) return Outcome::kUnknown;
  if (ev.event == NETLOG_EV_CONNECT && ev.result == -EINPROGRESS)
    return Outcome::kUnknown;
  return ev.result < 0 ? Outcome::kFailure : Outcome::kSuccess;
}

Outcome outcome(const ExecEvent& ex) {
  if (ex.flags & NETLOG_F_UNFOLLOWED) return Outcome::kUnknown;
  return ex.result < 0 ? Outcome::kFailure : Outcome::kSuccess;
}

int severity(const Record& rec) {
  return std::visit(
      Overload{[](const SockEvent& ev) {
                 return ev.unaudited || outcome(ev) == Outcome::kFailure ? 5
                                                                         : 6;
               },
               [](const ExecEvent& ex) {
                 return outcome(ex) == Outcome::kFailure ? 5 : 6;
               },
               [](const LostEvent&) { return 4; },
               [](const MissedEvent&) { return 4; },
               [](const ConfigEvent&) { return 5; },
               [](const UnknownEvent&) { return 5; }},
      rec.body);
}

void for_each_field(const Record& rec, Context& ctx, const FieldFn& fn) {
  Fields f(fn);
  f.num("seq", rec.hdr.seq);
  f.text("event", record_event(rec));
  std::visit(
      Overload{[&](const SockEvent& ev) {
                 if (const auto& u = ev.unaudited) {
                   f.text("sock_family", sock_family_name(u->family));
                   f.text("sock_type", sock_type_name(u->type));
                   f.num("protocol", u->protocol);
                 } else {
                   f.text("proto", proto_name(ev));
                   f.text("family", family_name(ev.laddr.family));
                   f.addr("laddr", ev.laddr);
                   f.num("lport", ev.lport);
                   f.addr("raddr", ev.raddr);
                   f.num("rport", ev.rport);
                   f.num("result", ev.result);
                 }
                 if (ev.connect_seq) f.num("connect_seq", *ev.connect_seq);
                 if (ev.owner_uid) f.num("owner_uid", *ev.owner_uid);
                 if (ev.owner_pid) f.num("owner_pid", ev.owner_pid);
                 f.who(ctx, rec.hdr, ev);
                 if (ev.event == NETLOG_EV_CLOSE)
                   f.num("established",
                         ev.flags & NETLOG_F_ESTABLISHED ? 1 : 0);
                 if (ev.life)
                   life_fields(
                       ev, [&](std::string_view k, uint64_t v) { f.num(k, v); },
                       [&](std::string_view k, std::string_view v) {
                         f.text(k, v);
                       });
                 if (const auto& d = ev.dgram)
                   dgram_fields(
                       *d, [&](std::string_view k, uint64_t v) { f.num(k, v); },
                       [&](std::string_view k) { f.num(k, 1); });
                 if (const auto& nat = ev.nat) {
                   f.addr("nat_raddr", nat->raddr);
                   f.num("nat_rport", nat->rport);
                 }
                 if (ev.flags & NETLOG_F_RAW) f.num("ipproto", ev.proto);
                 if (ev.flags & NETLOG_F_SRCROUTE) f.num("srcroute", 1);
                 if (ev.flags & NETLOG_F_BY_PEER) f.num("by_peer", 1);
                 f.flags(ev.flags);
                 if (ev.flags & NETLOG_F_EXE_SET)
                   f.text("exe_loaded", ev.exe_loaded);
               },
               [&](const ConfigEvent& cfg) {
                 f.text("param", cfg.param);
                 f.text("old", cfg.old_value);
                 f.text("new", cfg.new_value);
                 f.who(ctx, rec.hdr, cfg);
                 f.flags(cfg.flags);
               },
               [&](const ExecEvent& ex) {
                 f.num("result", ex.result);
                 f.text("filename", ex.filename);
                 f.num("argc", ex.argc);
                 f.list("argv", ex.argv);
                 f.text("comm_before", ex.comm_before);
                 f.text("cwd", ex.cwd);
                 if (!ex.env.empty()) f.list("env", ex.env);
                 f.who(ctx, rec.hdr, ex);
                 f.flags(ex.flags);
               },
               [&](const MissedEvent& missed) {
                 f.text("hook", missed.hook);
                 f.num("count", missed.count);
               },
               [&](const LostEvent& lost) {
                 f.num("count", lost.count);
                 f.num("first_seq", lost.first_seq);
                 f.num("last_seq", lost.last_seq);
                 if (lost.uids) f.text("uids", lost_uids(lost));
                 f.num("other", lost.other);
               },
               [&](const UnknownEvent&) {
                 f.num("type", rec.hdr.type);
                 f.num("len", rec.hdr.len);
               }},
      rec.body);
  f.text("host", ctx.host());
}

}  // namespace netlog
