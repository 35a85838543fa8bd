// ops_cpu.cc — CPU (float32) training building blocks: sgemm for the linear layers, one fused
// pass for everything else. Each function matches its reference in ops_ref.h (tested in
// native/tests/test_ops.cc). Pointwise passes are written as simple loops the compiler vectorises.
#include "ops/ops_cpu.h"

#include <cblas.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "cpu/isa.h"
#include "cpu/kernels.h"
#include "cpu/threads.h"
#include "ops/ops_ref.h"

namespace jrnn::cpu {
namespace {

// Loops the compiler vectorises, compiled for AVX-512, AVX2 and baseline x86-64, the clone picked
// at load time from the CPU (target_clones), so they run 16 lanes wide where the CPU can. Not
// under ThreadSanitizer: the dynamic loader runs the clones' resolvers before the TSan runtime is
// initialised, and their instrumented code crashes then.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_THREAD__)
#define JRNN_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define JRNN_VECTOR_CLONES
#endif

// Below this, exp(d) is a float denormal: the vector exp clamps there, and flush-to-zero (which
// every CPU call runs under) would give 0 anyway, so softmax entries that far below the row's
// maximum are exactly 0, as for -inf logits (masks).
constexpr float kExpFloor = -87.3f;

// out[i] = x[i] - c.
JRNN_VECTOR_CLONES void shifted(const float* x, int64_t n, float c, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] - c;
}

// e[i] = 0 where x[i] - mx < kExpFloor.
JRNN_VECTOR_CLONES void zero_below_floor(const float* x, int64_t n, float mx, float* e) {
  for (int64_t i = 0; i < n; ++i) e[i] = x[i] - mx < kExpFloor ? 0.0f : e[i];
}

// s[j] += e[i] for i = j mod 4 in ascending i (the tail past the last whole 4 into s[0]): four
// chains, so the adds do not wait on each other; lane j of a 4-double vector is chain j, so the
// vector clones sum in exactly the scalar order.
JRNN_VECTOR_CLONES void add_in_four_chains(const float* e, int64_t n, double (&s)[4]) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int j = 0; j < 4; ++j) s[j] += e[i + j];
  for (; i < n; ++i) s[0] += e[i];
}

// Calls f(k0, n, e) for consecutive chunks of a row, e[i] = exp(row[k0+i] - mx) (0 below
// kExpFloor), computed with the active ISA's vector exp (<= 1 ulp, test_cpu_isa), libm on the
// generic path. Nothing is written to the row, so callers may write their output over it.
template <typename Chunk>
void for_each_exp_chunk(int64_t K, const float* row, float mx, Chunk&& f) {
  constexpr int64_t kChunk = 512;
  alignas(64) float e[kChunk];
  const Kernels* kern = kernels_for(active_isa());
  for (int64_t k0 = 0; k0 < K; k0 += kChunk) {
    const int64_t n = K - k0 < kChunk ? K - k0 : kChunk;
    shifted(row + k0, n, mx, e);
    if (kern)
      kern->activation(2, e, e, n);
    else
      for (int64_t i = 0; i < n; ++i) e[i] = std::exp(e[i]);
    zero_below_floor(row + k0, n, mx, e);
    f(k0, n, e);
  }
}

// Σ_k exp(row[k] - mx) in double (K may be a large vocabulary); NaN when the row holds one.
double sum_exp(int64_t K, const float* row, float mx) {
  double total = 0;
  for_each_exp_chunk(K, row, mx, [&](int64_t, int64_t n, const float* e) {
    double s[4] = {0, 0, 0, 0};
    add_in_four_chains(e, n, s);
    total += (s[0] + s[1]) + (s[2] + s[3]);
  });
  return total;
}

