// Every executor's construction options from the run's options (node/node_executor.h).
#include "controller/memory_policy.h"
#include "harness/node/node_executor.h"

namespace helm {

BatchingOptions batching_options(const RunOptions& o) {
  BatchingOptions b;
  b.max_requests = o.batch_max_requests;
  b.max_tokens = o.batch_max_tokens;
  b.timeout = static_cast<Nanos>(o.batch_timeout_us * 1e3);
  b.queue_cap = static_cast<size_t>(o.queue_cap);
  return b;
}

NodeOptions node_options(const RunContext& ctx, int node, int nodes, double link_bytes_per_s,
                         double scale, bool bytes) {
  NodeOptions e;
  e.pool_bytes = static_cast<size_t>(ctx.opt.pool_mib * scale * 1024 * 1024);
  e.page_bytes = static_cast<size_t>(ctx.opt.page_kib) * 1024;
  e.link_bytes_per_s = link_bytes_per_s;
  e.link_latency = static_cast<Nanos>(ctx.opt.h2d_latency_us * 1e3);
  e.candidates = ctx.candidates;
  e.batching = batching_options(ctx.opt);
  e.memory.repartition.mode = parse_repartition(ctx.opt.repartition);
  e.memory.repartition.refill.share = ctx.opt.refill_share;
  e.memory.host_kv_bytes = static_cast<size_t>(ctx.opt.host_kv_mib * scale * 1024 * 1024);
  e.memory.bytes = bytes;
  e.emb_share = ctx.policy.initial_share(ctx.policy_context(node, nodes));
  e.memory.curves = ctx.policy.needs_curves;
  e.emb_sample = emb_sample(ctx.opt.emb_sample, e.page_bytes, ctx.model.D, ctx.opt.seed);
  e.memory.emb_sample = e.emb_sample.rate;
  return e;
}

}  // namespace helm
