// --workload replay:PATH: real arrival timestamps (e.g. the Azure LLM inference trace 2023,
// `TIMESTAMP,ContextTokens,GeneratedTokens`, TIMESTAMP like `2023-11-16 18:15:46.6805900`, CRLF).
#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "workloads/arrivals.h"
#include "workloads/text_reader.h"

namespace helm {

namespace {
// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool digits(std::string_view s, size_t pos, size_t n, uint64_t& v) {
  if (pos + n > s.size()) return false;
  return parse_uint(s.substr(pos, n), ~0ull, v);
}

// "YYYY-MM-DD HH:MM:SS[.fffffffff]" (or 'T' between date and time) -> ns since the epoch;
// a plain number is taken as seconds. False if the field is neither.
bool parse_timestamp(std::string_view f, Nanos& out) {
  f = unquote(f);
  uint64_t y, mo, d, h, mi, s;
  if (f.size() >= 19 && f[4] == '-' && f[7] == '-' && (f[10] == ' ' || f[10] == 'T') &&
      f[13] == ':' && f[16] == ':') {
    if (!digits(f, 0, 4, y) || !digits(f, 5, 2, mo) || !digits(f, 8, 2, d) ||
        !digits(f, 11, 2, h) || !digits(f, 14, 2, mi) || !digits(f, 17, 2, s))
      return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
    int64_t frac_ns = 0;
    if (f.size() > 19) {
      if (f[19] != '.' || f.size() == 20) return false;
      int64_t scale = 100000000;
      for (size_t i = 20; i < f.size(); ++i, scale /= 10) {
        const unsigned dd = static_cast<unsigned char>(f[i]) - '0';
        if (dd > 9) return false;
        frac_ns += dd * scale;  // digits past ns resolution add 0 once scale reaches 0
      }
    }
    const int64_t secs = days_from_civil(static_cast<int64_t>(y), static_cast<unsigned>(mo),
                                         static_cast<unsigned>(d)) * 86400 +
                         static_cast<int64_t>(h * 3600 + mi * 60 + s);
    // Nanoseconds since the epoch must fit in int64 (years 1677..2262): "9999-..." would overflow.
    if (secs <= -9'200'000'000 || secs >= 9'200'000'000) return false;
    out = secs * 1000000000 + frac_ns;
    return true;
  }
  if (!parse_decimal(f) || f.empty() || f[0] == '-') return false;
  const double v = std::strtod(std::string(f).c_str(), nullptr);
  if (!(v >= 0 && v < 9.2e9)) return false;
  out = static_cast<Nanos>(std::llround(v * 1e9));
  return true;
}
}  // namespace

ReplayArrivals::ReplayArrivals(const std::string& path) : path_(path) {
  LineReader in(path);
  std::string_view line, first;
  while (in.next(line)) {
    if (line.empty()) continue;
    split_fields(line, ",", &first, 1);
    Nanos t;
    if (!parse_timestamp(first, t)) {
      if (in.line_number() == 1) continue;  // a header
      bad_input("{}:{}: TIMESTAMP '{}' is not 'YYYY-MM-DD HH:MM:SS[.frac]' or seconds", path,
                in.line_number(), excerpt(first));
    }
    times_.push_back(t);
  }
  if (times_.size() < 2) bad_input("{}: a replay needs at least 2 timestamps, found {}", path, times_.size());
  std::stable_sort(times_.begin(), times_.end());  // rows may be unsorted; equal times are kept
  const Nanos t0 = times_.front();
  for (auto& t : times_) t -= t0;
  if (times_.back() == 0) bad_input("{}: all timestamps are equal: no rate to scale", path);
}

Nanos ReplayArrivals::period() const {
  // Looping at span + one mean gap keeps the seam's gap typical.
  const Nanos span = times_.back();
  return span + span / static_cast<Nanos>(times_.size() - 1);
}

double ReplayArrivals::scale(double qps) const {
  // The file holds n arrivals per period; scaled, the period must last n / qps seconds.
  return static_cast<double>(times_.size()) * 1e9 / (qps * static_cast<double>(period()));
}

std::vector<Nanos> ReplayArrivals::arrivals(double qps, double duration_s, uint64_t) const {
  std::vector<Nanos> out;
  const double s = scale(qps), end_ns = duration_s * 1e9;
  for (int64_t loop = 0;; ++loop) {
    for (Nanos t : times_) {
      const double scaled = (static_cast<double>(loop) * static_cast<double>(period()) + t) * s;
      if (scaled >= end_ns) return out;
      out.push_back(static_cast<Nanos>(std::llround(scaled)));
    }
  }
}

std::vector<std::string> ReplayArrivals::notes(double qps, double duration_s) const {
  const double file_s = static_cast<double>(period()) * scale(qps) / 1e9;
  std::vector<std::string> n;
  n.push_back(fmt::format("replay {}: {} arrivals over {:.1f} s of file time, scaled x{:.4g} to {} qps",
                          path_, times_.size(), static_cast<double>(period()) / 1e9, scale(qps), qps));
  if (file_s < duration_s)
    n.push_back(fmt::format("replay {} lasts {:.1f} s at {} qps: looped {:.2f} times to fill --duration",
                            path_, file_s, qps, duration_s / file_s));
  return n;
}

}  // namespace helm
