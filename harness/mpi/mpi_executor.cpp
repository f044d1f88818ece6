// Worker-side construction: the real executor of one node from the options.
#include "common/rng.h"
#include "harness/mpi/mpi_driver.h"
#include "harness/node/hstu_executor.h"
#include "harness/node/noop_executor.h"

namespace helm {

std::unique_ptr<NodeExecutor> make_worker_executor(const RunContext& ctx, int node, int nodes,
                                                   double link_bytes_per_s, const Clock& clock) {
  const NodeOptions e = node_options(ctx, node, nodes, link_bytes_per_s, 1.0, true);
  if (ctx.opt.executor == "noop") return std::make_unique<NoopExecutor>(ctx.trace, e.emb_share);
  return std::make_unique<HstuExecutor>(ctx.trace, ctx.model, stream_seed(ctx.opt.seed, "weights"), e, clock);
}

}  // namespace helm
