// Arrival processes (regimes): when requests arrive, independent of who sends them.
//
// Each regime is one implementation of ArrivalProcess in its own file (steady: arrivals.cpp,
// trend: arrival_trend.cpp, burst: arrival_burst.cpp, replay: arrival_replay.cpp) and is named by
// --workload. Dataset profiles that model who arrives (synthetic sessions) consume these times
// and the regime's TimeEffects (what it does to popularity and to who arrives); a real log
// (MovieLens and the other loaders) brings its own histories and only takes the times.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/rng.h"

namespace helm {

// What a regime does besides timing, in trace time (ns from the start of its phase). Synthetic
// profiles apply it: Trend rotates the popularity order (the hot set drifts), Burst brings
// flash-crowd hot items and a share of fresh (lapsed or brand-new) users during its bursts.
struct TimeEffects {
  struct Drift {  // the popularity order advances by epochs_per_s x (time spent in [t0, t1))
    Nanos t0, t1;
    double epochs_per_s;
  };
  struct Burst {  // an on-period of the burst regime; index numbers bursts from 0 per phase
    Nanos t0, t1;
    int64_t index;
  };
  std::vector<Drift> drift;
  std::vector<Burst> bursts;
  double flash_share = 0;     // share of popularity draws that go to the burst's flash items
  int flash_items = 0;        // how many items a flash crowd concentrates on
  double fresh_share = 0;     // share of burst arrivals that start a session of a user not in one
  double new_user_share = 0;  // of those fresh users, the share with (almost) no history
  bool empty() const { return drift.empty() && bursts.empty(); }
  void shift(Nanos dt);       // moves every window by dt (phases start later than 0)
};

// Parameters of the trend regime (--trend-*). Rate(t) = qps * shape(t) / mean(shape over the
// run), shape(t) = (1 - amplitude * cos(2 pi t / period)) * (1 + ramp * t / duration): the run
// starts at a trough and, with the default period (the phase's duration), sees one whole
// "day" compressed into it, so a short run still rises and falls.
struct TrendParams {
  double period_s = 0;     // 0: the phase's duration (one diurnal cycle per run)
  // 0.5: peak/trough 3, the day/night ratio of production traces (e.g. the Azure LLM trace and
  // Alibaba's cluster traces swing 2-4x over a day).
  double amplitude = 0.5;  // in [0, 1)
  double ramp = 0;         // rate grows by this share of its start over the run (>-1)
  // Popularity drift: the hot set turns over this many times per period. Epoch k has its own
  // popularity order (the same Zipf over a different rank -> id map); between epochs k and k+1
  // draws come from k+1 with probability growing linearly 0 -> 1, so the head changes smoothly
  // and the rank-frequency curve stays Zipf at every instant. 1: the run starts with one hot set
  // and ends with another (a day's turnover of what is popular, compressed into the run).
  double drift_share = 1.0;
};

// Parameters of the burst regime (--burst-*). MMPP: exponential on (burst) and off periods; the
// burst rate is multiplier x the long-run mean (so peak/mean ~ multiplier) and the rate between
// bursts is what keeps the mean at qps: qps (1 - m on) / off, with on/off the time shares.
// Defaults (4x, 10 s bursts every ~60 s) give interarrival CV ~1.8 and two bursts in a 120 s
// phase; the between-bursts rate is then 0.4 qps (bursts are 10x it): a flash crowd.
struct BurstParams {
  std::string process = "mmpp";  // mmpp | gamma (renewal with gamma interarrivals of CV gamma_cv)
  double multiplier = 4.0;
  double burst_s = 10.0;         // mean burst length
  double gap_s = 50.0;           // mean time between bursts
  double gamma_cv = 3.0;         // gamma renewal: interarrival CV (> 1 is burstier than Poisson)
  // A flash crowd piles onto a few items the catalogue did not rank hot: 25% of popularity
  // draws during a burst go to 64 items chosen afresh per burst (cold rows for the EMB cache).
  double flash_share = 0.25;
  int flash_items = 64;
  // Half the burst arrivals start sessions of users not in session (lapsed users with long
  // histories and no KV, or new users); 30% of those are brand new. PILOT.md: any burst of
  // new/lapsed users pushes the best split to KV-only (r* 0.01-0.05), the regime's signature.
  double fresh_share = 0.5;
  double new_user_share = 0.3;
};

void validate(const TrendParams& p);  // BadInput naming the --trend-* option
void validate(const BurstParams& p);  // BadInput naming the --burst-* option

class ArrivalProcess {
 public:
  virtual ~ArrivalProcess() = default;
  // Arrival times in [0, duration_s), sorted, with a long-run mean rate of qps (the whole
  // cluster's). A pure function of the arguments (and the process's own parameters).
  virtual std::vector<Nanos> arrivals(double qps, double duration_s, uint64_t seed) const = 0;
  // Anything the trace's notes should say about these arrivals (e.g. a replayed file looped).
  virtual std::vector<std::string> notes(double qps, double duration_s) const { return {}; }
  virtual std::string name() const = 0;
  // The regime's effects on popularity and users (none for steady and replay).
  virtual TimeEffects effects(double qps, double duration_s, uint64_t seed) const { return {}; }
};

// Homogeneous Poisson arrivals at `rate` per second over [t0_s, t1_s), appended to `out`:
// exponential interarrivals from the project's Rng. Any regime may build on it (thinning,
// piecewise rates).
void append_poisson(double rate, double t0_s, double t1_s, Rng& rng, std::vector<Nanos>& out);

// --workload steady: homogeneous Poisson at qps, from stream_seed(seed, "arrivals").
class SteadyArrivals final : public ArrivalProcess {
 public:
  std::vector<Nanos> arrivals(double qps, double duration_s, uint64_t seed) const override;
  std::string name() const override { return "steady"; }
};

// --workload replay:PATH: timestamps of a CSV (first column; header optional), e.g. the Azure
// LLM trace, sorted, time-scaled so the mean rate equals qps, looped if the run outlasts it.
class ReplayArrivals final : public ArrivalProcess {
 public:
  explicit ReplayArrivals(const std::string& path);  // throws BadInput with file:line
  std::vector<Nanos> arrivals(double qps, double duration_s, uint64_t seed) const override;
  std::vector<std::string> notes(double qps, double duration_s) const override;
  std::string name() const override { return "replay:" + path_; }
  const std::vector<Nanos>& times() const { return times_; }  // from the first row, sorted

