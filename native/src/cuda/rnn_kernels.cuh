// rnn_kernels.cuh — the recurrent stack's kernels: the fused pointwise forward/backward (a thread
// per element, cell_math.h), the fused small-batch step (a warp per hidden unit, small_step.h) and
// the length mask of x. Included by rnn.cu (the backend) and native/cuda-dev/lstm_step.cu (the
// workshop times exactly these kernels).
#pragma once

#include "cuda/cell_math.h"
#include "cuda/small_step.h"

namespace jrnn::cuda {

constexpr int kPointwiseThreads = 256;

#define GRID_STRIDE(i, count)                                                   \
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < (count); \
       i += int64_t(gridDim.x) * blockDim.x)

template <int CELL>
__global__ void __launch_bounds__(kPointwiseThreads) forward_pointwise(const FwdStep s) {
  GRID_STRIDE(idx, s.N * s.H) forward_element<CELL>(s, idx);
}

template <int CELL>
__global__ void __launch_bounds__(kPointwiseThreads) backward_pointwise(const BwdStep s) {
  GRID_STRIDE(idx, s.N * s.H) backward_element<CELL>(s, idx);
}

// Fused small-batch step (small_step.h): a warp per hidden unit, MR >= N rows.
template <int CELL, int MR>
__global__ void __launch_bounds__(kSmallStepWarps * 32) small_step_kernel(const SmallStep a) {
  constexpr int G = gates_of(CELL);
  const int lane = threadIdx.x % 32;
  const int64_t j = int64_t(blockIdx.x) * kSmallStepWarps + threadIdx.x / 32;
  if (j >= a.s.H) return;  // the whole warp: j is uniform within a warp
  SmallStepSums<CELL, MR> acc;
  small_step_lane<CELL, MR>(a, j, lane, acc);
#pragma unroll
  for (int k = 0; k < G; ++k)
#pragma unroll
    for (int r = 0; r < MR; ++r) {
      if (r < a.s.N) {  // uniform across the warp
#pragma unroll
        for (int offset = 16; offset > 0; offset /= 2) {
          acc.gh[k][r] += __shfl_xor_sync(0xffffffffu, acc.gh[k][r], offset);
          if (a.x) acc.gi[k][r] += __shfl_xor_sync(0xffffffffu, acc.gi[k][r], offset);
        }
      }
    }
  if (lane < a.s.N) small_step_finish<CELL, MR>(a, j, lane, acc);
}

template <int CELL>
void launch_small_step(const SmallStep& a, cudaStream_t stream) {
  const unsigned blocks = unsigned((a.s.H + kSmallStepWarps - 1) / kSmallStepWarps);
  const int threads = kSmallStepWarps * 32;
  if (a.s.N <= 1)
    small_step_kernel<CELL, 1><<<blocks, threads, 0, stream>>>(a);
  else if (a.s.N <= 2)
    small_step_kernel<CELL, 2><<<blocks, threads, 0, stream>>>(a);
  else if (a.s.N <= 4)
    small_step_kernel<CELL, 4><<<blocks, threads, 0, stream>>>(a);
  else
    small_step_kernel<CELL, kSmallBatch><<<blocks, threads, 0, stream>>>(a);
}

__global__ void __launch_bounds__(kPointwiseThreads)
    mask_rows_kernel(int64_t T, int64_t N, int64_t C, const int32_t* lengths, const float* x,
                     float* out) {
  GRID_STRIDE(idx, T * N * C) mask_element(N, C, lengths, x, out, idx);
}

#undef GRID_STRIDE

}  // namespace jrnn::cuda
