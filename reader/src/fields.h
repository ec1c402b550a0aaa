// A record as a flat list of named fields, in the JSON format's order and
// with its keys: the structured data of RFC 5424 and the journal's fields
// are made from it.
#pragma once

#include <functional>
#include <string_view>

#include "render.h"

namespace netlog {

enum class FieldKind {
  kNumber,  // decimal digits and '-': no escaping needed
  kText,    // untrusted bytes (or a name): escape for the sink
};

using FieldFn = std::function<void(std::string_view key, std::string_view value,
                                   FieldKind kind)>;

// Calls `fn` for each field of `rec`, "seq" first and "host" last. An exec
// record's arguments are "arg0", "arg1", ... in order.
void for_each_field(const Record& rec, Context& ctx, const FieldFn& fn);

// The record's syslog severity: warning (4) for loss, notice (5) for a
// failed call, a configuration change or an unknown record, info (6) else.
int severity(const Record& rec);

// "connect", "exec", "lost", ...: a name without spaces.
std::string_view record_event(const Record& rec);

}  // namespace netlog
