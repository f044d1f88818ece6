// Rank 0: paces arrivals open-loop by wall clock, routes, sends request ids (MPI_Isend), polls
// completions and statistics, hands rows to the results thread, and prints the footer.
// It never blocks during the run: Iprobe + short sleeps (DESIGN.md's MPI rules).
#include <mpi.h>
#include <sys/prctl.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "common/blas.h"
#include "common/progress.h"
#include "gr_model/window.h"
#include "harness/control_loop.h"
#include "harness/mpi_driver.h"
#include "harness/mpi_util.h"
#include "harness/provenance.h"
#include "harness/request_rows.h"
#include "harness/results_sink.h"
#include "results/summary.h"
#include "scheduler/router.h"
#include "common/rng.h"

namespace helm {

namespace {

struct ClockSync {
  int64_t offset = 0;  // worker raw steady ns - rank 0 raw steady ns
  int64_t rtt = 0;     // of the sample used; 0 when the clock is shared
  bool shared = false; // same host as rank 0: one CLOCK_MONOTONIC, the offset is exactly 0
};

// Ranks on rank 0's host share its monotonic clock. Others: ping-pong and keep the sample with
// the smallest round trip (NTP's rule), pinging until one round trip is under 200 us or 500
// pings were made: on a loaded machine a few pings can all be slow, and half the round trip
// bounds the error of the offset.
std::vector<ClockSync> sync_clocks(int world, const std::vector<std::string>& hosts) {
  constexpr int kMinPings = 16, kMaxPings = 500;
  constexpr int64_t kGoodRtt = 200'000;
  std::vector<ClockSync> out(static_cast<size_t>(world));
  for (int w = 1; w < world; ++w) {
    ClockSync best{0, INT64_MAX, false};
    // HELM_CLOCK_PINGPONG=1 measures same-host ranks too (tests check the estimate against 0).
    static const bool force = std::getenv("HELM_CLOCK_PINGPONG") != nullptr;
    const bool shared = !force && hosts[static_cast<size_t>(w)] == hosts[0];
    for (int i = 0; !shared && (i < kMinPings || (best.rtt > kGoodRtt && i < kMaxPings)); ++i) {
      int64_t ping = i;
      const int64_t t0 = mpi::steady_raw_ns();
      HELM_MPI(MPI_Send(&ping, 1, MPI_INT64_T, w, mpi::kPing, MPI_COMM_WORLD));
      int64_t tw = 0;
      HELM_MPI(MPI_Recv(&tw, 1, MPI_INT64_T, w, mpi::kPong, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
      const int64_t t1 = mpi::steady_raw_ns();
      if (t1 - t0 < best.rtt) best = {tw - (t0 + t1) / 2, t1 - t0, false};
    }
    int64_t done = -1;  // ends the worker's answering loop
    HELM_MPI(MPI_Send(&done, 1, MPI_INT64_T, w, mpi::kPing, MPI_COMM_WORLD));
    out[static_cast<size_t>(w)] = shared ? ClockSync{0, 0, true} : best;
  }
  return out;
}

}  // namespace

int run_scheduler(const RunContext& ctx, int world) {
  const int workers = world - 1;
  // The pacing loop sleeps in short steps; Linux's default 50 us timer slack would add up to
  // 50 us of dispatch lag to every wake-up.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  const auto& reqs = ctx.trace.requests;
  const int64_t n = static_cast<int64_t>(reqs.size());

  std::cout << "helm-bench run: " << workers << " workers, " << n << " requests, trace "
            << ctx.trace.name << "\n--- effective configuration ---\n"
            << ctx.config_text << "-------------------------------\n";

  const LinkSetup link = link_setup(ctx.opt);
  std::cout << "h2d link: " << link.describe << "\n";
  const auto clocks = sync_clocks(world, mpi::share_host_names());
  // t = 0 of the run, a little in the future so every worker has its start message in time.
  const int64_t origin_raw = mpi::steady_raw_ns() + 300'000'000;
  for (int w = 1; w < world; ++w) {
    mpi::StartMsg s{origin_raw + clocks[static_cast<size_t>(w)].offset, link.bytes_per_s};
    HELM_MPI(MPI_Send(&s, sizeof s, MPI_BYTE, w, mpi::kStart, MPI_COMM_WORLD));
  }

  RootAttributes attrs = provenance_attributes(ctx, world);
  attrs.set("h2d_bytes_per_s", link.bytes_per_s).set("h2d_link", link.describe);
  attrs.set("sgemm_gflops", link.sgemm_gflops);
  std::string offsets;
  for (int w = 1; w < world; ++w)
    offsets += clocks[static_cast<size_t>(w)].shared
                   ? fmt::format("{}node{}: same host, shared monotonic clock", w > 1 ? "; " : "", w - 1)
                   : fmt::format("{}node{}: offset {} ns, rtt {} ns", w > 1 ? "; " : "", w - 1,
                                 clocks[static_cast<size_t>(w)].offset, clocks[static_cast<size_t>(w)].rtt);
  attrs.set("clock_offsets", offsets);
  ResultsSink sink(ctx.opt.out, attrs);

  // Every generated request gets exactly one row; rows are filled as outcomes arrive.
  std::vector<RequestRow> rows = initial_rows(ctx.trace);
  std::vector<int32_t> outcomes_seen(static_cast<size_t>(n), 0);
  Progress progress(n, progress_options("run"));  // stderr, HELM_PROGRESS (common/progress.h)
  // Issue 7: the router and its view. The link cost of a missed embedding row is known here; the
  // compute cost per token is learned by the view from completions.
  RouterOptions ropt;
  ropt.nodes = workers;
  ropt.seed = stream_seed(ctx.opt.seed, "router");
  ropt.cache_aware = {ctx.opt.cache_aware_abs, ctx.opt.cache_aware_rel, ctx.opt.cache_aware_match};
  auto router = make_router(ctx.opt.router, ropt);
  CostParams cost;
  cost.ns_per_row = static_cast<double>(ctx.model.D) * sizeof(float) / link.bytes_per_s * 1e9;
  ClusterView view(workers, cost);
  for (int i = 0; i < workers; ++i) view.nodes[static_cast<size_t>(i)].emb_share = ctx.split_for(i);

  const SteadyClock clock{std::chrono::steady_clock::time_point(std::chrono::nanoseconds(origin_raw))};
  const Nanos slo_ns = static_cast<Nanos>(ctx.opt.slo_ms * 1e6);
  const Nanos last_arrival = n ? reqs.back().arrival : 0;
  const Nanos drain_end = last_arrival + static_cast<Nanos>(ctx.opt.drain_s * 1e9);
  mpi::PendingSends<int64_t> sends;
  int64_t next = 0, outstanding = 0, duplicates = 0;
  int finished = 0;
  std::vector<mpi::WireOutcome> buf;
  std::vector<int64_t> evicted;  // issue 7: kEvictions buffer
  RootControl control(ctx.opt, workers);
  mpi::PendingSends<double> target_sends;
  bool controlling = true;  // no targets after kStop: a worker that stopped would never take them

  auto on_outcome = [&](const mpi::WireOutcome& w) {
    const auto id = w.o.id;
    if (id < 0 || id >= n || outcomes_seen[static_cast<size_t>(id)]++) {
      ++duplicates;
      return;
    }
    auto& row = rows[static_cast<size_t>(id)];
    apply_outcome(row, w.o, w.node, w.status, slo_ns);
    progress.record(w.status == kCompleted, row.latency);
    --outstanding;
    // Issue 7: load and the user's KV residency on that node (the worker probed it after the batch).
    view.on_complete(w.node, Completion{id, reqs[static_cast<size_t>(id)].user, w.kv_start, w.kv_tokens,
                                        w.status == kCompleted ? w.o.finish - w.o.start : 0,
                                        std::max(1, w.o.batch_size)});
    sink.add(row);
  };
  auto poll = [&] {
    int flag = 0;
    MPI_Status st;
    HELM_MPI(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st));
    while (flag) {
      int bytes = 0;
      HELM_MPI(MPI_Get_count(&st, MPI_BYTE, &bytes));
      if (st.MPI_TAG == mpi::kOutcomes) {
        buf.resize(static_cast<size_t>(bytes) / sizeof(mpi::WireOutcome));
        HELM_MPI(MPI_Recv(buf.data(), bytes, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        for (const auto& w : buf) on_outcome(w);
      } else if (st.MPI_TAG == mpi::kNodeStats) {
        NodeWindowStats w;
        HELM_MPI(MPI_Recv(&w, sizeof w, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        view.on_interval(w.node, NodeSummary{w.queue_len, w.emb_share, w.emb_lookups, w.emb_hits});  // issue 7
        sink.add(to_row(w));
        // The node's policy decides at once; the targets go out in rounds (control_loop.h).
        if (controlling) sink.add(control.on_window(w, clock.now()));
      } else if (st.MPI_TAG == mpi::kEvictions) {  // issue 7: KV left that node's pool
        evicted.resize(static_cast<size_t>(bytes) / sizeof(int64_t));
        HELM_MPI(MPI_Recv(evicted.data(), bytes, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        for (const int64_t u : evicted) view.on_evict(st.MPI_SOURCE - 1, u);
      } else if (st.MPI_TAG == mpi::kFinished) {
        int64_t count = 0;
        HELM_MPI(MPI_Recv(&count, 1, MPI_INT64_T, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        ++finished;
      } else {
        throw std::runtime_error("rank 0: unexpected message tag " + std::to_string(st.MPI_TAG));
      }
      HELM_MPI(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st));
    }
  };

  for (;;) {
    Nanos now = clock.now();
    while (next < n && reqs[static_cast<size_t>(next)].arrival <= now) {
      const auto& r = reqs[static_cast<size_t>(next)];
      // Issue 7: the request's history window (as the executor computes it) and candidates.
      RouteRequest rq{r.id, r.user, r.history_len, r.arrival};
      rq.window_start = window_start(r.history_len, ctx.model.N);
      rq.window = r.history_len - rq.window_start;
      rq.candidates = ctx.candidates;
      const int node = router->route(rq, view);
      sends.send({r.id}, node + 1, mpi::kRequest);
      auto& row = rows[static_cast<size_t>(next)];
      row.node = node;
      row.dispatch_lag = clock.now() - r.arrival;
      view.on_dispatch(node, rq);
      ++outstanding;
      ++next;
    }
    poll();
    progress.tick();
    sends.reap();
    now = clock.now();
    if (control.due(now))
      for (int w = 1; w < world; ++w) target_sends.send(control.targets(), w, kTargetsTag);
    target_sends.reap();
    if (next == n && (outstanding == 0 || now >= drain_end)) break;
    const Nanos until_next = next < n ? reqs[static_cast<size_t>(next)].arrival - now : 200'000;
    mpi::idle_sleep(std::clamp<Nanos>(until_next, 0, 200'000));
  }
  controlling = false;
  for (int w = 1; w < world; ++w) HELM_MPI(MPI_Send(nullptr, 0, MPI_BYTE, w, mpi::kStop, MPI_COMM_WORLD));
  while (finished < workers) {
    poll();
    if (finished < workers) mpi::idle_sleep(200'000);
  }
  sends.wait_all();
  target_sends.wait_all();  // sent before kStop, so every worker has received them

  // A request without an outcome would be a harness bug: end_run records it as failed.
  RunEnd end = end_run(ctx, rows, outcomes_seen, duplicates,
                       "backend cpu: the host-to-device link is emulated at the A100 compute:PCIe "
                       "ratio; HBM bandwidth and fixed costs are not scaled");
  for (int64_t i = 0; i < n; ++i)
    if (!outcomes_seen[static_cast<size_t>(i)]) sink.add(rows[static_cast<size_t>(i)]);
  progress.finish();
  sink.finish(end.footer);
  std::cout << format_footer(end.summary, end.notes) << "results: " << ctx.opt.out << "\n";
  return 0;
}

}  // namespace helm
