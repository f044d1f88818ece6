// HELM's policy: the file round-trips and bad files are BadInput naming file and dataset; a
// zero-initialised adapter leaves the base unchanged; every decision fills its parts; a burst
// holds the split and throttles refill; the online adapter learns (sync mode, deterministic).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "common/error.h"
#include "common/h5.h"
#include "controller/helm_policy_file.h"
#include "controller/memory_policy.h"
#include "controller/node_controller.h"
#include "controller/online_learner.h"

#include <chrono>
#include <thread>

namespace helm {
namespace {

std::string tmp(const std::string& name) { return ::testing::TempDir() + name; }

// A base with random (nonzero) weights and a non-trivial normalisation.
HelmPolicyFile random_policy(uint64_t seed) {
  HelmPolicyFile p = untrained_helm_policy(PpoConfig{}, seed);
  Rng rng(seed);
  for (float& v : p.base.mean.params()) v = static_cast<float>(0.3 * rng.normal());
  std::vector<double> m(kHelmStateDim), var(kHelmStateDim);
  for (int i = 0; i < kHelmStateDim; ++i) {
    m[i] = 0.1 * i;
    var[i] = 0.5 + 0.1 * i;
  }
  p.norm.set(m, var, 1234);
  p.reward.slo_ns = 50e6;
  p.train_config = "test";
  p.updates = 7;
  return p;
}

std::vector<NodeWindowStats> windows(uint64_t seed, int n) {
  Rng rng(seed);
  std::vector<NodeWindowStats> out;
  for (int i = 0; i < n; ++i) {
    NodeWindowStats w;
    w.time = (i + 1) * 1'000'000'000LL;
    w.arrivals = 100 + static_cast<int64_t>(rng.below(20));
    w.completed = w.arrivals;
    w.emb_lookups = 1000;
    w.emb_hits = static_cast<int64_t>(rng.below(1000));
    w.kv_lookup_tokens = 500;
    w.kv_hit_tokens = static_cast<int64_t>(rng.below(500));
    w.latency_count = w.completed;
    w.latency_p99 = static_cast<Nanos>(3e7 * (1 + rng.uniform()));
    w.emb_share = std::round(rng.uniform() * 20) / 20;
    out.push_back(w);
  }
  return out;
}

TEST(HelmPolicyFile, RoundTrips) {
  const HelmPolicyFile p = random_policy(1);
  const std::string path = tmp("helm_roundtrip.h5");
  save_helm_policy(path, p);
  const HelmPolicyFile q = load_helm_policy(path);
  EXPECT_EQ(q.base.mean.sizes(), p.base.mean.sizes());
  EXPECT_EQ(q.base.mean.params(), p.base.mean.params());
  EXPECT_EQ(q.base.value.params(), p.base.value.params());
  EXPECT_EQ(q.base.log_std, p.base.log_std);
  EXPECT_EQ(q.norm.mean(), p.norm.mean());
  EXPECT_EQ(q.norm.var(), p.norm.var());
  EXPECT_EQ(q.norm.count(), p.norm.count());
  EXPECT_TRUE(q.norm.frozen());
  EXPECT_EQ(q.reward.slo_ns, p.reward.slo_ns);
  EXPECT_EQ(q.reward.viol_penalty, p.reward.viol_penalty);
  EXPECT_EQ(q.train_config, "test");
  EXPECT_EQ(q.updates, 7);
  EXPECT_EQ(q.git_revision, p.git_revision);
  h5::File f(path, h5::Mode::kRead);
  EXPECT_NE(f.attr_string("/", "definitions").find("reward: -min(p99 / slo"), std::string::npos);
}

// The message of the BadInput that loading (or making the policy from) path throws.
std::string load_error(const std::string& path) {
  try {
    make_policy("helm:" + path, PolicyContext{});
  } catch (const BadInput& e) {
    return e.what();
  }
  return "";
}

TEST(HelmPolicyFile, BadFilesAreBadInputNamingFileAndDataset) {
  const std::string garbage = tmp("helm_garbage.h5");
  std::ofstream(garbage) << "not hdf5 at all";
  EXPECT_NE(load_error(garbage).find(garbage), std::string::npos);

  const std::string path = tmp("helm_bad.h5");
  struct Case {
    const char* dset;
    void (*spoil)(h5::File&);
  };
  const Case cases[] = {
      {"/state/norm_mean", [](h5::File& f) { f.write("/state/norm_mean", std::vector<double>(15, 0.0)); }},
      {"/policy/mean/W1", [](h5::File& f) { f.write("/policy/mean/W1", std::vector<float>(64 * 63, 0.f), {64, 63}); }},
      {"/policy/value/b0", [](h5::File& f) { f.write("/policy/value/b0", std::vector<int32_t>(64, 0)); }},
      {"/policy/log_std", [](h5::File& f) { H5Ldelete(f.id(), "/policy/log_std", H5P_DEFAULT); }},
  };
  for (const Case& c : cases) {
    save_helm_policy(path, random_policy(2));
    {
      h5::File f(path, h5::Mode::kReadWrite);
      c.spoil(f);
    }
    const std::string msg = load_error(path);
    EXPECT_NE(msg.find(path), std::string::npos) << c.dset << ": " << msg;
    EXPECT_NE(msg.find(c.dset), std::string::npos) << c.dset << ": " << msg;
  }
  EXPECT_NE(load_error(tmp("helm_missing.h5")).find("no such file"), std::string::npos);
}

TEST(HelmPolicy, RejectsBadOptions) {
  for (const char* bad : {"helm:adapter=maybe", "helm:lambda=2", "helm:every=1", "helm:colour=red",
                          "helm:adapter=off,file.h5", "helm:slo_ms=-3"})
    EXPECT_THROW(make_policy(bad, PolicyContext{}), BadInput) << bad;
}

TEST(HelmPolicy, ZeroInitialisedAdapterLeavesTheBaseUnchanged) {
  const std::string path = tmp("helm_base.h5");
  save_helm_policy(path, random_policy(3));
  auto base = make_policy("helm:" + path + ",adapter=off,burst=off", PolicyContext{});
  auto both = make_policy("helm:" + path + ",adapter=sync,explore=off,burst=off", PolicyContext{});
  bool moved = false;
  for (const auto& w : windows(5, 50)) {
    const PolicyOutput a = base->decide_parts(w), b = both->decide_parts(w);
    EXPECT_EQ(b.residual_part, 0.0);
    EXPECT_EQ(a.base_part, b.base_part);
    EXPECT_EQ(a.target, b.target);
    moved = moved || std::abs(a.target - w.emb_share) > 1e-3;  // the base is not a no-op
  }
  EXPECT_TRUE(moved);
}

TEST(HelmPolicy, DecisionFillsItsParts) {
  const std::string path = tmp("helm_parts.h5");
  save_helm_policy(path, random_policy(4));
  NodeController c(make_policy("helm:" + path + ",lambda=0.05,adapter=sync", PolicyContext{}), 0.1);
  for (const auto& w : windows(6, 20)) {
    const ControlDecision d = c.decide(w);
    EXPECT_NE(d.residual_part, 0.0);  // exploring adapter
    EXPECT_LE(std::abs(d.residual_part), 0.05);
    EXPECT_NEAR(d.target, std::clamp(d.base_part + d.residual_part, 0.0, 1.0), 1e-12);
    EXPECT_LT(d.reward, 0.0);
    EXPECT_GT(d.decision_ns, 0);
    EXPECT_EQ(d.burst_flag, 0);
  }
}

TEST(HelmPolicy, BurstHoldsTheSplitThrottlesRefillAndRecoversGradually) {
  auto p = make_policy("helm:adapter=off,slo_ms=100", PolicyContext{0, 1, 1'000'000'000});
  NodeWindowStats w;
  w.emb_share = 0.4;
  w.completed = w.latency_count = 100;
  w.latency_p99 = 50'000'000;
  Rng rng(8);
  for (int i = 0; i < 40; ++i) {
    w.arrivals = 1000 + static_cast<int64_t>(rng.below(60)) - 30;
    EXPECT_FALSE(p->decide_parts(w).burst) << i;
  }
  w.arrivals = 2000;
  PolicyOutput o = p->decide_parts(w);
  EXPECT_TRUE(o.burst);
  EXPECT_EQ(o.target, w.emb_share);  // held
  EXPECT_EQ(o.refill_scale, 0.25);
  w.arrivals = 1000;
  int calm_windows = 0;
  double prev_scale = 0;
  for (int i = 0; i < 10; ++i) {
    o = p->decide_parts(w);
    if (!o.burst) {
      ++calm_windows;
      EXPECT_GE(o.refill_scale, prev_scale);  // ramps back
      prev_scale = o.refill_scale;
    }
  }
  EXPECT_GE(calm_windows, 5);
  EXPECT_EQ(o.refill_scale, 1.0);
  // A worker-side detector's flag wins over the window-level one.
  w.has_burst = 1;
  w.burst = 1;
  EXPECT_TRUE(p->decide_parts(w).burst);
}

TEST(HelmPolicy, OnlineAdapterLearnsTowardTheBetterSplit) {
  // Two nodes, base holds (no file); a toy node whose window P99 is lowest at share 0.8.
  const std::string spec = "helm:adapter=sync,burst=off,every=64,lambda=0.05,slo_ms=100";
  // As the drivers do: each node's policy, and a short-lived one per node to read its
  // initial share; the two real ones must still share one learner.
  auto p0 = make_policy(spec, PolicyContext{0, 2, 1'000'000'000});
  make_policy(spec, PolicyContext{0, 2, 1'000'000'000})->initial_share();
  auto p1 = make_policy(spec, PolicyContext{1, 2, 1'000'000'000});
  make_policy(spec, PolicyContext{1, 2, 1'000'000'000})->initial_share();
  double share[2] = {0.3, 0.3};
  double late = 0;
  const int windows_per_node = 64 * 60;
  for (int t = 0; t < windows_per_node; ++t) {
    for (int n = 0; n < 2; ++n) {
      NodeWindowStats w;
      w.node = n;
      w.arrivals = w.completed = w.latency_count = 100;
      w.emb_share = share[n];
      w.latency_p99 = static_cast<Nanos>(1e8 * (0.5 + 4 * (share[n] - 0.8) * (share[n] - 0.8)));
      share[n] = (n == 0 ? p0 : p1)->decide_parts(w).target;
    }
    if (t >= windows_per_node - 200) late += (share[0] + share[1]) / 2 / 200;
  }
  EXPECT_GT(late, 0.65) << "mean share over the last 200 windows";
}

TEST(OnlineLearner, TrainsInTheBackgroundAndPublishesWholeWeights) {
  AdapterConfig cfg;
  cfg.every = 16;
  OnlineLearner l(2, 4, cfg, 1);
  uint64_t version = 0;
  AdapterWeights w = l.initial();
  EXPECT_FALSE(l.fetch(version, w));  // nothing new yet
  Rng rng(2);
  float obs[4], next[4];
  for (int t = 0; t < 16; ++t)
    for (int n = 0; n < 2; ++n) {
      for (int i = 0; i < 4; ++i) obs[i] = next[i] = static_cast<float>(rng.normal());
      const float u = static_cast<float>(rng.normal());
      l.push(n, obs, u, -1.0, u > 0 ? 1.0 : -1.0, next);  // returns at once; training is elsewhere
    }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (l.updates() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(l.updates(), 1);
  bool got = false;
  while (!got && std::chrono::steady_clock::now() < deadline) got = l.fetch(version, w);
  ASSERT_TRUE(got);
  EXPECT_EQ(version, 1u);
  // The output layer left zero: the reward favoured positive u.
  float mu = 0;
  std::vector<float> ws(w.mean.workspace_size());
  w.mean.forward_one(obs, &mu, ws.data());
  EXPECT_NE(mu, 0.0f);
  EXPECT_FALSE(l.fetch(version, w));  // already current
}

}  // namespace
}  // namespace helm
