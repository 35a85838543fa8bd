/*
 * jrnn.h — the flat C ABI of jrnn's native core (CPU kernels on OpenBLAS; CUDA kernels when built).
 *
 * This is the only header the Java binding (JavaCPP) sees. Rules:
 *   - Plain C: opaque handles, int/int64/float/pointer arguments, no C++ types, no structs by
 * value.
 *   - Every compute function returns a jrnn_status; on failure jrnn_last_error() (thread-local)
 * says what was wrong, naming the argument. Create functions return NULL on failure, same message.
 *   - Sizes: T = time steps, N = batch, C = input size, H = hidden size, L = layers,
 *     D = directions (1 or 2), G = gates per cell (RNN 1, LSTM 4, GRU 3).
 *   - Data tensors are float32, dense, row-major, time-major: x is [T, N, C] (x[t][n][c] at
 *     (t*N + n)*C + c). Pointers to tensors live on the context's device (host memory for CPU,
 *     device memory from jrnn_alloc for CUDA). `lengths` is always host memory.
 *   - "Modified" / "Not modified" is stated for every pointer argument. Unless stated otherwise,
 *     outputs must not alias inputs.
 *
 * Semantics (PyTorch's, with pack_padded_sequence(enforce_sorted=False) / pad_packed_sequence):
 *   - Cells (PyTorch gate order, which makes state-dict import exact):
 *       RNN_TANH/RNN_RELU: h' = act(W_ih x + b_ih + W_hh h + b_hh)
 *       LSTM (gates i,f,g,o): i=σ(.), f=σ(.), g=tanh(.), o=σ(.); c' = f*c + i*g; h' = o*tanh(c')
 *       GRU (gates r,z,n; reset applied AFTER the recurrent product, ONNX linear_before_reset=1):
 *         r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *         n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); h' = (1 - z) * n + z * h
 *   - Ragged batches: sequence n is valid for t < lengths[n] (1 <= lengths[n] <= T). For
 *     t >= lengths[n] the output y is 0 and the state is carried unchanged, so hy/cy hold the state
 *     at each sequence's own length. The reverse direction starts at t = lengths[n]-1 from h0 and
 *     runs down to t = 0.
 *   - Stacks: layer 0 reads x ([T,N,C]); layer l > 0 reads layer l-1's output ([T,N,D*H], forward
 *     direction in columns [0,H), reverse in [H,2H)). y is the last layer's output.
 *   - States h0/hy/c0/cy are [L*D, N, H], index l*D + d (PyTorch's h_n order).
 *
 * Flat weight buffer (jrnn_rnn_weights_count floats), PyTorch's _flat_weights order: for each layer
 * l, for each direction d (suffix "_reverse" for d = 1):
 *     weight_ih_l{l}[_reverse]  [G*H, C_l]   (C_0 = C, C_l = D*H for l > 0)
 *     weight_hh_l{l}[_reverse]  [G*H, H]
 *     bias_ih_l{l}[_reverse]    [G*H]        (only when the descriptor has bias)
 *     bias_hh_l{l}[_reverse]    [G*H]        (only when the descriptor has bias)
 * Rows of each matrix are gate-major (rows [k*H, (k+1)*H) belong to gate k in the order above).
 * jrnn_rnn_param_* describe these named views, so nobody re-derives the layout.
 *
 * Build: CMakeLists.txt builds libjrnn (CPU always, CUDA when nvcc is found).
 */
#ifndef JRNN_JRNN_H_
#define JRNN_JRNN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define JRNN_API __declspec(dllexport)
#else
#define JRNN_API __attribute__((visibility("default")))
#endif

/* ------------------------------------------------------------------ status and errors */

typedef enum jrnn_status {
  JRNN_OK = 0,
  JRNN_ERR_INVALID_ARGUMENT =
      1, /* a shape, size, length or pointer is wrong; the message names it */
  JRNN_ERR_OUT_OF_MEMORY = 2,
  JRNN_ERR_NOT_SUPPORTED = 3, /* e.g. CUDA asked of a build without CUDA, step on a bidirectional */
  JRNN_ERR_DEVICE = 4,        /* a CUDA call failed; the message has the CUDA error string */
  JRNN_ERR_INTERNAL = 5       /* a bug in jrnn: please report the message */
} jrnn_status;

