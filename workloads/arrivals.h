// Arrival processes (regimes): when requests arrive, independent of who sends them.
//
// Each regime is one implementation of ArrivalProcess in its own file (steady here; trend,
// burst slot in the same way) and is named by --workload. Dataset profiles that model who
// arrives (synthetic sessions) consume these times; a real log (MovieLens) brings its own.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/rng.h"

namespace helm {

class ArrivalProcess {
 public:
  virtual ~ArrivalProcess() = default;
  // Arrival times in [0, duration_s), sorted, with a long-run mean rate of qps (the whole
  // cluster's). A pure function of the arguments (and the process's own parameters).
  virtual std::vector<Nanos> arrivals(double qps, double duration_s, uint64_t seed) const = 0;
  // Anything the trace's notes should say about these arrivals (e.g. a replayed file looped).
  virtual std::vector<std::string> notes(double qps, double duration_s) const { return {}; }
  virtual std::string name() const = 0;
};

// Homogeneous Poisson arrivals at `rate` per second over [t0_s, t1_s), appended to `out`:
// exponential interarrivals from the project's Rng. Any regime may build on it (thinning,
// piecewise rates).
void append_poisson(double rate, double t0_s, double t1_s, Rng& rng, std::vector<Nanos>& out);

// --workload steady: homogeneous Poisson at qps, from stream_seed(seed, "arrivals").
class SteadyArrivals final : public ArrivalProcess {
 public:
  std::vector<Nanos> arrivals(double qps, double duration_s, uint64_t seed) const override;
  std::string name() const override { return "steady"; }
};

// --workload replay:PATH: timestamps of a CSV (first column; header optional), e.g. the Azure
// LLM trace, sorted, time-scaled so the mean rate equals qps, looped if the run outlasts it.
class ReplayArrivals final : public ArrivalProcess {
 public:
  explicit ReplayArrivals(const std::string& path);  // throws BadInput with file:line
  std::vector<Nanos> arrivals(double qps, double duration_s, uint64_t seed) const override;
  std::vector<std::string> notes(double qps, double duration_s) const override;
  std::string name() const override { return "replay:" + path_; }
  const std::vector<Nanos>& times() const { return times_; }  // from the first row, sorted

 private:
  double scale(double qps) const;  // scaled ns per file ns
  Nanos period() const;            // file span plus one mean gap: the loop length, unscaled
  std::string path_;
  std::vector<Nanos> times_;
};

// steady | replay:PATH (trend and burst: issue 4). Unknown names throw BadInput.
std::unique_ptr<ArrivalProcess> make_arrival_process(const std::string& workload);

}  // namespace helm
