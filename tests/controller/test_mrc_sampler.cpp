// SHARDS reuse distances: exact at rate 1 on patterns with known LRU behaviour, close when
// sampled, bounded memory.
#include <gtest/gtest.h>

#include <vector>

#include "common/rng.h"
#include "controller/mrc_sampler.h"

namespace helm {
namespace {

TEST(ReuseSampler, CyclicPatternHitsOnlyWhenTheLoopFits) {
  // 100 keys of 10 bytes in a loop: every reuse needs 1000 bytes of LRU cache.
  ReuseSampler s(1.0, 1000, 2000.0, 40);  // bins of 50 bytes; curve points every 100 bytes
  for (int rep = 0; rep < 5; ++rep)
    for (uint64_t k = 0; k < 100; ++k) s.access(k, 10, 1.0);
  std::vector<double> c(kCurvePoints);
  s.curve(c.data(), kCurvePoints);
  for (int i = 0; i < kCurvePoints; ++i) EXPECT_EQ(c[i], i >= 10 ? 400.0 : 0.0) << i;
}

TEST(ReuseSampler, SampledCurveTracksTheExactOne) {
  Rng rng(2);
  ZipfSampler z(200000, 0.9);
  ReuseSampler exact(1.0, 1 << 18, 1e6), sampled(0.1, 1 << 14, 1e6);
  for (int i = 0; i < 400000; ++i) {
    const uint64_t k = z(rng);
    exact.access(k, 64, 1.0);
    sampled.access(k, 64, 1.0);
  }
  std::vector<double> a(kCurvePoints), b(kCurvePoints);
  exact.curve(a.data(), kCurvePoints);
  sampled.curve(b.data(), kCurvePoints);
  for (int i = 1; i < kCurvePoints; ++i) {
    EXPECT_NEAR(b[i] / 400000, a[i] / 400000, 0.03) << i;  // hit ratio within 3 points
    EXPECT_GE(a[i], a[i - 1]);
  }
  EXPECT_GT(a[kCurvePoints - 1], 0.3 * 400000);
}

TEST(ReuseSampler, ForgetsBeyondMaxKeysAndDecays) {
  ReuseSampler s(1.0, 16, 1e9);
  for (uint64_t k = 0; k < 1000; ++k) s.access(k, 1, 1.0);  // compacts many times
  for (uint64_t k = 990; k < 1000; ++k) s.access(k, 1, 1.0);  // recent keys still known: hits
  std::vector<double> c(kCurvePoints);
  s.curve(c.data(), kCurvePoints);
  EXPECT_EQ(c[kCurvePoints - 1], 10.0);
  s.decay(0.5);
  s.curve(c.data(), kCurvePoints);
  EXPECT_EQ(c[kCurvePoints - 1], 5.0);
}

TEST(MrcTracker, FillsBothCurves) {
  MrcTracker t(1e6, 1.0, 1.0);
  for (int rep = 0; rep < 3; ++rep)
    for (int64_t u = 0; u < 10; ++u) {
      t.kv_access(u, 1000, 1000, 0.05);  // a hit reuses 1000 tokens: 50 ns
      t.emb_access(u, 100, 2.0);
    }
  NodeWindowStats w;
  t.fill(w);
  EXPECT_EQ(w.has_curves, 1);
  EXPECT_DOUBLE_EQ(w.kv_saved_ns[kCurvePoints - 1], 20 * 50.0);
  EXPECT_DOUBLE_EQ(w.emb_saved_ns[kCurvePoints - 1], 20 * 2.0);
  EXPECT_EQ(w.kv_saved_ns[0], 0.0);
}

// The KV curve's capacity axis is the pool bytes a user's K/V occupies (whole pages), while a
// hit is worth the tokens it reuses: a cache of the tokens' bytes alone is too small to hold
// the loop (the knee sits at the page footprint), and the worth does not scale with the pages.
TEST(MrcTracker, KvKneeAtThePageFootprintWorthByTokens) {
  // 10 users, 5 tokens each of 100 bytes, in pages of 1000 bytes: 500 bytes of K/V, 1000 of pool.
  MrcTracker t(20'000, 1.0, 1.0);  // curve points every 1000 bytes
  for (int rep = 0; rep < 3; ++rep)
    for (int64_t u = 0; u < 10; ++u) t.kv_access(u, 5, 1000, 7.0);
  NodeWindowStats w;
  t.fill(w);
  // A loop of 10 users needs 10 x 1000 bytes (point 10), not 10 x 500 (point 5).
  EXPECT_EQ(w.kv_saved_ns[9], 0.0);
  EXPECT_DOUBLE_EQ(w.kv_saved_ns[10], 20 * 5 * 7.0);  // 20 hits x 5 tokens x 7 ns
}

TEST(ReuseSampler, HitWorthUsesUnitsNotBytes) {
  ReuseSampler s(1.0, 100, 1000.0, 10);
  s.access(1, 400, 0, 2.0, 3);  // occupies 400 bytes, holds 3 units
  s.access(1, 400, 0, 2.0, 4);  // hit at distance 400: worth 2 x 3
  double c[3];
  s.curve(c, 3);  // capacities 0, 500, 1000
  EXPECT_EQ(c[0], 0.0);
  EXPECT_DOUBLE_EQ(c[1], 6.0);
}

}  // namespace
}  // namespace helm
