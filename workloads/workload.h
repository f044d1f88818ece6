// The one entry point other modules use: a WorkloadSpec (filled by the CLI) -> a Trace.
#pragma once
#include <cstdint>
#include <string>

#include "workloads/candidates.h"
#include "workloads/movielens.h"
#include "workloads/request.h"
#include "workloads/synthetic.h"

namespace helm {

struct WorkloadSpec {
  std::string dataset = "synthetic";  // synthetic | movielens:PATH
  // steady | replay:PATH (trend, burst: issue 4). For a real log, steady keeps the log's own
  // compressed timestamps (its real burstiness); any other regime re-times its visits in order.
  std::string workload = "steady";
  double qps = 100.0;        // whole cluster
  double duration_s = 60.0;
  uint64_t seed = 1;
  int candidates = 128;      // M per request; the CLI sets it from the model
  double popular_share = kDefaultPopularShare;
  SyntheticParams synthetic;
  MovieLensParams movielens;
};

// Validates the spec (BadInput naming the field) and builds the trace. Same spec, same trace,
// on every machine.
Trace build_trace(const WorkloadSpec& spec);

}  // namespace helm
