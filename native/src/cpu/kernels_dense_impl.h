// kernels_dense_impl.h — the dense kernels of the CPU path, beside the recurrent ones of
// kernels_impl.h: the blocked GEMM (weight and input gradients, Ops.linear, decoding steps with
// N >= 8), column sums (bias gradients), the matrix-vector kernel (decoding steps with N < 8) and a
// decoding step's pointwise pass. Included ONLY by kernels_impl.h, at the point where these come,
// inside its ISA namespace (Tr, V, W and the helpers above that point are defined there).

// ------------------------------------------------------------------ GEMM (row split)

// Micro-tile: MR rows x NV vectors of accumulators. AVX-512 (32 zmm): 6 x 4 (24 accumulators, 4
// B vectors, a broadcast). AVX2 (16 ymm): 6 x 2 (12 accumulators, 2 B vectors, a broadcast: 8
// loads per 12 FMAs); its first tile, 3 x 4, had no register left for B and so loaded every B
// vector once per row (13 loads per 12 FMAs): 53-58 GFLOP/s on one Zen 5 core against OpenBLAS
// Haswell's 92-97 (bench/cpu/NOTES.md step 14).
constexpr int kGemmNV = Tr::W == 8 ? 2 : 4;
constexpr int kGemmMR = Tr::kMaxAcc / kGemmNV < 6 ? Tr::kMaxAcc / kGemmNV : 6;
constexpr int kGemmNR = kGemmNV * W;
// Two blockings, picked by the size of C (both measured in training steps, bench/cpu/NOTES.md
// step 10):
// - in place (C below kGemmPackedMinC elements): K blocks of 256; the packed B block [KC][NC]
//   (512 KB) stays in L2, each A tile (MR rows, or MR columns of A^T) is read where it lies.
// - packed (larger C, e.g. the weight gradients of H >= 512): BLIS order. A B micro-panel
//   [KC][NR] (32 KB with AVX-512, KC = 128) stays in L1 while the micro-kernel runs down an A
//   block of MC rows packed as [KC][MR] tiles (96 KB, in L2): no A^T rows 8-16 KB apart (one L1
//   set) read again for every panel, and C's tile is prefetched while the micro-kernel runs.
//   AVX2 takes the packed blocking from 2^16 elements of C (its B micro-panel is 8 KB): the
//   in-place read of A^T, 4 KB apart per k, ran at 70 GFLOP/s on dW of LSTM S1 (1024 x 256),
//   packed at 97 (one Zen 5 core, bench/cpu/NOTES.md step 14).
// Both sum each C element over its K blocks in order: results do not depend on the thread count.
constexpr int64_t kGemmNC = 512;
constexpr int64_t kGemmInPlaceKC = 256;
constexpr int64_t kGemmPackedKC = 128;
constexpr int64_t kGemmMC = 32 * kGemmMR;
constexpr int64_t kGemmPackedMinC = W == 8 ? int64_t(1) << 16 : int64_t(1) << 20;
constexpr int64_t kGemmSwapMaxC = int64_t(1) << 20;  // Cᵀ = W·Xᵀ below this (gemm())

