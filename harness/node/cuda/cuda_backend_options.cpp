#include "harness/node/cuda/cuda_backend_options.h"

#include "common/error.h"
#include "harness/node/cuda/gpu_probe.h"

namespace helm {

void validate_cuda_backend(const RunOptions& o) {
  if (o.precision != "fp32" && o.precision != "tf32" && o.precision != "bf16")
    bad_input("--precision: '{}' is not fp32, tf32 or bf16", o.precision);
  // The host KV tier copies pages with memcpy on host addresses; over a device pool that needs
  // the copy-stream path, which the CUDA executor does not have yet: refuse rather than fault.
  if (o.host_kv_mib > 0) bad_input("--host-kv-mib: the host KV tier is not available with --backend cuda yet");
  if (const std::string why = cuda_unavailable_reason(); !why.empty())
    bad_input("--backend cuda: {}", why);
}

}  // namespace helm
