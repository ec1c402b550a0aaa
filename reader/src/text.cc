// The text format: one line of key=value pairs per record, strings quoted
// and escaped. Meant for `netlog-reader | logger -t netlog`.
#include "container.h"
#include "line.h"
#include "render.h"
#include "uapi/netlog.h"
#include "who_cache.h"

namespace netlog {
namespace {

// Who did it: " pid=" through " netns=" (container_id only in a container).
template <typename Event>
void who(Line& l, Context& ctx, const Event& ev) {
  const Task& t = ev.task;
  l << " pid=" << t.pid << " tid=" << t.tid << " ppid=" << t.ppid
    << " sid=" << t.sid;
  if (t.audit) l << " auid=" << t.auid << " ses=" << t.ses;
  l << " uid=" << t.uid << " gid=" << t.gid << " euid=" << t.euid
    << " egid=" << t.egid << " user=";
  l.quoted(ctx.user(t.uid), Quote::kText);
  if (t.audit) {
    l << " auid_user=";
    l.quoted(auid_user(ctx, t), Quote::kText);
  }
  l << " tty=";
  l.quoted(ev.tty, Quote::kText) << " comm=";
  l.quoted(ev.comm, Quote::kText) << " exe=";
  l.quoted(ev.exe, Quote::kText) << " cgroup=";
  l.quoted(ev.cgroup, Quote::kText) << " cgroup_id=" << t.cgroup_id;
  if (auto id = container_id(ev.cgroup); !id.empty())
    l << " container_id=" << id;
  l << " netns=" << t.netns;
}

// The process's start, after the attribution and outside WhoCache's text:
// a reused pid can bring the same bytes with another start.
void start(Line& l, const Header& hdr, const Task& t) {
  if (!t.start_ns) return;
  l << " start_ns=" << t.start_ns << " start=";
  l.time(start_real_ns(hdr, t));
}

void who_flags(Line& l, uint32_t flags) {
  if (!(flags & kWhoFlags)) return;
  if (flags & NETLOG_F_EXE_NS) l << " exe_ns=1";
  if (flags & NETLOG_F_EXE_SET) l << " exe_set=1";
  if (flags & NETLOG_F_PRELOAD) l << " preload=1";
  if (flags & NETLOG_F_REFUSED) l << " refused=1";
  if (flags & NETLOG_F_ARGC_PARTIAL) l << " argc_partial=1";
  if (flags & NETLOG_F_UNFOLLOWED) l << " unfollowed=1";
  if (auto trunc = truncated_names(flags); !trunc.empty())
    l << " truncated=" << trunc;
}

class TextRenderer : public Renderer {
 public:
  void render(const Record& rec, Context& ctx,
              fmt::memory_buffer& out) override {
    Line l(out, line_bound(rec, ctx));
    l << "seq=" << rec.hdr.seq << " time=";
    l.time(rec.hdr.real_ns);
    std::visit(
        Overload{
            [&](const SockEvent& ev) {
              l << " event=" << event_name(ev.event);
              if (const auto& u = ev.unaudited)
                l << " sock_family=" << sock_family_name(u->family)
                  << " sock_type=" << sock_type_name(u->type)
                  << " protocol=" << u->protocol;
              else
                l << " proto=" << proto_name(ev)
                  << " family=" << family_name(ev.laddr.family)
                  << " laddr=" << ev.laddr << " lport=" << ev.lport
                  << " raddr=" << ev.raddr << " rport=" << ev.rport
                  << " result=" << ev.result;
              if (ev.connect_seq) l << " connect_seq=" << *ev.connect_seq;
              if (ev.owner_uid) l << " owner_uid=" << *ev.owner_uid;
              if (ev.owner_pid) l << " owner_pid=" << ev.owner_pid;
              who_cache_.put(l, ctx, ev, [&](Line& w) { who(w, ctx, ev); });
              start(l, rec.hdr, ev.task);
              if (ev.event == NETLOG_EV_CLOSE)
                l << " established="
                  << (ev.flags & NETLOG_F_ESTABLISHED ? '1' : '0');
              if (ev.life)
                life_fields(
                    ev,
                    [&](std::string_view k, uint64_t v) {
                      l << ' ' << k << '=' << v;
                    },
                    [&](std::string_view k, std::string_view v) {
                      l << ' ' << k << '=' << v;
                    });
              if (const auto& d = ev.dgram)
                dgram_fields(
                    *d,
                    [&](std::string_view k, uint64_t v) {
                      l << ' ' << k << '=' << v;
                    },
                    [&](std::string_view k) { l << ' ' << k << "=1"; });
              if (const auto& nat = ev.nat)
                l << " nat_raddr=" << nat->raddr << " nat_rport=" << nat->rport;
              if (ev.flags & NETLOG_F_RAW) l << " ipproto=" << ev.proto;
              if (ev.flags & NETLOG_F_SRCROUTE) l << " srcroute=1";
              if (ev.flags & NETLOG_F_BY_PEER) l << " by_peer=1";
              who_flags(l, ev.flags);
              if (ev.flags & NETLOG_F_EXE_SET) {
                l << " exe_loaded=";
                l.quoted(ev.exe_loaded, Quote::kText);
              }
            },
            [&](const ConfigEvent& cfg) {
              l << " event=config param=";
              l.quoted(cfg.param, Quote::kText) << " old=";
              l.quoted(cfg.old_value, Quote::kText) << " new=";
              l.quoted(cfg.new_value, Quote::kText);
              who_cache_.put(l, ctx, cfg, [&](Line& w) { who(w, ctx, cfg); });
              start(l, rec.hdr, cfg.task);
              who_flags(l, cfg.flags);
            },
            [&](const ExecEvent& ex) {
              l << " event=exec result=" << ex.result << " filename=";
              l.quoted(ex.filename, Quote::kText)
                  << " argc=" << ex.argc << " argv=";
              l.quoted_list(ex.argv, Quote::kText) << " comm_before=";
              l.quoted(ex.comm_before, Quote::kText) << " cwd=";
              l.quoted(ex.cwd, Quote::kText);
              if (!ex.env.empty()) {
                l << " env=";
                l.quoted_list(ex.env, Quote::kText);
              }
              who_cache_.put(l, ctx, ex, [&](Line& w) { who(w, ctx, ex); });
              start(l, rec.hdr, ex.task);
              who_flags(l, ex.flags);
            },
            [&](const MissedEvent& missed) {
              l << " event=missed hook=";
              l.quoted(missed.hook, Quote::kText) << " count=" << missed.count;
            },
            [&](const LostEvent& lost) {
              l << " event=lost count=" << lost.count
                << " first_seq=" << lost.first_seq
                << " last_seq=" << lost.last_seq;
              if (lost.uids) l << " uids=" << lost_uids(lost);
              l << " other=" << lost.other;
            },
            [&](const UnknownEvent&) {
              l << " event=unknown type=" << rec.hdr.type
                << " len=" << rec.hdr.len;
            }},
        rec.body);
    l << " host=" << ctx.quoted_host(Quote::kText) << '\n';
  }

 private:
  WhoCache who_cache_;
};

}  // namespace

std::unique_ptr<Renderer> make_text_renderer() {
  return std::make_unique<TextRenderer>();
}

}  // namespace netlog
