// Every policy in the registry passes the same tests (a share in [0, 1], deterministic, empty
// windows handled, decisions cheap); then each policy's own behaviour.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "controller/memory_policy.h"
#include "controller/node_controller.h"
#include "common/rng.h"

namespace helm {
namespace {

std::string oracle_file() {
  const std::string path = ::testing::TempDir() + "oracle_schedule.csv";
  std::ofstream(path) << "time_s,ratio\n0,0.3\n1,0.7\n2.5,0.1\n";
  return path;
}

// A spec for every registered name: a new policy without one here fails the test.
std::string spec_for(const std::string& name) {
  if (name == "static") return "static:0.3,0.6";
  if (name == "oracle") return "oracle:" + oracle_file();
  return name;
}

std::vector<NodeWindowStats> windows(uint64_t seed, int n) {
  Rng rng(seed);
  std::vector<NodeWindowStats> out;
  double share = 0.5;
  for (int i = 0; i < n; ++i) {
    NodeWindowStats w;
    w.time = static_cast<Nanos>(i + 1) * 1'000'000'000;
    w.latency_count = rng.bernoulli(0.1) ? 0 : static_cast<int64_t>(rng.below(500));
    w.latency_p99 = w.latency_count ? static_cast<Nanos>(1e6 * (1 + rng.uniform())) : 0;
    w.emb_share = share;
    w.has_curves = rng.bernoulli(0.9);
    double e = 0, k = 0;
    for (int j = 0; j < kCurvePoints; ++j) {
      w.emb_saved_ns[j] = e += rng.uniform() * 1e5;
      w.kv_saved_ns[j] = k += rng.uniform() * 2e5;
    }
    out.push_back(w);
    share = std::round(rng.uniform() * 20) / 20;
  }
  return out;
}

class EveryPolicy : public ::testing::TestWithParam<std::string> {};

// A decision's cost is a speed goal, held by benchmarks (bench_repartition's BM_Decide_*,
// bench_helm's BM_HelmDecision), not timed here: under a sanitizer or a loaded machine a wall-clock
// bound in a test fails for reasons that are not the policy's.
TEST_P(EveryPolicy, DecidesSharesDeterministically) {
  const auto ws = windows(3, 300);
  std::vector<double> runs[2];
  for (auto& run : runs) {
    auto p = make_policy(spec_for(GetParam()), PolicyContext{1, 2, 1'000'000'000});
    ASSERT_NE(p, nullptr);
    EXPECT_GE(p->initial_share(), 0.0);
    EXPECT_LE(p->initial_share(), 1.0);
    for (const auto& w : ws) {
      const double r = p->decide(w);
      ASSERT_GE(r, 0.0);
      ASSERT_LE(r, 1.0);
      run.push_back(r);
    }
  }
  EXPECT_EQ(runs[0], runs[1]);
}

TEST_P(EveryPolicy, HandlesAnEmptyFirstWindow) {
  auto p = make_policy(spec_for(GetParam()), PolicyContext{});
  NodeWindowStats w;
  w.emb_share = p->initial_share();
  const double r = p->decide(w);
  EXPECT_GE(r, 0.0);
  EXPECT_LE(r, 1.0);
}

std::vector<std::string> names() {
  std::vector<std::string> v;
  for (const auto& p : policy_registry()) v.push_back(p.name);
  return v;
}
INSTANTIATE_TEST_SUITE_P(Registry, EveryPolicy, ::testing::ValuesIn(names()),
                         [](const auto& i) {
                           std::string s = i.param;
                           for (char& c : s) if (c == '-') c = '_';
                           return s;
                         });

TEST(Policies, RejectsUnknownNamesAndBadArguments) {
  for (const char* bad : {"lru", "static", "static:1.5", "static:x", "emb-only:1", "oracle",
                          "oracle:/nonexistent/file", "naive-adaptive:-1"})
    EXPECT_ANY_THROW(make_policy(bad, PolicyContext{})) << bad;
}

TEST(Policies, StaticAssignsSharesToNodesInTurn) {
  for (int node = 0; node < 4; ++node) {
    auto p = make_policy("static:0.2,0.8", PolicyContext{node, 4});
    EXPECT_EQ(p->decide(NodeWindowStats{}), node % 2 ? 0.8 : 0.2);
  }
  EXPECT_EQ(make_policy("emb-only", {})->initial_share(), 1.0);
  EXPECT_EQ(make_policy("kv-only", {})->initial_share(), 0.0);
}

TEST(Policies, NaiveAdaptiveClimbsAndTurnsWhenP99Worsens) {
  auto p = make_policy("naive-adaptive:0.1", {});
  NodeWindowStats w;
  w.latency_count = 100;
  w.emb_share = 0.5;
  w.latency_p99 = 1000;
  EXPECT_DOUBLE_EQ(p->decide(w), 0.6);
  w.emb_share = 0.6;
  w.latency_p99 = 900;  // better: keep going
  EXPECT_DOUBLE_EQ(p->decide(w), 0.7);
  w.emb_share = 0.7;
  w.latency_p99 = 1500;  // worse: turn around
  EXPECT_DOUBLE_EQ(p->decide(w), 0.6);
  w.latency_count = 3;  // too few samples: hold
  EXPECT_DOUBLE_EQ(p->decide(w), 0.6);
}

TEST(Policies, MrcPicksTheSplitThatSavesMost) {
  auto p = make_policy("mrc", {});
  NodeWindowStats w;
  w.has_curves = 1;
  w.emb_share = 0.5;
  // EMB saves little beyond 10% of the pool; KV saves a lot up to 80%: best r = 0.2.
  for (int i = 0; i < kCurvePoints; ++i) {
    const double f = static_cast<double>(i) / (kCurvePoints - 1);
    w.emb_saved_ns[i] = 1e6 * std::min(f, 0.1) + 1e3 * f;
    w.kv_saved_ns[i] = 1e6 * std::min(f, 0.8);
  }
  EXPECT_NEAR(p->decide(w), 0.2, 1e-9);
  w.emb_share = 0.2;
  EXPECT_NEAR(p->decide(w), 0.2, 1e-9);  // stays
  w.has_curves = 0;
  w.emb_share = 0.35;
  EXPECT_EQ(p->decide(w), 0.35);  // no curves: holds
}

TEST(Policies, OracleReplaysItsSchedule) {
  auto p = make_policy("oracle:" + oracle_file(), {});
  EXPECT_EQ(p->initial_share(), 0.3);
  NodeWindowStats w;
  const std::vector<std::pair<double, double>> want{{0.5, 0.3}, {1.0, 0.7}, {2.0, 0.7}, {3.0, 0.1}, {9, 0.1}};
  for (const auto& [t, r] : want) {
    w.time = static_cast<Nanos>(t * 1e9);
    EXPECT_EQ(p->decide(w), r) << t;
  }
}

TEST(NodeController, StepsTowardTheTargetByAtMostMaxStep) {
  NodeController c(make_policy("static:0.9", {}), 0.1);
  NodeWindowStats w;
  w.emb_share = 0.5;
  const ControlDecision d = c.decide(w);
  EXPECT_EQ(d.target, 0.9);
  EXPECT_NEAR(d.applied, 0.6, 1e-12);
  EXPECT_GT(d.decision_ns, 0);  // measured (two clock reads around decide() are never equal)
  EXPECT_LT(d.decision_ns, 10'000'000);
  EXPECT_NEAR(step_toward(0.5, 0.45, 0.1), 0.45, 1e-12);
  EXPECT_NEAR(step_toward(0.5, 0.0, 0.2), 0.3, 1e-12);
  EXPECT_ANY_THROW(NodeController(make_policy("mrc", {}), 0.0));
}

// The one parse of --memory-policy: initial split per node and curve collection come from it.
TEST(PolicySpec, InitialSharesPerNodeAndCurves) {
  const PolicySpec s = parse_policy_spec("static:0,1,0.5");
  EXPECT_EQ(s.initial_share(PolicyContext{0}), 0.0);
  EXPECT_EQ(s.initial_share(PolicyContext{1}), 1.0);
  EXPECT_EQ(s.initial_share(PolicyContext{2}), 0.5);
  EXPECT_EQ(s.initial_share(PolicyContext{3}), 0.0);
  EXPECT_FALSE(s.needs_curves);
  EXPECT_EQ(parse_policy_spec("emb-only").initial_share(PolicyContext{0}), 1.0);
  EXPECT_EQ(parse_policy_spec("kv-only").initial_share(PolicyContext{5}), 0.0);
  EXPECT_TRUE(parse_policy_spec("mrc").needs_curves);
  for (const char* bad : {"static:1.5", "static:-0.1", "static:", "static:0.5,x", "magic", "emb-only:1"})
    EXPECT_THROW(parse_policy_spec(bad), BadInput) << bad;
}

}  // namespace
}  // namespace helm
