// kernels_impl.h — the vector kernels of the CPU path, written once over a vector-traits type `Tr`
// (simd_avx512.h, simd_avx2.h). Included ONLY by kernels_avx512.cc / kernels_avx2.cc, inside their
// own namespace after `Tr` is defined, so every function here is compiled once per ISA with that
// ISA's flags and nothing of it is shared with generic code (no ODR mixing of instruction sets).
// See kernels.h for the data layouts and the split of work between threads; the dense kernels
// (GEMM, matrix-vector, column sums, step pointwise) are in kernels_dense_impl.h.
//
// Numerics: every output element is one accumulator lane fed in a fixed k order (x segment, then
// h segment; GEMMs in fixed K blocks), so results do not depend on the thread count or on which
// thread computed them. Activations (exp, sigmoid, tanh) are vector approximations accurate to a
// few float32 ulps (measured by test_cpu_isa).

#define JRNN_INLINE inline __attribute__((always_inline))

using V = Tr::V;
constexpr int W = Tr::W;

// ------------------------------------------------------------------ small helpers

JRNN_INLINE void split(int64_t count, int tid, int nt, int64_t* begin, int64_t* end) {
  const int64_t base = count / nt, extra = count % nt;
  *begin = tid * base + (tid < extra ? tid : extra);
  *end = *begin + base + (tid < extra ? 1 : 0);
}
JRNN_INLINE int64_t imin(int64_t a, int64_t b) {
  return a < b ? a : b;
}
JRNN_INLINE int lanes_left(int64_t H, int64_t j0) {
  const int64_t n = H - j0;
  return n <= 0 ? 0 : n >= W ? W : (int)n;
}
JRNN_INLINE int ncells_gates(int cell) {
  return cell == JRNN_LSTM ? 4 : cell == JRNN_GRU ? 3 : 1;
}
JRNN_INLINE bool row_valid(const int32_t* lengths, int64_t n, int64_t t) {
  return !lengths || t < lengths[n];
}

// Per-thread temporary buffer (GEMM packing, partial sums); grows, never shrinks; freed at thread
// exit.
struct TlsBuffer {
  float* p = nullptr;
  size_t n = 0;
  ~TlsBuffer() { ::operator delete(p); }
};
static float* tls_grow(TlsBuffer& buf, size_t n) {
  if (buf.n < n) {
    ::operator delete(buf.p);
    buf.p = static_cast<float*>(::operator new(n * sizeof(float) + 64));
    buf.n = n;
  }
  return buf.p;
}
// One buffer per use, so no use can grow (and so move) another's while it is live.
static float* tls_gemm_b(size_t n) {  // the GEMM's packed B block
  static thread_local TlsBuffer buf;
  return tls_grow(buf, n);
}
static float* tls_gemm_a(size_t n) {  // the GEMM's packed A block (or A^T tail copy)
  static thread_local TlsBuffer buf;
  return tls_grow(buf, n);
}
static float* tls_partial_sums(size_t n) {  // the backward steps' sums between K blocks
  static thread_local TlsBuffer buf;
  return tls_grow(buf, n);
}

// ------------------------------------------------------------------ activations

// e^x: Cephes expf (range reduction by ln 2 split in two, degree-6 polynomial), ~1 ulp. x is
// clamped to [-87.3, 88.5] so the result stays finite and normal.
JRNN_INLINE V vexp(V x) {
  // Operand order matters: x86 min/max return the SECOND operand when either is NaN, so x goes
  // second and a NaN input stays NaN (as std::exp and PyTorch propagate it).
  x = Tr::min(Tr::set1(88.5f), Tr::max(Tr::set1(-87.3f), x));
  const V n = Tr::round(Tr::mul(x, Tr::set1(1.44269504088896341f)));
  V r = Tr::fnma(n, Tr::set1(0.693359375f), x);
  r = Tr::fnma(n, Tr::set1(-2.12194440e-4f), r);
  V p = Tr::set1(1.9875691500e-4f);
  p = Tr::fma(p, r, Tr::set1(1.3981999507e-3f));
  p = Tr::fma(p, r, Tr::set1(8.3334519073e-3f));
  p = Tr::fma(p, r, Tr::set1(4.1665795894e-2f));
  p = Tr::fma(p, r, Tr::set1(1.6666665459e-1f));
  p = Tr::fma(p, r, Tr::set1(5.0000001201e-1f));
  p = Tr::fma(p, Tr::mul(r, r), r);
  p = Tr::add(p, Tr::set1(1.0f));
  return Tr::scale2(p, n);
}

#ifdef JRNN_EXACT_ACTIVATIONS  // ablation only (bench/cpu/NOTES.md): libm per lane
JRNN_INLINE V vsigmoid(V x) {
  alignas(64) float b[W];
  Tr::store(b, x);
  for (int i = 0; i < W; ++i) b[i] = 1.0f / (1.0f + std::exp(-b[i]));
  return Tr::load(b);
}
JRNN_INLINE V vtanh(V x) {
  alignas(64) float b[W];
  Tr::store(b, x);
  for (int i = 0; i < W; ++i) b[i] = std::tanh(b[i]);
  return Tr::load(b);
}
#else
// 1 / (1 + e^-x)
JRNN_INLINE V vsigmoid(V x) {
  const V one = Tr::set1(1.0f);
  return Tr::div(one, Tr::add(one, vexp(Tr::sub(Tr::zero(), x))));
}