// out[i] = row[i] - shift for i < n; returns how many exceed bar (NaN never does).
JRNN_VECTOR_CLONES int shift_count_above(const float* row, int64_t n, float shift, float bar,
                                         float* out) {
  int above = 0;
  for (int64_t i = 0; i < n; ++i) {
    out[i] = row[i] - shift;
    above += out[i] > bar;
  }
  return above;
}

// The row's maximum, in 8 independent running maxima (one chain would wait ~4 cycles per column
// on the last compare; the maximum is exact in any order). A NaN is skipped unless it is row[0];
// either way the callers' sum_exp turns a row holding a NaN into NaN.
JRNN_VECTOR_CLONES float row_max(int64_t K, const float* row) {
  float m[8];
  for (float& v : m) v = row[0];
  int64_t k = 0;
  for (; k + 8 <= K; k += 8)
    for (int j = 0; j < 8; ++j) m[j] = row[k + j] > m[j] ? row[k + j] : m[j];
  for (; k < K; ++k) m[0] = row[k] > m[0] ? row[k] : m[0];
  float mx = m[0];
  for (int j = 1; j < 8; ++j) mx = m[j] > mx ? m[j] : mx;
  return mx;
}

}  // namespace

// Below this many rows linear_forward uses the matrix-vector kernel (w read in place).
constexpr int64_t kLinearGemvRows = 8;

// On the AVX-512/AVX2 paths our own kernels (what the recurrent backward uses): few rows (a
// decoding step) take the matrix-vector kernel that reads w in place; more rows the blocked GEMM
// (w packed transposed per call). Both beat OpenBLAS's Haswell-kernel sgemm (what
// OPENBLAS_CORETYPE=Haswell selects) on the output layers of decoders and language models.
void linear_forward(int64_t M, int64_t I, int64_t O, const float* x, const float* w, const float* b,
                    float* y, int threads) {
  const Kernels* kern = kernels_for(active_isa());
  const bool gemv = M < kLinearGemvRows;
  if (b && !(kern && gemv)) {
    for (int64_t m = 0; m < M; ++m) std::memcpy(y + m * O, b, sizeof(float) * O);
  }
  if (!kern) {  // y [M, O] (+)= x [M, I] · w [O, I]ᵀ
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, O, I, 1.0f, x, I, w, I, b ? 1.0f : 0.0f,
                y, O);
    return;
  }
  struct Call {
    const Kernels* kern;
    bool gemv;
    int64_t M, I, O;
    const float *x, *w;
    float* y;
    bool accumulate;
  } call{kern, gemv, M, I, O, x, w, y, b != nullptr};
  parallel_region(
      threads,
      [](void* arg, int tid, int nt, Barrier*) {
        const Call& c = *static_cast<const Call*>(arg);
        if (c.gemv) {  // y[m*O + o] = w[o] · x[m] (overwrites; the bias is added below)
          c.kern->gemv_rows(c.w, c.O, c.I, c.x, c.I, c.M, c.y, c.O, tid, nt);
        } else {
          GemmJob g{c.M, c.O, c.I, c.x, c.I, false, c.w, c.I, true, c.y, c.O, c.accumulate};
          c.kern->gemm(g, tid, nt);
        }
      },
      &call);
  if (b && gemv)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t o = 0; o < O; ++o) y[m * O + o] += b[o];
}

