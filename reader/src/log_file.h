// --output file:PATH: the trail appended to a file only root can read,
// reopened when logrotate has moved it away (log_file.cc).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "result.h"

namespace netlog {

class LogFile {
 public:
  // Opens PATH for appending, creating it 0600; a FIFO, a device or a
  // symbolic link there is refused (a file written as root that a link
  // could point anywhere).
  static Result<LogFile> open(const std::string& path);

  // Unbuffered: the printer's one fwrite per batch is one write(2).
  std::FILE* stream() const { return file_.get(); }
  const std::string& path() const { return path_; }

  // The last sequence number the file held when it was opened, from its
  // last whole line in the text or JSON format (a LOST record's last_seq):
  // where the reader before this one stopped writing. Read only from the
  // fields before any a user chooses.
  std::optional<uint64_t> last_seq() const { return last_seq_; }
  // The file ended in a line cut short (a reader killed in its write).
  bool cut_short() const { return cut_short_; }

  // Opens PATH again (SIGHUP, after logrotate renamed it). On failure the
  // old file stays in use, so nothing is lost, and the error says why.
  std::optional<Error> reopen();

  // Writes what the kernel holds of the file to disk (--fsync).
  std::optional<Error> sync() const;

 private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  LogFile(std::string path, std::FILE* f, std::optional<uint64_t> last_seq,
          bool cut_short)
      : path_(std::move(path)),
        file_(f),
        last_seq_(last_seq),
        cut_short_(cut_short) {}

  std::string path_;
  std::unique_ptr<std::FILE, Closer> file_;
  std::optional<uint64_t> last_seq_;
  bool cut_short_ = false;
};

}  // namespace netlog
