// The helm router's cost of placing one request on one node, term by term (the formula and the
// units are in helm_router.cpp's opening comment). Kept apart from the router so each term can
// be checked on its own; the router calls it once per node.
#pragma once
#include "scheduler/cluster_view.h"

namespace helm {

struct HelmCost {
  double backlog = 0;      // W_i: the node's outstanding work, ns
  double service = 0;      // s_i: r's own service time on the node, ns
  double externality = 0;  // n_i x s_i: the delay r adds to the requests queued behind it, ns
  double own_finish() const { return backlog + service; }
  double total() const { return backlog + service + externality; }
};

// r's own service time on `node` (s_i), given the tokens the node reuses from its pool and
// copies from its host tier (the router looks both up once per request:
// ClusterView::reuse_tokens / host_tokens).
inline double helm_service(const ClusterView& v, const RouteRequest& r, int node, double pool_reuse,
                           double host_reuse) {
  const double tokens = static_cast<double>(ClusterView::tokens_to_compute(r, 0)) - pool_reuse - host_reuse;
  const double rows = tokens * (1.0 - v.emb_hit_rate(node));
  return v.service().ns(1, tokens, rows) + host_reuse * v.cost.host_kv_ns_per_token;
}

// All terms of r on `node`; `backlog` is W_i when the caller has it already (< 0: computed).
inline HelmCost helm_cost(const ClusterView& v, const RouteRequest& r, int node, double pool_reuse,
                          double host_reuse, double backlog = -1) {
  HelmCost c;
  c.backlog = backlog >= 0 ? backlog : v.expected_wait_ns(node);
  c.service = helm_service(v, r, node, pool_reuse, host_reuse);
  c.externality = static_cast<double>(v.nodes[static_cast<size_t>(node)].outstanding) * c.service;
  return c;
}

}  // namespace helm
