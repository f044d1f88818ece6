// A worker rank: receives request ids from rank 0, serves them through the node runtime with
// its own pool and model, and reports every request's fate exactly once (completed or dropped).
// It never blocks in MPI during the run: Iprobe + a short sleep when idle.
#include <mpi.h>
#include <sched.h>

#include <algorithm>
#include <chrono>

#include "controller/memory_policy.h"
#include "harness/cli/provenance.h"
#include "harness/mpi/clock_sync.h"
#include "harness/node/kv_hit_worth.h"
#include "harness/node/link_setup.h"
#include "harness/mpi/mpi_driver.h"
#include "harness/mpi/mpi_util.h"
#include "harness/mpi/nccl_broadcast.h"
#include "harness/node/window_stats.h"

namespace helm {

int run_worker(const RunContext& ctx, int rank) {
  const int node = rank - 1;
  // With more ranks than cores, rank 0 shares a core with workers that compute flat out. Workers
  // then run as SCHED_IDLE: the kernel preempts them as soon as the pacing loop wakes (a nice
  // level only shifts CFS shares and still leaves ~1 ms wake-up delays), so dispatch lag measures
  // the harness, not the OS scheduler. Recorded as worker_sched in the results.
  int world = 0;
  HELM_MPI(MPI_Comm_size(MPI_COMM_WORLD, &world));
  const LocalDevice dev = choose_local_device(MPI_COMM_WORLD);  // collective, as on rank 0
  RatioBroadcast ratios(MPI_COMM_WORLD, control_width(world - 1), dev, 0, ctx.opt.backend == "cuda");
  gather_gpu_descriptions(MPI_COMM_WORLD, dev);  // into rank 0's results file
  mpi::share_host_names();
  mpi::StartMsg start;
  // Rank 0 may first ask for the start-up measurements (the link rule, the KV hit worth), then
  // measures the clock offset (just before the start, so it has not drifted since: the
  // measurements take seconds), then says start. All before lowering the priority: a slow
  // answer would skew the offset.
  for (;;) {
    const MPI_Status st = mpi::wait_for_message(0);
    if (st.MPI_TAG == mpi::kStart) {
      HELM_MPI(MPI_Recv(&start, sizeof start, MPI_BYTE, 0, mpi::kStart, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
      break;
    }
    if (st.MPI_TAG == mpi::kPing) {
      answer_clock_pings();
      continue;
    }
    HELM_MPI(MPI_Recv(nullptr, 0, MPI_BYTE, 0, mpi::kMeasureLink, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    mpi::SetupTimes t;
    if (kv_worth_needs_measurement(ctx.opt, ctx.policy.needs_curves)) {
      // One round-robin measurement of the link's batch and its cached twin: both figures see
      // the same interference from the other ranks.
      const WorthMeasurement m = measure_kv_worth(make_batch_timer(ctx, dev.device), ctx.opt, ctx.model, ctx.candidates);
      t.kv_worth_ns_per_token = m.ns_per_token;
      if (link_needs_measurement(ctx.opt)) t.link_ns = m.batch_ns;
    } else if (link_needs_measurement(ctx.opt)) {
      t.link_ns = measure_link_shapes(ctx.opt, ctx.model, ctx.candidates);
    }
    HELM_MPI(MPI_Send(&t, sizeof t, MPI_BYTE, 0, mpi::kMeasureLink, MPI_COMM_WORLD));
  }
  if (worker_sched(world) == "idle") {
    sched_param none{};
    none.sched_priority = 0;
    sched_setscheduler(0, SCHED_IDLE, &none);
  }
  const SchedTimes sched0 = sched_times();
  const auto wall0 = std::chrono::steady_clock::now();

  // The run's clock: t = 0 at rank 0's origin, converted through the measured offset and, on
  // another host, corrected by rank 0's re-measurements (kClockFix).
  WorkerClock clock(start.origin_raw);
  KvHitWorth worth;
  worth.model = load_worth_model(ctx.opt, ctx.model);
  worth.ns_per_token = start.kv_worth_ns_per_token;
  const auto exec = make_worker_executor(ctx, node, world - 1, start.link_bytes_per_s, worth, clock, dev.device);
  NodeRuntime runtime(batching_options(ctx.opt), *exec);
  const Nanos interval = static_cast<Nanos>(ctx.opt.control_interval_ms * 1e6);
  Nanos next_stats = interval;
  // The drain's end, as rank 0 computes it (every rank has the trace). Past it nothing new starts
  // and what is queued or still arriving is dropped, without waiting for kStop: under overload
  // (or a starved core) kStop queues behind thousands of request messages, and serving them
  // meanwhile would keep the run going long after its drain, as `sim` never does.
  const auto& reqs = ctx.trace.requests;
  const Nanos drain_end = (reqs.empty() ? 0 : reqs.back().arrival) + static_cast<Nanos>(ctx.opt.drain_s * 1e9);
  // The control loop: at most one --max-step move per interval. A target that arrives after this
  // interval's move (a second round in one interval, when a node reported late) is held. The
  // next interval's own round, decided on the window just closed, supersedes it (the newest
  // broadcast wins); only if none comes is the held target applied, at the next close. Applying
  // it at once would take the next interval's move and push every later round one interval
  // behind. The next window's emb_share reports what was applied; rank 0 records that in
  // /controller.
  double target = -1;
  bool moved = false, held = false;
  auto apply_target = [&] {
    if (target < 0 || moved) return;
    exec->set_share(step_toward(exec->emb_share(), target, ctx.opt.max_step));
    target = -1;
    moved = true;
  };
  WindowStats window(node, static_cast<Nanos>(ctx.opt.slo_ms * 1e6));
  mpi::PendingSends<mpi::WireOutcome> out_sends;
  mpi::PendingSends<NodeWindowStats> stat_sends;
  std::vector<double> targets;
  // A window as the policy sees it: the /nodes row plus the miss-ratio curves.
  auto close_window = [&](int64_t queue_len) {
    NodeWindowStats w = to_window(window.close(clock.now(), queue_len, exec->link_stats(),
                                               exec->emb_share()));
    window.fill_burst(w);
    exec->fill_window(w);
    return w;
  };
  std::vector<Outcome> outcomes;
  std::vector<mpi::WireOutcome> wire;
  // The router's residency view: users whose KV leaves the pool are collected here and sent
  // (kEvictions) just before the outcomes of the same flush, and each completion carries its
  // user's KV state after the batch, so rank 0 applies both in the order they happened here.
  std::vector<int64_t> evicted;
  mpi::PendingSends<int64_t> evict_sends, clock_sends;
  exec->set_eviction_callback([&evicted](UserId u) { evicted.push_back(u); });
  int64_t sent = 0;
  bool stopped = false;

  auto report = [&](int8_t status, DropCause cause = kDropUnknown) {
    for (const auto& o : outcomes) {
      wire.push_back({o, node, status});
      wire.back().drop_cause = cause;
      if (status == kCompleted) {  // the user's KV state now
        const KvProbe p = exec->probe_kv(ctx.trace.requests[static_cast<size_t>(o.id)].user);
        wire.back().kv_start = p.start;
        wire.back().kv_tokens = p.present ? p.tokens : 0;
      }
      if (status == kCompleted) window.on_outcome(o);
    }
    outcomes.clear();
  };
  // What is still queued when the drain is over was not served in time: dropped.
  auto drop_queued = [&] {
    for (const auto& q : runtime.batcher().drain()) {
      Outcome o;
      o.id = q.id;
      o.arrival = q.arrival;
      outcomes.push_back(o);
      window.on_drop();
    }
    report(kDropped, kDropDrain);
  };
  auto flush_wire = [&] {
    if (!evicted.empty()) {  // before the outcomes (MPI keeps one sender's order)
      evict_sends.send(std::move(evicted), 0, mpi::kEvictions);
      evicted.clear();
    }
    if (wire.empty()) return;
    sent += static_cast<int64_t>(wire.size());
    out_sends.send(std::move(wire), 0, mpi::kOutcomes);
    wire.clear();
  };

  while (!stopped) {
    int flag = 0;
    MPI_Status st;
    HELM_MPI(MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st));
    while (flag) {
      if (st.MPI_TAG == mpi::kRequest) {
        mpi::RequestMsg m;
        HELM_MPI(MPI_Recv(&m, sizeof m, MPI_BYTE, 0, mpi::kRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        const int64_t id = m.id;
        const Request& r = ctx.trace.requests.at(static_cast<size_t>(id));
        const Nanos arrival = r.arrival;
        window.on_arrival(r);
        const Nanos now = clock.now();
        const bool late = now >= drain_end;
        // Admitted as of when it was sent (RequestMsg); never later than now (clock error).
        if (late || !runtime.admit(id, arrival, std::min(now, m.sent))) {
          window.on_drop();
          Outcome o;
          o.id = id;
          o.arrival = arrival;
          outcomes.push_back(o);
          report(kDropped, late ? kDropDrain : kDropQueueFull);
        }
      } else if (st.MPI_TAG == mpi::kResyncPing) {  // answered at once: the round trip bounds the error
        int64_t t0 = 0;
        HELM_MPI(MPI_Recv(&t0, 1, MPI_INT64_T, 0, mpi::kResyncPing, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        clock_sends.send({t0, worker_raw_ns()}, 0, mpi::kResyncPong);
      } else if (st.MPI_TAG == mpi::kClockFix) {
        mpi::ClockFix f;
        HELM_MPI(MPI_Recv(&f, sizeof f, MPI_BYTE, 0, mpi::kClockFix, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        clock.correct(f.t_ref, f.at_ref_ns, f.rate);
      } else if (st.MPI_TAG == mpi::kStop) {
        HELM_MPI(MPI_Recv(nullptr, 0, MPI_BYTE, 0, mpi::kStop, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        stopped = true;
        break;
      } else {
        throw std::runtime_error("worker: unexpected message tag " + std::to_string(st.MPI_TAG));
      }
      HELM_MPI(MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st));
    }
    if (stopped) break;
    // The control loop, at a batch boundary (the newest broadcast wins; poll never waits).
    if (ratios.poll(targets)) {
      const NodeTarget t = node_target(targets, node);
      target = t.share;
      exec->set_refill_scale(t.refill_scale);  // not step-limited: a throttle, not a move
      apply_target();
    }
    // Between batches: pending page releases and background refill (never inside a batch).
    exec->background(clock.now());
    const Nanos now = clock.now();
    if (now >= drain_end && runtime.batcher().size() > 0) {  // the drain is over (see drain_end)
      drop_queued();
    }
    if (now < drain_end && runtime.poll(now, outcomes)) {
      report(kCompleted);
      flush_wire();
    } else {
      flush_wire();
      // No deadline is max(): subtracting a negative `now` (before the start) from it overflows.
      const Nanos d = runtime.batcher().deadline();
      mpi::idle_sleep(d >= now + 100'000 ? 100'000 : std::max<Nanos>(0, d - now));
    }
    if (clock.now() >= next_stats) {
      stat_sends.send({close_window(static_cast<int64_t>(runtime.batcher().size()))}, 0, mpi::kNodeStats);
      next_stats += interval;
      moved = false;  // a new interval: one more move allowed
      if (held) apply_target();  // held through a whole interval: nothing newer came
      held = target >= 0;        // came late in the last one: this interval's round supersedes it
    }
    out_sends.reap();
    evict_sends.reap();
    stat_sends.reap();
    clock_sends.reap();
  }
  // The drain is over: whatever is still queued was not served in time.
  drop_queued();
  flush_wire();
  stat_sends.send({close_window(0)}, 0, mpi::kNodeStats);
  out_sends.wait_all();
  stat_sends.wait_all();
  evict_sends.wait_all();
  clock_sends.wait_all();
  exec->set_eviction_callback({});  // `evicted` dies before the executor
  // Finished before the last ratio frame: a broadcast relayed through a lost (hung) worker never
  // arrives, and this worker must not look lost too for waiting on it.
  const SchedTimes sched1 = sched_times();
  const int64_t wall = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - wall0).count();
  const mpi::FinishedMsg fin{sent, peak_rss_bytes(), wall, sched1.cpu_ns - sched0.cpu_ns,
                             sched1.runqueue_wait_ns - sched0.runqueue_wait_ns, exec->kv_hit_ns_per_token(),
                             exec->forward_ns_per_token()};
  HELM_MPI(MPI_Send(&fin, sizeof fin, MPI_BYTE, 0, mpi::kFinished, MPI_COMM_WORLD));
  ratios.finish();  // rank 0 posted the last frame before kStop: this returns
  return 0;
}

}  // namespace helm
