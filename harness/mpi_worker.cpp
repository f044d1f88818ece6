// A worker rank: receives request ids from rank 0, serves them through the node runtime with
// its own pool and model, and reports every request's fate exactly once (completed or dropped).
// It never blocks in MPI during the run: Iprobe + a short sleep when idle.
#include <mpi.h>

#include "harness/mpi_driver.h"
#include "harness/mpi_util.h"
#include "harness/window_stats.h"

namespace helm {

namespace {
void answer_clock_pings() {
  // Rank 0 sends kPings+1 messages; the last (payload -1) ends the exchange.
  for (;;) {
    int64_t ping = 0;
    HELM_MPI(MPI_Recv(&ping, 1, MPI_INT64_T, 0, mpi::kPing, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    if (ping < 0) return;
    int64_t t = mpi::steady_raw_ns();
    HELM_MPI(MPI_Send(&t, 1, MPI_INT64_T, 0, mpi::kPong, MPI_COMM_WORLD));
  }
}
}  // namespace

int run_worker(const RunContext& ctx, int rank) {
  const int node = rank - 1;
  answer_clock_pings();
  mpi::StartMsg start;
  HELM_MPI(MPI_Recv(&start, sizeof start, MPI_BYTE, 0, mpi::kStart, MPI_COMM_WORLD, MPI_STATUS_IGNORE));

  // The run's clock: t = 0 at rank 0's origin, converted through the measured offset.
  const SteadyClock clock{std::chrono::steady_clock::time_point(std::chrono::nanoseconds(start.origin_raw))};
  auto env = make_worker_executor(ctx, node, start.link_bytes_per_s, clock);
  NodeRuntime runtime(batching_options(ctx.opt), *env.executor);
  const Nanos interval = static_cast<Nanos>(ctx.opt.control_interval_ms * 1e6);
  Nanos next_stats = interval;
  WindowStats window(node);
  mpi::PendingSends<mpi::WireOutcome> out_sends;
  mpi::PendingSends<NodeRow> stat_sends;
  std::vector<Outcome> outcomes;
  std::vector<mpi::WireOutcome> wire;
  int64_t sent = 0;
  bool stopped = false;

  auto report = [&](int8_t status) {
    for (const auto& o : outcomes) {
      wire.push_back({o, node, status});
      if (status == kCompleted) window.on_outcome(o);
    }
    outcomes.clear();
  };
  auto flush_wire = [&] {
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
        int64_t id = 0;
        HELM_MPI(MPI_Recv(&id, 1, MPI_INT64_T, 0, mpi::kRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        const Nanos arrival = ctx.trace.requests.at(static_cast<size_t>(id)).arrival;
        window.on_arrival();
        if (!runtime.admit(id, arrival, clock.now())) {
          window.on_drop();
          Outcome o;
          o.id = id;
          o.arrival = arrival;
          outcomes.push_back(o);
          report(kDropped);
        }
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
    const Nanos now = clock.now();
    if (runtime.poll(now, outcomes)) {
      report(kCompleted);
      flush_wire();
    } else {
      flush_wire();
      mpi::idle_sleep(std::min<Nanos>(100'000, std::max<Nanos>(0, runtime.batcher().deadline() - now)));
    }
    if (clock.now() >= next_stats) {
      stat_sends.send({window.close(clock.now(), static_cast<int64_t>(runtime.batcher().size()),
                                    env.executor->link_stats(), env.executor->emb_share())},
                      0, mpi::kNodeStats);
      next_stats += interval;
    }
    out_sends.reap();
  }
  // The drain is over: whatever is still queued was not served in time.
  for (const auto& q : runtime.batcher().drain()) {
    Outcome o;
    o.id = q.id;
    o.arrival = q.arrival;
    outcomes.push_back(o);
    window.on_drop();
  }
  report(kDropped);
  flush_wire();
  stat_sends.send({window.close(clock.now(), 0, env.executor->link_stats(), env.executor->emb_share())},
                  0, mpi::kNodeStats);
  out_sends.wait_all();
  stat_sends.wait_all();
  HELM_MPI(MPI_Send(&sent, 1, MPI_INT64_T, 0, mpi::kFinished, MPI_COMM_WORLD));
  return 0;
}

}  // namespace helm
