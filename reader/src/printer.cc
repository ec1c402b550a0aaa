#include "printer.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <utility>

#include "escape.h"
#include "uapi/netlog.h"

namespace netlog {

Result<Fd> connect_unix(const std::string& path) {
  Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid())
    return Error{fmt::format("socket: {}", std::strerror(errno))};
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0)
    return Error{
        fmt::format("cannot connect to {}: {}", path, std::strerror(errno))};
  return fd;
}

Printer::Printer(const Options& opts, Context& ctx, std::FILE* out,
                 std::FILE* err, Fd sock, std::optional<LogFile> file)
    : opts_(opts),
      ctx_(ctx),
      out_(file ? file->stream() : out),
      err_(err),
      sock_(std::move(sock)),
      file_(std::move(file)),
      renderer_(make_renderer(opts.format, opts.sd_id)) {}

void Printer::record(std::span<const std::byte> bytes) {
  counts_.read++;
  if (opts_.raw) {
    buf_.append(reinterpret_cast<const char*>(bytes.data()),
                reinterpret_cast<const char*>(bytes.data() + bytes.size()));
    netlog_lost lost{};  // its header is any record's header
    std::memcpy(&lost, bytes.data(), std::min(bytes.size(), sizeof(lost)));
    const bool is_lost = lost.hdr.type == NETLOG_REC_LOST;
    count(is_lost ? lost.count : 0, is_lost ? lost.last_seq : lost.hdr.seq);
    note(lost.hdr.seq, counts_.last_seq);
    return;
  }
  if (auto err = decode_into(bytes, rec_)) {
    flush();
    throw Fatal(fmt::format("corrupt record at stream offset {}: {}", offset_,
                            err->message));
  }
  offset_ += bytes.size();
  const auto* lost = std::get_if<LostEvent>(&rec_.body);
  count(lost ? lost->count : 0, rec_.last_seq());
  if (lost)
    fmt::print(err_, "netlog-reader: lost {} records (seq {}-{}){}\n",
               lost->count, lost->first_seq, lost->last_seq,
               lost->uids ? fmt::format(" of uids {} and {} others'",
                                        lost_uids(*lost), lost->other)
                          : "");
  else if (const auto* missed = std::get_if<MissedEvent>(&rec_.body))
    fmt::print(err_, "netlog-reader: {} {} calls left no record (seq {})\n",
               escape_bytes(missed->hook), missed->count, rec_.hdr.seq);
  if (opts_.output == Output::kJournal) {
    journal_.add(rec_, ctx_);
    return;
  }
  renderer_->render(rec_, ctx_, buf_);
  note(rec_.hdr.seq, rec_.last_seq());
}

void Printer::consume(std::span<const std::byte> bytes) {
  auto ok = framer_.feed(bytes, [&](auto rec) { record(rec); });
  flush();
  if (!ok) throw Fatal(ok.error().message);
}

void Printer::count(uint64_t lost, uint64_t last_seq) {
  counts_.lost += lost;
  counts_.last_seq = last_seq;
}

void Printer::flush() {
  const size_t batch = journal_.size() + pending_.size();
  if (journal_.size()) send_journal();
  if (sock_.valid())
    send_datagrams();
  else
    write_out();
  counts_.written += batch;
}

void Printer::write_out() {
  size_t done = 0;
  while (done < buf_.size()) {
    done += std::fwrite(buf_.data() + done, 1, buf_.size() - done, out_);
    if (done < buf_.size()) retry_or_fail(done);
  }
  if (opts_.fsync && !pending_.empty())
    if (auto err = file_->sync())
      fail_write(fmt::format("{}; records seq {}-{} may not be on disk",
                             err->message, first_seq_, pending_.back().seq));
  buf_.clear();
  pending_.clear();
  while (std::fflush(out_) != 0) retry_or_fail(0);
}

void Printer::reopen() {
  if (!file_) return;
  flush();
  if (auto err = file_->reopen()) {
    fmt::print(err_, "netlog-reader: {}; writing on to the file open before\n",
               err->message);
    return;
  }
  out_ = file_->stream();
  fmt::print(err_, "netlog-reader: reopened {}\n", file_->path());
}

void Printer::note(uint64_t first, uint64_t last) {
  if (pending_.empty()) first_seq_ = first;
  pending_.push_back({buf_.size(), last});
  if (!started_) say_start(first);
}

void Printer::say_start(uint64_t first) {
  started_ = true;
  if (!file_ || opts_.raw) return;
  // The first record on a line of its own (the cut line stays as it is).
  if (file_->cut_short())
    while (std::fwrite("\n", 1, 1, out_) != 1) retry_or_fail(0);
  // (A binary capture's bytes after a newline may be a user's argument.)
  const auto last = file_->last_seq();
  if (!last) return;
  const std::string ends =
      fmt::format("{} ends at seq {}, this reader starts at seq {}",
                  file_->path(), *last, first);
  if (first == *last + 1)
    fmt::print(err_, "netlog-reader: {}\n", ends);
  else if (first > *last)
    fmt::print(err_,
               "netlog-reader: {}: records seq {}-{} were read from the "
               "device and not written here (by a reader killed before it "
               "wrote them, or another reader)\n",
               ends, *last + 1, first - 1);
  else
    fmt::print(err_, "netlog-reader: {}: the modules were loaded again\n",
               ends);
}

void Printer::send_journal() {
  int err = 0;
  const size_t sent = journal_.send(err);
  const size_t n = journal_.size();
  if (sent == n) {
    journal_.clear();
    return;
  }
  const uint64_t from = journal_.first_seq(sent), to = journal_.last_seq(n - 1);
  journal_.clear();
  fail_write(fmt::format(
      "journal: {}; records seq {}-{} were read from the device and not "
      "written",
      std::strerror(err), from, to));
}

void Printer::send_datagrams() {
  size_t start = 0;
  for (size_t i = 0; i < pending_.size(); i++) {
    const size_t end = pending_[i].end;
    const size_t len = end - start - (end > start && buf_[end - 1] == '\n');
    while (::send(sock_.get(), buf_.data() + start, len, MSG_NOSIGNAL) < 0) {
      if (errno == EINTR) continue;
      fail_write(fmt::format("send to {}: {}{}", opts_.path,
                             std::strerror(errno), unwritten(i)));
    }
    start = end;
  }
  buf_.clear();
  pending_.clear();
}

void Printer::retry_or_fail(size_t done) {
  const int e = errno;
  std::clearerr(out_);
  if (e == EINTR) return;
  if (e == EAGAIN || e == EWOULDBLOCK) {
    pollfd p{fileno(out_), POLLOUT, 0};
    if (poll(&p, 1, -1) >= 0 || errno == EINTR) return;
  }
  std::string what = fmt::format("write error: {}", std::strerror(e));
  // The first record not written whole, through the last one read.
  auto first = std::find_if(pending_.begin(), pending_.end(),
                            [&](const Pending& p) { return p.end > done; });
  if (first != pending_.end()) what += unwritten(first - pending_.begin());
  fail_write(what);
}

std::string Printer::unwritten(size_t i) const {
  const uint64_t from = i ? pending_[i - 1].seq + 1 : first_seq_;
  return fmt::format(
      "; records seq {}-{} were read from the device and not written", from,
      pending_.back().seq);
}

void Printer::fail_write(const std::string& what) {
  counts_.write_failed = true;
  throw Fatal(what);
}

}  // namespace netlog
