// Clock offsets between rank 0 and the workers, measured once at start-up (collective: every
// worker calls answer_clock_pings while rank 0 calls sync_clocks).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace helm {

struct ClockSync {
  int64_t offset = 0;  // worker raw steady ns - rank 0 raw steady ns
  int64_t rtt = 0;     // of the sample used; 0 when the clock is shared
  bool shared = false; // same host as rank 0: one CLOCK_MONOTONIC, the offset is exactly 0
};

// Rank 0: one entry per rank (entry 0 unused). `hosts`: every rank's host name.
std::vector<ClockSync> sync_clocks(int world, const std::vector<std::string>& hosts);
// A worker: answers rank 0's pings until it says stop.
void answer_clock_pings();
// The offsets as the results file's `clock_offsets` attribute says them.
std::string describe_offsets(const std::vector<ClockSync>& clocks);

}  // namespace helm
