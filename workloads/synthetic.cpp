#include "workloads/synthetic.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "common/error.h"
#include "workloads/arrivals.h"
#include "workloads/candidates.h"

namespace helm {

struct SyntheticItems::Impl {
  Impl(const SyntheticParams& p, uint64_t seed, double share)
      : params(p), zipf(static_cast<uint64_t>(p.items), p.zipf), perm(p.items, seed),
        history_seed(stream_seed(seed, "history")), init_seed(stream_seed(seed, "init-history")),
        candidate_seed(stream_seed(seed, "candidates")), popular_share(share) {}
  SyntheticParams params;
  ZipfSampler zipf;
  ItemPermutation perm;
  uint64_t history_seed, init_seed, candidate_seed;
  double popular_share;
};

SyntheticItems::SyntheticItems(const SyntheticParams& p, uint64_t seed, double popular_share)
    : impl_(std::make_unique<Impl>(p, seed, popular_share)) {}
SyntheticItems::~SyntheticItems() = default;
int64_t SyntheticItems::num_items() const { return impl_->params.items; }
int64_t SyntheticItems::num_users() const { return impl_->params.users; }

ItemId SyntheticItems::popular_item(Rng& rng) const {
  return impl_->perm(static_cast<int64_t>(impl_->zipf(rng)) - 1);
}

int64_t SyntheticItems::rank_of(ItemId item) const { return impl_->perm.inverse(item); }

void SyntheticItems::history(UserId user, int64_t len, std::vector<ItemId>& out) const {
  out.resize(static_cast<size_t>(std::max<int64_t>(len, 0)));
  const uint64_t user_seed = hash64(impl_->history_seed, static_cast<uint64_t>(user));
  Rng rng;
  for (int64_t p = 0; p < len; ++p) {  // a generator per position: any range is cheap to rebuild
    rng.reseed(hash64(user_seed, static_cast<uint64_t>(p)));
    out[p] = popular_item(rng);
  }
}

void SyntheticItems::candidates(const Request& r, int M, std::vector<ItemId>& out) const {
  mixed_candidates(impl_->candidate_seed, r.id, M, impl_->params.items, impl_->popular_share,
                   [this](Rng& g) { return popular_item(g); }, out);
}

int32_t SyntheticItems::initial_history(UserId user) const {
  const auto& p = impl_->params;
  Rng rng(hash64(impl_->init_seed, static_cast<uint64_t>(user)));
  const double x = rng.lognormal(std::log(p.init_history_median), p.init_history_sigma);
  return static_cast<int32_t>(std::clamp(std::llround(x), 1LL, static_cast<long long>(p.init_history_max)));
}

void validate(const SyntheticParams& p) {
  if (p.users < 1) bad_input("synthetic: users must be >= 1, got {}", p.users);
  if (p.items < 1) bad_input("synthetic: items must be >= 1, got {}", p.items);
  if (!(p.zipf > 0)) bad_input("synthetic: zipf exponent must be > 0, got {}", p.zipf);
  if (!(p.requests_per_session >= 1))
    bad_input("synthetic: requests_per_session must be >= 1, got {}", p.requests_per_session);
  if (!(p.gap_mean_s >= 0)) bad_input("synthetic: gap_mean_s must be >= 0, got {}", p.gap_mean_s);
  if (!(p.new_items_mean >= 1)) bad_input("synthetic: new_items_mean must be >= 1, got {}", p.new_items_mean);
  if (!(p.init_history_median >= 1))
    bad_input("synthetic: init_history_median must be >= 1, got {}", p.init_history_median);
  if (!(p.init_history_sigma >= 0))
    bad_input("synthetic: init_history_sigma must be >= 0, got {}", p.init_history_sigma);
  if (p.init_history_max < 1) bad_input("synthetic: init_history_max must be >= 1, got {}", p.init_history_max);
}

namespace {
// Geometric on {1, 2, ...} with the given mean (>= 1).
int64_t geometric1(Rng& rng, double mean) {
  if (mean <= 1.0) return 1;
  const double q = 1.0 - 1.0 / mean;  // probability of one more
  return 1 + static_cast<int64_t>(std::floor(std::log(rng.uniform_pos()) / std::log(q)));
}

// A user not in session: uniform by rejection (cheap while sessions hold a small share of the
// population), then a deterministic scan from a random start.
UserId pick_idle_user(Rng& rng, const std::vector<uint8_t>& in_session) {
  const uint64_t n = in_session.size();
  for (int tries = 0; tries < 64; ++tries) {
    const UserId u = static_cast<UserId>(rng.below(n));
    if (!in_session[u]) return u;
  }
  const uint64_t start = rng.below(n);
  for (uint64_t k = 0; k < n; ++k) {
    const UserId u = static_cast<UserId>((start + k) % n);
    if (!in_session[u]) return u;
  }
  return -1;
}
}  // namespace

Trace synthetic_trace(const SyntheticParams& p, const std::vector<Nanos>& given, uint64_t seed,
                      double popular_share, double prewarm_qps) {
  validate(p);
  auto items = std::make_shared<SyntheticItems>(p, seed, popular_share);
  Trace trace;
  trace.items = items;
  trace.session_timeout = static_cast<Nanos>(5 * p.gap_mean_s * 1e9);  // P(gap > 5 x mean) < 1%
  trace.requests.reserve(given.size());

  Rng sessions(stream_seed(seed, "sessions")), users(stream_seed(seed, "users"));
  std::vector<uint8_t> in_session(static_cast<size_t>(p.users), 0);
  std::vector<int32_t> len(static_cast<size_t>(p.users), -1);  // -1: not seen yet
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

  for (size_t k = 0; k < arrivals.size(); ++k) {
    const Nanos t = arrivals[k];
    UserId u;
    if (!due.empty() && (due.top().first <= t || active == p.users)) {
      u = due.top().second;
      due.pop();
    } else {
      u = pick_idle_user(users, in_session);
      in_session[u] = 1;
      ++active;
      if (len[u] < 0) len[u] = items->initial_history(u);
    }
    if (k >= first_kept) {
      Request r;
      r.id = static_cast<int64_t>(trace.requests.size());
      r.user = u;
      r.arrival = t;
      r.history_len = len[u];
      trace.requests.push_back(r);
    }
    // The visit's items join the history before the next visit (saturating far below int32).
    len[u] = static_cast<int32_t>(std::min<int64_t>(len[u] + geometric1(sessions, p.new_items_mean), 1 << 30));
    if (sessions.bernoulli(p_continue)) {
      due.emplace(t + static_cast<Nanos>(std::llround(sessions.exponential(1.0 / p.gap_mean_s) * 1e9)), u);
    } else {
      in_session[u] = 0;
      --active;
    }
  }
  return trace;
}

}  // namespace helm
