// lstm_step.cu — workshop for the recurrent part of an LSTM forward: T steps of
//   gates = gi_t + h_prev · W_hhᵀ + b_ih + b_hh;  c = f·c_prev + i·g;  h = o·tanh(c)
// with the input projection gi [T, N, 4H] given (it is one big GEMM, see gemm.cu).
//   ./lstm_step [version]          (no argument: every version)
// Versions:
//   1 jrnn's current path: per step the planned recurrent GEMM (gemm_drivers.cuh, fp32) and the
//     fused pointwise kernel (cell_math.h's forward_element): 2-3 launches per step
//   2 version 1 captured once in a CUDA graph and replayed (per-step launch overhead removed)
//   3 fused: one kernel per step computes a 32-row x 16-unit tile of h_prev · W_hhᵀ for all four
//     gates (the W_hh rows of unit j for gates i, f, g, o gathered into one tile), then the cell
//     in registers: no gh round trip through memory, one launch per step (128 threads/block)
//   4 fused with a 16-row x 32-unit tile (256 threads/block)
//   5 version 3 in a CUDA graph
//   6 jrnn's small-batch step (N <= 8 only; what the backend runs there): a warp per hidden unit,
//     the four gate dot products with h_prev, the cell in the epilogue (rnn_kernels.cuh)
//   7 version 6 in a CUDA graph
// Validation: T=5, N=64, H=1024 against a double-precision CPU loop (max rel err ~1e-6).
// Timing: T=100, N=64, H=1024 (and N=1), the recurrent part only. Napkin math per step:
// 2·N·4H·H FLOPs (537 MFLOP at N=64: ~9 us at 60 TFLOP/s); W_hh (16 MiB) is re-read from L2
// every step (~3 us at ~5 TB/s); at N=1 the step is bandwidth-bound.
#include <cstring>

#include "common.h"
#include "cuda/gemm_drivers.cuh"
#include "cuda/rnn_kernels.cuh"

using namespace jrnn::cuda;

namespace {

struct Problem {
  int T, N, H;
};

// ---- fused recurrent product + LSTM cell, one step
// Block: rows [m0, m0+BM) of the batch, hidden units [j0, j0+BJ). Thread (ty, tx): unit j0+tx,
// rows m0 + ty + i·(BM/TM) for i < TM, all four gates (so the cell runs in registers).
template <int BM, int BJ, int TM>
struct FusedLstm {
  static constexpr int kThreads = (BM / TM) * BJ;
  static constexpr int BK = 16, BN = 4 * BJ;
  static constexpr int A_LOADS = BM * BK / kThreads, B_LOADS = BN * BK / kThreads;
  static_assert(A_LOADS * kThreads == BM * BK && B_LOADS * kThreads == BN * BK, "tile split");
};

struct StepArgs {
  int N, H;
  const float* h_prev;  // [N, H]
  const float* c_prev;  // [N, H]
  const float* w_hh;    // [4H, H]
  const float* gi;      // [N, 4H] this step's input projection
  const float* b_ih;    // [4H]
  const float* b_hh;    // [4H]
  float* h_out;         // [N, H]
  float* c_out;         // [N, H]
  float* y;             // [N, H] this step's output
};

template <int BM, int BJ, int TM>
__global__ void __launch_bounds__(FusedLstm<BM, BJ, TM>::kThreads) lstm_fused_step(StepArgs a) {
  using P = FusedLstm<BM, BJ, TM>;
  constexpr int BK = P::BK, BN = P::BN;
  __shared__ float As[BK][BM + 4];
  __shared__ float Bs[BK][BN + 4];
  const int tid = threadIdx.x, ty = tid / BJ, tx = tid % BJ;
  const int m0 = blockIdx.y * BM, j0 = blockIdx.x * BJ;
  float acc[TM][4];
#pragma unroll
  for (int i = 0; i < TM; ++i)
#pragma unroll
    for (int g = 0; g < 4; ++g) acc[i][g] = 0.0f;

  for (int k0 = 0; k0 < a.H; k0 += BK) {
#pragma unroll
    for (int l = 0; l < P::A_LOADS; ++l) {  // h_prev rows, k contiguous
      const int idx = tid + l * P::kThreads, r = idx / BK, kk = idx % BK;
      const int n = m0 + r, k = k0 + kk;
      As[kk][r] = n < a.N && k < a.H ? a.h_prev[int64_t(n) * a.H + k] : 0.0f;
    }
#pragma unroll
    for (int l = 0; l < P::B_LOADS; ++l) {  // column c = gate c/BJ, unit j0 + c%BJ
      const int idx = tid + l * P::kThreads, c = idx / BK, kk = idx % BK;
      const int j = j0 + c % BJ, k = k0 + kk;
      const int64_t row = int64_t(c / BJ) * a.H + j;
      Bs[kk][c] = j < a.H && k < a.H ? a.w_hh[row * a.H + k] : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < BK; ++kk) {
      float av[TM], bv[4];
#pragma unroll
      for (int i = 0; i < TM; ++i) av[i] = As[kk][ty + i * (BM / TM)];
#pragma unroll
      for (int g = 0; g < 4; ++g) bv[g] = Bs[kk][g * BJ + tx];
#pragma unroll
      for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int g = 0; g < 4; ++g) acc[i][g] = fmaf(av[i], bv[g], acc[i][g]);
    }
    __syncthreads();
  }
  const int j = j0 + tx;
  if (j >= a.H) return;
#pragma unroll
  for (int i = 0; i < TM; ++i) {
    const int n = m0 + ty + i * (BM / TM);
    if (n >= a.N) continue;
    const float* gi = a.gi + int64_t(n) * 4 * a.H + j;
    float pre[4];
#pragma unroll
    for (int g = 0; g < 4; ++g)
      pre[g] = gi[g * a.H] + acc[i][g] + a.b_ih[g * a.H + j] + a.b_hh[g * a.H + j];
    const float ig = sigmoid_(pre[0]), fg = sigmoid_(pre[1]), gg = tanhf(pre[2]),
                og = sigmoid_(pre[3]);
    const int64_t at = int64_t(n) * a.H + j;
    const float c = fg * a.c_prev[at] + ig * gg;
    const float h = og * tanhf(c);
    a.c_out[at] = c;
    a.h_out[at] = h;
    a.y[at] = h;
  }
}

