// Rank 0: the MPI loop around the cluster front end. It paces arrivals open-loop by wall clock,
// asks the front end where each goes, sends request ids (MPI_Isend), polls outcomes, windows and
// evictions into the front end, sends the target splits when they are due, hands rows to the
// results thread, and prints the footer. It never blocks during the run: Iprobe + short sleeps
// (DESIGN.md's MPI rules). Every decision is the front end's (cluster/front_end.h).
#include <mpi.h>
#include <sys/prctl.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "common/progress.h"
#include "harness/cluster/event_log.h"
#include "harness/cli/provenance.h"
#include "harness/mpi/clock_sync.h"
#include "harness/mpi/clock_tracker.h"
#include "harness/mpi/inbox.h"
#include "harness/mpi/mpi_driver.h"
#include "harness/mpi/mpi_util.h"
#include "harness/node/kv_hit_worth.h"
#include "harness/node/link_setup.h"
#include "harness/mpi/nccl_broadcast.h"
#include "harness/results_sink.h"
#include "results/summary.h"

namespace helm {

int run_scheduler(const RunContext& ctx, int world, double worker_timeout_s) {
  const int workers = world - 1;
  // The pacing loop sleeps in short steps; Linux's default 50 us timer slack would add up to
  // 50 us of dispatch lag to every wake-up.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  const auto& reqs = ctx.trace.requests;
  const int64_t n = static_cast<int64_t>(reqs.size());

  std::cout << "helm-bench run: " << workers << " workers, " << n << " requests, trace "
            << ctx.trace.name << "\n--- effective configuration ---\n"
            << ctx.config_text << "-------------------------------\n";

  // The ratio channel first (collective; NCCL's set-up must not eat into the run's start).
  const LocalDevice dev = choose_local_device(MPI_COMM_WORLD);
  RatioBroadcast ratios(MPI_COMM_WORLD, control_width(workers), dev, 0, ctx.opt.backend == "cuda");
  const std::string gpus = gather_gpu_descriptions(MPI_COMM_WORLD, dev);
  const auto hosts = mpi::share_host_names();
  // The link rule's CPU side, measured on each worker in turn (the others sleep), at the
  // priority it will serve with before it lowers it; the median sets the one rate of the run.
  // The KV hit worth is measured in the same turn (harness/node/kv_hit_worth.h).
  std::vector<double> cpu_ns, worth_ns;
  const bool measure = link_needs_measurement(ctx.opt) || kv_worth_needs_measurement(ctx.opt, ctx.policy.needs_curves);
  for (int w = 1; w < world && measure; ++w) {
    HELM_MPI(MPI_Send(nullptr, 0, MPI_BYTE, w, mpi::kMeasureLink, MPI_COMM_WORLD));
    mpi::wait_for_message(w);
    mpi::SetupTimes t;
    HELM_MPI(MPI_Recv(&t, sizeof t, MPI_BYTE, w, mpi::kMeasureLink, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    cpu_ns.push_back(t.link_ns);
    worth_ns.push_back(t.kv_worth_ns_per_token);
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
  };
  const double worth = median(worth_ns);
  const LinkSetup link = link_setup(ctx.opt, ctx.model, ctx.candidates, median(cpu_ns));
  std::cout << "h2d link: " << link.describe << "\n";
  const auto clocks = sync_clocks(world, hosts);  // after the measurements: fresh at the start
  // t = 0 of the run, a little in the future so every worker has its start message in time.
  const int64_t origin_raw = mpi::steady_raw_ns() + 300'000'000;
  for (int w = 1; w < world; ++w) {
    mpi::StartMsg s{origin_raw + clocks[static_cast<size_t>(w)].offset, link.bytes_per_s, worth};
    HELM_MPI(MPI_Send(&s, sizeof s, MPI_BYTE, w, mpi::kStart, MPI_COMM_WORLD));
  }

  RootAttributes attrs = provenance_attributes(ctx, world);
  attrs.set("h2d_bytes_per_s", link.bytes_per_s).set("h2d_link", link.describe);
  attrs.set("h2d_link_rule", link.rule).set("link_cpu_ns", link.cpu_ns);
  attrs.set("clock_offsets", describe_offsets(clocks));
  if (!clock_hook().empty()) attrs.set("clock_hook", clock_hook());
  attrs.set("kv_hit_worth", describe_kv_worth(ctx.opt, ctx.policy.needs_curves, worth));
  attrs.set("ratio_transport", ratios.transport()).set("ratio_transport_why", ratios.reason());
  attrs.set("gpu_devices", gpus);
  ResultsSink sink(ctx.opt.out, attrs);
  const char* log_path = std::getenv("HELM_EVENT_LOG");
  EventLog log;
  ClusterFrontEnd front(ctx, workers, NodeFacts{link.bytes_per_s, 4}, sink, log_path ? &log : nullptr);

  const SteadyClock clock{std::chrono::steady_clock::time_point(std::chrono::nanoseconds(origin_raw))};
  const Nanos drain_end = (n ? reqs.back().arrival : 0) + static_cast<Nanos>(ctx.opt.drain_s * 1e9);
  mpi::PendingSends<mpi::RequestMsg> sends;
  int64_t next = 0;
  std::vector<double> no_ratios;  // rank 0 only posts
  std::vector<char> finished(static_cast<size_t>(world), 0);  // kFinished received, per rank
  // Each worker's last message (any tag), on the run's clock: the heartbeat a lost one stops.
  std::vector<Nanos> heard(static_cast<size_t>(world), 0);
  const Nanos timeout = static_cast<Nanos>(worker_timeout_s * 1e9);

  Progress progress(n, progress_options("run"));  // stderr, HELM_PROGRESS (common/progress.h)
  mpi::Inbox inbox(world);
  ClockTracker tracker(clocks, static_cast<Nanos>(ctx.opt.clock_resync_s * 1e9), origin_raw);
  std::vector<int64_t> peak_rss(static_cast<size_t>(world), 0);
  // Per rank over its serving loop: wall, on-CPU and runnable-but-waiting ns (provenance.h).
  std::vector<int64_t> rank_wall(static_cast<size_t>(world), 0), rank_cpu(rank_wall), rank_wait(rank_wall);
  const SchedTimes sched0 = sched_times();
  const auto wall0 = std::chrono::steady_clock::now();
  std::vector<double> kv_worth(static_cast<size_t>(workers), 0), forward_worth = kv_worth;  // per worker, at its end
  auto poll = [&] {
    inbox.poll([&](const mpi::Inbox::Message& m) {
      heard[static_cast<size_t>(m.source)] = clock.now();
      if (m.tag == mpi::kOutcomes) {
        for (const auto& w : mpi::view_as<mpi::WireOutcome>(m.bytes)) {
          front.on_outcome(w);
          progress.record(w.status == kCompleted, w.o.finish - w.o.arrival);
        }
      } else if (m.tag == mpi::kNodeStats) {
        front.on_window(mpi::view_as<NodeWindowStats>(m.bytes).at(0), clock.now());  // targets go out in rounds
      } else if (m.tag == mpi::kEvictions) {
        for (const int64_t u : mpi::view_as<int64_t>(m.bytes)) front.on_evict(m.source - 1, u);
      } else if (m.tag == mpi::kResyncPong) {
        tracker.on_pong(m.source, m.bytes);
      } else if (m.tag == mpi::kFinished) {
        const auto fin = mpi::view_as<mpi::FinishedMsg>(m.bytes).at(0);
        front.on_finished(m.source - 1, fin.outcomes_sent);  // checked against what arrived
        const auto r = static_cast<size_t>(m.source);
        peak_rss[r] = fin.peak_rss_bytes;
        rank_wall[r] = fin.wall_ns;
        rank_cpu[r] = fin.cpu_ns;
        rank_wait[r] = fin.runqueue_wait_ns;
        kv_worth[r - 1] = fin.kv_hit_ns_per_token;
        forward_worth[r - 1] = fin.forward_ns_per_token;
        finished[r] = 1;
      } else {
        throw std::runtime_error("rank 0: unexpected message tag " + std::to_string(m.tag));
      }
    });
  };

  // A worker silent past the timeout is lost: the front end fails what it held and routes around
  // it. Returns how many workers are done: finished, or lost.
  auto check_workers = [&](Nanos now) {
    int done = 0;
    for (int w = 1; w < world; ++w) {
      const auto i = static_cast<size_t>(w);
      if (!finished[i] && !front.down(w - 1) && now - heard[i] > timeout) {
        const int64_t before = front.outstanding();
        front.node_down(w - 1, now);
        std::cerr << "helm-bench run: rank " << w << " (node " << w - 1 << ") silent for "
                  << (now - heard[i]) / 1e9 << " s (--worker-timeout-s " << worker_timeout_s
                  << "): lost; its " << before - front.outstanding() << " outstanding requests failed\n";
      }
      done += finished[i] || front.down(w - 1);
    }
    return done;
  };

  for (;;) {
    Nanos now = clock.now();
    while (next < n && reqs[static_cast<size_t>(next)].arrival <= now) {
      const Nanos sent = clock.now();
      const int node = front.dispatch(next, sent);
      if (node >= 0) sends.send({{next, sent}}, node + 1, mpi::kRequest);  // -1: settled by the front end
      ++next;
    }
    poll();
    check_workers(clock.now());
    progress.tick();
    sends.reap();
    tracker.tick(clock.now());
    tracker.reap();
    now = clock.now();
    if (front.targets_due(now)) ratios.post(front.targets());
    ratios.poll(no_ratios);
    if (next == n && (front.outstanding() == 0 || now >= drain_end)) break;
    const Nanos until_next = next < n ? reqs[static_cast<size_t>(next)].arrival - now : 200'000;
    mpi::idle_sleep(std::clamp<Nanos>(until_next, 0, 200'000));
  }
  front.stop_control();  // a worker that stopped would never take new targets
  tracker.stop();        // nor answer pings
  ratios.post(front.targets(), /*last=*/true);  // before kStop: every worker gets it
  for (int w = 1; w < world; ++w)
    if (!front.down(w - 1)) HELM_MPI(MPI_Send(nullptr, 0, MPI_BYTE, w, mpi::kStop, MPI_COMM_WORLD));
  for (;;) {
    poll();
    if (check_workers(clock.now()) == workers) break;
    mpi::idle_sleep(200'000);
  }
  const bool lost = front.nodes_down() > 0;
  if (!lost) {  // sends to, and broadcasts through, a lost rank may never complete
    sends.wait_all();
    tracker.wait_all();
    ratios.finish();
  }

  const RunEnd end = front.finish(ctx.opt.backend == "cuda"
      ? "backend cuda: real PCIe copies (each worker measured its link); times from CUDA events"
      : "backend cpu: the host-to-device link is emulated (" + link.rule + ": " + link.describe + ")");
  progress.finish();
  peak_rss[0] = peak_rss_bytes();
  const SchedTimes sched1 = sched_times();
  rank_wall[0] = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - wall0).count();
  rank_cpu[0] = sched1.cpu_ns - sched0.cpu_ns;
  rank_wait[0] = sched1.runqueue_wait_ns - sched0.runqueue_wait_ns;
  // Over all workers: the share of their wall time on a CPU, and waiting runnable for one.
  double wall = 0, cpu = 0, wait = 0;
  for (size_t r = 1; r < rank_wall.size(); ++r) {
    wall += static_cast<double>(rank_wall[r]);
    cpu += static_cast<double>(rank_cpu[r]);
    wait += static_cast<double>(rank_wait[r]);
  }
  RootAttributes footer = end.footer;
  footer.set("workers_cpu_share", wall > 0 ? cpu / wall : 0.0).set("workers_runqueue_share", wall > 0 ? wait / wall : 0.0);
  footer.set("kv_hit_ns_per_token", median(kv_worth));  // the median worker's (describes: kv_hit_worth)
  footer.set("forward_ns_per_token", median(forward_worth));  // the whole-forward value, to compare
  footer.set("clock_drift", tracker.describe());
  sink.finish(footer, peak_rss,
              {{"rank_wall_ns", rank_wall}, {"rank_cpu_ns", rank_cpu}, {"rank_runqueue_wait_ns", rank_wait},
               {"clock_samples", tracker.samples()}});
  if (log_path) log.save(log_path);
  std::cout << format_footer(end.summary, end.notes) << "results: " << ctx.opt.out << "\n";
  if (lost) {  // the file is complete; MPI_Finalize would wait for the lost rank forever
    std::cout.flush();
    std::cerr << "helm-bench run: " << front.nodes_down() << " worker(s) lost; the results file is complete; "
              << "ending the job (MPI_Abort)\n";
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  return 0;
}

}  // namespace helm
