// The JSON format: one object per line, keys as in docs/format.md.
#include "container.h"
#include "line.h"
#include "render.h"
#include "uapi/netlog.h"
#include "who_cache.h"

namespace netlog {
namespace {

// Who did it: "pid" through "netns", each followed by a comma
// (container_id only in a container).
template <typename Event>
void who(Line& l, Context& ctx, const Event& ev) {
  const Task& t = ev.task;
  l << R"("pid":)" << t.pid << R"(,"tid":)" << t.tid << R"(,"ppid":)" << t.ppid
    << R"(,"sid":)" << t.sid;
  if (t.audit) l << R"(,"auid":)" << t.auid << R"(,"ses":)" << t.ses;
  l << R"(,"uid":)" << t.uid << R"(,"gid":)" << t.gid << R"(,"euid":)" << t.euid
    << R"(,"egid":)" << t.egid << R"(,"user":)";
  l.quoted(ctx.user(t.uid), Quote::kJson);
  if (t.audit) {
    l << R"(,"auid_user":)";
    l.quoted(auid_user(ctx, t), Quote::kJson);
  }
  l << R"(,"tty":)";
  l.quoted(ev.tty, Quote::kJson) << R"(,"comm":)";
  l.quoted(ev.comm, Quote::kJson) << R"(,"exe":)";
  l.quoted(ev.exe, Quote::kJson) << R"(,"cgroup":)";
  l.quoted(ev.cgroup, Quote::kJson) << R"(,"cgroup_id":)" << t.cgroup_id;
  if (auto id = container_id(ev.cgroup); !id.empty())
    l << R"(,"container_id":")" << id << '"';
  l << R"(,"netns":)" << t.netns << ',';
}

// The process's start, followed by a comma; after the attribution and
// outside WhoCache's text: a reused pid can bring the same bytes with
// another start.
void start(Line& l, const Header& hdr, const Task& t) {
  if (!t.start_ns) return;
  l << R"("start_ns":)" << t.start_ns << R"(,"start":")";
  l.time(start_real_ns(hdr, t)) << R"(",)";
}

// The flags of who's strings, each followed by a comma.
void who_flags(Line& l, uint32_t flags) {
  if (!(flags & kWhoFlags)) return;
  if (flags & NETLOG_F_EXE_NS) l << R"("exe_ns":true,)";
  if (flags & NETLOG_F_EXE_SET) l << R"("exe_set":true,)";
  if (flags & NETLOG_F_PRELOAD) l << R"("preload":true,)";
  if (flags & NETLOG_F_REFUSED) l << R"("refused":true,)";
  if (flags & NETLOG_F_ARGC_PARTIAL) l << R"("argc_partial":true,)";
  if (flags & NETLOG_F_UNFOLLOWED) l << R"("unfollowed":true,)";
  if (auto trunc = truncated_names(flags); !trunc.empty())
    l << R"("truncated":")" << trunc << R"(",)";
}

