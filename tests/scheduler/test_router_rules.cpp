// Each router's own rule, on hand-built cluster views.
#include <gtest/gtest.h>

#include <set>

#include "scheduler/router.h"
#include "route_request_util.h"

namespace helm {
namespace {

using test::req;

ClusterView view(std::vector<int64_t> outstanding, std::vector<int64_t> tokens = {}) {
  ClusterView v(static_cast<int>(outstanding.size()));
  for (size_t i = 0; i < outstanding.size(); ++i) {
    v.nodes[i].outstanding = outstanding[i];
    v.nodes[i].outstanding_tokens = tokens.empty() ? 100 * outstanding[i] : tokens[i];
  }
  return v;
}

std::unique_ptr<Router> make(const std::string& name, int nodes, uint64_t seed = 1, RouterOptions o = {}) {
  o.nodes = nodes, o.seed = seed;
  return make_router(name, o);
}

TEST(RoundRobin, Cycles) {
  auto r = make("rr", 3);
  const auto v = view({9, 0, 0});
  for (int i = 0; i < 7; ++i) EXPECT_EQ(r->route(req(i, 10), v), i % 3);
}

TEST(LeastLoaded, FewestTokensThenFewestRequestsThenRandom) {
  auto r = make("least-loaded", 4);
  EXPECT_EQ(r->route(req(1, 10), view({3, 1, 2, 5}, {300, 200, 100, 400})), 2);
  EXPECT_EQ(r->route(req(1, 10), view({3, 1, 2, 5}, {100, 100, 100, 400})), 1);
  std::set<int> seen;
  for (int i = 0; i < 100; ++i) seen.insert(r->route(req(i, 10), view({1, 0, 1, 0}, {5, 0, 5, 0})));
  EXPECT_EQ(seen, (std::set<int>{1, 3}));  // ties go to both, never to a loaded node
}

TEST(PowerOfTwo, NeverPicksTheUniqueMostLoadedNodeAndFavoursTheLeast) {
  auto r = make("p2c", 3);
  const auto v = view({5, 1, 9});
  int count[3] = {};
  for (int i = 0; i < 3000; ++i) ++count[r->route(req(i, 10), v)];
  EXPECT_EQ(count[2], 0);
  EXPECT_NEAR(count[1] / 3000.0, 2.0 / 3.0, 0.05);  // chosen whenever it is sampled
  EXPECT_EQ(make("p2c", 2)->route(req(1, 1), view({4, 2})), 1);
}

TEST(KvAffinity, StickyPerUserAndSpreadAcrossUsers) {
  auto r = make("kv-affinity", 8);
  const auto v = view({0, 0, 0, 0, 0, 0, 0, 0});
  std::set<int> nodes;
  for (int64_t u = 0; u < 200; ++u) {
    const int n = r->route(req(u, 10), v);
    EXPECT_EQ(r->route(req(u, 20), v), n);
    nodes.insert(n);
  }
  EXPECT_EQ(nodes.size(), 8u);
}

TEST(KvAffinity, BoundedLoadSpillsPastAnOverloadedNode) {
  auto r = make("kv-affinity", 4);
  const int home = r->route(req(123, 10), view({0, 0, 0, 0}));
  auto v = view({1, 1, 1, 1});
  v.nodes[static_cast<size_t>(home)].outstanding = 20;  // cap = ceil(1.25 x 24 / 4) = 8
  const int spill = r->route(req(123, 10), v);
  EXPECT_NE(spill, home);
  EXPECT_EQ(r->route(req(123, 10), v), spill);  // the spill is sticky too (next on the ring)
}

TEST(KvAffinity, AddingANodeMovesFewUsers) {
  auto a = make("kv-affinity", 8), b = make("kv-affinity", 9);
  const auto va = view(std::vector<int64_t>(8, 0)), vb = view(std::vector<int64_t>(9, 0));
  int moved = 0;
  for (int64_t u = 0; u < 2000; ++u) moved += a->route(req(u, 1), va) != b->route(req(u, 1), vb);
  EXPECT_LT(moved, 2000 / 9 * 1.5);  // ~1/9 of users move, not most of them
}

// Node 0 holds user 7's KV (50 tokens); node 1 is idle.
ClusterView holder_view(int64_t load0, int64_t load1, int64_t cached = 50) {
  auto v = view({load0, load1});
  v.kv.set(7, 0, 0, cached);
  return v;
}

TEST(CacheAware, BalancedGoesToTheHolderAboveTheMatchThreshold) {
  auto r = make("cache-aware", 2);
  EXPECT_EQ(r->route(req(7, 100), holder_view(10, 0)), 0);      // match 0.5 > 0.3
  EXPECT_EQ(r->route(req(7, 100), holder_view(10, 0, 20)), 1);  // match 0.2: least loaded
  EXPECT_EQ(r->route(req(8, 100), holder_view(10, 0)), 1);       // nothing cached: least loaded
}

TEST(CacheAware, ImbalancedGoesToTheLeastLoaded) {
  auto r = make("cache-aware", 2);
  EXPECT_EQ(r->route(req(7, 100), holder_view(100, 10)), 1);   // 90 > 64 and 100 > 1.5 x 10
  EXPECT_EQ(r->route(req(7, 100), holder_view(200, 150)), 0);  // 50 apart: still balanced
  EXPECT_EQ(r->route(req(7, 100), holder_view(300, 210)), 0);  // 90 apart but 300 < 1.5 x 210
  RouterOptions o;
  o.cache_aware.balance_abs = 5;  // configurable
  EXPECT_EQ(make("cache-aware", 2, 1, o)->route(req(7, 100), holder_view(10, 0)), 1);
}

}  // namespace
}  // namespace helm
