// The forward pass: KV-cached == full recompute == float64 reference (MODEL.md, 1e-5 relative
// to the largest score), across configs, history lengths, new-token counts, candidate counts,
// page sizes, repeated visits and batches.
#include <gtest/gtest.h>

#include <cmath>

#include "common/blas.h"
#include "common/error.h"
#include "gr_model/math_cpu.h"
#include "gr_model/model.h"
#include "gr_model/reference.h"
#include "test_util.h"

using namespace helm;
using helm::test::rel_err;

namespace {
constexpr double kTol = 1e-5;

struct Fixture {
  explicit Fixture(const char* cfg, int64_t items = 3000, uint64_t seed = 11)
      : w(random_weights(model_config(cfg), items, seed)), model(w) {
    init_blas();
  }
  Weights w;
  HstuModel model;
};

std::vector<const float*> fetch(const Weights& w, const std::vector<ItemId>& ids,
                                std::vector<float>& buf) {
  buf.resize(ids.size() * w.cfg.D);
  std::vector<const float*> rows;
  for (size_t i = 0; i < ids.size(); ++i) {
    w.E->read(ids[i], buf.data() + i * w.cfg.D);
    rows.push_back(buf.data() + i * w.cfg.D);
  }
  return rows;
}
}  // namespace

TEST(GrMath, ExpApproxIsAccurate) {
  double worst = 0;
  for (float x = -80.0f; x < 80.0f; x += 0.01337f)
    worst = std::max(worst, std::abs(cpu::exp_approx(x) / std::exp(static_cast<double>(x)) - 1));
  EXPECT_LT(worst, 5e-7);
  EXPECT_NEAR(cpu::silu(-200.0f), 0.0f, 1e-30);
  EXPECT_NEAR(cpu::silu(200.0f), 200.0f, 1e-4);
}

class ForwardCfg : public ::testing::TestWithParam<const char*> {};

// For every (L, M, n): the cached visit (L0 = L - n) and the full pass match the reference.
TEST_P(ForwardCfg, CachedEqualsFullEqualsReference) {
  Fixture f(GetParam());
  Rng rng(5);
  for (int L : {1, 7, 63, 200, 511}) {
    if (L > f.w.cfg.history_cap()) continue;
    for (int M : {1, 8, 32}) {
      const auto hist = test::random_ids(rng, L, f.w.items);
      const auto cand = test::random_ids(rng, M, f.w.items);
      const auto ref = reference_scores(f.w, hist, cand);
      const auto full = score_sequence(f.model, f.w, hist, cand, 0);
      EXPECT_LE(rel_err(full, ref), kTol) << "full L=" << L << " M=" << M;
      for (int n : {1, 5, 40}) {
        if (n > L) continue;
        const auto cached = score_sequence(f.model, f.w, hist, cand, L - n);
        EXPECT_LE(rel_err(cached, ref), kTol) << "cached L=" << L << " M=" << M << " n=" << n;
        EXPECT_LE(rel_err(cached, full), kTol) << "cached vs full L=" << L << " n=" << n;
      }
    }
  }
}

