// cpu_util.cc — sgemm wrapper over OpenBLAS's cblas and the per-call CPU environment.
#include "cpu/cpu_util.h"

#include <cblas.h>

#include <cstring>
#include <vector>

namespace jrnn::cpu {
namespace {

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t Nc, int64_t K, float alpha,
           const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
           int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)Nc, (blasint)K, alpha, A,
              (blasint)lda, B, (blasint)ldb, beta, C, (blasint)ldc);
}

#if defined(__aarch64__)
// OpenBLAS computes a product with one output row or column as a matrix-vector product (gemv).
// The linux-arm64 OpenBLAS jrnn ships with (bytedeco's, built for TARGET=ARMV8) sums each output
// of it over all of K in one chain: with K in the thousands (the input gradient of an output
// layer, dh of an LSTM step with batch 1) its rounding error is several times that of the x86-64
// kernels, which split the sum. Such products go to OpenBLAS in blocks of kGemvChainMax terms of
// K instead, the first into C (with the caller's beta), every further one into a partial of its
// own (M * Nc floats: M or Nc is 1) that is added to C.
constexpr int64_t kGemvChainMax = 256;

void split_gemv(bool trans_a, bool trans_b, int64_t M, int64_t Nc, int64_t K, float alpha,
                const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                int64_t ldc) {
  std::vector<float> part(M * Nc);
  for (int64_t k0 = 0; k0 < K; k0 += kGemvChainMax) {
    const int64_t kb = K - k0 < kGemvChainMax ? K - k0 : kGemvChainMax;
    const float* a = trans_a ? A + k0 * lda : A + k0;  // op(A) [M, K] from column k0
    const float* b = trans_b ? B + k0 : B + k0 * ldb;  // op(B) [K, Nc] from row k0
    if (k0 == 0) {
      sgemm(trans_a, trans_b, M, Nc, kb, alpha, a, lda, b, ldb, beta, C, ldc);
      continue;
    }
    sgemm(trans_a, trans_b, M, Nc, kb, alpha, a, lda, b, ldb, 0.0f, part.data(), Nc);
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < Nc; ++j) C[i * ldc + j] += part[i * Nc + j];
  }
}
#endif

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t Nc, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || Nc == 0) return;
  if (K == 0) {  // BLAS would scale C by beta; keep that meaning without calling it
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < Nc; ++j) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
    return;
  }
#if defined(__aarch64__)
  if ((M == 1 || Nc == 1) && K > kGemvChainMax)
    return split_gemv(trans_a, trans_b, M, Nc, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
  sgemm(trans_a, trans_b, M, Nc, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

CallScope::CallScope(const jrnn_context& ctx) : saved_fp_mode_(fp_mode()) {
  set_fp_mode(saved_fp_mode_ | kFlushDenormals);
  // The OpenBLAS thread count is process-wide (contexts used concurrently from several threads
  // with different counts race on it: harmless, only speed changes). Setting it is not free, so
  // only when it differs.
  if (openblas_get_num_threads() != ctx.num_threads) openblas_set_num_threads(ctx.num_threads);
}

}  // namespace jrnn::cpu
