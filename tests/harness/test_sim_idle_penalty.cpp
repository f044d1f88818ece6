// The cost model's idle penalty (cost_model.h, idle_penalty_ns): the file round-trips it, bad
// values name the field, files without it load with no penalty, and `sim` charges it to a batch
// after its node idled and not to one that starts right after another.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "gr_model/cost_model.h"
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
