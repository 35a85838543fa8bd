// gemm.cu — workshop for the GEMMs of jrnn's CUDA path (native/src/cuda/gemm_drivers.cuh).
//   ./gemm [version] [problem]          (no arguments: every version on every problem)
// Versions (1-2 are textbook baselines written here; 3-8 are the backend's own kernels):
//   1 naive: one thread per element of C, A and B read from global memory
//   2 shared-memory 32x32 tiles
//   3 jrnn SIMT 128x128 tile, 8x8 micro-tiles, double-buffered shared memory
//   4 jrnn SIMT 64x64, 4x4 micro-tiles
//   5 jrnn SIMT 64x32, 4x2 micro-tiles, split-K as plan_gemm would split it
//   6 jrnn TF32 tensor cores (WMMA m16n16k8), 64x64, split-K as planned (TF32: expect ~1e-3)
//   7 jrnn skinny warp-per-column kernel (NT with M <= 8 only)
//   8 what jrnn's gemm() runs for this problem in fp32 (plan_gemm on this GPU)
// Problems: RNN shapes at C = H = 1024, N = 64, T = 100, LSTM (G·H = 4096), row-major:
//   proj  NT  M=6400 N=4096 K=1024   input projection of all T·N rows
//   rec   NT  M=64   N=4096 K=1024   recurrent product of one step
//   rec1  NT  M=1    N=4096 K=1024   recurrent product at batch 1
//   dw    TN  M=4096 N=1024 K=6400   weight gradient dW_ih += dgiᵀ·X
//   dh    NN  M=64   N=1024 K=4096   backward recurrent dh += dgh·W_hh
// Validation: 4096 sampled elements of C against a double-precision dot product (max relative
// error by the largest |C|: fp32 ~1e-6, TF32 ~1e-3). Napkin math: 2·M·N·K FLOPs over the time;
// H100/H200 plain fp32 peak ~60-67 TFLOP/s, TF32 dense tensor ~400-495.
#include <cstring>
#include <string>

#include "common.h"
#include "cuda/gemm_drivers.cuh"

using namespace jrnn::cuda;

