#include "controller/train.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "common/error.h"
#include "common/version.h"

namespace helm {
namespace {

std::string describe(const TrainConfig& c, int nodes) {
  const PpoConfig& p = c.ppo;
  std::string hidden;
  for (int h : p.hidden) {
    if (!hidden.empty()) hidden += 'x';
    hidden += std::to_string(h);
  }
  return fmt::format(
      "{}; nodes {}, rollout {}, budget {} s, max_updates {}, seed {}; ppo gamma {} lambda {} clip {} "
      "epochs {} minibatches {} lr {} anneal {} max_grad_norm {} ent {} vf {} norm_adv {} clip_vloss {} "
      "hidden {} init_log_std {}",
      c.description.empty() ? "environment not described" : c.description, nodes, c.rollout, c.budget_s,
      c.max_updates, c.seed, p.gamma, p.gae_lambda, p.clip, p.epochs, p.minibatches, p.lr, p.anneal_lr,
      p.max_grad_norm, p.ent_coef, p.vf_coef, p.norm_adv, p.clip_vloss, hidden, p.init_log_std);
}

}  // namespace

HelmPolicyFile train_base_policy(ControlEnv& env, const TrainConfig& cfg,
                                 const std::function<void(const TrainProgress&)>& progress) {
  const int N = env.nodes();
  HELM_CHECK(N > 0, "training environment without nodes");
  const int steps = std::max(1, cfg.rollout / N);
  HELM_CHECK(steps * N >= cfg.ppo.minibatches, "rollout smaller than the minibatch count");
  const auto t0 = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };

  Ppo ppo(kHelmStateDim, 1, cfg.ppo, cfg.seed);
  nn::RunningNorm norm(kHelmStateDim);
  std::vector<HelmObserver> obs;
  std::vector<NodeWindowStats> win(static_cast<size_t>(N));
  std::vector<double> targets(static_cast<size_t>(N)), done(static_cast<size_t>(N), 1.0);
  std::vector<float> cur(static_cast<size_t>(N) * kHelmStateDim);
  double raw[kHelmStateDim];
  uint64_t episode = 0;
  const auto observe_all = [&] {
    for (int n = 0; n < N; ++n) {
      obs[static_cast<size_t>(n)].observe(win[static_cast<size_t>(n)], raw);
      norm.update(raw, 1);
      norm.normalise(raw, &cur[static_cast<size_t>(n) * kHelmStateDim]);
    }
  };
  const auto start_episode = [&] {
    obs.assign(static_cast<size_t>(N), HelmObserver(env.interval(), cfg.reward, true));
    env.reset(stream_seed(cfg.seed, fmt::format("episode-{}", episode++)), win);
    HELM_CHECK(static_cast<int>(win.size()) == N, "environment reset {} windows for {} nodes", win.size(), N);
    observe_all();
    std::fill(done.begin(), done.end(), 1.0);
  };
  start_episode();

  Rollout r(steps, N, kHelmStateDim, 1);
  TrainProgress p;
  for (int u = 0;; ++u) {
    const double t = elapsed();
    if (u > 0 && (t >= cfg.budget_s || (cfg.max_updates > 0 && u >= cfg.max_updates))) break;
    double reward_sum = 0;
    for (int s = 0; s < steps; ++s) {
      for (int n = 0; n < N; ++n) {
        const size_t k = static_cast<size_t>(s) * N + n;
        std::copy_n(&cur[static_cast<size_t>(n) * kHelmStateDim], kHelmStateDim, &r.obs[k * kHelmStateDim]);
        r.done[k] = done[static_cast<size_t>(n)];
        ppo.act(&r.obs[k * kHelmStateDim], true, &r.act[k], &r.logp[k], &r.value[k]);
        targets[static_cast<size_t>(n)] = helm_apply_action(win[static_cast<size_t>(n)].emb_share, r.act[k], cfg.max_delta);
      }
      const bool more = env.step(targets, win);
      for (int n = 0; n < N; ++n) {
        const size_t k = static_cast<size_t>(s) * N + n;
        r.reward[k] = helm_reward(win[static_cast<size_t>(n)], cfg.reward);
        reward_sum += r.reward[k];
      }
      std::fill(done.begin(), done.end(), more ? 0.0 : 1.0);
      if (more) observe_all();
      else start_episode();
    }
    for (int n = 0; n < N; ++n) {
      r.next_value[static_cast<size_t>(n)] = ppo.value(&cur[static_cast<size_t>(n) * kHelmStateDim]);
      r.next_done[static_cast<size_t>(n)] = done[static_cast<size_t>(n)];
    }
    // Anneal over whichever bound ends training first.
    double frac = 1.0 - t / cfg.budget_s;
    if (cfg.max_updates > 0) frac = std::min(frac, 1.0 - static_cast<double>(u) / cfg.max_updates);
    p.stats = ppo.update(r, std::max(frac, 0.02));
    p.update = u + 1;
    p.samples += r.size();
    p.mean_reward = reward_sum / r.size();
    p.elapsed_s = elapsed();
    const double per = p.elapsed_s / p.update;
    const int by_budget = static_cast<int>(cfg.budget_s / per);
    p.planned = cfg.max_updates > 0 ? std::min(cfg.max_updates, std::max(by_budget, p.update)) : std::max(by_budget, p.update);
    p.eta_s = std::max(0.0, (p.planned - p.update) * per);
    if (progress) progress(p);
  }

  HelmPolicyFile out;
  out.base = ppo.net();
  out.norm = norm;
  out.norm.freeze();
  out.reward = cfg.reward;
  out.max_delta = cfg.max_delta;
  out.train_config = describe(cfg, N);
  out.git_revision = git_revision();
  out.git_dirty = git_dirty() ? 1 : 0;
  out.updates = p.update;
  out.samples = p.samples;
  out.train_seconds = elapsed();
  return out;
}

}  // namespace helm
