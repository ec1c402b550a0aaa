#include "control.h"

#include <fmt/format.h>
#include <linux/audit.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>
#include <utility>

#include "uapi/netlog_ctl.h"

namespace netlog::ctl {
namespace {

struct MsgFree {
  void operator()(nl_msg* m) const { nlmsg_free(m); }
};
struct CbFree {
  void operator()(nl_cb* cb) const { nl_cb_put(cb); }
};

using Attrs = std::vector<nlattr*>;  // indexed by NETLOG_A_*

// What a command's reply gives: each attribute of the top level, in order
// (a type may repeat).
using OnAttr = std::function<void(const nlattr*)>;

std::string str(const nlattr* a) {
  // NLA_NUL_STRING: the kernel's nla_put_string() ends it with a NUL.
  const auto* s = static_cast<const char*>(nla_data(a));
  return std::string(s, strnlen(s, nla_len(a)));
}

uint64_t u64(const nlattr* a) {
  return nla_len(a) >= 8 ? nla_get_u64(const_cast<nlattr*>(a)) : 0;
}

uint32_t u32(const nlattr* a) {
  return nla_len(a) >= 4 ? nla_get_u32(const_cast<nlattr*>(a)) : 0;
}

// Calls f for each attribute nested in a.
template <typename F>
void each_nested(const nlattr* a, F f) {
  nlattr* pos;
  int rem;
  nla_for_each_nested(pos, const_cast<nlattr*>(a), rem) f(pos);
}

std::string why(int err, const std::string& module) {
  switch (-err) {
    case NLE_PERM:
      return "permission denied (needs root: CAP_NET_ADMIN, and "
             "CAP_SYS_ADMIN for a change)";
    case NLE_OBJ_NOTFOUND:
      return fmt::format("module {} is not loaded", module);
    default:
      return nl_geterror(err);
  }
}

// One request with its attributes, and its reply. A refusal's reason (the
// ERROR attribute the kernel sends before the error) is the message.
Result<Done> transact(nl_sock* sk, int family, uint8_t cmd,
                      const std::string& module,
                      const std::function<int(nl_msg*)>& put,
                      const OnAttr& on_attr) {
  std::unique_ptr<nl_msg, MsgFree> msg(nlmsg_alloc());
  if (!msg) return Error{"out of memory"};
  if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, cmd,
                   NETLOG_GENL_VERSION) ||
      (!module.empty() &&
       nla_put_string(msg.get(), NETLOG_A_MODNAME, module.c_str()) < 0) ||
      (put && put(msg.get()) < 0))
    return Error{"request too long"};

  std::unique_ptr<nl_cb, CbFree> cb(nl_cb_alloc(NL_CB_DEFAULT));
  if (!cb) return Error{"out of memory"};
  struct State {
    const OnAttr* on_attr;
    std::string refused;
    bool acked = false;
  } state{&on_attr, {}, false};
  nl_cb_set(
      cb.get(), NL_CB_VALID, NL_CB_CUSTOM,
      [](nl_msg* m, void* arg) -> int {
        auto* st = static_cast<State*>(arg);
        auto* gh = static_cast<genlmsghdr*>(nlmsg_data(nlmsg_hdr(m)));
        nlattr* a;
        int rem;
        nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
                          rem) {
          if (nla_type(a) == NETLOG_A_ERROR)
            st->refused = str(a);
          else if (*st->on_attr)
            (*st->on_attr)(a);
        }
        return NL_OK;
      },
      &state);
  nl_cb_set(
      cb.get(), NL_CB_ACK, NL_CB_CUSTOM,
      [](nl_msg*, void* arg) -> int {
        static_cast<State*>(arg)->acked = true;
        return NL_STOP;
      },
      &state);

  int err = nl_send_auto(sk, msg.get());
  while (err >= 0 && !state.acked) err = nl_recvmsgs(sk, cb.get());
  if (err >= 0) return Done{};
  if (!state.refused.empty()) return Error{state.refused, EINVAL};
  return Error{why(err, module), -err == NLE_OBJ_NOTFOUND ? ENOENT : 0};
}

