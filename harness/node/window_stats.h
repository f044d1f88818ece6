// Per-interval statistics of one node (the /nodes rows, DESIGN.md's NodeWindowStats): what the
// memory policies and the cluster view consume every control interval.
#pragma once
#include <vector>

#include "allocator/h2d_link.h"
#include "controller/burst_detector.h"
#include "controller/window.h"
#include "harness/node/node_runtime.h"
#include "results/schema.h"
#include "workloads/request.h"

namespace helm {

class WindowStats {
 public:
  // `slo_ns`: what counts as an SLO miss among completions.
  WindowStats(int node, Nanos slo_ns) : node_(node), slo_ns_(slo_ns) {}
  void on_arrival(const Request& r);
  void on_drop() { ++row_.dropped; }
  void on_outcome(const Outcome& o);
  // Closes the interval ending at `now`: fills queue length, link bytes since the last close and
  // the split, returns the row and starts a new interval.
  NodeRow close(Nanos now, int64_t queue_len, const LinkStats& link, double emb_share);
  // The worker-side burst detector's state at the last close() (has_burst = 1, burst = alarm).
  // It counts arrivals per 10 ms bin on the arrivals' own clock: a request's lookups are not
  // independent events, so the Poisson CUSUM must count requests (lookups divided by the mean
  // per request carry the same evidence) to keep its false-alarm rate.
  void fill_burst(NodeWindowStats& w) const {
    w.has_burst = 1;
    w.burst = burst_.alarm() ? 1 : 0;
  }

 private:
  int node_;
  Nanos slo_ns_;
  NodeRow row_;
  std::vector<bool> seen_;  // users routed here before (users are dense ids)
  std::vector<Nanos> latencies_;
  LinkStats last_link_;
  void advance_bins(Nanos t);  // closes every 10 ms bin that ends at or before t
  BurstDetector burst_;
  Nanos bin_end_ = burst_.config().bin_ns;
  int64_t bin_count_ = 0;
};

}  // namespace helm
