#include "workloads/arrivals.h"

#include <cmath>

#include "common/error.h"

namespace helm {

void append_poisson(double rate, double t0_s, double t1_s, Rng& rng, std::vector<Nanos>& out) {
  if (rate <= 0) return;
  // Accumulate in double seconds and round each time to ns: rounding per arrival never drifts.
  double t = t0_s;
  for (;;) {
    t += rng.exponential(rate);
    if (t >= t1_s) return;
    out.push_back(static_cast<Nanos>(std::llround(t * 1e9)));
  }
}

std::vector<Nanos> SteadyArrivals::arrivals(double qps, double duration_s, uint64_t seed) const {
  std::vector<Nanos> out;
  out.reserve(static_cast<size_t>(qps * duration_s * 1.01) + 16);
  Rng rng(stream_seed(seed, "arrivals"));
  append_poisson(qps, 0.0, duration_s, rng, out);
  return out;
}

void TimeEffects::shift(Nanos dt) {
  for (auto& d : drift) d.t0 += dt, d.t1 += dt;
  for (auto& b : bursts) b.t0 += dt, b.t1 += dt;
}

std::unique_ptr<ArrivalProcess> make_arrival_process(const std::string& workload,
                                                     const RegimeParams& params) {
  if (workload == "steady") return std::make_unique<SteadyArrivals>();
  if (workload == "trend") return std::make_unique<TrendArrivals>(params.trend);
  if (workload == "burst") return std::make_unique<BurstArrivals>(params.burst);
  if (workload.rfind("replay:", 0) == 0) {
    const std::string path = workload.substr(7);
    if (path.empty()) bad_input("--workload replay:PATH: the PATH is empty");
    return std::make_unique<ReplayArrivals>(path);
  }
  bad_input("--workload '{}': unknown; expected steady, trend, burst or replay:PATH", workload);
}

}  // namespace helm