// Our kernels where there are (as linear_forward): dx = dy·w and dw += dyᵀ·x on the blocked GEMM
// (dyᵀ read as A^T), db by column sums; OpenBLAS on the generic path.
void linear_backward(int64_t M, int64_t I, int64_t O, const float* x, const float* w,
                     const float* dy, float* dx, float* dw, float* db, int threads) {
  const Kernels* kern = kernels_for(active_isa());
  if (!kern) {
    if (dx)  // dx [M, I] = dy [M, O] · w [O, I]
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, I, O, 1.0f, dy, O, w, I, 0.0f, dx,
                  I);
    if (dw)  // dw [O, I] += dy [M, O]ᵀ · x [M, I]
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, O, I, M, 1.0f, dy, O, x, I, 1.0f, dw, I);
    if (db)
      for (int64_t m = 0; m < M; ++m)
        for (int64_t o = 0; o < O; ++o) db[o] += dy[m * O + o];
    return;
  }
  struct Call {
    const Kernels* kern;
    int64_t M, I, O;
    const float *x, *w, *dy;
    float *dx, *dw, *db;
  } call{kern, M, I, O, x, w, dy, dx, dw, db};
  // Three independent products, one after the other; each splits its own rows over the threads
  // (no barrier needed: every thread writes only its rows of each output).
  parallel_region(
      threads,
      [](void* arg, int tid, int nt, Barrier*) {
        const Call& c = *static_cast<const Call*>(arg);
        if (c.dx) {
          GemmJob g{c.M, c.I, c.O, c.dy, c.O, false, c.w, c.I, false, c.dx, c.I, false};
          c.kern->gemm(g, tid, nt);
        }
        if (c.dw) {
          GemmJob g{c.O, c.I, c.M, c.dy, c.O, true, c.x, c.I, false, c.dw, c.I, true};
          c.kern->gemm(g, tid, nt);
        }
        if (c.db) c.kern->column_sums(c.dy, c.M, c.O, c.db, nullptr, tid, nt);
      },
      &call);
}

void embedding_forward(int64_t M, int64_t E, const int32_t* ids, const float* table, float* y) {
  for (int64_t m = 0; m < M; ++m) {
    if (ids[m] < 0)
      std::memset(y + m * E, 0, sizeof(float) * E);
    else
      std::memcpy(y + m * E, table + static_cast<int64_t>(ids[m]) * E, sizeof(float) * E);
  }
}

void embedding_backward(int64_t M, int64_t E, const int32_t* ids, const float* dy, float* dtable) {
  ref::embedding_backward<float>(M, E, ids, dy, dtable);
}

void softmax(int64_t M, int64_t K, const float* x, bool log_softmax, float* y) {
  for (int64_t m = 0; m < M; ++m) {  // y may equal x: each out[k] is written after row[k] is read
    const float* row = x + m * K;
    float* out = y + m * K;
    const float mx = row_max(K, row);
    const double sum = sum_exp(K, row, mx);
    if (log_softmax) {
      const float shift = mx + static_cast<float>(std::log(sum));
      for (int64_t k = 0; k < K; ++k) out[k] = row[k] - shift;
    } else {
      const float inv = static_cast<float>(1.0 / sum);
      for_each_exp_chunk(K, row, mx, [&](int64_t k0, int64_t n, const float* e) {
        for (int64_t i = 0; i < n; ++i) out[k0 + i] = e[i] * inv;
      });
    }
  }
}

// Inserts v (column k) into the sorted list val/idx of `kept` <= top entries if it beats the last
// one (ties keep the lower column first: columns arrive in ascending order).
static inline void insert_top(float v, int64_t k, int64_t top, int64_t& kept, float* val,
                              int32_t* idx) {
  int64_t at = kept < top ? kept++ : top - 1;  // the slot freed at the end
  while (at > 0 && val[at - 1] < v) {          // strictly: equal values keep the lower index first
    val[at] = val[at - 1];
    idx[at] = idx[at - 1];
    --at;
  }
  val[at] = v;
  idx[at] = static_cast<int32_t>(k);
}

