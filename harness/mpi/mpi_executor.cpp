// Worker-side construction: the real executor of one node from the options (the backend's).
#include <algorithm>
#include <iostream>

#include "common/error.h"
#include "common/rng.h"
#include "harness/mpi/mpi_driver.h"
#include "harness/node/hstu_executor.h"
#include "harness/node/noop_executor.h"
#ifdef HELM_HAVE_CUDA
#include "harness/node/cuda/cuda_batch_timer.h"
#include "harness/node/cuda/cuda_executor.h"
#endif

namespace helm {

std::unique_ptr<NodeExecutor> make_worker_executor(const RunContext& ctx, int node, int nodes,
                                                   double link_bytes_per_s, const KvHitWorth& worth,
                                                   const Clock& clock, int device) {
  NodeOptions e = node_options(ctx, node, nodes, link_bytes_per_s, 1.0, true);
  e.kv_worth = worth;
  const uint64_t seed = stream_seed(ctx.opt.seed, "weights");
  if (ctx.opt.backend == "cuda") {
#ifdef HELM_HAVE_CUDA
    if (ctx.opt.pool_mib == 0) e.pool_bytes = 0;  // from cudaMemGetInfo
    auto x = std::make_unique<CudaExecutor>(ctx.trace, ctx.model, seed, e, clock, device,
                                            parse_precision(ctx.opt.precision), ctx.opt.batch_max_tokens);
    std::cerr << "worker " << node + 1 << ": " << x->describe() << "\n";
    return x;
#else
    throw std::runtime_error("--backend cuda: this helm-bench was built without CUDA");
#endif
  }
  if (ctx.opt.executor == "noop") return std::make_unique<NoopExecutor>(ctx.trace, e.emb_share);
  return std::make_unique<HstuExecutor>(ctx.trace, ctx.model, seed, e, clock);
}

BatchTimer make_batch_timer(const RunContext& ctx, int device) {
  if (ctx.opt.backend == "cuda") {
#ifdef HELM_HAVE_CUDA
    return cuda_batch_timer(ctx.opt, ctx.model, parse_precision(ctx.opt.precision), std::max(0, device));
#else
    (void)device;
    throw std::runtime_error("--backend cuda: this helm-bench was built without CUDA");
#endif
  }
  return cpu_batch_timer(ctx.opt, ctx.model);
}

}  // namespace helm
