// `helm-bench forward --backend cuda`: the model-verification file (weights_io.h: /model,
// /input) scored by the CUDA forward instead of the CPU one, the same way (the first
// cached_prefix history tokens as an earlier visit into device K/V pages, the rest
// incrementally), so its /output/scores can be compared with the CPU backend's.
// Built in every build; without CUDA it refuses with BadInput.
#pragma once
#include <string>

namespace helm {

void run_forward_file_cuda(const std::string& in, const std::string& out, const std::string& precision);

}  // namespace helm
