// rnn_plan.h — the CUDA path's recurrent stack as a sequence of device operations, written once
// over an executor `Exec`: rnn.cu instantiates it with the GPU executor (kernels and copies queued
// on the context's stream), test_cuda_host with a CPU executor (loops over the same cell_math.h
// element functions, reference GEMMs), so the whole plan — layout, indices, masks, ping-pong
// buffers, gradient accumulation — is tested on machines without a GPU.
//
// Structure (the CPU path's, cpu/forward.cc and cpu/backward.cc): per layer and direction one
// GEMM projects the inputs of all T·N rows; per step one recurrent GEMM (h_prev · W_hhᵀ, all
// gates) and one fused pointwise pass; backward runs the pointwise backward and dh += dgh · W_hh
// per step, then the weight and input gradients as big GEMMs over all T·N rows after the sweep.
// At batch N <= kSmallBatch each step is one fused kernel instead (small_step.h): the recurrent
// product, and for jrnn_rnn_step the input product too, computed by a warp per hidden unit with
// the cell in its epilogue. Larger batches leave the recurrent product's split-K partials
// unreduced and the pointwise kernel adds them up (one launch less per step).
// Nothing in here waits for the device.
//
// Exec provides (all in stream order; pointers are device pointers except `host_lengths`):
//   void prepare_forward(const jrnn_rnn_desc&, int64_t T, int64_t N, bool training);
//   void prepare_backward(const jrnn_rnn_desc&, int64_t T, int64_t N);
//   void prepare_step(const jrnn_rnn_desc&, int64_t N);        // e.g. size the GEMM workspace
//   const int32_t* lengths(int32_t* dst, const int32_t* host_lengths, int64_t N);  // copy, -> dst
//   void zero(void* dst, size_t bytes);
//   void copy(void* dst, const void* src, size_t bytes);
//   void gemm(bool ta, bool tb, int64_t M, int64_t Nc, int64_t K, float alpha, const float* A,
//             int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
//   GemmParts gemm_parts(bool ta, bool tb, int64_t M, int64_t Nc, int64_t K, const float* A,
//                        int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc);
//       // alpha 1, beta 0: the product in C, or its split-K partials {data, splits, stride}
//       // left unreduced for the next kernel to add up (valid until the next GEMM)
//   void small_step(int cell, const SmallStep&);    // small_step.h over all H units (N <= 8)
//   void forward_cell(int cell, const FwdStep&);    // forward_element over all N*H elements
//   void backward_cell(int cell, const BwdStep&);   // backward_element over all N*H elements
//   void mask_rows(int64_t T, int64_t N, int64_t C, const int32_t* lengths, const float* x,
//                  float* out);
//   void column_sums(int64_t rows, int64_t cols, const float* m, float* sums);  // sums +=
#pragma once

#include <algorithm>

#include "cuda/cell_math.h"
#include "cuda/cuda_layout.h"
#include "cuda/gemm_plan.h"
#include "cuda/small_step.h"
#include "internal.h"

