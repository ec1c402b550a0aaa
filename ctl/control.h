// The client side of the control plane: the generic netlink family
// "netlog" (kmod/uapi/netlog_ctl.h), through libnl-3 and libnl-genl-3.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

struct nl_sock;

namespace netlog::ctl {

struct Module {
  std::string name;
  uint64_t probes = 0;          // mask of probes on
  uint64_t probes_all = 0;      // mask of every probe
  uint64_t probes_default = 0;  // mask of the probes on at load
  uint32_t rules = 0;           // whitelist rules in force
};

struct Status {
  std::string version;
  uint32_t abi_major = 0, abi_minor = 0;
  uint64_t capacity = 0, used = 0, produced = 0, lost = 0;
  uint32_t readers = 0;
  bool locked = false;  // until reboot (netlogctl lock)
  // Whether a login uid, once set, can never change (the audit feature
  // loginuid_immutable); unknown when the audit socket would not say.
  std::optional<bool> loginuid_immutable;
  std::vector<Module> modules;  // the ones loaded
};

struct Value {
  std::string key;
  uint64_t value = 0;
  bool gauge = false;  // a level; otherwise a count since load
};

// One row of a module's counters: a probe, a hook or a table.
struct Row {
  std::string kind, name;
  std::vector<Value> values;
};

struct Probes {
  uint64_t mask = 0, all = 0;
  uint64_t on_at_load = 0;         // the module's default
  std::vector<std::string> names;  // bit n's name
};

struct Done {};

// A connection to the family. Every call is one request and its reply;
// errors come back as values, with a message that says what to do.
class Control {
 public:
  static Result<Control> open();

  Result<Status> status();
  Result<std::vector<Row>> stats(const std::string& module);
  Result<std::string> whitelist(const std::string& module);
  Result<Done> set_whitelist(const std::string& module,
                             const std::string& rules);
  Result<Probes> probes(const std::string& module);
  Result<Done> set_probes(const std::string& module, uint64_t mask);
  // Pins the modules and refuses every change until reboot.
  Result<Done> lock();

 private:
  struct SockFree {
    void operator()(nl_sock* s) const;
  };
  Control(nl_sock* sk, int family) : sk_(sk), family_(family) {}

  std::unique_ptr<nl_sock, SockFree> sk_;
  int family_;
};

// Whitelist file text (one rule per line, '#' to the end of a line is a
// comment, blank lines ignored) as the rules the kernel takes, one per
// line.
std::string whitelist_from_file(std::string_view text);

}  // namespace netlog::ctl
