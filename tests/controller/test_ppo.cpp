// PPO end to end on a toy one-dimensional control task whose optimum is known in closed form:
// x' = x + 0.2 clip(a, -1, 1), reward -x'^2, 32 steps from x0 ~ U(-1, 1). Stepping toward 0
// as fast as possible is optimal (every later |x| is as small as it can be), so the optimal
// cost is computed by running a* = clip(-5x, -1, 1). The learned policy (its mean, on fixed
// start states) must cost at most 5% more than that.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "controller/nn.h"
#include "controller/ppo.h"

namespace helm {
namespace {

constexpr int kHorizon = 32;

struct Toy {
  double x = 0;
  int t = 0;
  void reset(Rng& rng) {
    x = 2 * rng.uniform() - 1;
    t = 0;
  }
  void obs(double* o) const {
    o[0] = x;
    o[1] = static_cast<double>(t) / kHorizon;
  }
  double step(double a) {  // returns the reward; t == kHorizon afterwards means done
    x += 0.2 * std::clamp(a, -1.0, 1.0);
    ++t;
    return -x * x;
  }
};

template <typename Act>
double mean_cost(Act act) {
  Rng rng(12345);  // fixed evaluation starts
  double cost = 0;
  const int episodes = 200;
  for (int e = 0; e < episodes; ++e) {
    Toy env;
    env.reset(rng);
    while (env.t < kHorizon) cost -= env.step(act(env));
  }
  return cost / episodes;
}

TEST(Ppo, LearnsToyControlWithinFivePercentOfOptimal) {
  const int envs = 8, steps = 256, updates = 60;
  PpoConfig cfg;  // CleanRL's defaults
  Ppo ppo(2, 1, cfg, 42);
  nn::RunningNorm norm(2);
  Rng env_rng(stream_seed(42, "toy-env"));
  std::vector<Toy> env(envs);
  for (auto& e : env) e.reset(env_rng);
  std::vector<double> done(envs, 1.0);
  Rollout r(steps, envs, 2, 1);
  double raw[2];
  for (int u = 0; u < updates; ++u) {
    for (int t = 0; t < steps; ++t) {
      for (int e = 0; e < envs; ++e) {
        const size_t k = static_cast<size_t>(t) * envs + e;
        env[e].obs(raw);
        norm.update(raw, 1);
        norm.normalise(raw, &r.obs[2 * k]);
        r.done[k] = done[e];
        ppo.act(&r.obs[2 * k], true, &r.act[k], &r.logp[k], &r.value[k]);
        r.reward[k] = env[e].step(r.act[k]);
        done[e] = env[e].t == kHorizon ? 1.0 : 0.0;
        if (done[e]) env[e].reset(env_rng);
      }
    }
    for (int e = 0; e < envs; ++e) {
      env[e].obs(raw);
      float o[2];
      norm.normalise(raw, o);
      r.next_value[e] = ppo.value(o);
      r.next_done[e] = done[e];
    }
    ppo.update(r, 1.0 - static_cast<double>(u) / updates);
  }
  norm.freeze();
  const double optimal = mean_cost([](const Toy& s) { return std::clamp(-5 * s.x, -1.0, 1.0); });
  const double idle = mean_cost([](const Toy&) { return 0.0; });
  const double learned = mean_cost([&](const Toy& s) {
    double o[2];
    float z[2], a;
    s.obs(o);
    norm.normalise(o, z);
    ppo.act(z, false, &a, nullptr, nullptr);
    return static_cast<double>(a);
  });
  RecordProperty("optimal_cost", std::to_string(optimal));
  RecordProperty("learned_cost", std::to_string(learned));
  EXPECT_GT(idle, 10 * optimal);  // the task is not trivial: doing nothing is far worse
  EXPECT_LE(learned, 1.05 * optimal) << "optimal " << optimal << " idle " << idle;
}

}  // namespace
}  // namespace helm
