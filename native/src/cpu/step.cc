// step.cc — one time step of a unidirectional stack on the CPU (decoding, streaming), plus the
// CPU reserve/scratch size queries. Per layer: input product, recurrent product (our matrix-vector
// kernel for small batches, else our GEMM; OpenBLAS on the generic path), fused pointwise pass
// (the kernels' vector activations; plain loops on the generic path) written straight into
// hy/cy, which may alias hx/cx: each layer's recurrent GEMM reads its hx slice before the
// pointwise pass overwrites it, and the pass is element-wise.
#include <cstring>

#include "cpu/cpu_rnn.h"
#include "cpu/cpu_util.h"
#include "cpu/kernels.h"
#include "cpu/layout.h"
#include "cpu/pointwise.h"

namespace jrnn::cpu {

size_t reserve_bytes(const jrnn_rnn_desc& desc, int64_t T, int64_t N) {
  return reserve_layout(desc, T, N, nullptr).bytes;
}

size_t scratch_bytes(const jrnn_rnn_desc& desc, int64_t T, int64_t N, int pass) {
  switch (pass) {
    case JRNN_PASS_INFERENCE:
      return forward_scratch(desc, T, N, false, nullptr).bytes;
    case JRNN_PASS_TRAINING_FORWARD:
      return forward_scratch(desc, T, N, true, nullptr).bytes;
    case JRNN_PASS_BACKWARD:
      return backward_scratch(desc, T, N, nullptr).bytes;
    default:
      return step_scratch(desc, N, nullptr).bytes;
  }
}

namespace {

// out [N, R] = in [N, K] · wᵀ (w [R, K]): with our kernels (isa.h) a matrix-vector kernel that
// reads w in place for small N (a decoding step: OpenBLAS's sgemm is slow there, see
// BENCHMARKS.md), our GEMM otherwise; OpenBLAS on the generic path.
struct Product {
  const Kernels* k;
  int64_t N, R, K;
  const float *in, *w;
  float* out;
};

void product_region(void* arg, int tid, int nt, Barrier*) {
  const Product& p = *static_cast<const Product*>(arg);
  if (p.N < kFusedMinBatch) {
    p.k->gemv_rows(p.w, p.R, p.K, p.in, p.K, p.N, p.out, p.R, tid, nt);
  } else {
    const GemmJob g{p.N, p.R, p.K, p.in, p.K, false, p.w, p.K, true, p.out, p.R, false};
    p.k->gemm(g, tid, nt);
  }
}

void product(const jrnn_context& ctx, int64_t N, int64_t R, int64_t K, const float* in,
             const float* w, float* out) {
  const Kernels* k = kernels_for(active_isa());
  if (!k) {
    gemm(false, true, N, R, K, 1.0f, in, K, w, K, 0.0f, out, R);
    return;
  }
  Product p{k, N, R, K, in, w, out};
  const double flops = 2.0 * N * R * K;
  parallel_region(flops < 4e6 ? 1 : ctx.num_threads, product_region, &p);
}

}  // namespace

void rnn_step(const jrnn_context& ctx, const StepArgs& a) {
  CallScope scope(ctx);
  const jrnn_rnn_desc& desc = *a.desc;
  const int64_t N = a.N, H = desc.hidden_size, GH = desc.gates * desc.hidden_size, NH = N * H;
  const StepScratch scratch = step_scratch(desc, N, a.scratch);
  std::memset(scratch.zeros, 0, NH * sizeof(float));
  for (int l = 0; l < desc.num_layers; ++l) {
    const int64_t Cl = desc.layer_input_size(l);
    const float* in = l == 0 ? a.x : a.hy + (l - 1) * NH;  // layer l-1's new state
    product(ctx, N, GH, Cl, in, desc.weight_ih(a.w, l, 0), scratch.gi);
    const float* h_prev = a.hx ? a.hx + l * NH : scratch.zeros;
    product(ctx, N, GH, H, h_prev, desc.weight_hh(a.w, l, 0), scratch.gh);
    ForwardStep step{};
    step.cell = desc.cell;
    step.N = N, step.H = H, step.t = 0;
    step.gi = scratch.gi;
    step.gh = scratch.gh;
    step.b_ih = desc.bias_ih(a.w, l, 0);
    step.b_hh = desc.bias_hh(a.w, l, 0);
    step.h_prev = h_prev;
    step.h_out = a.hy + l * NH;
    if (desc.cell == JRNN_LSTM) {
      step.c_prev = a.cx ? a.cx + l * NH : scratch.zeros;
      step.c_out = a.cy + l * NH;
    }
    if (const Kernels* k = kernels_for(active_isa()))
      k->step_pointwise(step);
    else
      forward_pointwise(step);
  }
  std::memcpy(a.y, a.hy + (desc.num_layers - 1) * NH, NH * sizeof(float));
}

}  // namespace jrnn::cpu
