// --workload burst: flash crowds as a 2-state MMPP (on = burst, off = between bursts), or a
// gamma renewal process with interarrival CV > 1 (--burst-process gamma).
#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "workloads/arrivals.h"

namespace helm {

namespace {
double on_share(const BurstParams& p) { return p.burst_s / (p.burst_s + p.gap_s); }
}  // namespace

void validate(const BurstParams& p) {
  if (p.process != "mmpp" && p.process != "gamma")
    bad_input("--burst-process '{}': expected mmpp or gamma", p.process);
  if (!(p.multiplier > 1 && std::isfinite(p.multiplier)))
    bad_input("--burst-multiplier must be > 1, got {}", p.multiplier);
  if (!(p.burst_s > 0)) bad_input("--burst-duration-s must be > 0, got {}", p.burst_s);
  if (!(p.gap_s > 0)) bad_input("--burst-gap-s must be > 0, got {}", p.gap_s);
  if (p.process == "mmpp" && !(p.multiplier * on_share(p) < 1))
    bad_input("--burst-multiplier {} x burst time share {:.3f} must be < 1: bursts alone would carry "
              "more than the mean rate; shorten --burst-duration-s or lengthen --burst-gap-s",
              p.multiplier, on_share(p));
  if (!(p.gamma_cv > 0)) bad_input("--burst-cv must be > 0, got {}", p.gamma_cv);
  if (!(p.flash_share >= 0 && p.flash_share <= 1)) bad_input("--burst-flash-share must be in [0, 1], got {}", p.flash_share);
  if (p.flash_items < 1) bad_input("--burst-flash-items must be >= 1, got {}", p.flash_items);
  if (!(p.fresh_share >= 0 && p.fresh_share <= 1)) bad_input("--burst-fresh-share must be in [0, 1], got {}", p.fresh_share);
  if (!(p.new_user_share >= 0 && p.new_user_share <= 1))
    bad_input("--burst-new-users must be in [0, 1], got {}", p.new_user_share);
}

BurstArrivals::BurstArrivals(const BurstParams& p) : p_(p) { validate(p_); }

std::vector<TimeEffects::Burst> BurstArrivals::burst_windows(double duration_s, uint64_t seed) const {
  std::vector<TimeEffects::Burst> w;
  if (p_.process != "mmpp") return w;
  Rng rng(stream_seed(seed, "burst-states"));
  // Start in the stationary state distribution, so no instant of the run is special.
  bool on = rng.bernoulli(on_share(p_));
  double t = 0;
  while (t < duration_s) {
    const double len = rng.exponential(1.0 / (on ? p_.burst_s : p_.gap_s));
    const double end = std::min(duration_s, t + len);
    if (on)
      w.push_back({static_cast<Nanos>(std::llround(t * 1e9)), static_cast<Nanos>(std::llround(end * 1e9)),
                   static_cast<int64_t>(w.size())});
    t = end;
    on = !on;
  }
  return w;
}

std::vector<Nanos> BurstArrivals::arrivals(double qps, double duration_s, uint64_t seed) const {
  std::vector<Nanos> out;
  out.reserve(static_cast<size_t>(qps * duration_s * 1.1) + 16);
  Rng rng(stream_seed(seed, "arrivals"));
  if (p_.process == "gamma") {
    // Gamma(k, theta) with k = 1/cv^2 has CV cv; theta = 1/(k qps) keeps the mean rate at qps.
    const double k = 1.0 / (p_.gamma_cv * p_.gamma_cv), theta = 1.0 / (k * qps);
    for (double t = rng.gamma(k, theta); t < duration_s; t += rng.gamma(k, theta))
      out.push_back(static_cast<Nanos>(std::llround(t * 1e9)));
    return out;
  }
  // Rates in the ratio the parameters imply (burst / between = m off / (1 - m on)), scaled to
  // this realisation's on and off time so the run's mean rate is qps whatever the draw.
  const auto windows = burst_windows(duration_s, seed);
  double on_s = 0;
  for (const auto& b : windows) on_s += static_cast<double>(b.t1 - b.t0) * 1e-9;
  const double off_s = duration_s - on_s, pi_on = on_share(p_);
  const double ratio = p_.multiplier * (1 - pi_on) / (1 - p_.multiplier * pi_on);
  const double base = qps * duration_s / (off_s + ratio * on_s), peak = ratio * base;
  double t = 0;
  for (const auto& b : windows) {
    const double b0 = static_cast<double>(b.t0) * 1e-9, b1 = static_cast<double>(b.t1) * 1e-9;
    append_poisson(base, t, b0, rng, out);
    append_poisson(peak, b0, b1, rng, out);
    t = b1;
  }
  append_poisson(base, t, duration_s, rng, out);
  return out;
}

TimeEffects BurstArrivals::effects(double, double duration_s, uint64_t seed) const {
  TimeEffects e;
  e.bursts = burst_windows(duration_s, seed);
  e.flash_share = p_.flash_share;
  e.flash_items = p_.flash_items;
  e.fresh_share = p_.fresh_share;
  e.new_user_share = p_.new_user_share;
  return e;
}

}  // namespace helm
