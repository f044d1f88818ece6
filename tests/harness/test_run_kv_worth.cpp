// What a KV hit is worth to the mrc policy in a real `run`: the marginal cost of recomputing the
// reused tokens, as in `sim` (CostModel::recompute_ns), not the whole forward / computed tokens.
// The worker's value is the root attribute kv_hit_ns_per_token (its control loop's value at the
// end); kv_hit_worth names the source.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gr_model/cost_model.h"
#include "common/error.h"
#include "gr_model/link_rule.h"
#include "harness/node/kv_hit_worth.h"
#include "results/reader.h"
#include "tests/harness/test_run_util.h"

using namespace helm;

namespace {

const std::string kArgs =
    "--qps 60 --duration 3 --warmup-s 1 --drain-s 3 --pool-mib 4 --page-kib 16 --users 100 --items 5000"
    " --history-median 30 --session-requests 8 --session-gap-s 0.3 --memory-policy mrc"
    " --control-interval-ms 500 --slo-ms 500";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The link rule's batch (the one the workers time at start-up) and its computed history tokens.
CostSample shapes(const RunContext& ctx, int64_t& history) {
  CostSample s = link_shapes(ctx.model, ctx.opt.batch_max_requests, ctx.candidates);
  history = 0;
  for (const auto& q : s.seqs) history += q[1];
  return s;
}

}  // namespace

TEST(RunKvWorth, MeasuredAtStartUpIsTheMarginalCostNotTheForwardPerToken) {
  const std::string out = test::temp_path("helm_kv_worth_measured.h5"), log = out + ".log";
  ASSERT_EQ(test::mpirun(2, kArgs, out, log), 0) << slurp(log);
  ResultsReader file(out);
  const auto& a = file.attributes();
  ASSERT_TRUE(a.string("kv_hit_worth").has_value());
  EXPECT_EQ(a.string("kv_hit_worth")->rfind("measured at start-up", 0), 0u) << *a.string("kv_hit_worth");
  const double worth = a.number("kv_hit_ns_per_token").value_or(0);
  ASSERT_GT(worth, 0);

  const RunContext ctx = test::run_context(kArgs);
  int64_t history = 0;
  const CostSample s = shapes(ctx, history);
  // The whole forward per token of the same batch, measured in the same start-up turn (the link
  // rule's CPU time), for the printout: on this prefill-heavy batch the marginal cost is ~75% of it.
  const double forward_per_token = *a.number("link_cpu_ns") / static_cast<double>(history);
  // The calibrated model of this backend predicts the same marginal cost for that batch. Only a
  // lower bound against it: contention on a shared box inflates what the workers time (2-4x at
  // load 10 here), and a test must not time the machine. What holds under any contention is
  // the comparison inside one start-up turn (same interference): the marginal cost is below
  // the whole forward per token of the same batch (~75% of it; the old rule was all of it).
  const CostModel cm = load_cost_model(resolve_cost_model("cpu-small"));
  const double predicted = static_cast<double>(cm.recompute_ns(ctx.model, s.seqs)) / static_cast<double>(history);
  EXPECT_GT(worth, predicted / 3) << "predicted " << predicted;
  EXPECT_LT(worth, 0.9 * forward_per_token) << "whole forward per token of the same batch " << forward_per_token;
  // And the whole forward per computed token of the run's own batches (the old valuation, kept
  // beside it in the file) is above the marginal cost: short histories spread candidates and
  // fixed costs over few tokens (typically 4-5x; measured in another turn, so only "above").
  const double old_value = a.number("forward_ns_per_token").value_or(0);
  EXPECT_GT(old_value, worth) << "forward / computed of the run's batches " << old_value;
  std::cout << "kv hit worth " << worth << " ns/token; cpu-small predicts " << predicted
            << "; whole forward / token of the shapes " << forward_per_token << ", of the run's batches "
            << old_value << "\n";
}

TEST(RunKvWorth, FromAGivenCostModelAsSimComputesIt) {
  const std::string out = test::temp_path("helm_kv_worth_model.h5"), log = out + ".log";
  ASSERT_EQ(test::mpirun(2, kArgs + " --cost-model cpu-small", out, log), 0) << slurp(log);
  ResultsReader file(out);
  const auto& a = file.attributes();
  EXPECT_EQ(a.string("kv_hit_worth").value_or("").rfind("cost-model cpu-small", 0), 0u) << a.text("kv_hit_worth");
  const double worth = a.number("kv_hit_ns_per_token").value_or(0);
  ASSERT_GT(worth, 0);
  // The worker's value is an average of recompute_ns / computed over its batches. The old value,
  // forward / computed, is at least the forward per token of the longest prefill this trace can
  // give (shorter ones and incremental batches spread candidates and fixed costs over fewer
  // tokens); the marginal cost stays below it.
  const RunContext ctx = test::run_context(kArgs);
  const CostModel cm = load_cost_model(resolve_cost_model("cpu-small"));
  const int64_t w = ctx.model.N - 1;
  HstuWork one;
  one.add(ctx.model, 0, w, ctx.candidates, cm.bytes_per_element);
  const double forward = static_cast<double>(cm.hstu_ns(ctx.model, one)) / static_cast<double>(w);
  EXPECT_LT(worth, forward) << "forward per token " << forward;
  EXPECT_GT(a.number("forward_ns_per_token").value_or(0), 2 * worth);
  std::cout << "kv hit worth " << worth << " ns/token (cpu-small); longest prefill's forward per token "
            << forward << "\n";
}

