#include "harness/node/cuda/cuda_backend_options.h"

#include "common/error.h"
#include "harness/node/cuda/gpu_probe.h"

namespace helm {

void validate_cuda_backend(const RunOptions& o) {
  if (o.precision != "fp32" && o.precision != "tf32" && o.precision != "bf16")
    bad_input("--precision: '{}' is not fp32, tf32 or bf16", o.precision);
  if (const std::string why = cuda_unavailable_reason(); !why.empty())
    bad_input("--backend cuda: {}", why);
}

}  // namespace helm
