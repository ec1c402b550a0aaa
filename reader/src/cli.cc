#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iterator>

#include "escape.h"
#include "fd.h"
#include "journal.h"
#include "stream.h"
#include "uapi/netlog.h"

#ifndef NETLOG_VERSION
#define NETLOG_VERSION "unknown"
#endif

namespace netlog {
namespace {

volatile sig_atomic_t g_stop = 0;

void on_signal(int) { g_stop = 1; }

// Read buffer: many records per read(); grown if the kernel says a record
// does not fit (it never should: NETLOG_REC_MAX is far smaller).
constexpr size_t kReadSize = 256 * 1024;
constexpr size_t kReadSizeMax = 16 * 1024 * 1024;

Result<Fd> open_device(const std::string& path, bool nonblock) {
  int fd =
      ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));
  if (fd >= 0) return Fd(fd);
  const int e = errno;
  std::string why;
  struct stat st;
  if (e == ENOENT && path == kDefaultDevice &&
      stat("/sys/module/secure_log", &st) != 0)
    why = "module secure_log not loaded";
  else if (e == EPERM || e == EACCES)
    why = "permission denied (needs root: CAP_SYS_ADMIN or CAP_SYSLOG)";
  else if (e == EBUSY)
    why = "another reader has it open";
  else
    why = std::strerror(e);
  return Error{fmt::format("cannot open {}: {}", path, why)};
}

Result<Fd> open_input(const std::string& path) {
  if (path == "-") return Fd(::dup(STDIN_FILENO));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Error{fmt::format("cannot open {}: {}", path, std::strerror(errno))};
  return Fd(fd);
}

// A datagram socket connected to a syslog daemon's socket at `path`.
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

// Turns whole records into output, one batch per read.
class Printer {
 public:
  Printer(const Options& opts, Context& ctx, std::FILE* out, std::FILE* err,
          Fd sock = {})
      : opts_(opts),
        ctx_(ctx),
        out_(out),
        err_(err),
        sock_(std::move(sock)),
        renderer_(make_renderer(opts.format)) {}

  void record(std::span<const std::byte> bytes) {
    if (opts_.raw) {
      buf_.append(reinterpret_cast<const char*>(bytes.data()),
                  reinterpret_cast<const char*>(bytes.data() + bytes.size()));
      netlog_lost lost{};  // its header is any record's header
      std::memcpy(&lost, bytes.data(), std::min(bytes.size(), sizeof(lost)));
      note(lost.hdr.seq,
           lost.hdr.type == NETLOG_REC_LOST ? lost.last_seq : lost.hdr.seq);
      return;
    }
    if (auto err = decode_into(bytes, rec_)) {
      flush();
      throw Fatal(fmt::format("corrupt record at stream offset {}: {}", offset_,
                              err->message));
    }
    offset_ += bytes.size();
    if (const auto* lost = std::get_if<LostEvent>(&rec_.body))
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
    const auto* lost = std::get_if<LostEvent>(&rec_.body);
    note(rec_.hdr.seq, lost ? lost->last_seq : rec_.hdr.seq);
  }

  // Prints the whole records in `bytes`; a partial one is held back.
  void consume(std::span<const std::byte> bytes) {
    auto ok = framer_.feed(bytes, [&](auto rec) { record(rec); });
    flush();
    if (!ok) throw Fatal(ok.error().message);
  }

  const Framer& framer() const { return framer_; }

  // Writes out everything rendered so far (`out_` is unbuffered, so what
  // fwrite reports is what was written). A signal (SIGTERM while a slow
  // pipe blocks us) interrupts the write but loses nothing: what the device
  // gave us is written before we stop; a non-blocking output that is full
  // is waited for. Any other error (EPIPE: the consumer is gone) is fatal,
  // and its message names the records taken from the device and not
  // written, so that none is lost without a trace.
  void flush() {
    if (journal_.size()) send_journal();
    if (sock_.valid()) return send_datagrams();
    size_t done = 0;
    while (done < buf_.size()) {
      done += std::fwrite(buf_.data() + done, 1, buf_.size() - done, out_);
      if (done < buf_.size()) retry_or_fail(done);
    }
    buf_.clear();
    pending_.clear();
    while (std::fflush(out_) != 0) retry_or_fail(0);
  }

 private:
  struct Pending {
    size_t end;    // where the record's output ends in buf_
    uint64_t seq;  // its last sequence number
  };

  // The record just put in buf_ covers sequence numbers first..last.
  void note(uint64_t first, uint64_t last) {
    if (pending_.empty()) first_seq_ = first;
    pending_.push_back({buf_.size(), last});
  }

