// ops.cu — the training building blocks on CUDA (jrnn.h "layers, losses, optimisers"), each the
// same function as its reference in ops/ops_ref.h:
//   linear: gemm.cu (bias in the epilogue; db by deterministic column sums);
//   embedding forward (gather) and backward (atomicAdd: rows sharing an id add in any order);
//   softmax / softmax cross-entropy: one block per row (max, Σexp, Σz by block reductions);
//   BCE, MSE, dropout (the CPU's counter hash, cuda/dropout_hash.h: same mask bit for bit),
//   gather_last (host lengths staged to the device), reductions with host results, and the
//   element-wise updates (scale, clip, axpy, SGD, Adam/AdamW, RMSProp).
// This file is compiled with --fmad=false (CMakeLists.txt): multiply-adds are not contracted, so
// the element-wise updates round exactly as the CPU's loops do (the transcendental functions
// still differ from glibc's by an ulp or so).
// Ids and targets live in device memory: they are checked by a kernel before any output is
// written, then read back (one synchronisation), so a bad id gives INVALID_ARGUMENT naming the row
// exactly as on the CPU.
#include <cmath>

#include "cuda/cuda_backend.h"
#include "cuda/cuda_common.cuh"
#include "cuda/dropout_hash.h"
#include "cuda/gemm.cuh"

namespace jrnn::cuda {
namespace {

constexpr unsigned long long kNone = ~0ull;

#define GRID_STRIDE(i, count)                                                   \
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < (count); \
       i += int64_t(gridDim.x) * blockDim.x)

// ---------------------------------------------------------------- block reductions
// All threads of the block call these with the same arguments order (uniform control flow).
// blockDim.x is a multiple of 32, at most 1024.
template <typename F, typename Op>
__device__ F block_reduce(F v, Op op, F* shared /* [32] */) {
  for (int offset = 16; offset > 0; offset /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, offset));
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  __syncthreads();  // shared may still be read by a previous reduction
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  v = shared[0];
  for (int w = 1; w < warps; ++w) v = op(v, shared[w]);  // same order in every thread
  return v;
}
struct Max {
  __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};
struct Sum {
  template <typename F>
  __device__ F operator()(F a, F b) const {
    return a + b;
  }
};

// ---------------------------------------------------------------- id checks
__global__ void find_bad_id(int64_t M, int64_t V, const int32_t* ids, int allow_ignore,
                            unsigned long long* first) {
  GRID_STRIDE(m, M) {
    const int32_t id = ids[m];
    if (id >= V || id < (allow_ignore ? -1 : 0)) atomicMin(first, (unsigned long long)m);
  }
}

void check_ids(State& st, int64_t M, int64_t V, const int32_t* ids, const char* name,
               bool allow_ignore) {
  auto* first = static_cast<unsigned long long*>(workspace(st, sizeof(unsigned long long)));
  check(cudaMemsetAsync(first, 0xFF, sizeof *first, st.stream), "cudaMemsetAsync");
  find_bad_id<<<blocks_for(M, kThreads, 4096), kThreads, 0, st.stream>>>(M, V, ids, allow_ignore,
                                                                         first);
  check_launch("find_bad_id");
  unsigned long long bad = kNone;
  read_back(st, &bad, first, sizeof bad);
  if (bad == kNone) return;
  int32_t value = 0;
  read_back(st, &value, ids + bad, sizeof value);
  fail(JRNN_ERR_INVALID_ARGUMENT,
       format("%s[%lld] = %d is outside 0..%lld%s", name, (long long)bad, value, (long long)(V - 1),
              allow_ignore ? " (or -1 to ignore)" : ""));
}

// ---------------------------------------------------------------- kernels
__global__ void embedding_forward_kernel(int64_t M, int64_t E, const int32_t* ids,
                                         const float* table, float* y) {
  GRID_STRIDE(i, M * E) {
    const int64_t m = i / E, e = i - m * E;
    const int32_t id = ids[m];
    y[i] = id < 0 ? 0.0f : table[int64_t(id) * E + e];
  }
}

__global__ void embedding_backward_kernel(int64_t M, int64_t E, const int32_t* ids, const float* dy,
                                          float* dtable) {
  GRID_STRIDE(i, M * E) {
    const int64_t m = i / E, e = i - m * E;
    const int32_t id = ids[m];
    if (id >= 0) atomicAdd(dtable + int64_t(id) * E + e, dy[i]);
  }
}

constexpr int kRowThreads = 256;

