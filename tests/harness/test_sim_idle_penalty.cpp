// Two terms of a batch's forward time beyond its shape (cost_model.h): the idle penalty
// (idle_penalty_ns) and the forward's spread (forward_spread). The file round-trips them, bad
// values name the field, files without them load with neither, `sim` charges the penalty to a
// batch after its node idled and not to one right after another, and scales each forward by a
// reproducible draw from the spread.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "gr_model/cost_model.h"
#include "gr_model/delay_quantiles.h"
#include "harness/sim/sim_driver.h"
#include "test_sim_util.h"

using namespace helm;

namespace {
std::string tmp(const std::string& name) { return simtest::temp_file("helm_test_idle_", name); }

// No penalty right after a batch, 300 us after 1 ms of idle or more, linear between.
CostModel with_penalty() {
  CostModel m = simtest::flat_cost_model();
  m.idle_penalty_ns = {{0, 1e6}, {0, 300e3}};
  return m;
}
}  // namespace

TEST(CostModelFile, IdlePenaltyInterpolatesAndRoundTrips) {
  const CostModel m = with_penalty();
  EXPECT_EQ(m.idle_penalty(0), 0);
  EXPECT_EQ(m.idle_penalty(500'000), 150'000);
  EXPECT_EQ(m.idle_penalty(5'000'000), 300'000);
  EXPECT_EQ(simtest::flat_cost_model().idle_penalty(5'000'000), 0);  // no field: no penalty
  const std::string p = tmp("idle.json");
  save_cost_model(m, p);
  const CostModel r = load_cost_model(p);
  EXPECT_EQ(r.idle_penalty_ns.x, m.idle_penalty_ns.x);
  EXPECT_EQ(r.idle_penalty_ns.y, m.idle_penalty_ns.y);
  nlohmann::json j;
  std::ifstream(p) >> j;
  j["hstu"].erase("idle_penalty");
  const std::string old = tmp("old.json");
  std::ofstream(old) << j.dump();
  EXPECT_TRUE(load_cost_model(old).idle_penalty_ns.x.empty());
}

TEST(CostModelFile, BadIdlePenaltyNamesTheField) {
  const std::string p = tmp("good.json");
  save_cost_model(with_penalty(), p);
  nlohmann::json j;
  std::ifstream(p) >> j;
  auto bad = [&](const char* name, const nlohmann::json& v, const std::string& field, const char* why) {
    nlohmann::json k = j;
    k["hstu"]["idle_penalty"] = v;
    const std::string q = tmp(std::string("bad_") + name + ".json");
    std::ofstream(q) << k.dump();
    const std::string e = simtest::load_error(q);
    EXPECT_NE(e.find(q), std::string::npos) << e;
    EXPECT_NE(e.find(field), std::string::npos) << e;
    EXPECT_NE(e.find(why), std::string::npos) << e;
  };
  using nlohmann::json;
  bad("desc", json{{"idle_ns", {2, 1}}, {"penalty_ns", {0, 1}}}, "hstu.idle_penalty.idle_ns", "ascending");
  bad("neg", json{{"idle_ns", {0, 1}}, {"penalty_ns", {0, -1}}}, "hstu.idle_penalty.penalty_ns", "non-negative");
  bad("len", json{{"idle_ns", {0, 1}}, {"penalty_ns", {0}}}, "hstu.idle_penalty", "as many");
  bad("missing", json{{"idle_ns", {0, 1}}}, "hstu.idle_penalty.penalty_ns", "array");
  bad("type", "slow", "hstu.idle_penalty", "object");
}

TEST(SimIdlePenalty, LoneBatchesPayItBackToBackOnesDoNot) {
  RunOptions o = simtest::tiny_options();
  o.qps = 20;  // requests ~50 ms apart: each batch starts after a long idle spell
  o.duration_s = 10;
  const RunContext ctx = build_run_context(o, "");
  const CostModel plain = simtest::flat_cost_model(), idle = with_penalty();
  const SimResult a = simulate(ctx, plain, simtest::sim_options(1, plain));
  const SimResult b = simulate(ctx, idle, simtest::sim_options(1, idle));
  ASSERT_EQ(a.rows.size(), b.rows.size());
  int lone = 0;
  for (size_t i = 0; i < a.rows.size(); ++i) {
    const RequestRow &x = a.rows[i], &y = b.rows[i];
    if (x.status != kCompleted || x.batch_size != 1 || y.batch_size != 1) continue;
    if (i > 0 && x.arrival - a.rows[i - 1].arrival < 5'000'000) continue;  // its node idled >= 1 ms
    EXPECT_EQ((y.finish - y.start) - (x.finish - x.start), 300'000) << "request " << x.id;
    ++lone;
  }
  EXPECT_GT(lone, 100);
  // Saturated: batches follow one another with no idle time, so most pay nothing: the mean
  // service grows by far less than the full penalty.
  o.qps = 20000;
  o.duration_s = 1;
  const RunContext busy = build_run_context(o, "");
  const SimResult c = simulate(busy, plain, simtest::sim_options(1, plain));
  const SimResult d = simulate(busy, idle, simtest::sim_options(1, idle));
  auto mean_service = [](const SimResult& r) {
    std::map<std::pair<Nanos, Nanos>, int> batches;
    for (const RequestRow& row : r.rows)
      if (row.status == kCompleted) batches[{row.start, row.finish}] = 1;
    double s = 0;
    for (const auto& [k, v] : batches) s += static_cast<double>(k.second - k.first);
    return s / static_cast<double>(batches.size());
  };
  EXPECT_LT(mean_service(d) - mean_service(c), 0.2 * 300e3);
}

namespace {
// No host work and a link that never waits, so a batch's service is its forward alone.
CostModel forward_only() {
  CostModel m = simtest::flat_cost_model();
  m.request_ns = m.history_ns_per_item = m.emb_hit_ns = m.emb_miss_ns = m.wake_ns = 0;
  m.link_bytes_per_s = 1e18;
  m.link_latency_ns = 0;
  return m;
}
// The same, with each forward taking 1x to 2x its shape's time, evenly.
CostModel with_spread() {
  CostModel m = forward_only();
  std::vector<double> q;
  for (int i = 0; i < DelayQuantiles::kQuantiles; ++i) q.push_back(1.0 + (i + 0.5) / DelayQuantiles::kQuantiles);
  std::string why;
  m.forward_spread = DelayQuantiles::from_values(q, why);
  return m;
}
}  // namespace

TEST(CostModelFile, ForwardSpreadRoundTripsAndBadOnesNameTheField) {
  const CostModel m = with_spread();
  ASSERT_FALSE(m.forward_spread.empty());
  const std::string p = tmp("spread.json");
  save_cost_model(m, p);
  EXPECT_EQ(load_cost_model(p).forward_spread.values(), m.forward_spread.values());
  nlohmann::json j;
  std::ifstream(p) >> j;
  j["hstu"]["spread_quantiles"] = nlohmann::json::array({2, 1});
  const std::string q = tmp("bad_spread.json");
  std::ofstream(q) << j.dump();
  const std::string e = simtest::load_error(q);
  EXPECT_NE(e.find(q), std::string::npos) << e;
  EXPECT_NE(e.find("hstu.spread_quantiles"), std::string::npos) << e;
  EXPECT_NE(e.find("non-decreasing"), std::string::npos) << e;
}

TEST(SimForwardSpread, EachForwardScalesByADrawSameSeedSameRows) {
  RunOptions o = simtest::tiny_options();
  o.qps = 20;
  o.duration_s = 10;
  const RunContext ctx = build_run_context(o, "");
  const CostModel plain = forward_only(), spread = with_spread();
  const SimResult a = simulate(ctx, plain, simtest::sim_options(1, plain));
  const SimResult b = simulate(ctx, spread, simtest::sim_options(1, spread));
  const SimResult c = simulate(ctx, spread, simtest::sim_options(1, spread));
  ASSERT_EQ(a.rows.size(), b.rows.size());
  double sum = 0, lo = 1e9, hi = 0;
  int lone = 0;
  for (size_t i = 0; i < a.rows.size(); ++i) {
    const RequestRow &x = a.rows[i], &y = b.rows[i];
    EXPECT_EQ(y.finish, c.rows[i].finish);  // the draws are the seed's, run to run
    if (x.status != kCompleted || x.batch_size != 1 || y.batch_size != 1) continue;
    if (i > 0 && x.arrival - a.rows[i - 1].arrival < 5'000'000) continue;
    // Service is the forward alone here: between 1x and 2x the plain one, 1.5x on average.
    const double r = static_cast<double>(y.finish - y.start) / static_cast<double>(x.finish - x.start);
    sum += r, lo = std::min(lo, r), hi = std::max(hi, r);
    ++lone;
  }
  ASSERT_GT(lone, 100);
  EXPECT_GE(lo, 1.0 - 1e-4);
  EXPECT_LE(hi, 2.0 + 1e-4);
  EXPECT_GT(hi - lo, 0.5);  // the draws differ from batch to batch
  EXPECT_NEAR(sum / lone, 1.5, 0.15) << "lo " << lo << " hi " << hi;
}
