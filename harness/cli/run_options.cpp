#include "harness/cli/run_options.h"

#include <fmt/format.h>

#include <cstdlib>

#include "common/error.h"
#include "controller/memory_policy.h"
#include "gr_model/cost_model.h"
#include "harness/node/cuda/cuda_backend_options.h"
#include "scheduler/router.h"

namespace helm {

namespace po = cli::po;

namespace {
using cli::shown;
std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}
}  // namespace

void add_run_options(po::options_description& desc, RunOptions& o) {
  po::options_description w("Workload");
  w.add_options()
      ("dataset", po::value(&o.dataset)->default_value(o.dataset, shown(o.dataset)),
       "synthetic, a profile (kuairand-27k, amazon-books, ml-20m, taobao), or FORMAT:PATH with FORMAT "
       "movielens|kuairand|amazon2018|amazon2023|taobao")
      ("workload", po::value(&o.workload)->default_value(o.workload, shown(o.workload)),
       "arrival regime: steady | trend | burst | replay:PATH (a CSV of timestamps, time-scaled to --qps)")
      ("trace", po::value(&o.trace)->default_value(o.trace, shown(o.trace)), "a trace file from `helm-bench trace` (wins over --phases and --dataset)")
      ("phases", po::value(&o.phases)->default_value(o.phases, shown(o.phases)),
       "DATASET:WORKLOAD:SECONDS[@QPS],... chained in time (wins over --dataset/--workload/--duration)")
      ("scale", po::value(&o.scale)->default_value(o.scale, shown(o.scale)), "profiles: users and items x this (0, 1000]; above 1 for scale-out studies")
      ("qps", po::value(&o.qps)->default_value(o.qps, shown(o.qps)), "whole-cluster arrival rate (requests/s)")
      ("duration", po::value(&o.duration_s)->default_value(o.duration_s, shown(o.duration_s)), "seconds of arrivals")
      ("seed", po::value(&o.seed)->default_value(o.seed, shown(o.seed)), "base seed (each concern derives its own stream)")
      ("candidates", po::value(&o.candidates)->default_value(o.candidates, shown(o.candidates)), "candidates per request (0 = the model's M)")
      ("users", po::value(&o.users)->default_value(o.users, shown(o.users)), "synthetic: user population")
      ("items", po::value(&o.items)->default_value(o.items, shown(o.items)), "synthetic: catalogue size")
      ("zipf", po::value(&o.zipf)->default_value(o.zipf, shown(o.zipf)), "synthetic: item popularity exponent")
      ("visit-gap-s", po::value(&o.visit_gap_s)->default_value(o.visit_gap_s, shown(o.visit_gap_s)),
       "data sets: a gap over this many seconds between ratings starts a new visit")
      ("session-requests", po::value(&o.session_requests)->default_value(o.session_requests, shown(o.session_requests)),
       "synthetic/profiles: mean requests per user session (KV reuse); 0 = the dataset's (synthetic 10)")
      ("session-gap-s", po::value(&o.session_gap_s)->default_value(o.session_gap_s, shown(o.session_gap_s)),
       "synthetic/profiles: mean seconds between a user's requests in a session (sets users in session "
       "at once); <0 = the dataset's (synthetic 4)")
      ("new-items", po::value(&o.new_items)->default_value(o.new_items, shown(o.new_items)),
       "synthetic/profiles: mean items consumed between visits; 0 = the dataset's (synthetic 8)")
      ("history-median", po::value(&o.history_median)->default_value(o.history_median, shown(o.history_median)),
       "synthetic/profiles: median history length at a user's first visit; 0 = the dataset's (synthetic 100)")
      ("trend-period-s", po::value(&o.trend_period_s)->default_value(o.trend_period_s, shown(o.trend_period_s)), "trend: diurnal period (0 = the duration)")
      ("trend-amplitude", po::value(&o.trend_amplitude)->default_value(o.trend_amplitude, shown(o.trend_amplitude)), "trend: rate swing in [0,1) (peak/trough (1+a)/(1-a))")
      ("trend-ramp", po::value(&o.trend_ramp)->default_value(o.trend_ramp, shown(o.trend_ramp)), "trend: rate grows by this share over the run")
      ("trend-drift", po::value(&o.trend_drift)->default_value(o.trend_drift, shown(o.trend_drift)), "trend: hot-set turnovers per period (popularity drift)")
      ("burst-process", po::value(&o.burst_process)->default_value(o.burst_process, shown(o.burst_process)), "burst: mmpp (flash crowds) | gamma (renewal, CV --burst-cv)")
      ("burst-multiplier", po::value(&o.burst_multiplier)->default_value(o.burst_multiplier, shown(o.burst_multiplier)), "burst: burst rate / mean rate")
      ("burst-duration-s", po::value(&o.burst_duration_s)->default_value(o.burst_duration_s, shown(o.burst_duration_s)), "burst: mean burst length")
      ("burst-gap-s", po::value(&o.burst_gap_s)->default_value(o.burst_gap_s, shown(o.burst_gap_s)), "burst: mean time between bursts")
      ("burst-cv", po::value(&o.burst_cv)->default_value(o.burst_cv, shown(o.burst_cv)), "burst (gamma): interarrival CV")
      ("burst-flash-share", po::value(&o.burst_flash_share)->default_value(o.burst_flash_share, shown(o.burst_flash_share)), "burst: share of popularity draws going to flash items")
      ("burst-flash-items", po::value(&o.burst_flash_items)->default_value(o.burst_flash_items, shown(o.burst_flash_items)), "burst: flash items per burst")
      ("burst-fresh-share", po::value(&o.burst_fresh_share)->default_value(o.burst_fresh_share, shown(o.burst_fresh_share)), "burst: share of burst arrivals from users not in session")
      ("burst-new-users", po::value(&o.burst_new_users)->default_value(o.burst_new_users, shown(o.burst_new_users)), "burst: share of those fresh users who are brand new")
      ("popular-share", po::value(&o.popular_share)->default_value(o.popular_share, shown(o.popular_share)),
       "share of candidates drawn by popularity, the rest uniform (<0: the workload's default)")
      ("skip-bad-rows", po::bool_switch(&o.skip_bad_rows), "data files: skip and count malformed rows instead of failing")
      ("tag", po::value(&o.tags)->composing(), "key=value label stored in the results (repeatable)");
  po::options_description m("Model, memory, routing");
  m.add_options()
      ("model", po::value(&o.model)->default_value(o.model, shown(o.model)),
       "tiny|small|ml-20m|amazon-books|kuairand (empty: the dataset profile's model, else small)")
      ("memory-policy", po::value(&o.memory_policy)->default_value(o.memory_policy, shown(o.memory_policy)),
       ("one of:\n" + policy_usage()).c_str())
      ("repartition", po::value(&o.repartition)->default_value(o.repartition, shown(o.repartition)),
       "naive (apply a new split at once; misses refill on the critical path) | budgeted "
       "(release pages in slices, refill EMB in the background within --refill-share)")
      ("max-step", po::value(&o.max_step)->default_value(o.max_step, shown(o.max_step)),
       "most the EMB share moves per control interval, in (0, 1]")
      ("refill-share", po::value(&o.refill_share)->default_value(o.refill_share, shown(o.refill_share)),
       "budgeted: share of the host-to-device link refill may use, in (0, 1]")
      ("host-kv-mib", po::value(&o.host_kv_mib)->default_value(o.host_kv_mib, shown(o.host_kv_mib)),
       "host KV tier per worker (MiB, LRU) that evicted users' K/V spill to; 0 = off")
      ("router", po::value(&o.router)->default_value(o.router, shown(o.router)),
       ("one of: " + join(router_names(), "|") + " (scheduler/router_registry.cpp)").c_str())
      ("helm-load-factor", po::value(&o.routing.tuning.helm.load_factor)->default_value(o.routing.tuning.helm.load_factor, shown(o.routing.tuning.helm.load_factor)),
       "helm: no node above this x the mean outstanding work is eligible (>= 1)")
      ("dynamo-overlap-weight", po::value(&o.routing.tuning.dynamo.overlap_weight)->default_value(o.routing.tuning.dynamo.overlap_weight, shown(o.routing.tuning.dynamo.overlap_weight)),
       "dynamo: weight of prefill blocks against active blocks (0: load only)")
      ("dynamo-temperature", po::value(&o.routing.tuning.dynamo.temperature)->default_value(o.routing.tuning.dynamo.temperature, shown(o.routing.tuning.dynamo.temperature)),
       "dynamo: softmax temperature over the costs (0: the lowest)")
      ("llm-d-queue-weight", po::value(&o.routing.tuning.llm_d.queue_weight)->default_value(o.routing.tuning.llm_d.queue_weight, shown(o.routing.tuning.llm_d.queue_weight)),
       "llm-d: weight of the queue scorer")
      ("llm-d-prefix-weight", po::value(&o.routing.tuning.llm_d.prefix_weight)->default_value(o.routing.tuning.llm_d.prefix_weight, shown(o.routing.tuning.llm_d.prefix_weight)),
       "llm-d: weight of the prefix-cache scorer")
      ("load-aware-beta", po::value(&o.routing.tuning.load_aware.beta)->default_value(o.routing.tuning.load_aware.beta, shown(o.routing.tuning.load_aware.beta)),
       "load-aware: cache hits given up per 100% above the mean load")
      ("cache-aware-abs", po::value(&o.routing.cache_aware.balance_abs)->default_value(o.routing.cache_aware.balance_abs, shown(o.routing.cache_aware.balance_abs)),
       "cache-aware: imbalanced when max - min outstanding exceeds this ...")
      ("cache-aware-rel", po::value(&o.routing.cache_aware.balance_rel)->default_value(o.routing.cache_aware.balance_rel, shown(o.routing.cache_aware.balance_rel)),
       "cache-aware: ... and max exceeds this x min (then: least loaded)")
      ("cache-aware-match", po::value(&o.routing.cache_aware.match_threshold)->default_value(o.routing.cache_aware.match_threshold, shown(o.routing.cache_aware.match_threshold)),
       "cache-aware: share of the window a node's cached KV must cover to win")
      ("kv-affinity-load-factor", po::value(&o.routing.kv_affinity.load_factor)->default_value(o.routing.kv_affinity.load_factor, shown(o.routing.kv_affinity.load_factor)),
       "kv-affinity: a node takes at most this x the mean outstanding (+1) before the ring moves on")
      ("kv-affinity-vnodes", po::value(&o.routing.kv_affinity.vnodes)->default_value(o.routing.kv_affinity.vnodes, shown(o.routing.kv_affinity.vnodes)),
       "kv-affinity: points per node on the hash ring")
      ("pool-mib", po::value(&o.pool_mib)->default_value(o.pool_mib, shown(o.pool_mib)), "pool per worker (MiB), shared by both caches")
      ("page-kib", po::value(&o.page_kib)->default_value(o.page_kib, shown(o.page_kib)), "pool page size (KiB)")
      ("executor", po::value(&o.executor)->default_value(o.executor, shown(o.executor)),
       "model (the HSTU forward in run, the cost model in sim) | noop (completes at once, no caches: "
       "what rank 0 and the harness sustain)")
      ("backend", po::value(&o.backend)->default_value(o.backend, shown(o.backend)),
       "cpu | cuda (one GPU per worker rank; the pool from cudaMemGetInfo unless --pool-mib is given)")
      ("precision", po::value(&o.precision)->default_value(o.precision, shown(o.precision)), "cuda: fp32 | tf32 | bf16")
      ("emb-sample", po::value(&o.emb_sample)->default_value(o.emb_sample, shown(o.emb_sample)),
       "sim only: simulate the EMB cache on the item ids whose hash falls in this share (0, 1], at this "
       "share of its rows, and scale its counts up (a miniature simulation: an estimate, much faster on "
       "long histories); 1 = exact");
  po::options_description s("Serving and measurement");
  s.add_options()
      ("slo-ms", po::value(&o.slo_ms)->default_value(o.slo_ms, shown(o.slo_ms)), "latency SLO (ms), from scheduled arrival")
      ("batch-max-requests", po::value(&o.batch_max_requests)->default_value(o.batch_max_requests, shown(o.batch_max_requests)), "requests per batch")
      ("batch-max-tokens", po::value(&o.batch_max_tokens)->default_value(o.batch_max_tokens, shown(o.batch_max_tokens)), "computed tokens per batch")
      ("batch-timeout-us", po::value(&o.batch_timeout_us)->default_value(o.batch_timeout_us, shown(o.batch_timeout_us)),
       "how long the oldest queued request waits for a fuller batch")
      ("queue-cap", po::value(&o.queue_cap)->default_value(o.queue_cap, shown(o.queue_cap)), "queued requests per worker; beyond: dropped")
      ("h2d-gbps", po::value(&o.h2d_gbps)->default_value(o.h2d_gbps, shown(o.h2d_gbps)),
       "emulated host-to-device rate (GB/s); 0 = a miss costs the share of compute it costs on --link-like")
      ("link-like", po::value(&o.link_like)->default_value(o.link_like, shown(o.link_like)),
       "CPU backend: the cost model (a device) whose link:compute ratio the emulated link keeps, "
       "for the same batch shapes, measured on the workers")
      ("h2d-latency-us", po::value(&o.h2d_latency_us)->default_value(o.h2d_latency_us, shown(o.h2d_latency_us)), "fixed cost per transfer (us)")
      ("control-interval-ms", po::value(&o.control_interval_ms)->default_value(o.control_interval_ms, shown(o.control_interval_ms)),
       "statistics/control interval")
      ("warmup-s", po::value(&o.warmup_s)->default_value(o.warmup_s, shown(o.warmup_s)), "excluded from statistics (still recorded)")
      ("drain-s", po::value(&o.drain_s)->default_value(o.drain_s, shown(o.drain_s)), "wait after the last arrival; then queued = dropped")
      ("out", po::value(&o.out)->default_value(o.out, shown(o.out)), "results file (HDF5)");
  desc.add(w).add(m).add(s);
}