// One block per row (grid-stride over rows). y may equal x: every element is read by the thread
// that writes it, after the reductions' barriers.
__global__ void __launch_bounds__(kRowThreads)
    softmax_kernel(int64_t M, int64_t K, const float* x, int log_softmax, float* y) {
  __shared__ float shared[32];
  for (int64_t m = blockIdx.x; m < M; m += gridDim.x) {
    const float* row = x + m * K;
    float mx = -INFINITY;
    for (int64_t k = threadIdx.x; k < K; k += blockDim.x) mx = fmaxf(mx, row[k]);
    mx = block_reduce(mx, Max(), shared);
    float sum = 0.0f;
    for (int64_t k = threadIdx.x; k < K; k += blockDim.x) sum += expf(row[k] - mx);
    sum = block_reduce(sum, Sum(), shared);
    const float log_sum = logf(sum);
    __syncthreads();  // all reads of this row happen before any write (y may equal x)
    for (int64_t k = threadIdx.x; k < K; k += blockDim.x) {
      const float v = row[k] - mx - log_sum;
      y[m * K + k] = log_softmax ? v : expf(v);
    }
  }
}

__global__ void __launch_bounds__(kRowThreads)
    cross_entropy_kernel(int64_t M, int64_t K, const float* logits, const int32_t* targets,
                         float smoothing, float scale, float* loss, float* dlogits) {
  __shared__ float shared[32];
  const float off = smoothing / float(K);
  for (int64_t m = blockIdx.x; m < M; m += gridDim.x) {
    const float* row = logits + m * K;
    float* drow = dlogits ? dlogits + m * K : nullptr;
    const int32_t target = targets[m];
    if (target < 0) {  // uniform across the block
      if (loss && threadIdx.x == 0) loss[m] = 0.0f;
      if (drow)
        for (int64_t k = threadIdx.x; k < K; k += blockDim.x) drow[k] = 0.0f;
      continue;
    }
    const float z_target = row[target];
    float mx = -INFINITY, z_sum = 0.0f;
    for (int64_t k = threadIdx.x; k < K; k += blockDim.x) {
      mx = fmaxf(mx, row[k]);
      z_sum += row[k];
    }
    mx = block_reduce(mx, Max(), shared);
    z_sum = block_reduce(z_sum, Sum(), shared);
    float sum = 0.0f;
    for (int64_t k = threadIdx.x; k < K; k += blockDim.x) sum += expf(row[k] - mx);
    sum = block_reduce(sum, Sum(), shared);
    const float log_sum = logf(sum) + mx;
    __syncthreads();  // every read of the row is done: drow may alias it
    // -Σ q_k log p_k = log_sum - (1-s)·z_target - (s/K)·Σ z_k
    if (loss && threadIdx.x == 0) loss[m] = log_sum - (1.0f - smoothing) * z_target - off * z_sum;
    if (drow)
      for (int64_t k = threadIdx.x; k < K; k += blockDim.x) {
        float d = scale * (expf(row[k] - log_sum) - off);
        if (k == target) d -= scale * (1.0f - smoothing);
        drow[k] = d;
      }
  }
}

__global__ void bce_kernel(int64_t M, const float* z, const float* t, const float* w, float scale,
                           float* loss, float* dz) {
  GRID_STRIDE(m, M) {
    const float weight = w ? w[m] : 1.0f;
    const float zm = z[m];
    if (loss) loss[m] = weight * ((zm > 0.0f ? zm : 0.0f) - zm * t[m] + log1pf(expf(-fabsf(zm))));
    if (dz) dz[m] = scale * weight * (1.0f / (1.0f + expf(-zm)) - t[m]);
  }
}

// One warp per row.
__global__ void mse_kernel(int64_t M, int64_t K, const float* p, const float* t, const float* w,
                           float scale, float* loss, float* dp) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  for (int64_t m = blockIdx.x * int64_t(blockDim.x / 32) + threadIdx.x / 32; m < M; m += warps) {
    const float weight = w ? w[m] : 1.0f;
    float acc = 0.0f;
    for (int64_t k = lane; k < K; k += 32) {
      const float d = p[m * K + k] - t[m * K + k];
      acc += d * d;
      if (dp) dp[m * K + k] = scale * 2.0f * weight * d;
    }
    for (int offset = 16; offset > 0; offset /= 2) acc += __shfl_xor_sync(0xffffffffu, acc, offset);
    if (loss && lane == 0) loss[m] = weight * acc;
  }
}

