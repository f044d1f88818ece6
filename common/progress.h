// A progress line for long runs (rank 0 of `run`, `sim`): requests done / total, rate, ETA, the
// current P99 and drops. On a terminal it redraws one line with a carriage return; otherwise
// (Slurm output files, pipes) it prints a plain line every `every_s` seconds, so a short run
// prints nothing at all and tests that compare output stay quiet.
//
// HELM_PROGRESS (environment) sets it up, so no command needs an option for it: unset = auto
// (terminal: redraw every 0.5 s; otherwise a line every 30 s), `0` or `off` = never,
// a number N = a plain line every N seconds even on a terminal.
//
// Cheap on the hot path: record() appends to a fixed ring of recent latencies; tick() reads the
// clock only every `check_every` calls and formats only when a line is due. Not thread-safe
// (one owner: the loop that sees the outcomes).
#pragma once
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "common/clock.h"

namespace helm {

struct ProgressOptions {
  std::ostream* out = nullptr;  // nullptr: disabled
  bool redraw = false;          // carriage-return line (a terminal)
  double every_s = 30;          // seconds between lines
  int check_every = 64;         // tick() calls between clock reads
  std::string label = "progress";
};

// Options from HELM_PROGRESS and whether stderr is a terminal; lines go to stderr.
ProgressOptions progress_options(const std::string& label);

class Progress {
 public:
  static constexpr size_t kWindow = 4096;  // the P99 is over this many latest completions

  Progress(int64_t total, ProgressOptions opt);
  bool enabled() const { return opt_.out != nullptr; }

  // One request is done: completed (with its latency) or dropped/failed.
  void record(bool completed, Nanos latency) {
    ++done_;
    if (!completed) {
      ++dropped_;
      return;
    }
    if (ring_.size() < kWindow) ring_.push_back(latency);
    else ring_[next_++ % kWindow] = latency;
  }
  // Prints a line when one is due (reads the clock every check_every calls).
  void tick() {
    if (enabled() && ++calls_ % opt_.check_every == 0) tick_at(seconds_since_start());
  }
  void tick_at(double now_s);   // the same at a given time (tests)
  void finish();                // ends a redrawn line with a newline, if one was drawn

  // "run: 1200/5000 (24.0%), 120.3 req/s, ETA 31 s, P99 12.345 ms (last 1200), 3 dropped"
  std::string line(double now_s) const;
  int64_t done() const { return done_; }
  int64_t dropped() const { return dropped_; }
  int lines_printed() const { return printed_; }

 private:
  double seconds_since_start() const;
  int64_t total_, done_ = 0, dropped_ = 0;
  uint64_t calls_ = 0;
  size_t next_ = 0;
  std::vector<Nanos> ring_;
  ProgressOptions opt_;
  std::chrono::steady_clock::time_point start_;
  double next_due_s_;
  int printed_ = 0;
};

}  // namespace helm