// Packs B[pc.., jc..] (kc rows, nc columns) as panels of [kc][NR], zero past N and in rows that
// b_lengths marks as past a sequence's end.
static void gemm_pack_b(const GemmJob& g, int64_t pc, int64_t kc, int64_t jc, int64_t nc,
                        float* bblk) {
  constexpr int NR = kGemmNR;
  const int64_t np = (nc + NR - 1) / NR;
  for (int64_t jp = 0; jp < np; ++jp) {
    float* d = bblk + jp * kc * NR;
    const int64_t c0 = jc + jp * NR;
    if (!g.b_trans) {
      for (int64_t k = 0; k < kc; ++k) {
        const float* src = g.b + (pc + k) * g.ldb + c0;
        const bool zero_row =
            g.b_lengths && g.b_t0 + (pc + k) / g.b_n >= g.b_lengths[(pc + k) % g.b_n];
#pragma GCC unroll 4
        for (int v = 0; v < kGemmNV; ++v) {
          const int nl = zero_row ? 0 : lanes_left(g.N, c0 + v * W);
          Tr::store(d + k * NR + v * W, nl > 0 ? Tr::load(src + v * W, nl) : Tr::zero());
        }
      }
    } else {  // B[k][n] = b[n*ldb + k]: W x W register transposes, edges one by one
      for (int v = 0; v < kGemmNV; ++v) {
        const int64_t cv = c0 + v * W;
        const int nu = lanes_left(g.N, cv);
        for (int64_t k0 = 0; k0 < kc; k0 += W) {
          const int kb = (int)imin(W, kc - k0);
          const float* s0 = g.b + cv * g.ldb + pc + k0;
          float* d0 = d + k0 * NR + v * W;
          if (kb == W && nu == W) {
            V r[W];
#pragma GCC unroll 16
            for (int u = 0; u < W; ++u) r[u] = Tr::load(s0 + u * g.ldb);
            Tr::transpose(r);
#pragma GCC unroll 16
            for (int kk = 0; kk < W; ++kk) Tr::store(d0 + kk * NR, r[kk]);
          } else {
            for (int kk = 0; kk < kb; ++kk)
              for (int u = 0; u < W; ++u) d0[kk * NR + u] = u < nu ? s0[u * g.ldb + kk] : 0.0f;
          }
        }
      }
    }
  }
}

// Packs rows [m0, m0 + mc) of A, columns [pc, pc + kc), as tiles of [kc][MR] (zero past M).
// (A^T packed row by row of A^T instead, all tiles at once, measured slower: 32 store streams.)
static void gemm_pack_a(const GemmJob& g, int64_t m0, int64_t mc, int64_t pc, int64_t kc,
                        float* ablk) {
  constexpr int MR = kGemmMR;
  for (int64_t i = 0; i < mc; i += MR) {
    float* d = ablk + i * kc;
    const int rows = (int)imin(MR, mc - i);
    if (g.a_trans) {  // A[m][k] = a[k*lda + m]: MR consecutive floats per k
      const float* src = g.a + pc * g.lda + m0 + i;
      for (int64_t k = 0; k < kc; ++k) Tr::store(d + k * MR, Tr::load(src + k * g.lda, rows), MR);
    } else {
      for (int m = 0; m < MR; ++m) {
        const float* src = g.a + (m0 + i + m) * g.lda + pc;
        if (m < rows)
          for (int64_t k = 0; k < kc; ++k) d[k * MR + m] = src[k];
        else
          for (int64_t k = 0; k < kc; ++k) d[k * MR + m] = 0.0f;
      }
    }
  }
}

// C[row0 + m][c0 ..] = (or +=) tile[m] for m < rows, columns up to N.
JRNN_INLINE void gemm_store_tile(const GemmJob& g, const float (*tile)[kGemmNV][W], int64_t row0,
                                 int rows, int64_t c0, bool add) {
  for (int m = 0; m < rows; ++m) {
    float* crow = g.c + (row0 + m) * g.ldc;
#pragma GCC unroll 4
    for (int v = 0; v < kGemmNV; ++v) {
      const int64_t col = c0 + v * W;
      const int nl = lanes_left(g.N, col);
      if (nl == 0) break;
      const V r = Tr::load(tile[m][v]);
      Tr::store(crow + col, add ? Tr::add(Tr::load(crow + col, nl), r) : r, nl);
    }
  }
}

