// Timing the CUDA HSTU forward on batch shapes ({cached, new, candidates} per sequence): rows
// and K/V pages in device memory, as in `run --backend cuda`; each sample the median of `reps`
// synchronous forwards, samples timed round-robin. The one CUDA timing code: `calibrate
// --backend cuda` times its HSTU samples with it, and `run`'s start-up KV-hit worth measures
// through cuda_batch_timer (harness/node/kv_hit_worth.h's BatchTimer), as the CPU backend does
// through cpu_batch_timer. Built only with CUDA.
#pragma once
#include <cstdint>
#include <span>

#include "gr_model/cost_model.h"
#include "gr_model/cuda/cuda_model.h"
#include "harness/node/kv_hit_worth.h"

namespace helm {

void time_cuda_batches(const ModelConfig& cfg, std::span<CostSample> samples, int reps, CudaPrecision precision,
                       int device, size_t page_bytes, uint64_t seed);
BatchTimer cuda_batch_timer(const RunOptions& o, const ModelConfig& cfg, CudaPrecision precision, int device);

}  // namespace helm
