// Checked CUDA runtime and cuBLAS calls (STYLE.md lesson 10): a failed call throws
// std::runtime_error naming file:line, the call and the error string.
#pragma once
#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace helm::cuda {
[[noreturn]] inline void fail(const char* file, int line, const char* call, const std::string& why) {
  throw std::runtime_error(std::string(file) + ":" + std::to_string(line) + ": " + call + ": " + why);
}
}  // namespace helm::cuda

#define HELM_CUDA(call)                                                             \
  do {                                                                              \
    const cudaError_t e_ = (call);                                                  \
    if (e_ != cudaSuccess) ::helm::cuda::fail(__FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
  } while (0)

// After a kernel launch: launch-configuration errors surface here, execution errors at the next
// synchronising call.
#define HELM_CUDA_LAUNCHED() HELM_CUDA(cudaGetLastError())