// tanh: |x| < 0.625: Cephes tanhf odd polynomial; else sign(x) (1 - 2 / (e^{2|x|} + 1)).
JRNN_INLINE V vtanh(V x) {
  const V one = Tr::set1(1.0f);
  const V ax = Tr::abs(x);
  const V e = vexp(Tr::add(ax, ax));
  const V big = Tr::fnma(Tr::set1(2.0f), Tr::div(one, Tr::add(e, one)), one);
  const V z = Tr::mul(x, x);
  V p = Tr::set1(-5.70498872745e-3f);
  p = Tr::fma(p, z, Tr::set1(2.06390887954e-2f));
  p = Tr::fma(p, z, Tr::set1(-5.37397155531e-2f));
  p = Tr::fma(p, z, Tr::set1(1.33314422036e-1f));
  p = Tr::fma(p, z, Tr::set1(-3.33332819422e-1f));
  const V small = Tr::fma(Tr::mul(p, z), x, x);
  return Tr::select_lt(ax, Tr::set1(0.625f), small, Tr::copysign(big, x));
}
#endif

static void activation(int kind, const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i += W) {
    const int k = lanes_left(n, i);
    const V v = Tr::load(x + i, k);
    Tr::store(y + i, kind == 0 ? vsigmoid(v) : kind == 1 ? vtanh(v) : vexp(v), k);
  }
}

// ------------------------------------------------------------------ micro-kernels
// acc[m][slot[v]] += A[m][k] * B[k][v] for k in [0, K): B rows are NV vectors, ldb floats apart.

// PAIRS (AVX2, one row): even and odd k in two sets of chains (see below); only where every row of
// the call runs this kernel (N = 1), so a row's sum order never depends on the tile it fell in.
template <int MR, int NACC, int NV, int S0, int S1, int S2, int S3, bool PAIRS = false>
JRNN_INLINE void kloop_rows(V (&acc)[MR][NACC], int64_t K, const float* const* rows, const float* b,
                            int64_t ldb) {
  constexpr int slot[4] = {S0, S1, S2, S3};
  const float* r[MR];
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) r[m] = rows[m];
  int64_t k = 0;
  if constexpr (PAIRS && MR == 1 && W == 8) {
    // One row on AVX2 (batch-1 steps): NV chains of FMAs, each one 4-cycle FMA after another,
    // would cap the weight stream at one 32-byte row vector per cycle; a second set of chains for
    // odd k doubles that (bench/cpu/NOTES.md step 15). Added once at the end: each output is still
    // one fixed sum order.
    V odd[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) odd[v] = Tr::zero();
    for (; k + 1 < K; k += 2) {
      const V a0 = Tr::set1(r[0][k]), a1 = Tr::set1(r[0][k + 1]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        acc[0][slot[v]] = Tr::fma(a0, Tr::load(b + v * W), acc[0][slot[v]]);
        odd[v] = Tr::fma(a1, Tr::load(b + ldb + v * W), odd[v]);
      }
      b += 2 * ldb;
    }
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[0][slot[v]] = Tr::add(acc[0][slot[v]], odd[v]);
  }
  for (; k < K; ++k) {
    V bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = Tr::load(b + v * W);
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) {
      const V a = Tr::set1(r[m][k]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[m][slot[v]] = Tr::fma(a, bv[v], acc[m][slot[v]]);
    }
    b += ldb;
  }
}

// A read in place from A^T: A[m][k] = at[k*lda + m] (MR consecutive floats per k).
template <int MR, int NV>
JRNN_INLINE void kloop_trans(V (&acc)[MR][NV], int64_t K, const float* at, int64_t lda,
                             const float* b) {
  for (int64_t k = 0; k < K; ++k) {
    V bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = Tr::load(b + v * W);
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) {
      const V a = Tr::set1(at[m]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[m][v] = Tr::fma(a, bv[v], acc[m][v]);
    }
    b += NV * W;
    at += lda;
  }
}

// ------------------------------------------------------------------ forward: packing

// Which weight row feeds packed vector v of panel p, segment x (seg 0) or h (seg 1); -1: none.
// Units of the vector start at *j0.
struct PanelMap {
  int cell;
  int64_t H;
  int units;
  JRNN_INLINE int gate(int seg, int v) const {
    if (cell == JRNN_LSTM) return v;
    if (cell == JRNN_GRU) return v;  // r, z, n in both segments (n goes to slot 2 or 3)
    (void)seg;
    return 0;
  }
  JRNN_INLINE int64_t unit0(int64_t p, int v) const {
    return cell == JRNN_LSTM || cell == JRNN_GRU ? p * W : p * 4 * W + v * W;
  }
};

// Packs rows [gate*H + j] of src ([G*H, K] row-major) for the panel's vectors into dst:
// dst[(k*nb + v)*W + u] = src[(gate(v)*H + unit0(v)+u)*K + k] (0 past H). Full W x W blocks go
// through a register transpose; edges element by element.
static void pack_segment(const float* src, int64_t K, int nb, int seg, const PanelMap& pm,
                         int64_t p, float* dst) {
  for (int64_t k0 = 0; k0 < K; k0 += W) {
    const int kb = (int)imin(W, K - k0);
    for (int v = 0; v < nb; ++v) {
      const int g = pm.gate(seg, v);
      const int64_t j0 = pm.unit0(p, v);
      const int nu = lanes_left(pm.H, j0);
      const float* s0 = src + (g * pm.H + j0) * K + k0;
      float* d0 = dst + (k0 * nb + v) * W;
      if (kb == W && nu == W) {
        V r[W];
#pragma GCC unroll 16
        for (int u = 0; u < W; ++u) r[u] = Tr::load(s0 + u * K);
        Tr::transpose(r);
#pragma GCC unroll 16
        for (int kk = 0; kk < W; ++kk) Tr::store(d0 + kk * nb * W, r[kk]);
      } else {
        for (int kk = 0; kk < kb; ++kk)
          for (int u = 0; u < W; ++u) d0[kk * nb * W + u] = u < nu ? s0[u * K + kk] : 0.0f;
      }
    }
  }
}

