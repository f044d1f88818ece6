// The MovieLens parser: one pass over large blocks, fields parsed in place.
#include <algorithm>
#include <cctype>

#include "common/error.h"
#include "workloads/movielens.h"
#include "workloads/text_reader.h"

namespace helm {

namespace {
constexpr const char* kCsvHeader = "userId,movieId,rating,timestamp";
constexpr const char* kDatFormat = "UserID::MovieID::Rating::Timestamp";
constexpr uint64_t kMaxId = 0x7fffffff;
constexpr uint64_t kMaxTimeS = 9223372036;  // seconds whose nanoseconds still fit in int64

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool starts_numeric(std::string_view line) {
  line = line.empty() || line[0] != '"' ? line : line.substr(1);
  return !line.empty() && ((line[0] >= '0' && line[0] <= '9') || line[0] == '-');
}

// The fast path: a plain row of unsigned integers (rating: digits and a dot) in one pass with no
// field splitting. Anything unusual (quotes, signs, blanks, wrong field count, overflow) returns
// false and the careful parse below decides, with the message.
bool parse_row_fast(std::string_view line, char sep, bool dat, RawRating& r) {
  const char* p = line.data();
  const char* const end = p + line.size();
  uint64_t v[4];
  for (int f = 0; f < 4; ++f) {
    const char* start = p;
    uint64_t x = 0;
    if (f == 2) {
      while (p < end && ((*p >= '0' && *p <= '9') || *p == '.')) ++p;  // validated loosely
      if (p == start || *start == '.' || std::count(start, p, '.') > 1) return false;
    } else {
      while (p < end && *p >= '0' && *p <= '9' && p - start < 18) x = x * 10 + (*p++ - '0');
      if (p == start) return false;
    }
    v[f] = x;
    if (f < 3) {
      if (p >= end || *p != sep) return false;
      ++p;
      if (dat) {
        if (p >= end || *p != ':') return false;
        ++p;
      }
    } else if (p != end) {
      return false;
    }
  }
  if (v[0] > kMaxId || v[1] > kMaxId || v[3] > kMaxTimeS) return false;
  r.user = static_cast<int32_t>(v[0]);
  r.item = static_cast<int32_t>(v[1]);
  r.time_s = static_cast<int64_t>(v[3]);
  return true;
}

// Empty when the row is good, else the reason (without file:line).
std::string parse_row(std::string_view line, std::string_view sep, bool dat, RawRating& r) {
  std::string_view f[4];
  const int n = split_fields(line, sep, f, 4);
  if (n != 4)
    return fmt::format("expected 4 fields ({}), found {}", dat ? kDatFormat : kCsvHeader, n);
  uint64_t user, item, ts;
  if (!parse_uint(f[0], kMaxId, user))
    return fmt::format("{} '{}' is not an integer in [0, 2^31)", dat ? "UserID" : "userId", f[0]);
  if (!parse_uint(f[1], kMaxId, item))
    return fmt::format("{} '{}' is not an integer in [0, 2^31)", dat ? "MovieID" : "movieId", f[1]);
  if (!parse_decimal(f[2])) return fmt::format("{} '{}' is not a number", dat ? "Rating" : "rating", f[2]);
  if (!parse_uint(f[3], kMaxTimeS, ts)) {
    const std::string_view t = unquote(f[3]);
    const char* name = dat ? "Timestamp" : "timestamp";
    if (!t.empty() && t[0] == '-') return fmt::format("{} '{}' is negative", name, f[3]);
    if (!t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return fmt::format("{} '{}' overflows (max {} s)", name, f[3], kMaxTimeS);
    return fmt::format("{} '{}' is not a non-negative integer (seconds)", name, f[3]);
  }
  r.time_s = static_cast<int64_t>(ts);
  r.user = static_cast<int32_t>(user);
  r.item = static_cast<int32_t>(item);
  return {};
}
}  // namespace

ParseResult parse_movielens(const std::string& path, bool skip_bad_rows) {
  LineReader in(path);
  ParseResult res;
  // A ratings.csv row is 20-30 bytes: reserving for 24 avoids most regrowth copies.
  res.rows.reserve(static_cast<size_t>(in.file_size() / 24) + 16);
  std::string_view line;
  bool first = true, dat = false;
  std::string_view sep = ",";
  RawRating r;
  while (in.next(line)) {
    if (line.empty()) continue;
    if (first) {
      first = false;
      dat = line.find("::") != std::string_view::npos;
      sep = dat ? "::" : ",";
      res.format = dat ? "dat" : "csv";
      if (!starts_numeric(line)) {  // a header: only the CSV has one, and only this one
        std::string_view f[5];
        const int n = split_fields(line, sep, f, 5);
        const bool ok = !dat && n == 4 && iequal(unquote(f[0]), "userId") &&
                        iequal(unquote(f[1]), "movieId") && iequal(unquote(f[2]), "rating") &&
                        iequal(unquote(f[3]), "timestamp");
        if (!ok)
          bad_input("{}:{}: unexpected header '{}'; expected '{}' (ratings.csv) or no header "
                    "with rows '{}' (ratings.dat)", path, in.line_number(), excerpt(line), kCsvHeader, kDatFormat);
        continue;
      }
    }
    std::string why;
    if (!parse_row_fast(line, sep[0], dat, r) && !(why = parse_row(line, sep, dat, r)).empty()) {
      const std::string msg = fmt::format("{}:{}: {}", path, in.line_number(), why);
      if (!skip_bad_rows) throw BadInput(msg);
      if (res.bad_rows++ == 0) res.first_bad = msg;
      continue;
    }
    res.max_user = std::max(res.max_user, r.user);
    res.max_item = std::max(res.max_item, r.item);
    res.rows.push_back(r);
  }
  res.lines = in.line_number();
  if (res.rows.empty())
    bad_input("{}: no ratings found; expected rows '{}' (with that header) or '{}'", path, kCsvHeader, kDatFormat);
  return res;
}

}  // namespace helm
