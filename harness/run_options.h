// Options shared by `run` and `sim` (DESIGN.md's CLI contract): one struct, one place that
// declares each option with its default and help text, one validation pass that runs before
// any MPI work so that bad input is reported the same way with or without mpirun.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "harness/cli.h"

namespace helm {

struct RunOptions {
  // Workload
  std::string dataset = "synthetic";  // profile name or FORMAT:PATH (e.g. movielens:ratings.csv)
  std::string workload = "steady";
  double qps = 20;                    // whole-cluster arrival rate
  double duration_s = 20;
  std::string trace;                  // --trace FILE (a later issue)
  uint64_t seed = 1;
  int candidates = 0;                 // 0 = the model's M
  int64_t users = 20000, items = 100000;
  double zipf = 1.0;
  double visit_gap_s = 1800;          // MovieLens: a gap over this starts a new visit
  double session_requests = 10;       // synthetic: mean requests per session
  double session_gap_s = 4;           // synthetic: mean gap between a user's requests in a session
  double new_items = 8;               // synthetic: mean items consumed between visits
  double history_median = 100;        // synthetic: median first-visit history length
  double popular_share = -1;          // candidates drawn by popularity (rest uniform); <0 = default
  bool skip_bad_rows = false;
  // Model and memory
  std::string model = "small";
  std::string memory_policy = "static:0.5";
  std::string repartition = "budgeted";
  std::string router = "rr";
  double pool_mib = 24;
  int page_kib = 64;
  std::string backend = "cpu";
  // Serving
  double slo_ms = 1000;
  int batch_max_requests = 8;
  int64_t batch_max_tokens = 8192;
  double batch_timeout_us = 2000;
  int64_t queue_cap = 256;
  double h2d_gbps = 0;                // 0 = scaled from the measured sgemm rate (A100 ratio)
  double h2d_latency_us = 10;
  double control_interval_ms = 1000;
  double warmup_s = 2;
  double drain_s = 10;
  // Output
  std::string out;                    // results file (default: results/<timestamp>.h5 on rank 0)
  std::vector<std::string> tags;      // key=value
  std::string config_text;            // the effective configuration, filled by parse
};

// Declares every option of `o` on `desc` (defaults taken from `o`).
void add_run_options(cli::po::options_description& desc, RunOptions& o);
// Checks ranges and formats; throws BadInput naming the option.
void validate(const RunOptions& o);

// `static:R[,R2,...]` -> per-node EMB shares (assigned to nodes in turn); BadInput otherwise.
std::vector<double> parse_static_split(const std::string& policy);

}  // namespace helm
