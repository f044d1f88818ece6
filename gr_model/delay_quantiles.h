// A measured delay as a distribution: the harness's timer lateness (a deadline noticed late, a
// sleep that overshoots, an idle poll that looks late) is skewed on a loaded machine -- mostly
// short, with a few long preemptions -- so no single constant matches both its mean and its
// median. `calibrate` stores the sorted trials cut into K equal-probability slices, each slice
// as its mean (a non-decreasing list of K values, K = kQuantiles from calibrate; any K >= 2 loads),
// and `sim` draws each event's delay by inverse transform at a uniform u in [0, 1): the inverse
// CDF is linear between the slice centres (probabilities (i + 0.5) / K) and flat in the outer half
// slices. Slice means rather than order statistics because the mean of that inverse CDF is then
// exactly the trials' mean: a rare long preemption keeps its weight without the single worst
// trial stretching a whole slice, while the middle slices give the median.
//
// The one owner of this type: the cost-model file (cost_model.cpp) parses and writes it through
// from_json_values / values below, and every draw goes through draw().
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"

namespace helm {

class DelayQuantiles {
 public:
  static constexpr int kQuantiles = 32;  // slices of probability 1/32

  DelayQuantiles() = default;  // empty: no distribution (the constant applies)
  // From raw trials (ns): kQuantiles slice means; empty trials give an empty distribution.
  static DelayQuantiles from_samples(std::vector<double> trials);
  // From stored slice values: at least 2, finite, non-negative, non-decreasing; otherwise
  // `why` gets the reason and the result is empty.
  static DelayQuantiles from_values(std::vector<double> q, std::string& why);
  // The distribution of a + b for independent a and b (every pair of their trials).
  static DelayQuantiles sum_of(std::span<const double> a, std::span<const double> b);

  bool empty() const { return q_.empty(); }
  const std::vector<double>& values() const { return q_; }
  // The mean, the median and quantile p in [0, 1] of what draw() samples.
  double mean() const;
  double median() const { return quantile(0.5); }
  double quantile(double p) const;
  // The delay at uniform u in [0, 1), rounded to ns.
  Nanos draw(double u) const;

 private:
  std::vector<double> q_;
};

// A reproducible source of one delay per event: the constant when `dist` is empty, else draws
// from `dist`. Each draw is a pure function of (seed, key), so the delay of request k (key = its
// id) or of a node's n-th timer (key = n, seed per node) does not depend on the order in which a
// simulation processes other nodes' events.
class DelaySource {
 public:
  DelaySource() = default;
  DelaySource(const DelayQuantiles* dist, double constant_ns, uint64_t seed)
      : dist_(dist), constant_(static_cast<Nanos>(constant_ns)), seed_(seed) {}
  Nanos at(uint64_t key) const;
  Nanos next() { return at(count_++); }  // a stream: the key counts the draws

 private:
  const DelayQuantiles* dist_ = nullptr;
  Nanos constant_ = 0;
  uint64_t seed_ = 0, count_ = 0;
};

}  // namespace helm
