#include "workloads/candidates.h"

#include <numeric>

#include "common/error.h"

namespace helm {

namespace {
// Modular inverse of a mod n (gcd(a, n) = 1), by the extended Euclidean algorithm.
uint64_t mod_inverse(uint64_t a, uint64_t n) {
  __int128 t = 0, new_t = 1, r = n, new_r = a;
  while (new_r != 0) {
    const __int128 q = r / new_r;
    const __int128 tt = t - q * new_t;
    t = new_t;
    new_t = tt;
    const __int128 rr = r - q * new_r;
    r = new_r;
    new_r = rr;
  }
  if (t < 0) t += n;
  return static_cast<uint64_t>(t);
}
}  // namespace

ItemPermutation::ItemPermutation(int64_t n, uint64_t seed) : n_(static_cast<uint64_t>(n)) {
  HELM_CHECK(n >= 1, "permutation of an empty range");
  Rng rng(stream_seed(seed, "item-permutation"));
  b_ = rng.below(n_);
  // A multiplier near n * golden ratio spreads neighbouring ranks far apart; step until coprime.
  a_ = n_ == 1 ? 1 : 1 + static_cast<uint64_t>(0.6180339887498949 * static_cast<double>(n_ - 1));
  while (std::gcd(a_, n_) != 1) a_ = a_ % n_ + 1;
  a_inv_ = n_ == 1 ? 0 : mod_inverse(a_, n_);
  m_ = ~static_cast<unsigned __int128>(0) / n_ + 1;
}

int64_t ItemPermutation::inverse(ItemId item) const {
  const uint64_t x = (static_cast<uint64_t>(item) + n_ - b_) % n_;
  return static_cast<int64_t>((static_cast<unsigned __int128>(x) * a_inv_) % n_);
}

namespace detail {
void SmallItemSet::reset(int capacity) {
  uint64_t size = 16;
  while (size < 2ull * static_cast<uint64_t>(capacity)) size <<= 1;
  slots_.assign(size, -1);
  mask_ = size - 1;
}

bool SmallItemSet::insert(ItemId x) {
  uint64_t h = hash64(static_cast<uint64_t>(x)) & mask_;
  while (slots_[h] != -1) {
    if (slots_[h] == x) return false;
    h = (h + 1) & mask_;
  }
  slots_[h] = x;
  return true;
}
}  // namespace detail

}  // namespace helm
