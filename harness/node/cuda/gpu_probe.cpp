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

double measure_h2d_bytes_per_s(int device) {
#ifdef HELM_HAVE_CUDA
  const size_t bytes = size_t{32} << 20;
  void *h = nullptr, *d = nullptr;
  cudaStream_t s = nullptr;
  cudaEvent_t a = nullptr, b = nullptr;
  float best = 0;
  bool ok = cudaSetDevice(device) == cudaSuccess && cudaMallocHost(&h, bytes) == cudaSuccess &&
            cudaMalloc(&d, bytes) == cudaSuccess &&
            cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking) == cudaSuccess &&
            cudaEventCreate(&a) == cudaSuccess && cudaEventCreate(&b) == cudaSuccess;
  for (int i = 0; ok && i < 4; ++i) {
    float ms = 0;
    ok = cudaEventRecord(a, s) == cudaSuccess &&
         cudaMemcpyAsync(d, h, bytes, cudaMemcpyHostToDevice, s) == cudaSuccess &&
         cudaEventRecord(b, s) == cudaSuccess && cudaEventSynchronize(b) == cudaSuccess &&
         cudaEventElapsedTime(&ms, a, b) == cudaSuccess;
    if (ok && i > 0 && (best == 0 || ms < best)) best = ms;  // the first copy warms the path
  }
  if (!ok) (void)cudaGetLastError();
  if (a) cudaEventDestroy(a);
  if (b) cudaEventDestroy(b);
  if (s) cudaStreamDestroy(s);
  if (d) cudaFree(d);
  if (h) cudaFreeHost(h);
  return ok && best > 0 ? static_cast<double>(bytes) / (static_cast<double>(best) * 1e-3) : 0;
#else
  (void)device;
  return 0;
#endif
}

}  // namespace helm
