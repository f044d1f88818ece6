// The burst detector on synthetic Poisson event streams (1000 events/s baseline, 10 ms bins):
// false alarms per simulated hour, detection delay of a 2x burst over many trials, recovery with
// hysteresis, and a lasting level shift adopted as the new baseline.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/rng.h"
#include "controller/burst_detector.h"

namespace helm {
namespace {

constexpr double kBinS = 0.01;

// Events of a Poisson process whose rate is rate(t) (piecewise constant per call), binned.
class Stream {
 public:
  explicit Stream(uint64_t seed) : rng_(seed) {}
  // Count of events in the next bin [t, t + kBinS) at `rate` events/s.
  int next_bin(double rate) {
    const double end = t_ + kBinS;
    int n = 0;
    if (next_ < t_) next_ = t_ + rng_.exponential(rate);  // memoryless: redraw after a rate change
    while (next_ < end) {
      ++n;
      next_ += rng_.exponential(rate);
    }
    t_ = end;
    return n;
  }
  // A rate change at time `at` inside the current bin: draws events piecewise.
  int next_bin_split(double rate0, double rate1, double frac) {
    const double mid = t_ + frac * kBinS, end = t_ + kBinS;
    int n = 0;
    double t = t_;
    while ((t += rng_.exponential(rate0)) < mid) ++n;
    t = mid;
    while ((t += rng_.exponential(rate1)) < end) ++n;
    next_ = end + rng_.exponential(rate1);
    t_ = end;
    return n;
  }
  double uniform() { return rng_.uniform(); }

 private:
  Rng rng_;
  double t_ = 0, next_ = -1;
};

TEST(BurstDetector, AtMostOneFalseAlarmPerSimulatedHour) {
  BurstDetector d;
  Stream s(stream_seed(1, "baseline"));
  const double hours = 6;
  const int64_t bins = static_cast<int64_t>(hours * 3600 / kBinS);
  for (int64_t b = 0; b < bins; ++b) d.add(s.next_bin(1000.0));
  RecordProperty("false_alarms", static_cast<int>(d.alarms()));
  EXPECT_LE(d.alarms(), static_cast<int64_t>(hours)) << "over " << hours << " simulated hours";
  EXPECT_NEAR(d.baseline(), 10.0, 0.3);
}

TEST(BurstDetector, DetectsA2xBurstWithin100msAtThe95thPercentile) {
  const int trials = 400;
  std::vector<double> delay_ms;
  int missed = 0, early = 0;
  for (int trial = 0; trial < trials; ++trial) {
    BurstDetector d;
    Stream s(stream_seed(static_cast<uint64_t>(trial), "burst-trial"));
    const int calm_bins = 1500 + static_cast<int>(s.uniform() * 500);  // 15-20 s of baseline
    for (int b = 0; b < calm_bins; ++b) d.add(s.next_bin(1000.0));
    early += d.alarms() > 0;
    // The burst starts at a uniform point inside a bin; delay = its start to the end of the
    // bin that raised the alarm (when the worker could first act on it).
    const double frac = s.uniform();
    double delay = (1 - frac) * kBinS;
    bool hit = d.add(s.next_bin_split(1000.0, 2000.0, frac));
    for (int b = 0; !hit && b < 100; ++b) {
      hit = d.add(s.next_bin(2000.0));
      delay += kBinS;
    }
    if (!hit) ++missed;
    delay_ms.push_back(hit ? delay * 1e3 : 1e9);
  }
  std::sort(delay_ms.begin(), delay_ms.end());
  const double p50 = delay_ms[trials / 2];
  const double p95 = delay_ms[static_cast<size_t>(std::ceil(0.95 * trials)) - 1];  // nearest rank
  RecordProperty("delay_p50_ms", std::to_string(p50));
  RecordProperty("delay_p95_ms", std::to_string(p95));
  EXPECT_LE(p95, 100.0) << "p50 " << p50 << " ms";
  EXPECT_EQ(missed, 0);
  EXPECT_LE(early, trials / 100);  // ~0.5 hour of baseline in all: expected < 1 false alarm
}

TEST(BurstDetector, RecoversWithHysteresisAndKeepsItsBaseline) {
  BurstConfig cfg;
  BurstDetector d(cfg);
  Stream s(stream_seed(3, "recovery"));
  for (int b = 0; b < 2000; ++b) d.add(s.next_bin(1000.0));
  ASSERT_FALSE(d.alarm());
  EXPECT_DOUBLE_EQ(d.calm(), 1.0);
  int up_bins = 0;
  for (int b = 0; b < 300; ++b) up_bins += d.add(s.next_bin(2500.0));  // 3 s burst
  EXPECT_TRUE(d.alarm());
  EXPECT_EQ(d.alarms(), 1);   // one alarm for the whole burst, no flicker
  EXPECT_GE(up_bins, 290);
  EXPECT_NEAR(d.baseline(), 10.0, 0.5);  // frozen: the burst did not leak into it
  EXPECT_EQ(d.calm(), 0.0);
  int fall = -1;
  for (int b = 0; b < 300 && fall < 0; ++b)
    if (!d.add(s.next_bin(1000.0))) fall = b;
  ASSERT_GE(fall, 0);
  EXPECT_LE(fall, 50);  // falls within 0.5 s of the burst's end...
  EXPECT_GE(fall, 1);   // ...but not on the first calm bin (hysteresis)
  EXPECT_LT(d.calm(), 0.2);  // and recovery is gradual
  for (int b = 0; b < 100; ++b) d.add(s.next_bin(1000.0));
  EXPECT_DOUBLE_EQ(d.calm(), 1.0);
  EXPECT_EQ(d.alarms(), 1);
}

TEST(BurstDetector, AdoptsALastingLevelShiftAsTheNewBaseline) {
  BurstDetector d;
  Stream s(stream_seed(4, "shift"));
  for (int b = 0; b < 2000; ++b) d.add(s.next_bin(1000.0));
  for (int b = 0; b < 6000; ++b) d.add(s.next_bin(2000.0));  // 60 s at twice the rate
  EXPECT_FALSE(d.alarm());
  EXPECT_NEAR(d.baseline(), 20.0, 1.5);
  const int64_t before = d.alarms();
  for (int b = 0; b < 6000; ++b) d.add(s.next_bin(2000.0));
  EXPECT_EQ(d.alarms(), before);  // the new level no longer alarms
}

}  // namespace
}  // namespace helm