// The packed blocking; thread tid computes rows [r_begin, r_end) of C. Loops: column blocks
// (NC) > K blocks (KC; packs B) > row blocks (MC; packs A) > B micro-panels (NR columns) > A
// tiles (MR rows). Column blocks outermost: the part of C that the K blocks sweep again and again
// (this thread's rows x NC columns: 4 MB for a 4096-row weight gradient) stays in L3 instead of
// the whole C (16 MB) going to memory once per K block.
static void gemm_packed(const GemmJob& g, int64_t r_begin, int64_t r_end) {
  constexpr int MR = kGemmMR, NR = kGemmNR;
  float* bblk = tls_gemm_b(kGemmPackedKC * kGemmNC + W);
  float* ablk = tls_gemm_a(kGemmPackedKC * kGemmMC + W);
  for (int64_t jc = 0; jc < g.N; jc += kGemmNC) {
    const int64_t nc = imin(kGemmNC, g.N - jc), np = (nc + NR - 1) / NR;
    for (int64_t pc = 0; pc < g.K; pc += kGemmPackedKC) {
      const int64_t kc = imin(kGemmPackedKC, g.K - pc);
      const bool add = g.accumulate || pc > 0;
      gemm_pack_b(g, pc, kc, jc, nc, bblk);
      for (int64_t ic = r_begin; ic < r_end; ic += kGemmMC) {
        const int64_t mc = imin(kGemmMC, r_end - ic);
        gemm_pack_a(g, ic, mc, pc, kc, ablk);
        for (int64_t jp = 0; jp < np; ++jp) {
          const float* bp = bblk + jp * kc * NR;
          const int64_t c0 = jc + jp * NR;
          for (int64_t i = 0; i < mc; i += MR) {
            const int rows = (int)imin(MR, mc - i);
            V acc[MR][kGemmNV];
#pragma GCC unroll 8
            for (int m = 0; m < MR; ++m)
#pragma GCC unroll 4
              for (int v = 0; v < kGemmNV; ++v) acc[m][v] = Tr::zero();
            // C's tile comes from L3 or memory (the weight gradients are MBs): ask for it now, so
            // it arrives while the micro-kernel runs
            for (int m = 0; m < rows; ++m)
#pragma GCC unroll 4
              for (int v = 0; v < kGemmNV; ++v)
                __builtin_prefetch(g.c + (ic + i + m) * g.ldc + c0 + v * W, 1);
            kloop_trans<MR, kGemmNV>(acc, kc, ablk + i * kc, MR, bp);
            alignas(64) float tile[MR][kGemmNV][W];  // the accumulators stay in registers
#pragma GCC unroll 8
            for (int m = 0; m < MR; ++m)
#pragma GCC unroll 4
              for (int v = 0; v < kGemmNV; ++v) Tr::store(tile[m][v], acc[m][v]);
            gemm_store_tile(g, tile, ic + i, rows, c0, add);
          }
        }
      }
    }
  }
}