static void pack_forward(const FwdJob& j, int tid, int nt) {
  const FwdGeometry g = fwd_geometry(j.cell, j.C, j.H, W);
  const PanelMap pm{j.cell, j.H, g.units};
  int64_t p0, p1;
  split(g.panels, tid, nt, &p0, &p1);
  for (int64_t p = p0; p < p1; ++p) {
    float* base = j.wpack + p * g.panel_floats;
    pack_segment(j.w_ih, j.C, g.nbx, 0, pm, p, base);
    pack_segment(j.w_hh, j.H, g.nbh, 1, pm, p, base + j.C * g.nbx * W);
    // bias slots: LSTM i,f,g,o = b_ih + b_hh; GRU r,z = b_ih + b_hh, slot 2 = b_in, slot 3 = b_hn;
    // RNN: 4 unit blocks of b_ih + b_hh.
    float* bias = base + (j.C * g.nbx + j.H * g.nbh) * W;
    for (int s = 0; s < 4; ++s)
      for (int u = 0; u < W; ++u) {
        float v = 0.0f;
        int64_t row = -1;
        bool ih = true, hh = true;
        if (j.cell == JRNN_LSTM) {
          if (p * W + u < j.H) row = s * j.H + p * W + u;
        } else if (j.cell == JRNN_GRU) {
          if (p * W + u < j.H) row = (s < 3 ? s : 2) * j.H + p * W + u;
          ih = s != 3;
          hh = s != 2;
        } else if (p * 4 * W + s * W + u < j.H) {
          row = p * 4 * W + s * W + u;
        }
        if (row >= 0) {
          if (ih && j.b_ih) v += j.b_ih[row];
          if (hh && j.b_hh) v += j.b_hh[row];
        }
        bias[s * W + u] = v;
      }
  }
}

// ------------------------------------------------------------------ forward: time loop

enum CellKind { kLstm = 0, kGru = 1, kRnn = 2 };

// Where step s reads and writes (s counts in processing order; t is the time index).
struct FwdStep {
  int64_t s, t;
  const float *h_prev, *c_prev;
  float *h_out, *c_out, *gates, *ghn;
};

JRNN_INLINE FwdStep fwd_step(const FwdJob& j, int64_t s) {
  const int64_t NH = j.N * j.H, GH = ncells_gates(j.cell) * j.H;
  const bool training = j.states != nullptr, lstm = j.cell == JRNN_LSTM;
  FwdStep st{};
  st.s = s;
  st.t = j.reverse ? j.T - 1 - s : s;
  if (s == 0) {
    st.h_prev = j.h0;
    st.c_prev = j.c0;
  } else {
    const int64_t tp = j.reverse ? j.T - s : s - 1;
    st.h_prev = training ? j.states + tp * NH : j.hbuf[(s - 1) % 2];
    st.c_prev = !lstm ? nullptr : training ? j.cells + tp * NH : j.cbuf[(s - 1) % 2];
  }
  st.h_out = training ? j.states + st.t * NH : j.hbuf[s % 2];
  st.c_out = !lstm ? nullptr : training ? j.cells + st.t * NH : j.cbuf[s % 2];
  st.gates = training && j.gates ? j.gates + st.t * j.N * GH : nullptr;
  st.ghn = training && j.ghn ? j.ghn + st.t * NH : nullptr;
  return st;
}