#if defined(__x86_64__)
// AVX-512: one compare per 16 columns gives the lanes above the list's last value; only those
// go to the scalar insertion (a few dozen per row of thousands).
__attribute__((target("avx512f"))) static void top_of_row_avx512(const float* row, int64_t K,
                                                                 float shift, const char* excluded,
                                                                 int64_t top, float* val,
                                                                 int32_t* idx) {
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  const __m512 vshift = _mm512_set1_ps(shift);
  int64_t kept = 0;
  for (int64_t k0 = 0; k0 < K; k0 += 16) {
    const int n = K - k0 < 16 ? int(K - k0) : 16;
    const __mmask16 lanes = n == 16 ? __mmask16(0xffff) : __mmask16((1u << n) - 1);
    const __m512 v = _mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, row + k0), vshift);
    const float bar = kept == top ? val[top - 1] : kNegInf;
    unsigned mask = _mm512_mask_cmp_ps_mask(lanes, v, _mm512_set1_ps(bar), _CMP_GT_OQ);
    if (!mask) continue;
    alignas(64) float lp[16];
    _mm512_store_ps(lp, v);
    for (; mask; mask &= mask - 1) {
      const int i = __builtin_ctz(mask);
      const int64_t k = k0 + i;
      if (!(lp[i] > (kept == top ? val[top - 1] : kNegInf)) || (excluded && excluded[k])) continue;
      insert_top(lp[i], k, top, kept, val, idx);
    }
  }
}
#endif  // __x86_64__

// Per row: the same shift as softmax()'s log branch, so every value is bit-identical to its
// entry there; then one pass keeping the best `top` of row[k] - shift in a small sorted list,
// columns in ascending order, so an entry equal to the list's last one is never better (ties go
// to the lower index). Only entries above the list's last value reach the scalar insertion:
// found 16 lanes at a time with AVX-512 masks, else blocks of columns are shifted and counted in
// vector code first and only blocks with such an entry are scanned. NaN and -inf fail `> -inf`
// and are never taken. (A first pass bounding the top-th value from block maxima was slower.)
void log_softmax_top(int64_t M, int64_t K, const float* x, int64_t top, const int32_t* exclude,
                     int64_t n_exclude, float* values, int32_t* indices) {
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  constexpr int64_t kBlock = 128;
  std::vector<char> excluded(n_exclude > 0 ? K : 0, 0);
  for (int64_t i = 0; i < n_exclude; ++i) excluded[exclude[i]] = 1;
  const char* ex = n_exclude > 0 ? excluded.data() : nullptr;
#if defined(__x86_64__)
  const bool avx512 = active_isa() == Isa::kAvx512;
#endif
  for (int64_t m = 0; m < M; ++m) {
    const float* row = x + m * K;
    float* val = values + m * top;
    int32_t* idx = indices + m * top;
    for (int64_t i = 0; i < top; ++i) val[i] = kNegInf, idx[i] = -1;
    const float mx = row_max(K, row);
    const float shift = mx + static_cast<float>(std::log(sum_exp(K, row, mx)));
#if defined(__x86_64__)
    if (avx512) {
      top_of_row_avx512(row, K, shift, ex, top, val, idx);
      continue;
    }
#endif
    int64_t kept = 0;
    for (int64_t k0 = 0; k0 < K; k0 += kBlock) {
      const int64_t n = K - k0 < kBlock ? K - k0 : kBlock;
      const float bar = kept == top ? val[top - 1] : kNegInf;
      alignas(64) float lp[kBlock];
      if (shift_count_above(row + k0, n, shift, bar, lp) == 0) continue;
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = k0 + i;
        if (!(lp[i] > (kept == top ? val[top - 1] : kNegInf)) || (ex && ex[k])) continue;
        insert_top(lp[i], k, top, kept, val, idx);
      }
    }
  }
}

