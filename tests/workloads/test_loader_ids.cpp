// The string-id loaders against a plain reference on generated files big enough to grow the id
// tables many times: ids of every length (inline and long), quoted and bare spellings of one id,
// grouped runs and random repeats. The dense ids must be the order of first appearance, exactly
// as a std::unordered_map interning gives them, and the built log must keep its recorded digest
// (recorded from the loader before its id tables were reworked) so a faster loader cannot change a trace.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <unordered_map>

#include "common/rng.h"
#include "workloads/loaders.h"

using namespace helm;

namespace {
std::string id_text(uint64_t id) {
  // Lengths from 1 to ~40 bytes, a function of the id so one id always has one spelling.
  const int len = 1 + static_cast<int>(hash64(id, 7) % 40);
  std::string s = fmt::format("{:X}", id);
  while (static_cast<int>(s.size()) < len) s = "Z" + s;
  return s;
}

// Rows in `format`'s layout; ~rows/4 users and items, so the tables grow past their first size.
std::string write_log(const std::string& format, int rows, uint64_t seed) {
  Rng rng(seed);
  std::string body = format == "kuairand" ? "user_id,video_id,date,hourmin,time_ms,is_click,is_like\n" : "";
  uint64_t user = 0;
  for (int k = 0; k < rows; ++k) {
    if (rng.below(3) != 0) user = rng.below(static_cast<uint64_t>(rows / 4));  // else: a grouped run
    const uint64_t item = rng.below(static_cast<uint64_t>(rows / 4));
    std::string u = format == "amazon2018" ? id_text(user) : std::to_string(user);
    std::string i = format == "amazon2018" ? id_text(item + 1000000) : std::to_string(item);
    if (rng.below(10) == 0) u = "\"" + u + "\"";  // a quoted spelling is the same id
    const uint64_t t = 1500000000 + rng.below(100000000);
    if (format == "amazon2018") body += fmt::format("{},{},{}.0,{}\n", i, u, 1 + rng.below(5), t);
    else if (format == "taobao") body += fmt::format("{},{},{},pv,{}\n", u, i, rng.below(1000), t);
    else body += fmt::format("{},{},20220408,1500,{},1,0\n", u, i, t * 1000 + rng.below(1000));
  }
  const std::string path = ::testing::TempDir() + "ids_" + format + ".csv";
  std::ofstream(path, std::ios::binary) << body;
  return path;
}

struct Ref {
  std::vector<int32_t> user, item;
  std::vector<int64_t> time_s;
};
// The reference: getline, split at commas, unordered_map interning.
Ref reference(const std::string& format, const std::string& path) {
  const int ucol = format == "amazon2018" ? 1 : 0, icol = format == "amazon2018" ? 0 : 1;
  const int tcol = format == "kuairand" ? 4 : format == "taobao" ? 4 : 3;
  const int64_t div = format == "kuairand" ? 1000 : 1;
  std::unordered_map<std::string, int32_t> users, items;
  Ref r;
  std::ifstream in(path);
  std::string line;
  if (format == "kuairand") std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    size_t pos = 0;
    for (size_t c; (c = line.find(',', pos)) != std::string::npos; pos = c + 1) f.push_back(line.substr(pos, c - pos));
    f.push_back(line.substr(pos));
    for (auto& s : f)
      if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    r.user.push_back(users.try_emplace(f[ucol], static_cast<int32_t>(users.size())).first->second);
    r.item.push_back(items.try_emplace(f[icol], static_cast<int32_t>(items.size())).first->second);
    r.time_s.push_back(std::stoll(f[tcol]) / div);
  }
  return r;
}

uint64_t digest(const RatingsLog& log) {
  uint64_t h = 1;
  for (int64_t v : log.user_offset) h = hash64(h, static_cast<uint64_t>(v));
  for (int32_t v : log.item) h = hash64(h, static_cast<uint64_t>(v));
  for (int64_t v : log.time_s) h = hash64(h, static_cast<uint64_t>(v));
  for (int32_t v : log.raw_user) h = hash64(h, static_cast<uint64_t>(v));
  for (int32_t v : log.raw_item) h = hash64(h, static_cast<uint64_t>(v));
  return h;
}
}  // namespace

class LoaderIds : public ::testing::TestWithParam<std::pair<const char*, uint64_t>> {};

TEST_P(LoaderIds, DenseIdsInFirstAppearanceOrderAndRecordedDigest) {
  const std::string format = GetParam().first;
  const std::string path = write_log(format, 200000, stream_seed(11, format));
  const Ref ref = reference(format, path);
  const ParseResult r = parse_interactions({format, path}, false);
  ASSERT_EQ(r.rows.size(), ref.user.size());
  for (size_t k = 0; k < r.rows.size(); ++k) {
    ASSERT_EQ(r.rows[k].user, ref.user[k]) << "row " << k;
    ASSERT_EQ(r.rows[k].item, ref.item[k]) << "row " << k;
    ASSERT_EQ(r.rows[k].time_s, ref.time_s[k]) << "row " << k;
  }
  EXPECT_GT(r.max_user, 65536 / 2);  // the tables grew at least once
  EXPECT_EQ(digest(load_log({format, path}, false)), GetParam().second) << format;
}

INSTANTIATE_TEST_SUITE_P(Formats, LoaderIds,
                         ::testing::Values(std::pair<const char*, uint64_t>{"amazon2018", 4133299625330967997ull},
                                           std::pair<const char*, uint64_t>{"taobao", 4359377476104580383ull},
                                           std::pair<const char*, uint64_t>{"kuairand", 11641472055773245052ull}));
