#include "harness/sim/oracle_grid.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <tuple>

#include "common/error.h"
#include "results/summary.h"

namespace helm {

int64_t window_count(const std::vector<RequestRow>& rows, Nanos interval) {
  Nanos last = 0;
  for (const auto& r : rows) last = std::max(last, r.arrival);
  return std::max<int64_t>(1, last / interval + 1);
}

std::vector<WindowScore> window_scores(const std::vector<RequestRow>& rows, Nanos interval) {
  HELM_CHECK(interval > 0, "window interval {}", interval);
  const int64_t n = window_count(rows, interval);
  std::vector<std::vector<Nanos>> lat(static_cast<size_t>(n));
  std::vector<WindowScore> out(static_cast<size_t>(n));
  for (const auto& r : rows) {
    const size_t w = static_cast<size_t>(r.arrival / interval);
    const bool done = r.status == kCompleted;
    lat[w].push_back(done ? r.latency : kNoLatency);
    ++out[w].requests;
    if (!done) ++out[w].dropped;
  }
  for (size_t w = 0; w < lat.size(); ++w) {
    std::sort(lat[w].begin(), lat[w].end());
    out[w].p99 = nearest_rank(lat[w], 99).value;
    out[w].p50 = nearest_rank(lat[w], 50).value;
  }
  return out;
}

std::vector<OracleWindow> pick_oracle(const std::vector<double>& grid,
                                      const std::vector<std::vector<WindowScore>>& runs, Nanos interval) {
  HELM_CHECK(!grid.empty() && grid.size() == runs.size(), "{} grid points, {} runs", grid.size(), runs.size());
  size_t n = 0;
  for (const auto& r : runs) n = std::max(n, r.size());
  std::vector<OracleWindow> out;
  for (size_t w = 0; w < n; ++w) {
    size_t best = 0;
    auto key = [&](size_t i) {
      const WindowScore s = w < runs[i].size() ? runs[i][w] : WindowScore{};
      return std::make_tuple(s.p99, s.dropped, s.p50);
    };
    for (size_t i = 1; i < grid.size(); ++i)
      if (key(i) < key(best)) best = i;  // strict: ties keep the earlier grid point
    OracleWindow o;
    o.window = static_cast<int64_t>(w);
    o.start = static_cast<Nanos>(w) * interval;
    o.end = o.start + interval;
    o.ratio = grid[best];
    if (w < runs[best].size()) o.score = runs[best][w];
    out.push_back(o);
  }
  return out;
}

namespace {
std::string ms(Nanos t) { return t == kNoLatency ? "inf" : fmt::format("{:.3f}", static_cast<double>(t) / 1e6); }
}  // namespace

void write_schedule(std::ostream& out, const std::vector<OracleWindow>& w) {
  out << "time_s,ratio\n";
  for (const auto& o : w) out << fmt::format("{:.9g},{:.6g}\n", static_cast<double>(o.start) / 1e9, o.ratio);
}

void write_window_table(std::ostream& out, const std::vector<OracleWindow>& w, double static_ratio,
                        const std::vector<WindowScore>& st) {
  out << fmt::format("window,start_s,end_s,oracle_ratio,oracle_p99_ms,requests,dropped,static_{:.3g}_p99_ms\n",
                     static_ratio);
  for (const auto& o : w) {
    const auto idx = static_cast<size_t>(o.window);
    out << fmt::format("{},{:.9g},{:.9g},{:.6g},{},{},{},{}\n", o.window, static_cast<double>(o.start) / 1e9,
                       static_cast<double>(o.end) / 1e9, o.ratio, ms(o.score.p99), o.score.requests,
                       o.score.dropped, idx < st.size() ? ms(st[idx].p99) : "");
  }
}

std::vector<double> split_grid(double step, double lo, double hi) {
  if (!(step > 0 && step <= 1)) bad_input("--grid-step: {} is not in (0, 1]", step);
  if (!(lo >= 0 && hi <= 1 && lo <= hi)) bad_input("--grid: [{}, {}] is not inside [0, 1]", lo, hi);
  std::vector<double> g;
  for (int64_t k = 0;; ++k) {
    const double r = lo + static_cast<double>(k) * step;
    if (r > hi + 1e-9) break;
    g.push_back(std::round(std::min(r, hi) * 1e6) / 1e6);  // 0.15, not 0.15000000000000002
  }
  return g;
}

}  // namespace helm
