// The cluster front end: everything rank 0 decides, written once for `run` (MPI workers on the
// wall clock) and `sim` (simulated nodes on virtual time). Its inputs are plain events; it never
// calls MPI and never reads a clock (every time comes with its event), so one sequence of
// events gives the same routing, splits and rows in both drivers, and a recorded sequence
// replays exactly (cluster/event_log.h).
//
//   per request  dispatch(id, now) -> node     route on the cluster view; the row's node and lag
//                on_outcome(o)                 the row filled once; the view learns load and KV
//                on_evict(node, user)          a user's K/V left that node's pool
//   per window   on_window(w, now) -> decision the view, the /nodes row, the node's memory policy
//                                              and its /controller row
//                targets_due(now), targets()   `run` sends the split vector out in rounds
//   faults       node_down(node, now[, reroute]) a node is lost: never routed to again, its
//                                              policy not asked, what it held failed (or handed
//                                              back to be dispatched again); node_up(node, now)
//   at the end   stop_control(); finish(note)  no decisions after the workers stop; requests
//                                              without an outcome become failed; the footer
// Each request's final row goes to the sink once, as soon as it is final (in the order requests
// finish, not by id). The front end keeps rows only of requests in flight, plus a bit per id and
// the summary's compact data (SummaryBuilder), so its memory does not grow with the run's rows.
// Single-threaded: the driver's loop calls everything.
#pragma once
#include <array>
#include <memory>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

#include "controller/node_controller.h"
#include "harness/cluster/control_loop.h"
#include "harness/cluster/request_rows.h"
#include "harness/cluster/row_sink.h"
#include "harness/run_context.h"
#include "scheduler/router.h"

namespace helm {

class EventLog;

// Why a request was dropped (the footer counts each): its node's queue was full when it arrived
// (--queue-cap); the drain ended with it still queued or arriving; or rank 0 refused it because
// the node already held as many requests without an outcome as it can queue and run plus one
// batch of outcomes on the way back (see ClusterFrontEnd::dispatch).
enum DropCause : int8_t { kDropUnknown = 0, kDropQueueFull = 1, kDropDrain = 2, kDropBacklog = 3 };
inline constexpr int kDropCauses = 4;

// One request's fate as its node reports it. kv_tokens: the user's K/V on that node right after
// the request (> 0 resident from history index kv_start, 0 not resident, < 0 unknown: drops).
struct NodeOutcome {
  Outcome o;
  int32_t node = 0;
  int8_t status = kCompleted;
  int64_t kv_start = 0;
  int64_t kv_tokens = -1;
  int8_t drop_cause = kDropUnknown;  // with status kDropped
};

// What the drivers know of the nodes that the options do not say.
struct NodeFacts {
  double link_bytes_per_s = 0;     // host-to-device rate: what an embedding miss costs the view
  size_t kv_bytes_per_element = 4; // K/V dtype (fp32 on the CPU backend): the routers' KV blocks
};

class ClusterFrontEnd {
 public:
  ClusterFrontEnd(const RunContext& ctx, int nodes, const NodeFacts& facts, RowSink& sink,
                  EventLog* log = nullptr);
  ~ClusterFrontEnd();

  // The node the request goes to. A router's answer that is a down node is replaced by the live
  // node with the least expected wait (routers need not know about faults). -1: the driver sends
  // it nowhere: every node is down (the request is failed at once, cause node_down), or the
  // chosen node already holds backlog_cap_ requests without an outcome (dropped at once, cause
  // node backlog). That bound keeps rank 0's sends and a worker's unread messages finite when a
  // worker falls behind (a starved core): without it both grow with the run's length. A node
  // never holds more than its queue plus its running batch, so the bound only acts on what is
  // in transit: in `sim`, where nothing is, it never does.
  int dispatch(int64_t id, Nanos now);
  void on_outcome(const NodeOutcome& o);
  void on_evict(int node, UserId user);
  std::optional<ControlDecision> on_window(const NodeWindowStats& w, Nanos now);
  // A node says how many outcomes it sent in all; finish() flags any difference from what came.
  void on_finished(int node, int64_t outcomes_sent);
  // Node `node` is lost at `now` (the simulator's injected fault, or rank 0's timeout on a silent
  // worker): the one place the "down" fact is kept. The requests it held (dispatched, no outcome)
  // are failed and counted as failed_node_down, or with `reroute` returned in dispatch order,
  // no longer outstanding, for the driver to dispatch() again. Its KV is forgotten; outcomes,
  // windows and evictions it sends later are ignored (counted as late_outcomes_ignored).
  std::vector<int64_t> node_down(int node, Nanos now, bool reroute = false);
  // The node is back with empty caches at its policy's initial split (the simulator's T2).
  void node_up(int node, Nanos now);
  bool down(int node) const { return view_.nodes.at(static_cast<size_t>(node)).down; }
  int nodes_down() const { return view_.size() - view_.live(); }
  bool targets_due(Nanos now);
  const std::vector<double>& targets() const { return control_.targets(); }
  void stop_control();
  RunEnd finish(const std::string& backend_note);

  int64_t outstanding() const { return outstanding_; }
  int nodes() const { return nodes_; }
  size_t rows_open() const { return open_.size(); }  // rows held: dispatched, not final yet

 private:
  const RunContext& ctx_;
  int nodes_;
  RowSink& sink_;
  EventLog* log_;
  std::unique_ptr<Router> router_;
  ClusterView view_;
  RootControl control_;
  // Rows of requests dispatched but not final (handed-back ones included), by id.
  std::unordered_map<int64_t, RequestRow> open_;
  std::vector<bool> seen_;  // per id: its final row went out
  SummaryBuilder summary_;  // fed every final row
  Nanos slo_ns_;
  int64_t outstanding_ = 0, duplicates_ = 0;
  int64_t backlog_cap_ = 0;  // --queue-cap + 2 x --batch-max-requests: queue, running batch, outcomes on the way
  // Drops by DropCause among the requests the footer measures (arrivals after the warm-up), so
  // they add up to footer_dropped.
  std::array<int64_t, kDropCauses> drops_{};
  Nanos warmup_ns_ = 0;
  void count_drop(const RequestRow& row, int cause);
  // Fault accounting for the footer: requests failed because their node was lost, handed back
  // for re-routing, and outcomes that arrived from a node already declared down.
  int64_t failed_node_down_ = 0, rerouted_ = 0, late_ignored_ = 0, losses_ = 0;
  std::vector<std::string> fault_notes_;
  std::vector<int64_t> received_, reported_;  // outcomes per node: arrived, and the node's count
  bool controlling_ = true;
  // Per node, the last decision's row, waiting for the node's next window: ratio_applied is what
  // the node reports in effect then, not what rank 0 computed.
  std::vector<std::optional<ControllerRow>> pending_rows_;

  RequestRow& open_row(int64_t id);  // the request's row, created from the trace when first needed
  void emit(int64_t id);             // the row is final: to the sink and the summary, then forgotten
};

}  // namespace helm
