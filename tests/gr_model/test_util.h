// Shared helpers of the gr_model tests.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/rng.h"
#include "gr_model/reference.h"

namespace helm::test {

inline std::vector<ItemId> random_ids(Rng& rng, int n, int64_t items) {
  std::vector<ItemId> v(n);
  for (auto& x : v) x = static_cast<ItemId>(rng.below(static_cast<uint64_t>(items)));
  return v;
}

// max |a - b| / max |b|: the MODEL.md criterion (relative to the largest score). The
// denominator is floored at `floor`: with one candidate the largest |score| can be arbitrarily
// close to 0 (scores here are ~0.5 in size and the fp32 error ~2e-7 absolute).
template <typename A, typename B>
double rel_err(const std::vector<A>& a, const std::vector<B>& b, double floor = 0.1) {
  EXPECT_EQ(a.size(), b.size());
  double num = 0, den = floor;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    num = std::max(num, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
    den = std::max(den, std::abs(static_cast<double>(b[i])));
  }
  return num / den;
}

inline std::vector<ItemId> head(const std::vector<ItemId>& v, size_t n) {
  return {v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n)};
}

}  // namespace helm::test
