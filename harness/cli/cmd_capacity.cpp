// `helm-bench capacity --mode sim|run [--target T] [run/sim options]`: the saturation throughput
// (and with --target, the highest load meeting that SLO attainment) of one configuration, by
// running it at several offered loads (harness/cli/capacity.h). Each load is a real `sim` or
// `run` (under --mpirun with 1 + --workers ranks) of this same binary, read back from its
// results file. Ends with the line `capacity: Q qps`.
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "common/error.h"
#include "harness/cli/capacity.h"
#include "harness/cli/cli.h"
#include "harness/cli/commands.h"
#include "results/reader.h"
#include "results/summary.h"

namespace helm {

namespace {
using cli::shell_quote;

LoadPoint read_point(const std::string& file, double offered) {
  ResultsReader r(file);
  const auto rows = r.requests();
  Nanos last = 0;
  for (const auto& row : rows) last = std::max(last, row.arrival);
  const auto& a = r.attributes();
  const Summary s = summarize(rows, a.integer("warmup_ns").value_or(0), a.number("slo_ms").value_or(1000),
                              static_cast<int64_t>(rows.size()));
  return {offered, mid_window_throughput(rows, last), s.slo_satisfaction};
}
}  // namespace

int cmd_capacity(int argc, char** argv) {
  std::string mode = "sim", dir = "capacity-out", mpirun = "mpirun --oversubscribe --bind-to none", pass;
  double target = -1, qps = 0;
  int workers = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) bad_input("{}: needs a value", a);
      return std::string(argv[++i]);
    };
    auto number = [&](const std::string& v) {
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !std::isfinite(x)) bad_input("{}: '{}' is not a number", a, v);
      return x;
    };
    if (a == "--help" || a == "-h") {
      std::cout << "usage: helm-bench capacity --mode sim|run [--target T] [--workers N] [--out-dir DIR]\n"
                   "         [--mpirun 'mpirun --oversubscribe --bind-to none'] [sim/run options...]\n"
                   "Saturation throughput: completions/s over the middle 60% of a run offered at least\n"
                   "2x what it serves. --target T (e.g. 0.99): the highest offered qps whose SLO\n"
                   "attainment (drops count as misses) is at least T, within 5%. --qps is the first load\n"
                   "tried. Other options go to every run unchanged. Last line: `capacity: Q qps`.\n";
      return 0;
    }
    if (a == "--mode") mode = value();
    else if (a == "--target") target = number(value());
    else if (a == "--workers") workers = static_cast<int>(number(value()));
    else if (a == "--out-dir") dir = value();
    else if (a == "--mpirun") mpirun = value();
    else if (a == "--qps") qps = number(value());
    else if (a == "--out") bad_input("--out: set by capacity (use --out-dir)");
    else pass += " " + shell_quote(a);
  }
  if (mode != "sim" && mode != "run") bad_input("--mode: '{}' is not sim or run", mode);
  if (target != -1 && !(target > 0 && target <= 1)) bad_input("--target: {} is not in (0, 1]", target);
  if (workers < 1) bad_input("--workers: must be at least 1");
  if (qps < 0) bad_input("--qps: must be positive");
  if (qps == 0) qps = 100;
  std::filesystem::create_directories(dir);
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  int step = 0;
  auto measure = [&](double q) {
    const std::string out = fmt::format("{}/load-{:02d}.h5", dir, step++);
    const std::string cmd =
        mode == "sim" ? fmt::format("{} sim{} --qps {} --out {} > {}.log 2>&1", shell_quote(self), pass, q, shell_quote(out), shell_quote(out))
                      : fmt::format("{} -np {} {} run{} --qps {} --out {} > {}.log 2>&1", mpirun, workers + 1,
                                    shell_quote(self), pass, q, shell_quote(out), shell_quote(out));
    if (std::system(cmd.c_str()) != 0) {
      // Bad options fail the first run already: say so once, as bad input, with its log.
      if (step == 1) bad_input("capacity: the first {} failed (see {}.log): {}", mode, out, cmd);
      throw std::runtime_error("capacity: a run failed (see " + out + ".log): " + cmd);
    }
    const LoadPoint p = read_point(out, q);
    std::cout << fmt::format("offered {:.1f} qps: served {:.1f} qps (middle 60%), SLO attainment {:.4f}\n",
                             p.offered_qps, p.served_qps, p.slo_attainment);
    return p;
  };
  const CapacityResult r = find_capacity(measure, qps, target);
  std::cout << fmt::format("saturation: {:.1f} qps\n", r.saturation_qps);
  const double q = target > 0 ? r.target_qps : r.saturation_qps;
  if (target > 0) std::cout << fmt::format("SLO attainment >= {}: up to {:.1f} qps offered\n", target, q);
  std::cout << fmt::format("capacity: {} qps\n", static_cast<long long>(std::floor(q)));
  return 0;
}

}  // namespace helm
