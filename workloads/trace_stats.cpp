#include "workloads/trace_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace helm {

TraceStats trace_stats(const Trace& trace, Nanos session_timeout) {
  TraceStats s;
  const auto& rq = trace.requests;
  s.requests = static_cast<int64_t>(rq.size());
  s.users = trace.items ? trace.items->num_users() : 0;
  if (rq.empty()) return s;
  if (session_timeout <= 0) session_timeout = trace.session_timeout;

  std::vector<int32_t> hist(rq.size());
  std::unordered_map<UserId, Nanos> last_seen;
  last_seen.reserve(rq.size());
  int64_t revisits = 0;
  double in_session_ns = 0, sum_hist = 0;
  // Concurrency is measured over an interior window: a session interval overlapping it lies
  // wholly inside the trace, so sessions cut by the trace's ends bias nothing.
  const Nanos t_first = rq.front().arrival, t_last = rq.back().arrival;
  const Nanos margin = std::min(session_timeout, (t_last - t_first) / 4);
  const Nanos w0 = t_first + margin, w1 = t_last - margin;
  for (size_t k = 0; k < rq.size(); ++k) {
    hist[k] = rq[k].history_len;
    sum_hist += rq[k].history_len;
    auto [it, fresh] = last_seen.try_emplace(rq[k].user, rq[k].arrival);
    if (!fresh) {
      ++revisits;
      const Nanos gap = rq[k].arrival - it->second;
      if (gap <= session_timeout) {
        const Nanos a = std::max(it->second, w0), b = std::min(rq[k].arrival, w1);
        if (b > a) in_session_ns += static_cast<double>(b - a);
      }
      it->second = rq[k].arrival;
    }
  }
  s.distinct_users = static_cast<int64_t>(last_seen.size());
  s.mean_history = sum_hist / static_cast<double>(rq.size());
  const size_t rank = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(rq.size())));
  std::nth_element(hist.begin(), hist.begin() + (rank - 1), hist.end());
  s.p99_history = hist[rank - 1];
  s.revisit_fraction = static_cast<double>(revisits) / static_cast<double>(rq.size());

  const double span = static_cast<double>(rq.back().arrival - rq.front().arrival);
  if (rq.size() >= 2 && span > 0) {
    if (w1 > w0) s.mean_in_session = in_session_ns / static_cast<double>(w1 - w0);
    s.mean_rate = static_cast<double>(rq.size() - 1) / (span * 1e-9);
    double sum = 0, sum2 = 0;
    for (size_t k = 1; k < rq.size(); ++k) {
      const double d = static_cast<double>(rq[k].arrival - rq[k - 1].arrival);
      sum += d;
      sum2 += d * d;
    }
    const double n = static_cast<double>(rq.size() - 1), mean = sum / n;
    s.interarrival_cv = mean > 0 ? std::sqrt(std::max(0.0, sum2 / n - mean * mean)) / mean : 0;
    // Busiest whole second (only meaningful for traces spanning several seconds).
    int64_t best = 0, count = 0, window = -1;
    for (const auto& r : rq) {
      const int64_t w = r.arrival / 1000000000;
      count = w == window ? count + 1 : 1;
      window = w;
      best = std::max(best, count);
    }
    s.peak_to_mean = static_cast<double>(best) / s.mean_rate;
  }
  return s;
}

ItemSample item_sample(const Trace& trace, int M, size_t max_draws) {
  ItemSample out;
  const auto& rq = trace.requests;
  if (!trace.items || rq.empty()) return out;
  const int64_t n_items = trace.items->num_items();
  std::vector<uint64_t> seen(static_cast<size_t>(n_items / 64 + 1), 0);  // 4 MiB per 32M items
  std::unordered_map<UserId, int32_t> last_len;
  // Sample every k-th request so the draws kept stay under max_draws (about M + 8 per request).
  const size_t per = static_cast<size_t>(M) + 8, stride = std::max<size_t>(1, rq.size() * per / std::max<size_t>(max_draws, 1));
  std::vector<ItemId> buf;
  for (size_t k = 0; k < rq.size(); ++k) {
    const Request& r = rq[k];
    auto [it, fresh] = last_len.try_emplace(r.user, r.history_len);
    const bool keep = k % stride == 0;
    auto take = [&](ItemId i) {
      ++out.draws;
      uint64_t& w = seen[static_cast<size_t>(i) >> 6];
      const uint64_t bit = 1ull << (i & 63);
      out.distinct += (w & bit) == 0;
      w |= bit;
      if (keep) out.item.push_back(i), out.time.push_back(r.arrival);
    };
    trace.items->candidates(r, M, buf);
    for (ItemId i : buf) take(i);
    if (!fresh && r.history_len > it->second) {
      trace.items->history_range(r.user, it->second, r.history_len, buf);
      for (ItemId i : buf) take(i);
    }
    it->second = r.history_len;
  }
  return out;
}

std::string format_stats(const TraceStats& s) {
  const std::string items = s.distinct_items < 0 ? std::string()
      : fmt::format("distinct items (candidates + history growth): {} of {} draws\n", s.distinct_items, s.item_draws);
  return items + fmt::format(
      "requests: {}\nusers: {}\ndistinct users: {}\nmean history length: {:.1f}\n"
      "P99 history length: {}\nrevisit fraction: {:.3f}\nusers in session at once: {:.1f}\n"
      "interarrival CV: {:.3f}\nmean rate: {:.2f}/s\npeak/mean rate (1 s windows): {:.2f}\n",
      s.requests, s.users, s.distinct_users, s.mean_history, s.p99_history, s.revisit_fraction,
      s.mean_in_session, s.interarrival_cv, s.mean_rate, s.peak_to_mean);
}

}  // namespace helm
