// Runs the example router and memory policy of docs/EXTENDING.md, compiled from the guide.
#include <gtest/gtest.h>

#include <memory>
#include <string_view>

#include "common/error.h"
#include "controller/node_controller.h"
#include "controller/policies.h"
#include "scheduler/router.h"

namespace guide {
#include "router.inc"
#include "policy.inc"
}  // namespace guide

using namespace helm;

TEST(ExtendingGuide, RouterPicksTheNodeWithFewestInFlight) {
  auto router = guide::make_fewest_outstanding(RouterOptions{});
  ClusterView view(3, CostParams{});
  auto req = [](int64_t id) { return RouteRequest{id, id, 10, 0}; };
  EXPECT_EQ(router->route(req(0), view), 0);
  view.on_dispatch(0, req(0));
  EXPECT_EQ(router->route(req(1), view), 1);
  view.on_dispatch(1, req(1));
  EXPECT_EQ(router->route(req(2), view), 2);
  view.on_dispatch(2, req(2));
  view.on_complete(1, Completion{1, 1, 0, -1, 1000, 1});
  EXPECT_EQ(router->route(req(3), view), 1);
}

TEST(ExtendingGuide, PolicyMovesTowardKvWhenReusedThroughTheStepRule) {
  NodeController c(guide::make_kv_when_reused("0.4", PolicyContext{}), 0.1);
  EXPECT_EQ(c.initial_share(), 0.5);
  NodeWindowStats w;
  w.emb_share = 0.5;
  w.kv_lookup_tokens = 100;
  w.kv_hit_tokens = 60;
  const ControlDecision d = c.decide(w);
  EXPECT_EQ(d.target, 0.0);
  EXPECT_NEAR(d.applied, 0.4, 1e-12);  // one --max-step toward the target
  w.kv_hit_tokens = 10;
  EXPECT_EQ(c.decide(w).target, 0.5);
  EXPECT_THROW(guide::make_kv_when_reused("2", PolicyContext{}), BadInput);
}