__global__ void dropout_kernel(int64_t count, uint32_t threshold, float keep_scale, uint64_t seed,
                               const float* x, float* y) {
  GRID_STRIDE(i, count) {
    y[i] = dropout_draw(seed, uint64_t(i)) >= threshold ? x[i] * keep_scale : 0.0f;
  }
}

__global__ void gather_last_kernel(int64_t T, int64_t N, int64_t F, const int32_t* lengths,
                                   const float* y, float* out, int backward) {
  GRID_STRIDE(i, N * F) {
    const int64_t n = i / F, f = i - n * F;
    const int64_t t = (lengths ? lengths[n] : T) - 1;
    const int64_t at = (t * N + n) * F + f;
    if (backward)
      out[at] += y[i];  // here y is dout [N,F] and out is dy [T,N,F]
    else
      out[i] = y[at];
  }
}

constexpr int kReduceBlocks = 1024;

__global__ void __launch_bounds__(kThreads)
    sum_squares_partial(int64_t count, const float* x, double* partial) {
  __shared__ double shared[32];
  double acc = 0.0;
  GRID_STRIDE(i, count) {
    const double v = x[i];
    acc += v * v;
  }
  acc = block_reduce(acc, Sum(), shared);
  if (threadIdx.x == 0) partial[blockIdx.x] = acc;
}

__global__ void __launch_bounds__(1024)
    sum_partials(int blocks, const double* partial, double* result) {
  __shared__ double shared[32];
  double acc = 0.0;
  for (int b = threadIdx.x; b < blocks; b += blockDim.x) acc += partial[b];
  acc = block_reduce(acc, Sum(), shared);
  if (threadIdx.x == 0) *result = acc;
}

__global__ void first_non_finite_kernel(int64_t count, const float* x, unsigned long long* first) {
  GRID_STRIDE(i, count) {
    if (!isfinite(x[i])) atomicMin(first, (unsigned long long)i);
  }
}

__global__ void scale_kernel(int64_t count, float alpha, float* x) {
  GRID_STRIDE(i, count) {
    x[i] *= alpha;
  }
}

__global__ void clip_kernel(int64_t count, float limit, float* x) {
  // torch.clamp semantics: NaN stays NaN (fminf/fmaxf would return the bound instead).
  GRID_STRIDE(i, count) {
    const float v = x[i];
    x[i] = v > limit ? limit : (v < -limit ? -limit : v);
  }
}

__global__ void axpy_kernel(int64_t count, float alpha, const float* x, float* y) {
  GRID_STRIDE(i, count) {
    y[i] += alpha * x[i];
  }
}

__global__ void sgd_kernel(int64_t count, float* w, const float* g, float* buf, float lr,
                           float momentum, float wd, int nesterov, int first_step) {
  GRID_STRIDE(i, count) {
    float grad = g[i] + wd * w[i];
    if (momentum != 0.0f) {
      const float b = first_step ? grad : momentum * buf[i] + grad;
      buf[i] = b;
      grad = nesterov ? grad + momentum * b : b;
    }
    w[i] -= lr * grad;
  }
}

__global__ void adam_kernel(int64_t count, float* w, const float* g, float* m, float* v, float lr,
                            float beta1, float beta2, float eps, float wd, int decoupled,
                            float bias1, float bias2) {
  GRID_STRIDE(i, count) {
    float grad = g[i];
    float wi = w[i];
    if (decoupled)
      wi -= lr * wd * wi;
    else
      grad += wd * wi;
    const float mi = beta1 * m[i] + (1.0f - beta1) * grad;
    const float vi = beta2 * v[i] + (1.0f - beta2) * grad * grad;
    m[i] = mi;
    v[i] = vi;
    w[i] = wi - lr * (mi / bias1) / (sqrtf(vi / bias2) + eps);
  }
}

__global__ void rmsprop_kernel(int64_t count, float* w, const float* g, float* sq, float* buf,
                               float lr, float alpha, float eps, float wd, float momentum) {
  GRID_STRIDE(i, count) {
    const float grad = g[i] + wd * w[i];
    const float s = alpha * sq[i] + (1.0f - alpha) * grad * grad;
    sq[i] = s;
    const float step = grad / (sqrtf(s) + eps);
    if (momentum != 0.0f) {
      const float b = momentum * buf[i] + step;
      buf[i] = b;
      w[i] -= lr * b;
    } else {
      w[i] -= lr * step;
    }
  }
}

unsigned row_blocks(int64_t rows) {
  return unsigned(rows < 65536 ? rows : 65536);
}

}  // namespace

