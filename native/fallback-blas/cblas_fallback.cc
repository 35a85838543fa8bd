// cblas_fallback.cc — plain-loop sgemm behind the fallback cblas.h (CMake -DJRNN_BLAS=OFF): the
// CPU path and its tests then build and run without OpenBLAS (slowly). Row-major is computed
// directly (i-k-j order, so the inner loop runs along contiguous rows of B and C); column-major is
// the row-major product of the transposes.
#include "cblas.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

std::atomic<int> g_threads{1};

void sgemm_row_major(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                     int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  std::vector<float> row(static_cast<size_t>(N));
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) row[j] = 0.0f;
    for (int64_t k = 0; k < K; ++k) {
      const float a = ta ? A[k * lda + i] : A[i * lda + k];
      if (tb)
        for (int64_t j = 0; j < N; ++j) row[j] += a * B[j * ldb + k];
      else
        for (int64_t j = 0; j < N; ++j) row[j] += a * B[k * ldb + j];
    }
    float* c = C + i * ldc;
    for (int64_t j = 0; j < N; ++j)
      c[j] = beta == 0.0f ? alpha * row[j] : alpha * row[j] + beta * c[j];
  }
}

}  // namespace

extern "C" {

void cblas_sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, blasint M,
                 blasint N, blasint K, float alpha, const float* A, blasint lda, const float* B,
                 blasint ldb, float beta, float* C, blasint ldc) {
  const bool ta = trans_a != CblasNoTrans, tb = trans_b != CblasNoTrans;
  if (order == CblasRowMajor)
    sgemm_row_major(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  else  // Cᵀ = op(B)ᵀ · op(A)ᵀ in row-major terms
    sgemm_row_major(tb, ta, N, M, K, alpha, B, ldb, A, lda, beta, C, ldc);
}

int openblas_get_num_threads(void) {
  return g_threads.load();
}
void openblas_set_num_threads(int num_threads) {
  g_threads.store(num_threads > 0 ? num_threads : 1);
}

}  // extern "C"
