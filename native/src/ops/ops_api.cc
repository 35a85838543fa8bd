// ops_api.cc — the C API of the training building blocks (jrnn.h, "layers, losses, optimisers"):
// validate every argument (messages name it), then dispatch on the context's device. The CPU
// versions live in ops_cpu.cc and run under cpu::CallScope (flush-to-zero, BLAS thread count); the
// CUDA versions in cuda/ops.cu (cuda_backend.h). Checks that read device data (ids, targets) run
// here for CPU contexts and on the device for CUDA contexts, with the same messages.
#include <cmath>
#include <cstring>

#include "internal.h"
#include "cpu/cpu_util.h"
#include "cuda/cuda_backend.h"
#include "ops/ops_cpu.h"

namespace jrnn {
namespace {

void require_context(const jrnn_context* ctx) {
  if (!ctx) fail(JRNN_ERR_INVALID_ARGUMENT, "ctx is NULL");
}

bool on_cpu(const jrnn_context* ctx) {
  return ctx->device_type == JRNN_DEVICE_CPU;
}

// Runs the CPU version under CallScope (flush-to-zero + the context's BLAS threads), or the CUDA
// one.
template <typename Cpu, typename Cuda>
void dispatch(const jrnn_context* ctx, Cpu&& on_host, Cuda&& on_device) {
  if (on_cpu(ctx)) {
    const cpu::CallScope call_scope(*ctx);
    on_host();
  } else {
    on_device();
  }
}

void require(const void* p, const char* name) {
  if (!p) fail(JRNN_ERR_INVALID_ARGUMENT, format("%s is NULL", name));
}

void require_positive(int64_t v, const char* name) {
  if (v < 1) fail(JRNN_ERR_INVALID_ARGUMENT, format("%s = %lld must be >= 1", name, (long long)v));
}

void require_finite(float v, const char* name) {
  if (!std::isfinite(v)) fail(JRNN_ERR_INVALID_ARGUMENT, format("%s is not finite", name));
}

void require_lengths(int64_t T, int64_t N, const int32_t* lengths) {
  if (!lengths) return;
  for (int64_t n = 0; n < N; ++n)
    if (lengths[n] < 1 || lengths[n] > T)
      fail(JRNN_ERR_INVALID_ARGUMENT, format("lengths[%lld] = %d is outside 1..T (T = %lld)",
                                             (long long)n, lengths[n], (long long)T));
}

// Class ids / targets are read on the host here for CPU contexts (CPU memory is host memory);
// CUDA contexts check them on the device (cuda::embedding_forward etc.), with the same message.
void require_ids(int64_t M, int64_t V, const int32_t* ids, const char* name, bool allow_ignore) {
  for (int64_t m = 0; m < M; ++m)
    if (ids[m] >= V || ids[m] < (allow_ignore ? -1 : 0))
      fail(JRNN_ERR_INVALID_ARGUMENT,
           format("%s[%lld] = %d is outside 0..%lld%s", name, (long long)m, ids[m],
                  (long long)(V - 1), allow_ignore ? " (or -1 to ignore)" : ""));
}

}  // namespace
}  // namespace jrnn

using namespace jrnn;

