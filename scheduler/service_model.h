// The router's affine service model of a node, fitted online from completed batches:
//
//   service(batch) = per_request x requests + per_token x computed tokens + per_row x missed rows
//   [ns]             [ns/request]             [ns/token]                   [ns/row]
//
// Why affine and not one ns/token ratio: a batch has a fixed cost per request (admission,
// candidate scoring, launch) that a ratio smears over tokens, so a ratio over-prices long
// windows and under-prices short ones, and it cannot say what an embedding miss costs apart from
// a recomputed token. The three coefficients are what the helm router needs to price a request's
// own work and the work it adds to a node's backlog.
//
// Fit: recursive (exponentially weighted, decay kDecay per batch) least squares over batches,
// started from the prior (CostParams: the link's ns_per_row and the ns_per_token /
// ns_per_request priors) as kPriorBatches pseudo-batches per coefficient, forgotten at the
// data's rate. So with few samples the estimate stays near the prior, a coefficient the data
// never excites (no misses seen: no information on per_row) stays at its prior, and a faint
// permanent ridge toward the prior (kFloor of the data's weight) splits collinear regressors
// instead of letting them blow up. Coefficients are clamped at zero (a negative cost is never a
// useful routing signal). O(1) per batch: a 3x3 Cholesky solve.
#pragma once

namespace helm {

struct ServiceCoefficients {
  double per_request = 0;  // ns per request in the batch
  double per_token = 0;    // ns per computed token (a KV miss recomputes its window)
  double per_row = 0;      // ns per missed embedding row
  // Expected service time of work of this shape, in ns.
  double ns(double requests, double tokens, double rows) const {
    return per_request * requests + per_token * tokens + per_row * rows;
  }
};

class ServiceFit {
 public:
  static constexpr double kDecay = 0.995;      // per batch: ~200 batches of memory
  static constexpr double kPriorBatches = 4;   // the prior's initial weight, in batches
  static constexpr double kFloor = 1e-6;       // permanent ridge, relative to the data's weight

  explicit ServiceFit(ServiceCoefficients prior = {}) : prior_(prior), est_(prior) {}
  // One completed batch: `requests` requests that computed `tokens` tokens and missed `rows`
  // rows (the view's dispatch-time estimates), served in `service_ns`.
  void add(double requests, double tokens, double rows, double service_ns);
  const ServiceCoefficients& coefficients() const { return est_; }
  const ServiceCoefficients& prior() const { return prior_; }
  double batches() const { return n_; }  // decayed count of batches behind the estimate

 private:
  void solve();
  ServiceCoefficients prior_, est_;
  double xx_[3][3] = {}, xy_[3] = {}, n_ = 0;
  double prior_w_[3] = {};  // the prior's current weight per coefficient (0: not scaled yet)
};

}  // namespace helm
