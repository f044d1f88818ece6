#include "harness/run_context.h"

#include "common/error.h"
#include "workloads/workload.h"

namespace helm {

RunContext build_run_context(const RunOptions& opt, std::string config_text) {
  validate(opt);
  RunContext ctx;
  ctx.opt = opt;
  ctx.config_text = std::move(config_text);
  ctx.model = model_config(opt.model);
  ctx.candidates = opt.candidates > 0 ? opt.candidates : ctx.model.M;
  ctx.splits = parse_static_split(opt.memory_policy);

  WorkloadSpec spec;
  spec.dataset = opt.dataset;
  spec.workload = opt.workload;
  spec.qps = opt.qps;
  spec.duration_s = opt.duration_s;
  spec.seed = opt.seed;
  spec.candidates = ctx.candidates;
  if (opt.popular_share >= 0) spec.popular_share = opt.popular_share;
  spec.synthetic.users = opt.users;
  spec.synthetic.items = opt.items;
  spec.synthetic.zipf = opt.zipf;
  spec.synthetic.requests_per_session = opt.session_requests;
  spec.synthetic.gap_mean_s = opt.session_gap_s;
  spec.synthetic.new_items_mean = opt.new_items;
  spec.synthetic.init_history_median = opt.history_median;
  spec.movielens.visit_gap_s = opt.visit_gap_s;
  spec.movielens.skip_bad_rows = opt.skip_bad_rows;
  ctx.trace = build_trace(spec);
  if (ctx.trace.requests.empty()) bad_input("--dataset/--qps/--duration: the trace has no requests");
  return ctx;
}

}  // namespace helm
