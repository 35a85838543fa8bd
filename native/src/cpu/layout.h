// layout.h — where the CPU path keeps things inside the caller's `reserve` and `scratch` buffers.
// The same functions compute the byte sizes (base == nullptr) and the pointers (base given), so
// the size queries are exactly what the kernels use.
#pragma once

#include <algorithm>
#include <vector>

#include "cpu/kernels.h"
#include "internal.h"

namespace jrnn::cpu {

// Hands out 64-byte aligned (relative to base) float arrays from one buffer.
class Bump {
 public:
  explicit Bump(void* base) : base_(static_cast<char*>(base)) {}
  float* floats(int64_t count) {
    used_ = (used_ + 63) & ~size_t(63);
    float* p = base_ ? reinterpret_cast<float*>(base_ + used_) : nullptr;
    used_ += size_t(count) * sizeof(float);
    return p;
  }
  size_t bytes() const { return used_; }

 private:
  char* base_;
  size_t used_ = 0;
};

// reserve: per layer and direction the values backward needs, per step t at [t, N, ...]; and
// each non-top layer's output (the next layer's input, needed for its weight gradient).
struct ReserveLayout {
  struct LayerDirection {
    float* gates;   // [T,N,G*H] activated gates (LSTM i,f,g,o; GRU r,z,n); RNN: none
    float* states;  // [T,N,H] hidden state after step t (carried past each length)
    float* cells;   // [T,N,H] LSTM cell state after step t
    float* ghn;     // [T,N,H] GRU: W_hn h_prev + b_hn (the reset gate multiplies it)
  };
  std::vector<LayerDirection> per_ld;  // index l*D + d
  std::vector<float*> outputs;         // [L-1] of [T,N,D*H]
  size_t bytes;
};

inline ReserveLayout reserve_layout(const jrnn_rnn_desc& desc, int64_t T, int64_t N, void* base) {
  Bump bump(base);
  ReserveLayout r;
  const int64_t H = desc.hidden_size, G = desc.gates, TN = T * N;
  const bool rnn = desc.cell == JRNN_RNN_TANH || desc.cell == JRNN_RNN_RELU;
  for (int ld = 0; ld < desc.num_layers * desc.num_directions; ++ld) {
    ReserveLayout::LayerDirection p{};
    p.gates = rnn ? nullptr : bump.floats(TN * G * H);
    p.states = bump.floats(TN * H);
    p.cells = desc.cell == JRNN_LSTM ? bump.floats(TN * H) : nullptr;
    p.ghn = desc.cell == JRNN_GRU ? bump.floats(TN * H) : nullptr;
    r.per_ld.push_back(p);
  }
  for (int l = 0; l + 1 < desc.num_layers; ++l)
    r.outputs.push_back(bump.floats(TN * desc.num_directions * H));
  r.bytes = bump.bytes();
  return r;
}

// scratch of a forward pass. Inference keeps the state in ping-pong buffers and the layer outputs
// in (at most two) ping-pong buffers; training keeps both in the reserve instead.
struct ForwardScratch {
  float* gi;        // [steps,N,G*H] input projection of a chunk of steps (gi_chunk_steps)
  float* gh;        // [N,G*H] recurrent product of one step
  float* zeros;     // [N,H] the zero state used when h0/c0 are null
  float* h[2];      // [N,H] inference only
  float* c[2];      // [N,H] inference, LSTM only
  float* out[2];    // [T,N,D*H] inference, L > 1 only
  float* wpack;     // packed weights of one layer and direction (kernels.h; fast path only)
  size_t bytes;
};

inline ForwardScratch forward_scratch(const jrnn_rnn_desc& desc, int64_t T, int64_t N,
                                      bool training, void* base) {
  Bump bump(base);
  ForwardScratch s{};
  const int64_t H = desc.hidden_size, G = desc.gates;
  // a chunk of steps at a time: standard columns (generic path) or panel order (fast path)
  s.gi = bump.floats(gi_chunk_steps(T, N) * N * std::max(G * H, fwd_gi_cols(desc.cell, H)));
  s.gh = bump.floats(N * G * H);
  s.zeros = bump.floats(N * H);
  if (!training) {
    for (float*& h : s.h) h = bump.floats(N * H);
    if (desc.cell == JRNN_LSTM)
      for (float*& c : s.c) c = bump.floats(N * H);
    for (int i = 0; i < std::min(desc.num_layers - 1, 2); ++i)
      s.out[i] = bump.floats(T * N * desc.num_directions * H);
  }
  int64_t pack = 0;
  for (int l = 0; l < desc.num_layers; ++l)
    pack = std::max(pack, fwd_pack_floats(desc.cell, desc.layer_input_size(l), H));
  s.wpack = bump.floats(pack);
  s.bytes = bump.bytes();
  return s;
}

// scratch of a backward pass.
struct BackwardScratch {
  // Gate gradients of a chunk of steps (kernels.h bwd_chunk_steps), two chunks in a ring:
  float* dgi[2];    // [chunk,N,G*H] gradient wrt the input projection (and wrt gh, except GRU)
  float* dgh[2];    // [chunk,N,G*H] GRU: gradient wrt gh (differs from dgi in the n gate)
  float* dh;        // [N,H] running gradient wrt the hidden state
  float* dc;        // [N,H] LSTM running gradient wrt the cell state
  float* zeros;     // [N,H]
  float* d_out[2];  // [T,N,D*H] gradient wrt a lower layer's output, L > 1 only
  float* x_masked;  // [chunk,N,C] generic path: x with zeros past each length (x there may be
                    // anything; the fast path masks those rows while packing instead)
  float* dhd;       // [N,H] fast path: the part of dL/dh_{t-1} that bypasses W_hh
  float* wpack;     // fast path: packed W_hh of one layer and direction
  size_t bytes;
};

inline BackwardScratch backward_scratch(const jrnn_rnn_desc& desc, int64_t T, int64_t N,
                                        void* base) {
  Bump bump(base);
  BackwardScratch s{};
  const int64_t H = desc.hidden_size, G = desc.gates;
  const int64_t chunk = bwd_chunk_steps(T, N);
  for (int i = 0; i < 2; ++i) {
    s.dgi[i] = bump.floats(chunk * N * G * H);
    s.dgh[i] = desc.cell == JRNN_GRU ? bump.floats(chunk * N * G * H) : s.dgi[i];
  }
  s.dh = bump.floats(N * H);
  s.dc = bump.floats(N * H);
  s.zeros = bump.floats(N * H);
  for (int i = 0; i < std::min(desc.num_layers - 1, 2); ++i)
    s.d_out[i] = bump.floats(T * N * desc.num_directions * H);
  s.x_masked = bump.floats(chunk * N * desc.input_size);
  s.dhd = bump.floats(N * H);
  s.wpack = bump.floats(bwd_pack_floats(desc.cell, H));
  s.bytes = bump.bytes();
  return s;
}

struct StepScratch {
  float* gi;     // [N,G*H]
  float* gh;     // [N,G*H]
  float* zeros;  // [N,H]
  size_t bytes;
};

inline StepScratch step_scratch(const jrnn_rnn_desc& desc, int64_t N, void* base) {
  Bump bump(base);
  StepScratch s{};
  const int64_t GH = desc.gates * desc.hidden_size;
  s.gi = bump.floats(N * GH);
  s.gh = bump.floats(N * GH);
  s.zeros = bump.floats(N * desc.hidden_size);
  s.bytes = bump.bytes();
  return s;
}

}  // namespace jrnn::cpu
