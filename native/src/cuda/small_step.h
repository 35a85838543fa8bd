// small_step.h — the fused recurrent step for small batches (N <= kSmallBatch), host + device:
// one warp per hidden unit j computes, for every row n < N, the G gate dot products of W_hh's
// rows k*H + j with h_prev[n] (and, for jrnn_rnn_step, of W_ih's rows with x[n]), adds them up
// across the warp, and lane n runs the cell (cell_math.h) for element (n, j). One launch per time
// step (and per layer of a single step) instead of a GEMM, a split-K reduction and a pointwise
// kernel; W_hh is read once per step, which is what bounds N = 1 (bandwidth).
//
// h_prev must not be written while the kernel runs (all warps read every row of it): the plans
// copy it aside when a step updates the state in place (hy == hx).
#pragma once

#include "cuda/cell_math.h"

namespace jrnn::cuda {

constexpr int kSmallBatch = 8;
constexpr int kSmallStepWarps = 8;  // warps (units) per block

struct SmallStep {
  FwdStep s;          // the step; s.gi is the precomputed input projection unless x is given
  const float* w_hh;  // [G*H, H]
  const float* x;     // [N, C] or null
  const float* w_ih;  // [G*H, C] (with x)
  int64_t C;
};

template <int CELL, int MR>
struct SmallStepSums {
  float gi[gates_of(CELL)][MR];
  float gh[gates_of(CELL)][MR];
};

// Lane `lane`'s partial sums over k = lane, lane + 32, ... for unit j.
template <int CELL, int MR>
JRNN_HD_INLINE void small_step_lane(const SmallStep& a, int64_t j, int lane,
                                    SmallStepSums<CELL, MR>& acc) {
  constexpr int G = gates_of(CELL);
  const int64_t H = a.s.H, N = a.s.N;
  JRNN_UNROLL for (int k = 0; k < G; ++k) JRNN_UNROLL for (int r = 0; r < MR; ++r) {
    acc.gi[k][r] = 0.0f;
    acc.gh[k][r] = 0.0f;
  }
  for (int64_t c = lane; c < H; c += 32) {
    float w[G];
    JRNN_UNROLL for (int k = 0; k < G; ++k) w[k] = a.w_hh[(k * H + j) * H + c];
    JRNN_UNROLL for (int r = 0; r < MR; ++r) {
      if (r < N) {
        const float h = a.s.h_prev[r * H + c];
        JRNN_UNROLL for (int k = 0; k < G; ++k) acc.gh[k][r] = fmaf(w[k], h, acc.gh[k][r]);
      }
    }
  }
  if (a.x) {
    const int64_t C = a.C;
    for (int64_t c = lane; c < C; c += 32) {
      float w[G];
      JRNN_UNROLL for (int k = 0; k < G; ++k) w[k] = a.w_ih[(k * H + j) * C + c];
      JRNN_UNROLL for (int r = 0; r < MR; ++r) {
        if (r < N) {
          const float v = a.x[r * C + c];
          JRNN_UNROLL for (int k = 0; k < G; ++k) acc.gi[k][r] = fmaf(w[k], v, acc.gi[k][r]);
        }
      }
    }
  }
}

// After the warp's sums are complete (every lane holds them): element (n, j) for lane n < N.
// Rows are picked with compile-time indices only (no local-memory arrays on the device).
template <int CELL, int MR>
JRNN_HD_INLINE void small_step_finish(const SmallStep& a, int64_t j, int64_t n,
                                      const SmallStepSums<CELL, MR>& acc) {
  constexpr int G = gates_of(CELL);
  const FwdStep& s = a.s;
  const int64_t H = s.H, idx = n * H + j;
  if (s.lengths && s.t >= s.lengths[n]) {
    forward_carry<CELL>(s, idx, n, j);
    return;
  }
  float gi_v[G], gh_v[G];
  JRNN_UNROLL for (int k = 0; k < G; ++k) {
    float vi = 0.0f, vh = 0.0f;
    JRNN_UNROLL for (int r = 0; r < MR; ++r) {
      if (r == n) {
        vi = acc.gi[k][r];
        vh = acc.gh[k][r];
      }
    }
    gi_v[k] = a.x ? vi : s.gi[n * G * H + k * H + j];
    gh_v[k] = vh;
  }
  forward_cell<CELL>(s, idx, n, j, gi_v, gh_v);
}

}  // namespace jrnn::cuda
