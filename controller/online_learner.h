// HELM's second layer, the residual adapter, and the PPO learner that trains it online from the
// windows of every node (one learner per run, shared by the nodes' policies).
//
// The adapter is a small Gaussian policy on the (normalised) state; its mean's output layer
// starts at zero, so until it has learned something its action u is 0 (plus exploration noise
// when exploring) and the residual lambda * tanh(u) adds nothing to the base.
// Each node's policy pushes one transition per window (state, u, log-prob, reward, next state);
// every `every` transitions of a node form a segment; when every node has a segment, one
// rollout (steps = every, envs = nodes) gets one PPO update (values are computed there, by the
// learner's critic, so the decision path never evaluates a critic).
// Threading: in background mode the update runs on the learner's own thread, niced below the
// thread that created the learner; push() and fetch() only try-lock the mutex the trainer
// takes (a preempted low-priority trainer holding it must not stall a decision), so a
// decision never waits on training. push() for one node must come from one thread at a time
// (its policy's caller). New weights are
// published under that lock and picked up whole by fetch() (no torn weights). In sync mode the
// update runs inside the push() that completes the round: deterministic (for `sim`).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "controller/nn.h"
#include "controller/ppo.h"

namespace helm {

struct AdapterConfig {
  PpoConfig ppo = [] {
    PpoConfig c;
    c.hidden = {32};  // a small residual: one hidden layer keeps a decision under 1 us
    c.minibatches = 4;
    c.anneal_lr = false;  // online: no end to anneal toward
    c.policy_out_gain = 0;  // zero-initialised output layer
    c.init_log_std = -1.0;
    return c;
  }();
  int every = 64;          // windows per node between updates
  bool background = true;  // false: train inside push() (deterministic)
  int nice = 10;           // how far below its creator the training thread runs
  // Full segments a node may have waiting (for a slow node or a busy trainer); beyond it the
  // oldest is dropped: stale on-policy data is worth little, and memory stays bounded.
  int max_ready = 4;
};

struct AdapterWeights {
  nn::Mlp<float> mean;
  std::vector<float> log_std;
};

class OnlineLearner {
 public:
  OnlineLearner(int nodes, int state_dim, AdapterConfig cfg, uint64_t seed);
  ~OnlineLearner();
  OnlineLearner(const OnlineLearner&) = delete;
  OnlineLearner& operator=(const OnlineLearner&) = delete;

  // The initial weights (zero output layer).
  const AdapterWeights& initial() const { return initial_; }
  // From a node's policy, once per window after the first: the previous window's state and
  // action and what followed (its reward, the new state).
  void push(int node, const float* obs, float u, double logp, double reward, const float* next_obs);
  // Copies the newest weights into w if they are newer than `version` (then updates it) and the
  // lock is free right now; never blocks. Returns whether it copied.
  bool fetch(uint64_t& version, AdapterWeights& w);
  int64_t updates() const { return updates_.load(std::memory_order_relaxed); }
  const AdapterConfig& config() const { return cfg_; }

 private:
  struct Segment {
    std::vector<float> obs, next_obs;  // next_obs: the state after the segment's last step
    std::vector<float> u;
    std::vector<double> logp, reward;
  };
  void train(std::vector<Segment> round);  // one PPO update on one segment per node
  void loop();
  bool take_round(std::vector<Segment>& round);  // under mu_

  int nodes_, dim_;
  AdapterConfig cfg_;
  Ppo ppo_;  // touched only by the training side
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Segment> open_;                 // per node, filling (its caller's, no lock)
  std::vector<std::vector<Segment>> outbox_;  // per node, full, not yet handed over (no lock)
  std::vector<std::vector<Segment>> ready_;   // per node, full segments
  AdapterWeights initial_, published_;
  uint64_t version_ = 0;
  std::atomic<uint64_t> latest_{0};
  std::atomic<int64_t> updates_{0};
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace helm
