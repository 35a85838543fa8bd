// layout.h — where the CPU path keeps things inside the caller's `reserve` and `scratch` buffers
// (buffer_layout.h: the reserve, shared with CUDA; here the CPU's scratch). The same functions
// compute the byte sizes (base == nullptr) and the pointers (base given), so the size queries are
// exactly what the kernels use.
#pragma once

#include <algorithm>
#include <vector>

#include "buffer_layout.h"
#include "cpu/kernels.h"
#include "internal.h"

namespace jrnn::cpu {

constexpr size_t kHostAlign = 64;
using Bump = jrnn::Bump<kHostAlign>;
using jrnn::ReserveLayout;
inline ReserveLayout reserve_layout(const jrnn_rnn_desc& desc, int64_t T, int64_t N, void* base) {
  return jrnn::reserve_layout<kHostAlign>(desc, T, N, base);
}

// scratch of a forward pass. Inference keeps the state in ping-pong buffers and the layer outputs
// in (at most two) ping-pong buffers; training keeps both in the reserve instead.
struct ForwardScratch {
  float* gi;      // [steps,N,G*H] input projection of a chunk of steps (gi_chunk_steps)
  float* gh;      // [N,G*H] recurrent product of one step
  float* zeros;   // [N,H] the zero state used when h0/c0 are null
  float* h[2];    // [N,H] inference only
  float* c[2];    // [N,H] inference, LSTM only
  float* out[2];  // [T,N,D*H] inference, L > 1 only
  float* wpack;   // packed weights of one layer and direction (kernels.h; fast path only)
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
