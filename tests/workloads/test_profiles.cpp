// Dataset profiles, --scale, phases and trace files.
#include <gtest/gtest.h>

#include <cstdio>

#include "common/error.h"
#include "common/h5.h"
#include "workloads/phased.h"
#include "workloads/trace_file.h"
#include "workloads/trace_stats.h"
#include "workloads/workload.h"

using namespace helm;

TEST(Profiles, PublishedNumbers) {
  const Profile* k = find_profile("kuairand-27k");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->params.users, 27285);
  EXPECT_EQ(k->params.items, 32038725);
  EXPECT_EQ(k->params.init_history_max, 8000);
  EXPECT_EQ(k->model, "kuairand");
  EXPECT_EQ(find_profile("amazon-books")->params.users, 15362619);
  EXPECT_EQ(find_profile("ml-20m")->params.items, 26744);
  EXPECT_EQ(find_profile("taobao")->params.items, 4162024);
  EXPECT_EQ(find_profile("nope"), nullptr);
  const SyntheticParams s = scaled(k->params, 0.01);
  EXPECT_EQ(s.users, 273);
  EXPECT_EQ(s.items, 320387);
  EXPECT_THROW(scaled(k->params, 0), BadInput);
}

TEST(Profiles, HistoryDistributionsMatchTheirSources) {
  auto mean_init = [](const char* name, double* one_share) {
    SyntheticItems items(find_profile(name)->params, 3, 0.5);
    double sum = 0;
    int ones = 0;
    const int n = 20000;
    for (UserId u = 0; u < n; ++u) {
      const int32_t h = items.initial_history(u);
      sum += h, ones += h == 1;
    }
    if (one_share) *one_share = static_cast<double>(ones) / n;
    return sum / n;
  };
  double ones = 0;
  EXPECT_NEAR(mean_init("amazon-books", &ones), 3.3, 0.4);  // 51.3M / 15.36M = 3.34
  EXPECT_NEAR(ones, 0.67, 0.02);
  const double k = mean_init("kuairand-27k", nullptr);  // capped at 8000: about 6000
  EXPECT_GT(k, 5000);
  EXPECT_LE(k, 8000);
  EXPECT_NEAR(mean_init("ml-20m", nullptr), 110, 25);  // 144 uncapped; the 200 cap trims the tail
}

TEST(Profiles, FullSizeKuaiRandIsCheap) {
  // 32M items and 27K users at full size: nothing per item or per user is materialised.
  WorkloadSpec s;
  s.dataset = "kuairand-27k";
  s.qps = 200;
  s.duration_s = 10;
  const Trace t = build_trace(s);
  EXPECT_EQ(t.items->num_items(), 32038725);
  EXPECT_GT(t.requests.size(), 1500u);
  const ItemSample sample = item_sample(t, 256);
  EXPECT_GT(sample.distinct, 100000);
}

TEST(Phases, ParseAndChain) {
  const auto p = parse_phases("kuairand-27k:steady:120,amazon-books:burst:60@500,movielens:/a/b.csv:replay:/x:y.csv:30");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[1].dataset, "amazon-books");
  EXPECT_EQ(p[1].workload, "burst");
  EXPECT_EQ(p[1].qps, 500);
  EXPECT_EQ(p[2].dataset, "movielens:/a/b.csv");
  EXPECT_EQ(p[2].workload, "replay:/x:y.csv");
  EXPECT_EQ(p[2].seconds, 30);
  EXPECT_THROW(parse_phases("ml-20m:steady"), BadInput);
  EXPECT_THROW(parse_phases("ml-20m:steady:-3"), BadInput);
  EXPECT_THROW(parse_phases("ml-20m:steady:3@x"), BadInput);

  WorkloadSpec s;
  s.qps = 100;
  s.scale = 0.01;
  s.phases = parse_phases("ml-20m:steady:20,amazon-books:burst:20@300,ml-20m:trend:20");
  const Trace t = build_trace(s);
  auto* phased = dynamic_cast<const PhasedItems*>(t.items.get());
  ASSERT_NE(phased, nullptr);
  ASSERT_EQ(phased->groups().size(), 2u);  // ml-20m twice shares one group
  EXPECT_EQ(t.items->num_items(), 267 + 29305);
  int64_t per_phase[3] = {0, 0, 0};
  for (size_t k = 0; k < t.requests.size(); ++k) {
    const Request& r = t.requests[k];
    ASSERT_EQ(r.id, static_cast<int64_t>(k));
    ++per_phase[r.phase];
    const bool amazon = r.phase == 1;
    EXPECT_EQ(phased->group_of(r.user), amazon ? 1u : 0u);  // no user shared across datasets
    std::vector<ItemId> c;
    t.items->candidates(r, 8, c);
    for (ItemId i : c) EXPECT_EQ(i >= 267, amazon) << "item " << i << " phase " << r.phase;
  }
  EXPECT_NEAR(per_phase[0], 2000, 200);
  EXPECT_NEAR(per_phase[1], 6000, 400);
  EXPECT_NEAR(per_phase[2], 2000, 200);
  EXPECT_EQ(build_trace(s).requests.size(), t.requests.size());
}

TEST(TraceFile, RoundTripAndTamperedTables) {
  WorkloadSpec s;
  s.dataset = "ml-20m";
  s.workload = "burst";
  s.scale = 0.05;
  s.qps = 50;
  s.duration_s = 30;
  s.seed = 77;
  s.regimes.burst.multiplier = 3.5;
  s.session.gap_mean_s = 2.5;
  const WorkloadSpec back = spec_from_text(spec_text(s), "x");
  EXPECT_EQ(spec_text(back), spec_text(s));
  const Trace t = build_trace(s);
  const std::string path = ::testing::TempDir() + "trace_rt.h5";
  const ItemSample sample = item_sample(t, 20, 1000);
  write_trace(path, t, s, trace_stats(t), &sample);
  const LoadedTrace l = load_trace(path);
  ASSERT_EQ(l.trace.requests.size(), t.requests.size());
  std::vector<ItemId> a, b;
  for (size_t k = 0; k < t.requests.size(); k += 97) {
    EXPECT_EQ(l.trace.requests[k].user, t.requests[k].user);
    t.items->history(t.requests[k].user, t.requests[k].history_len, a);
    l.trace.items->history(t.requests[k].user, t.requests[k].history_len, b);
    EXPECT_EQ(a, b);
  }
  // A table that does not match its spec is refused, naming the file and the field.
  {
    h5::File f(path, h5::Mode::kReadWrite);
    auto user = f.read<int64_t>("/requests/user");
    user[5] += 1;
    f.write("/requests/user", user);
  }
  try {
    load_trace(path);
    FAIL() << "tampered table accepted";
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("/requests/user row 5"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  }
  EXPECT_THROW(load_trace(::testing::TempDir() + "missing.h5"), BadInput);
  std::remove(path.c_str());
}
