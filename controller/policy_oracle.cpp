// oracle:FILE: replays a schedule of per-window splits (DESIGN.md: the best static split of each
// window, from a grid of static runs in the simulator). FILE is CSV, one row per window start:
//     time_s,ratio                 (every node)   or   time_s,r_node0,r_node1,...
// '#' lines and a header line are skipped; times must increase. After the window ending at time
// t the policy returns the row with the largest time_s <= t (the split for the window now
// starting), so the schedule is followed one control interval at a time.
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "controller/policies.h"

namespace helm::policies {
namespace {

class Oracle final : public MemoryPolicy {
 public:
  Oracle(std::vector<Nanos> t, std::vector<double> r) : t_(std::move(t)), r_(std::move(r)) {}
  double initial_share() const override { return r_.front(); }
  double decide(const NodeWindowStats& w) override {
    while (next_ < t_.size() && t_[next_] <= w.time) ++next_;  // windows arrive in time order
    return r_[next_ == 0 ? 0 : next_ - 1];
  }

 private:
  std::vector<Nanos> t_;
  std::vector<double> r_;
  size_t next_ = 0;
};

}  // namespace

std::unique_ptr<MemoryPolicy> make_oracle(std::string_view arg, const PolicyContext& ctx) {
  const std::string path(arg);
  if (path.empty()) bad_input("--memory-policy: oracle needs a schedule file, oracle:FILE");
  std::ifstream in(path);
  if (!in) bad_input("--memory-policy: cannot open oracle schedule '{}'", path);
  std::vector<Nanos> t;
  std::vector<double> r;
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    for (size_t pos = 0;;) {
      const size_t c = std::min(line.find(',', pos), line.size());
      f.push_back(line.substr(pos, c - pos));
      if (c == line.size()) break;
      pos = c + 1;
    }
    char* end = nullptr;
    const double ts = std::strtod(f[0].c_str(), &end);
    if (end == f[0].c_str() || *end != '\0') {
      if (t.empty() && lineno == 1) continue;  // header
      bad_input("{}:{}: time '{}' is not a number", path, lineno, excerpt(f[0]));
    }
    if (f.size() < 2) bad_input("{}:{}: expected time_s,ratio[,ratio...]", path, lineno);
    // Seconds whose nanoseconds fit in an int64 (a NaN or 1e300 would make the cast undefined).
    if (!(ts >= 0 && ts < 9.2e9)) bad_input("{}:{}: time '{}' is not in [0, 9.2e9) seconds", path, lineno, f[0]);
    const size_t col = f.size() == 2 ? 1 : 1 + static_cast<size_t>(ctx.node) % (f.size() - 1);
    const Nanos tn = static_cast<Nanos>(ts * 1e9);
    if (!t.empty() && tn <= t.back()) bad_input("{}:{}: times must increase", path, lineno);
    t.push_back(tn);
    r.push_back(parse_share(f[col], path + ":" + std::to_string(lineno)));
  }
  if (t.empty()) bad_input("--memory-policy: oracle schedule '{}' has no rows", path);
  return std::make_unique<Oracle>(std::move(t), std::move(r));
}

}  // namespace helm::policies
