// Host micro-benchmark of the reader's hot path: frame, decode and render a
// captured-like stream of records, as netlog-reader does for each read
// batch. Reports records per second per format on one core.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "record.h"
#include "records.h"
#include "render.h"
#include "stream.h"

namespace {

using netlog::test::SockSpec;

// A mix like a busy host's trail: TCP connect/accept/close, UDP, IPv6,
// a failed call, long exe and cgroup paths; 4096 records.
std::vector<std::byte> stream() {
  std::vector<std::vector<std::byte>> parts;
  const uint16_t events[] = {NETLOG_EV_CONNECT, NETLOG_EV_ACCEPT,
                             NETLOG_EV_CLOSE, NETLOG_EV_BIND, NETLOG_EV_LISTEN};
  for (uint64_t i = 0; i < 4096; i++) {
    SockSpec s;
    s.seq = i;
    s.real_ns += i * 1000;
    s.event = events[i % 5];
    s.proto = i % 7 == 0 ? 17 : 6;
    s.result = i % 11 == 0 ? -111 : 0;
    if (i % 3 == 0) {
      s.family = 6;
      s.laddr = std::vector<uint8_t>(16, 0);
      s.laddr[15] = 1;
      s.raddr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};
    }
    s.lport = static_cast<uint16_t>(32768 + i);
    // Three processes (one on a terminal), started long before (minor 9):
    // their starts are other seconds than the records' own times.
    const uint32_t proc = static_cast<uint32_t>(i % 3);
    s.task.pid = s.task.tid = 100 + proc;
    s.owner_pid = 100 + proc;
    s.strings = {"python3", proc == 1 ? "pts/3" : "",
                 "/usr/lib/python3.11/site-packages/tool/bin/python3",
                 "/system.slice/app-worker.service"};
    s.start = (10 + proc) * 1000000000ULL;
    parts.push_back(netlog::test::sock_record(s));
  }
  return netlog::test::concat(parts);
}

void render_stream(benchmark::State& state, netlog::Format format) {
  const auto bytes = stream();
  auto renderer = netlog::make_renderer(format);
  netlog::Context ctx("bench-host",
                      [](uint32_t uid) { return fmt::format("u{}", uid); });
  fmt::memory_buffer out;
  netlog::Record rec;  // reused, as netlog-reader does
  int64_t records = 0;
  for (auto _ : state) {
    netlog::Framer framer;
    auto ok = framer.feed(bytes, [&](std::span<const std::byte> one) {
      if (!netlog::decode_into(one, rec)) renderer->render(rec, ctx, out);
      // netlog-reader writes out and clears its buffer once a read's
      // batch is rendered: a batch here is 256 records.
      if (++records % 256 == 0) {
        benchmark::DoNotOptimize(out.data());
        out.clear();
      }
    });
    if (!ok) state.SkipWithError("corrupt stream");
    benchmark::DoNotOptimize(out.data());
    out.clear();
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(bytes.size()));
}

void BM_Text(benchmark::State& state) {
  render_stream(state, netlog::Format::kText);
}
void BM_Json(benchmark::State& state) {
  render_stream(state, netlog::Format::kJson);
}
void BM_Klog(benchmark::State& state) {
  render_stream(state, netlog::Format::kKlog);
}

}  // namespace

BENCHMARK(BM_Text);
BENCHMARK(BM_Json);
BENCHMARK(BM_Klog);
BENCHMARK_MAIN();
