// Routing: which worker node serves a request. One file per router, listed in router_registry.cpp.
//
// A router sees the request and a ClusterView (cluster_view.h) that the driver keeps current
// from dispatches, completions, eviction notices and per-interval summaries; it never talks to
// the harness directly. route() runs on rank 0's pacing loop once per request: it must stay
// well under a microsecond at tens of nodes (benchmarks/bench_router.cpp).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "scheduler/cluster_view.h"

namespace helm {

class Router {
 public:
  virtual ~Router() = default;
  // Returns a node in [0, view.size()). May keep its own state (a counter, an RNG).
  virtual int route(const RouteRequest& r, const ClusterView& view) = 0;
};

// The SGLang cache-aware rule's thresholds (sglang router defaults).
struct CacheAwareOptions {
  double balance_abs = 64;     // max - min outstanding above this ...
  double balance_rel = 1.5;    // ... and max > this x min: the cluster is imbalanced
  double match_threshold = 0.3;  // reusable share of the window that makes a node "hold" the user
};

struct KvAffinityOptions {
  double load_factor = 1.25;  // bounded load: a node takes at most this x the mean outstanding (+1)
  int vnodes = 64;            // points per node on the hash ring
};

struct RouterOptions {
  int nodes = 1;
  uint64_t seed = 1;  // for routers that sample or break ties at random
  CacheAwareOptions cache_aware;
  KvAffinityOptions kv_affinity;
};

// The explicit registry: name -> router. Throws BadInput for an unknown name, listing the known ones.
std::unique_ptr<Router> make_router(const std::string& name, const RouterOptions& opt);
std::vector<std::string> router_names();

}  // namespace helm
