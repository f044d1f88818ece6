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

// helm's bounded load: no node whose outstanding work (ns, at the fitted service model)
// exceeds load_factor x the cluster's mean is eligible (--helm-load-factor, >= 1).
struct HelmOptions {
  double load_factor = 1.5;
};

// NVIDIA Dynamo's KV router (dynamo.cpp): cost = overlap_weight x prefill blocks + active blocks.
struct DynamoOptions {
  double overlap_weight = 1.0;  // --dynamo-overlap-weight (>= 0; 0: pure load balance)
  double temperature = 0;       // --dynamo-temperature (>= 0; 0: the minimum, else softmax)
};

// llm-d's default scheduling profile (llm_d.cpp): weighted queue and prefix-cache scorers.
struct LlmdOptions {
  double queue_weight = 2;   // --llm-d-queue-weight
  double prefix_weight = 3;  // --llm-d-prefix-weight
};

// vLLM production-stack's load-aware rule (load_aware.cpp).
struct LoadAwareOptions {
  double beta = 1.0;  // --load-aware-beta (>= 0): cache hits given up per 100% above mean load
};

// The tunables of the routers added after cache-aware, in one struct so a driver copies them
// from the run's options in one assignment.
struct RouterTuning {
  HelmOptions helm;
  DynamoOptions dynamo;
  LlmdOptions llm_d;
  LoadAwareOptions load_aware;
};
// Throws BadInput naming the option when a value is out of range.
void validate(const RouterTuning& t);

struct RouterOptions {
  int nodes = 1;
  uint64_t seed = 1;  // for routers that sample or break ties at random
  CacheAwareOptions cache_aware;
  KvAffinityOptions kv_affinity;
  RouterTuning tuning;
  // Tokens in one KV page of the nodes' pools: the "block" of the block-counting routers
  // (dynamo, llm-d). 16 is vLLM's default block size, used when the driver does not say.
  int kv_page_tokens = 16;
};

// The explicit registry: name -> router. Throws BadInput for an unknown name, listing the known ones.
std::unique_ptr<Router> make_router(const std::string& name, const RouterOptions& opt);
std::vector<std::string> router_names();

}  // namespace helm