TEST(RunKvWorth, ACostModelOfAnotherBackendIsBadInput) {
  const std::string cmd = std::string(HELM_BENCH_EXE) + " run " + kArgs + " --cost-model a100-80gb 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string text;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) text += buf;
  const int rc = pclose(p);
  EXPECT_EQ(WEXITSTATUS(rc), 2) << text;
  EXPECT_NE(text.find("--cost-model a100-80gb: calibrated on backend 'cuda'"), std::string::npos) << text;
}

// The start-up measurement is one code for every backend: it times the link rule's batch and its
// twin with all history cached through the backend's BatchTimer. Here the CPU backend's timer (the
// real HstuModel), wrapped to see what it was asked to time; the CUDA timer is the same call on
// the GPU (node/cuda/cuda_batch_timer.h).
TEST(KvWorthMeasurement, TimesTheBatchAndItsCachedTwinThroughTheBackendTimer) {
  const RunContext ctx = test::run_context(kArgs);
  const BatchTimer cpu = cpu_batch_timer(ctx.opt, ctx.model);
  std::vector<CostSample> asked;
  int calls = 0;
  const BatchTimer seen = [&](std::span<CostSample> s, int reps) {
    ++calls;
    EXPECT_GE(reps, 3);  // a median, not one noisy forward
    cpu(s, reps);
    asked.assign(s.begin(), s.end());
  };
  const WorthMeasurement m = measure_kv_worth(seen, ctx.opt, ctx.model, ctx.candidates);
  ASSERT_EQ(calls, 1);  // both in one round-robin call: the same interference for both
  ASSERT_EQ(asked.size(), 2u);
  int64_t history = 0;
  const CostSample want = shapes(ctx, history);
  EXPECT_EQ(asked[0].seqs, want.seqs);
  ASSERT_EQ(asked[1].seqs.size(), want.seqs.size());
  for (size_t i = 0; i < want.seqs.size(); ++i) {
    const auto& q = want.seqs[i];
    EXPECT_EQ(asked[1].seqs[i], (std::array<int64_t, 3>{q[0] + q[1], 0, q[2]})) << "sequence " << i;
  }
  EXPECT_EQ(m.batch_ns, asked[0].ns);
  EXPECT_EQ(m.cached_ns, asked[1].ns);
  EXPECT_LT(m.cached_ns, m.batch_ns);
  // The real CPU forward: the marginal cost is below the whole forward per history token. (How
  // near it is to cpu-small's prediction is a wall-clock figure that a loaded machine moves by
  // 20x: RunKvWorth reports it from a real run; not asserted here.)
  EXPECT_GT(m.ns_per_token, 0);
  EXPECT_LT(m.ns_per_token, m.batch_ns / static_cast<double>(history));
}

// Every model executor measures or takes a cost model now, the CUDA one included; only the
// no-op executor (no model) is not measured.
TEST(KvWorthMeasurement, EveryModelBackendIsMeasuredOrTakesACostModel) {
  RunOptions o;
  o.backend = "cuda";
  EXPECT_TRUE(kv_worth_needs_measurement(o, true));
  EXPECT_FALSE(kv_worth_needs_measurement(o, false));
  o.executor = "noop";
  EXPECT_FALSE(kv_worth_needs_measurement(o, true));
  o.executor = "model";
  o.cost_model = "a100-80gb";  // a GPU cost model for the CUDA executor
  EXPECT_FALSE(kv_worth_needs_measurement(o, true));
  const ModelConfig& cfg = model_config("small");
  const std::optional<CostModel> m = load_worth_model(o, cfg);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->backend, "cuda");
  EXPECT_NE(describe_kv_worth(o, true, 0).find("cost-model a100-80gb"), std::string::npos);
  // A CPU model for the CUDA executor would price every hit in CPU nanoseconds: refused.
  o.cost_model = "cpu-small";
  try {
    load_worth_model(o, cfg);
    ADD_FAILURE() << "cpu-small accepted for --backend cuda";
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("--cost-model cpu-small: calibrated on backend 'cpu'"), std::string::npos)
        << e.what();
  }
}
