#include "stream.h"

#include <fmt/format.h>

#include "record.h"

namespace netlog {

Result<bool> Framer::feed(std::span<const std::byte> bytes, const Sink& sink) {
  std::span<const std::byte> data = bytes;
  if (!buf_.empty()) {
    buf_.insert(buf_.end(), bytes.begin(), bytes.end());
    data = buf_;
  }
  size_t used = 0;
  while (used < data.size()) {
    auto len = record_length(data.subspan(used));
    if (!len)
      return Error{
          fmt::format("at stream offset {}: {}", offset_, len.error().message)};
    if (*len == 0 || used + *len > data.size()) break;
    sink(data.subspan(used, *len));
    used += *len;
    offset_ += *len;
  }
  if (buf_.empty()) {
    buf_.assign(data.begin() + used, data.end());
  } else {
    buf_.erase(buf_.begin(), buf_.begin() + used);
  }
  return true;
}

}  // namespace netlog
