// SyntheticItems: histories and candidates generated from (seed, user, position) and time.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <unordered_map>

#include "common/error.h"
#include "workloads/candidates.h"
#include "workloads/popularity.h"
#include "workloads/synthetic.h"

namespace helm {

namespace {
// A visit that misses the KV cache recomputes its whole window, so the same (user, position)
// items are drawn again and again (a Zipf draw each: most of the simulator's item cost). Each
// thread keeps the last window it drew per user: a later visit copies the positions it holds
// and draws only the ones added since. The items are a pure function of (source, user,
// position), so a copy is exactly what a draw would give. Bounded: past kBudget items the whole
// cache is dropped (sessions refill it within seconds). Keyed by a source's instance number, not
// its address, so a source rebuilt at the same address never reads another's items.
struct WindowCache {
  static constexpr size_t kBudget = size_t{16} << 20;  // items (int32): 64 MiB per source and thread
  struct Entry {
    int64_t begin = 0;           // positions [begin, begin + items.size())
    std::vector<int32_t> items;
  };
  uint64_t owner = 0;
  size_t held = 0;
  std::unordered_map<UserId, Entry> users;
  void reset(uint64_t o) {
    owner = o;
    held = 0;
    users.clear();
  }
};
std::atomic<uint64_t> g_instances{0};
// This thread's cache for source `owner`: a few sources at once (phases of different data sets
// alternate request by request), the least recently used one dropped for a newcomer.
WindowCache& windows_of(uint64_t owner) {
  thread_local std::vector<WindowCache> caches(4);
  thread_local std::vector<uint64_t> used(4, 0);
  thread_local uint64_t clock = 0;
  size_t pick = 0;
  for (size_t i = 0; i < caches.size(); ++i) {
    if (caches[i].owner == owner) {
      pick = i;
      break;
    }
    if (used[i] < used[pick]) pick = i;
  }
  if (caches[pick].owner != owner) caches[pick].reset(owner);
  used[pick] = ++clock;
  return caches[pick];
}
}  // namespace

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
  uint64_t instance = ++g_instances;  // renewed when the items change (index_visits)
  bool window_cache = true;

  // fill() through this thread's WindowCache (ids below 2^31 only: it stores int32).
  void cached_fill(UserId user, int64_t begin, int64_t end, ItemId* out, const SyntheticItems& self) const {
    if (!window_cache || params.items > (int64_t{1} << 31) || end - begin < 16) {
      fill(user, begin, end, out, self);
      return;
    }
    WindowCache& wc = windows_of(instance);
    WindowCache::Entry& e = wc.users[user];
    const size_t before = e.items.size();
    const int64_t e_end = e.begin + static_cast<int64_t>(before);
    if (before == 0 || begin < e.begin || begin > e_end) {  // nothing to reuse: draw anew
      fill(user, begin, end, out, self);
      e.begin = begin;
      e.items.assign(out, out + (end - begin));
    } else {
      const int64_t have = std::min(end, e_end);
      for (int64_t p = begin; p < have; ++p) out[p - begin] = static_cast<ItemId>(e.items[static_cast<size_t>(p - e.begin)]);
      if (end > e_end) {
        fill(user, e_end, end, out + (e_end - begin), self);
        e.items.insert(e.items.end(), out + (e_end - begin), out + (end - begin));
      }
      if (begin > e.begin) {  // the window moved on: forget what it left behind
        e.items.erase(e.items.begin(), e.items.begin() + (begin - e.begin));
        e.begin = begin;
      }
    }
    wc.held = wc.held + e.items.size() - before;
    if (wc.held > WindowCache::kBudget) wc.reset(instance);
  }

  // Fills out[0, end-begin) with positions [begin, end) of user's history.
  void fill(UserId user, int64_t begin, int64_t end, ItemId* out, const SyntheticItems& self) const {
    const uint64_t user_seed = hash64(history_seed, static_cast<uint64_t>(user));
    Rng rng;
    if (timeline.empty()) {  // a generator per position: any range is cheap to rebuild
      // popular_item(Rng(seed)), exactly: most Zipf draws are accepted on their first try, which
      // needs only the generator's first output; a rejected one is drawn again from the start.
      for (int64_t p = begin; p < end; ++p) {
        const uint64_t seed = hash64(user_seed, static_cast<uint64_t>(p));
        uint64_t rank = 0;
        if (!zipf.first_try(Rng::to_uniform(Rng::first_output(seed)), rank)) [[unlikely]] {
          rng.reseed(seed);
          rank = zipf(rng);
        }
        out[p - begin] = perm(static_cast<int64_t>(rank) - 1);
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
  impl_->cached_fill(user, 0, len, out.data(), *this);
}

void SyntheticItems::history_range(UserId user, int64_t begin, int64_t end, std::vector<ItemId>& out) const {
  begin = std::max<int64_t>(begin, 0);
  out.resize(static_cast<size_t>(std::max<int64_t>(end - begin, 0)));
  impl_->cached_fill(user, begin, end, out.data(), *this);
}

void SyntheticItems::draw_range(UserId user, int64_t begin, int64_t end, std::vector<ItemId>& out) const {
  begin = std::max<int64_t>(begin, 0);
  out.resize(static_cast<size_t>(std::max<int64_t>(end - begin, 0)));
  impl_->fill(user, begin, end, out.data(), *this);
}

void SyntheticItems::set_window_cache(bool on) { impl_->window_cache = on; }

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
  I.instance = ++g_instances;  // items may change: no thread's cached windows apply any more
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
