// The explicit router registry (no static self-registration: the linker drops it from static libs).
#include <string>

#include "common/error.h"
#include "scheduler/routers.h"

namespace helm {
namespace {
struct Entry {
  const char* name;
  std::unique_ptr<Router> (*make)(const RouterOptions&);
};
constexpr Entry kRouters[] = {
    {"rr", make_rr},
    {"least-loaded", make_least_loaded},
    {"p2c", make_p2c},
    {"kv-affinity", make_kv_affinity},
    {"cache-aware", make_cache_aware},
    {"helm", make_helm},
    {"dynamo", make_dynamo},
    {"llm-d", make_llm_d},
    {"load-aware", make_load_aware},
};
}  // namespace

std::vector<std::string> router_names() {
  std::vector<std::string> names;
  for (const auto& e : kRouters) names.emplace_back(e.name);
  return names;
}

void validate(const RouterTuning& t) {
  if (!(t.helm.load_factor >= 1)) bad_input("--helm-load-factor: must be >= 1 (got {})", t.helm.load_factor);
  if (!(t.dynamo.overlap_weight >= 0))
    bad_input("--dynamo-overlap-weight: must be >= 0 (got {})", t.dynamo.overlap_weight);
  if (!(t.dynamo.temperature >= 0)) bad_input("--dynamo-temperature: must be >= 0 (got {})", t.dynamo.temperature);
  if (!(t.llm_d.queue_weight >= 0) || !(t.llm_d.prefix_weight >= 0))
    bad_input("--llm-d-queue-weight / --llm-d-prefix-weight: must be >= 0 (got {}, {})", t.llm_d.queue_weight,
              t.llm_d.prefix_weight);
  if (!(t.load_aware.beta >= 0)) bad_input("--load-aware-beta: must be >= 0 (got {})", t.load_aware.beta);
}

std::unique_ptr<Router> make_router(const std::string& name, const RouterOptions& opt) {
  for (const auto& e : kRouters)
    if (name == e.name) return e.make(opt);
  std::string known;
  for (const auto& n : router_names()) known += (known.empty() ? "" : ", ") + n;
  bad_input("--router: '{}' is not a known router ({})", name, known);
}

}  // namespace helm