// The cell for rows n0 .. n0+rows-1 and panel p, from the pre-activations in tile (one function
// per ISA, not per tile shape: the activations are large).
__attribute__((noinline)) static void fwd_epilogue(const FwdJob& j, const FwdStep& st,
                                                   const float (*tile)[4][W], int64_t n0, int rows,
                                                   int64_t p) {
  const int64_t N = j.N, H = j.H, t = st.t;
  const int64_t GH = ncells_gates(j.cell) * H;
  const V one = Tr::set1(1.0f);
  for (int m = 0; m < rows; ++m) {
    const int64_t n = n0 + m;
    float* y = j.y + (t * N + n) * j.ldy;
    const bool valid = row_valid(j.lengths, n, t);
    if (j.cell == JRNN_RNN_TANH || j.cell == JRNN_RNN_RELU) {
      for (int v = 0; v < 4; ++v) {
        const int64_t jj = p * 4 * W + v * W;
        const int nl = lanes_left(H, jj);
        if (nl == 0) break;
        if (!valid) {
          Tr::store(st.h_out + n * H + jj, Tr::load(st.h_prev + n * H + jj, nl), nl);
          Tr::store(y + jj, Tr::zero(), nl);
          continue;
        }
        const V a = Tr::load(tile[m][v]);
        // max(0, a), not max(a, 0): x86 max returns its second operand for NaN, and NaN must stay
        // NaN
        const V h = j.cell == JRNN_RNN_RELU ? Tr::max(Tr::zero(), a) : vtanh(a);
        Tr::store(st.h_out + n * H + jj, h, nl);
        Tr::store(y + jj, h, nl);
      }
      continue;
    }
    const int64_t j0 = p * W;
    const int nl = lanes_left(H, j0);
    const int64_t o = n * H + j0;
    if (!valid) {  // carry the state, output zero
      Tr::store(st.h_out + o, Tr::load(st.h_prev + o, nl), nl);
      if (st.c_out) Tr::store(st.c_out + o, Tr::load(st.c_prev + o, nl), nl);
      Tr::store(y + j0, Tr::zero(), nl);
      continue;
    }
    if (j.cell == JRNN_LSTM) {
      const V i = vsigmoid(Tr::load(tile[m][0])), f = vsigmoid(Tr::load(tile[m][1]));
      const V gg = vtanh(Tr::load(tile[m][2])), og = vsigmoid(Tr::load(tile[m][3]));
      const V c = Tr::fma(f, Tr::load(st.c_prev + o, nl), Tr::mul(i, gg));
      const V h = Tr::mul(og, vtanh(c));
      Tr::store(st.c_out + o, c, nl);
      Tr::store(st.h_out + o, h, nl);
      Tr::store(y + j0, h, nl);
      if (st.gates) {
        float* gr = st.gates + n * GH + j0;
        Tr::store(gr, i, nl);
        Tr::store(gr + H, f, nl);
        Tr::store(gr + 2 * H, gg, nl);
        Tr::store(gr + 3 * H, og, nl);
      }
    } else {  // GRU: slot 2 = W_in x + b_in, slot 3 = W_hn h + b_hn
      const V r = vsigmoid(Tr::load(tile[m][0])), z = vsigmoid(Tr::load(tile[m][1]));
      const V ghn = Tr::load(tile[m][3]);
      const V nn = vtanh(Tr::fma(r, ghn, Tr::load(tile[m][2])));
      const V h = Tr::fma(z, Tr::load(st.h_prev + o, nl), Tr::mul(Tr::sub(one, z), nn));
      Tr::store(st.h_out + o, h, nl);
      Tr::store(y + j0, h, nl);
      if (st.gates) {
        float* gr = st.gates + n * GH + j0;
        Tr::store(gr, r, nl);
        Tr::store(gr + H, z, nl);
        Tr::store(gr + 2 * H, nn, nl);
        Tr::store(st.ghn + o, ghn, nl);
      }
    }
  }
}

// Pre-activations of rows n0.. (MR of them, padding rows repeat n0) for panel p at step st.
template <int CELL, int MR, bool PAIRS = false>
JRNN_INLINE void fwd_tile(const FwdJob& j, const FwdGeometry& g, const FwdStep& st, int64_t n0,
                          int rows, int64_t p, int64_t gi_t0, float (*tile)[4][W]) {
  const int64_t N = j.N, C = j.C, H = j.H, t = st.t;
  const float* panel = j.wpack + p * g.panel_floats;
  const float* bx = panel;
  const float* bh = panel + C * g.nbx * W;
  const float* bias = bh + H * g.nbh * W;
  const float* xr[MR];
  const float* hr[MR];
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    const int64_t n = m < rows ? n0 + m : n0;
    xr[m] = j.x + (t * N + n) * C;
    hr[m] = st.h_prev + n * H;
  }
  V acc[MR][4];
  if (!j.gi) {  // fused: the input product runs here
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m)
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) acc[m][v] = Tr::load(bias + v * W);
    if (CELL == kGru)
      kloop_rows<MR, 4, 3, 0, 1, 2, 0>(acc, C, xr, bx, 3 * W);
    else
      kloop_rows<MR, 4, 4, 0, 1, 2, 3>(acc, C, xr, bx, 4 * W);
  } else {  // x·W_ihᵀ precomputed for the chunk (panel order), rows from time gi_t0 on
    const int64_t gi_cols = g.panels * g.nbx * W;
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) {
      const int64_t n = m < rows ? n0 + m : n0;
      const float* gir = j.gi + ((t - gi_t0) * N + n) * gi_cols + p * g.nbx * W;
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) {
        const V b = Tr::load(bias + v * W);
        acc[m][v] = CELL == kGru && v == 3 ? b : Tr::add(Tr::load(gir + v * W), b);
      }
    }
  }
  if (CELL == kGru)
    kloop_rows<MR, 4, 3, 0, 1, 3, 0, PAIRS>(acc, H, hr, bh, 3 * W);
  else
    kloop_rows<MR, 4, 4, 0, 1, 2, 3, PAIRS>(acc, H, hr, bh, 4 * W);
    // leave registers once (the epilogue indexes rows at run time)
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m)
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) Tr::store(tile[m][v], acc[m][v]);
}

// gi rows [0, rows) = x rows from time t0 on · the x segments of panels [p0, p1): a GEMM on the
// packed weights (no transposing copy), each thread only for the panels it runs.
__attribute__((noinline)) static void fwd_gi_chunk(const FwdJob& j, const FwdGeometry& g,
                                                   int64_t p0, int64_t p1, int64_t t0,
                                                   int64_t rows) {
  constexpr int MR = Tr::kMaxAcc / 4 < 6 ? Tr::kMaxAcc / 4 : 6;
  const int64_t C = j.C, gi_cols = g.panels * g.nbx * W;
  const float* x = j.x + t0 * j.N * C;
  for (int64_t p = p0; p < p1; ++p) {
    const float* bx = j.wpack + p * g.panel_floats;
    float* out = j.gi + p * g.nbx * W;
    for (int64_t r0 = 0; r0 < rows; r0 += MR) {
      const int rr = (int)imin(MR, rows - r0);
      const float* ar[MR];
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m) ar[m] = x + (r0 + (m < rr ? m : 0)) * C;
      V acc[MR][4];
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m)
#pragma GCC unroll 4
        for (int v = 0; v < 4; ++v) acc[m][v] = Tr::zero();
      if (g.nbx == 3)
        kloop_rows<MR, 4, 3, 0, 1, 2, 0>(acc, C, ar, bx, 3 * W);
      else
        kloop_rows<MR, 4, 4, 0, 1, 2, 3>(acc, C, ar, bx, 4 * W);
      alignas(64) float tile[MR][4][W];
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m)
#pragma GCC unroll 4
        for (int v = 0; v < 4; ++v) Tr::store(tile[m][v], acc[m][v]);
      for (int m = 0; m < rr; ++m)
        for (int v = 0; v < g.nbx; ++v)
          Tr::store(out + (r0 + m) * gi_cols + v * W, Tr::load(tile[m][v]));
    }
  }
}