// Whether the kernel lets no one change a login uid once set: the audit
// feature LOGINUID_IMMUTABLE (auditctl --loginuid-immutable). netlog's
// modules cannot read it (is_audit_feature_set() is not exported), so the
// control plane asks the audit netlink socket, as auditctl does.
std::optional<bool> loginuid_immutable() {
  struct SockFree {
    void operator()(nl_sock* s) const { nl_socket_free(s); }
  };
  std::unique_ptr<nl_sock, SockFree> sk(nl_socket_alloc());
  if (!sk) return std::nullopt;
  // No ACK: audit sends it before the reply, which a kernel thread sends.
  nl_socket_disable_auto_ack(sk.get());
  if (nl_connect(sk.get(), NETLINK_AUDIT) < 0) return std::nullopt;
  std::optional<audit_features> got;
  std::unique_ptr<nl_cb, CbFree> cb(nl_cb_alloc(NL_CB_DEFAULT));
  if (!cb) return std::nullopt;
  nl_cb_set(
      cb.get(), NL_CB_VALID, NL_CB_CUSTOM,
      [](nl_msg* m, void* arg) -> int {
        auto* out = static_cast<std::optional<audit_features>*>(arg);
        const nlmsghdr* h = nlmsg_hdr(m);
        if (h->nlmsg_type != AUDIT_GET_FEATURE ||
            nlmsg_datalen(h) < static_cast<int>(sizeof(audit_features)))
          return NL_SKIP;
        audit_features f;
        std::memcpy(&f, nlmsg_data(h), sizeof(f));
        *out = f;
        return NL_STOP;
      },
      &got);
  int err =
      nl_send_simple(sk.get(), AUDIT_GET_FEATURE, NLM_F_REQUEST, nullptr, 0);
  while (err >= 0 && !got) err = nl_recvmsgs(sk.get(), cb.get());
  if (!got) return std::nullopt;
  return (got->features &
          AUDIT_FEATURE_TO_MASK(AUDIT_FEATURE_LOGINUID_IMMUTABLE)) != 0;
}

}  // namespace

void Control::SockFree::operator()(nl_sock* s) const { nl_socket_free(s); }

Result<Control> Control::open() {
  nl_sock* sk = nl_socket_alloc();
  if (!sk) return Error{"out of memory"};
  Control c(sk, 0);
  if (int err = genl_connect(sk); err < 0)
    return Error{fmt::format("cannot open a generic netlink socket: {}",
                             nl_geterror(err))};
  // Replies (a whitelist, the counters) may be longer than a page.
  nl_socket_enable_msg_peek(sk);
  int family = genl_ctrl_resolve(sk, NETLOG_GENL_NAME);
  if (family < 0)
    return Error{
        "secure_log is not loaded (no generic netlink family \"netlog\"; "
        "modprobe secure_log)",
        ENOENT};
  c.family_ = family;
  return c;
}

Result<Status> Control::status() {
  Status st;
  auto done = transact(sk_.get(), family_, NETLOG_CMD_STATUS, "", nullptr,
                       [&](const nlattr* a) {
                         switch (nla_type(a)) {
                           case NETLOG_A_VERSION:
                             st.version = str(a);
                             break;
                           case NETLOG_A_ABI_MAJOR:
                             st.abi_major = u32(a);
                             break;
                           case NETLOG_A_ABI_MINOR:
                             st.abi_minor = u32(a);
                             break;
                           case NETLOG_A_RING_CAPACITY:
                             st.capacity = u64(a);
                             break;
                           case NETLOG_A_RING_USED:
                             st.used = u64(a);
                             break;
                           case NETLOG_A_RING_PRODUCED:
                             st.produced = u64(a);
                             break;
                           case NETLOG_A_RING_LOST:
                             st.lost = u64(a);
                             break;
                           case NETLOG_A_READERS:
                             st.readers = u32(a);
                             break;
                           case NETLOG_A_LOCKED:
                             st.locked = true;
                             break;
                           case NETLOG_A_MODULE: {
                             Module m;
                             each_nested(a, [&](const nlattr* n) {
                               switch (nla_type(n)) {
                                 case NETLOG_A_MODNAME:
                                   m.name = str(n);
                                   break;
                                 case NETLOG_A_PROBES:
                                   m.probes = u64(n);
                                   break;
                                 case NETLOG_A_PROBES_ALL:
                                   m.probes_all = u64(n);
                                   break;
                                 case NETLOG_A_PROBES_DEFAULT:
                                   m.probes_default = u64(n);
                                   break;
                                 case NETLOG_A_WHITELIST_RULES:
                                   m.rules = u32(n);
                                   break;
                               }
                             });
                             st.modules.push_back(std::move(m));
                             break;
                           }
                         }
                       });
  if (!done) return done.error();
  st.loginuid_immutable = loginuid_immutable();
  return st;
}

