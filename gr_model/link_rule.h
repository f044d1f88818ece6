// The CPU backend's emulated host-to-device link: one rule, used by `run` (its workers measure)
// and by `calibrate` (so `sim` on a CPU cost model keeps it).
//
// A CPU computes the HSTU forward far slower than a GPU while copying rows at memory speed, which
// would erase the EMB/KV trade-off. So the link is slowed until an embedding miss costs the same
// share of a batch's compute here as on the target device (`--link-like NAME`, a cost model):
//
//   rate_cpu [B/s] = target.link_bytes_per_s [B/s] x target.hstu_ns(shapes) / cpu_ns(shapes)
//
// for the same representative batches (link_shapes): half full recomputes of the model's window,
// half incremental (8 new history tokens over a cached window), each with M candidates. The target
// is predicted at its own K/V width (bf16 on GPU models); the CPU is measured (fp32). Only this
// ratio is kept: fixed costs and HBM bandwidth are not scaled.
#pragma once
#include <string>
#include <vector>

#include "gr_model/cost_model.h"

namespace helm {

// The representative batches (one CostSample of `batch` sequences).
CostSample link_shapes(const ModelConfig& cfg, int batch, int candidates);

struct LinkRule {
  double bytes_per_s = 0;
  double cpu_ns = 0, target_ns = 0;  // the shapes' time here (measured) and on the target
  std::string target;                // the target cost model's name
  std::string describe;              // how the rate was derived (stored in results files)
};

LinkRule link_like(const ModelConfig& cfg, const CostModel& target, const CostSample& shapes,
                   double cpu_ns);

}  // namespace helm
