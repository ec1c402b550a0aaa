// Whole records to output: decoded, rendered in the chosen format, and
// written to standard output, the journal or a Unix datagram socket, one
// batch per read, with every record read and not written named in the
// error that stops the reader (printer.cc).
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "fd.h"
#include "journal.h"
#include "options.h"
#include "record.h"
#include "render.h"
#include "result.h"
#include "stream.h"

namespace netlog {

// A datagram socket connected to a syslog daemon's socket at `path`.
Result<Fd> connect_unix(const std::string& path);

// Turns whole records into output, one batch per read.
class Printer {
 public:
  Printer(const Options& opts, Context& ctx, std::FILE* out, std::FILE* err,
          Fd sock = {});

  // Renders one whole record into the batch.
  void record(std::span<const std::byte> bytes);

  // Prints the whole records in `bytes`; a partial one is held back.
  void consume(std::span<const std::byte> bytes);

  const Framer& framer() const { return framer_; }

  // Writes out everything rendered so far (`out_` is unbuffered, so what
  // fwrite reports is what was written). A signal (SIGTERM while a slow
  // pipe blocks us) interrupts the write but loses nothing: what the device
  // gave us is written before we stop; a non-blocking output that is full
  // is waited for. Any other error (EPIPE: the consumer is gone) is fatal,
  // and its message names the records taken from the device and not
  // written, so that none is lost without a trace.
  void flush();

 private:
  struct Pending {
    size_t end;    // where the record's output ends in buf_
    uint64_t seq;  // its last sequence number
  };

  // The record just put in buf_ covers sequence numbers first..last.
  void note(uint64_t first, uint64_t last);
  // The batch to the journal. journald gone is fatal, and the message
  // names the records read from the device and not sent.
  void send_journal();
  // Each record's line, without its newline, as one datagram. A full
  // socket is waited for (the socket blocks); any error but a signal is
  // fatal and names the records read and not sent, as a write error does.
  void send_datagrams();
  void retry_or_fail(size_t done);
  // The records of pending_ from its i-th on, as the error names them.
  std::string unwritten(size_t i) const;

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

}  // namespace netlog
