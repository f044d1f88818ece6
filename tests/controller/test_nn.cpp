// The network kit: hand-written gradients against central finite differences (double), the
// orthogonal initialiser, the running normaliser, Adam, and the single-sample forward path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "controller/nn.h"
#include "controller/ppo.h"

namespace helm {
namespace {

// max over entries of |analytic - numeric| / max(|analytic|, |numeric|, floor).
double max_rel_err(const std::vector<double>& a, const std::vector<double>& n, double floor = 1e-6) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(a[i] - n[i]) / std::max({std::abs(a[i]), std::abs(n[i]), floor}));
  return worst;
}

TEST(Mlp, BackwardMatchesFiniteDifferences) {
  Rng rng(7);
  nn::Mlp<double> f({5, 8, 6, 3});
  f.init_orthogonal(rng, std::sqrt(2.0), 0.7);
  for (double& p : f.params()) p += 0.1 * rng.normal();  // nonzero biases too
  const int B = 4;
  nn::Mat<double> X(5, B), C(3, B);
  for (int i = 0; i < X.size(); ++i) X.data()[i] = rng.normal();
  for (int i = 0; i < C.size(); ++i) C.data()[i] = rng.normal();
  // loss = sum(C .* f(X)), so dY = C.
  const auto loss = [&]() {
    nn::Mlp<double>::Tape t;
    return (f.forward(X, t).array() * C.array()).sum();
  };
  nn::Mlp<double>::Tape t;
  f.forward(X, t);
  std::vector<double> g(f.params().size(), 0.0), num(g.size());
  f.backward(t, C, g.data());
  const double h = 1e-6;
  for (size_t i = 0; i < g.size(); ++i) {
    const double p = f.params()[i];
    f.params()[i] = p + h;
    const double lp = loss();
    f.params()[i] = p - h;
    const double lm = loss();
    f.params()[i] = p;
    num[i] = (lp - lm) / (2 * h);
  }
  EXPECT_LE(max_rel_err(g, num), 1e-4);
}

TEST(Ppo, LossGradientMatchesFiniteDifferences) {
  for (const bool clip_v : {false, true}) {
    PpoConfig cfg;
    cfg.hidden = {8, 8};
    cfg.clip_vloss = clip_v;
    cfg.ent_coef = 0.01;
    cfg.policy_out_gain = 1.0;  // a mean that moves, so the ratio is not 1 everywhere
    Rng rng(11);
    ActorCriticT<double> ac(3, 2, cfg, rng);
    ac.log_std = {-0.3, 0.2};
    Rollout r(6, 2, 3, 2);
    for (auto& x : r.obs) x = static_cast<float>(rng.normal());
    for (auto& x : r.act) x = static_cast<float>(rng.normal());
    // Old log-probabilities near the current ones, so some ratios fall inside the clip range.
    for (int k = 0; k < r.size(); ++k) {
      Eigen::Map<const Eigen::VectorXf> o(r.obs.data() + 3 * k, 3);
      nn::Mlp<double>::Tape t;
      const nn::Mat<double> mu = ac.mean.forward(o.cast<double>(), t);
      const double a[2] = {r.act[2 * k], r.act[2 * k + 1]};
      r.logp[k] = nn::gaussian_log_prob(a, mu.data(), ac.log_std.data(), 2) + 0.25 * rng.normal();
    }
    for (auto& x : r.value) x = rng.normal();
    for (auto& x : r.reward) x = rng.normal();
    compute_gae(r, cfg.gamma, cfg.gae_lambda);
    std::vector<int> idx{0, 2, 3, 5, 7, 8, 10, 11};
    std::vector<double> g, g2, flat;
    PpoStats st;
    ppo_loss_grad(ac, r, idx, cfg, g, &st);
    // Both branches of the clipped surrogate are exercised.
    EXPECT_GT(st.clip_frac, 0.0);
    EXPECT_LT(st.clip_frac, 1.0);
    ac.get(flat);
    std::vector<double> num(flat.size());
    const double h = 1e-6;
    for (size_t i = 0; i < flat.size(); ++i) {
      const double p = flat[i];
      flat[i] = p + h;
      ac.set(flat);
      const double lp = ppo_loss_grad(ac, r, idx, cfg, g2);
      flat[i] = p - h;
      ac.set(flat);
      const double lm = ppo_loss_grad(ac, r, idx, cfg, g2);
      flat[i] = p;
      ac.set(flat);
      num[i] = (lp - lm) / (2 * h);
    }
    EXPECT_LE(max_rel_err(g, num), 1e-4) << "clip_vloss " << clip_v;
  }
}

