// Splitting a byte stream into whole records.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "result.h"

namespace netlog {

// Accumulates bytes (from a file or a pipe, where reads do not follow record
// boundaries) and hands out whole records.
class Framer {
 public:
  using Sink = std::function<void(std::span<const std::byte>)>;

  // Calls `sink` for each whole record now available. An error means the
  // stream is corrupt at `offset()`; nothing after it is delivered.
  Result<bool> feed(std::span<const std::byte> bytes, const Sink& sink);
  // Bytes of an incomplete record held back (non-zero at EOF = truncated).
  size_t pending() const { return buf_.size(); }
  // Offset in the stream of the first byte not yet delivered.
  size_t offset() const { return offset_; }

 private:
  std::vector<std::byte> buf_;
  size_t offset_ = 0;
};

}  // namespace netlog
