#include "controller/nn.h"

#include <Eigen/QR>
#include <cblas.h>

#include <cmath>
#include <type_traits>

#include "common/error.h"

namespace helm::nn {

template <typename T>
Mlp<T>::Mlp(std::vector<int> sizes) : sizes_(std::move(sizes)) {
  HELM_CHECK(sizes_.size() >= 2, "an MLP needs an input and an output size");
  size_t n = 0;
  for (int l = 0; l + 1 < static_cast<int>(sizes_.size()); ++l) {
    HELM_CHECK(sizes_[l] > 0 && sizes_[l + 1] > 0, "layer sizes must be positive");
    off_.push_back(n);
    n += static_cast<size_t>(sizes_[l + 1]) * (sizes_[l] + 1);
  }
  theta_.assign(n, T(0));
}

template <typename T>
void Mlp<T>::init_orthogonal(Rng& rng, double hidden_gain, double out_gain) {
  std::vector<double> w;
  for (int l = 0; l < layers(); ++l) {
    const int r = sizes_[l + 1], c = sizes_[l];
    w.assign(static_cast<size_t>(r) * c, 0.0);
    const double gain = l + 1 == layers() ? out_gain : hidden_gain;
    if (gain != 0) orthogonal(rng, r, c, gain, w.data());
    auto Wl = W(l);
    for (int j = 0; j < c; ++j)
      for (int i = 0; i < r; ++i) Wl(i, j) = static_cast<T>(w[static_cast<size_t>(j) * r + i]);
    b(l).setZero();
  }
}

namespace {

// C = alpha op(A) op(B) + beta C, column-major, through OpenBLAS (single-threaded, see
// common/blas.h): its kernels use the widest vector unit the CPU has, while this build's
// Eigen is limited to the baseline ISA; training time is these products.
template <typename T>
void gemm(bool ta, bool tb, int m, int n, int k, const T* A, int lda, const T* B, int ldb, T beta, T* C, int ldc) {
  const auto oa = ta ? CblasTrans : CblasNoTrans, ob = tb ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasColMajor, oa, ob, m, n, k, 1.0f, A, lda, B, ldb, beta, C, ldc);
  else
    cblas_dgemm(CblasColMajor, oa, ob, m, n, k, 1.0, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace

template <typename T>
const Mat<T>& Mlp<T>::forward(const Mat<T>& X, Tape& t) const {
  HELM_CHECK(X.rows() == in(), "MLP input has {} rows, expected {}", X.rows(), in());
  t.a.resize(static_cast<size_t>(layers()) + 1);
  t.a[0] = X;
  for (int l = 0; l < layers(); ++l) {
    Mat<T>& z = t.a[static_cast<size_t>(l) + 1];
    const Mat<T>& a = t.a[static_cast<size_t>(l)];
    const int r = sizes_[l + 1], c = sizes_[l], B = static_cast<int>(a.cols());
    z.resize(r, B);
    gemm<T>(false, false, r, B, c, theta_.data() + off_[l], r, a.data(), c, T(0), z.data(), r);
    z.colwise() += b(l);
    // tanh on a plain array after the bias: Eigen vectorises this (a fused expression may not).
    if (l + 1 < layers()) z.array() = z.array().tanh();
  }
  return t.a.back();
}

template <typename T>
void Mlp<T>::backward(const Tape& t, const Mat<T>& dY, T* grad) const {
  HELM_CHECK(dY.rows() == out() && dY.cols() == t.a[0].cols(), "MLP backward: dY has the wrong shape");
  Mat<T> dz = dY, da;
  for (int l = layers() - 1; l >= 0; --l) {
    const Mat<T>& a_in = t.a[static_cast<size_t>(l)];
    const int r = sizes_[l + 1], c = sizes_[l], B = static_cast<int>(dz.cols());
    Eigen::Map<Vec<T>> gb(grad + boff(l), r);
    gemm<T>(false, true, r, c, B, dz.data(), r, a_in.data(), c, T(1), grad + off_[l], r);  // gW += dz a^T
    gb.noalias() += dz.rowwise().sum();
    if (l == 0) break;
    da.resize(c, B);
    gemm<T>(true, false, c, B, r, theta_.data() + off_[l], r, dz.data(), r, T(0), da.data(), c);  // W^T dz
    // a_in = tanh(z): d tanh / dz = 1 - a^2.
    dz.resize(da.rows(), da.cols());
    dz.array() = da.array() * (T(1) - a_in.array().square());
  }
}

template <typename T>
size_t Mlp<T>::workspace_size() const {
  int widest = 0;
  for (int l = 1; l < static_cast<int>(sizes_.size()); ++l) widest = std::max(widest, sizes_[l]);
  return 2 * static_cast<size_t>(widest);
}

namespace {

// y = W x for column-major W (r x c): rows in blocks of 32 whose sums stay in registers while
// the columns stream past (a generic gemv reloads and stores y for every few columns).
template <typename T>
void gemv(const T* __restrict W, const T* __restrict x, T* __restrict y, int r, int c) {
  constexpr int kB = 32;
  int i0 = 0;
  for (; i0 + kB <= r; i0 += kB) {
    T acc[kB] = {};
    for (int j = 0; j < c; ++j) {
      const T xj = x[j];
      const T* col = W + static_cast<size_t>(j) * r + i0;
      for (int i = 0; i < kB; ++i) acc[i] += col[i] * xj;
    }
    for (int i = 0; i < kB; ++i) y[i0 + i] = acc[i];
  }
  for (int i = i0; i < r; ++i) {
    T s = 0;
    for (int j = 0; j < c; ++j) s += W[static_cast<size_t>(j) * r + i] * x[j];
    y[i] = s;
  }
}

}  // namespace

template <typename T>
void Mlp<T>::forward_one(const T* x, T* y, T* ws) const {
  const size_t half = workspace_size() / 2;
  const T* cur = x;
  for (int l = 0; l < layers(); ++l) {
    const int r = sizes_[l + 1];
    T* dst = l + 1 == layers() ? y : ws + (l % 2) * half;
    gemv(theta_.data() + off_[l], cur, dst, r, sizes_[l]);
    Eigen::Map<Vec<T>> h(dst, r);
    h += b(l);
    if (l + 1 < layers()) h.array() = h.array().tanh();
    cur = dst;
  }
}

template class Mlp<float>;
template class Mlp<double>;

void orthogonal(Rng& rng, int rows, int cols, double gain, double* out) {
  const bool tall = rows >= cols;  // orthonormal columns if tall, rows otherwise
  const int m = tall ? rows : cols, n = tall ? cols : rows;
  Eigen::MatrixXd g(m, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i) g(i, j) = rng.normal();
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(g);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(m, n);
  const Eigen::MatrixXd R = qr.matrixQR().topRows(n).template triangularView<Eigen::Upper>();
  for (int j = 0; j < n; ++j)
    if (R(j, j) < 0) q.col(j) *= -1;  // unique factorisation: uniform over orthogonal matrices
  Eigen::Map<Eigen::MatrixXd> o(out, rows, cols);
  if (tall)
    o = gain * q;
  else
    o = gain * q.transpose();
}

RunningNorm::RunningNorm(int dim, double clip)
    : mean_(static_cast<size_t>(dim), 0.0), var_(static_cast<size_t>(dim), 1.0), clip_(clip) {
  refresh();
}

void RunningNorm::update(const double* x, int count) {
  if (frozen_ || count <= 0) return;
  const size_t d = mean_.size();
  for (size_t i = 0; i < d; ++i) {
    double m = 0;
    for (int k = 0; k < count; ++k) m += x[static_cast<size_t>(k) * d + i];
    m /= count;
    double v = 0;
    for (int k = 0; k < count; ++k) {
      const double e = x[static_cast<size_t>(k) * d + i] - m;
      v += e * e;
    }
    v /= count;
    const double delta = m - mean_[i], tot = count_ + count;
    mean_[i] += delta * count / tot;
    const double m2 = var_[i] * count_ + v * count + delta * delta * count_ * count / tot;
    var_[i] = m2 / tot;
  }
  count_ += count;
  refresh();
}

void RunningNorm::set(std::vector<double> mean, std::vector<double> var, double count) {
  HELM_CHECK(mean.size() == var.size(), "normaliser mean and variance differ in size");
  mean_ = std::move(mean);
  var_ = std::move(var);
  count_ = count;
  refresh();
}

void RunningNorm::refresh() {
  inv_std_.resize(mean_.size());
  for (size_t i = 0; i < mean_.size(); ++i) inv_std_[i] = 1.0 / std::sqrt(var_[i] + 1e-8);
}

template <typename T>
void Adam::step(std::initializer_list<Slice<T>> parts, const T* grad, double lr) {
  size_t n = 0;
  for (const auto& s : parts) n += s.n;
  HELM_CHECK(n == m_.size(), "Adam over {} parameters, given {}", m_.size(), n);
  ++t_;
  const double c1 = 1 - std::pow(b1_, static_cast<double>(t_));
  const double c2 = 1 - std::pow(b2_, static_cast<double>(t_));
  const double step = lr / c1, root_c2 = std::sqrt(c2);
  size_t off = 0;
  for (const auto& s : parts) {
    const auto len = static_cast<Eigen::Index>(s.n);
    Eigen::Map<Eigen::ArrayXf> m(m_.data() + off, len), v(v_.data() + off, len);
    const auto g = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(grad + off, len).template cast<float>();
    const float b1 = static_cast<float>(b1_), b2 = static_cast<float>(b2_);
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g.square();
    // torch: p -= lr / c1 * m / (sqrt(v) / sqrt(c2) + eps)
    Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(s.p, len) -=
        (static_cast<float>(step) * m / (v.sqrt() / static_cast<float>(root_c2) + static_cast<float>(eps_))).template cast<T>();
    off += s.n;
  }
}
template void Adam::step<float>(std::initializer_list<Slice<float>>, const float*, double);
template void Adam::step<double>(std::initializer_list<Slice<double>>, const double*, double);

double gaussian_log_prob(const double* a, const double* mu, const double* log_std, int dims) {
  constexpr double kHalfLog2Pi = 0.91893853320467274178;
  double s = 0;
  for (int i = 0; i < dims; ++i) {
    const double z = (a[i] - mu[i]) * std::exp(-log_std[i]);
    s += -0.5 * z * z - log_std[i] - kHalfLog2Pi;
  }
  return s;
}

}  // namespace helm::nn
