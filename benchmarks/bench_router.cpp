// route() per request, every router next to rr in the same binary, at 32 and 1024 nodes.
// Goals: <= 1 us at 32 nodes, <= 10 us at 1024 nodes (helm's congestion-aware cost included).
// The view is populated as in a busy run: every node has load, 200 users per node hold KV
// somewhere, and hot-row summaries differ; requests come from those users (half resident).
#include <benchmark/benchmark.h>

#include "common/rng.h"
#include "scheduler/router.h"

namespace helm {
namespace {

ClusterView busy_view(int nodes) {
  ClusterView v(nodes, CostParams{.ns_per_token = 1000, .ns_per_row = 40});
  Rng rng(5);
  for (int i = 0; i < nodes; ++i) {
    auto& n = v.nodes[static_cast<size_t>(i)];
    n.outstanding = static_cast<int64_t>(rng.below(16));
    n.outstanding_tokens = n.outstanding * 300;
    n.outstanding_kv_tokens = n.outstanding * 250;
    n.outstanding_rows = static_cast<double>(n.outstanding_tokens) * 0.5;
    n.emb_share = 0.2 + 0.6 * rng.uniform();
    n.hot.hit_rate = n.emb_share;
  }
  for (int64_t u = 0; u < 200LL * nodes; ++u)
    v.kv.set(u, static_cast<int>(rng.below(static_cast<uint64_t>(nodes))), 0, 200);
  return v;
}

void BM_Route(benchmark::State& state, const char* name) {
  const int nodes = static_cast<int>(state.range(0));
  const ClusterView v = busy_view(nodes);
  RouterOptions o;
  o.nodes = nodes;
  auto router = make_router(name, o);
  Rng rng(9);
  std::vector<RouteRequest> reqs(4096);
  for (size_t i = 0; i < reqs.size(); ++i) {
    auto& r = reqs[i];
    r.id = static_cast<int64_t>(i);
    r.user = static_cast<int64_t>(rng.below(400ULL * static_cast<uint64_t>(nodes)));
    r.history_len = r.window = 250;
    r.candidates = 64;
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(router->route(reqs[i], v));
    i = (i + 1) & (reqs.size() - 1);
  }
  state.SetItemsProcessed(state.iterations());
}

#define ROUTER_BENCH(id, name) BENCHMARK_CAPTURE(BM_Route, id, name)->Arg(32)->Arg(1024)
ROUTER_BENCH(rr, "rr");
ROUTER_BENCH(least_loaded, "least-loaded");
ROUTER_BENCH(p2c, "p2c");
ROUTER_BENCH(kv_affinity, "kv-affinity");
ROUTER_BENCH(cache_aware, "cache-aware");
ROUTER_BENCH(helm, "helm");
ROUTER_BENCH(dynamo, "dynamo");
ROUTER_BENCH(llm_d, "llm-d");
ROUTER_BENCH(load_aware, "load-aware");

}  // namespace
}  // namespace helm

BENCHMARK_MAIN();
