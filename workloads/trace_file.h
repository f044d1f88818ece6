// Trace files (HDF5), written by `helm-bench trace` and read by `run --trace FILE`.
//
// A trace is a pure function of its spec, so the file stores the spec (root attribute "spec",
// spec_text()) and the request table for inspection by h5py:
//   /requests/{id, user, arrival (ns), history_len, phase}   int64 / int32 columns
//   /sample/{item, time}    items the requests look up (candidates + history growth), sampled,
//                           with the arrival of the request that drew them (scripts/plot_trace.py)
//   root attributes: kind = "helm-bench trace", schema, spec, name, notes, statistics.
// Loading rebuilds the trace from the spec and checks the table against it: an edited table or
// a file from a different generator is refused (BadInput naming the file and the field), since
// its histories could not be rebuilt faithfully.
#pragma once
#include <string>
#include <vector>

#include "workloads/request.h"
#include "workloads/trace_stats.h"
#include "workloads/workload.h"

namespace helm {

inline constexpr int64_t kTraceSchema = 1;

void write_trace(const std::string& path, const Trace& trace, const WorkloadSpec& spec,
                 const TraceStats& stats, const ItemSample* sample = nullptr);

struct LoadedTrace {
  WorkloadSpec spec;
  Trace trace;
};
LoadedTrace load_trace(const std::string& path);

}  // namespace helm
