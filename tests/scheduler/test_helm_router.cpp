// The helm router: each term of its cost (helm_cost.h) with its unit, the congestion term that
// keeps users on their KV under a backlog, the host KV tier, and the bounded-load fallback.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/rng.h"
#include "scheduler/helm_cost.h"
#include "scheduler/router.h"
#include "route_request_util.h"

namespace helm {
namespace {

using test::req;

// Priors only (no batch fitted): 1000 ns/token, 100 ns/row, `per_request` ns/request.
ClusterView helm_view(int nodes = 3, double per_request = 0, double host_ns = 0) {
  ClusterView v(nodes, CostParams{.ns_per_token = 1000, .ns_per_row = 100, .ns_per_request = per_request,
                                  .host_kv_ns_per_token = host_ns});
  for (auto& n : v.nodes) n.hot.hit_rate = 0.5;
  return v;
}

std::unique_ptr<Router> make_helm(int nodes, double load_factor = 1.5) {
  RouterOptions o;
  o.nodes = nodes;
  o.tuning.helm.load_factor = load_factor;
  return make_router("helm", o);
}

TEST(HelmCost, EachTermInNanoseconds) {
  auto v = helm_view(2, 5000, 10);
  auto& n = v.nodes[0];
  n.outstanding = 2, n.outstanding_tokens = 300, n.outstanding_rows = 40;
  const auto r = req(7, 100, 20);  // 120 tokens to compute with nothing cached
  // Backlog: 2 requests x 5000 ns + 300 tokens x 1000 ns + 40 rows x 100 ns.
  const HelmCost cold = helm_cost(v, r, 0, 0, 0);
  EXPECT_DOUBLE_EQ(cold.backlog, 2 * 5000 + 300 * 1000 + 40 * 100);
  // Own service: 1 request x 5000 ns + 120 tokens x 1000 ns + 120 x (1 - 0.5) rows x 100 ns.
  EXPECT_DOUBLE_EQ(cold.service, 5000 + 120 * 1000 + 60 * 100);
  // Externality: the 2 requests behind it each wait its service.
  EXPECT_DOUBLE_EQ(cold.externality, 2 * cold.service);
  EXPECT_DOUBLE_EQ(cold.total(), cold.backlog + 3 * cold.service);
  // KV hit: 60 reused tokens are neither computed nor looked up.
  const HelmCost hit = helm_cost(v, r, 0, 60, 0);
  EXPECT_DOUBLE_EQ(cold.service - hit.service, 60 * 1000 + 60 * 0.5 * 100);
  // Host tier: the same 60 tokens copied at 10 ns each instead.
  const HelmCost host = helm_cost(v, r, 0, 0, 60);
  EXPECT_DOUBLE_EQ(host.service, hit.service + 60 * 10);
  // EMB: a better hit rate removes missed rows at 100 ns each.
  v.nodes[0].hot.hit_rate = 0.9;
  EXPECT_NEAR(cold.service - helm_cost(v, r, 0, 0, 0).service, 120 * 0.4 * 100, 1e-6);
  // An idle node has no backlog and no one behind.
  const HelmCost idle = helm_cost(v, r, 1, 0, 0);
  EXPECT_EQ(idle.backlog, 0);
  EXPECT_EQ(idle.externality, 0);
}

TEST(HelmCost, UsesTheFittedServiceModel) {
  auto v = helm_view(1);
  v.nodes[0].hot.hit_rate = 1.0;  // no misses: per_row stays at its prior, per_token is identified
  v.on_dispatch(0, req(1, 100));
  for (int b = 0; b < 3000; ++b) {  // batches say: 250 ns/token, nothing else
    RouteRequest r = req(100 + b, 40 + b % 60);
    v.on_dispatch(0, r);
    v.on_complete(0, {.id = r.id, .user = r.user, .service_ns = 250 * (40 + b % 60), .batch_size = 1});
  }
  EXPECT_NEAR(v.service().per_token, 250, 25);
  EXPECT_NEAR(helm_cost(v, req(2, 100), 0, 0, 0).backlog, 100 * v.service().per_token + v.service().per_request,
              1e-6);
}

// The router's fast path (folded constants for the nodes holding nothing) is the same rule as
// helm_cost(): on random views its pick has the least total cost of the eligible nodes.
TEST(Helm, PicksTheLeastHelmCostAmongEligibleNodes) {
  Rng rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    const int nodes = 2 + static_cast<int>(rng.below(9));
    auto v = helm_view(nodes, 3000, trial % 2 ? 20 : 0);
    for (auto& n : v.nodes) {
      n.outstanding = static_cast<int64_t>(rng.below(6));
      n.outstanding_tokens = n.outstanding * static_cast<int64_t>(rng.below(400));
      n.outstanding_rows = static_cast<double>(n.outstanding_tokens) * rng.uniform();
      n.hot.hit_rate = rng.uniform();
    }
    const auto q = req(7, 50 + static_cast<int64_t>(rng.below(400)), 16);
    for (int k = 0; k < 3; ++k) {
      const int h = static_cast<int>(rng.below(static_cast<uint64_t>(nodes)));
      v.on_complete(h, {.id = -1, .user = 7, .kv_start = 0, .kv_tokens = 1 + static_cast<int64_t>(rng.below(400))});
      if (rng.bernoulli(0.3)) v.on_evict(h, 7);
    }
    double total = 0, reqs = 0, least = 1e300;
    for (int i = 0; i < nodes; ++i)
      total += v.expected_wait_ns(i), reqs += static_cast<double>(v.nodes[i].outstanding),
          least = std::min(least, v.expected_wait_ns(i));
    const double cap = std::max(least, 1.5 * (total + (reqs > 0 ? total / reqs : 0)) / nodes);
    auto cost = [&](int i) {
      const double pool = static_cast<double>(v.reuse_tokens(i, q));
      return helm_cost(v, q, i, pool, pool > 0 ? 0.0 : static_cast<double>(v.host_tokens(i, q))).total();
    };
    double best = 1e300;
    for (int i = 0; i < nodes; ++i)
      if (v.expected_wait_ns(i) <= cap) best = std::min(best, cost(i));
    const int pick = make_helm(nodes)->route(q, v);
    ASSERT_LE(v.expected_wait_ns(pick), cap) << trial;
    ASSERT_NEAR(cost(pick), best, 1.0) << trial;  // whole-ns rounding of the router's keys
  }
}

TEST(Helm, ResidentKvBeatsAnIdleNodeWhileRecomputeCostsMore) {
  auto r = make_helm(3, 100);  // no load bound: the cost alone decides
  auto v = helm_view();
  v.kv.set(7, 1, 0, 100);
  v.nodes[1].outstanding = 1;
  v.nodes[1].outstanding_tokens = 50;  // 50 us + 2 x 10.5 us < 115.5 us of recompute elsewhere
  EXPECT_EQ(r->route(req(7, 110), v), 1);
  v.nodes[1].outstanding_tokens = 500;  // 500 us of queue > recompute: go elsewhere
  EXPECT_NE(r->route(req(7, 110), v), 1);
}

// The failure of the greedy rule (docs/HYPOTHESES.md, H3): every node backlogged, the holder a
// little more. Own finish says move; the delay the recompute adds to the queue says stay.
TEST(Helm, UnderABacklogKeepsTheUserOnItsKv) {
  auto r = make_helm(2);
  auto v = helm_view(2);
  v.kv.set(7, 0, 0, 100);
  v.nodes[0].outstanding = 8, v.nodes[0].outstanding_tokens = 800;  // 800 us
  v.nodes[1].outstanding = 8, v.nodes[1].outstanding_tokens = 600;  // 600 us
  const auto q = req(7, 110);
  const HelmCost stay = helm_cost(v, q, 0, 100, 0), move = helm_cost(v, q, 1, 0, 0);
  ASSERT_LT(move.own_finish(), stay.own_finish());  // the greedy rule would move it
  EXPECT_LT(stay.total(), move.total());
  EXPECT_EQ(r->route(q, v), 0);
  // An idle node is still worth the recompute: nobody waits behind it there.
  v.nodes[1].outstanding = 0, v.nodes[1].outstanding_tokens = 0;
  EXPECT_EQ(r->route(q, v), 1);
}

TEST(Helm, PrefersTheBetterEmbCacheWhenLoadsAndKvAreEqual) {
  auto r = make_helm(3);
  auto v = helm_view();
  v.nodes[2].hot.hit_rate = 0.9;
  EXPECT_EQ(r->route(req(8, 100, 20), v), 2);
  // ... unless its queue costs more than the rows it saves: 120 rows x 0.4 x 100 ns = 4.8 us.
  v.nodes[2].outstanding_tokens = 10;  // 10 us
  EXPECT_NE(r->route(req(8, 100, 20), v), 2);
}

TEST(Helm, CopiesFromTheHostTierInsteadOfRecomputing) {
  auto r = make_helm(3);
  auto v = helm_view(3, 0, 10);
  v.on_complete(2, {.id = 1, .user = 7, .kv_start = 0, .kv_tokens = 100});
  v.on_evict(2, 7);  // spilled to node 2's host tier
  ASSERT_EQ(v.host_tokens(2, req(7, 110)), 100);
  EXPECT_EQ(r->route(req(7, 110), v), 2);
  // Without a host tier the eviction loses the KV: no reason to prefer node 2.
  auto w = helm_view(3);
  w.on_complete(2, {.id = 1, .user = 7, .kv_start = 0, .kv_tokens = 100});
  w.on_evict(2, 7);
  std::set<int> seen;
  for (int i = 0; i < 60; ++i) seen.insert(r->route(req(7, 110), w));
  EXPECT_EQ(seen.size(), 3u);
}

TEST(Helm, BoundedLoadExcludesANodeAboveTheFactorOfTheMeanWork) {
  auto v = helm_view();
  v.kv.set(7, 0, 0, 10000);
  v.nodes[0].outstanding = 3, v.nodes[0].outstanding_tokens = 3000;  // 3 ms of work
  // cap = f x (3 ms + 1 ms of mean work per request) / 3 nodes.
  const auto q = req(7, 10000);  // a 10 ms recompute anywhere else
  ASSERT_LT(helm_cost(v, q, 0, 10000, 0).total(), helm_cost(v, q, 1, 0, 0).total());
  EXPECT_NE(make_helm(3, 1.5)->route(q, v), 0);  // 3 ms > 1.5 x 4/3 ms
  EXPECT_EQ(make_helm(3, 2.25)->route(q, v), 0);  // 3 ms <= 2.25 x 4/3 ms
}

// A hot user with nothing completing: without the bound its node keeps taking hits while its
// work is over twice the mean (each hit is cheap next to a recompute elsewhere); with it every
// pick is within the cap and the hot node ends within the factor of the mean work. (Here the
// spilled recomputes raise the mean so much that both end with the same counts: the bound moves
// when the spills happen, before the queue runs away, not how many.)
TEST(Helm, BoundedLoadStopsAHotSpotSpiral) {
  struct Out {
    double worst_pick;  // max over decisions of the chosen node's work / mean work before it
    int64_t hot;        // requests on the KV holder at the end
    double hot_share;   // holder's work / mean work at the end
  };
  auto spiral = [](double factor) {
    auto r = make_helm(4, factor);
    auto v = helm_view(4);
    for (auto& n : v.nodes) n.outstanding = 1, n.outstanding_tokens = 1000;  // 1 ms of other work each
    v.kv.set(7, 0, 0, 5000);  // a hit costs ~17 us there, a miss 5 ms anywhere else
    Out o{0, 0, 0};
    for (int64_t id = 0; id < 400; ++id) {
      RouteRequest q = req(7, 5000, 16);
      q.id = id;
      const int node = r->route(q, v);
      double total = 0, reqs = 0;
      for (int i = 0; i < 4; ++i) total += v.expected_wait_ns(i), reqs += static_cast<double>(v.nodes[i].outstanding);
      const double typical = reqs > 0 ? total / reqs : 0;
      if (total > 0) o.worst_pick = std::max(o.worst_pick, v.expected_wait_ns(node) / ((total + typical) / 4));
      v.on_dispatch(node, q);
    }
    double total = 0;
    for (int i = 0; i < 4; ++i) total += v.expected_wait_ns(i);
    o.hot = v.nodes[0].outstanding;
    o.hot_share = v.expected_wait_ns(0) / (total / 4);
    return o;
  };
  const Out bounded = spiral(1.5), free = spiral(1e9);
  EXPECT_LE(bounded.worst_pick, 1.5 + 1e-9);
  EXPECT_GT(free.worst_pick, 2.0);  // unbounded, the holder kept taking hits past 2x the mean
  EXPECT_LE(bounded.hot_share, 1.6);  // the cap plus at most one cheap request
  EXPECT_GT(bounded.hot, 300);        // the bound spills only what it must: affinity stays
}

TEST(Helm, UsesTheEmbShareBeforeAnySummary) {
  auto r = make_helm(2);
  ClusterView v(2, CostParams{.ns_per_token = 1000, .ns_per_row = 100});
  v.nodes[0].emb_share = 0.2;
  v.nodes[1].emb_share = 0.8;
  EXPECT_EQ(r->route(req(8, 100), v), 1);
}

TEST(Helm, BreaksExactTiesAtRandom) {
  auto r = make_helm(3);
  const auto v = helm_view();
  std::set<int> seen;
  for (int i = 0; i < 100; ++i) seen.insert(r->route(req(i, 100), v));
  EXPECT_EQ(seen.size(), 3u);
}

}  // namespace
}  // namespace helm
