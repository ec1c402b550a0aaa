// The RFC 5424 format: one syslog message per line,
//   <PRI>1 TIMESTAMP HOSTNAME netlog - EVENT [netlog@32473 KEY="VALUE"...] TEXT
// PRI is facility authpriv (10: the trail is for root's eyes, as auth.log
// is) and the record's severity (fields.h). The structured data carries
// every field of the JSON format under one SD-ID; by default 32473 is the
// private enterprise number RFC 5612 sets aside for documentation, so the
// SD-ID is well formed without claiming anyone's number, and a site gives
// its own with --sd-id (render.h). TEXT is a summary for
// people, some fields in the text format's form; the structured data has
// them all (so that an exec's arguments are not there twice: rsyslog's
// default message size is 8 KiB). A value is escape_bytes()'s printable ASCII
// with '"', '\' and ']' escaped as RFC 5424 section 6.3.3 says, so the original
// bytes can be recovered and no value can end the SD-ELEMENT or the line.
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "escape.h"
#include "fields.h"
#include "render.h"

namespace netlog {
namespace {

constexpr int kFacilityAuthpriv = 10;

void sd_value(fmt::memory_buffer& out, std::string_view s) {
  fmt::memory_buffer plain;
  append_escaped(plain, s, '\0', false);
  for (char c : plain) {
    if (c == '"' || c == '\\' || c == ']') out.push_back('\\');
    out.push_back(c);
  }
}

// HOSTNAME: 1 to 255 printable ASCII bytes without spaces, or "-".
void hostname(fmt::memory_buffer& out, std::string_view host) {
  if (host.empty()) host = "-";
  for (char c : host.substr(0, 255))
    out.push_back(c > ' ' && c < 127 ? c : '_');
}

class Rfc5424Renderer : public Renderer {
 public:
  explicit Rfc5424Renderer(std::string_view sd_id) : sd_id_(sd_id) {}

  void render(const Record& rec, Context& ctx,
              fmt::memory_buffer& out) override {
    // TIMESTAMP: RFC 3339 with at most six fractional digits.
    std::string ts = rfc3339(rec.hdr.real_ns);
    ts.erase(ts.size() - 4, 3);
    fmt::format_to(std::back_inserter(out), "<{}>1 {} ",
                   kFacilityAuthpriv * 8 + severity(rec), ts);
    hostname(out, ctx.host());
    fmt::format_to(std::back_inserter(out), " netlog - {} [{}",
                   record_event(rec), sd_id_);
    auto param = [&](std::string_view key, std::string_view value,
                     FieldKind kind) {
      out.push_back(' ');
      out.append(key);
      out.append(std::string_view("=\""));
      if (kind == FieldKind::kNumber)
        out.append(value);
      else
        sd_value(out, value);
      out.push_back('"');
    };
    for_each_field(
        rec, ctx,
        [&](std::string_view key, std::string_view value, FieldKind kind) {
          if (kind != FieldKind::kList) return param(key, value, kind);
          // A PARAM per item, "arg0" ... for argv, "env0" ... for env.
          const auto prefix = key == "argv" ? key.substr(0, 3) : key;
          size_t i = 0;
          char name[16];
          for_each_arg(value, [&](std::string_view item) {
            const auto end =
                fmt::format_to_n(name, sizeof(name), "{}{}", prefix, i++).out;
            param(std::string_view(name, size_t(end - name)), item,
                  FieldKind::kText);
          });
        });
    out.push_back(']');
    for_each_field(
        rec, ctx,
        [&](std::string_view key, std::string_view value, FieldKind kind) {
          if (!in_summary(key)) return;
          out.push_back(' ');
          out.append(key);
          out.push_back('=');
          if (kind == FieldKind::kNumber)
            out.append(value);
          else
            append_escaped(out, value, ' ', false);
        });
    out.push_back('\n');
  }

 private:
  static bool in_summary(std::string_view key) {
    static constexpr std::string_view kKeys[] = {
        "event",  "proto",    "laddr", "lport", "raddr", "rport",
        "result", "filename", "param", "count", "uid",   "comm"};
    return std::find(std::begin(kKeys), std::end(kKeys), key) !=
           std::end(kKeys);
  }

  std::string sd_id_;
};

}  // namespace

std::unique_ptr<Renderer> make_rfc5424_renderer(std::string_view sd_id) {
  return std::make_unique<Rfc5424Renderer>(sd_id);
}

bool valid_sd_id(std::string_view id) {
  const size_t at = id.find('@');
  if (id.size() > 32 || at == 0 || at == std::string_view::npos ||
      at + 1 == id.size())
    return false;
  for (char c : id.substr(0, at))
    if (c <= ' ' || c >= 127 || c == '=' || c == ']' || c == '"') return false;
  // The number: digits, each dot between two of them.
  char prev = '.';
  for (char c : id.substr(at + 1)) {
    if (c == '.' ? prev == '.' : (c < '0' || c > '9')) return false;
    prev = c;
  }
  return prev != '.';
}

}  // namespace netlog
