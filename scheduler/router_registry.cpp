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
};
}  // namespace

std::vector<std::string> router_names() {
  std::vector<std::string> names;
  for (const auto& e : kRouters) names.emplace_back(e.name);
  return names;
}

std::unique_ptr<Router> make_router(const std::string& name, const RouterOptions& opt) {
  for (const auto& e : kRouters)
    if (name == e.name) return e.make(opt);
  std::string known;
  for (const auto& n : router_names()) known += (known.empty() ? "" : ", ") + n;
  bad_input("--router: '{}' is not a known router ({})", name, known);
}

}  // namespace helm
