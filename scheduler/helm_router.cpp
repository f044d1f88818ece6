// helm: the EMB-KV-aware router of the paper, with a congestion-aware objective. For request r
// and every node i it prices r's effect on the whole node, not only on r:
//
//   cost_i = (W_i + s_i)   +   n_i x s_i                                            [ns]
//            r's own finish    the delay r's service adds to the requests behind it
//
//   s_i = a + b x t_i + c x m_i + d x host_i     r's service time on i              [ns]
//   W_i = a x n_i + b x T_i + c x M_i            i's outstanding work (backlog)     [ns]
//
//   t_i    = window - reuse_i - host_i + candidates   tokens r computes on i        [tokens]
//            (reuse_i: window prefix in i's KV pool; host_i: prefix in i's host KV tier,
//            counted only on a pool miss: a copy instead of a recompute)
//   m_i    = t_i x (1 - h_i)                          rows r misses on i            [rows]
//            (every computed token and candidate looks up one row; h_i: i's EMB hit rate)
//   n_i    = requests outstanding on i                                              [requests]
//   T_i, M_i = tokens / expected missed rows of those                               [tokens, rows]
//   a [ns/request], b [ns/token], c [ns/row]: the affine service model the view fits online
//            from completed batches (service_model.h; priors: CostParams, ns_per_row = link)
//   d [ns/token]: host-tier copy time of one token's K/V (CostParams::host_kv_ns_per_token)
//
// Why n_i x s_i: in a FIFO queue the number of requests a departure leaves behind has the same
// distribution as the number an arrival finds (the distributional form of Little's law), so
// about n_i requests wait through r's service on i. A KV miss's recompute and an EMB miss's
// copies are thus paid (1 + n_i) times on a backlogged node, which keeps users on the node
// holding their KV exactly when the cluster is congested, the regime the greedy per-request
// rule lost (docs/HYPOTHESES.md, H3).
//
// Bounded load (--helm-load-factor f >= 1): a node with W_i > f x (sum_j W_j + w) / nodes is
// not eligible, so affinity can never pile a hot user onto one node; w, the mean work of one
// outstanding request, is the work-unit analogue of the "+1" in consistent hashing with bounded
// loads (kv_affinity.cpp), so a nearly idle cluster does not spill a user for a few us of queue.
// The node with the least work is always eligible. The minimum over eligible nodes wins; ties (to the nanosecond) at random from the
// router's seed. Two passes over the nodes plus one residency lookup: O(nodes), no allocation
// (the per-node work of pass 1 is kept in a buffer sized at construction).
// The terms are computed in helm_cost.h.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "scheduler/helm_cost.h"
#include "scheduler/pick.h"
#include "scheduler/routers.h"

namespace helm {
namespace {
class HelmRouter final : public Router {
 public:
  explicit HelmRouter(const RouterOptions& o)
      : rng_(o.seed), load_factor_(o.tuning.helm.load_factor), work_(static_cast<size_t>(std::max(1, o.nodes))) {}

  int route(const RouteRequest& r, const ClusterView& v) override {
    const int n = v.size();
    if (n == 1) return 0;
    if (work_.size() < static_cast<size_t>(n)) work_.resize(static_cast<size_t>(n));  // only if the view outgrew o.nodes
    // Pool and host reuse on the (few) holders, looked up once.
    int hold_node[KvResidency::kMaxHolders];
    double hold_pool[KvResidency::kMaxHolders], hold_host[KvResidency::kMaxHolders];
    int holders = 0;
    if (const auto* e = v.kv.find(r.user))
      for (int k = 0; k < e->count; ++k) {
        const int node = e->holders[k].node;
        const auto pool = static_cast<double>(v.reuse_tokens(node, r));
        hold_node[holders] = node;
        hold_pool[holders] = pool;
        hold_host[holders] = pool > 0 ? 0.0 : static_cast<double>(v.host_tokens(node, r));
        ++holders;
      }
    // Pass 1: the bounded-load cap. The least-loaded node stays eligible whatever the rounding.
    double total = 0, least = std::numeric_limits<double>::max();
    int64_t requests = 0;
    for (int i = 0; i < n; ++i) {
      const double w = work_[static_cast<size_t>(i)] = v.expected_wait_ns(i);
      total += w;
      least = std::min(least, w);
      requests += v.nodes[static_cast<size_t>(i)].outstanding;
    }
    const double typical = requests > 0 ? total / static_cast<double>(requests) : 0.0;
    const double cap = std::max(least, load_factor_ * (total + typical) / n);
    // Pass 2: the cost on every eligible node. A node that holds nothing of r's KV computes all
    // of r: s_i = a + b x t + c x t x (1 - h_i), folded into two constants (helm_service() is
    // the same formula; the holders use it).
    const ServiceCoefficients& sm = v.service();
    const double t = static_cast<double>(ClusterView::tokens_to_compute(r, 0));
    const double s_fixed = sm.per_request + sm.per_token * t, s_rows = sm.per_row * t;
    return argmin_random_ties(n, rng_, [&](int i) -> int64_t {
      const double w = work_[static_cast<size_t>(i)];
      if (w > cap) return std::numeric_limits<int64_t>::max();
      const auto& nd = v.nodes[static_cast<size_t>(i)];
      double s = s_fixed + s_rows * (1.0 - v.emb_hit_rate(i));
      for (int k = 0; k < holders; ++k)
        if (hold_node[k] == i) s = helm_service(v, r, i, hold_pool[k], hold_host[k]);
      const double cost = w + (1.0 + static_cast<double>(nd.outstanding)) * s;
      return static_cast<int64_t>(cost + 0.5);  // whole ns (cost >= 0): ties are exact
    });
  }

 private:
  Rng rng_;
  double load_factor_;
  std::vector<double> work_;  // W_i of the current request's pass 1 (sized once: no allocation per route)
};
}  // namespace

std::unique_ptr<Router> make_helm(const RouterOptions& o) { return std::make_unique<HelmRouter>(o); }

}  // namespace helm