/* The message of the last failed call on this thread ("" if none). Valid until the next call. */
JRNN_API const char* jrnn_last_error(void);

/* Library version, e.g. "0.1.0". */
JRNN_API const char* jrnn_version(void);

/* ------------------------------------------------------------------ devices and contexts */

typedef enum jrnn_device_type { JRNN_DEVICE_CPU = 0, JRNN_DEVICE_CUDA = 1 } jrnn_device_type;

/* 1 when this library was compiled with the CUDA backend, else 0. */
JRNN_API int jrnn_has_cuda(void);

/* The instruction set the CPU kernels run on: "avx512", "avx2" or "generic" (OpenBLAS and plain
 * loops). Picked once from cpuid: the widest this CPU has; the environment variable JRNN_CPU_ISA
 * (same names) caps it, never above what the CPU has. Benchmarks record it. */
JRNN_API const char* jrnn_cpu_isa(void);

/* Number of usable CUDA devices: 0 without a CUDA build, without a driver or without a GPU. */
JRNN_API int jrnn_cuda_device_count(void);

/* A context is one device plus its execution resources (CPU: worker threads; CUDA: one stream).
 * A context is used by one thread at a time. */
typedef struct jrnn_context jrnn_context;

/* device_type: jrnn_device_type. device_index: 0 for CPU; the CUDA ordinal otherwise.
 * num_threads: CPU worker threads (<= 0: the number of cores); ignored for CUDA.
 * Returns NULL on failure (see jrnn_last_error). */
JRNN_API jrnn_context* jrnn_context_create(int device_type, int device_index, int num_threads);
JRNN_API void jrnn_context_destroy(jrnn_context* ctx);
JRNN_API int jrnn_context_device_type(const jrnn_context* ctx);
JRNN_API int jrnn_context_num_threads(const jrnn_context* ctx);
/* Waits until all work queued on the context has finished (a no-op on the CPU). */
JRNN_API jrnn_status jrnn_context_synchronize(jrnn_context* ctx);

/* ------------------------------------------------------------------ memory */

/* Allocates `bytes` (>0) on the context's device, 64-byte aligned and zero-filled.
 * Returns NULL on failure (see jrnn_last_error).
 * On the CPU, freed blocks of 64 KiB and more are kept by the context (up to JRNN_CPU_CACHE_MB,
 * default 1024 MiB) and handed out again, so per-call buffers cost no page faults. */
JRNN_API void* jrnn_alloc(jrnn_context* ctx, size_t bytes);
/* As jrnn_alloc, but the contents are unspecified (on the CPU: whatever the block held; CUDA
 * still zero-fills), for buffers that are written before they are read: the outputs of
 * jrnn_rnn_forward/backward/step other than dw (accumulated), their reserve and their scratch. */
JRNN_API void* jrnn_alloc_uninitialized(jrnn_context* ctx, size_t bytes);
/* Frees memory from jrnn_alloc(_uninitialized) on the same context's device. NULL is ignored. */
JRNN_API void jrnn_free(jrnn_context* ctx, void* ptr);
/* Bytes of freed blocks the context keeps for reuse (0 for CUDA contexts). */
JRNN_API size_t jrnn_context_cached_bytes(const jrnn_context* ctx);
/* Returns the context's cached blocks to the system (blocks in use are not affected). */
JRNN_API jrnn_status jrnn_context_release_cached(jrnn_context* ctx);

/* Copies `bytes` from host memory `src` (Not modified) to device memory `dst` (Modified). */
JRNN_API jrnn_status jrnn_copy_from_host(jrnn_context* ctx, void* dst, const void* src,
                                         size_t bytes);
/* Copies `bytes` from device memory `src` (Not modified) to host memory `dst` (Modified).
 * Waits for queued work, so dst is ready when it returns. */
JRNN_API jrnn_status jrnn_copy_to_host(jrnn_context* ctx, void* dst, const void* src, size_t bytes);
/* Copies `bytes` between two buffers of the same device. Regions must not overlap. */
JRNN_API jrnn_status jrnn_copy_on_device(jrnn_context* ctx, void* dst, const void* src,
                                         size_t bytes);
