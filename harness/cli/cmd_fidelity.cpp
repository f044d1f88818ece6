// `helm-bench fidelity --cost-model FILE [--workers N] [--loads F,...] [run options]`: the
// simulator's worth, measured. At each load it runs one trace both ways, `run` on the CPU backend
// under mpirun (1 scheduler + --workers workers) and `sim` on the cost model with as many nodes,
// then prints mean, P50, P99 latency, the parts of latency and the hit rates side by side with
// relative errors, and writes one CSV row per load (harness/cli/fidelity.h).
//
// Every option it does not know is passed to every run unchanged, so they see the same trace.
// The link rate is pinned for all (--h2d-gbps: the cost model's rate unless given), because
// `run` would otherwise re-measure sgemm and emulate a slightly different link.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/error.h"
#include "gr_model/cost_model.h"
#include "harness/cli/cli.h"
#include "harness/cli/commands.h"
#include "harness/cli/fidelity.h"

namespace helm {

namespace {

using cli::shell_quote;

// The 1-minute load average: how busy the shared box was around a measurement.
double loadavg() {
  std::ifstream in("/proc/loadavg");
  double x = 0;
  in >> x;
  return x;
}

void sh(const std::string& cmd, const std::string& dir) {
  std::cout << "$ " << cmd << "\n" << std::flush;
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("command failed (see the log in " + dir + "): " + cmd);
}

// `capacity --mode run` on the same options, read back from its log. The loads are fractions of
// the highest rate any of its steps served. Its own saturation rule (the rate served at the first
// load offered at least twice that) is printed too, but it is not used: where a run collapses
// under overload (a starved worker on a shared machine serves next to nothing at 1,400 qps
// offered) that rule reports the collapse, not what the configuration can serve.
double measure_capacity(const FidelityOptions& o, const std::string& exe, const std::string& pass) {
  const std::string dir = o.out_dir + "/capacity", log = dir + ".log";
  sh(fmt::format("{} capacity --mode run --workers {} --mpirun {} --out-dir {}{} > {} 2>&1", shell_quote(exe), o.workers,
                 shell_quote(o.mpirun), shell_quote(dir), pass, shell_quote(log)),
     o.out_dir);
  std::ifstream in(log);
  std::string line;
  double peak = 0, rule = 0;
  while (std::getline(in, line)) {
    double offered = 0, served = 0;
    if (std::sscanf(line.c_str(), "offered %lf qps: served %lf qps", &offered, &served) == 2)
      peak = std::max(peak, served);
    if (line.rfind("saturation: ", 0) == 0) rule = std::strtod(line.c_str() + 12, nullptr);
  }
  if (!(peak > 0)) throw std::runtime_error("capacity: no served rate in " + log);
  std::cout << fmt::format("capacity of `run`, 1 + {} ranks: peak served {:.1f} qps (used); capacity's "
                           "saturation rule: {:.1f} qps\n",
                           o.workers, peak, rule);
  return peak;
}

void print_point(const FidelityFigures& r, const FidelityFigures& s) {
  std::cout << fmt::format("\n{:<22}{:>12}{:>12}{:>10}\n", "", "run", "sim", "rel err");
  auto line = [&](const char* what, double a, double b, const char* unit) {
    std::cout << fmt::format("{:<22}{:>10.3f}{:<2}{:>10.3f}{:<2}{:>9.1f}%\n", what, a, unit, b, unit,
                             relative_error_pct(b, a));
  };
  line("latency mean", r.mean_ms, s.mean_ms, "ms");
  line("latency P50", r.p50_ms, s.p50_ms, "ms");
  line("latency P99", r.p99_ms, s.p99_ms, "ms");
  line("service mean", r.svc_ms, s.svc_ms, "ms");
  line("queue+batch wait mean", r.wait_ms, s.wait_ms, "ms");
  line("wait P50, batch of 1", r.lone_wait_ms, s.lone_wait_ms, "ms");
  line("dispatch lag mean", r.lag_ms, s.lag_ms, "ms");
  line("batch size mean", r.batch_mean, s.batch_mean, "  ");
  line("EMB hit rate", 100 * r.emb, 100 * s.emb, " %");
  line("KV hit rate", 100 * r.kv, 100 * s.kv, " %");
  std::cout << fmt::format("{:<22}{:>12}{:>12}\n", "completed (measured)", r.n, s.n)
            << fmt::format("{:<22}{:>12}{:>12}\n", "dropped", r.dropped, s.dropped)
            << fmt::format("{:<22}{:>11.1f}%{:>12}\n", "workers on a CPU", 100 * r.cpu_share, "(own core)")
            << fmt::format("{:<22}{:>11.1f}%{:>12}\n", "workers runnable, off", 100 * r.runqueue_share, "0")
            << (within_fidelity_goal(r, s) ? "WITHIN GOAL" : "OUTSIDE GOAL")
            << ": mean and P50 within 10%, P99 within 15%\n";
  // sim gives every node its own device; a worker kept off the CPU measures the machine instead.
  if (r.runqueue_share > 0.1)
    std::cout << fmt::format("warning: the real workers waited for a CPU {:.0f}% of the run (other processes on "
                             "this machine): its latency is not a reference for sim\n",
                             100 * r.runqueue_share);
}

}  // namespace

int cmd_fidelity(int argc, char** argv) {
  const FidelityOptions o = parse_fidelity(argc, argv);
  if (o.help) return 0;
  const std::string cost_path = resolve_cost_model(o.cost_model);
  const CostModel cm = load_cost_model(cost_path);
  std::string pass, sim_pass;
  for (const auto& a : o.pass) pass += " " + shell_quote(a);
  for (const auto& a : o.sim_pass) sim_pass += " " + shell_quote(a);
  if (!o.has_gbps) {
    pass += fmt::format(" --h2d-gbps {:.9g}", cm.link_bytes_per_s / 1e9);
    sim_pass += fmt::format(" --h2d-gbps {:.9g}", cm.link_bytes_per_s / 1e9);
  }
  std::filesystem::create_directories(o.out_dir);
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();

  double capacity = o.capacity_qps;
  if (!o.loads.empty() && capacity <= 0) {
    capacity = measure_capacity(o, exe, pass);
  }
  std::vector<double> loads = o.loads;
  if (loads.empty()) loads.push_back(0);  // one point at the options' own --qps
  const std::string csv_path = o.out_dir + "/fidelity.csv";
  std::ofstream csv(csv_path);
  if (!csv) bad_input("--out-dir: cannot write '{}'", csv_path);
  csv << fidelity_csv_header() << "\n";
  bool all_ok = true;
  for (size_t k = 0; k < loads.size(); ++k) {
    const double load = loads[k], qps = load > 0 ? std::round(load * capacity) : 0;
    const std::string tag = load > 0 ? fmt::format("load-{}", k) : "point";
    const std::string extra = load > 0 ? fmt::format(" --qps {}", qps) : "";
    const std::string run_out = o.out_dir + "/" + tag + "-run.h5", sim_out = o.out_dir + "/" + tag + "-sim.h5";
    if (load > 0) std::cout << fmt::format("\n== load {} of {:.1f} qps = {} qps\n", load, capacity, qps);
    const double la0 = loadavg();
    sh(fmt::format("{} -np {} {} run{}{} --out {} > {} 2>&1", o.mpirun, o.workers + 1, shell_quote(exe), pass, extra,
                   shell_quote(run_out), shell_quote(o.out_dir + "/" + tag + "-run.log")),
       o.out_dir);
    const double la1 = loadavg();
    sh(fmt::format("{} sim --nodes {} --cost-model {}{}{} --out {} > {} 2>&1", shell_quote(exe), o.workers,
                   shell_quote(cost_path), sim_pass, extra, shell_quote(sim_out), shell_quote(o.out_dir + "/" + tag + "-sim.log")),
       o.out_dir);
    const FidelityFigures r = fidelity_figures(run_out), s = fidelity_figures(sim_out);
    print_point(r, s);
    std::cout << fmt::format("load average (1 min) before / after the real run: {:.2f} / {:.2f}\n", la0, la1);
    all_ok = all_ok && within_fidelity_goal(r, s);
    csv << fidelity_csv_row(load, qps, capacity, r, s, la0, la1) << "\n" << std::flush;
  }
  std::cout << "\nfidelity: " << (all_ok ? "WITHIN GOAL at every load" : "OUTSIDE GOAL at one load or more")
            << "; table " << csv_path << "\n";
  return 0;
}

}  // namespace helm
