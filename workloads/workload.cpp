// build_trace: one trace from a spec, single-dataset or chained --phases.
#include "workloads/workload.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <unistd.h>

#include "common/error.h"
#include "workloads/arrivals.h"
#include "workloads/loaders.h"
#include "workloads/phased.h"

namespace helm {

namespace {
void validate(const WorkloadSpec& s) {
  if (!(s.qps > 0) || !std::isfinite(s.qps)) bad_input("--qps must be a positive number, got {}", s.qps);
  if (s.phases.empty() && (!(s.duration_s > 0) || !std::isfinite(s.duration_s)))
    bad_input("--duration must be a positive number of seconds, got {}", s.duration_s);
  if (s.candidates < 0) bad_input("candidates per request must be >= 0, got {}", s.candidates);
  if (!(s.popular_share >= 0 && s.popular_share <= 1))
    bad_input("popular share of candidates must be in [0, 1], got {}", s.popular_share);
  if (!(s.scale > 0 && s.scale <= kMaxScale)) bad_input("--scale must be in (0, {}], got {}", kMaxScale, s.scale);
}

// A run holds every request of its trace plus per-request state and result rows (a `sim` of
// 180k requests peaked at ~180 B each more than one of 18k): a trace whose expected size does
// not fit in this machine's memory is refused before any work, rather than swapping until killed.
constexpr double kRunBytesPerRequest = 256;

void check_fits(double expected_requests, const WorkloadSpec& s) {
  const double phys = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
  const double need = expected_requests * kRunBytesPerRequest;
  if (phys > 0 && need > phys)
    bad_input("{}: the trace would hold ~{:.3g} requests and need ~{:.3g} GiB of memory ({} B each), more than "
              "this machine's {:.3g} GiB; lower the rate or the duration",
              s.phases.empty() ? fmt::format("--qps {} x --duration {}", s.qps, s.duration_s) : std::string("--phases"),
              expected_requests, need / (1 << 30), kRunBytesPerRequest, phys / (1 << 30));
}

// One stretch of time in one regime: a phase, or the whole run without --phases.
struct Window {
  int phase;
  double start_s, seconds, qps;
  std::string workload;
  uint64_t seed;  // phase 0 uses the spec's seed, so one phase == no phases
};

// Little's law (synthetic.h): the load keeps ~ qps x gap x (1 - 1/requests per session) users in
// session. A population smaller than that cannot hold them: every user is in session, returns come
// early and the trace is not the one asked for. Empty when the population suffices.
std::string session_pressure(const std::string& dataset, const SyntheticParams& p, const std::vector<Window>& ws) {
  double qps = 0;
  for (const Window& w : ws) qps = std::max(qps, w.qps);
  const double need = qps * p.gap_mean_s * (1.0 - 1.0 / p.requests_per_session);
  if (need <= static_cast<double>(p.users)) return {};
  return fmt::format(
      "{}: {:.4g} qps keeps ~{:.0f} users in session ({:.4g} qps x {:.4g} s gap x (1 - 1/{:.4g} requests per "
      "session)) but the population has {}: sessions will run out of users; lower --qps or --session-gap-s, "
      "or raise --scale (profiles) or --users (synthetic)",
      dataset, qps, need, qps, p.gap_mean_s, p.requests_per_session, p.users);
}

bool is_synthetic(const std::string& d) { return d == "synthetic" || find_profile(d) != nullptr; }

Trace synthetic_group(const WorkloadSpec& spec, const std::string& dataset, const std::vector<Window>& ws) {
  const Profile* prof = find_profile(dataset);
  SyntheticParams p = prof ? scaled(prof->params, spec.scale) : spec.synthetic;
  apply(spec.session, p);
  validate(p);
  const std::string crowded = session_pressure(dataset, p, ws);
  if (!crowded.empty()) fmt::print(stderr, "helm-bench: warning: {}\n", crowded);
  std::vector<Nanos> times;
  TimeEffects effects;
  std::vector<std::string> notes;
  for (const Window& w : ws) {
    const auto regime = make_arrival_process(w.workload, spec.regimes);
    const Nanos t0 = static_cast<Nanos>(std::llround(w.start_s * 1e9));
    for (Nanos t : regime->arrivals(w.qps, w.seconds, w.seed)) times.push_back(t + t0);
    TimeEffects e = regime->effects(w.qps, w.seconds, w.seed);
    e.shift(t0);
    effects.drift.insert(effects.drift.end(), e.drift.begin(), e.drift.end());
    for (auto b : e.bursts) {  // number bursts across phases so each has its own flash items
      b.index = static_cast<int64_t>(effects.bursts.size());
      effects.bursts.push_back(b);
    }
    if (!e.bursts.empty()) {
      effects.flash_share = e.flash_share, effects.flash_items = e.flash_items;
      effects.fresh_share = e.fresh_share, effects.new_user_share = e.new_user_share;
    }
    for (auto& n : regime->notes(w.qps, w.seconds)) notes.push_back(std::move(n));
  }
  // The burn-in starts sessions before time 0; a dataset that first appears in a later phase
  // starts from nobody in session (its phase's ramp-up is part of the regime change).
  const double prewarm = ws.front().start_s == 0 ? ws.front().qps : 0.0;
  Trace t = synthetic_trace(p, times, spec.seed, spec.popular_share, prewarm, effects);
  t.name = dataset;
  for (auto& n : notes) t.notes.push_back(std::move(n));
  if (!crowded.empty()) t.notes.push_back(crowded);
  if (prof)
    t.notes.push_back(fmt::format("profile {} (model {}): {} users, {} items at scale {}; {}", prof->name,
                                  prof->model, p.users, p.items, spec.scale, prof->why));
  return t;
}

Trace log_group(const WorkloadSpec& spec, const std::string& dataset, const std::vector<Window>& ws,
                bool single) {
  const LogSource src = parse_log_source(dataset);
  RatingsLog log = load_log(src, spec.movielens.skip_bad_rows);
  // Without phases, steady keeps the log's own (compressed) timestamps: its real burstiness.
  const bool own_times = single && ws.front().workload == "steady";
  std::vector<Nanos> times;
  std::vector<std::string> notes;
  for (const Window& w : ws) {
    if (own_times) break;
    const auto regime = make_arrival_process(w.workload, spec.regimes);
    const Nanos t0 = static_cast<Nanos>(std::llround(w.start_s * 1e9));
    for (Nanos t : regime->arrivals(w.qps, w.seconds, w.seed)) times.push_back(t + t0);
    for (auto& n : regime->notes(w.qps, w.seconds)) notes.push_back(std::move(n));
  }
  const Window& last = ws.back();
  Trace t = movielens_trace(std::move(log), src.path, spec.movielens, ws.front().qps,
                            last.start_s + last.seconds, spec.seed, spec.popular_share,
                            own_times ? nullptr : &times);
  t.name = src.format + ":" + src.path;
  for (auto& n : notes) t.notes.push_back(std::move(n));
  return t;
}

// All groups' requests in one arrival order, users and items offset per group.
Trace merge(std::vector<Trace>&& groups) {
  struct Key {
    Nanos arrival;
    size_t group, index;
  };
  std::vector<Key> keys;
  std::vector<std::shared_ptr<const ItemSource>> sources;
  Trace out;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t k = 0; k < groups[g].requests.size(); ++k) keys.push_back({groups[g].requests[k].arrival, g, k});
    sources.push_back(groups[g].items);
    out.session_timeout = std::max(out.session_timeout, groups[g].session_timeout);
    for (auto& n : groups[g].notes) out.notes.push_back(std::move(n));
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    return a.arrival != b.arrival ? a.arrival < b.arrival : a.group != b.group ? a.group < b.group : a.index < b.index;
  });
  auto items = std::make_shared<PhasedItems>(std::move(sources));
  out.requests.reserve(keys.size());
  for (const Key& k : keys) {
    Request r = groups[k.group].requests[k.index];
    r.id = static_cast<int64_t>(out.requests.size());
    r.user += items->groups()[k.group].user_offset;
    out.requests.push_back(r);
  }
  for (size_t g = 0; g < groups.size(); ++g)
    out.notes.push_back(fmt::format("dataset {}: users from {}, items from {} in the union catalogue",
                                    groups[g].name, items->groups()[g].user_offset,
                                    items->groups()[g].item_offset));
  out.items = std::move(items);
  return out;
}
}  // namespace

