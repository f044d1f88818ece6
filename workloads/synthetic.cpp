#include "workloads/synthetic.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "common/error.h"
#include "workloads/arrivals.h"
#include "workloads/popularity.h"
#include "workloads/user_state.h"

namespace helm {

namespace {
// Geometric on {1, 2, ...} with the given mean (>= 1).
int64_t geometric1(Rng& rng, double mean) {
  if (mean <= 1.0) return 1;
  const double q = 1.0 - 1.0 / mean;  // probability of one more
  return 1 + static_cast<int64_t>(std::floor(std::log(rng.uniform_pos()) / std::log(q)));
}

// A user not in session: uniform by rejection (cheap while sessions hold a small share of the
// population), then the first idle user from a random start, wrapping. With `unseen`, prefer a
// user the trace has not met (a brand-new user), giving up after a few tries.
UserId pick_idle_user(Rng& rng, const UserLens& lens, const BusySet& busy, int64_t n, bool unseen = false) {
  if (unseen)
    for (int tries = 0; tries < 16; ++tries) {
      const UserId u = static_cast<UserId>(rng.below(static_cast<uint64_t>(n)));
      if (!lens.contains(u)) return u;
    }
  for (int tries = 0; tries < 64; ++tries) {
    const UserId u = static_cast<UserId>(rng.below(static_cast<uint64_t>(n)));
    if (!busy.busy(u)) return u;
  }
  return busy.next_idle_wrapping(static_cast<int64_t>(rng.below(static_cast<uint64_t>(n))));
}
}  // namespace

Trace synthetic_trace(const SyntheticParams& p, const std::vector<Nanos>& given, uint64_t seed,
                      double popular_share, double prewarm_qps, const TimeEffects& effects) {
  validate(p);
  auto items = std::make_shared<SyntheticItems>(p, seed, popular_share, effects);
  const PopularityTimeline timeline(effects, p.items, seed);
  Trace trace;
  trace.session_timeout = static_cast<Nanos>(5 * p.gap_mean_s * 1e9);  // P(gap > 5 x mean) < 1%
  trace.requests.reserve(given.size());

  Rng sessions(stream_seed(seed, "sessions")), pick(stream_seed(seed, "users")),
      fresh(stream_seed(seed, "burst-users"));
  int64_t active = 0;
  using Due = std::pair<Nanos, UserId>;  // (time the user's next request is due, user)
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due;
  const double p_continue = 1.0 - 1.0 / p.requests_per_session;

  // Burn-in arrivals at negative times, then the given ones.
  std::vector<Nanos> arrivals;
  if (prewarm_qps > 0) {
    const double burn_s = 3.0 * p.requests_per_session * p.gap_mean_s;
    Rng warm(stream_seed(seed, "prewarm"));
    append_poisson(prewarm_qps, -burn_s, 0.0, warm, arrivals);
  }
  const size_t first_kept = arrivals.size();
  arrivals.insert(arrivals.end(), given.begin(), given.end());
  // Every arrival touches at most one user it has not met.
  UserLens lens(p.users, std::min<size_t>(arrivals.size() + 1024, static_cast<size_t>(p.users)));
  BusySet busy(p.users);

  for (size_t k = 0; k < arrivals.size(); ++k) {
    const Nanos t = arrivals[k];
    // In a burst, a share of arrivals are fresh users (lapsed, or brand new) whatever is due.
    const bool burst = k >= first_kept && timeline.burst_at(t) >= 0;
    const bool force_fresh = burst && active < p.users && fresh.bernoulli(effects.fresh_share);
    const bool brand_new = force_fresh && fresh.bernoulli(effects.new_user_share);
    UserId u;
    if (!force_fresh && !due.empty() && (due.top().first <= t || active == p.users)) {
      u = due.top().second;
      due.pop();
    } else {
      u = pick_idle_user(pick, lens, busy, p.users, brand_new);
      int32_t& len = lens[u];
      busy.set(u);
      ++active;
      if (len < 0)  // a new user brings one visit's worth of history, an old one its past
        len = brand_new ? static_cast<int32_t>(geometric1(sessions, p.new_items_mean)) : items->initial_history(u);
    }
    int32_t& len = lens[u];
    if (k >= first_kept) {
      Request r;
      r.id = static_cast<int64_t>(trace.requests.size());
      r.user = u;
      r.arrival = t;
      r.history_len = len;
      trace.requests.push_back(r);
    }
    // The visit's items join the history before the next visit (saturating far below int32).
    len = static_cast<int32_t>(std::min<int64_t>(len + geometric1(sessions, p.new_items_mean), 1 << 30));
    if (sessions.bernoulli(p_continue)) {
      due.emplace(t + static_cast<Nanos>(std::llround(sessions.exponential(1.0 / p.gap_mean_s) * 1e9)), u);
    } else {
      busy.clear(u);
      --active;
    }
  }
  items->index_visits(trace.requests);
  trace.items = items;
  return trace;
}

}  // namespace helm
