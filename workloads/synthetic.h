// The synthetic workload: users in sessions over a Zipf catalogue. Dataset profiles
// (profiles.h) are presets of these parameters.
//
// Who arrives: the regime's ArrivalProcess fixes WHEN requests arrive (Poisson at qps for
// steady); an event queue decides WHO. A user starts a session, sends a geometric number of
// requests (mean requests_per_session) separated by exponential gaps (mean gap_mean_s), and
// leaves. Each arrival goes to the in-session user who has waited longest past their gap, or,
// if none is due, starts a new session for a user not in one. So the aggregate process is
// exactly the regime's (Poisson at qps for steady) and the session parameters only decide its
// composition. Sessions start at qps / requests_per_session; a due user waits for the next
// arrival, which stretches gaps by about requests_per_session / qps on average (ms at
// realistic rates; bursts drain due users quickly and then start new sessions). During a burst
// (TimeEffects), a fresh_share of arrivals start sessions of users not in one whatever is due.
//
// Little's law gives the knob PILOT.md says decides the best EMB/KV split:
//   users in session at once ~= qps * gap_mean_s * (1 - 1 / requests_per_session)
// (whole cluster; divide by the node count). trace_stats() reports the measured value.
//
// Memory: per-user state lives in hash maps of the users the trace touches, and items come from
// (seed, user, position), so a 15M-user or 32M-item profile costs what its requests touch.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "common/rng.h"
#include "workloads/arrivals.h"
#include "workloads/request.h"

namespace helm {

struct SyntheticParams {
  int64_t users = 100000;    // population; sessions pick uniformly among users not in session
  int64_t items = 1000000;   // catalogue
  double zipf = 1.0;         // item popularity exponent (ML-20M fits 1.13; 0.6-1.2 barely moves r*)
  // Sessions. With gap 4 s a node taking 50 qps holds ~180 users in session, the regime PILOT.md
  // found most sensitive (~200 per node moves r*; ~600 pins it near KV-only). Gap is the lever:
  // raise it for KV pressure, lower it to relieve it. 10 requests per session sits in the middle
  // of PILOT's 3..40 sweep and makes 90% of requests in-session returns.
  double requests_per_session = 10.0;  // mean of a geometric count (>= 1)
  double gap_mean_s = 4.0;             // mean exponential gap between a user's requests
  double new_items_mean = 8.0;         // items consumed per visit (geometric, >= 1): history growth
  // Initial history of a user's first request: with probability init_history_one_share a single
  // item (one-time users), else loc + lognormal(median, sigma) (scipy's lognorm(s, loc, scale)
  // with scale = median), clamped to [1, init_history_max]. Median 100 / sigma 1 gives mean ~165
  // and P99 ~1000: a mid-size GR history that a CPU model still serves; profiles set their own.
  double init_history_median = 100.0;
  double init_history_sigma = 1.0;
  double init_history_loc = 0.0;
  double init_history_one_share = 0.0;
  int32_t init_history_max = 4000;
};

// Histories and candidates of the synthetic catalogue, computed on demand.
// Item at history position p of user u is a pure function of (seed, u, p) and, under a regime
// with TimeEffects, of the time the user consumed position p (the visit that added it, found in
// an index of the trace's visits: memory grows with requests, not with users or items).
class SyntheticItems final : public ItemSource {
 public:
  SyntheticItems(const SyntheticParams& p, uint64_t seed, double popular_share, TimeEffects effects = {});
  ~SyntheticItems() override;
  int64_t num_items() const override;
  int64_t num_users() const override;
  void history(UserId user, int64_t len, std::vector<ItemId>& out) const override;
  void history_range(UserId user, int64_t begin, int64_t end, std::vector<ItemId>& out) const override;
  void draw_range(UserId user, int64_t begin, int64_t end, std::vector<ItemId>& out) const override;
  void candidates(const Request& r, int M, std::vector<ItemId>& out) const override;
  int32_t initial_history(UserId user) const;  // a pure function of (seed, user)
  ItemId popular_item(Rng& rng) const;         // one Zipf draw, as an id (base popularity)
  ItemId popular_item_at(Rng& rng, Nanos t) const;  // with drift and flash crowds at time t
  int64_t rank_of(ItemId item) const;          // 0 = most popular at the start (tests, statistics)
  // Records when each visit happened (requests of this source's users, any order), so history
  // positions added by a visit follow the popularity of its time. Needed only with TimeEffects.
  void index_visits(const std::vector<Request>& requests);
  // Each thread keeps the window it last drew per user and draws only new positions (see
  // synthetic_items.cpp); off draws every position every time (tests compare the two).
  void set_window_cache(bool on);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

void validate(const SyntheticParams& p);  // BadInput naming the field

// The requests for the given arrival times (sorted); ids 0..n-1 in arrival order.
// prewarm_qps > 0 first runs the session machine over a Poisson burn-in at that rate lasting
// three mean session lengths (requests emitted there are dropped), so the trace starts with
// sessions already in progress instead of ramping up from nobody for the first ~40 s.
Trace synthetic_trace(const SyntheticParams& p, const std::vector<Nanos>& arrivals, uint64_t seed,
                      double popular_share, double prewarm_qps = 0, const TimeEffects& effects = {});

}  // namespace helm
