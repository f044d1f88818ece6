#include "workloads/movielens.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "common/rng.h"
#include "workloads/candidates.h"

namespace helm {

namespace {
// raw id -> dense id, dense ids in increasing raw order. A direct table when the raw ids are
// compact (MovieLens: < 300K), else binary search over the sorted distinct ids.
class DenseIds {
 public:
  DenseIds(const std::vector<RawRating>& rows, int32_t max_raw, int32_t RawRating::*field) {
    if (max_raw < (1 << 26)) {
      table_.assign(static_cast<size_t>(max_raw) + 1, -1);
      for (const auto& r : rows) table_[r.*field] = 0;
      for (int32_t raw = 0; raw <= max_raw; ++raw)
        if (table_[raw] == 0) {
          table_[raw] = static_cast<int32_t>(raw_.size());
          raw_.push_back(raw);
        }
    } else {
      for (const auto& r : rows)  // consecutive repeats are common (files grouped by user)
        if (raw_.empty() || raw_.back() != r.*field) raw_.push_back(r.*field);
      std::sort(raw_.begin(), raw_.end());
      raw_.erase(std::unique(raw_.begin(), raw_.end()), raw_.end());
    }
  }
  int32_t operator()(int32_t raw) const {
    if (!table_.empty()) return table_[raw];
    return static_cast<int32_t>(std::lower_bound(raw_.begin(), raw_.end(), raw) - raw_.begin());
  }
  std::vector<int32_t> take_raw() { return std::move(raw_); }

 private:
  std::vector<int32_t> table_, raw_;
};

// Histories and candidates from the log; popular candidates follow its rating counts.
class MovieLensItems final : public ItemSource {
 public:
  MovieLensItems(std::vector<int64_t> offsets, std::vector<int32_t> items, int64_t num_items,
                 uint64_t seed, double popular_share)
      : offsets_(std::move(offsets)), items_(std::move(items)), num_items_(num_items),
        candidate_seed_(stream_seed(seed, "candidates")), popular_share_(popular_share) {}
  int64_t num_items() const override { return num_items_; }
  int64_t num_users() const override { return static_cast<int64_t>(offsets_.size()) - 1; }
  void history(UserId user, int64_t len, std::vector<ItemId>& out) const override {
    const int64_t begin = offsets_[user];
    HELM_CHECK(len >= 0 && len <= offsets_[user + 1] - begin, "user {} has {} ratings, asked {}",
               user, offsets_[user + 1] - begin, len);
    out.assign(items_.begin() + begin, items_.begin() + begin + len);
  }
  void candidates(const Request& r, int M, std::vector<ItemId>& out) const override {
    // A uniformly drawn rating's item: exactly the empirical popularity.
    const auto popular = [this](Rng& g) { return static_cast<ItemId>(items_[g.below(items_.size())]); };
    mixed_candidates(candidate_seed_, r.id, M, num_items_, popular_share_, popular, out);
  }

