#include "common/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string_view>

namespace helm {

ProgressOptions progress_options(const std::string& label) {
  ProgressOptions o;
  o.label = label;
  o.redraw = isatty(STDERR_FILENO) == 1;
  o.every_s = o.redraw ? 0.5 : 30;
  o.out = &std::cerr;
  if (const char* e = std::getenv("HELM_PROGRESS")) {
    const std::string_view v(e);
    char* end = nullptr;
    const double s = std::strtod(e, &end);
    if (v == "off" || v == "0" || v == "no") {
      o.out = nullptr;
    } else if (end != e && *end == '\0' && s > 0) {
      o.every_s = s;
      o.redraw = false;
    }  // anything else: auto (a progress line is never worth failing a run over)
  }
  return o;
}

Progress::Progress(int64_t total, ProgressOptions opt)
    : total_(total), opt_(std::move(opt)), start_(std::chrono::steady_clock::now()),
      next_due_s_(opt_.every_s) {
  opt_.check_every = std::max(1, opt_.check_every);
  ring_.reserve(kWindow);
}

double Progress::seconds_since_start() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string Progress::line(double now_s) const {
  const double rate = now_s > 0 ? double(done_) / now_s : 0;
  std::string eta = "-";
  if (done_ >= total_) eta = "0 s";
  else if (rate > 0) eta = fmt::format("{:.0f} s", double(total_ - done_) / rate);
  std::string p99 = "P99 -";
  if (!ring_.empty()) {
    std::vector<Nanos> v = ring_;
    // Nearest rank, as the footer computes it: rank ceil(0.99 n), 1-based.
    const size_t k = (v.size() * 99 + 99) / 100 - 1;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    p99 = fmt::format("P99 {:.3f} ms (last {})", double(v[k]) * 1e-6, v.size());
  }
  return fmt::format("{}: {}/{} ({:.1f}%), {:.1f} req/s, ETA {}, {}, {} dropped", opt_.label, done_,
                     total_, total_ > 0 ? 100.0 * double(done_) / double(total_) : 100.0, rate, eta,
                     p99, dropped_);
}

void Progress::tick_at(double now_s) {
  if (!enabled() || now_s < next_due_s_) return;
  next_due_s_ = now_s + opt_.every_s;
  const std::string l = line(now_s);
  if (opt_.redraw) *opt_.out << '\r' << l << "\x1b[K" << std::flush;  // erase a longer old line
  else *opt_.out << l << '\n' << std::flush;
  ++printed_;
}

void Progress::finish() {
  if (enabled() && opt_.redraw && printed_ > 0) *opt_.out << '\n' << std::flush;
}

}  // namespace helm
