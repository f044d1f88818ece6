#include "harness/mpi/clock_sync.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>

#include "harness/mpi/mpi_util.h"

namespace helm {

namespace {
struct Hook {
  int64_t offset = 0;
  double ppm = 0;
  bool set = false;
};
const Hook& hook() {
  static const Hook h = [] {
    Hook h;
    if (const char* o = std::getenv("HELM_CLOCK_OFFSET_NS")) h.offset = std::strtoll(o, nullptr, 10), h.set = true;
    if (const char* p = std::getenv("HELM_CLOCK_SKEW_PPM")) h.ppm = std::strtod(p, nullptr), h.set = true;
    return h;
  }();
  return h;
}
}  // namespace

int64_t worker_raw_ns() {
  const int64_t raw = mpi::steady_raw_ns();
  const Hook& h = hook();
  if (!h.set) return raw;
  static const int64_t first = raw;
  return raw + h.offset + std::llround(static_cast<double>(raw - first) * h.ppm * 1e-6);
}

std::string clock_hook() {
  const Hook& h = hook();
  return h.set ? fmt::format("test hook on every worker: HELM_CLOCK_OFFSET_NS={} HELM_CLOCK_SKEW_PPM={}", h.offset, h.ppm)
               : "";
}

Nanos WorkerClock::now() const {
  const Nanos u = worker_raw_ns() - origin_;
  const Nanos t = u - std::llround(at_ref_ + rate_ * static_cast<double>(u - t_ref_));
  last_ = std::max(last_, t);
  return last_;
}

// Ranks on rank 0's host share its monotonic clock. Others: ping-pong and keep the sample with
// the smallest round trip (NTP's rule), pinging until one round trip is under 200 us or 500
// pings were made: on a loaded machine a few pings can all be slow, and half the round trip
// bounds the error of the offset.
std::vector<ClockSync> sync_clocks(int world, const std::vector<std::string>& hosts) {
  constexpr int kMinPings = 16, kMaxPings = 500;
  constexpr int64_t kGoodRtt = 200'000;
  std::vector<ClockSync> out(static_cast<size_t>(world));
  for (int w = 1; w < world; ++w) {
    ClockSync best{0, INT64_MAX, false, 0};
    // HELM_CLOCK_PINGPONG=1 measures same-host ranks too (tests check the estimate against 0),
    // and so does the skew hook (a skewed clock is not rank 0's).
    static const bool force = std::getenv("HELM_CLOCK_PINGPONG") != nullptr || !clock_hook().empty();
    const bool shared = !force && hosts[static_cast<size_t>(w)] == hosts[0];
    for (int i = 0; !shared && (i < kMinPings || (best.rtt > kGoodRtt && i < kMaxPings)); ++i) {
      int64_t ping = i;
      const int64_t t0 = mpi::steady_raw_ns();
      HELM_MPI(MPI_Send(&ping, 1, MPI_INT64_T, w, mpi::kPing, MPI_COMM_WORLD));
      int64_t tw = 0;
      HELM_MPI(MPI_Recv(&tw, 1, MPI_INT64_T, w, mpi::kPong, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
      const int64_t t1 = mpi::steady_raw_ns();
      if (t1 - t0 < best.rtt) best = {tw - (t0 + t1) / 2, t1 - t0, false, (t0 + t1) / 2};
    }
    int64_t done = -1;  // ends the worker's answering loop
    HELM_MPI(MPI_Send(&done, 1, MPI_INT64_T, w, mpi::kPing, MPI_COMM_WORLD));
    out[static_cast<size_t>(w)] = shared ? ClockSync{0, 0, true, 0} : best;
  }
  return out;
}

void answer_clock_pings() {
  for (;;) {  // rank 0 sends its pings and then -1
    int64_t ping = 0;
    HELM_MPI(MPI_Recv(&ping, 1, MPI_INT64_T, 0, mpi::kPing, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    if (ping < 0) return;
    int64_t t = worker_raw_ns();
    HELM_MPI(MPI_Send(&t, 1, MPI_INT64_T, 0, mpi::kPong, MPI_COMM_WORLD));
  }
}

std::string describe_offsets(const std::vector<ClockSync>& clocks) {
  std::string s;
  for (size_t w = 1; w < clocks.size(); ++w)
    s += clocks[w].shared ? fmt::format("{}node{}: same host, shared monotonic clock", w > 1 ? "; " : "", w - 1)
                          : fmt::format("{}node{}: offset {} ns, rtt {} ns", w > 1 ? "; " : "", w - 1,
                                        clocks[w].offset, clocks[w].rtt);
  return s;
}

}  // namespace helm
