// HELM's policy on one core: a whole decision next to its reference, the bare base-MLP forward;
// one PPO update over 2048 samples next to its reference, the same minibatches' bare
// forward/backward passes of both networks.
// Goals: BM_HelmDecision median <= 1 us and p99 <= 2 us (BM_HelmDecisionLatency reports the
// per-decision percentiles as NodeController measures them, steady_clock included);
// BM_PpoUpdate <= 50 ms.
// The decision is the deployed one: features of a window with curves, frozen normalisation,
// base (16-64-64-1) + adapter (16-32-32-1, exploring, pushing its transition to the learner),
// per-window burst check, clamp. Its learner waits for a second node that never reports, so no
// training runs during the measurement (segments beyond max_ready are dropped).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "controller/helm_policy_file.h"
#include "controller/node_controller.h"
#include "controller/ppo.h"

namespace helm {
namespace {

// Shared machines: the fastest repetition is the best estimate of the uncontended cost.
double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

std::string policy_file() {
  static const std::string path = [] {
    HelmPolicyFile p = untrained_helm_policy(PpoConfig{}, 1);
    Rng rng(2);
    for (float& v : p.base.mean.params()) v = static_cast<float>(0.2 * rng.normal());
    const std::string f = "/tmp/bench_helm_policy.h5";
    save_helm_policy(f, p);
    return f;
  }();
  return path;
}

std::vector<NodeWindowStats> windows() {
  Rng rng(3);
  std::vector<NodeWindowStats> ws(64);
  for (size_t i = 0; i < ws.size(); ++i) {
    NodeWindowStats& w = ws[i];
    w.time = static_cast<Nanos>(i + 1) * 1'000'000'000;
    w.arrivals = w.completed = w.latency_count = 900 + static_cast<int64_t>(rng.below(200));
    w.emb_lookups = 400000;
    w.emb_hits = static_cast<int64_t>(rng.below(400000));
    w.kv_lookup_tokens = 200000;
    w.kv_hit_tokens = static_cast<int64_t>(rng.below(200000));
    w.h2d_demand_bytes = static_cast<int64_t>(rng.below(1 << 30));
    w.h2d_refill_bytes = static_cast<int64_t>(rng.below(1 << 28));
    w.queue_len = static_cast<int64_t>(rng.below(50));
    w.latency_p99 = static_cast<Nanos>(5e7 * (1 + rng.uniform()));
    w.emb_share = std::round(rng.uniform() * 20) / 20;
    w.returning_arrivals = w.arrivals / 2;
    w.history_tokens = w.arrivals * 500;
    w.has_curves = 1;
    double e = 0, k = 0;
    for (int j = 0; j < kCurvePoints; ++j) {
      w.emb_saved_ns[j] = e += rng.uniform() * 1e5;
      w.kv_saved_ns[j] = k += rng.uniform() * 2e5;
    }
  }
  return ws;
}

void BM_MlpForward(benchmark::State& state) {  // reference: the bare deployed base network
  const HelmPolicyFile p = load_helm_policy(policy_file());
  std::vector<float> x(kHelmStateDim, 0.3f), ws(p.base.mean.workspace_size());
  float y = 0;
  for (auto _ : state) {
    p.base.mean.forward_one(x.data(), &y, ws.data());
    benchmark::DoNotOptimize(y);
    x[0] = y * 1e-6f;  // a dependency between iterations, as decisions have
  }
}
BENCHMARK(BM_MlpForward)->ComputeStatistics("min", min_of);

std::string spec(bool adapter, bool burst) {
  return "helm:" + policy_file() + (adapter ? "" : ",adapter=off") + (burst ? "" : ",burst=off");
}

void BM_HelmDecision(benchmark::State& state) {
  const bool adapter = state.range(0), burst = state.range(1);
  auto p = make_policy(spec(adapter, burst), PolicyContext{0, 2, 1'000'000'000});
  const auto ws = windows();
  size_t i = 0;
  for (auto _ : state) {
    const PolicyOutput o = p->decide_parts(ws[i++ & 63]);
    benchmark::DoNotOptimize(o);
  }
}
BENCHMARK(BM_HelmDecision)->ArgNames({"adapter", "burst"})->Args({1, 1})->Args({0, 1})->Args({0, 0})
    ->ComputeStatistics("min", min_of);

// Per-decision wall time exactly as /controller records it (NodeController, steady_clock).
void BM_HelmDecisionLatency(benchmark::State& state) {
  NodeController c(make_policy(spec(true, true), PolicyContext{0, 2, 1'000'000'000}), 0.1);
  const auto ws = windows();
  std::vector<Nanos> ns;
  ns.reserve(1 << 20);
  size_t i = 0;
  for (auto _ : state) {
    const ControlDecision d = c.decide(ws[i++ & 63]);
    if (ns.size() < ns.capacity()) ns.push_back(d.decision_ns);
  }
  std::sort(ns.begin(), ns.end());
  const auto pct = [&](double q) {
    return static_cast<double>(ns[std::min(ns.size() - 1, static_cast<size_t>(std::ceil(q * ns.size())) - 1)]);
  };
  state.counters["p50_ns"] = pct(0.50);
  state.counters["p99_ns"] = pct(0.99);
  state.counters["p999_ns"] = pct(0.999);
}
BENCHMARK(BM_HelmDecisionLatency)->ComputeStatistics("min", min_of);

Rollout random_rollout(int n, Rng& rng) {
  Rollout r(n / 8, 8, kHelmStateDim, 1);
  for (auto& v : r.obs) v = static_cast<float>(rng.normal());
  for (auto& v : r.act) v = static_cast<float>(rng.normal());
  for (auto& v : r.logp) v = -1.4 + 0.1 * rng.normal();
  for (auto& v : r.value) v = rng.normal();
  for (auto& v : r.reward) v = rng.normal();
  return r;
}

void BM_PpoUpdate(benchmark::State& state) {  // CleanRL defaults: 10 epochs x 32 minibatches
  Rng rng(4);
  Ppo ppo(kHelmStateDim, 1, PpoConfig{}, 5);
  Rollout r = random_rollout(2048, rng);
  for (auto _ : state) benchmark::DoNotOptimize(ppo.update(r));
  state.counters["samples"] = r.size();
}
BENCHMARK(BM_PpoUpdate)->Unit(benchmark::kMillisecond)->ComputeStatistics("min", min_of);

// Reference: the same 320 minibatches' forward + backward of both networks, nothing else.
void BM_MlpTrainPasses(benchmark::State& state) {
  Rng rng(4);
  PpoConfig cfg;
  ActorCritic ac(kHelmStateDim, 1, cfg, rng);
  const int mb = 2048 / cfg.minibatches;
  nn::Mat<float> X(kHelmStateDim, mb), dY(1, mb);
  for (int i = 0; i < X.size(); ++i) X.data()[i] = static_cast<float>(rng.normal());
  dY.setConstant(1e-3f);
  std::vector<float> gm(ac.mean.params().size()), gv(ac.value.params().size());
  nn::Mlp<float>::Tape tm, tv;
  for (auto _ : state) {
    for (int k = 0; k < cfg.epochs * cfg.minibatches; ++k) {
      ac.mean.forward(X, tm);
      ac.value.forward(X, tv);
      ac.mean.backward(tm, dY, gm.data());
      ac.value.backward(tv, dY, gv.data());
    }
    benchmark::DoNotOptimize(gm.data());
  }
}
BENCHMARK(BM_MlpTrainPasses)->Unit(benchmark::kMillisecond)->ComputeStatistics("min", min_of);

}  // namespace
}  // namespace helm

BENCHMARK_MAIN();
