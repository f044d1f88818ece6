// The reorder buffer in front of the results writer (`sim`'s /requests stream): rows that finish
// out of order reach a real results file in id order, each id once; what it holds is only the
// rows finished ahead of the oldest unfinished id; a missing id, a duplicate and a stray id are
// reported, never written.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "harness/cluster/ordered_rows.h"
#include "harness/results_sink.h"
#include "results/reader.h"

using namespace helm;

namespace {

std::string temp_file(const std::string& name) {
  const auto p = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()) + ".h5");
  std::filesystem::remove(p);
  return p.string();
}

RequestRow row(int64_t id) {
  RequestRow r;
  r.id = id;
  r.user = id * 7 % 100;
  r.arrival = id * 1000;
  r.finish = id * 1000 + 500 + id % 13;
  r.status = id % 5 ? kCompleted : kDropped;
  return r;
}

// Finish order: id i finishes at i * 1000 + a random delay of up to `spread` ids' worth of time,
// as requests queued on different nodes do.
std::vector<int64_t> finish_order(int64_t n, int64_t spread, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::pair<int64_t, int64_t>> at;
  for (int64_t id = 0; id < n; ++id) at.emplace_back(id * 1000 + static_cast<int64_t>(rng() % (spread * 1000)), id);
  std::sort(at.begin(), at.end());
  std::vector<int64_t> order;
  for (const auto& [t, id] : at) order.push_back(id);
  return order;
}

}  // namespace

TEST(OrderedRequestRows, OutOfOrderRowsReachTheFileInIdOrderOnce) {
  const std::string path = temp_file("helm_ordered_rows");
  constexpr int64_t kN = 20000, kSpread = 300;
  const auto order = finish_order(kN, kSpread, 3);
  ASSERT_FALSE(std::is_sorted(order.begin(), order.end()));
  OrderedRequestRows::End end;
  {
    ResultsSink file(path, RootAttributes{}.set("kind", "ordered rows test"), std::chrono::milliseconds(20));
    OrderedRequestRows ordered(file, kN);
    size_t most = 0;
    for (const int64_t id : order) {
      ordered.add(row(id));
      most = std::max(most, ordered.waiting());
      if (id % 4000 == 0) ordered.add(NodeRow{});  // other tables pass straight through
    }
    EXPECT_LT(most, static_cast<size_t>(2 * kSpread));  // only rows ahead of the oldest unfinished
    EXPECT_EQ(ordered.waiting(), 0u);
    EXPECT_EQ(ordered.next(), kN);
    end = ordered.finish();
    EXPECT_GE(end.max_waiting, most);  // its high-water mark counts the row just come, too
    EXPECT_LT(end.max_waiting, static_cast<size_t>(2 * kSpread));
    file.finish(RootAttributes{});
  }
  EXPECT_TRUE(end.clean());
  ResultsReader r(path);
  const auto rows = r.requests();
  ASSERT_EQ(rows.size(), static_cast<size_t>(kN));
  for (int64_t id = 0; id < kN; ++id) ASSERT_EQ(rows[static_cast<size_t>(id)], row(id)) << "row " << id;
  EXPECT_EQ(r.nodes().size(), 5u);
  std::filesystem::remove(path);
}

TEST(OrderedRequestRows, AMissingIdIsReportedAndWhatCameIsKept) {
  const std::string path = temp_file("helm_ordered_rows_gap");
  constexpr int64_t kN = 1000;
  OrderedRequestRows::End end;
  {
    ResultsSink file(path, RootAttributes{});
    OrderedRequestRows ordered(file, kN);
    for (const int64_t id : finish_order(kN, 20, 9))
      if (id != 500 && id != 998 && id != 999) ordered.add(row(id));  // 998, 999: the last never came
    EXPECT_EQ(ordered.next(), 500);  // everything after the gap waits
    EXPECT_EQ(ordered.waiting(), static_cast<size_t>(kN - 501 - 2));
    ordered.add(row(3));     // already passed on
    ordered.add(row(700));   // waiting already
    ordered.add(row(kN));    // beyond the trace
    end = ordered.finish();
    file.finish(RootAttributes{});
  }
  EXPECT_FALSE(end.clean());
  EXPECT_EQ(end.missing, 3);
  EXPECT_EQ(end.first_missing, (std::vector<int64_t>{500, 998, 999}));
  EXPECT_EQ(end.duplicates, 2);
  EXPECT_EQ(end.out_of_range, 1);
  const auto rows = ResultsReader(path).requests();
  ASSERT_EQ(rows.size(), static_cast<size_t>(kN - 3));  // each row that came, once, in id order
  for (size_t i = 1; i < rows.size(); ++i) ASSERT_LT(rows[i - 1].id, rows[i].id);
  EXPECT_EQ(rows[500].id, 501);
  std::filesystem::remove(path);
}

TEST(OrderedRequestRows, NothingCameMeansEveryIdMissing) {
  RowCollector out;
  OrderedRequestRows ordered(out, 50);
  const auto end = ordered.finish();
  EXPECT_EQ(end.missing, 50);
  EXPECT_EQ(end.first_missing.size(), OrderedRequestRows::End::kListed);
  EXPECT_TRUE(out.requests.empty());
}
