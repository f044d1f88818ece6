// A long seeded random mix of operations on both caches sharing one pool: after every operation
// EMB + KV + Free == pool, every structure recounts cleanly, a cache grows only within its quota,
// and the byte-backed and bookkeeping-only pools make identical decisions.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "allocator/two_cache_pool.h"
#include "common/rng.h"

namespace helm {
namespace {

constexpr size_t kPage = 1024;

struct Trace {
  std::vector<int64_t> decisions;  // everything observable, in order
};

Trace run(bool bytes, uint64_t seed, int steps) {
  GeneratedHostTable table(20000, 16, 5, 1.0f);
  PoolOptions po;
  po.pool_bytes = 64 * kPage;
  po.page_bytes = kPage;
  po.emb_share = 0.5;
  po.bytes = bytes;
  TwoCachePool node(po, table, KvLayout::for_page(1, 1, 4, 4, kPage));
  PagePool& pool = node.pool();
  Trace t;
  node.kv().set_eviction_callback([&](UserId u) { t.decisions.push_back(-u); });
  Rng rng(seed);
  ZipfSampler items(20000, 1.0), users(300, 0.8);
  std::vector<KvLease> open;
  std::vector<const float*> rows;
  std::vector<float> want(16);
  for (int step = 0; step < steps; ++step) {
    const size_t emb_before = pool.count(Owner::Emb), kv_before = pool.count(Owner::Kv);
    const uint64_t op = rng.below(100);
    if (op < 45) {  // an EMB batch, sometimes while KV leases are open
      std::vector<ItemId> batch(1 + rng.below(200));
      for (auto& it : batch) it = static_cast<ItemId>(items(rng) - 1);
      EmbBatchStats st;
      node.emb().lookup_batch(batch, rows, st);
      for (size_t i = 0; bytes && i < batch.size(); ++i) {
        table.read(batch[i], want.data());
        EXPECT_EQ(std::memcmp(rows[i], want.data(), 64), 0);
      }
      node.emb().end_batch();
      t.decisions.insert(t.decisions.end(), {st.hits, st.misses, st.admitted, st.h2d_bytes});
    } else if (op < 85) {  // a KV visit: reuse what probe shows, add 1..100 tokens
      const UserId u = static_cast<UserId>(users(rng));
      bool busy = false;
      for (auto& l : open) busy |= l.user == u;
      if (busy) continue;
      const KvProbe p = node.kv().probe(u);
      const int64_t reuse = p.present && rng.bernoulli(0.8) ? p.tokens : 0;
      KvLease l = node.kv().acquire(u, 0, reuse, reuse + 1 + static_cast<int64_t>(rng.below(100)));
      t.decisions.insert(t.decisions.end(), {u, l.cached, l.reuse_tokens});
      for (float* pg : l.view.pages) EXPECT_EQ(pg == nullptr, !bytes);
      if (open.size() < 4 && rng.bernoulli(0.3)) {
        open.push_back(std::move(l));  // stays pinned across later operations
      } else if (rng.bernoulli(0.95)) {
        node.kv().commit(l, rng.next());
      } else {
        node.kv().abort(l);
      }
    } else if (op < 95 && !open.empty()) {  // finish one open lease
      const size_t i = rng.below(open.size());
      if (rng.bernoulli(0.9)) node.kv().commit(open[i], rng.next());
      else node.kv().abort(open[i]);
      open.erase(open.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (op < 98) {  // a new static split, then the caches give pages back to meet it
      pool.set_emb_share(rng.uniform());
      const size_t emb_over = pool.count(Owner::Emb) > pool.quota(Owner::Emb)
                                  ? pool.count(Owner::Emb) - pool.quota(Owner::Emb) : 0;
      const size_t kv_over = pool.count(Owner::Kv) > pool.quota(Owner::Kv)
                                 ? pool.count(Owner::Kv) - pool.quota(Owner::Kv) : 0;
      t.decisions.push_back(static_cast<int64_t>(node.emb().release_pages(emb_over)));
      t.decisions.push_back(static_cast<int64_t>(node.kv().release_pages(kv_over)));
    } else {
      t.decisions.push_back(static_cast<int64_t>(node.emb().release_pages(rng.below(4))));
    }
    pool.check();
    node.emb().check();
    node.kv().check();
    EXPECT_EQ(pool.count(Owner::Emb) + pool.count(Owner::Kv) + pool.free_pages(), 64u);
    // A cache grows only within its quota (a lowered quota never forces growth).
    if (pool.count(Owner::Emb) > emb_before) {
      EXPECT_LE(pool.count(Owner::Emb), pool.quota(Owner::Emb));
    }
    if (pool.count(Owner::Kv) > kv_before) {
      EXPECT_LE(pool.count(Owner::Kv), pool.quota(Owner::Kv));
    }
    if (::testing::Test::HasFailure()) break;
  }
  for (auto& l : open) node.kv().commit(l, 0);
  t.decisions.push_back(node.emb().stats().hits);
  t.decisions.push_back(node.kv().stats().token_hits);
  EXPECT_GT(node.emb().stats().hits, 0);
  EXPECT_GT(node.kv().stats().token_hits, 0);
  EXPECT_GT(node.kv().stats().evictions, 0);
  return t;
}

TEST(PoolRandom, InvariantsHoldAndBookkeepingOnlyMatchesBytes) {
  for (uint64_t seed : {1, 2, 3}) {
    const Trace a = run(true, seed, 3000), b = run(false, seed, 3000);
    ASSERT_FALSE(::testing::Test::HasFailure()) << "seed " << seed;
    EXPECT_EQ(a.decisions, b.decisions) << "seed " << seed;
  }
}

}  // namespace
}  // namespace helm
