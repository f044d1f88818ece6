// The history window of a request and the identity of a cached prefix: pure functions, so every
// node (and the simulator) computes the same window and the same cache key for a history.
//
// Rebasing rule. MODEL.md: when a history would exceed the cap C = N-1, keep its most recent
// floor(3C/4) items, drop the cached K/V, and reuse the rebased cache until it exceeds C again.
// A stateful rule ("rebase at the visit that overflows") would make the window depend on the
// visit pattern. We use a pure function of the history length L instead:
//     K = floor(3C/4), step = C - K (>= 1),
//     window_start(L) = 0 if L <= C, else step * ceil((L - C) / step).
// Invariants: the window L - start has at most C items; right after a rebase it keeps at least
// K + 1 >= floor(3C/4) items (exactly K + 1 when the history grows one item at a time, i.e. one
// more than MODEL.md's "exactly floor(3(N-1)/4)": the documented deviation); the start only
// moves when the window would exceed C, so a cache computed for a window stays a prefix of the
// next windows until the next rebase.
#pragma once
#include <cstdint>

#include "allocator/host_table.h"  // ItemId

namespace helm {

inline int64_t window_keep(int N) { return (3 * static_cast<int64_t>(N - 1)) / 4; }
inline int64_t window_step(int N) { return (N - 1) - window_keep(N); }

// First history index inside the window of a history of length L, for a model of length N.
inline int64_t window_start(int64_t L, int N) {
  const int64_t C = N - 1;
  if (L <= C) return 0;
  const int64_t step = window_step(N);
  return step * ((L - C + step - 1) / step);
}
inline int64_t window_length(int64_t L, int N) { return L - window_start(L, N); }

// Seeded 64-bit hash chain over item ids: h_0 = seed constant, h_{i+1} = mix(h_i, id_i).
// A cached KV entry stores (prefix_hash, length) of the ids it was computed from; a request
// hits only if the hash of its window's first `length` ids matches, so a changed prefix is a
// miss, never a wrong hit (up to 64-bit collisions).
uint64_t prefix_hash(const ItemId* ids, int64_t n);
// Extends the chain: prefix_hash(ids, a + b) == prefix_hash_extend(prefix_hash(ids, a), ids + a, b).
uint64_t prefix_hash_extend(uint64_t h, const ItemId* ids, int64_t n);

}  // namespace helm
