// SyntheticItems: histories and candidates generated from (seed, user, position) and time.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "common/error.h"
#include "workloads/candidates.h"
#include "workloads/popularity.h"
#include "workloads/synthetic.h"

namespace helm {

struct SyntheticItems::Impl {
  Impl(const SyntheticParams& p, uint64_t seed, double share, TimeEffects e)
      : params(p), zipf(static_cast<uint64_t>(p.items), p.zipf), perm(p.items, seed),
        timeline(std::move(e), p.items, seed), history_seed(stream_seed(seed, "history")),
        init_seed(stream_seed(seed, "init-history")), candidate_seed(stream_seed(seed, "candidates")),
        popular_share(share) {}
  SyntheticParams params;
  ZipfSampler zipf;
  ItemPermutation perm;
  PopularityTimeline timeline;
  uint64_t history_seed, init_seed, candidate_seed;
  double popular_share;
  // Visit index (only with TimeEffects): user -> [begin, end) into (len, time) sorted by len.
  std::unordered_map<UserId, std::pair<uint32_t, uint32_t>> visits;
  std::vector<int32_t> visit_len;
  std::vector<Nanos> visit_time;

  // Fills out[0, end-begin) with positions [begin, end) of user's history.
  void fill(UserId user, int64_t begin, int64_t end, ItemId* out, const SyntheticItems& self) const {
    const uint64_t user_seed = hash64(history_seed, static_cast<uint64_t>(user));
    Rng rng;
    if (timeline.empty()) {  // a generator per position: any range is cheap to rebuild
      for (int64_t p = begin; p < end; ++p) {
        rng.reseed(hash64(user_seed, static_cast<uint64_t>(p)));
        out[p - begin] = self.popular_item(rng);
      }
      return;
    }
    // Position p was added by the last visit whose history length is <= p; before the user's
    // first visit in the trace it is pre-trace history.
    uint32_t k = 0, k_end = 0;
    if (auto it = visits.find(user); it != visits.end()) std::tie(k, k_end) = it->second;
    const uint32_t k_begin = k;
    k = static_cast<uint32_t>(std::upper_bound(visit_len.begin() + k, visit_len.begin() + k_end, begin) -
                              visit_len.begin());
    for (int64_t p = begin; p < end; ++p) {
      while (k < k_end && visit_len[k] <= p) ++k;
      const Nanos t = k == k_begin ? kPreTrace : visit_time[k - 1];
      rng.reseed(hash64(user_seed, static_cast<uint64_t>(p)));
      out[p - begin] = self.popular_item_at(rng, t);
    }
  }
};

SyntheticItems::SyntheticItems(const SyntheticParams& p, uint64_t seed, double popular_share, TimeEffects e)
    : impl_(std::make_unique<Impl>(p, seed, popular_share, std::move(e))) {}
SyntheticItems::~SyntheticItems() = default;
int64_t SyntheticItems::num_items() const { return impl_->params.items; }
int64_t SyntheticItems::num_users() const { return impl_->params.users; }

ItemId SyntheticItems::popular_item(Rng& rng) const {
  return impl_->perm(static_cast<int64_t>(impl_->zipf(rng)) - 1);
}

ItemId SyntheticItems::popular_item_at(Rng& rng, Nanos t) const {
  const auto& tl = impl_->timeline;
  if (tl.empty()) return popular_item(rng);
  if (const int64_t b = tl.burst_at(t); b >= 0 && rng.uniform() < tl.effects().flash_share)
    return tl.flash_item(b, rng.below(static_cast<uint64_t>(tl.effects().flash_items)));
  const double x = tl.epochs(t);
  int64_t k = static_cast<int64_t>(x);
  if (x > static_cast<double>(k) && rng.uniform() < x - static_cast<double>(k)) ++k;  // the next order's share
  const int64_t n = impl_->params.items, rank0 = static_cast<int64_t>(impl_->zipf(rng)) - 1;
  return impl_->perm((rank0 + tl.epoch_shift(k)) % n);
}

int64_t SyntheticItems::rank_of(ItemId item) const { return impl_->perm.inverse(item); }

void SyntheticItems::history(UserId user, int64_t len, std::vector<ItemId>& out) const {
  out.resize(static_cast<size_t>(std::max<int64_t>(len, 0)));
  impl_->fill(user, 0, len, out.data(), *this);
}

void SyntheticItems::history_range(UserId user, int64_t begin, int64_t end, std::vector<ItemId>& out) const {
  begin = std::max<int64_t>(begin, 0);
  out.resize(static_cast<size_t>(std::max<int64_t>(end - begin, 0)));
  impl_->fill(user, begin, end, out.data(), *this);
}

void SyntheticItems::candidates(const Request& r, int M, std::vector<ItemId>& out) const {
  const Nanos t = r.arrival;
  mixed_candidates(impl_->candidate_seed, r.id, M, impl_->params.items, impl_->popular_share,
                   [this, t](Rng& g) { return popular_item_at(g, t); }, out);
}

int32_t SyntheticItems::initial_history(UserId user) const {
  const auto& p = impl_->params;
  Rng rng(hash64(impl_->init_seed, static_cast<uint64_t>(user)));
  if (p.init_history_one_share > 0 && rng.uniform() < p.init_history_one_share) return 1;
  const double x = p.init_history_loc + rng.lognormal(std::log(p.init_history_median), p.init_history_sigma);
  return static_cast<int32_t>(std::clamp(std::llround(x), 1LL, static_cast<long long>(p.init_history_max)));
}

void SyntheticItems::index_visits(const std::vector<Request>& requests) {
  auto& I = *impl_;
  I.visits.clear();
  I.visit_len.clear();
  I.visit_time.clear();
  if (I.timeline.empty()) return;
  std::vector<const Request*> order(requests.size());
  for (size_t k = 0; k < requests.size(); ++k) order[k] = &requests[k];
  std::sort(order.begin(), order.end(), [](const Request* a, const Request* b) {
    return a->user != b->user ? a->user < b->user : a->history_len < b->history_len;
  });
  I.visit_len.reserve(order.size());
  I.visit_time.reserve(order.size());
  for (size_t k = 0; k < order.size(); ++k) {
    const uint32_t idx = static_cast<uint32_t>(k);
    auto [it, fresh] = I.visits.try_emplace(order[k]->user, idx, idx);
    it->second.second = idx + 1;
    I.visit_len.push_back(order[k]->history_len);
    I.visit_time.push_back(order[k]->arrival);
  }
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
  if (!(p.init_history_loc >= 0)) bad_input("synthetic: init_history_loc must be >= 0, got {}", p.init_history_loc);
  if (!(p.init_history_one_share >= 0 && p.init_history_one_share <= 1))
    bad_input("synthetic: init_history_one_share must be in [0, 1], got {}", p.init_history_one_share);
  if (p.init_history_max < 1) bad_input("synthetic: init_history_max must be >= 1, got {}", p.init_history_max);
}

}  // namespace helm
