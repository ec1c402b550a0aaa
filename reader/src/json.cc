// The JSON format: one object per line, keys as in docs/format.md.
#include "line_format.h"

namespace netlog {
namespace {

// The JSON format's emitter for walk() (schema.h): "key":value, each field
// followed by a comma but the last, the host, which closes the object.
class JsonLine : public LineEmitter<JsonLine> {
 public:
  using LineEmitter::LineEmitter;

  template <Key K>
  void num(KeyOf<K>, std::integral auto v) {
    l_ << key<K>() << v << ',';
  }
  template <Key K>
  void name(KeyOf<K>, std::string_view s) {
    l_ << Join<"\"", K, "\":\"">::view << s << "\",";
  }
  template <Key K>
  void text(KeyOf<K>, std::string_view s) {
    (l_ << key<K>()).quoted(s, Quote::kJson) << ',';
  }
  template <Key K>
  void list(KeyOf<K>, std::string_view items) {
    (l_ << key<K>()).quoted_list(items, Quote::kJson) << ',';
  }
  template <Key K>
  void addr(KeyOf<K>, const Address& a) {
    l_ << Join<"\"", K, "\":\"">::view << a << "\",";
  }
  template <Key K>
  void boolean(KeyOf<K>, bool b) {
    l_ << key<K>() << (b ? std::string_view("true,") : "false,");
  }
  template <Key K>
  void flag(KeyOf<K>) {
    l_ << Join<"\"", K, "\":true,">::view;
  }
  template <Key K>
  void time(KeyOf<K>, uint64_t real_ns) {
    (l_ << Join<"\"", K, "\":\"">::view).time(real_ns) << "\",";
  }
  template <Key K>
  void stamp(KeyOf<K> k, uint64_t real_ns) {
    time(k, real_ns);
  }
  // An array of {"uid","user","count"}, empty when the record names
  // nobody.
  template <Key K>
  void uids(KeyOf<K>, const LostEvent& lost, Context& ctx) {
    l_ << Join<"\"", K, "\":[">::view;
    for (size_t i = 0; i < lost.uids; i++) {
      const auto& u = lost.by_uid[i];
      l_ << (i ? "," : "") << R"({"uid":)" << u.uid << R"(,"user":)";
      l_.quoted(ctx.user(u.uid), Quote::kJson)
          << R"(,"count":)" << u.count << '}';
    }
    l_ << "],";
  }
  template <Key K>
  void host(KeyOf<K>, Context& ctx) {
    const std::string_view quoted = ctx.quoted_host(Quote::kJson);
    l_.extend(quoted.size());
    l_ << key<K>() << quoted << '}';
  }

 private:
  template <Key K>
  static constexpr std::string_view key() {
    if constexpr (K.view() == kFirstKey)
      return Join<"{\"", K, "\":">::view;
    else
      return Join<"\"", K, "\":">::view;
  }
};

}  // namespace

std::unique_ptr<Renderer> make_json_renderer() {
  return std::make_unique<LineRenderer<JsonLine>>();
}

}  // namespace netlog
