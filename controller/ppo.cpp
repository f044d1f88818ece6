#include "controller/ppo.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/blas.h"
#include "common/error.h"

namespace helm {

template <typename T>
ActorCriticT<T>::ActorCriticT(int obs_dim, int act_dim, const PpoConfig& cfg, Rng& rng) {
  std::vector<int> ms{obs_dim}, vs{obs_dim};
  for (int h : cfg.hidden) {
    ms.push_back(h);
    vs.push_back(h);
  }
  ms.push_back(act_dim);
  vs.push_back(1);
  mean = nn::Mlp<T>(ms);
  value = nn::Mlp<T>(vs);
  mean.init_orthogonal(rng, std::sqrt(2.0), cfg.policy_out_gain);
  value.init_orthogonal(rng, std::sqrt(2.0), 1.0);
  log_std.assign(static_cast<size_t>(act_dim), static_cast<T>(cfg.init_log_std));
}

template <typename T>
void ActorCriticT<T>::get(std::vector<T>& flat) const {
  flat.clear();
  flat.insert(flat.end(), mean.params().begin(), mean.params().end());
  flat.insert(flat.end(), log_std.begin(), log_std.end());
  flat.insert(flat.end(), value.params().begin(), value.params().end());
}

template <typename T>
void ActorCriticT<T>::set(const std::vector<T>& flat) {
  HELM_CHECK(flat.size() == param_count(), "actor-critic: {} parameters, given {}", param_count(), flat.size());
  auto it = flat.begin();
  const auto take = [&](std::vector<T>& dst) {
    std::copy(it, it + static_cast<std::ptrdiff_t>(dst.size()), dst.begin());
    it += static_cast<std::ptrdiff_t>(dst.size());
  };
  take(mean.params());
  take(log_std);
  take(value.params());
}

template struct ActorCriticT<float>;
template struct ActorCriticT<double>;

Rollout::Rollout(int s, int e, int od, int ad)
    : steps(s), envs(e), obs_dim(od), act_dim(ad) {
  const size_t n = static_cast<size_t>(s) * e;
  obs.assign(n * od, 0.f);
  act.assign(n * ad, 0.f);
  logp.assign(n, 0.0);
  value.assign(n, 0.0);
  reward.assign(n, 0.0);
  done.assign(n, 0.0);
  next_value.assign(static_cast<size_t>(e), 0.0);
  next_done.assign(static_cast<size_t>(e), 0.0);
}

void compute_gae(Rollout& r, double gamma, double lambda) {
  const size_t E = static_cast<size_t>(r.envs);
  r.adv.assign(r.value.size(), 0.0);
  r.ret.assign(r.value.size(), 0.0);
  for (size_t e = 0; e < E; ++e) {
    double last = 0;
    for (int t = r.steps - 1; t >= 0; --t) {
      const size_t k = static_cast<size_t>(t) * E + e;
      double next_nonterminal, next_values;
      if (t == r.steps - 1) {
        next_nonterminal = 1.0 - r.next_done[e];
        next_values = r.next_value[e];
      } else {
        next_nonterminal = 1.0 - r.done[k + E];
        next_values = r.value[k + E];
      }
      const double delta = r.reward[k] + gamma * next_values * next_nonterminal - r.value[k];
      r.adv[k] = last = delta + gamma * lambda * next_nonterminal * last;
      r.ret[k] = r.adv[k] + r.value[k];
    }
  }
}

template <typename T>
double ppo_loss_grad(const ActorCriticT<T>& ac, const Rollout& r, const std::vector<int>& idx,
                     const PpoConfig& cfg, std::vector<T>& grad, PpoStats* stats) {
  const int B = static_cast<int>(idx.size()), D = r.act_dim, O = r.obs_dim;
  HELM_CHECK(B > 0 && !r.adv.empty(), "PPO minibatch is empty or advantages are missing");
  grad.assign(ac.param_count(), T(0));
  nn::Mat<T> X(O, B);
  for (int i = 0; i < B; ++i)
    for (int j = 0; j < O; ++j) X(j, i) = static_cast<T>(r.obs[static_cast<size_t>(idx[i]) * O + j]);
  typename nn::Mlp<T>::Tape tm, tv;
  const nn::Mat<T>& mu = ac.mean.forward(X, tm);
  const nn::Mat<T>& v = ac.value.forward(X, tv);

  // Advantages, normalised over the minibatch (torch's unbiased std, + 1e-8).
  std::vector<double> adv(static_cast<size_t>(B));
  for (int i = 0; i < B; ++i) adv[i] = r.adv[static_cast<size_t>(idx[i])];
  if (cfg.norm_adv) {
    const double m = std::accumulate(adv.begin(), adv.end(), 0.0) / B;
    double ss = 0;
    for (double a : adv) ss += (a - m) * (a - m);
    const double sd = B > 1 ? std::sqrt(ss / (B - 1)) : 0.0;
    for (double& a : adv) a = (a - m) / (sd + 1e-8);
  }

  nn::Mat<T> dmu(D, B), dv(1, B);
  double pg = 0, vl = 0, kl = 0, clipped = 0;
  std::vector<double> dlogstd(static_cast<size_t>(D), 0.0);
  std::vector<double> a(static_cast<size_t>(D)), m(static_cast<size_t>(D)), ls(static_cast<size_t>(D));
  for (int d = 0; d < D; ++d) ls[d] = static_cast<double>(ac.log_std[d]);
  for (int i = 0; i < B; ++i) {
    const size_t k = static_cast<size_t>(idx[i]);
    for (int d = 0; d < D; ++d) {
      a[d] = r.act[k * D + d];
      m[d] = static_cast<double>(mu(d, i));
    }
    const double logratio = nn::gaussian_log_prob(a.data(), m.data(), ls.data(), D) - r.logp[k];
    const double ratio = std::exp(logratio);
    kl += (ratio - 1) - logratio;  // CleanRL's approx_kl (Schulman's k3 estimator)
    if (std::abs(ratio - 1) > cfg.clip) clipped += 1;
    const double rc = std::clamp(ratio, 1 - cfg.clip, 1 + cfg.clip);
    const double pg1 = -adv[i] * ratio, pg2 = -adv[i] * rc;
    pg += std::max(pg1, pg2);
    // d max(pg1, pg2) / d logp: pg2 above pg1 only where the ratio is clipped (flat there).
    const double g = pg1 >= pg2 ? -adv[i] * ratio / B : 0.0;
    for (int d = 0; d < D; ++d) {
      const double inv_var = std::exp(-2 * ls[d]), diff = a[d] - m[d];
      dmu(d, i) = static_cast<T>(g * diff * inv_var);
      dlogstd[d] += g * (diff * diff * inv_var - 1);
    }
    // Value loss: 0.5 (v - R)^2, or the larger of it and its clipped twin.
    const double vi = static_cast<double>(v(0, i)), R = r.ret[k];
    const double un = (vi - R) * (vi - R);
    double dvi = (vi - R);
    if (cfg.clip_vloss) {
      const double old = r.value[k];
      const double dvc = std::clamp(vi - old, -cfg.clip, cfg.clip);
      const double vc = old + dvc, cl = (vc - R) * (vc - R);
      if (cl > un) dvi = std::abs(vi - old) < cfg.clip ? (vc - R) : 0.0;
      vl += 0.5 * std::max(un, cl);
    } else {
      vl += 0.5 * un;
    }
    dv(0, i) = static_cast<T>(cfg.vf_coef * dvi / B);
  }
  pg /= B;
  vl /= B;
  constexpr double kHalfLog2PiE = 1.41893853320467274178;  // 0.5 + 0.5 log(2 pi)
  double entropy = 0;
  for (int d = 0; d < D; ++d) entropy += kHalfLog2PiE + ls[d];

  T* gm = grad.data();
  T* gls = gm + ac.mean.params().size();
  T* gv = gls + D;
  ac.mean.backward(tm, dmu, gm);
  for (int d = 0; d < D; ++d) gls[d] = static_cast<T>(dlogstd[d] - cfg.ent_coef);
  ac.value.backward(tv, dv, gv);
  if (stats) {
    stats->policy_loss += pg;
    stats->value_loss += vl;
    stats->entropy += entropy;
    stats->approx_kl += kl / B;
    stats->clip_frac += clipped / B;
  }
  return pg - cfg.ent_coef * entropy + cfg.vf_coef * vl;
}

template double ppo_loss_grad<float>(const ActorCriticT<float>&, const Rollout&, const std::vector<int>&,
                                     const PpoConfig&, std::vector<float>&, PpoStats*);
template double ppo_loss_grad<double>(const ActorCriticT<double>&, const Rollout&, const std::vector<int>&,
                                      const PpoConfig&, std::vector<double>&, PpoStats*);

Ppo::Ppo(int obs_dim, int act_dim, PpoConfig cfg, uint64_t seed)
    : cfg_(std::move(cfg)), rng_(stream_seed(seed, "exploration")) {
  init_blas();  // one BLAS thread: the update runs beside decisions and MPI ranks
  Rng init(stream_seed(seed, "weights"));
  ac_ = ActorCritic(obs_dim, act_dim, cfg_, init);
  adam_ = nn::Adam(ac_.param_count());
  ws_.resize(std::max(ac_.mean.workspace_size(), ac_.value.workspace_size()));
  mu_.resize(static_cast<size_t>(act_dim));
}

void Ppo::act(const float* obs, bool explore, float* action, double* logp, double* value) {
  const int D = ac_.mean.out();
  ac_.mean.forward_one(obs, mu_.data(), ws_.data());
  double lp = 0;
  constexpr double kHalfLog2Pi = 0.91893853320467274178;
  for (int d = 0; d < D; ++d) {
    const double ls = ac_.log_std[d];
    const double z = explore ? rng_.normal() : 0.0;
    action[d] = static_cast<float>(mu_[d] + std::exp(ls) * z);
    // log-density of the action actually stored (as float), so the ratio starts at exactly 1
    const double zz = (static_cast<double>(action[d]) - mu_[d]) * std::exp(-ls);
    lp += -0.5 * zz * zz - ls - kHalfLog2Pi;
  }
  if (logp) *logp = lp;
  if (value) *value = this->value(obs);
}

double Ppo::value(const float* obs) {
  float v = 0;
  ac_.value.forward_one(obs, &v, ws_.data());
  return v;
}

PpoStats Ppo::update(Rollout& r, double lr_frac) {
  compute_gae(r, cfg_.gamma, cfg_.gae_lambda);
  const int n = r.size();
  const int mb = std::max(1, n / cfg_.minibatches);
  const double lr = cfg_.lr * (cfg_.anneal_lr ? std::clamp(lr_frac, 0.0, 1.0) : 1.0);
  std::vector<int> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::vector<int> idx;
  PpoStats s;
  for (int ep = 0; ep < cfg_.epochs; ++ep) {
    for (int i = n - 1; i > 0; --i)  // Fisher-Yates with the project's generator
      std::swap(order[static_cast<size_t>(i)], order[rng_.below(static_cast<uint64_t>(i) + 1)]);
    for (int start = 0; start + mb <= n; start += mb) {
      idx.assign(order.begin() + start, order.begin() + start + mb);
      ppo_loss_grad(ac_, r, idx, cfg_, grad_, &s);
      Eigen::Map<Eigen::ArrayXf> g(grad_.data(), static_cast<Eigen::Index>(grad_.size()));
      const double norm = std::sqrt(static_cast<double>(g.matrix().squaredNorm()));
      s.grad_norm += norm;
      const double coef = cfg_.max_grad_norm / (norm + 1e-6);  // torch's clip_grad_norm_
      if (coef < 1) g *= static_cast<float>(coef);
      adam_.step<float>({{ac_.mean.params().data(), ac_.mean.params().size()},
                         {ac_.log_std.data(), ac_.log_std.size()},
                         {ac_.value.params().data(), ac_.value.params().size()}},
                        grad_.data(), lr);
      ++s.minibatches;
    }
  }
  if (s.minibatches > 0) {
    const double k = 1.0 / s.minibatches;
    s.policy_loss *= k;
    s.value_loss *= k;
    s.entropy *= k;
    s.approx_kl *= k;
    s.clip_frac *= k;
    s.grad_norm *= k;
  }
  return s;
}

}  // namespace helm