// The in-place blocking; thread tid computes row tiles [i0, i1) of C. Loops: K blocks (KC) >
// column blocks (NC; packs B) > row tiles (MR rows; A or A^T read in place) > panels (NR).
// C_TRANS: C[m][n] goes to c[n*ldc + m] (gemm() computes a transposed product).
template <bool C_TRANS>
static void gemm_in_place(const GemmJob& g, int64_t i0, int64_t i1) {
  constexpr int MR = kGemmMR, NR = kGemmNR;
  const int64_t tiles = (g.M + MR - 1) / MR;
  float* bblk = tls_gemm_b(kGemmInPlaceKC * kGemmNC + W);
  // A^T with M not a multiple of MR: the last tile reads up to MR-1 floats past row k's end, which
  // stay in the buffer except after the last row, so that tile gets a copy with zero padding.
  const bool trans_tail = g.a_trans && g.M % MR != 0 && i1 == tiles;
  float* tail = trans_tail ? tls_gemm_a(kGemmInPlaceKC * MR) : nullptr;
  for (int64_t pc = 0; pc < g.K; pc += kGemmInPlaceKC) {
    const int64_t kc = imin(kGemmInPlaceKC, g.K - pc);
    if (trans_tail) {
      const int64_t m0 = (tiles - 1) * MR;
      for (int64_t k = 0; k < kc; ++k)
        for (int m = 0; m < MR; ++m)
          tail[k * MR + m] = m0 + m < g.M ? g.a[(pc + k) * g.lda + m0 + m] : 0.0f;
    }
    const bool add = g.accumulate || pc > 0;
    for (int64_t jc = 0; jc < g.N; jc += kGemmNC) {
      const int64_t nc = imin(kGemmNC, g.N - jc), np = (nc + NR - 1) / NR;
      gemm_pack_b(g, pc, kc, jc, nc, bblk);
      for (int64_t it = i0; it < i1; ++it) {
        const int64_t m0 = it * MR;
        const int rows = (int)imin(MR, g.M - m0);
        const float* ar[MR];
#pragma GCC unroll 8
        for (int m = 0; m < MR; ++m) ar[m] = g.a + (m0 + (m < rows ? m : 0)) * g.lda + pc;
        const bool last_trans = trans_tail && it == tiles - 1;
        const float* at = last_trans ? tail : g.a + pc * g.lda + m0;
        const int64_t lda_t = last_trans ? MR : g.lda;
        for (int64_t jp = 0; jp < np; ++jp) {
          V acc[MR][kGemmNV];
#pragma GCC unroll 8
          for (int m = 0; m < MR; ++m)
#pragma GCC unroll 4
            for (int v = 0; v < kGemmNV; ++v) acc[m][v] = Tr::zero();
          if (g.a_trans)
            kloop_trans<MR, kGemmNV>(acc, kc, at, lda_t, bblk + jp * kc * NR);
          else
            kloop_rows<MR, kGemmNV, kGemmNV, 0, 1, 2, 3>(acc, kc, ar, bblk + jp * kc * NR, NR);
          alignas(64) float tile[MR][kGemmNV][W];
#pragma GCC unroll 8
          for (int m = 0; m < MR; ++m)
#pragma GCC unroll 4
            for (int v = 0; v < kGemmNV; ++v) Tr::store(tile[m][v], acc[m][v]);
          const int64_t c0 = jc + jp * NR;
          if (C_TRANS) {
            int64_t col = c0;
            if constexpr (Tr::kStoreTrans6 && MR == 6) {
              if (rows == 6) {  // whole vectors of 16 columns, 6 rows each: stored as 16 x 6
                for (int v = 0; v < kGemmNV && col + W <= imin(g.N, c0 + NR); ++v, col += W) {
                  const V a[6] = {Tr::load(tile[0][v]), Tr::load(tile[1][v]), Tr::load(tile[2][v]),
                                  Tr::load(tile[3][v]), Tr::load(tile[4][v]), Tr::load(tile[5][v])};
                  Tr::store_trans6(a, g.c + col * g.ldc + m0, (long)g.ldc, add);
                }
              }
            }
            for (; col < imin(g.N, c0 + NR); ++col) {
              float* ccol = g.c + col * g.ldc + m0;
              const int64_t v = (col - c0) / W, u = (col - c0) % W;
              for (int m = 0; m < rows; ++m)
                ccol[m] = add ? ccol[m] + tile[m][v][u] : tile[m][v][u];
            }
            continue;
          }
          gemm_store_tile(g, tile, m0, rows, c0, add);
        }
      }
    }
  }
}

// Blocked GEMM (see GemmJob): thread tid computes its share of C's row tiles.
// C = A·Bᵀ with few rows of A and many of B (Ops.linear, a decoding step: X [M,K] times the
// weights W [N,K] with M <= N/4) is computed as Cᵀ = W·Xᵀ: W is read in place and only X is
// transposed into the packed panels, where packing Wᵀ would cost half as much as the product.
// Each element still sums k in the same order.
static void gemm(const GemmJob& g, int tid, int nt) {
  const bool swap =
      g.b_trans && !g.a_trans && !g.b_lengths && g.M * 4 <= g.N && g.M * g.N < kGemmSwapMaxC;
  const GemmJob t =
      swap ? GemmJob{g.N, g.M, g.K, g.b, g.ldb, false, g.a, g.lda, true, g.c, g.ldc, g.accumulate}
           : g;
  const int64_t tiles = (t.M + kGemmMR - 1) / kGemmMR;
  int64_t i0, i1;
  split(tiles, tid, nt, &i0, &i1);
  if (i0 >= i1) return;
  if (swap)
    gemm_in_place<true>(t, i0, i1);
  else if (g.M * g.N >= kGemmPackedMinC)
    gemm_packed(g, i0 * kGemmMR, imin(g.M, i1 * kGemmMR));
  else
    gemm_in_place<false>(g, i0, i1);
}

