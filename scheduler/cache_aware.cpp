// cache-aware: the SGLang router's rule (sgl-router, cache_aware policy), with the KV residency
// view standing in for its radix trees.
//   1. Imbalanced (max - min outstanding > balance_abs AND max > balance_rel x min): the least
//      loaded node, whatever the cache says (load first when the spread is large).
//   2. Otherwise the node whose cached prefix covers the largest share of the request's window,
//      if that share exceeds match_threshold;
//   3. else the least loaded node.
// "Load" is outstanding requests, as in SGLang; ties at random from the router's seed.
#include <algorithm>

#include "scheduler/pick.h"
#include "scheduler/routers.h"

namespace helm {
namespace {
class CacheAware final : public Router {
 public:
  explicit CacheAware(const RouterOptions& o) : rng_(o.seed), opt_(o.cache_aware) {}

  int route(const RouteRequest& r, const ClusterView& v) override {
    const int n = v.size();
    int64_t mx = INT64_MIN, mn = INT64_MAX;
    for (const auto& nd : v.nodes) {
      mx = std::max(mx, nd.outstanding);
      mn = std::min(mn, nd.outstanding);
    }
    const bool imbalanced = static_cast<double>(mx - mn) > opt_.balance_abs &&
                            static_cast<double>(mx) > opt_.balance_rel * static_cast<double>(mn);
    if (!imbalanced) {
      int best = -1;
      double best_match = 0;
      if (const auto* e = v.kv.find(r.user)) {
        const double w = static_cast<double>(r.window_tokens());
        for (int k = 0; k < e->count; ++k) {
          const int node = e->holders[k].node;
          if (node >= n) continue;
          const double m = w > 0 ? static_cast<double>(v.reuse_tokens(node, r)) / w : 0.0;
          if (m > best_match || (m == best_match && best >= 0 &&
                                 v.nodes[static_cast<size_t>(node)].outstanding <
                                     v.nodes[static_cast<size_t>(best)].outstanding)) {
            best = node;
            best_match = m;
          }
        }
      }
      if (best >= 0 && best_match > opt_.match_threshold) return best;
    }
    return argmin_random_ties(n, rng_, [&](int i) { return v.nodes[static_cast<size_t>(i)].outstanding; });
  }

 private:
  Rng rng_;
  CacheAwareOptions opt_;
};
}  // namespace

std::unique_ptr<Router> make_cache_aware(const RouterOptions& o) { return std::make_unique<CacheAware>(o); }

}  // namespace helm
