// cpu_util.h — small CPU helpers: a row-major sgemm wrapper with int64 sizes, and CallScope,
// which every CPU entry point creates: it sets flush-to-zero / denormals-are-zero in MXCSR for
// the call (denormals make recurrent loops many times slower) and restores the caller's mode on
// exit, and it sets OpenBLAS's thread count to the context's.
#pragma once

#include <xmmintrin.h>

#include <cstdint>

#include "internal.h"

namespace jrnn::cpu {

// C [M,Nc] = alpha * op(A) · op(B) + beta * C, row-major; op(X) = Xᵀ when trans_X.
// Sizes are validated to fit an int before they get here (api.cc). Zero-sized products are
// skipped (with beta = 0, C is still cleared).
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t Nc, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// MXCSR bits: FTZ (bit 15) and DAZ (bit 6).
constexpr unsigned kFlushDenormals = 0x8040u;

class CallScope {
 public:
  explicit CallScope(const jrnn_context& ctx);
  ~CallScope() { _mm_setcsr(saved_mxcsr_); }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  unsigned saved_mxcsr_;
};

}  // namespace jrnn::cpu
