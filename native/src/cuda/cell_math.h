// cell_math.h — the per-element work of the CUDA path's fused pointwise kernels, as
// host + device functions: rnn.cu runs them one thread per (n, j); test_cuda_host runs the same
// functions in a loop on the CPU (no GPU needed) and checks them against the reference. Each
// function handles element idx = n*H + j of one time step, reading only what that element needs
// and writing only its own outputs, so any order of elements (and in-place h_out == h_prev) is
// safe. Semantics: exactly cpu/pointwise.cc (jrnn.h's cells and length mask).
#pragma once

#include <cmath>
#include <cstdint>

#include "cuda/host_device.h"
#include "jrnn/jrnn.h"

namespace jrnn::cuda {

struct FwdStep {
  int64_t N, H, t;
  const int32_t* lengths;        // [N] (device memory on the GPU) or null: all valid
  const float* gi;               // [N,G*H] W_ih x (no bias)
  const float* gh;               // [N,G*H] W_hh h_prev (no bias), or split-K partials of it:
  int gh_splits;                 //   gh_splits (>= 1) arrays, gh_split_stride floats apart,
  int64_t gh_split_stride;       //   summed in order (plans set 1 / 0 when reduced)
  const float *b_ih, *b_hh;      // [G*H] or null
  const float *h_prev, *c_prev;  // [N,H] (c: LSTM)
  float *h_out, *c_out;          // [N,H]; may equal h_prev / c_prev
  float* y;                      // row n at y + n*y_stride, or null
  int64_t y_stride;
  float* gates;  // [N,G*H] activated gates to keep (LSTM/GRU training), or null
  float* ghn;    // [N,H] GRU: W_hn h_prev + b_hn to keep, or null
};

struct BwdStep {
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
               // does not go through W_hh (GRU z*dh, others 0; ended rows: unchanged)
  float* dc;   // [N,H] LSTM in: dL/dc after the step; out: dL/dc_prev
  float* dgi;  // [N,G*H] gradient wrt the input projection (0 for ended rows)
  float* dgh;  // [N,G*H] gradient wrt W_hh h_prev + b_hh; equals dgi except for GRU
};

constexpr JRNN_HD int gates_of(int cell) {
  return cell == JRNN_LSTM ? 4 : cell == JRNN_GRU ? 3 : 1;
}

JRNN_HD_INLINE float sigmoid_(float v) {
  return 1.0f / (1.0f + expf(-v));
}
JRNN_HD_INLINE float bias_at_(const float* b, int64_t i) {
  return b ? b[i] : 0.0f;
}

// Forward of an ended row's element (t >= lengths[n]): carry the state, output zero.
template <int CELL>
JRNN_HD_INLINE void forward_carry(const FwdStep& s, int64_t idx, int64_t n, int64_t j) {
  s.h_out[idx] = s.h_prev[idx];
  if (CELL == JRNN_LSTM) s.c_out[idx] = s.c_prev[idx];
  if (s.y) s.y[n * s.y_stride + j] = 0.0f;
}

// Forward of a valid element (n, j) = idx from its gate parts: gi[k] = (W_ih x)[k*H + j] and
// gh[k] = (W_hh h_prev)[k*H + j], k < G, both without bias.
template <int CELL>
JRNN_HD_INLINE void forward_cell(const FwdStep& s, int64_t idx, int64_t n, int64_t j,
                                 const float* gi, const float* gh) {
  const int64_t H = s.H;
  float h;
  if (CELL == JRNN_RNN_TANH || CELL == JRNN_RNN_RELU) {
    const float a = gi[0] + gh[0] + bias_at_(s.b_ih, j) + bias_at_(s.b_hh, j);
    h = CELL == JRNN_RNN_TANH ? tanhf(a) : (0.0f > a ? 0.0f : a);  // NaN stays, as torch.relu
  } else if (CELL == JRNN_LSTM) {
    float a[4];
    JRNN_UNROLL for (int k = 0; k < 4; ++k) a[k] =
        gi[k] + gh[k] + bias_at_(s.b_ih, k * H + j) + bias_at_(s.b_hh, k * H + j);
    const float i = sigmoid_(a[0]), f = sigmoid_(a[1]), g = tanhf(a[2]), o = sigmoid_(a[3]);
    const float c = f * s.c_prev[idx] + i * g;
    s.c_out[idx] = c;
    h = o * tanhf(c);
    if (s.gates) {
      float* gates = s.gates + n * 4 * H + j;
      gates[0] = i, gates[H] = f, gates[2 * H] = g, gates[3 * H] = o;
    }
  } else {  // GRU, reset gate applied after the recurrent product
    const float r = sigmoid_(gi[0] + gh[0] + bias_at_(s.b_ih, j) + bias_at_(s.b_hh, j));
    const float z = sigmoid_(gi[1] + gh[1] + bias_at_(s.b_ih, H + j) + bias_at_(s.b_hh, H + j));
    const float ghn = gh[2] + bias_at_(s.b_hh, 2 * H + j);
    const float nn = tanhf(gi[2] + bias_at_(s.b_ih, 2 * H + j) + r * ghn);
    h = (1.0f - z) * nn + z * s.h_prev[idx];  // h_prev read before h_out is written (in place)
    if (s.gates) {
      float* gates = s.gates + n * 3 * H + j;
      gates[0] = r, gates[H] = z, gates[2 * H] = nn;
    }
    if (s.ghn) s.ghn[idx] = ghn;
  }
  s.h_out[idx] = h;
  if (s.y) s.y[n * s.y_stride + j] = h;
}

// Forward of element idx (0 <= idx < N*H), gate parts read from s.gi and s.gh (the sum of
// s.gh_splits split-K partials, s.gh_split_stride floats apart, when the recurrent product left
// them unreduced). CELL is a jrnn_cell.
template <int CELL>
JRNN_HD_INLINE void forward_element(const FwdStep& s, int64_t idx) {
  constexpr int G = gates_of(CELL);
  const int64_t H = s.H;
  const int64_t n = idx / H, j = idx - n * H;
  if (s.lengths && s.t >= s.lengths[n]) {
    forward_carry<CELL>(s, idx, n, j);
    return;
  }
  const float* gi = s.gi + n * G * H + j;
  const float* gh = s.gh + n * G * H + j;
  float gi_v[G], gh_v[G];
  JRNN_UNROLL for (int k = 0; k < G; ++k) {
    gi_v[k] = gi[k * H];
    float sum = gh[k * H];
    for (int z = 1; z < s.gh_splits; ++z) sum += gh[z * s.gh_split_stride + k * H];
    gh_v[k] = sum;
  }
  forward_cell<CELL>(s, idx, n, j, gi_v, gh_v);
}

// Backward of element idx.
template <int CELL>
JRNN_HD_INLINE void backward_element(const BwdStep& s, int64_t idx) {
  constexpr int G = gates_of(CELL);
  const int64_t H = s.H;
  const int64_t n = idx / H, j = idx - n * H;
  float* dgi = s.dgi + n * G * H + j;
  float* dgh = s.dgh + n * G * H + j;
  if (s.lengths && s.t >= s.lengths[n]) {  // the state passed through: so does its gradient
    JRNN_UNROLL for (int k = 0; k < G; ++k) dgi[k * H] = 0.0f;
    if (CELL == JRNN_GRU) JRNN_UNROLL for (int k = 0; k < G; ++k) dgh[k * H] = 0.0f;
    return;
  }
  const float g_h = s.dh[idx] + (s.dy ? s.dy[n * s.dy_stride + j] : 0.0f);
  if (CELL == JRNN_RNN_TANH || CELL == JRNN_RNN_RELU) {
    const float h = s.h[idx];
    dgi[0] = CELL == JRNN_RNN_TANH ? g_h * (1.0f - h * h) : (h > 0.0f ? g_h : 0.0f);
    s.dh[idx] = 0.0f;
  } else if (CELL == JRNN_LSTM) {
    const float* gates = s.gates + n * 4 * H + j;
    const float i = gates[0], f = gates[H], g = gates[2 * H], o = gates[3 * H];
    const float tc = tanhf(s.c[idx]);
    const float dct = s.dc[idx] + g_h * o * (1.0f - tc * tc);
    dgi[0] = dct * g * i * (1.0f - i);
    dgi[H] = dct * s.c_prev[idx] * f * (1.0f - f);
    dgi[2 * H] = dct * i * (1.0f - g * g);
    dgi[3 * H] = g_h * tc * o * (1.0f - o);
    s.dc[idx] = dct * f;
    s.dh[idx] = 0.0f;
  } else {
    const float* gates = s.gates + n * 3 * H + j;
    const float r = gates[0], z = gates[H], nn = gates[2 * H];
    const float dan = g_h * (1.0f - z) * (1.0f - nn * nn);
    const float dar = dan * s.ghn[idx] * r * (1.0f - r);
    const float daz = g_h * (s.h_prev[idx] - nn) * z * (1.0f - z);
    dgi[0] = dgh[0] = dar;
    dgi[H] = dgh[H] = daz;
    dgi[2 * H] = dan;
    dgh[2 * H] = dan * r;
    s.dh[idx] = g_h * z;
  }
}

// out [T,N,C] = x with zero rows past each length: element idx of T*N*C.
JRNN_HD_INLINE void mask_element(int64_t N, int64_t C, const int32_t* lengths, const float* x,
                                 float* out, int64_t idx) {
  const int64_t row = idx / C, t = row / N, n = row - t * N;
  out[idx] = t < lengths[n] ? x[idx] : 0.0f;
}

}  // namespace jrnn::cuda
