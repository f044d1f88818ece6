// helm[:POLICY.h5][,OPTION=VALUE...]: HELM's learned memory policy, three layers per decision.
//   1. The base policy (the file's, frozen; without a file an untrained one that holds the
//      split): the share moves by max_delta * clamp(a, -1, 1) (helm_state.h).
//   2. The residual adapter: + lambda * tanh(u), u from a small Gaussian policy trained online
//      by PPO from all nodes' windows (online_learner.h); it starts with a zero output layer.
//   3. Burst-aware recovery: while a burst alarm is up the split holds and the node's refill
//      is throttled; after it, the allowed move and the refill share ramp back with calm()
//      (burst_detector.h). The alarm is the worker's 10 ms detector where the window carries
//      one (has_burst), else this policy's own detector over arrivals per window.
// Options (the ablation and tuning, so no driver needs to know them):
//   adapter=on|off|sync  (on: background training thread; sync: trains inside the decision that
//                         completes a round, deterministic, for `sim`), default on
//   burst=on|off         default on
//   explore=on|off       adapter exploration noise, default on
//   lambda=X             residual bound (0.05), every=N windows per update (64),
//   slo_ms=X             the reward's SLO (default: the run's, else the file's), seed=N (0)
//   train=KEY            offline training: decisions come from the trainer registered under KEY
//                        (train.h's push style; helm-bench train sets it up)
// e.g. helm:base.h5,adapter=off,burst=off is the base alone. The nodes of a run (made node after
// node from the same spec, as both drivers do) share one file and one learner (Groups below).
#include <charconv>
#include <cmath>
#include <map>
#include <mutex>
#include <vector>

#include "common/error.h"
#include "controller/helm_policy_file.h"
#include "controller/helm_state.h"
#include "controller/online_learner.h"
#include "controller/policies.h"
#include "controller/train.h"