namespace jrnn::cuda {

// lengths, or null when every sequence has length T (then no copy and no mask work).
inline const int32_t* ragged_or_null(const int32_t* lengths, int64_t T, int64_t N) {
  if (!lengths) return nullptr;
  for (int64_t n = 0; n < N; ++n)
    if (lengths[n] < T) return lengths;
  return nullptr;
}

// The state a step started from: forward direction t-1, reverse t+1, else the initial state.
inline const float* state_before(const float* states, int d, int64_t t, int64_t T, int64_t NH,
                                 const float* initial) {
  if (d == 0) return t > 0 ? states + (t - 1) * NH : initial;
  return t < T - 1 ? states + (t + 1) * NH : initial;
}

template <class Exec>
void forward_plan(Exec& ex, const ForwardArgs& a) {
  const jrnn_rnn_desc& desc = *a.desc;
  const int L = desc.num_layers, D = desc.num_directions;
  const int64_t T = a.T, N = a.N, H = desc.hidden_size, GH = desc.gates * desc.hidden_size;
  const bool training = a.reserve != nullptr;
  const ReserveLayout reserve = training ? reserve_layout(desc, T, N, a.reserve) : ReserveLayout{};
  const ForwardScratch scratch = forward_scratch(desc, T, N, training, a.scratch);
  ex.prepare_forward(desc, T, N, training);

  const int32_t* host_lengths = ragged_or_null(a.lengths, T, N);
  const int32_t* lengths = host_lengths ? ex.lengths(scratch.lengths, host_lengths, N) : nullptr;
  ex.zero(scratch.zeros, N * H * sizeof(float));

  const float* in = a.x;  // this layer's input [T, N, C_l]
  for (int l = 0; l < L; ++l) {
    const int64_t Cl = desc.layer_input_size(l);
    float* out = l == L - 1 ? a.y : training ? reserve.outputs[l] : scratch.out[l % 2];
    for (int d = 0; d < D; ++d) {
      const int ld = l * D + d;
      const float* w_ih = desc.weight_ih(a.w, l, d);
      const float* w_hh = desc.weight_hh(a.w, l, d);
      ex.gemm(false, true, T * N, GH, Cl, 1.0f, in, Cl, w_ih, Cl, 0.0f, scratch.gi, GH);

      const float* h_prev = a.h0 ? a.h0 + ld * N * H : scratch.zeros;
      const float* c_prev = a.c0 ? a.c0 + ld * N * H : scratch.zeros;
      for (int64_t s = 0; s < T; ++s) {
        const int64_t t = d == 0 ? s : T - 1 - s;
        FwdStep step{};
        step.N = N, step.H = H, step.t = t;
        step.lengths = lengths;
        step.gi = scratch.gi + t * N * GH;
        step.gh_splits = 1;
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
        if (N <= kSmallBatch) {  // h_prev and h_out are different buffers here
          ex.small_step(desc.cell, SmallStep{step, w_hh, nullptr, nullptr, 0});
        } else {
          const GemmParts gh =
              ex.gemm_parts(false, true, N, GH, H, h_prev, H, w_hh, H, scratch.gh, GH);
          step.gh = gh.data, step.gh_splits = gh.splits, step.gh_split_stride = gh.stride;
          ex.forward_cell(desc.cell, step);
        }
        h_prev = step.h_out;
        if (desc.cell == JRNN_LSTM) c_prev = step.c_out;
      }
      // Ended rows carried their state, so the last processed step holds each sequence's final one.
      if (a.hy) ex.copy(a.hy + ld * N * H, h_prev, N * H * sizeof(float));
      if (a.cy) ex.copy(a.cy + ld * N * H, c_prev, N * H * sizeof(float));
    }
    in = out;
  }
}

template <class Exec>
void backward_plan(Exec& ex, const BackwardArgs& a) {
  const jrnn_rnn_desc& desc = *a.desc;
  const int L = desc.num_layers, D = desc.num_directions;
  const int64_t T = a.T, N = a.N, H = desc.hidden_size, GH = desc.gates * desc.hidden_size;
  const int64_t NH = N * H;
  const ReserveLayout reserve = reserve_layout(desc, T, N, const_cast<void*>(a.reserve));
  const BackwardScratch scratch = backward_scratch(desc, T, N, a.scratch);
  ex.prepare_backward(desc, T, N);

  const int32_t* host_lengths = ragged_or_null(a.lengths, T, N);
  const int32_t* lengths = host_lengths ? ex.lengths(scratch.lengths, host_lengths, N) : nullptr;
  ex.zero(scratch.zeros, NH * sizeof(float));
  // x with zero rows past each length: jrnn.h lets them hold anything (even NaN), and the weight
  // gradient GEMM multiplies them by zero gradients.
  const float* x0 = a.x;
  if (a.dw && lengths) {
    ex.mask_rows(T, N, desc.input_size, lengths, a.x, scratch.x_masked);
    x0 = scratch.x_masked;
  }

  for (int l = L - 1; l >= 0; --l) {
    const int64_t Cl = desc.layer_input_size(l);
    // Gradient wrt this layer's output, and where the gradient wrt its input goes.
    const float* d_out = l == L - 1 ? a.dy : scratch.d_out[(L - 2 - l) % 2];
    float* d_in = l > 0 ? scratch.d_out[(L - 1 - l) % 2] : a.dx;
    const float* layer_in = l > 0 ? reserve.outputs[l - 1] : x0;
    for (int d = 0; d < D; ++d) {
      const int ld = l * D + d;
      const ReserveLayout::LayerDirection& kept = reserve.per_ld[ld];
      const float* w_ih = desc.weight_ih(a.w, l, d);
      const float* w_hh = desc.weight_hh(a.w, l, d);
      const float* h_init = a.h0 ? a.h0 + ld * NH : scratch.zeros;
      const float* c_init = a.c0 ? a.c0 + ld * NH : scratch.zeros;
      if (a.dhy)
        ex.copy(scratch.dh, a.dhy + ld * NH, NH * sizeof(float));
      else
        ex.zero(scratch.dh, NH * sizeof(float));
      if (scratch.dc) {
        if (a.dcy)
          ex.copy(scratch.dc, a.dcy + ld * NH, NH * sizeof(float));
        else
          ex.zero(scratch.dc, NH * sizeof(float));
      }

      for (int64_t s = 0; s < T; ++s) {  // reverse of the forward's processing order
        const int64_t t = d == 0 ? T - 1 - s : s;
        BwdStep step{};
        step.N = N, step.H = H, step.t = t;
        step.lengths = lengths;
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
        step.dgi = scratch.dgi + t * N * GH;
        step.dgh = scratch.dgh + t * N * GH;
        ex.backward_cell(desc.cell, step);
        ex.gemm(false, false, N, H, GH, 1.0f, step.dgh, GH, w_hh, H, 1.0f, scratch.dh, H);
      }
      if (a.dh0) ex.copy(a.dh0 + ld * NH, scratch.dh, NH * sizeof(float));
      if (a.dc0) ex.copy(a.dc0 + ld * NH, scratch.dc, NH * sizeof(float));

      if (a.dw) {
        ex.gemm(true, false, GH, Cl, T * N, 1.0f, scratch.dgi, GH, layer_in, Cl, 1.0f,
                desc.weight_ih(a.dw, l, d), Cl);
        // dW_hh += Σ_t dgh_tᵀ · h_prev(t): states shifted by one step, plus the initial state.
        float* dw_hh = desc.weight_hh(a.dw, l, d);
        const float* dgh_first = scratch.dgh + (d == 0 ? N * GH : 0);  // steps with a kept h_prev
        const float* h_prev_first = kept.states + (d == 0 ? 0 : NH);
        ex.gemm(true, false, GH, H, (T - 1) * N, 1.0f, dgh_first, GH, h_prev_first, H, 1.0f, dw_hh,
                H);
        if (a.h0) {
          const float* dgh_initial = scratch.dgh + (d == 0 ? 0 : (T - 1) * N * GH);
          ex.gemm(true, false, GH, H, N, 1.0f, dgh_initial, GH, h_init, H, 1.0f, dw_hh, H);
        }
        if (desc.bias) {
          ex.column_sums(T * N, GH, scratch.dgi, desc.bias_ih(a.dw, l, d));
          ex.column_sums(T * N, GH, scratch.dgh, desc.bias_hh(a.dw, l, d));
        }
      }
      if (d_in)  // both directions add into the layer input's gradient
        ex.gemm(false, false, T * N, Cl, GH, 1.0f, scratch.dgi, GH, w_ih, Cl, d == 0 ? 0.0f : 1.0f,
                d_in, Cl);
    }
  }
}

// One step of a unidirectional stack. hy may equal hx (and cy cx): layer l's recurrent product
// reads hx[l] before its cell overwrites it — stream order for the GEMM path; the fused small-batch
// kernel reads all of h_prev while it writes, so an in-place h_prev is copied aside first. The cell
// itself is element-wise (c_prev[idx] is read by the thread that writes c_out[idx]).
template <class Exec>
void step_plan(Exec& ex, const StepArgs& a) {
  const jrnn_rnn_desc& desc = *a.desc;
  const int L = desc.num_layers;
  const int64_t N = a.N, H = desc.hidden_size, GH = desc.gates * desc.hidden_size, NH = N * H;
  const StepScratch scratch = step_scratch(desc, N, a.scratch);
  const bool small = N <= kSmallBatch;
  ex.prepare_step(desc, N);
  if (!a.hx || (desc.cell == JRNN_LSTM && !a.cx)) ex.zero(scratch.zeros, NH * sizeof(float));
  for (int l = 0; l < L; ++l) {
    const int64_t Cl = desc.layer_input_size(l);
    const float* in = l == 0 ? a.x : a.hy + (l - 1) * NH;  // layer l-1's new state
    const float* h_prev = a.hx ? a.hx + l * NH : scratch.zeros;
    float* h_out = a.hy + l * NH;
    FwdStep step{};
    step.N = N, step.H = H, step.t = 0;
    step.gh_splits = 1;
    step.b_ih = desc.bias_ih(a.w, l, 0);
    step.b_hh = desc.bias_hh(a.w, l, 0);
    step.h_out = h_out;
    if (desc.cell == JRNN_LSTM) {
      step.c_prev = a.cx ? a.cx + l * NH : scratch.zeros;
      step.c_out = a.cy + l * NH;
    }
    if (small) {
      if (h_prev < h_out + NH && h_out < h_prev + NH) {   // in place: read a copy
        ex.copy(scratch.gh, h_prev, NH * sizeof(float));  // gh holds N*G*H >= N*H floats
        h_prev = scratch.gh;
      }
      step.h_prev = h_prev;
      step.y = l == L - 1 ? a.y : nullptr;  // the last layer writes y directly
      step.y_stride = H;
      ex.small_step(desc.cell,
                    SmallStep{step, desc.weight_hh(a.w, l, 0), in, desc.weight_ih(a.w, l, 0), Cl});
    } else {
      ex.gemm(false, true, N, GH, Cl, 1.0f, in, Cl, desc.weight_ih(a.w, l, 0), Cl, 0.0f, scratch.gi,
              GH);
      const GemmParts gh = ex.gemm_parts(false, true, N, GH, H, h_prev, H,
                                         desc.weight_hh(a.w, l, 0), H, scratch.gh, GH);
      step.gi = scratch.gi;
      step.gh = gh.data, step.gh_splits = gh.splits, step.gh_split_stride = gh.stride;
      step.h_prev = h_prev;
      ex.forward_cell(desc.cell, step);
    }
  }
  if (!small) ex.copy(a.y, a.hy + (L - 1) * NH, NH * sizeof(float));
}

}  // namespace jrnn::cuda
