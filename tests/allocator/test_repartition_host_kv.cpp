// The host KV tier: evicted users spill their K/V to host memory (LRU within capacity) and a
// later take() brings back exactly those bytes; the KV cache's spill hook feeds it.
#include <gtest/gtest.h>

#include <cstring>
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
  MemcpyPageCopier copier;
  HostKvTier host(4 * kPage, lay, &copier);
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

// GPU cost models keep K/V in bf16: a page holds page_floats() elements of 2 bytes, so the tier
// must hold and copy page_floats() x 2 bytes per page, not x sizeof(float).
TEST(HostKvTier, Bf16PagesAreSizedAndCopiedAtTheirElementSize) {
  const KvLayout lay = KvLayout::for_page(1, 1, 4, 4, kPage, /*bytes_per_element=*/2);
  ASSERT_EQ(lay.tokens_per_page, 64);
  ASSERT_EQ(lay.page_floats() * 2, kPage);
  CpuDevice dev(4 * kPage, kPage);
  auto fill = [&](PageId p, unsigned char v) { std::memset(dev.page(p), v, kPage); };
  fill(0, 0xA1), fill(1, 0xB2), fill(2, 0x00), fill(3, 0xC3);
  MemcpyPageCopier copier;
  HostKvTier host(2 * kPage, lay, &copier);
  EXPECT_EQ(host.page_bytes(), kPage);
  float* src[] = {reinterpret_cast<float*>(dev.page(0))};
  host.put(1, 0, 64, 11, src);
  host.put(2, 0, 64, 12, src);  // two one-page users fill a two-page tier
  EXPECT_EQ(host.held_bytes(), 2 * kPage);
  EXPECT_NE(host.find(1), nullptr);
  EXPECT_NE(host.find(2), nullptr);
  KvView view{lay, {reinterpret_cast<float*>(dev.page(2))}};
  EXPECT_EQ(host.take(1, 64, view), 64 * lay.bytes_per_token());
  for (size_t b = 0; b < kPage; ++b) {
    ASSERT_EQ(static_cast<unsigned char>(dev.page(2)[b]), 0xA1) << b;  // the user's bytes
    ASSERT_EQ(static_cast<unsigned char>(dev.page(3)[b]), 0xC3) << b;  // the next page untouched
  }
}

TEST(HostKvTier, LruWithinCapacity) {
  const KvLayout lay = KvLayout::for_page(1, 1, 4, 4, kPage);
  HostKvTier host(3 * kPage, lay, nullptr);
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

// The tier's host memory comes from its copier as it fills, never past the capacity, and pages
// freed by takes and evictions are reused; every page crosses through the copier, whose bytes
// come back intact after many users have passed through the same host pages.
class CountingCopier final : public PageCopier {
 public:
  std::byte* alloc_host(size_t bytes) override { allocated += bytes; return inner.alloc_host(bytes); }
  void free_host(std::byte* p) override { inner.free_host(p); }
  void spill(std::byte* h, const std::byte* pg, size_t n) override { ++spills; inner.spill(h, pg, n); }
  void onboard(std::byte* pg, const std::byte* h, size_t n) override { ++onboards; inner.onboard(pg, h, n); }
  MemcpyPageCopier inner;
  size_t allocated = 0;
  int64_t spills = 0, onboards = 0;
};

TEST(HostKvTier, HostPagesStayWithinTheCapacityAndAreReused) {
  const KvLayout lay = KvLayout::for_page(1, 1, 4, 4, kPage);
  CpuDevice dev(4 * kPage, kPage);
  CountingCopier copier;
  {
    HostKvTier host(5 * kPage, lay, &copier);
    int64_t pages = 0;
    for (UserId u = 1; u <= 40; ++u) {
      const int64_t tokens = 1 + static_cast<int64_t>(u * 37 % 100);  // 1 to 4 pages
      const size_t np = static_cast<size_t>(lay.pages_for(tokens));
      std::vector<float*> src;
      for (size_t p = 0; p < np; ++p) {
        std::memset(dev.page(static_cast<PageId>(p)), static_cast<int>(u * 4 + p), kPage);
        src.push_back(reinterpret_cast<float*>(dev.page(static_cast<PageId>(p))));
      }
      host.put(u, 0, tokens, u, src);
      pages += static_cast<int64_t>(np);
      ASSERT_LE(host.held_bytes(), 5 * kPage);
      if (u % 3 == 0) {  // take it back into the pool's last pages: its own bytes
        KvView view{lay, {}};
        for (size_t p = 0; p < np; ++p) view.pages.push_back(reinterpret_cast<float*>(dev.page(3 - static_cast<PageId>(np - 1) + static_cast<PageId>(p))));
        host.take(u, tokens, view);
        for (size_t p = 0; p < np; ++p)
          ASSERT_EQ(static_cast<unsigned char>(reinterpret_cast<std::byte*>(view.pages[p])[kPage - 1]),
                    static_cast<unsigned char>(u * 4 + p)) << "user " << u << " page " << p;
      }
    }
    EXPECT_EQ(copier.spills, pages);
    EXPECT_GT(copier.onboards, 0);
    EXPECT_LE(copier.allocated, 5 * kPage);  // 40 users of up to 4 pages through 5 host pages
  }
}

}  // namespace
}  // namespace helm
