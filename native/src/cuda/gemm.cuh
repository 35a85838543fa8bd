// gemm.cuh — jrnn's own single-precision GEMM on the context's stream (no cuBLAS):
//   C [M, Nc] = alpha · op(A) · op(B) + beta · C (+ bias[col]),  row-major, op(X) = Xᵀ when
//   trans_X.
// A is [M, K] (or [K, M] transposed) with leading dimension lda, B is [K, Nc] (or [Nc, K]).
// beta == 0 never reads C (it may hold garbage or NaN). K == 0 gives beta · C (+ bias).
//
// Kernels (gemm.cu; versions and timings in native/cuda-dev/gemm.cu):
//   - tiled fp32 SIMT: 128x128, 64x64 or 64x32 block tiles, register micro-tiles, shared memory
//     double-buffered with register prefetch; picked so the grid fills the GPU;
//   - TF32 tensor cores (WMMA m16n16k8, fp32 accumulate), 64x64 tiles, when the context was
//     created with JRNN_CUDA_TF32=1 (inputs rounded to TF32: ~1e-3 relative error);
//   - split-K for grids smaller than the GPU (partials in the context workspace, summed in a fixed
//     order: results are deterministic);
//   - a warp-per-column kernel for skinny products (M <= 8, A not transposed, B transposed: the
//     recurrent product and the single step at small batch), always fp32.
#pragma once

#include "cuda/cuda_common.cuh"
#include "cuda/gemm_plan.h"

namespace jrnn::cuda {

void gemm(State& st, bool trans_a, bool trans_b, int64_t M, int64_t Nc, int64_t K, float alpha,
          const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
          int64_t ldc, const float* bias = nullptr);

// C = op(A) · op(B) (alpha 1, beta 0, no bias), except that with split-K the partial products are
// left in the workspace for the consumer to add up (GemmParts; valid until the next product on
// this context): saves the reduction's launch and a round trip of C.
GemmParts gemm_parts(State& st, bool trans_a, bool trans_b, int64_t M, int64_t Nc, int64_t K,
                     const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                     int64_t ldc);

// Workspace bytes that gemm() needs for this shape (split-K partials); 0 for most shapes. Callers
// with a time loop reserve max(...) of their in-loop products beforehand with workspace().
size_t gemm_workspace_bytes(const State& st, bool trans_a, bool trans_b, int64_t M, int64_t Nc,
                            int64_t K);

// sums [cols] += Σ_rows m [rows, cols] (bias gradients), deterministic (partials in workspace).
void add_column_sums(State& st, int64_t rows, int64_t cols, const float* m, float* sums);
size_t column_sums_workspace_bytes(const State& st, int64_t rows, int64_t cols);

}  // namespace jrnn::cuda
