#pragma once

// The rendered attribution of the last few tasks. A trail is mostly the
// same few processes again and again, and their attribution (ids, user
// names, tty, comm, exe, cgroup, netns) renders to the same bytes every
// time: a record whose task and strings equal a kept entry's copies its
// text instead of formatting and escaping it again. User names do not
// change under a Context (it keeps each one it looked up), so neither can
// the text of one Context's records.
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
  // rendered to last time for the same task and strings under `ctx`.
  template <typename Event, typename Render>
  void put(Line& l, const Context& ctx, const Event& ev, Render&& render) {
    Entry& e = entries_[slot(ev.task)];
    if (e.ctx == &ctx && e.task == ev.task && e.comm == ev.comm &&
        e.exe == ev.exe && e.cgroup == ev.cgroup && e.tty == ev.tty) {
      l << std::string_view(e.text);
      return;
    }
    const char* start = l.pos();
    render(l);
    e.ctx = &ctx;
    e.task = ev.task;
    e.comm = ev.comm;
    e.exe = ev.exe;
    e.cgroup = ev.cgroup;
    e.tty = ev.tty;
    e.text.assign(start, l.pos());
  }

 private:
  struct Entry {
    const Context* ctx = nullptr;  // none yet
    Task task;
    std::string comm, exe, cgroup, tty, text;
  };
  static size_t slot(const Task& t) { return (t.tid * 0x9e3779b1u) >> 30; }
  std::array<Entry, 4> entries_;
};

}  // namespace netlog
