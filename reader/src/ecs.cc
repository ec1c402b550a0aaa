// The ECS format: one JSON object per line, in Elastic Common Schema names
// (ECS 8.11), for Elasticsearch, OpenSearch and the agents that ship to
// them. Every key of the record's walk (schema.h) that ECS has no field for
// (the cgroup, the network namespace, the audit session, the tty's name,
// flags, ...) is under "netlog", as the JSON format writes it. Strings are
// escape_bytes()'s, as in the JSON format.
//
// Direction: a connect or a send is egress, the local end the source; an
// accept or a listen is ingress, the local end the destination; a bind or a
// close has no direction (unknown) and the local end as source. An end
// that is not set (no address, no port: a listen's peer) is not written.
#include <fmt/format.h>

#include <algorithm>

#include "container.h"
#include "escape.h"
#include "fields.h"
#include "render.h"
#include "schema.h"
#include "uapi/netlog.h"

namespace netlog {
namespace {

constexpr std::string_view kEcsVersion = "8.11.0";

class Out {
 public:
  explicit Out(fmt::memory_buffer& out) : out_(out) {}
  Out& raw(std::string_view s) {
    out_.append(s);
    return *this;
  }
  Out& str(std::string_view s) {
    out_.push_back('"');
    append_escaped(out_, s, '"', true);
    out_.push_back('"');
    return *this;
  }
  template <typename T>
  Out& num(T v) {
    const fmt::format_int f(v);
    out_.append(std::string_view(f.data(), f.size()));
    return *this;
  }
  // The items of an argv or env (for_each_arg()) as an array of strings.
  Out& list(std::string_view items) {
    raw("[");
    bool first = true;
    for_each_arg(items, [&](std::string_view item) {
      if (!first) raw(",");
      first = false;
      str(item);
    });
    return raw("]");
  }
  // A JSON string of a number: ECS ids are keywords.
  template <typename T>
  Out& id(T v) {
    return raw("\"").num(v).raw("\"");
  }

