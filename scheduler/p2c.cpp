// p2c: power of two choices (Mitzenmacher). Two distinct nodes drawn from the router's seeded
// stream; the one with fewer outstanding tokens (then requests) wins, the first on a tie. O(1)
// per request at any cluster size, and exponentially better max load than random placement.
#include "common/rng.h"
#include "scheduler/routers.h"

namespace helm {
namespace {
class PowerOfTwo final : public Router {
 public:
  explicit PowerOfTwo(const RouterOptions& o) : rng_(o.seed) {}
  int route(const RouteRequest&, const ClusterView& v) override {
    const int n = v.size();
    if (n == 1) return 0;
    const int a = static_cast<int>(rng_.below(static_cast<uint64_t>(n)));
    int b = static_cast<int>(rng_.below(static_cast<uint64_t>(n - 1)));
    if (b >= a) ++b;  // distinct from a, still uniform
    const auto& na = v.nodes[static_cast<size_t>(a)];
    const auto& nb = v.nodes[static_cast<size_t>(b)];
    if (nb.outstanding_tokens != na.outstanding_tokens) return nb.outstanding_tokens < na.outstanding_tokens ? b : a;
    return nb.outstanding < na.outstanding ? b : a;
  }

 private:
  Rng rng_;
};
}  // namespace

std::unique_ptr<Router> make_p2c(const RouterOptions& o) { return std::make_unique<PowerOfTwo>(o); }

}  // namespace helm