/* Sets `bytes` of device memory to zero. */
JRNN_API jrnn_status jrnn_zero(jrnn_context* ctx, void* dst, size_t bytes);

/* ------------------------------------------------------------------ recurrent layer stacks */

typedef enum jrnn_cell {
  JRNN_RNN_TANH = 0,
  JRNN_RNN_RELU = 1,
  JRNN_LSTM = 2,
  JRNN_GRU = 3 /* PyTorch/cuDNN form: reset gate applied after the recurrent product */
} jrnn_cell;

/* Describes a stack of L layers of one cell kind: immutable, thread-safe, device-independent. */
typedef struct jrnn_rnn_desc jrnn_rnn_desc;

/* cell: jrnn_cell. input_size C >= 1, hidden_size H >= 1, num_layers L >= 1,
 * bidirectional: 0 or 1, bias: 0 or 1. Returns NULL on failure (see jrnn_last_error). */
JRNN_API jrnn_rnn_desc* jrnn_rnn_desc_create(int cell, int64_t input_size, int64_t hidden_size,
                                             int num_layers, int bidirectional, int bias);
JRNN_API void jrnn_rnn_desc_destroy(jrnn_rnn_desc* desc);

/* Number of floats in the flat weight buffer (and in the flat gradient buffer). */
JRNN_API int64_t jrnn_rnn_weights_count(const jrnn_rnn_desc* desc);

/* Named views of the flat buffer, index 0 .. jrnn_rnn_param_count()-1, in buffer order. */
JRNN_API int jrnn_rnn_param_count(const jrnn_rnn_desc* desc);
/* PyTorch name, e.g. "weight_hh_l1_reverse"; owned by desc; NULL for a bad index. */
JRNN_API const char* jrnn_rnn_param_name(const jrnn_rnn_desc* desc, int index);
/* Offset in floats from the start of the flat buffer; -1 for a bad index. */
JRNN_API int64_t jrnn_rnn_param_offset(const jrnn_rnn_desc* desc, int index);
/* Rows (G*H) and columns (C_l or H; 1 for a bias vector); -1 for a bad index. */
JRNN_API int64_t jrnn_rnn_param_rows(const jrnn_rnn_desc* desc, int index);
JRNN_API int64_t jrnn_rnn_param_cols(const jrnn_rnn_desc* desc, int index);

/* Bytes of `reserve` that a training forward fills and backward reads, for T steps of N sequences
 * on the context's device. 0 on bad arguments (see jrnn_last_error). */
JRNN_API size_t jrnn_rnn_reserve_bytes(const jrnn_context* ctx, const jrnn_rnn_desc* desc,
                                       int64_t T, int64_t N);
/* Bytes of temporary `scratch` that forward (training 0/1), backward (pass 2) or step (pass 3,
 * T ignored) needs. Nothing in scratch survives a call. 0 on bad arguments. */
typedef enum jrnn_pass {
  JRNN_PASS_INFERENCE = 0,
  JRNN_PASS_TRAINING_FORWARD = 1,
  JRNN_PASS_BACKWARD = 2,
  JRNN_PASS_STEP = 3
} jrnn_pass;
JRNN_API size_t jrnn_rnn_scratch_bytes(const jrnn_context* ctx, const jrnn_rnn_desc* desc,
                                       int64_t T, int64_t N, int pass);

/* Runs the whole stack over a padded, ragged batch.
 *   T, N      >= 1.
 *   lengths   [N] host int32, each in 1..T; NULL means every sequence has length T. Not modified.
 *   x         [T, N, C]. Not modified. Values past a sequence's length are ignored.
 *   h0        [L*D, N, H] initial hidden state; NULL means zeros. Not modified.
 *   c0        [L*D, N, H] initial cell state (LSTM only, else must be NULL); NULL means zeros.
 *   w         [jrnn_rnn_weights_count] flat weights. Not modified.
 *   y         [T, N, D*H] output. Modified (fully written; zero past each length).
 *   hy        [L*D, N, H] final hidden state at each sequence's length, or NULL. Modified.
 *   cy        [L*D, N, H] final cell state (LSTM only), or NULL. Modified.
 *   reserve   jrnn_rnn_reserve_bytes(ctx, desc, T, N) bytes for a training forward, kept for
 *             jrnn_rnn_backward; NULL for inference. Modified.
 *   scratch   jrnn_rnn_scratch_bytes(..., reserve ? TRAINING_FORWARD : INFERENCE) bytes, or NULL
 *             when that size is 0. Modified (contents undefined after the call). */
