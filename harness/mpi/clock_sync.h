// Clock offsets between rank 0 and the workers: measured at start-up (collective: every worker
// calls answer_clock_pings while rank 0 calls sync_clocks), then, for workers on other hosts,
// re-measured during the run (clock_tracker.h) so a drifting clock is corrected.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"

namespace helm {

struct ClockSync {
  int64_t offset = 0;  // worker raw steady ns - rank 0 raw steady ns
  int64_t rtt = 0;     // of the sample used; 0 when the clock is shared
  bool shared = false; // same host as rank 0: one CLOCK_MONOTONIC, the offset is exactly 0
  int64_t at = 0;      // rank 0 raw steady ns when the sample was taken (the round trip's middle)
};

// A worker's raw clock (ns). Test hook, read here only: on worker ranks HELM_CLOCK_OFFSET_NS
// adds a constant and HELM_CLOCK_SKEW_PPM a rate (ppm of the time since the first read), so one
// host can play a second host whose clock differs and drifts (it implies HELM_CLOCK_PINGPONG).
// Rank 0 reads mpi::steady_raw_ns, unhooked.
int64_t worker_raw_ns();
// The hook as the results file's clock_hook attribute says it ("" when unset).
std::string clock_hook();

// Rank 0: one entry per rank (entry 0 unused). `hosts`: every rank's host name.
// HELM_CLOCK_PINGPONG=1 measures same-host ranks too (they are then treated as other hosts).
std::vector<ClockSync> sync_clocks(int world, const std::vector<std::string>& hosts);
// A worker: answers rank 0's pings until it says stop.
void answer_clock_pings();
// The offsets as the results file's `clock_offsets` attribute says them.
std::string describe_offsets(const std::vector<ClockSync>& clocks);

// A worker's run clock, in rank 0's frame: t = 0 at rank 0's origin (`origin_raw` is that origin
// in this worker's raw clock, through the start-up offset), less the drift since start-up that
// rank 0's re-measurements report: correction(t) = at_ref + rate x (t - t_ref). Never goes back
// (a new correction may be a few microseconds below the old one). Single-threaded.
class WorkerClock final : public Clock {
 public:
  explicit WorkerClock(int64_t origin_raw) : origin_(origin_raw) {}
  Nanos now() const override;
  void correct(Nanos t_ref, double at_ref_ns, double rate) { t_ref_ = t_ref, at_ref_ = at_ref_ns, rate_ = rate; }

 private:
  int64_t origin_;
  Nanos t_ref_ = 0;
  double at_ref_ = 0, rate_ = 0;
  mutable Nanos last_ = INT64_MIN;
};

}  // namespace helm
