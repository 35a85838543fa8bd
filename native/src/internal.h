// internal.h — jrnn's internal types shared by the C API layer and the backends (ref, cpu, cuda):
// errors as C++ exceptions (turned into jrnn_status at the C boundary, never crossing it), the
// context and descriptor structs behind jrnn.h's opaque handles, and the argument bundles that
// api.cc hands to a backend after validating them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "jrnn/jrnn.h"

namespace jrnn {

// Thrown anywhere below the C API; api.cc catches it and stores `message` for jrnn_last_error().
struct Error {
  jrnn_status status;
  std::string message;
};

[[noreturn]] void fail(jrnn_status status, std::string message);
// printf-style formatting for error messages.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Records the in-flight exception's message for jrnn_last_error() and returns its status. Only
// called from a catch block at the C boundary.
jrnn_status status_of_current_exception() noexcept;

// Runs body() at the C boundary: JRNN_OK, or the status of what it threw (message recorded), so
// no C++ exception crosses extern "C".
template <typename Body>
jrnn_status guarded(Body&& body) noexcept {
  try {
    body();
    return JRNN_OK;
  } catch (...) {
    return status_of_current_exception();
  }
}

inline int gates_per_cell(int cell) {
  return cell == JRNN_LSTM ? 4 : cell == JRNN_GRU ? 3 : 1;
}

}  // namespace jrnn

// The CPU or CUDA device plus its execution resources. `stream` is a cudaStream_t (CUDA only).
namespace jrnn::cpu {
class HostMemory;
}
struct jrnn_context {
  int device_type = JRNN_DEVICE_CPU;
  int device_index = 0;
  int num_threads = 1;
  void* stream = nullptr;
  jrnn::cpu::HostMemory* host_memory = nullptr;  // CPU only: jrnn_alloc's blocks (owned)
};

// An immutable stack description plus the flat weight layout (PyTorch's _flat_weights order).
struct jrnn_rnn_desc {
  struct Param {
    std::string name;
    int64_t offset, rows, cols;
  };
  int cell;
  int64_t input_size;   // C
  int64_t hidden_size;  // H
  int num_layers;       // L
  int num_directions;   // D
  bool bias;
  int gates;  // G
  std::vector<Param> params;
  int64_t weights_count;

  int64_t layer_input_size(int layer) const {
    return layer == 0 ? input_size : num_directions * hidden_size;
  }
  // Index of weight_ih for (layer, direction); weight_hh, bias_ih, bias_hh follow it.
  int param_base(int layer, int direction) const {
    return (layer * num_directions + direction) * (bias ? 4 : 2);
  }
  // Views into a flat buffer (weights or their gradients) for one layer and direction.
  template <typename F>
  F* weight_ih(F* w, int l, int d) const {
    return w + params[param_base(l, d)].offset;
  }
  template <typename F>
  F* weight_hh(F* w, int l, int d) const {
    return w + params[param_base(l, d) + 1].offset;
  }
  template <typename F>  // nullptr without bias
  F* bias_ih(F* w, int l, int d) const {
    return bias ? w + params[param_base(l, d) + 2].offset : nullptr;
  }
  template <typename F>
  F* bias_hh(F* w, int l, int d) const {
    return bias ? w + params[param_base(l, d) + 3].offset : nullptr;
  }
};

namespace jrnn {

// Builds a descriptor; throws Error on invalid arguments.
jrnn_rnn_desc make_desc(int cell, int64_t input_size, int64_t hidden_size, int num_layers,
                        int bidirectional, int bias);

// Validated arguments of jrnn_rnn_forward (see jrnn.h for shapes). Pointers may be null exactly
// where jrnn.h allows it.
struct ForwardArgs {
  const jrnn_rnn_desc* desc;
  int64_t T, N;
  const int32_t* lengths;  // null: all T
  const float *x, *h0, *c0, *w;
  float *y, *hy, *cy;
  void* reserve;  // null: inference
  void* scratch;
};

struct BackwardArgs {
  const jrnn_rnn_desc* desc;
  int64_t T, N;
  const int32_t* lengths;
  const float *x, *h0, *c0, *w;
  const float *dy, *dhy, *dcy;
  float *dx, *dh0, *dc0, *dw;
  const void* reserve;
  void* scratch;
};

struct StepArgs {
  const jrnn_rnn_desc* desc;
  int64_t N;
  const float *x, *hx, *cx, *w;
  float *y, *hy, *cy;
  void* scratch;
};

}  // namespace jrnn