JRNN_API jrnn_status jrnn_rnn_forward(jrnn_context* ctx, const jrnn_rnn_desc* desc, int64_t T,
                                      int64_t N, const int32_t* lengths, const float* x,
                                      const float* h0, const float* c0, const float* w, float* y,
                                      float* hy, float* cy, void* reserve, void* scratch);

/* Backpropagation through time for the training forward that filled `reserve` with the same
 * ctx, desc, T, N, lengths, x, h0, c0 and w (all Not modified). Computes the gradients of
 * sum(y*dy) + sum(hy*dhy) + sum(cy*dcy).
 *   dy        [T, N, D*H] or NULL (zeros). Entries past each length are ignored. Not modified.
 *   dhy       [L*D, N, H] or NULL (zeros). Not modified.
 *   dcy       [L*D, N, H] (LSTM only) or NULL (zeros). Not modified.
 *   dx        [T, N, C] or NULL (not wanted). Modified (overwritten; zero past each length).
 *   dh0       [L*D, N, H] or NULL. Modified (overwritten).
 *   dc0       [L*D, N, H] (LSTM only) or NULL. Modified (overwritten).
 *   dw        [jrnn_rnn_weights_count] or NULL. Modified: gradients are ACCUMULATED (+=), so the
 *             caller zeroes it once per optimisation step.
 *   reserve   as filled by the training forward. Not modified.
 *   scratch   jrnn_rnn_scratch_bytes(..., JRNN_PASS_BACKWARD) bytes, or NULL when 0. Modified. */
JRNN_API jrnn_status jrnn_rnn_backward(jrnn_context* ctx, const jrnn_rnn_desc* desc, int64_t T,
                                       int64_t N, const int32_t* lengths, const float* x,
                                       const float* h0, const float* c0, const float* w,
                                       const float* dy, const float* dhy, const float* dcy,
                                       float* dx, float* dh0, float* dc0, float* dw,
                                       const void* reserve, void* scratch);

/* One time step of a unidirectional stack for N sequences, with carried state (generation and
 * streaming). Bidirectional descriptors give JRNN_ERR_NOT_SUPPORTED.
 *   x         [N, C]. Not modified.
 *   hx        [L, N, H] state before the step; NULL means zeros. Not modified.
 *   cx        [L, N, H] (LSTM only) or NULL (zeros). Not modified.
 *   w         flat weights. Not modified.
 *   y         [N, H] the last layer's output. Modified.
 *   hy        [L, N, H] state after the step. Modified. MAY equal hx (in-place update).
 *   cy        [L, N, H] (LSTM only; required for LSTM). Modified. MAY equal cx.
 *   scratch   jrnn_rnn_scratch_bytes(..., 1, N, JRNN_PASS_STEP) bytes, or NULL when 0. Modified. */
JRNN_API jrnn_status jrnn_rnn_step(jrnn_context* ctx, const jrnn_rnn_desc* desc, int64_t N,
                                   const float* x, const float* hx, const float* cx, const float* w,
                                   float* y, float* hy, float* cy, void* scratch);

/* ------------------------------------------------------------------ layers, losses, optimisers
 * The building blocks that training needs besides the recurrent stack. Same conventions: device
 * pointers, row-major, outputs overwritten unless a gradient says it ACCUMULATES (+=).
 * M = rows (e.g. T*N), I/O = input/output features, V = vocabulary, E = embedding size,
 * K = classes. Token ids and targets are int32 in device memory. */

/* y [M, O] = x [M, I] · wᵀ + b.   x, w [O, I], b [O] (or NULL): Not modified. y: Modified. */
JRNN_API jrnn_status jrnn_linear_forward(jrnn_context* ctx, int64_t M, int64_t I, int64_t O,
                                         const float* x, const float* w, const float* b, float* y);
