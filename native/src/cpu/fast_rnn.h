// fast_rnn.h — the CPU fast path's entry points (fast_rnn.cc): forward and backward on our own
// AVX2/AVX-512 kernels (kernels.h), used when isa.h picks one of them.
#pragma once

#include "cpu/kernels.h"
#include "internal.h"

namespace jrnn::cpu {

void fast_forward(const jrnn_context& ctx, const ForwardArgs& args, const Kernels* k);
void fast_backward(const jrnn_context& ctx, const BackwardArgs& args, const Kernels* k);

}  // namespace jrnn::cpu
