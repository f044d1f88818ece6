// What a KV hit saves in `run`: the mrc policy's KV curve values each hit at the marginal cost of
// recomputing the reused tokens (the same quantity `sim` takes from CostModel::recompute_ns), not
// the batch's whole forward time / computed tokens, which also charges candidates, attention over
// reused tokens and per-batch fixed costs (it overvalues KV hits many times over).
//
// Two sources, in this order of preference, and the results file names the one used
// (root attribute kv_hit_worth):
//   --cost-model NAME|FILE  a calibrated model of this backend and model: recompute_ns per batch,
//                           exactly as `sim` does;
//   measured                each worker times, at start-up, the link rule's representative batch
//                           (gr_model/link_rule.h) with and without its history tokens cached, on
//                           its own backend (the CPU HstuModel or the CUDA model, through the
//                           backend's BatchTimer), and rank 0 takes the median per-token difference:
//                             ns_per_token = (t(batch) - t(batch, history cached)) / history tokens;
//   otherwise               (an executor without a model: noop) the whole forward per computed
//                           token; the attribute says so.
#pragma once
#include <array>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "gr_model/cost_model.h"
#include "harness/cli/run_options.h"

namespace helm {

struct KvHitWorth {
  std::optional<CostModel> model;  // set: recompute_ns per batch
  double ns_per_token = 0;         // otherwise: the start-up measurement (0 = not measured)
  // The recompute cost of a batch's `computed` history tokens. seqs: {cached, new, candidates};
  // forward_ns: the batch's measured forward (the fallback when neither source is set).
  Nanos recompute_ns(const ModelConfig& cfg, std::span<const std::array<int64_t, 3>> seqs,
                     int64_t computed, Nanos forward_ns) const;
};

// Whether `run` must measure it at start-up: the policy reads curves, the executor runs a model
// (on any backend) and no --cost-model was given.
bool kv_worth_needs_measurement(const RunOptions& o, bool policy_needs_curves);
// Times forward passes of batch shapes ({cached, new, candidates} per sequence) on one backend:
// sets each sample's ns to the median over `reps`, the samples timed round-robin so interference
// hits all alike. Each backend supplies one (cpu_batch_timer below; the CUDA one in
// node/cuda/cuda_calibrate.h), chosen where the worker's executor is (mpi_driver.h).
using BatchTimer = std::function<void(std::span<CostSample> samples, int reps)>;
BatchTimer cpu_batch_timer(const RunOptions& o, const ModelConfig& cfg);
// The start-up measurement on this process, the same code for every backend. The batch is the
// link rule's (link_setup.h), so on the CPU one measurement serves both: batch_ns is what
// measure_link_shapes would return.
struct WorthMeasurement {
  double batch_ns = 0, cached_ns = 0;  // medians: the batch, and the same with its history cached
  double ns_per_token = 0;             // (batch_ns - cached_ns) / history tokens, >= 0
};
WorthMeasurement measure_kv_worth(const BatchTimer& time, const RunOptions& o, const ModelConfig& cfg,
                                  int candidates);
// Loads and checks --cost-model for `run` (BadInput naming the option on a model calibrated for
// another backend or model config). Empty name: nullopt.
std::optional<CostModel> load_worth_model(const RunOptions& o, const ModelConfig& cfg);
// The results file's kv_hit_worth attribute: the source and how it was derived.
std::string describe_kv_worth(const RunOptions& o, bool policy_needs_curves, double measured_ns_per_token);

}  // namespace helm
