// Rank 0's re-measurement of worker clocks during a run. Offsets measured once at start-up drift
// apart over a long run (10 ppm is 36 ms an hour), so for every worker on another host (its
// ClockSync is not `shared`) rank 0 re-measures the offset every --clock-resync-s seconds and
// sends the worker a correction it applies to its own run clock (WorkerClock), so every time it
// reports (start, finish, window ends) and every deadline it keeps stays in rank 0's frame.
//
// Never blocks the pacing loop: one small ping in flight per worker (MPI_Isend, reaped with the
// other sends), the pong delivered by the inbox. A round keeps the sample with the smallest round
// trip (NTP's rule, as at start-up) over up to 8 pings, stopping early under 200 us; a worker busy
// in a batch answers late, which only lengthens that ping's round trip. The correction is the
// least-squares line of the drift (offset - start-up offset) over the last 8 rounds and start-up,
// each weighted by 1 / rtt^2 (half the round trip bounds a sample's error: on a loaded box a few
// rounds find only slow round trips); the rate is kept only from start-up and 2 rounds on, and
// where it is 3 standard errors from 0, else the correction is the weighted mean offset. So the
// first rounds correct the offset only: a fast drift (the tests' 5000 ppm) shows until then.
// Every round is recorded: clock_drift (a line per worker) and clock_samples (root attributes).
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "common/clock.h"
#include "harness/mpi/clock_sync.h"
#include "harness/mpi/mpi_util.h"

namespace helm {

class ClockTracker {
 public:
  // `every` <= 0: never re-measures. `origin_raw`: the run's t = 0 in rank 0's raw clock.
  ClockTracker(const std::vector<ClockSync>& start, Nanos every, int64_t origin_raw);
  void tick(Nanos now);                                    // the pacing loop: a round when due
  void on_pong(int rank, const std::vector<char>& bytes);  // a kResyncPong
  void reap() { pings_.reap(), fixes_.reap(); }
  void stop() { stopped_ = true; }  // before kStop: nothing more is sent
  void wait_all() { pings_.wait_all(), fixes_.wait_all(); }
  bool tracking() const;
  std::string describe() const;  // the clock_drift attribute
  // Rows of (run time ns, rank, offset ns, rtt ns), flattened, first kMaxSamples rounds: the
  // clock_samples attribute (an HDF5 attribute stays under 64 KiB).
  std::vector<int64_t> samples() const { return rows_; }
  static constexpr size_t kMaxSamples = 2000;

 private:
  struct Worker {
    bool tracked = false;
    int64_t offset0 = 0, rtt0 = 0;
    bool waiting = false;
    int pings = 0;  // in the current round
    ClockSync best;
    Nanos best_t = 0;
    struct Point {
      double t, drift, weight;
    };
    std::deque<Point> fit;  // start-up and recent rounds
    int rounds = 0;
    double rate = 0, last_drift = 0;
    int64_t max_rtt = 0;
  };
  void ping(int rank);
  void end_round(int rank);
  std::vector<Worker> w_;
  Nanos every_, next_;
  int64_t origin_;
  bool stopped_ = false;
  mpi::PendingSends<int64_t> pings_;
  mpi::PendingSends<mpi::ClockFix> fixes_;
  std::vector<int64_t> rows_;
};

}  // namespace helm