void linear_forward(const jrnn_context& ctx, int64_t M, int64_t I, int64_t O, const float* x,
                    const float* w, const float* b, float* y) {
  State& st = state_of(ctx);
  gemm(st, false, true, M, O, I, 1.0f, x, I, w, I, 0.0f, y, O, b);
}

void linear_backward(const jrnn_context& ctx, int64_t M, int64_t I, int64_t O, const float* x,
                     const float* w, const float* dy, float* dx, float* dw, float* db) {
  State& st = state_of(ctx);
  if (dx) gemm(st, false, false, M, I, O, 1.0f, dy, O, w, I, 0.0f, dx, I);  // dy · w
  if (dw) gemm(st, true, false, O, I, M, 1.0f, dy, O, x, I, 1.0f, dw, I);   // += dyᵀ · x
  if (db) add_column_sums(st, M, O, dy, db);
}

void embedding_forward(const jrnn_context& ctx, int64_t M, int64_t V, int64_t E, const int32_t* ids,
                       const float* table, float* y) {
  State& st = state_of(ctx);
  check_ids(st, M, V, ids, "ids", true);
  embedding_forward_kernel<<<blocks_for(M * E), kThreads, 0, st.stream>>>(M, E, ids, table, y);
  check_launch("embedding_forward_kernel");
}

void embedding_backward(const jrnn_context& ctx, int64_t M, int64_t V, int64_t E,
                        const int32_t* ids, const float* dy, float* dtable) {
  State& st = state_of(ctx);
  check_ids(st, M, V, ids, "ids", true);
  embedding_backward_kernel<<<blocks_for(M * E), kThreads, 0, st.stream>>>(M, E, ids, dy, dtable);
  check_launch("embedding_backward_kernel");
}

void softmax(const jrnn_context& ctx, int64_t M, int64_t K, const float* x, bool log_softmax,
             float* y) {
  State& st = state_of(ctx);
  softmax_kernel<<<row_blocks(M), kRowThreads, 0, st.stream>>>(M, K, x, log_softmax ? 1 : 0, y);
  check_launch("softmax_kernel");
}

void softmax_cross_entropy(const jrnn_context& ctx, int64_t M, int64_t K, const float* logits,
                           const int32_t* targets, float smoothing, float scale, float* loss,
                           float* dlogits) {
  State& st = state_of(ctx);
  check_ids(st, M, K, targets, "targets", true);
  cross_entropy_kernel<<<row_blocks(M), kRowThreads, 0, st.stream>>>(
      M, K, logits, targets, smoothing, scale, loss, dlogits);
  check_launch("cross_entropy_kernel");
}

void bce_with_logits(const jrnn_context& ctx, int64_t M, const float* z, const float* t,
                     const float* w, float scale, float* loss, float* dz) {
  State& st = state_of(ctx);
  bce_kernel<<<blocks_for(M), kThreads, 0, st.stream>>>(M, z, t, w, scale, loss, dz);
  check_launch("bce_kernel");
}

void mse(const jrnn_context& ctx, int64_t M, int64_t K, const float* p, const float* t,
         const float* w, float scale, float* loss, float* dp) {
  State& st = state_of(ctx);
  mse_kernel<<<blocks_for(M * 32), kThreads, 0, st.stream>>>(M, K, p, t, w, scale, loss, dp);
  check_launch("mse_kernel");
}

void dropout(const jrnn_context& ctx, int64_t count, float p, uint64_t seed, const float* x,
             float* y) {
  State& st = state_of(ctx);
  dropout_kernel<<<blocks_for(count), kThreads, 0, st.stream>>>(count, dropout_threshold(p),
                                                                dropout_keep_scale(p), seed, x, y);
  check_launch("dropout_kernel");
}

namespace {
const int32_t* lengths_on_device(State& st, int64_t N, const int32_t* lengths) {
  if (!lengths) return nullptr;
  auto* dev = static_cast<int32_t*>(workspace(st, size_t(N) * sizeof(int32_t)));
  stage_to_device(st, dev, lengths, size_t(N) * sizeof(int32_t));
  return dev;
}
}  // namespace

void gather_last(const jrnn_context& ctx, int64_t T, int64_t N, int64_t F, const int32_t* lengths,
                 const float* y, float* out) {
  State& st = state_of(ctx);
  const int32_t* dev_lengths = lengths_on_device(st, N, lengths);
  gather_last_kernel<<<blocks_for(N * F), kThreads, 0, st.stream>>>(T, N, F, dev_lengths, y, out,
                                                                    0);
  check_launch("gather_last_kernel");
}