class JsonRenderer : public Renderer {
 public:
  void render(const Record& rec, Context& ctx,
              fmt::memory_buffer& out) override {
    Line l(out, line_bound(rec, ctx));
    l << R"({"seq":)" << rec.hdr.seq << R"(,"time":")";
    l.time(rec.hdr.real_ns) << R"(",)";
    std::visit(
        Overload{
            [&](const SockEvent& ev) {
              l << R"("event":")" << event_name(ev.event);
              if (const auto& u = ev.unaudited)
                l << R"(","sock_family":")" << sock_family_name(u->family)
                  << R"(","sock_type":")" << sock_type_name(u->type)
                  << R"(","protocol":)" << u->protocol << ',';
              else
                l << R"(","proto":")" << proto_name(ev) << R"(","family":")"
                  << family_name(ev.laddr.family) << R"(","laddr":")"
                  << ev.laddr << R"(","lport":)" << ev.lport << R"(,"raddr":")"
                  << ev.raddr << R"(","rport":)" << ev.rport << R"(,"result":)"
                  << ev.result << ',';
              if (ev.connect_seq)
                l << R"("connect_seq":)" << *ev.connect_seq << ',';
              if (ev.owner_uid) l << R"("owner_uid":)" << *ev.owner_uid << ',';
              if (ev.owner_pid) l << R"("owner_pid":)" << ev.owner_pid << ',';
              who_cache_.put(l, ctx, ev, [&](Line& w) { who(w, ctx, ev); });
              start(l, rec.hdr, ev.task);
              if (ev.event == NETLOG_EV_CLOSE)
                l << R"("established":)"
                  << (ev.flags & NETLOG_F_ESTABLISHED ? "true" : "false")
                  << ',';
              if (ev.life)
                life_fields(
                    ev,
                    [&](std::string_view k, uint64_t v) {
                      l << '"' << k << R"(":)" << v << ',';
                    },
                    [&](std::string_view k, std::string_view v) {
                      l << '"' << k << R"(":")" << v << R"(",)";
                    });
              if (const auto& d = ev.dgram)
                dgram_fields(
                    *d,
                    [&](std::string_view k, uint64_t v) {
                      l << '"' << k << R"(":)" << v << ',';
                    },
                    [&](std::string_view k) { l << '"' << k << R"(":true,)"; });
              if (const auto& nat = ev.nat)
                l << R"("nat_raddr":")" << nat->raddr << R"(","nat_rport":)"
                  << nat->rport << ',';
              if (ev.flags & NETLOG_F_RAW)
                l << R"("ipproto":)" << ev.proto << ',';
              if (ev.flags & NETLOG_F_SRCROUTE) l << R"("srcroute":true,)";
              if (ev.flags & NETLOG_F_BY_PEER) l << R"("by_peer":true,)";
              who_flags(l, ev.flags);
              if (ev.flags & NETLOG_F_EXE_SET) {
                l << R"("exe_loaded":)";
                l.quoted(ev.exe_loaded, Quote::kJson) << ',';
              }
            },
            [&](const ConfigEvent& cfg) {
              l << R"("event":"config","param":)";
              l.quoted(cfg.param, Quote::kJson) << R"(,"old":)";
              l.quoted(cfg.old_value, Quote::kJson) << R"(,"new":)";
              l.quoted(cfg.new_value, Quote::kJson) << ',';
              who_cache_.put(l, ctx, cfg, [&](Line& w) { who(w, ctx, cfg); });
              start(l, rec.hdr, cfg.task);
              who_flags(l, cfg.flags);
            },
            [&](const ExecEvent& ex) {
              l << R"("event":"exec","result":)" << ex.result
                << R"(,"filename":)";
              l.quoted(ex.filename, Quote::kJson)
                  << R"(,"argc":)" << ex.argc << R"(,"argv":)";
              l.quoted_list(ex.argv, Quote::kJson) << R"(,"comm_before":)";
              l.quoted(ex.comm_before, Quote::kJson) << R"(,"cwd":)";
              l.quoted(ex.cwd, Quote::kJson) << ',';
              if (!ex.env.empty()) {
                l << R"("env":)";
                l.quoted_list(ex.env, Quote::kJson) << ',';
              }
              who_cache_.put(l, ctx, ex, [&](Line& w) { who(w, ctx, ex); });
              start(l, rec.hdr, ex.task);
              who_flags(l, ex.flags);
            },
            [&](const MissedEvent& missed) {
              l << R"("event":"missed","hook":)";
              l.quoted(missed.hook, Quote::kJson)
                  << R"(,"count":)" << missed.count << ',';
            },
            [&](const LostEvent& lost) {
              l << R"("event":"lost","count":)" << lost.count
                << R"(,"first_seq":)" << lost.first_seq << R"(,"last_seq":)"
                << lost.last_seq << R"(,"uids":[)";
              for (size_t i = 0; i < lost.uids; i++) {
                const auto& u = lost.by_uid[i];
                l << (i ? "," : "") << R"({"uid":)" << u.uid << R"(,"user":)";
                l.quoted(ctx.user(u.uid), Quote::kJson)
                    << R"(,"count":)" << u.count << '}';
              }
              l << R"(],"other":)" << lost.other << ',';
            },
            [&](const UnknownEvent&) {
              l << R"("event":"unknown","type":)" << rec.hdr.type
                << R"(,"len":)" << rec.hdr.len << ',';
            }},
        rec.body);
    l << R"("host":)" << ctx.quoted_host(Quote::kJson) << "}\n";
  }

 private:
  WhoCache who_cache_;
};

}  // namespace

std::unique_ptr<Renderer> make_json_renderer() {
  return std::make_unique<JsonRenderer>();
}

}  // namespace netlog