namespace {

struct Problem {
  const char* name;
  bool ta, tb;
  int M, N, K;
};
const Problem kProblems[] = {{"proj", false, true, 6400, 4096, 1024},
                             {"rec", false, true, 64, 4096, 1024},
                             {"rec1", false, true, 1, 4096, 1024},
                             {"dw", true, false, 4096, 1024, 6400},
                             {"dh", false, false, 64, 1024, 4096}};

// ---- version 1: naive
template <bool TA, bool TB>
__global__ void gemm_naive(GemmArgs g) {
  const int col = blockIdx.x * blockDim.x + threadIdx.x,
            row = blockIdx.y * blockDim.y + threadIdx.y;
  if (row >= g.M || col >= g.N) return;
  float s = 0.0f;
  for (int k = 0; k < g.K; ++k) s += load_a<TA>(g, row, k) * load_b<TB>(g, k, col);
  finish_c(g, row, col, s);
}

// ---- version 2: 32x32 shared-memory tiles
template <bool TA, bool TB>
__global__ void gemm_smem32(GemmArgs g) {
  __shared__ float As[32][33], Bs[32][33];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int row = blockIdx.y * 32 + ty, col = blockIdx.x * 32 + tx;
  float s = 0.0f;
  for (int k0 = 0; k0 < g.K; k0 += 32) {
    As[ty][tx] = row < g.M && k0 + tx < g.K ? load_a<TA>(g, row, k0 + tx) : 0.0f;
    Bs[ty][tx] = col < g.N && k0 + ty < g.K ? load_b<TB>(g, k0 + ty, col) : 0.0f;
    __syncthreads();
    for (int k = 0; k < 32; ++k) s += As[ty][k] * Bs[k][tx];
    __syncthreads();
  }
  if (row < g.M && col < g.N) finish_c(g, row, col, s);
}

template <bool TA, bool TB>
void launch(int version, const GemmPlan& plan, GemmArgs g) {
  switch (version) {
    case 1:
      gemm_naive<TA, TB><<<dim3(ceil_div(g.N, 16), ceil_div(g.M, 16)), dim3(16, 16)>>>(g);
      break;
    case 2:
      gemm_smem32<TA, TB><<<dim3(ceil_div(g.N, 32), ceil_div(g.M, 32)), dim3(32, 32)>>>(g);
      break;
    case 3:
    case 4:
    case 5:
    case 6:
    case 8: {
      const dim3 grid(unsigned(plan.blocks), unsigned(plan.splits));
      if (plan.kernel == GemmKernel::kTiled128) {
        using P = SimtTile<TA, TB, 128, 128, 8, 8, 8>;
        sgemm_simt<P><<<grid, P::kThreads>>>(g);
      } else if (plan.kernel == GemmKernel::kTiled64) {
        using P = SimtTile<TA, TB, 64, 64, 8, 4, 4>;
        sgemm_simt<P><<<grid, P::kThreads>>>(g);
      } else if (plan.kernel == GemmKernel::kTiled64x32) {
        using P = SimtTile<TA, TB, 64, 32, 16, 4, 2>;
        sgemm_simt<P><<<grid, P::kThreads>>>(g);
      } else if (plan.kernel == GemmKernel::kTf32) {
        using P = Tf32Tile<TA, TB>;
        sgemm_tf32<P><<<grid, P::kThreads>>>(g);
      } else if constexpr (!TA && TB) {
        const unsigned blocks = unsigned(plan.blocks);
        if (g.M <= 1)
          sgemm_skinny_nt<1><<<blocks, kSkinnyWarps * 32>>>(g);
        else if (g.M <= 2)
          sgemm_skinny_nt<2><<<blocks, kSkinnyWarps * 32>>>(g);
        else if (g.M <= 4)
          sgemm_skinny_nt<4><<<blocks, kSkinnyWarps * 32>>>(g);
        else
          sgemm_skinny_nt<8><<<blocks, kSkinnyWarps * 32>>>(g);
      }
      if (plan.splits > 1) splitk_reduce<<<1024, 256>>>(g, plan.splits);
      break;
    }
    case 7:
      if constexpr (!TA && TB) {
        const unsigned blocks = unsigned(ceil_div(g.N, kSkinnyWarps));
        if (g.M <= 1)
          sgemm_skinny_nt<1><<<blocks, kSkinnyWarps * 32>>>(g);
        else if (g.M <= 2)
          sgemm_skinny_nt<2><<<blocks, kSkinnyWarps * 32>>>(g);
        else if (g.M <= 4)
          sgemm_skinny_nt<4><<<blocks, kSkinnyWarps * 32>>>(g);
        else
          sgemm_skinny_nt<8><<<blocks, kSkinnyWarps * 32>>>(g);
      }
      break;
  }
  cudaCheck(cudaGetLastError());
}

// The plan each version runs (versions 3-6 force a kernel; 8 asks the planner).
GemmPlan plan_for(int version, int sms, const Problem& p) {
  if (version == 8) return plan_gemm(sms, false, p.ta, p.tb, p.M, p.N, p.K);
  GemmPlan plan = plan_gemm(sms, version == 6, p.ta, p.tb, p.M, p.N, p.K);  // split count
  const GemmKernel kinds[] = {GemmKernel::kTiled128, GemmKernel::kTiled64, GemmKernel::kTiled64x32,
                              GemmKernel::kTf32};
  if (version >= 3 && version <= 6) {
    plan.kernel = kinds[version - 3];
    const int bm[] = {128, 64, 64, 64}, bn[] = {128, 64, 32, 64};
    plan.bm = bm[version - 3], plan.bn = bn[version - 3];
    plan.blocks = int64_t(ceil_div(p.M, plan.bm)) * ceil_div(p.N, plan.bn);
    if (version != 5 && version != 6) plan.splits = 1, plan.k_chunk = p.K;
    if (plan.kernel != GemmKernel::kTiled64x32 && plan.kernel != GemmKernel::kTf32 &&
        plan.splits > 1)
      plan.splits = 1, plan.k_chunk = p.K;
  }
  return plan;
}

bool run(int version, const Problem& p, int sms) {
  if (version == 7 && (p.ta || !p.tb || p.M > 8)) return true;  // not applicable
  const int64_t a_count = int64_t(p.M) * p.K, b_count = int64_t(p.K) * p.N;
  const std::vector<float> A = random_floats(a_count, 1.0f, 1), B = random_floats(b_count, 1.0f, 2);
  const std::vector<float> bias = random_floats(p.N, 1.0f, 3);
  float *dA = to_device(A), *dB = to_device(B), *dbias = to_device(bias);
  float* dC = nullptr;
  cudaCheck(cudaMalloc(&dC, size_t(p.M) * p.N * sizeof(float)));
  cudaCheck(cudaMemset(dC, 0xFF, size_t(p.M) * p.N * sizeof(float)));  // NaN: must be written
  const GemmPlan plan = plan_for(version, sms, p);
  GemmArgs g{};
  g.M = p.M, g.N = p.N, g.K = p.K;
  g.lda = p.ta ? p.M : p.K, g.ldb = p.tb ? p.K : p.N, g.ldc = p.N;
  g.alpha = 1.0f, g.beta = 0.0f, g.A = dA, g.B = dB, g.C = dC, g.bias = dbias;
  g.k_chunk = plan.k_chunk;
  float* partial = nullptr;
  if ((version >= 3 && version != 7) && plan.splits > 1) {
    cudaCheck(cudaMalloc(&partial, size_t(plan.splits) * p.M * p.N * sizeof(float)));
    g.partial = partial;
  }
  auto go = [&] {
    if (p.ta) {
      if (p.tb)
        launch<true, true>(version, plan, g);
      else
        launch<true, false>(version, plan, g);
    } else {
      if (p.tb)
        launch<false, true>(version, plan, g);
      else
        launch<false, false>(version, plan, g);
    }
  };
  go();
  cudaCheck(cudaDeviceSynchronize());
  // Validate sampled elements against double dot products.
  const std::vector<float> C = to_host(dC, size_t(p.M) * p.N);
  std::mt19937 rng(7);
  std::vector<float> got;
  std::vector<double> want;
  for (int s = 0; s < 4096; ++s) {
    const int i = int(rng() % p.M), j = int(rng() % p.N);
    double acc = bias[j];
    for (int k = 0; k < p.K; ++k)
      acc += double(p.ta ? A[int64_t(k) * g.lda + i] : A[int64_t(i) * g.lda + k]) *
             double(p.tb ? B[int64_t(j) * g.ldb + k] : B[int64_t(k) * g.ldb + j]);
    got.push_back(C[int64_t(i) * p.N + j]);
    want.push_back(acc);
  }
  char what[96];
  std::snprintf(what, sizeof what, "gemm v%d %s (kernel %d, splits %d)", version, p.name,
                version <= 2 || version == 7 ? -1 : int(plan.kernel), plan.splits);
  const bool ok = validate(what, got, want, version == 6 ? 5e-3 : 1e-5);
  const float ms = time_ms(go, version == 1 ? 3 : 20, version == 1 ? 2 : 5);
  const double tflops = 2.0 * p.M * p.N * p.K / (ms * 1e-3) / 1e12;
  std::printf("gemm: v%d %-5s M=%-5d N=%-5d K=%-5d %8.4f ms %7.2f TFLOP/s%s\n", version, p.name,
              p.M, p.N, p.K, ms, tflops, ok ? "" : "  (INVALID)");
  cudaFree(dA), cudaFree(dB), cudaFree(dbias), cudaFree(dC), cudaFree(partial);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  int device_count = 0;
  if (cudaGetDeviceCount(&device_count) != cudaSuccess || device_count == 0) {
    std::printf("gemm: no CUDA device, nothing to run\n");
    return 0;
  }
  cudaDeviceProp prop{};
  cudaCheck(cudaGetDeviceProperties(&prop, 0));
  std::printf("gemm: %s, %d SMs\n", prop.name, prop.multiProcessorCount);
  const int only = argc > 1 ? std::atoi(argv[1]) : 0;
  const char* problem = argc > 2 ? argv[2] : nullptr;
  bool ok = true;
  for (const Problem& p : kProblems) {
    if (problem && std::strcmp(problem, p.name) != 0) continue;
    for (int v = 1; v <= 8; ++v) {
      if (only && v != only) continue;
      if (v == 1 && !only && int64_t(p.M) * p.N * p.K > (int64_t(1) << 33)) continue;  // too slow
      ok &= run(v, p, prop.multiProcessorCount);
    }
  }
  return ok ? 0 : 1;
}
