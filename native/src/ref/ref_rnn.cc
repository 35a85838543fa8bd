// ref_rnn.cc — the reference stack: walks layers, directions, sequences and time steps in the
// most literal order, calling ref_cell.h for each step. Backward reruns the forward with records.
#include "ref/ref_rnn.h"

#include <algorithm>
#include <vector>

#include "ref/ref_cell.h"

namespace jrnn::ref {
namespace {

// Records of one forward pass: records[l][d][n] holds the steps of sequence n in processing order
// (forward: t = 0..len-1; reverse: t = len-1..0), and layer_in[l] is layer l's input [T,N,C_l].
template <typename F>
struct Tape {
  std::vector<std::vector<std::vector<std::vector<CellRecord<F>>>>> records;
  std::vector<std::vector<F>> layer_in;
};

template <typename F>
CellWeights<F> weights_of(const jrnn_rnn_desc& desc, const F* w, int l, int d) {
  return {desc.weight_ih(w, l, d), desc.weight_hh(w, l, d), desc.bias_ih(w, l, d),
          desc.bias_hh(w, l, d)};
}

int64_t length_of(const int32_t* lengths, int64_t n, int64_t T) {
  return lengths ? lengths[n] : T;
}
// The time index of the s-th processed step of a sequence of length len in direction d.
int64_t time_of(int d, int64_t s, int64_t len) {
  return d == 0 ? s : len - 1 - s;
}

template <typename F>
void forward_with_tape(const jrnn_rnn_desc& desc, int64_t T, int64_t N, const int32_t* lengths,
                       const F* x, const F* h0, const F* c0, const F* w, F* y, F* hy, F* cy,
                       Tape<F>& tape) {
  const int L = desc.num_layers, D = desc.num_directions;
  const int64_t H = desc.hidden_size;
  tape.records.assign(L, {});
  tape.layer_in.assign(L, {});
  tape.layer_in[0].assign(x, x + T * N * desc.input_size);
  std::vector<F> out;
  for (int l = 0; l < L; ++l) {
    const int64_t Cl = desc.layer_input_size(l);
    const std::vector<F>& in = tape.layer_in[l];
    out.assign(T * N * D * H, F(0));  // zero past each length
    tape.records[l].assign(D, std::vector<std::vector<CellRecord<F>>>(N));
    for (int d = 0; d < D; ++d) {
      const CellWeights<F> cw = weights_of(desc, w, l, d);
      const int64_t state = (int64_t(l) * D + d) * N;  // row of (l*D+d, n=0) in [L*D, N, H]
      for (int64_t n = 0; n < N; ++n) {
        std::vector<F> h(H, F(0)), c(H, F(0));
        if (h0) std::copy(h0 + (state + n) * H, h0 + (state + n + 1) * H, h.begin());
        if (c0) std::copy(c0 + (state + n) * H, c0 + (state + n + 1) * H, c.begin());
        const int64_t len = length_of(lengths, n, T);
        for (int64_t s = 0; s < len; ++s) {
          const int64_t t = time_of(d, s, len);
          CellRecord<F> r;
          r.x.assign(in.begin() + (t * N + n) * Cl, in.begin() + (t * N + n + 1) * Cl);
          r.h_prev = h;
          r.c_prev = c;
          cell_forward(desc.cell, Cl, H, cw, r);
          h = r.h;
          if (desc.cell == JRNN_LSTM) c = r.c;
          std::copy(h.begin(), h.end(), out.begin() + (t * N + n) * D * H + d * H);
          tape.records[l][d][n].push_back(std::move(r));
        }
        if (hy) std::copy(h.begin(), h.end(), hy + (state + n) * H);
        if (cy) std::copy(c.begin(), c.end(), cy + (state + n) * H);
      }
    }
    if (l + 1 < L)
      tape.layer_in[l + 1] = out;
    else
      std::copy(out.begin(), out.end(), y);
  }
}

}  // namespace

template <typename F>
void rnn_forward(const jrnn_rnn_desc& desc, int64_t T, int64_t N, const int32_t* lengths,
                 const F* x, const F* h0, const F* c0, const F* w, F* y, F* hy, F* cy) {
  Tape<F> tape;
  forward_with_tape(desc, T, N, lengths, x, h0, c0, w, y, hy, cy, tape);
}

template <typename F>
void rnn_backward(const jrnn_rnn_desc& desc, int64_t T, int64_t N, const int32_t* lengths,
                  const F* x, const F* h0, const F* c0, const F* w, const F* dy, const F* dhy,
                  const F* dcy, F* dx, F* dh0, F* dc0, F* dw) {
  const int L = desc.num_layers, D = desc.num_directions;
  const int64_t H = desc.hidden_size;
  Tape<F> tape;
  std::vector<F> y(T * N * D * H);
  forward_with_tape(desc, T, N, lengths, x, h0, c0, w, y.data(), (F*)nullptr, (F*)nullptr, tape);

  // d_out: gradient wrt the current layer's output [T,N,D*H]; starts as dy, masked to lengths.
  std::vector<F> d_out(T * N * D * H, F(0));
  if (dy)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t n = 0; n < N; ++n)
        if (t < length_of(lengths, n, T))
          for (int64_t k = 0; k < D * H; ++k)
            d_out[(t * N + n) * D * H + k] = dy[(t * N + n) * D * H + k];
  for (int l = L - 1; l >= 0; --l) {
    const int64_t Cl = desc.layer_input_size(l);
    std::vector<F> d_in(T * N * Cl, F(0));  // gradient wrt this layer's input
    for (int d = 0; d < D; ++d) {
      const CellWeights<F> cw = weights_of(desc, w, l, d);
      const CellGrads<F> cg = dw ? CellGrads<F>{desc.weight_ih(dw, l, d), desc.weight_hh(dw, l, d),
                                                desc.bias_ih(dw, l, d), desc.bias_hh(dw, l, d)}
                                 : CellGrads<F>{nullptr, nullptr, nullptr, nullptr};
      const int64_t state = (int64_t(l) * D + d) * N;
      for (int64_t n = 0; n < N; ++n) {
        std::vector<F> dh(H, F(0)), dc(H, F(0));
        if (dhy) std::copy(dhy + (state + n) * H, dhy + (state + n + 1) * H, dh.begin());
        if (dcy) std::copy(dcy + (state + n) * H, dcy + (state + n + 1) * H, dc.begin());
        const int64_t len = length_of(lengths, n, T);
        const auto& recs = tape.records[l][d][n];
        for (int64_t s = len - 1; s >= 0; --s) {
          const int64_t t = time_of(d, s, len);
          for (int64_t j = 0; j < H; ++j) dh[j] += d_out[(t * N + n) * D * H + d * H + j];
          cell_backward(desc.cell, Cl, H, cw, recs[s], dh, dc, d_in.data() + (t * N + n) * Cl, cg);
        }
        if (dh0) std::copy(dh.begin(), dh.end(), dh0 + (state + n) * H);
        if (dc0) std::copy(dc.begin(), dc.end(), dc0 + (state + n) * H);
      }
    }
    if (l > 0)
      d_out = d_in;
    else if (dx)
      std::copy(d_in.begin(), d_in.end(), dx);
  }
}