void validate(const RunOptions& o) {
  if (!(o.qps > 0)) bad_input("--qps: must be positive (got {})", o.qps);
  if (!(o.duration_s > 0)) bad_input("--duration: must be positive (got {})", o.duration_s);
  if (o.warmup_s < 0) bad_input("--warmup-s: must not be negative (got {})", o.warmup_s);
  if (o.drain_s < 0) bad_input("--drain-s: must not be negative (got {})", o.drain_s);
  if (!(o.slo_ms > 0)) bad_input("--slo-ms: must be positive (got {})", o.slo_ms);
  if (!(o.pool_mib > 0) && !(o.backend == "cuda" && o.pool_mib == 0))
    bad_input("--pool-mib: must be positive, or 0 with --backend cuda (got {})", o.pool_mib);
  if (o.page_kib <= 0) bad_input("--page-kib: must be positive (got {})", o.page_kib);
  if (o.batch_max_requests <= 0) bad_input("--batch-max-requests: must be positive");
  if (o.batch_max_tokens <= 0) bad_input("--batch-max-tokens: must be positive");
  if (o.batch_timeout_us < 0) bad_input("--batch-timeout-us: must not be negative");
  if (o.queue_cap <= 0) bad_input("--queue-cap: must be positive");
  if (o.h2d_gbps < 0) bad_input("--h2d-gbps: must not be negative (0 = scaled default)");
  try {
    resolve_cost_model(o.link_like);
  } catch (const BadInput& e) {
    bad_input("--link-like: {}", e.what());
  }
  if (o.h2d_latency_us < 0) bad_input("--h2d-latency-us: must not be negative");
  if (!(o.control_interval_ms > 0)) bad_input("--control-interval-ms: must be positive");
  if (o.candidates < 0) bad_input("--candidates: must not be negative");
  if (o.users <= 0 || o.items <= 0) bad_input("--users/--items: must be positive");
  if (!(o.zipf > 0)) bad_input("--zipf: must be positive");
  if (o.repartition != "naive" && o.repartition != "budgeted")
    bad_input("--repartition: '{}' is not naive or budgeted", o.repartition);
  make_router(o.router, RouterOptions{});  // any name of the registry (BadInput lists them)
  validate(o.routing.tuning);
  const auto& ca = o.routing.cache_aware;
  if (ca.balance_abs < 0 || !(ca.balance_rel >= 1) || ca.match_threshold < 0 || ca.match_threshold > 1)
    bad_input("--cache-aware-*: need abs >= 0, rel >= 1, match in [0,1]");
  if (!(o.routing.kv_affinity.load_factor >= 1)) bad_input("--kv-affinity-load-factor: must be at least 1");
  if (o.routing.kv_affinity.vnodes < 1) bad_input("--kv-affinity-vnodes: must be positive");
  if (o.executor != "model" && o.executor != "noop")
    bad_input("--executor: '{}' is not model or noop", o.executor);
  if (o.backend == "cuda") validate_cuda_backend(o);
  else if (o.backend != "cpu") bad_input("--backend: '{}' is not cpu or cuda", o.backend);
  if (!(o.max_step > 0 && o.max_step <= 1)) bad_input("--max-step: {} is not in (0, 1]", o.max_step);
  if (!(o.refill_share > 0 && o.refill_share <= 1))
    bad_input("--refill-share: {} is not in (0, 1]", o.refill_share);
  if (!(o.emb_sample > 0 && o.emb_sample <= 1)) bad_input("--emb-sample: {} is not in (0, 1]", o.emb_sample);
  if (o.host_kv_mib < 0) bad_input("--host-kv-mib: must not be negative (got {})", o.host_kv_mib);
  for (const auto& t : o.tags)
    if (t.find('=') == std::string::npos || t.front() == '=')
      bad_input("--tag: '{}' is not key=value", t);
}

}  // namespace helm
