// HELM's state, action and reward: the one place they are defined, so the policy (serving),
// the online adapter and the offline trainer compute them alike, and the policy file stores
// the definition text below next to the weights it was trained with.
//
// State (kHelmStateDim raw features of one node's window; the policy normalises them):
//   0 emb_hit        emb_hits / emb_lookups (0 without lookups)
//   1 kv_hit         kv_hit_tokens / kv_lookup_tokens (0 without lookups)
//   2 log_rate       log(1 + arrivals per second)
//   3 rate_change    (rate - previous window's rate) / max(previous rate, 1), clipped to [-5, 5]
//   4 returning      returning_arrivals / arrivals
//   5 log_history    log(1 + history_tokens / arrivals): mean history length
//   6 log_queue      log(1 + queue_len)
//   7 p99_slo        latency_p99 / SLO, capped at p99_cap (p99_cap if requests were dropped and
//                    none completed; 0 for an idle window)
//   8 share          emb_share, the split in effect
//   9 log_backlog    log(1 + refill_backlog_bytes / MiB)
//  10 mrc_best       (argmax_i of emb_saved[i] + kv_saved[20 - i]) / 20 - share; 0 without curves
//  11 mrc_gain       saved(best) / saved(current) - 1, clipped to [0, 10]; 0 without curves
//  12 burst          1 during a burst alarm
//  13 drop_share     dropped / arrivals
//  14 log_refill     log(1 + h2d_refill_bytes / MiB) of the window
//  15 log_demand     log(1 + h2d_demand_bytes / MiB) of the window
// Action: one number a; the split moves by max_delta x clamp(a, -1, 1) from the current share.
// Reward of a window (the outcome of the decision made at its start):
//   r = -p99_slo - viol_penalty x (slo_misses + dropped) / max(1, completed + dropped)
//       - move_cost x h2d_refill_bytes / GiB
#pragma once
#include <string>

#include "controller/burst_detector.h"
#include "controller/window.h"

namespace helm {

inline constexpr int kHelmStateDim = 16;

struct HelmRewardConfig {
  double slo_ns = 1e9;
  double p99_cap = 10;
  double viol_penalty = 2;
  double move_cost = 0.1;  // per GiB refilled
};

// Per node: keeps what a feature needs from the previous window (the arrival rate).
class HelmFeatures {
 public:
  // interval_ns: the control interval (for rates); reward config: the SLO and the cap.
  HelmFeatures(double interval_ns, const HelmRewardConfig& rc) : interval_s_(interval_ns * 1e-9), rc_(rc) {}
  // Fills out[kHelmStateDim] (raw) from w; `burst` is the alarm in effect for this window.
  void compute(const NodeWindowStats& w, bool burst, double* out);

 private:
  double interval_s_;
  HelmRewardConfig rc_;
  double prev_rate_ = -1;
};

// One node's window as HELM sees it, in serving and in training alike: the burst alarm in
// effect (the worker's 10 ms detector where the window carries one, else a per-window detector
// over arrivals) and the raw state.
class HelmObserver {
 public:
  HelmObserver(Nanos interval, const HelmRewardConfig& rc, bool burst_layer)
      : features_(static_cast<double>(interval), rc), burst_(per_window_burst_config(interval)), on_(burst_layer) {}
  struct View {
    bool alarm = false;
    double calm = 1.0;  // 0 in an alarm, ramping back to 1 after it
  };
  View observe(const NodeWindowStats& w, double* raw);

 private:
  HelmFeatures features_;
  BurstDetector burst_;
  bool on_;
};

double helm_reward(const NodeWindowStats& w, const HelmRewardConfig& rc);

// The split after action a from share (bounded change, then [0, 1]).
double helm_apply_action(double share, double a, double max_delta);

// The feature names (comma-separated) and the definitions above as text (stored in the file).
const char* helm_state_names();
std::string helm_definitions(const HelmRewardConfig& rc, double max_delta);

}  // namespace helm
