// gemm_kernels.h — the GEMM kernels of gemm.cu written as "block programs": per-thread phase
// functions (fetch a tile into registers, stash it in shared memory, multiply, store) compiled for
// host and device. gemm.cu's kernels are thin drivers that call the phases between barriers;
// test_cuda_host emulates a block on the CPU by running every thread through the same phases, so
// all index math, bounds checks, split-K ranges and double-buffer use are tested without a GPU
// (only the tensor-core MMA itself is emulated there, from the same fragment pointers).
//
// Contract (gemm.cuh): C [M, N] = alpha · op(A) · op(B) + beta · C (+ bias[col]), row-major;
// op(A)(i, k) = TA ? A[k*lda + i] : A[i*lda + k]; op(B)(k, j) = TB ? B[j*ldb + k] : B[k*ldb + j].
// With split-K, block (x, z) multiplies K range [z*k_chunk, min(K, (z+1)*k_chunk)) and writes raw
// sums to partial[z][M][N]; splitk_element finishes (alpha, beta, bias) in a fixed order.
#pragma once

#include <cstdint>

#include "cuda/host_device.h"

namespace jrnn::cuda {

struct GemmArgs {
  int M, N, K;
  int64_t lda, ldb, ldc;
  float alpha, beta;
  const float* A;
  const float* B;
  float* C;
  const float* bias;  // [N] or null
  float* partial;     // split-K: [splits, M, N] raw sums; null without split
  int k_chunk;        // K range of split z: [z*k_chunk, min(K, (z+1)*k_chunk))
};

template <bool TA>
JRNN_HD_INLINE float load_a(const GemmArgs& g, int i, int k) {
  return TA ? g.A[int64_t(k) * g.lda + i] : g.A[int64_t(i) * g.lda + k];
}
template <bool TB>
JRNN_HD_INLINE float load_b(const GemmArgs& g, int k, int j) {
  return TB ? g.B[int64_t(j) * g.ldb + k] : g.B[int64_t(k) * g.ldb + j];
}

// The final value of C[row, col] from a full sum.
JRNN_HD_INLINE void finish_c(const GemmArgs& g, int row, int col, float sum) {
  float* c = g.C + int64_t(row) * g.ldc + col;
  float v = g.alpha * sum;
  if (g.beta != 0.0f) v += g.beta * *c;  // beta == 0 never reads C (it may hold NaN)
  if (g.bias) v += g.bias[col];
  *c = v;
}

// One output element of a block: to the split's partials, or finished.
JRNN_HD_INLINE void store_c(const GemmArgs& g, int split, int row, int col, float acc) {
  if (g.partial)
    g.partial[(int64_t(split) * g.M + row) * g.N + col] = acc;
  else
    finish_c(g, row, col, acc);
}

// Split-K reduction of element idx of M*N (fixed order over splits: deterministic).
JRNN_HD_INLINE void splitk_element(const GemmArgs& g, int splits, int64_t idx) {
  const int64_t total = int64_t(g.M) * g.N;
  float s = 0.0f;
  for (int z = 0; z < splits; ++z) s += g.partial[z * total + idx];
  finish_c(g, int(idx / g.N), int(idx % g.N), s);
}

// Where block (x, z) works: tiles numbered with M fastest (x = tile_m + tiles_m * tile_n).
struct TileCoords {
  int m0, n0, k_begin, k_end;
};
JRNN_HD_INLINE TileCoords tile_coords(const GemmArgs& g, int BM, int BN, unsigned x, unsigned z) {
  const int tiles_m = (g.M + BM - 1) / BM;
  TileCoords tc;
  tc.m0 = int(x % unsigned(tiles_m)) * BM;
  tc.n0 = int(x / unsigned(tiles_m)) * BN;
  tc.k_begin = int(z) * g.k_chunk;
  const int64_t end = int64_t(tc.k_begin) + g.k_chunk;
  tc.k_end = end < g.K ? int(end) : g.K;
  return tc;
}

// ---------------------------------------------------------------- tiled fp32 (SIMT)
// Block tile BM x BN, K step BK; thread tid owns a TM x TN micro-tile at rows ty + i·(BM/TM) and
// columns tx + j·(BN/TN) (ty = tid / (BN/TN), tx = tid % (BN/TN)): strided, so a warp reads
// shared memory without bank conflicts and writes C in runs of BN/TN columns. Shared tiles are
// k-major (As[k][m], Bs[k][n]) and padded by 4 floats so the transposing stores spread over
// banks; two buffers: the kernel fetches tile k+1 into registers, multiplies tile k, stashes k+1
// into the other buffer, then one barrier.
template <bool TA, bool TB, int BM, int BN, int BK, int TM, int TN>
struct SimtTile {
  static constexpr int kThreads = (BM / TM) * (BN / TN);
  static constexpr int kBM = BM, kBN = BN, kBK = BK;
  static constexpr int A_LOADS = BM * BK / kThreads, B_LOADS = BK * BN / kThreads;
  static_assert(A_LOADS * kThreads == BM * BK && B_LOADS * kThreads == BK * BN,
                "a tile must split evenly over the threads");

