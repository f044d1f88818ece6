// Routing: which worker node serves a request. One file per router, listed in router_registry.cpp.
//
// A router sees the request and a ClusterView that rank 0 keeps current from completions and
// per-interval summaries; it never talks to the harness directly.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"

namespace helm {

struct RouteRequest {
  int64_t id = 0;
  int64_t user = 0;
  int64_t history_len = 0;
  Nanos arrival = 0;
};

struct NodeView {
  int64_t outstanding = 0;  // dispatched and not yet completed
  double emb_share = 0;     // current EMB share of the node's pool
};

struct ClusterView {
  std::vector<NodeView> nodes;
};

class Router {
 public:
  virtual ~Router() = default;
  virtual int route(const RouteRequest& r, const ClusterView& view) = 0;
};

struct RouterOptions {
  int nodes = 1;
  uint64_t seed = 1;  // for routers that break ties at random
};

// The explicit registry: name -> router. Throws BadInput for an unknown name, listing the known ones.
std::unique_ptr<Router> make_router(const std::string& name, const RouterOptions& opt);
std::vector<std::string> router_names();

}  // namespace helm
