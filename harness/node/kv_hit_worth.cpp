#include "harness/node/kv_hit_worth.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"
#include "gr_model/calibrate.h"
#include "gr_model/link_rule.h"

namespace helm {

Nanos KvHitWorth::recompute_ns(const ModelConfig& cfg, std::span<const std::array<int64_t, 3>> seqs,
                               int64_t computed, Nanos forward_ns) const {
  if (model) return model->recompute_ns(cfg, seqs);
  if (ns_per_token > 0) return static_cast<Nanos>(ns_per_token * static_cast<double>(computed));
  return forward_ns;
}

bool kv_worth_needs_measurement(const RunOptions& o, bool policy_needs_curves) {
  return policy_needs_curves && o.cost_model.empty() && o.executor == "model";
}

BatchTimer cpu_batch_timer(const RunOptions& o, const ModelConfig& cfg) {
  return [seed = o.seed, page = static_cast<size_t>(o.page_kib) * 1024, &cfg](std::span<CostSample> s, int reps) {
    CalibrateOptions c;
    c.seed = seed;
    c.reps = reps;
    c.page_bytes = page;
    time_cpu_batches(cfg, s, c);
  };
}

WorthMeasurement measure_kv_worth(const BatchTimer& time, const RunOptions& o, const ModelConfig& cfg,
                                  int candidates) {
  // The batch and its twin with every history token already cached (same candidates), timed
  // round-robin in one call so interference from other ranks hits both alike.
  CostSample full = link_shapes(cfg, o.batch_max_requests, candidates), cached = full;
  int64_t history = 0;
  for (auto& q : cached.seqs) {
    history += q[1];
    q = {q[0] + q[1], 0, q[2]};
  }
  CostSample s[2] = {full, cached};
  time(std::span<CostSample>(s, 2), 9);
  return {s[0].ns, s[1].ns, std::max(0.0, s[0].ns - s[1].ns) / static_cast<double>(std::max<int64_t>(1, history))};
}

std::optional<CostModel> load_worth_model(const RunOptions& o, const ModelConfig& cfg) {
  if (o.cost_model.empty()) return std::nullopt;
  CostModel m = load_cost_model(resolve_cost_model(o.cost_model));
  // Another backend's nanoseconds (a GPU's) or another model's shapes would misprice every hit.
  if (m.backend != o.backend)
    bad_input("--cost-model {}: calibrated on backend '{}', this run uses --backend {}", o.cost_model,
              m.backend, o.backend);
  if (!m.model.empty() && m.model != cfg.name)
    bad_input("--cost-model {}: calibrated on model '{}', this run uses model '{}'", o.cost_model, m.model,
              cfg.name);
  return m;
}

std::string describe_kv_worth(const RunOptions& o, bool policy_needs_curves, double measured) {
  if (!policy_needs_curves) return "not used: the memory policy reads no miss-ratio curves";
  if (!o.cost_model.empty())
    return fmt::format("cost-model {}: CostModel::recompute_ns per batch (the batch less the same batch "
                       "with its history cached), as in sim", o.cost_model);
  if (o.executor != "model")
    return fmt::format("the whole forward per computed token (--executor {}: not measured)", o.executor);
  return fmt::format("measured at start-up on the {} backend: {:.1f} ns per computed history token, the median "
                     "over workers of (t(batch) - t(batch with its history cached)) / history tokens on the "
                     "link rule's batch of {} sequences", o.backend, measured, o.batch_max_requests);
}

}  // namespace helm
