// buffer_layout.h — carving the caller's `reserve` and `scratch` buffers into arrays, shared by the
// CPU (cpu/layout.h) and CUDA (cuda/cuda_layout.h) backends. The same functions compute the byte
// sizes (base == nullptr) and the pointers (base given), so the size queries are exactly what the
// kernels use. The backends differ only in alignment (64 bytes on the host, 256 on the device:
// cudaMalloc's) and in their scratch; the reserve holds the same arrays in the same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "internal.h"

namespace jrnn {

// Hands out arrays from one buffer, each starting Align bytes (relative to base) after the
// previous one's end rounded up.
template <size_t Align>
class Bump {
  static_assert((Align & (Align - 1)) == 0, "Align must be a power of two");

 public:
  explicit Bump(void* base) : base_(static_cast<char*>(base)) {}
  float* floats(int64_t count) { return static_cast<float*>(take(size_t(count) * sizeof(float))); }
  int32_t* ints(int64_t count) {
    return static_cast<int32_t*>(take(size_t(count) * sizeof(int32_t)));
  }
  size_t bytes() const { return used_; }

 private:
  void* take(size_t bytes) {
    used_ = (used_ + Align - 1) & ~(Align - 1);
    void* p = base_ ? base_ + used_ : nullptr;
    used_ += bytes;
    return p;
  }
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
  size_t bytes = 0;
};

template <size_t Align>
ReserveLayout reserve_layout(const jrnn_rnn_desc& desc, int64_t T, int64_t N, void* base) {
  Bump<Align> bump(base);
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

}  // namespace jrnn
