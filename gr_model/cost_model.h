// The cost model: how long a batch takes on one device, given what the caches decided.
//
// The simulator (`helm-bench sim`) never runs the HSTU forward pass; it asks this model. The
// terms mirror what the real executor (harness/node/hstu_executor.cpp) spends time on, in order:
//   host prep   request_ns per request + history_ns_per_item per history item fetched and hashed
//               + emb_hit_ns / emb_miss_ns per distinct row looked up (the miss cost is the host
//               read, not the copy: copies go over the H2DLink timeline, whose rate and latency
//               `link` supplies);
//   link wait   the batch's missed bytes on the link (overlaps host prep; wake_ns is the timer
//               overshoot of the real worker's sleep when the link is the longer of the two);
//   HSTU        batch_ns + seq_ns per sequence
//               + max(dense_flops x dense_ns_per_flop(T), weight and activation bytes / hbm)
//               + max(attn_flops x attn_ns_per_flop, KV bytes read / hbm),
//               T = computed tokens of the batch (new history tokens + candidates). dense is a
//               piecewise-linear function of T because small matrix products run far below peak.
// Flops count exactly what HstuModel::flop_count counts (tests check it).
//
// Files (JSON) carry the fitted model AND the raw samples it was fitted on, plus metadata.
// Shipped models (cost_models/NAME.json in the repository) are selected by name; any other
// value of --cost-model is a path. Bad files throw BadInput naming the file and the field.
#pragma once
#include <array>
#include <span>
#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "gr_model/config.h"
#include "gr_model/delay_quantiles.h"

namespace helm {

// y(x) by linear interpolation between knots, constant beyond the ends. x ascending.
struct PiecewiseLinear {
  std::vector<double> x, y;
  double operator()(double v) const;
};

// The work of a batch as the cost model needs it; accumulate one sequence at a time.
struct HstuWork {
  int64_t sequences = 0, tokens = 0;  // tokens: computed (new history + candidates)
  double dense_flops = 0, attn_flops = 0;
  double act_bytes = 0, kv_read_bytes = 0;  // HBM traffic at the model's bytes per element
  void add(const ModelConfig& c, int64_t cached, int64_t new_tokens, int64_t candidates,
           double bytes_per_element);
};

// One measurement behind a fit: a batch of sequences {cached, new, candidates} and its time.
struct CostSample {
  std::string kind;  // prefill | incremental | candidates | batch
  std::vector<std::array<int64_t, 3>> seqs;
  double ns = 0;
};

struct CostModel {
  // Metadata
  std::string name, backend, device, date, source, notes;
  std::string model;  // config calibrated on ("" = any: a published-figures model)
  // HSTU
  double batch_ns = 0, seq_ns = 0;
  PiecewiseLinear dense_ns_per_gflop;  // over T (computed tokens in the batch)
  double attn_ns_per_gflop = 0;
  double hbm_bytes_per_s = 0;          // 0 = memory traffic not modelled (CPU: in the fit)
  // Extra forward time of a batch that starts after its node idled for x ns (optional in the file:
  // hstu.idle_penalty; empty = none). On the CPU backend the first forward after an idle sleep
  // runs slower than one right after another (the worker's core and caches go cold while it
  // sleeps); `calibrate` measures it by sleeping as the idle worker does (calibrate.h).
  PiecewiseLinear idle_penalty_ns;     // over the idle time before the batch, ns
  // How a forward's time spreads around the fitted (median) time of its shape: quantiles of
  // time / median over every repetition `calibrate` timed (optional in the file:
  // hstu.spread_quantiles; empty = none). When present `sim` scales each batch's forward by a
  // draw from it (a stream per node), so service varies as measured instead of being a function
  // of the shape alone; queueing near saturation turns that variance into tail latency.
  DelayQuantiles forward_spread;
  double bytes_per_element = 4;        // activations, weights, K/V
  // Host side and harness timing
  double request_ns = 0, history_ns_per_item = 0, emb_hit_ns = 0, emb_miss_ns = 0;
  double wake_ns = 0;       // timer overshoot of the real worker's sleeps
  double admit_ns = 0;      // scheduled arrival -> admitted on the node (pacing, MPI, polling)
  // The same two delays as measured distributions (optional in the file: host.wake_quantiles_ns,
  // host.admit_quantiles_ns). When present `sim` draws each event's delay from them; the means
  // above stay for files and readers that predate them, and as the constant when they are absent.
  DelayQuantiles wake_quantiles, admit_quantiles;
  // The pool a node of this device offers both caches by default: its memory less weights,
  // activations and runtime (stated in the file; 0 = not stated, the CLI default applies).
  double pool_mib = 0;
  std::string pool_source;
  // Host-to-device link
  double link_bytes_per_s = 0, link_latency_ns = 0;
  std::string link_source;
  // Fit quality over the samples, and the samples themselves
  double fit_mean_rel_err = 0, fit_max_rel_err = 0;
  std::vector<CostSample> samples;

  Nanos hstu_ns(const ModelConfig& c, const HstuWork& w) const;
  // idle_penalty_ns at `idle` ns of idle time (0 without the field; never negative).
  Nanos idle_penalty(Nanos idle) const;
  // What a batch's computed history tokens cost: the batch's time minus the time of the same
  // batch with every history token already cached (same candidates, same context). This is what
  // KV hits on those tokens would have saved: the marginal cost, not the batch time / tokens
  // (which also charges candidates, attention over reused tokens and per-batch fixed costs).
  // seqs: {cached, new, candidates} per sequence. Never negative.
  Nanos recompute_ns(const ModelConfig& c, std::span<const std::array<int64_t, 3>> seqs) const;
  Nanos host_ns(int64_t requests, int64_t history_items, int64_t emb_hits, int64_t emb_misses) const;
  // The time of a whole sample batch (fitting and tests).
  double sample_ns(const ModelConfig& c, const CostSample& s) const;
};

// Load/save. load_cost_model throws BadInput "FILE: field 'X' ..." on any fault.
CostModel load_cost_model(const std::string& path);
void save_cost_model(const CostModel& m, const std::string& path);
// NAME (a shipped model: cost_models/NAME.json) or a path; BadInput lists the shipped names.
std::string resolve_cost_model(const std::string& name_or_path);
std::vector<std::string> shipped_cost_models();
// $HELM_COST_MODELS, else beside the executable (PREFIX/share/helm-bench/cost_models installed,
// CHECKOUT/cost_models from CHECKOUT/build/bin), else the checkout configured at build time.
std::string cost_model_dir();

}  // namespace helm
