// gemm_drivers.cuh — the GEMM kernels proper: thin drivers that run gemm_kernels.h's block
// programs between barriers (SIMT tiles, TF32 WMMA tile), the skinny warp-per-column kernel and the
// split-K reduction. Included by gemm.cu (the backend) and by native/cuda-dev/gemm.cu (the
// workshop, which validates and times exactly these kernels).
#pragma once

#include <mma.h>

#include "cuda/gemm_kernels.h"
#include "cuda/gemm_plan.h"

namespace jrnn::cuda {

// ---------------------------------------------------------------- SIMT driver
// One barrier per K step: everyone finished reading buffer buf^1 before the previous barrier, so
// the stash into it cannot race with a slower thread's multiply.
template <class P>
__global__ void __launch_bounds__(P::kThreads) sgemm_simt(const GemmArgs g) {
  __shared__ typename P::Shared sh;
  typename P::Regs r;
  const TileCoords tc = tile_coords(g, P::kBM, P::kBN, blockIdx.x, blockIdx.y);
  const int tid = threadIdx.x;
  P::init(r);
  int buf = 0;
  if (tc.k_begin < tc.k_end) {
    P::fetch(g, tc, tid, tc.k_begin, r);
    P::stash(sh, tid, 0, r);
  }
  __syncthreads();
  for (int k0 = tc.k_begin; k0 < tc.k_end; k0 += P::kBK) {  // uniform across the block
    const bool has_next = k0 + P::kBK < tc.k_end;
    if (has_next) P::fetch(g, tc, tid, k0 + P::kBK, r);  // global loads in flight ...
    P::compute(sh, tid, buf, r);                         // ... during the multiply
    if (has_next) P::stash(sh, tid, buf ^ 1, r);
    __syncthreads();
    buf ^= 1;
  }
  P::store(g, tc, blockIdx.y, tid, r);
}

// ---------------------------------------------------------------- TF32 driver (WMMA)
template <class P>
__global__ void __launch_bounds__(P::kThreads) sgemm_tf32(const GemmArgs g) {
  using namespace nvcuda;
  __shared__ typename P::Shared sh;
  typename P::Regs r;
  const TileCoords tc = tile_coords(g, P::kBM, P::kBN, blockIdx.x, blockIdx.y);
  const int tid = threadIdx.x, warp = tid / 32;

  wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc[2][2];
#pragma unroll
  for (int i = 0; i < 2; ++i)
#pragma unroll
    for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.0f);

  int buf = 0;
  if (tc.k_begin < tc.k_end) {
    P::fetch(g, tc, tid, tc.k_begin, r);
    P::stash(sh, tid, 0, r);
  }
  __syncthreads();
  for (int k0 = tc.k_begin; k0 < tc.k_end; k0 += P::kBK) {
    const bool has_next = k0 + P::kBK < tc.k_end;
    if (has_next) P::fetch(g, tc, tid, k0 + P::kBK, r);
#pragma unroll
    for (int kk = 0; kk < P::kBK; kk += 8) {
      wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> a[2];
      wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> b[2];
#pragma unroll
      for (int i = 0; i < 2; ++i)
        wmma::load_matrix_sync(a[i], P::a_frag(sh, buf, warp, i, kk), P::LDA);
#pragma unroll
      for (int j = 0; j < 2; ++j)
        wmma::load_matrix_sync(b[j], P::b_frag(sh, buf, warp, j, kk), P::LDB);
#pragma unroll
      for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int j = 0; j < 2; ++j) wmma::mma_sync(acc[i][j], a[i], b[j], acc[i][j]);
    }
    if (has_next) P::stash(sh, tid, buf ^ 1, r);
    __syncthreads();
    buf ^= 1;
  }
#pragma unroll
  for (int i = 0; i < 2; ++i)
#pragma unroll
    for (int j = 0; j < 2; ++j)
      wmma::store_matrix_sync(P::c_frag(sh, warp, i, j), acc[i][j], P::LDC, wmma::mem_row_major);
  __syncthreads();
  P::epilogue(g, tc, blockIdx.y, tid, sh);
}

// ---------------------------------------------------------------- skinny driver
template <int MR>
__global__ void __launch_bounds__(kSkinnyWarps * 32) sgemm_skinny_nt(const GemmArgs g) {
  const int lane = threadIdx.x % 32;
  const int64_t col = int64_t(blockIdx.x) * kSkinnyWarps + threadIdx.x / 32;
  if (col >= g.N) return;  // the whole warp: col is uniform within a warp
  float acc[MR];
  skinny_lane_sums<MR>(g, col, lane, acc);
#pragma unroll
  for (int r = 0; r < MR; ++r)
#pragma unroll
    for (int offset = 16; offset > 0; offset /= 2)
      acc[r] += __shfl_xor_sync(0xffffffffu, acc[r], offset);
  if (lane == 0)
#pragma unroll
    for (int r = 0; r < MR; ++r)
      if (r < g.M) store_c(g, 0, r, int(col), acc[r]);
}

__global__ void splitk_reduce(const GemmArgs g, int splits) {
  const int64_t total = int64_t(g.M) * g.N;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(gridDim.x) * blockDim.x)
    splitk_element(g, splits, idx);
}

}  // namespace jrnn::cuda
