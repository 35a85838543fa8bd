// ref_cell.h — the reference cell: one time step of one sequence for every cell kind, forward and
// backward, in plain loops (templated on float/double). This is the oracle: written to be read and
// checked against jrnn.h's equations, never optimised.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "jrnn/jrnn.h"

namespace jrnn::ref {

template <typename F>
F sigmoid(F v) {
  return F(1) / (F(1) + std::exp(-v));
}

// Everything one step computes, kept so that backward can use it.
template <typename F>
struct CellRecord {
  std::vector<F> x;       // [C_l] the step's input
  std::vector<F> h_prev;  // [H]
  std::vector<F> c_prev;  // [H] (LSTM)
  std::vector<F> gi;      // [G*H] W_ih x + b_ih
  std::vector<F> gh;      // [G*H] W_hh h_prev + b_hh
  std::vector<F> act;     // [G*H] activated gates (LSTM i,f,g,o; GRU r,z,n; RNN h)
  std::vector<F> h, c;    // [H] new state
};

// Weights of one layer and direction: w_ih [G*H, C_l], w_hh [G*H, H], biases [G*H] or null.
template <typename F>
struct CellWeights {
  const F *w_ih, *w_hh, *b_ih, *b_hh;
};
template <typename F>
struct CellGrads {  // accumulated (+=); biases may be null
  F *w_ih, *w_hh, *b_ih, *b_hh;
};

// One step: fills r (x, h_prev, c_prev must already be set).
template <typename F>
void cell_forward(int cell, int64_t Cl, int64_t H, const CellWeights<F>& w, CellRecord<F>& r) {
  const int G = cell == JRNN_LSTM ? 4 : cell == JRNN_GRU ? 3 : 1;
  r.gi.assign(G * H, F(0));
  r.gh.assign(G * H, F(0));
  for (int64_t row = 0; row < G * H; ++row) {
    F a = w.b_ih ? w.b_ih[row] : F(0);
    for (int64_t k = 0; k < Cl; ++k) a += w.w_ih[row * Cl + k] * r.x[k];
    r.gi[row] = a;
    F b = w.b_hh ? w.b_hh[row] : F(0);
    for (int64_t k = 0; k < H; ++k) b += w.w_hh[row * H + k] * r.h_prev[k];
    r.gh[row] = b;
  }
  r.act.assign(G * H, F(0));
  r.h.assign(H, F(0));
  r.c.assign(H, F(0));
  for (int64_t j = 0; j < H; ++j) {
    if (cell == JRNN_RNN_TANH || cell == JRNN_RNN_RELU) {
      const F a = r.gi[j] + r.gh[j];
      r.act[j] = cell == JRNN_RNN_TANH ? std::tanh(a) : (F(0) > a ? F(0) : a);  // NaN stays
      r.h[j] = r.act[j];
    } else if (cell == JRNN_LSTM) {
      const F i = sigmoid(r.gi[j] + r.gh[j]);
      const F f = sigmoid(r.gi[H + j] + r.gh[H + j]);
      const F g = std::tanh(r.gi[2 * H + j] + r.gh[2 * H + j]);
      const F o = sigmoid(r.gi[3 * H + j] + r.gh[3 * H + j]);
      r.act[j] = i, r.act[H + j] = f, r.act[2 * H + j] = g, r.act[3 * H + j] = o;
      r.c[j] = f * r.c_prev[j] + i * g;
      r.h[j] = o * std::tanh(r.c[j]);
    } else {  // GRU, reset after the recurrent product: n = tanh(gi_n + r * gh_n)
      const F rg = sigmoid(r.gi[j] + r.gh[j]);
      const F z = sigmoid(r.gi[H + j] + r.gh[H + j]);
      const F n = std::tanh(r.gi[2 * H + j] + rg * r.gh[2 * H + j]);
      r.act[j] = rg, r.act[H + j] = z, r.act[2 * H + j] = n;
      r.h[j] = (F(1) - z) * n + z * r.h_prev[j];
    }
  }
}

// Backward of one step. dh [H] / dc [H] (dc LSTM only) are the gradients wrt the new state; on
// return they hold the gradients wrt h_prev / c_prev. dx [C_l] += the input gradient.
template <typename F>
void cell_backward(int cell, int64_t Cl, int64_t H, const CellWeights<F>& w, const CellRecord<F>& r,
                   std::vector<F>& dh, std::vector<F>& dc, F* dx, const CellGrads<F>& dw) {
  const int G = cell == JRNN_LSTM ? 4 : cell == JRNN_GRU ? 3 : 1;
  std::vector<F> dgi(G * H, F(0)), dgh(G * H, F(0));  // gradients wrt gi and gh
  std::vector<F> dh_prev(H, F(0)), dc_prev(H, F(0));
  for (int64_t j = 0; j < H; ++j) {
    if (cell == JRNN_RNN_TANH || cell == JRNN_RNN_RELU) {
      const F h = r.act[j];
      const F da = cell == JRNN_RNN_TANH ? dh[j] * (F(1) - h * h) : (h > F(0) ? dh[j] : F(0));
      dgi[j] = dgh[j] = da;
    } else if (cell == JRNN_LSTM) {
      const F i = r.act[j], f = r.act[H + j], g = r.act[2 * H + j], o = r.act[3 * H + j];
      const F tc = std::tanh(r.c[j]);
      const F dc_total = dc[j] + dh[j] * o * (F(1) - tc * tc);
      const F di = dc_total * g, df = dc_total * r.c_prev[j], dg = dc_total * i;
      const F d_o = dh[j] * tc;
      dgi[j] = di * i * (F(1) - i);
      dgi[H + j] = df * f * (F(1) - f);
      dgi[2 * H + j] = dg * (F(1) - g * g);
      dgi[3 * H + j] = d_o * o * (F(1) - o);
      for (int k = 0; k < 4; ++k) dgh[k * H + j] = dgi[k * H + j];
      dc_prev[j] = dc_total * f;
    } else {  // GRU
      const F rg = r.act[j], z = r.act[H + j], n = r.act[2 * H + j];
      const F dn = dh[j] * (F(1) - z);
      const F dz = dh[j] * (r.h_prev[j] - n);
      dh_prev[j] += dh[j] * z;
      const F dan = dn * (F(1) - n * n);  // wrt gi_n + r * gh_n
      const F dr = dan * r.gh[2 * H + j];
      dgi[j] = dgh[j] = dr * rg * (F(1) - rg);
      dgi[H + j] = dgh[H + j] = dz * z * (F(1) - z);
      dgi[2 * H + j] = dan;
      dgh[2 * H + j] = dan * rg;
    }
  }
  for (int64_t row = 0; row < G * H; ++row) {
    for (int64_t k = 0; k < Cl; ++k) {
      if (dx) dx[k] += w.w_ih[row * Cl + k] * dgi[row];
      if (dw.w_ih) dw.w_ih[row * Cl + k] += dgi[row] * r.x[k];
    }
    for (int64_t k = 0; k < H; ++k) {
      dh_prev[k] += w.w_hh[row * H + k] * dgh[row];
      if (dw.w_hh) dw.w_hh[row * H + k] += dgh[row] * r.h_prev[k];
    }
    if (dw.b_ih) dw.b_ih[row] += dgi[row];
    if (dw.b_hh) dw.b_hh[row] += dgh[row];
  }
  dh = dh_prev;
  if (cell == JRNN_LSTM) dc = dc_prev;
}

}  // namespace jrnn::ref
