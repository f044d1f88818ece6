// `helm-bench capacity`: how much a configuration serves, so studies state loads as fractions
// of it.
//   saturation   completed requests/s over the middle 60% of the arrival window of a run
//                offered at least 2x what it serves (offered loads grow by 2.5x the served
//                rate until that holds);
//   --target T   the highest offered qps whose SLO attainment over every request after warm-up
//                (drops and failures count as misses) is at least T, by bisection between a
//                passing and a failing load until they are within 5% of each other.
// The search is independent of how a load is measured (`sim` in process, `run` under mpirun).
#pragma once
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "results/schema.h"

namespace helm {

struct LoadPoint {
  double offered_qps = 0;
  double served_qps = 0;       // completions/s over the middle 60% of the arrival window
  double slo_attainment = 0;   // all requests after warm-up; drops count as misses
};

// Completions per second finishing within [20%, 80%] of [0, duration].
double mid_window_throughput(std::span<const RequestRow> rows, Nanos duration);

struct CapacityResult {
  double saturation_qps = 0;
  double target_qps = -1;  // -1 when no target was asked
  std::vector<LoadPoint> points;  // every measurement, in order
};

// `measure(qps)` runs the configuration at an offered load. `start_qps`: the first load tried.
CapacityResult find_capacity(const std::function<LoadPoint(double)>& measure, double start_qps,
                             double target = -1, int max_steps = 12);

}  // namespace helm
