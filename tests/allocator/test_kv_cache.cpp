#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "allocator/kv_cache.h"

namespace helm {
namespace {

constexpr size_t kPage = 1024;  // 32 tokens of 32 bytes per page

struct Rig {
  explicit Rig(size_t pages, double emb_share = 0.0, bool bytes = true)
      : device(bytes ? std::unique_ptr<Device>(new CpuDevice(pages * kPage, kPage))
                     : std::unique_ptr<Device>(new NullDevice(pages * kPage, kPage))),
        pool(pages, emb_share),
        kv(pool, *device, KvLayout::for_page(1, 1, 4, 4, kPage)) {
    kv.set_eviction_callback([this](UserId u) { evicted.push_back(u); });
  }
  // A full visit: acquire, commit.
  KvLease visit(UserId u, int64_t reuse, int64_t total, uint64_t hash = 0) {
    KvLease l = kv.acquire(u, 0, reuse, total);
    kv.commit(l, hash);
    kv.check();
    pool.check();
    return l;
  }
  std::unique_ptr<Device> device;
  PagePool pool;
  KvCache kv;
  std::vector<UserId> evicted;
};

TEST(KvCache, EvictsLeastRecentlyUsedUsers) {
  Rig r(8);
  ASSERT_EQ(r.kv.layout().tokens_per_page, 32);
  for (UserId u = 1; u <= 4; ++u) EXPECT_TRUE(r.visit(u, 0, 64).cached);
  EXPECT_EQ(r.pool.free_pages(), 0u);
  r.visit(1, 64, 64);  // user 1 becomes most recent
  EXPECT_EQ(r.kv.lru_order(), (std::vector<UserId>{2, 3, 4, 1}));
  r.visit(5, 0, 40);
  EXPECT_EQ(r.evicted, std::vector<UserId>{2});
  EXPECT_FALSE(r.kv.contains(2));
  EXPECT_EQ(r.kv.lru_order(), (std::vector<UserId>{3, 4, 1, 5}));
  EXPECT_EQ(r.kv.stats().evictions, 1);
  EXPECT_EQ(r.kv.resident_users(), 4u);
}

TEST(KvCache, ReusesAVerifiedPrefix) {
  Rig r(8);
  KvLease a = r.kv.acquire(7, 0, 0, 40);
  ASSERT_EQ(a.view.pages.size(), 2u);
  a.view.pages[1][3] = 42.0f;  // what the model wrote
  r.kv.commit(a, 0xabc);
  const KvProbe p = r.kv.probe(7);
  EXPECT_TRUE(p.present);
  EXPECT_EQ(p.tokens, 40);
  EXPECT_EQ(p.hash, 0xabcu);
  KvLease b = r.kv.acquire(7, 0, 40, 70);
  EXPECT_TRUE(b.cached);
  EXPECT_EQ(b.reuse_tokens, 40);
  ASSERT_EQ(b.view.pages.size(), 3u);
  EXPECT_EQ(b.view.pages[1], a.view.pages[1]);
  EXPECT_EQ(b.view.pages[1][3], 42.0f);
  r.kv.commit(b, 0xdef);
  EXPECT_EQ(r.kv.probe(7).tokens, 70);
  EXPECT_EQ(r.kv.stats().token_hits, 40);
  EXPECT_EQ(r.kv.stats().token_lookups, 110);
  // A miss (reuse 0) on a shorter window keeps the entry but gives back the tail pages.
  r.visit(7, 0, 10);
  EXPECT_EQ(r.kv.pages(), 1u);
  EXPECT_EQ(r.pool.count(Owner::Kv), 1u);
  EXPECT_TRUE(r.evicted.empty());
  EXPECT_THROW(r.kv.acquire(7, 5, 20, 30), std::logic_error);  // other window start
  EXPECT_THROW(r.kv.acquire(8, 0, 1, 30), std::logic_error);   // nothing cached
}

TEST(KvCache, UserLargerThanTheQuotaIsServedUncached) {
  Rig r(10, 0.2);  // KV quota 8 pages = 256 tokens
  r.visit(1, 0, 64);
  r.visit(2, 0, 100);
  KvLease l = r.kv.acquire(2, 0, 100, 300);
  EXPECT_FALSE(l.cached);
  EXPECT_TRUE(l.view.pages.empty());
  EXPECT_EQ(l.reuse_tokens, 0);
  r.kv.commit(l, 1);
  EXPECT_FALSE(r.kv.contains(2));  // its stale entry is gone
  EXPECT_TRUE(r.kv.contains(1));
  EXPECT_EQ(r.evicted, std::vector<UserId>{2});
  EXPECT_EQ(r.kv.stats().uncached, 1);
  EXPECT_EQ(r.kv.stats().evictions, 0);
  r.kv.check();
  r.pool.check();
}

TEST(KvCache, LeasedUsersAreNeverEvicted) {
  Rig r(4);
  KvLease a = r.kv.acquire(1, 0, 0, 64), b = r.kv.acquire(2, 0, 0, 64);
  r.kv.check();
  KvLease c = r.kv.acquire(3, 0, 0, 10);
  EXPECT_FALSE(c.cached);  // everything pinned
  r.kv.commit(c, 0);
  EXPECT_TRUE(r.kv.contains(1) && r.kv.contains(2));
  r.kv.commit(a, 0);
  KvLease d = r.kv.acquire(3, 0, 0, 10);
  EXPECT_TRUE(d.cached);
  EXPECT_FALSE(r.kv.contains(1));
  EXPECT_THROW(r.kv.acquire(2, 0, 0, 10), std::logic_error);  // one lease per user
  r.kv.abort(d);
  EXPECT_FALSE(r.kv.contains(3));
  r.kv.commit(b, 0);
  EXPECT_THROW(r.kv.commit(b, 0), std::logic_error);
  r.kv.check();
  r.pool.check();
}

TEST(KvCache, ReleasePagesEvictsLruUsersAndReturnsPages) {
  Rig r(8);
  r.visit(1, 0, 64);
  r.visit(2, 0, 32);
  r.visit(3, 0, 64);
  EXPECT_EQ(r.kv.release_pages(3), 3u);  // users 1 (2 pages) and 2 (1 page)
  EXPECT_EQ(r.evicted, (std::vector<UserId>{1, 2}));
  EXPECT_EQ(r.pool.free_pages(), 6u);
  EXPECT_EQ(r.kv.release_pages(10), 2u);
  EXPECT_EQ(r.kv.resident_users(), 0u);
  r.kv.check();
}

TEST(KvCache, BookkeepingOnlyGivesNullPages) {
  Rig r(4, 0.0, false);
  KvLease l = r.kv.acquire(1, 0, 0, 50);
  ASSERT_EQ(l.view.pages.size(), 2u);
  EXPECT_EQ(l.view.pages[0], nullptr);
  r.kv.commit(l, 3);
  EXPECT_EQ(r.kv.probe(1).hash, 3u);
}

TEST(KvCache, TokenLargerThanAPageIsBadInput) {
  NullDevice d(4 * kPage, kPage);
  PagePool p(4);
  EXPECT_ANY_THROW(KvCache(p, d, KvLayout::for_page(4, 8, 64, 64, kPage)));
}

}  // namespace
}  // namespace helm