Trace build_trace(const WorkloadSpec& spec) {
  validate(spec);
  validate(spec.regimes.trend);
  validate(spec.regimes.burst);
  std::vector<PhaseSpec> phases = spec.phases;
  const bool single = phases.empty();
  if (single) phases.push_back({spec.dataset, spec.workload, spec.duration_s, spec.qps});
  std::vector<Window> windows;
  double start = 0;
  for (size_t i = 0; i < phases.size(); ++i) {
    const auto& ph = phases[i];
    const uint64_t seed = i == 0 ? spec.seed : stream_seed(spec.seed, fmt::format("phase-{}", i));
    windows.push_back({static_cast<int>(i), start, ph.seconds, ph.qps > 0 ? ph.qps : spec.qps, ph.workload, seed});
    make_arrival_process(ph.workload, spec.regimes);  // checks the name before any slow loading
    if (!is_synthetic(ph.dataset)) parse_log_source(ph.dataset);
    start += ph.seconds;
  }
  double expected = 0;
  for (const auto& w : windows) expected += w.seconds * w.qps;
  check_fits(expected, spec);
  // Groups: one per distinct dataset, in order of first appearance.
  std::vector<std::string> datasets;
  std::map<std::string, std::vector<Window>> by_dataset;
  for (size_t i = 0; i < phases.size(); ++i) {
    if (!by_dataset.count(phases[i].dataset)) datasets.push_back(phases[i].dataset);
    by_dataset[phases[i].dataset].push_back(windows[i]);
  }
  std::vector<Trace> groups;
  for (const auto& d : datasets)
    groups.push_back(is_synthetic(d) ? synthetic_group(spec, d, by_dataset[d])
                                     : log_group(spec, d, by_dataset[d], single));
  Trace trace;
  if (groups.size() == 1) {
    trace = std::move(groups.front());
  } else {
    trace = merge(std::move(groups));
  }
  // Phase of each request: the window its arrival falls in (windows tile [0, end)).
  for (auto& r : trace.requests) {
    const double t = static_cast<double>(r.arrival) * 1e-9;
    auto it = std::upper_bound(windows.begin(), windows.end(), t,
                               [](double x, const Window& w) { return x < w.start_s; });
    r.phase = it == windows.begin() ? 0 : (it - 1)->phase;
  }
  if (single) {
    trace.name += ':';  // (appended piecewise: GCC 12 warns falsely on ":" + std::string)
    const bool own = !is_synthetic(spec.dataset) && spec.workload == "steady";
    trace.name += own ? std::string("own-timestamps") : make_arrival_process(spec.workload, spec.regimes)->name();
  } else {
    trace.name = "phases:" + phases_text(spec.phases);
  }
  return trace;
}

