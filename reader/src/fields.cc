#include "fields.h"

#include <fmt/format.h>

#include <cerrno>

#include "schema.h"
#include "uapi/netlog.h"

namespace netlog {
namespace {

// The emitter for walk() (schema.h) that hands each field to a FieldFn.
class Fields {
 public:
  explicit Fields(const FieldFn& fn) : fn_(fn) {}

  template <Key K>
  void num(KeyOf<K> k, std::integral auto v) {
    const fmt::format_int f(v);
    fn_(k.view(), std::string_view(f.data(), f.size()), FieldKind::kNumber);
  }
  template <Key K>
  void name(KeyOf<K> k, std::string_view s) {
    fn_(k.view(), s, FieldKind::kText);
  }
  template <Key K>
  void text(KeyOf<K> k, std::string_view s) {
    fn_(k.view(), s, FieldKind::kText);
  }
  template <Key K>
  void list(KeyOf<K> k, std::string_view items) {
    fn_(k.view(), items, FieldKind::kList);
  }
  template <Key K>
  void addr(KeyOf<K> k, const Address& a) {
    char buf[64];
    const auto end = fmt::format_to_n(buf, sizeof(buf), "{}", a).out;
    fn_(k.view(), std::string_view(buf, size_t(end - buf)), FieldKind::kText);
  }
  template <Key K>
  void boolean(KeyOf<K> k, bool b) {
    num(k, b ? 1 : 0);
  }
  template <Key K>
  void flag(KeyOf<K> k) {
    num(k, 1);
  }
  template <Key K>
  void time(KeyOf<K> k, uint64_t real_ns) {
    fn_(k.view(), rfc3339(real_ns), FieldKind::kText);
  }
  // Not a field: the sink's own header has the record's time.
  template <Key K>
  void stamp(KeyOf<K>, uint64_t) {}
  template <Key K>
  void uids(KeyOf<K> k, const LostEvent& lost, Context&) {
    if (lost.uids) fn_(k.view(), lost_uids(lost), FieldKind::kText);
  }
  template <Key K>
  void host(KeyOf<K> k, Context& ctx) {
    fn_(k.view(), ctx.host(), FieldKind::kText);
  }
  template <typename Event, typename Walk>
  void who(Context&, const Event&, Walk&& walk) {
    walk(*this);
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
  walk(f, rec, ctx);
}

}  // namespace netlog
