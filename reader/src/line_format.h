// What the text and JSON formats share: an emitter for walk() (schema.h)
// that writes into a Line and keeps rendered attributions (WhoCache), and
// the renderer around it.
#pragma once

#include <memory>

#include "line.h"
#include "render.h"
#include "schema.h"
#include "who_cache.h"

namespace netlog {

// The base of a line format's emitter, `Format`, which has the kinds'
// members: the attribution is walked into the line or copied from what
// the cache kept.
template <typename Format>
class LineEmitter {
 public:
  LineEmitter(Line& l, WhoCache& cache) : l_(l), cache_(cache) {}

  template <typename Event, typename Walk>
  void who(Context& ctx, const Event& ev, Walk&& walk) {
    cache_.put(l_, ctx, ev, [&](Line&) { walk(static_cast<Format&>(*this)); });
  }

 protected:
  Line& l_;

 private:
  WhoCache& cache_;
};

// One line per record, `Format`'s, ended by a newline.
template <typename Format>
class LineRenderer : public Renderer {
 public:
  void render(const Record& rec, Context& ctx,
              fmt::memory_buffer& out) override {
    Line l(out);
    Format e(l, who_cache_);
    walk(e, rec, ctx);
    l << '\n';
  }

 private:
  WhoCache who_cache_;
};

}  // namespace netlog
