#include "results/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace helm {

Percentile nearest_rank(std::span<const Nanos> sorted, double p) {
  const auto n = static_cast<int64_t>(sorted.size());
  if (n == 0) return {};
  // In integers (p in units of 0.001%): in floating point 99.9/100*1000 is 999.0000000000001,
  // whose ceiling would be rank 1000 instead of 999.
  const int64_t q = std::llround(p * 1000.0);
  int64_t rank = (q * n + 100'000 - 1) / 100'000;
  rank = std::clamp<int64_t>(rank, 1, n);
  return {sorted[static_cast<size_t>(rank - 1)], n};
}

TailPercentile nearest_rank_with_lost(std::span<const Nanos> completed_sorted, int64_t lost,
                                      double p) {
  const auto done = static_cast<int64_t>(completed_sorted.size());
  const int64_t n = done + std::max<int64_t>(0, lost);
  if (n == 0) return {};
  const int64_t q = std::llround(p * 1000.0);  // as nearest_rank: integers, no 99.0000001
  const int64_t rank = std::clamp<int64_t>((q * n + 100'000 - 1) / 100'000, 1, n);
  if (rank > done) return {0, true, n};
  return {completed_sorted[static_cast<size_t>(rank - 1)], false, n};
}

namespace {
double ratio(int64_t num, int64_t den) { return den > 0 ? double(num) / double(den) : 0.0; }
}  // namespace

SummaryBuilder::SummaryBuilder(Nanos warmup_ns, double slo_ms, int64_t expected_requests)
    : slo_ns_(static_cast<Nanos>(std::llround(slo_ms * 1e6))),
      seen_(static_cast<size_t>(std::max<int64_t>(0, expected_requests)), false) {
  s_.slo_ms = slo_ms;
  s_.warmup_ns = warmup_ns;
  s_.expected_requests = std::max<int64_t>(0, expected_requests);
}

void SummaryBuilder::add(const RequestRow& r) {
  ++s_.rows;
  if (r.id < 0 || r.id >= s_.expected_requests) ++s_.out_of_range_rows;
  else if (seen_[static_cast<size_t>(r.id)]) ++s_.duplicate_rows;
  else seen_[static_cast<size_t>(r.id)] = true;
  if (r.arrival < s_.warmup_ns) return;
  ++s_.generated;
  lags_.push_back(r.dispatch_lag);
  s_.emb_lookups += r.emb_lookups;
  s_.emb_hits += r.emb_hits;
  s_.kv_hit_tokens += r.kv_hit_tokens_pool + r.kv_hit_tokens_host;
  s_.kv_computed_tokens += r.computed_tokens;
  if (r.status == kDropped) {
    ++s_.dropped;
  } else if (r.status != kCompleted) {
    ++s_.failed;  // kFailed, and any unknown status: never counted as served
  } else {
    ++s_.completed;
    const Nanos latency = r.finish - r.arrival;  // the contract, not the stored column
    latencies_.push_back(latency);
    if (latency <= slo_ns_) ++s_.within_slo;
    s_.window_end = std::max(s_.window_end, r.finish);
  }
}

Summary SummaryBuilder::finish() {
  Summary s = s_;
  // Sorted in place (no copy at the run's largest moment); order does not matter to add().
  auto& latencies = latencies_;
  std::sort(latencies.begin(), latencies.end());
  std::sort(lags_.begin(), lags_.end());
  s.p50 = nearest_rank(latencies, 50);
  s.p99 = nearest_rank(latencies, 99);
  s.p999 = nearest_rank(latencies, 99.9);
  s.p99_all = nearest_rank_with_lost(latencies, s.dropped + s.failed, 99);
  s.dispatch_lag_p99 = nearest_rank(lags_, 99);
  s.slo_satisfaction = ratio(s.within_slo, s.generated);
  const Nanos span = s.window_end - s.warmup_ns;
  s.throughput_rps = span > 0 ? double(s.completed) / (double(span) * 1e-9) : 0.0;
  s.goodput_rps = span > 0 ? double(s.within_slo) / (double(span) * 1e-9) : 0.0;
  s.emb_hit_rate = ratio(s.emb_hits, s.emb_lookups);
  s.kv_hit_rate = ratio(s.kv_hit_tokens, s.kv_hit_tokens + s.kv_computed_tokens);
  s.valid = double(s.dispatch_lag_p99.value) <= 0.05 * s.slo_ms * 1e6;
  s.missing_ids = static_cast<int64_t>(std::count(seen_.begin(), seen_.end(), false));
  s.exactly_once = s.missing_ids == 0 && s.duplicate_rows == 0 && s.out_of_range_rows == 0;
  return s;
}

Summary summarize(std::span<const RequestRow> rows, Nanos warmup_ns, double slo_ms,
                  int64_t expected_requests) {
  SummaryBuilder b(warmup_ns, slo_ms, expected_requests >= 0 ? expected_requests : static_cast<int64_t>(rows.size()));
  for (const RequestRow& r : rows) b.add(r);
  return b.finish();
}

RootAttributes footer_attributes(const Summary& s) {
  RootAttributes a;
  a.set("footer_generated", s.generated).set("footer_completed", s.completed);
  a.set("footer_dropped", s.dropped).set("footer_failed", s.failed);
  a.set("footer_p50_ns", s.p50.value).set("footer_p50_count", s.p50.count);
  a.set("footer_p99_completed_ns", s.p99.value).set("footer_p99_completed_count", s.p99.count);
  a.set("footer_p99_all_ns", s.p99_all.infinite ? std::numeric_limits<double>::infinity()
                                                 : double(s.p99_all.value));
  a.set("footer_p99_all_count", s.p99_all.count);
  a.set("footer_p999_ns", s.p999.value).set("footer_p999_count", s.p999.count);
  a.set("footer_slo_satisfaction", s.slo_satisfaction);
  a.set("footer_throughput_rps", s.throughput_rps).set("footer_goodput_rps", s.goodput_rps);
  a.set("footer_emb_hit_rate", s.emb_hit_rate).set("footer_kv_hit_rate", s.kv_hit_rate);
  a.set("footer_dispatch_lag_p99_ns", s.dispatch_lag_p99.value);
  a.set("footer_valid", s.valid).set("footer_exactly_once", s.exactly_once);
  return a;
}

std::string format_ms(const TailPercentile& p, int decimals) {
  return p.infinite ? std::string("inf") : fmt::format("{:.{}f}", double(p.value) * 1e-6, decimals);
}

namespace {
std::string ms(Percentile p) {
  return fmt::format("{:.3f} ms (n={})", double(p.value) * 1e-6, p.count);
}
}  // namespace

std::string format_footer(const Summary& s, std::span<const std::string> notes) {
  std::string out;
  auto line = [&](std::string_view label, const std::string& value) {
    out += fmt::format("  {:<22} {}\n", std::string(label) + ":", value);
  };
  out += fmt::format("== results (after {:.3f} s warm-up) ==\n", double(s.warmup_ns) * 1e-9);
  line("requests", fmt::format("{} generated, {} completed, {} dropped, {} failed", s.generated,
                               s.completed, s.dropped, s.failed));
  line("latency P50", ms(s.p50));
  line("latency P99 completed", ms(s.p99));
  line("latency P99 all", fmt::format("{}{} (n={}, {} lost counted as infinite)",
                                      format_ms(s.p99_all), s.p99_all.infinite ? "" : " ms",
                                      s.p99_all.count, s.dropped + s.failed));
  line("latency P99.9", ms(s.p999));
  line("SLO satisfaction", fmt::format("{:.2f}% ({} of {} within {} ms)", 100 * s.slo_satisfaction,
                                       s.within_slo, s.generated, s.slo_ms));
  line("throughput", fmt::format("{:.2f} req/s", s.throughput_rps));
  line("goodput", fmt::format("{:.2f} req/s within the SLO", s.goodput_rps));
  line("EMB hit rate", fmt::format("{:.2f}% ({} of {} lookups)", 100 * s.emb_hit_rate, s.emb_hits,
                                   s.emb_lookups));
  line("KV hit rate", fmt::format("{:.2f}% ({} of {} history tokens)", 100 * s.kv_hit_rate,
                                  s.kv_hit_tokens, s.kv_hit_tokens + s.kv_computed_tokens));
  line("dispatch lag P99", ms(s.dispatch_lag_p99));
  for (const auto& n : notes) out += fmt::format("  note: {}\n", n);
  out += s.valid ? fmt::format("  VALID: dispatch lag P99 within 5% of the {} ms SLO\n", s.slo_ms)
                 : fmt::format("  INVALID: dispatch lag P99 {:.3f} ms exceeds 5% of the {} ms SLO "
                               "(the harness, not the system, was the bottleneck)\n",
                               double(s.dispatch_lag_p99.value) * 1e-6, s.slo_ms);
  out += s.exactly_once
             ? fmt::format("  PASS: all {} requests recorded exactly once\n", s.expected_requests)
             : fmt::format("  FAIL: exactly-once: {} of {} ids missing, {} duplicate rows, {} rows "
                           "with ids out of range\n",
                           s.missing_ids, s.expected_requests, s.duplicate_rows,
                           s.out_of_range_rows);
  return out;
}

}  // namespace helm
