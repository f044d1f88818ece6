// load-aware: vLLM production-stack's proposed load-aware KV routing, the project's own code
// written from its public source (github.com/vllm-project/production-stack,
// src/vllm_router/routers/routing_logic.py: LoadAwareRouter, pull request #1035). Per node i:
//
//   score_i = matched_i / prompt  -  beta x (load_i - mean) / max(1, mean)      highest wins
//
// matched_i: window tokens i holds as a reusable prefix (capped at the window), prompt: the
// window (both tokens, so the benefit is a share of this request in [0, 1]); load_i: requests
// outstanding on i (production-stack counts in-prefill plus in-decode requests from its own
// request stats), mean over the nodes. Both terms are dimensionless, so beta (default 1.0) is
// an exchange rate: a node 100% above the mean load gives up one full cache hit. The max(1, .)
// keeps a near-idle cluster from reading one request as a large imbalance.
// Departure: upstream falls back to session hashing / lowest QPS when no engine holds the
// prompt; here the same score decides (all benefits 0: the least relative load), so the rule
// stays one formula. Ties at random from the router's seed (upstream: by URL). One pass for the
// mean, one for the scores; no allocation.
#include <algorithm>

#include "scheduler/pick.h"
#include "scheduler/routers.h"

namespace helm {
namespace {
class LoadAware final : public Router {
 public:
  explicit LoadAware(const RouterOptions& o) : rng_(o.seed), beta_(o.tuning.load_aware.beta) {}

  int route(const RouteRequest& r, const ClusterView& v) override {
    const int n = v.size();
    if (n == 1) return 0;
    double total = 0;
    for (const auto& nd : v.nodes) total += static_cast<double>(nd.outstanding);
    const double mean = total / n, denom = std::max(1.0, mean);
    const double prompt = static_cast<double>(std::max<int64_t>(1, r.window_tokens()));
    const auto* e = v.kv.find(r.user);
    return argmin_random_ties(n, rng_, [&](int i) {
      double matched = 0;
      if (e)
        for (int k = 0; k < e->count; ++k)
          if (e->holders[k].node == i) matched = static_cast<double>(v.reuse_tokens(i, r));
      const double rel = (static_cast<double>(v.nodes[static_cast<size_t>(i)].outstanding) - mean) / denom;
      return -(std::min(matched, prompt) / prompt - beta_ * rel);  // argmin of -score
    });
  }

 private:
  Rng rng_;
  double beta_;
};
}  // namespace

std::unique_ptr<Router> make_load_aware(const RouterOptions& o) { return std::make_unique<LoadAware>(o); }

}  // namespace helm
