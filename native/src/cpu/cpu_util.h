// cpu_util.h — small CPU helpers: a row-major sgemm wrapper with int64 sizes, and CallScope,
// which every CPU entry point creates: it sets flush-to-zero (arch.h: MXCSR's FTZ/DAZ on x86-64,
// FPCR's FZ on AArch64) for the call (denormals make recurrent loops many times slower) and
// restores the caller's mode on exit, and it sets OpenBLAS's thread count to the context's.
#pragma once

#include <cstdint>

#include "cpu/arch.h"
#include "internal.h"

namespace jrnn::cpu {

// C [M,Nc] = alpha * op(A) · op(B) + beta * C, row-major; op(X) = Xᵀ when trans_X.
// Sizes are validated to fit an int before they get here (api.cc). Zero-sized products are
// skipped (with beta = 0, C is still cleared).
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t Nc, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

class CallScope {
 public:
  explicit CallScope(const jrnn_context& ctx);
  ~CallScope() { set_fp_mode(saved_fp_mode_); }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  FpMode saved_fp_mode_;
};

}  // namespace jrnn::cpu
