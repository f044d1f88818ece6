#include "workloads/popularity.h"

#include <algorithm>
#include <cmath>

namespace helm {

PopularityTimeline::PopularityTimeline(TimeEffects e, int64_t num_items, uint64_t seed)
    : e_(std::move(e)), n_(num_items), flash_seed_(stream_seed(seed, "flash-items")) {
  std::sort(e_.bursts.begin(), e_.bursts.end(),
            [](const auto& a, const auto& b) { return a.t0 < b.t0; });
}

double PopularityTimeline::epochs(Nanos t) const {
  if (t == kPreTrace) return 0;
  double x = 0;
  for (const auto& d : e_.drift) {
    const Nanos end = std::min(t, d.t1);
    if (end > d.t0) x += static_cast<double>(end - d.t0) * 1e-9 * d.epochs_per_s;
  }
  return x;
}

int64_t PopularityTimeline::burst_at(Nanos t) const {
  if (t == kPreTrace || e_.bursts.empty()) return -1;
  auto it = std::upper_bound(e_.bursts.begin(), e_.bursts.end(), t,
                             [](Nanos x, const TimeEffects::Burst& b) { return x < b.t0; });
  if (it == e_.bursts.begin()) return -1;
  --it;
  return t < it->t1 ? it->index : -1;
}

}  // namespace helm
