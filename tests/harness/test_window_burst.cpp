// WindowStats' worker-side burst flag on synthetic Poisson arrivals: silent at a steady rate,
// raised in the first window of a 2x burst, lowered after it.
#include <gtest/gtest.h>

#include "common/rng.h"
#include "harness/node/window_stats.h"

namespace helm {
namespace {

// Arrivals at `rate` per second from t0 to t1 (ns), fed to ws; returns the last arrival time.
void feed(WindowStats& ws, Rng& rng, double rate, Nanos t0, Nanos t1, Nanos& t) {
  if (t < t0) t = t0;
  for (;;) {
    t += static_cast<Nanos>(rng.exponential(rate) * 1e9);
    if (t >= t1) return;
    Request r;
    r.arrival = t;
    r.user = 0;
    ws.on_arrival(r);
  }
}

NodeWindowStats close_at(WindowStats& ws, Nanos now) {
  NodeWindowStats w;
  ws.close(now, 0, LinkStats{}, 0.5);
  ws.fill_burst(w);
  return w;
}

constexpr Nanos kSec = 1'000'000'000;

TEST(WindowBurst, SteadyPoissonNeverAlarms) {
  Rng rng(7);
  WindowStats ws(0, kSec);
  Nanos t = 0;
  int alarms = 0;
  for (int s = 0; s < 600; ++s) {  // ten minutes at 1000 requests/s
    feed(ws, rng, 1000, s * kSec, (s + 1) * kSec, t);
    const NodeWindowStats w = close_at(ws, (s + 1) * kSec);
    EXPECT_EQ(w.has_burst, 1);
    alarms += w.burst;
  }
  EXPECT_EQ(alarms, 0);
}

TEST(WindowBurst, DoubledRateRaisesTheFlagInItsFirstWindowAndItFallsAfter) {
  Rng rng(11);
  WindowStats ws(0, kSec);
  Nanos t = 0;
  std::vector<int> flags;
  for (int s = 0; s < 40; ++s) {
    const double rate = (s >= 20 && s < 25) ? 2000 : 1000;  // a 5 s burst at 20 s
    feed(ws, rng, rate, s * kSec, (s + 1) * kSec, t);
    flags.push_back(close_at(ws, (s + 1) * kSec).burst);
  }
  for (int s = 0; s < 20; ++s) EXPECT_EQ(flags[s], 0) << "window " << s;
  for (int s = 20; s < 25; ++s) EXPECT_EQ(flags[s], 1) << "window " << s;
  for (int s = 27; s < 40; ++s) EXPECT_EQ(flags[s], 0) << "window " << s;
}

}  // namespace
}  // namespace helm
