#include "harness/sim/sim_driver.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "common/error.h"
#include "common/progress.h"
#include "common/rng.h"
#include "harness/cluster/front_end.h"
#include "harness/cluster/ordered_rows.h"
#include "harness/sim/sim_events.h"
#include "harness/node/noop_executor.h"
#include "harness/sim/sim_executor.h"
#include "harness/node/window_stats.h"

namespace helm {

namespace {

struct Node {
  std::unique_ptr<NodeExecutor> exec;
  std::unique_ptr<NodeRuntime> runtime;
  WindowStats window;
  bool busy = false;
  Nanos timeout_at = -1;           // the pending timeout event, -1 when none
  Nanos timeout_for = -1;          // the batcher deadline that event was drawn for
  DelaySource wake;                // how late this node notices its deadlines (its own stream)
  int64_t completion_seq = -1;     // the running batch's completion event (a lost batch's is stale)
  bool down = false;               // lost (an injected fault): serves nothing, swallows arrivals
  bool lost_unseen = false;        // lost since the last tick (it may be back already)
  std::vector<Outcome> running;    // outcomes of the batch in flight, released at its finish
  int64_t outcomes_sent = 0;       // what the node reported, checked by the front end
  Node(int id, Nanos slo_ns) : window(id, slo_ns) {}
};

}  // namespace

SimOptions sim_options(int nodes, const CostModel& cost, const std::string& cost_path,
                       const RunOptions& opt, bool latency_given) {
  SimOptions so;
  so.nodes = nodes;
  so.cost_model_path = cost_path;
  so.link_bytes_per_s = opt.h2d_gbps > 0 ? opt.h2d_gbps * 1e9 : cost.link_bytes_per_s;
  so.link_latency = latency_given ? static_cast<Nanos>(opt.h2d_latency_us * 1e3) : static_cast<Nanos>(cost.link_latency_ns);
  return so;
}

std::string use_cost_model_pool(RunOptions& opt, const CostModel& cost, bool pool_defaulted, std::string config) {
  if (!pool_defaulted || !(cost.pool_mib > 0)) return config;
  const std::string was = fmt::format("pool-mib = {}  # default\n", opt.pool_mib);
  opt.pool_mib = cost.pool_mib;
  if (const auto at = config.find(was); at != std::string::npos)
    config.replace(at, was.size(), fmt::format("pool-mib = {}  # cost model {}: {}\n", opt.pool_mib, cost.name, cost.pool_source));
  return config;
}

SimResult simulate(const RunContext& ctx, const CostModel& cost, const SimOptions& opt, RowSink* out) {
  if (opt.nodes < 1) bad_input("--nodes: must be at least 1 (got {})", opt.nodes);
  const auto& reqs = ctx.trace.requests;
  const int64_t n = static_cast<int64_t>(reqs.size());
  const auto wall0 = std::chrono::steady_clock::now();

  // The embedding table only sizes rows (NullDevice: never read); one for all nodes.
  const GeneratedHostTable table(ctx.trace.items->num_items(), ctx.model.D, 0, 0.1f);
  const BatchingOptions bo = batching_options(ctx.opt);
  // With --emb-sample: the users' sampled ids, drawn once for every node (sampled_history.h).
  std::unique_ptr<SampledHistories> histories;
  std::vector<Node> nodes;
  nodes.reserve(static_cast<size_t>(opt.nodes));
  // A node's executor and runtime, empty (at the start, and when a lost node is rebuilt).
  auto build = [&](Node& nd, int i) {
    // --scale shrinks the catalogue and population (the profile) AND the pool, so the caches'
    // pressure keeps its shape at a fraction of the memory. `run` does not scale its pool:
    // compare the two only at --scale 1. The link is the cost model's.
    NodeOptions so = node_options(ctx, i, opt.nodes, opt.link_bytes_per_s, ctx.opt.scale, false);
    so.link_latency = opt.link_latency;
    if (!so.emb_sample.exact()) {
      if (!histories) histories = std::make_unique<SampledHistories>(*ctx.trace.items, so.emb_sample);
      so.emb_histories = histories.get();
    }
    nd.runtime.reset();  // it refers to the executor
    if (ctx.opt.executor == "noop")
      nd.exec = std::make_unique<NoopExecutor>(ctx.trace, so.emb_share);
    else
      nd.exec = std::make_unique<CostModelExecutor>(ctx.trace, ctx.model, cost, table, so,
                                                    hash64(stream_seed(ctx.opt.seed, "link-wake"), i));
    nd.runtime = std::make_unique<NodeRuntime>(bo, *nd.exec);
    nd.wake = DelaySource(&cost.wake_quantiles, cost.wake_ns, hash64(stream_seed(ctx.opt.seed, "timeout-wake"), i));
  };
  for (int i = 0; i < opt.nodes; ++i) build(nodes.emplace_back(i, static_cast<Nanos>(ctx.opt.slo_ms * 1e6)), i);
  // Every cluster-level decision is the front end's, exactly as on rank 0 of `run`.
  Progress progress(n, progress_options("sim"));  // stderr, HELM_PROGRESS (common/progress.h)
  RowCollector kept;  // every row, when the caller streams none
  OrderedRequestRows sink(out ? *out : kept, n);  // /requests by id, as the file has always held them
  ClusterFrontEnd front(ctx, opt.nodes, NodeFacts{opt.link_bytes_per_s, static_cast<size_t>(cost.bytes_per_element)}, sink);
  for (int i = 0; i < opt.nodes; ++i)
    nodes[static_cast<size_t>(i)].exec->set_eviction_callback([&front, i](UserId u) { front.on_evict(i, u); });

  SimResult res;
  const Nanos interval = static_cast<Nanos>(ctx.opt.control_interval_ms * 1e6);
  // When each request is admitted on its node: its scheduled arrival plus the admission lag, a
  // draw per request (keyed by its id, so no other event's order moves it) or the constant.
  // Never before its predecessor: rank 0 sends in arrival order, so a late pacing wake-up sends
  // every request it overslept at once, behind the first.
  std::vector<Nanos> admitted(static_cast<size_t>(n));
  {
    const DelaySource lag(&cost.admit_quantiles, cost.admit_ns, stream_seed(ctx.opt.seed, "admit-lag"));
    Nanos last = 0;
    for (int64_t k = 0; k < n; ++k)
      last = admitted[static_cast<size_t>(k)] =
          std::max(last, reqs[static_cast<size_t>(k)].arrival + lag.at(static_cast<uint64_t>(k)));
  }
  // The drain is counted from the last admission: every arrival event is then processed.
  const Nanos drain_end = (n ? admitted.back() : 0) + static_cast<Nanos>(ctx.opt.drain_s * 1e9);

  SimEventQueue q;
  auto push = [&](Nanos t, int kind, int node) { q.push(t, kind, node); };
  auto record = [&](const Outcome& o, int node, int8_t status, DropCause cause = kDropUnknown) {
    NodeOutcome w{o, node, status};
    w.drop_cause = cause;
    if (status == kCompleted) {  // the user's KV on that node after the batch
      const KvProbe p = nodes[static_cast<size_t>(node)].exec->probe_kv(reqs[static_cast<size_t>(o.id)].user);
      w.kv_start = p.start;
      w.kv_tokens = p.present ? p.tokens : 0;
    }
    ++nodes[static_cast<size_t>(node)].outcomes_sent;
    front.on_outcome(w);
    progress.record(status == kCompleted, o.finish - o.arrival);
  };
  auto drop = [&](int64_t id, Nanos arrival, int node, DropCause cause) {
    Outcome o;
    o.id = id;
    o.arrival = arrival;
    record(o, node, kDropped, cause);
    nodes[static_cast<size_t>(node)].window.on_drop();
  };
  // A free node runs a batch if one is ready now, else waits for its oldest request's timeout.
  auto try_start = [&](int i, Nanos t) {
    Node& nd = nodes[static_cast<size_t>(i)];
    if (nd.busy) return;
    nd.exec->background(t);  // page releases and refill, between batches as in `run`
    nd.running.clear();
    if (nd.runtime->poll(t, nd.running)) {
      nd.busy = true;
      nd.timeout_for = -1;
      ++res.batches;
      nd.completion_seq = q.push(nd.running.front().finish, kSimCompletion, i);
      return;
    }
    const Nanos d = nd.runtime->batcher().deadline();
    if (d != std::numeric_limits<Nanos>::max() && nd.timeout_for != d) {
      // The real worker notices a timeout late (its sleep overshoots): one draw per deadline.
      nd.timeout_for = d;
      nd.timeout_at = d + nd.wake.next();
      push(nd.timeout_at, kSimTimeout, i);
    }
  };
  auto close_window = [&](Node& nd, Nanos t, int64_t queue_len) {
    NodeWindowStats w = to_window(nd.window.close(t, queue_len, nd.exec->link_stats(), nd.exec->emb_share()));
    nd.window.fill_burst(w);
    return w;
  };

  for (const NodeFault& f : opt.faults) {  // per node in time order: each event toggles it
    push(f.down, kSimFault, f.node);
    if (f.up >= 0) push(f.up, kSimFault, f.node);
  }
  // A lost node's requests handed back by the front end (--on-fail reroute) go out again now.
  auto redispatch = [&](const std::vector<int64_t>& ids, Nanos t) {
    for (const int64_t id : ids) {
      const Request& r = reqs[static_cast<size_t>(id)];
      const int node = front.dispatch(id, t);
      if (node < 0) continue;  // settled by the front end (failed or dropped)
      Node& nd = nodes[static_cast<size_t>(node)];
      nd.window.on_arrival(r);
      if (!nd.runtime->admit(id, r.arrival, t)) {
        drop(id, r.arrival, node, kDropQueueFull);
        continue;
      }
      try_start(node, t);
    }
  };

  push(interval, kSimTick, -1);
  int64_t next = 0;
  Nanos now = 0;
  for (;;) {
    // The next arrival competes with the heap's top under the same ordering.
    const bool have_arrival = next < n;
    const SimEvent arr{have_arrival ? admitted[static_cast<size_t>(next)] : 0, kSimArrival, -1, -1};
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
    progress.tick();
    now = e.time;
    switch (e.kind) {
      case kSimArrival: {
        const Request& r = reqs[static_cast<size_t>(next++)];
        const int node = front.dispatch(r.id, r.arrival);  // rank 0 sends it when it is due
        if (node < 0) break;  // settled by the front end (failed or dropped)
        Node& nd = nodes[static_cast<size_t>(node)];
        if (nd.down) break;  // lost with the node; the front end learns at the next tick
        nd.window.on_arrival(r);
        if (!nd.runtime->admit(r.id, r.arrival, e.time)) {
          drop(r.id, r.arrival, node, kDropQueueFull);
          break;
        }
        try_start(node, e.time);
        break;
      }
      case kSimCompletion: {
        Node& nd = nodes[static_cast<size_t>(e.node)];
        if (e.seq != nd.completion_seq) break;  // the batch was lost with its node
        nd.completion_seq = -1;
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
      case kSimFault: {
        Node& nd = nodes[static_cast<size_t>(e.node)];
        nd.exec->set_eviction_callback({});
        if (!nd.down) {  // lost: queue, running batch, caches; rebuilt empty for its return
          build(nd, e.node);
          nd.window = WindowStats(e.node, static_cast<Nanos>(ctx.opt.slo_ms * 1e6));
          nd.running.clear();
          nd.busy = false;
          nd.timeout_at = nd.timeout_for = nd.completion_seq = -1;
          nd.down = nd.lost_unseen = true;
        } else {
          nd.down = false;
          nd.window = WindowStats(e.node, static_cast<Nanos>(ctx.opt.slo_ms * 1e6));
        }
        nd.exec->set_eviction_callback([&front, i = e.node](UserId u) { front.on_evict(i, u); });
        break;
      }
      case kSimTick: {
        // The front end learns of losses and returns from the reports of this tick.
        std::vector<int64_t> handed_back;
        for (int i = 0; i < opt.nodes; ++i) {
          Node& nd = nodes[static_cast<size_t>(i)];
          if (nd.lost_unseen) {
            auto ids = front.node_down(i, e.time, opt.reroute);
            handed_back.insert(handed_back.end(), ids.begin(), ids.end());
            nd.lost_unseen = false;
          }
          if (!nd.down && front.down(i)) front.node_up(i, e.time);
        }
        std::sort(handed_back.begin(), handed_back.end());  // by id = arrival order
        redispatch(handed_back, e.time);
        for (auto& nd : nodes) {
          if (nd.down) continue;  // no report, no decision: the controller skips it
          NodeWindowStats w = close_window(nd, e.time, static_cast<int64_t>(nd.runtime->batcher().size()));
          nd.exec->fill_window(w);
          // The split moves at once: rank 0's round trip is instantaneous in virtual time.
          if (const auto d = front.on_window(w, e.time)) {
            nd.exec->set_share(d->applied);
            nd.exec->set_refill_scale(d->refill_scale);
          }
        }
        bool active = next < n || front.outstanding() > 0;  // a lost node's requests: until detected
        for (const auto& nd : nodes) active = active || nd.busy || nd.runtime->batcher().size() > 0;
        if (active) push(e.time + interval, kSimTick, -1);
        break;
      }
    }
  }
  // The drain is over: whatever is still queued was not served in time.
  front.stop_control();
  for (int i = 0; i < opt.nodes; ++i)  // lost after the last tick: failed (nothing to re-route to in time)
    if (nodes[static_cast<size_t>(i)].lost_unseen) front.node_down(i, now, false);
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const auto& qd : nodes[i].runtime->batcher().drain()) drop(qd.id, qd.arrival, static_cast<int>(i), kDropDrain);
  for (auto& nd : nodes)
    if (!nd.down) front.on_window(close_window(nd, now, 0), now);
  for (int i = 0; i < opt.nodes; ++i) front.on_finished(i, nodes[static_cast<size_t>(i)].outcomes_sent);
  for (auto& nd : nodes) nd.exec->set_eviction_callback({});  // the front end dies before the nodes
  progress.finish();
  res.end = front.finish(
      fmt::format("sim: {} nodes (pool {:.0f} MiB each = --pool-mib x --scale {}) on cost model '{}' ({}), "
                  "virtual time; link {:.4g} MB/s, {} ns per transfer",
                  opt.nodes, ctx.opt.pool_mib * ctx.opt.scale, ctx.opt.scale, cost.name, cost.source,
                  opt.link_bytes_per_s / 1e6, opt.link_latency));
  const OrderedRequestRows::End order = sink.finish();
  res.reorder_max_rows = static_cast<int64_t>(order.max_waiting);
  if (!order.clean()) {  // the front end emits each id once: a harness bug, made visible
    res.end.summary.exactly_once = false;
    res.end.footer.set("footer_exactly_once", false);
    res.end.notes.push_back(fmt::format("results stream: {} ids never came (first {}), {} duplicate rows, {} out of range",
                                        order.missing, fmt::join(order.first_missing, ", "), order.duplicates,
                                        order.out_of_range));
  }
  res.rows = std::move(kept.requests);
  res.nodes = std::move(kept.nodes);
  res.controller = std::move(kept.controller);
  res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return res;
}

}  // namespace helm
