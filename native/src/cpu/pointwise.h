// pointwise.h — the fused per-step passes of the CPU path: everything between two recurrent GEMMs
// happens in one sweep over the N rows (biases, activations, cell update, length mask, storing
// what backward needs). Rows whose sequence has ended (t >= lengths[n]) carry the state through
// unchanged, get y = 0 and contribute zero gradients.
#pragma once

#include <cstdint>

namespace jrnn::cpu {

struct ForwardStep {
  int cell;
  int64_t N, H, t;
  const int32_t* lengths;        // [N] or null (all valid)
  const float* gi;               // [N,G*H] W_ih x (no bias)
  const float* gh;               // [N,G*H] W_hh h_prev (no bias)
  const float *b_ih, *b_hh;      // [G*H] or null
  const float *h_prev, *c_prev;  // [N,H] (c: LSTM)
  float *h_out, *c_out;          // [N,H]; may equal h_prev / c_prev (element-wise in place)
  float* y;                      // row n at y + n*y_stride, H values; or null
  int64_t y_stride;
  float* gates;  // [N,G*H] activated gates to keep (LSTM/GRU), or null
  float* ghn;    // [N,H] GRU W_hn h_prev + b_hn to keep, or null
};
void forward_pointwise(const ForwardStep& s);

struct BackwardStep {
  int cell;
  int64_t N, H, t;
  const int32_t* lengths;
  const float* gates;       // [N,G*H] as kept by forward (LSTM/GRU)
  const float* h;           // [N,H] state after the step (RNN)
  const float* h_prev;      // [N,H] (GRU)
  const float *c, *c_prev;  // [N,H] (LSTM)
  const float* ghn;         // [N,H] (GRU)
  const float* dy;          // row n at dy + n*dy_stride, or null
  int64_t dy_stride;
  float* dh;   // [N,H] in: dL/dh after the step (without dy); out: the part of dL/dh_prev that
               // does not go through W_hh (GRU: z*dh; others 0; ended rows: unchanged)
  float* dc;   // [N,H] LSTM in: dL/dc after the step; out: dL/dc_prev
  float* dgi;  // [N,G*H] out: gradient wrt the input projection (0 for ended rows)
  float* dgh;  // [N,G*H] out: gradient wrt W_hh h_prev + b_hh; may equal dgi (all but GRU)
};
void backward_pointwise(const BackwardStep& s);

}  // namespace jrnn::cpu
