#include <cblas.h>

#include <vector>

// C = alpha op(A) op(B) + beta C, row- or column-major. Accumulates in double per element.
extern "C" void cblas_sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N,
                            int K, float alpha, const float* A, int lda, const float* B, int ldb,
                            float beta, float* C, int ldc) {
  const bool row = order == CblasRowMajor;
  // Element (i, j) of a matrix stored with leading dimension ld, in the given order.
  auto at = [row](const float* p, int ld, int i, int j) {
    return row ? p[static_cast<long>(i) * ld + j] : p[static_cast<long>(j) * ld + i];
  };
  auto a = [&](int i, int k) { return ta == CblasNoTrans ? at(A, lda, i, k) : at(A, lda, k, i); };
  auto b = [&](int k, int j) { return tb == CblasNoTrans ? at(B, ldb, k, j) : at(B, ldb, j, k); };
  std::vector<double> acc(N);
  for (int i = 0; i < M; ++i) {
    for (int j = 0; j < N; ++j) acc[j] = 0;
    for (int k = 0; k < K; ++k) {
      const double aik = a(i, k);
      if (aik == 0) continue;
      for (int j = 0; j < N; ++j) acc[j] += aik * b(k, j);
    }
    for (int j = 0; j < N; ++j) {
      float& c = row ? C[static_cast<long>(i) * ldc + j] : C[static_cast<long>(j) * ldc + i];
      c = static_cast<float>(alpha * acc[j] + (beta == 0 ? 0.0 : beta * static_cast<double>(c)));
    }
  }
}
