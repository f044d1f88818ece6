#include "scheduler/service_model.h"

#include <algorithm>
#include <cmath>

namespace helm {

void ServiceFit::add(double requests, double tokens, double rows, double service_ns) {
  if (!(service_ns > 0) || !(requests > 0)) return;
  const double x[3] = {requests, std::max(0.0, tokens), std::max(0.0, rows)};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) xx_[i][j] = xx_[i][j] * kDecay + x[i] * x[j];
    xy_[i] = xy_[i] * kDecay + x[i] * service_ns;
    // The prior enters as kPriorBatches pseudo-batches of the first scale seen on this
    // coordinate and is forgotten at the data's rate.
    prior_w_[i] = prior_w_[i] > 0 ? prior_w_[i] * kDecay : kPriorBatches * x[i] * x[i];
  }
  n_ = n_ * kDecay + 1;
  solve();
}

void ServiceFit::solve() {
  const double p[3] = {prior_.per_request, prior_.per_token, prior_.per_row};
  double a[3][3], b[3];
  for (int i = 0; i < 3; ++i) {
    // A coordinate the data never moved (all zeros) is pinned to its prior by a unit weight;
    // a faint permanent ridge keeps the solve well posed when the prior is forgotten and the
    // regressors are collinear (e.g. a constant hit rate makes rows proportional to tokens).
    const double k = xx_[i][i] > 0 ? std::max(prior_w_[i], kFloor * xx_[i][i]) : 1.0;
    for (int j = 0; j < 3; ++j) a[i][j] = xx_[i][j];
    a[i][i] += k;
    b[i] = xy_[i] + k * p[i];
  }
  // Cholesky a = L L^T (a is symmetric positive definite: a Gram matrix plus a positive diagonal).
  double l[3][3] = {};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j <= i; ++j) {
      double s = a[i][j];
      for (int k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
      if (i == j) {
        if (!(s > 0)) return;  // numerically degenerate: keep the last estimate
        l[i][i] = std::sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  double y[3], t[3];
  for (int i = 0; i < 3; ++i) {
    double s = b[i];
    for (int k = 0; k < i; ++k) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  for (int i = 2; i >= 0; --i) {
    double s = y[i];
    for (int k = i + 1; k < 3; ++k) s -= l[k][i] * t[k];
    t[i] = s / l[i][i];
  }
  est_ = {std::max(0.0, t[0]), std::max(0.0, t[1]), std::max(0.0, t[2])};
}

}  // namespace helm
