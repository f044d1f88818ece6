// The same contract for every router in the registry (parameterised over router_names(), so a
// new router is tested the moment it is registered).
#include <gtest/gtest.h>

#include <algorithm>

#include "common/error.h"
#include "common/rng.h"
#include "scheduler/router.h"

namespace helm {
namespace {

class EveryRouter : public ::testing::TestWithParam<std::string> {};

// A view with some load and residency, and a stream of requests routed through it with the
// driver's update calls (dispatch now, completion a few requests later).
std::vector<int> drive(const std::string& name, int nodes, uint64_t seed, int requests = 2000) {
  RouterOptions o;
  o.nodes = nodes, o.seed = seed;
  auto router = make_router(name, o);
  ClusterView v(nodes, CostParams{.ns_per_token = 1000, .ns_per_row = 50});
  for (int i = 0; i < nodes; ++i) v.nodes[static_cast<size_t>(i)].emb_share = 0.2 + 0.6 * (i % 3) / 2.0;
  Rng users(99);
  std::vector<int> out;
  std::vector<std::pair<int, RouteRequest>> running;
  for (int64_t id = 0; id < requests; ++id) {
    RouteRequest r;
    r.id = id, r.user = static_cast<int64_t>(users.below(300)), r.history_len = 50 + id % 100;
    r.window = r.history_len, r.candidates = 16;
    const int node = router->route(r, v);
    out.push_back(node);
    if (node < 0 || node >= nodes) return out;
    v.on_dispatch(node, r);
    running.emplace_back(node, r);
    if (running.size() > static_cast<size_t>(2 * nodes)) {  // complete the oldest
      const auto [n, d] = running.front();
      running.erase(running.begin());
      v.on_complete(n, {.id = d.id, .user = d.user, .kv_tokens = d.window, .service_ns = 5000});
      if (d.id % 7 == 0) v.on_evict(n, d.user);
    }
  }
  return out;
}

TEST_P(EveryRouter, ReturnsAValidNode) {
  for (int nodes : {1, 2, 5, 32}) {
    const auto picks = drive(GetParam(), nodes, 3);
    for (int p : picks) ASSERT_TRUE(p >= 0 && p < nodes) << p << " of " << nodes;
  }
}

TEST_P(EveryRouter, SingleNodeClusterAlwaysGetsNodeZero) {
  const auto picks = drive(GetParam(), 1, 5, 200);
  EXPECT_TRUE(std::all_of(picks.begin(), picks.end(), [](int p) { return p == 0; }));
}

TEST_P(EveryRouter, DeterministicForASeed) {
  EXPECT_EQ(drive(GetParam(), 7, 11), drive(GetParam(), 7, 11));
}

TEST_P(EveryRouter, UsesEveryNodeUnderSpreadLoad) {
  const auto picks = drive(GetParam(), 6, 2);
  std::vector<int> count(6, 0);
  for (int p : picks) ++count[static_cast<size_t>(p)];
  for (int c : count) EXPECT_GT(c, 0);
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryRouter, ::testing::ValuesIn(router_names()),
                         [](const auto& info) {
                           std::string s = info.param;
                           std::replace(s.begin(), s.end(), '-', '_');
                           return s;
                         });

TEST(Registry, ListsEveryRouterOfTheDesign) {
  const auto names = router_names();
  for (const char* n : {"rr", "least-loaded", "p2c", "kv-affinity", "cache-aware", "helm", "dynamo", "llm-d",
                        "load-aware"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  EXPECT_THROW(make_router("nope", {}), BadInput);
}

// rr and least-loaded spread evenly: with nothing completing, each node gets its share.
TEST(Spread, RoundRobinAndLeastLoadedBalanceExactly) {
  for (const char* name : {"rr", "least-loaded"}) {
    RouterOptions o;
    o.nodes = 5;
    auto router = make_router(name, o);
    ClusterView v(5);
    std::vector<int> count(5, 0);
    for (int64_t id = 0; id < 500; ++id) {
      RouteRequest r;
      r.id = id, r.user = id % 37, r.history_len = r.window = 10;
      const int n = router->route(r, v);
      v.on_dispatch(n, r);
      ++count[static_cast<size_t>(n)];
    }
    for (int c : count) EXPECT_EQ(c, 100) << name;
  }
}

}  // namespace
}  // namespace helm