TEST(Mlp, ForwardOneMatchesBatched) {
  Rng rng(3);
  nn::Mlp<float> f({16, 64, 64, 2});
  f.init_orthogonal(rng, std::sqrt(2.0), 1.0);
  nn::Mat<float> X(16, 3);
  for (int i = 0; i < X.size(); ++i) X.data()[i] = static_cast<float>(rng.normal());
  nn::Mlp<float>::Tape t;
  const nn::Mat<float>& Y = f.forward(X, t);
  std::vector<float> ws(f.workspace_size()), y(2);
  for (int c = 0; c < 3; ++c) {
    f.forward_one(X.col(c).data(), y.data(), ws.data());
    for (int k = 0; k < 2; ++k) EXPECT_NEAR(y[k], Y(k, c), 1e-5);
  }
}

TEST(Orthogonal, RowsOrColumnsAreOrthonormalTimesGain) {
  Rng rng(5);
  for (auto [r, c] : {std::pair{64, 16}, std::pair{2, 64}, std::pair{64, 64}}) {
    std::vector<double> w(static_cast<size_t>(r) * c);
    nn::orthogonal(rng, r, c, 2.0, w.data());
    Eigen::Map<Eigen::MatrixXd> W(w.data(), r, c);
    const Eigen::MatrixXd G = r >= c ? Eigen::MatrixXd(W.transpose() * W) : Eigen::MatrixXd(W * W.transpose());
    const Eigen::MatrixXd I = 4.0 * Eigen::MatrixXd::Identity(G.rows(), G.cols());
    EXPECT_LT((G - I).cwiseAbs().maxCoeff(), 1e-9) << r << "x" << c;
  }
  // Seeded: the same seed gives the same weights, another seed different ones.
  Rng a(9), b(9), c(10);
  nn::Mlp<float> fa({4, 8, 1}), fb({4, 8, 1}), fc({4, 8, 1});
  fa.init_orthogonal(a, 1.4, 1.0);
  fb.init_orthogonal(b, 1.4, 1.0);
  fc.init_orthogonal(c, 1.4, 1.0);
  EXPECT_EQ(fa.params(), fb.params());
  EXPECT_NE(fa.params(), fc.params());
}

TEST(RunningNorm, MatchesBatchStatisticsAndFreezes) {
  Rng rng(1);
  nn::RunningNorm n(2);
  std::vector<double> all;
  for (int chunk = 0; chunk < 10; ++chunk) {
    std::vector<double> x;
    for (int k = 0; k < 37; ++k) {
      x.push_back(3 + 2 * rng.normal());
      x.push_back(-1 + 0.5 * rng.normal());
    }
    n.update(x.data(), 37);
    all.insert(all.end(), x.begin(), x.end());
  }
  for (int d = 0; d < 2; ++d) {
    double m = 0, v = 0;
    const size_t cnt = all.size() / 2;
    for (size_t k = 0; k < cnt; ++k) m += all[2 * k + d];
    m /= cnt;
    for (size_t k = 0; k < cnt; ++k) v += (all[2 * k + d] - m) * (all[2 * k + d] - m);
    v /= cnt;
    EXPECT_NEAR(n.mean()[d], m, 1e-6);
    EXPECT_NEAR(n.var()[d], v, 1e-3 * v);
  }
  n.freeze();
  const auto before = n.mean();
  const double big[2] = {1e6, 1e6};
  n.update(big, 1);
  EXPECT_EQ(n.mean(), before);
  float z[2];
  n.normalise(big, z);
  EXPECT_FLOAT_EQ(z[0], 10.0f);  // clipped
}

TEST(Adam, MinimisesAQuadratic) {
  std::vector<double> p{3.0, -2.0}, g(2);
  nn::Adam adam(2);
  for (int i = 0; i < 3000; ++i) {
    g[0] = 2 * (p[0] - 1);
    g[1] = 20 * (p[1] + 0.5);
    adam.step(p.data(), g.data(), 2, 0.01);
  }
  EXPECT_NEAR(p[0], 1.0, 1e-3);
  EXPECT_NEAR(p[1], -0.5, 1e-3);
  // First step of bias-corrected Adam moves every parameter by lr (sign of the gradient).
  std::vector<double> q{0.0, 0.0}, gq{5.0, -0.001};
  nn::Adam a2(2, 0.9, 0.999, 1e-12);
  a2.step(q.data(), gq.data(), 2, 0.1);
  EXPECT_NEAR(q[0], -0.1, 1e-6);  // float moments
  EXPECT_NEAR(q[1], 0.1, 1e-6);
}

}  // namespace
}  // namespace helm
