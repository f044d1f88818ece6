// Dataset profiles: synthetic presets whose statistics come from the published numbers of the
// three (four) data sets the paper evaluates, so anyone can run its experiments without the files.
//
// A profile fixes the population, the catalogue, the history-length distribution (capped at its
// default model's N-1: longer histories are windowed by the model, gr_model/window.h) and the
// popularity exponent. Session parameters stay parameters (SessionOverrides): no public data set
// gives return intervals, and PILOT.md shows they decide the best split.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "workloads/synthetic.h"

namespace helm {

struct Profile {
  std::string name;
  std::string model;  // gr_model/config.h name (MODEL.md's table): its N-1 caps histories
  int candidates;     // the model's M
  SyntheticParams params;
  std::string why;    // one line: what this profile is for in the experiments
};

// nullptr when `name` is not a profile (kuairand-27k, amazon-books, ml-20m, taobao).
const Profile* find_profile(std::string_view name);
std::vector<std::string> profile_names();

// Users and items multiplied by `scale` (0 < scale <= kMaxScale, each at least 1): below 1 the
// same shape on a CPU; above 1 a bigger population and catalogue with the same statistics
// (popularity exponent, sessions, histories) for scale-out studies. History lengths are not
// scaled (they set the model's work per request).
inline constexpr double kMaxScale = 1000;
SyntheticParams scaled(const SyntheticParams& p, double scale);

// Session parameters a sweep may override on any profile or on plain `synthetic`
// (0, or < 0 for the gap, keeps the dataset's default).
struct SessionOverrides {
  double requests_per_session = 0;
  double gap_mean_s = -1;
  double new_items_mean = 0;
  double init_history_median = 0;
};
void apply(const SessionOverrides& o, SyntheticParams& p);

}  // namespace helm
