// The EMB cache's lookup stream (distinct rows per batch) and the miniature of its policy that
// predicts its hit rate (allocator/emb_shadow.h), against the real cache on the same batches.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "allocator/emb_cache.h"
#include "allocator/emb_shadow.h"
#include "common/rng.h"

namespace helm {
namespace {

constexpr size_t kPage = 1024;  // 16 rows of 16 floats
constexpr int kDim = 16;

struct Rig {
  explicit Rig(size_t pages, int64_t rows = 200000)
      : table(rows, kDim, 7, 1.0f), device(pages * kPage, kPage), pool(pages, 1.0),
        cache(pool, device, table) {}
  GeneratedHostTable table;
  NullDevice device;
  PagePool pool;
  EmbCache cache;
  std::vector<const float*> rows;
};

TEST(EmbCacheLookupObserver, SeesEachDistinctRowOncePerBatch) {
  Rig r(8);
  std::vector<std::vector<ItemId>> seen;
  r.cache.set_lookup_observer([&](std::span<const ItemId> ids) { seen.emplace_back(ids.begin(), ids.end()); });
  EmbBatchStats st;
  r.cache.lookup_batch(std::vector<ItemId>{5, 6, 5, 7, 6}, r.rows, st);
  r.cache.lookup_batch(std::vector<ItemId>{7, 8, 5}, r.rows, st);  // same batch: only 8 is new
  r.cache.end_batch();
  r.cache.lookup_batch(std::vector<ItemId>{5, 5}, r.rows, st);  // a new batch counts 5 again
  r.cache.end_batch();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], (std::vector<ItemId>{5, 6, 7}));
  EXPECT_EQ(seen[1], (std::vector<ItemId>{8}));
  EXPECT_EQ(seen[2], (std::vector<ItemId>{5}));
  EXPECT_EQ(st.lookups, 5);  // what the cache counted is what the observer saw
}

// Batches of Zipf rows with repeats inside each batch, plus one-off scans (long recomputes) that
// TinyLFU refuses; the real cache and a miniature at `rate` see the same lookups.
void compare(double rate, double tolerance_points) {
  Rig r(256);  // 4096 rows: a miniature of ~410 at rate 0.1
  EmbShadow shadow(rate, r.cache.sketch_width());
  r.cache.set_lookup_observer([&](std::span<const ItemId> ids) {
    shadow.set_capacity(r.cache.capacity_rows());
    for (ItemId i : ids) shadow.lookup(i);
  });
  Rng rng(11);
  ZipfSampler zipf(100000, 0.9);
  ItemId scan = 100000;
  EmbBatchStats total;
  for (int b = 0; b < 3000; ++b) {
    std::vector<ItemId> items;
    for (int i = 0; i < 64; ++i) items.push_back(static_cast<ItemId>(zipf(rng)) - 1);
    if (b % 10 == 0)
      for (int i = 0; i < 300; ++i) items.push_back(scan++);
    EmbBatchStats st;
    r.cache.lookup_batch(items, r.rows, st);
    r.cache.end_batch();
    if (b >= 500) total += st;  // after the warm-up
    if (b == 499) shadow.take_window_ratio();
  }
  const double real = double(total.hits) / double(total.lookups);
  const double predicted = shadow.take_window_ratio();
  EXPECT_GT(total.rejected, 0);  // admission was exercised
  EXPECT_NEAR(100 * predicted, 100 * real, tolerance_points) << "rate " << rate;
}

TEST(EmbShadow, AtFullRateItIsTheCachesPolicy) { compare(1.0, 1.0); }
TEST(EmbShadow, SampledItStaysWithinFivePoints) { compare(0.1, 5.0); }

TEST(EmbShadow, ShrinkingEvictsAndZeroCapacityNeverHits) {
  EmbShadow s(1.0, 4096);
  s.set_capacity(10);
  for (ItemId i = 0; i < 10; ++i) s.lookup(i);
  EXPECT_EQ(s.resident(), 10u);
  s.set_capacity(4);
  EXPECT_EQ(s.resident(), 4u);
  s.set_capacity(0);
  EXPECT_EQ(s.resident(), 0u);
  s.take_window_ratio();
  for (ItemId i = 0; i < 10; ++i) s.lookup(i);
  EXPECT_EQ(s.take_window_ratio(), 0.0);
  EXPECT_EQ(s.take_window_ratio(), -1.0);  // an empty window
}

}  // namespace
}  // namespace helm
