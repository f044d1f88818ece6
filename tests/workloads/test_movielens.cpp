#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "common/error.h"
#include "workloads/arrivals.h"
#include "workloads/movielens.h"
#include "workloads/trace_stats.h"
#include "workloads/workload.h"

#include "tests/require.h"
#include "tests/workloads/shared_dir.h"

using namespace helm;

namespace {
std::string write_file(const std::string& name, const std::string& body) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << body;
  return path;
}

// Two users (raw 7 and 3) and three items (raw 50, 10, 20). User 7 makes two visits
// (1000..1010, then 9000 after a gap over 30 min); user 3 one visit (with a tie at t = 500).
const char* kRows[] = {"7,50,4.0,1000", "7,10,3.5,1010", "7,20,5,9000", "3,20,1,500", "3,10,2.5,500"};

std::string csv_fixture() {
  std::string s = "\xEF\xBB\xBFuserId,movieId,rating,timestamp\r\n";
  for (const char* r : kRows) s += std::string(r) + "\r\n";
  return s;
}

std::string dat_fixture() {
  std::string s;
  for (std::string r : kRows) {
    for (size_t p; (p = r.find(',')) != std::string::npos;) r.replace(p, 1, "::");
    s += r + "\n";
  }
  return s;  // no header, LF
}

void check_fixture_log(const RatingsLog& log) {
  ASSERT_EQ(log.num_users(), 2);
  ASSERT_EQ(log.num_items(), 3);
  EXPECT_EQ(log.raw_user, (std::vector<int32_t>{3, 7}));  // dense in raw order
  EXPECT_EQ(log.raw_item, (std::vector<int32_t>{10, 20, 50}));
  EXPECT_EQ(log.user_offset, (std::vector<int64_t>{0, 2, 5}));
  // user 3 (dense 0): tie at t=500 broken by item: 10 (dense 0), 20 (dense 1)
  // user 7 (dense 1): 50 @1000, 10 @1010, 20 @9000
  EXPECT_EQ(log.item, (std::vector<int32_t>{0, 1, 2, 0, 1}));
  EXPECT_EQ(log.time_s, (std::vector<int64_t>{500, 500, 1000, 1010, 9000}));
}

