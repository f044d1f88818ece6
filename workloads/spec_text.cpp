// WorkloadSpec <-> "key = value" text: how a trace file stores what rebuilds its histories.
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <type_traits>

#include "common/error.h"
#include "workloads/workload.h"

namespace helm {

namespace {
struct Field {
  const char* key;
  std::function<std::string(const WorkloadSpec&)> get;
  std::function<bool(WorkloadSpec&, const std::string&)> set;  // false: malformed value
};

bool to_double(const std::string& v, double& out) {
  char* end = nullptr;
  out = std::strtod(v.c_str(), &end);
  return !v.empty() && *end == '\0';
}

// Can `d` be converted to T without undefined behaviour (an out-of-range double -> integer
// cast is UB, not a wrap)? The round trip check after the cast then catches fractions.
template <typename T>
bool fits(double d) {
  if constexpr (std::is_integral_v<T>) {
    const double top = std::ldexp(1.0, std::numeric_limits<T>::digits);
    return d >= (std::is_signed_v<T> ? -top : 0.0) && d < top;
  } else {
    return !(std::abs(d) > static_cast<double>(std::numeric_limits<T>::max()));
  }
}

// Accessors by lambda: the spec's nesting (synthetic.users, regimes.burst.multiplier ...).
#define HELM_D(KEY, EXPR)                                                                 \
  Field { KEY, [](const WorkloadSpec& s) { return fmt::format("{}", +s.EXPR); },           \
          [](WorkloadSpec& s, const std::string& v) {                                     \
            double d;                                                                     \
            if (!to_double(v, d) || !fits<decltype(s.EXPR)>(d)) return false;             \
            s.EXPR = static_cast<decltype(s.EXPR)>(d);                                    \
            return static_cast<double>(s.EXPR) == d;                                      \
          } }
#define HELM_S(KEY, EXPR)                                                                 \
  Field { KEY, [](const WorkloadSpec& s) { return s.EXPR; },                              \
          [](WorkloadSpec& s, const std::string& v) { s.EXPR = v; return true; } }

const std::vector<Field>& fields() {
  static const std::vector<Field> f = {
      HELM_S("dataset", dataset), HELM_S("workload", workload), HELM_D("qps", qps),
      HELM_D("duration_s", duration_s),
      Field{"seed", [](const WorkloadSpec& s) { return std::to_string(s.seed); },
            [](WorkloadSpec& s, const std::string& v) {
              char* end = nullptr;
              s.seed = std::strtoull(v.c_str(), &end, 10);
              return !v.empty() && *end == '\0';
            }},
      HELM_D("candidates", candidates), HELM_D("popular_share", popular_share), HELM_D("scale", scale),
      HELM_D("synthetic.users", synthetic.users), HELM_D("synthetic.items", synthetic.items),
      HELM_D("synthetic.zipf", synthetic.zipf),
      HELM_D("synthetic.requests_per_session", synthetic.requests_per_session),
      HELM_D("synthetic.gap_mean_s", synthetic.gap_mean_s),
      HELM_D("synthetic.new_items_mean", synthetic.new_items_mean),
      HELM_D("synthetic.init_history_median", synthetic.init_history_median),
      HELM_D("synthetic.init_history_sigma", synthetic.init_history_sigma),
      HELM_D("synthetic.init_history_loc", synthetic.init_history_loc),
      HELM_D("synthetic.init_history_one_share", synthetic.init_history_one_share),
      HELM_D("synthetic.init_history_max", synthetic.init_history_max),
      HELM_D("session.requests_per_session", session.requests_per_session),
      HELM_D("session.gap_mean_s", session.gap_mean_s),
      HELM_D("session.new_items_mean", session.new_items_mean),
      HELM_D("session.init_history_median", session.init_history_median),
      HELM_D("trend.period_s", regimes.trend.period_s), HELM_D("trend.amplitude", regimes.trend.amplitude),
      HELM_D("trend.ramp", regimes.trend.ramp), HELM_D("trend.drift_share", regimes.trend.drift_share),
      HELM_S("burst.process", regimes.burst.process), HELM_D("burst.multiplier", regimes.burst.multiplier),
      HELM_D("burst.burst_s", regimes.burst.burst_s), HELM_D("burst.gap_s", regimes.burst.gap_s),
      HELM_D("burst.gamma_cv", regimes.burst.gamma_cv), HELM_D("burst.flash_share", regimes.burst.flash_share),
      HELM_D("burst.flash_items", regimes.burst.flash_items), HELM_D("burst.fresh_share", regimes.burst.fresh_share),
      HELM_D("burst.new_user_share", regimes.burst.new_user_share),
      HELM_D("logs.visit_gap_s", movielens.visit_gap_s), HELM_D("logs.skip_bad_rows", movielens.skip_bad_rows),
      Field{"phases", [](const WorkloadSpec& s) { return phases_text(s.phases); },
            [](WorkloadSpec& s, const std::string& v) {
              s.phases = v.empty() ? std::vector<PhaseSpec>{} : parse_phases(v);
              return true;
            }},
  };
  return f;
}
#undef HELM_D
#undef HELM_S
}  // namespace

std::string spec_text(const WorkloadSpec& spec) {
  std::string out;
  // Doubles print in their shortest round-trip form ({} in fmt), so text -> spec is exact.
  for (const auto& f : fields()) out += fmt::format("{} = {}\n", f.key, f.get(spec));
  return out;
}

WorkloadSpec spec_from_text(const std::string& text, const std::string& where) {
  std::map<std::string, std::string> kv;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const size_t eq = line.find(" = ");
    if (eq == std::string::npos) bad_input("{}: spec line '{}' is not 'key = value'", where, line);
    kv[line.substr(0, eq)] = line.substr(eq + 3);
  }
  WorkloadSpec s;
  for (const auto& f : fields()) {
    auto it = kv.find(f.key);
    if (it == kv.end()) bad_input("{}: spec field '{}' is missing", where, f.key);
    bool ok;
    try {
      ok = f.set(s, it->second);
    } catch (const BadInput& e) {
      bad_input("{}: spec field '{}': {}", where, f.key, e.what());
    }
    if (!ok) bad_input("{}: spec field '{}' has a malformed value '{}'", where, f.key, it->second);
  }
  return s;
}

}  // namespace helm
