#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "allocator/emb_cache.h"
#include "common/rng.h"

namespace helm {
namespace {

constexpr size_t kPage = 1024;  // 16 rows of 16 floats per page
constexpr int kDim = 16;

struct Rig {
  Rig(size_t pages, double share, bool bytes = true, EmbCacheOptions opt = {},
      int64_t rows = 100000)
      : table(rows, kDim, 7, 1.0f),
        device(bytes ? std::unique_ptr<Device>(new CpuDevice(pages * kPage, kPage))
                     : std::unique_ptr<Device>(new NullDevice(pages * kPage, kPage))),
        pool(pages, share),
        cache(pool, *device, table, opt) {}
  EmbBatchStats batch(const std::vector<ItemId>& items, bool end = true) {
    EmbBatchStats st;
    cache.lookup_batch(items, rows, st);
    cache.check();
    pool.check();
    if (end) cache.end_batch();
    return st;
  }
  bool row_ok(ItemId item, const float* row) const {
    std::vector<float> want(kDim);
    table.read(item, want.data());
    return row && std::memcmp(row, want.data(), kDim * sizeof(float)) == 0;
  }
  GeneratedHostTable table;
  std::unique_ptr<Device> device;
  PagePool pool;
  EmbCache cache;
  std::vector<const float*> rows;
};

std::vector<ItemId> range(ItemId a, ItemId b) {
  std::vector<ItemId> v;
  for (ItemId i = a; i < b; ++i) v.push_back(i);
  return v;
}

TEST(EmbCache, HitsAndMisses) {
  Rig r(4, 1.0);
  auto st = r.batch({1, 2, 3});
  EXPECT_EQ(st.lookups, 3);
  EXPECT_EQ(st.misses, 3);
  EXPECT_EQ(st.admitted, 3);
  EXPECT_EQ(st.h2d_bytes, 3 * 64);
  st = r.batch({1, 2, 4});
  EXPECT_EQ(st.hits, 2);
  EXPECT_EQ(st.misses, 1);
  EXPECT_EQ(st.h2d_bytes, 64);
  EXPECT_TRUE(r.cache.contains(4));
  EXPECT_FALSE(r.cache.contains(5));
  EXPECT_EQ(r.cache.resident_rows(), 4u);
  EXPECT_EQ(r.cache.capacity_rows(), 16u);  // grows one page at a time
  EXPECT_EQ(r.cache.stats().lookups, 6);
}

TEST(EmbCache, CountsEachDistinctRowOncePerBatch) {
  Rig r(4, 1.0);
  auto st = r.batch({5, 5, 5, 6, 5}, false);
  EXPECT_EQ(st.lookups, 2);
  EXPECT_EQ(st.misses, 2);
  EXPECT_EQ(st.h2d_bytes, 2 * 64);
  EXPECT_EQ(r.rows[0], r.rows[1]);
  st = r.batch({6, 7}, true);  // second call in the same batch: 6 was already counted
  EXPECT_EQ(st.lookups, 1);
  EXPECT_EQ(st.misses, 1);
  st = r.batch({5, 5, 6});
  EXPECT_EQ(st.lookups, 2);
  EXPECT_EQ(st.hits, 2);
}

TEST(EmbCache, RowsEqualTheHostTableIncludingStagedOnes) {
  Rig r(4, 1.0);  // 64 rows; batches of 100 distinct rows force rejections into staging
  Rng rng(3);
  for (int b = 0; b < 50; ++b) {
    std::vector<ItemId> items;
    for (int i = 0; i < 100; ++i) items.push_back(static_cast<ItemId>(rng.below(300)));
    r.batch(items, false);
    for (size_t i = 0; i < items.size(); ++i) ASSERT_TRUE(r.row_ok(items[i], r.rows[i])) << i;
    r.cache.end_batch();
  }
  EXPECT_GT(r.cache.stats().rejected, 0);
  EXPECT_GT(r.cache.stats().hits, 0);
}

TEST(EmbCache, ClockGivesHitRowsASecondChance) {
  EmbCacheOptions opt;
  opt.admission = false;
  Rig r(1, 1.0, true, opt);
  r.batch(range(0, 16));
  r.batch(range(0, 8));  // reference bits set on 0..7
  const auto st = r.batch({100});
  EXPECT_EQ(st.admitted, 1);
  EXPECT_FALSE(r.cache.contains(8));  // first row without a second chance
  for (ItemId i : range(0, 8)) EXPECT_TRUE(r.cache.contains(i));
  for (ItemId i : range(9, 16)) EXPECT_TRUE(r.cache.contains(i));
  EXPECT_EQ(r.cache.stats().evictions, 1);
}

TEST(EmbCache, PinnedPagesSurvivePressure) {
  EmbCacheOptions opt;
  opt.admission = false;  // admit everything it can: only pins protect rows
  Rig r(2, 1.0, true, opt);
  auto first = range(0, 32);
  r.batch(first, false);
  std::vector<const float*> kept = r.rows;
  const auto st = r.batch(range(32, 64), false);  // same batch: every page pinned
  EXPECT_EQ(st.rejected, 32);
  for (ItemId i : first) EXPECT_TRUE(r.cache.contains(i));
  for (size_t i = 0; i < first.size(); ++i) EXPECT_TRUE(r.row_ok(first[i], kept[i]));
  for (size_t i = 0; i < 32; ++i) EXPECT_TRUE(r.row_ok(32 + i, r.rows[i]));
  EXPECT_EQ(r.cache.release_pages(2), 0u);  // pinned pages are not given up either
  r.cache.end_batch();
  EXPECT_EQ(r.batch(range(32, 48)).admitted, 16);
  // A pin from elsewhere (the model, a copy in flight) protects a whole page.
  const std::byte* page0 = r.device->page(0);
  std::vector<ItemId> on_page0;
  for (ItemId i : range(0, 64)) {
    if (!r.cache.contains(i)) continue;
    r.batch({i});
    const auto* b = reinterpret_cast<const std::byte*>(r.rows[0]);
    if (b >= page0 && b < page0 + kPage) on_page0.push_back(i);
  }
  ASSERT_EQ(on_page0.size(), 16u);
  r.pool.pin(0);
  EXPECT_GT(r.batch(range(200, 240)).admitted, 0);
  for (ItemId i : on_page0) EXPECT_TRUE(r.cache.contains(i)) << i;
  r.pool.unpin(0);
  r.pool.check();
}

void hot_then_scan(Rig& r) {
  const auto hot = range(0, 100);
  for (int rep = 0; rep < 30; ++rep) r.batch(hot);
  ItemId next = 1000;
  for (int b = 0; b < 10000 / 64 + 1; ++b) r.batch(range(next, next + 64)), next += 64;
}

TEST(EmbCache, AdmissionKeepsTheHotSetThroughAOneOffScan) {
  Rig r(16, 1.0);  // 256 rows
  hot_then_scan(r);
  for (ItemId i = 0; i < 100; ++i) EXPECT_TRUE(r.cache.contains(i)) << i;
  EXPECT_EQ(r.batch(range(0, 100)).hits, 100);
  // The same stream without admission flushes the hot rows (so the test means something).
  EmbCacheOptions opt;
  opt.admission = false;
  Rig plain(16, 1.0, true, opt);
  hot_then_scan(plain);
  int resident = 0;
  for (ItemId i = 0; i < 100; ++i) resident += plain.cache.contains(i);
  EXPECT_EQ(resident, 0);
}

TEST(EmbCache, BookkeepingOnlyMakesTheSameDecisions) {
  Rig cpu(8, 1.0, true), null(8, 1.0, false);
  Rng rng(11);
  ZipfSampler zipf(5000, 0.9);
  for (int b = 0; b < 400; ++b) {
    std::vector<ItemId> items;
    const int n = 1 + static_cast<int>(rng.below(150));
    for (int i = 0; i < n; ++i) items.push_back(static_cast<ItemId>(zipf(rng) - 1));
    const auto a = cpu.batch(items), c = null.batch(items);
    ASSERT_EQ(a.hits, c.hits);
    ASSERT_EQ(a.misses, c.misses);
    ASSERT_EQ(a.admitted, c.admitted);
    ASSERT_EQ(a.h2d_bytes, c.h2d_bytes);
    for (const float* p : null.rows) ASSERT_EQ(p, nullptr);
    if (b % 50 == 49) {
      ASSERT_EQ(cpu.cache.release_pages(1), null.cache.release_pages(1));
    }
  }
  for (ItemId i = 0; i < 5000; ++i) ASSERT_EQ(cpu.cache.contains(i), null.cache.contains(i));
  EXPECT_EQ(cpu.cache.stats().evictions, null.cache.stats().evictions);
}

TEST(EmbCache, ShareZeroServesEverythingUncached) {
  Rig r(4, 0.0);
  const auto st = r.batch({1, 2, 2}, false);
  EXPECT_EQ(st.misses, 2);
  EXPECT_EQ(st.rejected, 2);
  EXPECT_EQ(st.h2d_bytes, 128);
  EXPECT_TRUE(r.row_ok(2, r.rows[2]));
  r.cache.end_batch();
  EXPECT_EQ(r.cache.capacity_rows(), 0u);
  EXPECT_EQ(r.pool.count(Owner::Emb), 0u);
}

TEST(EmbCache, ShareOneGrowsOverTheWholePool) {
  Rig r(4, 1.0);
  r.batch(range(0, 64));
  EXPECT_EQ(r.pool.count(Owner::Emb), 4u);
  EXPECT_EQ(r.pool.free_pages(), 0u);
  EXPECT_EQ(r.cache.resident_rows(), 64u);
}

TEST(EmbCache, ReleasePagesGivesUpTheColdestPages) {
  Rig r(4, 1.0);
  r.batch(range(0, 64));                             // 4 pages: rows 16k..16k+15 on page k
  for (int rep = 0; rep < 5; ++rep) r.batch(range(0, 16)), r.batch(range(32, 48));
  EXPECT_EQ(r.cache.release_pages(2), 2u);
  r.cache.check();
  r.pool.check();
  EXPECT_EQ(r.pool.count(Owner::Emb), 2u);
  EXPECT_EQ(r.pool.free_pages(), 2u);
  for (ItemId i : range(0, 16)) EXPECT_TRUE(r.cache.contains(i));
  for (ItemId i : range(32, 48)) EXPECT_TRUE(r.cache.contains(i));
  EXPECT_EQ(r.cache.resident_rows(), 32u);
  r.batch(range(0, 16), false);  // bytes still right after relabelling pages
  for (size_t i = 0; i < 16; ++i) EXPECT_TRUE(r.row_ok(static_cast<ItemId>(i), r.rows[i]));
  r.cache.end_batch();
  EXPECT_EQ(r.cache.release_pages(10), 2u);
  EXPECT_EQ(r.cache.resident_rows(), 0u);
  r.cache.check();
}

}  // namespace
}  // namespace helm
