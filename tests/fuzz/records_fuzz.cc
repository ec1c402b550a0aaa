// libFuzzer target for the reader's stream decoding and rendering: any
// bytes, split into records, decoded and rendered in every format and as a
// journal entry, must never crash, never write past a line's computed
// bound (Line's assert), never print a line break inside a record's line,
// and the JSON formats must be valid JSON.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>

#include "journal.h"
#include "record.h"
#include "render.h"
#include "stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // User names of up to 996 bytes that each escape to 4 or 5: the bound of
  // the attribution (WhoCache::put's) must hold for any name.
  static netlog::Context ctx(
      "fuzz", [](uint32_t uid) { return std::string(uid % 997, '\x7f'); });
  static auto text = netlog::make_renderer(netlog::Format::kText);
  static auto json = netlog::make_renderer(netlog::Format::kJson);
  static auto klog = netlog::make_renderer(netlog::Format::kKlog);
  static auto rfc5424 = netlog::make_renderer(netlog::Format::kRfc5424);
  static auto ecs = netlog::make_renderer(netlog::Format::kEcs);
  static netlog::JournalBatch journal;
  netlog::Framer framer;
  auto bytes = std::span(reinterpret_cast<const std::byte*>(data), size);
  (void)framer.feed(bytes, [&](std::span<const std::byte> rec) {
    auto decoded = netlog::decode(rec);
    if (!decoded) return;
    for (auto* r :
         {text.get(), json.get(), klog.get(), rfc5424.get(), ecs.get()}) {
      fmt::memory_buffer out;
      r->render(*decoded, ctx, out);
      std::string_view line(out.data(), out.size());
      assert(!line.empty() && line.back() == '\n');
      assert(line.find('\n') == line.size() - 1);
      if (r == json.get() || r == ecs.get())
        assert(nlohmann::json::accept(line));
    }
    journal.add(*decoded, ctx);
    journal.clear();
  });
  return 0;
}
