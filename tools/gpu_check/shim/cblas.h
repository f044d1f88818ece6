// cblas_sgemm for the GPU check only (the GPU machine has no BLAS): plain loops, so the CPU
// forward (gr_model/hstu_cpu.cpp, attention_cpu.cpp) runs there unchanged, slowly. Never cuBLAS:
// the CPU side of a parity check must not share code with the side it checks.
#pragma once
extern "C" {
enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112, CblasConjTrans = 113 };
void cblas_sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K,
                 float alpha, const float* A, int lda, const float* B, int ldb, float beta, float* C,
                 int ldc);
}
