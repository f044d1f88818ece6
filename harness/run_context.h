// Everything a `run` needs that every rank must agree on, built from the options alone before
// any MPI work (so bad input is reported the same way with or without mpirun): the trace (a pure
// function of its parameters), the model shape, the per-node splits, the effective config text.
#pragma once
#include <string>
#include <vector>

#include "controller/memory_policy.h"
#include "gr_model/config.h"
#include "harness/cli/run_options.h"
#include "workloads/request.h"
#include "workloads/workload.h"

namespace helm {

struct RunContext {
  RunOptions opt;
  ModelConfig model;
  int candidates = 0;             // M per request
  Trace trace;
  WorkloadSpec spec;              // what the trace was built from (a --trace file's own spec)
  PolicySpec policy;              // --memory-policy, parsed once
  std::string config_text;        // effective configuration (every option, defaults marked)
  // What node `node`'s memory policy is told about where it runs.
  PolicyContext policy_context(int node, int nodes) const {
    return PolicyContext{node, nodes, static_cast<Nanos>(opt.control_interval_ms * 1e6),
                         static_cast<Nanos>(opt.slo_ms * 1e6)};
  }
};

// The workload part of the options (before --trace is considered).
WorkloadSpec workload_spec(const RunOptions& opt);
// Validates `opt` and builds the context; throws BadInput (file:line and field) on bad input.
RunContext build_run_context(const RunOptions& opt, std::string config_text);

}  // namespace helm
