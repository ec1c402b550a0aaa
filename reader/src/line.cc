#include "line.h"

#include <time.h>

#include <array>
#include <cstring>
#include <iterator>

namespace netlog {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// "00" to "99".
constexpr auto kPairs = [] {
  std::array<char, 200> t{};
  for (int i = 0; i < 100; i++) {
    t[2 * i] = static_cast<char>('0' + i / 10);
    t[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return t;
}();

// Up to three decimal digits of an octet, no leading zeros.
char* put_octet(char* p, unsigned v) {
  if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
  if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
  *p++ = static_cast<char>('0' + v % 10);
  return p;
}

char* put_ipv4(char* p, const uint8_t* b) {
  for (int i = 0; i < 4; i++) {
    if (i) *p++ = '.';
    p = put_octet(p, b[i]);
  }
  return p;
}

// Lower-case hex without leading zeros.
char* put_group(char* p, unsigned v) {
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const unsigned nibble = (v >> shift) & 0xf;
    if (nibble || started || shift == 0) {
      *p++ = kHex[nibble];
      started = true;
    }
  }
  return p;
}

// RFC 5952, as glibc's inet_ntop writes it: the longest run of two or more
// zero groups (the first of equals) becomes "::", and ::a.b.c.d and
// ::ffff:a.b.c.d keep their IPv4 tail dotted.
char* put_ipv6(char* p, const uint8_t* b) {
  unsigned g[8];
  for (int i = 0; i < 8; i++) g[i] = unsigned(b[2 * i]) << 8 | b[2 * i + 1];
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i]) {
      i++;
      continue;
    }
    int j = i;
    while (j < 8 && !g[j]) j++;
    if (j - i > best_len && j - i >= 2) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  for (int i = 0; i < 8; i++) {
    if (i == best) {
      *p++ = ':';
      if (i + best_len == 8) *p++ = ':';
      i += best_len - 1;
      continue;
    }
    if (i) *p++ = ':';
    if (i == 6 && best == 0 &&
        (best_len == 6 || (best_len == 5 && g[5] == 0xffff)))
      return put_ipv4(p, b + 12);
    p = put_group(p, g[i]);
  }
  return p;
}

// Two addresses equal, as two 8-byte compares (std::array's == is a call
// to memcmp).
bool same(const Address& a, const Address& b) {
  uint64_t x[2], y[2];
  std::memcpy(x, a.bytes.data(), sizeof(x));
  std::memcpy(y, b.bytes.data(), sizeof(y));
  return a.family == b.family && x[0] == y[0] && x[1] == y[1];
}

}  // namespace

Line& Line::operator<<(const Address& a) {
  // The last four addresses' text: a record has two, and a trail says the
  // same few again and again (callgrind: 100 instructions for an IPv4
  // address formatted, 25 for one copied). Two were too few for records
  // of two families in turn: half of all addresses were formatted anew.
  struct Kept {
    Address addr{0, {}};  // family 0: none yet
    uint8_t len = 0;
    char text[kAddressRoom];
  };
  thread_local Kept kept[4];
  thread_local unsigned next = 0;
  for (const Kept& k : kept) {
    if (same(k.addr, a)) {
      // All of text, a fixed-size copy: the line's room counts kFixedBound
      // for its fixed text and addresses, more than twice what the longest
      // record writes, so there is room past the address.
      assert(p_ + sizeof(k.text) <= out_.data() + out_.size());
      std::memcpy(p_, k.text, sizeof(k.text));
      p_ += k.len;
      return *this;
    }
  }
  char* start = p_;
  p_ = a.family == 6 ? put_ipv6(p_, a.bytes.data())
                     : put_ipv4(p_, a.bytes.data());
  Kept& k = kept[next++ % std::size(kept)];
  k.addr = a;
  k.len = static_cast<uint8_t>(p_ - start);
  std::memcpy(k.text, start, k.len);
  return *this;
}

Line& Line::time(uint64_t real_ns) {
  // The part up to the second is formatted once per second, not once per
  // time: records come in time order, and the other times a record carries
  // (its process's start) are a few seconds that come back again and
  // again. So a small table of seconds, by their low bits: with one entry,
  // a record's time and its start took turns, and each was formatted anew
  // (3,600 instructions a time, callgrind).
  struct Prefix {
    uint64_t secs = UINT64_MAX;
    char text[20];
  };
  thread_local Prefix kept[16];
  const uint64_t secs = real_ns / 1000000000;
  Prefix& k = kept[secs % std::size(kept)];
  if (k.secs != secs) {
    const time_t t = static_cast<time_t>(secs);
    struct tm tm {};
    gmtime_r(&t, &tm);
    fmt::format_to_n(k.text, sizeof(k.text),
                     "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
    k.secs = secs;
  }
  const char* prefix = k.text;
  constexpr size_t kPrefixLen = sizeof(k.text) - 1;
  // ".nnnnnnnnnZ", from the left, with no division: ns / 1e8 in fixed
  // point (2^57 / 1e8, rounded up, is exact for every ns < 1e9: checked
  // over all of them), then two digits per multiply by 100.
  char frac[11];
  frac[0] = '.';
  frac[10] = 'Z';
  constexpr uint64_t kFraction = (uint64_t{1} << 57) - 1;
  uint64_t t = (real_ns % 1000000000) * 1441151881u;
  frac[1] = static_cast<char>('0' + (t >> 57));
  for (int i = 2; i < 10; i += 2) {
    t = (t & kFraction) * 100;
    std::memcpy(frac + i, kPairs.data() + 2 * (t >> 57), 2);
  }
  std::memcpy(p_, prefix, kPrefixLen);
  std::memcpy(p_ + kPrefixLen, frac, sizeof(frac));
  p_ += kPrefixLen + sizeof(frac);
  return *this;
}

}  // namespace netlog