// Small batches stream each panel's h segment (64 KB for LSTM H = 256) once per step, with the
// epilogue between panels: the next stream then starts cold, its first lines late from L2. Asking
// for the next panel's first kPanelPrefetchLines lines before the epilogue hides that (LSTM S3
// forward -8..-11 %, bench/cpu/NOTES.md step 12; 32 lines were slower than none).
constexpr int kPanelPrefetchLines = 16;
JRNN_INLINE void prefetch_next_panel(const FwdJob& j, const FwdGeometry& g, int64_t p) {
  const char* h_segment =
      reinterpret_cast<const char*>(j.wpack + p * g.panel_floats + j.C * g.nbx * W);
  for (int i = 0; i < kPanelPrefetchLines; ++i) __builtin_prefetch(h_segment + 64 * i, 0, 3);
}

template <int CELL, int MR>
static void forward_steps_mr(const FwdJob& j, int tid, int nt, Barrier* barrier) {
  const FwdGeometry g = fwd_geometry(j.cell, j.C, j.H, W);
  const int64_t N = j.N, H = j.H;
  // This thread's batch rows and panels: batch split (all panels, no barrier between steps: a
  // row's next state needs only its own previous one) or hidden-unit split (all rows; the threads
  // meet after each step, when every unit of h_t is there).
  int64_t p0 = 0, p1 = g.panels, r0 = 0, r1 = N;
  if (j.batch_split)
    split(N, tid, nt, &r0, &r1);
  else
    split(g.panels, tid, nt, &p0, &p1);
  alignas(64) float tile[MR][4][W];
  const int64_t chunk = j.gi ? gi_chunk_steps(j.T, N) : j.T;
  int64_t gi_t0 = 0;
  for (int64_t s = j.s_begin; s < j.s_end; ++s) {
    if (j.gi && (s - j.s_begin) % chunk == 0) {  // this thread's panels of the chunk's gi
      const int64_t steps = imin(chunk, j.s_end - s);
      gi_t0 = j.reverse ? j.T - s - steps : s;
      fwd_gi_chunk(j, g, p0, p1, gi_t0, steps * N);
    }
    const FwdStep st = fwd_step(j, s);
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t n0 = r0; n0 < r1; n0 += MR) {
        const int rows = (int)imin(MR, r1 - n0);
        if (MR == 3 && rows < 3) {  // AVX2: a last tile of 1 or 2 rows runs that many, unpadded
          if (rows == 2)
            fwd_tile<CELL, 2>(j, g, st, n0, rows, p, gi_t0, tile);
          else
            fwd_tile<CELL, 1>(j, g, st, n0, rows, p, gi_t0, tile);
        } else {
          fwd_tile<CELL, MR, MR == 1>(j, g, st, n0, rows, p, gi_t0, tile);
        }
        if (MR <= 2 && n0 + MR >= r1) prefetch_next_panel(j, g, p + 1 < p1 ? p + 1 : p0);
        fwd_epilogue(j, st, tile, n0, rows, p);
      }
    if (s + 1 < j.s_end && !j.batch_split) barrier->wait();
  }
  if (j.s_end < j.T) return;
  // Ended rows carried their state, so the last step holds each sequence's final state. Each
  // thread copies what it wrote.
  const FwdStep last = fwd_step(j, j.T - 1);
  for (int64_t p = p0; p < p1; ++p) {
    const int64_t u0 = p * g.units, u1 = imin(H, u0 + g.units);
    if (u1 <= u0) continue;
    for (int64_t n = r0; n < r1; ++n) {
      if (j.hy) std::memcpy(j.hy + n * H + u0, last.h_out + n * H + u0, (u1 - u0) * sizeof(float));
      if (j.cy && last.c_out)
        std::memcpy(j.cy + n * H + u0, last.c_out + n * H + u0, (u1 - u0) * sizeof(float));
    }
  }
}

// Micro-kernel rows: N itself up to 2, else 4 or 6, whichever pads fewer rows (ties: 6);
// JRNN_CPU_MR=2|4|6 forces one (experiments). AVX2 (16 registers, kMaxAcc 12) with 4 accumulator
// vectors per row: 3 rows (12 accumulators; the B vectors partly as FMA memory operands), the
// last tile of a range with 1 or 2 rows by a kernel of that many rows (no padded rows).
static int pick_mr(int64_t N, int nacc) {
  const int fit = Tr::kMaxAcc / nacc;
  const int max_mr = fit >= 6 ? 6 : fit >= 4 ? 4 : fit >= 3 ? 3 : 2;
  static const int forced = [] {
    const char* v = std::getenv("JRNN_CPU_MR");
    return v ? std::atoi(v) : 0;
  }();
  if ((forced == 2 || forced == 4 || forced == 6) && forced <= max_mr) return forced;
  if (N <= 2) return (int)N;
  if (max_mr < 4) return max_mr;
  if (max_mr == 4) return 4;
  const int64_t pad4 = (N + 3) / 4 * 4, pad6 = (N + 5) / 6 * 6;
  return pad4 < pad6 ? 4 : 6;
}

