// The text format: one line of key=value pairs per record, strings quoted
// and escaped. Meant for `netlog-reader | logger -t netlog`.
#include "line_format.h"

namespace netlog {
namespace {

// The text format's emitter for walk() (schema.h): " key=value", names,
// numbers and addresses bare, untrusted strings quoted.
class TextLine : public LineEmitter<TextLine> {
 public:
  using LineEmitter::LineEmitter;

  template <Key K>
  void num(KeyOf<K>, std::integral auto v) {
    l_ << key<K>() << v;
  }
  template <Key K>
  void name(KeyOf<K>, std::string_view s) {
    l_ << key<K>() << s;
  }
  template <Key K>
  void text(KeyOf<K>, std::string_view s) {
    (l_ << key<K>()).quoted(s, Quote::kText);
  }
  template <Key K>
  void list(KeyOf<K>, std::string_view items) {
    (l_ << key<K>()).quoted_list(items, Quote::kText);
  }
  template <Key K>
  void addr(KeyOf<K>, const Address& a) {
    l_ << key<K>() << a;
  }
  template <Key K>
  void boolean(KeyOf<K>, bool b) {
    l_ << key<K>() << (b ? '1' : '0');
  }
  template <Key K>
  void flag(KeyOf<K>) {
    l_ << Join<" ", K, "=1">::view;
  }
  template <Key K>
  void time(KeyOf<K>, uint64_t real_ns) {
    (l_ << key<K>()).time(real_ns);
  }
  template <Key K>
  void stamp(KeyOf<K> k, uint64_t real_ns) {
    time(k, real_ns);
  }
  // "1000:5,0:2"; nothing when the record names nobody.
  template <Key K>
  void uids(KeyOf<K>, const LostEvent& lost, Context&) {
    if (lost.uids) l_ << key<K>() << lost_uids(lost);
  }
  template <Key K>
  void host(KeyOf<K>, Context& ctx) {
    const std::string_view quoted = ctx.quoted_host(Quote::kText);
    l_.extend(quoted.size());
    l_ << key<K>() << quoted;
  }

 private:
  template <Key K>
  static constexpr std::string_view key() {
    if constexpr (K.view() == kFirstKey)
      return Join<K, "=">::view;
    else
      return Join<" ", K, "=">::view;
  }
};

}  // namespace

std::unique_ptr<Renderer> make_text_renderer() {
  return std::make_unique<LineRenderer<TextLine>>();
}

}  // namespace netlog
