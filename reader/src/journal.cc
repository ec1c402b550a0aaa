#include "journal.h"

#include <sys/uio.h>
#if NETLOG_HAVE_SYSTEMD
#include <systemd/sd-journal.h>
#endif

#include <cctype>
#include <cerrno>

#include "escape.h"
#include "fields.h"

namespace netlog {
namespace {

void put(std::string& fields, std::string_view key, std::string_view value) {
  fields.append(key);
  fields += '=';
  fields.append(value);
  fields += '\0';
}

}  // namespace

void JournalBatch::add(const Record& rec, Context& ctx) {
  Entry e{rec.hdr.seq, rec.last_seq(), {}};
  line_.clear();
  text_->render(rec, ctx, line_);
  put(e.fields, "MESSAGE", std::string_view(line_.data(), line_.size() - 1));
  put(e.fields, "PRIORITY", std::string(1, char('0' + severity(rec))));
  put(e.fields, "SYSLOG_FACILITY", "10");
  put(e.fields, "SYSLOG_IDENTIFIER", "netlog");
  put(e.fields, "NETLOG_TIME", rfc3339(rec.hdr.real_ns));
  fmt::memory_buffer value;
  std::string key;
  for_each_field(
      rec, ctx, [&](std::string_view k, std::string_view v, FieldKind kind) {
        key = "NETLOG_";
        for (char c : k)
          key += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (kind == FieldKind::kNumber) {
          put(e.fields, key, v);
          return;
        }
        if (kind == FieldKind::kList) {
          // One field, a JSON array: journald ignores an entry of more
          // than 1,024 fields, and an exec may have thousands of arguments.
          std::string list = "[";
          for_each_arg(v, [&](std::string_view item) {
            if (list.size() > 1) list += ',';
            list += quote_json(item);
          });
          list += ']';
          put(e.fields, key, list);
          return;
        }
        value.clear();
        append_escaped(value, v, '\0', false);
        put(e.fields, key, std::string_view(value.data(), value.size()));
      });
  entries_.push_back(std::move(e));
}

size_t JournalBatch::send(int& err) {
  std::vector<iovec> iov;
  for (size_t i = 0; i < entries_.size(); i++) {
    const std::string& f = entries_[i].fields;
    iov.clear();
    for (size_t at = 0; at < f.size();) {
      const size_t end = f.find('\0', at);
      iov.push_back({const_cast<char*>(f.data() + at), end - at});
      at = end + 1;
    }
#if NETLOG_HAVE_SYSTEMD
    const int r = sd_journal_sendv(iov.data(), int(iov.size()));
#else
    const int r = -ENOSYS;  // options.cc refuses --output journal
#endif
    if (r < 0) {
      err = -r;
      return i;
    }
  }
  err = 0;
  return entries_.size();
}

void JournalBatch::clear() { entries_.clear(); }

}  // namespace netlog
