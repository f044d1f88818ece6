// The simulator's cache decisions equal the real executor's: both executors are driven with the
// same batches of the same trace, one over a CpuDevice with the HSTU forward pass and prefix
// hashing (run), one over a NullDevice with the cost model and no hashing (sim). Every request's
// EMB lookups/hits, KV hit tokens, computed tokens and H2D bytes must be identical, and so must
// the token estimates the batcher sees.
#include <gtest/gtest.h>

#include "harness/hstu_executor.h"
#include "harness/sim_executor.h"
#include "test_sim_util.h"

using namespace helm;

namespace {
void check_same_decisions(const RunOptions& o, double emb_share) {
  const RunContext ctx = build_run_context(o, "");
  SteadyClock clock;
  HstuExecutorOptions ho;
  ho.pool_bytes = static_cast<size_t>(o.pool_mib * 1024 * 1024);
  ho.page_bytes = static_cast<size_t>(o.page_kib) * 1024;
  ho.emb_share = emb_share;
  ho.link_bytes_per_s = 1e15;  // the real executor sleeps on link waits: keep them negligible
  ho.link_latency = 0;
  ho.candidates = ctx.candidates;
  HstuExecutor real(ctx.trace, ctx.model, 7, ho, clock);

  const CostModel cost = simtest::flat_cost_model();
  const GeneratedHostTable table(ctx.trace.items->num_items(), ctx.model.D, 0, 0.1f);
  SimNodeOptions so;
  so.pool_bytes = ho.pool_bytes;
  so.page_bytes = ho.page_bytes;
  so.emb_share = emb_share;
  so.candidates = ctx.candidates;
  CostModelExecutor sim(ctx.trace, ctx.model, cost, table, so);

  // Batches of 1..6 requests in trace order (a user may appear twice in one batch).
  const auto& reqs = ctx.trace.requests;
  std::vector<Outcome> a, b;
  int64_t checked = 0, kv_hits = 0, emb_hits = 0;
  for (size_t i = 0, k = 0; i < reqs.size(); ++k) {
    const size_t len = std::min<size_t>(1 + k % 6, reqs.size() - i);
    std::vector<Queued> batch;
    for (size_t j = i; j < i + len; ++j) {
      ASSERT_EQ(real.estimate_tokens(reqs[j].id), sim.estimate_tokens(reqs[j].id)) << "request " << j;
      batch.push_back({reqs[j].id, reqs[j].arrival, reqs[j].arrival, 0});
    }
    a.clear();
    b.clear();
    real.execute(batch, clock.now(), a);
    sim.execute(batch, 0, b);
    ASSERT_EQ(a.size(), b.size());
    for (size_t j = 0; j < a.size(); ++j) {
      SCOPED_TRACE("request " + std::to_string(a[j].id));
      EXPECT_EQ(a[j].id, b[j].id);
      EXPECT_EQ(a[j].history_len, b[j].history_len);
      EXPECT_EQ(a[j].computed_tokens, b[j].computed_tokens);
      EXPECT_EQ(a[j].kv_hit_tokens_pool, b[j].kv_hit_tokens_pool);
      EXPECT_EQ(a[j].emb_lookups, b[j].emb_lookups);
      EXPECT_EQ(a[j].emb_hits, b[j].emb_hits);
      EXPECT_EQ(a[j].h2d_bytes, b[j].h2d_bytes);
      kv_hits += a[j].kv_hit_tokens_pool;
      emb_hits += a[j].emb_hits;
      ++checked;
    }
    i += len;
  }
  EXPECT_EQ(checked, static_cast<int64_t>(reqs.size()));
  EXPECT_GT(kv_hits, 0);  // the comparison exercised hits, not just misses
  EXPECT_GT(emb_hits, 0);
  EXPECT_EQ(real.kv().stats().evictions, sim.kv().stats().evictions);
  EXPECT_EQ(real.emb().stats().evictions, sim.emb().stats().evictions);
  EXPECT_EQ(real.emb().resident_rows(), sim.emb().resident_rows());
  EXPECT_EQ(real.kv().lru_order(), sim.kv().lru_order());
}
}  // namespace

TEST(SimEquivalence, SameHitsAsTheRealExecutorUnderPressure) {
  // A 1 MiB pool of 4 KiB pages: both caches evict constantly.
  check_same_decisions(simtest::tiny_options(), 0.5);
}

TEST(SimEquivalence, SameHitsWithLongHistoriesAndRebasing) {
  RunOptions o = simtest::tiny_options();
  o.history_median = 80;  // tiny's cap is 63: windows rebase
  o.new_items = 20;
  o.pool_mib = 2;
  check_same_decisions(o, 0.3);
}
