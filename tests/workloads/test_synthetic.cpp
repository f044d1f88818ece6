#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/error.h"
#include "workloads/candidates.h"
#include "workloads/trace_stats.h"
#include "workloads/workload.h"

using namespace helm;

namespace {
WorkloadSpec small_spec(uint64_t seed = 1) {
  WorkloadSpec s;
  s.qps = 200;
  s.duration_s = 30;
  s.seed = seed;
  s.candidates = 64;
  s.synthetic.users = 5000;
  s.synthetic.items = 100000;
  return s;
}

bool same(const Trace& a, const Trace& b) {
  if (a.requests.size() != b.requests.size()) return false;
  for (size_t k = 0; k < a.requests.size(); ++k) {
    const Request &x = a.requests[k], &y = b.requests[k];
    if (x.id != y.id || x.user != y.user || x.arrival != y.arrival || x.history_len != y.history_len)
      return false;
  }
  return true;
}
}  // namespace

TEST(Synthetic, DeterministicBySeedIncludingItems) {
  const Trace a = build_trace(small_spec(1)), b = build_trace(small_spec(1)), c = build_trace(small_spec(2));
  ASSERT_GT(a.requests.size(), 5000u);
  EXPECT_TRUE(same(a, b));
  EXPECT_FALSE(same(a, c));
  std::vector<ItemId> ha, hb, ca, cb;
  for (int k = 0; k < 50; ++k) {
    const Request& r = a.requests[k * 37];
    a.items->history(r.user, r.history_len, ha);
    b.items->history(r.user, r.history_len, hb);
    EXPECT_EQ(ha, hb);
    a.items->candidates(r, 64, ca);
    b.items->candidates(r, 64, cb);
    EXPECT_EQ(ca, cb);
  }
  c.items->candidates(a.requests[0], 64, cb);
  a.items->candidates(a.requests[0], 64, ca);
  EXPECT_NE(ca, cb);
}

TEST(Synthetic, IdsSortedAndHistoriesGrowPrefixStably) {
  const Trace t = build_trace(small_spec());
  std::map<UserId, std::vector<const Request*>> by_user;
  for (size_t k = 0; k < t.requests.size(); ++k) {
    ASSERT_EQ(t.requests[k].id, static_cast<int64_t>(k));
    if (k > 0) {
      ASSERT_LE(t.requests[k - 1].arrival, t.requests[k].arrival);
    }
    by_user[t.requests[k].user].push_back(&t.requests[k]);
  }
  int checked = 0;
  std::vector<ItemId> early, late;
  for (const auto& [u, visits] : by_user) {
    for (size_t v = 1; v < visits.size(); ++v) ASSERT_GT(visits[v]->history_len, visits[v - 1]->history_len);
    if (visits.size() >= 3 && checked < 100) {
      t.items->history(u, visits.front()->history_len, early);
      t.items->history(u, visits.back()->history_len, late);
      ASSERT_EQ(early.size(), static_cast<size_t>(visits.front()->history_len));
      ASSERT_TRUE(std::equal(early.begin(), early.end(), late.begin())) << "user " << u;
      for (ItemId i : late) ASSERT_TRUE(i >= 0 && i < t.items->num_items());
      ++checked;
    }
  }
  EXPECT_EQ(checked, 100);
}

TEST(Synthetic, AggregateArrivalsArePoissonAtQps) {
  WorkloadSpec s = small_spec();
  s.qps = 1000;
  s.duration_s = 100;
  s.synthetic.users = 20000;
  const TraceStats st = trace_stats(build_trace(s));
  EXPECT_NEAR(st.interarrival_cv, 1.0, 0.05);
  EXPECT_NEAR(st.mean_rate, 1000.0, 20.0);
}

TEST(Synthetic, SessionsFollowLittlesLaw) {
  WorkloadSpec s = small_spec();
  s.qps = 500;
  s.duration_s = 200;
  s.synthetic.users = 50000;
  s.synthetic.requests_per_session = 10;
  s.synthetic.gap_mean_s = 2.0;
  const TraceStats st = trace_stats(build_trace(s));
  const double little = s.qps * s.synthetic.gap_mean_s * (1 - 1 / s.synthetic.requests_per_session);
  EXPECT_NEAR(st.mean_in_session, little, 0.1 * little) << format_stats(st);
  EXPECT_NEAR(st.revisit_fraction, 0.9, 0.03);
  EXPECT_GT(st.mean_history, 50);
  EXPECT_GE(st.p99_history, static_cast<int64_t>(st.mean_history));
  EXPECT_LE(st.distinct_users, st.users);
}