 private:
  std::vector<int64_t> offsets_;
  std::vector<int32_t> items_;
  int64_t num_items_;
  uint64_t candidate_seed_;
  double popular_share_;
};
}  // namespace

RatingsLog build_log(ParseResult&& parsed) {
  std::vector<RawRating> rows = std::move(parsed.rows);
  DenseIds users(rows, parsed.max_user, &RawRating::user), items(rows, parsed.max_item, &RawRating::item);
  RatingsLog log;
  log.format = parsed.format;
  log.bad_rows = parsed.bad_rows;
  log.first_bad = parsed.first_bad;
  log.raw_user = users.take_raw();
  // Counting sort by dense user (O(rows)), then each user's few ratings by (time, item).
  const size_t nu = log.raw_user.size(), n = rows.size();
  log.user_offset.assign(nu + 1, 0);
  std::vector<int32_t> dense_user(n);
  int32_t last_raw = -1, last_dense = 0;
  for (size_t k = 0; k < n; ++k) {
    if (rows[k].user != last_raw) last_dense = users(last_raw = rows[k].user);
    dense_user[k] = last_dense;
    ++log.user_offset[last_dense + 1];
  }
  for (size_t u = 0; u < nu; ++u) log.user_offset[u + 1] += log.user_offset[u];
  std::vector<std::pair<int64_t, int32_t>> sorted(n);  // (time, dense item)
  {
    std::vector<int64_t> fill(log.user_offset.begin(), log.user_offset.end() - 1);
    for (size_t k = 0; k < n; ++k) sorted[fill[dense_user[k]]++] = {rows[k].time_s, items(rows[k].item)};
  }
  log.raw_item = items.take_raw();
  std::vector<RawRating>().swap(rows);
  std::vector<int32_t>().swap(dense_user);
  for (size_t u = 0; u < nu; ++u)
    std::sort(sorted.begin() + log.user_offset[u], sorted.begin() + log.user_offset[u + 1]);
  log.item.resize(n);
  log.time_s.resize(n);
  for (size_t k = 0; k < n; ++k) {
    log.time_s[k] = sorted[k].first;
    log.item[k] = sorted[k].second;
  }
  return log;
}

RatingsLog load_movielens(const std::string& path, bool skip_bad_rows) {
  return build_log(parse_movielens(path, skip_bad_rows));
}

Trace movielens_trace(RatingsLog&& log, const std::string& path, const MovieLensParams& p,
                      double qps, double duration_s, uint64_t seed, double popular_share,
                      const std::vector<Nanos>* retime) {
  if (!(p.visit_gap_s >= 0)) bad_input("movielens: visit_gap_s must be >= 0, got {}", p.visit_gap_s);
  struct Visit {
    int64_t time_s;
    int32_t user;
    int32_t history_len;
  };
  std::vector<Visit> visits;
  const int64_t gap = static_cast<int64_t>(std::ceil(p.visit_gap_s));
  for (int64_t u = 0; u < log.num_users(); ++u) {
    const int64_t b = log.user_offset[u], e = log.user_offset[u + 1];
    for (int64_t k = b; k < e; ++k)
      if (k == b || log.time_s[k] - log.time_s[k - 1] > gap)
        visits.push_back({log.time_s[k], static_cast<int32_t>(u), static_cast<int32_t>(k - b)});
  }
  std::sort(visits.begin(), visits.end(), [](const Visit& a, const Visit& b) {
    return a.time_s != b.time_s ? a.time_s < b.time_s : a.user < b.user;
  });
  // One constant factor maps the file's span onto (visits - 1) / qps seconds: mean rate = qps.
  const int64_t t0 = visits.front().time_s, span_s = visits.back().time_s - t0;
  const double ns_per_file_s =
      span_s > 0 ? static_cast<double>(visits.size() - 1) / qps * 1e9 / static_cast<double>(span_s) : 0.0;
  const double end_ns = duration_s * 1e9;

  Trace trace;
  trace.name = "movielens:" + path;
  const double want = retime ? static_cast<double>(retime->size()) : qps * duration_s;
  for (size_t k = 0; k < visits.size(); ++k) {
    const Visit& v = visits[k];
    if (retime && k >= retime->size()) break;
    const double t = retime ? static_cast<double>((*retime)[k])
                            : static_cast<double>(v.time_s - t0) * ns_per_file_s;
    if (t >= end_ns) break;
    Request r;
    r.id = static_cast<int64_t>(trace.requests.size());
    r.user = v.user;
    r.arrival = static_cast<Nanos>(std::llround(t));
    r.history_len = v.history_len;
    trace.requests.push_back(r);
  }
  trace.notes.push_back(fmt::format(
      "movielens {} ({}): {} users, {} items, {} ratings, {} visits (gap > {} s); 1 s of file time = {:.3g} ns",
      path, log.format, log.num_users(), log.num_items(), log.num_ratings(), visits.size(),
      p.visit_gap_s, ns_per_file_s));
  if (static_cast<double>(visits.size()) < want)
    trace.notes.push_back(fmt::format("file ended before --duration: {} visits < {:.0f} wanted; "
                                      "the trace ends with the file at {:.3f} s",
                                      visits.size(), want,
                                      trace.requests.empty() ? 0.0 : trace.requests.back().arrival / 1e9));
  if (log.bad_rows > 0)
    trace.notes.push_back(fmt::format("skipped {} malformed rows; first: {}", log.bad_rows, log.first_bad));
  // Each visit is one request, so no two requests of a user fall within the visit gap; for
  // trace_stats' "users in session at once" a return within a day of file time counts instead.
  trace.session_timeout = static_cast<Nanos>(86400.0 * ns_per_file_s);
  trace.items = std::make_shared<MovieLensItems>(std::move(log.user_offset), std::move(log.item),
                                                 log.num_items(), seed, popular_share);
  return trace;
}

}  // namespace helm
