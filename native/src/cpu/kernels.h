// kernels.h — the interface between the CPU path's drivers (fast_rnn.cc, compiled for any x86-64)
// and our own vector kernels (kernels_avx2.cc, kernels_avx512.cc, compiled with their ISA's flags
// and picked at run time, isa.h). Everything here is plain data and function pointers, so no
// ISA-specific code leaks into the generic translation units.
//
// The shape of the work (one layer and direction at a time):
//  - Forward weights are packed once per call into panels: panel p holds the hidden units
//    [p*U, (p+1)*U) of every gate, as rows k of [x segment: W_ih columns][h segment: W_hh columns]
//    with the gates of a unit side by side, so one micro-kernel tile (MR batch rows x one panel)
//    holds all gate pre-activations of its units and applies the cell right away (no gate buffer).
//  - Per time step [x_t | h_{t-1}] · panelᵀ fused with the cell's pointwise math. Threads split the
//    batch rows (no barrier between steps) or the hidden units (a spinning barrier per step), see
//    use_batch_split. For small batches (N < kFusedMinBatch) the input products of a chunk of
//    steps are a GEMM on the packed x segments before those steps.
//  - Backward per step: dh_{t-1} = dgh_t · W_hh (+ the direct part) fused with the pointwise
//    backward of step t-1; after each chunk of steps GEMMs fold the chunk's gate gradients into
//    the weight, bias and input gradients.
#pragma once

#include <cstdint>

#include "cpu/isa.h"
#include "cpu/pointwise.h"
#include "cpu/threads.h"

