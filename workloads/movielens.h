// MovieLens ratings (--dataset movielens:PATH): a real interaction log replayed as visits.
//
// PATH is a ratings.csv (`userId,movieId,rating,timestamp`, header, seconds) or a ratings.dat
// (`UserID::MovieID::Rating::Timestamp`, no header), told apart by content. Raw ids become dense
// integers in increasing raw-id order. Each user's ratings in time order (ties by item id) are the
// history; a gap over visit_gap_s starts a new visit; each visit is one request whose
// history_len is the number of ratings before it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/request.h"

namespace helm {

struct MovieLensParams {
  // 30 minutes of inactivity ends a visit: the customary web-analytics session timeout. MovieLens
  // users rate in sittings seconds apart, so anything from minutes to hours finds the same
  // sittings; 30 min keeps a lunch-break return a separate (KV-reusing) visit.
  double visit_gap_s = 1800.0;
  bool skip_bad_rows = false;  // count and skip malformed rows instead of throwing BadInput
};

// One parsed row; raw ids (MovieLens ids fit in 31 bits).
struct RawRating {
  int64_t time_s;
  int32_t user, item;
};

struct ParseResult {
  std::vector<RawRating> rows;
  std::string format;  // "csv" or "dat"
  int64_t lines = 0, bad_rows = 0;
  std::string first_bad;  // the first skipped row's message
  int32_t max_user = 0, max_item = 0;
};

// Streams the file (large blocks, hand-rolled parsing). Malformed rows (column count,
// non-numeric, negative or overflowing timestamp) throw BadInput("PATH:LINE: ...") unless
// skip_bad_rows.
ParseResult parse_movielens(const std::string& path, bool skip_bad_rows);

// The log with dense ids: user u's ratings are [user_offset[u], user_offset[u+1]) in time order.
struct RatingsLog {
  std::vector<int64_t> user_offset;  // num_users + 1
  std::vector<int32_t> item;         // dense item of each rating
  std::vector<int64_t> time_s;       // its timestamp
  std::vector<int32_t> raw_user, raw_item;  // dense -> raw id
  int64_t num_users() const { return static_cast<int64_t>(raw_user.size()); }
  int64_t num_items() const { return static_cast<int64_t>(raw_item.size()); }
  int64_t num_ratings() const { return static_cast<int64_t>(item.size()); }
  std::string format;
  int64_t bad_rows = 0;
  std::string first_bad;
};

RatingsLog build_log(ParseResult&& parsed);  // consumes the rows
RatingsLog load_movielens(const std::string& path, bool skip_bad_rows);

// The trace: visits in time order, compressed by one constant factor so their mean rate is qps
// (the real burstiness survives), cut at duration_s; if the file holds fewer visits than
// qps x duration_s, the trace ends with the file and a note says so. Candidates: popular draws
// follow the log's own rating counts. With `retime` (a regime's arrival times) the visits keep
// their order but take those times instead of their own.
Trace movielens_trace(RatingsLog&& log, const std::string& path, const MovieLensParams& p,
                      double qps, double duration_s, uint64_t seed, double popular_share,
                      const std::vector<Nanos>* retime = nullptr);

}  // namespace helm
