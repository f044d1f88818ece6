#include "harness/sim_driver.h"

#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "common/error.h"
#include "common/progress.h"
#include "common/rng.h"
#include "gr_model/window.h"
#include "controller/memory_policy.h"
#include "controller/node_controller.h"
#include "harness/control_loop.h"
#include "harness/mpi_driver.h"
#include "harness/sim_events.h"
#include "harness/sim_executor.h"
#include "harness/window_stats.h"
#include "scheduler/router.h"

namespace helm {

namespace {

struct Node {
  std::unique_ptr<CostModelExecutor> exec;
  std::unique_ptr<NodeRuntime> runtime;
  std::unique_ptr<NodeController> control;  // issue 6: the node's memory policy + step rule
  WindowStats window;
  bool busy = false;
  Nanos timeout_at = -1;           // the pending timeout event, -1 when none
  std::vector<Outcome> running;    // outcomes of the batch in flight, released at its finish
  explicit Node(int id) : window(id) {}
};

}  // namespace

SimResult simulate(const RunContext& ctx, const CostModel& cost, const SimOptions& opt) {
  if (opt.nodes < 1) bad_input("--nodes: must be at least 1 (got {})", opt.nodes);
  const auto& reqs = ctx.trace.requests;
  const int64_t n = static_cast<int64_t>(reqs.size());
  const auto wall0 = std::chrono::steady_clock::now();

  // The embedding table only sizes rows (NullDevice: never read); one for all nodes.
  const GeneratedHostTable table(ctx.trace.items->num_items(), ctx.model.D, 0, 0.1f);
  const BatchingOptions bo = batching_options(ctx.opt);
  std::vector<Node> nodes;
  nodes.reserve(static_cast<size_t>(opt.nodes));
  // Issue 6: the memory control loop per node, built as `run` builds it (mpi_executor.cpp,
  // control_loop.cpp); the pool starts at the policy's initial share.
  const Nanos control_interval = static_cast<Nanos>(ctx.opt.control_interval_ms * 1e6);
  for (int i = 0; i < opt.nodes; ++i) {
    auto control = std::make_unique<NodeController>(
        make_policy(ctx.opt.memory_policy, PolicyContext{i, opt.nodes, control_interval}), ctx.opt.max_step);
    // --scale shrinks the catalogue and population (the profile) AND the pool, so the caches'
    // pressure keeps its shape at a fraction of the memory (issue 5). `run` does not scale its
    // pool: compare the two only at --scale 1. The link is the cost model's.
    NodeOptions so = node_options(ctx, i, opt.nodes, opt.link_bytes_per_s, ctx.opt.scale, false);
    so.link_latency = opt.link_latency;
    Node& nd = nodes.emplace_back(i);
    nd.control = std::move(control);
    nd.exec = std::make_unique<CostModelExecutor>(ctx.trace, ctx.model, cost, table, so);
    nd.runtime = std::make_unique<NodeRuntime>(bo, *nd.exec);
  }
  // The router exactly as rank 0 builds it (mpi_scheduler.cpp).
  RouterOptions ropt;
  ropt.nodes = opt.nodes;
  ropt.seed = stream_seed(ctx.opt.seed, "router");
  ropt.cache_aware = {ctx.opt.cache_aware_abs, ctx.opt.cache_aware_rel, ctx.opt.cache_aware_match};
  auto router = make_router(ctx.opt.router, ropt);
  // The router's view, fed through the same update protocol as rank 0 uses (cluster_view.h).
  CostParams cp;
  cp.ns_per_row = static_cast<double>(ctx.model.D) * sizeof(float) / opt.link_bytes_per_s * 1e9;
  ClusterView view(opt.nodes, cp);
  for (int i = 0; i < opt.nodes; ++i) {
    view.nodes[static_cast<size_t>(i)].emb_share = nodes[static_cast<size_t>(i)].exec->emb_share();
    nodes[static_cast<size_t>(i)].exec->set_eviction_callback([&view, i](UserId u) { view.on_evict(i, u); });
  }

  SimResult res;
  res.rows = initial_rows(ctx.trace);
  Progress progress(n, progress_options("sim"));  // stderr, HELM_PROGRESS (common/progress.h)
  std::vector<int32_t> seen(static_cast<size_t>(n), 0);
  const Nanos slo_ns = static_cast<Nanos>(ctx.opt.slo_ms * 1e6);
  const Nanos admit = static_cast<Nanos>(cost.admit_ns), wake = static_cast<Nanos>(cost.wake_ns);
  const Nanos interval = static_cast<Nanos>(ctx.opt.control_interval_ms * 1e6);
  // Admission lags the scheduled arrival by `admit`, so the drain is counted from the last
  // admission: every arrival event is then processed.
  const Nanos drain_end = (n ? reqs.back().arrival : 0) + admit + static_cast<Nanos>(ctx.opt.drain_s * 1e9);

  SimEventQueue q;
  auto push = [&](Nanos t, int kind, int node) { q.push(t, kind, node); };
  auto record = [&](const Outcome& o, int node, int8_t status) {
    auto& row = res.rows[static_cast<size_t>(o.id)];
    ++seen[static_cast<size_t>(o.id)];
    apply_outcome(row, o, node, status, slo_ns);
    progress.record(status == kCompleted, row.latency);
    Completion c;
    c.id = o.id;
    c.user = row.user;
    if (status == kCompleted) {
      const KvProbe p = nodes[static_cast<size_t>(node)].exec->kv().probe(row.user);
      c.kv_start = p.start;
      c.kv_tokens = p.present ? p.tokens : 0;
      c.service_ns = o.finish - o.start;
      c.batch_size = o.batch_size;
    }
    view.on_complete(node, c);
  };
  // A free node runs a batch if one is ready now, else waits for its oldest request's timeout.
  auto try_start = [&](int i, Nanos t) {
    Node& nd = nodes[static_cast<size_t>(i)];
    if (nd.busy) return;
    nd.exec->background(t);  // issue 6: page releases and refill, between batches as in `run`
    nd.running.clear();
    if (nd.runtime->poll(t, nd.running)) {
      nd.busy = true;
      ++res.batches;
      push(nd.running.front().finish, kSimCompletion, i);
      return;
    }
    const Nanos d = nd.runtime->batcher().deadline();
    if (d != std::numeric_limits<Nanos>::max() && nd.timeout_at != d + wake) {
      nd.timeout_at = d + wake;  // the real worker notices a timeout one sleep overshoot late
      push(nd.timeout_at, kSimTimeout, i);
    }
  };

  push(interval, kSimTick, -1);
  int64_t next = 0;
  Nanos now = 0;
  for (;;) {
    // The next arrival competes with the heap's top under the same ordering.
    const bool have_arrival = next < n;
    const SimEvent arr{have_arrival ? reqs[static_cast<size_t>(next)].arrival + admit : 0, kSimArrival, -1, -1};
    SimEvent e;
    if (have_arrival && (q.empty() || q.top() > arr)) {
      e = arr;
    } else if (!q.empty()) {
      e = q.pop();
    } else {
      break;
    }
    // Past the drain only batches in flight finish (as a real worker finishes its batch).
    if (e.time > drain_end && e.kind != kSimCompletion) continue;
    ++res.events;
    progress.tick();
    now = e.time;
    switch (e.kind) {
      case kSimArrival: {
        const Request& r = reqs[static_cast<size_t>(next++)];
        RouteRequest rr{r.id, r.user, r.history_len, r.arrival};
        rr.window_start = window_start(r.history_len, ctx.model.N);
        rr.window = r.history_len - rr.window_start;
        rr.candidates = ctx.candidates;
        const int node = router->route(rr, view);
        HELM_CHECK(node >= 0 && node < opt.nodes, "router returned node {}", node);
        Node& nd = nodes[static_cast<size_t>(node)];
        res.rows[static_cast<size_t>(r.id)].node = node;
        view.on_dispatch(node, rr);
        nd.window.on_arrival();
        if (!nd.runtime->admit(r.id, r.arrival, e.time)) {
          nd.window.on_drop();
          Outcome o;
          o.id = r.id;
          o.arrival = r.arrival;
          record(o, node, kDropped);
          break;
        }
        try_start(node, e.time);
        break;
      }
      case kSimCompletion: {
        Node& nd = nodes[static_cast<size_t>(e.node)];
        for (const Outcome& o : nd.running) {
          record(o, e.node, kCompleted);
          nd.window.on_outcome(o);
        }
        nd.running.clear();
        nd.busy = false;
        if (e.time <= drain_end) try_start(e.node, e.time);
        break;
      }
      case kSimTimeout: {
        Node& nd = nodes[static_cast<size_t>(e.node)];
        if (nd.timeout_at != e.time) break;  // superseded
        nd.timeout_at = -1;
        try_start(e.node, e.time);
        break;
      }
      case kSimTick: {
        for (auto& nd : nodes) {
          res.nodes.push_back(nd.window.close(e.time, static_cast<int64_t>(nd.runtime->batcher().size()),
                                              nd.exec->link_stats(), nd.exec->emb_share()));
          const NodeRow& nr = res.nodes.back();
          view.on_interval(nr.node, NodeSummary{nr.queue_len, nr.emb_share, nr.emb_lookups, nr.emb_hits});
          // Issue 6: the node's policy decides on its window; the split moves at once (rank 0's
          // round trip is instantaneous in virtual time).
          NodeWindowStats w = to_window(nr);
          nd.exec->fill_window(w);
          const ControlDecision d = nd.control->decide(w);
          res.controller.push_back(to_controller_row(d));
          nd.exec->set_share(d.applied);
        }
        bool active = next < n;
        for (const auto& nd : nodes) active = active || nd.busy || nd.runtime->batcher().size() > 0;
        if (active) push(e.time + interval, kSimTick, -1);
        break;
      }
    }
  }
  // The drain is over: whatever is still queued was not served in time.
  for (size_t i = 0; i < nodes.size(); ++i) {
    Node& nd = nodes[i];
    for (const auto& qd : nd.runtime->batcher().drain()) {
      Outcome o;
      o.id = qd.id;
      o.arrival = qd.arrival;
      record(o, static_cast<int>(i), kDropped);
      nd.window.on_drop();
    }
  }
  for (auto& nd : nodes)
    res.nodes.push_back(nd.window.close(now, 0, nd.exec->link_stats(), nd.exec->emb_share()));
  progress.finish();
  for (auto& nd : nodes) nd.exec->set_eviction_callback({});  // the view dies before the nodes
  res.end = end_run(ctx, res.rows, seen, 0,
                    fmt::format("sim: {} nodes (pool {:.0f} MiB each = --pool-mib x --scale {}) on cost model '{}' ({}), virtual time; link {:.4g} MB/s, {} ns per transfer",
                                opt.nodes, ctx.opt.pool_mib * ctx.opt.scale, ctx.opt.scale, cost.name, cost.source, opt.link_bytes_per_s / 1e6, opt.link_latency));
  res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return res;
}

}  // namespace helm
