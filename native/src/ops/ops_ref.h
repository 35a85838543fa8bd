// ops_ref.h — reference implementations (plain loops, float or double) of the training building
// blocks declared in jrnn.h: linear, embedding, softmax/cross-entropy, BCE, MSE, dropout,
// last-step gather, reductions and optimiser updates. Never optimised: this is the oracle that the
// CPU (ops_cpu.cc) and, later, CUDA versions are tested against (native/tests/test_ops.cc).
// Argument order follows llm.c: outputs first where they are the point, then inputs, then sizes;
// here we keep jrnn.h's order (sizes, inputs, outputs) so each reference reads like its C API.
#pragma once

#include <cmath>
#include <cstdint>

namespace jrnn::ref {

// y [M, O] = x [M, I] · wᵀ (w [O, I]) + b [O] (b may be null).
template <typename F>
void linear_forward(int64_t M, int64_t I, int64_t O, const F* x, const F* w, const F* b, F* y) {
  for (int64_t m = 0; m < M; ++m)
    for (int64_t o = 0; o < O; ++o) {
      F acc = b ? b[o] : F(0);
      for (int64_t i = 0; i < I; ++i) acc += x[m * I + i] * w[o * I + i];
      y[m * O + o] = acc;
    }
}

// dx [M, I] = dy · w (overwritten); dw [O, I] += dyᵀ · x; db [O] += Σ_m dy. Each output optional.
template <typename F>
void linear_backward(int64_t M, int64_t I, int64_t O, const F* x, const F* w, const F* dy, F* dx,
                     F* dw, F* db) {
  if (dx)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t i = 0; i < I; ++i) {
        F acc = 0;
        for (int64_t o = 0; o < O; ++o) acc += dy[m * O + o] * w[o * I + i];
        dx[m * I + i] = acc;
      }
  if (dw)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < I; ++i) {
        F acc = 0;
        for (int64_t m = 0; m < M; ++m) acc += dy[m * O + o] * x[m * I + i];
        dw[o * I + i] += acc;
      }
  if (db)
    for (int64_t o = 0; o < O; ++o) {
      F acc = 0;
      for (int64_t m = 0; m < M; ++m) acc += dy[m * O + o];
      db[o] += acc;
    }
}

// y [M, E] = table [V, E] row ids[m]; id -1 gives a zero row. Ids are validated by the caller.
template <typename F>
void embedding_forward(int64_t M, int64_t E, const int32_t* ids, const F* table, F* y) {
  for (int64_t m = 0; m < M; ++m)
    for (int64_t e = 0; e < E; ++e) y[m * E + e] = ids[m] < 0 ? F(0) : table[ids[m] * E + e];
}

template <typename F>
void embedding_backward(int64_t M, int64_t E, const int32_t* ids, const F* dy, F* dtable) {
  for (int64_t m = 0; m < M; ++m)
    if (ids[m] >= 0)
      for (int64_t e = 0; e < E; ++e) dtable[ids[m] * E + e] += dy[m * E + e];
}

// Row-wise softmax (log_softmax = false) or log-softmax (true), max-subtracted for stability.
template <typename F>
void softmax(int64_t M, int64_t K, const F* x, bool log_softmax, F* y) {
  for (int64_t m = 0; m < M; ++m) {
    const F* row = x + m * K;
    F mx = row[0];
    for (int64_t k = 1; k < K; ++k) mx = row[k] > mx ? row[k] : mx;
    F sum = 0;
    for (int64_t k = 0; k < K; ++k) sum += std::exp(row[k] - mx);
    const F log_sum = std::log(sum);
    for (int64_t k = 0; k < K; ++k)
      y[m * K + k] = log_softmax ? row[k] - mx - log_sum : std::exp(row[k] - mx - log_sum);
  }
}

// Cross-entropy against q = (1-s)·onehot + s/K; rows with target -1 are ignored (loss 0, grad 0).
// loss [M] and dlogits [M, K] are each optional; dlogits = scale·(softmax - q).
template <typename F>
void softmax_cross_entropy(int64_t M, int64_t K, const F* logits, const int32_t* targets,
                           F smoothing, F scale, F* loss, F* dlogits) {
  for (int64_t m = 0; m < M; ++m) {
    const F* row = logits + m * K;
    const int32_t target = targets[m];
    if (target < 0) {
      if (loss) loss[m] = 0;
      if (dlogits)
        for (int64_t k = 0; k < K; ++k) dlogits[m * K + k] = 0;
      continue;
    }
    F mx = row[0];
    for (int64_t k = 1; k < K; ++k) mx = row[k] > mx ? row[k] : mx;
    F sum = 0;
    for (int64_t k = 0; k < K; ++k) sum += std::exp(row[k] - mx);
    const F log_sum = std::log(sum) + mx;
    F row_loss = 0;
    for (int64_t k = 0; k < K; ++k) {
      const F q = (k == target ? F(1) - smoothing : F(0)) + smoothing / F(K);
      const F logp = row[k] - log_sum;
      row_loss -= q * logp;
      if (dlogits) dlogits[m * K + k] = scale * (std::exp(logp) - q);
    }
    if (loss) loss[m] = row_loss;
  }
}

