// What a memory policy sees of one node every control interval (DESIGN.md's NodeWindowStats).
// A plain, trivially copyable struct: the MPI driver sends it as bytes from a worker to rank 0,
// the simulation driver fills it in place; the controller never depends on the harness.
// Its counters are the /nodes row's (both embed NodeCounters), plus the miss-ratio-curve inputs
// that only `mrc` reads.
#pragma once
#include <cstdint>

#include "common/node_counters.h"

namespace helm {

// Points of a savings curve: the cache holding i / (kCurvePoints - 1) of the pool, i = 0..20.
inline constexpr int kCurvePoints = 21;

// The window's counters (common/node_counters.h) and the miss-ratio-curve inputs.
struct NodeWindowStats : NodeCounters {
  // What HELM's state reads besides the counters (0 where the driver does not fill them; not
  // /nodes columns): bytes still waiting to be refilled after a split change, and a worker-side
  // burst detector's state over 10 ms bins (controller/burst_detector.h; has_burst = 0: none).
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