/* Gradients of sum(y*dy) for y = linear(x).  x [M, I], w [O, I], dy [M, O]: Not modified.
 * dx [M, I] (or NULL): Modified (overwritten). dw [O, I], db [O] (each or NULL): ACCUMULATED. */
JRNN_API jrnn_status jrnn_linear_backward(jrnn_context* ctx, int64_t M, int64_t I, int64_t O,
                                          const float* x, const float* w, const float* dy,
                                          float* dx, float* dw, float* db);

/* y [M, E] = table[ids[m]].  ids [M] int32 in 0..V-1, or -1 for padding (row of zeros).
 * Another id gives JRNN_ERR_INVALID_ARGUMENT naming the row. table [V, E]: Not modified. */
JRNN_API jrnn_status jrnn_embedding_forward(jrnn_context* ctx, int64_t M, int64_t V, int64_t E,
                                            const int32_t* ids, const float* table, float* y);
/* dtable [V, E] ACCUMULATES dy [M, E] rows at ids (rows with id -1 skipped). */
JRNN_API jrnn_status jrnn_embedding_backward(jrnn_context* ctx, int64_t M, int64_t V, int64_t E,
                                             const int32_t* ids, const float* dy, float* dtable);

/* Softmax cross-entropy over K classes per row, with label smoothing s in [0, 1):
 * target distribution q = (1-s)·onehot(target) + s/K. targets [M] int32 in 0..K-1, or -1 to
 * ignore the row (padding: loss 0, gradient 0). logits [M, K]: Not modified.
 * loss [M] (or NULL): Modified, per-row loss (0 for ignored rows).
 * dlogits [M, K] (or NULL): Modified (overwritten) = scale · (softmax(logits) - q) per valid row,
 * 0 for ignored rows. dlogits may equal logits (in place). */
JRNN_API jrnn_status jrnn_softmax_cross_entropy(jrnn_context* ctx, int64_t M, int64_t K,
                                                const float* logits, const int32_t* targets,
                                                float label_smoothing, float scale, float* loss,
                                                float* dlogits);
/* y [M, K] = log_softmax(x) row-wise (log_softmax 1) or softmax(x) (log_softmax 0). y may equal x.
 */
JRNN_API jrnn_status jrnn_softmax(jrnn_context* ctx, int64_t M, int64_t K, const float* x,
                                  int log_softmax, float* y);
/* The `top` largest entries of each row of log_softmax(x), x [M, K], for beam search and greedy
 * decoding without copying whole rows to the host: values [M, top] (host memory) in descending
 * order, ties broken by the lower index first, each bit-identical to jrnn_softmax(log_softmax 1)'s
 * entry; indices [M, top] (host memory, int32) their column. NaN and -inf entries and the columns
 * listed in exclude [n_exclude] (host memory, or NULL when n_exclude is 0) are never chosen; a row
 * with fewer eligible entries fills the rest with index -1 and value -inf. x: Not modified.
 * CPU contexts only (JRNN_ERR_NOT_SUPPORTED on CUDA). */
JRNN_API jrnn_status jrnn_log_softmax_top(jrnn_context* ctx, int64_t M, int64_t K, const float* x,
                                          int64_t top, const int32_t* exclude, int64_t n_exclude,
                                          float* values, int32_t* indices);
/* Binary cross-entropy on logits z [M] with targets t [M] in [0, 1] and row weights w [M] (or
 * NULL = 1; weight 0 masks a row). loss [M] (or NULL): w·(max(z,0) - z·t + log(1+exp(-|z|))).
 * dz [M] (or NULL): Modified = scale · w · (σ(z) - t). */
JRNN_API jrnn_status jrnn_bce_with_logits(jrnn_context* ctx, int64_t M, const float* z,
                                          const float* t, const float* w, float scale, float* loss,
                                          float* dz);
/* Squared error per row: loss[m] = w[m] · Σ_k (p[m,k] - t[m,k])²; dp = scale · 2 w (p - t).
 * p, t [M, K], w [M] or NULL (= 1). loss [M] / dp [M, K] each or NULL: Modified. */
JRNN_API jrnn_status jrnn_mse(jrnn_context* ctx, int64_t M, int64_t K, const float* p,
                              const float* t, const float* w, float scale, float* loss, float* dp);

