// kv-affinity: user-sticky routing by consistent hashing with bounded loads (Mirrokni, Thorup,
// Zadimoghaddam 2018). A user's requests go to the first node clockwise from the user's hash on
// a ring of `vnodes` points per node, so its KV stays on one node; a node already holding
// ceil(load_factor x (outstanding + 1) / nodes) requests is skipped, which bounds the worst node
// at load_factor x the mean and moves only the overflow of a hot user. The ring is placed from
// the router's seed. Ignores the residency view on purpose: this is the oblivious sticky
// baseline that cache-aware and helm must beat.
#include <algorithm>
#include <cmath>

#include "common/rng.h"
#include "scheduler/routers.h"

namespace helm {
namespace {
class KvAffinity final : public Router {
 public:
  explicit KvAffinity(const RouterOptions& o) : seed_(o.seed), load_factor_(o.kv_affinity.load_factor) {
    const int vn = std::max(1, o.kv_affinity.vnodes);
    ring_.reserve(static_cast<size_t>(o.nodes) * static_cast<size_t>(vn));
    for (int n = 0; n < o.nodes; ++n)
      for (int k = 0; k < vn; ++k)
        ring_.push_back({hash64(seed_ ^ static_cast<uint64_t>(n), static_cast<uint64_t>(k)), n});
    std::sort(ring_.begin(), ring_.end(), [](const Point& a, const Point& b) {
      return a.h != b.h ? a.h < b.h : a.node < b.node;
    });
  }

  int route(const RouteRequest& r, const ClusterView& v) override {
    const int n = v.size();
    if (n == 1) return 0;
    // Summed here rather than taken from the view's counter so a driver that updates only
    // NodeView::outstanding still gets the right bound.
    int64_t total = 0;
    for (const auto& nd : v.nodes) total += nd.outstanding;
    const auto cap = static_cast<int64_t>(std::ceil(load_factor_ * static_cast<double>(total + 1) / n));
    const uint64_t h = hash64(static_cast<uint64_t>(r.user), seed_);
    size_t i = static_cast<size_t>(
        std::lower_bound(ring_.begin(), ring_.end(), h, [](const Point& p, uint64_t x) { return p.h < x; }) -
        ring_.begin());
    // Some node is always below cap (cap x n > total), so the walk ends within one turn.
    for (size_t step = 0; step < ring_.size(); ++step, ++i) {
      const Point& p = ring_[i % ring_.size()];
      if (p.node < n && v.nodes[static_cast<size_t>(p.node)].outstanding < cap) return p.node;
    }
    return ring_[h % ring_.size()].node % n;
  }

 private:
  struct Point {
    uint64_t h;
    int node;
  };
  uint64_t seed_;
  double load_factor_;
  std::vector<Point> ring_;
};
}  // namespace

std::unique_ptr<Router> make_kv_affinity(const RouterOptions& o) { return std::make_unique<KvAffinity>(o); }

}  // namespace helm