namespace jrnn::cpu {

constexpr int kMaxLanes = 16;          // widest vector (AVX-512 floats)
constexpr int64_t kFusedMinBatch = 8;  // N >= this: input product inside the step loop
constexpr int64_t kGiChunkRows = 512;  // else: computed for this many rows (whole steps) at a time
// Steps per chunk of precomputed input products (both the fast and the generic path).
inline int64_t gi_chunk_steps(int64_t T, int64_t N) {
  const int64_t steps = kGiChunkRows / N > 1 ? kGiChunkRows / N : 1;
  return steps < T ? steps : T;
}

// How threads share a layer's time loop: by batch rows (no barrier between steps; each thread
// streams all packed weights per step, so only while they are small enough to stay in the shared
// L3) or by hidden units (a spinning barrier per step). Depends on the shape only, never on the
// thread count, so the bias-gradient sums (fused in the hidden split, a column pass in the batch
// split) round the same for any number of threads.
constexpr int64_t kBatchSplitMinRows = 16;
constexpr int64_t kBatchSplitMaxPackBytes = int64_t(8) << 20;
inline bool use_batch_split(int64_t N, int64_t pack_floats) {
  return N >= kBatchSplitMinRows && pack_floats * 4 <= kBatchSplitMaxPackBytes;
}

// Backward keeps gate gradients for a chunk of steps at a time (then GEMMs fold them into the
// weight and input gradients): about kGiChunkRows rows per chunk.
inline int64_t bwd_chunk_steps(int64_t T, int64_t N) {
  return gi_chunk_steps(T, N);
}
// Lowest time index of chunk c (steps [c*chunk, (c+1)*chunk) in processing order).
inline int64_t bwd_chunk_t0(int64_t c, int64_t chunk, int64_t T, int reverse) {
  if (reverse) return c * chunk;
  const int64_t t0 = T - (c + 1) * chunk;
  return t0 > 0 ? t0 : 0;
}

// Geometry of the packed forward weights of one layer and direction for `lanes`-wide vectors.
struct FwdGeometry {
  int64_t C, H;
  int lanes;
  int nacc;              // accumulator vectors per batch row and panel (4 for every cell)
  int nbx, nbh;          // vectors per packed row in the x / h segment (LSTM 4/4, GRU 3/3, RNN 4/4)
  int units;             // hidden units per panel (LSTM/GRU: lanes, RNN: 4*lanes)
  int64_t panels;        // ceil(H / units)
  int64_t panel_floats;  // (C*nbx + H*nbh + nacc) * lanes: x segment, h segment, bias
};
FwdGeometry fwd_geometry(int cell, int64_t C, int64_t H, int lanes);
// Floats of packed forward weights for the widest case (any lanes <= kMaxLanes).
int64_t fwd_pack_floats(int cell, int64_t C, int64_t H);
// Floats per row of the precomputed input products in panel order (widest case).
int64_t fwd_gi_cols(int cell, int64_t H);
// Floats of packed backward W_hh (panels of up to 4*kMaxLanes units, GH rows each).
int64_t bwd_pack_floats(int cell, int64_t H);

// C [M,N] (+)= A [M,K] · B [K,N]; A[m][k] = a_trans ? a[k*lda+m] : a[m*lda+k], likewise B.
// Threads split the rows of C. K-blocked: the sum over k is formed in fixed blocks, the same for
// every thread count.
struct GemmJob {
  int64_t M, N, K;
  const float* a;
  int64_t lda;
  bool a_trans;
  const float* b;
  int64_t ldb;
  bool b_trans;
  float* c;
  int64_t ldc;
  bool accumulate;  // false: C = A·B
  // Optional (row-major B only): row k of B is taken as zero when time t = b_t0 + k / b_n is past
  // the length of sequence n = k % b_n (inputs past a length may hold anything, even NaN).
  const int32_t* b_lengths = nullptr;
  int64_t b_n = 1, b_t0 = 0;
};

// One layer and direction of a forward pass.
struct FwdJob {
  int cell;
  int64_t T, N, C, H;
  int reverse;                             // 1: time runs T-1 .. 0
  const int32_t* lengths;                  // [N] or null
  const float* x;                          // [T,N,C]
  const float *w_ih, *w_hh, *b_ih, *b_hh;  // flat-buffer views; biases may be null
  float* wpack;                            // fwd_pack_floats() floats
  // Small batches (N < kFusedMinBatch): the input products x·W_ihᵀ of a chunk of steps
  // (gi_chunk_steps) are computed first, each thread for its own panels, into gi: row
  // (t - t_chunk)*N + n, panel p's nbx vectors at p*nbx*lanes (panel order, gi_cols floats a row).
  // Null: the input product runs inside each step (fused).
  float* gi;
  int64_t s_begin, s_end;  // forward_steps runs steps [s_begin, s_end) in processing order
  int batch_split;         // threads split batch rows (use_batch_split) instead of hidden units
  const float *h0, *c0;    // [N,H] initial state (zeros when the caller has none)
  float* y;                // row (t,n) at y + (t*N+n)*ldy (already offset by direction*H)
  int64_t ldy;
  // training: the reserve's per-step records (null for inference)
  float *states, *cells, *gates, *ghn;
  // inference: ping-pong state buffers [N,H]
  float *hbuf[2], *cbuf[2];
  float *hy, *cy;  // [N,H] final state, or null
};

// One layer and direction of a backward pass (BPTT over the records of the training forward).
struct BwdJob {
  int cell;
  int64_t T, N, H;
  int reverse;
  const int32_t* lengths;
  const float* w_hh;
  float* wpack;                               // bwd_pack_floats() floats
  const float *gates, *states, *cells, *ghn;  // reserve records [T,N,...]
  const float *h0, *c0;                       // [N,H] initial state (zeros when none)
  const float* dy;  // row (t,n) at dy + (t*N+n)*ldy (offset by direction*H), or null
  int64_t ldy;
  const float *dhy, *dcy;  // [N,H] or null
  // Gate gradients of the steps, kept per chunk of bwd_chunk_steps() steps for the weight GEMMs:
  // step s (time t) goes to ring slot (s / chunk) % 2 at row block t - bwd_chunk_t0(): each slot
  // [chunk, N, G*H], in time order. dgh == dgi except GRU.
  float *dgi_ring[2], *dgh_ring[2];
  int64_t chunk;
  int64_t s_begin, s_end;  // backward_steps runs steps [s_begin, s_end) of the processing order
  float *dc, *dhd;         // [N,H] work: cell-state gradient, direct part of dh_{t-1}
  float *dh0, *dc0;        // [N,H] out, or null
  float *db_ih, *db_hh;    // [G*H] bias gradients, ACCUMULATED as the steps go, or null (must
                           //   be null with batch_split: rows of one unit meet on two threads)
  int batch_split;
};

struct Kernels {
  Isa isa;
  int lanes;
  // Forward: packs this thread's panels, then runs the time loop (barrier between steps). The
  // panel split is the same in both, so a thread reads only what it packed itself.
  void (*pack_forward)(const FwdJob& job, int tid, int nt);
  void (*forward_steps)(const FwdJob& job, int tid, int nt, Barrier* barrier);
  // Backward: nvb = vectors per unit panel (1, 2 or 4); same split rule as forward.
  void (*pack_backward)(const BwdJob& job, int nvb, int tid, int nt);
  void (*backward_steps)(const BwdJob& job, int nvb, int tid, int nt, Barrier* barrier);
  // Row-split GEMM (see GemmJob); thread tid does its share of the rows, no barrier inside.
  void (*gemm)(const GemmJob& job, int tid, int nt);
  // sums[c] (and sums2[c] unless null) += sum over rows r of m[r*cols + c]; threads split columns.
  void (*column_sums)(const float* m, int64_t rows, int64_t cols, float* sums, float* sums2,
                      int tid, int nt);
  // out[n*ldo + r] = Σ_k w[r*K + k] x[n*ldx + k] for r < R, n < N (any N; meant for N < 8):
  // w read in place once. Threads split the rows of w.
  void (*gemv_rows)(const float* w, int64_t R, int64_t K, const float* x, int64_t ldx, int64_t N,
                    float* out, int64_t ldo, int tid, int nt);
  // y = f(x) elementwise with the kernels' activations (0 sigmoid, 1 tanh, 2 exp): the tests,
  // and the softmax / cross-entropy exp of ops_cpu.cc. x may equal y.
  void (*activation)(int kind, const float* x, float* y, int64_t n);
  // The pointwise pass of a decoding step (cpu/step.cc), with the activations above: s has no
  // lengths, y, gates or ghn. One thread.
  void (*step_pointwise)(const ForwardStep& s);
};

// The kernels of an ISA, or null for Isa::kGeneric (which uses OpenBLAS + pointwise.cc).
const Kernels* kernels_for(Isa isa);

namespace avx512 {
const Kernels* kernels();
}
namespace avx2 {
const Kernels* kernels();
}

}  // namespace jrnn::cpu
