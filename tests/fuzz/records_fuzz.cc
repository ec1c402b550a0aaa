// libFuzzer target for the reader's stream decoding and rendering: any
// bytes, split into records, decoded and rendered in every format, must
// never crash and never print a line break inside a record's line.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

#include "record.h"
#include "render.h"
#include "stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static netlog::Context ctx("fuzz", [](uint32_t) { return std::string(); });
  static auto text = netlog::make_renderer(netlog::Format::kText);
  static auto json = netlog::make_renderer(netlog::Format::kJson);
  static auto klog = netlog::make_renderer(netlog::Format::kKlog);
  netlog::Framer framer;
  auto bytes = std::span(reinterpret_cast<const std::byte*>(data), size);
  (void)framer.feed(bytes, [&](std::span<const std::byte> rec) {
    auto decoded = netlog::decode(rec);
    if (!decoded) return;
    for (auto* r : {text.get(), json.get(), klog.get()}) {
      fmt::memory_buffer out;
      r->render(*decoded, ctx, out);
      std::string_view line(out.data(), out.size());
      assert(!line.empty() && line.back() == '\n');
      assert(line.find('\n') == line.size() - 1);
    }
  });
  return 0;
}
