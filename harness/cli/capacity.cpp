#include "harness/cli/capacity.h"

#include <algorithm>

#include "common/error.h"

namespace helm {

double mid_window_throughput(std::span<const RequestRow> rows, Nanos duration) {
  const Nanos lo = duration / 5, hi = duration - duration / 5;
  int64_t n = 0;
  for (const auto& r : rows) n += r.status == kCompleted && r.finish >= lo && r.finish < hi;
  return hi > lo ? static_cast<double>(n) / (static_cast<double>(hi - lo) / 1e9) : 0;
}

CapacityResult find_capacity(const std::function<LoadPoint(double)>& measure, double start_qps,
                             double target, int max_steps) {
  HELM_CHECK(start_qps > 0, "capacity: the first load must be positive");
  CapacityResult res;
  auto run = [&](double q) {
    res.points.push_back(measure(q));
    return res.points.back();
  };
  // Saturation: offer more until the offered load is at least twice what is served.
  LoadPoint p = run(start_qps);
  for (int i = 0; i < max_steps && p.offered_qps < 2 * p.served_qps; ++i)
    p = run(std::max(2.5 * p.served_qps, 2 * p.offered_qps));
  if (p.offered_qps < 2 * p.served_qps)
    throw std::runtime_error("capacity: the offered load never reached twice the served rate");
  res.saturation_qps = p.served_qps;
  if (target < 0) return res;
  // The SLO-constrained load: bisect between a passing and a failing offered load.
  double good = 0, bad = -1;
  for (const auto& q : res.points) {
    if (q.slo_attainment >= target) good = std::max(good, q.offered_qps);
    else if (bad < 0 || q.offered_qps < bad) bad = q.offered_qps;
  }
  if (bad < 0) bad = p.offered_qps;  // cannot happen past saturation; kept for safety
  if (good == 0) {
    double q = std::min(bad, res.saturation_qps) / 2;
    for (int i = 0; i < max_steps && good == 0; ++i, q /= 2) {
      const LoadPoint t = run(q);
      if (t.slo_attainment >= target) good = q;
      else bad = q;
    }
  }
  for (int i = 0; i < max_steps && good > 0 && bad > good * 1.05; ++i) {
    const double mid = (good + bad) / 2;
    (run(mid).slo_attainment >= target ? good : bad) = mid;
  }
  res.target_qps = good;
  return res;
}

}  // namespace helm
