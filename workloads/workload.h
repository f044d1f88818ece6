// The one entry point other modules use: a WorkloadSpec (filled by the CLI) -> a Trace.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/arrivals.h"
#include "workloads/candidates.h"
#include "workloads/movielens.h"
#include "workloads/profiles.h"
#include "workloads/request.h"
#include "workloads/synthetic.h"

namespace helm {

// One segment of --phases: DATASET:WORKLOAD:SECONDS[@QPS] (qps 0: the spec's --qps).
struct PhaseSpec {
  std::string dataset, workload;
  double seconds = 0;
  double qps = 0;
};

struct WorkloadSpec {
  // synthetic | a profile (kuairand-27k, amazon-books, ml-20m, taobao) | FORMAT:PATH
  std::string dataset = "synthetic";
  // steady | trend | burst | replay:PATH. For a real log, steady keeps the log's own compressed
  // timestamps (its real burstiness); any other regime re-times its visits in order.
  std::string workload = "steady";
  double qps = 100.0;        // whole cluster
  double duration_s = 60.0;
  uint64_t seed = 1;
  int candidates = 128;      // M per request; the CLI sets it from the model
  double popular_share = kDefaultPopularShare;
  double scale = 1.0;        // profiles: users and items x scale
  SyntheticParams synthetic;  // --dataset synthetic
  SessionOverrides session;   // any synthetic dataset or profile
  RegimeParams regimes;
  MovieLensParams movielens;  // real logs (all formats)
  // Non-empty: the trace chains these phases in time and dataset/workload/duration_s are unused.
  // Phases naming the same dataset share its users and items (a user keeps their history and
  // sessions across a regime change); different datasets get disjoint id ranges (see phased.h).
  std::vector<PhaseSpec> phases;
};

// `kuairand-27k:steady:120,amazon-books:burst:120@500`; BadInput naming --phases.
std::vector<PhaseSpec> parse_phases(const std::string& text);
std::string phases_text(const std::vector<PhaseSpec>& phases);

// Validates the spec (BadInput naming the field) and builds the trace. Same spec, same trace,
// on every machine.
Trace build_trace(const WorkloadSpec& spec);

// The spec as "key = value" lines (every field), and back. Parsing names `where` (a file) and
// the field in its BadInput. Round trip: spec_from_text(spec_text(s)) builds the same trace.
std::string spec_text(const WorkloadSpec& spec);
WorkloadSpec spec_from_text(const std::string& text, const std::string& where);

}  // namespace helm
