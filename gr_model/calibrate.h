// Measuring the CPU backend for the cost model (cost_model.h): the real HstuModel on batches of
// chosen shapes, the real EmbCache on a CpuDevice, the timer overshoot of short sleeps, and the
// least-squares fit of the HSTU terms to those samples.
//
// The per-request host path of the executor (history fetch, hashing, KV bookkeeping) needs a
// trace and lives with the harness (harness/sim/sim_calibrate.cpp); it fills request_ns and
// history_ns_per_item.
#pragma once
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "gr_model/cost_model.h"

namespace helm {

struct CalibrateOptions {
  std::string model = "small";
  uint64_t seed = 1;
  int reps = 31;                // timed repetitions per sample (the median is kept)
  size_t page_bytes = 64 << 10; // KV page size, as `run` uses by default
  size_t flush_bytes = 8 << 20; // swept before each timed forward (0 = time it cache-warm)
  int64_t idle_before_ns = 0;   // idle first, sleeping in 100 us chunks as an idle worker does
};

// Times the real HstuModel (CPU, fp32, single-threaded BLAS) on each sample's batch of
// {cached, new, candidates} sequences: fills each sample's ns with the median over opt.reps.
// With `spread`, also appends every repetition's time over its sample's median.
void time_cpu_batches(const ModelConfig& cfg, std::span<CostSample> samples, const CalibrateOptions& opt,
                      std::vector<double>* spread = nullptr);

// HSTU samples (prefill at several lengths, new tokens given a cached length, candidates,
// batches) measured and fitted into m's hstu fields; m.samples gets the raw samples.
void calibrate_hstu_cpu(const CalibrateOptions& opt, CostModel& m, std::ostream& log);
// The forward's extra time after the worker idled (cost_model.h, idle_penalty_ns): one typical
// request's batch (one sequence, half the window, the model's candidates) timed right after
// another and after idle sleeps of 0.25-8 ms; the penalty at each idle time is the difference of
// the medians (never negative).
void calibrate_idle_cpu(const CalibrateOptions& opt, CostModel& m, std::ostream& log);
// EMB hit and miss costs per distinct row (lookup_batch + end_batch on a CpuDevice pool).
void calibrate_emb_cpu(const CalibrateOptions& opt, CostModel& m, std::ostream& log);
// The real harness's timer behaviour (mpi_scheduler.cpp, mpi_worker.cpp, hstu_executor.cpp
// sleep in short chunks rather than block), measured by running the same loops: means in ns,
// and every trial (the distributions `sim` draws from: gr_model/delay_quantiles.h).
struct HarnessTiming {
  double deadline_late_ns = 0;    // a loop sleeping min(100 us, left) notices its deadline this late
  double sleep_overshoot_ns = 0;  // one 100 us sleep overshoots by this much
  double poll_detect_ns = 0;      // an idle 100 us poll loop sees an event this long after it
  std::vector<double> late_trials, overshoot_trials, detect_trials;
};
HarnessTiming measure_harness_timing();
// The cost model's timer terms from a measurement (every backend's calibration): wake = the
// deadline lateness, admit = sleep overshoot + poll delay; the means and the quantiles.
void set_harness_timing(CostModel& m, const HarnessTiming& h);

// The HSTU sample shapes every backend's calibration times (the CUDA one too).
std::vector<CostSample> calibration_samples(const ModelConfig& cfg);
// Fits batch_ns, seq_ns, attn_ns_per_gflop and the dense knots to m.samples (weighted least
// squares on relative error, coefficients kept non-negative); fills fit_mean/max_rel_err.
void fit_hstu(const ModelConfig& cfg, CostModel& m);

}  // namespace helm
