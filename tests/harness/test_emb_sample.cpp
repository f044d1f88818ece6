// `sim --emb-sample R` (harness/node/emb_sample.h): the sampling rule, the sampled cache's size,
// and the accuracy of the estimate against the exact simulation of the same trace.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>

#include "allocator/host_table.h"
#include "common/rng.h"
#include "harness/node/emb_sample.h"
#include "harness/node/sampled_history.h"
#include "harness/run_context.h"
#include "harness/sim/sim_driver.h"
#include "harness/sim/sim_executor.h"
#include "results/reader.h"

using namespace helm;

namespace {

constexpr size_t kPage = 64 << 10;

TEST(EmbSample, OneAndRatesThatRoundToEveryRowAreExact) {
  EXPECT_TRUE(emb_sample(1, kPage, 512, 1).exact());
  // 2 KiB rows, 32 per page: 0.99 x 32 rounds to 32.
  EXPECT_TRUE(emb_sample(0.99, kPage, 512, 1).exact());
  EXPECT_FALSE(emb_sample(0.9, kPage, 512, 1).exact());
}

TEST(EmbSample, RateIsWholeRowsPerPageAndTheSampledRowsFillThePageAlike) {
  for (const int dim : {64, 512}) {
    const size_t exact_rows = kPage / (size_t(dim) * 4);
    for (const double r : {0.03, 0.05, 0.1, 0.3}) {
      const EmbSample s = emb_sample(r, kPage, dim, 1);
      ASSERT_FALSE(s.exact()) << dim << " " << r;
      const size_t rows = kPage / (size_t(s.sampled_dim) * 4);
      EXPECT_DOUBLE_EQ(s.rate, double(rows) / double(exact_rows)) << dim << " " << r;
      // Within half a row per page of what was asked (at least one row).
      EXPECT_LE(std::abs(double(rows) - std::max(1.0, r * double(exact_rows))), 0.5 + 1e-9) << dim << " " << r;
    }
  }
}

TEST(EmbSample, KeepsTheRateOfIdsDeterministicallyPerSeed) {
  const EmbSample a = emb_sample(0.1, kPage, 64, 7), b = emb_sample(0.1, kPage, 64, 7), c = emb_sample(0.1, kPage, 64, 8);
  int64_t kept = 0, same_other_seed = 0;
  const int64_t n = 200000;
  for (ItemId id = 0; id < n; ++id) {
    ASSERT_EQ(a.keep(id), b.keep(id));
    kept += a.keep(id);
    same_other_seed += a.keep(id) && c.keep(id);
  }
  const double share = double(kept) / double(n);
  EXPECT_NEAR(share, a.rate, 0.005);
  // Another seed samples other ids (independent: about rate^2 of them in both).
  EXPECT_NEAR(double(same_other_seed) / double(n), a.rate * a.rate, 0.004);
  std::vector<ItemId> ids = {5, 1, 9, 3, 5};
  std::vector<ItemId> want;
  for (ItemId id : ids)
    if (a.keep(id)) want.push_back(id);
  a.filter(ids);
  EXPECT_EQ(ids, want);
}

TEST(EmbSample, ScalesCountsToTheFullStream) {
  const EmbSample s = emb_sample(0.25, kPage, 64, 1);  // 64 of 256 rows per page
  ASSERT_DOUBLE_EQ(s.rate, 0.25);
  EmbBatchStats st;
  st.lookups = 10, st.hits = 7, st.misses = 3, st.admitted = 2, st.rejected = 1, st.h2d_bytes = 999;
  s.scale(st);
  EXPECT_EQ(st.lookups, 40);
  EXPECT_EQ(st.hits, 28);
  EXPECT_EQ(st.misses, 12);
  EXPECT_EQ(st.admitted, 8);
  EXPECT_EQ(st.rejected, 4);
  EXPECT_EQ(st.h2d_bytes, 12 * 256);  // exact rows, not the sampled cache's
}

// The accuracy goal on one fixed KuaiRand-shaped trace (the profile's model and 8000-item
// histories, a tenth of its users and items, so both runs take seconds).
struct Figures {
  double emb_hit, kv_hit, p50_ms, p99_ms;
  int64_t lookups, completed;
};

SimResult sim(const RunContext& ctx, const CostModel& cost, int nodes) {
  SimOptions so;
  so.nodes = nodes;
  so.link_bytes_per_s = cost.link_bytes_per_s;
  so.link_latency = static_cast<Nanos>(cost.link_latency_ns);
  return simulate(ctx, cost, so);
}

Figures run(const RunContext& ctx, const CostModel& cost, int nodes) {
  const SimResult r = sim(ctx, cost, nodes);
  const Summary& s = r.end.summary;
  return {s.emb_hit_rate, s.kv_hit_rate, double(s.p50.value) / 1e6, double(s.p99.value) / 1e6, s.emb_lookups, s.completed};
}

RunContext kuairand(double sample, const std::string& policy = "static:0.5", double pool_mib = 0) {
  const CostModel cost = load_cost_model(resolve_cost_model("a100-80gb"));
  RunOptions o;
  o.memory_policy = policy;
  o.dataset = "kuairand-27k";
  o.scale = 0.1;
  o.pool_mib = pool_mib > 0 ? pool_mib : cost.pool_mib;  // default: what `sim` uses (x --scale)
  o.qps = 100;
  o.duration_s = 10;
  o.warmup_s = 1;
  o.seed = 3;
  o.emb_sample = sample;
  return build_run_context(o, "");
}

TEST(EmbSampleAccuracy, KuairandTenPercentMatchesExact) {
  const CostModel cost = load_cost_model(resolve_cost_model("a100-80gb"));
  const RunContext exact_ctx = kuairand(1), sampled_ctx = kuairand(0.1);
  const Figures e = run(exact_ctx, cost, 4), s = run(sampled_ctx, cost, 4);
  const std::string fig = fmt::format(
      "exact: EMB hit {:.2f}%, KV hit {:.2f}%, P50 {:.3f} ms, P99 {:.3f} ms, lookups {}, completed {}; "
      "sampled (rate {}): EMB hit {:.2f}%, KV hit {:.2f}%, P50 {:.3f} ms, P99 {:.3f} ms, lookups {}, completed {}",
      100 * e.emb_hit, 100 * e.kv_hit, e.p50_ms, e.p99_ms, e.lookups, e.completed,
      emb_sample(0.1, size_t(sampled_ctx.opt.page_kib) * 1024, sampled_ctx.model.D, 3).rate, 100 * s.emb_hit,
      100 * s.kv_hit, s.p50_ms, s.p99_ms, s.lookups, s.completed);
  ASSERT_GT(e.completed, 500) << fig;
  // The trace must stress the cache, or agreement would prove nothing.
  ASSERT_GT(e.emb_hit, 0.2) << fig;
  ASSERT_LT(e.emb_hit, 0.95) << fig;
  EXPECT_NEAR(s.emb_hit, e.emb_hit, 0.02) << fig;
  EXPECT_NEAR(s.p50_ms, e.p50_ms, 0.1 * e.p50_ms) << fig;
  EXPECT_NEAR(s.p99_ms, e.p99_ms, 0.1 * e.p99_ms) << fig;
  EXPECT_NEAR(double(s.lookups), double(e.lookups), 0.05 * double(e.lookups)) << fig;
  std::cout << fig << "\n";
}

// The control loop on the miniature: mrc's curves (sampled at 10% of the exact stream, so all of
// a 10% miniature) must move the split as on the exact stream and predict the hit rate alike.
TEST(EmbSampleAccuracy, MrcDecidesAsOnTheExactStream) {
  const CostModel cost = load_cost_model(resolve_cost_model("a100-80gb"));
  RunContext exact_ctx = kuairand(1, "mrc"), sampled_ctx = kuairand(0.1, "mrc");
  const SimResult e = sim(exact_ctx, cost, 4), s = sim(sampled_ctx, cost, 4);
  ASSERT_EQ(e.nodes.size(), s.nodes.size());
  double share_diff = 0, pred_diff = 0, moved = 0;
  int64_t preds = 0, refill_e = 0, refill_s = 0;
  for (size_t i = 0; i < e.nodes.size(); ++i) {
    share_diff += std::abs(e.nodes[i].emb_share - s.nodes[i].emb_share);
    moved += std::abs(e.nodes[i].emb_share - 0.5);
    if (e.nodes[i].emb_hit_predicted >= 0 && s.nodes[i].emb_hit_predicted >= 0) {
      pred_diff += std::abs(e.nodes[i].emb_hit_predicted - s.nodes[i].emb_hit_predicted);
      ++preds;
    }
    refill_e += e.nodes[i].h2d_refill_bytes;
    refill_s += s.nodes[i].h2d_refill_bytes;
  }
  const double n = double(e.nodes.size());
  const std::string fig = fmt::format(
      "{} windows: mean |split exact - sampled| {:.4f} (exact moved {:.3f} from 0.5 on average); mean |predicted "
      "EMB hit exact - sampled| {:.4f} over {} windows",
      e.nodes.size(), share_diff / n, moved / n, preds ? pred_diff / double(preds) : -1.0, preds);
  std::cout << fig << "\n";
  ASSERT_GT(moved / n, 0.02) << fig;  // the policy moves the split, so agreement means something
  ASSERT_GT(preds, 20) << fig;
  EXPECT_LE(share_diff / n, 0.05) << fig;
  EXPECT_LE(pred_diff / double(preds), 0.03) << fig;
}

// Budgeted refill on the miniature (its windows scaled by the rate): a small pool, so the EMB
// cache is full and the split grows into refill. Refill moves a few thousand rows here (a few
// hundred sampled ones), so its bytes are a noisy estimate: across seeds 3-5 the ratio to exact
// was 0.4-1.4 at rates 0.1 and 0.25. The test holds it within 3x and the splits alike.
TEST(EmbSampleAccuracy, BudgetedRefillRunsOnTheMiniature) {
  const CostModel cost = load_cost_model(resolve_cost_model("a100-80gb"));
  RunContext exact_ctx = kuairand(1, "naive-adaptive", 2000), sampled_ctx = kuairand(0.1, "naive-adaptive", 2000);
  const SimResult e = sim(exact_ctx, cost, 4), s = sim(sampled_ctx, cost, 4);
  ASSERT_EQ(e.nodes.size(), s.nodes.size());
  double share_diff = 0;
  int64_t refill_e = 0, refill_s = 0;
  for (size_t i = 0; i < e.nodes.size(); ++i) {
    share_diff += std::abs(e.nodes[i].emb_share - s.nodes[i].emb_share);
    refill_e += e.nodes[i].h2d_refill_bytes;
    refill_s += s.nodes[i].h2d_refill_bytes;
  }
  const std::string fig = fmt::format("mean |split exact - sampled| {:.4f}; refill bytes exact {} sampled {}; EMB hit "
                                      "exact {:.2f}% sampled {:.2f}%",
                                      share_diff / double(e.nodes.size()), refill_e, refill_s,
                                      100 * e.end.summary.emb_hit_rate, 100 * s.end.summary.emb_hit_rate);
  std::cout << fig << "\n";
  ASSERT_GT(refill_e, 0) << fig;
  EXPECT_GT(refill_s, refill_e / 3) << fig;
  EXPECT_LT(refill_s, refill_e * 3) << fig;
  EXPECT_LE(share_diff / double(e.nodes.size()), 0.05) << fig;
}

// The shared sampled histories give exactly what drawing the range and filtering it gives, for
// windows that move on, grow, repeat, and come out of order.
TEST(EmbSampleAccuracy, SampledHistoriesEqualDrawingAndFiltering) {
  const RunContext ctx = kuairand(0.1);
  const EmbSample s = emb_sample(0.1, kPage, ctx.model.D, 3);
  SampledHistories h(*ctx.trace.items, s);
  Rng rng(11);
  std::vector<int64_t> at(5, 0);
  std::vector<ItemId> got, want;
  int64_t kept = 0;
  for (int step = 0; step < 400; ++step) {
    const UserId u = static_cast<UserId>(rng.below(5));
    int64_t& a = at[static_cast<size_t>(u)];
    // Mostly forward (a window that grows and moves on), sometimes back or past a gap.
    const uint64_t kind = rng.below(10);
    const int64_t begin = kind == 0 ? static_cast<int64_t>(rng.below(static_cast<uint64_t>(a + 1)))
                        : kind == 1 ? a + 500 + static_cast<int64_t>(rng.below(500))
                                    : a + static_cast<int64_t>(rng.below(50));
    const int64_t end = begin + static_cast<int64_t>(rng.below(3000));
    // Half the time keep the range's earlier part too (a KV hit computes a window's tail).
    const int64_t keep_from = rng.below(2) ? begin : std::max<int64_t>(0, begin - static_cast<int64_t>(rng.below(2000)));
    a = begin;
    got.assign(1, -7);  // range() appends
    h.range(u, begin, end, keep_from, got);
    ctx.trace.items->history_range(u, begin, end, want);
    s.filter(want);
    want.insert(want.begin(), -7);
    ASSERT_EQ(got, want) << "step " << step << " user " << u << " [" << begin << ", " << end << ")";
    kept += static_cast<int64_t>(got.size()) - 1;
  }
  EXPECT_GT(kept, 1000);
}

// The sampled cache holds rate x the rows in the pages the pool split gives it.
TEST(EmbSampleAccuracy, SampledCacheHoldsRateTimesTheRowsPerPage) {
  const RunContext ctx = kuairand(0.1);
  const CostModel cost = load_cost_model(resolve_cost_model("a100-80gb"));
  const GeneratedHostTable table(ctx.trace.items->num_items(), ctx.model.D, 0, 0.1f);
  NodeOptions exact = node_options(ctx, 0, 1, cost.link_bytes_per_s, 0.001, false);
  NodeOptions sampled = exact;
  exact.emb_sample = EmbSample{};
  ASSERT_FALSE(sampled.emb_sample.exact());
  const CostModelExecutor a(ctx.trace, ctx.model, cost, table, exact, 0);
  const CostModelExecutor b(ctx.trace, ctx.model, cost, table, sampled, 0);
  EXPECT_DOUBLE_EQ(double(b.emb().rows_per_page()) / double(a.emb().rows_per_page()), sampled.emb_sample.rate);
  EXPECT_LT(b.emb().sketch_width(), a.emb().sketch_width());
}

// --emb-sample 1 is the default code path: the same /requests rows, byte for byte, as
// tests/harness/test_sim_digest.cpp's adaptive run without the option.
std::vector<RequestRow> cli_rows(const std::string& name, const std::string& extra, double want_rate = 1) {
  const std::string out = (std::filesystem::temp_directory_path() / ("helm_emb_sample_" + name + ".h5")).string();
  std::filesystem::remove(out);
  const std::string cmd = std::string(HELM_BENCH_EXE) +
                          " sim --cost-model a100-80gb --model tiny --duration 3 --warmup-s 0.2 --page-kib 4 --seed 7"
                          " --nodes 4 --users 600 --items 5000 --history-median 40 --qps 800"
                          " --memory-policy naive-adaptive --repartition budgeted --router helm --pool-mib 1"
                          " --host-kv-mib 1" + extra + " --out " + out + " > /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const ResultsReader r(out);
  EXPECT_EQ(r.attributes().number("emb_sample"), want_rate) << cmd;  // the rate in effect
  return r.requests();
}

bool same_rows(const std::vector<RequestRow>& a, const std::vector<RequestRow>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const RequestRow &x = a[i], &y = b[i];
    if (x.id != y.id || x.user != y.user || x.node != y.node || x.arrival != y.arrival || x.start != y.start ||
        x.finish != y.finish || x.latency != y.latency || x.status != y.status || x.batch_size != y.batch_size ||
        x.history_len != y.history_len || x.computed_tokens != y.computed_tokens ||
        x.kv_hit_tokens_pool != y.kv_hit_tokens_pool || x.kv_hit_tokens_host != y.kv_hit_tokens_host ||
        x.emb_lookups != y.emb_lookups || x.emb_hits != y.emb_hits || x.h2d_bytes != y.h2d_bytes)
      return false;
  }
  return true;
}

TEST(EmbSampleCli, RateOneIsTheDefaultByteForByte) {
  const auto def = cli_rows("default", ""), one = cli_rows("one", " --emb-sample 1");
  ASSERT_GT(def.size(), 1000u);
  EXPECT_TRUE(same_rows(def, one));
  // And the option does change something below 1 (so the comparison above can fail).
  EXPECT_FALSE(same_rows(def, cli_rows("half", " --emb-sample 0.5", 0.5)));
}

TEST(EmbSampleCli, RunRefusesItAndSimRefusesOutOfRange) {
  const std::string exe = HELM_BENCH_EXE;
  EXPECT_EQ(WEXITSTATUS(std::system((exe + " run --emb-sample 0.5 > /dev/null 2>&1").c_str())), 2);
  EXPECT_EQ(WEXITSTATUS(std::system((exe + " sim --emb-sample 0 > /dev/null 2>&1").c_str())), 2);
  EXPECT_EQ(WEXITSTATUS(std::system((exe + " sim --emb-sample 1.5 > /dev/null 2>&1").c_str())), 2);
}

}  // namespace
