// The memory control loop in `sim`: adaptive policies move the split and record their
// decisions, refill traffic exists only with --repartition budgeted, every request is accounted
// exactly once, runs are deterministic by seed; the host KV tier saves recomputation and pays
// for it on the link, with per-purpose accounting.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "harness/sim/sim_driver.h"
#include "harness/sim/sim_executor.h"
#include "test_sim_util.h"

using namespace helm;
using helm::simtest::flat_cost_model;
using helm::simtest::sim_options;
using helm::simtest::tiny_options;

namespace {

// tiny_options with short control windows, so 2 s of trace give ~20 decisions per node, and
// enough load that a window holds the 20 latencies naive-adaptive needs to trust its P99.
RunOptions controlled(const std::string& policy, const std::string& repartition) {
  RunOptions o = tiny_options();
  o.qps = 800;
  o.memory_policy = policy;
  o.repartition = repartition;
  o.control_interval_ms = 100;
  o.max_step = 0.2;
  return o;
}

SimResult simulate_opts(const RunOptions& o, int nodes = 2) {
  const RunContext ctx = build_run_context(o, "");
  const CostModel m = flat_cost_model();
  return simulate(ctx, m, sim_options(nodes, m));
}

int64_t refill_bytes(const SimResult& r) {
  int64_t b = 0;
  for (const auto& n : r.nodes) b += n.h2d_refill_bytes;
  return b;
}
}  // namespace

class SimControlLoop : public ::testing::TestWithParam<const char*> {};

TEST_P(SimControlLoop, MovesTheSplitAndRecordsEveryDecision) {
  const SimResult r = simulate_opts(controlled(GetParam(), "budgeted"));
  EXPECT_TRUE(r.end.summary.exactly_once);
  EXPECT_EQ(r.end.summary.failed, 0);
  ASSERT_FALSE(r.controller.empty());
  // One decision per node per tick: every /nodes row but the final close-out has one.
  EXPECT_EQ(r.controller.size() + 2, r.nodes.size());
  std::set<double> shares;
  for (const auto& n : r.nodes) shares.insert(n.emb_share);
  EXPECT_GT(shares.size(), 1u) << "the split never moved";
  for (const auto& c : r.controller) {
    EXPECT_GE(c.ratio_applied, 0.0);
    EXPECT_LE(c.ratio_applied, 1.0);
    EXPECT_GE(c.target, 0.0);
    EXPECT_LE(c.target, 1.0);
  }
  // Per node, decision k follows window k: it moves at most --max-step from window k's split,
  // and window k+1 runs at what it applied (in sim the split moves at once). Every decision but
  // the last has a next window.
  std::map<int32_t, std::vector<const NodeRow*>> windows;
  std::map<int32_t, std::vector<const ControllerRow*>> decisions;
  for (const auto& n : r.nodes) windows[n.node].push_back(&n);
  for (const auto& c : r.controller) decisions[c.node].push_back(&c);
  int checked = 0, moved = 0;
  for (const auto& [node, ds] : decisions) {
    const auto& ws = windows[node];
    ASSERT_GE(ws.size(), ds.size() + 1) << "node " << node;
    for (size_t k = 0; k < ds.size(); ++k) {
      EXPECT_LE(std::abs(ds[k]->ratio_applied - ws[k]->emb_share), 0.2 + 1e-9) << node << " " << k;
      EXPECT_DOUBLE_EQ(ws[k + 1]->emb_share, ds[k]->ratio_applied) << node << " " << k;
      moved += ds[k]->ratio_applied != ws[k]->emb_share;
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(r.controller.size()));
  EXPECT_GT(moved, 0);
}

INSTANTIATE_TEST_SUITE_P(Policies, SimControlLoop, ::testing::Values("mrc", "naive-adaptive"));

TEST(SimControlLoop, RefillBytesOnlyWithBudgetedRepartitioning) {
  // A catalogue (64 B rows x 60000 = 3.7 MiB) far larger than the pool, so rows are missing
  // when the EMB cache grows and refill has something to load.
  RunOptions o = controlled("naive-adaptive", "naive");
  o.items = 60000;
  const SimResult naive = simulate_opts(o);
  o.repartition = "budgeted";
  const SimResult budgeted = simulate_opts(o);
  EXPECT_EQ(refill_bytes(naive), 0);
  EXPECT_GT(refill_bytes(budgeted), 0);
  EXPECT_TRUE(naive.end.summary.exactly_once);
  EXPECT_TRUE(budgeted.end.summary.exactly_once);
  // A static split never refills: nothing was given to the EMB cache after the start.
  EXPECT_EQ(refill_bytes(simulate_opts(controlled("static:0.5", "budgeted"))), 0);
}

TEST(SimControlLoop, DeterministicBySeed) {
  const RunOptions o = controlled("mrc", "budgeted");
  const SimResult a = simulate_opts(o), b = simulate_opts(o);
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.nodes, b.nodes);
  ASSERT_EQ(a.controller.size(), b.controller.size());
  for (size_t i = 0; i < a.controller.size(); ++i) {  // decision_ns is wall time: not compared
    EXPECT_EQ(a.controller[i].time, b.controller[i].time);
    EXPECT_EQ(a.controller[i].ratio_applied, b.controller[i].ratio_applied);
    EXPECT_EQ(a.controller[i].target, b.controller[i].target);
  }
}

