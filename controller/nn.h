// The small neural-network kit behind HELM's policy: tanh MLPs with hand-written
// backpropagation, orthogonal initialisation, Adam, running observation normalisation, and a
// diagonal Gaussian policy head with a state-independent log-std. Eigen only (no autograd
// library): the networks are tiny, and a deployed decision must cost well under a microsecond.
//
// Layout: every network keeps its parameters in ONE flat buffer (per layer: W, out x in,
// column-major, then b), and gradients use the same layout, so Adam, gradient clipping,
// copying weights to another thread and writing them to a file are all loops over one vector.
// Batches are columns: X is in x B. Templated on the scalar: double for gradient checks, float
// as deployed and trained. Not thread-safe; a network is owned by one thread at a time.
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "common/rng.h"

namespace helm::nn {

template <typename T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <typename T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

template <typename T>
class Mlp {
 public:
  Mlp() = default;
  // sizes = {in, hidden..., out}: tanh after every hidden layer, the output is linear.
  explicit Mlp(std::vector<int> sizes);

  int in() const { return sizes_.front(); }
  int out() const { return sizes_.back(); }
  int layers() const { return static_cast<int>(sizes_.size()) - 1;  }
  const std::vector<int>& sizes() const { return sizes_; }
  std::vector<T>& params() { return theta_; }
  const std::vector<T>& params() const { return theta_; }

  Eigen::Map<Mat<T>> W(int l) { return {theta_.data() + off_[l], sizes_[l + 1], sizes_[l]}; }
  Eigen::Map<const Mat<T>> W(int l) const {
    return {theta_.data() + off_[l], sizes_[l + 1], sizes_[l]};
  }
  Eigen::Map<Vec<T>> b(int l) { return {theta_.data() + boff(l), sizes_[l + 1]}; }
  Eigen::Map<const Vec<T>> b(int l) const { return {theta_.data() + boff(l), sizes_[l + 1]}; }

  // Orthogonal weights (gain hidden_gain on hidden layers, out_gain on the output layer; an
  // out_gain of 0 gives a zero output layer), zero biases. CleanRL: sqrt(2) hidden, 0.01 for a
  // policy mean, 1 for a value.
  void init_orthogonal(Rng& rng, double hidden_gain, double out_gain);

  // Activations of one batched forward pass, kept for backward(): a[0] = X, a[l + 1] = output of
  // layer l (tanh for hidden layers, linear for the last).
  struct Tape {
    std::vector<Mat<T>> a;
  };
  const Mat<T>& forward(const Mat<T>& X, Tape& t) const;
  // Adds d(loss)/d(params) to grad (params().size() entries), given dY = d(loss)/d(output).
  void backward(const Tape& t, const Mat<T>& dY, T* grad) const;

  // One sample without allocation: y[out()] = f(x[in()]); ws has workspace_size() entries.
  void forward_one(const T* x, T* y, T* ws) const;
  size_t workspace_size() const;

 private:
  size_t boff(int l) const { return off_[l] + static_cast<size_t>(sizes_[l + 1]) * sizes_[l]; }
  std::vector<int> sizes_;
  std::vector<size_t> off_;  // start of layer l's W in theta_
  std::vector<T> theta_;
};

// A matrix (rows x cols) with orthonormal rows or columns (whichever are fewer), times gain:
// QR of a Gaussian matrix with the signs of R's diagonal folded in (Saxe et al., as torch's
// orthogonal_). Written into out, column-major.
void orthogonal(Rng& rng, int rows, int cols, double gain, double* out);

// Running mean and variance of observations (Chan et al.'s parallel update, as gym's
// RunningMeanStd: initial count 1e-4), normalising to (x - mean) / sqrt(var + 1e-8) clipped
// to +-clip. update() does nothing once frozen (deployed policies).
class RunningNorm {
 public:
  RunningNorm() = default;
  explicit RunningNorm(int dim, double clip = 10.0);
  int dim() const { return static_cast<int>(mean_.size()); }
  void update(const double* x, int count);  // count rows of dim() values each
  template <typename T>
  void normalise(const double* x, T* out) const {
    for (size_t i = 0; i < mean_.size(); ++i) {
      const double z = (x[i] - mean_[i]) * inv_std_[i];
      out[i] = static_cast<T>(z < -clip_ ? -clip_ : (z > clip_ ? clip_ : z));
    }
  }
  void freeze(bool f = true) { frozen_ = f; }
  bool frozen() const { return frozen_; }
  double count() const { return count_; }
  double clip() const { return clip_; }
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& var() const { return var_; }
  // Restores a saved state (sizes must match dim()).
  void set(std::vector<double> mean, std::vector<double> var, double count);

 private:
  void refresh();
  std::vector<double> mean_, var_, inv_std_;
  double count_ = 1e-4, clip_ = 10.0;
  bool frozen_ = false;
};

// Adam (torch's: bias-corrected moments, eps added to sqrt(v_hat)) over one flat vector.
class Adam {
 public:
  explicit Adam(size_t n = 0, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-5)
      : m_(n, 0.f), v_(n, 0.f), b1_(beta1), b2_(beta2), eps_(eps) {}
  template <typename T>
  void step(T* params, const T* grad, size_t n, double lr) {
    step<T>({Slice<T>{params, n}}, grad, lr);
  }
  // One step over parameters held in several buffers (grad is their concatenation), so a
  // network's weights need not be gathered into one vector and back for every minibatch.
  template <typename T>
  struct Slice {
    T* p;
    size_t n;
  };
  template <typename T>
  void step(std::initializer_list<Slice<T>> parts, const T* grad, double lr);
  int64_t steps() const { return t_; }

 private:
  std::vector<float> m_, v_;  // float moments (as torch keeps them for float weights): 4-wide math
  double b1_, b2_, eps_;
  int64_t t_ = 0;
};

// Diagonal Gaussian log-density, summed over dims: -0.5 ((a - mu) / sigma)^2 - log sigma
// - 0.5 log(2 pi) per dim.
double gaussian_log_prob(const double* a, const double* mu, const double* log_std, int dims);

}  // namespace helm::nn
