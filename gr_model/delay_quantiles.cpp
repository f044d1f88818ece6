#include "gr_model/delay_quantiles.h"

#include <algorithm>
#include <cmath>

#include "common/rng.h"

namespace helm {

DelayQuantiles DelayQuantiles::from_samples(std::vector<double> trials) {
  DelayQuantiles d;
  if (trials.empty()) return d;
  for (double& t : trials) t = std::max(0.0, t);  // a clock read can come back a hair early
  std::sort(trials.begin(), trials.end());
  // Slice i holds the trials' ranks [i N / K, (i + 1) N / K): a trial split by a boundary counts
  // in both slices by the fraction on each side, so every slice weighs exactly N / K trials.
  const double N = static_cast<double>(trials.size()), w = N / kQuantiles;
  for (int i = 0; i < kQuantiles; ++i) {
    const double lo = i * w, hi = (i + 1) * w;
    double sum = 0;
    for (size_t k = static_cast<size_t>(lo); k < trials.size() && static_cast<double>(k) < hi; ++k)
      sum += trials[k] * (std::min(hi, k + 1.0) - std::max(lo, static_cast<double>(k)));
    d.q_.push_back(sum / w);
  }
  return d;
}

DelayQuantiles DelayQuantiles::from_values(std::vector<double> q, std::string& why) {
  DelayQuantiles d;
  if (q.size() < 2) {
    why = "needs at least 2 quantiles";
    return d;
  }
  for (size_t i = 0; i < q.size(); ++i) {
    if (!std::isfinite(q[i]) || q[i] < 0) {
      why = "must hold finite non-negative numbers";
      return d;
    }
    if (i && q[i] < q[i - 1]) {
      why = "must be non-decreasing (quantiles at evenly spaced probabilities 0..1)";
      return d;
    }
  }
  d.q_ = std::move(q);
  return d;
}

DelayQuantiles DelayQuantiles::sum_of(std::span<const double> a, std::span<const double> b) {
  std::vector<double> s;
  s.reserve(a.size() * b.size());
  for (double x : a)
    for (double y : b) s.push_back(x + y);
  return from_samples(std::move(s));
}

double DelayQuantiles::quantile(double p) const {
  if (q_.empty()) return 0;
  const double x = std::clamp(p, 0.0, 1.0) * static_cast<double>(q_.size()) - 0.5;  // in slice centres
  if (x <= 0) return q_.front();
  const size_t k = static_cast<size_t>(x);
  if (k + 1 >= q_.size()) return q_.back();
  return q_[k] + (x - static_cast<double>(k)) * (q_[k + 1] - q_[k]);
}

double DelayQuantiles::mean() const {
  // Flat half slices at both ends, linear between centres: each value weighs exactly 1 / K.
  double s = 0;
  for (double v : q_) s += v;
  return q_.empty() ? 0 : s / static_cast<double>(q_.size());
}

Nanos DelayQuantiles::draw(double u) const { return static_cast<Nanos>(std::llround(quantile(u))); }

Nanos DelaySource::at(uint64_t key) const {
  if (!dist_ || dist_->empty()) return constant_;
  const double u = static_cast<double>(hash64(seed_, key) >> 11) * 0x1.0p-53;
  return dist_->draw(u);
}

}  // namespace helm
