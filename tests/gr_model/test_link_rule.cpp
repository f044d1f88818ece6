// The CPU link rule: the emulated rate keeps the target's miss:compute ratio for the same shapes.
#include <gtest/gtest.h>

#include "common/error.h"
#include "gr_model/calibrate.h"
#include "gr_model/link_rule.h"

using namespace helm;

TEST(LinkRule, RateScalesTheTargetLinkByPredictedOverMeasuredTime) {
  const ModelConfig& cfg = model_config("tiny");
  const CostSample shapes = link_shapes(cfg, 4, cfg.M);
  ASSERT_EQ(shapes.seqs.size(), 4u);
  for (const auto& q : shapes.seqs) EXPECT_LE(q[0] + q[1], cfg.N - 1);  // valid for the model
  const CostModel a100 = load_cost_model(resolve_cost_model("a100-80gb"));
  const double target_ns = a100.sample_ns(cfg, shapes);
  ASSERT_GT(target_ns, 0);
  const LinkRule r = link_like(cfg, a100, shapes, 10 * target_ns);
  EXPECT_DOUBLE_EQ(r.target_ns, target_ns);
  EXPECT_DOUBLE_EQ(r.bytes_per_s, a100.link_bytes_per_s / 10);  // 10x slower compute: 10x slower link
  EXPECT_NE(r.describe.find("a100-80gb"), std::string::npos);
  CostModel no_link = a100;
  no_link.link_bytes_per_s = 0;
  EXPECT_THROW(link_like(cfg, no_link, shapes, 1e6), BadInput);
}

TEST(LinkRule, TheShapesRunOnTheCpuModel) {
  const ModelConfig& cfg = model_config("tiny");
  CostSample s = link_shapes(cfg, 3, cfg.M);
  CalibrateOptions o;
  o.reps = 1;
  o.flush_bytes = 0;
  time_cpu_batches(cfg, std::span<CostSample>(&s, 1), o);
  EXPECT_GT(s.ns, 0);
}
