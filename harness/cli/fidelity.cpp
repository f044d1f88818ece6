#include "harness/cli/fidelity.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "common/error.h"
#include "harness/cli/run_options.h"
#include "results/reader.h"
#include "results/summary.h"

namespace helm {

namespace {
double number(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !std::isfinite(x)) bad_input("{}: '{}' is not a number", flag, v);
  return x;
}
}  // namespace

std::vector<double> parse_loads(const std::string& text) {
  std::vector<double> out;
  size_t pos = 0;
  for (;;) {
    const size_t comma = text.find(',', pos);
    const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    const double x = number("--loads", item);
    // Above 2x capacity a run mostly measures its drop rule, not its latency.
    if (!(x > 0 && x <= 2)) bad_input("--loads: {} is not a fraction of capacity in (0, 2]", item);
    out.push_back(x);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

FidelityOptions parse_fidelity(int argc, char** argv) {
  FidelityOptions o;
  o.pool_mib = RunOptions{}.pool_mib;
  o.scale = RunOptions{}.scale;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) bad_input("{}: needs a value", a);
      return std::string(argv[++i]);
    };
    if (a == "--help" || a == "-h") {
      std::cout
          << "usage: helm-bench fidelity --cost-model NAME|FILE [--workers N] [--loads F1,F2,...]\n"
             "         [--capacity-qps Q] [--out-dir DIR] [--mpirun 'mpirun --oversubscribe --bind-to none']\n"
             "         [run/sim options...]\n"
             "Runs `run` (1 scheduler + N workers) and `sim --nodes N` on the same trace and prints\n"
             "mean/P50/P99 latency and hit rates with relative errors. --loads: fractions of the\n"
             "capacity (--capacity-qps, or the highest rate served by the steps of `capacity --mode run`\n"
             "on the same options, run first); without it one point at --qps. Writes DIR/fidelity.csv.\n"
             "Other options go to every run.\n";
      o.help = true;
      return o;
    }
    if (a == "--cost-model") o.cost_model = value();
    else if (a == "--out-dir") o.out_dir = value();
    else if (a == "--mpirun") o.mpirun = value();
    else if (a == "--workers") {
      const std::string v = value();
      const double w = number(a, v);
      if (w != std::floor(w) || w < 1 || w > 64) bad_input("--workers: '{}' is not a whole number in 1..64", v);
      o.workers = static_cast<int>(w);
    } else if (a == "--loads") o.loads = parse_loads(value());
    else if (a == "--capacity-qps") {
      o.capacity_qps = number(a, value());
      if (!(o.capacity_qps > 0)) bad_input("--capacity-qps: must be positive");
    } else if (a == "--nodes" || a == "--out") bad_input("{}: set by fidelity (use --workers, --out-dir)", a);
    else if (a == "--pool-mib" || a == "--scale") {
      const std::string v = value();
      (a == "--scale" ? o.scale : o.pool_mib) = number(a, v);
      o.pass.push_back(a);
      o.pass.push_back(v);
      if (a == "--scale") o.sim_pass.insert(o.sim_pass.end(), {a, v});
    } else {
      if (a == "--h2d-gbps") o.has_gbps = true;
      if (a == "--qps") o.has_qps = true;
      o.pass.push_back(a);
      o.sim_pass.push_back(a);
    }
  }
  if (!(o.scale > 0) || !(o.pool_mib > 0)) bad_input("--pool-mib, --scale: must be positive");
  o.sim_pass.push_back("--pool-mib");
  o.sim_pass.push_back(fmt::format("{:.17g}", o.pool_mib / o.scale));
  if (o.cost_model.empty())
    bad_input("--cost-model: required (a shipped name or a file from `helm-bench calibrate`)");
  if (!o.loads.empty() && o.has_qps) bad_input("--qps: set by fidelity from --loads x capacity");
  if (o.loads.empty() && o.capacity_qps > 0) bad_input("--capacity-qps: only with --loads");
  return o;
}