void gather_last_backward(const jrnn_context& ctx, int64_t T, int64_t N, int64_t F,
                          const int32_t* lengths, const float* dout, float* dy) {
  State& st = state_of(ctx);
  const int32_t* dev_lengths = lengths_on_device(st, N, lengths);
  gather_last_kernel<<<blocks_for(N * F), kThreads, 0, st.stream>>>(T, N, F, dev_lengths, dout, dy,
                                                                    1);
  check_launch("gather_last_kernel (backward)");
}

double sum_squares(const jrnn_context& ctx, int64_t count, const float* x) {
  State& st = state_of(ctx);
  const int blocks = int(blocks_for(count, kThreads, kReduceBlocks));
  auto* partial = static_cast<double*>(workspace(st, (blocks + 1) * sizeof(double)));
  sum_squares_partial<<<blocks, kThreads, 0, st.stream>>>(count, x, partial);
  check_launch("sum_squares_partial");
  sum_partials<<<1, 1024, 0, st.stream>>>(blocks, partial, partial + blocks);
  check_launch("sum_partials");
  double result = 0.0;
  read_back(st, &result, partial + blocks, sizeof result);
  return result;
}

int64_t first_non_finite(const jrnn_context& ctx, int64_t count, const float* x) {
  State& st = state_of(ctx);
  auto* first = static_cast<unsigned long long*>(workspace(st, sizeof(unsigned long long)));
  check(cudaMemsetAsync(first, 0xFF, sizeof *first, st.stream), "cudaMemsetAsync");
  first_non_finite_kernel<<<blocks_for(count, kThreads, 8192), kThreads, 0, st.stream>>>(count, x,
                                                                                         first);
  check_launch("first_non_finite_kernel");
  unsigned long long bad = kNone;
  read_back(st, &bad, first, sizeof bad);
  return bad == kNone ? -1 : int64_t(bad);
}

void scale(const jrnn_context& ctx, int64_t count, float alpha, float* x) {
  State& st = state_of(ctx);
  scale_kernel<<<blocks_for(count), kThreads, 0, st.stream>>>(count, alpha, x);
  check_launch("scale_kernel");
}

void clip_values(const jrnn_context& ctx, int64_t count, float limit, float* x) {
  State& st = state_of(ctx);
  clip_kernel<<<blocks_for(count), kThreads, 0, st.stream>>>(count, limit, x);
  check_launch("clip_kernel");
}

void axpy(const jrnn_context& ctx, int64_t count, float alpha, const float* x, float* y) {
  State& st = state_of(ctx);
  axpy_kernel<<<blocks_for(count), kThreads, 0, st.stream>>>(count, alpha, x, y);
  check_launch("axpy_kernel");
}

void sgd_update(const jrnn_context& ctx, int64_t count, float* w, const float* g, float* buf,
                float lr, float momentum, float wd, bool nesterov, int64_t step) {
  State& st = state_of(ctx);
  sgd_kernel<<<blocks_for(count), kThreads, 0, st.stream>>>(count, w, g, buf, lr, momentum, wd,
                                                            nesterov ? 1 : 0, step <= 1 ? 1 : 0);
  check_launch("sgd_kernel");
}

void adam_update(const jrnn_context& ctx, int64_t count, float* w, const float* g, float* m,
                 float* v, float lr, float beta1, float beta2, float eps, float wd, bool decoupled,
                 int64_t step) {
  State& st = state_of(ctx);
  // Exactly ref::adam_update<float>'s bias corrections (std::pow on floats, on the host).
  const float bias1 = 1.0f - std::pow(beta1, float(step));
  const float bias2 = 1.0f - std::pow(beta2, float(step));
  adam_kernel<<<blocks_for(count), kThreads, 0, st.stream>>>(
      count, w, g, m, v, lr, beta1, beta2, eps, wd, decoupled ? 1 : 0, bias1, bias2);
  check_launch("adam_kernel");
}

void rmsprop_update(const jrnn_context& ctx, int64_t count, float* w, const float* g, float* sq,
                    float* buf, float lr, float alpha, float eps, float wd, float momentum) {
  State& st = state_of(ctx);
  rmsprop_kernel<<<blocks_for(count), kThreads, 0, st.stream>>>(count, w, g, sq, buf, lr, alpha,
                                                                eps, wd, momentum);
  check_launch("rmsprop_kernel");
}

}  // namespace jrnn::cuda