extern "C" {

jrnn_status jrnn_linear_forward(jrnn_context* ctx, int64_t M, int64_t I, int64_t O, const float* x,
                                const float* w, const float* b, float* y) {
  return guarded([&] {
    require_context(ctx);
    require_positive(M, "M");
    require_positive(I, "I");
    require_positive(O, "O");
    require(x, "x");
    require(w, "w");
    require(y, "y");
    dispatch(
        ctx, [&] { cpu::linear_forward(M, I, O, x, w, b, y, ctx->num_threads); },
        [&] { cuda::linear_forward(*ctx, M, I, O, x, w, b, y); });
  });
}

jrnn_status jrnn_linear_backward(jrnn_context* ctx, int64_t M, int64_t I, int64_t O, const float* x,
                                 const float* w, const float* dy, float* dx, float* dw, float* db) {
  return guarded([&] {
    require_context(ctx);
    require_positive(M, "M");
    require_positive(I, "I");
    require_positive(O, "O");
    require(dy, "dy");
    if (dx) require(w, "w");
    if (dw) require(x, "x");
    dispatch(
        ctx, [&] { cpu::linear_backward(M, I, O, x, w, dy, dx, dw, db, ctx->num_threads); },
        [&] { cuda::linear_backward(*ctx, M, I, O, x, w, dy, dx, dw, db); });
  });
}

jrnn_status jrnn_embedding_forward(jrnn_context* ctx, int64_t M, int64_t V, int64_t E,
                                   const int32_t* ids, const float* table, float* y) {
  return guarded([&] {
    require_context(ctx);
    require_positive(M, "M");
    require_positive(V, "V");
    require_positive(E, "E");
    require(ids, "ids");
    require(table, "table");
    require(y, "y");
    if (on_cpu(ctx)) require_ids(M, V, ids, "ids", true);
    dispatch(
        ctx, [&] { cpu::embedding_forward(M, E, ids, table, y); },
        [&] { cuda::embedding_forward(*ctx, M, V, E, ids, table, y); });
  });
}

jrnn_status jrnn_embedding_backward(jrnn_context* ctx, int64_t M, int64_t V, int64_t E,
                                    const int32_t* ids, const float* dy, float* dtable) {
  return guarded([&] {
    require_context(ctx);
    require_positive(M, "M");
    require_positive(V, "V");
    require_positive(E, "E");
    require(ids, "ids");
    require(dy, "dy");
    require(dtable, "dtable");
    if (on_cpu(ctx)) require_ids(M, V, ids, "ids", true);
    dispatch(
        ctx, [&] { cpu::embedding_backward(M, E, ids, dy, dtable); },
        [&] { cuda::embedding_backward(*ctx, M, V, E, ids, dy, dtable); });
  });
}

jrnn_status jrnn_softmax_cross_entropy(jrnn_context* ctx, int64_t M, int64_t K, const float* logits,
                                       const int32_t* targets, float label_smoothing, float scale,
                                       float* loss, float* dlogits) {
  return guarded([&] {
    require_context(ctx);
    require_positive(M, "M");
    require_positive(K, "K");
    require(logits, "logits");
    require(targets, "targets");
    if (!(label_smoothing >= 0.0f && label_smoothing < 1.0f))
      fail(JRNN_ERR_INVALID_ARGUMENT,
           format("label_smoothing = %g must be in [0, 1)", (double)label_smoothing));
    require_finite(scale, "scale");
    if (on_cpu(ctx)) require_ids(M, K, targets, "targets", true);
    dispatch(
        ctx,
        [&] {
          cpu::softmax_cross_entropy(M, K, logits, targets, label_smoothing, scale, loss, dlogits);
        },
        [&] {
          cuda::softmax_cross_entropy(*ctx, M, K, logits, targets, label_smoothing, scale, loss,
                                      dlogits);
        });
  });
}

jrnn_status jrnn_softmax(jrnn_context* ctx, int64_t M, int64_t K, const float* x, int log_softmax,
                         float* y) {
  return guarded([&] {
    require_context(ctx);
    require_positive(M, "M");
    require_positive(K, "K");
    require(x, "x");
    require(y, "y");
    dispatch(
        ctx, [&] { cpu::softmax(M, K, x, log_softmax != 0, y); },
        [&] { cuda::softmax(*ctx, M, K, x, log_softmax != 0, y); });
  });
}

jrnn_status jrnn_log_softmax_top(jrnn_context* ctx, int64_t M, int64_t K, const float* x,
                                 int64_t top, const int32_t* exclude, int64_t n_exclude,
                                 float* values, int32_t* indices) {
  return guarded([&] {
    require_context(ctx);
    require_positive(M, "M");
    require_positive(K, "K");
    require_positive(top, "top");
    if (K > INT32_MAX)
      fail(JRNN_ERR_INVALID_ARGUMENT, format("K = %lld does not fit int32 indices", (long long)K));
    require(x, "x");
    require(values, "values");
    require(indices, "indices");
    if (n_exclude < 0)
      fail(JRNN_ERR_INVALID_ARGUMENT,
           format("n_exclude = %lld must be >= 0", (long long)n_exclude));
    if (n_exclude > 0) require(exclude, "exclude");
    for (int64_t i = 0; i < n_exclude; ++i)
      if (exclude[i] < 0 || exclude[i] >= K)
        fail(JRNN_ERR_INVALID_ARGUMENT, format("exclude[%lld] = %d is outside 0..K-1 (K = %lld)",
                                               (long long)i, exclude[i], (long long)K));
    if (!on_cpu(ctx))
      fail(JRNN_ERR_NOT_SUPPORTED, "jrnn_log_softmax_top runs on CPU contexts only");
    cpu::log_softmax_top(M, K, x, top, exclude, n_exclude, values, indices);
  });
}

jrnn_status jrnn_bce_with_logits(jrnn_context* ctx, int64_t M, const float* z, const float* t,
                                 const float* w, float scale, float* loss, float* dz) {
  return guarded([&] {
    require_context(ctx);
    require_positive(M, "M");
    require(z, "z");
    require(t, "t");
    require_finite(scale, "scale");
    dispatch(
        ctx, [&] { cpu::bce_with_logits(M, z, t, w, scale, loss, dz); },
        [&] { cuda::bce_with_logits(*ctx, M, z, t, w, scale, loss, dz); });
  });
}

jrnn_status jrnn_mse(jrnn_context* ctx, int64_t M, int64_t K, const float* p, const float* t,
                     const float* w, float scale, float* loss, float* dp) {
  return guarded([&] {
    require_context(ctx);
    require_positive(M, "M");
    require_positive(K, "K");
    require(p, "p");
    require(t, "t");
    require_finite(scale, "scale");
    dispatch(
        ctx, [&] { cpu::mse(M, K, p, t, w, scale, loss, dp); },
        [&] { cuda::mse(*ctx, M, K, p, t, w, scale, loss, dp); });
  });
}

jrnn_status jrnn_dropout(jrnn_context* ctx, int64_t count, float p, uint64_t seed, const float* x,
                         float* y) {
  return guarded([&] {
    require_context(ctx);
    require_positive(count, "count");
    require(x, "x");
    require(y, "y");
    if (!(p >= 0.0f && p < 1.0f))
      fail(JRNN_ERR_INVALID_ARGUMENT, format("dropout p = %g must be in [0, 1)", (double)p));
    dispatch(
        ctx, [&] { cpu::dropout(count, p, seed, x, y); },
        [&] { cuda::dropout(*ctx, count, p, seed, x, y); });
  });
}

jrnn_status jrnn_gather_last(jrnn_context* ctx, int64_t T, int64_t N, int64_t F,
                             const int32_t* lengths, const float* y, float* out) {
  return guarded([&] {
    require_context(ctx);
    require_positive(T, "T");
    require_positive(N, "N");
    require_positive(F, "F");
    require(y, "y");
    require(out, "out");
    require_lengths(T, N, lengths);
    dispatch(
        ctx, [&] { cpu::gather_last(T, N, F, lengths, y, out); },
        [&] { cuda::gather_last(*ctx, T, N, F, lengths, y, out); });
  });
}

jrnn_status jrnn_gather_last_backward(jrnn_context* ctx, int64_t T, int64_t N, int64_t F,
                                      const int32_t* lengths, const float* dout, float* dy) {
  return guarded([&] {
    require_context(ctx);
    require_positive(T, "T");
    require_positive(N, "N");
    require_positive(F, "F");
    require(dout, "dout");
    require(dy, "dy");
    require_lengths(T, N, lengths);
    dispatch(
        ctx, [&] { cpu::gather_last_backward(T, N, F, lengths, dout, dy); },
        [&] { cuda::gather_last_backward(*ctx, T, N, F, lengths, dout, dy); });
  });
}

jrnn_status jrnn_sum_squares(jrnn_context* ctx, int64_t count, const float* x, double* result) {
  return guarded([&] {
    require_context(ctx);
    require_positive(count, "count");
    require(x, "x");
    require(result, "result");
    dispatch(
        ctx, [&] { *result = cpu::sum_squares(count, x); },
        [&] { *result = cuda::sum_squares(*ctx, count, x); });
  });
}

jrnn_status jrnn_check_finite(jrnn_context* ctx, int64_t count, const float* x, int* result,
                              int64_t* first_bad) {
  return guarded([&] {
    require_context(ctx);
    require_positive(count, "count");
    require(x, "x");
    require(result, "result");
    int64_t bad = -1;
    dispatch(
        ctx, [&] { bad = cpu::first_non_finite(count, x); },
        [&] { bad = cuda::first_non_finite(*ctx, count, x); });
    *result = bad < 0 ? 1 : 0;
    if (first_bad) *first_bad = bad;
  });
}

jrnn_status jrnn_scale(jrnn_context* ctx, int64_t count, float alpha, float* x) {
  return guarded([&] {
    require_context(ctx);
    require_positive(count, "count");
    require(x, "x");
    dispatch(
        ctx, [&] { cpu::scale(count, alpha, x); }, [&] { cuda::scale(*ctx, count, alpha, x); });
  });
}

jrnn_status jrnn_clip_values(jrnn_context* ctx, int64_t count, float limit, float* x) {
  return guarded([&] {
    require_context(ctx);
    require_positive(count, "count");
    require(x, "x");
    if (!(limit > 0.0f)) fail(JRNN_ERR_INVALID_ARGUMENT, "limit must be > 0");
    dispatch(
        ctx, [&] { cpu::clip_values(count, limit, x); },
        [&] { cuda::clip_values(*ctx, count, limit, x); });
  });
}

jrnn_status jrnn_axpy(jrnn_context* ctx, int64_t count, float alpha, const float* x, float* y) {
  return guarded([&] {
    require_context(ctx);
    require_positive(count, "count");
    require(x, "x");
    require(y, "y");
    dispatch(
        ctx, [&] { cpu::axpy(count, alpha, x, y); }, [&] { cuda::axpy(*ctx, count, alpha, x, y); });
  });
}

jrnn_status jrnn_sgd_update(jrnn_context* ctx, int64_t count, float* w, const float* g,
                            float* momentum_buf, float lr, float momentum, float weight_decay,
                            int nesterov, int64_t step) {
  return guarded([&] {
    require_context(ctx);
    require_positive(count, "count");
    require(w, "w");
    require(g, "g");
    require_positive(step, "step");
    if (momentum != 0.0f) require(momentum_buf, "momentum_buf");
    if (nesterov && momentum <= 0.0f)
      fail(JRNN_ERR_INVALID_ARGUMENT, "nesterov needs momentum > 0");
    dispatch(
        ctx,
        [&] {
          cpu::sgd_update(count, w, g, momentum_buf, lr, momentum, weight_decay, nesterov != 0,
                          step);
        },
        [&] {
          cuda::sgd_update(*ctx, count, w, g, momentum_buf, lr, momentum, weight_decay,
                           nesterov != 0, step);
        });
  });
}

jrnn_status jrnn_adam_update(jrnn_context* ctx, int64_t count, float* w, const float* g, float* m,
                             float* v, float lr, float beta1, float beta2, float eps,
                             float weight_decay, int decoupled, int64_t step) {
  return guarded([&] {
    require_context(ctx);
    require_positive(count, "count");
    require(w, "w");
    require(g, "g");
    require(m, "m");
    require(v, "v");
    require_positive(step, "step");
    if (!(beta1 >= 0.0f && beta1 < 1.0f) || !(beta2 >= 0.0f && beta2 < 1.0f))
      fail(JRNN_ERR_INVALID_ARGUMENT, "betas must be in [0, 1)");
    dispatch(
        ctx,
        [&] {
          cpu::adam_update(count, w, g, m, v, lr, beta1, beta2, eps, weight_decay, decoupled != 0,
                           step);
        },
        [&] {
          cuda::adam_update(*ctx, count, w, g, m, v, lr, beta1, beta2, eps, weight_decay,
                            decoupled != 0, step);
        });
  });
}

jrnn_status jrnn_rmsprop_update(jrnn_context* ctx, int64_t count, float* w, const float* g,
                                float* sq, float* momentum_buf, float lr, float alpha, float eps,
                                float weight_decay, float momentum) {
  return guarded([&] {
    require_context(ctx);
    require_positive(count, "count");
    require(w, "w");
    require(g, "g");
    require(sq, "sq");
    if (momentum != 0.0f) require(momentum_buf, "momentum_buf");
    dispatch(
        ctx,
        [&] {
          cpu::rmsprop_update(count, w, g, sq, momentum_buf, lr, alpha, eps, weight_decay,
                              momentum);
        },
        [&] {
          cuda::rmsprop_update(*ctx, count, w, g, sq, momentum_buf, lr, alpha, eps, weight_decay,
                               momentum);
        });
  });
}

}  // extern "C"
