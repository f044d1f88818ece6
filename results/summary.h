// The run's figures per DESIGN.md's measurement contract, and the footer that prints them.
//
// Measured requests are those with arrival >= warmup_ns (scheduled arrival: warm-up is a span of
// the trace, not of wall time). Definitions:
// - latency = finish - arrival (open loop); P50, P99 (`p99`, "P99 of completed") and P99.9 by
//   nearest rank over completed measured requests (rank = ceil(p/100 * n), 1-based), always with
//   their sample count;
// - P99 of all requests (`p99_all`): nearest rank over ALL n measured requests, the lost ones
//   (dropped, failed) ranked above every latency: rank k = ceil(0.99 n); if k <= completed it is
//   the k-th smallest latency, else it falls on a lost request and is infinite. So it is infinite
//   exactly when lost > floor(n / 100), i.e. when more than 1% of the requests were lost. A
//   policy cannot improve it by dropping its slowest requests: comparisons between policies use
//   this one;
// - SLO satisfaction (attainment) = measured requests completed with latency <= slo_ms / all
//   measured requests (dropped and failed count as misses);
// - throughput = measured completions / (last measured finish - warmup_ns), per second; goodput
//   = measured completions within the SLO / the same span, per second;
// - EMB hit rate = sum emb_hits / sum emb_lookups over measured requests;
// - KV hit rate = (kv_hit_tokens_pool + kv_hit_tokens_host) / (those + computed_tokens): the share
//   of history tokens whose K/V came from a cache;
// - dispatch-lag P99 over all measured requests; the run is VALID when it is <= 5% of the SLO;
// - exactly-once: over ALL rows (warm-up included), the ids are 0..n-1, each exactly once.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "results/attributes.h"
#include "results/schema.h"

namespace helm {

struct Percentile {
  Nanos value = 0;    // 0 when count == 0
  int64_t count = 0;  // samples it was taken over
};

// A percentile over all requests: `infinite` when its rank falls on a lost request.
struct TailPercentile {
  Nanos value = 0;        // 0 when infinite or count == 0
  bool infinite = false;
  int64_t count = 0;      // requests it was taken over (completed + lost)
};

struct Summary {
  double slo_ms = 0;
  Nanos warmup_ns = 0;
  int64_t rows = 0;  // all rows, warm-up included
  // Measured (after warm-up):
  int64_t generated = 0, completed = 0, dropped = 0, failed = 0;
  Percentile p50, p99, p999;   // over completed requests
  TailPercentile p99_all;       // over all measured requests, lost ones as infinite
  int64_t within_slo = 0;
  double slo_satisfaction = 0;  // fraction in [0, 1]; 0 when nothing was generated
  Nanos window_end = 0;         // last finish of a measured completion (window starts at warmup_ns)
  double throughput_rps = 0;
  double goodput_rps = 0;       // completions within the SLO per second, same window
  int64_t emb_lookups = 0, emb_hits = 0;
  double emb_hit_rate = 0;
  int64_t kv_hit_tokens = 0, kv_computed_tokens = 0;
  double kv_hit_rate = 0;
  Percentile dispatch_lag_p99;
  bool valid = true;  // dispatch_lag_p99 <= 5% of the SLO
  // Exactly-once invariant:
  int64_t expected_requests = 0;  // n: the trace size if given, else the row count
  int64_t missing_ids = 0;        // ids in 0..n-1 with no row
  int64_t duplicate_rows = 0;     // rows whose id was already seen
  int64_t out_of_range_rows = 0;  // rows with an id outside 0..n-1
  bool exactly_once = true;
};

// Nearest-rank percentile of ascending `sorted` values; p in (0, 100].
Percentile nearest_rank(std::span<const Nanos> sorted, double p);

// The summary built one row at a time, in any order, keeping only what the figures need: the
// latency of each measured completion and the dispatch lag of each measured request (8 bytes
// each, for the exact percentiles), one bit per id (exactly-once) and running sums. A run feeds
// it each final row as it is produced, so it never holds its rows; summarize() is this over a
// span. `expected_requests` >= 0: ids are checked against 0..expected_requests-1.
class SummaryBuilder {
 public:
  SummaryBuilder(Nanos warmup_ns, double slo_ms, int64_t expected_requests);
  void add(const RequestRow& r);
  Summary finish();  // the figures over the rows added so far

 private:
  Summary s_;  // counters and sums; percentiles and ratios are filled by finish()
  Nanos slo_ns_;
  std::vector<Nanos> latencies_, lags_;
  std::vector<bool> seen_;
};

// `expected_requests`: how many requests the trace generated, when the caller knows (the harness
// does); then a lost last row is caught too. -1: take the row count.
Summary summarize(std::span<const RequestRow> rows, Nanos warmup_ns, double slo_ms,
                  int64_t expected_requests = -1);

// Nearest-rank percentile over `completed_sorted` (ascending) plus `lost` requests ranked above
// them all; infinite when the rank falls on a lost one.
TailPercentile nearest_rank_with_lost(std::span<const Nanos> completed_sorted, int64_t lost, double p);

// The footer's figures as root attributes ("footer_*": p50_ns, p99_completed_ns, p999_ns with
// _count; p99_all_ns (float64, +inf when infinite) with p99_all_count; slo_satisfaction,
// throughput_rps, goodput_rps, emb/kv hit rates, dispatch_lag_p99_ns, valid, exactly_once,
// generated/completed/dropped/failed), for ResultsWriter::set_attrs at the end of a run.
RootAttributes footer_attributes(const Summary& s);

// "12.345 ms" or "inf" (the P99 of all requests as the footer and `report` print it).
std::string format_ms(const TailPercentile& p, int decimals = 3);

// The human footer: several lines, each "label: value", ending with the VALID/INVALID and
// PASS/FAIL verdicts. `notes` (e.g. "trace ended before --duration") are printed before them.
std::string format_footer(const Summary& s, std::span<const std::string> notes = {});

}  // namespace helm
