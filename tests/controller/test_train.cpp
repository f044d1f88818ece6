// train_base_policy end to end on a toy environment of nodes whose best split s* is hidden but
// visible in their miss-ratio curves: the trained file, deployed through make_policy("helm:"),
// must close most of the gap between holding the split and the oracle that steps toward s*.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "controller/memory_policy.h"
#include "common/error.h"
#include "controller/train.h"

namespace helm {
namespace {

constexpr double kSloNs = 100e6;

class ToyCluster final : public ControlEnv {
 public:
  explicit ToyCluster(int nodes) : best_(static_cast<size_t>(nodes)), share_(static_cast<size_t>(nodes)) {}
  int nodes() const override { return static_cast<int>(best_.size()); }
  Nanos interval() const override { return 1'000'000'000; }
  void reset(uint64_t seed, std::vector<NodeWindowStats>& w) override {
    rng_.reseed(seed);
    t_ = 0;
    for (size_t n = 0; n < best_.size(); ++n) {
      best_[n] = 0.2 + 0.6 * rng_.uniform();
      share_[n] = 0.5;
    }
    fill(w);
  }
  bool step(const std::vector<double>& targets, std::vector<NodeWindowStats>& w) override {
    for (size_t n = 0; n < best_.size(); ++n) share_[n] = std::clamp(targets[n], 0.0, 1.0);
    if (++t_ == 25)  // a regime change half way
      for (double& b : best_) b = 0.2 + 0.6 * rng_.uniform();
    fill(w);
    return t_ < 50;
  }
  double best(size_t n) const { return best_[n]; }

 private:
  void fill(std::vector<NodeWindowStats>& ws) {
    ws.assign(best_.size(), NodeWindowStats{});
    for (size_t n = 0; n < best_.size(); ++n) {
      NodeWindowStats& w = ws[n];
      const double s = share_[n], b = best_[n];
      w.time = (t_ + 1) * interval();
      w.node = static_cast<int32_t>(n);
      w.arrivals = w.completed = w.latency_count = 90 + static_cast<int64_t>(rng_.below(21));
      w.emb_lookups = 10000;
      w.emb_hits = static_cast<int64_t>(9000 * std::min(1.0, s / b));
      w.kv_lookup_tokens = 5000;
      w.kv_hit_tokens = static_cast<int64_t>(4500 * std::min(1.0, (1 - s) / (1 - b)));
      w.latency_p99 = static_cast<Nanos>(kSloNs * (0.4 + 4 * (s - b) * (s - b)) * (1 + 0.05 * rng_.normal()));
      w.emb_share = s;
      w.has_curves = 1;
      for (int i = 0; i < kCurvePoints; ++i) {
        const double x = static_cast<double>(i) / (kCurvePoints - 1);
        w.emb_saved_ns[i] = 1e6 * std::min(x, b);
        w.kv_saved_ns[i] = 1e6 * std::min(x, 1 - b);
      }
    }
  }
  std::vector<double> best_, share_;
  Rng rng_;
  int t_ = 0;
};

// Mean reward per window over 20 evaluation episodes; act(n, window, env) gives the target.
template <typename Act>
double evaluate(Act act) {
  ToyCluster env(4);
  std::vector<NodeWindowStats> w;
  std::vector<double> targets(4);
  HelmRewardConfig rc;
  rc.slo_ns = kSloNs;
  double sum = 0;
  int count = 0;
  for (uint64_t ep = 0; ep < 20; ++ep) {
    env.reset(1000 + ep, w);
    bool more = true;
    while (more) {
      for (size_t n = 0; n < 4; ++n) targets[n] = act(n, w[n], env);
      more = env.step(targets, w);
      for (const auto& x : w) sum += helm_reward(x, rc), ++count;
    }
  }
  return sum / count;
}

TEST(TrainBasePolicy, ClosesMostOfTheGapToTheOracleOnAToyCluster) {
  ToyCluster env(8);
  TrainConfig cfg;
  cfg.reward.slo_ns = kSloNs;
  cfg.max_updates = 40;
  cfg.budget_s = 60;
  cfg.seed = 3;
  cfg.description = "toy cluster";
  int calls = 0;
  TrainProgress last;
  const HelmPolicyFile trained = train_base_policy(env, cfg, [&](const TrainProgress& p) {
    ++calls;
    last = p;
  });
  EXPECT_EQ(calls, 40);
  EXPECT_EQ(last.samples, 40 * 2048);
  EXPECT_EQ(trained.updates, 40);
  EXPECT_TRUE(trained.norm.frozen());
  EXPECT_NE(trained.train_config.find("toy cluster"), std::string::npos);
  const std::string path = ::testing::TempDir() + "helm_trained.h5";
  save_helm_policy(path, trained);

  const double hold = evaluate([](size_t, const NodeWindowStats& w, const ToyCluster&) { return w.emb_share; });
  const double oracle = evaluate([](size_t n, const NodeWindowStats& w, const ToyCluster& e) {
    return w.emb_share + std::clamp(e.best(n) - w.emb_share, -0.1, 0.1);
  });
  std::vector<std::unique_ptr<MemoryPolicy>> pol;
  for (int n = 0; n < 4; ++n)
    pol.push_back(make_policy("helm:" + path + ",adapter=off", PolicyContext{n, 4, 1'000'000'000}));
  const double learned = evaluate([&](size_t n, const NodeWindowStats& w, const ToyCluster&) {
    return pol[n]->decide(w);
  });
  RecordProperty("hold", std::to_string(hold));
  RecordProperty("oracle", std::to_string(oracle));
  RecordProperty("learned", std::to_string(learned));
  EXPECT_GT(oracle, hold + 0.1);
  EXPECT_GE(learned - hold, 0.8 * (oracle - hold)) << "hold " << hold << " oracle " << oracle << " learned " << learned;
}

// The push style (a driver running whole episodes, decisions through "helm:train=KEY") is the
// same learner as the pull style: the same episodes give bit-identical weights.
TEST(TrainBasePolicy, PushStyleThroughThePolicySpecMatchesPullStyle) {
  TrainConfig cfg;
  cfg.reward.slo_ns = kSloNs;
  cfg.max_updates = 3;
  cfg.rollout = 512;
  cfg.seed = 9;
  ToyCluster pull_env(4);
  const HelmPolicyFile pulled = train_base_policy(pull_env, cfg);

  BaseTrainer trainer(4, 1'000'000'000, cfg);
  register_trainer("toy", &trainer);
  ToyCluster env(4);
  std::vector<NodeWindowStats> w;
  std::vector<double> targets(4);
  for (uint64_t ep = 0; !trainer.finished(); ++ep) {  // what a driver does per episode
    std::vector<std::unique_ptr<MemoryPolicy>> pol;
    for (int n = 0; n < 4; ++n) pol.push_back(make_policy("helm:train=toy", PolicyContext{n, 4, 1'000'000'000}));
    env.reset(stream_seed(cfg.seed, "episode-" + std::to_string(ep)), w);
    bool more = true;
    while (more && !trainer.finished()) {
      for (size_t n = 0; n < 4; ++n) targets[n] = pol[n]->decide(w[n]);
      more = env.step(targets, w);
    }
    if (!more)
      for (size_t n = 0; n < 4; ++n) pol[n]->decide(w[n]);
    trainer.end_episode();
  }
  register_trainer("toy", nullptr);
  const HelmPolicyFile pushed = trainer.result();
  EXPECT_EQ(pushed.updates, 3);
  EXPECT_EQ(pushed.base.mean.params(), pulled.base.mean.params());
  EXPECT_EQ(pushed.norm.mean(), pulled.norm.mean());
  EXPECT_THROW(make_policy("helm:train=toy", PolicyContext{}), BadInput);  // unregistered
}

TEST(TrainBasePolicy, StopsAtItsBudget) {
  ToyCluster env(4);
  TrainConfig cfg;
  cfg.budget_s = 0.3;
  const auto t0 = std::chrono::steady_clock::now();
  const HelmPolicyFile p = train_base_policy(env, cfg);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(p.updates, 1);
  EXPECT_LT(s, 0.3 + 5.0);  // at most one update past the budget
}

}  // namespace
}  // namespace helm
