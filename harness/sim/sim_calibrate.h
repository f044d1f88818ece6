// The host side of the real executor's per-request path, measured for the CPU cost model:
// CacheResolver on a CpuDevice pool over a synthetic trace (history fetch, prefix hashing, KV
// probe/acquire/commit, candidates, EMB lookups), fitted as request_ns + history_ns_per_item x
// history length after the EMB costs (already measured) are taken out.
#pragma once
#include <iosfwd>

#include "gr_model/calibrate.h"

namespace helm {

void calibrate_request_path_cpu(const CalibrateOptions& opt, CostModel& m, std::ostream& log);

}  // namespace helm
