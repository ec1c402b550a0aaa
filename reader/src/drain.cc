#include "drain.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "fd.h"
#include "metrics.h"
#include "notify.h"
#include "printer.h"
#include "stream.h"
#include "uapi/netlog.h"

#ifndef NETLOG_VERSION
#define NETLOG_VERSION "unknown"
#endif

namespace netlog {
namespace {

volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_hangup = 0;

void on_signal(int) { g_stop = 1; }
void on_hangup(int) { g_hangup = 1; }

// Between batches: a SIGHUP since the last one reopens the output file.
void take_hangup(Printer& printer) {
  if (!g_hangup) return;
  g_hangup = 0;
  printer.reopen();
}

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
    return Error{
        fmt::format("cannot open {}: module secure_log not loaded", path),
        ENODEV};
  if (e == EPERM || e == EACCES)
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

// Until records can be read, or the watchdog's next ping is due (false).
bool wait_for_records(int fd, const Notifier& notifier) {
  if (notifier.wait_ms() < 0) return true;  // read() blocks
  pollfd p{fd, POLLIN, 0};
  const int n = poll(&p, 1, notifier.wait_ms());
  return n > 0 || (n < 0 && errno != EINTR);  // an error: read() says which
}

// The device returns whole records per read(); a record that does not fit
// the buffer is refused (EINVAL) and left in place.
void drain_records(const Options& opts, Printer& printer, Metrics& metrics) {
  auto fd = open_device(opts.device, opts.once);
  if (!fd && fd.error().code == ENODEV) throw NoDevice(fd.error().message);
  if (!fd) throw Fatal(fd.error().message);
  Notifier notifier;
  notifier.ready(opts.device, printer.counts());
  std::vector<std::byte> buf(kReadSize);
  while (!g_stop) {
    take_hangup(printer);
    const uint64_t now = Notifier::now();
    notifier.tick(printer.counts(), now);
    metrics.tick(printer.counts(), now);
    if (!opts.once && !wait_for_records(fd->get(), notifier)) continue;
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
}

// The page says how the reader stopped, whatever stopped it.
int drain_device(const Options& opts, Printer& printer, std::FILE* err) {
  Metrics metrics(opts.metrics, err);
  try {
    drain_records(opts, printer, metrics);
  } catch (...) {
    metrics.stop(printer.counts());
    throw;
  }
  metrics.stop(printer.counts());
  return 0;
}

int replay_input(const Options& opts, Printer& printer) {
  auto fd = open_input(*opts.input);
  if (!fd) throw Fatal(fd.error().message);
  std::vector<std::byte> buf(kReadSize);
  for (;;) {
    take_hangup(printer);
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
    auto s = connect_unix(opts.path);
    if (!s) throw Fatal(s.error().message);
    sock = std::move(*s);
  }
  std::optional<LogFile> file;
  if (opts.output == Output::kFile) {
    auto f = LogFile::open(opts.path);
    if (!f) throw Fatal(f.error().message);
    file = std::move(*f);
  }
  Printer printer(opts, ctx, out, err, std::move(sock), std::move(file));
  return opts.input ? replay_input(opts, printer)
                    : drain_device(opts, printer, err);
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
  // stop auditing: it reopens the output file (logrotate's postrotate).
  signal(SIGPIPE, SIG_IGN);
  sa.sa_handler = on_hangup;
  sigaction(SIGHUP, &sa, nullptr);
}

}  // namespace netlog
