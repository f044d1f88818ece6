// Offline training of HELM's base policy: PPO over an environment that yields node windows.
//
// The environment is whatever can play a control loop (the simulator, through the cluster
// front end, is the one meant): at each control tick every node's window gives a state, the
// one shared policy acts on each node, and the next window of that node gives the reward.
// All nodes' windows are samples of the same policy (envs = nodes in PPO's terms). State,
// action and reward are helm_state.h's, exactly as the serving policy (policy_helm.cpp)
// computes them, including the per-window burst detector when the window carries no flag.
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
  double budget_s = 600;    // wall-clock bound; the learning rate anneals over it
  int max_updates = 0;      // 0: as many as the budget allows
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

// Trains until the budget or max_updates; calls progress after every update. The result holds
// the weights, the (then frozen) normalisation, the definitions and the training record.
HelmPolicyFile train_base_policy(ControlEnv& env, const TrainConfig& cfg,
                                 const std::function<void(const TrainProgress&)>& progress = {});

}  // namespace helm
