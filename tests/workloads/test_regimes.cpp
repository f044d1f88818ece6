// Regime statistics over ~100k arrivals: burst CV and peaks, trend follows its curve,
// determinism by seed; and what the regimes do to popularity and users.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "common/error.h"
#include "workloads/arrivals.h"
#include "workloads/popularity.h"
#include "workloads/trace_stats.h"
#include "workloads/workload.h"

using namespace helm;

namespace {
double cv(const std::vector<Nanos>& t) {
  double sum = 0, sum2 = 0;
  for (size_t k = 1; k < t.size(); ++k) {
    const double d = static_cast<double>(t[k] - t[k - 1]);
    sum += d, sum2 += d * d;
  }
  const double n = static_cast<double>(t.size() - 1), m = sum / n;
  return std::sqrt(sum2 / n - m * m) / m;
}
double peak_to_mean(const std::vector<Nanos>& t, double duration) {
  std::vector<int64_t> bins(static_cast<size_t>(duration) + 1, 0);
  for (Nanos x : t) ++bins[static_cast<size_t>(x / 1000000000)];
  return static_cast<double>(*std::max_element(bins.begin(), bins.end())) / (t.size() / duration);
}
}  // namespace

TEST(BurstArrivals, FlashCrowdsOver100kArrivals) {
  BurstParams p;  // defaults: 4x bursts of ~10 s every ~60 s
  const double qps = 100, duration = 1000;  // ~100k arrivals, ~17 bursts
  const auto t = BurstArrivals(p).arrivals(qps, duration, 11);
  ASSERT_GT(t.size(), 95000u);
  EXPECT_NEAR(t.size() / duration, qps, 0.01 * qps);  // the mean is exact by construction
  EXPECT_TRUE(std::is_sorted(t.begin(), t.end()));
  EXPECT_GT(cv(t), 1.5);
  EXPECT_GE(peak_to_mean(t, duration), 0.8 * p.multiplier);
}

TEST(BurstArrivals, GammaRenewalHasItsCv) {
  BurstParams p;
  p.process = "gamma";
  p.gamma_cv = 2.5;
  const auto t = BurstArrivals(p).arrivals(1000, 100, 5);
  EXPECT_NEAR(t.size() / 100.0, 1000, 40);
  EXPECT_NEAR(cv(t), 2.5, 0.15);
  EXPECT_GT(cv(t), 1.5);
}

TEST(BurstArrivals, WindowsMatchTheRateAndBadParameters) {
  BurstParams p;
  BurstArrivals b(p);
  const auto w = b.burst_windows(1000, 3);
  ASSERT_GT(w.size(), 5u);
  const auto t = b.arrivals(200, 1000, 3);
  int64_t in = 0;
  double on_s = 0;
  for (const auto& x : w) {
    on_s += (x.t1 - x.t0) * 1e-9;
    in += std::lower_bound(t.begin(), t.end(), x.t1) - std::lower_bound(t.begin(), t.end(), x.t0);
  }
  // Burst rate ~ multiplier x mean (within noise and the per-run normalisation).
  EXPECT_NEAR(in / on_s / 200.0, p.multiplier, 0.6);
  p.multiplier = 7;  // 7 x 1/6 >= 1: nothing left between bursts
  EXPECT_THROW(BurstArrivals{p}, BadInput);
  p = {};
  p.process = "poisson";
  EXPECT_THROW(BurstArrivals{p}, BadInput);
}

TEST(TrendArrivals, RateFollowsItsCurveWithin10Percent) {
  TrendParams p;
  p.ramp = 0.5;
  TrendArrivals tr(p);
  const double qps = 500, duration = 200;  // ~100k arrivals
  const auto t = tr.arrivals(qps, duration, 21);
  EXPECT_NEAR(t.size() / duration, qps, 0.02 * qps);
  const int bins = 20;
  const double w = duration / bins;
  std::vector<int64_t> count(bins, 0);
  for (Nanos x : t) ++count[std::min(bins - 1, static_cast<int>(x * 1e-9 / w))];
  for (int b = 0; b < bins; ++b) {
    double expect = 0;  // integral of the rate over the bin (midpoint rule, 100 steps)
    for (int k = 0; k < 100; ++k) expect += tr.rate((b + (k + 0.5) / 100) * w, qps, duration) * w / 100;
    EXPECT_NEAR(count[b], expect, 0.1 * expect) << "bin " << b;
  }
  // The trough is at the start and the peak mid-run: a visible "day".
  EXPECT_GT(count[bins / 2], 2 * count[0]);
}