static void column_sums(const float* m, int64_t rows, int64_t cols, float* sums, float* sums2,
                        int tid, int nt) {
  const int64_t chunks = (cols + 4 * W - 1) / (4 * W);
  int64_t c0, c1;
  split(chunks, tid, nt, &c0, &c1);
  for (int64_t c = c0; c < c1; ++c) {
    V acc[4];
    for (int v = 0; v < 4; ++v) acc[v] = Tr::zero();
    for (int64_t r = 0; r < rows; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) {
        const int nl = lanes_left(cols, (c * 4 + v) * W);
        if (nl > 0) acc[v] = Tr::add(acc[v], Tr::load(m + r * cols + (c * 4 + v) * W, nl));
      }
    for (int v = 0; v < 4; ++v) {
      const int64_t col = (c * 4 + v) * W;
      const int nl = lanes_left(cols, col);
      if (nl == 0) break;
      Tr::store(sums + col, Tr::add(Tr::load(sums + col, nl), acc[v]), nl);
      if (sums2) Tr::store(sums2 + col, Tr::add(Tr::load(sums2 + col, nl), acc[v]), nl);
    }
  }
}

// ------------------------------------------------------------------ matrix-vector (steps)

// out[n*ldo + r] = w[r*K ..] · x[n*ldx ..] for rows r of w and NN <= 7 input rows: w is read once,
// straight from the flat buffer (no packing: a decoding step reuses nothing).
template <int NN>
static void gemv_nn(const float* w, int64_t r0, int64_t r1, int64_t K, const float* x, int64_t ldx,
                    float* out, int64_t ldo) {
  int64_t r = r0;
  for (; r + 1 < r1; r += 2) {  // two rows at a time: more independent sums in flight
    V a0[NN], a1[NN];
#pragma GCC unroll 8
    for (int n = 0; n < NN; ++n) a0[n] = a1[n] = Tr::zero();
    const float* w0 = w + r * K;
    const float* w1 = w0 + K;
    for (int64_t k = 0; k < K; k += W) {
      const int nl = lanes_left(K, k);
      const V v0 = Tr::load(w0 + k, nl), v1 = Tr::load(w1 + k, nl);
#pragma GCC unroll 8
      for (int n = 0; n < NN; ++n) {
        const V xv = Tr::load(x + n * ldx + k, nl);
        a0[n] = Tr::fma(v0, xv, a0[n]);
        a1[n] = Tr::fma(v1, xv, a1[n]);
      }
    }
#pragma GCC unroll 8
    for (int n = 0; n < NN; ++n) {
      out[n * ldo + r] = Tr::hsum(a0[n]);
      out[n * ldo + r + 1] = Tr::hsum(a1[n]);
    }
  }
  for (; r < r1; ++r) {
    V a0[NN];
#pragma GCC unroll 8
    for (int n = 0; n < NN; ++n) a0[n] = Tr::zero();
    for (int64_t k = 0; k < K; k += W) {
      const int nl = lanes_left(K, k);
      const V v0 = Tr::load(w + r * K + k, nl);
#pragma GCC unroll 8
      for (int n = 0; n < NN; ++n) a0[n] = Tr::fma(v0, Tr::load(x + n * ldx + k, nl), a0[n]);
    }
#pragma GCC unroll 8
    for (int n = 0; n < NN; ++n) out[n * ldo + r] = Tr::hsum(a0[n]);
  }
}

