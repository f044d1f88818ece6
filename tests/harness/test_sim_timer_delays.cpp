// Timer delays as measured distributions (gr_model/delay_quantiles.h): the quantiles represent
// the trials, draws reproduce the stored distribution's mean and median, cost-model files with
// and without quantiles load, and `sim` draws each request's admission lag and each timeout's
// lateness from them, the same way for the same seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/rng.h"
#include "gr_model/calibrate.h"
#include "gr_model/delay_quantiles.h"
#include "harness/sim/sim_driver.h"
#include "test_sim_util.h"

using namespace helm;

namespace {

// A skewed delay like a loaded machine's: mostly ~20 us, a tenth of the trials a long preemption.
std::vector<double> skewed_trials(int n, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> v;
  for (int i = 0; i < n; ++i)
    v.push_back(rng.lognormal(std::log(20e3), 0.3) + (rng.bernoulli(0.1) ? rng.exponential(1 / 2e6) : 0));
  return v;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string tmp(const std::string& name) { return simtest::temp_file("helm_test_delays_", name); }
using simtest::load_error;

}  // namespace

TEST(DelayQuantiles, RepresentTheTrials) {
  const std::vector<double> t = skewed_trials(4000, 3);
  const DelayQuantiles d = DelayQuantiles::from_samples(t);
  ASSERT_EQ(d.values().size(), static_cast<size_t>(DelayQuantiles::kQuantiles));
  EXPECT_TRUE(std::is_sorted(d.values().begin(), d.values().end()));
  EXPECT_GE(d.values().front(), *std::min_element(t.begin(), t.end()));
  EXPECT_LE(d.values().back(), *std::max_element(t.begin(), t.end()));
  EXPECT_NEAR(d.median(), median_of(t), 0.03 * median_of(t));
  // Slice means keep the trials' mean exactly, tail included.
  EXPECT_NEAR(d.mean(), mean_of(t), 1e-9 * mean_of(t));
  // The point of the distribution: its mean is far above its median, which no constant matches.
  EXPECT_GT(d.mean(), 3 * d.median());
}

TEST(DelayQuantiles, DrawsMatchTheStoredMeanAndMedian) {
  const DelayQuantiles d = DelayQuantiles::from_samples(skewed_trials(4000, 5));
  DelaySource src(&d, 0, 42);
  std::vector<double> drawn;
  for (int i = 0; i < 200'000; ++i) drawn.push_back(static_cast<double>(src.next()));
  EXPECT_NEAR(mean_of(drawn), d.mean(), 0.03 * d.mean());
  EXPECT_NEAR(median_of(drawn), d.median(), 0.02 * d.median());
  EXPECT_GE(*std::min_element(drawn.begin(), drawn.end()), std::floor(d.values().front()));
  // Few trials (fewer than slices) still give a distribution with their mean.
  const DelayQuantiles few = DelayQuantiles::from_samples({10, 20, 60});
  EXPECT_NEAR(few.mean(), 30, 1e-9);
  EXPECT_EQ(few.values().front(), 10);
  EXPECT_EQ(few.values().back(), 60);
  EXPECT_LE(*std::max_element(drawn.begin(), drawn.end()), std::ceil(d.values().back()));
}

TEST(DelayQuantiles, ADrawIsAFunctionOfSeedAndKeyAlone) {
  const DelayQuantiles d = DelayQuantiles::from_samples(skewed_trials(500, 7));
  DelaySource a(&d, 0, 9), b(&d, 0, 9), c(&d, 0, 10);
  for (int i = 0; i < 50; ++i) (void)b.next();  // b has drawn other keys meanwhile
  int differ = 0;
  for (uint64_t k = 0; k < 100; ++k) {
    EXPECT_EQ(a.at(k), b.at(k));
    differ += a.at(k) != c.at(k);
  }
  EXPECT_GT(differ, 50);
  // No distribution: the constant, whatever the key.
  const DelaySource constant(nullptr, 1234, 9);
  EXPECT_EQ(constant.at(0), 1234);
  EXPECT_EQ(constant.at(77), 1234);
}

TEST(DelayQuantiles, SumOfIndependentPartsAddsMeans) {
  const std::vector<double> a = skewed_trials(300, 11), b = skewed_trials(300, 12);
  const DelayQuantiles s = DelayQuantiles::sum_of(a, b);
  EXPECT_NEAR(s.mean(), mean_of(a) + mean_of(b), 1e-9 * (mean_of(a) + mean_of(b)));
  EXPECT_GE(s.values().front(), *std::min_element(a.begin(), a.end()) + *std::min_element(b.begin(), b.end()));
}

TEST(DelayQuantiles, BadStoredValuesAreRefused) {
  std::string why;
  EXPECT_TRUE(DelayQuantiles::from_values({5}, why).empty());
  EXPECT_NE(why.find("at least 2"), std::string::npos);
  EXPECT_TRUE(DelayQuantiles::from_values({5, 3}, why).empty());
  EXPECT_NE(why.find("non-decreasing"), std::string::npos);
  EXPECT_TRUE(DelayQuantiles::from_values({-1, 3}, why).empty());
  EXPECT_NE(why.find("non-negative"), std::string::npos);
  EXPECT_FALSE(DelayQuantiles::from_values({1, 1, 3}, why).empty());
}

TEST(CostModelFile, TimerQuantilesRoundTripAndOldFilesLoad) {
  CostModel m = simtest::flat_cost_model();
  HarnessTiming h;
  h.late_trials = skewed_trials(100, 1);
  h.overshoot_trials = skewed_trials(100, 2);
  h.detect_trials = skewed_trials(100, 3);
  h.deadline_late_ns = mean_of(h.late_trials);
  h.sleep_overshoot_ns = mean_of(h.overshoot_trials);
  h.poll_detect_ns = mean_of(h.detect_trials);
  set_harness_timing(m, h);
  EXPECT_EQ(m.wake_ns, h.deadline_late_ns);
  EXPECT_EQ(m.admit_ns, h.sleep_overshoot_ns + h.poll_detect_ns);
  const std::string p = tmp("q.json");
  save_cost_model(m, p);
  const CostModel r = load_cost_model(p);
  EXPECT_EQ(r.wake_quantiles.values(), m.wake_quantiles.values());
  EXPECT_EQ(r.admit_quantiles.values(), m.admit_quantiles.values());
  EXPECT_FALSE(r.admit_quantiles.empty());
  // A file from before the quantiles: loads, no distribution (sim keeps the constants).
  nlohmann::json j;
  std::ifstream(p) >> j;
  j["host"].erase("wake_quantiles_ns");
  j["host"].erase("admit_quantiles_ns");
  const std::string old = tmp("old.json");
  std::ofstream(old) << j.dump();
  const CostModel o = load_cost_model(old);
  EXPECT_TRUE(o.wake_quantiles.empty());
  EXPECT_TRUE(o.admit_quantiles.empty());
  EXPECT_EQ(o.wake_ns, m.wake_ns);
  // The shipped models load (none of them need the quantiles).
  for (const auto& name : shipped_cost_models()) EXPECT_NO_THROW(load_cost_model(resolve_cost_model(name))) << name;
}

TEST(CostModelFile, BadTimerQuantilesNameTheField) {
  CostModel m = simtest::flat_cost_model();
  m.wake_quantiles = DelayQuantiles::from_samples({1, 2, 3});
  const std::string p = tmp("good.json");
  save_cost_model(m, p);
  nlohmann::json j;
  std::ifstream(p) >> j;
  auto bad = [&](const char* field, const nlohmann::json& v, const char* why) {
    nlohmann::json k = j;
    k["host"][field] = v;
    const std::string q = tmp(std::string("bad_") + field + ".json");
    std::ofstream(q) << k.dump();
    const std::string e = load_error(q);
    EXPECT_NE(e.find(q), std::string::npos) << e;
    EXPECT_NE(e.find(std::string("host.") + field), std::string::npos) << e;
    EXPECT_NE(e.find(why), std::string::npos) << e;
  };
  bad("wake_quantiles_ns", nlohmann::json::array({3, 2, 1}), "non-decreasing");
  bad("wake_quantiles_ns", "fast", "array");
  bad("admit_quantiles_ns", nlohmann::json::array({1, "x"}), "numbers");
  bad("admit_quantiles_ns", nlohmann::json::array({-5, 1}), "non-negative");
  bad("admit_quantiles_ns", nlohmann::json::array({7}), "at least 2");
}

namespace {
// Lone requests (far apart, fast service): each waits admission lag + batch timeout + the wake
// lateness, nothing else, so start - arrival - timeout is one admission draw plus one wake draw.
std::vector<double> lone_waits(const CostModel& m, uint64_t seed, std::vector<RequestRow>* rows = nullptr) {
  RunOptions o = simtest::tiny_options();
  o.qps = 20;
  o.duration_s = 30;
  o.seed = seed;
  const RunContext ctx = build_run_context(o, "");
  const SimResult r = simulate(ctx, m, simtest::sim_options(1, m));
  const Nanos timeout = static_cast<Nanos>(o.batch_timeout_us * 1e3);
  std::vector<double> w;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const RequestRow& row = r.rows[i];
    // Alone in its batch, with no predecessor within reach (its admission is its own draw).
    if (row.status != kCompleted || row.batch_size != 1) continue;
    if (i > 0 && row.arrival - r.rows[i - 1].arrival < 20'000'000) continue;
    w.push_back(static_cast<double>(row.start - row.arrival - timeout));
  }
  if (rows) *rows = r.rows;
  return w;
}
}  // namespace

TEST(SimTimerDelays, LoneRequestsWaitDrawsFromTheStoredDistributions) {
  CostModel m = simtest::flat_cost_model();
  m.batch_ns = 50'000;
  // Admission lag uniform-ish over 20..220 us, wake lateness skewed: 10 us typical, 400 us worst.
  std::vector<double> admit, wake;
  for (int i = 0; i < 32; ++i) admit.push_back(20e3 + 200e3 * i / 31.0);
  for (int i = 0; i < 32; ++i) wake.push_back(i < 28 ? 10e3 + 200.0 * i : 16e3 + 100e3 * (i - 27));
  std::string why;
  m.admit_quantiles = DelayQuantiles::from_values(admit, why);
  m.wake_quantiles = DelayQuantiles::from_values(wake, why);
  ASSERT_FALSE(m.admit_quantiles.empty() || m.wake_quantiles.empty()) << why;
  const std::vector<double> w = lone_waits(m, 1);
  ASSERT_GT(w.size(), 300u);
  const double lo = m.admit_quantiles.values().front() + m.wake_quantiles.values().front();
  const double hi = m.admit_quantiles.values().back() + m.wake_quantiles.values().back();
  for (double x : w) {
    EXPECT_GE(x, lo - 2);
    EXPECT_LE(x, hi + 2);
  }
  const double want = m.admit_quantiles.mean() + m.wake_quantiles.mean();
  EXPECT_NEAR(mean_of(w), want, 0.08 * want);
  // Not the constants any more: the waits spread, and their mean is not admit_ns + wake_ns.
  EXPECT_GT(*std::max_element(w.begin(), w.end()) - *std::min_element(w.begin(), w.end()), 100e3);
  EXPECT_GT(std::abs(mean_of(w) - (m.admit_ns + m.wake_ns)), 10e3);
}

TEST(SimTimerDelays, SameSeedSameRowsOtherSeedOtherDraws) {
  CostModel m = simtest::flat_cost_model();
  m.admit_quantiles = DelayQuantiles::from_samples(skewed_trials(100, 21));
  m.wake_quantiles = DelayQuantiles::from_samples(skewed_trials(100, 22));
  std::vector<RequestRow> a, b;
  const std::vector<double> wa = lone_waits(m, 4, &a), wb = lone_waits(m, 4, &b);
  EXPECT_EQ(a, b);
  EXPECT_EQ(wa, wb);
  // Without quantiles every lone wait is the constant pair, exactly as before.
  const CostModel c = simtest::flat_cost_model();
  for (double x : lone_waits(c, 4)) EXPECT_EQ(x, c.admit_ns + c.wake_ns);
}