std::string error_of(const std::string& body, const std::string& name) {
  const std::string path = write_file(name, body);
  try {
    parse_movielens(path, false);
  } catch (const BadInput& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(MovieLens, CsvWithBomHeaderCrlf) {
  const auto log = load_movielens(write_file("ratings.csv", csv_fixture()), false);
  EXPECT_EQ(log.format, "csv");
  check_fixture_log(log);
}

TEST(MovieLens, DatWithoutHeader) {
  const auto log = load_movielens(write_file("ratings.dat", dat_fixture()), false);
  EXPECT_EQ(log.format, "dat");
  check_fixture_log(log);
}

TEST(MovieLens, QuotedFieldsAndNoTrailingNewline) {
  const auto log = load_movielens(
      write_file("quoted.csv", "\"userId\",\"movieId\",\"rating\",\"timestamp\"\n\"1\",\"2\",\"3.0\",\"4\""), false);
  EXPECT_EQ(log.num_ratings(), 1);
}

TEST(MovieLens, VisitsBecomeRequestsCompressedToQps) {
  const std::string path = write_file("visits.csv", csv_fixture());
  MovieLensParams p;  // 30-min gap: visits at t = 500 (user 3), 1000 and 9000 (user 7)
  Trace t = movielens_trace(load_movielens(path, false), path, p, 1.0, 100.0, 1, 0.5);
  ASSERT_EQ(t.requests.size(), 3u);
  EXPECT_EQ(t.requests[0].user, 0);
  EXPECT_EQ(t.requests[0].history_len, 0);
  EXPECT_EQ(t.requests[1].user, 1);
  EXPECT_EQ(t.requests[1].history_len, 0);
  EXPECT_EQ(t.requests[2].history_len, 2);
  // 3 visits at 1 qps span 2 s: file span 8500 s -> 2 s.
  EXPECT_EQ(t.requests[0].arrival, 0);
  EXPECT_EQ(t.requests[2].arrival, 2000000000);
  EXPECT_NEAR(static_cast<double>(t.requests[1].arrival), 500.0 / 8500 * 2e9, 1.0);
  // 3 visits < 1 qps x 100 s: a note says the file ended first.
  bool noted = false;
  for (const auto& n : t.notes) noted |= n.find("file ended before --duration") != std::string::npos;
  EXPECT_TRUE(noted);
  std::vector<ItemId> h;
  t.items->history(1, 2, h);
  EXPECT_EQ(h, (std::vector<ItemId>{2, 0}));  // raw 50, 10
  t.items->candidates(t.requests[2], 1, h);
  EXPECT_EQ(h.size(), 1u);
}

TEST(MovieLens, MalformedRowsNameFileAndLine) {
  const std::string head = "userId,movieId,rating,timestamp\n1,2,3.0,100\n";
  std::string e = error_of(head + "1,2,3.0\n", "cols.csv");
  EXPECT_NE(e.find("cols.csv:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("expected 4 fields"), std::string::npos) << e;
  e = error_of(head + "1,x2,3.0,100\n", "nonnum.csv");
  EXPECT_NE(e.find("nonnum.csv:3: movieId 'x2'"), std::string::npos) << e;
  e = error_of(head + "1,2,3.0,100\n1,2,abc,100\n", "rating.csv");
  EXPECT_NE(e.find("rating.csv:4: rating"), std::string::npos) << e;
  e = error_of(head + "1,2,3.0,-5\n", "neg.csv");
  EXPECT_NE(e.find("neg.csv:3: timestamp '-5' is negative"), std::string::npos) << e;
  e = error_of(head + "1,2,3.0,99999999999999999999\n", "big.csv");
  EXPECT_NE(e.find("big.csv:3: timestamp"), std::string::npos) << e;
  e = error_of("1::2::3::100\n1::2::3\n", "bad.dat");
  EXPECT_NE(e.find("bad.dat:2:"), std::string::npos) << e;
  e = error_of("user,item,rating,time\n1,2,3,4\n", "header.csv");
  EXPECT_NE(e.find("header.csv:1: unexpected header"), std::string::npos) << e;
  EXPECT_NE(e.find("userId,movieId,rating,timestamp"), std::string::npos) << e;
  e = error_of("userId,movieId,rating,timestamp\n", "empty.csv");
  EXPECT_NE(e.find("no ratings"), std::string::npos) << e;
}

TEST(MovieLens, SkipModeCountsBadRows) {
  const std::string path =
      write_file("skip.csv", "userId,movieId,rating,timestamp\n1,2,3,100\n1,x,3,100\n1,3,3\n2,4,5,-1\n2,5,1,7\n");
  const ParseResult r = parse_movielens(path, true);
  EXPECT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.bad_rows, 3);
  EXPECT_NE(r.first_bad.find("skip.csv:3:"), std::string::npos) << r.first_bad;
  WorkloadSpec s;
  s.dataset = "movielens:" + path;
  s.movielens.skip_bad_rows = true;
  const Trace t = build_trace(s);
  bool noted = false;
  for (const auto& n : t.notes) noted |= n.find("skipped 3 malformed rows") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(MovieLens, SharedLatestSmall) {
  const std::string path = shared_dir() + "/data/movielens-latest-small/ratings.csv";
  HELM_REQUIRE(std::ifstream(path), "no " << path);
  const RatingsLog log = load_movielens(path, false);
  EXPECT_EQ(log.num_users(), 610);
  // README.txt's 9,742 movies are movies.csv; 18 of them have no rating, so ratings.csv holds 9,724.
  EXPECT_EQ(log.num_items(), 9724);
  EXPECT_EQ(log.num_ratings(), 100836);
  for (int64_t u = 0; u < log.num_users(); ++u)
    for (int64_t k = log.user_offset[u] + 1; k < log.user_offset[u + 1]; ++k)
      ASSERT_LE(log.time_s[k - 1], log.time_s[k]);

  WorkloadSpec s;
  s.dataset = "movielens:" + path;
  s.qps = 50;
  s.duration_s = 30;
  const Trace a = build_trace(s), b = build_trace(s);
  ASSERT_EQ(a.requests.size(), b.requests.size());
  ASSERT_GT(a.requests.size(), 100u);
  EXPECT_LE(a.requests.back().arrival, static_cast<Nanos>(30e9));
  std::vector<ItemId> h1, h2;
  for (size_t k = 0; k < a.requests.size(); k += 97) {
    EXPECT_EQ(a.requests[k].user, b.requests[k].user);
    a.items->history(a.requests[k].user, a.requests[k].history_len, h1);
    EXPECT_EQ(h1.size(), static_cast<size_t>(a.requests[k].history_len));
  }
  std::cout << format_stats(trace_stats(a));
  for (const auto& n : a.notes) std::cout << "note: " << n << "\n";
}

TEST(MovieLens, RetimedByRegime) {
  const std::string path = shared_dir() + "/data/movielens-latest-small/ratings.csv";
  HELM_REQUIRE(std::ifstream(path), "no " << path);
  WorkloadSpec s;
  s.dataset = "movielens:" + path;
  const std::string azure = shared_dir() + "/data/azure-llm-2023/AzureLLMInferenceTrace_conv.csv";
  s.workload = "replay:" + azure;
  s.qps = 20;
  s.duration_s = 20;
  const Trace t = build_trace(s);
  const auto times = ReplayArrivals(azure).arrivals(20, 20, 0);
  ASSERT_EQ(t.requests.size(), times.size());  // the log has 7145 visits: enough for all
  for (size_t k = 0; k < times.size(); ++k) ASSERT_EQ(t.requests[k].arrival, times[k]);
  s.workload = "steady";  // the log's own timestamps
  const Trace own = build_trace(s);
  for (size_t k = 0; k < 50; ++k) {  // same visits in the same order, only re-timed
    EXPECT_EQ(t.requests[k].user, own.requests[k].user);
    EXPECT_EQ(t.requests[k].history_len, own.requests[k].history_len);
  }
}

TEST(MovieLens, FastAndCarefulParsersAgreeOnEdgeRows) {
  // Accepted by the careful path only (quotes, a leading-dot rating) or by both.
  const auto log = load_movielens(
      write_file("edge.csv", "1,2,.5,3\n\"4\",5,3.0,6\n7::8::9::10\n"), true);
  EXPECT_EQ(log.num_ratings(), 2);  // the .dat-style row is one field of a CSV: skipped
  std::string e = error_of("1,2,3,4\n12345678901234567890,2,3,4\n", "huge.csv");
  EXPECT_NE(e.find("huge.csv:2: userId"), std::string::npos) << e;
  e = error_of("1,2,3,4\n1,2,3,9223372037\n", "ns.csv");  // seconds whose ns overflow int64
  EXPECT_NE(e.find("ns.csv:2: timestamp '9223372037' overflows"), std::string::npos) << e;
  e = error_of("1,2,3,4\n1,2,3,4,5\n", "five.csv");
  EXPECT_NE(e.find("found 5"), std::string::npos) << e;
}
