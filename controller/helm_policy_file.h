// HELM's policy file (HDF5): a trained base policy and everything needed to use it alike
// everywhere. Layout (h5py reads it as is):
//   /                   attrs format = "helm-policy", version, git_revision, git_dirty,
//                       state_names, definitions (helm_state.h's text), train_config (text),
//                       updates, samples, train_seconds, max_delta
//   /state/norm_mean    double [16]   running observation normalisation (frozen when deployed)
//   /state/norm_var     double [16]
//   /state/norm_count   double scalar
//   /reward             attrs slo_ns, p99_cap, viol_penalty, move_cost (helm_state.h)
//   /policy/mean/W<l>   float [out, in] (row-major, as h5py shows it), /policy/mean/b<l> [out]
//   /policy/log_std     float [1]
//   /policy/value/W<l>, /policy/value/b<l>   the critic (to resume training; unused in serving)
// Loading checks every shape (the mean's input is the state, layers chain, one action) and
// throws BadInput naming the file and the dataset (exit code 2 at the CLI).
#pragma once
#include <cstdint>
#include <string>

#include "controller/helm_state.h"
#include "controller/nn.h"
#include "controller/ppo.h"

namespace helm {

struct HelmPolicyFile {
  ActorCritic base;
  nn::RunningNorm norm{kHelmStateDim};
  HelmRewardConfig reward;
  double max_delta = 0.1;
  std::string train_config;  // how it was trained (text, for people)
  std::string git_revision;
  int64_t git_dirty = 0, updates = 0, samples = 0;
  double train_seconds = 0;
};

// An untrained base: PPO's initialisation with a zero mean output layer (it holds the split),
// identity normalisation.
HelmPolicyFile untrained_helm_policy(const PpoConfig& cfg, uint64_t seed);

void save_helm_policy(const std::string& path, const HelmPolicyFile& p);
HelmPolicyFile load_helm_policy(const std::string& path);

}  // namespace helm
