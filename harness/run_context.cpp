#include "harness/run_context.h"

#include "common/error.h"
#include "workloads/trace_file.h"
#include "workloads/workload.h"

namespace helm {

WorkloadSpec workload_spec(const RunOptions& opt) {
  WorkloadSpec spec;
  spec.dataset = opt.dataset;
  spec.workload = opt.workload;
  spec.qps = opt.qps;
  spec.duration_s = opt.duration_s;
  spec.seed = opt.seed;
  if (opt.popular_share >= 0) spec.popular_share = opt.popular_share;
  if (!opt.phases.empty()) spec.phases = parse_phases(opt.phases);
  spec.scale = opt.scale;
  spec.synthetic.users = opt.users;
  spec.synthetic.items = opt.items;
  spec.synthetic.zipf = opt.zipf;
  spec.session = {opt.session_requests, opt.session_gap_s, opt.new_items, opt.history_median};
  spec.regimes.trend = {opt.trend_period_s, opt.trend_amplitude, opt.trend_ramp, opt.trend_drift};
  auto& b = spec.regimes.burst;
  b.process = opt.burst_process;
  b.multiplier = opt.burst_multiplier;
  b.burst_s = opt.burst_duration_s;
  b.gap_s = opt.burst_gap_s;
  b.gamma_cv = opt.burst_cv;
  b.flash_share = opt.burst_flash_share;
  b.flash_items = opt.burst_flash_items;
  b.fresh_share = opt.burst_fresh_share;
  b.new_user_share = opt.burst_new_users;
  spec.movielens.visit_gap_s = opt.visit_gap_s;
  spec.movielens.skip_bad_rows = opt.skip_bad_rows;
  return spec;
}

std::string default_model(const WorkloadSpec& spec) {
  const std::string& first = spec.phases.empty() ? spec.dataset : spec.phases.front().dataset;
  const Profile* p = find_profile(first);
  return p ? p->model : "small";
}

RunContext build_run_context(const RunOptions& opt, std::string config_text) {
  validate(opt);
  RunContext ctx;
  ctx.opt = opt;
  ctx.config_text = std::move(config_text);
  // Precedence (DESIGN.md): --trace over --phases over --dataset + --workload.
  LoadedTrace loaded;
  if (!opt.trace.empty()) loaded = load_trace(opt.trace);
  WorkloadSpec spec = opt.trace.empty() ? workload_spec(opt) : loaded.spec;
  ctx.opt.model = opt.model.empty() ? default_model(spec) : opt.model;
  try {
    ctx.model = model_config(ctx.opt.model);
  } catch (const BadInput& e) {
    bad_input("--model: {}", e.what());
  }
  ctx.candidates = opt.candidates > 0 ? opt.candidates : ctx.model.M;
  ctx.policy = parse_policy_spec(opt.memory_policy);
  spec.candidates = ctx.candidates;
  ctx.spec = spec;
  ctx.trace = opt.trace.empty() ? build_trace(spec) : std::move(loaded.trace);
  if (ctx.trace.requests.empty()) bad_input("--dataset/--qps/--duration: the trace has no requests");
  return ctx;
}

}  // namespace helm
