// Shared helper of the routers: argmin over nodes with ties broken uniformly at random by
// reservoir sampling, so a router is deterministic for a seed and never biased to low ids.
#pragma once
#include "common/rng.h"

namespace helm {

// Returns the index in [0, n) minimising key(i); among equal keys each is chosen with equal
// probability (one RNG draw per tie, none when the minimum is unique).
template <typename Key>
int argmin_random_ties(int n, Rng& rng, Key&& key) {
  int best = 0, ties = 1;
  auto best_key = key(0);
  for (int i = 1; i < n; ++i) {
    const auto k = key(i);
    if (k < best_key) {
      best = i, best_key = k, ties = 1;
    } else if (k == best_key && rng.below(static_cast<uint64_t>(++ties)) == 0) {
      best = i;
    }
  }
  return best;
}

}  // namespace helm
