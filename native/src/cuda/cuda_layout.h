// cuda_layout.h — where the CUDA path keeps things inside the caller's `reserve` and `scratch`
// device buffers. Host-only code (no CUDA headers): api.cc answers jrnn_rnn_reserve_bytes /
// jrnn_rnn_scratch_bytes for CUDA contexts from these functions in every build, and the CPU-only
// test test_cuda_layout checks them on machines without a GPU. The same functions compute the byte
// sizes (base == nullptr) and the pointers (base given), so the size queries are exactly what the
// kernels use.
//
// Differences from the CPU layout (cpu/layout.h): every array starts 256 bytes after the previous
// one's start rounded up (cudaMalloc alignment, room for 16-byte vector loads and TMA later), and
// the scratch of forward and backward holds a device copy of `lengths` (they arrive in host
// memory and are copied once per call, asynchronously on the stream).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "buffer_layout.h"
#include "internal.h"

namespace jrnn::cuda {

constexpr size_t kDeviceAlign = 256;

using DeviceBump = jrnn::Bump<kDeviceAlign>;
using jrnn::ReserveLayout;
inline ReserveLayout reserve_layout(const jrnn_rnn_desc& desc, int64_t T, int64_t N, void* base) {
  return jrnn::reserve_layout<kDeviceAlign>(desc, T, N, base);
}

// scratch of a forward pass. Inference keeps the state in ping-pong buffers and the layer outputs
// in (at most two) ping-pong buffers; training keeps both in the reserve instead.
struct ForwardScratch {
  int32_t* lengths;  // [N] device copy of the host lengths (only when lengths != NULL)
  float* gi;         // [T,N,G*H] input projection of one layer and direction
  float* gh;         // [N,G*H] recurrent product of one step
  float* zeros;      // [N,H] the zero state used when h0/c0 are null
  float* h[2];       // [N,H] inference only
  float* c[2];       // [N,H] inference, LSTM only
  float* out[2];     // [T,N,D*H] inference, L > 1 only
  size_t bytes;
};

inline ForwardScratch forward_scratch(const jrnn_rnn_desc& desc, int64_t T, int64_t N,
                                      bool training, void* base) {
  DeviceBump bump(base);
  ForwardScratch s{};
  const int64_t H = desc.hidden_size, G = desc.gates;
  s.lengths = bump.ints(N);
  s.gi = bump.floats(T * N * G * H);
  s.gh = bump.floats(N * G * H);
  s.zeros = bump.floats(N * H);
  if (!training) {
    for (float*& h : s.h) h = bump.floats(N * H);
    if (desc.cell == JRNN_LSTM)
      for (float*& c : s.c) c = bump.floats(N * H);
    for (int i = 0; i < std::min(desc.num_layers - 1, 2); ++i)
      s.out[i] = bump.floats(T * N * desc.num_directions * H);
  }
  s.bytes = bump.bytes();
  return s;
}

// scratch of a backward pass.
struct BackwardScratch {
  int32_t* lengths;  // [N] device copy of the host lengths
  float* dgi;        // [T,N,G*H] gradient wrt the input projection (and wrt gh, except GRU)
  float* dgh;        // [T,N,G*H] GRU: gradient wrt gh (differs from dgi in the n gate)
  float* dh;         // [N,H] running gradient wrt the hidden state
  float* dc;         // [N,H] LSTM running gradient wrt the cell state
  float* zeros;      // [N,H]
  float* d_out[2];   // [T,N,D*H] gradient wrt a lower layer's output, L > 1 only
  float* x_masked;   // [T,N,C] x with zeros past each length (x there may be garbage)
  size_t bytes;
};

inline BackwardScratch backward_scratch(const jrnn_rnn_desc& desc, int64_t T, int64_t N,
                                        void* base) {
  DeviceBump bump(base);
  BackwardScratch s{};
  const int64_t H = desc.hidden_size, G = desc.gates;
  s.lengths = bump.ints(N);
  s.dgi = bump.floats(T * N * G * H);
  s.dgh = desc.cell == JRNN_GRU ? bump.floats(T * N * G * H) : s.dgi;
  s.dh = bump.floats(N * H);
  s.dc = desc.cell == JRNN_LSTM ? bump.floats(N * H) : nullptr;
  s.zeros = bump.floats(N * H);
  for (int i = 0; i < std::min(desc.num_layers - 1, 2); ++i)
    s.d_out[i] = bump.floats(T * N * desc.num_directions * H);
  s.x_masked = bump.floats(T * N * desc.input_size);
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
  DeviceBump bump(base);
  StepScratch s{};
  const int64_t GH = desc.gates * desc.hidden_size;
  s.gi = bump.floats(N * GH);
  s.gh = bump.floats(N * GH);
  s.zeros = bump.floats(N * desc.hidden_size);
  s.bytes = bump.bytes();
  return s;
}

inline size_t reserve_bytes(const jrnn_rnn_desc& desc, int64_t T, int64_t N) {
  return reserve_layout(desc, T, N, nullptr).bytes;
}

inline size_t scratch_bytes(const jrnn_rnn_desc& desc, int64_t T, int64_t N, int pass) {
  switch (pass) {
    case JRNN_PASS_INFERENCE:
      return forward_scratch(desc, T, N, false, nullptr).bytes;
    case JRNN_PASS_TRAINING_FORWARD:
      return forward_scratch(desc, T, N, true, nullptr).bytes;
    case JRNN_PASS_BACKWARD:
      return backward_scratch(desc, T, N, nullptr).bytes;
    default:
      return step_scratch(desc, N, nullptr).bytes;
  }
}

}  // namespace jrnn::cuda
