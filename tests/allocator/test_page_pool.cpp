#include <gtest/gtest.h>

#include <cstdint>

#include "allocator/device.h"
#include "allocator/page_pool.h"
#include "allocator/two_cache_pool.h"
#include "common/error.h"
#include "common/rng.h"

namespace helm {
namespace {

// The pool keeps entries only for pages it has handed out; its acquire order must be exactly
// that of one stack of every free page (lowest ids on top at the start), which it replaced.
TEST(PagePool, LazyBookkeepingHandsOutPagesInTheStackOrder) {
  const size_t n = 5000;
  PagePool pool(n, 0.6);
  std::vector<PageId> stack;  // the reference: every free page, lowest on top
  for (size_t i = n; i-- > 0;) stack.push_back(static_cast<PageId>(i));
  std::vector<Owner> owner(n, Owner::Free);
  size_t count[3] = {n, 0, 0};
  std::vector<PageId> held;
  Rng rng(stream_seed(5, "lazy-pool"));
  for (int op = 0; op < 40000; ++op) {
    if (op % 5000 == 0) pool.set_emb_share(rng.uniform());
    const Owner o = rng.bernoulli(0.5) ? Owner::Emb : Owner::Kv;
    if (held.empty() || rng.uniform() < 0.55) {
      const size_t quota = o == Owner::Emb ? pool.quota(Owner::Emb) : n - pool.quota(Owner::Emb);
      PageId want = kNoPage;
      if (count[static_cast<int>(o)] < quota && !stack.empty()) {
        want = stack.back();
        stack.pop_back();
        owner[want] = o;
        --count[0];
        ++count[static_cast<int>(o)];
        held.push_back(want);
      }
      ASSERT_EQ(pool.acquire(o), want) << "op " << op;
    } else {
      const size_t k = rng.below(held.size());
      const PageId p = held[k];
      held[k] = held.back();
      held.pop_back();
      --count[static_cast<int>(owner[p])];
      ++count[0];
      owner[p] = Owner::Free;
      stack.push_back(p);
      pool.release(p);
    }
    if (op % 997 == 0) pool.check();
  }
  for (size_t p = 0; p < n; ++p) ASSERT_EQ(pool.owner(static_cast<PageId>(p)), owner[p]);
  EXPECT_EQ(pool.free_pages(), count[0]);
  EXPECT_LT(pool.touched_pages(), n);  // never more entries than pages handed out
  pool.check();
}

TEST(Device, CpuPagesAreAlignedAndDistinct) {
  CpuDevice d(10 * 4096 + 100, 4096);
  EXPECT_EQ(d.num_pages(), 10u);
  EXPECT_TRUE(d.has_bytes());
  for (PageId p = 0; p < 10; ++p) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(d.page(p)) % 64, 0u);
    if (p) {
      EXPECT_EQ(d.page(p) - d.page(p - 1), 4096);
    }
  }
  NullDevice n(10 * 4096, 4096);
  EXPECT_EQ(n.num_pages(), 10u);
  EXPECT_EQ(n.page(3), nullptr);
  EXPECT_FALSE(n.has_bytes());
}

TEST(Device, PoolSmallerThanAPageIsBadInput) {
  try {
    CpuDevice d(1000, 65536);
    FAIL();
  } catch (const BadInput& e) {
    EXPECT_STREQ(e.what(), "--pool-mib: pool of 1000 bytes is smaller than one page of 65536 bytes");
  }
  EXPECT_THROW(NullDevice(1000, 65536), BadInput);
  EXPECT_THROW(NullDevice(1 << 20, 100), BadInput);  // not a multiple of 64
}

TEST(PagePool, QuotasFollowTheShare) {
  PagePool p(10, 0.34);
  EXPECT_EQ(p.quota(Owner::Emb), 3u);
  EXPECT_EQ(p.quota(Owner::Kv), 7u);
  p.set_emb_share(0.35);  // round half away from zero: 3.5 -> 4
  EXPECT_EQ(p.quota(Owner::Emb), 4u);
  EXPECT_THROW(p.set_emb_share(1.5), BadInput);
  EXPECT_THROW(p.set_emb_share(-0.1), BadInput);
}

TEST(PagePool, AcquireRespectsQuotaAndCounts) {
  PagePool p(8, 0.25);
  std::vector<PageId> emb;
  for (PageId x; (x = p.acquire(Owner::Emb)) != kNoPage;) emb.push_back(x);
  EXPECT_EQ(emb.size(), 2u);
  std::vector<PageId> kv;
  for (PageId x; (x = p.acquire(Owner::Kv)) != kNoPage;) kv.push_back(x);
  EXPECT_EQ(kv.size(), 6u);
  EXPECT_EQ(p.free_pages(), 0u);
  p.check();
  p.pin(kv[0]);
  EXPECT_THROW(p.release(kv[0]), std::logic_error);
  p.unpin(kv[0]);
  EXPECT_THROW(p.unpin(kv[0]), std::logic_error);
  p.release(kv[0]);
  EXPECT_THROW(p.release(kv[0]), std::logic_error);
  EXPECT_EQ(p.count(Owner::Kv) + p.count(Owner::Emb) + p.free_pages(), 8u);
  // A lower KV quota takes nothing away, it only stops growth.
  p.set_emb_share(1.0);
  EXPECT_EQ(p.count(Owner::Kv), 5u);
  EXPECT_EQ(p.acquire(Owner::Kv), kNoPage);
  EXPECT_NE(p.acquire(Owner::Emb), kNoPage);
  p.check();
}

}  // namespace
}  // namespace helm
