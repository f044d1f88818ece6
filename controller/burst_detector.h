// Burst detection for HELM's third layer: a one-sided Poisson log-likelihood-ratio CUSUM over a
// high-rate count (EMB lookups or tokens per 10 ms bin, counted on the worker: request counts
// are too sparse to see a burst within a few hundred ms).
//
// Per bin with count n and baseline mean m (per bin), the evidence for "rate = factor x m"
// against "rate = m" is  llr = n log(factor) - (factor - 1) m;  S = max(0, S + llr) and the
// alarm rises when S > threshold. Under the baseline the expected llr is negative, so false
// alarms come roughly every exp(threshold) bins (the test checks fewer than one per simulated
// hour at 1000 events/s); under a factor-2 burst at 1000 events/s the drift is +3.9 per bin, so
// the alarm rises in ~4 bins (the test checks the 95th percentile is within 100 ms).
// The baseline m is a slow EWMA of the counts, learned during a warm-up and frozen while the
// alarm is up (a burst must not become its own baseline). Recovery has hysteresis: during an
// alarm a second CUSUM gathers evidence for "back to m" (R = max(0, R - llr)); the alarm falls
// only when R > clear_threshold. A "burst" that lasts longer than adopt_after_s is a new level,
// not a burst: the baseline is re-learned from it. After the alarm falls, calm() ramps from 0
// to 1 over recovery_s, so whoever acts on it (policy_helm.cpp) returns to normal gradually.
// Single-threaded; one per node.
#pragma once
#include <cstdint>

#include "common/clock.h"

namespace helm {

struct BurstConfig {
  Nanos bin_ns = 10'000'000;   // 10 ms bins
  double factor = 2.0;         // the burst size the CUSUM is tuned to (larger ones are faster)
  double threshold = 14.0;     // S > threshold raises the alarm
  double clear_threshold = 7.0;  // R > clear_threshold lowers it
  double baseline_s = 10.0;    // EWMA time constant of the baseline
  double warmup_s = 1.0;       // no alarms before this much signal (baseline = running mean)
  double adopt_after_s = 30.0;  // an alarm this long re-learns the baseline
  double recovery_s = 1.0;     // calm() ramp after the alarm falls
  double min_rate = 1e-3;      // floor of the per-bin baseline (an idle node)
};

// A detector over one count per control window (request arrivals: Poisson enough), for where no
// worker-side 10 ms detector runs: the same rules on a coarser clock (baseline over 30 windows).
BurstConfig per_window_burst_config(Nanos interval);

class BurstDetector {
 public:
  explicit BurstDetector(const BurstConfig& cfg = {});
  // One bin's count; returns alarm().
  bool add(double count);
  bool alarm() const { return alarm_; }
  // 0 during an alarm, rising linearly to 1 over recovery_s after it falls; 1 when calm.
  double calm() const;
  double baseline() const { return base_; }  // per bin
  double score() const { return s_; }
  int64_t bins() const { return bins_; }
  int64_t alarms() const { return alarms_; }  // alarms raised so far
  const BurstConfig& config() const { return cfg_; }

 private:
  BurstConfig cfg_;
  double alpha_, log_factor_;
  int64_t warmup_bins_, adopt_bins_, recovery_bins_;
  double base_ = 0, s_ = 0, r_ = 0;
  int64_t bins_ = 0, warm_ = 0, alarm_bins_ = 0, since_clear_ = -1, alarms_ = 0;
  bool alarm_ = false;
};

}  // namespace helm