FidelityFigures fidelity_figures(const std::string& path) {
  ResultsReader r(path);
  const auto rows = r.requests();
  const Nanos warm = r.attributes().integer("warmup_ns").value_or(0);
  const Summary s = summarize(rows, warm, 1e9);
  FidelityFigures f;
  double sum = 0, svc = 0, wait = 0, lag = 0, batch = 0;
  std::vector<Nanos> lone;
  for (const auto& row : rows)
    if (row.arrival >= warm && row.status == kCompleted) {
      if (row.batch_size == 1) lone.push_back(row.start - row.arrival);
      lag += static_cast<double>(row.dispatch_lag);
      sum += static_cast<double>(row.latency);
      svc += static_cast<double>(row.finish - row.start);
      wait += static_cast<double>(row.start - row.arrival);
      batch += row.batch_size;
      ++f.n;
    }
  const double n = static_cast<double>(std::max<int64_t>(f.n, 1));
  f.mean_ms = sum / n / 1e6;
  f.svc_ms = svc / n / 1e6;
  f.wait_ms = wait / n / 1e6;
  f.lag_ms = lag / n / 1e6;
  f.batch_mean = batch / n;
  std::sort(lone.begin(), lone.end());
  f.lone_wait_ms = lone.empty() ? 0 : nearest_rank(lone, 50).value / 1e6;
  f.p50_ms = s.p50.value / 1e6;
  f.p99_ms = s.p99.value / 1e6;
  f.emb = s.emb_hit_rate;
  f.kv = s.kv_hit_rate;
  f.dropped = s.dropped;
  f.cpu_share = r.attributes().number("workers_cpu_share").value_or(-1);
  f.runqueue_share = r.attributes().number("workers_runqueue_share").value_or(-1);
  return f;
}

double relative_error_pct(double sim, double run) { return run != 0 ? 100.0 * (sim - run) / run : 0.0; }

bool within_fidelity_goal(const FidelityFigures& r, const FidelityFigures& s) {
  return std::abs(relative_error_pct(s.mean_ms, r.mean_ms)) <= 10 &&
         std::abs(relative_error_pct(s.p50_ms, r.p50_ms)) <= 10 &&
         std::abs(relative_error_pct(s.p99_ms, r.p99_ms)) <= 15;
}

std::string fidelity_csv_header() {
  return "load,qps,capacity_qps,run_mean_ms,sim_mean_ms,mean_err_pct,run_p50_ms,sim_p50_ms,p50_err_pct,"
         "run_p99_ms,sim_p99_ms,p99_err_pct,run_service_ms,sim_service_ms,run_wait_ms,sim_wait_ms,"
         "run_lone_wait_ms,sim_lone_wait_ms,run_lag_ms,sim_lag_ms,run_batch,sim_batch,run_emb_hit,sim_emb_hit,"
         "run_kv_hit,sim_kv_hit,run_completed,sim_completed,run_dropped,sim_dropped,loadavg_before,"
         "loadavg_after,run_workers_cpu_share,run_workers_runqueue_share,within_goal";
}

std::string fidelity_csv_row(double load, double qps, double cap, const FidelityFigures& r,
                             const FidelityFigures& s, double la0, double la1) {
  auto e = [](double a, double b) { return relative_error_pct(b, a); };
  return fmt::format(
      "{},{:.1f},{:.1f},{:.4f},{:.4f},{:.2f},{:.4f},{:.4f},{:.2f},{:.4f},{:.4f},{:.2f},{:.4f},{:.4f},{:.4f},"
      "{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{:.3f},{:.3f},{:.4f},{:.4f},{:.4f},{:.4f},{},{},{},{},{:.2f},{:.2f},{:.4f},{:.4f},{}",
      load, qps, cap, r.mean_ms, s.mean_ms, e(r.mean_ms, s.mean_ms), r.p50_ms, s.p50_ms, e(r.p50_ms, s.p50_ms),
      r.p99_ms, s.p99_ms, e(r.p99_ms, s.p99_ms), r.svc_ms, s.svc_ms, r.wait_ms, s.wait_ms, r.lone_wait_ms,
      s.lone_wait_ms, r.lag_ms, s.lag_ms, r.batch_mean, s.batch_mean, r.emb, s.emb, r.kv, s.kv, r.n, s.n,
      r.dropped, s.dropped, la0, la1, r.cpu_share, r.runqueue_share, within_fidelity_goal(r, s) ? 1 : 0);
}

}  // namespace helm
