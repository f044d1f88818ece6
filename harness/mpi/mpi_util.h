// MPI plumbing shared by rank 0 (scheduler) and the workers: checked calls, every message tag
// (one enum) and the wire formats. Both sides run the same binary, so trivially copyable structs travel as bytes.
#pragma once
#include <mpi.h>

#include "harness/mpi/mpi_check.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <cstring>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "harness/cluster/front_end.h"
#include "results/schema.h"


namespace helm::mpi {

enum Tag : int {
  kRequest = 1,    // 0 -> worker: RequestMsg
  kStop = 2,       // 0 -> worker: no more requests; drop what is queued and finish
  kOutcomes = 3,   // worker -> 0: WireOutcome[]
  kNodeStats = 4,  // worker -> 0: NodeRow
  kFinished = 5,   // worker -> 0: FinishedMsg
  kPing = 6,       // clock sync
  kPong = 7,
  kStart = 8,      // 0 -> worker: StartMsg
  kEvictions = 9,  // worker -> 0: int64 users whose KV left the pool, in order (the router's view)
  // 10 was kTargets: the target splits now travel by RatioBroadcast (nccl_broadcast.h)
  kMeasureLink = 11,  // 0 -> worker: time the start-up shapes; worker -> 0: SetupTimes
  kResyncPing = 12,   // 0 -> worker: int64 rank 0's raw clock (clock_tracker.h)
  kResyncPong = 13,   // worker -> 0: int64[2]: the ping's value, the worker's raw clock
  kClockFix = 14,     // 0 -> worker: ClockFix
};

// One request's fate travels as the front end's NodeOutcome (times already in rank 0's frame).
using WireOutcome = NodeOutcome;
static_assert(std::is_trivially_copyable_v<WireOutcome>);
static_assert(std::is_trivially_copyable_v<NodeRow>);

// A received message's bytes as the trivially copyable records it carries (copied out: the
// buffer need not be aligned for T).
template <typename T>
std::vector<T> view_as(const std::vector<char>& bytes) {
  static_assert(std::is_trivially_copyable_v<T>);
  std::vector<T> out(bytes.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
  return out;
}

// A request sent to its worker, with when rank 0 sent it (the run's clock). A worker busy with a
// batch reads its messages only after it; a request's batching timeout counts from `sent`, as
// if the node had admitted it on arrival (as a server with a receiving thread does, and as
// `sim` admits it), not from when the busy worker got to it: counted from the read, every
// request arriving during a batch waited a whole extra timeout (2 ms by default) for company.
struct RequestMsg {
  int64_t id = 0;
  Nanos sent = 0;
};

struct StartMsg {
  int64_t origin_raw = 0;  // the run's t = 0 in the receiving worker's steady clock (raw ns)
  double link_bytes_per_s = 0;
  double kv_worth_ns_per_token = 0;  // the measured KV hit worth (0: a cost model or none)
};

// A worker clock's correction from rank 0 (WorkerClock::correct).
struct ClockFix {
  int64_t t_ref = 0;
  double at_ref_ns = 0, rate = 0;
};

// A worker's last message: what rank 0 checks and records about it.
struct FinishedMsg {
  int64_t outcomes_sent = 0, peak_rss_bytes = 0;
  int64_t wall_ns = 0, cpu_ns = 0, runqueue_wait_ns = 0;  // over its serving loop (provenance.h)
  double kv_hit_ns_per_token = 0;  // the KV hit worth its control loop ended with
  double forward_ns_per_token = 0;  // the whole forward per computed token, averaged alike
};

// A worker's start-up measurements (0 where not asked for): the link rule's shapes (ns) and the
// marginal recompute cost per history token (harness/node/kv_hit_worth.h).
struct SetupTimes {
  double link_ns = 0, kv_worth_ns_per_token = 0;
};

// Every rank's host name, gathered on rank 0 (a collective at start-up, before the run).
// Ranks on rank 0's host share its CLOCK_MONOTONIC, so their clock offset is exactly zero.
inline std::vector<std::string> share_host_names() {
  char name[MPI_MAX_PROCESSOR_NAME] = {0};
  int len = 0;
  HELM_MPI(MPI_Get_processor_name(name, &len));
  int rank = 0, size = 1;
  HELM_MPI(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
  HELM_MPI(MPI_Comm_size(MPI_COMM_WORLD, &size));
  std::vector<char> all(rank == 0 ? static_cast<size_t>(size) * MPI_MAX_PROCESSOR_NAME : 0);
  HELM_MPI(MPI_Gather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all.data(), MPI_MAX_PROCESSOR_NAME,
                      MPI_CHAR, 0, MPI_COMM_WORLD));
  std::vector<std::string> out;
  for (int r = 0; rank == 0 && r < size; ++r) out.emplace_back(&all[static_cast<size_t>(r) * MPI_MAX_PROCESSOR_NAME]);
  return out;
}

inline int64_t steady_raw_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Sleep a little in idle loops: OpenMPI's blocking calls spin and would steal the cores that
// oversubscribed ranks share.
inline void idle_sleep(int64_t ns) {
  if (ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(ns));
}

// Waits for a message from `source` with an idle sleep between probes: a blocking MPI call would
// spin, and a spinning rank steals the core another rank is measuring or serving on.
inline MPI_Status wait_for_message(int source) {
  for (;;) {
    int flag = 0;
    MPI_Status st;
    HELM_MPI(MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st));
    if (flag) return st;
    idle_sleep(500'000);
  }
}

// Sends that must stay alive until MPI is done with their buffers: completed ones are reaped
// by the caller's loop (one MPI_Testsome over all of them, not a test per send: under overload
// thousands can be in flight toward a worker that is busy computing).
template <typename T>
class PendingSends {
 public:
  void send(std::vector<T> data, int dest, int tag) {
    data_.push_back(std::move(data));
    reqs_.push_back(MPI_REQUEST_NULL);
    auto& d = data_.back();
    HELM_MPI(MPI_Isend(d.data(), static_cast<int>(d.size() * sizeof(T)), MPI_BYTE, dest, tag,
                       MPI_COMM_WORLD, &reqs_.back()));
  }
  void reap() {
    if (reqs_.empty()) return;
    int count = 0;
    done_.resize(reqs_.size());
    HELM_MPI(MPI_Testsome(static_cast<int>(reqs_.size()), reqs_.data(), &count, done_.data(), MPI_STATUSES_IGNORE));
    if (count <= 0) return;  // MPI_UNDEFINED when none is active
    std::sort(done_.begin(), done_.begin() + count, std::greater<>());
    for (int k = 0; k < count; ++k) {  // highest index first: swapping in the back is safe
      const auto i = static_cast<size_t>(done_[static_cast<size_t>(k)]);
      reqs_[i] = reqs_.back();
      data_[i] = std::move(data_.back());
      reqs_.pop_back();
      data_.pop_back();
    }
  }
  void wait_all() {
    while (!reqs_.empty()) {
      reap();
      if (!reqs_.empty()) idle_sleep(50'000);
    }
  }
  size_t size() const { return reqs_.size(); }

 private:
  std::vector<std::vector<T>> data_;
  std::vector<MPI_Request> reqs_;
  std::vector<int> done_;
};

}  // namespace helm::mpi
