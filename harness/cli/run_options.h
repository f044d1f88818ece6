// Options shared by `run` and `sim` (DESIGN.md's CLI contract): one struct, one place that
// declares each option with its default and help text, one validation pass that runs before
// any MPI work so that bad input is reported the same way with or without mpirun.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "harness/cli/cli.h"
#include "scheduler/router.h"

namespace helm {

struct RunOptions {
  // Workload
  std::string dataset = "synthetic";  // profile name or FORMAT:PATH (e.g. movielens:ratings.csv)
  std::string workload = "steady";
  double qps = 20;                    // whole-cluster arrival rate
  double duration_s = 20;
  std::string trace;                  // --trace FILE: a trace file (wins over everything below)
  std::string phases;                 // --phases DATASET:WORKLOAD:SECONDS[@QPS],... (wins over dataset)
  double scale = 1;                   // profiles: users and items x scale
  uint64_t seed = 1;
  int candidates = 0;                 // 0 = the model's M
  int64_t users = 20000, items = 100000;
  double zipf = 1.0;
  double visit_gap_s = 1800;          // MovieLens: a gap over this starts a new visit
  // Session parameters of synthetic data sets and profiles; 0 (gap: < 0) = the dataset's default
  double session_requests = 0;        // mean requests per session
  double session_gap_s = -1;          // mean gap between a user's requests in a session
  double new_items = 0;               // mean items consumed between visits
  double history_median = 0;          // median first-visit history length
  // Regimes (workloads/arrivals.h documents each default)
  double trend_period_s = 0, trend_amplitude = 0.5, trend_ramp = 0, trend_drift = 1;
  std::string burst_process = "mmpp";
  double burst_multiplier = 4, burst_duration_s = 10, burst_gap_s = 50, burst_cv = 3;
  double burst_flash_share = 0.25, burst_fresh_share = 0.5, burst_new_users = 0.3;
  int burst_flash_items = 64;
  double popular_share = -1;          // candidates drawn by popularity (rest uniform); <0 = default
  bool skip_bad_rows = false;
  // Model and memory
  std::string model;                  // empty: the dataset profile's model, else small
  std::string memory_policy = "static:0.5";
  std::string repartition = "budgeted";
  double max_step = 0.1;              // --max-step: most the split moves per control interval
  double refill_share = 0.2;          // --refill-share: budgeted refill's share of the link
  double host_kv_mib = 0;             // --host-kv-mib: host KV tier per worker (0 = off)
  std::string router = "rr";
  RouterOptions routing;              // every router's own options (nodes and seed set per run)
  double pool_mib = 24;
  int page_kib = 64;
  std::string backend = "cpu";
  std::string executor = "model";     // model | noop (completes at once: the harness's own ceiling)
  std::string precision = "tf32";     // --precision (cuda): fp32 | tf32 | bf16
  double emb_sample = 1;              // --emb-sample (sim only): EMB cache miniature rate (node/emb_sample.h)
  // Serving
  double slo_ms = 1000;
  int batch_max_requests = 8;
  int64_t batch_max_tokens = 8192;
  double batch_timeout_us = 2000;
  int64_t queue_cap = 256;
  double h2d_gbps = 0;                // 0 = the link rule against --link-like (node/link_setup.h)
  std::string link_like = "a100-80gb"; // the device whose miss:compute ratio the CPU link keeps
  // `run` only (sim, oracle and train declare their own --cost-model): a calibrated model of this
  // backend that values a KV hit; empty = measured by the workers (harness/node/kv_hit_worth.h).
  std::string cost_model;
  double clock_resync_s = 10;  // `run` only: re-measure other hosts' clock offsets this often (0 = never)
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

}  // namespace helm
