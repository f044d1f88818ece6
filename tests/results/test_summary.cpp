// summarize() and the footer, on hand-built rows whose answers are worked out by hand.
#include "fixtures.h"
#include "results/summary.h"

#include <limits>

using namespace helm;
using test::completed;
using test::dropped;

namespace {
constexpr Nanos kMs = 1'000'000;
}

TEST(NearestRank, DefinitionOnSmallSets) {
  std::vector<Nanos> v;
  for (int i = 1; i <= 10; ++i) v.push_back(i);
  EXPECT_EQ(nearest_rank(v, 50).value, 5);   // ceil(0.5*10) = 5
  EXPECT_EQ(nearest_rank(v, 99).value, 10);  // ceil(9.9) = 10
  EXPECT_EQ(nearest_rank(v, 10).value, 1);
  EXPECT_EQ(nearest_rank(v, 11).value, 2);   // ceil(1.1) = 2: never interpolated
  EXPECT_EQ(nearest_rank(v, 50).count, 10);
  std::vector<Nanos> k(1000);
  for (int i = 0; i < 1000; ++i) k[i] = i + 1;
  EXPECT_EQ(nearest_rank(k, 99.9).value, 999);  // exactly rank 999, despite floating point
  EXPECT_EQ(nearest_rank(k, 99).value, 990);
  EXPECT_EQ(nearest_rank({}, 99).count, 0);
}

TEST(Summarize, PercentilesSloAndDropsAsMisses) {
  // 10 measured requests: 8 completed with latencies 1..8 ms, one dropped, one failed.
  std::vector<RequestRow> rows;
  for (int i = 0; i < 8; ++i) rows.push_back(completed(i, 100 + i, 1 + i));
  rows.push_back(dropped(8, 110));
  RequestRow failed = dropped(9, 111);
  failed.status = kFailed;
  rows.push_back(failed);
  const Summary s = summarize(rows, 0, /*slo_ms=*/5.0);
  EXPECT_EQ(s.generated, 10);
  EXPECT_EQ(s.completed, 8);
  EXPECT_EQ(s.dropped, 1);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.p50.value, 4 * kMs);  // ceil(0.5*8) = 4th
  EXPECT_EQ(s.p50.count, 8);
  EXPECT_EQ(s.p99.value, 8 * kMs);
  EXPECT_EQ(s.p999.value, 8 * kMs);
  EXPECT_EQ(s.within_slo, 5);                 // 1..5 ms, the boundary included
  EXPECT_DOUBLE_EQ(s.slo_satisfaction, 0.5);  // 5 of 10: the drop and the failure are misses
  EXPECT_TRUE(s.exactly_once);
}

TEST(Summarize, WarmupExcludedButStillCountedForExactlyOnce) {
  std::vector<RequestRow> rows;
  rows.push_back(completed(0, 10, 500));    // warm-up: huge latency, must not count
  rows.push_back(dropped(1, 999));          // warm-up drop: not a miss
  rows.push_back(completed(2, 1000, 2));    // measured from arrival 1000 ms
  rows.push_back(completed(3, 1500, 4));
  rows[2].emb_lookups = 10, rows[2].emb_hits = 9;
  rows[3].emb_lookups = 10, rows[3].emb_hits = 1;
  rows[0].emb_lookups = 1000;               // warm-up lookups excluded
  rows[2].kv_hit_tokens_pool = 30, rows[2].kv_hit_tokens_host = 10, rows[2].computed_tokens = 60;
  const Summary s = summarize(rows, 1000 * kMs, 3.0);
  EXPECT_EQ(s.rows, 4);
  EXPECT_EQ(s.generated, 2);
  EXPECT_EQ(s.dropped, 0);
  EXPECT_EQ(s.p99.value, 4 * kMs);
  EXPECT_EQ(s.p99.count, 2);
  EXPECT_DOUBLE_EQ(s.slo_satisfaction, 0.5);
  // Window: warm-up end (1000 ms) to the last finish (1504 ms): 2 completions in 0.504 s.
  EXPECT_EQ(s.window_end, 1504 * kMs);
  EXPECT_NEAR(s.throughput_rps, 2 / 0.504, 1e-9);
  EXPECT_DOUBLE_EQ(s.emb_hit_rate, 0.5);
  EXPECT_DOUBLE_EQ(s.kv_hit_rate, 0.4);
  EXPECT_TRUE(s.exactly_once);
}