  struct Shared {
    float As[2][BK][BM + 4];
    float Bs[2][BK][BN + 4];
  };
  struct Regs {
    float ra[A_LOADS];
    float rb[B_LOADS];
    float acc[TM][TN];
  };

  // Element `load` of a thread's share of the A / B tile: (row or column, k) within the tile.
  JRNN_HD_INLINE static void a_slot(int tid, int load, int& r, int& kk) {
    const int idx = tid + load * kThreads;
    r = TA ? idx % BM : idx / BK;  // read along the contiguous dimension of A
    kk = TA ? idx / BM : idx % BK;
  }
  JRNN_HD_INLINE static void b_slot(int tid, int load, int& c, int& kk) {
    const int idx = tid + load * kThreads;
    c = TB ? idx / BK : idx % BN;
    kk = TB ? idx % BK : idx / BN;
  }

  JRNN_HD_INLINE static void init(Regs& r) {
    JRNN_UNROLL for (int i = 0; i < TM; ++i) JRNN_UNROLL for (int j = 0; j < TN; ++j) r.acc[i][j] =
        0.0f;
  }
  JRNN_HD_INLINE static void fetch(const GemmArgs& g, const TileCoords& tc, int tid, int k0,
                                   Regs& r) {
    JRNN_UNROLL for (int l = 0; l < A_LOADS; ++l) {
      int row, kk;
      a_slot(tid, l, row, kk);
      const int gm = tc.m0 + row, gk = k0 + kk;
      r.ra[l] = gm < g.M && gk < tc.k_end ? load_a<TA>(g, gm, gk) : 0.0f;
    }
    JRNN_UNROLL for (int l = 0; l < B_LOADS; ++l) {
      int col, kk;
      b_slot(tid, l, col, kk);
      const int gn = tc.n0 + col, gk = k0 + kk;
      r.rb[l] = gn < g.N && gk < tc.k_end ? load_b<TB>(g, gk, gn) : 0.0f;
    }
  }
  JRNN_HD_INLINE static void stash(Shared& sh, int tid, int buf, const Regs& r) {
    JRNN_UNROLL for (int l = 0; l < A_LOADS; ++l) {
      int row, kk;
      a_slot(tid, l, row, kk);
      sh.As[buf][kk][row] = r.ra[l];
    }
    JRNN_UNROLL for (int l = 0; l < B_LOADS; ++l) {
      int col, kk;
      b_slot(tid, l, col, kk);
      sh.Bs[buf][kk][col] = r.rb[l];
    }
  }
  JRNN_HD_INLINE static void compute(const Shared& sh, int tid, int buf, Regs& r) {
    const int ty = tid / (BN / TN), tx = tid % (BN / TN);
    JRNN_UNROLL for (int kk = 0; kk < BK; ++kk) {
      float a[TM], b[TN];
      JRNN_UNROLL for (int i = 0; i < TM; ++i) a[i] = sh.As[buf][kk][ty + i * (BM / TM)];
      JRNN_UNROLL for (int j = 0; j < TN; ++j) b[j] = sh.Bs[buf][kk][tx + j * (BN / TN)];
      JRNN_UNROLL for (int i = 0; i < TM; ++i) JRNN_UNROLL for (int j = 0; j < TN; ++j)
          r.acc[i][j] = fmaf(a[i], b[j], r.acc[i][j]);
    }
  }
  JRNN_HD_INLINE static void store(const GemmArgs& g, const TileCoords& tc, int split, int tid,
                                   const Regs& r) {
    const int ty = tid / (BN / TN), tx = tid % (BN / TN);
    JRNN_UNROLL for (int i = 0; i < TM; ++i) {
      const int row = tc.m0 + ty + i * (BM / TM);
      if (row >= g.M) continue;
      JRNN_UNROLL for (int j = 0; j < TN; ++j) {
        const int col = tc.n0 + tx + j * (BN / TN);
        if (col < g.N) store_c(g, split, row, col, r.acc[i][j]);
      }
    }
  }
};

// ---------------------------------------------------------------- TF32 tensor cores
// 64x64 block tile, 4 warps of 32x32 (2x2 WMMA fragments of 16x16), K step 16 (two k8 MMAs).
// Shared tiles in the fragments' row-major layouts (As[m][k], Bs[k][n]) with row strides 20 and
// 68 floats: multiples of 4 (WMMA's ldm rule for 32-bit types) that keep every fragment pointer
// 32-byte aligned. Inputs are rounded to TF32 when stashed. The accumulators go through shared
// memory (Cs) for a bounds-checked epilogue.
JRNN_HD_INLINE float round_to_tf32(float v);  // defined below (device: the hardware conversion)

template <bool TA, bool TB>
struct Tf32Tile {
  static constexpr int kThreads = 128, kBM = 64, kBN = 64, kBK = 16;
  static constexpr int LDA = kBK + 4, LDB = kBN + 4, LDC = kBN + 4;
  static constexpr int A_LOADS = kBM * kBK / kThreads, B_LOADS = kBK * kBN / kThreads;

