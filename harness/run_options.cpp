#include "harness/run_options.h"

#include <cstdlib>

#include "common/error.h"

namespace helm {

namespace po = cli::po;

void add_run_options(po::options_description& desc, RunOptions& o) {
  po::options_description w("Workload");
  w.add_options()
      ("dataset", po::value(&o.dataset)->default_value(o.dataset),
       "synthetic, or FORMAT:PATH (movielens:PATH to a ratings.csv or ratings.dat)")
      ("workload", po::value(&o.workload)->default_value(o.workload), "arrival regime: steady | replay:PATH (a CSV of timestamps, time-scaled to --qps)")
      ("qps", po::value(&o.qps)->default_value(o.qps), "whole-cluster arrival rate (requests/s)")
      ("duration", po::value(&o.duration_s)->default_value(o.duration_s), "seconds of arrivals")
      ("seed", po::value(&o.seed)->default_value(o.seed), "base seed (each concern derives its own stream)")
      ("candidates", po::value(&o.candidates)->default_value(o.candidates), "candidates per request (0 = the model's M)")
      ("users", po::value(&o.users)->default_value(o.users), "synthetic: user population")
      ("items", po::value(&o.items)->default_value(o.items), "synthetic: catalogue size")
      ("zipf", po::value(&o.zipf)->default_value(o.zipf), "synthetic: item popularity exponent")
      ("visit-gap-s", po::value(&o.visit_gap_s)->default_value(o.visit_gap_s),
       "data sets: a gap over this many seconds between ratings starts a new visit")
      ("session-requests", po::value(&o.session_requests)->default_value(o.session_requests),
       "synthetic: mean requests per user session (KV reuse)")
      ("session-gap-s", po::value(&o.session_gap_s)->default_value(o.session_gap_s),
       "synthetic: mean seconds between a user's requests in a session (sets users in session at once)")
      ("new-items", po::value(&o.new_items)->default_value(o.new_items), "synthetic: mean items consumed between visits")
      ("history-median", po::value(&o.history_median)->default_value(o.history_median),
       "synthetic: median history length at a user's first visit")
      ("popular-share", po::value(&o.popular_share)->default_value(o.popular_share),
       "share of candidates drawn by popularity, the rest uniform (<0: the workload's default)")
      ("skip-bad-rows", po::bool_switch(&o.skip_bad_rows), "data files: skip and count malformed rows instead of failing")
      ("tag", po::value(&o.tags)->composing(), "key=value label stored in the results (repeatable)");
  po::options_description m("Model, memory, routing");
  m.add_options()
      ("model", po::value(&o.model)->default_value(o.model), "tiny|small|ml-20m|amazon-books|kuairand")
      ("memory-policy", po::value(&o.memory_policy)->default_value(o.memory_policy),
       "static:R[,R2,...] (R = EMB share of the pool, per node in turn), emb-only, kv-only")
      ("repartition", po::value(&o.repartition)->default_value(o.repartition), "naive|budgeted")
      ("router", po::value(&o.router)->default_value(o.router), "rr")
      ("pool-mib", po::value(&o.pool_mib)->default_value(o.pool_mib), "pool per worker (MiB), shared by both caches")
      ("page-kib", po::value(&o.page_kib)->default_value(o.page_kib), "pool page size (KiB)")
      ("backend", po::value(&o.backend)->default_value(o.backend), "cpu");
  po::options_description s("Serving and measurement");
  s.add_options()
      ("slo-ms", po::value(&o.slo_ms)->default_value(o.slo_ms), "latency SLO (ms), from scheduled arrival")
      ("batch-max-requests", po::value(&o.batch_max_requests)->default_value(o.batch_max_requests), "requests per batch")
      ("batch-max-tokens", po::value(&o.batch_max_tokens)->default_value(o.batch_max_tokens), "computed tokens per batch")
      ("batch-timeout-us", po::value(&o.batch_timeout_us)->default_value(o.batch_timeout_us),
       "how long the oldest queued request waits for a fuller batch")
      ("queue-cap", po::value(&o.queue_cap)->default_value(o.queue_cap), "queued requests per worker; beyond: dropped")
      ("h2d-gbps", po::value(&o.h2d_gbps)->default_value(o.h2d_gbps),
       "emulated host-to-device rate (GB/s); 0 = A100's compute:PCIe ratio scaled by measured sgemm")
      ("h2d-latency-us", po::value(&o.h2d_latency_us)->default_value(o.h2d_latency_us), "fixed cost per transfer (us)")
      ("control-interval-ms", po::value(&o.control_interval_ms)->default_value(o.control_interval_ms),
       "statistics/control interval")
      ("warmup-s", po::value(&o.warmup_s)->default_value(o.warmup_s), "excluded from statistics (still recorded)")
      ("drain-s", po::value(&o.drain_s)->default_value(o.drain_s), "wait after the last arrival; then queued = dropped")
      ("out", po::value(&o.out)->default_value(o.out), "results file (HDF5)");
  desc.add(w).add(m).add(s);
}

std::vector<double> parse_static_split(const std::string& policy) {
  if (policy == "emb-only") return {1.0};
  if (policy == "kv-only") return {0.0};
  if (policy.rfind("static:", 0) != 0)
    bad_input("--memory-policy: '{}' is not one of static:R[,R...], emb-only, kv-only", policy);
  std::vector<double> r;
  size_t pos = 7;
  while (pos <= policy.size()) {
    size_t comma = policy.find(',', pos);
    if (comma == std::string::npos) comma = policy.size();
    const std::string part = policy.substr(pos, comma - pos);
    char* end = nullptr;
    const double v = std::strtod(part.c_str(), &end);
    if (part.empty() || *end != '\0') bad_input("--memory-policy: '{}' is not a number", part);
    if (!(v >= 0.0 && v <= 1.0)) bad_input("--memory-policy: ratio {} is outside [0,1]", part);
    r.push_back(v);
    pos = comma + 1;
  }
  return r;
}

void validate(const RunOptions& o) {
  if (!(o.qps > 0)) bad_input("--qps: must be positive (got {})", o.qps);
  if (!(o.duration_s > 0)) bad_input("--duration: must be positive (got {})", o.duration_s);
  if (o.warmup_s < 0) bad_input("--warmup-s: must not be negative (got {})", o.warmup_s);
  if (o.drain_s < 0) bad_input("--drain-s: must not be negative (got {})", o.drain_s);
  if (!(o.slo_ms > 0)) bad_input("--slo-ms: must be positive (got {})", o.slo_ms);
  if (!(o.pool_mib > 0)) bad_input("--pool-mib: must be positive (got {})", o.pool_mib);
  if (o.page_kib <= 0) bad_input("--page-kib: must be positive (got {})", o.page_kib);
  if (o.batch_max_requests <= 0) bad_input("--batch-max-requests: must be positive");
  if (o.batch_max_tokens <= 0) bad_input("--batch-max-tokens: must be positive");
  if (o.batch_timeout_us < 0) bad_input("--batch-timeout-us: must not be negative");
  if (o.queue_cap <= 0) bad_input("--queue-cap: must be positive");
  if (o.h2d_gbps < 0) bad_input("--h2d-gbps: must not be negative (0 = scaled default)");
  if (o.h2d_latency_us < 0) bad_input("--h2d-latency-us: must not be negative");
  if (!(o.control_interval_ms > 0)) bad_input("--control-interval-ms: must be positive");
  if (o.candidates < 0) bad_input("--candidates: must not be negative");
  if (o.users <= 0 || o.items <= 0) bad_input("--users/--items: must be positive");
  if (!(o.zipf > 0)) bad_input("--zipf: must be positive");
  if (o.repartition != "naive" && o.repartition != "budgeted")
    bad_input("--repartition: '{}' is not naive or budgeted", o.repartition);
  if (o.router != "rr") bad_input("--router: '{}' is not a known router (rr)", o.router);
  if (o.backend != "cpu") bad_input("--backend: '{}' is not available in this build (cpu)", o.backend);
  parse_static_split(o.memory_policy);
  for (const auto& t : o.tags)
    if (t.find('=') == std::string::npos || t.front() == '=')
      bad_input("--tag: '{}' is not key=value", t);
}

}  // namespace helm
