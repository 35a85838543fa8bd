// ref_rnn.h — the reference recurrent stack (plain loops, float or double): the oracle that the
// CPU and CUDA kernels are tested against and that the finite-difference checks validate.
// Same shapes and semantics as jrnn.h (time-major, ragged lengths, PyTorch weight layout), but
// with no reserve/scratch: backward simply reruns the forward and keeps its records in vectors.
// Arguments are assumed valid (api.cc validates); optional pointers may be null as in jrnn.h.
#pragma once

#include <cstdint>

#include "internal.h"

namespace jrnn::ref {

// x [T,N,C], h0/c0 [L*D,N,H] or null, w flat; y [T,N,D*H]; hy/cy [L*D,N,H] or null.
template <typename F>
void rnn_forward(const jrnn_rnn_desc& desc, int64_t T, int64_t N, const int32_t* lengths,
                 const F* x, const F* h0, const F* c0, const F* w, F* y, F* hy, F* cy);

// Gradients of sum(y*dy) + sum(hy*dhy) + sum(cy*dcy). dy/dhy/dcy may be null (zeros).
// dx [T,N,C], dh0/dc0 [L*D,N,H] overwritten (each or null); dw ACCUMULATED (or null).
template <typename F>
void rnn_backward(const jrnn_rnn_desc& desc, int64_t T, int64_t N, const int32_t* lengths,
                  const F* x, const F* h0, const F* c0, const F* w, const F* dy, const F* dhy,
                  const F* dcy, F* dx, F* dh0, F* dc0, F* dw);

// One step of a unidirectional stack: x [N,C], hx/cx [L,N,H] or null, y [N,H], hy/cy [L,N,H].
// hy may equal hx and cy may equal cx.
template <typename F>
void rnn_step(const jrnn_rnn_desc& desc, int64_t N, const F* x, const F* hx, const F* cx,
              const F* w, F* y, F* hy, F* cy);

}  // namespace jrnn::ref