template <int CELL>
static void forward_steps_cell(const FwdJob& j, int tid, int nt, Barrier* b) {
  switch (pick_mr(j.N, 4)) {
    case 1:
      return forward_steps_mr<CELL, 1>(j, tid, nt, b);
    case 2:
      return forward_steps_mr<CELL, 2>(j, tid, nt, b);
    case 3:
      return forward_steps_mr<CELL, 3>(j, tid, nt, b);
    case 4:
      return forward_steps_mr<CELL, 4>(j, tid, nt, b);
    default:
      return forward_steps_mr<CELL, 6>(j, tid, nt, b);
  }
}

static void forward_steps(const FwdJob& j, int tid, int nt, Barrier* b) {
  if (j.cell == JRNN_LSTM)
    forward_steps_cell<kLstm>(j, tid, nt, b);
  else if (j.cell == JRNN_GRU)
    forward_steps_cell<kGru>(j, tid, nt, b);
  else
    forward_steps_cell<kRnn>(j, tid, nt, b);
}

// ------------------------------------------------------------------ backward

// Panel q of W_hh for backward: rows k of [G*H], units [q*U, q*U + U), U = nvb*W, zero past H.
static void pack_backward(const BwdJob& j, int nvb, int tid, int nt) {
  const int64_t H = j.H, GH = ncells_gates(j.cell) * H, U = nvb * W;
  const int64_t panels = (H + U - 1) / U;
  int64_t q0, q1;
  split(panels, tid, nt, &q0, &q1);
  for (int64_t q = q0; q < q1; ++q) {
    float* dst = j.wpack + q * GH * U;
    const int64_t u0 = q * U, nu = imin(U, H - u0);
    for (int64_t k = 0; k < GH; ++k) {
      const float* src = j.w_hh + k * H + u0;
      float* d = dst + k * U;
      int64_t u = 0;
      for (; u < nu; ++u) d[u] = src[u];
      for (; u < U; ++u) d[u] = 0.0f;
    }
  }
}

// The state a step started from (forward direction: t-1; reverse: t+1), or the initial state.
JRNN_INLINE const float* before(const float* rec, int reverse, int64_t t, int64_t T, int64_t NH,
                                const float* initial) {
  if (!reverse) return t > 0 ? rec + (t - 1) * NH : initial;
  return t < T - 1 ? rec + (t + 1) * NH : initial;
}

// Where step time t's gate gradients live ([N, G*H] rows) in a chunk ring (kernels.h).
JRNN_INLINE float* bwd_rows(const BwdJob& j, float* const* ring, int64_t t) {
  const int64_t s = j.reverse ? t : j.T - 1 - t, c = s / j.chunk;
  const int64_t t0 = bwd_chunk_t0(c, j.chunk, j.T, j.reverse);
  return ring[c % 2] + (t - t0) * j.N * ncells_gates(j.cell) * j.H;
}

