#include "workloads/loaders.h"

#include <algorithm>

#include "common/error.h"

namespace helm {

std::vector<std::string> log_formats() { return {"movielens", "kuairand", "amazon2018", "amazon2023", "taobao"}; }

LogSource parse_log_source(const std::string& dataset) {
  const size_t colon = dataset.find(':');
  const std::string format = colon == std::string::npos ? dataset : dataset.substr(0, colon);
  const auto formats = log_formats();
  if (colon == std::string::npos || std::find(formats.begin(), formats.end(), format) == formats.end())
    bad_input("--dataset '{}': unknown; expected synthetic, a profile (kuairand-27k, amazon-books, "
              "ml-20m, taobao) or FORMAT:PATH with FORMAT one of {}", dataset, fmt::join(formats, ", "));
  LogSource s{format, dataset.substr(colon + 1)};
  if (s.path.empty()) bad_input("--dataset {}:PATH: the PATH is empty", format);
  return s;
}

RatingsLog load_log(const LogSource& src, bool skip_bad_rows) {
  if (src.format == "movielens") return load_movielens(src.path, skip_bad_rows);
  return build_log(parse_interactions(src, skip_bad_rows));
}

}  // namespace helm
