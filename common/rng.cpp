#include "common/rng.h"

#include <cmath>

#include "common/error.h"

namespace helm {

double Rng::exponential(double rate) { return -std::log(uniform_pos()) / rate; }

double Rng::normal(double mean, double sd) {
  const double u1 = uniform_pos(), u2 = uniform();
  return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double Rng::lognormal(double mu, double sigma) { return std::exp(normal(mu, sigma)); }

double Rng::gamma(double shape, double scale) {
  if (shape < 1.0) {  // boost: Gamma(a) = Gamma(a+1) * U^(1/a)
    const double u = uniform_pos();
    return gamma(shape + 1.0, scale) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = normal();
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = uniform_pos();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v * scale;
  }
}

namespace {
// log1p(x)/x and expm1(x)/x, accurate near 0 (both -> 1).
double helper1(double x) {
  return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}
double helper2(double x) {
  return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
}
}  // namespace

ZipfSampler::ZipfSampler(uint64_t n, double s) : n_(n), s_(s) {
  HELM_CHECK(n >= 1 && s > 0, "zipf needs n >= 1 and s > 0 (n={}, s={})", n, s);
  h_integral_x1_ = h_integral(1.5) - 1.0;
  h_integral_n_ = h_integral(static_cast<double>(n) + 0.5);
  threshold_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
}

double ZipfSampler::h(double x) const { return std::exp(-s_ * std::log(x)); }
double ZipfSampler::h_integral(double x) const {
  const double lx = std::log(x);
  return helper2((1.0 - s_) * lx) * lx;
}
double ZipfSampler::h_integral_inverse(double x) const {
  double t = x * (1.0 - s_);
  if (t < -1.0) t = -1.0;
  return std::exp(helper1(t) * x);
}

bool ZipfSampler::try_once(double uniform, uint64_t& rank) const {
  const double u = h_integral_n_ + uniform * (h_integral_x1_ - h_integral_n_);
  const double x = h_integral_inverse(u);
  double kd = std::floor(x + 0.5);
  if (kd < 1) kd = 1;
  if (kd > static_cast<double>(n_)) kd = static_cast<double>(n_);
  rank = static_cast<uint64_t>(kd);
  return kd - x <= threshold_ || u >= h_integral(kd + 0.5) - h(kd);
}

uint64_t ZipfSampler::operator()(Rng& rng) const {
  uint64_t rank = 0;
  while (!try_once(rng.uniform(), rank)) {
  }
  return rank;
}

}  // namespace helm
