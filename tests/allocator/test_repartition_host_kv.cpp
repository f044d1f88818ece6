// The host KV tier: evicted users spill their K/V to host memory (LRU within capacity) and a
// later take() brings back exactly those bytes; the KV cache's spill hook feeds it.
#include <gtest/gtest.h>

#include <vector>

#include "allocator/host_kv_tier.h"

namespace helm {
namespace {

constexpr size_t kPage = 1024;  // 32 tokens of 32 bytes

TEST(HostKvTier, EvictedUsersSpillAndComeBackByteForByte) {
  CpuDevice dev(4 * kPage, kPage);
  PagePool pool(4, 0.0);
  const KvLayout lay = KvLayout::for_page(1, 1, 4, 4, kPage);
  KvCache kv(pool, dev, lay);
  HostKvTier host(4 * kPage, lay, true);
  kv.set_spill_hook([&](UserId u, const KvProbe& p, std::span<float* const> pages) {
    host.put(u, p.start, p.tokens, p.hash, pages);
  });
  for (UserId u = 1; u <= 2; ++u) {  // 2 pages each: the pool holds both
    KvLease l = kv.acquire(u, 0, 0, 40);
    for (float* pg : l.view.pages) std::fill_n(pg, kPage / 4, static_cast<float>(u));
    kv.commit(l, 100 + u);
  }
  KvLease l3 = kv.acquire(3, 0, 0, 64);  // evicts user 1 -> host
  kv.commit(l3, 103);
  ASSERT_FALSE(kv.contains(1));
  const HostKvTier::Entry* e = host.find(1);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->tokens, 40);
  EXPECT_EQ(e->hash, 101u);
  // Onboarding: acquire without reuse, copy from the host, reuse those tokens.
  KvLease l1 = kv.acquire(1, 0, 0, 50);  // evicts user 2 -> host (which holds both)
  ASSERT_TRUE(l1.cached);
  for (float* pg : l1.view.pages) std::fill_n(pg, kPage / 4, -1.0f);
  EXPECT_EQ(host.take(1, 40, l1.view), 40 * lay.bytes_per_token());
  for (int t = 0; t < 40; ++t) EXPECT_EQ(*lay.k(l1.view.pages[t / 32], 0, t % 32), 1.0f);
  kv.commit(l1, 201);
  EXPECT_EQ(host.find(1), nullptr);  // exclusive: the pool holds it again
  EXPECT_NE(host.find(2), nullptr);
  EXPECT_EQ(host.stats().hits, 1);
  EXPECT_EQ(host.stats().onboard_tokens, 40);
  kv.check();
  pool.check();
}

TEST(HostKvTier, LruWithinCapacity) {
  const KvLayout lay = KvLayout::for_page(1, 1, 4, 4, kPage);
  HostKvTier host(3 * kPage, lay, false);
  host.put(1, 0, 32, 1, {});  // 1 page
  host.put(2, 0, 64, 2, {});  // 2 pages
  EXPECT_EQ(host.held_bytes(), 3 * kPage);
  host.put(3, 0, 10, 3, {});  // 1 page: user 1 goes
  EXPECT_EQ(host.find(1), nullptr);
  EXPECT_NE(host.find(2), nullptr);
  host.put(4, 0, 200, 4, {});  // 7 pages: larger than the tier, rejected
  EXPECT_EQ(host.find(4), nullptr);
  EXPECT_EQ(host.stats().spill_rejected, 1);
  host.put(2, 0, 20, 5, {});  // replaces user 2's entry (now 1 page)
  EXPECT_EQ(host.find(2)->hash, 5u);
  EXPECT_EQ(host.held_bytes(), 2 * kPage);
  host.erase(3);
  EXPECT_EQ(host.users(), 1u);
}

}  // namespace
}  // namespace helm
