// cpu_rnn.h — the fast CPU recurrent stack (float32, OpenBLAS sgemm + fused pointwise passes).
// Shape of the work (see docs in forward.cc / backward.cc): one input-projection GEMM per layer
// and direction over all T*N rows, one recurrent GEMM and one fused pointwise pass per step, and
// the weight/input gradients as big GEMMs after the backward sweep. Arguments arrive validated.
#pragma once

#include "internal.h"

namespace jrnn::cpu {

size_t reserve_bytes(const jrnn_rnn_desc& desc, int64_t T, int64_t N);
size_t scratch_bytes(const jrnn_rnn_desc& desc, int64_t T, int64_t N, int pass);

void rnn_forward(const jrnn_context& ctx, const ForwardArgs& args);
void rnn_backward(const jrnn_context& ctx, const BackwardArgs& args);
void rnn_step(const jrnn_context& ctx, const StepArgs& args);

}  // namespace jrnn::cpu
