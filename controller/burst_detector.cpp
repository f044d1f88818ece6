#include "controller/burst_detector.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace helm {

BurstConfig per_window_burst_config(Nanos interval) {
  BurstConfig c;
  const double s = static_cast<double>(interval) * 1e-9;
  c.bin_ns = interval;
  c.baseline_s = 30 * s;
  c.warmup_s = 3 * s;
  c.adopt_after_s = 30 * s;
  c.recovery_s = 3 * s;
  return c;
}

BurstDetector::BurstDetector(const BurstConfig& cfg) : cfg_(cfg) {
  HELM_CHECK(cfg.bin_ns > 0 && cfg.factor > 1 && cfg.threshold > 0 && cfg.clear_threshold > 0,
             "burst detector: bin, factor, thresholds must be positive (factor > 1)");
  const double bin_s = static_cast<double>(cfg.bin_ns) * 1e-9;
  const auto bins = [&](double s) { return static_cast<int64_t>(std::ceil(s / bin_s)); };
  alpha_ = 1.0 - std::exp(-bin_s / cfg.baseline_s);
  log_factor_ = std::log(cfg.factor);
  warmup_bins_ = std::max<int64_t>(1, bins(cfg.warmup_s));
  adopt_bins_ = bins(cfg.adopt_after_s);
  recovery_bins_ = bins(cfg.recovery_s);
}

bool BurstDetector::add(double count) {
  ++bins_;
  if (warm_ < warmup_bins_) {  // the running mean, then the EWMA takes over from it
    ++warm_;
    base_ += (count - base_) / static_cast<double>(warm_);
    return false;
  }
  const double m = std::max(base_, cfg_.min_rate);
  const double llr = count * log_factor_ - (cfg_.factor - 1) * m;
  if (since_clear_ >= 0) ++since_clear_;
  if (!alarm_) {
    s_ = std::max(0.0, s_ + llr);
    if (s_ > cfg_.threshold) {
      alarm_ = true;
      ++alarms_;
      alarm_bins_ = 0;
      r_ = 0;
      since_clear_ = -1;
    } else {
      base_ += alpha_ * (count - base_);  // frozen while the alarm is up
    }
    return alarm_;
  }
  ++alarm_bins_;
  r_ = std::max(0.0, r_ - llr);
  if (r_ > cfg_.clear_threshold) {
    alarm_ = false;
    s_ = 0;
    since_clear_ = 0;
  } else if (alarm_bins_ >= adopt_bins_) {
    // Not a burst but a new level: restart the baseline from the counts to come.
    alarm_ = false;
    s_ = 0;
    since_clear_ = 0;
    warm_ = 0;
    base_ = 0;
  }
  return alarm_;
}

double BurstDetector::calm() const {
  if (alarm_) return 0.0;
  if (since_clear_ < 0 || recovery_bins_ <= 0) return 1.0;
  return std::min(1.0, static_cast<double>(since_clear_) / static_cast<double>(recovery_bins_));
}

}  // namespace helm
