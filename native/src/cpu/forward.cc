// forward.cc — the CPU forward pass of a stack. With AVX2 or AVX-512 (isa.h) it runs on our own
// kernels (fast_rnn.cc); this file is the portable (generic) path. Per layer and direction: one
// sgemm projects the inputs of a chunk of steps ([steps*N, C_l] x W_ihᵀ); then per step one sgemm
// for all gates (h_prev [N,H] x W_hhᵀ) and one fused pointwise pass. A training forward keeps
// states, gates and layer outputs in `reserve` (layout.h); inference ping-pongs them through
// `scratch`.
#include <algorithm>
#include <cstring>

#include "cpu/cpu_rnn.h"
#include "cpu/cpu_util.h"
#include "cpu/fast_rnn.h"
#include "cpu/layout.h"
#include "cpu/pointwise.h"

namespace jrnn::cpu {

void rnn_forward(const jrnn_context& ctx, const ForwardArgs& a) {
  if (const Kernels* k = kernels_for(active_isa())) return fast_forward(ctx, a, k);
  CallScope scope(ctx);
  const jrnn_rnn_desc& desc = *a.desc;
  const int L = desc.num_layers, D = desc.num_directions;
  const int64_t T = a.T, N = a.N, H = desc.hidden_size, GH = desc.gates * desc.hidden_size;
  const bool training = a.reserve != nullptr;
  const ReserveLayout reserve = training ? reserve_layout(desc, T, N, a.reserve) : ReserveLayout{};
  const ForwardScratch scratch = forward_scratch(desc, T, N, training, a.scratch);
  std::memset(scratch.zeros, 0, N * H * sizeof(float));

  const float* in = a.x;  // this layer's input [T, N, C_l]
  for (int l = 0; l < L; ++l) {
    const int64_t Cl = desc.layer_input_size(l);
    float* out = l == L - 1 ? a.y : training ? reserve.outputs[l] : scratch.out[l % 2];
    for (int d = 0; d < D; ++d) {
      const int ld = l * D + d;
      const float* w_ih = desc.weight_ih(a.w, l, d);
      const float* w_hh = desc.weight_hh(a.w, l, d);
      const int64_t chunk = gi_chunk_steps(T, N);
      int64_t gi_t0 = 0;

      const float* h_prev = a.h0 ? a.h0 + ld * N * H : scratch.zeros;
      const float* c_prev = a.c0 ? a.c0 + ld * N * H : scratch.zeros;
      for (int64_t s = 0; s < T; ++s) {
        const int64_t t = d == 0 ? s : T - 1 - s;
        if (s % chunk == 0) {  // input products of the next chunk of steps (times gi_t0..)
          const int64_t steps = std::min(chunk, T - s);
          gi_t0 = d == 0 ? s : T - s - steps;
          gemm(false, true, steps * N, GH, Cl, 1.0f, in + gi_t0 * N * Cl, Cl, w_ih, Cl, 0.0f,
               scratch.gi, GH);
        }
        gemm(false, true, N, GH, H, 1.0f, h_prev, H, w_hh, H, 0.0f, scratch.gh, GH);
        ForwardStep step{};
        step.cell = desc.cell;
        step.N = N, step.H = H, step.t = t;
        step.lengths = a.lengths;
        step.gi = scratch.gi + (t - gi_t0) * N * GH;
        step.gh = scratch.gh;
        step.b_ih = desc.bias_ih(a.w, l, d);
        step.b_hh = desc.bias_hh(a.w, l, d);
        step.h_prev = h_prev;
        step.c_prev = c_prev;
        if (training) {
          const ReserveLayout::LayerDirection& kept = reserve.per_ld[ld];
          step.h_out = kept.states + t * N * H;
          step.c_out = kept.cells ? kept.cells + t * N * H : nullptr;
          step.gates = kept.gates ? kept.gates + t * N * GH : nullptr;
          step.ghn = kept.ghn ? kept.ghn + t * N * H : nullptr;
        } else {
          step.h_out = scratch.h[s % 2];
          step.c_out = scratch.c[s % 2];
        }
        step.y = out + t * N * D * H + d * H;
        step.y_stride = D * H;
        forward_pointwise(step);
        h_prev = step.h_out;
        if (desc.cell == JRNN_LSTM) c_prev = step.c_out;
      }
      // Ended rows carried their state, so the last processed step holds each sequence's final one.
      if (a.hy) std::memcpy(a.hy + ld * N * H, h_prev, N * H * sizeof(float));
      if (a.cy) std::memcpy(a.cy + ld * N * H, c_prev, N * H * sizeof(float));
    }
    in = out;
  }
}

}  // namespace jrnn::cpu
