// How a regime's TimeEffects change item popularity over time, for one catalogue.
//
// Invariant: a pure function of (effects, catalogue size, seed) and the time asked about, so an
// item drawn at time t is the same on every rank. Times before the trace (kPreTrace: a user's
// history from before the run) see the base popularity.
#pragma once
#include <cstdint>
#include <limits>
#include <vector>

#include "common/rng.h"
#include "workloads/arrivals.h"
#include "workloads/request.h"

namespace helm {

inline constexpr Nanos kPreTrace = std::numeric_limits<Nanos>::min();

class PopularityTimeline {
 public:
  PopularityTimeline() = default;
  PopularityTimeline(TimeEffects e, int64_t num_items, uint64_t seed);
  bool empty() const { return e_.empty(); }
  // Drift: popularity epochs elapsed by time t (0 before the trace); see TrendParams.
  double epochs(Nanos t) const;
  // Epoch k's popularity order is the base one shifted by this many ranks (0 for epoch 0): a
  // random shift under the scrambling permutation makes its hot set disjoint from epoch 0's.
  int64_t epoch_shift(int64_t k) const {
    return k == 0 ? 0 : static_cast<int64_t>(hash64(flash_seed_ ^ 0x5bd1e995u, static_cast<uint64_t>(k)) % static_cast<uint64_t>(n_));
  }
  // The burst in progress at t, or -1.
  int64_t burst_at(Nanos t) const;
  // The j-th flash item of burst b: uniform over the catalogue (items nobody ranked hot).
  ItemId flash_item(int64_t burst, uint64_t j) const {
    return static_cast<ItemId>(hash64(flash_seed_, static_cast<uint64_t>(burst) * 0x9E3779B1u + j) %
                               static_cast<uint64_t>(n_));
  }
  const TimeEffects& effects() const { return e_; }

 private:
  TimeEffects e_;
  int64_t n_ = 1;
  uint64_t flash_seed_ = 0;
};

}  // namespace helm
