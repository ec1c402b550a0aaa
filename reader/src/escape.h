// Escaping of untrusted text (comm, exe, tty, cgroup, user, host).
#pragma once

#include <string>
#include <string_view>

namespace netlog {

// Printable ASCII stays; a backslash becomes "\\" and every other byte
// (control characters, DEL, bytes >= 0x80) becomes "\xHH". The result is
// printable ASCII with no newline, so no process name can start a second log
// line, and the original bytes can always be recovered.
std::string escape_bytes(std::string_view s);

// escape_bytes(), then quoted for the text format ("..." with \" inside).
std::string quote_text(std::string_view s);

// escape_bytes(), then quoted as a JSON string.
std::string quote_json(std::string_view s);

}  // namespace netlog
