// A record as a flat list of named fields, with the keys and in the order
// of the schema (schema.h) that every format follows: the structured data
// of RFC 5424 and the journal's fields are made from it.
#pragma once

#include <functional>
#include <string_view>

#include "render.h"

namespace netlog {

enum class FieldKind {
  kNumber,  // decimal digits and '-': no escaping needed
  kText,    // untrusted bytes (or a name): escape for the sink
  kList,    // untrusted items, each ended by a NUL (the last may lack it
            // when cut): see for_each_arg()
};

using FieldFn = std::function<void(std::string_view key, std::string_view value,
                                   FieldKind kind)>;

// Calls `fn` for each field of `rec`, "seq" first and "host" last, but the
// record's time, which the sink's own header carries. An exec
// record's arguments are one list field, "argv", and its loader variables
// another, "env" (when it has some): a sink decides how a list is written,
// so that a record's number of fields is bounded whatever its arguments.
void for_each_field(const Record& rec, Context& ctx, const FieldFn& fn);

// Whether the call a record stands for succeeded. Unknown when netlog did
// not follow it to its end (NETLOG_F_UNFOLLOWED), or when its outcome is
// another record's: a connect that returned -EINPROGRESS, whose
// connect_done says (TCP, MPTCP, SMC, DCCP; SCTP's is not recorded).
enum class Outcome { kSuccess, kFailure, kUnknown };
Outcome outcome(const SockEvent& ev);
Outcome outcome(const ExecEvent& ex);

// The record's syslog severity: warning (4) for loss, notice (5) for a
// failed call, an unaudited socket, a configuration change or an unknown
// record, info (6) else (a call whose outcome is not known included).
int severity(const Record& rec);

// "connect", "exec", "lost", ...: a name without spaces.
[[gnu::pure]] std::string_view record_event(const Record& rec);

}  // namespace netlog
