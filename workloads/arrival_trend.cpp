// --workload trend: a non-homogeneous Poisson process (diurnal sinusoid and ramp) by thinning,
// plus popularity drift (TimeEffects::Drift) for the profiles.
#include <cmath>
#include <numbers>

#include "common/error.h"
#include "workloads/arrivals.h"

namespace helm {

namespace {
double shape(const TrendParams& p, double t, double period, double duration) {
  return (1.0 - p.amplitude * std::cos(2.0 * std::numbers::pi * t / period)) *
         (1.0 + p.ramp * t / duration);
}
// Mean of shape over [0, duration] by Simpson's rule: exact enough (1e-9) and works for any
// period, including one that does not divide the duration.
double mean_shape(const TrendParams& p, double period, double duration) {
  const int n = 20000;  // even
  const double h = duration / n;
  double s = shape(p, 0, period, duration) + shape(p, duration, period, duration);
  for (int k = 1; k < n; ++k) s += (k % 2 ? 4.0 : 2.0) * shape(p, k * h, period, duration);
  return s * h / 3.0 / duration;
}
double period_of(const TrendParams& p, double duration) { return p.period_s > 0 ? p.period_s : duration; }
}  // namespace

void validate(const TrendParams& p) {
  if (!(p.period_s >= 0)) bad_input("--trend-period-s must be >= 0 (0 = the duration), got {}", p.period_s);
  if (!(p.amplitude >= 0 && p.amplitude < 1)) bad_input("--trend-amplitude must be in [0, 1), got {}", p.amplitude);
  if (!(p.ramp > -1 && std::isfinite(p.ramp))) bad_input("--trend-ramp must be > -1, got {}", p.ramp);
  if (!(p.drift_share >= 0 && std::isfinite(p.drift_share))) bad_input("--trend-drift must be >= 0, got {}", p.drift_share);
}

TrendArrivals::TrendArrivals(const TrendParams& p) : p_(p) { validate(p_); }

double TrendArrivals::rate(double t_s, double qps, double duration_s) const {
  const double period = period_of(p_, duration_s);
  return qps * shape(p_, t_s, period, duration_s) / mean_shape(p_, period, duration_s);
}

std::vector<Nanos> TrendArrivals::arrivals(double qps, double duration_s, uint64_t seed) const {
  const double period = period_of(p_, duration_s), norm = qps / mean_shape(p_, period, duration_s);
  // Upper bound of shape: the cosine term at most 1 + amplitude, the ramp at its larger end.
  const double lmax = norm * (1.0 + p_.amplitude) * std::max(1.0, 1.0 + p_.ramp);
  Rng rng(stream_seed(seed, "arrivals")), thin(stream_seed(seed, "thinning"));
  std::vector<Nanos> candidates, out;
  append_poisson(lmax, 0.0, duration_s, rng, candidates);
  out.reserve(static_cast<size_t>(qps * duration_s * 1.05) + 16);
  for (Nanos t : candidates) {
    const double ts = static_cast<double>(t) * 1e-9;
    if (thin.uniform() * lmax < norm * shape(p_, ts, period, duration_s)) out.push_back(t);
  }
  return out;
}

TimeEffects TrendArrivals::effects(double, double duration_s, uint64_t) const {
  TimeEffects e;
  if (p_.drift_share > 0)
    e.drift.push_back({0, static_cast<Nanos>(std::llround(duration_s * 1e9)),
                       p_.drift_share / period_of(p_, duration_s)});
  return e;
}

}  // namespace helm
