// The real-format loaders on fixtures written here in each file's exact format (CRLF, quoted
// fields, a UTF-8 byte-order mark), their errors, and a trace built from one.
#include <gtest/gtest.h>

#include <fstream>

#include "common/error.h"
#include "workloads/loaders.h"
#include "workloads/workload.h"

using namespace helm;

namespace {
std::string write_file(const std::string& name, const std::string& body) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << body;
  return path;
}
std::string error_of(const LogSource& s, bool skip = false) {
  try {
    load_log(s, skip);
  } catch (const BadInput& e) {
    return e.what();
  }
  return "";
}
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST(Loaders, KuaiRandWithBomCrlfAndQuotes) {
  const std::string path = write_file(
      "log_standard_4_08_to_4_21_27k_part1.csv",
      "\xEF\xBB\xBFuser_id,video_id,date,hourmin,time_ms,is_click,is_like\r\n"
      "0,\"1234\",20220408,1500,1649401200000,1,0\r\n"
      "0,99,20220408,1501,1649401260500,0,0\r\n"
      "7,1234,20220409,900,1649466000000,1,1\r\n");
  const RatingsLog log = load_log({"kuairand", path}, false);
  EXPECT_EQ(log.num_ratings(), 3);
  EXPECT_EQ(log.num_users(), 2);
  EXPECT_EQ(log.num_items(), 2);
  EXPECT_EQ(log.time_s[0], 1649401200);  // milliseconds -> seconds
  EXPECT_EQ(log.item[0], log.item[2]);   // "1234" and 1234 are one video
}

TEST(Loaders, Amazon2018StringIdsNoHeader) {
  const std::string path = write_file("Books.csv",
                                      "0001713353,A1C6M8LCIX4M6M,5.0,1123804800\n"
                                      "0001713353,A1REUF3A1YCPHM,5.0,1112140800\n"
                                      "000171287X,A1C6M8LCIX4M6M,4.0,1140048000\n");
  const RatingsLog log = load_log({"amazon2018", path}, false);
  EXPECT_EQ(log.num_users(), 2);
  EXPECT_EQ(log.num_items(), 2);
  ASSERT_EQ(log.user_offset[1], 2);  // user A1C6M8LCIX4M6M: 2 ratings in time order
  EXPECT_LT(log.time_s[0], log.time_s[1]);
  const std::string header = write_file("Books_h.csv", "item,user,rating,timestamp\n0001713353,A1,5.0,1\n");
  const std::string e = error_of({"amazon2018", header});
  EXPECT_TRUE(has(e, header + ":1: unexpected header")) << e;
  EXPECT_TRUE(has(e, "item,user,rating,timestamp")) << e;
}

TEST(Loaders, Amazon2023Milliseconds) {
  const std::string path = write_file("Books_2023.csv",
                                      "user_id,parent_asin,rating,timestamp\r\n"
                                      "AGKHLEW2SOWHNMFQIJGBECAF7INQ,B00YQ6X8EO,5.0,1588687728923\r\n"
                                      "AGKHLEW2SOWHNMFQIJGBECAF7INQ,B081TJ8YS3,4.0,1588615855070\r\n");
  const RatingsLog log = load_log({"amazon2023", path}, false);
  EXPECT_EQ(log.num_users(), 1);
  EXPECT_EQ(log.time_s[0], 1588615855);  // sorted by time within the user
  const std::string wrong = write_file("Books_bad.csv", "user,item,rating,time\r\nA,B,5,1\r\n");
  const std::string e = error_of({"amazon2023", wrong});
  EXPECT_TRUE(has(e, "user_id,parent_asin,rating,timestamp")) << e;
}

TEST(Loaders, TaobaoAndBadRows) {
  const std::string body =
      "1,2268318,2520377,pv,1511544070\n"
      "1,2333346,2520771,pv,1511561733\n"
      "1,2576651,149192,pv\n"
      "2,2576651,149192,buy,-1511572885\n"
      "2,230380,411153,pv,15115x\n"
      "3,3830808,4181361,pv,1511593493\n";
  const std::string path = write_file("UserBehavior.csv", body);
  const std::string e = error_of({"taobao", path});
  EXPECT_TRUE(has(e, path + ":3: expected exactly 5 fields")) << e;
  const ParseResult r = parse_interactions({"taobao", path}, true);
  EXPECT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.bad_rows, 3);
  EXPECT_TRUE(has(r.first_bad, ":3:"));
  const std::string neg = write_file("ub_neg.csv", "1,2,3,pv,1511544070\n2,2576651,149192,buy,-1511572885\n");
  EXPECT_TRUE(has(error_of({"taobao", neg}), "negative")) << error_of({"taobao", neg});
}

TEST(Loaders, EmptyFilesAndUnknownFormats) {
  const std::string empty = write_file("empty.csv", "");
  const std::string e = error_of({"kuairand", empty});
  EXPECT_TRUE(has(e, "user_id,video_id,date,hourmin,time_ms,is_click")) << e;
  EXPECT_TRUE(has(error_of({"taobao", empty}), "user_id,item_id,category_id,behavior_type,timestamp"));
  EXPECT_THROW(parse_log_source("parquet:/x"), BadInput);
  EXPECT_THROW(parse_log_source("taobao:"), BadInput);
  EXPECT_EQ(parse_log_source("amazon2018:/a:b.csv").path, "/a:b.csv");
}

TEST(Loaders, TraceFromAnyFormat) {
  std::string body;
  for (int u = 0; u < 50; ++u)
    for (int k = 0; k < 20; ++k)
      body += fmt::format("{},{},{},pv,{}\n", u, (u * 7 + k * 13) % 300, k % 5, 1511500000 + u * 500 + k * 4000);
  WorkloadSpec s;
  s.dataset = "taobao:" + write_file("ub_trace.csv", body);
  s.qps = 20;
  s.duration_s = 1000;
  s.workload = "burst";
  const Trace t = build_trace(s);
  EXPECT_FALSE(t.requests.empty());
  EXPECT_EQ(t.name, s.dataset + ":burst");
  std::vector<ItemId> h;
  for (const auto& r : t.requests) {
    t.items->history(r.user, r.history_len, h);
    ASSERT_EQ(h.size(), static_cast<size_t>(r.history_len));
  }
}