struct Buffers {
  float *w_hh, *b_ih, *b_hh, *gi, *h0, *c0, *y, *gh, *partial;
  float* h[2];
  float* c[2];
};

// T steps of version v on stream s (capturable: no synchronisation, no allocation).
void run_steps(int version, const Problem& p, const Buffers& b, int sms, cudaStream_t s) {
  const int N = p.N, H = p.H, GH = 4 * H;
  const float* h_prev = b.h0;
  const float* c_prev = b.c0;
  for (int t = 0; t < p.T; ++t) {
    float* h_out = b.h[t % 2];
    float* c_out = b.c[t % 2];
    if (version == 1 || version == 2) {
      const GemmPlan plan = plan_gemm(sms, false, false, true, N, GH, H);
      GemmArgs g{};
      g.M = N, g.N = GH, g.K = H, g.lda = H, g.ldb = H, g.ldc = GH, g.alpha = 1, g.beta = 0;
      g.A = h_prev, g.B = b.w_hh, g.C = b.gh, g.k_chunk = plan.k_chunk;
      g.partial = plan.splits > 1 ? b.partial : nullptr;
      const dim3 grid(unsigned(plan.blocks), unsigned(plan.splits));
      switch (plan.kernel) {
        case GemmKernel::kTiled128: {
          using P = SimtTile<false, true, 128, 128, 8, 8, 8>;
          sgemm_simt<P><<<grid, P::kThreads, 0, s>>>(g);
          break;
        }
        case GemmKernel::kTiled64: {
          using P = SimtTile<false, true, 64, 64, 8, 4, 4>;
          sgemm_simt<P><<<grid, P::kThreads, 0, s>>>(g);
          break;
        }
        case GemmKernel::kTiled64x32: {
          using P = SimtTile<false, true, 64, 32, 16, 4, 2>;
          sgemm_simt<P><<<grid, P::kThreads, 0, s>>>(g);
          break;
        }
        default:
          if (N <= 1)
            sgemm_skinny_nt<1><<<unsigned(plan.blocks), kSkinnyWarps * 32, 0, s>>>(g);
          else
            sgemm_skinny_nt<8><<<unsigned(plan.blocks), kSkinnyWarps * 32, 0, s>>>(g);
      }
      if (plan.splits > 1) splitk_reduce<<<1024, 256, 0, s>>>(g, plan.splits);
      FwdStep st{};
      st.N = N, st.H = H, st.t = t, st.gh_splits = 1;
      st.gi = b.gi + int64_t(t) * N * GH, st.gh = b.gh, st.b_ih = b.b_ih, st.b_hh = b.b_hh;
      st.h_prev = h_prev, st.c_prev = c_prev, st.h_out = h_out, st.c_out = c_out;
      st.y = b.y + int64_t(t) * N * H, st.y_stride = H;
      forward_pointwise<JRNN_LSTM><<<ceil_div(N * H, 256), 256, 0, s>>>(st);
    } else if (version == 6) {
      FwdStep st{};
      st.N = N, st.H = H, st.t = t, st.gh_splits = 1;
      st.gi = b.gi + int64_t(t) * N * GH, st.b_ih = b.b_ih, st.b_hh = b.b_hh;
      st.h_prev = h_prev, st.c_prev = c_prev, st.h_out = h_out, st.c_out = c_out;
      st.y = b.y + int64_t(t) * N * H, st.y_stride = H;
      launch_small_step<JRNN_LSTM>(SmallStep{st, b.w_hh, nullptr, nullptr, 0}, s);
    } else {
      StepArgs a{N,
                 H,
                 h_prev,
                 c_prev,
                 b.w_hh,
                 b.gi + int64_t(t) * N * GH,
                 b.b_ih,
                 b.b_hh,
                 h_out,
                 c_out,
                 b.y + int64_t(t) * N * H};
      if (version == 4) {
        lstm_fused_step<16, 32, 2><<<dim3(ceil_div(H, 32), ceil_div(N, 16)), 256, 0, s>>>(a);
      } else {
        lstm_fused_step<32, 16, 4><<<dim3(ceil_div(H, 16), ceil_div(N, 32)), 128, 0, s>>>(a);
      }
    }
    h_prev = h_out;
    c_prev = c_out;
  }
}

