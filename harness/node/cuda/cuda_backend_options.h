// The checks `--backend cuda` adds to the run's options (called from validate(RunOptions)):
// the precision's name and a usable GPU on this machine, both before MPI starts, so a refusal
// is one line and exit 2 with or without mpirun.
#pragma once
#include "harness/cli/run_options.h"

namespace helm {

void validate_cuda_backend(const RunOptions& o);  // BadInput naming the option

}  // namespace helm