Result<std::vector<Row>> Control::stats(const std::string& module) {
  std::vector<Row> rows;
  auto done = transact(sk_.get(), family_, NETLOG_CMD_STATS, module, nullptr,
                       [&](const nlattr* a) {
                         if (nla_type(a) != NETLOG_A_STAT) return;
                         Row row;
                         each_nested(a, [&](const nlattr* n) {
                           switch (nla_type(n)) {
                             case NETLOG_A_STAT_KIND:
                               row.kind = str(n);
                               break;
                             case NETLOG_A_STAT_NAME:
                               row.name = str(n);
                               break;
                             case NETLOG_A_VALUE: {
                               Value v;
                               each_nested(n, [&](const nlattr* f) {
                                 switch (nla_type(f)) {
                                   case NETLOG_A_VALUE_KEY:
                                     v.key = str(f);
                                     break;
                                   case NETLOG_A_VALUE_U64:
                                     v.value = u64(f);
                                     break;
                                   case NETLOG_A_VALUE_GAUGE:
                                     v.gauge = true;
                                     break;
                                 }
                               });
                               row.values.push_back(std::move(v));
                               break;
                             }
                           }
                         });
                         rows.push_back(std::move(row));
                       });
  if (!done) return done.error();
  return rows;
}

Result<std::string> Control::whitelist(const std::string& module) {
  std::string rules;
  auto done = transact(sk_.get(), family_, NETLOG_CMD_WHITELIST_GET, module,
                       nullptr, [&](const nlattr* a) {
                         if (nla_type(a) == NETLOG_A_WHITELIST) rules = str(a);
                       });
  if (!done) return done.error();
  return rules;
}

Result<Done> Control::set_whitelist(const std::string& module,
                                    const std::string& rules) {
  // An empty text is no rules; the kernel's parameter takes "\n" for it.
  const std::string text = rules.empty() ? "\n" : rules;
  return transact(
      sk_.get(), family_, NETLOG_CMD_WHITELIST_SET, module,
      [&](nl_msg* m) {
        return nla_put_string(m, NETLOG_A_WHITELIST, text.c_str());
      },
      nullptr);
}

Result<Probes> Control::probes(const std::string& module) {
  Probes p;
  auto done = transact(sk_.get(), family_, NETLOG_CMD_PROBES_GET, module,
                       nullptr, [&](const nlattr* a) {
                         switch (nla_type(a)) {
                           case NETLOG_A_PROBES:
                             p.mask = u64(a);
                             break;
                           case NETLOG_A_PROBES_ALL:
                             p.all = u64(a);
                             break;
                           case NETLOG_A_PROBES_DEFAULT:
                             p.on_at_load = u64(a);
                             break;
                           case NETLOG_A_PROBE_NAME:
                             p.names.push_back(str(a));
                             break;
                         }
                       });
  if (!done) return done.error();
  return p;
}

Result<Done> Control::set_probes(const std::string& module, uint64_t mask) {
  return transact(
      sk_.get(), family_, NETLOG_CMD_PROBES_SET, module,
      [&](nl_msg* m) { return nla_put_u64(m, NETLOG_A_PROBES, mask); },
      nullptr);
}

Result<Done> Control::lock() {
  return transact(sk_.get(), family_, NETLOG_CMD_LOCK, "", nullptr, nullptr);
}

std::string whitelist_from_file(std::string_view text) {
  std::string rules;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    const size_t last = line.find_last_not_of(" \t\r");
    rules.append(line.substr(first, last - first + 1));
    rules += '\n';
  }
  return rules;
}

}  // namespace netlog::ctl
