#include "harness/cluster/front_end.h"

#include <fmt/format.h>

#include <numeric>

#include "common/error.h"
#include "common/rng.h"
#include "gr_model/window.h"
#include "harness/cluster/event_log.h"

namespace helm {

namespace {
RouterOptions router_options(const RunContext& ctx, int nodes, const NodeFacts& f) {
  RouterOptions r = ctx.opt.routing;
  r.nodes = nodes;
  r.seed = stream_seed(ctx.opt.seed, "router");
  const auto& m = ctx.model;  // a KV page of the nodes' pools is the block-counting routers' block
  r.kv_page_tokens = KvLayout::for_page(m.layers, m.heads, m.d_qk, m.d_v,
                                        static_cast<size_t>(ctx.opt.page_kib) * 1024, f.kv_bytes_per_element)
                         .tokens_per_page;
  return r;
}

CostParams view_costs(const RunContext& ctx, const NodeFacts& f) {
  CostParams c;  // a missed embedding row crosses the link; compute per token is learned
  c.ns_per_row = static_cast<double>(ctx.model.D) * sizeof(float) / f.link_bytes_per_s * 1e9;
  if (ctx.opt.host_kv_mib > 0) {  // a host KV tier: a user's evicted K/V is a copy away, not a recompute
    const auto& m = ctx.model;
    const double bytes = static_cast<double>(
        KvLayout::for_page(m.layers, m.heads, m.d_qk, m.d_v, 1 << 20, f.kv_bytes_per_element).bytes_per_token());
    c.host_kv_ns_per_token = bytes / f.link_bytes_per_s * 1e9;
  }
  return c;
}
}  // namespace

ClusterFrontEnd::ClusterFrontEnd(const RunContext& ctx, int nodes, const NodeFacts& facts,
                                 RowSink& sink, EventLog* log)
    : ctx_(ctx),
      nodes_(nodes),
      sink_(sink),
      log_(log),
      router_(make_router(ctx.opt.router, router_options(ctx, nodes, facts))),
      view_(nodes, view_costs(ctx, facts)),
      control_(ctx, nodes),
      seen_(ctx.trace.requests.size(), false),
      summary_(static_cast<Nanos>(ctx.opt.warmup_s * 1e9), ctx.opt.slo_ms,
               static_cast<int64_t>(ctx.trace.requests.size())),
      slo_ns_(static_cast<Nanos>(ctx.opt.slo_ms * 1e6)),
      received_(static_cast<size_t>(nodes), 0),
      reported_(static_cast<size_t>(nodes), -1),
      pending_rows_(static_cast<size_t>(nodes)) {
  backlog_cap_ = ctx.opt.queue_cap + 2 * static_cast<int64_t>(ctx.opt.batch_max_requests);
  warmup_ns_ = static_cast<Nanos>(ctx.opt.warmup_s * 1e9);  // as the summary's
  for (int i = 0; i < nodes; ++i)
    view_.nodes[static_cast<size_t>(i)].emb_share = ctx.policy.initial_share(ctx.policy_context(i, nodes));
}

ClusterFrontEnd::~ClusterFrontEnd() = default;

RequestRow& ClusterFrontEnd::open_row(int64_t id) {
  auto it = open_.find(id);
  if (it == open_.end()) it = open_.emplace(id, initial_row(ctx_.trace.requests[static_cast<size_t>(id)])).first;
  return it->second;
}

void ClusterFrontEnd::count_drop(const RequestRow& row, int cause) {
  if (row.arrival < warmup_ns_) return;
  ++drops_[cause >= 0 && cause < kDropCauses ? static_cast<size_t>(cause) : size_t{kDropUnknown}];
}

void ClusterFrontEnd::emit(int64_t id) {
  const auto it = open_.find(id);
  seen_[static_cast<size_t>(id)] = true;
  summary_.add(it->second);
  sink_.add(it->second);
  open_.erase(it);
}

int ClusterFrontEnd::dispatch(int64_t id, Nanos now) {
  const Request& r = ctx_.trace.requests[static_cast<size_t>(id)];
  RouteRequest rq{r.id, r.user, r.history_len, r.arrival};
  rq.window_start = window_start(r.history_len, ctx_.model.N);  // as the executor computes it
  rq.window = r.history_len - rq.window_start;
  rq.candidates = ctx_.candidates;
  auto& row = open_row(id);
  if (view_.live() == 0) {  // nowhere to send it
    apply_outcome(row, Outcome{}, -1, kFailed, slo_ns_);
    row.dispatch_lag = now - r.arrival;
    ++failed_node_down_;
    emit(id);
    if (log_) log_->dispatch(id, now, -1);
    return -1;
  }
  int node = router_->route(rq, view_);
  HELM_CHECK(node >= 0 && node < nodes_, "router returned node {}", node);
  if (view_.nodes[static_cast<size_t>(node)].down) {
    double best = 0;  // the least loaded live node; the lowest id on a tie (deterministic)
    node = -1;
    for (int i = 0; i < nodes_; ++i)
      if (!view_.nodes[static_cast<size_t>(i)].down && (node < 0 || view_.expected_wait_ns(i) < best))
        node = i, best = view_.expected_wait_ns(i);
  }
  row.node = node;
  row.dispatch_lag = now - r.arrival;
  if (static_cast<int64_t>(view_.nodes[static_cast<size_t>(node)].in_flight.size()) >= backlog_cap_) {
    Outcome o;  // dropped before it is sent: the node cannot take it (see dispatch in the header)
    o.id = id;
    o.arrival = r.arrival;
    apply_outcome(row, o, node, kDropped, slo_ns_);
    count_drop(row, kDropBacklog);
    emit(id);
    if (log_) log_->dispatch(id, now, -1);
    return -1;
  }
  view_.on_dispatch(node, rq);
  ++outstanding_;
  if (log_) log_->dispatch(id, now, node);
  return node;
}

void ClusterFrontEnd::on_outcome(const NodeOutcome& w) {
  if (log_) log_->outcome(w);
  if (w.node >= 0 && w.node < nodes_ && view_.nodes[static_cast<size_t>(w.node)].down) {
    ++late_ignored_;  // its requests were already failed or re-routed
    return;
  }
  if (w.node >= 0 && w.node < nodes_) ++received_[static_cast<size_t>(w.node)];
  const int64_t id = w.o.id;
  if (id < 0 || id >= static_cast<int64_t>(seen_.size()) || seen_[static_cast<size_t>(id)]) {
    ++duplicates_;  // counted, never applied twice: the footer's verdict fails
    return;
  }
  auto& row = open_row(id);
  apply_outcome(row, w.o, w.node, w.status, slo_ns_);
  if (w.status == kDropped) count_drop(row, w.drop_cause);
  --outstanding_;
  view_.on_complete(w.node, Completion{id, row.user, w.kv_start, w.kv_tokens,
                                       w.status == kCompleted ? w.o.finish - w.o.start : 0,
                                       std::max(1, w.o.batch_size)});
  emit(id);
}

void ClusterFrontEnd::on_evict(int node, UserId user) {
  if (log_) log_->evict(node, user);
  if (view_.nodes.at(static_cast<size_t>(node)).down) return;
  view_.on_evict(node, user);
}

std::optional<ControlDecision> ClusterFrontEnd::on_window(const NodeWindowStats& w, Nanos now) {
  if (log_) log_->window(w, now);
  if (view_.nodes.at(static_cast<size_t>(w.node)).down) return std::nullopt;  // the controller skips it
  view_.on_interval(w.node, NodeSummary{w.queue_len, w.emb_share, w.emb_lookups, w.emb_hits});
  sink_.add(to_row(w));
  auto& pending = pending_rows_.at(static_cast<size_t>(w.node));
  if (pending) {
    pending->ratio_applied = w.emb_share;
    sink_.add(*pending);
    pending.reset();
  }
  if (!controlling_) return std::nullopt;
  const ControlDecision d = control_.on_window(w, now);
  pending = to_controller_row(d);
  return d;
}

void ClusterFrontEnd::on_finished(int node, int64_t outcomes_sent) {
  if (down(node)) return;  // what it sent after it was declared lost was ignored
  reported_.at(static_cast<size_t>(node)) = outcomes_sent;
}

std::vector<int64_t> ClusterFrontEnd::node_down(int node, Nanos now, bool reroute) {
  if (log_) log_->node_down(node, now, reroute);
  auto& nv = view_.nodes.at(static_cast<size_t>(node));
  std::vector<int64_t> held;
  if (nv.down) return held;
  for (const auto& f : nv.in_flight) held.push_back(f.id);
  view_.on_down(node);
  ++losses_;
  pending_rows_.at(static_cast<size_t>(node)).reset();  // its last decision was never applied
  outstanding_ -= static_cast<int64_t>(held.size());
  fault_notes_.push_back(fmt::format("node {} lost at {:.3f} s: {} requests it held {}", node, now / 1e9,
                                     held.size(), reroute ? "re-routed" : "failed (failed_node_down)"));
  if (reroute) {
    rerouted_ += static_cast<int64_t>(held.size());
    return held;
  }
  for (const int64_t id : held) {
    Outcome o;
    o.id = id;
    apply_outcome(open_row(id), o, node, kFailed, slo_ns_);
    emit(id);
  }
  failed_node_down_ += static_cast<int64_t>(held.size());
  return {};
}

void ClusterFrontEnd::node_up(int node, Nanos now) {
  if (log_) log_->node_up(node, now);
  if (!down(node)) return;
  view_.on_up(node);
  view_.nodes[static_cast<size_t>(node)].emb_share = ctx_.policy.initial_share(ctx_.policy_context(node, nodes_));
  fault_notes_.push_back(fmt::format("node {} back at {:.3f} s with empty caches", node, now / 1e9));
}

bool ClusterFrontEnd::targets_due(Nanos now) {
  const bool due = controlling_ && control_.due(now);
  if (log_) log_->due(now, due);
  return due;
}

void ClusterFrontEnd::stop_control() {
  if (log_) log_->stop_control();
  controlling_ = false;
}

RunEnd ClusterFrontEnd::finish(const std::string& backend_note) {
  int64_t mismatched = 0;  // nodes whose own count differs from what arrived (-1: never said)
  for (size_t i = 0; i < received_.size(); ++i)
    mismatched += reported_[i] >= 0 && reported_[i] != received_[i];
  // A request without an outcome would be a harness bug: recorded as failed, never hidden. Its
  // row keeps what dispatch set (node, lag); one never dispatched is its trace entry's.
  int64_t missing = 0;
  for (size_t i = 0; i < seen_.size(); ++i)
    if (!seen_[i]) {
      open_row(static_cast<int64_t>(i)).status = kFailed;
      emit(static_cast<int64_t>(i));
      ++missing;
    }
  RunEnd end = end_run(ctx_, summary_.finish(), missing, duplicates_, backend_note, mismatched);
  // Failed by cause: node_down here, no outcome (a harness bug) in end_run's outcome_missing.
  end.footer.set("failed_node_down", failed_node_down_).set("rerouted_node_down", rerouted_);
  end.footer.set("nodes_lost", losses_).set("late_outcomes_ignored", late_ignored_);
  // Dropped by cause; they add up to footer_dropped (a drop without a cause would be a bug).
  end.footer.set("dropped_queue_full", drops_[kDropQueueFull]).set("dropped_drain", drops_[kDropDrain]);
  end.footer.set("dropped_node_backlog", drops_[kDropBacklog]).set("dropped_cause_unknown", drops_[kDropUnknown]);
  if (std::accumulate(drops_.begin(), drops_.end(), int64_t{0}) > 0)
    end.notes.push_back(fmt::format("drops by cause: queue full {}, drain {}, node backlog (rank 0) {}{}",
                                    drops_[kDropQueueFull], drops_[kDropDrain], drops_[kDropBacklog],
                                    drops_[kDropUnknown] ? fmt::format(", UNKNOWN {}", drops_[kDropUnknown]) : ""));
  end.notes.insert(end.notes.end(), fault_notes_.begin(), fault_notes_.end());
  for (auto& p : pending_rows_)  // a node that never reported again: its own computed step
    if (p) sink_.add(*p), p.reset();
  return end;
}

}  // namespace helm
