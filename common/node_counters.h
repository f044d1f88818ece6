// The per-window counters of one node, listed once. The /nodes rows (results/schema.h NodeRow)
// and what memory policies read (controller/window.h NodeWindowStats) both embed this struct,
// and the results schema builds its columns from HELM_NODE_COUNTERS: adding a counter is one
// line here plus where it is counted (node/window_stats.cpp).
#pragma once
#include <cstdint>

#include "common/clock.h"

namespace helm {

// X(type, name, what it counts)
#define HELM_NODE_COUNTERS(X)                                                            \
  X(Nanos, time, "end of the interval (ns from the start of the run)")                  \
  X(int32_t, node, "worker node (0-based)")                                              \
  X(int64_t, arrivals, "requests routed to the node")                                    \
  X(int64_t, returning_arrivals, "... whose user had been routed to this node before")   \
  X(int64_t, history_tokens, "... their history lengths, summed (tokens)")               \
  X(int64_t, completed, "requests completed")                                            \
  X(int64_t, slo_misses, "... over the SLO")                                             \
  X(int64_t, dropped, "requests dropped (queue full, or queued when the drain ended)")   \
  X(int64_t, emb_lookups, "embedding rows looked up")                                    \
  X(int64_t, emb_hits, "... found in the pool")                                          \
  X(int64_t, kv_lookup_tokens, "history tokens whose K/V were looked up")                \
  X(int64_t, kv_hit_tokens, "... found (pool or host tier)")                             \
  X(int64_t, h2d_demand_bytes, "host-to-device bytes of demand misses")                  \
  X(int64_t, h2d_refill_bytes, "... of background refill")                               \
  X(int64_t, h2d_kv_bytes, "... of K/V onboarded from the host tier")                    \
  X(int64_t, queue_len, "queued requests at the end of the interval")                   \
  X(Nanos, latency_p50, "latency of requests completed in the interval (nearest rank)") \
  X(Nanos, latency_p99, "")                                                              \
  X(int64_t, latency_count, "samples behind the two percentiles (0: an empty window)")  \
  X(double, emb_share, "EMB share of the pool in effect at the end of the interval")       \
  X(double, emb_hit_predicted, "EMB hit rate the miss-ratio curve predicts at emb_share (-1: none)") \
  X(double, gpu_power_w, "GPU board power when the interval closed, W (NVML; -1: no reading)")   \
  X(double, gpu_sm_clock_mhz, "... SM clock, MHz")                                             \
  X(double, gpu_mem_used_mib, "... device memory in use, MiB (all processes)")

struct NodeCounters {
#define HELM_COUNTER_MEMBER(type, name, what) type name = 0;
  HELM_NODE_COUNTERS(HELM_COUNTER_MEMBER)
#undef HELM_COUNTER_MEMBER
  bool operator==(const NodeCounters&) const = default;
};

}  // namespace helm
