// What a KV hit is worth to the mrc policy: the marginal cost of recomputing the hit tokens
// (CostModel::recompute_ns), not the batch time divided by the computed tokens. The average
// also charges the candidates' compute, the attention over reused context and the per-batch and
// per-sequence fixed costs, so in batches that compute few history tokens (short histories, or
// mostly hits) it overvalued a hit by an order of magnitude and pulled the split toward KV.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "gr_model/config.h"
#include "gr_model/cost_model.h"

namespace helm {
namespace {

using Seqs = std::vector<std::array<int64_t, 3>>;

CostModel a100() { return load_cost_model(resolve_cost_model("a100-80gb")); }

double time_of(const CostModel& cm, const ModelConfig& c, const Seqs& seqs) {
  HstuWork w;
  for (const auto& q : seqs) w.add(c, q[0], q[1], q[2], cm.bytes_per_element);
  return static_cast<double>(cm.hstu_ns(c, w));
}

// A model whose only costs are fixed ones and a constant rate per dense (projection) flop: then a
// computed history token costs its projections and nothing else, whatever its context and the
// candidates beside it, and the fixed costs are never charged to it.
CostModel linear_dense(double ns_per_gflop) {
  CostModel m;
  m.batch_ns = 1e6;
  m.seq_ns = 1e5;
  m.dense_ns_per_gflop = {{1.0}, {ns_per_gflop}};
  m.attn_ns_per_gflop = 0;
  m.hbm_bytes_per_s = 0;
  m.bytes_per_element = 2;
  return m;
}

TEST(KvHitWorth, IsTheProjectionCostOfTheComputedTokensAlone) {
  const CostModel cm = linear_dense(3.0);
  const ModelConfig& c = model_config("kuairand");
  // 20 new tokens after 1000 cached, 300 from scratch, none in the third; 64 candidates each.
  const Seqs seqs{{1000, 20, 64}, {0, 300, 64}, {2000, 0, 64}};
  // The same 320 tokens as bare sequences (no context, no candidates), less their fixed costs.
  const double bare = time_of(cm, c, {{0, 20, 0}, {0, 300, 0}}) - cm.batch_ns - 2 * cm.seq_ns;
  EXPECT_NEAR(static_cast<double>(cm.recompute_ns(c, seqs)), bare, 1.0);
  // Fixed costs alone: recomputing saves nothing (an average over tokens would charge them).
  CostModel fixed = linear_dense(0.0);
  EXPECT_EQ(fixed.recompute_ns(c, seqs), 0);
  EXPECT_GT(time_of(fixed, c, seqs), 0.0);
}

TEST(KvHitWorth, NothingComputedSavesNothing) {
  const CostModel cm = a100();
  const ModelConfig& c = model_config("amazon-books");
  const Seqs seqs{{5, 0, 100}, {3, 0, 100}};
  EXPECT_EQ(cm.recompute_ns(c, seqs), 0);
}

TEST(KvHitWorth, BelowTheAverageWhenFewTokensAreComputed) {
  // Short histories (amazon-books: a few items) and many candidates: the fixed and candidate
  // costs dominate the batch, so the average per computed token is far above the marginal.
  const CostModel cm = a100();
  const ModelConfig& c = model_config("amazon-books");
  Seqs seqs;
  for (int i = 0; i < 8; ++i) seqs.push_back({0, 3, 256});
  const double computed = 8 * 3;
  const double average = time_of(cm, c, seqs) / computed;
  const double marginal = static_cast<double>(cm.recompute_ns(c, seqs)) / computed;
  EXPECT_GT(marginal, 0.0);
  EXPECT_LT(marginal, 0.5 * average) << "marginal " << marginal << " average " << average;
}

TEST(KvHitWorth, GrowsWithTheComputedTokens) {
  const CostModel cm = a100();
  const ModelConfig& c = model_config("kuairand");
  const Seqs few{{4000, 100, 64}}, many{{4000, 2000, 64}};
  EXPECT_GT(cm.recompute_ns(c, many), cm.recompute_ns(c, few));
  EXPECT_GT(cm.recompute_ns(c, few), 0);
}

}  // namespace
}  // namespace helm
