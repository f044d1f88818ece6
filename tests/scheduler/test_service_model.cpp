// The affine service model's online fit (scheduler/service_model.h): it recovers the model from
// batches, stays at its prior without information, and never returns a negative cost.
#include <gtest/gtest.h>

#include "common/rng.h"
#include "scheduler/service_model.h"

namespace helm {
namespace {

constexpr ServiceCoefficients kPrior{0, 1000, 100};

TEST(ServiceFit, IsThePriorWithoutData) {
  const ServiceFit f(kPrior);
  EXPECT_EQ(f.coefficients().per_request, 0);
  EXPECT_EQ(f.coefficients().per_token, 1000);
  EXPECT_EQ(f.coefficients().per_row, 100);
  EXPECT_EQ(f.batches(), 0);
}

TEST(ServiceFit, RecoversAnAffineModelFromBatches) {
  const ServiceCoefficients truth{5000, 300, 800};
  ServiceFit f(kPrior);
  Rng rng(3);
  for (int b = 0; b < 2000; ++b) {
    const double n = 1 + static_cast<double>(rng.below(8));
    const double t = n * (20 + static_cast<double>(rng.below(400)));
    const double m = t * rng.uniform();  // misses vary independently of tokens
    f.add(n, t, m, truth.ns(n, t, m));
  }
  // The prior's pull fades with the data: within 1% after the decayed ~200 batches of memory.
  EXPECT_NEAR(f.coefficients().per_request, 5000, 50);
  EXPECT_NEAR(f.coefficients().per_token, 300, 3);
  EXPECT_NEAR(f.coefficients().per_row, 800, 8);
}

TEST(ServiceFit, OneBatchMovesItLessThanHalfWayFromThePrior) {
  ServiceFit f(kPrior);
  f.add(1, 100, 0, 100 * 3000.0);  // this batch alone says 3000 ns/token
  const double moved = f.coefficients().per_token - kPrior.per_token;
  EXPECT_GT(moved, 0);
  EXPECT_LT(moved, (3000 - kPrior.per_token) / 2);
}

TEST(ServiceFit, ACoefficientTheDataNeverExcitesStaysAtItsPrior) {
  ServiceFit f(kPrior);
  for (int b = 0; b < 500; ++b) {  // no misses
    const double n = 1 + b % 8, t = n * (20 + b % 380);
    f.add(n, t, 0, n * 700.0 + t * 200.0);
  }
  EXPECT_DOUBLE_EQ(f.coefficients().per_row, kPrior.per_row);
  EXPECT_NEAR(f.coefficients().per_token, 200, 10);
}

TEST(ServiceFit, FollowsAChangeOfTheServiceRate) {
  ServiceFit f(kPrior);
  Rng rng(4);
  auto feed = [&](ServiceCoefficients c, int batches) {
    for (int b = 0; b < batches; ++b) {
      const double n = 1 + static_cast<double>(rng.below(8)), t = n * (50 + static_cast<double>(rng.below(200)));
      const double m = t * rng.uniform();
      f.add(n, t, m, c.ns(n, t, m));
    }
  };
  feed({1000, 500, 50}, 2000);
  feed({1000, 250, 50}, 2000);  // twice as fast per token
  EXPECT_NEAR(f.coefficients().per_token, 250, 5);
}

TEST(ServiceFit, NeverNegative) {
  ServiceFit f(kPrior);
  Rng rng(5);
  for (int b = 0; b < 1000; ++b) {
    const double t = 10 + static_cast<double>(rng.below(1000));
    f.add(1, t, 0, 1e6 - 900 * t);  // longer batches "faster": nonsense, clamped
  }
  EXPECT_GE(f.coefficients().per_token, 0);
  EXPECT_GE(f.coefficients().per_request, 0);
  EXPECT_GE(f.coefficients().per_row, 0);
}

TEST(ServiceFit, IgnoresUnservedBatches) {
  ServiceFit f(kPrior);
  f.add(1, 100, 10, 0);
  f.add(0, 100, 10, 5000);
  EXPECT_EQ(f.batches(), 0);
  EXPECT_EQ(f.coefficients().per_token, kPrior.per_token);
}

}  // namespace
}  // namespace helm
