// Building /requests rows from the trace and the executors' outcomes, and closing a run with
// its footer: shared by the MPI driver and the simulation driver so both account alike.
#pragma once
#include <string>
#include <vector>

#include "harness/node/node_runtime.h"
#include "harness/run_context.h"
#include "results/attributes.h"
#include "results/schema.h"
#include "results/summary.h"

namespace helm {

// A request's row before anything happened to it (from its trace entry).
RequestRow initial_row(const Request& r);
// One row per generated request, before anything happened to it.
std::vector<RequestRow> initial_rows(const Trace& trace);
// Records what happened to a request (completed: times, cache figures; dropped: only the fact).
void apply_outcome(RequestRow& row, const Outcome& o, int node, int8_t status, Nanos slo_ns);

struct RunEnd {
  Summary summary;
  RootAttributes footer;           // footer_* attributes plus the accounting counters
  std::vector<std::string> notes;  // printed under the footer
};
// Assembles the footer from the summary of every final row (a SummaryBuilder's, fed as the rows
// were produced). `missing`: requests that never got an outcome, which the caller recorded as
// failed (a harness bug made visible, never hidden); `duplicates`: outcomes received twice;
// `count_mismatches`: nodes whose own total of outcomes sent differs from what arrived.
RunEnd end_run(const RunContext& ctx, Summary summary, int64_t missing, int64_t duplicates,
               const std::string& backend_note, int64_t count_mismatches = 0);

}  // namespace helm
