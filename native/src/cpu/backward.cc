// backward.cc — the CPU backward pass (BPTT). With AVX2 or AVX-512 (isa.h) it runs on our own
// kernels (fast_rnn.cc); this file is the portable (generic) path. Per layer (top down) and
// direction: a sweep over time that runs the fused pointwise backward and one sgemm per step
// (dh += dgh_t · W_hh), storing the gate gradients for all steps; then, outside the loop, big
// GEMMs over all T*N rows: dW_ih += dgiᵀ·X, dW_hh += dghᵀ·H_prev, bias sums, and dX = dgi·W_ih
// (the layer below's dy).
#include <algorithm>
#include <cstring>

#include "cpu/cpu_rnn.h"
#include "cpu/cpu_util.h"
#include "cpu/fast_rnn.h"
#include "cpu/kernels.h"
#include "cpu/layout.h"
#include "cpu/pointwise.h"

namespace jrnn::cpu {
namespace {

// The state a step started from: forward direction t-1, reverse t+1, else the initial state.
const float* state_before(const float* states, int d, int64_t t, int64_t T, int64_t NH,
                          const float* initial) {
  if (d == 0) return t > 0 ? states + (t - 1) * NH : initial;
  return t < T - 1 ? states + (t + 1) * NH : initial;
}

// Rows of x for times t0 .. t0+steps-1, with zeros past each length when the batch is ragged:
// jrnn.h lets them hold anything (even NaN), and the weight-gradient GEMM multiplies them by zero
// gradients.
const float* masked_input(const BackwardArgs& a, int64_t t0, int64_t steps, float* x_masked) {
  const int64_t C = a.desc->input_size;
  const float* x = a.x + t0 * a.N * C;
  if (!a.lengths) return x;
  bool ragged = false;
  for (int64_t n = 0; n < a.N; ++n) ragged |= a.lengths[n] < t0 + steps;
  if (!ragged) return x;
  for (int64_t t = t0; t < t0 + steps; ++t)
    for (int64_t n = 0; n < a.N; ++n) {
      float* row = x_masked + ((t - t0) * a.N + n) * C;
      if (t < a.lengths[n])
        std::memcpy(row, a.x + (t * a.N + n) * C, C * sizeof(float));
      else
        std::memset(row, 0, C * sizeof(float));
    }
  return x_masked;
}

void add_column_sums(const float* m, int64_t rows, int64_t cols, float* sums) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) sums[c] += m[r * cols + c];
}

}  // namespace

