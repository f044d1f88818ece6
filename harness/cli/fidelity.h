// `helm-bench fidelity`: the options it owns, and the figures it reads back from one results
// file. A fidelity point is one trace run twice, by `run` (real MPI ranks, CPU backend) and by
// `sim` (the cost model), at one offered load; the command compares the two.
//
// Loads: `--loads F1,F2,...` are fractions of a capacity in qps, either `--capacity-qps Q` or,
// without it, the highest rate served by the steps of `helm-bench capacity --mode run` on the same
// options and workers, run first. Without --loads one point runs at the options' own --qps.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace helm {

struct FidelityOptions {
  std::string cost_model;    // --cost-model: a shipped name or a file (required)
  std::string out_dir = "fidelity-out";
  std::string mpirun = "mpirun --oversubscribe --bind-to none";
  int workers = 1;                 // run: 1 + workers ranks; sim: --nodes workers
  std::vector<double> loads;       // fractions of capacity_qps; empty: one point at --qps
  double capacity_qps = 0;         // 0: measure it (only with loads)
  std::vector<std::string> pass;   // every other option, given to run, sim and capacity as is
  bool has_gbps = false;           // --h2d-gbps is among `pass`
  bool has_qps = false;            // --qps is among `pass`
  // `run` sizes its pool by --pool-mib alone, `sim` by --pool-mib x --scale: sim is given
  // pool_mib / scale so both serve from the same pool (sim_pass has that in place of --pool-mib).
  double pool_mib = 0, scale = 1;
  std::vector<std::string> sim_pass;
  bool help = false;
};

// "0.3,0.6,0.85" -> {0.3, 0.6, 0.85}. Each in (0, 2]; BadInput naming --loads otherwise.
std::vector<double> parse_loads(const std::string& text);
// argv[0] is the subcommand. Throws BadInput on a bad or missing value.
FidelityOptions parse_fidelity(int argc, char** argv);

// The figures of one results file over measured (post-warm-up) completed requests.
struct FidelityFigures {
  double mean_ms = 0, p50_ms = 0, p99_ms = 0, emb = 0, kv = 0, svc_ms = 0, wait_ms = 0;
  double lone_wait_ms = 0;  // median wait of requests served in a batch of one
  double lag_ms = 0;        // mean dispatch lag
  double batch_mean = 0;    // mean batch size seen by a request
  // `run` only (-1 in sim): the workers' share of wall time on a CPU, and runnable but waiting.
  double cpu_share = -1, runqueue_share = -1;
  int64_t n = 0, dropped = 0;
};
FidelityFigures fidelity_figures(const std::string& results_file);

// (sim - run) / run in percent; 0 when run is 0.
double relative_error_pct(double sim, double run);
// The goal: mean and P50 within 10%, P99 within 15%.
bool within_fidelity_goal(const FidelityFigures& run, const FidelityFigures& sim);

// The CSV the command writes (one row per load; header names the fields).
std::string fidelity_csv_header();
std::string fidelity_csv_row(double load, double qps, double capacity, const FidelityFigures& run,
                             const FidelityFigures& sim, double loadavg_before, double loadavg_after);

}  // namespace helm