template <typename F>
void rnn_step(const jrnn_rnn_desc& desc, int64_t N, const F* x, const F* hx, const F* cx,
              const F* w, F* y, F* hy, F* cy) {
  // A step is a forward over T = 1; copies first, because hy may alias hx and cy may alias cx.
  const int64_t state = int64_t(desc.num_layers) * N * desc.hidden_size;
  std::vector<F> h0(state, F(0)), c0(state, F(0)), h1(state), c1(state);
  if (hx) std::copy(hx, hx + state, h0.begin());
  if (cx) std::copy(cx, cx + state, c0.begin());
  rnn_forward(desc, 1, N, nullptr, x, h0.data(), c0.data(), w, y, h1.data(), c1.data());
  std::copy(h1.begin(), h1.end(), hy);
  if (cy) std::copy(c1.begin(), c1.end(), cy);
}

#define JRNN_INSTANTIATE(F)                                                                        \
  template void rnn_forward<F>(const jrnn_rnn_desc&, int64_t, int64_t, const int32_t*, const F*,   \
                               const F*, const F*, const F*, F*, F*, F*);                          \
  template void rnn_backward<F>(const jrnn_rnn_desc&, int64_t, int64_t, const int32_t*, const F*,  \
                                const F*, const F*, const F*, const F*, const F*, const F*, F*,    \
                                F*, F*, F*);                                                       \
  template void rnn_step<F>(const jrnn_rnn_desc&, int64_t, const F*, const F*, const F*, const F*, \
                            F*, F*, F*);
JRNN_INSTANTIATE(float)
JRNN_INSTANTIATE(double)
#undef JRNN_INSTANTIATE

}  // namespace jrnn::ref
