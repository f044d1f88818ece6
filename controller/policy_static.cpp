// static:R[,R2,...]: a fixed EMB share; with a list, node i gets R_(i mod n) (heterogeneous
// nodes, or one split per node from a sweep).
#include <algorithm>
#include <string>
#include <vector>

#include "common/error.h"
#include "controller/policies.h"

namespace helm::policies {

double parse_share(std::string_view text, std::string_view spec) {
  const std::string s(text);
  size_t used = 0;
  double r = -1;
  try {
    r = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (s.empty() || used != s.size() || !(r >= 0.0 && r <= 1.0))
    bad_input("--memory-policy: '{}' in '{}' is not an EMB share in [0, 1]", text, spec);
  return r;
}

std::unique_ptr<MemoryPolicy> make_static(std::string_view arg, const PolicyContext& ctx) {
  if (arg.empty()) bad_input("--memory-policy: static needs a share, e.g. static:0.5");
  std::vector<double> r;
  for (size_t pos = 0;;) {
    const size_t comma = std::min(arg.find(',', pos), arg.size());
    r.push_back(parse_share(arg.substr(pos, comma - pos), arg));
    if (comma == arg.size()) break;
    pos = comma + 1;
  }
  return std::make_unique<FixedShare>(r[static_cast<size_t>(ctx.node) % r.size()]);
}

}  // namespace helm::policies