TEST(Summarize, ExactlyOnceCatchesDuplicateAndMissing) {
  std::vector<RequestRow> rows;
  for (int i = 0; i < 5; ++i) rows.push_back(completed(i, i, 1));
  EXPECT_TRUE(summarize(rows, 0, 10).exactly_once);
  EXPECT_FALSE(summarize(rows, 0, 10, /*expected_requests=*/6).exactly_once);  // last row lost

  auto dup = rows;
  dup[4].id = 3;  // id 3 twice, id 4 missing
  Summary s = summarize(dup, 0, 10);
  EXPECT_FALSE(s.exactly_once);
  EXPECT_EQ(s.duplicate_rows, 1);
  EXPECT_EQ(s.missing_ids, 1);

  auto gap = rows;
  gap.erase(gap.begin() + 2);  // id 2 missing: ids 0,1,3,4 over 4 rows
  s = summarize(gap, 0, 10);
  EXPECT_FALSE(s.exactly_once);
  EXPECT_EQ(s.out_of_range_rows, 1);  // id 4 >= 4 rows
  EXPECT_EQ(s.missing_ids, 1);
  EXPECT_NE(format_footer(s).find("FAIL"), std::string::npos);
}

TEST(Summarize, DispatchLagDecidesValidity) {
  std::vector<RequestRow> rows;
  for (int i = 0; i < 100; ++i) rows.push_back(completed(i, i, 1));
  for (auto& r : rows) r.dispatch_lag = 2 * kMs;  // 5% of a 40 ms SLO exactly: still valid
  EXPECT_TRUE(summarize(rows, 0, 40).valid);
  rows[0].dispatch_lag = 3 * kMs;  // only rank 100 is 3 ms: P99 (rank 99) is still 2 ms
  EXPECT_TRUE(summarize(rows, 0, 40).valid);
  for (auto& r : rows) r.dispatch_lag = 2 * kMs + 1;
  const Summary s = summarize(rows, 0, 40);
  EXPECT_FALSE(s.valid);
  EXPECT_NE(format_footer(s).find("INVALID"), std::string::npos);
}

