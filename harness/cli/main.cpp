// helm-bench: one executable, subcommands listed in one explicit table.
// Exit codes: 0 done, 2 bad input (one clear line on stderr), 1 failure at run time.
#include <cstring>
#include <exception>
#include <iostream>
#include <string_view>

#include "common/error.h"
#include "harness/cli/commands.h"

namespace {
struct Command {
  const char* name;
  int (*fn)(int, char**);
  const char* what;
};
constexpr Command kCommands[] = {
    {"run", helm::cmd_run, "real execution under MPI (rank 0 scheduler, workers serve)"},
    {"sim", helm::cmd_sim, "discrete-event simulation of --nodes N on a cost model"},
    {"calibrate", helm::cmd_calibrate, "measure the backend's costs, write a cost-model file"},
    {"fidelity", helm::cmd_fidelity, "one small trace through run (MPI) and sim; errors side by side"},
    {"capacity", helm::cmd_capacity, "saturation throughput, or the highest load meeting an SLO attainment"},
    {"forward", helm::cmd_forward, "run the model on inputs from an HDF5 file (model verification)"},
    {"oracle", helm::cmd_oracle, "DESIGN.md's oracle: sim at every static split, best split per window -> schedule CSV"},
    {"train", helm::cmd_train, "train HELM's base memory policy offline in the simulator -> policy file"},
    {"report", helm::cmd_report, "P99/SLO tables from result files"},
    {"trace", helm::cmd_trace, "build a workload trace, print its statistics, write it (--out) for run --trace"},
};

void usage(std::ostream& out) {
  out << "usage: helm-bench SUBCOMMAND [options]   (helm-bench SUBCOMMAND --help)\n\nsubcommands:\n";
  for (const auto& c : kCommands) out << "  " << c.name << std::string(10 - std::strlen(c.name), ' ') << c.what << "\n";
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  const std::string_view sub = argv[1];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    usage(std::cout);
    return 0;
  }
  for (const auto& c : kCommands) {
    if (sub != c.name) continue;
    try {
      return c.fn(argc - 1, argv + 1);
    } catch (const helm::BadInput& e) {
      std::cerr << "helm-bench " << sub << ": " << helm::one_line(e.what()) << "\n";
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "helm-bench " << sub << ": error: " << helm::one_line(e.what()) << "\n";
      return 1;
    }
  }
  std::cerr << "helm-bench: unknown subcommand '" << sub << "' (helm-bench --help lists them)\n";
  return 2;
}
