// Candidate generation and item-id scrambling shared by every ItemSource.
//
// Candidates are what a retrieval stage would hand the ranker: a mix of popularity-drawn items
// (the source's own popularity: Zipf for profiles, empirical counts for real logs) and uniformly
// random catalogue items. The popular share drives embedding hit rates more than the Zipf
// exponent does (PILOT.md), so it is an explicit parameter.
#pragma once
#include <cstdint>
#include <vector>

#include "common/rng.h"
#include "workloads/request.h"

namespace helm {

// Default popular share: 0.5 keeps the embedding hit-rate curve informative over the whole range
// of EMB cache sizes. At 1.0 a small cache catches nearly every candidate (the EMB side looks
// free); at 0.0 hits grow only linearly with cache size (it looks hopeless).
inline constexpr double kDefaultPopularShare = 0.5;

// M candidates for request `request_id`, a pure function of (seed, request_id):
// round(popular_share * M) drawn by `popular(Rng&) -> ItemId`, the rest uniform over
// [0, num_items), popular ones first. Distinct when M <= num_items / 2 (a ranker never scores
// one item twice); otherwise duplicates are allowed, since distinctness could not be met cheaply.
template <typename PopularFn>
void mixed_candidates(uint64_t seed, int64_t request_id, int M, int64_t num_items,
                      double popular_share, const PopularFn& popular, std::vector<ItemId>& out);

// A bijection of [0, n) (affine: rank * a + b mod n, gcd(a, n) = 1). Profiles draw popularity
// ranks; scrambling them to ids keeps the hot set from being ids 0..k, which would flatter any
// structure indexed or sharded by id.
class ItemPermutation {
 public:
  ItemPermutation(int64_t n, uint64_t seed);
  ItemId operator()(int64_t rank0) const {
    // Below 2^32 (every catalogue but a --scale'd giant) the product fits 64 bits: a 64-bit
    // remainder gives the same value as the 128-bit one, without a library call.
    if (((n_ | static_cast<uint64_t>(rank0)) >> 32) == 0)
      return static_cast<ItemId>(mod_n(static_cast<uint64_t>(rank0) * a_ + b_));
    return static_cast<ItemId>((static_cast<unsigned __int128>(rank0) * a_ + b_) % n_);
  }
  int64_t inverse(ItemId item) const;  // rank0 of an item (for tests and statistics)

 private:
  // x % n_ by multiplication (Lemire, Kaser & Kurz, "Faster Remainder by Direct Computation",
  // 2019: exact for every 64-bit x and n_ with m_ = ceil(2^128 / n_); n_ = 1 wraps m_ to 0 and
  // gives 0, also exact). A 64-bit div was half of a history position's cost outside its Zipf
  // draw (perf on full-size kuairand-27k), and every history and candidate id comes through here.
  uint64_t mod_n(uint64_t x) const {
    using u128 = unsigned __int128;
    const u128 low = m_ * x;
    const u128 bottom = (static_cast<u128>(static_cast<uint64_t>(low)) * n_) >> 64;
    const u128 top = static_cast<u128>(static_cast<uint64_t>(low >> 64)) * n_;
    return static_cast<uint64_t>((bottom + top) >> 64);
  }
  uint64_t n_, a_, b_, a_inv_;
  unsigned __int128 m_ = 0;
};

// ---- implementation ----
namespace detail {
// A tiny open-addressing set for distinctness checks over at most a few hundred candidates.
class SmallItemSet {
 public:
  void reset(int capacity);
  bool insert(ItemId x);  // false if already present

 private:
  std::vector<ItemId> slots_;
  uint64_t mask_ = 0;
};
}  // namespace detail

template <typename PopularFn>
void mixed_candidates(uint64_t seed, int64_t request_id, int M, int64_t num_items,
                      double popular_share, const PopularFn& popular, std::vector<ItemId>& out) {
  out.clear();
  if (M <= 0 || num_items <= 0) return;
  Rng rng(hash64(seed, static_cast<uint64_t>(request_id)));
  const int n_pop = static_cast<int>(popular_share * M + 0.5);
  const bool distinct = M <= num_items / 2;
  thread_local detail::SmallItemSet seen;
  if (distinct) seen.reset(M);
  out.reserve(M);
  // Popular draws may repeat often (the top item of a Zipf(1) catalogue is several % of draws);
  // after many rejections fall back to uniform so a tiny hot set cannot loop forever.
  int rejections = 0;
  while (static_cast<int>(out.size()) < n_pop) {
    const ItemId x = rejections < 64 * M ? popular(rng) : static_cast<ItemId>(rng.below(num_items));
    if (!distinct || seen.insert(x)) out.push_back(x);
    else ++rejections;
  }
  while (static_cast<int>(out.size()) < M) {
    const ItemId x = static_cast<ItemId>(rng.below(static_cast<uint64_t>(num_items)));
    if (!distinct || seen.insert(x)) out.push_back(x);
  }
}

}  // namespace helm
