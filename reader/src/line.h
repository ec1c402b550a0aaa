// Building an output line piece by piece, straight into the output buffer:
// the renderers' hot path, with no format string to parse and no temporary
// strings. Numbers go through fmt::format_int, addresses and times through
// hand-written formatters, untrusted text through the escaper in place.
#pragma once

#include <fmt/compile.h>
#include <fmt/format.h>

#include <cassert>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "escape.h"
#include "record.h"

namespace netlog {

class Line {
 public:
  // Room for `bound` more bytes is made in `out` up front; the line must
  // not be longer (bound_for() gives a safe bound). The destructor trims
  // `out` to what was written.
  Line(fmt::memory_buffer& out, size_t bound) : out_(out) {
    const size_t start = out.size();
    out.resize(start + bound);
    p_ = out.data() + start;
  }
  // A line past its bound has already written out of bounds: debug builds
  // (and the fuzz targets) stop there.
  ~Line() {
    assert(p_ <= out_.data() + out_.size());
    out_.resize(static_cast<size_t>(p_ - out_.data()));
  }
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

  // A bound for a line of at most 1 KiB of fixed text, numbers and
  // addresses plus these untrusted strings, escaped and quoted.
  template <typename... S>
  static size_t bound_for(const S&... strings) {
    return 1024 + ((kMaxEscape * strings.size() + 2) + ... + 0);
  }

  // Room for `n` more bytes than the bound given so far: for a part whose
  // bound is known only once it is reached.
  void extend(size_t n) {
    const size_t at = static_cast<size_t>(p_ - out_.data());
    out_.resize(out_.size() + n);
    p_ = out_.data() + at;
  }

  template <size_t N>
  Line& operator<<(const char (&s)[N]) {
    std::memcpy(p_, s, N - 1);
    p_ += N - 1;
    return *this;
  }
  Line& operator<<(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
    return *this;
  }
  Line& operator<<(char c) {
    *p_++ = c;
    return *this;
  }
  template <std::integral T>
  Line& operator<<(T v) {
    p_ = fmt::format_to(p_, FMT_COMPILE("{}"), v);
    return *this;
  }
  // inet_ntop's text: dotted quad, or RFC 5952 IPv6. It may write up to
  // kAddressRoom bytes (and then keeps only the text's).
  Line& operator<<(const Address& a);
  static constexpr size_t kAddressRoom = 48;

  // `s` escaped (escape.h) between double quotes, for the text or JSON
  // format.
  Line& quoted(std::string_view s, Quote q) {
    *p_++ = '"';
    p_ = escape_to(p_, s, '"', q == Quote::kJson);
    *p_++ = '"';
    return *this;
  }
  // The items of an exec's argv or env (for_each_arg()), each quoted(),
  // as an array: ["a","b"].
  Line& quoted_list(std::string_view items, Quote q) {
    *p_++ = '[';
    bool first = true;
    for_each_arg(items, [&](std::string_view item) {
      if (!first) *p_++ = ',';
      first = false;
      quoted(item, q);
    });
    *p_++ = ']';
    return *this;
  }
  // RFC 3339 UTC with nanoseconds: 2026-11-22T10:00:00.000000001Z.
  Line& time(uint64_t real_ns);
  // Where the next byte goes: what was written since is [pos, pos()).
  const char* pos() const { return p_; }

 private:
  fmt::memory_buffer& out_;
  char* p_;
};

}  // namespace netlog
