#include "harness/sim/sim_calibrate.h"

#include <fmt/format.h>

#include <chrono>
#include <ostream>

#include "allocator/two_cache_pool.h"
#include "harness/run_context.h"
#include "harness/node/cache_resolver.h"

namespace helm {

void calibrate_request_path_cpu(const CalibrateOptions& opt, CostModel& m, std::ostream& log) {
  RunOptions ro;
  ro.model = opt.model;
  ro.seed = opt.seed;
  ro.qps = 400;
  ro.duration_s = 5;
  const RunContext ctx = build_run_context(ro, "");
  PoolOptions po;
  po.pool_bytes = static_cast<size_t>(ro.pool_mib * 1024 * 1024);
  po.page_bytes = opt.page_bytes;
  GeneratedHostTable table(ctx.trace.items->num_items(), ctx.model.D, 1, 0.1f);
  TwoCachePool pool(po, table, KvLayout::for_page(ctx.model.layers, ctx.model.heads, ctx.model.d_qk,
                                                  ctx.model.d_v, opt.page_bytes));
  CacheResolver res(ctx.trace, ctx.model.N, ctx.candidates, pool.emb(), pool.kv(), true);
  // Least squares of (time - EMB costs) on [requests, history items] over batches of 8.
  double s11 = 0, s12 = 0, s22 = 0, b1 = 0, b2 = 0;
  std::vector<Resolution> batch;
  std::vector<const float*> rows;
  const auto& reqs = ctx.trace.requests;
  for (size_t i = 0; i + 8 <= reqs.size(); i += 8) {
    batch.assign(8, Resolution{});
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t k = 0; k < 8; ++k) res.resolve(reqs[i + k], std::span<const Resolution>(batch.data(), k), batch[k], rows);
    res.finish(batch);
    const double t = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    double hist = 0, emb = 0;
    for (size_t k = 0; k < 8; ++k) {
      hist += reqs[i + k].history_len;
      emb += m.emb_hit_ns * batch[k].emb.hits + m.emb_miss_ns * batch[k].emb.misses;
    }
    const double y = t - emb, x1 = 8;
    if (i < 80) continue;  // warm-up
    s11 += x1 * x1, s12 += x1 * hist, s22 += hist * hist, b1 += x1 * y, b2 += hist * y;
  }
  const double det = s11 * s22 - s12 * s12;
  double a = det != 0 ? (b1 * s22 - b2 * s12) / det : 0, b = det != 0 ? (s11 * b2 - s12 * b1) / det : 0;
  if (b < 0) b = 0, a = b1 / s11;
  if (a < 0) a = 0, b = b2 / s22;
  m.request_ns = a;
  m.history_ns_per_item = b;
  log << fmt::format("request path: {:.2f} us per request + {:.2f} ns per history item ({} requests)\n",
                     a / 1e3, b, reqs.size());
}

}  // namespace helm
