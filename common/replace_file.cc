#include "replace_file.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace netlog {

std::optional<std::string> replace_file(const std::string& path,
                                        const std::string& text,
                                        unsigned mode) {
  std::string tmp = path + ".XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0)
    return fmt::format("cannot create a file beside {}: {}", path,
                       std::strerror(errno));
  int err = ::fchmod(fd, mode) ? errno : 0;
  for (size_t done = 0; !err && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) err = n < 0 ? errno : EIO;
    done += size_t(std::max<ssize_t>(n, 0));
  }
  if (::close(fd) && !err) err = errno;
  if (!err && ::rename(tmp.c_str(), path.c_str())) err = errno;
  if (!err) return std::nullopt;
  ::unlink(tmp.c_str());
  return fmt::format("cannot write {}: {}", path, std::strerror(err));
}

}  // namespace netlog
