// helm: the EMB-KV-aware router of the paper. For every node, the expected time until the
// request is done beyond what every node would spend anyway:
//   wait      = the node's outstanding tokens x the learned compute rate (queueing);
//   kv miss   = tokens of the window the node does NOT hold cached x the compute rate
//               (recompute; zero where the user's KV is resident for this window);
//   emb miss  = rows the node must look up (computed tokens + candidates) x (1 - its expected
//               EMB hit rate from the hot-row summary) x the H2D time of one row.
// The minimum wins; ties (to the nanosecond) at random from the router's own seed. One pass over
// the nodes plus one residency lookup: O(nodes), no allocation.
// Not modelled: the host KV tier (a copy instead of a recompute) — the view does not track which
// users sit in a node's host tier yet (CostParams::host_kv_ns_per_token is reserved for it).
#include "scheduler/pick.h"
#include "scheduler/routers.h"

namespace helm {
namespace {
class HelmRouter final : public Router {
 public:
  explicit HelmRouter(const RouterOptions& o) : rng_(o.seed) {}

  int route(const RouteRequest& r, const ClusterView& v) override {
    const int n = v.size();
    if (n == 1) return 0;
    const double tok = v.ns_per_token(), row = v.cost.ns_per_row;
    const double window = static_cast<double>(r.window_tokens());
    const double cand = static_cast<double>(r.candidates);
    // Reuse on the (few) holders, looked up once.
    int hold_node[KvResidency::kMaxHolders];
    double hold_reuse[KvResidency::kMaxHolders];
    int holders = 0;
    if (const auto* e = v.kv.find(r.user))
      for (int k = 0; k < e->count; ++k) {
        hold_node[holders] = e->holders[k].node;
        hold_reuse[holders++] = static_cast<double>(v.reuse_tokens(e->holders[k].node, r));
      }
    return argmin_random_ties(n, rng_, [&](int i) {
      double reuse = 0;
      for (int k = 0; k < holders; ++k)
        if (hold_node[k] == i) reuse = hold_reuse[k];
      const double computed = window - reuse;
      const double miss = 1.0 - v.emb_hit_rate(i);
      const double cost = v.expected_wait_ns(i) + computed * tok + (computed + cand) * miss * row;
      return static_cast<int64_t>(cost + 0.5);  // whole ns (cost >= 0): ties are exact
    });
  }

 private:
  Rng rng_;
};
}  // namespace

std::unique_ptr<Router> make_helm(const RouterOptions& o) { return std::make_unique<HelmRouter>(o); }

}  // namespace helm
