// `helm-bench calibrate --backend cuda`: a measured cost model of this GPU for `sim`, named by
// the device (e.g. "h200-measured"). HSTU terms: the same sample shapes as the CPU calibration
// (calibration_samples), each timed as the median of `reps` CUDA forwards (rows and K/V pages in
// device memory, as in `run`), fitted by fit_hstu. Link: pinned host-to-device copies measured
// on the device. EMB and request-path host costs: the bookkeeping measured as on the CPU
// backend (it is the same host code in `run --backend cuda`). Built in every build; without CUDA
// it refuses.
#pragma once
#include <iosfwd>
#include <string>

#include "gr_model/calibrate.h"
#include "gr_model/cost_model.h"

namespace helm {

CostModel calibrate_cuda(const CalibrateOptions& opt, const std::string& name, const std::string& precision,
                         double h2d_latency_us, std::ostream& log);
// "NVIDIA H200" -> "h200-measured" (the last word of the device name, lower case).
std::string measured_name(const std::string& device_name);

}  // namespace helm
