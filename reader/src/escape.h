// Escaping of untrusted text (comm, exe, tty, cgroup, user, host).
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>

namespace netlog {

enum class Quote { kText, kJson };

// Appends `s` escaped as escape_bytes() does; a `quote` byte (if not '\0')
// is escaped with one backslash, as the surrounding format's syntax. With
// `json`, each backslash of the escaping is itself escaped for JSON.
void append_escaped(fmt::memory_buffer& out, std::string_view s, char quote,
                    bool json);

// The most bytes one input byte becomes: "\\xHH" in JSON.
inline constexpr size_t kMaxEscape = 5;

// The same into `p`, which has room for kMaxEscape * s.size() bytes;
// returns the end of what was written.
char* escape_to(char* p, std::string_view s, char quote, bool json);

// Printable ASCII stays; a backslash becomes "\\" and every other byte
// (control characters, DEL, bytes >= 0x80) becomes "\xHH". The result is
// printable ASCII with no newline, so no process name can start a second log
// line, and the original bytes can always be recovered.
std::string escape_bytes(std::string_view s);

// The bytes escape_bytes() was given, from what it made ("\\" and "\xHH";
// a lone or unknown backslash stays as it is); std::nullopt when `s` is not
// printable ASCII, which escape_bytes() never makes.
std::optional<std::string> unescape_bytes(std::string_view s);

// escape_bytes(), then quoted for the text format ("..." with \" inside).
std::string quote_text(std::string_view s);

// escape_bytes(), then quoted as a JSON string.
std::string quote_json(std::string_view s);

}  // namespace netlog
