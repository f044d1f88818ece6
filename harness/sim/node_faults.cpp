#include "harness/sim/node_faults.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "common/error.h"

namespace helm {

namespace {
// Seconds as the spec writes them: a whole, finite, non-negative number, nothing after it.
Nanos seconds(const std::string& text, const std::string& spec, const char* what) {
  char* end = nullptr;
  errno = 0;
  const double s = text.empty() ? NAN : std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(s) || s < 0 || s > 1e9)
    bad_input("--fail-node: '{}': {} '{}' is not a number of seconds in [0, 1e9] (format K@T[:T2])", spec, what, text);
  return static_cast<Nanos>(std::llround(s * 1e9));
}
}  // namespace

std::vector<NodeFault> parse_node_faults(const std::vector<std::string>& specs, int nodes) {
  std::vector<NodeFault> out;
  for (const auto& spec : specs) {
    const auto at = spec.find('@');
    if (at == std::string::npos) bad_input("--fail-node: '{}' has no '@' (format K@T[:T2], e.g. 3@10:20)", spec);
    const std::string k = spec.substr(0, at), times = spec.substr(at + 1);
    char* end = nullptr;
    errno = 0;
    const long node = k.empty() ? -1 : std::strtol(k.c_str(), &end, 10);
    if (k.empty() || *end != '\0' || errno == ERANGE || node < 0 || node >= nodes)
      bad_input("--fail-node: '{}': node '{}' is not an integer in [0, {}) (--nodes {})", spec, k, nodes, nodes);
    NodeFault f;
    f.node = static_cast<int>(node);
    const auto colon = times.find(':');
    f.down = seconds(times.substr(0, colon), spec, "T");
    if (colon != std::string::npos) {
      f.up = seconds(times.substr(colon + 1), spec, "T2");
      if (f.up <= f.down) bad_input("--fail-node: '{}': T2 must be after T", spec);
    }
    out.push_back(f);
  }
  std::sort(out.begin(), out.end(), [](const NodeFault& a, const NodeFault& b) {
    return a.node != b.node ? a.node < b.node : a.down < b.down;
  });
  std::set<int> failing;
  for (size_t i = 0; i < out.size(); ++i) {
    failing.insert(out[i].node);
    if (i > 0 && out[i].node == out[i - 1].node && (out[i - 1].up < 0 || out[i - 1].up > out[i].down))
      bad_input("--fail-node: two faults of node {} overlap (the first must end, with :T2, before the next starts)",
                out[i].node);
  }
  if (!out.empty() && static_cast<int>(failing.size()) >= nodes)
    bad_input("--fail-node: every one of the {} nodes fails; leave at least one up to route requests to", nodes);
  return out;
}

bool parse_on_fail(const std::string& mode) {
  if (mode == "fail") return false;
  if (mode == "reroute") return true;
  bad_input("--on-fail: '{}' is not fail or reroute", mode);
}

}  // namespace helm
