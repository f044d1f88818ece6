// `helm-bench sim`: a discrete-event simulation of N nodes in one process, on virtual time.
//
// One event loop: arrivals (the trace, in order, admitted the admission lag after their scheduled
// time), batch completions, batch-timeout wakeups (the deadline plus the wake lateness) and
// control ticks, ordered by (time, kind,
// sequence number) so ties resolve the same way every run. Each node runs the SAME NodeRuntime
// and Batcher as `run`, over a CostModelExecutor; routing uses the same router registry and
// ClusterView; rows are accounted with request_rows.h exactly as rank 0 does, so the results
// file, its footer and `helm-bench report` are the same as a real run's.
//
// A node is busy from a batch's start to its finish; when free it polls its batcher at the
// events that can make a batch ready (an arrival, a completion, the oldest request's timeout).
// Node faults (node_faults.h): at T the node loses its queue, its running batch and its caches
// (the executor is rebuilt empty) and swallows what is routed to it; the front end is told at
// the next control tick, as rank 0 would notice a node's missing report, and fails what the node
// held or hands it back for re-routing. At T2 the node serves again; the next tick tells the
// front end, which routes to it from then on.
// The two timer delays are the cost model's measured distributions when it has them (each
// request's admission lag, each node's timeout and link wake-ups: a seeded draw keyed by the
// request id or by the node's own count, gr_model/delay_quantiles.h), else its constant means.
// Deterministic: no wall clock and no unseeded randomness is read anywhere in the loop.
#pragma once
#include <string>
#include <vector>

#include "gr_model/cost_model.h"
#include "harness/cluster/request_rows.h"
#include "harness/cluster/row_sink.h"
#include "harness/run_context.h"
#include "harness/sim/node_faults.h"

namespace helm {

struct SimOptions {
  int nodes = 1;
  double link_bytes_per_s = 0;  // effective link rate (cost model's, or --h2d-gbps)
  Nanos link_latency = 0;
  std::string cost_model_path;  // recorded in the results
  std::vector<NodeFault> faults;  // --fail-node (node_faults.h)
  bool reroute = false;           // --on-fail reroute: a lost node's requests go to live nodes
};

// The rows are here only when simulate() was given no sink; with one, they went there.
struct SimResult {
  std::vector<RequestRow> rows;  // one per generated request, by id
  std::vector<NodeRow> nodes;    // one per node per control interval
  std::vector<ControllerRow> controller;  // one per node per control tick
  int64_t reorder_max_rows = 0;  // the most /requests rows held at once to put them in id order
  RunEnd end;
  int64_t events = 0, batches = 0;
  double wall_s = 0;             // wall-clock time of the event loop
};

// The simulated nodes' link: --h2d-gbps / --h2d-latency-us when given (`latency_given`: the
// option was set, not defaulted), else the cost model's.
SimOptions sim_options(int nodes, const CostModel& cost, const std::string& cost_path,
                       const RunOptions& opt, bool latency_given);

// The simulated device's pool when --pool-mib was not given (`pool_defaulted`): the cost model's
// (its memory less weights and activations), not the CPU run's 24 MiB default, which x --scale
// would leave a GPU node a pool of a few MiB. Sets opt.pool_mib and returns `config` with the
// pool line saying where the figure came from. For every command that simulates (sim, oracle,
// train), so that their grid and training runs are the same runs as `sim`'s.
std::string use_cost_model_pool(RunOptions& opt, const CostModel& cost, bool pool_defaulted, std::string config);

// Runs the simulation. With `out`, every row goes there during the run (/requests in id order,
// /nodes and /controller as produced; cmd_sim's results file), so no run-long row vector exists;
// without, the rows are returned in SimResult. Writes no file itself. Throws BadInput on bad input.
SimResult simulate(const RunContext& ctx, const CostModel& cost, const SimOptions& opt, RowSink* out = nullptr);

}  // namespace helm
