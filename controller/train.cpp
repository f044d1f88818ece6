#include "controller/train.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "common/error.h"
#include "common/version.h"

namespace helm {
namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

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

BaseTrainer::BaseTrainer(int nodes, Nanos interval, TrainConfig cfg,
                         std::function<void(const TrainProgress&)> progress)
    : nodes_(nodes),
      steps_(std::max(1, cfg.rollout / std::max(1, nodes))),
      cfg_(std::move(cfg)),
      progress_(std::move(progress)),
      ppo_(kHelmStateDim, 1, cfg_.ppo, cfg_.seed),
      interval_(interval),
      t0_(now_ns()) {
  HELM_CHECK(nodes > 0, "training without nodes");
  HELM_CHECK(steps_ * nodes_ >= cfg_.ppo.minibatches, "rollout smaller than the minibatch count");
  for (int n = 0; n < nodes_; ++n)
    nodes_state_.push_back(NodeState{HelmObserver(interval_, cfg_.reward, true), {}, false, true, {}});
}

double BaseTrainer::elapsed() const { return static_cast<double>(now_ns() - t0_) * 1e-9; }

bool BaseTrainer::finished() const {
  if (cfg_.max_updates > 0 && p_.update >= cfg_.max_updates) return true;
  return p_.update > 0 && elapsed() >= cfg_.budget_s;
}

double BaseTrainer::act(int node, const NodeWindowStats& w) {
  HELM_CHECK(node >= 0 && node < nodes_, "trainer: node {} of {}", node, nodes_);
  NodeState& s = nodes_state_[static_cast<size_t>(node)];
  double raw[kHelmStateDim];
  s.observer.observe(w, raw);
  norm_.update(raw, 1);  // as gym's NormalizeObservation: every observation, before use
  if (s.has_pending) {
    s.pending.reward = helm_reward(w, cfg_.reward);
    s.done.push_back(std::move(s.pending));
  }
  Step st;
  st.obs.resize(kHelmStateDim);
  norm_.normalise(raw, st.obs.data());
  st.first = s.new_episode ? 1.0 : 0.0;
  s.new_episode = false;
  ppo_.act(st.obs.data(), true, &st.act, &st.logp, &st.value);
  const double target = helm_apply_action(w.emb_share, st.act, cfg_.max_delta);
  s.pending = std::move(st);
  s.has_pending = true;
  if (std::all_of(nodes_state_.begin(), nodes_state_.end(),
                  [&](const NodeState& x) { return static_cast<int>(x.done.size()) >= steps_; }))
    update();
  return target;
}

void BaseTrainer::end_episode() {
  for (NodeState& s : nodes_state_) {
    s.has_pending = false;  // its outcome was never seen
    s.new_episode = true;
    s.observer = HelmObserver(interval_, cfg_.reward, true);
  }
}

void BaseTrainer::update() {
  const int N = nodes_;
  Rollout r(steps_, N, kHelmStateDim, 1);
  double reward_sum = 0;
  for (int n = 0; n < N; ++n) {
    NodeState& s = nodes_state_[static_cast<size_t>(n)];
    for (int t = 0; t < steps_; ++t) {
      const Step& st = s.done[static_cast<size_t>(t)];
      const size_t k = static_cast<size_t>(t) * N + n;
      std::copy(st.obs.begin(), st.obs.end(), r.obs.begin() + static_cast<std::ptrdiff_t>(k * kHelmStateDim));
      r.act[k] = st.act;
      r.logp[k] = st.logp;
      r.value[k] = st.value;
      r.reward[k] = st.reward;
      r.done[k] = st.first;
      reward_sum += st.reward;
    }
    // What follows the rollout on this node: its next step, else the pending one.
    const Step* next = static_cast<int>(s.done.size()) > steps_ ? &s.done[static_cast<size_t>(steps_)]
                                                              : (s.has_pending ? &s.pending : nullptr);
    r.next_value[static_cast<size_t>(n)] = next ? next->value : 0.0;
    r.next_done[static_cast<size_t>(n)] = next ? next->first : 1.0;
    s.done.erase(s.done.begin(), s.done.begin() + steps_);
  }
  if (finished()) return;  // the budget is spent: collect no more learning
  // Anneal over max_updates only: a schedule read off the wall clock would make the weights
  // depend on the machine's speed. With a budget alone the rate stays constant.
  const double frac = cfg_.max_updates > 0 ? 1.0 - static_cast<double>(p_.update) / cfg_.max_updates : 1.0;
  p_.stats = ppo_.update(r, frac);
  p_.update += 1;
  p_.samples += r.size();
  p_.mean_reward = reward_sum / r.size();
  p_.elapsed_s = elapsed();
  const double per = p_.elapsed_s / p_.update;
  const int by_budget = std::max(p_.update, static_cast<int>(cfg_.budget_s / per));
  p_.planned = cfg_.max_updates > 0 ? std::min(cfg_.max_updates, by_budget) : by_budget;
  p_.eta_s = std::max(0.0, (p_.planned - p_.update) * per);
  if (progress_) progress_(p_);
}

HelmPolicyFile BaseTrainer::result() const {
  HelmPolicyFile out;
  out.base = ppo_.net();
  out.norm = norm_;
  out.norm.freeze();
  out.reward = cfg_.reward;
  out.max_delta = cfg_.max_delta;
  out.train_config = describe(cfg_, nodes_);
  out.git_revision = git_revision();
  out.git_dirty = git_dirty() ? 1 : 0;
  out.updates = p_.update;
  out.samples = p_.samples;
  out.train_seconds = elapsed();
  return out;
}

HelmPolicyFile train_base_policy(ControlEnv& env, const TrainConfig& cfg,
                                 const std::function<void(const TrainProgress&)>& progress) {
  const int N = env.nodes();
  BaseTrainer tr(N, env.interval(), cfg, progress);
  std::vector<NodeWindowStats> win;
  std::vector<double> targets(static_cast<size_t>(N));
  for (uint64_t episode = 0; !tr.finished(); ++episode) {
    env.reset(stream_seed(cfg.seed, fmt::format("episode-{}", episode)), win);
    HELM_CHECK(static_cast<int>(win.size()) == N, "environment gave {} windows for {} nodes", win.size(), N);
    bool more = true;
    while (more && !tr.finished()) {
      for (int n = 0; n < N; ++n) targets[static_cast<size_t>(n)] = tr.act(n, win[static_cast<size_t>(n)]);
      more = env.step(targets, win);
    }
    if (!more)  // the last windows still carry the rewards of the last decisions
      for (int n = 0; n < N; ++n) tr.act(n, win[static_cast<size_t>(n)]);
    tr.end_episode();
  }
  return tr.result();
}

namespace {
std::mutex g_trainers_mu;
std::map<std::string, BaseTrainer*>& trainers() {
  static std::map<std::string, BaseTrainer*> m;
  return m;
}
}  // namespace

void register_trainer(const std::string& key, BaseTrainer* trainer) {
  std::lock_guard<std::mutex> lock(g_trainers_mu);
  if (trainer) trainers()[key] = trainer;
  else trainers().erase(key);
}

BaseTrainer* find_trainer(const std::string& key) {
  std::lock_guard<std::mutex> lock(g_trainers_mu);
  const auto it = trainers().find(key);
  return it == trainers().end() ? nullptr : it->second;
}

}  // namespace helm
