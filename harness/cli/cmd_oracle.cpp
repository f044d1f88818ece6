// `helm-bench oracle [sim options] --grid-step 0.05 --schedule FILE --table FILE`: DESIGN.md's
// oracle. Simulates the whole trace (built once) at every static split of the grid, picks each
// control window's split with the lowest P99 (harness/sim/oracle_grid.h), and writes
//   --schedule: time_s,ratio, replayed by `--memory-policy oracle:FILE` in `run` and `sim`
//               (give the replay --max-step 1 to follow it exactly: the step limit still applies);
//   --table:    per window the oracle ratio, its P99, and the best static split's P99 there.
// Every grid run is an ordinary `sim` (same node runtime, routers, cost model, link) with
// --memory-policy static:r; the runs are independent, so --jobs runs them on several threads.
// --from-runs DIR reads the grid runs from results files a sweep already wrote (oracle_runs.h:
// the same trace and config, refused otherwise) instead of simulating them: the same files out.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <thread>

#include "common/error.h"
#include "harness/cli/commands.h"
#include "harness/cli/oracle_runs.h"
#include "harness/sim/oracle_grid.h"
#include "harness/sim/sim_driver.h"
#include "results/summary.h"

namespace helm {

int cmd_oracle(int argc, char** argv) {
  namespace po = cli::po;
  RunOptions opt;
  int nodes = 1, jobs = 1;
  std::string cost_name = "a100-80gb", schedule = "oracle-schedule.csv", table = "oracle-windows.csv", from_runs;
  double step = 0.05, lo = 0, hi = 1;
  po::options_description desc("oracle options");
  po::options_description s("Oracle (a grid of static-split simulations)");
  s.add_options()
      ("nodes", po::value(&nodes)->default_value(nodes), "simulated nodes")
      ("cost-model", po::value(&cost_name)->default_value(cost_name), "as for sim: a shipped name or a path")
      ("grid-step", po::value(&step)->default_value(step, cli::shown(step)), "static splits lo, lo+step, ..., hi")
      ("grid-min", po::value(&lo)->default_value(lo, cli::shown(lo)), "lowest split of the grid")
      ("grid-max", po::value(&hi)->default_value(hi, cli::shown(hi)), "highest split of the grid")
      ("schedule", po::value(&schedule)->default_value(schedule), "schedule CSV to write (time_s,ratio)")
      ("table", po::value(&table)->default_value(table), "per-window table CSV to write")
      ("jobs", po::value(&jobs)->default_value(jobs), "grid runs simulated at once (threads)")
      ("from-runs", po::value(&from_runs),
       "DIR: read the grid runs from the sim results files in DIR (static:r of this very trace and config, "
       "one per split; others skipped) instead of simulating them");
  desc.add(s);
  add_run_options(desc, opt);
  auto p = cli::parse("oracle", "--nodes N --cost-model NAME|FILE [--grid-step S] [run options]", desc, argc, argv);
  if (p.help) return 0;
  if (nodes < 1) bad_input("--nodes: must be at least 1 (got {})", nodes);
  if (jobs < 1) bad_input("--jobs: must be at least 1 (got {})", jobs);
  const std::vector<double> grid = split_grid(step, lo, hi);
  const std::string cost_path = resolve_cost_model(cost_name);
  const CostModel cost = load_cost_model(cost_path);
  opt.memory_policy = "static:0.5";  // the grid sets its own; validated once here
  const RunContext base =
      build_run_context(opt, use_cost_model_pool(opt, cost, p.vm["pool-mib"].defaulted(), cli::effective_config(p.vm)));
  const SimOptions so = sim_options(nodes, cost, cost_path, opt, !p.vm["h2d-latency-us"].defaulted());
  const Nanos interval = static_cast<Nanos>(opt.control_interval_ms * 1e6);
  std::cout << fmt::format("helm-bench oracle: {} static splits {:.3g}..{:.3g} step {:.3g}, {} nodes, {} requests, "
                           "trace {}, cost model {}, windows of {} ms\n",
                           grid.size(), grid.front(), grid.back(), step, nodes, base.trace.requests.size(),
                           base.trace.name, cost.name, opt.control_interval_ms);

  std::vector<std::vector<WindowScore>> scores(grid.size());
  std::vector<Summary> sums(grid.size());
  if (!from_runs.empty()) {
    GridRuns g = grid_from_runs(from_runs, grid, base, interval);
    scores = std::move(g.scores);
    sums = std::move(g.sums);
    std::cout << fmt::format("grid runs read from {} ({} other files skipped)\n", from_runs, g.skipped);
  } else {
    // One context per grid point (the trace is copied: the runs may go on several threads).
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t i; (i = next++) < grid.size();) {
        RunContext ctx = base;
        ctx.opt.memory_policy = fmt::format("static:{}", grid[i]);
        ctx.policy = parse_policy_spec(ctx.opt.memory_policy);
        const SimResult r = simulate(ctx, cost, so);
        scores[i] = window_scores(r.rows, interval);
        sums[i] = r.end.summary;
      }
    };
    std::vector<std::thread> pool;
    for (int j = 1; j < std::min<int>(jobs, static_cast<int>(grid.size())); ++j) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
  }

  size_t best = 0;  // best static: lowest whole-run P99 after warm-up, then fewer drops
  std::cout << "split  P99_ms  P50_ms  dropped  SLO%\n";
  for (size_t i = 0; i < grid.size(); ++i) {
    const Summary& u = sums[i];
    std::cout << fmt::format("{:<5.3g} {:7.3f} {:7.3f} {:8} {:5.1f}\n", grid[i], u.p99.value / 1e6, u.p50.value / 1e6,
                             u.dropped, 100 * u.slo_satisfaction);
    if (std::make_tuple(u.dropped > 0, u.p99.value, u.dropped) <
        std::make_tuple(sums[best].dropped > 0, sums[best].p99.value, sums[best].dropped))
      best = i;
  }
  const auto windows = pick_oracle(grid, scores, interval);
  {
    std::ofstream f(schedule);
    if (!f) bad_input("--schedule: cannot write '{}'", schedule);
    write_schedule(f, windows);
  }
  {
    std::ofstream f(table);
    if (!f) bad_input("--table: cannot write '{}'", table);
    write_window_table(f, windows, grid[best], scores[best]);
  }
  int64_t better = 0;
  for (const auto& w : windows) better += w.score.p99 < scores[best][static_cast<size_t>(w.window)].p99;
  std::cout << fmt::format("best static split {:.3g} (P99 {:.3f} ms); the oracle beats it in {} of {} windows\n"
                           "schedule: {}  (replay: --memory-policy oracle:{} --max-step 1)\ntable: {}\n",
                           grid[best], sums[best].p99.value / 1e6, better, windows.size(), schedule, schedule, table);
  return 0;
}

}  // namespace helm