TEST(Footer, SaysEveryFigureAndTheVerdicts) {
  std::vector<RequestRow> rows;
  for (int i = 0; i < 8; ++i) rows.push_back(completed(i, 100 + i, 1 + i));
  rows.push_back(dropped(8, 110));
  const std::vector<std::string> notes = {"trace ended before --duration"};
  const std::string f = format_footer(summarize(rows, 0, 5.0), notes);
  for (const char* want : {"9 generated, 8 completed, 1 dropped", "P50", "4.000 ms (n=8)",
                           "P99.9", "8.000 ms (n=8)", "55.56%", "req/s", "EMB hit rate",
                           "KV hit rate", "dispatch lag P99", "trace ended before --duration",
                           "VALID", "PASS: all 9 requests recorded exactly once"})
    EXPECT_NE(f.find(want), std::string::npos) << want << "\n" << f;
  EXPECT_EQ(f.find("INVALID"), std::string::npos);
  const RootAttributes a = footer_attributes(summarize(rows, 0, 5.0));
  EXPECT_EQ(a.integer("footer_p99_completed_ns"), 8 * kMs);
  // 1 lost of 9: rank ceil(8.91) = 9 falls on the drop.
  EXPECT_EQ(a.number("footer_p99_all_ns"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(a.integer("footer_p99_all_count"), 9);
  EXPECT_NE(f.find("latency P99 all:"), std::string::npos) << f;
  EXPECT_NE(f.find("inf (n=9, 1 lost counted as infinite)"), std::string::npos) << f;
  EXPECT_NE(f.find("goodput"), std::string::npos) << f;
  EXPECT_EQ(a.integer("footer_exactly_once"), 1);
}

// Latencies 1..done ms (arrivals 10 ms apart), then `lost` dropped requests.
std::vector<RequestRow> with_lost(int done, int lost) {
  std::vector<RequestRow> rows;
  for (int i = 0; i < done; ++i) rows.push_back(completed(i, 10.0 * i, 1 + i));
  for (int i = 0; i < lost; ++i) rows.push_back(dropped(done + i, 10.0 * (done + i)));
  return rows;
}

TEST(Summarize, P99OfAllRequestsRanksLostOnesAboveEveryLatency) {
  // 200 requests, 2 lost (exactly 1%): rank ceil(198) = 198 is the largest latency, 198 ms,
  // while the P99 of completed requests is rank ceil(196.02) = 197 of 198.
  Summary s = summarize(with_lost(198, 2), 0, 100.0);
  EXPECT_FALSE(s.p99_all.infinite);
  EXPECT_EQ(s.p99_all.value, 198 * kMs);
  EXPECT_EQ(s.p99_all.count, 200);
  EXPECT_EQ(s.p99.value, 197 * kMs);
  EXPECT_EQ(s.p99.count, 198);
  // 3 lost of 200 (more than 1%): the rank falls on a lost request.
  s = summarize(with_lost(197, 3), 0, 100.0);
  EXPECT_TRUE(s.p99_all.infinite);
  EXPECT_EQ(format_ms(s.p99_all), "inf");
  EXPECT_EQ(s.p99.value, 196 * kMs);  // ceil(195.03) = 196: completed-only hides the loss
  // No loss: both agree.
  s = summarize(with_lost(100, 0), 0, 100.0);
  EXPECT_EQ(s.p99_all.value, s.p99.value);
  EXPECT_FALSE(s.p99_all.infinite);
}

TEST(Summarize, DroppingTheSlowestCannotImproveTheAllRequestsP99) {
  // The same 100 requests, served in full, or with the 5 slowest dropped instead.
  const Summary all = summarize(with_lost(100, 0), 0, 1000.0);
  auto shed = with_lost(100, 0);
  for (int i = 95; i < 100; ++i) shed[static_cast<size_t>(i)] = dropped(i, 10.0 * i);
  const Summary part = summarize(shed, 0, 1000.0);
  EXPECT_LT(part.p99.value, all.p99.value);  // completed-only rewards the drops
  EXPECT_TRUE(part.p99_all.infinite);        // all-requests does not
  EXPECT_EQ(all.p99_all.value, 99 * kMs);
}

TEST(Summarize, GoodputCountsOnlyCompletionsWithinTheSlo) {
  // Latencies 1..10 ms, arrivals 0..90 ms, one extra drop: window ends at the last finish (100 ms).
  const Summary s = summarize(with_lost(10, 1), 0, 4.0);
  EXPECT_EQ(s.within_slo, 4);
  EXPECT_EQ(s.window_end, 100 * kMs);
  EXPECT_NEAR(s.goodput_rps, 4 / 0.1, 1e-9);
  EXPECT_NEAR(s.throughput_rps, 10 / 0.1, 1e-9);
  EXPECT_DOUBLE_EQ(s.slo_satisfaction, 4.0 / 11);  // the drop is a miss
}

TEST(NearestRankWithLost, Boundaries) {
  const std::vector<Nanos> v = {1, 2, 3};
  EXPECT_EQ(nearest_rank_with_lost(v, 0, 99).value, 3);
  EXPECT_TRUE(nearest_rank_with_lost(v, 1, 99).infinite);  // rank 4 of 4
  EXPECT_EQ(nearest_rank_with_lost(v, 1, 50).value, 2);    // rank 2 of 4
  EXPECT_TRUE(nearest_rank_with_lost({}, 5, 1).infinite);
  EXPECT_EQ(nearest_rank_with_lost({}, 0, 99).count, 0);
  EXPECT_FALSE(nearest_rank_with_lost({}, 0, 99).infinite);
}