static void gemv_rows(const float* w, int64_t R, int64_t K, const float* x, int64_t ldx, int64_t N,
                      float* out, int64_t ldo, int tid, int nt) {
  int64_t r0, r1;
  split((R + 1) / 2, tid, nt, &r0, &r1);  // pairs of rows
  r0 *= 2;
  r1 = imin(R, r1 * 2);
  for (int64_t n0 = 0; n0 < N; n0 += 7) {
    const float* xn = x + n0 * ldx;
    float* on = out + n0 * ldo;
    switch (imin(7, N - n0)) {
      case 1:
        gemv_nn<1>(w, r0, r1, K, xn, ldx, on, ldo);
        break;
      case 2:
        gemv_nn<2>(w, r0, r1, K, xn, ldx, on, ldo);
        break;
      case 3:
        gemv_nn<3>(w, r0, r1, K, xn, ldx, on, ldo);
        break;
      case 4:
        gemv_nn<4>(w, r0, r1, K, xn, ldx, on, ldo);
        break;
      case 5:
        gemv_nn<5>(w, r0, r1, K, xn, ldx, on, ldo);
        break;
      case 6:
        gemv_nn<6>(w, r0, r1, K, xn, ldx, on, ldo);
        break;
      default:
        gemv_nn<7>(w, r0, r1, K, xn, ldx, on, ldo);
        break;
    }
  }
}

// ------------------------------------------------------------------ decoding step pointwise

// The pointwise pass of one decoding step (cpu/step.cc: gi and gh without bias, biases, h_prev /
// c_prev, h_out / c_out possibly the same arrays; no lengths, y, gates or ghn): fwd_epilogue's
// vector activations and formulas, so a step and a forward pass agree up to GEMM rounding.
static void step_pointwise(const ForwardStep& s) {
  const int64_t H = s.H;
  const int G = ncells_gates(s.cell);
  const V one = Tr::set1(1.0f);
  for (int64_t n = 0; n < s.N; ++n) {
    const float* gi = s.gi + n * G * H;
    const float* gh = s.gh + n * G * H;
    const int64_t o = n * H;
    for (int64_t j = 0; j < H; j += W) {
      const int nl = lanes_left(H, j);
      // gate k's pre-activation (GRU's n gate: input and recurrent parts apart)
      auto part = [&](const float* g, const float* b, int k) {
        const V v = Tr::load(g + k * H + j, nl);
        return b ? Tr::add(v, Tr::load(b + k * H + j, nl)) : v;
      };
      auto pre = [&](int k) { return Tr::add(part(gi, s.b_ih, k), part(gh, s.b_hh, k)); };
      if (s.cell == JRNN_LSTM) {
        const V i = vsigmoid(pre(0)), f = vsigmoid(pre(1)), gg = vtanh(pre(2));
        const V og = vsigmoid(pre(3));
        const V c = Tr::fma(f, Tr::load(s.c_prev + o + j, nl), Tr::mul(i, gg));
        Tr::store(s.c_out + o + j, c, nl);
        Tr::store(s.h_out + o + j, Tr::mul(og, vtanh(c)), nl);
      } else if (s.cell == JRNN_GRU) {
        const V r = vsigmoid(pre(0)), z = vsigmoid(pre(1));
        const V nn = vtanh(Tr::fma(r, part(gh, s.b_hh, 2), part(gi, s.b_ih, 2)));
        const V h = Tr::fma(z, Tr::load(s.h_prev + o + j, nl), Tr::mul(Tr::sub(one, z), nn));
        Tr::store(s.h_out + o + j, h, nl);
      } else {
        const V a = pre(0);
        // max(0, a), not max(a, 0): NaN must stay NaN (see fwd_epilogue)
        Tr::store(s.h_out + o + j, s.cell == JRNN_RNN_RELU ? Tr::max(Tr::zero(), a) : vtanh(a), nl);
      }
    }
  }
}