// Pointwise backward of step t for row n and units [j0, j0+nl) given dh = dL/dh_t without dy:
// writes dgi/dgh of those units, updates dc, and sets dhd = the part of dL/dh_{t-1} that does not
// go through W_hh (GRU z*dh, carried rows dh, else 0); adds dgi/dgh to the bias gradients (in the
// order the steps run, each unit by one thread: the same sums for any thread count).
__attribute__((noinline)) static void bwd_point(const BwdJob& j, int64_t t, int64_t n, int64_t j0,
                                                int nl, V dh) {
  const int64_t N = j.N, H = j.H, NH = N * H;
  const int G = ncells_gates(j.cell);
  const int64_t GH = G * H, o = n * H + j0;
  float* dgi = bwd_rows(j, j.dgi_ring, t) + n * GH + j0;
  float* dgh = bwd_rows(j, j.dgh_ring, t) + n * GH + j0;
  if (!row_valid(j.lengths, n, t)) {  // the state passed through: so does its gradient
    for (int g = 0; g < G; ++g) {
      Tr::store(dgi + g * H, Tr::zero(), nl);
      if (dgh != dgi) Tr::store(dgh + g * H, Tr::zero(), nl);
    }
    Tr::store(j.dhd + o, dh, nl);
    return;
  }
  const V one = Tr::set1(1.0f);
  const V gh = j.dy ? Tr::add(dh, Tr::load(j.dy + (t * N + n) * j.ldy + j0, nl)) : dh;
  if (j.cell == JRNN_LSTM) {
    const float* gr = j.gates + (t * N + n) * GH + j0;
    const V i = Tr::load(gr, nl), f = Tr::load(gr + H, nl), g = Tr::load(gr + 2 * H, nl),
            og = Tr::load(gr + 3 * H, nl);
    const V c = Tr::load(j.cells + t * NH + o, nl);
    const V cp = Tr::load(before(j.cells, j.reverse, t, j.T, NH, j.c0) + o, nl);
    const V tc = vtanh(c);
    const V dct = Tr::fma(Tr::mul(gh, og), Tr::fnma(tc, tc, one), Tr::load(j.dc + o, nl));
    const V d[4] = {Tr::mul(Tr::mul(dct, g), Tr::mul(i, Tr::sub(one, i))),
                    Tr::mul(Tr::mul(dct, cp), Tr::mul(f, Tr::sub(one, f))),
                    Tr::mul(Tr::mul(dct, i), Tr::fnma(g, g, one)),
                    Tr::mul(Tr::mul(gh, tc), Tr::mul(og, Tr::sub(one, og)))};
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) Tr::store(dgi + k * H, d[k], nl);
    Tr::store(j.dc + o, Tr::mul(dct, f), nl);
    Tr::store(j.dhd + o, Tr::zero(), nl);
    if (j.db_ih)
#pragma GCC unroll 4
      for (int k = 0; k < 4; ++k) {
        float* bi = j.db_ih + k * H + j0;
        float* bh = j.db_hh + k * H + j0;
        Tr::store(bi, Tr::add(Tr::load(bi, nl), d[k]), nl);
        Tr::store(bh, Tr::add(Tr::load(bh, nl), d[k]), nl);
      }
  } else if (j.cell == JRNN_GRU) {
    const float* gr = j.gates + (t * N + n) * GH + j0;
    const V r = Tr::load(gr, nl), z = Tr::load(gr + H, nl), nn = Tr::load(gr + 2 * H, nl);
    const V hp = Tr::load(before(j.states, j.reverse, t, j.T, NH, j.h0) + o, nl);
    const V ghn = Tr::load(j.ghn + t * NH + o, nl);
    const V dan = Tr::mul(Tr::mul(gh, Tr::sub(one, z)), Tr::fnma(nn, nn, one));
    const V dar = Tr::mul(Tr::mul(dan, ghn), Tr::mul(r, Tr::sub(one, r)));
    const V daz = Tr::mul(Tr::mul(gh, Tr::sub(hp, nn)), Tr::mul(z, Tr::sub(one, z)));
    const V dhn = Tr::mul(dan, r);
    Tr::store(dgi, dar, nl);
    Tr::store(dgi + H, daz, nl);
    Tr::store(dgi + 2 * H, dan, nl);
    Tr::store(dgh, dar, nl);
    Tr::store(dgh + H, daz, nl);
    Tr::store(dgh + 2 * H, dhn, nl);
    Tr::store(j.dhd + o, Tr::mul(gh, z), nl);
    if (j.db_ih) {
      const V di[3] = {dar, daz, dan}, dhh[3] = {dar, daz, dhn};
#pragma GCC unroll 3
      for (int k = 0; k < 3; ++k) {
        float* bi = j.db_ih + k * H + j0;
        float* bh = j.db_hh + k * H + j0;
        Tr::store(bi, Tr::add(Tr::load(bi, nl), di[k]), nl);
        Tr::store(bh, Tr::add(Tr::load(bh, nl), dhh[k]), nl);
      }
    }
  } else {
    const V h = Tr::load(j.states + t * NH + o, nl);
    const V d = j.cell == JRNN_RNN_TANH ? Tr::mul(gh, Tr::fnma(h, h, one)) : Tr::select_pos(h, gh);
    Tr::store(dgi, d, nl);
    Tr::store(j.dhd + o, Tr::zero(), nl);
    if (j.db_ih) {
      Tr::store(j.db_ih + j0, Tr::add(Tr::load(j.db_ih + j0, nl), d), nl);
      Tr::store(j.db_hh + j0, Tr::add(Tr::load(j.db_hh + j0, nl), d), nl);
    }
  }
}

// Rows of a backward panel (G*H of them) taken per pass over the batch rows: 256 KB of panel
// (64 units) stays in L2; a whole LSTM panel with H = 1024 (1 MB) would not.
constexpr int64_t kBwdKBlock = 1024;

// One row tile (rows n0 .. n0+rows-1, MR of them, padding rows repeat n0) of a backward step's
// product over the panel rows [kb0, kb0 + kb) of unit panel q: dh_t = dg · W_hh, the sums kept in
// part between K blocks; after the last block fused with the pointwise backward of step t (or,
// for s == T, stored as dh0).
template <int NV, int MR, bool PAIRS = false>
JRNN_INLINE void bwd_tile(const BwdJob& j, const float* dg, const float* panel, int64_t kb0,
                          int64_t kb, float* part, int64_t q, int64_t n0, int rows, int64_t s,
                          int64_t t) {
  const int64_t T = j.T, H = j.H, GH = ncells_gates(j.cell) * H, U = NV * W;
  const float* ar[MR];
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) ar[m] = dg + (m < rows ? n0 + m : n0) * GH + kb0;
  V acc[MR][NV];
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[m][v] = kb0 == 0 ? Tr::zero() : Tr::load(part + m * U + v * W);
  if (NV == 4)
    kloop_rows<MR, NV, 4, 0, 1, 2, 3, PAIRS>(acc, kb, ar, panel, U);
  else if (NV == 2)
    kloop_rows<MR, NV, 2, 0, 1, 0, 0, PAIRS>(acc, kb, ar, panel, U);
  else
    kloop_rows<MR, NV, 1, 0, 0, 0, 0, PAIRS>(acc, kb, ar, panel, U);
  if (kb0 + kb < GH) {
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) Tr::store(part + m * U + v * W, acc[m][v]);
    return;
  }
  alignas(64) float tile[MR][NV][W];
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) Tr::store(tile[m][v], acc[m][v]);
  for (int m = 0; m < rows; ++m) {
    const int64_t n = n0 + m;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const int64_t j0 = q * U + v * W;
      const int nl = lanes_left(H, j0);
      if (nl == 0) break;
      const V dh = Tr::add(Tr::load(tile[m][v]), Tr::load(j.dhd + n * H + j0, nl));
      if (s == T)
        Tr::store(j.dh0 + n * H + j0, dh, nl);
      else
        bwd_point(j, t, n, j0, nl, dh);
    }
  }
}