std::vector<double> reference(const Problem& p, const std::vector<float>& w,
                              const std::vector<float>& bi, const std::vector<float>& bh,
                              const std::vector<float>& gi, const std::vector<float>& h0,
                              const std::vector<float>& c0) {
  const int N = p.N, H = p.H;
  std::vector<double> h(h0.begin(), h0.end()), c(c0.begin(), c0.end()), y(size_t(p.T) * N * H);
  std::vector<double> pre(4 * H);
  auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  for (int t = 0; t < p.T; ++t) {
    std::vector<double> hn(h.size()), cn(c.size());
    for (int n = 0; n < N; ++n) {
      for (int r = 0; r < 4 * H; ++r) {
        double s = double(gi[(int64_t(t) * N + n) * 4 * H + r]) + bi[r] + bh[r];
        const float* wr = &w[int64_t(r) * H];
        const double* hr = &h[int64_t(n) * H];
        for (int k = 0; k < H; ++k) s += double(wr[k]) * hr[k];
        pre[r] = s;
      }
      for (int j = 0; j < H; ++j) {
        const double ig = sig(pre[j]), fg = sig(pre[H + j]), gg = std::tanh(pre[2 * H + j]),
                     og = sig(pre[3 * H + j]);
        const double cc = fg * c[int64_t(n) * H + j] + ig * gg;
        cn[int64_t(n) * H + j] = cc;
        hn[int64_t(n) * H + j] = og * std::tanh(cc);
        y[(int64_t(t) * N + n) * H + j] = hn[int64_t(n) * H + j];
      }
    }
    h.swap(hn), c.swap(cn);
  }
  return y;
}

