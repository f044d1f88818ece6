#include "controller/helm_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace helm {
namespace {

constexpr double kMiB = 1024.0 * 1024.0, kGiB = kMiB * 1024.0;

double ratio(int64_t a, int64_t b) { return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : 0.0; }

double p99_over_slo(const NodeWindowStats& w, const HelmRewardConfig& rc) {
  if (w.latency_count > 0) return std::min(static_cast<double>(w.latency_p99) / rc.slo_ns, rc.p99_cap);
  return w.dropped > 0 ? rc.p99_cap : 0.0;
}

}  // namespace

void HelmFeatures::compute(const NodeWindowStats& w, bool burst, double* f) {
  const double rate = interval_s_ > 0 ? static_cast<double>(w.arrivals) / interval_s_ : 0.0;
  f[0] = ratio(w.emb_hits, w.emb_lookups);
  f[1] = ratio(w.kv_hit_tokens, w.kv_lookup_tokens);
  f[2] = std::log1p(rate);
  f[3] = prev_rate_ < 0 ? 0.0 : std::clamp((rate - prev_rate_) / std::max(prev_rate_, 1.0), -5.0, 5.0);
  prev_rate_ = rate;
  f[4] = ratio(w.returning_arrivals, w.arrivals);
  f[5] = std::log1p(ratio(w.history_tokens, w.arrivals));
  f[6] = std::log1p(static_cast<double>(std::max<int64_t>(w.queue_len, 0)));
  f[7] = p99_over_slo(w, rc_);
  f[8] = w.emb_share;
  f[9] = std::log1p(static_cast<double>(std::max<int64_t>(w.refill_backlog_bytes, 0)) / kMiB);
  f[10] = f[11] = 0;
  if (w.has_curves) {
    constexpr int K = kCurvePoints;
    const int cur = std::clamp(static_cast<int>(std::lround(w.emb_share * (K - 1))), 0, K - 1);
    const auto saved = [&](int i) { return w.emb_saved_ns[i] + w.kv_saved_ns[K - 1 - i]; };
    int best = 0;
    for (int i = 1; i < K; ++i)
      if (saved(i) > saved(best)) best = i;
    f[10] = static_cast<double>(best) / (K - 1) - w.emb_share;
    const double sc = saved(cur);
    f[11] = sc > 0 ? std::clamp(saved(best) / sc - 1, 0.0, 10.0) : (saved(best) > 0 ? 10.0 : 0.0);
  }
  f[12] = burst ? 1.0 : 0.0;
  f[13] = ratio(w.dropped, w.arrivals);
  f[14] = std::log1p(static_cast<double>(w.h2d_refill_bytes) / kMiB);
  f[15] = std::log1p(static_cast<double>(w.h2d_demand_bytes) / kMiB);
}

HelmObserver::View HelmObserver::observe(const NodeWindowStats& w, double* raw) {
  View v;
  if (on_) {
    if (w.has_burst) {
      v.alarm = w.burst != 0;
      v.calm = v.alarm ? 0.0 : 1.0;
    } else {
      v.alarm = burst_.add(static_cast<double>(w.arrivals));
      v.calm = burst_.calm();
    }
  }
  features_.compute(w, v.alarm, raw);
  return v;
}

double helm_reward(const NodeWindowStats& w, const HelmRewardConfig& rc) {
  const double viol = static_cast<double>(w.slo_misses + w.dropped) /
                      static_cast<double>(std::max<int64_t>(1, w.completed + w.dropped));
  return -p99_over_slo(w, rc) - rc.viol_penalty * viol -
         rc.move_cost * static_cast<double>(w.h2d_refill_bytes) / kGiB;
}

double helm_apply_action(double share, double a, double max_delta) {
  return std::clamp(share + max_delta * std::clamp(a, -1.0, 1.0), 0.0, 1.0);
}

const char* helm_state_names() {
  return "emb_hit,kv_hit,log_rate,rate_change,returning,log_history,log_queue,p99_slo,share,"
         "log_backlog,mrc_best,mrc_gain,burst,drop_share,log_refill,log_demand";
}

std::string helm_definitions(const HelmRewardConfig& rc, double max_delta) {
  return fmt::format(
      "state: {} (controller/helm_state.h; raw, then the stored running normalisation, clip 10)\n"
      "action: target = clamp(share + {} * clamp(a, -1, 1), 0, 1)\n"
      "reward: -min(p99 / slo, {}) - {} * (slo_misses + dropped) / max(1, completed + dropped)"
      " - {} * refill_bytes / GiB; slo = {} ms; p99 term = cap if only drops, 0 if idle\n",
      helm_state_names(), max_delta, rc.p99_cap, rc.viol_penalty, rc.move_cost, rc.slo_ns * 1e-6);
}

}  // namespace helm
