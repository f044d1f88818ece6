// BLAS in one place: helm-bench links OpenBLAS explicitly and runs it single-threaded
// (one process per core; BLAS threads would fight the MPI ranks for the same cores).
#pragma once
#include <string>

namespace helm {
// Pins OpenBLAS to one thread (idempotent) and returns a description of the BLAS that runs,
// e.g. "OpenBLAS 0.3.21 ... (Haswell, 1 thread)": recorded in every results file.
std::string init_blas();
}  // namespace helm