TEST(Regimes, DeterministicBySeed) {
  const RegimeParams r;
  for (const char* w : {"steady", "trend", "burst"}) {
    const auto a = make_arrival_process(w, r);
    EXPECT_EQ(a->arrivals(50, 100, 3), a->arrivals(50, 100, 3)) << w;
    EXPECT_NE(a->arrivals(50, 100, 3), a->arrivals(50, 100, 4)) << w;
  }
  EXPECT_THROW(make_arrival_process("bursty", r), BadInput);
}

TEST(PopularityTimeline, DriftRotatesTheHotSet) {
  TimeEffects e;
  e.drift.push_back({0, 100'000'000'000, 1.0 / 100.0});  // one turnover per 100 s
  PopularityTimeline tl(e, 100000, 1);
  EXPECT_EQ(tl.epochs(kPreTrace), 0);
  EXPECT_EQ(tl.epochs(0), 0);
  EXPECT_DOUBLE_EQ(tl.epochs(50'000'000'000), 0.5);
  EXPECT_DOUBLE_EQ(tl.epochs(200'000'000'000), 1.0);  // stops with its window
  EXPECT_EQ(tl.epoch_shift(0), 0);
  EXPECT_NE(tl.epoch_shift(1), tl.epoch_shift(2));
}

TEST(Regimes, TrendDriftsAndBurstFlashesInSyntheticTraces) {
  WorkloadSpec s;
  s.qps = 200;
  s.duration_s = 300;
  s.synthetic.users = 20000;
  s.synthetic.items = 100000;
  s.synthetic.init_history_median = 20;
  // Trend: the top-100 items of the popular candidates early vs late barely overlap.
  s.workload = "trend";
  s.regimes.trend.drift_share = 1.0;
  Trace t = build_trace(s);
  auto top = [&](Nanos from, Nanos to) {
    std::map<ItemId, int> freq;
    std::vector<ItemId> c;
    for (const auto& r : t.requests)
      if (r.arrival >= from && r.arrival < to) {
        t.items->candidates(r, 64, c);
        for (size_t k = 0; k < 32; ++k) ++freq[c[k]];  // the popular half
      }
    std::vector<std::pair<int, ItemId>> v;
    for (auto [i, n] : freq) v.push_back({-n, i});
    std::sort(v.begin(), v.end());
    std::set<ItemId> out;
    for (size_t k = 0; k < 100 && k < v.size(); ++k) out.insert(v[k].second);
    return out;
  };
  const auto early = top(0, 30'000'000'000), late = top(270'000'000'000, 300'000'000'000);
  int common = 0;
  for (ItemId i : early) common += late.count(i);
  EXPECT_LT(common, 30);
  // Histories stay prefix-stable under drift (positions keep the time they were consumed).
  std::map<UserId, std::vector<const Request*>> by_user;
  for (const auto& r : t.requests) by_user[r.user].push_back(&r);
  std::vector<ItemId> a, b;
  int checked = 0;
  for (const auto& [u, v] : by_user)
    if (v.size() >= 3 && checked++ < 50) {
      t.items->history(u, v.front()->history_len, a);
      t.items->history(u, v.back()->history_len, b);
      ASSERT_TRUE(std::equal(a.begin(), a.end(), b.begin()));
      t.items->history_range(u, v.front()->history_len, v.back()->history_len, a);
      ASSERT_TRUE(std::equal(a.begin(), a.end(), b.begin() + v.front()->history_len));
    }
  // Burst: more fresh users than steady, and flash items crowd the candidates during bursts.
  s.workload = "burst";
  const TraceStats burst = trace_stats(build_trace(s));
  s.workload = "steady";
  const TraceStats steady = trace_stats(build_trace(s));
  EXPECT_GT(burst.distinct_users, steady.distinct_users);
  EXPECT_GT(burst.interarrival_cv, 1.2);  // ~5 bursts: the 100k-arrival test checks 1.5
}
