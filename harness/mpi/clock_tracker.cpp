#include "harness/mpi/clock_tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>

namespace helm {

namespace {
double weight(int64_t rtt) {
  const double r = static_cast<double>(std::max<int64_t>(rtt, 10'000));  // below 10 us: equally good
  return 1.0 / (r * r);
}
}  // namespace

ClockTracker::ClockTracker(const std::vector<ClockSync>& start, Nanos every, int64_t origin_raw)
    : w_(start.size()), every_(every), next_(0), origin_(origin_raw) {  // a first round at t = 0
  for (size_t r = 1; r < start.size(); ++r) {
    w_[r].tracked = every > 0 && !start[r].shared;
    w_[r].offset0 = start[r].offset;
    w_[r].rtt0 = start[r].rtt;
    // The start-up sample, at the time it was taken (before t = 0: the link was measured since).
    w_[r].fit.push_back({static_cast<double>(start[r].at - origin_raw), 0.0, weight(start[r].rtt)});
  }
}

bool ClockTracker::tracking() const {
  for (const auto& w : w_)
    if (w.tracked) return true;
  return false;
}

void ClockTracker::tick(Nanos now) {
  if (stopped_ || every_ <= 0 || now < next_) return;
  next_ = now + every_;
  for (size_t r = 1; r < w_.size(); ++r) {
    Worker& w = w_[r];
    if (!w.tracked || w.waiting || w.pings > 0) continue;  // the last round is still going
    w.best = ClockSync{0, INT64_MAX, false, 0};
    ping(static_cast<int>(r));
  }
}

void ClockTracker::ping(int rank) {
  Worker& w = w_[static_cast<size_t>(rank)];
  w.waiting = true;
  ++w.pings;
  pings_.send({mpi::steady_raw_ns()}, rank, mpi::kResyncPing);
}

void ClockTracker::on_pong(int rank, const std::vector<char>& bytes) {
  const int64_t t1 = mpi::steady_raw_ns();
  const auto v = mpi::view_as<int64_t>(bytes);  // {rank 0's send time, the worker's clock}
  Worker& w = w_.at(static_cast<size_t>(rank));
  w.waiting = false;
  const int64_t t0 = v.at(0), rtt = t1 - t0;
  if (rtt < w.best.rtt) w.best = {v.at(1) - (t0 + t1) / 2, rtt, false}, w.best_t = (t0 + t1) / 2 - origin_;
  if (stopped_) return;
  if (w.best.rtt < 200'000 || w.pings >= 8) {
    end_round(rank);
  } else {
    ping(rank);
  }
}

void ClockTracker::end_round(int rank) {
  Worker& w = w_[static_cast<size_t>(rank)];
  w.pings = 0;
  ++w.rounds;
  w.max_rtt = std::max(w.max_rtt, w.best.rtt);
  const double t = static_cast<double>(w.best_t), drift = static_cast<double>(w.best.offset - w.offset0);
  if (rows_.size() < 4 * kMaxSamples)
    rows_.insert(rows_.end(), {w.best_t, rank, w.best.offset, w.best.rtt});
  w.fit.push_back({t, drift, weight(w.best.rtt)});
  while (w.fit.size() > 9) w.fit.pop_front();
  // Weighted least squares drift = a + b t over the recent rounds (and start-up while recent).
  double n = 0, st = 0, sd = 0, stt = 0, std_ = 0;
  for (const auto& p : w.fit)
    n += p.weight, st += p.weight * p.t, sd += p.weight * p.drift, stt += p.weight * p.t * p.t,
        std_ += p.weight * p.t * p.drift;
  const double den = n * stt - st * st;
  double b = den > 0 ? (n * std_ - st * sd) / den : 0, a = (sd - b * st) / n;
  // A rate only from 3 samples on, and when it stands out of the samples' errors (sigma = rtt / 2, so the weights are
  // 1 / (2 sigma)^2): two samples 0.3 s apart with 100 us of error would otherwise claim
  // hundreds of ppm, and extrapolating that drifts the clock it should hold.
  const double se = den > 0 ? std::sqrt(n / den) / 2 : 0;
  if (w.fit.size() < 3 || !(std::abs(b) > 3 * se)) b = 0, a = sd / n;
  w.rate = b;
  w.last_drift = a + b * t;  // the fit's, not this round's sample (which may have been slow)
  fixes_.send({mpi::ClockFix{w.best_t, a + b * t, b}}, rank, mpi::kClockFix);
}

std::string ClockTracker::describe() const {
  if (every_ <= 0) return "not re-measured (--clock-resync-s 0)";
  std::string s;
  for (size_t r = 1; r < w_.size(); ++r) {
    const Worker& w = w_[r];
    s += r > 1 ? "; " : "";
    if (!w.tracked) {
      s += fmt::format("node{}: same host, shared monotonic clock (not re-measured)", r - 1);
      continue;
    }
    s += fmt::format("node{}: {} re-measurements every {:.3g} s, start-up offset {} ns, drift since {:.0f} ns (fitted), "
                     "rate {:.2f} ppm, worst rtt {} ns", r - 1, w.rounds, static_cast<double>(every_) / 1e9,
                     w.offset0, w.last_drift, w.rate * 1e6, w.max_rtt);
  }
  return s;
}

}  // namespace helm