void softmax_cross_entropy(int64_t M, int64_t K, const float* logits, const int32_t* targets,
                           float smoothing, float scale, float* loss, float* dlogits) {
  for (int64_t m = 0; m < M; ++m) {
    const float* row = logits + m * K;
    float* drow = dlogits ? dlogits + m * K : nullptr;
    const int32_t target = targets[m];
    if (target < 0) {
      if (loss) loss[m] = 0;
      if (drow) std::memset(drow, 0, sizeof(float) * K);
      continue;
    }
    const float mx = row_max(K, row);
    const double sum = sum_exp(K, row, mx);
    const float log_sum = static_cast<float>(std::log(sum)) + mx;
    const float off = smoothing / static_cast<float>(K);
    if (loss) {
      // -Σ q_k log p_k = log_sum - (1-s)·z_target - (s/K)·Σ z_k
      double row_sum = 0;
      for (int64_t k = 0; k < K; ++k) row_sum += row[k];
      loss[m] = static_cast<float>(log_sum - (1.0 - smoothing) * row[target] - off * row_sum);
    }
    if (drow) {  // written after the loss: drow may alias row
      const float inv = static_cast<float>(1.0 / sum);
      for_each_exp_chunk(K, row, mx, [&](int64_t k0, int64_t n, const float* e) {
        for (int64_t i = 0; i < n; ++i) drow[k0 + i] = scale * (e[i] * inv - off);
      });
      drow[target] -= scale * (1.0f - smoothing);
    }
  }
}

void bce_with_logits(int64_t M, const float* z, const float* t, const float* w, float scale,
                     float* loss, float* dz) {
  ref::bce_with_logits<float>(M, z, t, w, scale, loss, dz);
}

void mse(int64_t M, int64_t K, const float* p, const float* t, const float* w, float scale,
         float* loss, float* dp) {
  ref::mse<float>(M, K, p, t, w, scale, loss, dp);
}

void dropout(int64_t count, float p, uint64_t seed, const float* x, float* y) {
  ref::dropout<float>(count, p, seed, x, y);
}

void gather_last(int64_t T, int64_t N, int64_t F, const int32_t* lengths, const float* y,
                 float* out) {
  for (int64_t n = 0; n < N; ++n) {
    const int64_t t = (lengths ? lengths[n] : T) - 1;
    std::memcpy(out + n * F, y + (t * N + n) * F, sizeof(float) * F);
  }
}

void gather_last_backward(int64_t T, int64_t N, int64_t F, const int32_t* lengths,
                          const float* dout, float* dy) {
  ref::gather_last_backward<float>(T, N, F, lengths, dout, dy);
}

double sum_squares(int64_t count, const float* x) {
  double acc = 0;
  for (int64_t i = 0; i < count; ++i) acc += static_cast<double>(x[i]) * x[i];
  return acc;
}

int64_t first_non_finite(int64_t count, const float* x) {
  for (int64_t i = 0; i < count; ++i)
    if (!std::isfinite(x[i])) return i;
  return -1;
}

void scale(int64_t count, float alpha, float* x) {
  for (int64_t i = 0; i < count; ++i) x[i] *= alpha;
}

// torch.clamp semantics: NaN stays NaN (fmin/fmax would return the bound instead).
void clip_values(int64_t count, float limit, float* x) {
  for (int64_t i = 0; i < count; ++i) {
    if (x[i] > limit) {
      x[i] = limit;
    } else if (x[i] < -limit) {
      x[i] = -limit;
    }
  }
}

void axpy(int64_t count, float alpha, const float* x, float* y) {
  for (int64_t i = 0; i < count; ++i) y[i] += alpha * x[i];
}

void sgd_update(int64_t count, float* w, const float* g, float* buf, float lr, float momentum,
                float wd, bool nesterov, int64_t step) {
  ref::sgd_update<float>(count, w, g, buf, lr, momentum, wd, nesterov, step);
}

void adam_update(int64_t count, float* w, const float* g, float* m, float* v, float lr, float beta1,
                 float beta2, float eps, float wd, bool decoupled, int64_t step) {
  ref::adam_update<float>(count, w, g, m, v, lr, beta1, beta2, eps, wd, decoupled, step);
}

void rmsprop_update(int64_t count, float* w, const float* g, float* sq, float* buf, float lr,
                    float alpha, float eps, float wd, float momentum) {
  ref::rmsprop_update<float>(count, w, g, sq, buf, lr, alpha, eps, wd, momentum);
}

}  // namespace jrnn::cpu
