// The explicit registry of memory policies: adding one is a file plus one line here.
#include <algorithm>
#include <array>

#include "common/error.h"
#include "controller/policies.h"

namespace helm {

std::span<const PolicyEntry> policy_registry() {
  static const std::array<PolicyEntry, 7> kPolicies{{
      {"static", "static:R[,R2,...]  fixed EMB share R (per node in turn)", policies::make_static},
      {"emb-only", "emb-only  the whole pool to the EMB cache", policies::make_emb_only},
      {"kv-only", "kv-only  the whole pool to the KV cache", policies::make_kv_only},
      {"naive-adaptive", "naive-adaptive[:STEP]  hill-climbing on the window P99 (step 0.05)",
       policies::make_naive_adaptive},
      {"mrc", "mrc[:H]  miss-ratio curves (SHARDS): the split saving the most latency (hysteresis 0.02)",
       policies::make_mrc},
      {"oracle", "oracle:FILE  replay a schedule of per-window splits (CSV time_s,ratio[,...])",
       policies::make_oracle},
      {"helm", "helm[:FILE.h5][,adapter=on|off|sync][,burst=on|off][,explore=on|off][,lambda=X][,every=N][,slo_ms=X][,seed=N]  HELM: frozen PPO base + online residual adapter + burst-aware recovery",
       policies::make_helm},
  }};
  return kPolicies;
}

PolicySpec parse_policy_spec(std::string_view spec) {
  const size_t colon = spec.find(':');
  const std::string_view name = spec.substr(0, colon);
  PolicySpec p;
  p.text = spec;
  p.arg = colon == std::string_view::npos ? "" : spec.substr(colon + 1);
  for (const auto& e : policy_registry())
    if (name == e.name) p.entry = &e;
  if (!p.entry) bad_input("--memory-policy: '{}' is not a known policy:\n{}", spec, policy_usage());
  p.needs_curves = p.make(PolicyContext{})->needs_curves();  // also validates the argument
  return p;
}

std::unique_ptr<MemoryPolicy> make_policy(std::string_view spec, const PolicyContext& ctx) {
  return parse_policy_spec(spec).make(ctx);
}

std::string policy_usage() {
  std::string s;
  for (const auto& p : policy_registry()) s += std::string("  ") + p.usage + "\n";
  return s;
}

double step_toward(double current, double target, double max_step) {
  return current + std::clamp(target - current, -max_step, max_step);
}

}  // namespace helm
