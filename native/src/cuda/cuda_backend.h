// cuda_backend.h — the CUDA backend's entry points, as api.cc and ops/ops_api.cc dispatch to them.
// Implemented by cuda_backend.cu, rnn.cu and ops.cu when CMake finds nvcc, else by cuda_stub.cc
// (every call reports that CUDA is not compiled in). All functions throw jrnn::Error; the C API
// turns that into a status. Arguments arrive validated (host-side checks in api.cc / ops_api.cc);
// checks that need device data (ids, targets) happen here and throw INVALID_ARGUMENT with the
// same messages as the CPU path. Reserve/scratch sizes: cuda_layout.h (host-only).
#pragma once

#include "internal.h"

namespace jrnn::cuda {

bool compiled();     // true in a CUDA build
int device_count();  // 0 without a driver or GPU (never throws)

void context_init(jrnn_context& ctx, int device_index);  // selects the device, creates a stream
void context_release(jrnn_context& ctx) noexcept;
void synchronize(const jrnn_context& ctx);
bool tf32_enabled(const jrnn_context& ctx);  // JRNN_CUDA_TF32=1 when the context was created

void* alloc(const jrnn_context& ctx, size_t bytes);  // zero-filled
void free(const jrnn_context& ctx, void* ptr) noexcept;
void copy_from_host(const jrnn_context& ctx, void* dst, const void* src, size_t bytes);
void copy_to_host(const jrnn_context& ctx, void* dst, const void* src, size_t bytes);
void copy_on_device(const jrnn_context& ctx, void* dst, const void* src, size_t bytes);
void zero(const jrnn_context& ctx, void* dst, size_t bytes);

void rnn_forward(const jrnn_context& ctx, const ForwardArgs& args);
void rnn_backward(const jrnn_context& ctx, const BackwardArgs& args);
void rnn_step(const jrnn_context& ctx, const StepArgs& args);

// ---- training building blocks (jrnn.h "layers, losses, optimisers"); device pointers except
// `lengths` (host) and the scalar results of sum_squares / first_non_finite (returned).
void linear_forward(const jrnn_context& ctx, int64_t M, int64_t I, int64_t O, const float* x,
                    const float* w, const float* b, float* y);
void linear_backward(const jrnn_context& ctx, int64_t M, int64_t I, int64_t O, const float* x,
                     const float* w, const float* dy, float* dx, float* dw, float* db);
// Both check the ids on the device (one synchronisation) and throw INVALID_ARGUMENT naming the
// first bad row, as the CPU path does.
void embedding_forward(const jrnn_context& ctx, int64_t M, int64_t V, int64_t E, const int32_t* ids,
                       const float* table, float* y);
void embedding_backward(const jrnn_context& ctx, int64_t M, int64_t V, int64_t E,
                        const int32_t* ids, const float* dy, float* dtable);
void softmax(const jrnn_context& ctx, int64_t M, int64_t K, const float* x, bool log_softmax,
             float* y);
// Checks the targets on the device (one synchronisation), like embedding_forward.
void softmax_cross_entropy(const jrnn_context& ctx, int64_t M, int64_t K, const float* logits,
                           const int32_t* targets, float smoothing, float scale, float* loss,
                           float* dlogits);
void bce_with_logits(const jrnn_context& ctx, int64_t M, const float* z, const float* t,
                     const float* w, float scale, float* loss, float* dz);
void mse(const jrnn_context& ctx, int64_t M, int64_t K, const float* p, const float* t,
         const float* w, float scale, float* loss, float* dp);
void dropout(const jrnn_context& ctx, int64_t count, float p, uint64_t seed, const float* x,
             float* y);
void gather_last(const jrnn_context& ctx, int64_t T, int64_t N, int64_t F, const int32_t* lengths,
                 const float* y, float* out);
void gather_last_backward(const jrnn_context& ctx, int64_t T, int64_t N, int64_t F,
                          const int32_t* lengths, const float* dout, float* dy);
double sum_squares(const jrnn_context& ctx, int64_t count, const float* x);        // waits
int64_t first_non_finite(const jrnn_context& ctx, int64_t count, const float* x);  // waits; -1
void scale(const jrnn_context& ctx, int64_t count, float alpha, float* x);
void clip_values(const jrnn_context& ctx, int64_t count, float limit, float* x);
void axpy(const jrnn_context& ctx, int64_t count, float alpha, const float* x, float* y);
void sgd_update(const jrnn_context& ctx, int64_t count, float* w, const float* g, float* buf,
                float lr, float momentum, float wd, bool nesterov, int64_t step);
void adam_update(const jrnn_context& ctx, int64_t count, float* w, const float* g, float* m,
                 float* v, float lr, float beta1, float beta2, float eps, float wd, bool decoupled,
                 int64_t step);
void rmsprop_update(const jrnn_context& ctx, int64_t count, float* w, const float* g, float* sq,
                    float* buf, float lr, float alpha, float eps, float wd, float momentum);

}  // namespace jrnn::cuda
