// ops_cpu.h — CPU versions of the training building blocks (float32). Linear layers are sgemm
// calls (OpenBLAS); the rest are single fused passes. Semantics are exactly ops_ref.h's; the C API
// layer (ops_api.cc) validates arguments before calling these, so they assume valid input.
#pragma once

#include <cstdint>

namespace jrnn::cpu {

void linear_forward(int64_t M, int64_t I, int64_t O, const float* x, const float* w, const float* b,
                    float* y, int threads = 1);
void linear_backward(int64_t M, int64_t I, int64_t O, const float* x, const float* w,
                     const float* dy, float* dx, float* dw, float* db, int threads = 1);
void embedding_forward(int64_t M, int64_t E, const int32_t* ids, const float* table, float* y);
void embedding_backward(int64_t M, int64_t E, const int32_t* ids, const float* dy, float* dtable);
void softmax(int64_t M, int64_t K, const float* x, bool log_softmax, float* y);
void log_softmax_top(int64_t M, int64_t K, const float* x, int64_t top, const int32_t* exclude,
                     int64_t n_exclude, float* values, int32_t* indices);
void softmax_cross_entropy(int64_t M, int64_t K, const float* logits, const int32_t* targets,
                           float smoothing, float scale, float* loss, float* dlogits);
void bce_with_logits(int64_t M, const float* z, const float* t, const float* w, float scale,
                     float* loss, float* dz);
void mse(int64_t M, int64_t K, const float* p, const float* t, const float* w, float scale,
         float* loss, float* dp);
void dropout(int64_t count, float p, uint64_t seed, const float* x, float* y);
void gather_last(int64_t T, int64_t N, int64_t F, const int32_t* lengths, const float* y,
                 float* out);
void gather_last_backward(int64_t T, int64_t N, int64_t F, const int32_t* lengths,
                          const float* dout, float* dy);
double sum_squares(int64_t count, const float* x);
int64_t first_non_finite(int64_t count, const float* x);  // -1 when all finite
void scale(int64_t count, float alpha, float* x);
void clip_values(int64_t count, float limit, float* x);
void axpy(int64_t count, float alpha, const float* x, float* y);
void sgd_update(int64_t count, float* w, const float* g, float* buf, float lr, float momentum,
                float wd, bool nesterov, int64_t step);
void adam_update(int64_t count, float* w, const float* g, float* m, float* v, float lr, float beta1,
                 float beta2, float eps, float wd, bool decoupled, int64_t step);
void rmsprop_update(int64_t count, float* w, const float* g, float* sq, float* buf, float lr,
                    float alpha, float eps, float wd, float momentum);

}  // namespace jrnn::cpu
