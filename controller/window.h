// What a memory policy sees of one node every control interval (DESIGN.md's NodeWindowStats).
// A plain, trivially copyable struct: the MPI driver sends it as bytes from a worker to rank 0,
// the simulation driver fills it in place; the controller never depends on the harness.
// Its counters are the /nodes row's fields (results' NodeRow), plus the miss-ratio-curve inputs
// that only `mrc` reads.
#pragma once
#include <cstdint>

#include "common/clock.h"

namespace helm {

// Points of a savings curve: the cache holding i / (kCurvePoints - 1) of the pool, i = 0..20.
inline constexpr int kCurvePoints = 21;

struct NodeWindowStats {
  Nanos time = 0;  // end of the interval (ns from the start of the run)
  int32_t node = 0;
  int64_t arrivals = 0, completed = 0, dropped = 0;
  int64_t emb_lookups = 0, emb_hits = 0;
  int64_t kv_lookup_tokens = 0, kv_hit_tokens = 0;
  int64_t h2d_demand_bytes = 0, h2d_refill_bytes = 0, h2d_kv_bytes = 0;
  int64_t queue_len = 0;
  Nanos latency_p50 = 0, latency_p99 = 0;
  int64_t latency_count = 0;  // samples behind the percentiles (0: an empty window)
  double emb_share = 0;       // the split in effect at the end of the interval
  // What HELM's state and reward read besides the above (0 where the driver does not fill them;
  // not /nodes columns): arrivals whose user had been seen before, the arrivals' summed history
  // lengths (tokens), completed requests over the SLO, bytes still waiting to be refilled after
  // a split change, and a worker-side burst detector's state over 10 ms bins
  // (controller/burst_detector.h; has_burst = 0 where none runs).
  int64_t returning_arrivals = 0, history_tokens = 0, slo_misses = 0;
  int64_t refill_backlog_bytes = 0;
  uint8_t has_burst = 0, burst = 0;
  // Miss-ratio curves as latency (ns) the cache would have saved over recent windows if it held
  // i/20 of the pool: EMB hits save a row's copy over the link, KV hits save recomputing (or
  // onboarding) the reused tokens. has_curves = 0 where nobody collected them.
  uint8_t has_curves = 0;
  double emb_saved_ns[kCurvePoints] = {};
  double kv_saved_ns[kCurvePoints] = {};
};

}  // namespace helm
