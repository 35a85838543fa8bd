// gemm.cu — the GEMM launches (gemm_drivers.cuh's kernels, chosen by gemm_plan.h) and the
// column-sum reduction used for bias gradients. All index arithmetic that can
// exceed 2^31 (row · leading dimension) is int64; sizes and tile counts fit int (api.cc caps T·N
// at INT_MAX, desc.cc caps sizes at 2^24).
#include "cuda/gemm.cuh"
#include "cuda/gemm_drivers.cuh"

namespace jrnn::cuda {
namespace {

// ---------------------------------------------------------------- column sums
__global__ void __launch_bounds__(256)
    colsum_partial(int64_t rows, int64_t cols, int64_t rows_per_chunk, const float* m,
                   float* partial, float* sums) {
  __shared__ float part[8][33];
  const int64_t col = int64_t(blockIdx.x) * 32 + threadIdx.x;
  part[threadIdx.y][threadIdx.x] =
      column_lane_sum(rows, cols, rows_per_chunk, m, col, blockIdx.y, threadIdx.y);
  __syncthreads();
  if (threadIdx.y == 0 && col < cols) {
    float total = 0.0f;
    for (int y = 0; y < 8; ++y) total += part[y][threadIdx.x];
    if (partial)
      partial[int64_t(blockIdx.y) * cols + col] = total;
    else
      sums[col] += total;
  }
}

__global__ void colsum_finish(int64_t cols, int chunks, const float* partial, float* sums) {
  for (int64_t col = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; col < cols;
       col += int64_t(gridDim.x) * blockDim.x) {
    float total = 0.0f;
    for (int z = 0; z < chunks; ++z) total += partial[z * cols + col];
    sums[col] += total;
  }
}

template <bool TA, bool TB>
void launch_tiled(const GemmPlan& p, const GemmArgs& g, cudaStream_t s) {
  const dim3 grid(unsigned(p.blocks), unsigned(p.splits));
  switch (p.kernel) {
    case GemmKernel::kTiled128: {
      using P = SimtTile<TA, TB, 128, 128, 8, 8, 8>;
      sgemm_simt<P><<<grid, P::kThreads, 0, s>>>(g);
      break;
    }
    case GemmKernel::kTiled64: {
      using P = SimtTile<TA, TB, 64, 64, 8, 4, 4>;
      sgemm_simt<P><<<grid, P::kThreads, 0, s>>>(g);
      break;
    }
    case GemmKernel::kTiled64x32: {
      using P = SimtTile<TA, TB, 64, 32, 16, 4, 2>;
      sgemm_simt<P><<<grid, P::kThreads, 0, s>>>(g);
      break;
    }
    case GemmKernel::kTf32: {
      using P = Tf32Tile<TA, TB>;
      sgemm_tf32<P><<<grid, P::kThreads, 0, s>>>(g);
      break;
    }
    case GemmKernel::kSkinny:
      break;  // launched by launch_skinny
  }
}

void launch_skinny(const GemmPlan& p, const GemmArgs& g, cudaStream_t s) {
  const unsigned blocks = unsigned(p.blocks);
  const int threads = kSkinnyWarps * 32;
  if (g.M <= 1)
    sgemm_skinny_nt<1><<<blocks, threads, 0, s>>>(g);
  else if (g.M <= 2)
    sgemm_skinny_nt<2><<<blocks, threads, 0, s>>>(g);
  else if (g.M <= 4)
    sgemm_skinny_nt<4><<<blocks, threads, 0, s>>>(g);
  else
    sgemm_skinny_nt<8><<<blocks, threads, 0, s>>>(g);
}

}  // namespace

size_t gemm_workspace_bytes(const State& st, bool trans_a, bool trans_b, int64_t M, int64_t Nc,
                            int64_t K) {
  if (M == 0 || Nc == 0) return 0;
  return plan_workspace_bytes(plan_gemm(st.sm_count, st.tf32, trans_a, trans_b, M, Nc, K), M, Nc);
}

namespace {

// Launches plan p's kernels; with `reduce` false, split-K partials stay in the workspace.
void run_plan(State& st, const GemmPlan& p, bool trans_a, bool trans_b, int64_t M, int64_t Nc,
              int64_t K, float alpha, const float* A, int64_t lda, const float* B, int64_t ldb,
              float beta, float* C, int64_t ldc, const float* bias, bool reduce, GemmArgs& g) {
  g = GemmArgs{};
  g.M = int(M), g.N = int(Nc), g.K = int(K);
  g.lda = lda, g.ldb = ldb, g.ldc = ldc;
  g.alpha = alpha, g.beta = beta;
  g.A = A, g.B = B, g.C = C, g.bias = bias;
  g.k_chunk = p.k_chunk;
  if (p.splits > 1) g.partial = static_cast<float*>(workspace(st, plan_workspace_bytes(p, M, Nc)));
  if (p.kernel == GemmKernel::kSkinny) {
    launch_skinny(p, g, st.stream);
    check_launch("sgemm_skinny_nt");
    return;
  }
  if (trans_a) {
    if (trans_b)
      launch_tiled<true, true>(p, g, st.stream);
    else
      launch_tiled<true, false>(p, g, st.stream);
  } else {
    if (trans_b)
      launch_tiled<false, true>(p, g, st.stream);
    else
      launch_tiled<false, false>(p, g, st.stream);
  }
  check_launch(p.kernel == GemmKernel::kTf32 ? "sgemm_tf32" : "sgemm_simt");
  if (p.splits > 1 && reduce) {
    splitk_reduce<<<blocks_for(M * Nc), kThreads, 0, st.stream>>>(g, p.splits);
    check_launch("splitk_reduce");
  }
}

}  // namespace

void gemm(State& st, bool trans_a, bool trans_b, int64_t M, int64_t Nc, int64_t K, float alpha,
          const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
          int64_t ldc, const float* bias) {
  if (M == 0 || Nc == 0) return;
  const GemmPlan p = plan_gemm(st.sm_count, st.tf32, trans_a, trans_b, M, Nc, K);
  GemmArgs g;
  run_plan(st, p, trans_a, trans_b, M, Nc, K, alpha, A, lda, B, ldb, beta, C, ldc, bias, true, g);
}

GemmParts gemm_parts(State& st, bool trans_a, bool trans_b, int64_t M, int64_t Nc, int64_t K,
                     const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                     int64_t ldc) {
  if (M == 0 || Nc == 0) return GemmParts{C, 1, 0};
  const GemmPlan p = plan_gemm(st.sm_count, st.tf32, trans_a, trans_b, M, Nc, K);
  GemmArgs g;
  run_plan(st, p, trans_a, trans_b, M, Nc, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc, nullptr, false,
           g);
  if (p.splits > 1) return GemmParts{g.partial, p.splits, M * Nc};
  return GemmParts{C, 1, 0};
}

size_t column_sums_workspace_bytes(const State& st, int64_t rows, int64_t cols) {
  const int chunks = column_chunks(st.sm_count, rows, cols);
  return chunks > 1 ? size_t(chunks) * size_t(cols) * sizeof(float) : 0;
}

void add_column_sums(State& st, int64_t rows, int64_t cols, const float* m, float* sums) {
  if (rows == 0 || cols == 0) return;
  const int chunks = column_chunks(st.sm_count, rows, cols);
  const int64_t rows_per_chunk = ceil_div64(rows, chunks);
  float* partial =
      chunks > 1 ? static_cast<float*>(workspace(st, size_t(chunks) * size_t(cols) * sizeof(float)))
                 : nullptr;
  const dim3 grid(unsigned(ceil_div64(cols, 32)), unsigned(chunks)), block(32, 8);
  colsum_partial<<<grid, block, 0, st.stream>>>(rows, cols, rows_per_chunk, m, partial, sums);
  check_launch("colsum_partial");
  if (partial) {
    colsum_finish<<<blocks_for(cols), kThreads, 0, st.stream>>>(cols, chunks, partial, sums);
    check_launch("colsum_finish");
  }
}

}  // namespace jrnn::cuda
