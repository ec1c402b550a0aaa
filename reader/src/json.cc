// The JSON format: one object per line, keys as in DESIGN.md.
#include <fmt/format.h>

#include <iterator>

#include "escape.h"
#include "render.h"
#include "uapi/netlog.h"

namespace netlog {
namespace {

class JsonRenderer : public Renderer {
 public:
  void render(const Record& rec, Context& ctx,
              fmt::memory_buffer& out) override {
    auto it = std::back_inserter(out);
    fmt::format_to(it, R"({{"seq":{},"time":"{}",)", rec.hdr.seq,
                   rfc3339(rec.hdr.real_ns));
    if (const auto* ev = std::get_if<SockEvent>(&rec.body)) {
      const Task& t = ev->task;
      fmt::format_to(
          it,
          R"("event":"{}","proto":"{}","family":"{}","laddr":"{}",)"
          R"("lport":{},"raddr":"{}","rport":{},"result":{},"pid":{},)"
          R"("tid":{},"ppid":{},"sid":{},"uid":{},"gid":{},"euid":{},)"
          R"("egid":{},"user":{},"tty":{},"comm":{},"exe":{},"cgroup":{},)"
          R"("netns":{},)",
          event_name(ev->event), proto_name(ev->proto),
          family_name(ev->laddr.family), ev->laddr, ev->lport, ev->raddr,
          ev->rport, ev->result, t.pid, t.tid, t.ppid, t.sid, t.uid, t.gid,
          t.euid, t.egid, quote_json(ctx.user(t.uid)), quote_json(ev->tty),
          quote_json(ev->comm), quote_json(ev->exe), quote_json(ev->cgroup),
          t.netns);
      if (ev->event == NETLOG_EV_CLOSE)
        fmt::format_to(it, R"("established":{},)",
                       ev->flags & NETLOG_F_ESTABLISHED ? "true" : "false");
      if (auto trunc = truncated_names(ev->flags); !trunc.empty())
        fmt::format_to(it, R"("truncated":"{}",)", trunc);
    } else if (const auto* lost = std::get_if<LostEvent>(&rec.body)) {
      fmt::format_to(it,
                     R"("event":"lost","count":{},"first_seq":{},)"
                     R"("last_seq":{},)",
                     lost->count, lost->first_seq, lost->last_seq);
    } else {
      fmt::format_to(it, R"("event":"unknown","type":{},"len":{},)",
                     rec.hdr.type, rec.hdr.len);
    }
    fmt::format_to(it,
                   R"("host":{}}})"
                   "\n",
                   quote_json(ctx.host()));
  }
};

}  // namespace

std::unique_ptr<Renderer> make_json_renderer() {
  return std::make_unique<JsonRenderer>();
}

}  // namespace netlog
