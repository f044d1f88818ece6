// The production routers' rules (dynamo, llm-d, load-aware) on hand-built cluster views, each at
// the crossover its formula predicts, plus the option validation.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "common/error.h"
#include "scheduler/router.h"
#include "route_request_util.h"

namespace helm {
namespace {

using test::req;

std::unique_ptr<Router> make(const std::string& name, int nodes, RouterOptions o = {}) {
  o.nodes = nodes;
  return make_router(name, o);
}

// Two nodes, 16-token pages; node 1 holds `cached` tokens of user 7's window.
ClusterView two(int64_t cached) {
  ClusterView v(2);
  if (cached > 0) v.kv.set(7, 1, 0, cached);
  return v;
}

TEST(Dynamo, PrefillBlocksPlusActiveBlocks) {
  auto r = make("dynamo", 2);
  // Node 0: 160 new tokens = 10 prefill blocks + 10 active. Node 1: 0 prefill + (K + 160)/16.
  auto v = two(160);
  v.nodes[1].outstanding_kv_tokens = 144;  // 19 < 20
  EXPECT_EQ(r->route(req(7, 160), v), 1);
  v.nodes[1].outstanding_kv_tokens = 176;  // 21 > 20
  EXPECT_EQ(r->route(req(7, 160), v), 0);
  // Outstanding prefill counts too: node 1 with 16 blocks still to compute.
  v.nodes[1].outstanding_kv_tokens = 0;
  v.nodes[1].outstanding_tokens = 16 * 16;  // 16 + 10 > 20
  EXPECT_EQ(r->route(req(7, 160), v), 0);
}

TEST(Dynamo, OverlapWeightScalesThePrefillTerm) {
  RouterOptions o;
  o.tuning.dynamo.overlap_weight = 0;  // pure load balance over active blocks
  auto v = two(160);
  v.nodes[1].outstanding_kv_tokens = 32;
  EXPECT_EQ(make("dynamo", 2, o)->route(req(7, 160), v), 0);
  o.tuning.dynamo.overlap_weight = 2;  // 20 prefill-weighted blocks + 10 vs 0 + 12
  EXPECT_EQ(make("dynamo", 2, o)->route(req(7, 160), v), 1);
  o.kv_page_tokens = 32;  // blocks of the harness's KV page: the same choice in other units
  EXPECT_EQ(make("dynamo", 2, o)->route(req(7, 160), v), 1);
}

TEST(Dynamo, TemperatureSamplesTheSoftmaxOfTheRescaledLogits) {
  RouterOptions o;
  o.tuning.dynamo.temperature = 1.0;
  auto r = make("dynamo", 2, o);
  const auto v = two(160);  // logits 20 and 10: rescaled to 1 and 0
  int ones = 0;
  const int draws = 20000;
  for (int i = 0; i < draws; ++i) ones += r->route(req(7, 160), v) == 1;
  const double p1 = 1.0 / (1.0 + std::exp(-1.0));
  EXPECT_NEAR(ones / static_cast<double>(draws), p1, 0.015);
  o.tuning.dynamo.temperature = 0.02;  // nearly the minimum
  auto cold = make("dynamo", 2, o);
  int zero = 0;
  for (int i = 0; i < 2000; ++i) zero += cold->route(req(7, 160), v) == 0;
  EXPECT_LT(zero, 5);
}

TEST(LlmD, QueueScorerWeight2PlusPrefixScorerWeight3) {
  auto r = make("llm-d", 2);
  // Equal queues: queue score 1 on both, the holder adds 3 x its prefix share.
  EXPECT_EQ(r->route(req(7, 160), two(160)), 1);
  auto v = two(160);
  v.nodes[1].outstanding = 10;  // holder: 0 + 3 x 1 = 3 > idle: 2 x 1 + 0
  EXPECT_EQ(r->route(req(7, 160), v), 1);
  v = two(80);  // half the blocks: 3 x 0.5 = 1.5 < 2
  v.nodes[1].outstanding = 10;
  EXPECT_EQ(r->route(req(7, 160), v), 0);
  // The queue score is min-max normalised: a spread of one request counts as much as of ten.
  v.nodes[0].outstanding = 9;  // still 2 x 1 + 0 on node 0 against 2 x 0 + 1.5 on node 1
  EXPECT_EQ(r->route(req(7, 160), v), 0);
}

TEST(LlmD, PrefixCountsFullBlocksOnly) {
  auto r = make("llm-d", 2);
  auto v = two(15);  // less than one 16-token block cached: scores 0, as the hashes see it
  v.nodes[0].outstanding = 1;
  EXPECT_EQ(r->route(req(7, 32), v), 1);  // queue decides
  v.nodes[0].outstanding = 0;
  std::set<int> seen;
  for (int i = 0; i < 60; ++i) seen.insert(r->route(req(7, 32), v));
  EXPECT_EQ(seen.size(), 2u);  // a tie: at random
  RouterOptions o;
  o.tuning.llm_d.prefix_weight = 0;
  auto full = two(160);
  full.nodes[1].outstanding = 1;
  EXPECT_EQ(make("llm-d", 2, o)->route(req(7, 160), full), 0);  // weights are options
}

TEST(LoadAware, MatchedShareMinusBetaTimesRelativeLoad) {
  auto r = make("load-aware", 2);
  auto v = two(100);  // full match on node 1
  v.nodes[1].outstanding = 5, v.nodes[0].outstanding = 3;  // mean 4: 1 - 0.25 vs 0 + 0.25
  EXPECT_EQ(r->route(req(7, 100), v), 1);
  v.nodes[1].outstanding = 7, v.nodes[0].outstanding = 1;  // 1 - 0.75 vs 0.75
  EXPECT_EQ(r->route(req(7, 100), v), 0);
  v = two(50);  // half a match: 0.5 - 0.25 < 0.25 + 0
  v.nodes[1].outstanding = 5, v.nodes[0].outstanding = 3;
  EXPECT_NE(r->route(req(7, 100), v), 1);
}

TEST(LoadAware, ANearlyIdleClusterIsNotImbalanced) {
  RouterOptions o;
  o.tuning.load_aware.beta = 0.8;
  auto v = two(100);
  v.nodes[1].outstanding = 1;  // mean 0.5, divided by max(1, 0.5) = 1: 1 - 0.4 > 0.4
  EXPECT_EQ(make("load-aware", 2, o)->route(req(7, 100), v), 1);
  v.nodes[1].outstanding = 2, v.nodes[0].outstanding = 0;  // mean 1: 1 - 0.8 < 0.8
  EXPECT_EQ(make("load-aware", 2, o)->route(req(7, 100), v), 0);
  o.tuning.load_aware.beta = 0;  // cache only
  v.nodes[1].outstanding = 50;
  EXPECT_EQ(make("load-aware", 2, o)->route(req(7, 100), v), 1);
}

TEST(RouterTuning, OutOfRangeValuesAreBadInput) {
  EXPECT_NO_THROW(validate(RouterTuning{}));
  RouterTuning t;
  t.helm.load_factor = 0.9;
  EXPECT_THROW(validate(t), BadInput);
  t = {};
  t.dynamo.temperature = -1;
  EXPECT_THROW(validate(t), BadInput);
  t = {};
  t.dynamo.overlap_weight = std::nan("");
  EXPECT_THROW(validate(t), BadInput);
  t = {};
  t.llm_d.prefix_weight = -3;
  EXPECT_THROW(validate(t), BadInput);
  t = {};
  t.load_aware.beta = -0.1;
  EXPECT_THROW(validate(t), BadInput);
}

}  // namespace
}  // namespace helm
