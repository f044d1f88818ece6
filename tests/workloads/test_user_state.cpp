// The session machine's user state: BusySet's idle search against the linear scan it replaces,
// UserLens against std::unordered_map, the crowded-population warning, and --scale above 1.
#include <gtest/gtest.h>

#include <unordered_map>

#include "common/error.h"
#include "common/rng.h"
#include "workloads/user_state.h"
#include "workloads/synthetic.h"
#include "workloads/workload.h"

using namespace helm;

namespace {
// The scan synthetic.cpp used before: first idle user from `start`, modulo n.
int64_t scan_idle(const std::vector<bool>& busy, int64_t start) {
  const int64_t n = static_cast<int64_t>(busy.size());
  for (int64_t k = 0; k < n; ++k)
    if (!busy[static_cast<size_t>((start + k) % n)]) return (start + k) % n;
  return -1;
}
}  // namespace

// Sizes straddle word and summary-level boundaries; occupancy sweeps up to everyone busy, where
// the scan was slowest and a summary bug would show.
TEST(BusySet, FindsWhatTheScanFinds) {
  for (int64_t n : {1, 2, 63, 64, 65, 4095, 4096, 4097, 300000}) {
    Rng rng(stream_seed(static_cast<uint64_t>(n), "busy"));
    BusySet set(n);
    std::vector<bool> ref(static_cast<size_t>(n), false);
    const int64_t ops = std::min<int64_t>(20 * n, 400000);
    for (int64_t op = 0; op < ops; ++op) {
      const auto u = static_cast<int64_t>(rng.below(static_cast<uint64_t>(n)));
      // Mostly set: occupancy climbs towards full, then clears thin it again.
      const bool fill = (op / std::max<int64_t>(n, 1)) % 2 == 0 ? rng.uniform() < 0.9 : rng.uniform() < 0.3;
      if (fill) set.set(u), ref[static_cast<size_t>(u)] = true;
      else set.clear(u), ref[static_cast<size_t>(u)] = false;
      ASSERT_EQ(set.busy(u), ref[static_cast<size_t>(u)]);
      const auto from = static_cast<int64_t>(rng.below(static_cast<uint64_t>(n)));
      ASSERT_EQ(set.next_idle_wrapping(from), scan_idle(ref, from)) << "n " << n << " op " << op;
    }
  }
}

TEST(BusySet, EveryoneBusyThenOneFree) {
  const int64_t n = 70000;
  BusySet set(n);
  for (int64_t u = 0; u < n; ++u) set.set(u);
  EXPECT_EQ(set.next_idle_wrapping(0), -1);
  set.clear(12345);
  EXPECT_EQ(set.next_idle_wrapping(0), 12345);
  EXPECT_EQ(set.next_idle_wrapping(12346), 12345);  // wraps
  EXPECT_EQ(set.next_idle_wrapping(12345), 12345);
}

// Both layouts: hashed (population far above the users expected) and dense.
TEST(UserLens, AgreesWithUnorderedMap) {
  for (const size_t expected : {size_t{4}, size_t{100000}}) {
  UserLens lens(int64_t{50000} * 3, expected);  // 4: hashed, several growths; 100000: dense
  std::unordered_map<int64_t, int32_t> ref;
  Rng rng(stream_seed(3, "lens"));
  for (int op = 0; op < 200000; ++op) {
    const auto u = static_cast<int64_t>(rng.below(50000)) * 3;  // spread keys
    ASSERT_EQ(lens.contains(u), ref.count(u) == 1);
    int32_t& a = lens[u];
    auto [it, fresh] = ref.try_emplace(u, UserLens::kAbsent);
    ASSERT_EQ(a, it->second);
    a = it->second = static_cast<int32_t>(op);
  }
  EXPECT_EQ(lens.size(), ref.size());
  }
}

// More users in session than the population holds: a one-line note with the numbers and knobs.
TEST(SessionPressure, CrowdedPopulationIsNoted) {
  WorkloadSpec s;
  s.synthetic.users = 100;
  s.synthetic.items = 1000;
  s.synthetic.gap_mean_s = 4;
  s.qps = 200;  // ~720 users in session wanted
  s.duration_s = 2;
  const auto has = [](const Trace& t) {
    for (const auto& n : t.notes)
      if (n.find("sessions will run out of users") != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has(build_trace(s)));
  s.synthetic.users = 10000;
  EXPECT_FALSE(has(build_trace(s)));
}

// --scale above 1: a bigger population and catalogue, same per-request statistics.
TEST(ProfileScale, AboveOneGrowsPopulationAndCatalogue) {
  const Profile* p = find_profile("ml-20m");
  ASSERT_NE(p, nullptr);
  const SyntheticParams s = scaled(p->params, 4);
  EXPECT_EQ(s.users, 4 * p->params.users);
  EXPECT_EQ(s.items, 4 * p->params.items);
  EXPECT_EQ(s.zipf, p->params.zipf);
  EXPECT_EQ(s.init_history_median, p->params.init_history_median);
  EXPECT_THROW(scaled(p->params, 2 * kMaxScale), BadInput);
  WorkloadSpec w;
  w.dataset = "ml-20m";
  w.scale = 2;
  w.qps = 50;
  w.duration_s = 5;
  const Trace t = build_trace(w);
  EXPECT_EQ(t.items->num_items(), 2 * p->params.items);
  EXPECT_EQ(t.items->num_users(), 2 * p->params.users);
}

// The per-thread window cache hands out exactly the items a fresh draw gives, whatever the
// order of ranges (windows moving on, growing, going back, two sources alternating), with and
// without time effects.
TEST(WindowCache, SameItemsAsDrawingEveryPosition) {
  SyntheticParams p;
  p.users = 50;
  p.items = 5000;
  TimeEffects fx;
  fx.drift.push_back({0, 10'000'000'000, 0.5});
  for (const bool timed : {false, true}) {
    SyntheticItems a(p, 11, 0.5, timed ? fx : TimeEffects{}), b(p, 11, 0.5, timed ? fx : TimeEffects{});
    SyntheticItems other(p, 12, 0.5);
    b.set_window_cache(false);
    if (timed) {
      std::vector<Request> visits;
      for (int k = 0; k < 200; ++k) visits.push_back({k, k % 50, int64_t{k} * 40'000'000, 10 * (k / 50) + 5, 0});
      a.index_visits(visits);
      b.index_visits(visits);
    }
    Rng rng(stream_seed(9, "window-cache"));
    std::vector<ItemId> x, y, z, w;
    for (int op = 0; op < 5000; ++op) {
      const auto u = static_cast<UserId>(rng.below(50));
      const auto begin = static_cast<int64_t>(rng.below(300));
      const auto end = begin + static_cast<int64_t>(rng.below(120));
      a.history_range(u, begin, end, x);
      b.history_range(u, begin, end, y);
      ASSERT_EQ(x, y) << "user " << u << " [" << begin << ", " << end << ")";
      a.draw_range(u, begin, end, w);  // past the cache, the same items
      ASSERT_EQ(w, y);
      other.history_range(u, begin, end, z);  // another source on the same thread
      if (op % 7 == 0) {
        a.history(u, end, x);
        b.history(u, end, y);
        ASSERT_EQ(x, y);
      }
    }
  }
}
