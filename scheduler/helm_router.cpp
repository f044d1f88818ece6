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
// The node with the least work is always eligible. The minimum over eligible nodes wins; ties
// (to the nanosecond) at random from the router's seed. One pass over the node views, two over
// contiguous per-node scratch sized at construction, and one residency lookup: O(nodes), no
// allocation per request. The terms are computed in helm_cost.h.
// The host term needs the driver to set CostParams::host_kv_ns_per_token (neither `run` nor
// `sim` does yet); without it the view keeps no host residency and host_i is 0.
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
  explicit HelmRouter(const RouterOptions& o) : rng_(o.seed), load_factor_(o.tuning.helm.load_factor) {
    size(std::max(1, o.nodes));
  }

  int route(const RouteRequest& r, const ClusterView& v) override {
    const int n = v.size();
    if (n == 1) return 0;
    if (key_.size() < static_cast<size_t>(n)) size(n);  // only if the view outgrew o.nodes
    // Pass 1, over the node views once: each node's work W_i, 1 + n_i and 1 - h_i into
    // contiguous buffers, and the bounded-load cap. The least-loaded node stays eligible
    // whatever the rounding.
    double total = 0, least = std::numeric_limits<double>::max();
    int64_t requests = 0;
    for (int i = 0; i < n; ++i) {
      const auto k = static_cast<size_t>(i);
      const double w = work_[k] = v.expected_wait_ns(i);
      const int64_t q = v.nodes[k].outstanding;
      queued_[k] = 1.0 + static_cast<double>(q);
      miss_[k] = 1.0 - v.emb_hit_rate(i);
      total += w;
      least = std::min(least, w);
      requests += q;
    }
    const double typical = requests > 0 ? total / static_cast<double>(requests) : 0.0;
    const double cap = std::max(least, load_factor_ * (total + typical) / n);
    // Pass 2: the cost on every node as if it held nothing of r's KV (it computes all of r:
    // s_i = a + b x t + c x t x (1 - h_i), folded into two constants; helm_service() is the
    // same formula), in whole ns so that ties are exact; ineligible nodes never win.
    const ServiceCoefficients& sm = v.service();
    const double t = static_cast<double>(ClusterView::tokens_to_compute(r, 0));
    const double s_fixed = sm.per_request + sm.per_token * t, s_rows = sm.per_row * t;
    constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
    for (size_t k = 0; k < static_cast<size_t>(n); ++k) {
      const double cost = work_[k] + queued_[k] * (s_fixed + s_rows * miss_[k]);
      key_[k] = work_[k] > cap ? kNever : static_cast<int64_t>(cost + 0.5);
    }
    // The (few) nodes holding r's KV in their pool or host tier: their own service time.
    if (const auto* e = v.kv.find(r.user))
      for (int h = 0; h < e->count; ++h) {
        const int i = e->holders[h].node;
        const auto k = static_cast<size_t>(i);
        if (i >= n || key_[k] == kNever) continue;
        const auto pool = static_cast<double>(v.reuse_tokens(i, r));
        const double host = pool > 0 ? 0.0 : static_cast<double>(v.host_tokens(i, r));
        key_[k] = static_cast<int64_t>(helm_cost(v, r, i, pool, host, work_[k]).total() + 0.5);
      }
    // Pass 3: the minimum, ties at random.
    return argmin_random_ties(n, rng_, [&](int i) { return key_[static_cast<size_t>(i)]; });
  }

 private:
  void size(int n) {
    const auto m = static_cast<size_t>(n);
    work_.resize(m), queued_.resize(m), miss_.resize(m), key_.resize(m);
  }
  Rng rng_;
  double load_factor_;
  // Per-node scratch of one route() call, sized once (no allocation per request).
  std::vector<double> work_, queued_, miss_;
  std::vector<int64_t> key_;
};
}  // namespace

std::unique_ptr<Router> make_helm(const RouterOptions& o) { return std::make_unique<HelmRouter>(o); }

}  // namespace helm