  struct alignas(128) Shared {
    float As[2][kBM][LDA];
    float Bs[2][kBK][LDB];
    float Cs[kBM][LDC];
  };
  struct Regs {
    float ra[A_LOADS];
    float rb[B_LOADS];
  };

  JRNN_HD_INLINE static void a_slot(int tid, int load, int& r, int& kk) {
    const int idx = tid + load * kThreads;
    r = TA ? idx % kBM : idx / kBK;
    kk = TA ? idx / kBM : idx % kBK;
  }
  JRNN_HD_INLINE static void b_slot(int tid, int load, int& c, int& kk) {
    const int idx = tid + load * kThreads;
    c = TB ? idx / kBK : idx % kBN;
    kk = TB ? idx % kBK : idx / kBN;
  }
  JRNN_HD_INLINE static void fetch(const GemmArgs& g, const TileCoords& tc, int tid, int k0,
                                   Regs& r) {
    JRNN_UNROLL for (int l = 0; l < A_LOADS; ++l) {
      int row, kk;
      a_slot(tid, l, row, kk);
      const int gm = tc.m0 + row, gk = k0 + kk;
      r.ra[l] = gm < g.M && gk < tc.k_end ? load_a<TA>(g, gm, gk) : 0.0f;
    }
    JRNN_UNROLL for (int l = 0; l < B_LOADS; ++l) {
      int col, kk;
      b_slot(tid, l, col, kk);
      const int gn = tc.n0 + col, gk = k0 + kk;
      r.rb[l] = gn < g.N && gk < tc.k_end ? load_b<TB>(g, gk, gn) : 0.0f;
    }
  }
  JRNN_HD_INLINE static void stash(Shared& sh, int tid, int buf, const Regs& r) {
    JRNN_UNROLL for (int l = 0; l < A_LOADS; ++l) {
      int row, kk;
      a_slot(tid, l, row, kk);
      sh.As[buf][row][kk] = round_to_tf32(r.ra[l]);
    }
    JRNN_UNROLL for (int l = 0; l < B_LOADS; ++l) {
      int col, kk;
      b_slot(tid, l, col, kk);
      sh.Bs[buf][kk][col] = round_to_tf32(r.rb[l]);
    }
  }
  // The 16x8 A fragment (i, kk) and 8x16 B fragment (j, kk) of warp `warp`, and its 16x16
  // accumulator (i, j) in Cs. Warp w covers rows (w/2)*32 + [0,32), columns (w%2)*32 + [0,32).
  JRNN_HD_INLINE static const float* a_frag(const Shared& sh, int buf, int warp, int i, int kk) {
    return &sh.As[buf][(warp / 2) * 32 + i * 16][kk];
  }
  JRNN_HD_INLINE static const float* b_frag(const Shared& sh, int buf, int warp, int j, int kk) {
    return &sh.Bs[buf][kk][(warp % 2) * 32 + j * 16];
  }
  JRNN_HD_INLINE static float* c_frag(Shared& sh, int warp, int i, int j) {
    return &sh.Cs[(warp / 2) * 32 + i * 16][(warp % 2) * 32 + j * 16];
  }
  JRNN_HD_INLINE static void epilogue(const GemmArgs& g, const TileCoords& tc, int split, int tid,
                                      const Shared& sh) {
    for (int idx = tid; idx < kBM * kBN; idx += kThreads) {
      const int r = idx / kBN, c = idx % kBN;
      const int row = tc.m0 + r, col = tc.n0 + c;
      if (row < g.M && col < g.N) store_c(g, split, row, col, sh.Cs[r][c]);
    }
  }
};

// ---------------------------------------------------------------- skinny NT products
// M <= MR rows, A not transposed, B transposed (B row j holds column j of op(B)): one warp per
// output column; lane `lane` sums k = lane, lane+32, ...; the warp then adds its 32 lane sums.
template <int MR>
JRNN_HD_INLINE void skinny_lane_sums(const GemmArgs& g, int64_t col, int lane, float (&acc)[MR]) {
  const float* brow = g.B + col * g.ldb;
  JRNN_UNROLL for (int r = 0; r < MR; ++r) acc[r] = 0.0f;
  for (int k = lane; k < g.K; k += 32) {
    const float b = brow[k];
    JRNN_UNROLL for (int r = 0; r < MR; ++r) if (r < g.M) acc[r] =
        fmaf(g.A[int64_t(r) * g.lda + k], b, acc[r]);
  }
}

// ---------------------------------------------------------------- column sums
// sums[col] += Σ rows of m [rows, cols]: block (32 columns, 8 row lanes) per chunk of rows.
JRNN_HD_INLINE float column_lane_sum(int64_t rows, int64_t cols, int64_t rows_per_chunk,
                                     const float* m, int64_t col, int chunk, int lane_y) {
  const int64_t r_begin = int64_t(chunk) * rows_per_chunk;
  const int64_t r_stop = r_begin + rows_per_chunk < rows ? r_begin + rows_per_chunk : rows;
  float s = 0.0f;
  if (col < cols)
    for (int64_t r = r_begin + lane_y; r < r_stop; r += 8) s += m[r * cols + col];
  return s;
}

// ---------------------------------------------------------------- TF32 rounding
// cvt.rna.tf32.f32 (round to nearest, ties away from zero, on the 10-bit mantissa); the host
// version does the same on the bit pattern (finite values), for the emulation in tests.
JRNN_HD_INLINE float round_to_tf32(float v) {
#if defined(__CUDA_ARCH__)
  uint32_t out;
  asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(out) : "f"(v));
  return __uint_as_float(out);
#else
  uint32_t bits;
  __builtin_memcpy(&bits, &v, 4);
  if ((bits & 0x7f800000u) != 0x7f800000u) {  // not Inf/NaN
    bits += 0x1000u;
    bits &= 0xffffe000u;
  }
  float out;
  __builtin_memcpy(&out, &bits, 4);
  return out;
#endif
}

}  // namespace jrnn::cuda