 private:
  double scale(double qps) const;  // scaled ns per file ns
  Nanos period() const;            // file span plus one mean gap: the loop length, unscaled
  std::string path_;
  std::vector<Nanos> times_;
};

// --workload trend: non-homogeneous Poisson by thinning (Lewis & Shedler 1979) at the rate above.
class TrendArrivals final : public ArrivalProcess {
 public:
  explicit TrendArrivals(const TrendParams& p);
  std::vector<Nanos> arrivals(double qps, double duration_s, uint64_t seed) const override;
  TimeEffects effects(double qps, double duration_s, uint64_t seed) const override;
  std::string name() const override { return "trend"; }
  // The arrival rate at t_s (per second) for this qps and duration: what arrivals() follows.
  double rate(double t_s, double qps, double duration_s) const;

 private:
  TrendParams p_;
};

// --workload burst: MMPP flash crowds (default) or gamma renewal (--burst-process gamma).
class BurstArrivals final : public ArrivalProcess {
 public:
  explicit BurstArrivals(const BurstParams& p);
  std::vector<Nanos> arrivals(double qps, double duration_s, uint64_t seed) const override;
  TimeEffects effects(double qps, double duration_s, uint64_t seed) const override;
  std::string name() const override { return p_.process == "gamma" ? "burst-gamma" : "burst"; }
  // The MMPP's burst periods over [0, duration_s): a pure function of (params, seed), shared by
  // arrivals() and effects() (empty for gamma renewal, which has no states).
  std::vector<TimeEffects::Burst> burst_windows(double duration_s, uint64_t seed) const;

 private:
  BurstParams p_;
};

struct RegimeParams {
  TrendParams trend;
  BurstParams burst;
};

// steady | trend | burst | replay:PATH. Unknown names throw BadInput.
std::unique_ptr<ArrivalProcess> make_arrival_process(const std::string& workload,
                                                     const RegimeParams& params = {});

}  // namespace helm
