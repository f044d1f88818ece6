// naive-adaptive[:STEP]: hill-climbing on the window's P99. Each window it moves the split by
// STEP (default 0.05) in the current direction; when the P99 got worse than in the previous
// window, the direction flips. Windows with too few samples to trust a P99 (< 20) hold the split.
// It knows nothing of where the latency comes from: the baseline that shows why curves help.
#include <algorithm>

#include "common/error.h"
#include "controller/policies.h"

namespace helm::policies {
namespace {

class NaiveAdaptive final : public MemoryPolicy {
 public:
  explicit NaiveAdaptive(double step) : step_(step) {}
  double initial_share() const override { return 0.5; }
  double decide(const NodeWindowStats& w) override {
    if (target_ < 0) target_ = w.emb_share;
    if (w.latency_count < kMinSamples) return target_;
    if (last_p99_ >= 0 && w.latency_p99 > last_p99_) dir_ = -dir_;
    last_p99_ = w.latency_p99;
    double next = target_ + dir_ * step_;
    if (next < 0 || next > 1) {  // at an end: turn around
      dir_ = -dir_;
      next = target_ + dir_ * step_;
    }
    target_ = std::clamp(next, 0.0, 1.0);
    return target_;
  }

 private:
  static constexpr int64_t kMinSamples = 20;
  double step_;
  double target_ = -1;
  Nanos last_p99_ = -1;
  int dir_ = 1;
};

}  // namespace

std::unique_ptr<MemoryPolicy> make_naive_adaptive(std::string_view arg, const PolicyContext&) {
  const double step = arg.empty() ? 0.05 : parse_share(arg, "naive-adaptive step");
  if (!(step > 0)) bad_input("--memory-policy: naive-adaptive step must be positive");
  return std::make_unique<NaiveAdaptive>(step);
}

}  // namespace helm::policies
