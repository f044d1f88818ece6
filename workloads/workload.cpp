#include "workloads/workload.h"

#include <cmath>

#include "common/error.h"
#include "workloads/arrivals.h"

namespace helm {

namespace {
void validate(const WorkloadSpec& s) {
  if (!(s.qps > 0) || !std::isfinite(s.qps)) bad_input("--qps must be a positive number, got {}", s.qps);
  if (!(s.duration_s > 0) || !std::isfinite(s.duration_s))
    bad_input("--duration must be a positive number of seconds, got {}", s.duration_s);
  if (s.candidates < 0) bad_input("candidates per request must be >= 0, got {}", s.candidates);
  if (!(s.popular_share >= 0 && s.popular_share <= 1))
    bad_input("popular share of candidates must be in [0, 1], got {}", s.popular_share);
}
}  // namespace

Trace build_trace(const WorkloadSpec& spec) {
  validate(spec);
  const auto regime = make_arrival_process(spec.workload);
  Trace trace;
  if (spec.dataset == "synthetic") {
    validate(spec.synthetic);
    const auto times = regime->arrivals(spec.qps, spec.duration_s, spec.seed);
    trace = synthetic_trace(spec.synthetic, times, spec.seed, spec.popular_share, spec.qps);
    trace.name = "synthetic:" + regime->name();
  } else if (spec.dataset.rfind("movielens:", 0) == 0) {
    const std::string path = spec.dataset.substr(10);
    if (path.empty()) bad_input("--dataset movielens:PATH: the PATH is empty");
    RatingsLog log = load_movielens(path, spec.movielens.skip_bad_rows);
    std::vector<Nanos> times;
    const bool own_times = spec.workload == "steady";
    if (!own_times) times = regime->arrivals(spec.qps, spec.duration_s, spec.seed);
    trace = movielens_trace(std::move(log), path, spec.movielens, spec.qps, spec.duration_s,
                            spec.seed, spec.popular_share, own_times ? nullptr : &times);
    trace.name += ':';  // (appended piecewise: GCC 12 warns falsely on ":" + std::string)
    trace.name += own_times ? std::string("own-timestamps") : regime->name();
  } else {
    bad_input("--dataset '{}': unknown; expected synthetic or movielens:PATH", spec.dataset);
  }
  for (auto& n : regime->notes(spec.qps, spec.duration_s)) trace.notes.push_back(std::move(n));
  return trace;
}

}  // namespace helm