 private:
  fmt::memory_buffer& out_;
};

// process.entity_id: one process of one host for the boot, whatever
// reuses its pid (FNV-1a 64 of host, pid and start, as hex: an identifier,
// not a secret).
std::string entity_id(std::string_view host, uint32_t pid, uint64_t start) {
  uint64_t h = 14695981039346656037ULL;
  for (const char c : fmt::format("{}\n{}\n{}", host, pid, start)) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

template <typename Event>
void process(Out& o, Context& ctx, const Header& hdr, const Event& ev) {
  const Task& t = ev.task;
  o.raw(R"(,"process":{"pid":)").num(t.pid);
  if (t.start_ns) {
    // The record's own clocks: its boot time, then the process's start.
    o.raw(R"(,"entity_id":")")
        .raw(entity_id(ctx.host(), t.pid, t.start_ns))
        .raw(R"(","start":")")
        .raw(rfc3339(start_real_ns(hdr, t)))
        .raw("\"");
  }
  o.raw(R"(,"thread":{"id":)").num(t.tid);
  o.raw(R"(},"parent":{"pid":)").num(t.ppid);
  o.raw(R"(},"session_leader":{"pid":)").num(t.sid);
  o.raw(R"(},"name":)").str(ev.comm);
  o.raw(R"(,"executable":)").str(ev.exe);
  if constexpr (std::is_same_v<Event, ExecEvent>) {
    o.raw(R"(,"args":)").list(ev.argv);
    o.raw(R"(,"args_count":)").num(ev.argc);
    if (!ev.env.empty()) o.raw(R"(,"env_vars":)").list(ev.env);
    o.raw(R"(,"working_directory":)").str(ev.cwd);
  }
  o.raw("}");
  o.raw(R"(,"user":{"id":)").id(t.uid);
  o.raw(R"(,"name":)").str(ctx.user(t.uid));
  o.raw(R"(,"group":{"id":)").id(t.gid);
  o.raw(R"(},"effective":{"id":)").id(t.euid);
  o.raw(R"(,"group":{"id":)").id(t.egid).raw("}}");
  // The login uid (auditd's auid), as Auditbeat names it.
  if (t.audit && t.auid != NETLOG_UID_NONE) {
    o.raw(R"(,"audit":{"id":)").id(t.auid);
    o.raw(R"(,"name":)").str(auid_user(ctx, t)).raw("}");
  }
  o.raw("}");
  if (auto id = container_id(ev.cgroup); !id.empty())
    o.raw(R"(,"container":{"id":)").str(id).raw("}");
}

// The keys ECS has a field of its own for, which the record's walk (schema.h)
// puts elsewhere: the header, the attribution, the endpoints, an exec's
// arguments, environment and directory.
constexpr std::string_view kMapped[] = {
    "seq",      "time",         "event",     "host",    "pid",   "tid",
    "ppid",     "sid",          "uid",       "gid",     "euid",  "egid",
    "user",     "auid",         "auid_user", "comm",    "exe",   "start",
    "start_ns", "container_id", "family",    "laddr",   "lport", "raddr",
    "rport",    "nat_raddr",    "nat_rport", "ipproto", "argc",  "argv",
    "env",      "cwd"};

template <Key K>
constexpr bool mapped() {
  for (std::string_view k : kMapped)
    if (k == K.view()) return true;
  return false;
}

// The "netlog" object: every key of the record's walk that ECS has no field
// for, as the JSON format writes it. A key the schema gains is here until
// ECS is given a field for it.
class NetlogObject {
 public:
  explicit NetlogObject(Out& o) : o_(o) {}
  // Ends the object, if it has a key.
  void close() {
    if (!first_) o_.raw("}");
  }

  template <Key K>
  void num(KeyOf<K> k, std::integral auto v) {
    if constexpr (!mapped<K>()) key(k).num(v);
  }
  template <Key K>
  void name(KeyOf<K> k, std::string_view s) {
    if constexpr (!mapped<K>()) key(k).raw("\"").raw(s).raw("\"");
  }
  template <Key K>
  void text(KeyOf<K> k, std::string_view s) {
    if constexpr (!mapped<K>()) key(k).str(s);
  }
  template <Key K>
  void list(KeyOf<K> k, std::string_view items) {
    if constexpr (!mapped<K>()) key(k).list(items);
  }
  template <Key K>
  void addr(KeyOf<K> k, const Address& a) {
    if constexpr (!mapped<K>()) key(k).raw(fmt::format("\"{}\"", a));
  }
  template <Key K>
  void boolean(KeyOf<K> k, bool b) {
    if constexpr (!mapped<K>()) key(k).raw(b ? "true" : "false");
  }
  template <Key K>
  void flag(KeyOf<K> k) {
    boolean(k, true);
  }
  template <Key K>
  void time(KeyOf<K> k, uint64_t real_ns) {
    if constexpr (!mapped<K>())
      key(k).raw("\"").raw(rfc3339(real_ns)).raw("\"");
  }
  template <Key K>
  void stamp(KeyOf<K> k, uint64_t real_ns) {
    time(k, real_ns);
  }
  template <Key K>
  void uids(KeyOf<K> k, const LostEvent& lost, Context& ctx) {
    if constexpr (mapped<K>()) return;
    key(k).raw("[");
    for (size_t i = 0; i < lost.uids; i++) {
      const auto& u = lost.by_uid[i];
      o_.raw(i ? "," : "").raw(R"({"uid":)").num(u.uid);
      o_.raw(R"(,"user":)").str(ctx.user(u.uid));
      o_.raw(R"(,"count":)").num(u.count).raw("}");
    }
    o_.raw("]");
  }
  template <Key K>
  void host(KeyOf<K> k, Context& ctx) {
    text(k, ctx.host());
  }
  template <typename Event, typename Walk>
  void who(Context&, const Event&, Walk&& walk) {
    walk(*this);
  }

 private:
  template <Key K>
  Out& key(KeyOf<K>) {
    o_.raw(first_ ? Join<",\"netlog\":{\"", K, "\":">::view
                  : Join<",\"", K, "\":">::view);
    first_ = false;
    return o_;
  }

  Out& o_;
  bool first_ = true;
};

void endpoint(Out& o, std::string_view name, const Address& a, uint16_t port,
              const SockEvent::Nat* nat = nullptr) {
  const bool any =
      std::all_of(a.bytes.begin(), a.bytes.begin() + (a.family == 6 ? 16 : 4),
                  [](uint8_t b) { return b == 0; });
  if (any && !port) return;
  o.raw(",\"").raw(name).raw(R"(":{"ip":")").raw(fmt::format("{}", a));
  o.raw(R"(","port":)").num(port);
  if (nat)
    o.raw(R"(,"nat":{"ip":")")
        .raw(fmt::format("{}", nat->raddr))
        .raw(R"(","port":)")
        .num(nat->rport)
        .raw("}");
  o.raw("}");
}

// network.transport: the IANA keyword of the protocol on the wire. MPTCP
// and SMC are TCP there, RxRPC is UDP; which one it was is netlog.proto.
// A raw socket's protocol is only its number (network.iana_number).
std::string_view iana_keyword(const SockEvent& ev) {
  const std::string_view name = proto_name(ev);
  if (name == "mptcp" || name == "smc") return "tcp";
  if (name == "rxrpc") return "udp";
  if (name == "icmpv6") return "ipv6-icmp";
  if (name == "raw" || name == "unknown") return {};
  return name;
}

void event(Out& o, const Record& rec, std::string_view kind,
           std::string_view category, std::string_view type,
           std::string_view outcome) {
  o.raw(R"(,"event":{"kind":")").raw(kind);
  o.raw(R"(","category":[")").raw(category);
  o.raw(R"("],"type":[)").raw(type);
  o.raw(R"(],"action":")").raw(record_event(rec));
  if (!outcome.empty()) o.raw(R"(","outcome":")").raw(outcome);
  o.raw(R"(","sequence":)").num(rec.hdr.seq);
  o.raw(R"(,"module":"netlog","dataset":"netlog.)").raw(record_event(rec));
  // The syslog severity is log.syslog's (event.severity is the source's own
  // scale, which netlog does not have).
  o.raw(R"("},"log":{"syslog":{"severity":{"code":)").num(severity(rec));
  o.raw("}}}");
}

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kFailure:
      return "failure";
    case Outcome::kUnknown:
      break;
  }
  return "unknown";
}

void sock(Out& o, Context& ctx, const Record& rec, const SockEvent& ev) {
  // A socket netlog does not follow: no endpoints, only what it is.
  if (ev.unaudited) {
    event(o, rec, "event", "network", R"("info")", "");
    process(o, ctx, rec.hdr, ev);
    return;
  }
  const bool ingress =
      ev.event == NETLOG_EV_ACCEPT || ev.event == NETLOG_EV_LISTEN;
  const bool egress = ev.event == NETLOG_EV_CONNECT ||
                      ev.event == NETLOG_EV_SEND || ev.event == NETLOG_EV_PEER;
  std::string_view type = R"("info")";
  if (ev.event == NETLOG_EV_CONNECT || ev.event == NETLOG_EV_ACCEPT)
    type = R"("connection","start")";
  else if (ev.event == NETLOG_EV_CLOSE)
    type = R"("connection","end")";
  else if (ev.event == NETLOG_EV_SEND)
    type = R"("connection","protocol")";
  else if (ev.event == NETLOG_EV_STATE || ev.event == NETLOG_EV_SNAPSHOT)
    type = R"("connection","info")";
  event(o, rec, "event", "network", type, outcome_name(outcome(ev)));
  if (ingress) {
    endpoint(o, "source", ev.raddr, ev.rport);
    endpoint(o, "destination", ev.laddr, ev.lport);
  } else {
    endpoint(o, "source", ev.laddr, ev.lport);
    endpoint(o, "destination", ev.raddr, ev.rport, ev.nat ? &*ev.nat : nullptr);
  }
  o.raw(R"(,"network":{)");
  if (const auto keyword = iana_keyword(ev); !keyword.empty())
    o.raw(R"("transport":")").raw(keyword).raw("\",");
  o.raw(R"("type":")").raw(family_name(ev.laddr.family));
  o.raw(R"(","direction":")")
      .raw(ingress  ? "ingress"
           : egress ? "egress"
                    : "unknown");
  if (ev.flags & NETLOG_F_RAW) o.raw(R"(","iana_number":")").num(ev.proto);
  o.raw("\"");
  if (const auto& life = ev.life) {
    o.raw(R"(,"bytes":)").num(life->bytes_sent + life->bytes_received);
    o.raw(R"(,"packets":)").num(uint64_t{life->segs_out} + life->segs_in);
  } else if (const auto& d = ev.dgram) {
    o.raw(R"(,"bytes":)").num(d->bytes_sent + d->bytes_received);
    o.raw(R"(,"packets":)").num(uint64_t{d->sent} + d->received);
  }
  o.raw("}");
  // No process acted when the peer or TCP did: its owner is under netlog.
  if (task_acted(ev)) process(o, ctx, rec.hdr, ev);
}

class EcsRenderer : public Renderer {
 public:
  void render(const Record& rec, Context& ctx,
              fmt::memory_buffer& out) override {
    Out o(out);
    o.raw(R"({"@timestamp":")").raw(rfc3339(rec.hdr.real_ns));
    o.raw(R"(","ecs":{"version":")").raw(kEcsVersion).raw("\"}");
    std::visit(
        Overload{[&](const SockEvent& ev) { sock(o, ctx, rec, ev); },
                 [&](const ConfigEvent& cfg) {
                   event(o, rec, "event", "configuration", R"("change")",
                         cfg.flags & NETLOG_F_REFUSED ? "failure" : "success");
                   process(o, ctx, rec.hdr, cfg);
                 },
                 [&](const ExecEvent& ex) {
                   event(o, rec, "event", "process", R"("start")",
                         outcome_name(outcome(ex)));
                   process(o, ctx, rec.hdr, ex);
                 },
                 [&](const MissedEvent&) {
                   event(o, rec, "event", "host", R"("info")", "");
                 },
                 [&](const LostEvent&) {
                   event(o, rec, "event", "host", R"("info")", "");
                 },
                 [&](const UnknownEvent&) {
                   event(o, rec, "event", "host", R"("info")", "");
                 }},
        rec.body);
    NetlogObject netlog(o);
    walk(netlog, rec, ctx);
    netlog.close();
    o.raw(R"(,"host":{"name":)").str(ctx.host());
    o.raw(R"(,"hostname":)").str(ctx.host()).raw("}}\n");
  }
};

}  // namespace

std::unique_ptr<Renderer> make_ecs_renderer() {
  return std::make_unique<EcsRenderer>();
}

}  // namespace netlog
