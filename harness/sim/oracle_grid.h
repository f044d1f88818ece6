// The oracle of DESIGN.md, from a grid of static runs: the whole trace is simulated at every
// static split r on a grid (step 0.05 by default); window w's oracle ratio is the split whose run
// had the lowest P99 in w. Transition costs are ignored (it flatters the oracle); replaying the
// ratios as a schedule (`--memory-policy oracle:FILE`) gives the achievable `oracle` policy.
//
// Windows are the control intervals [k I, (k+1) I) of the run; a request belongs to the window
// of its scheduled arrival (the split in effect when it arrived is the one it mostly ran under).
// A dropped or failed request counts as an infinite latency, so a split that drops more than 1%
// of a window cannot win it on P99; ties go to fewer drops, then the lower P50, then the grid's
// order. Pure functions: `helm-bench oracle` (cmd_oracle.cpp) runs the grid and writes the files.
#pragma once
#include <iosfwd>
#include <limits>
#include <string>
#include <vector>

#include "common/clock.h"
#include "results/schema.h"

namespace helm {

inline constexpr Nanos kNoLatency = std::numeric_limits<Nanos>::max();  // a dropped request

struct WindowScore {
  Nanos p99 = 0, p50 = 0;  // nearest rank, drops as kNoLatency; 0 for an empty window
  int64_t requests = 0, dropped = 0;
};

// Scores of one run's rows, one per window; `windows` = ceil(last arrival / interval), at least 1.
std::vector<WindowScore> window_scores(const std::vector<RequestRow>& rows, Nanos interval);
int64_t window_count(const std::vector<RequestRow>& rows, Nanos interval);

struct OracleWindow {
  int64_t window = 0;
  Nanos start = 0, end = 0;
  double ratio = 0;     // the oracle's split for this window
  WindowScore score;    // of the winning run in this window
};

// runs[i] = the scores of the run at grid[i] (every run over the same windows).
std::vector<OracleWindow> pick_oracle(const std::vector<double>& grid,
                                      const std::vector<std::vector<WindowScore>>& runs, Nanos interval);

// `time_s,ratio` per window start: what policies/policy_oracle.cpp replays.
void write_schedule(std::ostream& out, const std::vector<OracleWindow>& w);
// window,start_s,end_s,oracle_ratio,oracle_p99_ms,requests,dropped, then the static split
// `static_ratio` (e.g. the best static) in the same window: static_p99_ms.
void write_window_table(std::ostream& out, const std::vector<OracleWindow>& w, double static_ratio,
                        const std::vector<WindowScore>& static_scores);

// The grid lo, lo + step, ..., hi (hi included when it is on the grid, within rounding).
std::vector<double> split_grid(double step, double lo = 0, double hi = 1);

}  // namespace helm
