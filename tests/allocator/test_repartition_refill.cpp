// Background refill: the sliding-window sketch never underestimates and forgets; refill loads
// the hottest missing rows, never inside a batch, never above its budget over any window, and
// never ahead of demand transfers.
#include <gtest/gtest.h>

#include <map>
#include <span>
#include <vector>

#include "allocator/refill.h"
#include "allocator/repartition.h"
#include "common/rng.h"

namespace helm {
namespace {

constexpr size_t kPage = 1024;  // 16 rows of 64 bytes

TEST(WindowedSketch, NeverUnderestimatesTheWindowAndForgetsOldKeys) {
  WindowedSketch s(256, 4, 1000);  // narrow: collisions happen
  Rng rng(1);
  ZipfSampler z(5000, 1.0);
  std::vector<uint64_t> log;
  for (int i = 0; i < 20000; ++i) {
    const uint64_t k = z(rng);
    s.record(k);
    log.push_back(k);
  }
  // The sketch covers at least the last 3 full sub-windows plus the current partial one.
  std::map<uint64_t, uint32_t> exact;
  for (size_t i = log.size() - 3000; i < log.size(); ++i) ++exact[log[i]];
  for (const auto& [k, c] : exact) ASSERT_GE(s.estimate(k), c) << k;
  // A key recorded only long ago is forgotten after `windows` sub-windows.
  WindowedSketch t(1 << 12, 4, 100);
  for (int i = 0; i < 50; ++i) t.record(999999);
  EXPECT_EQ(t.estimate(999999), 50u);
  for (int i = 0; i < 400; ++i) t.record(static_cast<uint64_t>(i % 7));
  EXPECT_EQ(t.estimate(999999), 0u);
}

struct Rig {
  explicit Rig(RefillOptions o, double rate = 1e8)
      : table(100000, 16, 5, 1.0f),
        device(64 * kPage, kPage),
        pool(64, 0.0),
        emb(pool, device, table),
        link(rate, 500),
        refill(emb, link, o) {}
  GeneratedHostTable table;
  CpuDevice device;
  PagePool pool;
  EmbCache emb;
  H2DLink link;
  RefillPlanner refill;
};

RefillOptions small_opts() {
  RefillOptions o;
  o.share = 0.25;
  o.chunk_bytes = 2 * kPage;
  o.window_records = 2000;
  o.recent = 4096;
  o.sample = 1;  // these tests count every access
  return o;
}

// Sampling: every 4th access of the stream (across calls) reaches the sketch and the ring, and a
// hot row still makes the plan while rows seen once do not.
TEST(Refill, SamplesEveryFourthAccessAcrossCalls) {
  RefillOptions o = small_opts();
  o.sample = 4;
  Rig r(o);
  std::vector<ItemId> acc;
  for (int rep = 0; rep < 40; ++rep)
    for (ItemId i = 0; i < 10; ++i) acc.push_back(i);  // 0..9 forty times each
  for (ItemId i = 1000; i < 1400; ++i) acc.push_back(i);  // 400 rows once each
  size_t fed = 0;
  for (size_t n : {3, 5, 1, 7, 2}) {  // uneven calls: the stride must run on across them
    for (size_t k = 0; k < acc.size() / 18 && fed < acc.size(); ++k, fed += std::min(n, acc.size() - fed))
      r.refill.record(std::span(acc.data() + fed, std::min(n, acc.size() - fed)));
  }
  r.refill.record(std::span(acc.data() + fed, acc.size() - fed));
  EXPECT_EQ(r.refill.sketch().records(), (acc.size() + 3) / 4);
  // Accesses 0, 4, 8, ...: row 0 sits at 10r, sampled when r is even (20 of its 40); row 1 at
  // 10r + 1, never.
  EXPECT_GE(r.refill.sketch().estimate(0), 20u);
  EXPECT_EQ(r.refill.sketch().estimate(1), 0u);
}

TEST(Refill, LoadsTheHottestMissingRowsFirst) {
  Rig r(small_opts());
  // Items 0..99 accessed 10 times each, 1000..2999 once; the cache has no room yet (share 0).
  std::vector<ItemId> acc;
  for (int rep = 0; rep < 10; ++rep)
    for (ItemId i = 0; i < 100; ++i) acc.push_back(i);
  for (ItemId i = 1000; i < 3000; ++i) acc.push_back(i);
  r.refill.record(acc);
  EXPECT_EQ(r.refill.tick(0), 0u);      // no room
  r.pool.set_emb_share(8.0 / 64);       // 8 pages = 128 rows of room
  r.refill.replan();
  Nanos t = 0;
  for (int i = 0; i < 10000 && r.emb.room_rows() > 0 && !r.refill.idle(); ++i) r.refill.tick(t += 10'000);
  for (ItemId i = 0; i < 100; ++i) EXPECT_TRUE(r.emb.contains(i)) << i;
  // The rest of the room: nothing seen once qualifies (min_estimate 2).
  EXPECT_EQ(r.emb.resident_rows(), 100u);
  EXPECT_EQ(r.refill.stats().rows_landed, 100);
  EXPECT_EQ(r.link.stats().bytes[static_cast<int>(LinkPurpose::kRefill)], 100u * 64);
  r.emb.check();
  // The rows hold their bytes.
  std::vector<const float*> rows;
  EmbBatchStats st;
  std::vector<ItemId> b{0, 50, 99};
  r.emb.lookup_batch(b, rows, st);
  EXPECT_EQ(st.hits, 3);
  std::vector<float> want(16);
  r.table.read(50, want.data());
  EXPECT_EQ(std::vector<float>(rows[1], rows[1] + 16), want);
  EXPECT_ANY_THROW(r.refill.tick(t + 1'000'000));  // never inside a batch
  r.emb.end_batch();
}

// The budget is --refill-share x the throttle (HELM's burst layer lowers it): checked at both.
TEST(Refill, NeverAboveItsBudgetOverAnyWindowAndYieldsToDemand) {
  for (const double throttle : {1.0, 0.25}) {
    SCOPED_TRACE(throttle);
    const RefillOptions o = small_opts();
    const double rate = 1e8;  // bytes/s
    Rig r(o, rate);
    r.refill.set_throttle(throttle);
    std::vector<ItemId> acc;
    for (int rep = 0; rep < 3; ++rep)
      for (ItemId i = 0; i < 3000; ++i) acc.push_back(i);
    r.refill.record(acc);
    r.pool.set_emb_share(1.0);
    r.refill.replan();
    Rng rng(5);
    std::vector<std::pair<Nanos, size_t>> issued;
    Nanos t = 0;
    for (int i = 0; i < 4000; ++i) {
      t += static_cast<Nanos>(rng.below(40'000));
      if (rng.bernoulli(0.3)) {  // a demand transfer: refill must not start while it is queued
        const Nanos done = r.link.demand(t, 64 * (1 + rng.below(64)));
        EXPECT_EQ(r.refill.tick(t), 0u);
        ASSERT_GT(done, t);
        continue;
      }
      if (const size_t b = r.refill.tick(t)) issued.emplace_back(t, b);
    }
    ASSERT_GT(issued.size(), 20u);
    const double per_ns = o.share * throttle * rate / 1e9;
    for (size_t a = 0; a < issued.size(); ++a) {
      double sum = 0;
      for (size_t b = a; b < issued.size(); ++b) {
        sum += static_cast<double>(issued[b].second);
        const double allowed = static_cast<double>(o.chunk_bytes) +
                               per_ns * static_cast<double>(issued[b].first - issued[a].first);
        ASSERT_LE(sum, allowed + 1e-6) << "window " << issued[a].first << ".." << issued[b].first;
      }
    }
    // And the budget is used: over the whole run refill got close to its share.
    double total = 0;
    for (const auto& [when, b] : issued) total += static_cast<double>(b);
    EXPECT_GT(total, 0.3 * per_ns * static_cast<double>(issued.back().first));
  }
  Rig bad(small_opts());
  EXPECT_ANY_THROW(bad.refill.set_throttle(0));
  EXPECT_ANY_THROW(bad.refill.set_throttle(1.5));
}

// A plan is skipped (no probes) when no row left the cache or was refused since the ring's
// oldest entry: then every ring row is resident and the plan is empty anyway. Two identical
// caches fed the same batches through their access observers, one planner skipping and one
// probing every plan, make the same decisions throughout: phases with room and nothing evicted
// (skips), a full cache evicting and refusing, more room after that (real plans), a shrink that
// releases pages. Ids recorded from outside a lookup are never trusted to be resident.
TEST(Refill, SkippedPlansDecideExactlyAsProbedPlans) {
  struct Node {
    explicit Node(RefillOptions o)
        : table(100000, 16, 5, 1.0f), device(64 * kPage, kPage), pool(64, 0.25), emb(pool, device, table),
          link(1e8, 500), refill(emb, link, o) {
      emb.set_access_observer([this](std::span<const ItemId> ids) { refill.record(ids); });
    }
    GeneratedHostTable table;
    NullDevice device;
    PagePool pool;
    EmbCache emb;
    H2DLink link;
    RefillPlanner refill;
  };
  RefillOptions o = small_opts();
  o.recent = 256;
  Node a(o);
  o.probe_every_plan = true;
  Node b(o);
  Rng rng(11);
  ZipfSampler z(3000, 1.0);
  std::vector<const float*> rows;
  EmbBatchStats sa, sb;
  Nanos t = 0;
  for (int i = 0; i < 6000; ++i) {
    if (i % 1500 == 700) {  // more room: refill has somewhere to load its plans
      a.pool.set_emb_share(0.75), b.pool.set_emb_share(0.75);
    } else if (i % 1500 == 1400) {  // less: the cache gives pages back (departures)
      a.pool.set_emb_share(0.25), b.pool.set_emb_share(0.25);
      ASSERT_EQ(a.emb.release_pages(a.emb.pages() / 2), b.emb.release_pages(b.emb.pages() / 2));
    }
    std::vector<ItemId> batch(1 + rng.below(40));
    for (auto& id : batch) id = static_cast<ItemId>(z(rng)) - 1;
    a.emb.lookup_batch(batch, rows, sa);
    b.emb.lookup_batch(batch, rows, sb);
    a.emb.end_batch();
    b.emb.end_batch();
    t += static_cast<Nanos>(rng.below(20'000));
    ASSERT_EQ(a.refill.tick(t), b.refill.tick(t)) << "batch " << i;
    ASSERT_EQ(a.emb.resident_rows(), b.emb.resident_rows()) << "batch " << i;
  }
  const RefillStats &ra = a.refill.stats(), &rb = b.refill.stats();
  EXPECT_EQ(ra.chunks, rb.chunks);
  EXPECT_EQ(ra.rows_landed, rb.rows_landed);
  EXPECT_EQ(ra.plans, rb.plans);
  EXPECT_EQ(rb.plans_skipped, 0);
  EXPECT_GT(ra.plans_skipped, 0);                 // the shortcut was taken...
  EXPECT_LT(ra.plans_skipped, ra.plans);          // ...and not always
  EXPECT_GT(ra.rows_landed, 0);                   // real plans loaded rows
  EXPECT_GT(a.emb.stats().evictions + a.emb.stats().rejected, 0);
  EXPECT_EQ(a.emb.stats().hits, b.emb.stats().hits);
  for (ItemId it = 0; it < 3000; ++it) ASSERT_EQ(a.emb.contains(it), b.emb.contains(it)) << it;
  // Ids reported outside a lookup (not resident): the next plan probes them and finds them.
  Node c(small_opts());
  std::vector<ItemId> hot(64, 42);
  c.refill.record(hot);
  c.pool.set_emb_share(0.5);
  for (int k = 0; k < 100 && c.refill.stats().rows_landed == 0; ++k) c.refill.tick(t += 100'000);
  EXPECT_TRUE(c.emb.contains(42));
  EXPECT_EQ(c.refill.stats().plans_skipped, 0);
}

}  // namespace
}  // namespace helm
