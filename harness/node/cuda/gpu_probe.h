// Is there a GPU the CUDA backend can use? Asked while options are validated (before MPI
// starts), so `--backend cuda` on a machine without one is refused with one line and exit 2.
// Always built: without CUDA in the build the answer is "built without CUDA". Never throws,
// never needs a driver to start (the CUDA runtime is linked statically; libcuda is found, or
// not, at the first call).
#pragma once
#include <string>

namespace helm {

// "" when at least one CUDA device is usable; else why not, in words.
std::string cuda_unavailable_reason();
// One line per device for the results file: name, memory, compute capability, driver and
// runtime versions ("" when there is none).
std::string describe_gpu(int device);
// Pinned host-to-device bandwidth of `device` (bytes/s): the best of three 32 MiB
// cudaMemcpyAsync after one warm-up copy. 0 when it cannot be measured.
double measure_h2d_bytes_per_s(int device);

}  // namespace helm
