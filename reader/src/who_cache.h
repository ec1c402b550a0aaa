#pragma once

// The rendered attribution of the last few tasks. A trail is mostly the
// same few processes again and again, and their attribution (ids, user
// names, tty, comm, exe, cgroup, netns) renders to the same bytes every
// time: a record whose task and strings came as the same bytes as a kept
// entry's (its who_bytes, one memcmp) copies its text instead of
// formatting and escaping it again. User names do not change under a
// Context (it keeps each one it looked up), so neither can the text of one
// Context's records.
//
// Measured with callgrind on a UDP-loop-like stream (20,000 records of two
// alternating processes, Release build): see docs/benchmarks.md.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "line.h"
#include "record.h"
#include "render.h"

namespace netlog {

class WhoCache {
 public:
  // Renders `ev`'s attribution with `render(l)`, or copies the text it
  // rendered to last time for the same task and strings under `ctx`. The
  // line's room (Line::extend) grows by what this adds: the text's length,
  // or room for the numbers `render` writes (its strings make their own).
  template <typename Event, typename Render>
  void put(Line& l, Context& ctx, const Event& ev, Render&& render) {
    Entry& e = entries_[slot(ev.task)];
    if (e.ctx == &ctx && e.audit == ev.task.audit && !ev.who_bytes.empty() &&
        e.key == ev.who_bytes) {
      l.extend(e.text.size());
      l << std::string_view(e.text);
      return;
    }
    // Its numbers; its strings make their own room.
    l.extend(Line::kFixedBound);
    const size_t start = l.offset();
    render(l);
    e.ctx = &ctx;
    e.audit = ev.task.audit;
    e.key = ev.who_bytes;
    e.text.assign(l.since(start));
  }

 private:
  struct Entry {
    const Context* ctx = nullptr;  // none yet
    bool audit = false;            // the record's minor has auid and ses
    std::string key;               // the record's who_bytes
    std::string text;
  };
  static size_t slot(const Task& t) { return (t.tid * 0x9e3779b1u) >> 30; }
  std::array<Entry, 4> entries_;
};

}  // namespace netlog