void rnn_backward(const jrnn_context& ctx, const BackwardArgs& a) {
  if (const Kernels* k = kernels_for(active_isa())) return fast_backward(ctx, a, k);
  CallScope scope(ctx);
  const jrnn_rnn_desc& desc = *a.desc;
  const int L = desc.num_layers, D = desc.num_directions;
  const int64_t T = a.T, N = a.N, H = desc.hidden_size, GH = desc.gates * desc.hidden_size;
  const int64_t NH = N * H;
  const ReserveLayout reserve = reserve_layout(desc, T, N, const_cast<void*>(a.reserve));
  const BackwardScratch scratch = backward_scratch(desc, T, N, a.scratch);
  std::memset(scratch.zeros, 0, NH * sizeof(float));

  for (int l = L - 1; l >= 0; --l) {
    const int64_t Cl = desc.layer_input_size(l);
    // Gradient wrt this layer's output, and where the gradient wrt its input goes.
    const float* d_out = l == L - 1 ? a.dy : scratch.d_out[(L - 2 - l) % 2];
    float* d_in = l > 0 ? scratch.d_out[(L - 1 - l) % 2] : a.dx;
    const float* layer_in = l > 0 ? reserve.outputs[l - 1] : nullptr;  // layer 0: x, masked
    for (int d = 0; d < D; ++d) {
      const int ld = l * D + d;
      const ReserveLayout::LayerDirection& kept = reserve.per_ld[ld];
      const float* w_ih = desc.weight_ih(a.w, l, d);
      const float* w_hh = desc.weight_hh(a.w, l, d);
      const float* h_init = a.h0 ? a.h0 + ld * NH : scratch.zeros;
      const float* c_init = a.c0 ? a.c0 + ld * NH : scratch.zeros;
      if (a.dhy)
        std::memcpy(scratch.dh, a.dhy + ld * NH, NH * sizeof(float));
      else
        std::memset(scratch.dh, 0, NH * sizeof(float));
      if (a.dcy)
        std::memcpy(scratch.dc, a.dcy + ld * NH, NH * sizeof(float));
      else
        std::memset(scratch.dc, 0, NH * sizeof(float));

      const int64_t chunk = bwd_chunk_steps(T, N);
      float* dw_ih = a.dw ? desc.weight_ih(a.dw, l, d) : nullptr;
      float* dw_hh = a.dw ? desc.weight_hh(a.dw, l, d) : nullptr;
      for (int64_t c = 0; c * chunk < T; ++c) {  // chunks of steps, as the fast path (kernels.h)
        const int64_t s0 = c * chunk, steps = std::min(T, s0 + chunk) - s0;
        const int64_t t0 = bwd_chunk_t0(c, chunk, T, d);
        float* dgi = scratch.dgi[c % 2];
        float* dgh = scratch.dgh[c % 2];
        for (int64_t s = s0; s < s0 + steps; ++s) {  // reverse of the forward's processing order
          const int64_t t = d == 0 ? T - 1 - s : s;
          BackwardStep step{};
          step.cell = desc.cell;
          step.N = N, step.H = H, step.t = t;
          step.lengths = a.lengths;
          step.gates = kept.gates ? kept.gates + t * N * GH : nullptr;
          step.h = kept.states + t * NH;
          step.h_prev = state_before(kept.states, d, t, T, NH, h_init);
          if (kept.cells) {
            step.c = kept.cells + t * NH;
            step.c_prev = state_before(kept.cells, d, t, T, NH, c_init);
          }
          step.ghn = kept.ghn ? kept.ghn + t * NH : nullptr;
          step.dy = d_out ? d_out + t * N * D * H + d * H : nullptr;
          step.dy_stride = D * H;
          step.dh = scratch.dh;
          step.dc = scratch.dc;
          step.dgi = dgi + (t - t0) * N * GH;
          step.dgh = dgh + (t - t0) * N * GH;
          backward_pointwise(step);
          gemm(false, false, N, H, GH, 1.0f, step.dgh, GH, w_hh, H, 1.0f, scratch.dh, H);
        }
        const int64_t rows = steps * N;
        if (a.dw) {
          const float* in =
              l > 0 ? layer_in + t0 * N * Cl : masked_input(a, t0, steps, scratch.x_masked);
          gemm(true, false, GH, Cl, rows, 1.0f, dgi, GH, in, Cl, 1.0f, dw_ih, Cl);
          // dW_hh += Σ_t dgh_tᵀ · h_prev(t): stored states one step back, and the initial state
          // for the first step (t = 0 forward, T-1 reverse).
          const int64_t first = d == 0 ? 0 : T - 1;
          const bool has_first = first >= t0 && first < t0 + steps;
          const int64_t ta = d == 0 && has_first ? t0 + 1 : t0;
          const int64_t tb = d == 1 && has_first ? t0 + steps - 1 : t0 + steps;
          if (tb > ta)
            gemm(true, false, GH, H, (tb - ta) * N, 1.0f, dgh + (ta - t0) * N * GH, GH,
                 kept.states + (d == 0 ? ta - 1 : ta + 1) * NH, H, 1.0f, dw_hh, H);
          if (has_first && a.h0)
            gemm(true, false, GH, H, N, 1.0f, dgh + (first - t0) * N * GH, GH, h_init, H, 1.0f,
                 dw_hh, H);
          if (desc.bias) {
            add_column_sums(dgi, rows, GH, desc.bias_ih(a.dw, l, d));
            add_column_sums(dgh, rows, GH, desc.bias_hh(a.dw, l, d));
          }
        }
        if (d_in)  // both directions add into the layer input's gradient
          gemm(false, false, rows, Cl, GH, 1.0f, dgi, GH, w_ih, Cl, d == 0 ? 0.0f : 1.0f,
               d_in + t0 * N * Cl, Cl);
      }
      if (a.dh0) std::memcpy(a.dh0 + ld * NH, scratch.dh, NH * sizeof(float));
      if (a.dc0) std::memcpy(a.dc0 + ld * NH, scratch.dc, NH * sizeof(float));
    }
  }
}

}  // namespace jrnn::cpu
