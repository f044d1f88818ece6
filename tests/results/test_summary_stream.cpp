// SummaryBuilder (the compact, one-row-at-a-time summary a run keeps instead of its rows) against
// the whole-row summary it replaced, kept below verbatim as the reference: on random rows fed in
// a random order (completion order, as a run produces them) every figure must be equal.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "results/summary.h"

using namespace helm;

namespace {

// The whole-row summarize() as it was before SummaryBuilder existed (all rows in memory).
Summary reference_summary(std::span<const RequestRow> rows, Nanos warmup_ns, double slo_ms, int64_t expected_requests) {
  Summary s;
  s.slo_ms = slo_ms;
  s.warmup_ns = warmup_ns;
  s.rows = static_cast<int64_t>(rows.size());
  const auto slo_ns = static_cast<Nanos>(std::llround(slo_ms * 1e6));
  std::vector<Nanos> latencies, lags;
  for (const RequestRow& r : rows) {
    if (r.arrival < warmup_ns) continue;
    ++s.generated;
    lags.push_back(r.dispatch_lag);
    s.emb_lookups += r.emb_lookups;
    s.emb_hits += r.emb_hits;
    s.kv_hit_tokens += r.kv_hit_tokens_pool + r.kv_hit_tokens_host;
    s.kv_computed_tokens += r.computed_tokens;
    if (r.status == kDropped) {
      ++s.dropped;
    } else if (r.status != kCompleted) {
      ++s.failed;
    } else {
      ++s.completed;
      const Nanos latency = r.finish - r.arrival;
      latencies.push_back(latency);
      if (latency <= slo_ns) ++s.within_slo;
      s.window_end = std::max(s.window_end, r.finish);
    }
  }
  std::sort(latencies.begin(), latencies.end());
  std::sort(lags.begin(), lags.end());
  s.p50 = nearest_rank(latencies, 50);
  s.p99 = nearest_rank(latencies, 99);
  s.p999 = nearest_rank(latencies, 99.9);
  s.p99_all = nearest_rank_with_lost(latencies, s.dropped + s.failed, 99);
  s.dispatch_lag_p99 = nearest_rank(lags, 99);
  auto ratio = [](int64_t a, int64_t b) { return b > 0 ? double(a) / double(b) : 0.0; };
  s.slo_satisfaction = ratio(s.within_slo, s.generated);
  const Nanos span = s.window_end - warmup_ns;
  s.throughput_rps = span > 0 ? double(s.completed) / (double(span) * 1e-9) : 0.0;
  s.goodput_rps = span > 0 ? double(s.within_slo) / (double(span) * 1e-9) : 0.0;
  s.emb_hit_rate = ratio(s.emb_hits, s.emb_lookups);
  s.kv_hit_rate = ratio(s.kv_hit_tokens, s.kv_hit_tokens + s.kv_computed_tokens);
  s.valid = double(s.dispatch_lag_p99.value) <= 0.05 * slo_ms * 1e6;
  s.expected_requests = expected_requests >= 0 ? expected_requests : s.rows;
  std::vector<uint8_t> seen(static_cast<size_t>(s.expected_requests), 0);
  for (const RequestRow& r : rows) {
    if (r.id < 0 || r.id >= s.expected_requests) ++s.out_of_range_rows;
    else if (seen[static_cast<size_t>(r.id)]++) ++s.duplicate_rows;
  }
  s.missing_ids = std::count(seen.begin(), seen.end(), uint8_t{0});
  s.exactly_once = s.missing_ids == 0 && s.duplicate_rows == 0 && s.out_of_range_rows == 0;
  return s;
}

void expect_same(const Summary& a, const Summary& b) {
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.generated, b.generated);
  EXPECT_EQ(a.completed, b.completed);
  EXPECT_EQ(a.dropped, b.dropped);
  EXPECT_EQ(a.failed, b.failed);
  for (auto [x, y] : {std::pair{a.p50, b.p50}, {a.p99, b.p99}, {a.p999, b.p999}, {a.dispatch_lag_p99, b.dispatch_lag_p99}}) {
    EXPECT_EQ(x.value, y.value);
    EXPECT_EQ(x.count, y.count);
  }
  EXPECT_EQ(a.p99_all.value, b.p99_all.value);
  EXPECT_EQ(a.p99_all.infinite, b.p99_all.infinite);
  EXPECT_EQ(a.p99_all.count, b.p99_all.count);
  EXPECT_EQ(a.within_slo, b.within_slo);
  EXPECT_EQ(a.slo_satisfaction, b.slo_satisfaction);
  EXPECT_EQ(a.window_end, b.window_end);
  EXPECT_EQ(a.throughput_rps, b.throughput_rps);
  EXPECT_EQ(a.goodput_rps, b.goodput_rps);
  EXPECT_EQ(a.emb_lookups, b.emb_lookups);
  EXPECT_EQ(a.emb_hits, b.emb_hits);
  EXPECT_EQ(a.emb_hit_rate, b.emb_hit_rate);
  EXPECT_EQ(a.kv_hit_tokens, b.kv_hit_tokens);
  EXPECT_EQ(a.kv_computed_tokens, b.kv_computed_tokens);
  EXPECT_EQ(a.kv_hit_rate, b.kv_hit_rate);
  EXPECT_EQ(a.valid, b.valid);
  EXPECT_EQ(a.expected_requests, b.expected_requests);
  EXPECT_EQ(a.missing_ids, b.missing_ids);
  EXPECT_EQ(a.duplicate_rows, b.duplicate_rows);
  EXPECT_EQ(a.out_of_range_rows, b.out_of_range_rows);
  EXPECT_EQ(a.exactly_once, b.exactly_once);
  EXPECT_EQ(format_footer(a), format_footer(b));
}