// The host tier, on the executor: the same batches with and without it.
TEST(SimHostKvTier, AHitAvoidsRecomputationAndCostsLinkTime) {
  RunOptions o = tiny_options();
  o.pool_mib = 0.25;  // 64 pages of 4 KiB: users are evicted all the time
  const RunContext ctx = build_run_context(o, "");
  const CostModel cost = flat_cost_model();
  const GeneratedHostTable table(ctx.trace.items->num_items(), ctx.model.D, 0, 0.1f);
  NodeOptions so;
  so.pool_bytes = 256 << 10;
  so.page_bytes = 4 << 10;
  so.emb_share = 0.3;
  so.candidates = ctx.candidates;
  so.link_bytes_per_s = cost.link_bytes_per_s;
  so.link_latency = 0;
  CostModelExecutor off(ctx.trace, ctx.model, cost, table, so, 0);
  so.memory.host_kv_bytes = 64 << 20;
  CostModelExecutor on(ctx.trace, ctx.model, cost, table, so, 0);
  const int64_t per_token = static_cast<int64_t>(on.kv().layout().bytes_per_token());

  int64_t computed_on = 0, computed_off = 0, host_tokens = 0, host_hits = 0;
  std::vector<Outcome> a, b;
  Nanos t = 0;
  for (const auto& r : ctx.trace.requests) {  // batches of one, far apart: no queueing
    const Queued q{r.id, r.arrival, r.arrival, 0};
    a.clear();
    b.clear();
    off.execute({&q, 1}, t, a);
    on.execute({&q, 1}, t, b);
    t += 1'000'000'000;
    computed_off += a[0].computed_tokens;
    computed_on += b[0].computed_tokens;
    EXPECT_EQ(a[0].kv_hit_tokens_host, 0);
    EXPECT_EQ(b[0].computed_tokens + b[0].kv_hit_tokens_pool + b[0].kv_hit_tokens_host, b[0].history_len);
    if (b[0].kv_hit_tokens_host > 0) {
      ++host_hits;
      host_tokens += b[0].kv_hit_tokens_host;
      EXPECT_EQ(b[0].kv_hit_tokens_pool, 0);  // the tier is only asked on a pool miss
      // The onboarding is on the request's link bytes and delays the batch by its transfer.
      const int64_t onboard = b[0].kv_hit_tokens_host * per_token;
      EXPECT_GE(b[0].h2d_bytes, onboard);
      EXPECT_GE(b[0].link_wait, static_cast<Nanos>(static_cast<double>(onboard) / cost.link_bytes_per_s * 1e9));
    }
  }
  ASSERT_GT(host_hits, 0) << "the workload never hit the host tier";
  EXPECT_EQ(computed_off - computed_on, host_tokens);  // every onboarded token was not recomputed
  const LinkStats ls = on.link_stats();
  EXPECT_EQ(static_cast<int64_t>(ls.bytes[static_cast<int>(LinkPurpose::kKvOnboard)]), host_tokens * per_token);
  EXPECT_EQ(off.link_stats().bytes[static_cast<int>(LinkPurpose::kKvOnboard)], 0u);
}

TEST(SimHostKvTier, PerPurposeAccountingInTheRun) {
  RunOptions o = controlled("static:0.4", "budgeted");
  o.pool_mib = 0.5;
  o.host_kv_mib = 16;
  const SimResult r = simulate_opts(o);
  EXPECT_TRUE(r.end.summary.exactly_once);
  int64_t host_tokens = 0, kv_bytes = 0, demand = 0, row_bytes = 0;
  for (const auto& row : r.rows) host_tokens += row.kv_hit_tokens_host, row_bytes += row.h2d_bytes;
  for (const auto& n : r.nodes) kv_bytes += n.h2d_kv_bytes, demand += n.h2d_demand_bytes;
  EXPECT_GT(host_tokens, 0);
  EXPECT_GT(kv_bytes, 0);
  EXPECT_EQ(row_bytes, kv_bytes + demand);  // a request's bytes = its EMB misses + its onboarding
  EXPECT_EQ(refill_bytes(r), 0);
}

// /nodes emb_hit_predicted: with curves (mrc), the miniature of the EMB cache's policy predicts
// each window's hit rate at the split in effect; over the run, lookup-weighted, it is within 5
// points of the measured emb_hits / emb_lookups. Without curves it says -1 (no prediction).
TEST(SimEmbPrediction, WithinFivePointsOfTheMeasuredHitRate) {
  RunOptions o = controlled("mrc", "budgeted");
  o.items = 60000;  // a catalogue far larger than the pool: the hit rate is well inside (0, 1)
  const SimResult r = simulate_opts(o);
  double lookups = 0, hits = 0, predicted = 0;
  int windows = 0;
  for (const auto& n : r.nodes) {
    if (n.emb_lookups == 0 || n.emb_hit_predicted < 0) continue;
    EXPECT_LE(n.emb_hit_predicted, 1.0);
    lookups += double(n.emb_lookups);
    hits += double(n.emb_hits);
    predicted += n.emb_hit_predicted * double(n.emb_lookups);
    ++windows;
  }
  ASSERT_GT(windows, 10);
  const double measured = hits / lookups;
  EXPECT_GT(measured, 0.05);
  EXPECT_LT(measured, 0.95);
  EXPECT_NEAR(predicted / lookups, measured, 0.05) << "measured " << measured;

  for (const auto& n : simulate_opts(controlled("static:0.5", "naive")).nodes)
    EXPECT_EQ(n.emb_hit_predicted, -1.0);
}