namespace helm::policies {
namespace {

struct HelmOptions {
  std::string file, train;
  enum { kOff, kOn, kSync } adapter = kOn;
  bool burst = true, explore = true;
  double lambda = 0.05, slo_ms = 0;
  int every = 64;
  uint64_t seed = 0;
};

double number(std::string_view v, std::string_view key, std::string_view spec) {
  double x = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !std::isfinite(x))
    bad_input("--memory-policy helm:{}: option '{}' needs a number, got '{}'", spec, key, v);
  return x;
}

bool on_off(std::string_view v, std::string_view key, std::string_view spec) {
  if (v == "on") return true;
  if (v == "off") return false;
  bad_input("--memory-policy helm:{}: option '{}' must be on or off, got '{}'", spec, key, v);
}

HelmOptions parse(std::string_view spec) {
  HelmOptions o;
  size_t pos = 0;
  bool first = true;
  while (pos <= spec.size() && !spec.empty()) {
    const size_t comma = std::min(spec.find(',', pos), spec.size());
    const std::string_view tok = spec.substr(pos, comma - pos);
    pos = comma + 1;
    const size_t eq = tok.find('=');
    if (eq == std::string_view::npos) {
      if (!first || tok.empty()) bad_input("--memory-policy helm:{}: '{}' is not OPTION=VALUE", spec, tok);
      o.file = std::string(tok);
    } else {
      const std::string_view k = tok.substr(0, eq), v = tok.substr(eq + 1);
      if (k == "adapter") {
        if (v == "sync") o.adapter = HelmOptions::kSync;
        else o.adapter = on_off(v, k, spec) ? HelmOptions::kOn : HelmOptions::kOff;
      } else if (k == "burst") {
        o.burst = on_off(v, k, spec);
      } else if (k == "explore") {
        o.explore = on_off(v, k, spec);
      } else if (k == "lambda") {
        o.lambda = number(v, k, spec);
        if (!(o.lambda >= 0 && o.lambda <= 1)) bad_input("--memory-policy helm:{}: lambda must be in [0, 1]", spec);
      } else if (k == "every") {
        o.every = static_cast<int>(number(v, k, spec));
        if (o.every < 2 || o.every > 100000) bad_input("--memory-policy helm:{}: every must be in [2, 100000]", spec);
      } else if (k == "slo_ms") {
        o.slo_ms = number(v, k, spec);
        if (!(o.slo_ms > 0)) bad_input("--memory-policy helm:{}: slo_ms must be positive", spec);
      } else if (k == "train") {
        o.train = std::string(v);
      } else if (k == "seed") {
        o.seed = static_cast<uint64_t>(number(v, k, spec));
      } else {
        bad_input("--memory-policy helm:{}: unknown option '{}' (adapter, burst, explore, lambda, every, slo_ms, train, seed)", spec, k);
      }
    }
    first = false;
    if (comma == spec.size()) break;
  }
  return o;
}

// What the nodes of one run share: the base policy (read-only) and the adapter's learner.
struct Shared {
  HelmPolicyFile base;
  std::unique_ptr<OnlineLearner> learner;
  std::vector<int> live;  // live policies per node (under the groups' mutex)
};

// Drivers make one policy per node, node after node, and may make short-lived extra ones (to
// read initial_share()). A policy joins the newest live group of its spec that has no live
// policy for its node yet; otherwise it starts a new group.
class Groups {
 public:
  static Groups& get() {
    static Groups g;
    return g;
  }
  std::shared_ptr<Shared> join(std::string_view arg, const HelmOptions& o, const PolicyContext& ctx) {
    const std::string key = fmt::format("{}|{}|{}", arg, ctx.nodes, ctx.interval);
    const size_t node = static_cast<size_t>(ctx.node);
    std::lock_guard<std::mutex> lock(mu_);
    auto& list = groups_[key];
    std::erase_if(list, [](const std::weak_ptr<Shared>& w) { return w.expired(); });
    for (auto it = list.rbegin(); it != list.rend(); ++it)
      if (auto s = it->lock(); s && node < s->live.size() && s->live[node] == 0) {
        ++s->live[node];
        return s;
      }
    auto s = make(o, ctx);
    ++s->live[node];
    list.push_back(s);
    return s;
  }
  void leave(Shared& s, int node) {
    std::lock_guard<std::mutex> lock(mu_);
    --s.live[static_cast<size_t>(node)];
  }

 private:
  static std::shared_ptr<Shared> make(const HelmOptions& o, const PolicyContext& ctx) {
    auto s = std::make_shared<Shared>();
    s->live.assign(static_cast<size_t>(std::max(ctx.nodes, ctx.node + 1)), 0);
    s->base = o.file.empty() ? untrained_helm_policy(PpoConfig{}, o.seed) : load_helm_policy(o.file);
    s->base.norm.freeze();
    if (o.slo_ms > 0) s->base.reward.slo_ns = o.slo_ms * 1e6;
    else if (ctx.slo > 0) s->base.reward.slo_ns = static_cast<double>(ctx.slo);
    if (o.adapter != HelmOptions::kOff && o.train.empty()) {
      AdapterConfig ac;
      ac.every = o.every;
      ac.background = o.adapter == HelmOptions::kOn;
      s->learner = std::make_unique<OnlineLearner>(static_cast<int>(s->live.size()), kHelmStateDim, ac, o.seed);
    }
    return s;
  }
  std::mutex mu_;
  std::map<std::string, std::vector<std::weak_ptr<Shared>>> groups_;
};

class Helm final : public MemoryPolicy {
 public:
  Helm(std::string_view arg, const PolicyContext& ctx)
      : o_(parse(arg)),
        node_(ctx.node),
        shared_(Groups::get().join(arg, o_, ctx)),
        observer_(ctx.interval, shared_->base.reward, o_.burst),
        rng_(stream_seed(o_.seed, fmt::format("helm-explore-{}", ctx.node))) {
    if (!o_.train.empty()) {
      trainer_ = find_trainer(o_.train);
      if (!trainer_) bad_input("--memory-policy helm:{}: no trainer '{}' in this process (train= is for helm-bench train)", arg, o_.train);
      if (!o_.file.empty()) bad_input("--memory-policy helm:{}: train= takes no policy file", arg);
    }
    const auto& b = shared_->base.base.mean;
    ws_.resize(b.workspace_size());
    if (shared_->learner) {
      adapter_ = shared_->learner->initial();
      set_std();
      ws_.resize(std::max(ws_.size(), adapter_.mean.workspace_size()));
    }
  }
  ~Helm() override { Groups::get().leave(*shared_, node_); }
  double initial_share() const override { return 0.5; }
  bool needs_curves() const override { return true; }
  double decide(const NodeWindowStats& w) override { return decide_parts(w).target; }

