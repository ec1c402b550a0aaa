#include "log_file.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <string_view>
#include <vector>

namespace netlog {
namespace {

// A file's last whole line is looked for this far back from its end.
constexpr size_t kTail = 1 << 20;

// The number that follows `key` at the start of `s`, and the rest of `s`.
std::optional<uint64_t> number_after(std::string_view& s,
                                     std::string_view key) {
  if (!s.starts_with(key)) return std::nullopt;
  s.remove_prefix(key.size());
  uint64_t n;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{}) return std::nullopt;
  s.remove_prefix(size_t(end - s.data()));
  return n;
}

// A text line "seq=N time=T event=E ..." or a JSON line
// {"seq":N,"time":"T","event":"E",...}; a LOST record's range ends at its
// last_seq, two numbers further on.
std::optional<uint64_t> line_seq(std::string_view line) {
  const bool json = line.starts_with('{');
  auto seq = number_after(line, json ? R"({"seq":)" : "seq=");
  if (!seq) return std::nullopt;
  const std::string_view lost =
      json ? R"(","event":"lost","count":)" : " event=lost count=";
  const size_t at = line.find(lost);
  // The time is the only field between, and it has no spaces or quotes.
  if (at == std::string_view::npos || at > 48) return seq;
  line.remove_prefix(at + lost.size());
  if (!number_after(line, "")) return seq;
  if (!number_after(line, json ? R"(,"first_seq":)" : " first_seq="))
    return seq;
  return number_after(line, json ? R"(,"last_seq":)" : " last_seq=");
}

struct Tail {
  std::optional<uint64_t> last_seq;  // of the last whole line
  bool cut_short = false;            // no newline at the end
};

Tail read_tail(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size == 0) return {};
  const size_t size = size_t(st.st_size), len = std::min(size, kTail);
  std::vector<char> tail(len);
  if (pread(fd, tail.data(), len, off_t(size - len)) != ssize_t(len)) return {};
  const std::string_view s(tail.data(), len);
  Tail t;
  t.cut_short = s.back() != '\n';
  // A line cut short (a full disk, a reader killed) is not a whole line.
  const size_t end = s.rfind('\n');
  if (end == std::string_view::npos || end == 0) return t;
  const size_t start = s.rfind('\n', end - 1);
  if (start == std::string_view::npos && len < size) return t;
  const size_t from = start == std::string_view::npos ? 0 : start + 1;
  t.last_seq = line_seq(s.substr(from, end - from));
  return t;
}

// O_NONBLOCK: a FIFO put at the path is refused at once instead of waiting
// for a reader (it does nothing to a regular file's writes).
Result<std::FILE*> open_append(const std::string& path) {
  const int fd = ::open(path.c_str(),
                        O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
                            O_NOCTTY | O_NONBLOCK,
                        0600);
  if (fd < 0)
    return Error{fmt::format("cannot open {}: {}", path, std::strerror(errno))};
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{fmt::format("{} is not a regular file", path)};
  }
  std::FILE* f = fdopen(fd, "a");
  if (!f) {
    const int e = errno;
    ::close(fd);
    return Error{fmt::format("fdopen {}: {}", path, std::strerror(e))};
  }
  std::setvbuf(f, nullptr, _IONBF, 0);
  return f;
}

}  // namespace

Result<LogFile> LogFile::open(const std::string& path) {
  auto f = open_append(path);
  if (!f) return f.error();
  const Tail tail = read_tail(fileno(*f));
  return LogFile(path, *f, tail.last_seq, tail.cut_short);
}

std::optional<Error> LogFile::reopen() {
  auto f = open_append(path_);
  if (!f) return f.error();
  file_.reset(*f);
  return std::nullopt;
}

std::optional<Error> LogFile::sync() const {
  if (fdatasync(fileno(file_.get())) == 0) return std::nullopt;
  return Error{fmt::format("fsync {}: {}", path_, std::strerror(errno)), errno};
}

}  // namespace netlog