// Three successive visits on the same pages and workspace, with odd page sizes so chunks
// straddle pages; the last visit brings no new history (everything cached).
TEST_P(ForwardCfg, SuccessiveVisitsReuseTheCache) {
  Fixture f(GetParam());
  Rng rng(9);
  const int cap = f.w.cfg.history_cap();
  const std::vector<int> lengths = {cap / 3, cap / 3 + 5, cap, cap};
  const auto hist = test::random_ids(rng, cap, f.w.items);
  for (int tpp : {7, 64}) {
    OwnedKv kv(f.w.cfg, cap, tpp);
    Workspace ws;
    std::vector<float> buf;
    const auto rows = fetch(f.w, hist, buf);
    int done = 0;
    for (size_t v = 0; v < lengths.size(); ++v) {
      const auto cand = test::random_ids(rng, 8, f.w.items);
      std::vector<float> cbuf;
      const auto crow = fetch(f.w, cand, cbuf);
      std::vector<const float*> in(rows.begin() + done, rows.begin() + lengths[v]);
      in.insert(in.end(), crow.begin(), crow.end());
      std::vector<float> scores(cand.size());
      SeqInput s{done, lengths[v] - done, 8, in.data(), kv.view(), scores.data()};
      f.model.forward(std::span(&s, 1), ws);
      done = lengths[v];
      const auto ref = reference_scores(f.w, test::head(hist, done), cand);
      EXPECT_LE(rel_err(scores, ref), kTol) << "visit " << v << " tpp " << tpp;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, ForwardCfg, ::testing::Values("tiny", "small", "ml-20m"));

// A batch of different sequences (cached and uncached, with and without candidates) gives each
// sequence the scores it gets alone.
TEST(Forward, BatchEqualsEachAlone) {
  Fixture f("small");
  Rng rng(21);
  struct Case { int L0, n, M; bool paged; };
  const std::vector<Case> cases = {{0, 100, 8, false}, {200, 3, 32, true}, {0, 511, 1, true},
                                   {50, 0, 5, true},   {30, 10, 0, true},  {0, 1, 32, false}};
  const int tpp = 32;
  std::vector<std::vector<ItemId>> ids;
  std::vector<std::vector<float>> bufs(cases.size());
  std::vector<std::vector<const float*>> rows(cases.size());
  std::vector<OwnedKv> kv_batch, kv_alone;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    ids.push_back(test::random_ids(rng, c.L0 + c.n + c.M, f.w.items));
    auto all = fetch(f.w, ids[i], bufs[i]);
    rows[i] = all;
    kv_batch.emplace_back(f.w.cfg, std::max(c.L0 + c.n, 1), tpp);
    kv_alone.emplace_back(f.w.cfg, std::max(c.L0 + c.n, 1), tpp);
  }
  Workspace ws;
  // Earlier visits fill the cached prefixes of both copies.
  for (size_t i = 0; i < cases.size(); ++i) {
    if (cases[i].L0 == 0) continue;
    for (auto* kv : {kv_batch[i].view(), kv_alone[i].view()}) {
      SeqInput s{0, cases[i].L0, 0, rows[i].data(), kv, nullptr};
      f.model.forward(std::span(&s, 1), ws);
    }
  }
  std::vector<std::vector<float>> batch_scores(cases.size()), alone_scores(cases.size());
  std::vector<SeqInput> batch;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    batch_scores[i].resize(c.M);
    alone_scores[i].resize(c.M);
    batch.push_back({c.L0, c.n, c.M, rows[i].data() + c.L0, c.paged ? kv_batch[i].view() : nullptr,
                     batch_scores[i].data()});
  }
  f.model.forward(batch, ws);
  for (size_t i = 0; i < cases.size(); ++i) {
    SeqInput s = batch[i];
    s.kv = cases[i].paged ? kv_alone[i].view() : nullptr;
    s.scores = alone_scores[i].data();
    Workspace fresh;
    f.model.forward(std::span(&s, 1), fresh);
    EXPECT_LE(rel_err(batch_scores[i], alone_scores[i]), 1e-6) << "sequence " << i;
    if (cases[i].M > 0) {
      const auto& c = cases[i];
      std::vector<ItemId> h(ids[i].begin(), ids[i].begin() + c.L0 + c.n);
      std::vector<ItemId> cand(ids[i].begin() + c.L0 + c.n, ids[i].end());
      EXPECT_LE(rel_err(batch_scores[i], reference_scores(f.w, h, cand)), kTol) << "sequence " << i;
    }
  }
}

// A workspace reserved for a batch's shape holds that batch: forward() allocates nothing more
// (a server's memory then does not grow with the load that first fills a batch), and the scores
// equal those of a workspace grown on demand.
TEST(Forward, ReservedWorkspaceHoldsTheBatch) {
  Fixture f("small");
  Rng rng(5);
  struct Case { int n, M; };
  const std::vector<Case> cases = {{100, 8}, {511, 1}, {1, 32}, {37, 5}};  // uncached: scratch K/V
  std::vector<std::vector<ItemId>> ids;
  std::vector<std::vector<float>> bufs(cases.size()), reserved(cases.size()), grown(cases.size());
  std::vector<std::vector<const float*>> rows(cases.size());
  std::vector<SeqInput> a, b;
  int hist = 0, cand = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    ids.push_back(test::random_ids(rng, cases[i].n + cases[i].M, f.w.items));
    rows[i] = fetch(f.w, ids[i], bufs[i]);
    reserved[i].resize(cases[i].M);
    grown[i].resize(cases[i].M);
    a.push_back({0, cases[i].n, cases[i].M, rows[i].data(), nullptr, reserved[i].data()});
    b.push_back({0, cases[i].n, cases[i].M, rows[i].data(), nullptr, grown[i].data()});
    hist += cases[i].n;
    cand += cases[i].M;
  }
  Workspace ws, on_demand;
  f.model.reserve(ws, static_cast<int>(cases.size()), hist, cand, ws.scratch_tokens_per_page);
  const size_t before = ws.bytes();
  f.model.forward(a, ws);
  EXPECT_EQ(ws.bytes(), before);
  EXPECT_EQ(on_demand.bytes(), 0u);
  f.model.forward(b, on_demand);
  EXPECT_GT(on_demand.bytes(), 0u);
  EXPECT_LE(on_demand.bytes(), before);
  for (size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(reserved[i], grown[i]) << "sequence " << i;
}

TEST(Forward, FlopsCountCachedWorkOnly) {
  Fixture f("small");
  SeqInput full{0, 511, 32, nullptr, nullptr, nullptr};
  SeqInput cached{485, 26, 32, nullptr, nullptr, nullptr};
  const double ff = f.model.flops(std::span(&full, 1)), fc = f.model.flops(std::span(&cached, 1));
  EXPECT_GT(ff, 3 * fc);
  EXPECT_GT(fc, 0);
}

TEST(Forward, ScoreSequenceRejectsBadInput) {
  Fixture f("tiny", 100);
  EXPECT_THROW(score_sequence(f.model, f.w, {1, 2, 100}, {3}, 0), BadInput);
  EXPECT_THROW(score_sequence(f.model, f.w, {1, 2}, {-1}, 0), BadInput);
  EXPECT_THROW(score_sequence(f.model, f.w, {1, 2}, {3}, 3), BadInput);
  EXPECT_THROW(score_sequence(f.model, f.w, std::vector<ItemId>(64, 1), {3}, 0), BadInput);
}
