#include "escape.h"

#include <array>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace netlog {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Bytes that are copied as they are in any format: printable ASCII but the
// backslash and the double quote (the only quote character in use).
constexpr auto kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x7f; c++) t[c] = c != '\\' && c != '"';
  return t;
}();

bool plain(unsigned char c, char quote) {
  return kPlain[c] || (c == '"' && quote != '"');
}

// The end of the leading run of bytes that are plain in every format (see
// kPlain), sixteen at a time where SSE2 is there.
const char* plain_run(const char* in, const char* end) {
#ifdef __SSE2__
  const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
  const __m128i backslash = _mm_set1_epi8('\\'), dquote = _mm_set1_epi8('"');
  while (end - in >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
    // Signed: bytes >= 0x80 are negative, so below 0x20 too.
    const __m128i bad = _mm_or_si128(
        _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)),
        _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmpeq_epi8(v, dquote)));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(bad));
    if (mask) return in + __builtin_ctz(mask);
    in += 16;
  }
#endif
  while (in < end && kPlain[static_cast<unsigned char>(*in)]) in++;
  return in;
}

std::string quoted(std::string_view s, Quote q) {
  fmt::memory_buffer out;
  out.push_back('"');
  append_escaped(out, s, '"', q == Quote::kJson);
  out.push_back('"');
  return fmt::to_string(out);
}

}  // namespace

char* escape_to(char* p, std::string_view s, char quote, bool json) {
  const char* in = s.data();
  const char* const end = in + s.size();
  while (in < end) {
    // The common case: a run of bytes that need nothing, copied at once.
    const char* run = in;
    in = plain_run(in, end);
    while (in < end && plain(static_cast<unsigned char>(*in), quote)) in++;
    std::memcpy(p, run, static_cast<size_t>(in - run));
    p += in - run;
    if (in == end) break;
    const char c = *in++;
    if (quote && c == quote) {
      *p++ = '\\';
      *p++ = c;
      continue;
    }
    *p++ = '\\';
    if (json) *p++ = '\\';
    if (c == '\\') {
      *p++ = '\\';
      if (json) *p++ = '\\';
    } else {
      const auto b = static_cast<unsigned char>(c);
      *p++ = 'x';
      *p++ = kHex[b >> 4];
      *p++ = kHex[b & 0xf];
    }
  }
  return p;
}

void append_escaped(fmt::memory_buffer& out, std::string_view s, char quote,
                    bool json) {
  const size_t start = out.size();
  out.resize(start + kMaxEscape * s.size());
  char* end = escape_to(out.data() + start, s, quote, json);
  out.resize(static_cast<size_t>(end - out.data()));
}

std::string escape_bytes(std::string_view s) {
  fmt::memory_buffer out;
  append_escaped(out, s, '\0', false);
  return fmt::to_string(out);
}

std::optional<std::string> unescape_bytes(std::string_view s) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); i++) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f) return std::nullopt;
    if (c != '\\' || i + 1 == s.size()) {
      out += char(c);
    } else if (s[i + 1] == '\\') {
      out += '\\';
      i++;
    } else if (s[i + 1] == 'x' && i + 3 < s.size() && hex(s[i + 2]) >= 0 &&
               hex(s[i + 3]) >= 0) {
      out += char(hex(s[i + 2]) << 4 | hex(s[i + 3]));
      i += 3;
    } else {
      out += char(c);
    }
  }
  return out;
}

std::string quote_text(std::string_view s) { return quoted(s, Quote::kText); }

std::string quote_json(std::string_view s) { return quoted(s, Quote::kJson); }

}  // namespace netlog
