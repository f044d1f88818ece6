// The history window (rebasing) and the cached-prefix hash.
#include <gtest/gtest.h>

#include "common/rng.h"
#include "gr_model/window.h"

using namespace helm;

TEST(Window, RebasingProperties) {
  for (int N : {2, 3, 5, 51, 64, 201, 512, 8001}) {
    const int64_t C = N - 1, K = (3 * C) / 4;
    EXPECT_EQ(window_keep(N), K);
    int64_t prev = 0;
    for (int64_t L = 0; L <= 6 * C + 7; ++L) {
      const int64_t s = window_start(L, N);
      EXPECT_EQ(s, window_start(L, N));  // pure
      EXPECT_GE(s, 0);
      EXPECT_LE(L - s, C) << "N=" << N << " L=" << L;  // never exceeds the cap
      if (L <= C) {
        EXPECT_EQ(s, 0);
      }
      if (L > 0 && s != prev) {
        // Moves only when the previous window was full, and keeps at least floor(3C/4) items.
        EXPECT_EQ((L - 1) - prev, C) << "N=" << N << " L=" << L;
        EXPECT_GE(L - s, K);
        EXPECT_GE(L - s, K + 1);
      }
      EXPECT_GE(s, prev);  // monotone
      prev = s;
    }
  }
}

TEST(Window, PrefixHash) {
  Rng rng(3);
  std::vector<ItemId> ids(100);
  for (auto& x : ids) x = static_cast<ItemId>(rng.below(1000));
  const uint64_t h = prefix_hash(ids.data(), 60);
  EXPECT_EQ(h, prefix_hash(ids.data(), 60));
  EXPECT_EQ(prefix_hash(ids.data(), 100), prefix_hash_extend(h, ids.data() + 60, 40));
  EXPECT_NE(h, prefix_hash(ids.data(), 59));
  EXPECT_NE(prefix_hash(ids.data(), 0), prefix_hash(ids.data(), 1));
  for (int pos : {0, 30, 59}) {
    auto other = ids;
    other[pos] += 1;
    EXPECT_NE(h, prefix_hash(other.data(), 60)) << "mismatch at " << pos;
  }
  auto swapped = ids;
  std::swap(swapped[3], swapped[4]);
  if (swapped[3] != swapped[4]) {
    EXPECT_NE(h, prefix_hash(swapped.data(), 60));
  }
}
