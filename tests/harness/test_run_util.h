// Helpers of the tests that start real `helm-bench run`s under mpirun (tests/harness).
#pragma once
#include <string>

#include "harness/run_context.h"

namespace helm::test {

// Runs `mpirun -np <ranks> helm-bench run <args> --out <out>` (scripts/mpi-env.sh's launcher),
// with `env` (e.g. "HELM_X=1 HELM_Y=2", each exported to every rank) set; stdout and stderr go to
// `log`. Returns the exit status.
int mpirun(int ranks, const std::string& args, const std::string& out, const std::string& log,
           const std::string& env = "");
// The run context `helm-bench run <args>` builds (the same on every rank).
RunContext run_context(const std::string& args);
// A path in the temporary directory, removed first.
std::string temp_path(const std::string& name);

}  // namespace helm::test
