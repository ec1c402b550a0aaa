#include "escape.h"

namespace netlog {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Appends `s` escaped; `quote` (if any) is escaped too, with a backslash.
void append_escaped(std::string& out, std::string_view s, char quote,
                    bool json) {
  for (unsigned char c : s) {
    if (c == '\\') {
      out += json ? "\\\\\\\\" : "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      if (c == quote) out += '\\';
      out += static_cast<char>(c);
    } else {
      out += json ? "\\\\x" : "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
}

}  // namespace

std::string escape_bytes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_escaped(out, s, '\0', false);
  return out;
}

std::string quote_text(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  append_escaped(out, s, '"', false);
  out += '"';
  return out;
}

std::string quote_json(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  append_escaped(out, s, '"', true);
  out += '"';
  return out;
}

}  // namespace netlog
