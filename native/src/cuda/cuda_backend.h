// cuda_backend.h — the CUDA backend's entry points, as api.cc dispatches to them. Implemented by
// cuda_backend.cu when CMake finds nvcc, else by cuda_stub.cc (every call reports that CUDA is
// not compiled in). All functions throw jrnn::Error; api.cc turns that into a status.
// For now only contexts and memory are real; the RNN kernels come in a later issue and their
// entry points report JRNN_ERR_NOT_SUPPORTED.
#pragma once

#include "internal.h"

namespace jrnn::cuda {

bool compiled();    // true in a CUDA build
int device_count();  // 0 without a driver or GPU (never throws)

void context_init(jrnn_context& ctx, int device_index);  // selects the device, creates a stream
void context_release(jrnn_context& ctx) noexcept;
void synchronize(const jrnn_context& ctx);

void* alloc(const jrnn_context& ctx, size_t bytes);  // zero-filled
void free(const jrnn_context& ctx, void* ptr) noexcept;
void copy_from_host(const jrnn_context& ctx, void* dst, const void* src, size_t bytes);
void copy_to_host(const jrnn_context& ctx, void* dst, const void* src, size_t bytes);
void copy_on_device(const jrnn_context& ctx, void* dst, const void* src, size_t bytes);
void zero(const jrnn_context& ctx, void* dst, size_t bytes);

void rnn_forward(const jrnn_context& ctx, const ForwardArgs& args);
void rnn_backward(const jrnn_context& ctx, const BackwardArgs& args);
void rnn_step(const jrnn_context& ctx, const StepArgs& args);

}  // namespace jrnn::cuda
