// `helm-bench fidelity --cost-model FILE [run options]`: the simulator's worth, measured. Runs one
// trace both ways, `run` on the CPU backend under mpirun (1 scheduler + --workers workers) and
// `sim` on the cost model with as many nodes, then prints mean, P50, P99 latency and the EMB/KV
// hit rates side by side with relative errors.
//
// Every option it does not know is passed to both runs unchanged, so they see the same trace.
// The link rate is pinned for both (--h2d-gbps: the cost model's rate unless given), because
// `run` would otherwise re-measure sgemm and emulate a slightly different link.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "common/error.h"
#include "gr_model/cost_model.h"
#include "harness/cli/commands.h"
#include "results/reader.h"
#include "results/summary.h"

namespace helm {

namespace {

struct Figures {
  double mean_ms = 0, p50_ms = 0, p99_ms = 0, emb = 0, kv = 0, svc_ms = 0, wait_ms = 0;
  double lone_wait_ms = 0, lag_ms = 0;  // median wait of batches of one; mean dispatch lag
  int64_t n = 0, dropped = 0;
};

Figures figures(const std::string& path) {
  ResultsReader r(path);
  const auto rows = r.requests();
  int64_t warm = 0;
  if (const AttrValue* v = r.attributes().find("warmup_ns")) warm = std::get<int64_t>(*v);
  const Summary s = summarize(rows, warm, 1e9);
  Figures f;
  double sum = 0, svc = 0, wait = 0, lag = 0;
  std::vector<Nanos> lone;
  for (const auto& row : rows)
    if (row.arrival >= warm && row.status == kCompleted) {
      if (row.batch_size == 1) lone.push_back(row.start - row.arrival);
      lag += static_cast<double>(row.dispatch_lag);
      sum += static_cast<double>(row.latency);
      svc += static_cast<double>(row.finish - row.start);
      wait += static_cast<double>(row.start - row.arrival);
      ++f.n;
    }
  f.mean_ms = f.n ? sum / f.n / 1e6 : 0;
  f.svc_ms = f.n ? svc / f.n / 1e6 : 0;
  f.wait_ms = f.n ? wait / f.n / 1e6 : 0;
  f.lag_ms = f.n ? lag / f.n / 1e6 : 0;
  std::sort(lone.begin(), lone.end());
  f.lone_wait_ms = nearest_rank(lone, 50).value / 1e6;
  f.p50_ms = s.p50.value / 1e6;
  f.p99_ms = s.p99.value / 1e6;
  f.emb = s.emb_hit_rate;
  f.kv = s.kv_hit_rate;
  f.dropped = s.dropped;
  return f;
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

int cmd_fidelity(int argc, char** argv) {
  std::string cost = "", dir = "fidelity-out", mpirun = "mpirun --oversubscribe --bind-to none";
  int workers = 1;
  std::string pass;
  bool has_gbps = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) bad_input("{}: needs a value", a);
      return std::string(argv[++i]);
    };
    if (a == "--help" || a == "-h") {
      std::cout << "usage: helm-bench fidelity --cost-model NAME|FILE [--workers N] [--out-dir DIR]\n"
                   "         [--mpirun 'mpirun --oversubscribe --bind-to none'] [run/sim options...]\n"
                   "Runs `run` (1 scheduler + N workers) and `sim --nodes N` on the same trace and\n"
                   "prints mean/P50/P99 latency and hit rates with relative errors. Other options go\n"
                   "to both runs unchanged.\n";
      return 0;
    }
    if (a == "--cost-model") cost = value();
    else if (a == "--out-dir") dir = value();
    else if (a == "--mpirun") mpirun = value();
    else if (a == "--workers") workers = std::stoi(value());
    else if (a == "--nodes" || a == "--out") bad_input("{}: set by fidelity (use --workers, --out-dir)", a);
    else {
      if (a == "--h2d-gbps") has_gbps = true;
      pass += " " + quote(a);
    }
  }
  if (cost.empty()) bad_input("--cost-model: required (a shipped name or a file from `helm-bench calibrate`)");
  if (workers < 1) bad_input("--workers: must be at least 1");
  const std::string cost_path = resolve_cost_model(cost);
  const CostModel cm = load_cost_model(cost_path);
  if (!has_gbps) pass += fmt::format(" --h2d-gbps {:.9g}", cm.link_bytes_per_s / 1e9);
  std::filesystem::create_directories(dir);
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string run_out = dir + "/run.h5", sim_out = dir + "/sim.h5";
  const std::string run_cmd = fmt::format("{} -np {} {} run{} --out {} > {}/run.log 2>&1", mpirun, workers + 1,
                                          quote(exe), pass, quote(run_out), dir);
  const std::string sim_cmd = fmt::format("{} sim --nodes {} --cost-model {}{} --out {} > {}/sim.log 2>&1",
                                          quote(exe), workers, quote(cost_path), pass, quote(sim_out), dir);
  for (const auto& c : {run_cmd, sim_cmd}) {
    std::cout << "$ " << c << "\n" << std::flush;
    if (std::system(c.c_str()) != 0) throw std::runtime_error("command failed (see the log in " + dir + "): " + c);
  }
  const Figures r = figures(run_out), s = figures(sim_out);
  auto rel = [](double sim, double run) { return run != 0 ? 100.0 * (sim - run) / run : 0.0; };
  std::cout << fmt::format("\n{:<22}{:>12}{:>12}{:>10}\n", "", "run", "sim", "rel err");
  auto line = [&](const char* what, double a, double b, const char* unit) {
    std::cout << fmt::format("{:<22}{:>10.3f}{:<2}{:>10.3f}{:<2}{:>9.1f}%\n", what, a, unit, b, unit, rel(b, a));
  };
  line("latency mean", r.mean_ms, s.mean_ms, "ms");
  line("latency P50", r.p50_ms, s.p50_ms, "ms");
  line("latency P99", r.p99_ms, s.p99_ms, "ms");
  line("service mean", r.svc_ms, s.svc_ms, "ms");
  line("queue+batch wait mean", r.wait_ms, s.wait_ms, "ms");
  line("wait P50, batch of 1", r.lone_wait_ms, s.lone_wait_ms, "ms");
  line("dispatch lag mean", r.lag_ms, s.lag_ms, "ms");
  line("EMB hit rate", 100 * r.emb, 100 * s.emb, " %");
  line("KV hit rate", 100 * r.kv, 100 * s.kv, " %");
  std::cout << fmt::format("{:<22}{:>12}{:>12}\n", "completed (measured)", r.n, s.n)
            << fmt::format("{:<22}{:>12}{:>12}\n", "dropped", r.dropped, s.dropped);
  const bool ok = std::abs(rel(s.mean_ms, r.mean_ms)) <= 10 && std::abs(rel(s.p50_ms, r.p50_ms)) <= 10 &&
                  std::abs(rel(s.p99_ms, r.p99_ms)) <= 15;
  std::cout << (ok ? "WITHIN GOAL" : "OUTSIDE GOAL") << ": mean and P50 within 10%, P99 within 15%\n"
            << "files: " << run_out << " " << sim_out << "\n";
  return 0;
}

}  // namespace helm
