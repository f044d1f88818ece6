#include "harness/node/window_stats.h"

#include <algorithm>

#include "results/summary.h"

namespace helm {

void WindowStats::advance_bins(Nanos t) {
  for (const Nanos bin = burst_.config().bin_ns; t >= bin_end_; bin_end_ += bin) {
    burst_.add(static_cast<double>(bin_count_));
    bin_count_ = 0;
  }
}

void WindowStats::on_arrival(const Request& r) {
  advance_bins(r.arrival);
  ++bin_count_;
  ++row_.arrivals;
  row_.history_tokens += r.history_len;
  const auto u = static_cast<size_t>(r.user);
  if (u >= seen_.size()) seen_.resize(std::max(u + 1, 2 * seen_.size()));
  row_.returning_arrivals += seen_[u];
  seen_[u] = true;
}

void WindowStats::on_outcome(const Outcome& o) {
  ++row_.completed;
  row_.slo_misses += o.finish - o.arrival > slo_ns_;
  row_.emb_lookups += o.emb_lookups;
  row_.emb_hits += o.emb_hits;
  row_.kv_lookup_tokens += o.kv_hit_tokens_pool + o.kv_hit_tokens_host + o.computed_tokens;
  row_.kv_hit_tokens += o.kv_hit_tokens_pool + o.kv_hit_tokens_host;
  latencies_.push_back(o.finish - o.arrival);
}

NodeRow WindowStats::close(Nanos now, int64_t queue_len, const LinkStats& link, double emb_share) {
  advance_bins(now);
  NodeRow r = row_;
  r.time = now;
  r.node = node_;
  r.queue_len = queue_len;
  r.emb_share = emb_share;
  r.emb_hit_predicted = -1;  // none unless the node's curves fill it (NodeMemory::fill)
  r.gpu_power_w = r.gpu_sm_clock_mhz = r.gpu_mem_used_mib = -1;  // a GPU executor's NVML fills them
  auto delta = [&](LinkPurpose p) {
    const int i = static_cast<int>(p);
    return static_cast<int64_t>(link.bytes[i] - last_link_.bytes[i]);
  };
  r.h2d_demand_bytes = delta(LinkPurpose::kEmbDemand);
  r.h2d_kv_bytes = delta(LinkPurpose::kKvOnboard);
  r.h2d_refill_bytes = delta(LinkPurpose::kRefill);
  r.latency_count = static_cast<int64_t>(latencies_.size());
  std::sort(latencies_.begin(), latencies_.end());
  r.latency_p50 = nearest_rank(latencies_, 50).value;
  r.latency_p99 = nearest_rank(latencies_, 99).value;
  last_link_ = link;
  row_ = NodeRow{};
  latencies_.clear();
  return r;
}

}  // namespace helm
