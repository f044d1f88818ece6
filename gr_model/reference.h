// Checking and convenience paths of the model (tests, `helm-bench forward`), not the serving
// path: a float64 plain-loop reference, and a one-user scorer that owns its KV pages.
#pragma once
#include <cstdint>
#include <vector>

#include "allocator/kv_layout.h"
#include "gr_model/model.h"

namespace helm {

// Scores of `candidates` after `history` (a window: 0 < size <= N-1) recomputed in float64 with
// plain loops, straight from MODEL.md (no cache, no blocking, no paging). O(L^2) per layer.
std::vector<double> reference_scores(const Weights& w, const std::vector<ItemId>& history,
                                     const std::vector<ItemId>& candidates);

// One user's KV pages in plain host memory (std::vector), for tests, benchmarks and files.
class OwnedKv {
 public:
  OwnedKv(const ModelConfig& cfg, int max_tokens, int tokens_per_page);
  KvView* view() { return &view_; }

 private:
  std::vector<float> data_;
  KvView view_;
};

// Scores through the real model in two visits: the first `cached_prefix` history tokens as an
// earlier visit (no candidates), then the rest of the history and the candidates incrementally
// on the cached K/V (cached_prefix = 0: one uncached pass). Throws BadInput on ids outside
// [0, items), an empty or too long history (> N-1) or cached_prefix outside [0, L].
std::vector<float> score_sequence(const HstuModel& model, const Weights& w,
                                  const std::vector<ItemId>& history,
                                  const std::vector<ItemId>& candidates, int64_t cached_prefix,
                                  int tokens_per_page = 16);

}  // namespace helm