std::vector<PhaseSpec> parse_phases(const std::string& text) {
  std::vector<PhaseSpec> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    const std::string part = text.substr(pos, comma - pos);
    pos = comma + 1;
    const size_t last = part.rfind(':');
    if (part.empty() || last == std::string::npos || last == 0)
      bad_input("--phases: '{}' is not DATASET:WORKLOAD:SECONDS[@QPS]", part);
    const std::string head = part.substr(0, last), tail = part.substr(last + 1);
    PhaseSpec ph;
    // WORKLOAD is steady|trend|burst or replay:PATH; DATASET may hold a colon (FORMAT:PATH).
    const size_t rp = head.find(":replay:");
    const size_t cut = rp != std::string::npos ? rp : head.rfind(':');
    if (cut == std::string::npos || cut == 0 || cut + 1 >= head.size())
      bad_input("--phases: '{}' is not DATASET:WORKLOAD:SECONDS[@QPS]", part);
    ph.dataset = head.substr(0, cut);
    ph.workload = head.substr(cut + 1);
    const size_t at = tail.find('@');
    const std::string secs = tail.substr(0, at), qps = at == std::string::npos ? "" : tail.substr(at + 1);
    char* end = nullptr;
    ph.seconds = std::strtod(secs.c_str(), &end);
    if (secs.empty() || *end != '\0' || !(ph.seconds > 0) || !std::isfinite(ph.seconds))
      bad_input("--phases: '{}': SECONDS '{}' is not a positive number", part, secs);
    if (at != std::string::npos) {
      ph.qps = std::strtod(qps.c_str(), &end);
      if (qps.empty() || *end != '\0' || !(ph.qps > 0) || !std::isfinite(ph.qps))
        bad_input("--phases: '{}': QPS '{}' after '@' is not a positive number", part, qps);
    }
    out.push_back(ph);
  }
  return out;
}

std::string phases_text(const std::vector<PhaseSpec>& phases) {
  std::string s;
  for (const auto& p : phases) {
    if (!s.empty()) s += ',';
    s += fmt::format("{}:{}:{}", p.dataset, p.workload, p.seconds);
    if (p.qps > 0) s += fmt::format("@{}", p.qps);
  }
  return s;
}

}  // namespace helm
