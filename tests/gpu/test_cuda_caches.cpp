// The caches over a CudaDevice make the same decisions and hold the same bytes as over a
// CpuDevice (the EMB miss path through CudaRowSource, both variants), page moves and refills
// land, and the forward over rows gathered from the GPU pool (KV pages from the KvCache) equals
// the forward over host rows. Skips without a device.
#include <gtest/gtest.h>

#include <cstring>

#include "../gr_model/test_util.h"
#include "allocator/cuda_device.h"
#include "allocator/emb_cache.h"
#include "allocator/kv_cache.h"
#include "allocator/page_pool.h"
#include "gpu_util.h"

using namespace helm;

namespace {

constexpr size_t kPage = 16 << 10;

class CudaCaches : public ::testing::TestWithParam<MissPath> {
 protected:
  void SetUp() override { HELM_REQUIRE_GPU(); }
};

// Same lookups on both devices: same stats, same row offsets in the pool, same pool bytes.
TEST_P(CudaCaches, EmbCacheSameDecisionsAndBytes) {
  const GeneratedHostTable table(4000, 32, 77, 0.1f);
  const size_t pool_bytes = 64 * kPage;
  CpuDevice cpu_dev(pool_bytes, kPage);
  CudaDevice gpu_dev(pool_bytes, kPage);
  CudaRowSource source(table, gpu_dev, GetParam());
  PagePool cpu_pool(cpu_dev.num_pages(), 0.25), gpu_pool(gpu_dev.num_pages(), 0.25);
  EmbCache cpu_emb(cpu_pool, cpu_dev, table), gpu_emb(gpu_pool, gpu_dev, source);
  Rng rng(4);
  ZipfSampler zipf(4000, 0.9);
  std::vector<const float*> cpu_rows, gpu_rows;
  for (int batch = 0; batch < 40; ++batch) {
    std::vector<ItemId> items(300);
    for (auto& it : items) it = static_cast<ItemId>(zipf(rng) - 1);
    EmbBatchStats cs, gs;
    cpu_emb.lookup_batch(items, cpu_rows, cs);
    gpu_emb.lookup_batch(items, gpu_rows, gs);
    ASSERT_EQ(cs.hits, gs.hits);
    ASSERT_EQ(cs.misses, gs.misses);
    ASSERT_EQ(cs.admitted, gs.admitted);
    ASSERT_EQ(cs.rejected, gs.rejected);
    for (size_t i = 0; i < items.size(); ++i) {
      const auto* c = reinterpret_cast<const std::byte*>(cpu_rows[i]);
      const bool in_pool = c >= cpu_dev.page(0) && c < cpu_dev.page(0) + pool_bytes;
      ASSERT_EQ(in_pool, gpu_dev.contains(gpu_rows[i])) << "row " << i;
      if (in_pool)
        ASSERT_EQ(c - cpu_dev.page(0), reinterpret_cast<const std::byte*>(gpu_rows[i]) - gpu_dev.base());
      else  // a rejected miss, staged on the host by both
        ASSERT_EQ(0, std::memcmp(cpu_rows[i], gpu_rows[i], table.row_bytes()));
    }
    source.flush();
    cpu_emb.end_batch();
    gpu_emb.end_batch();
  }
  gpu_dev.synchronize();
  std::vector<std::byte> page(kPage);
  for (PageId p = 0; p < gpu_dev.num_pages(); ++p) {
    gpu_dev.read_page(p, page.data());
    ASSERT_EQ(0, std::memcmp(page.data(), cpu_dev.page(p), kPage)) << "page " << p;
  }
  EXPECT_GT(source.rows_copied(), 0);
  EXPECT_EQ(source.path(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Paths, CudaCaches, ::testing::Values(MissPath::staged, MissPath::mapped),
                         [](const auto& p) { return p.param == MissPath::staged ? "staged" : "mapped"; });

TEST(CudaDevicePages, KvCacheSamePagesAndMovesLand) {
  HELM_REQUIRE_GPU();
  const KvLayout layout = KvLayout::for_page(2, 2, 8, 8, kPage, 2);
  CpuDevice cpu_dev(32 * kPage, kPage);
  CudaDevice gpu_dev(32 * kPage, kPage);
  PagePool cpu_pool(32, 0.0), gpu_pool(32, 0.0);
  KvCache cpu_kv(cpu_pool, cpu_dev, layout), gpu_kv(gpu_pool, gpu_dev, layout);
  Rng rng(2);
  for (int i = 0; i < 200; ++i) {
    const UserId u = static_cast<UserId>(rng.below(20));
    const int64_t total = 1 + static_cast<int64_t>(rng.below(3 * layout.tokens_per_page));
    KvLease a = cpu_kv.acquire(u, 0, 0, total), b = gpu_kv.acquire(u, 0, 0, total);
    ASSERT_EQ(a.cached, b.cached);
    ASSERT_EQ(a.view.pages.size(), b.view.pages.size());
    for (size_t k = 0; k < a.view.pages.size(); ++k)
      ASSERT_EQ(reinterpret_cast<std::byte*>(a.view.pages[k]) - cpu_dev.page(0),
                reinterpret_cast<std::byte*>(b.view.pages[k]) - gpu_dev.base());
    cpu_kv.commit(a, 1);
    gpu_kv.commit(b, 1);
  }
  EXPECT_EQ(cpu_kv.lru_order(), gpu_kv.lru_order());
  // A refill into page 3, then page 3 moved to page 5, both on the copy stream.
  std::vector<std::byte> src(kPage), back(kPage);
  for (size_t i = 0; i < kPage; ++i) src[i] = static_cast<std::byte>(i * 7 + 1);
  gpu_dev.refill(3, 0, src.data(), kPage);
  const CudaDevice::PageMove mv{3, 5};
  gpu_dev.move_pages(&mv, 1);
  const uint64_t t = gpu_dev.fence();
  gpu_dev.synchronize();
  EXPECT_TRUE(gpu_dev.done(t));
  gpu_dev.read_page(5, back.data());
  EXPECT_EQ(0, std::memcmp(src.data(), back.data(), kPage));
}

// Rows gathered in place from the GPU pool, K/V in KvCache pages, after a flush event: the same
// scores as host rows with owned pages.
TEST(CudaPoolForward, PoolRowsEqualHostRows) {
  HELM_REQUIRE_GPU();
  const Weights w = random_weights(model_config("small"), 3000, 13);
  const CudaHstuModel gpu(w, CudaPrecision::fp32);
  CudaWorkspace ws;
  const size_t page = 64 << 10;
  CudaDevice dev(128 * page, page);
  CudaRowSource source(*w.E, dev);
  PagePool pool(dev.num_pages(), 0.5);
  EmbCache emb(pool, dev, source);
  KvCache kv(pool, dev, KvLayout::for_page(w.cfg.layers, w.cfg.heads, w.cfg.d_qk, w.cfg.d_v, page, 4));
  ws.add_device_range(dev.base(), dev.bytes());
  Rng rng(6);
  const auto hist = test::random_ids(rng, 120, w.items);
  const auto cand = test::random_ids(rng, 16, w.items);
  auto ids = hist;
  ids.insert(ids.end(), cand.begin(), cand.end());
  std::vector<const float*> rows;
  EmbBatchStats st;
  emb.lookup_batch(ids, rows, st);
  KvLease lease = kv.acquire(1, 0, 0, static_cast<int64_t>(hist.size()));
  ASSERT_TRUE(lease.cached);
  std::vector<float> scores(cand.size());
  SeqInput s{0, static_cast<int>(hist.size()), static_cast<int>(cand.size()), rows.data(), &lease.view, scores.data()};
  gpu.forward(std::span(&s, 1), ws, source.flush());
  emb.end_batch();
  kv.commit(lease, 7);
  EXPECT_GT(ws.last.device_rows, 0);
  const auto expect = test::gpu_scores(gpu, ws, w, hist, cand, -1);
  EXPECT_LE(test::rel_err(scores, expect), 1e-5);
}

}  // namespace
