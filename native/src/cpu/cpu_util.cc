// cpu_util.cc — sgemm wrapper over OpenBLAS's cblas and the per-call CPU environment.
#include "cpu/cpu_util.h"

#include <cblas.h>

#include <cstring>

namespace jrnn::cpu {

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t Nc, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || Nc == 0) return;
  if (K == 0) {  // BLAS would scale C by beta; keep that meaning without calling it
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < Nc; ++j) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
    return;
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)Nc, (blasint)K, alpha, A,
              (blasint)lda, B, (blasint)ldb, beta, C, (blasint)ldc);
}

CallScope::CallScope(const jrnn_context& ctx) : saved_fp_mode_(fp_mode()) {
  set_fp_mode(saved_fp_mode_ | kFlushDenormals);
  // The OpenBLAS thread count is process-wide (contexts used concurrently from several threads
  // with different counts race on it: harmless, only speed changes). Setting it is not free, so
  // only when it differs.
  if (openblas_get_num_threads() != ctx.num_threads) openblas_set_num_threads(ctx.num_threads);
}

}  // namespace jrnn::cpu
