// The text format: one line of key=value pairs per record, strings quoted
// and escaped. Meant for `netlog-reader | logger -t netlog`.
#include <fmt/format.h>

#include <iterator>

#include "escape.h"
#include "render.h"
#include "uapi/netlog.h"

namespace netlog {
namespace {

class TextRenderer : public Renderer {
 public:
  void render(const Record& rec, Context& ctx,
              fmt::memory_buffer& out) override {
    auto it = std::back_inserter(out);
    fmt::format_to(it, "seq={} time={} ", rec.hdr.seq,
                   rfc3339(rec.hdr.real_ns));
    if (const auto* ev = std::get_if<SockEvent>(&rec.body)) {
      const Task& t = ev->task;
      fmt::format_to(
          it,
          "event={} proto={} family={} laddr={} lport={} raddr={} rport={} "
          "result={} pid={} tid={} ppid={} sid={} uid={} gid={} euid={} "
          "egid={} user={} tty={} comm={} exe={} cgroup={} netns={}",
          event_name(ev->event), proto_name(ev->proto),
          family_name(ev->laddr.family), ev->laddr, ev->lport, ev->raddr,
          ev->rport, ev->result, t.pid, t.tid, t.ppid, t.sid, t.uid, t.gid,
          t.euid, t.egid, quote_text(ctx.user(t.uid)), quote_text(ev->tty),
          quote_text(ev->comm), quote_text(ev->exe), quote_text(ev->cgroup),
          t.netns);
      if (ev->event == NETLOG_EV_CLOSE)
        fmt::format_to(it, " established={}",
                       ev->flags & NETLOG_F_ESTABLISHED ? 1 : 0);
      if (auto trunc = truncated_names(ev->flags); !trunc.empty())
        fmt::format_to(it, " truncated={}", trunc);
    } else if (const auto* lost = std::get_if<LostEvent>(&rec.body)) {
      fmt::format_to(it, "event=lost count={} first_seq={} last_seq={}",
                     lost->count, lost->first_seq, lost->last_seq);
    } else {
      fmt::format_to(it, "event=unknown type={} len={}", rec.hdr.type,
                     rec.hdr.len);
    }
    fmt::format_to(it, " host={}\n", quote_text(ctx.host()));
  }
};

}  // namespace

std::unique_ptr<Renderer> make_text_renderer() {
  return std::make_unique<TextRenderer>();
}

}  // namespace netlog
