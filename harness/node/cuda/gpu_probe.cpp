#include "harness/node/cuda/gpu_probe.h"

#include <fmt/format.h>

#ifdef HELM_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

namespace helm {

std::string cuda_unavailable_reason() {
#ifdef HELM_HAVE_CUDA
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    return fmt::format("no usable GPU on this machine ({}: {})", cudaGetErrorName(e), cudaGetErrorString(e));
  }
  if (n == 0) return "no CUDA device on this machine";
  return "";
#else
  return "this helm-bench was built without CUDA (configure with -DHELM_CUDA=ON where nvcc is installed)";
#endif
}

std::string describe_gpu(int device) {
#ifdef HELM_HAVE_CUDA
  cudaDeviceProp p{};
  if (device < 0 || cudaGetDeviceProperties(&p, device) != cudaSuccess) {
    (void)cudaGetLastError();
    return "";
  }
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  return fmt::format("{} (device {}, {} MiB, compute capability {}.{}, {} SMs, driver {}.{}, runtime {}.{})",
                     p.name, device, p.totalGlobalMem >> 20, p.major, p.minor, p.multiProcessorCount,
                     driver / 1000, driver % 1000 / 10, runtime / 1000, runtime % 1000 / 10);
#else
  (void)device;
  return "";
#endif
}

}  // namespace helm
