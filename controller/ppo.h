// Proximal policy optimisation with CleanRL's semantics (ppo_continuous_action.py): an
// actor-critic with a Gaussian policy (MLP mean, state-independent log-std) and an MLP value;
// GAE(lambda) advantages over a rollout of `steps` x `envs` transitions; `epochs` passes of
// shuffled minibatches, each one Adam step on
//   loss = clipped surrogate - ent_coef * entropy + vf_coef * value loss,
// with per-minibatch advantage normalisation, optional value clipping, and the gradients of
// all parameters clipped together to max_grad_norm. Observations reach PPO already normalised
// (nn::RunningNorm, owned by the caller); rewards are used as given.
//
// Who calls it: the base-policy trainer (train.h) and the online residual adapter
// (online_learner.h). Deterministic given the seed. Not thread-safe: one owner per Ppo.
#pragma once
#include <cstdint>
#include <vector>

#include "controller/nn.h"

namespace helm {

struct PpoConfig {
  double gamma = 0.99, gae_lambda = 0.95;
  double clip = 0.2;
  int epochs = 10, minibatches = 32;
  double lr = 3e-4;
  bool anneal_lr = true;  // linearly to 0 over the run (the caller passes the fraction left)
  double max_grad_norm = 0.5;
  double ent_coef = 0.0, vf_coef = 0.5;
  bool norm_adv = true, clip_vloss = true;
  std::vector<int> hidden = {64, 64};  // both networks
  double policy_out_gain = 0.01;       // orthogonal gain of the mean's output layer (0: zeros)
  double init_log_std = 0.0;
};

// The parameters PPO trains; grads use the layout [mean | log_std | value].
template <typename T>
struct ActorCriticT {
  ActorCriticT() = default;
  ActorCriticT(int obs_dim, int act_dim, const PpoConfig& cfg, Rng& rng);
  nn::Mlp<T> mean, value;
  std::vector<T> log_std;
  size_t param_count() const { return mean.params().size() + log_std.size() + value.params().size(); }
  void get(std::vector<T>& flat) const;  // parameters in the grads' layout
  void set(const std::vector<T>& flat);
};
using ActorCritic = ActorCriticT<float>;

// One rollout: transition k = t * envs + e. obs are normalised; done[k] = 1 when obs[k] starts
// a new episode (CleanRL's `dones`); next_obs_value / next_done close the last step per env.
struct Rollout {
  Rollout() = default;
  Rollout(int steps, int envs, int obs_dim, int act_dim);
  int steps = 0, envs = 0, obs_dim = 0, act_dim = 0;
  std::vector<float> obs, act;
  std::vector<double> logp, value, reward, done;
  std::vector<double> next_value, next_done;  // per env
  std::vector<double> adv, ret;               // filled by compute_gae()
  int size() const { return steps * envs; }
};

// GAE(lambda) advantages and returns (= adv + value), exactly as CleanRL.
void compute_gae(Rollout& r, double gamma, double lambda);

struct PpoStats {
  double policy_loss = 0, value_loss = 0, entropy = 0, approx_kl = 0, clip_frac = 0;
  double grad_norm = 0;  // mean over minibatches, before clipping
  int minibatches = 0;
};

// The loss on the minibatch `idx` of r (after compute_gae) and its gradient (grad, in the
// actor-critic's layout, overwritten). Exposed for the finite-difference test.
template <typename T>
double ppo_loss_grad(const ActorCriticT<T>& ac, const Rollout& r, const std::vector<int>& idx,
                     const PpoConfig& cfg, std::vector<T>& grad, PpoStats* stats = nullptr);

class Ppo {
 public:
  Ppo(int obs_dim, int act_dim, PpoConfig cfg, uint64_t seed);
  // One action for a normalised observation: the mean, a sample (explore) or the mean itself,
  // its log-probability and the state's value.
  void act(const float* obs, bool explore, float* action, double* logp, double* value);
  double value(const float* obs);
  // compute_gae() then epochs x minibatches Adam steps. lr_frac in (0, 1]: the share of the
  // learning rate left (1 - updates done / updates planned when annealing; 1 otherwise).
  PpoStats update(Rollout& r, double lr_frac = 1.0);
  ActorCritic& net() { return ac_; }
  const ActorCritic& net() const { return ac_; }
  const PpoConfig& config() const { return cfg_; }
  Rng& rng() { return rng_; }

 private:
  PpoConfig cfg_;
  Rng rng_;  // exploration noise and minibatch shuffles
  ActorCritic ac_;
  nn::Adam adam_;
  std::vector<float> ws_, mu_, grad_;
};

}  // namespace helm
