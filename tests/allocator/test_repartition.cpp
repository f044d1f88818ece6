// Repartitioning: page conservation after every operation (EMB + KV + Free == pool), pinned
// pages never taken, no row lost or duplicated across moves, K/V of surviving users untouched,
// both modes converge to the new quotas.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <vector>

#include "allocator/repartition.h"
#include "allocator/two_cache_pool.h"
#include "common/rng.h"

namespace helm {
namespace {

constexpr size_t kPage = 1024;  // 16 rows of 64 bytes; 32 tokens of K/V
constexpr int kDim = 16;

struct Node {
  Node(RepartitionMode mode, bool bytes = true, size_t pages = 64)
      : table(20000, kDim, 5, 1.0f),
        pool([&] {
          PoolOptions po;
          po.pool_bytes = pages * kPage;
          po.page_bytes = kPage;
          po.emb_share = 0.5;
          po.bytes = bytes;
          return po;
        }(), table, KvLayout::for_page(1, 1, 4, 4, kPage)),
        link(1e9, 1000),
        rep(pool.pool(), pool.emb(), pool.kv(), &link, options(mode)) {}
  static RepartitionOptions options(RepartitionMode m) {
    RepartitionOptions o;
    o.mode = m;
    o.slice_pages = 3;
    o.refill.chunk_bytes = 4 * kPage;
    o.refill.window_records = 512;
    o.refill.recent = 1024;
    o.refill.sample = 1;
    return o;
  }
  void check() {
    PagePool& p = pool.pool();
    p.check();
    pool.emb().check();
    pool.kv().check();
    ASSERT_EQ(p.count(Owner::Emb) + p.count(Owner::Kv) + p.free_pages(), p.num_pages());
  }
  std::set<ItemId> resident(ItemId upto = 20000) {
    std::set<ItemId> s;
    for (ItemId i = 0; i < upto; ++i)
      if (pool.emb().contains(i)) s.insert(i);
    return s;
  }
  GeneratedHostTable table;
  TwoCachePool pool;
  H2DLink link;
  Repartitioner rep;
};

class RepartitionModes : public ::testing::TestWithParam<RepartitionMode> {};

// A seeded random mix of batches, KV visits, split changes and ticks, some while pins are held.
TEST_P(RepartitionModes, ConservesPagesAndConvergesToQuotas) {
  Node n(GetParam());
  Rng rng(7);
  ZipfSampler items(20000, 1.0), users(200, 0.8);
  std::vector<const float*> rows;
  Nanos now = 0;
  for (int step = 0; step < 3000; ++step) {
    now += 1000 + static_cast<Nanos>(rng.below(20000));
    const uint64_t op = rng.below(100);
    if (op < 40) {
      std::vector<ItemId> b(1 + rng.below(64));
      for (auto& it : b) it = static_cast<ItemId>(items(rng) - 1);
      EmbBatchStats st;
      n.pool.emb().lookup_batch(b, rows, st);
      n.rep.record(b);
      if (rng.bernoulli(0.2)) n.rep.set_share(rng.uniform());  // a move while pages are pinned
      n.check();
      n.pool.emb().end_batch();
    } else if (op < 75) {
      const UserId u = static_cast<UserId>(users(rng));
      const KvProbe p = n.pool.kv().probe(u);
      const int64_t reuse = p.present ? p.tokens : 0;
      KvLease l = n.pool.kv().acquire(u, 0, reuse, reuse + 1 + static_cast<int64_t>(rng.below(60)));
      if (rng.bernoulli(0.2)) n.rep.set_share(rng.uniform());  // KV pages pinned by the lease
      n.check();
      n.pool.kv().commit(l, 0);
    } else if (op < 85) {
      n.rep.set_share(std::round(rng.uniform() * 20) / 20);
    } else {
      n.rep.tick(now);
    }
    n.check();
  }
  // With nothing pinned, ticks drain every pending page: each cache within its quota.
  for (int i = 0; i < 100 && n.rep.pending(); ++i) n.rep.tick(now += 1000);
  EXPECT_EQ(n.rep.pending(), 0u);
  const PagePool& p = n.pool.pool();
  EXPECT_LE(p.count(Owner::Emb), p.quota(Owner::Emb));
  EXPECT_LE(p.count(Owner::Kv), p.quota(Owner::Kv));
  EXPECT_GT(n.rep.stats().pages_to_emb, 0);
  EXPECT_GT(n.rep.stats().pages_to_kv, 0);
}

INSTANTIATE_TEST_SUITE_P(Modes, RepartitionModes,
                         ::testing::Values(RepartitionMode::kNaive, RepartitionMode::kBudgeted),
                         [](const auto& i) { return i.param == RepartitionMode::kNaive ? "naive" : "budgeted"; });

TEST(Repartition, NeverTakesPinnedPages) {
  Node n(RepartitionMode::kNaive);
  std::vector<ItemId> b(300);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<ItemId>(i);
  std::vector<const float*> rows;
  EmbBatchStats st;
  n.pool.emb().lookup_batch(b, rows, st);  // 300 rows: 19 pages, all pinned by this batch
  const size_t emb = n.pool.pool().count(Owner::Emb);
  ASSERT_GT(emb, 0u);
  EXPECT_EQ(n.rep.set_share(0.0), 0u);     // all pinned: nothing moves
  EXPECT_EQ(n.pool.pool().count(Owner::Emb), emb);
  EXPECT_EQ(n.rep.pending(), emb);
  std::vector<float> want(kDim);           // the batch's rows are intact
  for (size_t i = 0; i < b.size(); ++i) {
    n.table.read(b[i], want.data());
    ASSERT_EQ(std::memcmp(rows[i], want.data(), kDim * sizeof(float)), 0);
  }
  n.pool.emb().end_batch();
  n.rep.tick(1);
  EXPECT_EQ(n.rep.pending(), 0u);
  EXPECT_EQ(n.pool.pool().count(Owner::Emb), 0u);
  n.check();
}

TEST(Repartition, EmbToKvLosesOnlyRowsOfReleasedPagesAndDuplicatesNone) {
  Node n(RepartitionMode::kBudgeted);
  std::vector<const float*> rows;
  Rng rng(3);
  ZipfSampler items(5000, 1.1);
  for (int i = 0; i < 200; ++i) {
    std::vector<ItemId> b(50);
    for (auto& it : b) it = static_cast<ItemId>(items(rng) - 1);
    EmbBatchStats st;
    n.pool.emb().lookup_batch(b, rows, st);
    n.pool.emb().end_batch();
  }
  const auto before = n.resident(5000);
  const int64_t evicted_before = n.pool.emb().stats().evictions;
  const size_t pages = n.pool.emb().pages();
  ASSERT_EQ(pages, 32u);
  n.rep.set_share(0.25);  // 16 pages to KV, in slices of 3
  for (Nanos t = 1; n.rep.pending(); ++t) {
    n.rep.tick(t);
    n.check();
  }
  const auto after = n.resident(5000);
  EXPECT_EQ(n.pool.emb().pages(), 16u);
  EXPECT_TRUE(std::includes(before.begin(), before.end(), after.begin(), after.end()));
  EXPECT_EQ(after.size(), n.pool.emb().resident_rows());  // each row once (check() also)
  EXPECT_EQ(before.size() - after.size(),
            static_cast<size_t>(n.pool.emb().stats().evictions - evicted_before));
  // Every surviving row still holds its own bytes.
  std::vector<ItemId> b(after.begin(), after.end());
  EmbBatchStats st;
  n.pool.emb().lookup_batch(b, rows, st);
  EXPECT_EQ(st.hits, static_cast<int64_t>(b.size()));
  std::vector<float> want(kDim);
  for (size_t i = 0; i < b.size(); ++i) {
    n.table.read(b[i], want.data());
    ASSERT_EQ(std::memcmp(rows[i], want.data(), kDim * sizeof(float)), 0) << "item " << b[i];
  }
  n.pool.emb().end_batch();
}

TEST(Repartition, KvToEmbEvictsLeastRecentUsersAndKeepsTheOthersBytes) {
  Node n(RepartitionMode::kNaive);
  // 16 users of 2 pages each (64 tokens) fill the KV quota (32 pages), user 0 least recent;
  // each page is filled with its user id.
  for (UserId u = 0; u < 16; ++u) {
    KvLease l = n.pool.kv().acquire(u, 0, 0, 64);
    for (float* pg : l.view.pages) std::fill_n(pg, kPage / sizeof(float), static_cast<float>(u));
    n.pool.kv().commit(l, static_cast<uint64_t>(u));
  }
  n.rep.set_share(0.5 + 6.0 / 64);  // 6 pages to EMB: users 0, 1, 2 go
  n.check();
  for (UserId u = 0; u < 16; ++u) EXPECT_EQ(n.pool.kv().contains(u), u >= 3) << u;
  for (UserId u = 3; u < 16; ++u) {
    KvLease l = n.pool.kv().acquire(u, 0, 64, 64);
    for (float* pg : l.view.pages)
      for (size_t i = 0; i < kPage / sizeof(float); ++i) ASSERT_EQ(pg[i], static_cast<float>(u));
    n.pool.kv().commit(l, static_cast<uint64_t>(u));
  }
}

TEST(Repartition, BookkeepingOnlyMakesTheSameMoves) {
  std::vector<int64_t> seen[2];
  for (int bytes = 0; bytes < 2; ++bytes) {
    Node n(RepartitionMode::kBudgeted, bytes == 1);
    Rng rng(11);
    ZipfSampler items(20000, 1.0);
    std::vector<const float*> rows;
    for (int step = 0; step < 400; ++step) {
      std::vector<ItemId> b(1 + rng.below(64));
      for (auto& it : b) it = static_cast<ItemId>(items(rng) - 1);
      EmbBatchStats st;
      n.pool.emb().lookup_batch(b, rows, st);
      n.rep.record(b);
      n.pool.emb().end_batch();
      if (step % 50 == 0) n.rep.set_share(step % 100 ? 0.8 : 0.2);
      n.rep.tick(step * 10'000);
      seen[bytes].insert(seen[bytes].end(), {st.hits, static_cast<int64_t>(n.pool.emb().pages()),
                                             n.rep.refill()->stats().rows_landed});
    }
  }
  EXPECT_EQ(seen[0], seen[1]);
}

TEST(Repartition, ParsesModes) {
  EXPECT_EQ(parse_repartition("naive"), RepartitionMode::kNaive);
  EXPECT_EQ(parse_repartition("budgeted"), RepartitionMode::kBudgeted);
  EXPECT_ANY_THROW(parse_repartition("eager"));
}

}  // namespace
}  // namespace helm
