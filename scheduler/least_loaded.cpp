// least-loaded: the node with the smallest expected wait (its outstanding tokens at the learned
// compute rate), then the fewest outstanding requests; remaining ties at random. Uses rank 0's
// own dispatch/completion counts, which are current, rather than the nodes' interval reports.
#include "scheduler/pick.h"
#include "scheduler/routers.h"

namespace helm {
namespace {
class LeastLoaded final : public Router {
 public:
  explicit LeastLoaded(const RouterOptions& o) : rng_(o.seed) {}
  int route(const RouteRequest&, const ClusterView& v) override {
    struct Key {
      int64_t tokens, requests;
      bool operator<(const Key& o) const { return tokens != o.tokens ? tokens < o.tokens : requests < o.requests; }
      bool operator==(const Key&) const = default;
    };
    return argmin_random_ties(v.size(), rng_, [&](int i) {
      const auto& n = v.nodes[static_cast<size_t>(i)];
      return Key{n.outstanding_tokens, n.outstanding};
    });
  }

 private:
  Rng rng_;
};
}  // namespace

std::unique_ptr<Router> make_least_loaded(const RouterOptions& o) { return std::make_unique<LeastLoaded>(o); }

}  // namespace helm
