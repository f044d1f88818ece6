// `helm-bench oracle --from-runs DIR`: the oracle's grid read back from results files that
// already exist (a sweep's static runs, e.g. experiment 1's) instead of simulated again.
//
// Selection: of the complete `*.h5` files directly in DIR (an unfinished one, e.g. a task still
// running, is skipped and named if a split turns out missing), those whose configuration names the oracle's
// trace (the same dataset, workload, seed, qps and router as the oracle's own options) and whose
// memory_policy is static:r for an r of the grid; every other file is skipped (a sweep folder holds
// many traces, and other policies). The selected files must then be the very runs the oracle would
// have simulated: every option both commands know has the same value (memory-policy, out, tag and
// config aside), every option only `sim` knows is at its default, and the trace has as many
// requests. One file per grid split, none missing. Any fault is BadInput (exit 2)
// naming the file and the field: a grid from another trace or config would silently give an
// oracle of nothing.
#pragma once
#include <string>
#include <vector>

#include "harness/run_context.h"
#include "harness/sim/oracle_grid.h"
#include "results/summary.h"

namespace helm {

struct GridRuns {
  std::vector<std::vector<WindowScore>> scores;  // per grid point, as window_scores() gives them
  std::vector<Summary> sums;                     // per grid point, the run's summary
  std::vector<std::string> files;                // per grid point, the file it came from
  int64_t skipped = 0;                           // results files in DIR of other traces or policies
};

// `base`: the oracle's run context (its config_text is the oracle's effective configuration).
GridRuns grid_from_runs(const std::string& dir, const std::vector<double>& grid, const RunContext& base,
                        Nanos interval);

}  // namespace helm