/* Inverted dropout with a counter-based generator: element i is kept when
 * hash(seed, i) >= p·2^32, and then scaled by 1/(1-p). The same call with the same seed applied
 * to dy gives dx, so backward needs no stored mask. x, y [count]; y may equal x. 0 <= p < 1. */
JRNN_API jrnn_status jrnn_dropout(jrnn_context* ctx, int64_t count, float p, uint64_t seed,
                                  const float* x, float* y);

/* Out [N, F] = y [T, N, F] at t = lengths[n]-1 (the last valid step). lengths host [N] in 1..T
 * (NULL = all T). backward: dy [T, N, F] ACCUMULATES dout [N, F] at the same positions. */
JRNN_API jrnn_status jrnn_gather_last(jrnn_context* ctx, int64_t T, int64_t N, int64_t F,
                                      const int32_t* lengths, const float* y, float* out);
JRNN_API jrnn_status jrnn_gather_last_backward(jrnn_context* ctx, int64_t T, int64_t N, int64_t F,
                                               const int32_t* lengths, const float* dout,
                                               float* dy);

/* Sum of squares of x [count] into *result (HOST double; waits for the device). */
JRNN_API jrnn_status jrnn_sum_squares(jrnn_context* ctx, int64_t count, const float* x,
                                      double* result);
/* *result (HOST int) = 1 when every x [count] is finite, else 0; *first_bad (HOST int64, or NULL)
 * = index of the first NaN/Inf or -1. */
JRNN_API jrnn_status jrnn_check_finite(jrnn_context* ctx, int64_t count, const float* x,
                                       int* result, int64_t* first_bad);
/* x [count] *= alpha (Modified). */
JRNN_API jrnn_status jrnn_scale(jrnn_context* ctx, int64_t count, float alpha, float* x);
/* x [count] = clamp(x, -limit, limit) (Modified). */
JRNN_API jrnn_status jrnn_clip_values(jrnn_context* ctx, int64_t count, float limit, float* x);
/* y [count] += alpha · x [count]. */
JRNN_API jrnn_status jrnn_axpy(jrnn_context* ctx, int64_t count, float alpha, const float* x,
                               float* y);

/* Optimiser updates: one fused pass over a flat parameter buffer w [count] (Modified) with its
 * gradient g [count] (Not modified) and state buffers (Modified, zero-initialised by the caller).
 * weight_decay: L2 added to the gradient (SGD, RMSProp, Adam) or decoupled (AdamW: w -= lr·wd·w).
 * SGD (PyTorch semantics): g' = g + wd·w; buf = momentum·buf + g' (buf = g' on step 1);
 *   update = nesterov ? g' + momentum·buf : buf (buf NULL allowed when momentum = 0); w -=
 * lr·update. */
JRNN_API jrnn_status jrnn_sgd_update(jrnn_context* ctx, int64_t count, float* w, const float* g,
                                     float* momentum_buf, float lr, float momentum,
                                     float weight_decay, int nesterov, int64_t step);
/* Adam / AdamW (decoupled 1), PyTorch semantics with bias correction at `step` (1-based):
 * m = b1·m + (1-b1)·g'; v = b2·v + (1-b2)·g'²; w -= lr·(m/(1-b1^step)) / (sqrt(v/(1-b2^step)) +
 * eps). */
JRNN_API jrnn_status jrnn_adam_update(jrnn_context* ctx, int64_t count, float* w, const float* g,
                                      float* m, float* v, float lr, float beta1, float beta2,
                                      float eps, float weight_decay, int decoupled, int64_t step);
/* RMSProp, PyTorch semantics (not centred): sq = alpha·sq + (1-alpha)·g'²;
 * with momentum: buf = momentum·buf + g'/(sqrt(sq)+eps), w -= lr·buf; else w -=
 * lr·g'/(sqrt(sq)+eps). */
JRNN_API jrnn_status jrnn_rmsprop_update(jrnn_context* ctx, int64_t count, float* w, const float* g,
                                         float* sq, float* momentum_buf, float lr, float alpha,
                                         float eps, float weight_decay, float momentum);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* JRNN_JRNN_H_ */
