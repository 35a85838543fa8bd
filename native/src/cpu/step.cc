// step.cc — one time step of a unidirectional stack on the CPU (decoding, streaming), plus the
// CPU reserve/scratch size queries. Per layer: input GEMM, recurrent GEMM, fused pointwise pass
// written straight into hy/cy, which may alias hx/cx: each layer's recurrent GEMM reads its hx
// slice before the pointwise pass overwrites it, and the pass is element-wise.
#include <cstring>

#include "cpu/cpu_rnn.h"
#include "cpu/cpu_util.h"
#include "cpu/layout.h"
#include "cpu/pointwise.h"

namespace jrnn::cpu {

size_t reserve_bytes(const jrnn_rnn_desc& desc, int64_t T, int64_t N) {
  return reserve_layout(desc, T, N, nullptr).bytes;
}

size_t scratch_bytes(const jrnn_rnn_desc& desc, int64_t T, int64_t N, int pass) {
  switch (pass) {
    case JRNN_PASS_INFERENCE: return forward_scratch(desc, T, N, false, nullptr).bytes;
    case JRNN_PASS_TRAINING_FORWARD: return forward_scratch(desc, T, N, true, nullptr).bytes;
    case JRNN_PASS_BACKWARD: return backward_scratch(desc, T, N, nullptr).bytes;
    default: return step_scratch(desc, N, nullptr).bytes;
  }
}

void rnn_step(const jrnn_context& ctx, const StepArgs& a) {
  CallScope scope(ctx);
  const jrnn_rnn_desc& desc = *a.desc;
  const int64_t N = a.N, H = desc.hidden_size, GH = desc.gates * desc.hidden_size, NH = N * H;
  const StepScratch scratch = step_scratch(desc, N, a.scratch);
  std::memset(scratch.zeros, 0, NH * sizeof(float));
  for (int l = 0; l < desc.num_layers; ++l) {
    const int64_t Cl = desc.layer_input_size(l);
    const float* in = l == 0 ? a.x : a.hy + (l - 1) * NH;  // layer l-1's new state
    gemm(false, true, N, GH, Cl, 1.0f, in, Cl, desc.weight_ih(a.w, l, 0), Cl, 0.0f, scratch.gi, GH);
    const float* h_prev = a.hx ? a.hx + l * NH : scratch.zeros;
    gemm(false, true, N, GH, H, 1.0f, h_prev, H, desc.weight_hh(a.w, l, 0), H, 0.0f, scratch.gh, GH);
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
    forward_pointwise(step);
  }
  std::memcpy(a.y, a.hy + (desc.num_layers - 1) * NH, NH * sizeof(float));
}

}  // namespace jrnn::cpu
