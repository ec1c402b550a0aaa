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
  // Room for `bound` more bytes is made in `out` up front, by default
  // kFixedBound: enough for the fixed text, numbers, addresses and names of
  // any record. Untrusted strings make their own room as they are written
  // (quoted(), quoted_list()); anything else longer must extend() first.
  // The destructor trims `out` to what was written.
  explicit Line(fmt::memory_buffer& out, size_t bound = kFixedBound)
      : out_(out) {
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

  // The longest fixed part is 1,220 bytes (a JSON close with every
  // optional key, every number at its widest: Render.EveryFixedPartFits-
  // ItsRoom).
  static constexpr size_t kFixedBound = 2048;
  // One untrusted string's part: escaped (escape.h) and quoted.
  static size_t string_bound(std::string_view s) {
    return kMaxEscape * s.size() + 2;
  }

  // Room for `n` more bytes than the bound given so far: for a part whose
  // bound is known only once it is reached. The bytes written so far may
  // move: keep offsets (offset()), not pointers.
  void extend(size_t n) {
    const size_t at = offset();
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
    extend(string_bound(s));
    return put_quoted(s, q);
  }
  // The items of an exec's argv or env (for_each_arg()), each quoted(),
  // as an array: ["a","b"]. (An item's NUL becomes `","`, within its
  // kMaxEscape bytes.)
  Line& quoted_list(std::string_view items, Quote q) {
    extend(string_bound(items));
    *p_++ = '[';
    bool first = true;
    for_each_arg(items, [&](std::string_view item) {
      if (!first) *p_++ = ',';
      first = false;
      put_quoted(item, q);
    });
    *p_++ = ']';
    return *this;
  }
  // RFC 3339 UTC with nanoseconds: 2026-11-22T10:00:00.000000001Z.
  Line& time(uint64_t real_ns);
  // Where the next byte goes, from the start of the output buffer.
  size_t offset() const { return static_cast<size_t>(p_ - out_.data()); }
  // What was written since offset() was `at`.
  std::string_view since(size_t at) const {
    return {out_.data() + at, offset() - at};
  }

 private:
  Line& put_quoted(std::string_view s, Quote q) {
    *p_++ = '"';
    p_ = escape_to(p_, s, '"', q == Quote::kJson);
    *p_++ = '"';
    return *this;
  }

  fmt::memory_buffer& out_;
  char* p_;
};

}  // namespace netlog
