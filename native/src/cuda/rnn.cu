// rnn.cu — the CUDA recurrent stack: rnn_plan.h's plans (forward, backward, step) run by the GPU
// executor below: kernels and copies queued on the context's stream, no host synchronisation
// inside the time loop. `lengths` (host) is copied once per call into scratch through a pinned
// staging slot (asynchronous). The fused pointwise kernels run cell_math.h's element functions one
// thread per (n, j); the small-batch step kernel runs small_step.h's, a warp per hidden unit; the
// GEMMs are gemm.cu's.
#include "cuda/cuda_backend.h"
#include "cuda/cuda_common.cuh"
#include "cuda/gemm.cuh"
#include "cuda/rnn_kernels.cuh"
#include "cuda/rnn_plan.h"

namespace jrnn::cuda {
namespace {

// The GPU executor of rnn_plan.h.
class DeviceExec {
 public:
  explicit DeviceExec(State& st) : st_(st) {}

  // Workspace for every GEMM a plan runs, reserved before anything is queued (growing it
  // synchronises the stream, which must never happen inside the time loop).
  void prepare_forward(const jrnn_rnn_desc& desc, int64_t T, int64_t N, bool) {
    const int64_t H = desc.hidden_size, GH = desc.gates * H;
    size_t ws = gemm_workspace_bytes(st_, false, true, N, GH, H);
    for (int l = 0; l < desc.num_layers; ++l)
      ws =
          std::max(ws, gemm_workspace_bytes(st_, false, true, T * N, GH, desc.layer_input_size(l)));
    workspace(st_, ws);
  }
  void prepare_backward(const jrnn_rnn_desc& desc, int64_t T, int64_t N) {
    const int64_t H = desc.hidden_size, GH = desc.gates * H;
    size_t ws = std::max(gemm_workspace_bytes(st_, false, false, N, H, GH),
                         column_sums_workspace_bytes(st_, T * N, GH));
    for (int l = 0; l < desc.num_layers; ++l) {
      const int64_t Cl = desc.layer_input_size(l);
      ws = std::max({ws, gemm_workspace_bytes(st_, true, false, GH, Cl, T * N),
                     gemm_workspace_bytes(st_, true, false, GH, H, (T - 1) * N),
                     gemm_workspace_bytes(st_, true, false, GH, H, N),
                     gemm_workspace_bytes(st_, false, false, T * N, Cl, GH)});
    }
    workspace(st_, ws);
  }
  void prepare_step(const jrnn_rnn_desc& desc, int64_t N) {
    const int64_t GH = desc.gates * desc.hidden_size;
    size_t ws = gemm_workspace_bytes(st_, false, true, N, GH, desc.hidden_size);
    for (int l = 0; l < desc.num_layers; ++l)
      ws = std::max(ws, gemm_workspace_bytes(st_, false, true, N, GH, desc.layer_input_size(l)));
    workspace(st_, ws);
  }

  const int32_t* lengths(int32_t* dst, const int32_t* host_lengths, int64_t N) {
    stage_to_device(st_, dst, host_lengths, size_t(N) * sizeof(int32_t));
    return dst;
  }
  void zero(void* dst, size_t bytes) {
    check(cudaMemsetAsync(dst, 0, bytes, st_.stream), "cudaMemsetAsync");
  }
  void copy(void* dst, const void* src, size_t bytes) {
    check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, st_.stream),
          "cudaMemcpyAsync (device to device)");
  }
  void gemm(bool ta, bool tb, int64_t M, int64_t Nc, int64_t K, float alpha, const float* A,
            int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    cuda::gemm(st_, ta, tb, M, Nc, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }
  GemmParts gemm_parts(bool ta, bool tb, int64_t M, int64_t Nc, int64_t K, const float* A,
                       int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc) {
    return cuda::gemm_parts(st_, ta, tb, M, Nc, K, A, lda, B, ldb, C, ldc);
  }
  void small_step(int cell, const SmallStep& a) {
    switch (cell) {
      case JRNN_RNN_TANH:
        launch_small_step<JRNN_RNN_TANH>(a, st_.stream);
        break;
      case JRNN_RNN_RELU:
        launch_small_step<JRNN_RNN_RELU>(a, st_.stream);
        break;
      case JRNN_LSTM:
        launch_small_step<JRNN_LSTM>(a, st_.stream);
        break;
      default:
        launch_small_step<JRNN_GRU>(a, st_.stream);
        break;
    }
    check_launch("small_step_kernel");
  }
  void forward_cell(int cell, const FwdStep& s) {
    const unsigned blocks = blocks_for(s.N * s.H, kPointwiseThreads);
    switch (cell) {
      case JRNN_RNN_TANH:
        forward_pointwise<JRNN_RNN_TANH><<<blocks, kPointwiseThreads, 0, st_.stream>>>(s);
        break;
      case JRNN_RNN_RELU:
        forward_pointwise<JRNN_RNN_RELU><<<blocks, kPointwiseThreads, 0, st_.stream>>>(s);
        break;
      case JRNN_LSTM:
        forward_pointwise<JRNN_LSTM><<<blocks, kPointwiseThreads, 0, st_.stream>>>(s);
        break;
      default:
        forward_pointwise<JRNN_GRU><<<blocks, kPointwiseThreads, 0, st_.stream>>>(s);
        break;
    }
    check_launch("forward_pointwise");
  }
  void backward_cell(int cell, const BwdStep& s) {
    const unsigned blocks = blocks_for(s.N * s.H, kPointwiseThreads);
    switch (cell) {
      case JRNN_RNN_TANH:
        backward_pointwise<JRNN_RNN_TANH><<<blocks, kPointwiseThreads, 0, st_.stream>>>(s);
        break;
      case JRNN_RNN_RELU:
        backward_pointwise<JRNN_RNN_RELU><<<blocks, kPointwiseThreads, 0, st_.stream>>>(s);
        break;
      case JRNN_LSTM:
        backward_pointwise<JRNN_LSTM><<<blocks, kPointwiseThreads, 0, st_.stream>>>(s);
        break;
      default:
        backward_pointwise<JRNN_GRU><<<blocks, kPointwiseThreads, 0, st_.stream>>>(s);
        break;
    }
    check_launch("backward_pointwise");
  }
  void mask_rows(int64_t T, int64_t N, int64_t C, const int32_t* lengths, const float* x,
                 float* out) {
    mask_rows_kernel<<<blocks_for(T * N * C, kPointwiseThreads), kPointwiseThreads, 0,
                       st_.stream>>>(T, N, C, lengths, x, out);
    check_launch("mask_rows_kernel");
  }
  void column_sums(int64_t rows, int64_t cols, const float* m, float* sums) {
    add_column_sums(st_, rows, cols, m, sums);
  }

 private:
  State& st_;
};

}  // namespace

void rnn_forward(const jrnn_context& ctx, const ForwardArgs& a) {
  DeviceExec ex(state_of(ctx));
  forward_plan(ex, a);
}

void rnn_backward(const jrnn_context& ctx, const BackwardArgs& a) {
  DeviceExec ex(state_of(ctx));
  backward_plan(ex, a);
}

void rnn_step(const jrnn_context& ctx, const StepArgs& a) {
  DeviceExec ex(state_of(ctx));
  step_plan(ex, a);
}

}  // namespace jrnn::cuda