  // The batch to the journal. journald gone is fatal, and the message
  // names the records read from the device and not sent.
  void send_journal() {
    int err = 0;
    const size_t sent = journal_.send(err);
    const size_t n = journal_.size();
    if (sent == n) {
      journal_.clear();
      return;
    }
    const uint64_t from = journal_.first_seq(sent),
                   to = journal_.last_seq(n - 1);
    journal_.clear();
    throw Fatal(fmt::format(
        "journal: {}; records seq {}-{} were read from the device and not "
        "written",
        std::strerror(err), from, to));
  }

  // Each record's line, without its newline, as one datagram. A full
  // socket is waited for (the socket blocks); any error but a signal is
  // fatal and names the records read and not sent, as a write error does.
  void send_datagrams() {
    size_t start = 0;
    for (size_t i = 0; i < pending_.size(); i++) {
      const size_t end = pending_[i].end;
      const size_t len = end - start - (end > start && buf_[end - 1] == '\n');
      while (::send(sock_.get(), buf_.data() + start, len, MSG_NOSIGNAL) < 0) {
        if (errno == EINTR) continue;
        const int e = errno;
        const uint64_t from = i ? pending_[i - 1].seq + 1 : first_seq_;
        throw Fatal(fmt::format(
            "send to {}: {}; records seq {}-{} were read from the device and "
            "not written",
            opts_.socket_path, std::strerror(e), from, pending_.back().seq));
      }
      start = end;
    }
    buf_.clear();
    pending_.clear();
  }

  void retry_or_fail(size_t done) {
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
    if (first != pending_.end()) {
      const uint64_t from =
          first == pending_.begin() ? first_seq_ : std::prev(first)->seq + 1;
      what += fmt::format(
          "; records seq {}-{} were read from the device and not written", from,
          pending_.back().seq);
    }
    throw Fatal(what);
  }

  const Options& opts_;
  Context& ctx_;
  std::FILE* out_;
  std::FILE* err_;
  Fd sock_;  // --output unix:PATH
  std::unique_ptr<Renderer> renderer_;
  JournalBatch journal_;  // --output journal
  Framer framer_;
  Record rec_;  // reused from record to record
  fmt::memory_buffer buf_;
  std::vector<Pending> pending_;  // the records in buf_, in order
  uint64_t first_seq_ = 0;        // seq of the first record in buf_
  size_t offset_ = 0;
};

// The device returns whole records per read(); a record that does not fit
// the buffer is refused (EINVAL) and left in place.
int drain_device(const Options& opts, Printer& printer) {
  auto fd = open_device(opts.device, opts.once);
  if (!fd) throw Fatal(fd.error().message);
  std::vector<std::byte> buf(kReadSize);
  while (!g_stop) {
    ssize_t n = ::read(fd->get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      if (errno == EINVAL && buf.size() < kReadSizeMax) {
        buf.resize(buf.size() * 2);
        continue;
      }
      throw Fatal(
          fmt::format("read {}: {}", opts.device, std::strerror(errno)));
    }
    if (n == 0) break;
    printer.consume(std::span(buf.data(), size_t(n)));
    if (printer.framer().pending())
      throw Fatal(
          fmt::format("read {}: partial record from the device", opts.device));
  }
  return 0;
}

int replay_input(const Options& opts, Printer& printer) {
  auto fd = open_input(*opts.input);
  if (!fd) throw Fatal(fd.error().message);
  std::vector<std::byte> buf(kReadSize);
  for (;;) {
    ssize_t n = ::read(fd->get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR && !g_stop) continue;
      throw Fatal(
          fmt::format("read {}: {}", *opts.input, std::strerror(errno)));
    }
    if (n == 0) break;
    printer.consume(std::span(buf.data(), size_t(n)));
  }
  if (const auto& framer = printer.framer(); framer.pending())
    throw Fatal(
        fmt::format("truncated record at end of {} (offset {}, {} bytes)",
                    *opts.input, framer.offset(), framer.pending()));
  return 0;
}

}  // namespace

int run(const Options& opts, Context& ctx, std::FILE* out, std::FILE* err) {
  if (opts.help) {
    fmt::print(out, "{}", usage());
    return 0;
  }
  if (opts.version) {
    fmt::print(out, "netlog-reader {}\n", NETLOG_VERSION);
    return 0;
  }
  // Unbuffered: each flush() is one write of a whole batch, and a failed
  // write says exactly how much of it went out.
  std::setvbuf(out, nullptr, _IONBF, 0);
  Fd sock;
  if (opts.output == Output::kUnix) {
    auto s = connect_unix(opts.socket_path);
    if (!s) throw Fatal(s.error().message);
    sock = std::move(*s);
  }
  Printer printer(opts, ctx, out, err, std::move(sock));
  return opts.input ? replay_input(opts, printer) : drain_device(opts, printer);
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read() must return EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // A consumer that goes away (logger exits) is a write error that names
  // what was not written, not a silent death; a hangup is not a reason to
  // stop auditing.
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
}

}  // namespace netlog
