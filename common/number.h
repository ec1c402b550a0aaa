// Whole-string number parsing for command lines and text formats.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace netlog {

// `s` as a T in decimal, all of it; std::nullopt when it is not one or
// does not fit.
template <typename T>
std::optional<T> parse_number(std::string_view s) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace netlog
