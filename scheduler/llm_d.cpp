// llm-d: the weighted-scorer form of llm-d's inference scheduler default profile, the project's
// own code written from the public sources. The profile: queue-scorer weight 2 and
// prefix-cache-scorer weight 3, highest total wins (max-score picker), as in the
// "default-plugins.yaml" that llm-d's inference-scheduling guide deploys
// (github.com/llm-d/llm-d, guides/inference-scheduling/gaie-inference-scheduling/values.yaml,
// via the Gateway API Inference Extension's InferencePool chart). That chart's default also
// weights a kv-cache-utilization scorer 2; it is left out here as specified for this baseline
// (the view has no per-node free-KV fraction: the pool is split by the memory policy). The
// scorers, from github.com/kubernetes-sigs/gateway-api-inference-extension
// (pkg/epp/scheduling/framework/plugins/scorer/queue.go, .../plugins/multi/prefix/plugin.go;
// llm-d's scheduler, github.com/llm-d/llm-d-inference-scheduler, builds on them). Per node i:
//
//   queue_i  = (q_max - q_i) / (q_max - q_min), 1 when every q is equal       in [0, 1]
//   prefix_i = floor(reuse_i / P) / floor(window / P), 0 when window < P      in [0, 1]
//   score_i  = queue_weight x queue_i + prefix_weight x prefix_i               highest wins
//
// q_i: requests outstanding on i. llm-d reads the pods' waiting-queue gauge, scraped every
// ~50 ms; here the nodes report theirs once per control interval (seconds), so rank 0's own
// current count stands in for the scrape. prefix_i: the share of the window's full KV blocks
// (P = RouterOptions::kv_page_tokens) that i holds as a prefix, as the prefix scorer hashes
// only full blocks. Ties at random from the router's seed, as the max-score picker shuffles
// before it picks. Two passes over the nodes, no allocation.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "scheduler/pick.h"
#include "scheduler/routers.h"

namespace helm {
namespace {
class Llmd final : public Router {
 public:
  explicit Llmd(const RouterOptions& o) : rng_(o.seed), opt_(o.tuning.llm_d), block_(std::max(1, o.kv_page_tokens)) {}

  int route(const RouteRequest& r, const ClusterView& v) override {
    const int n = v.size();
    if (n == 1) return 0;
    int64_t qmin = std::numeric_limits<int64_t>::max(), qmax = std::numeric_limits<int64_t>::min();
    for (const auto& nd : v.nodes) qmin = std::min(qmin, nd.outstanding), qmax = std::max(qmax, nd.outstanding);
    const int64_t blocks = r.window_tokens() / block_;
    const auto* e = v.kv.find(r.user);
    return argmin_random_ties(n, rng_, [&](int i) {
      const auto q = v.nodes[static_cast<size_t>(i)].outstanding;
      const double queue = qmax == qmin ? 1.0 : static_cast<double>(qmax - q) / static_cast<double>(qmax - qmin);
      double prefix = 0;
      if (e && blocks > 0)
        for (int k = 0; k < e->count; ++k)
          if (e->holders[k].node == i)
            prefix = static_cast<double>(v.reuse_tokens(i, r) / block_) / static_cast<double>(blocks);
      return -(opt_.queue_weight * queue + opt_.prefix_weight * prefix);  // argmin of -score
    });
  }

 private:
  Rng rng_;
  LlmdOptions opt_;
  int64_t block_;
};
}  // namespace

std::unique_ptr<Router> make_llm_d(const RouterOptions& o) { return std::make_unique<Llmd>(o); }

}  // namespace helm
