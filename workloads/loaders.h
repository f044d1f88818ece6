// Real interaction logs selected with --dataset FORMAT:PATH, all turned into one RatingsLog
// (movielens.h) with dense ids, so one trace builder replays any of them.
//
// Formats (PATH a file; ids may be strings and are remapped to dense integers in order of first
// appearance, except MovieLens' integer ids, which keep their order):
//   movielens   ratings.csv (userId,movieId,rating,timestamp; header; s) or ratings.dat
//   kuairand    log_standard_*.csv: header user_id,video_id,date,hourmin,time_ms,is_click,...; ms
//   amazon2018  <Category>.csv: item,user,rating,timestamp; no header; s
//   amazon2023  <Category>.csv: user_id,parent_asin,rating,timestamp; header; ms
//   taobao      UserBehavior.csv: user_id,item_id,category_id,behavior_type,timestamp; no header; s
// Streaming: memory grows with users + items + kept interactions. Malformed rows give
// "PATH:LINE: why" (BadInput) or are skipped and counted with skip_bad_rows.
#pragma once
#include <string>
#include <vector>

#include "workloads/movielens.h"

namespace helm {

struct LogSource {
  std::string format, path;
};

// "FORMAT:PATH" -> its parts; BadInput listing the formats for anything else.
LogSource parse_log_source(const std::string& dataset);
std::vector<std::string> log_formats();

RatingsLog load_log(const LogSource& src, bool skip_bad_rows);

// The generic CSV loaders (every format but movielens); load_log dispatches here.
ParseResult parse_interactions(const LogSource& src, bool skip_bad_rows);

}  // namespace helm
