// mrc[:HYSTERESIS]: the strong non-learned baseline. The node samples reuse distances of both
// caches' access streams (SHARDS, mrc_sampler.h) and turns them into savings curves: the latency
// each cache would have saved holding i/20 of the pool (an EMB hit saves a row over the
// host-to-device link; a KV hit saves recomputing its tokens, or only onboarding them when the
// host tier has them). The split that saves the most in total, EMB(r) + KV(1 - r), is the target.
//
// Why the global argmax over the 21 splits rather than a local "next page" comparison: the KV
// curve has a knee (a user's K/V is worth nothing until all of it fits), so marginal gains at the
// current split can point the wrong way; with 21 points the argmax costs ~21 additions. Moving
// toward the argmax page by page (--max-step) is still "toward the cache whose pages save more".
// Hysteresis (default 0.02): move only if the best split saves that fraction more than the
// current one, so noise in the curves does not make the split wander.
#include <cmath>

#include "common/error.h"
#include "controller/policies.h"

namespace helm::policies {
namespace {

class Mrc final : public MemoryPolicy {
 public:
  explicit Mrc(double hysteresis) : h_(hysteresis) {}
  double initial_share() const override { return 0.5; }
  bool needs_curves() const override { return true; }
  double decide(const NodeWindowStats& w) override {
    if (!w.has_curves) return w.emb_share;
    constexpr int K = kCurvePoints;
    const int cur = static_cast<int>(std::lround(w.emb_share * (K - 1)));
    const auto saved = [&](int i) { return w.emb_saved_ns[i] + w.kv_saved_ns[K - 1 - i]; };
    int best = cur;
    for (int i = 0; i < K; ++i) {
      const double s = saved(i), b = saved(best);
      if (s > b || (s == b && std::abs(i - cur) < std::abs(best - cur))) best = i;
    }
    if (best == cur || !(saved(best) > saved(cur) * (1 + h_))) return w.emb_share;
    return static_cast<double>(best) / (K - 1);
  }

 private:
  double h_;
};

}  // namespace

std::unique_ptr<MemoryPolicy> make_mrc(std::string_view arg, const PolicyContext&) {
  return std::make_unique<Mrc>(arg.empty() ? 0.02 : parse_share(arg, "mrc hysteresis"));
}

}  // namespace helm::policies