bool run(int version, const Problem& p, int sms, bool validate_it) {
  const int N = p.N, H = p.H, GH = 4 * H;
  const float ws = 1.0f / std::sqrt(float(H));
  const auto w = random_floats(size_t(GH) * H, ws, 1), bi = random_floats(GH, ws, 2),
             bh = random_floats(GH, ws, 3), gi = random_floats(size_t(p.T) * N * GH, 1.0f, 4),
             h0 = random_floats(size_t(N) * H, 0.5f, 5), c0 = random_floats(size_t(N) * H, 0.5f, 6);
  Buffers b{};
  b.w_hh = to_device(w), b.b_ih = to_device(bi), b.b_hh = to_device(bh), b.gi = to_device(gi);
  b.h0 = to_device(h0), b.c0 = to_device(c0);
  cudaCheck(cudaMalloc(&b.y, size_t(p.T) * N * H * 4));
  cudaCheck(cudaMemset(b.y, 0xFF, size_t(p.T) * N * H * 4));
  cudaCheck(cudaMalloc(&b.gh, size_t(N) * GH * 4));
  cudaCheck(cudaMalloc(&b.partial, size_t(16) * N * GH * 4));
  for (int i = 0; i < 2; ++i) {
    cudaCheck(cudaMalloc(&b.h[i], size_t(N) * H * 4));
    cudaCheck(cudaMalloc(&b.c[i], size_t(N) * H * 4));
  }
  cudaStream_t s;
  cudaCheck(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  const bool graph = version == 2 || version == 5 || version == 7;
  const int base = version == 2 ? 1 : version == 5 ? 3 : version == 7 ? 6 : version;
  cudaGraphExec_t exec = nullptr;
  if (graph) {
    cudaGraph_t g;
    cudaCheck(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
    run_steps(base, p, b, sms, s);
    cudaCheck(cudaStreamEndCapture(s, &g));
    cudaCheck(cudaGraphInstantiate(&exec, g, 0));
    cudaCheck(cudaGraphDestroy(g));
  }
  auto go = [&] {
    if (graph)
      cudaCheck(cudaGraphLaunch(exec, s));
    else
      run_steps(base, p, b, sms, s);
  };
  go();
  cudaCheck(cudaStreamSynchronize(s));
  cudaCheck(cudaGetLastError());
  bool ok = true;
  char what[80];
  std::snprintf(what, sizeof what, "lstm_step v%d T=%d N=%d H=%d", version, p.T, N, H);
  if (validate_it)
    ok = validate(what, to_host(b.y, size_t(p.T) * N * H), reference(p, w, bi, bh, gi, h0, c0),
                  1e-4);
  // Time on the default stream's clock: events recorded on s.
  cudaEvent_t e0, e1;
  cudaCheck(cudaEventCreate(&e0));
  cudaCheck(cudaEventCreate(&e1));
  std::vector<float> runs;
  for (int r = 0; r < 5; ++r) {
    cudaCheck(cudaEventRecord(e0, s));
    for (int i = 0; i < 5; ++i) go();
    cudaCheck(cudaEventRecord(e1, s));
    cudaCheck(cudaEventSynchronize(e1));
    float ms;
    cudaCheck(cudaEventElapsedTime(&ms, e0, e1));
    runs.push_back(ms / 5);
  }
  std::sort(runs.begin(), runs.end());
  const double flops = 2.0 * p.T * N * GH * double(H);
  if (!validate_it)
    std::printf("lstm_step: v%d T=%d N=%-3d H=%d %8.3f ms (%6.2f us/step) %6.2f TFLOP/s\n", version,
                p.T, N, H, runs[2], runs[2] * 1e3 / p.T, flops / (runs[2] * 1e-3) / 1e12);
  if (exec) cudaGraphExecDestroy(exec);
  cudaStreamDestroy(s);
  cudaEventDestroy(e0), cudaEventDestroy(e1);
  for (float* q : {b.w_hh, b.b_ih, b.b_hh, b.gi, b.h0, b.c0, b.y, b.gh, b.partial, b.h[0], b.h[1],
                   b.c[0], b.c[1]})
    cudaFree(q);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  int device_count = 0;
  if (cudaGetDeviceCount(&device_count) != cudaSuccess || device_count == 0) {
    std::printf("lstm_step: no CUDA device, nothing to run\n");
    return 0;
  }
  cudaDeviceProp prop{};
  cudaCheck(cudaGetDeviceProperties(&prop, 0));
  std::printf("lstm_step: %s, %d SMs\n", prop.name, prop.multiProcessorCount);
  const int only = argc > 1 ? std::atoi(argv[1]) : 0;
  bool ok = true;
  for (int v = 1; v <= 7; ++v) {
    if (only && v != only) continue;
    const bool small_only = v >= 6;  // the small-batch kernel handles N <= 8
    ok &= run(v, Problem{5, small_only ? 8 : 64, 1024}, prop.multiProcessorCount, true);
    if (!small_only) ok &= run(v, Problem{100, 64, 1024}, prop.multiProcessorCount, false);
    ok &= run(v, Problem{100, 1, 1024}, prop.multiProcessorCount, false);
    ok &= run(v, Problem{100, 8, 1024}, prop.multiProcessorCount, false);
  }
  return ok ? 0 : 1;
}