TEST(Synthetic, HistoryItemsFollowZipf) {
  SyntheticParams p;
  p.items = 100000;
  SyntheticItems items(p, 9, 0.5);
  std::vector<ItemId> h;
  int64_t top = 0, n = 0;
  for (UserId u = 0; u < 200; ++u) {
    items.history(u, 500, h);
    for (ItemId i : h) top += items.rank_of(i) < 100, ++n;
  }
  // Zipf(1) over 1e5 items: the top 100 ranks hold H(100)/H(1e5) ~ 0.43 of the mass.
  EXPECT_NEAR(static_cast<double>(top) / n, 0.43, 0.03);
}

TEST(Candidates, PopularShareIsHonoured) {
  SyntheticParams p;
  p.items = 1000000;
  const int M = 256;
  auto top_fraction = [&](double share) {
    SyntheticItems items(p, 5, share);
    std::vector<ItemId> c;
    int64_t top = 0, n = 0;
    for (int64_t id = 0; id < 400; ++id) {
      Request r;
      r.id = id;
      items.candidates(r, M, c);
      EXPECT_EQ(c.size(), static_cast<size_t>(M));
      EXPECT_EQ(std::set<ItemId>(c.begin(), c.end()).size(), c.size());  // distinct
      for (ItemId i : c) top += items.rank_of(i) < 10000, ++n;
    }
    return static_cast<double>(top) / n;
  };
  const double none = top_fraction(0.0), half = top_fraction(0.5), all = top_fraction(1.0);
  EXPECT_NEAR(none, 0.01, 0.005);  // uniform: the top 1% of items gets ~1% of candidates
  EXPECT_GT(all, 0.5);
  EXPECT_NEAR(half, 0.5 * (none + all), 0.03);
}

// The permutation's remainder is computed by multiplication below 2^32 (candidates.h); its
// inverse divides the plain way, so inverse(perm(r)) == r checks every remainder, up to the
// largest catalogue that takes that path (2^32 - 1) and past it.
TEST(Candidates, ItemPermutationIsUndoneByItsInverse) {
  for (const int64_t n : {int64_t{1}, int64_t{2}, int64_t{3}, int64_t{26744}, int64_t{32038725},
                          (int64_t{1} << 32) - 1, (int64_t{1} << 32) + 15}) {
    const ItemPermutation perm(n, 7);
    Rng rng(stream_seed(3, "perm-test"));
    std::vector<char> seen(n <= 30000 ? static_cast<size_t>(n) : 0, 0);
    for (int64_t k = 0; k < 300000; ++k) {
      const int64_t r = !seen.empty() ? k % n : k < 2 ? k * (n - 1) : static_cast<int64_t>(rng.below(static_cast<uint64_t>(n)));
      const ItemId id = perm(r);
      ASSERT_TRUE(id >= 0 && id < n) << "n " << n << " rank " << r;
      ASSERT_EQ(perm.inverse(id), r) << "n " << n << " rank " << r;
      if (!seen.empty() && k < n) {
        ASSERT_FALSE(seen[static_cast<size_t>(id)]) << "n " << n << " id " << id << " twice";
        seen[static_cast<size_t>(id)] = 1;
      }
    }
  }
}

TEST(Candidates, SmallCatalogueAllowsDuplicatesInsteadOfLooping) {
  SyntheticParams p;
  p.items = 10;
  SyntheticItems items(p, 1, 0.5);
  std::vector<ItemId> c;
  Request r;
  items.candidates(r, 64, c);
  EXPECT_EQ(c.size(), 64u);
}

TEST(Workload, BadSpecsNameTheField) {
  auto expect_bad = [](WorkloadSpec s, const std::string& word) {
    try {
      build_trace(s);
      ADD_FAILURE() << "no BadInput for " << word;
    } catch (const BadInput& e) {
      EXPECT_NE(std::string(e.what()).find(word), std::string::npos) << e.what();
    }
  };
  WorkloadSpec s = small_spec();
  s.qps = -1;
  expect_bad(s, "--qps");
  s = small_spec();
  s.duration_s = 0;
  expect_bad(s, "--duration");
  s = small_spec();
  s.popular_share = 1.5;
  expect_bad(s, "popular share");
  s = small_spec();
  s.dataset = "netflix";
  expect_bad(s, "--dataset");
  s = small_spec();
  s.workload = "wobbly";
  expect_bad(s, "--workload");
  s = small_spec();
  s.synthetic.zipf = 0;
  expect_bad(s, "zipf");
}

TEST(Synthetic, DefaultsAtDemoScale) {
  WorkloadSpec s;  // defaults, at a CPU demo's load: 150 qps over 3 workers for 60 s
  s.qps = 150;
  const Trace t = build_trace(s);
  const TraceStats st = trace_stats(t);
  std::cout << t.name << "\n" << format_stats(st);
  EXPECT_NEAR(st.mean_in_session, 150 * 4.0 * 0.9, 0.1 * 150 * 4.0 * 0.9);
}
