#include "harness/cli/oracle_runs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "common/error.h"
#include "harness/cli/cli.h"
#include "results/file_status.h"
#include "results/reader.h"

namespace helm {
namespace {

using Config = std::map<std::string, cli::ConfigEntry>;

// The options that name the trace and its serving: a file that differs in one of them is another
// cell of the sweep (skipped), not a fault.
const char* const kSelect[] = {"dataset", "workload", "seed", "qps", "router"};
// Options that differ between the grid runs by construction, or do not change a run.
const std::set<std::string> kFree = {"memory-policy", "out", "tag", "config"};

std::string value_of(const Config& c, const std::string& key) {
  const auto it = c.find(key);
  return it == c.end() ? "(unset)" : it->second.value;
}

// The grid point of `policy` ("static:R"), or -1 when it is another policy or off the grid.
ptrdiff_t grid_index(const std::string& policy, const std::vector<double>& grid) {
  if (policy.rfind("static:", 0) != 0) return -1;
  double r = 0;
  try {
    size_t used = 0;
    r = std::stod(policy.substr(7), &used);
    if (used != policy.size() - 7) return -1;
  } catch (const std::exception&) {
    return -1;
  }
  for (size_t i = 0; i < grid.size(); ++i)
    if (std::abs(grid[i] - r) < 1e-9) return static_cast<ptrdiff_t>(i);
  return -1;
}

}  // namespace

GridRuns grid_from_runs(const std::string& dir, const std::vector<double>& grid, const RunContext& base,
                        Nanos interval) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) bad_input("--from-runs: '{}' is not a directory", dir);
  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".h5") paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());  // the same messages whatever the directory order

  const Config want = cli::parse_effective_config(base.config_text);
  GridRuns g;
  g.scores.resize(grid.size());
  g.sums.resize(grid.size());
  g.files.resize(grid.size());
  std::vector<std::string> unfinished;  // their trace cannot be read: named if a split is missing
  for (const auto& path : paths) {
    const auto st = results_file_status(path);
    if (st.state != FileState::kComplete) {
      unfinished.push_back(fmt::format("{} is {} ({})", path, to_string(st.state), st.why));
      continue;
    }
    const ResultsReader f(path);
    const Config have = cli::parse_effective_config(f.attributes().text("config"));
    if (have.empty()) bad_input("{}: field 'config': missing or empty (not a helm-bench results file?)", path);
    bool other = false;
    for (const char* k : kSelect) other = other || value_of(have, k) != value_of(want, k);
    const ptrdiff_t at = grid_index(f.attributes().text("memory_policy"), grid);
    if (other || at < 0) {
      ++g.skipped;
      continue;
    }
    // The oracle's trace, at a split of its grid: now it must be the run the oracle would simulate.
    for (const auto& [key, v] : have) {
      if (kFree.count(key)) continue;
      const auto it = want.find(key);
      if (it == want.end()) {
        if (!v.defaulted)
          bad_input("{}: config field '{}' is set ({}), which the oracle cannot simulate: not its grid run", path,
                    key, v.value);
      } else if (it->second.value != v.value) {
        bad_input("{}: config field '{}' is {}, the oracle's is {}: not a grid run of the same trace", path, key,
                  v.value, it->second.value);
      }
    }
    const auto n = f.attributes().integer("requests_generated");
    if (!n || *n != static_cast<int64_t>(base.trace.requests.size()))
      bad_input("{}: field 'requests_generated' is {}, the oracle's trace has {} requests: not the same trace", path,
                n ? fmt::format("{}", *n) : "missing", base.trace.requests.size());
    const auto i = static_cast<size_t>(at);
    if (!g.files[i].empty())
      bad_input("{}: field 'memory_policy': static:{} again (also in {})", path, grid[i], g.files[i]);
    const std::vector<RequestRow> rows = f.requests();
    g.scores[i] = window_scores(rows, interval);
    g.sums[i] = summarize(rows, f.attributes().integer("warmup_ns").value_or(0),
                          f.attributes().number("slo_ms").value_or(base.opt.slo_ms), *n);
    g.files[i] = path;
  }
  for (size_t i = 0; i < grid.size(); ++i)
    if (g.files[i].empty())
      bad_input("{}: field 'memory_policy': no results file with static:{} for dataset {}, workload {}, seed {}, "
                "qps {}, router {} ({} of {} files are other traces or policies{})",
                dir, grid[i], value_of(want, "dataset"), value_of(want, "workload"), value_of(want, "seed"),
                value_of(want, "qps"), value_of(want, "router"), g.skipped, paths.size(),
                unfinished.empty() ? "" : fmt::format("; not finished: {}", unfinished.front()));
  return g;
}

}  // namespace helm