template <int NV, int MR>
static void backward_steps_mr(const BwdJob& j, int tid, int nt, Barrier* barrier) {
  const int64_t T = j.T, N = j.N, H = j.H;
  const int64_t GH = ncells_gates(j.cell) * H, U = NV * W;
  const int64_t panels = (H + U - 1) / U;
  // batch split (all units of some rows, no barriers) or hidden-unit split (as in forward)
  int64_t q0 = 0, q1 = panels, r0 = 0, r1 = N;
  if (j.batch_split)
    split(N, tid, nt, &r0, &r1);
  else
    split(panels, tid, nt, &q0, &q1);
  const int64_t u_begin = q0 * U, u_end = imin(H, q1 * U);
  // partial sums of this thread's row tiles (padded to whole tiles) between K blocks
  float* partial = GH > kBwdKBlock ? tls_partial_sums(((r1 - r0 + MR - 1) / MR * MR) * U) : nullptr;
  if (j.s_begin == 0) {
    // this thread's part of dc starts at dcy (or 0)
    for (int64_t n = r0; n < r1 && u_end > u_begin; ++n) {
      float* d = j.dc + n * H + u_begin;
      if (j.dcy)
        std::memcpy(d, j.dcy + n * H + u_begin, (u_end - u_begin) * sizeof(float));
      else
        std::memset(d, 0, (u_end - u_begin) * sizeof(float));
    }
    // first processed step: dL/dh = dhy
    const int64_t t = j.reverse ? 0 : T - 1;
    for (int64_t q = q0; q < q1; ++q)
      for (int64_t n = r0; n < r1; ++n)
        for (int v = 0; v < NV; ++v) {
          const int64_t j0 = q * U + v * W;
          const int nl = lanes_left(H, j0);
          if (nl == 0) break;
          bwd_point(j, t, n, j0, nl, j.dhy ? Tr::load(j.dhy + n * H + j0, nl) : Tr::zero());
        }
  }
  // then per step: dh_{t} = dgh_{t+1} · W_hh + dhd, fused with the pointwise backward of step t;
  // after the last step, the same product gives dh0.
  const int64_t s_last = j.s_end == T && j.dh0 ? T : j.s_end - 1;
  for (int64_t s = j.s_begin > 1 ? j.s_begin : 1; s <= s_last; ++s) {
    if (!j.batch_split) barrier->wait();  // dgh of the previous step is complete (all units)
    const int64_t tp = j.reverse ? s - 1 : T - s;  // the step whose dgh feeds the product
    const int64_t t = j.reverse ? s : T - 1 - s;
    const float* dg = bwd_rows(j, j.dgh_ring, tp);
    for (int64_t q = q0; q < q1; ++q)
      for (int64_t kb0 = 0; kb0 < GH; kb0 += kBwdKBlock) {
        // K blocks: the panel's rows [kb0, kb0 + kb) stay in L2 while every row tile uses them;
        // between blocks the sums wait in `partial` (stored and reloaded exactly: the same bits as
        // one unbroken sum)
        const int64_t kb = imin(kBwdKBlock, GH - kb0);
        const float* panel = j.wpack + (q * GH + kb0) * U;
        for (int64_t n0 = r0; n0 < r1; n0 += MR) {
          const int rows = (int)imin(MR, r1 - n0);
          float* part = partial + (n0 - r0) * U;
          if (MR == 3 && rows < 3) {  // AVX2: a last tile of 1 or 2 rows runs that many, unpadded
            if (rows == 2)
              bwd_tile<NV, 2>(j, dg, panel, kb0, kb, part, q, n0, rows, s, t);
            else
              bwd_tile<NV, 1>(j, dg, panel, kb0, kb, part, q, n0, rows, s, t);
          } else {
            bwd_tile<NV, MR, MR == 1>(j, dg, panel, kb0, kb, part, q, n0, rows, s, t);
          }
        }
      }
  }
  if (j.dc0 && j.s_end == T)
    for (int64_t n = r0; n < r1 && u_end > u_begin; ++n)
      std::memcpy(j.dc0 + n * H + u_begin, j.dc + n * H + u_begin,
                  (u_end - u_begin) * sizeof(float));
}

template <int NV>
static void backward_steps_nv(const BwdJob& j, int tid, int nt, Barrier* b) {
  switch (pick_mr(j.N, NV)) {
    case 1:
      return backward_steps_mr<NV, 1>(j, tid, nt, b);
    case 2:
      return backward_steps_mr<NV, 2>(j, tid, nt, b);
    case 3:
      return backward_steps_mr<NV, 3>(j, tid, nt, b);
    case 4:
      return backward_steps_mr<NV, 4>(j, tid, nt, b);
    default:
      return backward_steps_mr<NV, 6>(j, tid, nt, b);
  }
}

static void backward_steps(const BwdJob& j, int nvb, int tid, int nt, Barrier* b) {
  if (nvb >= 4)
    backward_steps_nv<4>(j, tid, nt, b);
  else if (nvb == 2)
    backward_steps_nv<2>(j, tid, nt, b);
  else
    backward_steps_nv<1>(j, tid, nt, b);
}

#include "cpu/kernels_dense_impl.h"  // GEMM, column sums, matrix-vector, step pointwise

static const Kernels kTable = {
    kIsa, W,           pack_forward, forward_steps, pack_backward,  backward_steps,
    gemm, column_sums, gemv_rows,    activation,    step_pointwise,
};

#undef JRNN_INLINE
