// dynamo: NVIDIA Dynamo's KV router cost, the project's own code written from its public source
// (github.com/ai-dynamo/dynamo, lib/kv-router/src/scheduling/selector.rs: DefaultWorkerSelector's
// worker logit and softmax_sample; earlier lib/llm/src/kv_router/scheduler.rs; the options in
// docs/router/README.md, --kv-overlap-score-weight and --router-temperature). Per node i:
//
//   logit_i = overlap_weight x prefill_blocks_i + active_blocks_i          (lower is better)
//   prefill_blocks_i = (T_i + t_i) / P    the node's tokens still to compute plus r's uncached
//                                         tokens on i (window - pool reuse + candidates)
//   active_blocks_i  = (K_i + window) / P KV held by the node's outstanding requests plus r's
//
// all in blocks of P = RouterOptions::kv_page_tokens tokens (the harness's KV page). A GR
// request has no decode phase; the KV pages its lease holds while it runs stand for Dynamo's
// decode blocks. temperature 0: the minimum, ties at random from the router's seed (Dynamo
// breaks ties by tree size, then at random; the view has no tree sizes). temperature > 0: a
// node is drawn with probability proportional to exp(-(logit - min) / ((max - min) x T)), the
// logits rescaled to [0, 1] first as Dynamo does, so T does not depend on the cluster's scale.
// Three passes over the nodes, no allocation.
#include <algorithm>
#include <cmath>
#include <limits>

#include "scheduler/pick.h"
#include "scheduler/routers.h"

namespace helm {
namespace {
class Dynamo final : public Router {
 public:
  explicit Dynamo(const RouterOptions& o)
      : rng_(o.seed), opt_(o.tuning.dynamo), block_(static_cast<double>(std::max(1, o.kv_page_tokens))) {}

  int route(const RouteRequest& r, const ClusterView& v) override {
    const int n = v.size();
    if (n == 1) return 0;
    const double window = static_cast<double>(r.window_tokens());
    const double uncached = static_cast<double>(ClusterView::tokens_to_compute(r, 0));
    const auto* e = v.kv.find(r.user);
    auto logit = [&](int i) {
      double reuse = 0;
      if (e)
        for (int k = 0; k < e->count; ++k)
          if (e->holders[k].node == i) reuse = static_cast<double>(v.reuse_tokens(i, r));
      const auto& nd = v.nodes[static_cast<size_t>(i)];
      const double prefill = (static_cast<double>(nd.outstanding_tokens) + uncached - reuse) / block_;
      const double active = (static_cast<double>(nd.outstanding_kv_tokens) + window) / block_;
      return opt_.overlap_weight * prefill + active;
    };
    if (!(opt_.temperature > 0)) return argmin_random_ties(n, rng_, logit);
    double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
    for (int i = 0; i < n; ++i) {
      const double l = logit(i);
      lo = std::min(lo, l), hi = std::max(hi, l);
    }
    if (!(hi > lo)) return static_cast<int>(rng_.below(static_cast<uint64_t>(n)));
    const double scale = 1.0 / ((hi - lo) * opt_.temperature);
    double sum = 0;
    for (int i = 0; i < n; ++i) sum += std::exp(-(logit(i) - lo) * scale);
    double u = rng_.uniform() * sum;
    for (int i = 0; i < n; ++i) {
      u -= std::exp(-(logit(i) - lo) * scale);
      if (u < 0) return i;
    }
    return n - 1;  // rounding left u at the very end
  }

 private:
  Rng rng_;
  DynamoOptions opt_;
  double block_;
};
}  // namespace

std::unique_ptr<Router> make_dynamo(const RouterOptions& o) { return std::make_unique<Dynamo>(o); }

}  // namespace helm