// n requests: completed (random latency around the SLO), dropped or failed; warm-up ones too.
std::vector<RequestRow> random_rows(std::mt19937_64& rng, int64_t n, double lost_share) {
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<RequestRow> rows;
  for (int64_t id = 0; id < n; ++id) {
    RequestRow r;
    r.id = id;
    r.arrival = id * 100'000 + static_cast<Nanos>(u(rng) * 50'000);
    r.dispatch_lag = static_cast<Nanos>(u(rng) * u(rng) * 400'000);
    const double x = u(rng);
    r.status = x < lost_share / 2 ? kDropped : x < lost_share ? kFailed : kCompleted;
    if (r.status == kCompleted) {
      r.start = r.arrival + 1000;
      r.finish = r.arrival + static_cast<Nanos>(u(rng) * 8e6);  // SLO 5 ms: some miss it
      r.latency = r.finish - r.arrival;
      r.computed_tokens = static_cast<int64_t>(u(rng) * 100);
      r.kv_hit_tokens_pool = static_cast<int64_t>(u(rng) * 100);
      r.kv_hit_tokens_host = static_cast<int64_t>(u(rng) * 10);
      r.emb_lookups = 64;
      r.emb_hits = static_cast<int64_t>(u(rng) * 64);
    }
    rows.push_back(r);
  }
  return rows;
}

}  // namespace

TEST(SummaryBuilder, EqualsTheWholeRowSummaryInAnyOrder) {
  std::mt19937_64 rng(11);
  const Nanos warmup = 20 * 100'000;  // the first 20 requests are warm-up
  for (const double lost : {0.0, 0.005, 0.3}) {  // P99 all finite, at the edge, infinite
    for (const int64_t n : {int64_t{1}, int64_t{25}, int64_t{999}, int64_t{5000}}) {
      std::vector<RequestRow> rows = random_rows(rng, n, lost);
      const Summary whole = reference_summary(rows, warmup, 5.0, n);
      std::shuffle(rows.begin(), rows.end(), rng);  // completion order, not id order
      SummaryBuilder b(warmup, 5.0, n);
      for (const auto& r : rows) b.add(r);
      SCOPED_TRACE(::testing::Message() << "n " << n << ", lost share " << lost);
      expect_same(b.finish(), whole);
      expect_same(summarize(rows, warmup, 5.0, n), whole);
    }
  }
}

TEST(SummaryBuilder, SeesDuplicatesGapsAndStrayIdsAsTheWholeRowSummaryDoes) {
  std::mt19937_64 rng(5);
  std::vector<RequestRow> rows = random_rows(rng, 300, 0.1);
  rows.push_back(rows[17]);          // a duplicate
  rows.erase(rows.begin() + 40);     // a gap
  RequestRow stray = rows[3];
  stray.id = 300;                    // beyond the trace
  rows.push_back(stray);
  const Summary whole = reference_summary(rows, 0, 5.0, 300);
  EXPECT_FALSE(whole.exactly_once);
  std::shuffle(rows.begin(), rows.end(), rng);
  SummaryBuilder b(0, 5.0, 300);
  for (const auto& r : rows) b.add(r);
  const Summary s = b.finish();
  expect_same(s, whole);
  EXPECT_EQ(s.duplicate_rows, 1);
  EXPECT_EQ(s.missing_ids, 1);
  EXPECT_EQ(s.out_of_range_rows, 1);
}
