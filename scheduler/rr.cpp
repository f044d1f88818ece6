// rr: round-robin over the nodes, ignoring everything else. The baseline every router must beat.
#include "scheduler/routers.h"

namespace helm {
namespace {
class RoundRobin final : public Router {
 public:
  explicit RoundRobin(const RouterOptions& o) : n_(o.nodes) {}
  int route(const RouteRequest&, const ClusterView&) override { return next_++ % n_; }

 private:
  int n_;
  uint64_t next_ = 0;
};
}  // namespace

std::unique_ptr<Router> make_rr(const RouterOptions& o) { return std::make_unique<RoundRobin>(o); }

}  // namespace helm
