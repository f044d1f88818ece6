// Offline training of HELM's base policy: PPO over node windows.
//
// Two ways to drive it, one learner (BaseTrainer):
//  - pull: train_base_policy(env) plays a ControlEnv (reset/step over all nodes' windows);
//  - push: a driver that runs whole episodes itself (today's simulate()) deploys the policy
//    spec "helm:train=KEY" after register_trainer(KEY, &trainer); each node's decide() then
//    calls trainer.act(node, window), and the driver calls end_episode() after each run.
// Either way, at each control tick every node's window gives a state, the one shared policy
// acts on each node, and that node's next window gives the reward; all nodes' windows are
// samples of the same policy (envs = nodes in PPO's terms). State, action and reward are
// helm_state.h's, computed by the same HelmObserver as in serving. An update runs inside the
// act() that completes a rollout (every node has rollout / nodes transitions): deterministic.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "controller/helm_policy_file.h"
#include "controller/ppo.h"

namespace helm {

class ControlEnv {
 public:
  virtual ~ControlEnv() = default;
  virtual int nodes() const = 0;
  virtual Nanos interval() const = 0;  // control interval (the state's rates use it)
  // Starts an episode (`seed` picks its workload draw): fills one window per node, the
  // first interval's, whose emb_share is the split in effect.
  virtual void reset(uint64_t seed, std::vector<NodeWindowStats>& windows) = 0;
  // Applies targets[n] (an EMB share) to node n for the next interval and fills the windows
  // that interval produced. Returns false when the episode ended with this step.
  virtual bool step(const std::vector<double>& targets, std::vector<NodeWindowStats>& windows) = 0;
};

struct TrainConfig {
  PpoConfig ppo;            // CleanRL's defaults
  int rollout = 2048;       // transitions per update, all nodes pooled (steps = rollout / nodes)
  double budget_s = 600;    // wall-clock bound
  int max_updates = 0;      // 0: as many as the budget allows; > 0: the learning rate anneals
                            // over them (deterministic: the same seed gives the same weights)
  uint64_t seed = 0;        // weights, exploration, episode seeds
  HelmRewardConfig reward;
  double max_delta = 0.1;
  std::string description;  // what the environment was (stored in the file's train_config)
};

struct TrainProgress {
  int update = 0, planned = 0;  // planned: max_updates, or the budget's estimate
  int64_t samples = 0;
  double mean_reward = 0;       // over the last rollout
  double elapsed_s = 0, eta_s = 0;
  PpoStats stats;
};

class BaseTrainer {
 public:
  BaseTrainer(int nodes, Nanos interval, TrainConfig cfg,
              std::function<void(const TrainProgress&)> progress = {});
  // Node n's window: closes n's previous transition (its reward is this window's) and returns
  // the split n should move to (the exploring policy's action). May run an update.
  double act(int node, const NodeWindowStats& w);
  // The episode ended on every node: the next act() of each node starts a new one.
  void end_episode();
  bool finished() const;  // the budget or max_updates is spent
  const TrainProgress& progress() const { return p_; }
  const TrainConfig& config() const { return cfg_; }
  // The trained policy: weights, the (frozen) normalisation, definitions, training record.
  HelmPolicyFile result() const;

 private:
  struct Step {
    std::vector<float> obs;
    float act = 0;
    double logp = 0, value = 0, reward = 0, first = 0;  // first: starts an episode
  };
  struct NodeState {
    HelmObserver observer;
    Step pending;
    bool has_pending = false, new_episode = true;
    std::vector<Step> done;
  };
  void update();
  double elapsed() const;

  int nodes_, steps_;
  TrainConfig cfg_;
  std::function<void(const TrainProgress&)> progress_;
  Ppo ppo_;
  nn::RunningNorm norm_{kHelmStateDim};
  std::vector<NodeState> nodes_state_;
  Nanos interval_;
  int64_t t0_;
  TrainProgress p_;
};

// Pull-style: trains on env until the budget or max_updates; progress after every update.
HelmPolicyFile train_base_policy(ControlEnv& env, const TrainConfig& cfg,
                                 const std::function<void(const TrainProgress&)>& progress = {});

// Push-style: the trainer the spec "helm:train=KEY" reaches (nullptr removes the key). The
// caller keeps the trainer alive while policies made from the spec run.
void register_trainer(const std::string& key, BaseTrainer* trainer);
BaseTrainer* find_trainer(const std::string& key);

}  // namespace helm
