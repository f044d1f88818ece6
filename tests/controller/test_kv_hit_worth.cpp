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

TEST(KvHitWorth, IsTheBatchTimeMinusTheAllCachedBatch) {
  const CostModel cm = a100();
  const ModelConfig& c = model_config("kuairand");
  const Seqs seqs{{1000, 20, 64}, {0, 300, 64}, {2000, 0, 64}};
  const Seqs cached{{1020, 0, 64}, {300, 0, 64}, {2000, 0, 64}};
  EXPECT_EQ(static_cast<double>(cm.recompute_ns(c, seqs)), time_of(cm, c, seqs) - time_of(cm, c, cached));
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
  EXPECT_GE(marginal, 0.0);
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