  PolicyOutput decide_parts(const NodeWindowStats& w) override {
    const HelmPolicyFile& base = shared_->base;
    PolicyOutput out;
    if (trainer_) {  // offline training: the trainer's exploring policy acts, no layers 2 and 3
      out.target = out.base_part = trainer_->act(node_, w);
      out.reward = helm_reward(w, trainer_->config().reward);
      return out;
    }
    // Layer 3's signal first: the state carries the alarm.
    const HelmObserver::View v = observer_.observe(w, raw_);
    const double calm = v.calm;
    out.burst = v.alarm;
    out.reward = helm_reward(w, base.reward);
    base.norm.normalise(raw_, z_);
    // Layer 1.
    float a = 0;
    base.base.mean.forward_one(z_, &a, ws_.data());
    out.base_part = helm_apply_action(w.emb_share, a, base.max_delta);
    // Layer 2.
    if (OnlineLearner* l = shared_->learner.get()) {
      if (l->fetch(version_, adapter_)) set_std();
      float mu = 0;
      adapter_.mean.forward_one(z_, &mu, ws_.data());
      const double eps = o_.explore ? rng_.normal() : 0.0;
      const float u = static_cast<float>(mu + std_ * eps);
      const double zz = (static_cast<double>(u) - mu) * inv_std_;
      const double logp = -0.5 * zz * zz - log_std_ - 0.91893853320467274178;
      out.residual_part = o_.lambda * std::tanh(static_cast<double>(u));
      // Learn only from windows the burst layer left alone (its holds are not the adapter's).
      if (have_pending_ && calm >= 1.0) l->push(node_, pending_z_, pending_u_, pending_logp_, out.reward, z_);
      have_pending_ = calm >= 1.0;
      std::copy(z_, z_ + kHelmStateDim, pending_z_);
      pending_u_ = u;
      pending_logp_ = logp;
    }
    const double want = std::clamp(out.base_part + out.residual_part, 0.0, 1.0);
    out.target = want;
    if (calm < 1.0) {  // hold during the alarm, then let the allowed move ramp back
      const double limit = base.max_delta * calm;
      out.target = std::clamp(w.emb_share + std::clamp(want - w.emb_share, -limit, limit), 0.0, 1.0);
    }
    out.refill_scale = o_.burst ? 0.25 + 0.75 * calm : 1.0;
    return out;
  }

 private:
  void set_std() {
    log_std_ = adapter_.log_std[0];
    std_ = std::exp(log_std_);
    inv_std_ = 1.0 / std_;
  }
  HelmOptions o_;
  int node_;
  std::shared_ptr<Shared> shared_;
  HelmObserver observer_;
  BaseTrainer* trainer_ = nullptr;
  Rng rng_;
  AdapterWeights adapter_;
  uint64_t version_ = 0;
  double log_std_ = 0, std_ = 1, inv_std_ = 1;
  std::vector<float> ws_;
  double raw_[kHelmStateDim] = {};
  float z_[kHelmStateDim] = {}, pending_z_[kHelmStateDim] = {};
  float pending_u_ = 0;
  double pending_logp_ = 0;
  bool have_pending_ = false;
};

}  // namespace

std::unique_ptr<MemoryPolicy> make_helm(std::string_view arg, const PolicyContext& ctx) {
  return std::make_unique<Helm>(arg, ctx);
}

}  // namespace helm::policies
