// Whole records to output: decoded, rendered in the chosen format, and
// written to standard output, the journal, a Unix datagram socket or a
// file, one batch per read, with every record read and not written named
// in the error that stops the reader (printer.cc).
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fd.h"
#include "journal.h"
#include "log_file.h"
#include "options.h"
#include "record.h"
#include "render.h"
#include "result.h"
#include "stream.h"

namespace netlog {

// What the reader has done since it started.
struct Counts {
  uint64_t read = 0;     // records taken from the device (or --input)
  uint64_t written = 0;  // records delivered to the output
  uint64_t lost = 0;     // records the ring's LOST records say were lost
  uint64_t last_seq = 0;
  bool write_failed = false;  // a write error is stopping the reader
};

// A datagram socket connected to a syslog daemon's socket at `path`.
Result<Fd> connect_unix(const std::string& path);

// Turns whole records into output, one batch per read.
class Printer {
 public:
  // Writes to `out`, or to `file` (--output file:PATH) or `sock`
  // (unix:PATH) when given.
  Printer(const Options& opts, Context& ctx, std::FILE* out, std::FILE* err,
          Fd sock = {}, std::optional<LogFile> file = {});

  // Renders one whole record into the batch.
  void record(std::span<const std::byte> bytes);

  // Prints the whole records in `bytes`; a partial one is held back.
  void consume(std::span<const std::byte> bytes);

  const Framer& framer() const { return framer_; }
  const Counts& counts() const { return counts_; }

  // Writes out everything rendered so far (`out_` is unbuffered, so what
  // fwrite reports is what was written). A signal (SIGTERM while a slow
  // pipe blocks us) interrupts the write but loses nothing: what the device
  // gave us is written before we stop; a non-blocking output that is full
  // is waited for. Any other error (EPIPE: the consumer is gone) is fatal,
  // and its message names the records taken from the device and not
  // written, so that none is lost without a trace.
  void flush();

  // SIGHUP: the file output opened again at its path (logrotate has moved
  // it), said on `err`; the old file is kept if that fails.
  void reopen();

 private:
  struct Pending {
    size_t end;    // where the record's output ends in buf_
    uint64_t seq;  // its last sequence number
  };

  // One record read: its LOST count and last sequence number.
  void count(uint64_t lost, uint64_t last_seq);
  // buf_ to out_ (standard output or the file), the whole of it.
  void write_out();
  // The record just put in buf_ covers sequence numbers first..last.
  void note(uint64_t first, uint64_t last);
  // This reader's first record, against where the output file ended: says
  // which records a reader before it took from the device and never wrote
  // (it was killed), or that the sequence started again; a line cut short
  // there is ended first.
  void say_start(uint64_t first);
  // The batch to the journal. journald gone is fatal, and the message
  // names the records read from the device and not sent.
  void send_journal();
  // Each record's line, without its newline, as one datagram. A full
  // socket is waited for (the socket blocks); any error but a signal is
  // fatal and names the records read and not sent, as a write error does.
  void send_datagrams();
  void retry_or_fail(size_t done);
  // Stops the reader with `what`, counted as a write error (--metrics).
  [[noreturn]] void fail_write(const std::string& what);
  // The records of pending_ from its i-th on, as the error names them.
  std::string unwritten(size_t i) const;

  const Options& opts_;
  Context& ctx_;
  std::FILE* out_;
  std::FILE* err_;
  Fd sock_;                      // --output unix:PATH
  std::optional<LogFile> file_;  // --output file:PATH
  std::unique_ptr<Renderer> renderer_;
  JournalBatch journal_;  // --output journal
  Framer framer_;
  Record rec_;  // reused from record to record
  fmt::memory_buffer buf_;
  std::vector<Pending> pending_;  // the records in buf_, in order
  uint64_t first_seq_ = 0;        // seq of the first record in buf_
  bool started_ = false;          // a record has been read
  Counts counts_;
  size_t offset_ = 0;
};

}  // namespace netlog