// Binary cross-entropy on logits with optional row weights w (null = 1).
template <typename F>
void bce_with_logits(int64_t M, const F* z, const F* t, const F* w, F scale, F* loss, F* dz) {
  for (int64_t m = 0; m < M; ++m) {
    const F weight = w ? w[m] : F(1);
    const F zm = z[m];
    if (loss)
      loss[m] = weight * ((zm > 0 ? zm : F(0)) - zm * t[m] + std::log1p(std::exp(-std::fabs(zm))));
    if (dz) dz[m] = scale * weight * (F(1) / (F(1) + std::exp(-zm)) - t[m]);
  }
}

// Squared error per row with optional row weights.
template <typename F>
void mse(int64_t M, int64_t K, const F* p, const F* t, const F* w, F scale, F* loss, F* dp) {
  for (int64_t m = 0; m < M; ++m) {
    const F weight = w ? w[m] : F(1);
    F acc = 0;
    for (int64_t k = 0; k < K; ++k) {
      const F d = p[m * K + k] - t[m * K + k];
      acc += d * d;
      if (dp) dp[m * K + k] = scale * F(2) * weight * d;
    }
    if (loss) loss[m] = weight * acc;
  }
}

// The counter-based hash behind dropout (splitmix64 finaliser of seed ^ index): one 32-bit draw per
// element, the same on every device, so backward recomputes the mask instead of storing it.
inline uint32_t dropout_draw(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<uint32_t>(z >> 32);
}

inline uint32_t dropout_threshold(double p) {
  const double t = p * 4294967296.0;
  return t >= 4294967295.0 ? 0xFFFFFFFFu : static_cast<uint32_t>(t);
}

template <typename F>
void dropout(int64_t count, double p, uint64_t seed, const F* x, F* y) {
  const uint32_t threshold = dropout_threshold(p);
  const F keep_scale = F(1) / F(1 - p);
  for (int64_t i = 0; i < count; ++i)
    y[i] = dropout_draw(seed, static_cast<uint64_t>(i)) >= threshold ? x[i] * keep_scale : F(0);
}

// out [N, F] = y [T, N, F] at t = len[n] - 1; the backward accumulates into dy at those positions.
template <typename F>
void gather_last(int64_t T, int64_t N, int64_t Fdim, const int32_t* lengths, const F* y, F* out) {
  for (int64_t n = 0; n < N; ++n) {
    const int64_t t = (lengths ? lengths[n] : T) - 1;
    for (int64_t f = 0; f < Fdim; ++f) out[n * Fdim + f] = y[(t * N + n) * Fdim + f];
  }
}

template <typename F>
void gather_last_backward(int64_t T, int64_t N, int64_t Fdim, const int32_t* lengths, const F* dout,
                          F* dy) {
  for (int64_t n = 0; n < N; ++n) {
    const int64_t t = (lengths ? lengths[n] : T) - 1;
    for (int64_t f = 0; f < Fdim; ++f) dy[(t * N + n) * Fdim + f] += dout[n * Fdim + f];
  }
}

// ---- optimisers (PyTorch's update rules; see jrnn.h for the formulas)

template <typename F>
void sgd_update(int64_t count, F* w, const F* g, F* buf, F lr, F momentum, F wd, bool nesterov,
                int64_t step) {
  for (int64_t i = 0; i < count; ++i) {
    F grad = g[i] + wd * w[i];
    if (momentum != F(0)) {
      buf[i] = step <= 1 ? grad : momentum * buf[i] + grad;
      grad = nesterov ? grad + momentum * buf[i] : buf[i];
    }
    w[i] -= lr * grad;
  }
}

template <typename F>
void adam_update(int64_t count, F* w, const F* g, F* m, F* v, F lr, F beta1, F beta2, F eps, F wd,
                 bool decoupled, int64_t step) {
  const F bias1 = F(1) - std::pow(beta1, F(step));
  const F bias2 = F(1) - std::pow(beta2, F(step));
  for (int64_t i = 0; i < count; ++i) {
    F grad = g[i];
    if (decoupled)
      w[i] -= lr * wd * w[i];
    else
      grad += wd * w[i];
    m[i] = beta1 * m[i] + (F(1) - beta1) * grad;
    v[i] = beta2 * v[i] + (F(1) - beta2) * grad * grad;
    w[i] -= lr * (m[i] / bias1) / (std::sqrt(v[i] / bias2) + eps);
  }
}

template <typename F>
void rmsprop_update(int64_t count, F* w, const F* g, F* sq, F* buf, F lr, F alpha, F eps, F wd,
                    F momentum) {
  for (int64_t i = 0; i < count; ++i) {
    const F grad = g[i] + wd * w[i];
    sq[i] = alpha * sq[i] + (F(1) - alpha) * grad * grad;
    const F step = grad / (std::sqrt(sq[i]) + eps);
    if (momentum != F(0)) {
      buf[i] = momentum * buf[i] + step;
      w[i] -= lr * buf[i];
    } else {
      w[i] -= lr * step;
    }
  }
}

}  // namespace jrnn::ref
